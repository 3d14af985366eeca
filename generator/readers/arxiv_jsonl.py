"""Reader for daily arXiv listings in JSON lines (the format of the daily-arXiv page generators).

One JSON object a line: ``id``, ``title``, ``summary`` (hard-wrapped), ``authors``,
``categories``, ``comment`` (often with a code URL), ``abs``, ``pdf``. The listing day comes
from the file name (``YYYY-MM-DD.jsonl``); a line that is not a usable record is reported at
its line and skipped.
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
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")


def looks_like(text: str) -> bool:
    return text.lstrip().startswith("{")


def _strings(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(filter(None, (clean_text(v) for v in value if isinstance(v, str))))


def read(text: str, *, path: str, year: int | None = None) -> tuple[list[PaperRecord], list[Diagnostic]]:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    m = _FILE_DATE_RE.search(name)
    try:
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        date = None
    if date is None:
        return [], [Diagnostic(path, 1, "an arXiv listing needs its day in the file name (YYYY-MM-DD.jsonl)", "unusable")]
    records, diags = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            diags.append(Diagnostic(path, number, f"not a JSON object ({exc.msg}); skipped", "skipped"))
            continue
        if not isinstance(obj, dict):
            diags.append(Diagnostic(path, number, "not a JSON object; skipped", "skipped"))
            continue
        title = clean_text(obj.get("title") or "") if isinstance(obj.get("title"), str) else ""
        abstract = clean_text(obj.get("summary") or "") if isinstance(obj.get("summary"), str) else ""
        if not title or not abstract:
            diags.append(Diagnostic(path, number, f"record without {'a title' if not title else 'an abstract'}; skipped",
                                    "skipped"))
            continue
        arxiv_id = obj.get("id") if isinstance(obj.get("id"), str) and _ARXIV_ID.match(obj["id"].strip()) else None
        if obj.get("id") and not arxiv_id:
            diags.append(Diagnostic(path, number, f"id {str(obj.get('id'))[:40]!r} is not an arXiv id; kept without it"))
        comment = obj.get("comment") if isinstance(obj.get("comment"), str) else ""
        records.append(PaperRecord(
            title=title, abstract=abstract, date=date, path=path, line=number,
            arxiv_id=arxiv_id.strip() if arxiv_id else None,
            authors=_strings(obj.get("authors")),
            categories=_strings(obj.get("categories")),
            links=tuple(find_urls(abstract + " " + clean_text(comment))),
        ))
    if not records and not diags:
        diags.append(Diagnostic(path, 1, "no papers found", "unusable"))
    elif not records:
        diags.append(Diagnostic(path, 1, "no readable records in this listing", "unusable"))
    return records, diags
