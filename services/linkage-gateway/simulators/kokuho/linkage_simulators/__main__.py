"""``python -m kokuho.linkage_simulators <name> --port N`` serves one simulator.

With ``--tls-cert``, ``--tls-key`` and ``--tls-client-ca`` it serves HTTPS and requires a client
certificate signed by that CA (mutual TLS, as the real counterparts do: ADR 0095); a client
without one, or with one from another CA, is refused in the handshake.

Run with ``services/linkage-gateway/simulators`` on ``PYTHONPATH`` (``deploy/local/run.sh``
does). ``SIMULATORS`` is the list ``make run`` starts, in order.
"""

from __future__ import annotations

import argparse
import ssl
import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from kokuho.linkage_simulators import (
    federation,
    intermediate_server,
    jlis,
    portal,
    resident_records,
)

#: name -> (app factory, the gateway setting that points at it)
SIMULATORS: dict[str, tuple[Callable[[], FastAPI], str]] = {
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
    parser = argparse.ArgumentParser(prog="kokuho.linkage_simulators")
    parser.add_argument("name", choices=[*SIMULATORS, "list"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert", help="server certificate (PEM): serve HTTPS")
    parser.add_argument("--tls-key", help="its private key (PEM)")
    parser.add_argument("--tls-client-ca", help="CA (PEM) the clients' certificates must chain to")
    args = parser.parse_args(argv)
    tls_args = (args.tls_cert, args.tls_key, args.tls_client_ca)
    if any(tls_args) and not all(tls_args):
        parser.error("--tls-cert, --tls-key and --tls-client-ca go together (mutual TLS)")
    if args.name == "list":
        # One "name SETTING" a line, for deploy/local/run.sh.
        for name, (_, setting) in SIMULATORS.items():
            print(name, setting)
        return 0
    build, _ = SIMULATORS[args.name]
    # No access log: request lines carry no numbers, but the simulators stay as quiet as the
    # gateway about what passes through them.
    tls: dict[str, Any] = {}
    if all(tls_args):
        tls = {
            "ssl_certfile": args.tls_cert,
            "ssl_keyfile": args.tls_key,
            "ssl_ca_certs": args.tls_client_ca,
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
    uvicorn.run(build(), host=args.host, port=args.port, access_log=False, log_level="info", **tls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
