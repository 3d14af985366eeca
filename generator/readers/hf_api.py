"""Reader for the Hugging Face daily-papers API response saved to a file (``YYYY-MM-DD.json``).

The response of ``https://huggingface.co/api/daily_papers`` is a JSON list of entries, each
with a ``paper`` object (``id``, ``title``, ``summary``, ``authors``, ``publishedAt``,
``upvotes`` and, where present, ``githubRepo``, ``projectPage``, ``ai_keywords``). It is the
same listing as the page copy, but structured, so ids, votes, keywords and code links come
for free. Saved responses are often hand-trimmed or wrapped (``{"papers": [...]}``), so the
reader is lenient about the wrapper and about which level carries the title and abstract.

The listing day comes from the file name; a file named without a date falls back to the
newest ``publishedAt`` it contains, with a warning. Every entry is reported at the line
where its object opens, so a pretty-printed file gives ``file:line`` an author can fix.
"""
from __future__ import annotations

import datetime as dt
import json
import re

from ..errors import Diagnostic
from ..model import PaperRecord
from ..text import clean_text, find_urls

__all__ = ["read", "looks_like"]

_FILE_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_HTTP_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
# Keys under which a wrapped response keeps its list, most likely first.
_LIST_KEYS = ("papers", "daily_papers", "dailyPapers", "data", "results", "items")
_SPACE = " \t\n\r"


def looks_like(text: str) -> bool:
    """Whether ``text`` is plausibly a saved daily-papers API response (for choosing a reader)."""
    head = text.lstrip("\ufeff" + _SPACE)
    if head.startswith("["):
        return True
    return head.startswith("{") and ('"paper"' in head[:4000] or '"papers"' in head[:4000])


def _file_date(path: str) -> tuple[dt.date | None, list[Diagnostic]]:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    m = _FILE_DATE_RE.search(name)
    if not m:
        return None, []
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), []
    except ValueError:
        return None, [Diagnostic(path, 1, f"file name date {m.group(0)} is not a real date")]


def _iso_date(value) -> dt.date | None:
    if not isinstance(value, str) or not (m := _ISO_DATE_RE.match(value)):
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _pick_list(data) -> tuple[list | None, str | None]:
    """The list of entries and, for a wrapped response, the key it sits under."""
    if isinstance(data, list):
        return data, None
    if not isinstance(data, dict):
        return None, None
    for key in _LIST_KEYS:
        if isinstance(data.get(key), list):
            return data[key], key
    for key, value in data.items():
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            return value, key
    return None, None


def _expect(text: str, i: int, char: str) -> None:
    if text[i] != char:
        raise ValueError(f"expected {char!r} at offset {i}")


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


def _entry_offsets(text: str, key: str | None) -> list[int]:
    """Where each entry of the chosen list opens, walking the already-validated JSON text."""
    decoder = json.JSONDecoder()
    i = _skip_space(text, 0)
    if key is not None:  # find the (last, as json.loads keeps it) value of ``key`` in the object
        _expect(text, i, "{")
        i, start = _skip_space(text, i + 1), None
        while text[i] != "}":
            name, i = decoder.raw_decode(text, i)
            i = _skip_space(text, i)
            _expect(text, i, ":")
            i = _skip_space(text, i + 1)
            if name == key:
                start = i
            _, i = decoder.raw_decode(text, i)
            i = _skip_space(text, i)
            if text[i] == ",":
                i = _skip_space(text, i + 1)
        if start is None:
            raise ValueError(f"no {key!r} in the object")
        i = start
    _expect(text, i, "[")
    offsets = []
    i = _skip_space(text, i + 1)
    while text[i] != "]":
        offsets.append(i)
        _, i = decoder.raw_decode(text, i)
        i = _skip_space(text, i)
        if text[i] == ",":
            i = _skip_space(text, i + 1)
    return offsets


def _entry_lines(text: str, key: str | None, count: int) -> list[int]:
    try:
        offsets = _entry_offsets(text, key)
    except (ValueError, IndexError, RecursionError):
        offsets = []
    if len(offsets) != count:  # cannot happen for text json.loads accepted; stay safe anyway
        return [1] * count
    return [text.count("\n", 0, offset) + 1 for offset in offsets]


