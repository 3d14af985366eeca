"""The plugin's fast way through MkDocs (generator/rawhtml.py, papersite_memo) must change how long
a build takes, never what it builds."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.mkdocs_plugin import PapersitePlugin
from generator.rawhtml import SEARCHED, UNSEARCHED, MARKDOWN, placeholder, split_page

from conftest import ROOT, mkdocs_build


def test_split_page_keeps_markdown_and_numbers_the_raw_parts():
    page = (f"# Title\n\nText.\n\n{UNSEARCHED}\n<ul><li>a</li></ul>\n{MARKDOWN}\n\n## More\n\n"
            f"{SEARCHED}\n<p>Authors</p>\n{UNSEARCHED}\n<div>rest</div>\n")
    parts = split_page(page)
    assert parts.html == ((False, "<ul><li>a</li></ul>\n"), (True, "<p>Authors</p>\n"), (False, "<div>rest</div>\n"))
    assert parts.markdown == (f"# Title\n\nText.\n\n\n{placeholder(0)}\n\n\n## More\n\n"
                              f"\n{placeholder(1)}\n\n\n{placeholder(2)}\n\n")
    assert split_page("# Plain page\n\nno markers, or one inside a line: x <!-- papersite:searched -->\n") is None


def _article(html: str) -> str:
    """The page's article, without comments and with whitespace collapsed."""
    body = html.split('<article class="md-content__inner md-typeset">', 1)[1].split("</article>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<!--.*?-->", "", body, flags=re.S)).strip()


def _listing(n: int) -> str:
    return "\n".join(json.dumps({
        "id": f"2503.{i:05d}", "title": f"Paper number {i} on graph transformers",
        "summary": f"We study graph transformers, case {i}. Authors <b>bold</b> & [link](javascript:x).",
        "authors": [f"Ada Lovelace{i}", "Alan Turing"], "categories": ["cs.LG"], "comment": "",
    }) for i in range(n))


def test_plugin_builds_the_same_pages_as_mkdocs_without_its_fast_path(bundled, tmp_path):
    """The bundled digest and an arXiv listing (authors, categories), built twice: by the plugin,
    and by plain MkDocs from the files `papersite build --out` writes (every raw part parsed by
    Python-Markdown, nothing kept from search)."""
    (bundled / "digests" / "2025-08-06.jsonl").write_text(_listing(6), encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(bundled, site)
    assert result.returncode == 0, result.stderr

    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(bundled), "--out", str(out)],
                   check=True, capture_output=True)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "templates" / "theme", theme)
    (theme / "main.html").write_text('{% extends "base.html" %}\n', encoding="utf-8")  # no papersite_memo
    config = tmp_path / "plain.yml"
    config.write_text(f"site_name: Daily Papers\ndocs_dir: {out}\ntheme:\n  name: material\n  custom_dir: {theme}\n"
                      "plugins:\n  - search\n  - tags\nmarkdown_extensions:\n  - tables\n  - toc:\n      permalink: true\n"
                      "nav:\n  - Home: index.md\n  - Days: days/index.md\n  - Topics: topics/index.md\n  - Graph: graph.md\n"
                      "validation:\n  nav:\n    omitted_files: ignore\n", encoding="utf-8")
    plain = tmp_path / "plain"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(plain)],
                   check=True, capture_output=True)

    pages = sorted(p.relative_to(site) for p in (site / "papers").glob("*/index.html"))
    pages += sorted(p.relative_to(site) for p in (site / "topics").glob("*/index.html"))
    pages += [Path("days/2025-08-05/index.html")]
    assert len(pages) > 71
    for rel in pages:
        assert _article((site / rel).read_text(encoding="utf-8")) == _article((plain / rel).read_text(encoding="utf-8")), rel

    # Search: what a reader searches (title, abstract, authors, names a paper introduces), not
    # the dates, topics and lists of other papers around it.
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    paper = [d for d in index if d["location"].startswith("papers/2503-00003/")]
    text = " ".join(d["title"] + " " + d["text"] for d in paper)
    assert "Paper number 3 on graph transformers" in text and "Ada Lovelace3" in text and "cs.LG" in text
    assert "Listed" not in text and "Related papers" not in text and "2025-08-06" not in text
    clip = [d for d in index if d["title"].startswith("Also known as")]
    assert clip, "the names papers introduce are searchable"
    assert not [d for d in index if d["location"].startswith(("days/2", "tags/"))
                and "Paper number" in d["text"]], "lists of papers are not searched twice"


@pytest.mark.parametrize("directory_urls", [True, False])
def test_memoised_sidebars_are_what_the_theme_renders_for_each_page(bundled, tmp_path, monkeypatch, directory_urls):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = tmp_path / "mkdocs.yml"
    config.write_text(f"use_directory_urls: {str(directory_urls).lower()}\n" + (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
                      .replace("docs_dir: content", f"docs_dir: {bundled}")
                      .replace("      content: content", f"      content: {bundled}"), encoding="utf-8")
    (bundled / "about.md").write_text("Who keeps this site, in a page with no headings.\n", encoding="utf-8")
    (bundled / "notes").mkdir()
    (bundled / "notes" / "deep.md").write_text("A page one level deeper.\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1754352000")
    build(load_config(str(config), site_dir=str(tmp_path / "memo")))

    def on_env(self, env, *, config, files):
        env.globals["papersite_memo"] = lambda *key, caller: caller()
        return env

    monkeypatch.setattr(PapersitePlugin, "on_env", on_env)
    build(load_config(str(config), site_dir=str(tmp_path / "each")))
    pages = sorted(p.relative_to(tmp_path / "memo") for p in (tmp_path / "memo").rglob("*.html"))
    assert len(pages) > 80
    for rel in pages:
        assert (tmp_path / "memo" / rel).read_bytes() == (tmp_path / "each" / rel).read_bytes(), rel
