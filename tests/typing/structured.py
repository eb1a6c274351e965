"""parse and run_tools as users type them; checked by `mypy --strict` and `pyright --strict`.

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
