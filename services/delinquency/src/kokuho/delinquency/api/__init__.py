"""The HTTP API of delinquency.

One router module per resource, thin routes over the use cases.
"""

from kokuho.delinquency.api import cases

routers = [cases.router]
