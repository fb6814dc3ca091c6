from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest

from kokuho.platform.auth import AuthError, TokenVerifier, load_public_keys
from kokuho.platform.token import dev_issuer_key, mint_token, new_private_key


@pytest.fixture(params=["ES256", "EdDSA"])
def key(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return new_private_key(request.param)


def verifier_for(key, **kwargs) -> TokenVerifier:  # type: ignore[no-untyped-def]
    return TokenVerifier([key.public_key()], **kwargs)


def test_valid_token_yields_staff_user(key) -> None:  # type: ignore[no-untyped-def]
    token = mint_token(key, user_id="U1", roles=["a", "b"], terminal_id="T1")
    user = verifier_for(key).authorize(token, ["b"])
    assert (user.user_id, user.roles, user.terminal_id) == ("U1", frozenset({"a", "b"}), "T1")


@pytest.mark.parametrize(
    ("kwargs", "status", "reason"),
    [
        ({"now": time.time() - 7200, "ttl_seconds": 60}, 401, "token expired"),
        ({"issuer": "someone-else"}, 401, "wrong issuer"),
        ({"audience": "other"}, 401, "wrong audience"),
        ({"amr": ["pwd"]}, 403, "iccard"),
        ({"roles": ["auditor"]}, 403, "role not granted"),
    ],
)
def test_refusals(key, kwargs, status, reason) -> None:  # type: ignore[no-untyped-def]
    kwargs = {"user_id": "U1", "roles": ["a"], "terminal_id": "T1"} | kwargs
    token = mint_token(key, **kwargs)
    with pytest.raises(AuthError) as caught:
        verifier_for(key).authorize(token, ["a"])
    assert caught.value.status == status
    assert reason in caught.value.reason


def test_other_key_is_refused(key) -> None:  # type: ignore[no-untyped-def]
    token = mint_token(new_private_key(), user_id="U1", roles=["a"])
    with pytest.raises(AuthError) as caught:
        verifier_for(key).authenticate(token)
    assert caught.value.status == 401


def test_hmac_and_none_tokens_are_refused(key) -> None:  # type: ignore[no-untyped-def]
    claims = {
        "sub": "U1",
        "iss": "kokuho-dev-issuer",
        "aud": "kokuho",
        "roles": ["a"],
        "amr": ["iccard"],
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
    }
    for token in (
        jwt.encode(claims, "s" * 32, algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
    ):
        with pytest.raises(AuthError) as caught:
            verifier_for(key).authenticate(token)
        assert caught.value.status == 401
    with pytest.raises(ValueError, match="asymmetric"):
        verifier_for(key, algorithms=["HS256"])


def test_amr_requirement_can_be_switched_off(key) -> None:  # type: ignore[no-untyped-def]
    token = mint_token(key, user_id="U1", roles=["a"], amr=["pwd"])
    assert verifier_for(key, required_amr=None).authenticate(token).user_id == "U1"


def test_unregistered_terminal_is_refused(key) -> None:  # type: ignore[no-untyped-def]
    verifier = verifier_for(key, allowed_terminal_ids=frozenset({"T1"}))
    assert verifier.authenticate(mint_token(key, user_id="U", roles=["a"], terminal_id="T1"))
    with pytest.raises(AuthError) as caught:
        verifier.authenticate(mint_token(key, user_id="U", roles=["a"], terminal_id="T9"))
    assert caught.value.status == 403


def test_dev_issuer_creates_key_once_and_cli_prints_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOKUHO_DEV_ISSUER_DIR", str(tmp_path / "issuer"))
    first = dev_issuer_key()
    assert (tmp_path / "issuer" / "private.pem").stat().st_mode & 0o077 == 0
    second = dev_issuer_key()
    assert first.private_numbers() == second.private_numbers()  # type: ignore[union-attr]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kokuho.platform.token",
            "--user",
            "U7",
            "--roles",
            "eligibility.clerk,auditor",
            "--terminal",
            "T-7",
            "--ttl",
            "120",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"KOKUHO_DEV_ISSUER_DIR": str(tmp_path / "issuer"), "PATH": "/usr/bin:/bin"},
    )
    keys = load_public_keys(tmp_path / "issuer" / "public.pem")
    # the CLI names every service of the checkout; a service verifies its own audience
    user = TokenVerifier(keys, audience="kokuho.eligibility").authorize(
        out.stdout.strip(), ["auditor"]
    )
    assert (user.user_id, user.terminal_id) == ("U7", "T-7")


def test_a_verified_token_is_remembered_until_it_expires(  # type: ignore[no-untyped-def]
    key, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: the signature of a token seen before is not checked again, but its expiry
    still is (a remembered token is refused once expired), and a refused one is not kept."""
    verifier = verifier_for(key, leeway_seconds=0)
    now = time.time()
    token = mint_token(key, user_id="U1", roles=["a"], terminal_id="T1", now=now, ttl_seconds=60)
    first = verifier.authenticate(token)
    checks = 0
    real_verify = verifier._verify

    def counting(text: str):  # type: ignore[no-untyped-def]
        nonlocal checks
        checks += 1
        return real_verify(text)

    monkeypatch.setattr(verifier, "_verify", counting)
    assert verifier.authenticate(token) == first
    assert checks == 0  # remembered: no second signature check
    monkeypatch.setattr(time, "time", lambda: now + 61)
    with pytest.raises(AuthError) as caught:
        verifier.authenticate(token)
    assert (caught.value.status, caught.value.reason) == (401, "token expired")
    assert checks == 0  # refused on its remembered expiry
    assert token not in verifier._verified  # and forgotten
    monkeypatch.setattr(time, "time", lambda: now)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(AuthError):
            verifier.authenticate(forged)
    assert checks == 2  # a refusal is checked every time, never remembered
