"""Files shipped with the package: templates, static JS/CSS and translations, from a wheel or a checkout.

In a wheel `static/` and `translations/` sit inside the package (see pyproject's package-dir); in a source
checkout they sit at the top of the repository.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.template import Context, Engine

PACKAGE = Path(__file__).resolve().parent


def package_dir(name: str) -> Path:
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


@lru_cache(maxsize=32)
def read_static(relative: str) -> str:
    """Text of a static file (immutable for the life of the process)."""
    return (package_dir("static") / relative).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _engine() -> Engine:
    # A standalone engine: the blocks render the same whether or not the host lists our app's templates.
    return Engine(dirs=[str(PACKAGE / "templates")], autoescape=True, debug=False)


def render_template(name: str, context: dict) -> str:
    return _engine().get_template(name).render(Context(context))
