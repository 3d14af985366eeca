"""Digest readers, one module per input format, chosen by file name and content.

Each reader takes text and returns records plus diagnostics; reading files and
decoding bytes happens here, once, so that every format gets the same
encoding handling and the same ``file:line`` reporting.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Diagnostic
from ..model import PaperRecord
from . import daily_papers

__all__ = ["read_digest", "digest_files", "decode"]

# suffix -> reader; ``read(text, *, path, year)``
READERS = {".txt": daily_papers}


def digest_files(folder: Path) -> list[Path]:
    """The digest files in ``folder``, in a fixed order (sorted by name)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def decode(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """UTF-8 (with or without BOM); cp1252 as a fallback, with a warning."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        return text, [Diagnostic(path, line, "not valid UTF-8; read as Windows-1252")]


def read_digest(path: Path, *, display: str | None = None, year: int | None = None
                ) -> tuple[list[PaperRecord], list[Diagnostic]]:
    """Read one digest file with the reader its suffix names."""
    shown = display or str(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return [], [Diagnostic(shown, 1, f"unsupported digest format {path.suffix or '(no suffix)'!r}; "
                               f"expected one of {', '.join(sorted(READERS))}", "unusable")]
    text, diags = decode(path.read_bytes(), shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    records, more = reader.read(text, path=shown, year=year)
    return records, diags + more
