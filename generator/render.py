"""The one place that owns the Jinja environment.

Templates are trusted and data is not, so escaping is the default rather than
something a template must remember: ``finalize`` runs every ``{{ value }}``
through :func:`~generator.escape.markdown_text` unless the value is
``Markup`` made by the escaping module (front matter, highlighted evidence,
checked URLs, relative links computed from slugs).
"""
from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from .escape import html_attr, markdown_text, yaml_front_matter

__all__ = ["Renderer", "default_templates", "theme_file"]


def default_templates() -> Path:
    """The ``templates/`` folder: beside the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "templates", here / "templates"):
        if (candidate / "paper.md.j2").is_file():
            return candidate
    import importlib.resources

    return Path(str(importlib.resources.files("generator.templates")))


def theme_file(templates: Path | None, name: str) -> Path:
    """A file of the theme folder (``map.js``, ``search.js``): the chosen template folder's, or
    the bundled one when a custom folder does not carry it."""
    own = (templates or default_templates()) / "theme" / name
    return own if own.is_file() else default_templates() / "theme" / name


def _finalize(value):
    if isinstance(value, Markup):
        return value
    return markdown_text("" if value is None else value)


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja looks ``item.url`` up as an attribute first and as a key after the AttributeError;
    page contexts are dicts, and that exception was a sixth of rendering 10,000 paper pages.
    Same result: dict methods are still attributes, and a missing key is still undefined."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class Renderer:
    def __init__(self, templates: Path | None = None):
        self.env = _Environment(
            loader=jinja2.FileSystemLoader(str(templates or default_templates())),
            autoescape=False,
            finalize=_finalize,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["frontmatter"] = yaml_front_matter
        self.env.filters["attr"] = html_attr
        self.env.filters["md"] = markdown_text

    def render(self, name: str, **context) -> str:
        return self.env.get_template(name).render(**context)
