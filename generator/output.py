"""The only module that writes files.

Promises to the author: a file the generator did not create is never
overwritten or deleted (the manifest of the previous build says what it
created); every file is written to a temporary name and renamed into place, so
a build killed halfway leaves each file either old or new, never torn; and an
unchanged file is not rewritten, so its timestamp stays put.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .errors import GeneratorError

__all__ = ["write_tree", "WriteReport", "MANIFEST"]

MANIFEST = ".papersite-manifest.json"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_manifest(out: Path) -> set[str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return {p for p in data.get("files", []) if isinstance(p, str)}
    except (OSError, ValueError, AttributeError):
        return set()


def write_tree(out: Path, files: Mapping[str, str]) -> WriteReport:
    """Write ``files`` (relative path -> text) under ``out``; remove only what we made before."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out)
    root = out.resolve()
    for rel in files:
        target = (out / rel).resolve()
        if root not in target.parents:
            raise GeneratorError(f"refusing to write outside {out}: {rel}")
    foreign = sorted(rel for rel in files if rel not in previous and (out / rel).exists()
                     and (out / rel).read_bytes() != files[rel].encode("utf-8"))
    if foreign:
        raise GeneratorError(f"{out} holds files that papersite did not create: "
                             f"{', '.join(foreign[:5])}{' …' if len(foreign) > 5 else ''}; "
                             "choose an empty --out folder")
    written, unchanged = [], []
    for rel, text in files.items():
        path = out / rel
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            unchanged.append(rel)
            continue
        _atomic_write(path, data)
        written.append(rel)
    removed = []
    for rel in sorted(previous - set(files)):
        path = out / rel
        if path.is_file() and root in path.resolve().parents:
            path.unlink()
            removed.append(rel)
            parent = path.parent
            while parent != out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    manifest = json.dumps({"generator": "papersite", "files": sorted(files)}, indent=1) + "\n"
    _atomic_write(out / MANIFEST, manifest.encode("utf-8"))
    return WriteReport(tuple(written), tuple(unchanged), tuple(removed))
