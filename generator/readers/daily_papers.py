"""Reader for a plain-text copy of the Hugging Face "Daily Papers" page.

The page text is a run of paragraphs: a few lines of page chrome, a date line
("Aug 5"), then for each paper a title paragraph and an abstract paragraph.
Titles and abstracts are told apart by shape (a title is one short line; an
abstract is long or made of sentences), so a paper whose abstract is missing
is reported at its own line instead of shifting every later pairing by one.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import Diagnostic
from ..model import PaperRecord
from ..text import clean_text, find_urls

__all__ = ["read", "looks_like"]

_CHROME = {
    "new", "get trending papers in your email inbox!", "subscribe", "daily papers",
    "byak and the research community", "submitted by", "upvote", "previous", "next",
}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE_RE = re.compile(
    r"^(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?$"
)
_FILE_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MAX_TITLE = 600  # titles of 400 characters exist; abstracts are longer and made of sentences


@dataclass(frozen=True)
class _Para:
    line: int
    text: str


def looks_like(text: str) -> bool:
    """Whether ``text`` is plausibly a Daily Papers page copy (for choosing a reader)."""
    head = [ln.strip().lower() for ln in text.splitlines()[:40] if ln.strip()]
    return any(ln in _CHROME or _DATE_RE.match(ln) for ln in head)


def _paragraphs(text: str) -> list[_Para]:
    paras, buf, start = [], [], 0
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.strip():
            if not buf:
                start = number
            buf.append(raw)
        elif buf:
            paras.append(_Para(start, clean_text(" ".join(buf))))
            buf = []
    if buf:
        paras.append(_Para(start, clean_text(" ".join(buf))))
    return [p for p in paras if p.text]


def _is_title(text: str) -> bool:
    """A title is one short line that does not read as running prose."""
    if len(text) > _MAX_TITLE:
        return False
    # Two or more sentence breaks make prose, not a title.
    return len(re.findall(r"[a-z0-9)\]][.!?]\s+[A-Z]", text)) < 2 and not text.endswith(".")


def _parse_date(match: re.Match, year: int) -> dt.date | None:
    try:
        return dt.date(year, _MONTHS[match.group("mon")[:3].lower()], int(match.group("day")))
    except (KeyError, ValueError):
        return None


def read(text: str, *, path: str, year: int | None = None) -> tuple[list[PaperRecord], list[Diagnostic]]:
    """Read one page copy into records; problems come back as diagnostics, never exceptions.

    ``year`` comes from settings and is used only when the file name does not
    carry a ``YYYY-MM-DD`` date.
    """
    diags: list[Diagnostic] = []
    paras = _paragraphs(text)
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    file_date = None
    if m := _FILE_DATE_RE.search(name):
        try:
            file_date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            diags.append(Diagnostic(path, 1, f"file name date {m.group(0)} is not a real date"))

    # Skip the chrome up to the date line.
    date, body_start = None, 0
    for i, para in enumerate(paras):
        low = para.text.lower()
        if low in _CHROME:
            continue
        if dm := _DATE_RE.match(para.text):
            explicit = int(dm.group("year")) if dm.group("year") else None
            use_year = explicit or (file_date.year if file_date else year)
            if use_year is None:
                diags.append(Diagnostic(path, para.line, f"date line {para.text!r} has no year: "
                                        "name the file YYYY-MM-DD.txt or set 'year' in settings", "unusable"))
                return [], diags
            date = _parse_date(dm, use_year)
            if date is None:
                diags.append(Diagnostic(path, para.line, f"date line {para.text!r} is not a real date", "unusable"))
                return [], diags
            if file_date and date != file_date:
                diags.append(Diagnostic(path, para.line, f"date line {para.text!r} says {date.isoformat()} "
                                        f"but the file name says {file_date.isoformat()}; using {date.isoformat()}"))
            body_start = i + 1
        else:
            body_start = i
        break
    if date is None:
        if file_date is None:
            diags.append(Diagnostic(path, 1, "no date line (e.g. 'Aug 5') and no YYYY-MM-DD in the file name", "unusable"))
            return [], diags
        date = file_date
        diags.append(Diagnostic(path, 1, f"no date line; using the file name's date {date.isoformat()}"))

    records: list[PaperRecord] = []
    body = paras[body_start:]
    i = 0
    while i < len(body):
        para = body[i]
        if not _is_title(para.text):
            diags.append(Diagnostic(path, para.line, "abstract with no title before it; skipped", "skipped"))
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else None
        if nxt is None:
            diags.append(Diagnostic(path, para.line, f"title {para.text[:60]!r} has no abstract "
                                    "(truncated at the end of the file?); skipped", "skipped"))
            break
        # A short, title-shaped abstract is still an abstract unless a whole
        # title/abstract pair starts right after this title.
        if _is_title_then_abstract(body, i + 1):
            diags.append(Diagnostic(path, para.line, f"title {para.text[:60]!r} has no abstract; skipped", "skipped"))
            i += 1
            continue
        records.append(PaperRecord(
            title=para.text, abstract=nxt.text, date=date, path=path, line=para.line,
            links=tuple(find_urls(nxt.text)),
        ))
        i += 2
    if not records and not any(d.level == "unusable" for d in diags):
        diags.append(Diagnostic(path, 1, "no papers found: is this a copy of the Daily Papers page?", "unusable"))
    return records, diags


def _is_title_then_abstract(body: list[_Para], j: int) -> bool:
    """Whether ``body[j]`` starts a title/abstract pair (so the paragraph before it lacks one)."""
    return j + 1 < len(body) and _is_title(body[j].text) and not _is_title(body[j + 1].text)
