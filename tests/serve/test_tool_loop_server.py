"""``x-sdkforge-scenario: tool-loop`` over loopback HTTP with plain httpx: a tool call with
fresh ids named after the request's tool, then a final answer once every call has its result
and the assistant turn came back as it was sent; anything else is a 400 that says why."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.core.load import Spec

from .conftest import RunningServer
from .test_reference_server import BODIES, CHAT, MESSAGES, SESSIONS, examples, post

LOOP = {"x-sdkforge-scenario": "tool-loop"}
TOOLS = {
    CHAT: [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
    MESSAGES: [
        {"name": "lookup", "description": "Look it up.", "input_schema": {"type": "object"}}
    ],
}


def ask(server: RunningServer, path: str, **headers: str) -> dict[str, Any]:
    reply = post(server, path, {**BODIES[path], "tools": TOOLS[path]}, headers={**LOOP, **headers})
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


def turn_and_results(path: str, answer: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    if path == CHAT:
        message = answer["choices"][0]["message"]
        results = [
            {"role": "tool", "tool_call_id": c["id"], "content": "42"}
            for c in message["tool_calls"]
        ]
        return message, results
    uses = [b for b in answer["content"] if b["type"] == "tool_use"]
    content = [{"type": "tool_result", "tool_use_id": u["id"], "content": "42"} for u in uses]
    return {"role": "assistant", "content": answer["content"]}, [
        {"role": "user", "content": content}
    ]


def follow_up(server: RunningServer, path: str, turn: Any, results: list[Any]) -> Any:
    body = {**BODIES[path], "tools": TOOLS[path]}
    body["messages"] = [*body["messages"], turn, *results]
    return post(server, path, body, headers=LOOP)


@pytest.mark.parametrize(("path", "example"), [(CHAT, 1), (MESSAGES, 1), (MESSAGES, 2)])
def test_a_tool_call_then_the_final_answer(
    server: RunningServer, spec: Spec, path: str, example: int
) -> None:
    name = "ChatCompletionResponse" if path == CHAT else "ChatResponse"
    answer = ask(server, path, **{"x-sdkforge-example": str(example)})
    again = ask(server, path, **{"x-sdkforge-example": str(example)})
    turn, results = turn_and_results(path, answer)
    expected = copy.deepcopy(examples(spec, path, name)[example])
    sent_turn, _ = turn_and_results(path, expected)
    # The example, but with the request's tool name and fresh ids (never the same twice).
    ids = [r.get("tool_call_id") or r["content"][0]["tool_use_id"] for r in results]
    assert ids != [
        r.get("tool_call_id") or r["content"][0]["tool_use_id"]
        for r in turn_and_results(path, again)[1]
    ]
    assert len(set(ids)) == len(ids)
    if path == CHAT:
        assert [c["function"]["name"] for c in turn["tool_calls"]] == ["lookup"]
        assert turn["content"] is None and turn["refusal"] is None
    else:
        assert [b["name"] for b in turn["content"] if b["type"] == "tool_use"] == ["lookup"]
        assert len(turn["content"]) == len(sent_turn["content"])
    final = follow_up(server, path, turn, results)
    assert final.status_code == 200, final.text
    assert final.json() == examples(spec, path, name)[0]


@pytest.mark.parametrize("path", [CHAT, MESSAGES])
def test_what_the_loop_refuses(server: RunningServer, path: str) -> None:
    answer = ask(server, path)
    turn, results = turn_and_results(path, answer)

    changed = copy.deepcopy(turn)
    if path == CHAT:
        changed["tool_calls"][0]["function"]["arguments"] = "{}"
        where = "/messages/1/tool_calls/0/function/arguments"
    else:
        changed["content"][0]["input"] = {}
        where = "/messages/1/content/0/input"
    reply = follow_up(server, path, changed, results)
    assert reply.status_code == 400 and where in reply.text, reply.text

    stranger = copy.deepcopy(results)
    if path == CHAT:
        stranger[0]["tool_call_id"] = "call_not_ours"
    else:
        stranger[0]["content"][0]["tool_use_id"] = "toolu_not_ours"
    reply = follow_up(server, path, turn, stranger)
    assert reply.status_code == 400 and "did not make" in reply.text

    no_tools = post(server, path, BODIES[path], headers=LOOP)
    assert no_tools.status_code == 400 and "define a tool" in no_tools.text

    plain = post(
        server,
        path,
        {**BODIES[path], "tools": TOOLS[path]},
        headers={**LOOP, "x-sdkforge-example": "0"},
    )
    assert plain.status_code == 400 and "calls no tool" in plain.text

    assert follow_up(server, path, turn, results).status_code == 200


def test_the_loop_is_for_the_families_with_tool_calls(server: RunningServer) -> None:
    reply = post(server, SESSIONS, BODIES[SESSIONS], headers=LOOP)
    assert reply.status_code == 400 and "no tool calls" in reply.text
    unknown = post(server, CHAT, BODIES[CHAT], headers={"x-sdkforge-scenario": "chaos"})
    assert unknown.status_code == 400 and "unknown scenario" in unknown.text
