"""parse, run_tools and the structured stream as users type them; checked by `mypy --strict` and `pyright --strict`.

The functions are never called: each annotated assignment must type-check, so ``parsed`` is
the model class given as ``response_format`` (or ``Any`` for a schema given as data).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chatsdk import (
    AsyncClient,
    Client,
    OutputValidationError,
    ParsedResponse,
    ParsedToolRunResult,
    ToolRunResult,
    Turn,
)
from chatsdk.chat_completions import ChatCompletionResponse
from chatsdk.messages import ChatResponse, ResponseFormat


class Weather(BaseModel):
    city: str
    temp_c: float


def get_weather(city: str) -> str:
    """Weather of a city."""
    return city


def sync_calls(client: Client) -> None:
    result = client.messages.parse(
        model="m", messages=[{"role": "user", "content": "hi"}], response_format=Weather
    )
    parsed: Weather | None = result.parsed
    response: ChatResponse = result.response
    refusal: str | None = result.refusal
    whole: ParsedResponse[Weather, ChatResponse] = result
    temp: float = result.parsed.temp_c if result.parsed is not None else 0.0
    chat = client.chat.completions.parse(
        model="m", messages=[], response_format=Weather, structured_output="tool"
    )
    chat_parsed: Weather | None = chat.parsed
    chat_response: ChatCompletionResponse = chat.response
    fmt = ResponseFormat(name="w", schema_={"type": "object"})
    loose: Any = client.messages.parse(model="m", messages=[], response_format=fmt).parsed
    plain = client.chat.completions.parse(
        model="m", messages=[], response_format={"type": "object"}, max_output_retries=2
    )
    plain_parsed: Any = plain.parsed
    loop: ToolRunResult[ChatResponse] = client.messages.run_tools(
        model="m", messages=[], tools=[get_weather], max_turns=3
    )
    final: ChatResponse = loop.response
    turns: list[Turn[ChatResponse]] = loop.turns
    error = OutputValidationError("x", attempts=[], responses=[])
    attempts: list[Any] = error.attempts
    del parsed, response, refusal, whole, temp, chat_parsed, chat_response, loose
    del plain_parsed, final, turns, attempts


def sync_streams_and_loops(client: Client) -> None:
    with client.messages.stream(
        model="m", messages=[{"role": "user", "content": "hi"}], response_format=Weather
    ) as stream:
        for text in stream.text_stream:
            shown: str = text
            del shown
        so_far: Any = stream.current_parsed()
        done = stream.get_final_parsed()
        parsed: Weather | None = done.parsed
        message: ChatResponse = done.response
        snapshot: ChatResponse = stream.get_final()
    with client.chat.completions.stream(
        model="m", messages=[], response_format=Weather, structured_output="tool"
    ) as chat:
        for partial in chat.parsed_stream:
            del partial
        chat_parsed: Weather | None = chat.get_final_parsed().parsed
        completion: ChatCompletionResponse = chat.get_final_parsed().response
    fmt = ResponseFormat(name="w", schema_={"type": "object"})
    with client.messages.stream(
        model="m", messages=[], response_format=fmt, structured_output="native"
    ) as loose:
        loose_parsed: Any = loose.get_final_parsed().parsed
    with client.messages.stream(model="m", messages=[]) as plain:
        plain_text: str = plain.get_final_text()
    loop: ParsedToolRunResult[Weather, ChatResponse] = client.messages.run_tools(
        model="m", messages=[], tools=[get_weather], response_format=Weather
    )
    loop_parsed: Weather | None = loop.parsed
    turns: list[Turn[ChatResponse]] = loop.turns
    del so_far, parsed, message, snapshot, chat_parsed, completion, loose_parsed
    del plain_text, loop_parsed, turns


async def async_calls(client: AsyncClient) -> None:
    result = await client.chat.completions.parse(model="m", messages=[], response_format=Weather)
    parsed: Weather | None = result.parsed

    def seen(turn: Turn[ChatCompletionResponse]) -> None:
        del turn

    loop = await client.chat.completions.run_tools(
        model="m", messages=[], tools=[get_weather], on_turn=seen
    )
    final: ChatCompletionResponse = loop.response
    del parsed, final


async def async_streams_and_loops(client: AsyncClient) -> None:
    async with client.messages.stream(model="m", messages=[], response_format=Weather) as stream:
        async for partial in stream.parsed_stream:
            del partial
        parsed: Weather | None = (await stream.get_final_parsed()).parsed
    async with client.chat.completions.stream(model="m", messages=[]) as plain:
        async for chunk in plain:
            del chunk

    async def weather(city: str) -> str:
        """Weather of a city."""
        return city

    loop = await client.chat.completions.run_tools(
        model="m", messages=[], tools=[weather], response_format=Weather, max_turns=2
    )
    loop_parsed: Weather | None = loop.parsed
    final: ChatCompletionResponse = loop.response
    del parsed, loop_parsed, final
