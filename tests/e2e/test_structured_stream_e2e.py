"""Streamed structured output and ``run_tools`` with a ``response_format`` against the
reference server over loopback HTTP, both families, sync and async, native and tool mode.

The server streams the minimal instance of the schema sent (text deltas natively, the forced
tool's input as JSON deltas in tool mode), so the partial values grow into
:data:`~.test_structured_e2e.EXPECTED`; ``invalid-output`` and ``refusal`` play as for
``parse``, except that a stream is not re-asked.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import chatsdk
from chatsdk import OutputValidationError

from .conftest import RunningServer
from .families import client_options
from .test_structured_e2e import (
    EXPECTED,
    FAMILIES,
    FAMILY_PARAMS,
    INVALID,
    INVALID_ONCE,
    MODES,
    REFUSAL,
    STRUCTURED,
    THREE_TURNS,
    Calls,
    Weather,
    ask,
    resource,
    run_tools,
)


def stream_parsed(
    server: RunningServer, family: str, mode: str, structured: str, headers: dict[str, str]
) -> tuple[list[Any], Any]:
    """(the partial values, ``get_final_parsed()``) of one structured stream."""
    params = {**FAMILY_PARAMS[family], "messages": ask(), "extra_headers": headers}
    params.update(response_format=Weather, structured_output=structured)
    settings = client_options(server.url, max_retries=0)
    if mode == "sync":
        with chatsdk.Client(**settings) as client:
            with resource(client, family).stream(**params) as stream:
                partials = list(stream.parsed_stream)
                return partials, stream.get_final_parsed()

    async def main() -> tuple[list[Any], Any]:
        async with chatsdk.AsyncClient(**settings) as client:
            async with resource(client, family).stream(**params) as stream:
                partials = [p async for p in stream.parsed_stream]
                return partials, await stream.get_final_parsed()

    return asyncio.run(main())


@pytest.mark.parametrize("structured", STRUCTURED)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_structured_stream_grows_into_the_model_instance(
    server: RunningServer, family: str, mode: str, structured: str
) -> None:
    partials, final = stream_parsed(server, family, mode, structured, {})
    assert len(partials) > 1  # the answer arrives in pieces
    assert partials[-1] == EXPECTED.model_dump(mode="json")
    assert isinstance(final.parsed, Weather) and final.parsed == EXPECTED


@pytest.mark.parametrize("structured", STRUCTURED)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_an_invalid_streamed_answer_raises_with_its_one_attempt(
    server: RunningServer, family: str, mode: str, structured: str
) -> None:
    with pytest.raises(OutputValidationError) as caught:
        stream_parsed(server, family, mode, structured, INVALID_ONCE)  # no re-ask on a stream
    [attempt] = caught.value.attempts
    assert [issue.location for issue in attempt.issues] == ["/city"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_streamed_refusal_gives_no_parsed_value(
    server: RunningServer, family: str, mode: str
) -> None:
    _, final = stream_parsed(server, family, mode, "native", REFUSAL)
    assert final.parsed is None and final.refusal


@pytest.mark.parametrize("structured", STRUCTURED)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_tool_loop_ends_in_a_structured_answer(
    server: RunningServer, family: str, mode: str, structured: str
) -> None:
    calls = Calls()
    tools = [calls.weather(), calls.time(run_async=mode == "async")]
    run, _ = run_tools(
        server,
        family,
        mode,
        tools,
        THREE_TURNS,
        response_format=Weather,
        structured_output=structured,
    )
    assert run.parsed == EXPECTED
    assert [[c.name for c in turn.calls] for turn in run.turns] == [
        ["get_weather", "get_time"],
        ["get_weather"],
        [],  # the answer: text natively; in tool mode the format's call, which is not run
    ]
    assert len(calls.seen) == 3


@pytest.mark.parametrize("structured", STRUCTURED)
@pytest.mark.parametrize("family", FAMILIES)
def test_a_tool_loops_invalid_answer_is_re_asked(
    server: RunningServer, family: str, structured: str
) -> None:
    calls = Calls()
    headers = {**THREE_TURNS, **INVALID_ONCE}
    tools = [calls.weather(), calls.time(run_async=False)]
    run, _ = run_tools(
        server,
        family,
        "sync",
        tools,
        headers,
        response_format=Weather,
        structured_output=structured,
    )
    assert run.parsed == EXPECTED
    assert [[i.location for i in a.issues] for a in run.attempts] == [["/city"], []]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_tool_loop_whose_answer_stays_invalid_raises(server: RunningServer, family: str) -> None:
    calls = Calls()
    with pytest.raises(OutputValidationError) as caught:
        run_tools(
            server,
            family,
            "sync",
            [calls.weather(), calls.time(run_async=False)],
            {**THREE_TURNS, **INVALID},
            response_format=Weather,
        )
    assert len(caught.value.attempts) == 2
