"""Request mistakes a type checker must catch: each `# expect-error` line is an error under both
mypy --strict and pyright --strict, and no other line is (tests/sdk/test_typing_mistakes.py)."""

from __future__ import annotations

from chatsdk.chat_completions import ChatCompletionRequest, ChatMessage, ChatMessageParam
from chatsdk.messages import ChatRequest, Message, MessageParam, ThinkingConfigParam

unknown_role = Message(role="robot", content="hi")  # expect-error
chat_unknown_role = ChatMessage(role="usr", content="hi")  # expect-error
wrong_tag: ThinkingConfigParam = {"type": "enbled", "budget_tokens": 1}  # expect-error
key_typo: MessageParam = {"role": "user", "contnt": "hi"}  # expect-error
missing_key: ChatMessageParam = {"content": "hi"}  # expect-error
wrong_value_type: MessageParam = {"role": "user", "content": 3}  # expect-error
ChatRequest(model="m", messages=[{"role": "usr", "content": "hi"}])  # expect-error
ChatCompletionRequest(model="m", messages=[{"role": "user", "contnt": "hi"}])  # expect-error
ChatRequest(model="m", messages=[], tool_choice={"type": "sometimes"})  # expect-error
ChatRequest(model="m", messages=[], temprature=0.5)  # expect-error

fine = Message(role="user", content="hi")
also_fine: MessageParam = {"role": "assistant", "content": [{"type": "text", "text": "x"}]}
