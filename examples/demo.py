"""A tour of chatsdk: the three API families, plain and streamed, sync and async, with errors.

`make demo` starts the reference server on a free port and runs this against it. To run it
by hand, start `make serve` in one terminal and, in another:

    CHATSDK_BASE_URL=http://127.0.0.1:8080 CHATSDK_API_KEY=any-key .venv/bin/python examples/demo.py

The reference server answers from the examples in schemas/, so the replies are canned (a
structured answer is the minimal instance of the schema the request sends); the headers
starting `x-sdkforge-` ask it for a particular example, an injected fault, or tool calls.
The section on structured output and tools runs the examples of README.md's section.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import textwrap
from pathlib import Path
from typing import Any

import chatsdk
from chatsdk import AsyncClient, Client
from chatsdk.chat_completions import ChatMessage
from chatsdk.messages import Effort, Message, ThinkingConfig
from chatsdk.sessions import ContextConfig, SessionChatResponse, SessionTextBlock

README = Path(__file__).resolve().parents[1] / "README.md"
DEMO_MARK = "<!-- demo: make demo runs this block -->"


def readme_examples(heading: str) -> list[str]:
    """The Python blocks of a README section marked for the demo, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end >= 0 else len(text)]
    return re.findall(re.escape(DEMO_MARK) + r"\n```python\n(.*?)\n```", body, re.DOTALL)


def reply_text(reply: SessionChatResponse) -> str:
    return "".join(b.text for b in reply.response.content if isinstance(b, SessionTextBlock))


def section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 72 - len(title)))


def say(who: str, text: str) -> None:
    prefix = f"{who:>10} | "
    print(textwrap.fill(text, 100, initial_indent=prefix, subsequent_indent=" " * len(prefix)))


def chat_completions(client: Client) -> None:
    section("Chat completions (OpenAI-compatible)")
    say("user", "hi")
    reply = client.chat.completions.create(
        model="gpt-4o",
        messages=[ChatMessage.system("be brief"), ChatMessage.user("hi")],
        temperature=0.5,
    )
    choice = reply.choices[0]
    say("assistant", f"{choice.message.content}  [finish: {choice.finish_reason}]")
    if reply.usage is not None:
        say("usage", f"{reply.usage.prompt_tokens} in, {reply.usage.completion_tokens} out")

    say("user", "hi again (streamed)")
    print(f"{'assistant':>10} | ", end="", flush=True)
    with client.chat.completions.stream(
        model="gpt-4o", messages=[ChatMessage.user("hi")], stream_options={"include_usage": True}
    ) as s:
        for text in s.text_stream:
            print(text, end="", flush=True)
        final = s.get_final_completion()
    print()
    say("final", f"the assembled completion equals the plain one: {final == reply}")


def messages(client: Client) -> None:
    section("Messages (Anthropic-style)")
    say("user", "Hi")
    message = client.messages.create(
        model="claude-sonnet-4-5",
        system="You are helpful.",
        messages=[Message.user("Hi")],
        max_tokens=1024,
        thinking=ThinkingConfig.adaptive(effort=Effort.HIGH),
    )
    say("assistant", f"{message.first_text()}  [stop: {message.stop_reason}]")

    say("user", "What's the weather in New York? (streamed; the server's tool-call example)")
    with client.messages.stream(
        model="claude-sonnet-4-5",
        system="You are helpful.",
        messages=[Message.user("What's the weather in New York?")],
        extra_headers={"x-sdkforge-example": "1"},
    ) as s:
        kinds = [type(event).__name__ for event in s]
        final = s.get_final_message()
    say("events", ", ".join(kinds))
    for call in final.tool_uses():
        say("tool call", f"{call.name}({call.input})  [stop: {final.stop_reason}]")


