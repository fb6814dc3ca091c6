"""A test certificate authority made in the tests (never committed): a root, signing
certificates for residents, a revocation list."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kokuho.linkage_gateway.app.ports import SignedApplication

NOW = datetime.now(UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class Signer:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def serial(self) -> str:
        return format(self.certificate.serial_number, "X")

    def sign(
        self, receipt: str, payload: dict[str, Any], procedure: str = "NHI-NO-INCOME-DECLARATION"
    ) -> SignedApplication:
        body = json.dumps(payload, ensure_ascii=False).encode()
        return SignedApplication(
            receipt_number=receipt,
            procedure_code=procedure,
            applied_at=NOW,
            payload=body,
            signature=self.key.sign(body, ec.ECDSA(hashes.SHA256())),
            certificate_pem=self.certificate.public_bytes(serialization.Encoding.PEM),
        )


@dataclass
class CertificateAuthority:
    name: str = "Kokuho Test JPKI Root"
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    revoked: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = (
            x509.CertificateBuilder()
            .subject_name(_name(self.name))
            .issuer_name(_name(self.name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=365))
            .not_valid_after(NOW + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, cn: str, *, expired: bool = False) -> Signer:
        key = ec.generate_private_key(ec.SECP256R1())
        start = NOW - timedelta(days=800 if expired else 30)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(self.root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=400))
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        return Signer(key, cert)

    def revoke(self, signer: Signer) -> None:
        self.revoked.append(signer.certificate.serial_number)

    def crl(self) -> x509.CertificateRevocationList:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.subject)
            .last_update(NOW - timedelta(hours=1))
            .next_update(NOW + timedelta(days=1))
        )
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(NOW - timedelta(minutes=5))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())
