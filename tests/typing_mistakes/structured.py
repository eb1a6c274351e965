"""parse, stream and run_tools mistakes a type checker must catch: each `# expect-error` line is an error under both
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
    client.messages.parse(model="m", mesages=[], response_format=Weather)  # expect-error
    parse(model="m", messages=[], response_format=Weather, max_tokens="9")  # expect-error
    client.messages.run_tools(model="m", messages=[], tools=[len], temprature=1)  # expect-error
    client.messages.run_tools(model="m", messages=[], tools=[len], max_turns="3")  # expect-error
    typed = client.messages.run_tools(model="m", messages=[], tools=[len], response_format=Weather)
    wrong_loop_model: Other | None = typed.parsed  # expect-error
    with client.messages.stream(model="m", messages=[], response_format=Weather) as stream:
        wrong_stream_model: Other | None = stream.get_final_parsed().parsed  # expect-error
    with client.messages.stream(model="m", messages=[]) as plain:
        plain.get_final_parsed()  # expect-error
    chat_stream = client.chat.completions.stream
    chat_stream(model="m", messages=[], response_format=Weather, stream=True)  # expect-error
    del wrong_model, not_optional, fine, wrong_final, wrong_loop_model, wrong_stream_model
