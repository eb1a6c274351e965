"""Where ``sdkforge serve`` finds the schemas and the recorded fixtures.

An explicit ``--schemas`` / ``--fixtures`` is used as given. Without one, the working
directory is looked in first (as ``generate`` and ``lint`` do), then the sdkforge checkout this
package was loaded from, so the server starts from any directory of a checkout or outside it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CHECKOUT", "NotFoundError", "find_fixtures", "find_schemas"]

SCHEMAS = Path("schemas")
FIXTURES = Path("tests", "fixtures", "real")


def _checkout() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "generator").is_dir() else None


CHECKOUT = _checkout()


class NotFoundError(Exception):
    """A folder the server needs is in none of the places looked in; the message says which."""


def _candidates(relative: Path, cwd: Path) -> list[Path]:
    places = [cwd / relative]
    if CHECKOUT is not None:
        places.append(CHECKOUT / relative)
    return list(dict.fromkeys(p.resolve() for p in places))


def find_schemas(explicit: Path | None, cwd: Path | None = None) -> Path:
    """The schemas folder: ``explicit``, else ``schemas/`` here or in the checkout."""
    places = (
        [explicit.resolve()] if explicit is not None else _candidates(SCHEMAS, cwd or Path.cwd())
    )
    for place in places:
        if place.is_dir():
            return place
    looked = ", ".join(str(p) for p in places)
    raise NotFoundError(f"no schemas folder: looked in {looked}; pass --schemas DIR")


def find_fixtures(explicit: Path | None, cwd: Path | None = None) -> Path | None:
    """The fixtures folder for ``x-sdkforge-replay``: ``explicit`` (which must exist), else
    ``tests/fixtures/real`` here or in the checkout, else none (replays are then refused)."""
    if explicit is not None:
        if not explicit.is_dir():
            raise NotFoundError(f"no fixtures folder at {explicit.resolve()} (--fixtures)")
        return explicit.resolve()
    return next((p for p in _candidates(FIXTURES, cwd or Path.cwd()) if p.is_dir()), None)
