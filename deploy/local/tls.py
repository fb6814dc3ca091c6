"""The local certificate authority and the certificates it signs (ADR 0094, 0095).

    python deploy/local/tls.py ca [--ca-dir DIR]
    python deploy/local/tls.py issue NAME [NAME ...] --out DIR [--dns N ...] [--ip A ...]
                                         [--client] [--ca-dir DIR]

``ca`` makes the local CA (``.local/tls/ca.crt`` and ``ca.key``, ECDSA P-256, ten years) once.
``issue`` writes ``DIR/NAME.crt`` and ``DIR/NAME.key`` (0600) signed by it: a server
certificate naming the ``--dns``/``--ip`` given, or with ``--client`` a client certificate
(``CN=NAME``, client-auth only). A certificate already there is kept while it is signed by the
CA, names the same hosts and has more than 30 days left; otherwise it is issued again.
Several names at once issue one certificate each (``kafka.sh``: a client certificate per broker
user, ADR 0099). ``postgres.sh`` issues the local PostgreSQL's server certificate, ``kafka.sh``
the broker's and its users', ``run.sh`` the simulators' and linkage-gateway's; the tests make a
second CA with ``--ca-dir`` for their refusals.
Development only: production certificates come from the operators (CloudNativePG) and the
counterparts' own authority.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_CA_DIR = Path(__file__).resolve().parents[2] / ".local" / "tls"
RENEW_BEFORE = timedelta(days=30)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kokuho local development"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    path.chmod(0o600)


def ensure_ca(ca_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The CA in ``ca_dir``, made on first use."""
    ca_dir.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = ca_dir / "ca.crt", ca_dir / "ca.key"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = _name(f"Kokuho local CA ({ca_dir.name})")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _current(path: Path, ca: x509.Certificate, names: list[x509.GeneralName], client: bool) -> bool:
    if not path.exists() or not path.with_suffix(".key").exists():
        return False
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    if cert.not_valid_after_utc - datetime.now(UTC) < RENEW_BEFORE:
        return False
    if client:
        return True
    try:
        named = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return set(named) == set(names)


def issue(
    name: str,
    out: Path,
    *,
    dns: list[str],
    ips: list[str],
    client: bool = False,
    ca_dir: Path = DEFAULT_CA_DIR,
) -> Path:
    """``out/name.crt`` (and ``.key``) signed by the CA of ``ca_dir``; returns the .crt path."""
    ca, ca_key = ensure_ca(ca_dir)
    out.mkdir(parents=True, exist_ok=True)
    cert_path = out / f"{name}.crt"
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    if _current(cert_path, ca, names, client):
        return cert_path
    if not client and not names:
        raise SystemExit("a server certificate needs at least one --dns or --ip")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=397))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    _write_key(out / f"{name}.key", key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/local/tls.py")
    sub = parser.add_subparsers(dest="command", required=True)
    ca = sub.add_parser("ca")
    ca.add_argument("--ca-dir", type=Path, default=DEFAULT_CA_DIR)
    one = sub.add_parser("issue")
    one.add_argument("names", nargs="+", metavar="NAME")
    one.add_argument("--out", type=Path, required=True)
    one.add_argument("--dns", action="append", default=[])
    one.add_argument("--ip", action="append", default=[])
    one.add_argument("--client", action="store_true")
    one.add_argument("--ca-dir", type=Path, default=DEFAULT_CA_DIR)
    args = parser.parse_args(argv)
    if args.command == "ca":
        ensure_ca(args.ca_dir)
        print(args.ca_dir / "ca.crt")
        return 0
    for name in args.names:
        print(
            issue(name, args.out, dns=args.dns, ips=args.ip, client=args.client, ca_dir=args.ca_dir)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
