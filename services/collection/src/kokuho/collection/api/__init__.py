"""The HTTP API of collection.

One router module per resource, thin routes over the use cases.
"""

from kokuho.collection.api import cases

routers = [cases.router]
