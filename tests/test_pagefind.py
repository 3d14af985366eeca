"""`search: pagefind`: Pagefind's chunked index instead of Material's search, built and searched for real.

The bundled site and a hostile digest are built with `mkdocs build --strict` and the setting on;
the index must hold the paper pages' title, aliases, authors and abstract and not their Mentions,
Related and Cite sections; in Debian's Chromium a query typed in the header's search box must
list the right paper, also after instant navigation, with digest text shown as text, and
nothing fetched from outside localhost. Same browser rules as test_browser.py.
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.serve import serve
from conftest import CHROMIUM, ROOT, digest
from generator.pagefind import mark_for_pagefind

CLIP = "learning-transferable-visual-models-from-natural-language-supervision"
LONG = "We study a problem and propose a method that works. It beats baselines on many benchmarks."
HOSTILE_TITLE = "Zebrafish <img src=x onerror=\"window.__pwned=1\"> Tracking"
HOSTILE_ABSTRACT = ("Zebrafish larvae <script>window.__pwned=2</script> and <b>bold</b> "
                    "<img src=y onerror=window.__pwned=3> move. " + LONG)


def pagefind_build(content: Path, site: Path, *, search_plugin: bool = True, site_url: str = "") -> subprocess.CompletedProcess:
    """The project's mkdocs.yml pointed at ``content``, with ``search: pagefind`` (and, as authors
    will have it, Material's `- search` still listed unless ``search_plugin`` is False). Material's
    instant navigation needs the site's own address in ``site_url`` (it reads the sitemap)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("docs_dir: content", f"docs_dir: {content.name}")
    if site_url:
        text = f"site_url: {site_url}\n" + text
    assert "      content: content\n" in text
    text = text.replace("      content: content\n", f"      content: {content.name}\n      search: pagefind\n")
    if not search_plugin:
        text = text.replace("  - search\n", "")
    config = content.parent / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          capture_output=True, text=True, cwd=content.parent)


def fragments(site: Path) -> dict[str, dict]:
    """Pagefind's stored pages (url -> record), read back from its gzipped fragment files."""
    out = {}
    for f in (site / "pagefind" / "fragment").iterdir():
        text = gzip.decompress(f.read_bytes()).decode("utf-8")
        record = json.loads(text[text.index("{"):])
        out[record["url"]] = record
    return out


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", text.lower()))


