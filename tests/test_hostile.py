"""Hostile digests: digest text is data, never markup, and never reaches a reader's browser as code.

One digest full of attacks and breakage is built with a real ``mkdocs build --strict``; every
HTML page of the result is parsed, and any script, event-handler attribute or ``javascript:``
URL that the theme does not put on a page built from an honest digest fails the test. An
offline link check (lychee) must find no broken internal link or anchor.
"""
import html.parser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CHROME, ROOT, mkdocs_build

LONG = "We study a problem and propose a method that works. It beats baselines on many benchmarks."
HOSTILE_PAPERS = [
    ('<script>alert("title")</script> Evil Title', '<img src=x onerror=alert(1)> <a href="javascript:alert(2)">x</a> '
     '[click](javascript:alert(3)) <javascript:alert(4)> {{ config }} {% include "x" %} ' + LONG),
    ('X</title><script>alert(5)</script>', "<svg onload=alert(6)></svg> " + LONG),
    ('title: "pwned" --- tags: [x]', "--- description: pwned " + LONG),
    ("Brackets Everywhere", "[" * 20000 + " " + LONG),
    ("\U0001F642\U0001F642\U0001F642", "Emoji only title. " + LONG),
    ("L" + "ong title " * 40, "A four hundred character title. " + LONG),
    ("Duplicate Title", "First listing. " + LONG),
    ("Duplicate Title", "Second listing. " + LONG),
    ("Nul\x00Byte Title", "Nul\x00bytes in the abstract. " + LONG),
    ("C++ vs C#", "Symbols in titles. " + LONG),
    ("C vs C", "Same slug letters. " + LONG),
    ("CON", "A Windows device name. " + LONG),
    ("Quoted Links", 'See https://example.com/a"onmouseover="alert(7) and https://example.com/b<script>. ' + LONG),
    ("# Heading Title", "# not a heading - not a list > not a quote 1. not an item " + LONG),
    ("Math Residue", "Inline $x^2$ and \\(1\\) and \\[2\\] stay text. " + LONG),
    ("Template {{ 7*7 }} {% if true %}yes{% endif %}", "Jinja in text. " + LONG),
    ("Forged <!-- papersite:unsearched --> Markers", "<!-- papersite:searched --> The plugin's own markers, "
     "and a placeholder <!-- papersite:part 0 --> <!-- papersite:markdown --> in digest text. " + LONG),
    ("Truncated At The End", None),
]


def hostile_digest() -> bytes:
    body = "".join(f"{t}\n\n{a}\n\n" if a else f"{t}\n" for t, a in HOSTILE_PAPERS)
    return (CHROME + "Aug 5\n\n" + body).encode("utf-8")


