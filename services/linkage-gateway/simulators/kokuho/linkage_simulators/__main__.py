"""``python -m kokuho.linkage_simulators <name> --port N`` serves one simulator.

With ``--tls-cert``, ``--tls-key`` and ``--tls-client-ca`` it serves HTTPS and requires a client
certificate signed by that CA (mutual TLS, as the real counterparts do: ADR 0095); a client
without one, or with one from another CA, is refused in the handshake
(``kokuho.platform.simulator_cli``).

Run with ``services/linkage-gateway/simulators`` on ``PYTHONPATH`` (``deploy/local/run.sh``
does). ``SIMULATORS`` is the list ``make run`` starts, in order.
"""

from __future__ import annotations

import sys

from kokuho.linkage_simulators import (
    federation,
    intermediate_server,
    jlis,
    portal,
    resident_records,
)
from kokuho.platform.simulator_cli import Simulators, serve

#: name -> (app factory, the gateway setting that points at it)
SIMULATORS: Simulators = {
    "jlis": (jlis.build, "KOKUHO_LINKAGE_GATEWAY_JLIS_URL"),
    "intermediate-server": (
        intermediate_server.build,
        "KOKUHO_LINKAGE_GATEWAY_INTERMEDIATE_SERVER_URL",
    ),
    "federation": (federation.build, "KOKUHO_LINKAGE_GATEWAY_FEDERATION_URL"),
    "portal": (portal.build, "KOKUHO_LINKAGE_GATEWAY_PORTAL_URL"),
    "resident-records": (resident_records.build, "KOKUHO_LINKAGE_GATEWAY_RESIDENT_RECORDS_URL"),
}


def main(argv: list[str] | None = None) -> int:
    return serve("kokuho.linkage_simulators", SIMULATORS, argv)


if __name__ == "__main__":
    sys.exit(main())