def sessions(client: Client) -> None:
    section("Sessions (history kept by the server)")
    config = ContextConfig(max_tokens=1000, auto_compact=True)
    say("user", "hi")
    first = client.sessions.chat(message="hi", context_config=config)
    say("assistant", reply_text(first))
    say("session", f"{first.session_id}, turn {first.context.turn_count}")
    for text in ("tell me more", "and more"):
        say("user", f"{text} (streamed)")
        print(f"{'assistant':>10} | ", end="", flush=True)
        with client.sessions.stream(
            message=text, session_id=first.session_id, context_config=config
        ) as s:
            for piece in s.text_stream:
                print(piece, end="", flush=True)
            reply = s.get_final_response()
        print()
        context = reply.context
        note = f", compacted: {context.compaction_note}" if context.compacted else ""
        say("session", f"turn {context.turn_count}, ~{context.estimated_tokens} tokens{note}")


def errors_and_retries(client: Client) -> None:
    section("Errors and retries")
    try:
        client.messages.create(
            model="claude-sonnet-4-5",
            system="You are helpful.",
            messages=[Message.user("Hi")],
            extra_body={"temperature": 2.5},
        )
    except chatsdk.InvalidRequestError as exc:
        say("rejected", f"{type(exc).__name__} {exc.status_code}: {exc}")

    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o",
        messages=[ChatMessage.user("hi")],
        extra_headers={"x-sdkforge-fault": "429; times=1; retry-after-ms=300"},
    )
    say(
        "retried",
        f"a 429 asked for 300 ms; the call succeeded after {raw.retries_taken} retry "
        f"(request id {raw.request_id})",
    )
    try:
        client.sessions.chat(
            message="hi",
            extra_headers={"x-sdkforge-fault": "503; retry-after-ms=50"},
            max_retries=1,
        )
    except chatsdk.ServerError as exc:
        say("gave up", f"{type(exc).__name__} after 2 attempts: {exc}")
    try:
        with client.messages.stream(
            model="claude-sonnet-4-5",
            system="You are helpful.",
            messages=[Message.user("Hi")],
            extra_headers={"x-sdkforge-fault": "error-event; after=3"},
        ) as s:
            s.until_done()
    except chatsdk.StreamError as exc:
        say("mid-stream", f"{type(exc).__name__} ({exc.error_type}): {exc}")


def structured_output_and_tools() -> None:
    section("Structured output and tools")
    # README's own examples, run as they are written there (they share one namespace).
    namespace: dict[str, Any] = {"__name__": "readme_examples"}
    for number, code in enumerate(readme_examples("Structured output and tools"), 1):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"README.md, example {number}", "exec"), namespace)
        for line in printed.getvalue().splitlines():
            say(f"README {number}", line)
    namespace["client"].close()

    result = namespace["result"]  # chat completions parse, the first answer invalid
    first = result.attempts[0].issues[0]
    say("re-asked", f"attempt 1 was invalid at {first.location}: {first.message}")
    usage = result.usage
    say(
        "parsed",
        f"{result.parsed!r} after {len(result.attempts)} attempts"
        f" ({usage.prompt_tokens} + {usage.completion_tokens} tokens over both)",
    )
    run = namespace["run"]  # messages run_tools, three turns with two tools
    for turn in run.turns:
        names = ", ".join(call.name for call in turn.calls) or "the final answer"
        say(f"turn {turn.index}", names)


async def all_at_once() -> None:
    section("Async: one request to each family, concurrently")
    async with AsyncClient() as client:
        chat, message, session = await asyncio.gather(
            client.chat.completions.create(model="gpt-4o", messages=[ChatMessage.user("hi")]),
            client.messages.create(
                model="claude-sonnet-4-5", system="Be brief.", messages=[Message.user("hi")]
            ),
            client.sessions.chat(message="hi"),
        )
    say("chat", str(chat.choices[0].message.content))
    say("messages", str(message.first_text()))
    say("sessions", f"{session.session_id}: {reply_text(session)}")


def main() -> None:
    # Base URL and API key come from CHATSDK_BASE_URL and CHATSDK_API_KEY.
    with Client() as client:
        print(f"chatsdk {chatsdk.__version__} talking to {client.base_url}")
        chat_completions(client)
        messages(client)
        sessions(client)
        errors_and_retries(client)
    structured_output_and_tools()
    asyncio.run(all_at_once())


if __name__ == "__main__":
    main()
