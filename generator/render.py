"""The one place that owns the Jinja environment.

Templates are trusted and data is not, so escaping is the default rather than
something a template must remember: ``finalize`` runs every ``{{ value }}``
through :func:`~generator.escape.markdown_text` unless the value is
``Markup`` made by the escaping module (front matter, highlighted evidence,
checked URLs, relative links computed from slugs).
"""
from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import os
import sys
from pathlib import Path
from typing import Mapping

import jinja2
import jinja2.bccache
import markupsafe
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
    if type(value) is str and len(value) <= _REMEMBERED:
        return _text(value)
    return markdown_text("" if value is None else value)


# Titles, names, dates and links come back on page after page (a title in the related lists of
# a dozen others, on its day and its topics): each short string is escaped once per process.
_REMEMBERED = 300


@functools.lru_cache(maxsize=1 << 16)
def _text(value: str) -> Markup:
    return markdown_text(value)


@functools.lru_cache(maxsize=1 << 16)
def _attr_text(value: str) -> Markup:
    return html_attr(value)


def _attr(value) -> Markup:
    if isinstance(value, str) and len(value) <= _REMEMBERED:  # html_attr reads a Markup as its str
        return _attr_text(str(value))
    return html_attr(value)


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


def _folder_files(folder: Path) -> list[tuple[str, Path]]:
    """Every file under ``folder`` by its path relative to it, as Jinja's loader would reach it
    (through links to files and folders; a folder reached twice is walked once)."""
    found, seen = [], set()
    for where, dirs, names in os.walk(folder, followlinks=True):
        try:
            st = os.stat(where)
        except OSError:
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # a link back up the tree
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()  # the same folder reached by two links is found under the same one each time
        rel = Path(where).relative_to(folder)
        found.extend(((rel / name).as_posix(), Path(where) / name) for name in names)
    return sorted(found)


class _Compiled(jinja2.BytecodeCache):
    """The templates' compiled code, kept by the build cache (kind ``templates``): compiling the
    page templates was 0.05 s of every build, on the side of the analysis whose end the pages
    wait for; loading the compiled code takes a twentieth of that. Jinja stores with the code a
    checksum of the template's source and its own version, and compiles again when either
    differs; the generator's code keys the whole cache."""

    def __init__(self, known: Mapping[str, bytes]):
        self.known, self.used = known, {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.known.get(bucket.key)
        if type(data) is bytes:
            bucket.bytecode_from_string(data)
            if bucket.code is not None:
                self.used[bucket.key] = data

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.used[bucket.key] = bucket.bytecode_to_string()


class Renderer:
    def __init__(self, templates: Path | None = None, *, compiled: Mapping[str, bytes] | None = None):
        """``compiled``: the templates' code as :meth:`compiled` gave it to an earlier build."""
        self.folder = Path(templates or default_templates())
        self._compiled = None if compiled is None else _Compiled(compiled)
        self.env = _Environment(
            loader=jinja2.FileSystemLoader(str(self.folder)),
            autoescape=False,
            finalize=_finalize,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates do not change during a build: no stat of the file per page
            bytecode_cache=self._compiled,
        )
        self.env.filters["frontmatter"] = yaml_front_matter
        self.env.filters["attr"] = _attr
        self.env.filters["md"] = markdown_text

    def preload(self) -> None:
        """Compiles the folder's page templates (``*.md.j2`` at its top) now, rather than at each
        one's first page in every process that renders: a build compiles them once, before it
        forks the helper that renders beside it. A template that does not load is left for its
        first page to report, as without this."""
        for name in self.env.list_templates(filter_func=lambda name: name.endswith(".md.j2") and "/" not in name):
            try:
                self.env.get_template(name)
            except (jinja2.TemplateError, OSError, UnicodeDecodeError):
                pass

    def compiled(self) -> dict[str, bytes] | None:
        """The code of the templates compiled or loaded so far, for the next build's ``compiled``
        (None without it)."""
        return None if self._compiled is None else dict(sorted(self._compiled.used.items()))

    def render(self, name: str, **context) -> str:
        return self.env.get_template(name).render(**context)

    def sources_key(self) -> bytes:
        """A hash of everything a page's text depends on beside its template's name and context:
        every file of the template folder (a template may include, import or extend any other, and
        the folder may be the author's own), and the Python, Jinja and MarkupSafe that turn them
        into text (their code itself: a version number need not change with it). The generator's
        own code (the escaping, the filters above) keys the whole build cache already
        (:func:`generator.cache.code_version`)."""
        code = tuple(importlib.machinery.SOURCE_SUFFIXES + importlib.machinery.EXTENSION_SUFFIXES)
        sources = [(Path(jinja2.__file__).parent, code), (Path(markupsafe.__file__).parent, code),
                   (self.folder, ())]  # all of its files
        digest = hashlib.blake2b(sys.version.encode(), digest_size=32)
        for folder, suffixes in sources:
            digest.update(b"\0next folder\0")  # where it is does not matter: what it holds does
            for rel, path in _folder_files(folder):
                if suffixes and not rel.endswith(suffixes):
                    continue
                try:
                    data = path.read_bytes()
                except OSError as exc:  # unreadable: Jinja fails on it too, if it is used at all
                    data = f"unreadable: {type(exc).__name__}".encode()
                name = os.fsencode(rel)
                digest.update(len(name).to_bytes(8, "little") + name + len(data).to_bytes(8, "little") + data)
        return digest.digest()
