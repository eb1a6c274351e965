"""`sdkforge review` end to end: on commits made here, and across this repository's history.

The temporary repository holds a copy of the real schemas; a branch adds a response enum
value, removes a request property and renames a content-block component. The report must
list exactly the last two as breaking, with their Python symbols, and grade the first as
safe for the SDK (an open enum).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.review import MARKER, compare, from_ref, rules_table
from generator.review.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: the real schemas; branch `change`: the three edits, committed."""
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "schemas", repo / "schemas")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "review@example.invalid")
    git(repo, "config", "user.name", "Review Test")
    git(repo, "add", "schemas")
    git(repo, "commit", "-q", "-m", "schemas")
    git(repo, "checkout", "-q", "-b", "change")
    messages = repo / "schemas" / "messages.yaml"
    # 1. a new stop reason: response side, open enum
    _edit(messages, "model_context_window_exceeded]", "model_context_window_exceeded, pause_turn]")
    _edit(
        messages,
        "        model_context_window_exceeded: The conversation no longer fits",
        "        pause_turn: The server paused a long turn; send the reply back to resume.\n"
        "        model_context_window_exceeded: The conversation no longer fits",
    )
    # 2. a request property removed
    _edit(
        messages,
        "        cached_content:\n          type: string\n"
        "          description: Handle of provider-managed cached content "
        "(e.g. a Gemini `cachedContent` name).\n",
        "",
    )
    # 3. a content block renamed: same structure, new name
    _edit(messages, "\n    TextBlock:\n", "\n    PlainTextBlock:\n")
    _edit(messages, "'#/components/schemas/TextBlock'", "'#/components/schemas/PlainTextBlock'")
    git(repo, "commit", "-q", "-am", "three schema changes")
    return repo


@pytest.fixture(scope="module")
def report_json(repo: Path) -> dict[str, Any]:
    old, new = from_ref(repo, "main"), from_ref(repo, "change")
    return json.loads(compare(old, new).render("json"))


