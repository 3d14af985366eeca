"""The shared arXiv corpus as benchmark input: the first N days, linked into a content folder."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-daily"


def days(n: int | None = None) -> list[Path]:
    files = sorted(CORPUS.glob("*.jsonl.xz"))
    if not files:
        raise SystemExit(f"no arXiv listings in {CORPUS}: the benchmarks read ../shared/data/arxiv-daily")
    return files if n is None else files[:n]


def content_folder(files: list[Path], base: Path | None = None) -> Path:
    """A content folder whose digests are links to ``files`` (nothing is copied)."""
    base = Path(base or tempfile.mkdtemp(prefix="papersite-bench-"))
    digests = base / "content" / "digests"
    digests.mkdir(parents=True, exist_ok=True)
    for f in files:
        link = digests / f.name
        if not link.exists():
            os.symlink(f, link)
    return base / "content"
