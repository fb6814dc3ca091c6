"""``python -m kokuho.eligibility_simulators <name> --port N`` serves one simulator.

With ``--tls-cert``, ``--tls-key`` and ``--tls-client-ca`` it serves HTTPS and requires a client
certificate signed by that CA (mutual TLS, as the register would be reached: ADR 0095;
``kokuho.platform.simulator_cli``).

Run with ``services/eligibility/simulators`` on ``PYTHONPATH`` (``deploy/local/run.sh`` does).
"""

from __future__ import annotations

import sys

from kokuho.eligibility_simulators import resident_register
from kokuho.platform.simulator_cli import Simulators, serve

#: name -> (app factory, the eligibility setting that points at it)
SIMULATORS: Simulators = {
    "resident-register": (resident_register.build, "KOKUHO_ELIGIBILITY_RESIDENT_REGISTER_URL"),
}


def main(argv: list[str] | None = None) -> int:
    return serve("kokuho.eligibility_simulators", SIMULATORS, argv)


if __name__ == "__main__":
    sys.exit(main())
