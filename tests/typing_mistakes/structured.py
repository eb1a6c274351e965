"""parse mistakes a type checker must catch: each `# expect-error` line is an error under both
mypy --strict and pyright --strict, and no other line is (tests/sdk/test_typing_mistakes.py)."""

from __future__ import annotations

from pydantic import BaseModel

from chatsdk import Client
from chatsdk.messages import ChatResponse


class Weather(BaseModel):
    temp_c: float


class Other(BaseModel):
    name: str


def calls(client: Client) -> None:
    result = client.messages.parse(model="m", messages=[], response_format=Weather)
    wrong_model: Other | None = result.parsed  # expect-error
    not_optional: Weather = result.parsed  # expect-error
    parse = client.messages.parse
    parse(model="m", messages=[], response_format=Weather, structured_output="json")  # expect-error
    client.messages.parse(model="m", messages=[], response_format="Weather")  # expect-error
    fine: ChatResponse = result.response
    loop = client.messages.run_tools(model="m", messages=[], tools=[len])
    wrong_final: str = loop.response  # expect-error
    del wrong_model, not_optional, fine, wrong_final
