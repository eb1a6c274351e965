"""The ``sdkforge`` command line: generate (or check), dump the IR."""

from __future__ import annotations

import dataclasses
import json
import keyword
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import __version__
from generator.core.errors import SchemaErrors

if TYPE_CHECKING:
    from generator.review import FrontEnd

EXIT_DRIFT = 1
EXIT_SCHEMA = 2


def _report(exc: SchemaErrors, *, writes: bool = True) -> None:
    for error in exc.errors:
        click.echo(f"error: {error}", err=True)
    count = len(exc.errors)
    tail = "; nothing was written." if writes else "."
    click.echo(f"{count} error{'s' if count != 1 else ''}{tail}", err=True)


# The schemas folder of generate, dump-ir and lint (serve and review word theirs differently).
SCHEMAS_OPTION = click.option(
    "--schemas",
    "schemas_dir",
    type=click.Path(path_type=Path),
    default=Path("schemas"),
    show_default=True,
)


@click.group()
@click.version_option(__version__, prog_name="sdkforge")
def main() -> None:
    """Generate the chatsdk Python SDK from JSON Schema / OpenAPI 3.1 schemas."""


@main.command()
@SCHEMAS_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder.  [default: generated; required with --spec]",
)
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Generate from this vendor OpenAPI document instead (docs/vendor-specs.md).",
)
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    metavar="OVERLAY",
    help="With --spec: apply this OpenAPI Overlay (a file, or the name of a shipped one: "
    "openai-responses, openai-chat-completions, anthropic-messages) to the document first; "
    "repeatable, applied in order.",
)
@click.option("--package", "package_name", default=None, help="Package name for --spec.")
@click.option(
    "--env-prefix",
    default=None,
    help="With --spec: the package reads PREFIX_API_KEY and PREFIX_BASE_URL.  "
    "[default: the package name upper-cased]",
)
@click.option("--check", is_flag=True, help="Render in memory; exit 1 with a diff if OUT differs.")
@click.option(
    "--force", is_flag=True, help="Render and write even when OUT's stamp says it is up to date."
)
def generate(
    schemas_dir: Path,
    out: Path | None,
    spec_file: Path | None,
    overlays: tuple[str, ...],
    package_name: str | None,
    env_prefix: str | None,
    check: bool,
    force: bool,
) -> None:
    """Regenerate OUT from SCHEMAS (or, with --check, verify it is up to date).

    With --spec FILE --out DIR --package NAME: generate the installable package NAME in DIR
    from a vendor's OpenAPI document (OpenAI, Anthropic, Cohere, Azure OpenAI), with each
    --overlay applied to it first.
    """
    from generator.core import emit

    if spec_file is not None:
        if out is None or package_name is None:
            raise click.UsageError("--spec needs --out and --package")
        if not package_name.isidentifier() or keyword.iskeyword(package_name):
            raise click.BadParameter(
                f"{package_name!r} is not a Python package name", param_hint="--package"
            )
        if env_prefix is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", env_prefix):
            raise click.BadParameter(
                f"{env_prefix!r} is not the start of an environment variable name",
                param_hint="--env-prefix",
            )
        if env_prefix is not None and env_prefix.endswith("_"):
            raise click.BadParameter(
                f"{env_prefix!r}: give the prefix without its trailing '_'",
                param_hint="--env-prefix",
            )
    elif package_name is not None or env_prefix is not None or overlays:
        raise click.UsageError("--package, --env-prefix and --overlay go with --spec")
    out = Path("generated") if out is None else out
    if spec_file is None and not check and not force:
        from generator.core.stamp import is_fresh

        # Nothing changed since OUT was generated (generator/core/stamp.py): rendering again would
        # write the same bytes. --check never comes here; it always renders in full.
        if is_fresh(schemas_dir, out):
            click.echo(f"{out}/ is up to date with {schemas_dir}/ (stamp); --force renders anyway.")
            return
    try:
        if spec_file is not None and package_name is not None:
            from generator.vendor.build import render_vendor_tree
            from generator.vendor.overlay import resolve_overlay

            files = render_vendor_tree(
                spec_file, package_name, env_prefix, [resolve_overlay(o) for o in overlays]
            )
        else:
            from generator.pipeline import render_tree  # a third of a second

            files = render_tree(schemas_dir)
    except SchemaErrors as exc:
        _report(exc)
        sys.exit(EXIT_SCHEMA)
    if check:
        patch = emit.diff(files, out)
        if patch:
            click.echo(patch, nl=False)
            if spec_file is not None:
                click.echo(f"{out}/ is out of date with {spec_file}.", err=True)
            else:
                click.echo(
                    f"{out}/ is out of date with {schemas_dir}/: run `make generate`.", err=True
                )
            sys.exit(EXIT_DRIFT)
        click.echo(f"{out}/ is up to date ({len(files)} files).")
        return
    emit.emit(files, out)
    click.echo(f"wrote {len(files)} files to {out}/")


