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


def mkdocs_build(content: Path, site: Path, *, strict: bool = True, site_url: str = "") -> subprocess.CompletedProcess:
    """Build a real site with the project's own mkdocs.yml, pointed at ``content``. Material's
    instant navigation needs the address the site is served at in ``site_url``."""
    config = content.parent / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if site_url:
        text = f"site_url: {site_url}\n" + text
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


CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright's own download cannot work here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module (the modules skip themselves without it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser page that fails the test if it reaches outside localhost or any script
    throws, Material's own included (it threw on local graphs whose links were written with href)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    outside, errors = [], []
    pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not outside, f"the page reached outside the site: {outside[:5]}"
    assert not errors, f"script errors: {errors[:5]}"
