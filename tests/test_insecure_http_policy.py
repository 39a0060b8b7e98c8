"""Plain ``http://`` is refused for a server on another machine unless the policy sets
``server.allow_insecure_http = true``; this computer is always allowed. (Over HTTP with
``desktop-crm sync``: tests/e2e/test_access_and_transport.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_crm.client.policy import (
    NO_POLICY,
    InsecureServerUrl,
    PolicyError,
    is_loopback_host,
    load_policy,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765",
        "http://127.5.6.7",
        "http://localhost:8765/",
        "http://LOCALHOST.",
        "http://[::1]:8765",
        "https://crm.example.com",
        "HTTPS://10.0.0.5",
    ],
)
def test_allowed_without_a_policy(url: str) -> None:
    NO_POLICY.check_transport(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://crm.example.com",
        "HTTP://10.0.0.5:8765",
        "http://[2001:db8::1]",
        "http://localhost.example.com",
        "http://127.0.0.1.example.com",
    ],
)
def test_refused_without_a_policy(url: str) -> None:
    with pytest.raises(InsecureServerUrl, match="unencrypted"):
        NO_POLICY.check_transport(url)


def test_the_policy_can_allow_it(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[server]\nurl = "http://crm.lan:8765"\nallow_insecure_http = true\n', encoding="utf-8"
    )
    policy = load_policy(path)
    assert policy.allow_insecure_http
    policy.check_transport("http://crm.lan:8765")
    path.write_text('[server]\nallow_insecure_http = "yes"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="true or false"):
        load_policy(path)
    path.write_text('[server]\nurl = "http://crm.lan:8765"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="allow_insecure_http"):
        load_policy(path)


def test_loopback_hosts() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("[::1]")
    assert not is_loopback_host("") and not is_loopback_host("0.0.0.0")
