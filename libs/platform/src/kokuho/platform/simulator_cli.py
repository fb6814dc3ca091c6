"""The command line of every service's simulators: ``python -m <module> <name> --port N``
(``deploy/local/run.sh`` and ``kokuho.platform.testing.simulator_process`` start them so).

With ``--tls-cert``, ``--tls-key`` and ``--tls-client-ca`` the simulator serves HTTPS and
requires a client certificate signed by that CA (mutual TLS, as the real counterparts do: ADR
0095); a client without one, or with one from another CA, is refused in the handshake.
``<name> list`` prints one ``name SETTING`` a line.
"""

from __future__ import annotations

import argparse
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI

#: name -> (app factory, the service setting that points at it)
Simulators = Mapping[str, tuple[Callable[[], FastAPI], str]]


def serve(prog: str, simulators: Simulators, argv: Sequence[str] | None = None) -> int:
    """Serve the simulator the arguments name until stopped; the exit status."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("name", choices=[*simulators, "list"])
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
        for name, (_, setting) in simulators.items():
            print(name, setting)
        return 0
    build, _ = simulators[args.name]
    tls: dict[str, Any] = {}
    if all(tls_args):
        tls = {
            "ssl_certfile": args.tls_cert,
            "ssl_keyfile": args.tls_key,
            "ssl_ca_certs": args.tls_client_ca,
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
    # No access log: request lines carry no numbers, but the simulators stay as quiet as the
    # services about what passes through them (the register's feed carries names, addresses).
    uvicorn.run(build(), host=args.host, port=args.port, access_log=False, log_level="info", **tls)
    return 0
