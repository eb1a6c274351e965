"""`sdkforge review` on published documents and on folders that are not there: what it says
and how it exits.

Exit status 1 means "findings at or above --fail-on" and nothing else: a folder that is
missing or empty, a document that does not parse or load, two documents given wrongly, are
status 2 with an error naming the place. Findings name the file as the user named it, with
--schemas DIR too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

HERE = Path(__file__).parent
PUBLISHED = HERE / "cases" / "published" / "openapi.yaml"
BASE = HERE / "cases" / "base"


def run(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, ["review", *args])


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def published(tmp: Path, name: str, edit: Any = None) -> Path:
    data = yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def drop_limit(data: dict[str, Any]) -> None:
    params = data["paths"]["/items/{item_id}"]["get"]["parameters"]
    params[:] = [p for p in params if p.get("name") != "limit"]


def test_two_published_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = published(tmp_path, "v1/shop.yaml")
    new = published(tmp_path, "v2/shop.yaml", drop_limit)
    result = run(tmp_path, monkeypatch, "v1/shop.yaml", "v2/shop.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (finding,) = data["findings"]
    assert finding["rule"] == "request-parameter-removed"
    assert finding["oasdiff"] == ["request-parameter-removed"]
    assert finding["file"] == "v2/shop.yaml" and isinstance(finding["line"], int)
    assert [s["symbol"] for s in finding["symbols"]] == ["client.items.retrieve(limit=…)"]
    assert old.is_file() and new.is_file()
    failing = run(tmp_path, monkeypatch, "v1/shop.yaml", "v2/shop.yaml", "--fail-on", "breaking")
    assert failing.exit_code == 1  # the removal breaks the SDK: a finding at --fail-on


def test_the_package_name_is_the_one_generate_would_be_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published(tmp_path, "a.yaml")
    published(
        tmp_path, "b.yaml", lambda d: d["components"]["schemas"]["Item"]["required"].append("tag")
    )
    args = ["a.yaml", "b.yaml", "--format", "json", "--package", "acme"]
    data = json.loads(run(tmp_path, monkeypatch, *args).stdout)
    assert [s["symbol"] for f in data["findings"] for s in f["symbols"]] == ["acme.models.Item.tag"]
    (finding,) = data["findings"]
    assert (finding["rule"], finding["wire"], finding["sdk"]) == (
        "required-added",
        "safe",
        "warning",
    )
    assert (
        "MissingFieldError" in finding["reason"]
        and "strict_response_validation" in finding["reason"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml", "a.yaml"], "missing.yaml: no such file"),
        (["a.yaml"], "give two documents"),
        (["a.yaml", "broken.yaml"], "broken.yaml"),
        (["a.yaml", "notopenapi.yaml"], "not an OpenAPI document"),
        (["a.yaml", "a.yaml", "--base", "main"], "not both"),
    ],
)
def test_bad_documents_exit_2_with_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    published(tmp_path, "a.yaml")
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.0\npaths: [\n", encoding="utf-8")
    (tmp_path / "notopenapi.yaml").write_text("swagger: '2.0'\n", encoding="utf-8")
    result = run(tmp_path, monkeypatch, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: the base case schemas in api/ and one published document in vendor/."""
    shutil.copytree(BASE, tmp_path / "api")
    published(tmp_path, "vendor/shop.yaml")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "review@example.invalid")
    git(tmp_path, "config", "user.name", "Review Test")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "documents")
    return tmp_path


def test_missing_or_empty_folder_exits_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = run(repo, monkeypatch, "--base", "main", "--schemas", "nowhere")
    assert missing.exit_code == 2
    assert "nowhere" in missing.output and "no such folder" in missing.output
    (repo / "empty").mkdir()
    empty = run(repo, monkeypatch, "--base", "main", "--schemas", "empty")
    assert empty.exit_code == 2 and "empty" in empty.output
    # The folder exists in the work tree but not at the ref: also an error, not an empty API.
    at_ref = run(repo, monkeypatch, "--base", "main", "--schemas", "empty", "--fail-on", "warning")
    assert at_ref.exit_code == 2


def test_findings_name_the_folder_given_with_schemas(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = repo / "api" / "api.yaml"
    api.write_text(
        api.read_text(encoding="utf-8").replace("maxLength: 64", "maxLength: 32"), "utf-8"
    )
    result = run(repo, monkeypatch, "--base", "main", "--schemas", "api", "--format", "json")
    assert result.exit_code == 0, result.output
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert files == {"api/api.yaml"}
    # From a subfolder, --schemas is relative to where the command runs.
    result = run(repo / "api", monkeypatch, "--base", "main", "--schemas", ".", "--format", "json")
    assert {f["file"] for f in json.loads(result.stdout)["findings"]} == {"./api.yaml"}


def test_a_published_document_in_a_folder_at_two_refs(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published(repo, "vendor/shop.yaml", drop_limit)
    git(repo, "commit", "-q", "-am", "drop limit")
    args = ["--base", "HEAD~1", "--head", "HEAD", "--schemas", "vendor", "--format", "json"]
    result = run(repo, monkeypatch, *args)
    assert result.exit_code == 0, result.output
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["file"]) == ("request-parameter-removed", "vendor/shop.yaml")


def test_a_published_document_beside_others_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(repo / "api" / "api.yaml", repo / "vendor" / "api.yaml")
    result = run(repo, monkeypatch, "--base", "main", "--schemas", "vendor")
    assert result.exit_code == 2
    assert "vendor/shop.yaml" in result.output and "on its own" in result.output
