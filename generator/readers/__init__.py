"""Digest readers, one module per input format, chosen by file name and content.

Each reader takes text and returns records plus diagnostics; reading files and
decoding bytes happens here, once, so that every format gets the same
encoding handling and the same ``file:line`` reporting.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Diagnostic
from ..model import PaperRecord
import gzip
import lzma

from . import arxiv_jsonl, daily_papers, hf_api

__all__ = ["read_digest", "digest_files", "decode", "reader_for"]

# file ending -> reader; each has ``read(text, *, path, year)``. Compressed files are
# read through their compression: "2025-03-18.jsonl.xz" is a ".jsonl" file.
READERS = {".txt": daily_papers, ".jsonl": arxiv_jsonl, ".json": hf_api}
_COMPRESSION = {".xz": lzma.decompress, ".gz": gzip.decompress}


def reader_for(path: Path):
    """The reader and decompressor for a file name, or (None, None)."""
    name = path.name.lower()
    unpack = None
    for ext, fn in _COMPRESSION.items():
        if name.endswith(ext):
            name, unpack = name[: -len(ext)], fn
    for ext, reader in READERS.items():
        if name.endswith(ext):
            return reader, unpack
    return None, None


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
    reader, unpack = reader_for(path)
    if reader is None:
        return [], [Diagnostic(shown, 1, f"unsupported digest format {path.suffix or '(no suffix)'!r}; "
                               f"expected one of {', '.join(sorted(READERS))} (optionally .gz or .xz)", "unusable")]
    data = path.read_bytes()
    if unpack is not None:
        try:
            data = unpack(data)
        except (OSError, lzma.LZMAError, EOFError) as exc:
            return [], [Diagnostic(shown, 1, f"cannot decompress: {exc}", "unusable")]
    text, diags = decode(data, shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    records, more = reader.read(text, path=shown, year=year)
    return records, diags + more