@main.command("dump-ir")
@SCHEMAS_OPTION
def dump_ir(schemas_dir: Path) -> None:
    """Print the intermediate representation the templates receive, as JSON."""
    from generator.pipeline import build_package

    try:
        package = build_package(schemas_dir)
    except SchemaErrors as exc:
        _report(exc)
        sys.exit(EXIT_SCHEMA)
    click.echo(json.dumps(dataclasses.asdict(package), indent=2))


SERVE_EXTRA_HINT = "pip install 'sdkforge[serve]'"


@main.command()
@click.option(
    "--schemas",
    "schemas_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Schemas folder [default: schemas/ here, else in the sdkforge checkout].",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8080, show_default=True, help="0 picks a free port.")
@click.option(
    "--fixtures",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of recorded bodies for x-sdkforge-replay"
    " [default: tests/fixtures/real here, else in the sdkforge checkout, if present].",
)
@click.option("--api-key", default=None, help="Accept only this key (default: any non-empty key).")
@click.option(
    "--event-delay-ms", type=float, default=0.0, show_default=True, help="Pause between events."
)
@click.option("--log-level", default="warning", show_default=True)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def serve(
    schemas_dir: Path | None,
    host: str,
    port: int,
    fixtures: Path | None,
    api_key: str | None,
    event_delay_ms: float,
    log_level: str,
    command: tuple[str, ...],
) -> None:
    """Run the reference server built from SCHEMAS until interrupted.

    Lists its routes on stderr, then prints `sdkforge serve: listening on URL` on stdout once
    it accepts connections; `GET /` lists the routes as JSON. Requests are validated against
    the request schemas and answered from the response schemas' examples; request headers
    choose faults for tests (see generator/serve/). Needs the serve extra: pip install 'sdkforge[serve]'.

    With a COMMAND (after `--`), serve only while it runs, with CHATSDK_BASE_URL (and, unless
    set, CHATSDK_API_KEY) in its environment, and exit with its status:
    `sdkforge serve --port 0 -- python examples/demo.py`.
    """
    try:
        from generator.serve import runner
        from generator.serve.app import ReferenceServer
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in ("starlette", "uvicorn"):
            raise
        click.echo(
            f"error: sdkforge serve needs starlette and uvicorn ({exc.name} is not installed):"
            f" {SERVE_EXTRA_HINT}",
            err=True,
        )
        sys.exit(EXIT_SCHEMA)
    from generator.core.load import load
    from generator.serve.locate import NotFoundError, find_fixtures, find_schemas

    try:
        schemas_dir = find_schemas(schemas_dir)
        fixtures = find_fixtures(fixtures)
    except NotFoundError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SCHEMA)
    try:
        spec = load(schemas_dir)
    except SchemaErrors as exc:
        _report(exc)
        sys.exit(EXIT_SCHEMA)
    server = ReferenceServer(
        spec, fixtures=fixtures, api_key=api_key, event_delay_ms=event_delay_ms
    )
    try:
        sock = runner.bind(host, port)
    except runner.ListenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SCHEMA)
    runner.announce(sock, server)
    if command:
        status = runner.run_command(server, sock, command, api_key=api_key, log_level=log_level)
        sys.exit(status)
    runner.run(server, sock, log_level=log_level)


