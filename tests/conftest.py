"""Shared helpers: small inline digests written to a temporary content folder, and real MkDocs builds."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the benchmarks (bench/) are not part of the installed package
CHROME = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\nbyAK and the research community\n\n"


def digest(date_line: str, *papers: tuple[str, str]) -> str:
    """A Daily Papers page copy with the usual chrome, a date line and title/abstract pairs."""
    body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in papers)
    return CHROME + f"{date_line}\n\n" + body


@pytest.fixture
def content(tmp_path: Path):
    """A function that writes digests into a fresh content folder and returns the folder."""
    folder = tmp_path / "content"
    (folder / "digests").mkdir(parents=True)

    def write(name: str, text: str) -> Path:
        (folder / "digests" / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    write.folder = folder
    return write


def mkdocs_build(content: Path, site: Path, *, strict: bool = True) -> subprocess.CompletedProcess:
    """Build a real site with the project's own mkdocs.yml, pointed at ``content``."""
    config = content.parent / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("docs_dir: content", f"docs_dir: {content.name}")
    text = text.replace("      content: content", f"      content: {content.name}")
    config.write_text(text, encoding="utf-8")
    args = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site)]
    if strict:
        args.append("--strict")
    return subprocess.run(args, capture_output=True, text=True, cwd=content.parent)


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the project's bundled content folder."""
    dest = tmp_path / "content"
    shutil.copytree(ROOT / "content", dest)
    return dest
