"""``python -m kokuho.eligibility_simulators <name> --port N`` serves one simulator.

Run with ``services/eligibility/simulators`` on ``PYTHONPATH`` (``deploy/local/run.sh`` does).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from kokuho.eligibility_simulators import resident_register

#: name -> (app factory, the eligibility setting that points at it)
SIMULATORS: dict[str, tuple[Callable[[], FastAPI], str]] = {
    "resident-register": (resident_register.build, "KOKUHO_ELIGIBILITY_RESIDENT_REGISTER_URL"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kokuho.eligibility_simulators")
    parser.add_argument("name", choices=[*SIMULATORS, "list"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.name == "list":
        for name, (_, setting) in SIMULATORS.items():
            print(name, setting)
        return 0
    build, _ = SIMULATORS[args.name]
    # No access log: the feed carries names and addresses (synthetic here, but the habit holds).
    uvicorn.run(build(), host=args.host, port=args.port, access_log=False, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
