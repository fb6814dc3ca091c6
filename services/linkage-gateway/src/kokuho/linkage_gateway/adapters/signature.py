"""C-12: verification of e-application signatures made with the MN card's signing certificate
(署名用電子証明書): readable certificate, validity at the time of intake, issued by a trusted
root, not revoked (a CRL signed by that root and still current; no CRL means refusal), key
usage, and the payload unchanged since it was signed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kokuho.linkage_gateway.app.ports import SignatureCheck, SignedApplication


def _refuse(reason: str, serial: str | None = None) -> SignatureCheck:
    return SignatureCheck(False, reason, serial)


class X509SignatureVerifier:
    def __init__(
        self,
        roots: Sequence[x509.Certificate],
        crls: Sequence[x509.CertificateRevocationList],
    ) -> None:
        self._roots = list(roots)
        self._crls = list(crls)

    @classmethod
    def from_files(cls, roots: Path | None, crls: Path | None) -> X509SignatureVerifier:
        return cls(
            x509.load_pem_x509_certificates(roots.read_bytes()) if roots else [],
            [x509.load_pem_x509_crl(crls.read_bytes())] if crls else [],
        )

    def verify(self, application: SignedApplication, at: datetime) -> SignatureCheck:
        try:
            cert = x509.load_pem_x509_certificate(application.certificate_pem)
        except ValueError:
            return _refuse("the signing certificate is not readable")
        serial = format(cert.serial_number, "X")
        if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            return _refuse("the signing certificate is expired or not yet valid", serial)
        issuer = next((r for r in self._roots if r.subject == cert.issuer), None)
        if issuer is None:
            return _refuse("the signing certificate is not issued by a trusted root", serial)
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return _refuse("the signing certificate's chain does not verify", serial)
        if not issuer.not_valid_before_utc <= at <= issuer.not_valid_after_utc:
            return _refuse("the trusted root is expired", serial)
        revocation = self._revocation(cert, issuer, at)
        if revocation:
            return _refuse(revocation, serial)
        try:
            usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
            if not (usage.digital_signature or usage.content_commitment):
                return _refuse("the certificate is not for signatures", serial)
        except x509.ExtensionNotFound:
            pass
        if not self._signature_holds(cert, application):
            return _refuse("the payload does not match its signature (tampered)", serial)
        return SignatureCheck(True, "", serial)

    def _revocation(
        self, cert: x509.Certificate, issuer: x509.Certificate, at: datetime
    ) -> str | None:
        crls = [c for c in self._crls if c.issuer == issuer.subject]
        if not crls:
            return "no revocation list for the issuer"
        for crl in crls:
            if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
                return "the revocation list's signature does not verify"
            if crl.next_update_utc is not None and crl.next_update_utc < at:
                return "the revocation list is out of date"
            if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
                return "the signing certificate is revoked"
        return None

    @staticmethod
    def _signature_holds(cert: x509.Certificate, application: SignedApplication) -> bool:
        key = cert.public_key()
        try:
            if isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(application.signature, application.payload, ec.ECDSA(hashes.SHA256()))
            elif isinstance(key, rsa.RSAPublicKey):
                key.verify(
                    application.signature,
                    application.payload,
                    padding.PKCS1v15(),
                    hashes.SHA256(),
                )
            else:
                return False
        except InvalidSignature:
            return False
        return True