@main.command("lint")
@SCHEMAS_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def lint_command(schemas_dir: Path, fmt: str) -> None:
    """Check the schema conventions that keep reviews readable (exit 1 on findings)."""
    from generator.core.load import load
    from generator.lint.linter import lint_and_build, to_json

    try:
        findings, build_errors = lint_and_build(load(schemas_dir))
    except SchemaErrors as exc:
        _report(exc, writes=False)
        sys.exit(EXIT_SCHEMA)
    if fmt == "json":
        click.echo(to_json(findings), nl=False)
    else:
        for finding in findings:
            click.echo(str(finding))
        count = len(findings)
        click.echo(f"{count} finding{'s' if count != 1 else ''} in {schemas_dir}/.", err=True)
    if build_errors:  # the findings stand, but these schemas do not generate: the errors why
        _report(SchemaErrors(build_errors), writes=False)
        sys.exit(EXIT_SCHEMA)
    sys.exit(1 if findings else 0)


def vendor_front_end() -> FrontEnd:
    """The front end of ``generate --spec``, for ``review`` to read published documents with.

    The review wing depends on the core only; this is where the vendor wing is handed to it.
    """
    import copy

    from generator.core.load import Spec
    from generator.review import FrontEnd
    from generator.vendor.normalise import Normaliser
    from generator.vendor.operations import vendor_operations
    from generator.vendor.read import MODULE, VendorDocument, read

    def load(path: Path, shown: str) -> tuple[Spec, dict[str, Any]]:
        data, text = read(path)
        raw = copy.deepcopy(data)
        doc = VendorDocument(
            path=f"{MODULE}.yaml",
            data=Normaliser(data).run(),
            lines={"": 1},
            text=text,
            source_file=shown,
        )
        return Spec(root=path.parent, documents={doc.path: doc}), raw

    return FrontEnd(load=load, operations=vendor_operations)


@main.command("review")
@click.argument("documents", nargs=-1, type=click.Path(path_type=Path))
@click.option("--base", help="Git ref to compare against (e.g. the merge base with main).")
@click.option("--head", default=None, help="Git ref to review [default: the working tree].")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "github", "json"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["none", "warning", "breaking"]),
    default="none",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option("--output", type=click.Path(path_type=Path), help="Also write the report here.")
@click.option(
    "--schemas",
    "schemas_dir",
    default="schemas",
    show_default=True,
    help="The folder to review, relative to the current directory.",
)
@click.option(
    "--package",
    "package_name",
    default=None,
    help="For a published document: the package name `generate --spec` would be given "
    "[default: from the document's title].",
)
@click.option("--rules", "show_rules", is_flag=True, help="Print the rule table and exit.")
def review_command(
    documents: tuple[Path, ...],
    base: str | None,
    head: str | None,
    fmt: str,
    fail_on: str,
    output: Path | None,
    schemas_dir: str,
    package_name: str | None,
    show_rules: bool,
) -> None:
    """Report what a schema change does to the wire and to the Python SDK.

    Either the schemas at --base against the working tree (or --head), or two documents
    directly: `sdkforge review OLD.yaml NEW.yaml` (two versions of a vendor's published
    document, OpenAPI 3.0 or 3.1, read as `generate --spec` reads them). Exit 0; 1 only
    with findings at or above --fail-on; 2 when a ref, folder or document cannot be read.
    """
    from generator.review import ReviewError, review, review_files, rules_table

    if show_rules:
        click.echo(rules_table(), nl=False)
        return
    if documents and (base is not None or head is not None):
        raise click.UsageError("give either two documents or --base/--head, not both")
    if documents and len(documents) != 2:
        raise click.UsageError("give two documents: OLD NEW")
    if not documents and base is None:
        raise click.UsageError("--base is required (or give two documents: OLD NEW)")
    front = vendor_front_end()
    try:
        if documents:
            report = review_files(documents[0], documents[1], package_name, front)
        else:
            assert base is not None
            report = review(Path.cwd(), base, head, schemas_dir, package_name, front)
    except ReviewError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SCHEMA)
    except Exception as exc:  # a crash is not a finding: never exit 1 for it
        where = " ".join(str(d) for d in documents) or f"{schemas_dir} at {base}"
        click.echo(
            f"error: sdkforge review could not compare {where}: {type(exc).__name__}: {exc}",
            err=True,
        )
        sys.exit(EXIT_SCHEMA)
    text = report.render(fmt)
    click.echo(text, nl=False)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            click.echo(f"error: cannot write {output}: {exc}", err=True)
            sys.exit(EXIT_SCHEMA)
    if report.fails(fail_on):
        sys.exit(1)