def _run(repo: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(repo)
    return CliRunner().invoke(main, ["review", *args])


def test_breaking_section_lists_exactly_the_removal_and_the_rename(
    report_json: dict[str, Any],
) -> None:
    breaking = [f for f in report_json["findings"] if f["severity"] == "breaking"]
    assert [(f["rule"], f["direction"], f["wire"], f["sdk"]) for f in breaking] == [
        ("property-removed", "request", "breaking", "breaking"),
        ("component-renamed", "both", "safe", "breaking"),
    ]
    removed, renamed = breaking
    assert [s["symbol"] for s in removed["symbols"]] == [
        "chatsdk.messages.ChatRequest.cached_content",
        "client.messages.create(cached_content=…)",
    ]
    assert removed["symbols"][0]["before"] == "cached_content: str | None = None"
    assert removed["symbols"][0]["after"] is None
    assert renamed["symbols"][0] == {
        "symbol": "chatsdk.messages.TextBlock → chatsdk.messages.PlainTextBlock",
        "before": "class TextBlock(SDKModel, SendsDefaults)",
        "after": "class PlainTextBlock(SDKModel, SendsDefaults)",
    }
    assert "chatsdk.messages.ContentBlock[text]" in [s["symbol"] for s in renamed["symbols"]]
    assert removed["file"] == renamed["file"] == "schemas/messages.yaml"


def test_the_new_stop_reason_is_safe_for_the_sdk(report_json: dict[str, Any]) -> None:
    others = [f for f in report_json["findings"] if f["severity"] != "breaking"]
    assert [(f["rule"], f["direction"], f["wire"], f["sdk"]) for f in others] == [
        ("enum-value-added", "response", "warning", "safe")
    ]
    (added,) = others
    assert added["symbols"] == [
        {
            "symbol": "chatsdk.messages.StopReason.PAUSE_TURN",
            "before": None,
            "after": "PAUSE_TURN = 'pause_turn'",
        }
    ]
    assert "open enum" in added["reason"]
    assert report_json["summary"] == {"breaking": 2, "warning": 1, "safe": 0, "bump": "major"}


def test_markdown_report_from_the_command_line(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(repo, "--base", "main", "--head", "change", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(MARKER + "\n## Schema review: 2 breaking, 1 warning, 0 safe")
    breaking = text.split("### Breaking changes (2)", 1)[1].split("### Warnings", 1)[0]
    assert re.findall(r"^#### `([a-z-]+)`", breaking, re.M) == [
        "property-removed",
        "component-renamed",
    ]
    assert "`chatsdk.messages.ChatRequest.cached_content`" in breaking
    assert "`chatsdk.messages.TextBlock → chatsdk.messages.PlainTextBlock`" in breaking
    assert "<details>" in breaking and "Suggested version bump for chatsdk: **major**" in text
    changelog = text.split("### Changelog", 1)[1]
    assert "- **Breaking:** Removed `chatsdk.messages.ChatRequest.cached_content`" in changelog


def test_working_tree_is_the_default_head_and_is_left_alone(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = git(repo, "status", "--porcelain"), git(repo, "rev-parse", "--abbrev-ref", "HEAD")
    result = _run(repo, "--base", "main", "--format", "json", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["head"] == {"ref": "working tree", "commit": None}
    assert data["summary"]["breaking"] == 2
    assert (git(repo, "status", "--porcelain"), git(repo, "rev-parse", "--abbrev-ref", "HEAD")) == (
        before
    )


def test_fail_on(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--base", "main", "--head", "change", "--format", "json"]
    assert _run(repo, *args, "--fail-on", "breaking", monkeypatch=monkeypatch).exit_code == 1
    assert _run(repo, *args, "--fail-on", "warning", monkeypatch=monkeypatch).exit_code == 1
    same = ["--base", "main", "--head", "main", "--fail-on", "warning"]
    result = _run(repo, *same, monkeypatch=monkeypatch)
    assert result.exit_code == 0 and "No change to the wire format" in result.stdout


def test_github_annotations(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(
        repo, "--base", "main", "--head", "change", "--format", "github", monkeypatch=monkeypatch
    )
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::error", "::warning"]
    assert re.match(
        r"::error file=schemas/messages\.yaml,line=\d+,title=property-removed ", lines[0]
    )
    assert "chatsdk.messages.ChatRequest.cached_content" in lines[0]


def test_unknown_ref_exits_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(repo, "--base", "no-such-branch", monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "does not name a commit" in result.output


def test_docs_show_the_rule_table() -> None:
    docs = (ROOT / "docs" / "review.md").read_text(encoding="utf-8")
    assert rules_table() in docs


# --- this repository's own history ----------------------------------------------------------


def _schema_commits() -> list[str]:
    """The latest commits that touched schemas/ and have a parent here (a shallow clone may not)."""
    out = git(ROOT, "log", "--format=%H", "-n", "2", "--", "schemas")
    return [
        c
        for c in out.split()
        if subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{c}^"],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    ]


def test_review_across_real_history() -> None:
    commits = _schema_commits()
    assert commits, "no commit touching schemas/ with a parent: is this a full clone?"
    snapshots: dict[str, Snapshot] = {}

    def at(ref: str) -> Snapshot:
        sha = git(ROOT, "rev-parse", ref)
        if sha not in snapshots:
            # The OpenAPI meta-schema check of these documents is most of the load time and
            # is not what this test is about; `generate --check` and the loader tests run it.
            snapshots[sha] = from_ref(ROOT, sha, check_openapi=False)
        return snapshots[sha]

    for commit in commits:
        old, new = at(f"{commit}^"), at(commit)
        first, second = compare(old, new), compare(old, new)
        assert first.render("json") == second.render("json")
        assert first.render("markdown").startswith(MARKER)
        for finding in first.findings:
            assert finding.file.startswith("schemas/") and finding.rule
            assert finding.direction in {"request", "response", "both"}
        # A commit compared with itself has nothing to report.
        assert compare(new, new).findings == []
