"""The HTTP API of benefits.

One router module per resource, thin routes over the use cases.
"""

from kokuho.benefits.api import calculations, copayment_rates

routers = [calculations.router, copayment_rates.router]
