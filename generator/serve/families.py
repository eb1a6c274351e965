"""Where each API family keeps, in its requests and answers, what the tool loop and the
structured answers need: tool definitions and calls, tool results, the forced tool, the
requested output format, the answer's text and its refusal.

Only the places are written here; what is put there comes from the request or from the
response schema's examples (see :mod:`generator.serve.structured`).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["FAMILIES", "Call", "Family"]

Call = tuple[str, str, Any]  # (call id, tool name, input)
# The chat family's schema has no example of a refusal to take the text from.
_REFUSAL_TEXT = "I'm sorry, I can't help with that."


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Family:
    """Where a family keeps its tool calls, tool results, tool names and output format."""

    prefix: str
    refusal_path: tuple[str, ...]  # where the response schema declares the refusal's details

    def calls(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def turn(self, answer: dict[str, Any]) -> dict[str, Any]:
        """The assistant turn of ``answer`` as a client sends it back."""
        raise NotImplementedError

    def turn_calls(self, message: Any) -> list[str]:
        """The call ids of a conversation's message (none unless an assistant tool call)."""
        raise NotImplementedError

    def results(self, messages: list[Any]) -> tuple[int, list[str]]:
        """(index of the first message with results, the call ids answered), or (-1, [])."""
        raise NotImplementedError

    def tool_name(self, tool: Any) -> str | None:
        raise NotImplementedError

    def tool_schema(self, tool: Any) -> Any:
        raise NotImplementedError

    def rename(self, call: dict[str, Any], name: str) -> None:
        raise NotImplementedError

    def forced(self, body: dict[str, Any]) -> str | None:
        """The tool the request's ``tool_choice`` forces, if it names one."""
        raise NotImplementedError

    def output_schema(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The JSON Schema the request's ``response_format`` asks the answer to match."""
        raise NotImplementedError

    def must_call(self, body: dict[str, Any]) -> bool:
        """Whether the request's ``tool_choice`` makes the model call some tool, whichever."""
        raise NotImplementedError

    def with_text(self, template: dict[str, Any], text: str) -> dict[str, Any]:
        """``template`` (an answer without tool calls) answering ``text``."""
        raise NotImplementedError

    def with_calls(self, template: dict[str, Any], calls: list[Call]) -> dict[str, Any]:
        """``template`` (an answer with a tool call) making ``calls`` instead of its own."""
        raise NotImplementedError

    def refused(self, template: dict[str, Any], details: Any) -> dict[str, Any]:
        """``template`` (an answer without tool calls) as a refusal; ``details`` is the
        example the response schema gives at :attr:`refusal_path`, if any."""
        raise NotImplementedError

    def tools(self, body: dict[str, Any]) -> dict[str, Any]:
        """The request's tools: name -> input schema."""
        out: dict[str, Any] = {}
        for tool in body.get("tools") or []:
            name = self.tool_name(tool)
            if name is not None:
                out[name] = self.tool_schema(tool)
        return out


class _Chat(Family):
    def calls(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        message = answer["choices"][0]["message"]
        calls: list[dict[str, Any]] = message.get("tool_calls") or []
        return calls

    def turn(self, answer: dict[str, Any]) -> dict[str, Any]:
        turn: dict[str, Any] = answer["choices"][0]["message"]
        return turn

    def turn_calls(self, message: Any) -> list[str]:
        if _obj(message).get("role") != "assistant":
            return []
        return [str(_obj(c).get("id")) for c in _obj(message).get("tool_calls") or []]

    def results(self, messages: list[Any]) -> tuple[int, list[str]]:
        start = len(messages)
        while start and _obj(messages[start - 1]).get("role") == "tool":
            start -= 1
        ids = [m.get("tool_call_id", "") for m in messages[start:]]
        return (start, ids) if ids else (-1, [])

    def tool_name(self, tool: Any) -> str | None:
        name = _obj(_obj(tool).get("function")).get("name")
        return name if isinstance(name, str) else None

    def tool_schema(self, tool: Any) -> Any:
        return _obj(_obj(tool).get("function")).get("parameters", {"type": "object"})

    def rename(self, call: dict[str, Any], name: str) -> None:
        call["function"]["name"] = name

    def forced(self, body: dict[str, Any]) -> str | None:
        name = _obj(_obj(body.get("tool_choice")).get("function")).get("name")
        return name if isinstance(name, str) else None

    def must_call(self, body: dict[str, Any]) -> bool:
        return body.get("tool_choice") == "required"

    def output_schema(self, body: dict[str, Any]) -> dict[str, Any] | None:
        fmt = _obj(body.get("response_format"))
        if fmt.get("type") == "json_schema":
            return _obj(_obj(fmt.get("json_schema")).get("schema", {}))
        if fmt.get("type") == "json_object":
            return {"type": "object"}
        return None

    def _choice(self, answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        answer["choices"] = answer["choices"][:1]
        choice = answer["choices"][0]
        return choice, choice["message"]

    def with_text(self, template: dict[str, Any], text: str) -> dict[str, Any]:
        answer = copy.deepcopy(template)
        _, message = self._choice(answer)
        message.pop("tool_calls", None)
        message.update(content=text, refusal=None)
        return answer

    def with_calls(self, template: dict[str, Any], calls: list[Call]) -> dict[str, Any]:
        answer = copy.deepcopy(template)
        _, message = self._choice(answer)
        shape = message["tool_calls"][0]
        message["tool_calls"] = [
            {
                **copy.deepcopy(shape),
                "id": call_id,
                "function": {**shape["function"], "name": name, "arguments": json.dumps(value)},
            }
            for call_id, name, value in calls
        ]
        return answer

    def refused(self, template: dict[str, Any], details: Any) -> dict[str, Any]:
        answer = copy.deepcopy(template)
        _, message = self._choice(answer)
        message.pop("tool_calls", None)
        text = details if isinstance(details, str) else _REFUSAL_TEXT
        message.update(content=None, refusal=text)
        return answer


class _Messages(Family):
    def calls(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [b for b in answer["content"] if b.get("type") == "tool_use"]

    def turn(self, answer: dict[str, Any]) -> dict[str, Any]:
        return {"role": "assistant", "content": answer["content"]}

    def turn_calls(self, message: Any) -> list[str]:
        content = _obj(message).get("content")
        if _obj(message).get("role") != "assistant" or not isinstance(content, list):
            return []
        return [str(b.get("id")) for b in map(_obj, content) if b.get("type") == "tool_use"]

    def results(self, messages: list[Any]) -> tuple[int, list[str]]:
        content = _obj(messages[-1] if messages else None).get("content")
        if not isinstance(content, list):
            return -1, []
        ids = [
            b.get("tool_use_id", "") for b in map(_obj, content) if b.get("type") == "tool_result"
        ]
        return (len(messages) - 1, ids) if ids else (-1, [])

    def tool_name(self, tool: Any) -> str | None:
        name = _obj(tool).get("name")
        return name if isinstance(name, str) else None

    def tool_schema(self, tool: Any) -> Any:
        return _obj(tool).get("input_schema", {"type": "object"})

    def rename(self, call: dict[str, Any], name: str) -> None:
        call["name"] = name

    def forced(self, body: dict[str, Any]) -> str | None:
        choice = _obj(body.get("tool_choice"))
        name = choice.get("name") if choice.get("type") == "tool" else None
        return name if isinstance(name, str) else None

    def must_call(self, body: dict[str, Any]) -> bool:
        return _obj(body.get("tool_choice")).get("type") == "any"

    def output_schema(self, body: dict[str, Any]) -> dict[str, Any] | None:
        fmt = body.get("response_format")
        return _obj(_obj(fmt).get("schema")) if isinstance(fmt, dict) else None

    def with_text(self, template: dict[str, Any], text: str) -> dict[str, Any]:
        answer = copy.deepcopy(template)
        blocks = [b for b in answer["content"] if b.get("type") not in ("text", "tool_use")]
        shape = next((b for b in answer["content"] if b.get("type") == "text"), {"type": "text"})
        answer["content"] = [*blocks, {**shape, "text": text}]
        return answer

    def with_calls(self, template: dict[str, Any], calls: list[Call]) -> dict[str, Any]:
        answer = copy.deepcopy(template)
        shape = self.calls(answer)[0]
        blocks = [b for b in answer["content"] if b.get("type") != "tool_use"]
        uses = [{**shape, "id": i, "name": name, "input": value} for i, name, value in calls]
        answer["content"] = [*blocks, *uses]
        return answer

    def refused(self, template: dict[str, Any], details: Any) -> dict[str, Any]:
        answer = copy.deepcopy(template)
        answer["content"] = []
        answer["stop_reason"] = "refusal"
        if details is not None:
            answer["stop_details"] = copy.deepcopy(details)
        return answer


FAMILIES: dict[str, Family] = {
    "chat.completions": _Chat(prefix="call_", refusal_path=("choices", "message", "refusal")),
    "messages": _Messages(prefix="toolu_", refusal_path=("stop_details",)),
}
