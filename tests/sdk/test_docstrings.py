"""Docstrings show the code a user of each client writes."""

from __future__ import annotations

import pytest

from chatsdk import _client


@pytest.mark.parametrize(
    ("resource", "final"),
    [
        ("ChatCompletions", "get_final_completion"),
        ("Messages", "get_final_message"),
        ("Sessions", "get_final_response"),
    ],
)
def test_stream_docstrings_show_with_for_sync_and_async_with_for_async(
    resource: str, final: str
) -> None:
    sync_doc = getattr(_client, resource).stream.__doc__ or ""
    async_doc = getattr(_client, "Async" + resource).stream.__doc__ or ""
    assert "``with client." in sync_doc and "async" not in sync_doc.split("Args:")[0]
    assert f"``s.{final}()``" in sync_doc
    assert "``async with client." in async_doc and "``async for``" in async_doc
    assert f"``await s.{final}()``" in async_doc
