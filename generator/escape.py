"""Escaping of untrusted digest text for each place it lands.

Digest text is data, never markup: every character that Markdown, HTML or
MkDocs extensions would act on becomes a numeric character reference, which
Python-Markdown passes through as a literal character in paragraphs,
headings, tables and link text. Templates are trusted; the renderer applies
:func:`markdown_text` to every ``{{ value }}`` unless the value is already
:class:`~markupsafe.Markup` built by one of these functions.
"""
from __future__ import annotations

import html
import json
import re
from urllib.parse import quote, urlsplit

from markupsafe import Markup

__all__ = ["markdown_text", "markdown_str", "yaml_front_matter", "safe_url", "html_attr", "highlight"]

_INLINE = set("\\`*_{}[]<>&|~$^=!#")
# Block syntax that acts only at the start of a line: "- x", "+ x", "1. x", "> x", "---".
_LINE_START = re.compile(r"^(\s*)(?:[-+](?=\s|$)|\d+(?=[.)](?:\s|$))|>|-(?=-))")


_TABLE = {c: f"&#{ord(c)};" for c in _INLINE} | {"\r": " ", "\n": " "}
# A search for the few characters to replace, not str.translate: translate looks every
# character up in a dict, and most text (97 % of arXiv titles, names, abstracts) has none.
_SPECIAL = re.compile("[" + re.escape("".join(sorted(_TABLE))) + "]")


def _replace(match: re.Match) -> str:
    return _TABLE[match.group()]


def markdown_text(value: object) -> Markup:
    """Untrusted text as one line of literal Markdown."""
    return Markup(markdown_str(value))


def markdown_str(value: object) -> str:
    """:func:`markdown_text` as a plain string, for text joined into a larger :class:`Markup`
    (a ``Markup`` is made in Python code, and formatting one into a string is slower still)."""
    out = str(value)
    if _SPECIAL.search(out):
        out = _SPECIAL.sub(_replace, out)
    # Block syntax only acts at the start of a line: "- x", "1. x", "> x".
    m = _LINE_START.match(out)
    if m:
        at = m.end() if out[m.end() - 1].isdigit() else m.end() - 1  # "1." -> escape the dot
        out = out[:at] + f"&#{ord(out[at])};" + out[at + 1:]
    return out


def highlight(text: str, start: int, end: int) -> Markup:
    """An evidence sentence with the matched name marked."""
    return Markup(f"{markdown_text(text[:start])}<mark>{markdown_text(text[start:end])}</mark>"
                  f"{markdown_text(text[end:])}")


def html_attr(value: object) -> Markup:
    return Markup(html.escape(str(value), quote=True))


def yaml_front_matter(data: dict) -> Markup:
    """A front-matter block; string values are HTML-escaped because the theme prints them raw,
    in ``<title>`` and in attributes such as ``<meta content="...">``."""

    def clean(v):
        if isinstance(v, str):
            return html.escape(v, quote=True)
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return v

    return Markup("---\n" + "".join(_yaml_entry(k, clean(v)) for k, v in data.items()) + "---\n")


# JSON strings are YAML double-quoted scalars; YAML also breaks lines at these three.
_YAML_BREAKS = {0x85: "\\N", 0x2028: "\\L", 0x2029: "\\P"}


_YAML_UNPRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


# json.dumps(value, ensure_ascii=False) of a string, without making an encoder for each call.
_JSON_STRING = json.encoder.encode_basestring
# The characters that _yaml_scalar changes after JSON's escapes: most strings have none.
_YAML_ODD = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _yaml_scalar(value) -> str:
    if isinstance(value, str):
        text = _JSON_STRING(value)
        if _YAML_ODD.search(text) is None:
            return text
        return _YAML_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text.translate(_YAML_BREAKS))
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise TypeError(f"cannot write {type(value).__name__} into front matter")


_YAML_KEY = re.compile(r"[A-Za-z_][\w-]*")


def _yaml_entry(key: str, value) -> str:
    """One top-level key, written directly: yaml.safe_dump was most of the rendering time."""
    if not _YAML_KEY.fullmatch(key):
        raise ValueError(f"front matter key {key!r}")
    if isinstance(value, list):
        return f"{key}:\n" + "".join(f"- {_yaml_scalar(v)}\n" for v in value) if value else f"{key}: []\n"
    if isinstance(value, dict):
        return f"{key}:\n" + "".join(f"  {_yaml_entry(k, v)}" for k, v in value.items())
    return f"{key}: {_yaml_scalar(value)}\n"


_URL_SAFE = ":/?#@!$&'*+,;=%-._~"
# An http(s) URL with a host, in characters that quote() leaves as they are: most URLs (every
# arXiv link) are such, and are given back as they are without parsing (a sixth of planning a
# paper page).
_PLAIN_URL = re.compile(r"(?i:https?)://[A-Za-z0-9_.\-~:@!$&'*+,;=%]+(?:[/?#][A-Za-z0-9_.\-~:/?#@!$&'*+,;=%]*)?")


def safe_url(url: str) -> Markup | None:
    """The URL if it is http(s), percent-encoded so it cannot break out of a Markdown link."""
    url = url.strip()
    if _PLAIN_URL.fullmatch(url):
        return Markup(url)
    return _checked_url(url)


def _checked_url(url: str) -> Markup | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return Markup(quote(url, safe=_URL_SAFE))
