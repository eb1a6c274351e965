"""One way to call each API family with the SDK, sync or async, plain or streamed.

The fault matrix and the feature tests drive the three families through these helpers so a
scenario is written once and run in every mode.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import chatsdk
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Message

API_KEY = "sk-e2e-secret-0123456789"

CHAT = "chat"
MESSAGES = "messages"
SESSIONS = "sessions"
FAMILIES = (CHAT, MESSAGES, SESSIONS)
PATHS = {CHAT: "/v1/chat/completions", MESSAGES: "/v1/messages", SESSIONS: "/qai/v1/chat/session"}


# Chat streams ask for the final usage chunk, so that a streamed answer carries all of the
# plain one (without it, OpenAI and the reference server send no usage on a stream).
USAGE = {"include_usage": True}


def create(client: Any, family: str, **kwargs: Any) -> Any:
    """The family's one call (``create`` or ``chat``), sync or async alike."""
    if family == CHAT:
        if kwargs.get("stream"):
            kwargs.setdefault("stream_options", USAGE)
        return client.chat.completions.create(
            model="gpt-4o", messages=[ChatMessage.user("hi")], **kwargs
        )
    if family == MESSAGES:
        return client.messages.create(
            model="claude-sonnet-4-5",
            system="be brief",
            messages=[Message.user("hi")],
            max_tokens=64,
            **kwargs,
        )
    return client.sessions.chat(message="hi", **kwargs)


def stream(client: Any, family: str, **kwargs: Any) -> Any:
    """The family's accumulating ``.stream(...)`` context manager."""
    if family == CHAT:
        return client.chat.completions.stream(
            model="gpt-4o", messages=[ChatMessage.user("hi")], stream_options=USAGE, **kwargs
        )
    if family == MESSAGES:
        return client.messages.stream(
            model="claude-sonnet-4-5",
            system="be brief",
            messages=[Message.user("hi")],
            max_tokens=64,
            **kwargs,
        )
    return client.sessions.stream(message="hi", **kwargs)


def final_of(accumulating: Any, family: str) -> Any:
    name = {
        CHAT: "get_final_completion",
        MESSAGES: "get_final_message",
        SESSIONS: "get_final_response",
    }[family]
    return getattr(accumulating, name)()


@dataclass
class Outcome:
    """What one call did: its result or error, the stream events read before it ended, and
    how long it took."""

    result: Any = None
    error: BaseException | None = None
    events: list[Any] = field(default_factory=list)
    elapsed: float = 0.0


def client_options(base_url: str, **options: Any) -> dict[str, Any]:
    # The reference server answers by the schemas, so anything off them is a failure here.
    return {"base_url": base_url, "api_key": API_KEY, "strict_response_validation": True, **options}


def run_sync(
    base_url: str,
    family: str,
    streamed: bool,
    headers: Mapping[str, str],
    client_kwargs: Mapping[str, Any] | None = None,
    **call: Any,
) -> Outcome:
    """Call once with a fresh ``chatsdk.Client``; never raises what the call raised."""
    outcome = Outcome()
    started = time.monotonic()
    with chatsdk.Client(**client_options(base_url, **(client_kwargs or {}))) as client:
        try:
            if streamed:
                with create(client, family, stream=True, extra_headers=headers, **call) as events:
                    for event in events:
                        outcome.events.append(event)
                outcome.result = outcome.events
            else:
                outcome.result = create(client, family, extra_headers=headers, **call)
        except chatsdk.APIError as exc:
            outcome.error = exc
    outcome.elapsed = time.monotonic() - started
    return outcome


async def _run_async(
    base_url: str,
    family: str,
    streamed: bool,
    headers: Mapping[str, str],
    client_kwargs: Mapping[str, Any] | None,
    call: Mapping[str, Any],
) -> Outcome:
    outcome = Outcome()
    started = time.monotonic()
    async with chatsdk.AsyncClient(**client_options(base_url, **(client_kwargs or {}))) as client:
        try:
            if streamed:
                events = await create(client, family, stream=True, extra_headers=headers, **call)
                async with events:
                    async for event in events:
                        outcome.events.append(event)
                outcome.result = outcome.events
            else:
                outcome.result = await create(client, family, extra_headers=headers, **call)
        except chatsdk.APIError as exc:
            outcome.error = exc
    outcome.elapsed = time.monotonic() - started
    return outcome


def run_async(
    base_url: str,
    family: str,
    streamed: bool,
    headers: Mapping[str, str],
    client_kwargs: Mapping[str, Any] | None = None,
    **call: Any,
) -> Outcome:
    """The same call with a fresh ``chatsdk.AsyncClient`` on a new event loop."""
    return asyncio.run(_run_async(base_url, family, streamed, headers, client_kwargs, call))


RUNNERS: dict[str, Callable[..., Outcome]] = {"sync": run_sync, "async": run_async}