class _Scan(html.parser.HTMLParser):
    """Collects what can run: scripts (src or normalised body), on* attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.js_urls = set(), set(), set()
        self._in_script, self._buf = False, []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.add((tag, name, value))
            if value and re.match(r"\s*(?:javascript|vbscript|data):", value, re.I) and name in (
                    "href", "src", "action", "formaction", "xlink:href", "srcdoc"):
                self.js_urls.add((tag, name, value))
        if tag == "script":
            src = dict(attrs).get("src")
            if src:
                self.scripts.add("src:" + re.sub(r"^(\.\./)+|^\./", "", src))
            else:
                self._in_script, self._buf = True, []

    def handle_data(self, data):
        if self._in_script:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            body = "".join(self._buf)
            # The theme's config differs between pages only by relative paths.
            body = re.sub(r'"(?:base|search)": "[^"]*"', '"path"', body)
            self.scripts.add("inline:" + body.strip())
            self._in_script = False


def scan_site(site: Path) -> _Scan:
    scan = _Scan()
    for page in sorted(site.rglob("*.html")):
        scan.feed(page.read_text(encoding="utf-8"))
    return scan


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    honest = base / "honest" / "content"
    shutil.copytree(ROOT / "content", honest)
    hostile = base / "hostile" / "content"
    (hostile / "digests").mkdir(parents=True)
    (hostile / "digests/2025-08-05.txt").write_bytes(hostile_digest())
    # A second digest that is not valid UTF-8 (cp1252 bytes), with CRLF line ends.
    (hostile / "digests/2025-08-06.txt").write_bytes(
        (CHROME + "Aug 6\n\nCaf\u00e9 \u201cQuoted\u201d Title\n\n" + LONG + "\n").replace("\n", "\r\n").encode("cp1252"))
    results = {}
    for name, content in (("honest", honest), ("hostile", hostile)):
        result = mkdocs_build(content, content.parent / "site")
        results[name] = (result, content.parent / "site")
    return results


def test_hostile_digest_builds_strict_and_reports_bad_records(sites):
    result, site = sites["hostile"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"2025-08-05\.txt:\d+: title 'Truncated At The End' has no abstract", result.stderr)
    assert re.search(r"2025-08-05\.txt:\d+: same paper as line \d+", result.stderr)
    assert "2025-08-06.txt" in result.stderr and "Windows-1252" in result.stderr
    pages = list((site / "papers").glob("*/index.html"))
    assert len(pages) == len(HOSTILE_PAPERS) - 2 + 1  # minus the duplicate and the truncated, plus Aug 6


def test_no_page_carries_code_the_theme_did_not_put_there(sites):
    honest = scan_site(sites["honest"][1])
    hostile = scan_site(sites["hostile"][1])
    assert hostile.scripts <= honest.scripts, hostile.scripts - honest.scripts
    assert hostile.handlers <= honest.handlers, hostile.handlers - honest.handlers
    assert hostile.js_urls <= honest.js_urls, hostile.js_urls - honest.js_urls


def test_hostile_text_is_shown_as_text(sites):
    site = sites["hostile"][1]
    page = next(p for p in (site / "papers").glob("*/index.html") if "evil-title" in str(p))
    text = page.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert "&lt;script&gt;" in title and "<script" not in title
    assert "{{ config }}" in text.replace("&#123;", "{").replace("&#125;", "}")
    math = next(p for p in (site / "papers").glob("*/index.html") if "math-residue" in str(p))
    assert "\\(1\\)" in math.read_text(encoding="utf-8").replace("&#92;", "\\")
    # Text that spells the plugin's markers (generator/rawhtml.py) is escaped like any other: it
    # splits nothing, and shows as written, in the page and in the search index.
    forged = next(p for p in (site / "papers").glob("*/index.html") if "forged" in str(p))
    text = forged.read_text(encoding="utf-8")
    assert "&lt;!-- papersite:unsearched --&gt;" in text.replace("&#60;", "&lt;").replace("&#62;", "&gt;")
    assert "papersite:part 0 --&gt; &lt;!-- papersite:markdown" in text.replace("&#60;", "&lt;").replace("&#62;", "&gt;")
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    entry = next(d for d in index if d["location"] == f"papers/{forged.parent.name}/")
    assert "papersite:part 0" in entry["text"] and "in digest text" in entry["text"]
    names = [p.parent.name for p in (site / "papers").glob("*/index.html")]
    assert all(re.fullmatch(r"[a-z0-9-]{1,89}", n) for n in names), names
    assert len({n.casefold() for n in names}) == len(names)
    assert not any(n in ("con", "nul", "aux", "prn") for n in names)


def test_front_matter_breakers_stay_in_their_field(sites):
    site = sites["hostile"][1]
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    titles = [d["title"] for d in index["docs"] if d["location"].startswith("papers/") and "#" not in d["location"]]
    assert any("pwned" in t and "---" in t for t in titles)
    assert not any(t == "pwned" for t in titles)


@pytest.mark.parametrize("name", ["honest", "hostile"])
def test_offline_link_check_finds_no_broken_internal_link_or_anchor(sites, name):
    site = sites[name][1]
    lychee = Path(sys.executable).with_name("lychee")
    result = subprocess.run([str(lychee), "--offline", "--include-fragments", "--no-progress", "--index-files",
                             "index.html", "--root-dir", str(site), str(site)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"\b0 Errors", result.stdout + result.stderr)


def test_the_scan_itself_sees_injected_code():
    scan = _Scan()
    scan.feed('<p>ok</p><img src=x onerror="alert(1)"><a href=" javascript:alert(2)">x</a>'
              '<title>t</title><script>alert(3)</script>')
    assert scan.handlers == {("img", "onerror", "alert(1)")}
    assert scan.js_urls == {("a", "href", " javascript:alert(2)")}
    assert "inline:alert(3)" in scan.scripts
