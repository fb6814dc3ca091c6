"""The HTTP API of benefits.

One router module per resource, thin routes over the use cases.
"""

from kokuho.benefits.api import calculations, cases

routers = [cases.router, calculations.router]
