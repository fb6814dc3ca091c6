from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

from ..ca import NOW, CertificateAuthority

Numbers = Callable[[], IndividualNumber]


def payload(number: IndividualNumber) -> dict[str, object]:
    return {"individual_number": number.value, "answers": {"fiscal_year": 2026, "no_income": True}}


def test_a_valid_signature_by_a_trusted_unrevoked_certificate_is_accepted(numbers: Numbers) -> None:
    ca = CertificateAuthority()
    signer = ca.issue("resident-1")
    check = X509SignatureVerifier([ca.root], [ca.crl()]).verify(
        signer.sign("R-1", payload(numbers())), NOW
    )
    assert check.valid, check.reason
    assert check.certificate_serial == signer.serial


def test_each_failure_is_refused_with_its_reason(numbers: Numbers) -> None:
    ca, stranger = CertificateAuthority(), CertificateAuthority("Somebody Else's Root")
    good, revoked, expired = ca.issue("good"), ca.issue("revoked"), ca.issue("old", expired=True)
    foreign = stranger.issue("foreign")
    ca.revoke(revoked)
    verifier = X509SignatureVerifier([ca.root], [ca.crl()])
    signed = good.sign("R-1", payload(numbers()))
    tampered = replace(signed, payload=signed.payload.replace(b"true", b"false"))
    cases = {
        "tampered": (tampered, "tampered"),
        "revoked": (revoked.sign("R-2", payload(numbers())), "revoked"),
        "expired": (expired.sign("R-3", payload(numbers())), "expired"),
        "foreign": (foreign.sign("R-4", payload(numbers())), "trusted root"),
        "garbage": (replace(signed, certificate_pem=b"not a certificate"), "not readable"),
    }
    for name, (application, reason) in cases.items():
        check = verifier.verify(application, NOW)
        assert not check.valid, name
        assert reason in check.reason, (name, check.reason)
    assert json.loads(tampered.payload)["answers"]["no_income"] is False


def test_without_a_revocation_list_nothing_is_accepted(numbers: Numbers) -> None:
    ca = CertificateAuthority()
    check = X509SignatureVerifier([ca.root], []).verify(
        ca.issue("r").sign("R-1", payload(numbers())), NOW
    )
    assert not check.valid
    assert "revocation list" in check.reason
    forged_crl = CertificateAuthority(
        ca.name
    )  # same name, another key: its CRL must not be trusted
    check = X509SignatureVerifier([ca.root], [forged_crl.crl()]).verify(
        ca.issue("r").sign("R-1", payload(numbers())), NOW
    )
    assert not check.valid
    assert "signature does not verify" in check.reason
