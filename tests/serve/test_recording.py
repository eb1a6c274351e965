"""The recorded requests never hold a credential in clear."""

from __future__ import annotations

import uuid

import httpx
import pytest

from generator.serve.recording import fingerprint, redact

from .launch import RunningServer

SECRET = "sk-live-5f1c0ffee"


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("authorization", f"Bearer {SECRET}", "Bearer ***"),
        ("authorization", f"Basic  {SECRET}", "Basic ***"),
        ("authorization", SECRET, "***"),
        ("x-api-key", SECRET, "***"),
        ("cookie", f"session={SECRET}; theme=dark", "session=***; theme=***"),
        ("x-api-key", "", ""),
    ],
)
def test_redact_keeps_the_scheme_word_and_hides_the_secret(
    name: str, value: str, shown: str
) -> None:
    assert redact(name, value) == shown


def test_a_fingerprint_names_the_secret_not_the_scheme() -> None:
    assert fingerprint(f"Bearer {SECRET}") == fingerprint(SECRET)
    assert fingerprint(SECRET) != fingerprint(SECRET + "x")
    assert SECRET not in fingerprint(SECRET)


def test_the_requests_endpoint_shows_credentials_redacted(server: RunningServer) -> None:
    key = f"k-{uuid.uuid4().hex}"
    reply = httpx.post(
        f"{server.url}/v1/messages",
        json={
            "model": "claude-sonnet-4-5",
            "system": "be brief",
            "messages": [{"role": "user", "content": "hi"}],
            "max_tokens": 64,
        },
        headers={
            "x-sdkforge-key": key,
            "x-api-key": SECRET,
            "authorization": f"Bearer {SECRET}",
            "api-key": SECRET,
            "proxy-authorization": f"Basic {SECRET}",
            "cookie": f"session={SECRET}",
            "x-team": "visible",
        },
        timeout=10,
    )
    assert reply.status_code == 200
    raw = httpx.get(f"{server.url}/_sdkforge/requests/{key}", timeout=5)
    assert SECRET not in raw.text
    record = raw.json()["requests"][0]
    headers = record["headers"]
    assert headers["x-api-key"] == "***" and headers["api-key"] == "***"
    assert headers["authorization"] == "Bearer ***"
    assert headers["proxy-authorization"] == "Basic ***"
    assert headers["cookie"] == "session=***"
    assert headers["x-team"] == "visible"
    assert record["credentials"]["x-api-key"] == fingerprint(SECRET)
    assert set(record["credentials"]) == {
        "x-api-key",
        "authorization",
        "api-key",
        "proxy-authorization",
        "cookie",
    }


def test_headers_the_security_schemes_name_are_redacted_too() -> None:
    from starlette.requests import Request

    from generator.serve.recording import RequestLog

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/x",
        "query_string": b"",
        "headers": [(b"X-Tenant-Token", f"Token {SECRET}".encode()), (b"x-other", b"plain")],
    }
    attempt = RequestLog(["X-Tenant-Token"]).record("k", Request(scope))
    assert attempt.headers == {"x-tenant-token": "Token ***", "x-other": "plain"}
    assert attempt.credentials == {"x-tenant-token": fingerprint(SECRET)}
    assert RequestLog().record("k", Request(scope)).headers["x-tenant-token"] == f"Token {SECRET}"