def section(page_html: str, heading: str) -> str:
    """The text of a paper page's section, from its heading to the next h2."""
    start = page_html.index(f'id="{heading}"')
    end = page_html.find("<h2", start)
    return re.sub(r"<[^>]+>", " ", page_html[start:end if end > 0 else None])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The bundled site, built with the address it is then served from."""
    base = tmp_path_factory.mktemp("pagefind")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    (base / "site").mkdir()
    server, url = serve(base / "site")
    result = pagefind_build(content, base / "site", site_url=url)
    assert result.returncode == 0, result.stderr
    yield base / "site", result, url
    server.shutdown()


# --- the build -------------------------------------------------------------------------------

def test_the_build_is_strict_clean_and_writes_a_pagefind_bundle_not_materials_index(built):
    site, result, _ = built
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert not (site / "search" / "search_index.json").exists()  # Material's search was switched off
    assert "Material's search plugin is switched off" in result.stderr
    assert "pagefind indexed 65 paper pages" in result.stderr
    assert (site / "assets" / "papersite" / "search.js").is_file()
    assert not (site / "search.js").exists() and not (site / "map.js").exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "data-papersite-search" in home and "assets/papersite/search.js" in home
    assert 'data-md-component="search"' not in home  # Material's own box would fetch its index


def test_only_paper_pages_are_indexed(built):
    site, _, _ = built
    records = fragments(site)
    papers = {f"/papers/{p.parent.name}/" for p in (site / "papers").glob("*/index.html")}
    assert set(records) == papers and len(papers) == 65


def test_the_index_holds_title_aliases_and_abstract_but_not_related_mentions_or_cite(built):
    site, _, _ = built
    record = fragments(site)[f"/papers/{CLIP}/"]
    assert record["meta"]["title"] == "Learning Transferable Visual Models From Natural Language Supervision"
    assert "Also known as CLIP" in record["content"]
    assert "400 million (image, text) pairs" in record["content"]
    for name in ("Mentions", "Mentioned by", "Cite", "Related papers", "similarity"):
        assert name not in record["content"], name
    page = (site / "papers" / CLIP / "index.html").read_text(encoding="utf-8")
    related = words(section(page, "related-papers")) - words(record["content"]) - {"similarity", "related", "papers"}
    assert related, "the Related section of the CLIP page names words of its own"


def test_authors_are_indexed(tmp_path):
    content = tmp_path / "content"
    (content / "digests").mkdir(parents=True)
    (content / "digests" / "2025-08-05.json").write_text(json.dumps([{"paper": {
        "id": "2501.00001", "title": "Quokka Networks", "summary": "Quokka networks hop. " + LONG,
        "authors": [{"name": "Ada Wombatson"}, {"name": "Bo Numbat"}], "publishedAt": "2025-08-05T00:00:00.000Z"},
        "title": "Quokka Networks", "publishedAt": "2025-08-05T00:00:00.000Z"}]),
        encoding="utf-8")
    result = pagefind_build(content, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    (record,) = fragments(tmp_path / "site").values()
    assert "Quokka Networks" == record["meta"]["title"]
    assert "Ada Wombatson" in record["content"] and "Bo Numbat" in record["content"]


def test_material_search_need_not_be_listed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    result = pagefind_build(content, tmp_path / "site", search_plugin=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()
    assert "switched off" not in result.stderr


def test_marking_follows_materials_sections():
    html = ('<h1 id="t">Title</h1>\n<p>Abstract <em>text</em></p>\n<hr />\n'
            '<h2 data-search-exclude id="m">Mentions</h2>\n<ul>\n<li><a href="x">Other</a></li>\n</ul>\n'
            '<figure><svg><path d="M0"/><title>t</title></svg></figure>\n'
            '<h2 id="a">Also known as X</h2>\n<p data-search-exclude>Hidden block</p>\n<p>Shown</p>\n'
            '<h3 data-search-exclude>Cite</h3>\n<pre><code>@article{x}</code></pre>\n')
    marked = mark_for_pagefind(html)
    body = re.findall(r"<(\w+) data-pagefind-body", marked)
    assert body == ["h1", "p", "hr", "h2", "p"]
    assert marked.replace(" data-pagefind-body", "") == html
    assert "<h2 data-pagefind-body id=\"a\">" in marked and "<p data-pagefind-body>Shown" in marked


def test_pagefind_output_is_reproducible(built, tmp_path):
    site, _, _ = built
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    result = pagefind_build(content, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    first = {p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "site"): p.read_bytes()
              for p in (tmp_path / "site" / "pagefind").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


# --- the browser -----------------------------------------------------------------------------

if not CHROMIUM.exists() and os.environ.get("PAPERSITE_REQUIRE_BROWSER"):
    raise RuntimeError("PAPERSITE_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
browser_only = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium); CI installs it")


@pytest.fixture(scope="module")
def served(built):
    site, _, url = built
    return site, url


def search(page, query):
    for attempt in range(2):
        page.click(".md-search__input", timeout=15000)
        page.fill(".md-search__input", query)
        first = page.locator(".md-search-result__list li a").first
        first.wait_for(timeout=30000)
        page.wait_for_function("q => document.querySelector('.md-search__input').value === q", arg=query)
        # Material closes the search panel when it finishes swapping in a page; on a loaded machine
        # that can come just after the first keystrokes (seen once in a fresh-clone run): then search again.
        if page.evaluate("document.getElementById('__search').checked"):
            break
    assert page.evaluate("document.getElementById('__search').checked")  # the results are open to click
    return first


@browser_only
def test_typing_an_alias_lists_its_paper_first(page, served):
    _, url = served
    page.goto(url)
    assert page.locator(".md-header__inner .md-search__input").count() == 1
    first = search(page, "CLIP")
    assert first.get_attribute("href").rstrip("/").endswith(f"/papers/{CLIP}")
    assert "Learning Transferable Visual Models" in first.locator("h1").inner_text()
    assert page.locator(".md-search-result__list mark").count() >= 1


@browser_only
def test_search_works_after_instant_navigation_and_opens_the_paper(page, served):
    _, url = served
    # Material navigates instantly only once it has read the sitemap; on a busy machine the first
    # click may come before that and reload the page instead. Then try again (at most three times).
    for attempt in range(3):
        page.goto(url)
        page.wait_for_function("window.papersiteSearch && window.papersiteSearch.ready")
        page.wait_for_load_state("networkidle")
        page.evaluate("window.__sameDocument = true")
        page.click(".md-tabs__link:has-text('Days')")
        page.wait_for_url("**/days/", timeout=15000)
        if page.evaluate("window.__sameDocument") is True:
            break
    assert page.evaluate("window.__sameDocument") is True  # instant navigation, not a reload
    # Material resets the search box when it swaps the new page in: search once the swap is done.
    page.wait_for_function("((document.querySelector('article h1') || {}).textContent || '').startsWith('Days')")
    page.wait_for_load_state("networkidle")
    first = search(page, "natural language supervision")
    first.click()
    page.wait_for_url(f"**/papers/{CLIP}/", timeout=15000)
    assert page.evaluate("window.__sameDocument") is True  # instant navigation, not a reload
    page.wait_for_function("((document.querySelector('article h1') || {}).textContent || '').startsWith('Learning Transferable')")
    page.wait_for_load_state("networkidle")
    assert not page.evaluate("document.getElementById('__search').checked")
    first = search(page, "rehearsal-free")
    assert "a-closer-look-at-rehearsal-free-continual-learning" in first.get_attribute("href")
    assert page.evaluate("window.papersiteSearch.queries") >= 2


@browser_only
def test_a_word_only_in_related_or_mentions_does_not_find_the_page(page, served):
    site, url = served
    records = fragments(site)
    html = (site / "papers" / CLIP / "index.html").read_text(encoding="utf-8")
    elsewhere = words(section(html, "related-papers")) | words(section(html, "mentioned-by"))
    own = words(records[f"/papers/{CLIP}/"]["content"])
    stems = {w[:5] for w in own}  # Pagefind stems: "additionally" finds "additional"
    # words of the CLIP page's Related or Mentioned-by sections that other pages are indexed by
    candidates = sorted(w for w in elsewhere - {"similarity", "related", "papers", "mentioned", "naming"}
                        if w[:5] not in stems and any(w in words(r["content"]) for r in records.values()))
    assert candidates
    page.goto(url)
    for word in candidates[:3]:
        search(page, word)
        hrefs = page.eval_on_selector_all(".md-search-result__list a", "as => as.map(a => a.getAttribute('href'))")
        assert hrefs and not any(CLIP in h for h in hrefs), (word, hrefs)


@browser_only
def test_results_link_into_a_site_served_below_the_root(page, built):
    """As on GitHub Pages (https://USER.github.io/REPO/): links come from the page's own address."""
    site, _, _ = built
    server, url = serve(site.parent)
    try:
        page.goto(url + "site/days/")
        first = search(page, "CLIP")
        assert first.get_attribute("href") == f"/site/papers/{CLIP}/"
        first.click()
        page.wait_for_url(f"**/site/papers/{CLIP}/", timeout=15000)
    finally:
        server.shutdown()


@browser_only
def test_the_search_box_fits_the_header_and_opens_with_the_keyboard(page, served):
    _, url = served
    page.goto(url + "days/")
    page.wait_for_function("window.papersiteSearch && window.papersiteSearch.ready")
    box = page.locator(".md-header__inner .md-search__form").bounding_box()
    header = page.locator(".md-header").bounding_box()
    assert box and box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + header["height"] + 1
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type("CLIP")
    page.locator(".md-search-result__list li a").first.wait_for(timeout=30000)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/papers/{CLIP}/", timeout=15000)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("pagefind-hostile")
    content = base / "content"
    (content / "digests").mkdir(parents=True)
    (content / "digests" / "2025-08-05.txt").write_text(
        digest("Aug 5", (HOSTILE_TITLE, HOSTILE_ABSTRACT), ("Plain Neighbour", "Zebrafish again. " + LONG)),
        encoding="utf-8")
    result = pagefind_build(content, base / "site")
    assert result.returncode == 0, result.stderr
    server, url = serve(base / "site")
    yield base / "site", url
    server.shutdown()


@browser_only
def test_digest_text_in_results_is_shown_as_text(page, hostile):
    _, url = hostile
    page.goto(url)
    search(page, "zebrafish")
    page.wait_for_function("document.querySelectorAll('.md-search-result__list li a').length === 2")
    results = page.locator(".md-search-result__list")
    titles = results.locator("h1").all_inner_texts()
    assert any("<img src=x onerror=" in t for t in titles), titles
    assert "<script>" in results.inner_text()
    assert results.locator("img, script, b").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