def _text(paper: dict, entry: dict, key: str) -> str:
    """A cleaned text field of the paper, falling back to the entry's own field."""
    for source in (paper, entry):
        value = source.get(key)
        if isinstance(value, str) and clean_text(value):
            return clean_text(value)
    return ""


def _field(paper: dict, entry: dict, key: str):
    return paper[key] if key in paper else entry.get(key)


def _authors(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = []
    for author in value:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and clean_text(name):
            names.append(clean_text(name))
    return tuple(names)


def _keywords(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(clean_text(v) for v in value if isinstance(v, str) and clean_text(v))


def read(text: str, *, path: str, year: int | None = None) -> tuple[list[PaperRecord], list[Diagnostic]]:
    """Read one saved API response into records; problems come back as diagnostics, never exceptions.

    ``year`` is accepted for the common reader signature and not needed: the response
    carries full dates.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        return [], [Diagnostic(path, 1, "empty file: no papers found", "unusable")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Diagnostic(path, exc.lineno, f"not valid JSON: {exc.msg} "
                               f"(line {exc.lineno}, column {exc.colno})", "unusable")]
    except RecursionError:
        return [], [Diagnostic(path, 1, "JSON nested too deeply to read", "unusable")]
    except ValueError as exc:  # e.g. an integer too long to convert
        return [], [Diagnostic(path, 1, f"not usable JSON: {exc}", "unusable")]

    entries, key = _pick_list(data)
    if not entries:
        return [], [Diagnostic(path, 1, "no papers found: expected a list of daily-papers entries "
                               "(or an object with one under \"papers\")", "unusable")]
    lines = _entry_lines(text, key, len(entries))

    date, diags = _file_date(path)
    if date is None:
        published = [d for e in entries if isinstance(e, dict)
                     for d in (_iso_date(e.get("publishedAt")),
                               _iso_date(e["paper"].get("publishedAt")) if isinstance(e.get("paper"), dict) else None)
                     if d is not None]
        if not published:
            diags.append(Diagnostic(path, 1, "no YYYY-MM-DD in the file name and no publishedAt date "
                                    "in any entry: name the file after its day", "unusable"))
            return [], diags
        date = max(published)
        diags.append(Diagnostic(path, 1, f"no YYYY-MM-DD in the file name; using the newest publishedAt "
                                f"date, {date.isoformat()}"))

    records: list[PaperRecord] = []
    for entry, number in zip(entries, lines):
        if not isinstance(entry, dict):
            diags.append(Diagnostic(path, number, "entry is not a JSON object; skipped", "skipped"))
            continue
        paper = entry["paper"] if isinstance(entry.get("paper"), dict) else entry
        raw_id = _field(paper, entry, "id")
        shown_id = f" {str(raw_id)[:40]!r}" if isinstance(raw_id, (str, int, float)) and str(raw_id).strip() else ""
        title, abstract = _text(paper, entry, "title"), _text(paper, entry, "summary")
        if not title or not abstract:
            diags.append(Diagnostic(path, number, f"paper{shown_id} has no "
                                    f"{'title' if not title else 'abstract'}; skipped", "skipped"))
            continue

        arxiv_id = raw_id.strip() if isinstance(raw_id, str) and _ARXIV_ID.match(raw_id.strip()) else None
        if arxiv_id is None:
            diags.append(Diagnostic(path, number, f"id{shown_id} is not an arXiv id; kept without it" if shown_id
                                    else "paper has no id; kept without an arXiv id"))

        links: list[str] = []
        for link_key in ("githubRepo", "projectPage"):
            value = _field(paper, entry, link_key)
            if isinstance(value, str) and value.strip():
                if _HTTP_URL.match(value.strip()):
                    links.append(value.strip())
                else:
                    diags.append(Diagnostic(path, number, f"{link_key} {value.strip()[:60]!r} is not an "
                                            "http(s) URL; left out"))
        for url in find_urls(abstract):
            if url not in links:
                links.append(url)
        links = list(dict.fromkeys(links))

        upvotes = _field(paper, entry, "upvotes")
        records.append(PaperRecord(
            title=title, abstract=abstract, date=date, path=path, line=number,
            arxiv_id=arxiv_id,
            authors=_authors(_field(paper, entry, "authors")),
            links=tuple(links),
            upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
            keywords=_keywords(_field(paper, entry, "ai_keywords")),
        ))
    if not records:
        diags.append(Diagnostic(path, 1, "no readable papers in this response", "unusable"))
    return records, diags
