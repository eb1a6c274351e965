"""``CHATSDK_LOG=info|debug``: request lines, statuses, retries and timings on stderr, and never
a credential, whether sent in a header or echoed back by the server."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mock_api import API_KEY, CHAT_BODY, MockAPI, json_response, sync_client

from chatsdk import AuthenticationError
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message

HI = [ChatMessage.user("hi")]
OTHER_KEY = "sk-header-only-5b1d"  # a credential given only as a header, never as api_key
ECHO = {"error": {"type": "authentication_error", "message": f"bad key {API_KEY} / {OTHER_KEY}"}}


def messages_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "chatsdk"]


def test_debug_logs_requests_statuses_retries_and_timings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = MockAPI(
        json_response(503, {"error": {"message": "busy"}}),
        json_response(200, CHAT_BODY, **{"x-request-id": "req_7"}),
    )
    with caplog.at_level(logging.DEBUG, logger="chatsdk"):
        sync_client(api).chat.completions.create(model="m", messages=HI)
    lines = messages_of(caplog)
    url = "http://api.test/v1/chat/completions"
    assert lines[0].startswith(f"request: POST {url} (attempt 1 of 3) headers=")
    assert "('authorization', '[secure]')" in lines[0]
    assert re.fullmatch(
        rf"response: POST {url} -> 503 Service Unavailable in \d+\.\d{{3}} s", lines[1]
    )
    assert re.fullmatch(
        rf"retrying POST {url} in \d+\.\d\d s \(retry 1\) after status 503", lines[2]
    )
    assert lines[3].startswith(f"request: POST {url} (attempt 2 of 3)")
    assert re.fullmatch(
        rf"response: POST {url} -> 200 OK in \d+\.\d{{3}} s \(request id req_7\)", lines[4]
    )
    assert not any(API_KEY in line for line in lines)


def test_info_logs_statuses_but_not_requests(caplog: pytest.LogCaptureFixture) -> None:
    api = MockAPI(json_response(200, CHAT_BODY))
    with caplog.at_level(logging.INFO, logger="chatsdk"):
        sync_client(api).chat.completions.create(model="m", messages=HI)
    lines = messages_of(caplog)
    assert len(lines) == 1 and lines[0].startswith("response: POST http://api.test/v1/chat")


def test_no_credential_in_the_logs_sent_or_echoed(caplog: pytest.LogCaptureFixture) -> None:
    api = MockAPI(json_response(401, ECHO))
    client = sync_client(api)
    with caplog.at_level(logging.DEBUG, logger="chatsdk"), pytest.raises(AuthenticationError):
        client.messages.create(
            model="m",
            system="s",
            messages=[Message.user("hi")],
            extra_headers={"x-api-key": OTHER_KEY, "x-custom-auth": API_KEY},
        )
    lines = messages_of(caplog)
    assert any(line.startswith("failed: POST http://api.test/v1/messages") for line in lines)
    assert any("[redacted]" in line for line in lines)  # the echo was there, and masked
    shown = "\n".join(lines)
    assert API_KEY not in shown and OTHER_KEY not in shown
    assert api.last.headers["x-api-key"] == OTHER_KEY  # it was sent


SCRIPT = textwrap.dedent(
    """
    import httpx2
    from chatsdk import Client, AuthenticationError

    body = {"error": {"message": "key %s is not valid"}}
    http = httpx2.Client(transport=httpx2.MockTransport(
        lambda request: httpx2.Response(401, json=body, headers={"x-request-id": "req_9"})
    ))
    client = Client(api_key="%s", base_url="http://api.test", http_client=http)
    try:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    except AuthenticationError:
        pass
    """
)


def run_logged(level: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CHATSDK_LOG"}
    if level is not None:
        env["CHATSDK_LOG"] = level
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = str(root / "generated")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT % (API_KEY, API_KEY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return result.stderr


def test_the_environment_switch_sends_the_log_to_stderr() -> None:
    debug = run_logged("debug")
    assert "DEBUG] request: POST http://api.test/v1/chat/completions (attempt 1 of 3)" in debug
    assert "INFO] response: POST http://api.test/v1/chat/completions -> 401 Unauthorized" in debug
    assert "(request id req_9)" in debug and "[redacted]" in debug
    assert API_KEY not in debug
    info = run_logged("INFO")
    assert "request: POST" not in info and "-> 401 Unauthorized" in info
    assert run_logged(None) == "" and run_logged("verbose") == ""
