"""Unchanged pages cost (almost) nothing: the render memo gives back the text of a page whose
template, context and template folder are what they were, and the writer leaves a file alone
without reading it when nothing touched it since papersite wrote it. Neither may ever give an
output that a build from scratch would not give, nor write over a file papersite did not make."""
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import fields, is_dataclass, replace
from pathlib import Path

import pytest
from markupsafe import Markup

from conftest import ROOT
from generator.build import MAP_SCRIPT, build_site
from generator.cache import load_cache
from generator.errors import GeneratorError
from generator.model import Mention, Paper, Topic
from generator.output import MANIFEST, write_cache, write_tree
from generator.pagememo import load_memo
from generator.render import Renderer, default_templates
from generator.site import DayInputs, PaperInputs, SitePlan, plan_site

CLIP = "Learning Transferable Visual Models From Natural Language Supervision"


def _build(content, cache, **how):
    return build_site(content, cache=cache, **how)


@pytest.fixture
def rendered(monkeypatch):
    """The templates rendered, one name per page."""
    calls = []
    real = Renderer.render

    def counting(self, name, **context):
        calls.append(name)
        return real(self, name, **context)

    monkeypatch.setattr(Renderer, "render", counting)
    return calls


def _pages(site):
    return [path for path in site.files if path.endswith(".md")]


def test_an_unchanged_build_renders_no_page_and_writes_no_memo(bundled, tmp_path, rendered):
    folder = tmp_path / "cache"
    first = _build(bundled, folder)
    assert "pages" in first.cache and len(rendered) == len(_pages(first)) > 70
    rendered.clear()
    second = _build(bundled, folder)
    assert rendered == [] and "pages" not in second.cache
    assert second.files == first.files == build_site(bundled, cache=None).files


def test_a_changed_abstract_renders_again_the_pages_that_show_it_and_only_those(bundled, tmp_path, rendered):
    folder = tmp_path / "cache"
    first = _build(bundled, folder)
    digest = next((bundled / "digests").iterdir())
    text = digest.read_text(encoding="utf-8")
    abstract = text[text.index(CLIP) + len(CLIP):].strip().split("\n")[0]
    digest.write_text(text.replace(abstract, abstract + " Also tested on sketches."), encoding="utf-8")
    rendered.clear()
    second = _build(bundled, folder)
    again = len(rendered)
    assert second.files == build_site(bundled, cache=None).files
    changed = {path for path in _pages(second) if second.files[path] != first.files.get(path)}
    assert any("Also tested on sketches." in second.files[path] for path in changed)
    assert 0 < len(changed) <= again < len(_pages(second))  # everything changed was rendered, not all


def test_a_change_to_any_file_of_the_template_folder_renders_every_page_again(bundled, tmp_path, rendered):
    templates = tmp_path / "templates"
    shutil.copytree(default_templates(), templates)
    (templates / "note.j2").write_text("<!-- a note -->\n", encoding="utf-8")
    paper = templates / "paper.md.j2"
    paper.write_text(paper.read_text(encoding="utf-8") + '{% include "note.j2" %}', encoding="utf-8")
    folder = tmp_path / "cache"
    first = _build(bundled, folder, templates=templates)
    assert all(text.endswith("<!-- a note -->\n") for path, text in first.files.items() if path.startswith("papers/"))

    (templates / "note.j2").write_text("<!-- another note -->\n", encoding="utf-8")  # only included
    rendered.clear()
    second = _build(bundled, folder, templates=templates)
    assert len(rendered) == len(_pages(second))
    assert all(text.endswith("<!-- another note -->\n") for path, text in second.files.items()
               if path.startswith("papers/"))
    assert second.files == build_site(bundled, templates=templates, cache=None).files

    (templates / "unused.j2").write_text("nothing uses me", encoding="utf-8")  # could be included: rendered again
    rendered.clear()
    _build(bundled, folder, templates=templates)
    assert len(rendered) == len(_pages(second))

    # The bundled templates after the author's: their pages again, from the same cache.
    assert _build(bundled, folder).files == build_site(bundled, cache=None).files


def test_the_templates_compiled_code_is_kept_and_an_edited_template_is_compiled_again(bundled, tmp_path, monkeypatch):
    """The cache keeps the page templates' code: a build that finds it compiles none of them, and
    a template the author edits is compiled from its new source all the same."""
    import jinja2

    templates = tmp_path / "templates"
    shutil.copytree(default_templates(), templates)
    folder = tmp_path / "cache"
    first = _build(bundled, folder, templates=templates)
    assert "templates" in first.cache
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *a, **k: compiled.append(name) or real(self, source, name, *a, **k))
    second = _build(bundled, folder, templates=templates)
    assert compiled == [] and "templates" not in second.cache and second.files == first.files

    day = templates / "day.md.j2"
    day.write_text(day.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    third = _build(bundled, folder, templates=templates)
    assert compiled == ["day.md.j2"] and "templates" in third.cache
    assert all(text.endswith("<!-- edited -->\n") for path, text in third.files.items() if path.startswith("days/2"))
    assert third.files == build_site(bundled, templates=templates, cache=None).files


def test_a_memo_written_while_the_caller_writes_the_site_is_the_one_written_before_returning(bundled, tmp_path, rendered):
    """The command line writes its output while the pages' memo goes into the cache (``later``):
    once it has waited, the cache serves the next build as a cache written before returning does."""
    later: list = []
    first = build_site(bundled, cache=tmp_path / "beside", later=later)
    assert "pages" in first.cache and later  # still to be waited for
    for wait in later:
        wait()
    inline = build_site(bundled, cache=tmp_path / "before")
    assert first.files == inline.files
    for folder in ("beside", "before"):
        rendered.clear()
        again = build_site(bundled, cache=tmp_path / folder)
        assert rendered == [] and again.files == first.files and "pages" not in again.cache


def test_the_memo_follows_the_url_style(bundled, tmp_path):
    folder = tmp_path / "cache"
    _build(bundled, folder)
    flat = _build(bundled, folder, directory_urls=False)
    assert flat.files == build_site(bundled, cache=None, directory_urls=False).files
    assert _build(bundled, folder).files == build_site(bundled, cache=None).files


def _memo(folder):
    """The memo a build would read from ``folder``: path -> (fingerprint, UTF-8, content hash)."""
    return {path: (mark, bytes(data), digest) for path, (mark, data, digest, _) in load_memo(folder).items()}


def test_memo_entries_of_another_shape_are_rendered_again(bundled, tmp_path, rendered):
    folder = tmp_path / "cache"
    first = _build(bundled, folder)
    memo = _memo(folder)
    index = load_cache(folder, "pages")
    size = (folder / "pages.blob").stat().st_size
    shapes = [lambda mark, at, n, digest: (mark, 0, n, digest),  # in the blob's header
              lambda mark, at, n, digest: (mark, size - 1, n, digest),  # past the blob
              lambda mark, at, n, digest: (mark, b"data", digest),  # the shape of older code
              lambda mark, at, n, digest: (mark, str(at), n, digest),
              lambda mark, at, n, digest: None]
    damaged = {path: shapes[i % len(shapes)](*entry) if not path.startswith("\0") else entry
               for i, (path, entry) in enumerate(sorted(index.items()))}
    damaged["\0deps"] = {"basis": index["\0deps"]["basis"]}  # what the pages were made from, cut short
    write_cache(folder, {"pages": damaged})
    rendered.clear()
    second = _build(bundled, folder)
    assert len(rendered) == len(_pages(first)) and second.files == first.files
    assert _memo(folder) == memo


def test_a_memo_whose_blob_is_not_the_one_its_index_names_is_not_used(bundled, tmp_path, rendered):
    """A blob replaced after its index was written (another build, a crash between the two)
    is not read through the old index: every page is rendered again."""
    folder = tmp_path / "cache"
    first = _build(bundled, folder)
    index = load_cache(folder, "pages")
    write_cache(folder, {"pages": {**index, "\0blob": "0" * 32}})
    rendered.clear()
    second = _build(bundled, folder)
    assert len(rendered) == len(_pages(first)) and second.files == first.files


def test_a_blob_replaced_after_the_memo_was_read_is_not_added_to(bundled, tmp_path):
    """Another build may replace the blob between this build's reading the memo and writing it:
    the pages are then all written to a new blob, never added to one their index does not name."""
    from generator.output import write_blob
    from generator.pagememo import save_memo

    folder = tmp_path / "cache"
    _build(bundled, folder)
    memo = load_memo(folder)
    path, (mark, data, digest, _) = next(iter(sorted(memo.items())))
    kept = {**memo, path: (mark, b"changed " + bytes(data), digest, None)}
    assert write_blob(folder, "pages.blob", [b"another build's pages"]) is not None  # a new token
    assert save_memo(folder, kept, memo)
    again = load_memo(folder)
    assert {p: bytes(e[1]) for p, e in again.items()} == {p: bytes(e[1]) for p, e in kept.items()}


def test_the_blob_grows_by_the_pages_rendered_and_is_written_whole_when_half_is_unused(bundled, tmp_path):
    """Each build adds the pages it rendered to the blob; when more than half of it holds pages
    no build uses any more, a new blob holds only those kept. Each step gives the site and the
    memo of a build from scratch."""
    folder, fresh = tmp_path / "cache", tmp_path / "fresh"
    digest = next((bundled / "digests").iterdir())
    text = digest.read_text(encoding="utf-8")
    _build(bundled, folder)
    sizes, tokens = [], []
    for round in range(6):  # the same abstract changed again and again: its pages are rendered each time
        digest.write_text(text.replace(CLIP, f"{CLIP} {round}"), encoding="utf-8")
        site = _build(bundled, folder)
        assert site.files == build_site(bundled, cache=None).files
        shutil.rmtree(fresh, ignore_errors=True)
        _build(bundled, fresh)
        assert _memo(folder) == _memo(fresh)
        sizes.append((folder / "pages.blob").stat().st_size)
        tokens.append(load_cache(folder, "pages")["\0blob"])
    grew = [b > a for a, b in zip(sizes, sizes[1:])]
    assert any(grew) and not all(grew)  # appended to, and written whole again
    assert len(set(tokens)) < len(tokens)  # the same blob while it grows


_ALLOWED = (dict, list, tuple, str, Markup, int, float, bool, type(None), dt.date, Paper, Topic, Mention, PaperInputs, DayInputs)


def _values(value):
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _values(key)
            yield from _values(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _values(item)
    elif is_dataclass(value):
        for field in fields(value):
            yield from _values(getattr(value, field.name))


def test_pages_come_with_their_utf8_and_hash_and_the_writer_writes_the_same_with_them(bundled, tmp_path):
    site = _build(bundled, tmp_path / "cache")
    again = _build(bundled, tmp_path / "cache")  # from the memo this time
    # Every file but the map's script, which is copied: the pages, graph.json and the feeds.
    made = [path for path in site.files if path != MAP_SCRIPT]
    assert set(_pages(site)) < set(made) and {"graph.json", "feeds/all.xml"} < set(made)
    for built in (site, again):
        assert sorted(built.encoded) == sorted(made)
        for path in made:
            data, digest = built.encoded[path]
            assert data == built.files[path].encode("utf-8") and digest == hashlib.sha256(data).hexdigest()
    write_tree(tmp_path / "with", site.files, encoded=site.encoded)
    write_tree(tmp_path / "without", site.files)
    for path in site.files:
        assert (tmp_path / "with" / path).read_bytes() == (tmp_path / "without" / path).read_bytes()
    assert (tmp_path / "with" / MANIFEST).read_bytes() == (tmp_path / "without" / MANIFEST).read_bytes()


def test_page_contexts_hold_only_values_whose_pickle_says_all_a_template_can_see(bundled):
    """The fingerprint is the context's pickle: a set (ordered by PYTHONHASHSEED) would only miss
    the memo, but an object whose pickle leaves out what a template reads could hit it wrongly.
    A new kind of value in a context has to be checked against both, and added here."""
    site = build_site(bundled, cache=None)
    for urls in (True, False):
        for page in plan_site(site.collection, site.analysis, directory_urls=urls):
            odd = {type(v).__name__ for v in _values(page.context) if type(v) not in _ALLOWED}
            assert not odd, (page.path, odd)
        plan = SitePlan(site.collection, site.analysis, directory_urls=urls)
        for key in plan.keys():
            path, _, inputs = plan.inputs(key)
            odd = {type(v).__name__ for v in _values(inputs) if type(v) not in _ALLOWED}
            assert not odd, (path, odd)


def test_a_paper_page_is_made_from_its_inputs_alone(bundled):
    """The memo fingerprints a paper page's inputs, not its context: the page planned from its
    inputs in a plan of another collection (every other paper gone) is the page planned in full."""
    site = build_site(bundled, cache=None)
    plan = SitePlan(site.collection, site.analysis)
    empty = SitePlan(replace(site.collection, papers={}), replace(site.analysis, related={}, mentions=(), topics=(),
                                                                 paper_topics={}, aliases={}, topic_reasons={}))
    pids = [key[1] for key in plan.keys() if key[0] == "paper"]
    assert pids and any(plan.inputs(("paper", pid))[2].mentioned_by for pid in pids)
    for pid in pids:
        path, template, inputs = plan.inputs(("paper", pid))
        page = plan.page(("paper", pid))
        assert (path, template) == (page.path, page.template)
        assert empty.context(("paper", pid), inputs) == page.context


def test_a_day_page_is_made_from_its_inputs_alone(bundled):
    """As a paper's page: a day's page planned from its inputs in a plan of no papers is the page
    planned in full, so its inputs say all it shows; here with one paper listed again on a later
    day, which gives the first day a neighbour and the later day a page of its own."""
    site = build_site(bundled, cache=None)
    pid, paper = next(iter(site.collection.papers.items()))
    later = paper.dates[-1] + dt.timedelta(days=3)
    papers = dict(site.collection.papers, **{pid: replace(paper, dates=paper.dates + (later,))})
    plan = SitePlan(replace(site.collection, papers=papers), site.analysis)
    empty = SitePlan(replace(site.collection, papers={}), replace(site.analysis, related={}, mentions=(), topics=(),
                                                                 paper_topics={}, aliases={}, topic_reasons={}))
    days = [key for key in plan.keys() if key[0] == "day"]
    assert len(days) == len(site.collection.days) + 1
    for key in days:
        path, template, inputs = plan.inputs(key)
        page = plan.page(key)
        assert (path, template) == (page.path, page.template)
        assert empty.context(key, inputs) == page.context
        titles = [html.unescape(t) for t in re.findall(r'<li><a href="[^"]*">(.*?)</a>', page.context["papers"])]
        assert len(titles) == len(inputs.papers) and titles == sorted(titles, key=str.casefold)
    assert plan.inputs(days[-2])[2].next == later and plan.inputs(days[-1])[2].previous == plan.days[-2]
    assert [row[0] for row in plan.inputs(days[-1])[2].papers] == [pid]


_FINGERPRINTS = """
import json, sys
from pathlib import Path
from generator.build import build_site
from generator.pagememo import fingerprint
from generator.render import Renderer
from generator.site import SitePlan
site = build_site(Path(sys.argv[1]), cache=None)
key = Renderer().sources_key()
plan = SitePlan(site.collection, site.analysis)
print(json.dumps({path: fingerprint(key, template, inputs).hex()
                  for path, template, inputs in map(plan.inputs, plan.keys())}))
"""


def test_fingerprints_are_the_same_in_every_process(bundled):
    prints = []
    for seed in ("1", "2"):
        result = subprocess.run([sys.executable, "-c", _FINGERPRINTS, str(bundled)], capture_output=True,
                                text=True, cwd=ROOT, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert result.returncode == 0, result.stderr
        prints.append(json.loads(result.stdout))
    assert prints[0] == prints[1] and len(prints[0]) > 70


def _reference_url(src, dst, directory_urls):
    """The link from one page to another as the plan made it, one at a time, before links were
    made once each (site._Links): the shared strings must be the same strings."""
    from generator.site import _page_url

    here = _page_url(src, directory_urls).split("/")[:-1]
    there = _page_url(dst, directory_urls).split("/")
    k = 0
    while k < len(here) and k < len(there) - 1 and here[k] == there[k]:
        k += 1
    return Markup("../" * (len(here) - k) + "/".join(there[k:]) or "./")


def test_links_made_once_are_the_links_made_one_by_one():
    import itertools
    import random

    from generator.site import _Links

    paths = ["index.md", "tags.md", "graph.md", "days/index.md", "days/2025-01-01.md", "days/2025-01-02.md",
             "papers/x.md", "papers/y.md", "papers/index.md", "topics/t.md", "topics/index.md", "a/index.md",
             "a/c.md", "a/b/c.md", "a/b/d.md", "a/b/index.md", "x/y/z/w.md"]
    rng = random.Random(5)
    for urls in (True, False):
        for _ in range(20):  # the strings are shared across pages: any order of asking must do
            links, made = _Links(urls), {}
            for src, dst in rng.sample(list(itertools.product(paths, paths)), 200):
                link = made.setdefault(src, links.linker(src))(dst)
                assert link == _reference_url(src, dst, urls) and type(link) is Markup, (src, dst, urls)


# The writer: records in the manifest let it skip reading what nobody touched since.

def _as_if_written_later(out):
    """Move the manifest's time on, as if it had been written a moment later: on a file system
    with a coarse clock, the last pages and the manifest can share a tick, and such pages are
    compared byte for byte (correct, but not what these tests look at)."""
    later = time.time_ns() + 10**9
    os.utime(out / MANIFEST, ns=(later, later))


def test_an_untouched_file_is_neither_read_nor_rewritten(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_tree(out, {"a.md": "A", "b.md": "B", "c.md": "C"})
    _as_if_written_later(out)
    mtime = (out / "a.md").stat().st_mtime_ns
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    report = write_tree(out, {"a.md": "A", "b.md": "B2", "c.md": "C"})
    assert read == [] and report.unchanged == ("a.md", "c.md") and report.written == ("b.md",)
    assert (out / "b.md").read_text() == "B2" and (out / "a.md").stat().st_mtime_ns == mtime


def test_a_hand_edited_page_is_rewritten_even_with_its_old_size_and_time(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.md": "AAAA", "b.md": "BBBB"})
    before = (out / "a.md").stat()
    (out / "a.md").write_text("ZZZZ")  # same size, and the time set back as a careful tool would
    os.utime(out / "a.md", ns=(before.st_atime_ns, before.st_mtime_ns))
    report = write_tree(out, {"a.md": "AAAA", "b.md": "BBBB"})
    assert report.written == ("a.md",) and (out / "a.md").read_text() == "AAAA"


def test_a_change_in_the_manifests_own_clock_tick_is_compared(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.md": "AAAA"})
    (out / "a.md").write_text("ZZZZ")
    changed = (out / "a.md").stat().st_ctime_ns
    os.utime(out / MANIFEST, ns=(changed, changed))  # the manifest and the edit in one tick
    assert write_tree(out, {"a.md": "AAAA"}).written == ("a.md",)
    assert (out / "a.md").read_text() == "AAAA"


def test_a_link_where_the_page_was_is_compared_and_replaced(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.md": "AAAA"})
    (tmp_path / "elsewhere.md").write_text("the author's")
    (out / "a.md").unlink()
    (out / "a.md").symlink_to(tmp_path / "elsewhere.md")
    _as_if_written_later(out)
    assert write_tree(out, {"a.md": "AAAA"}).written == ("a.md",)
    assert (tmp_path / "elsewhere.md").read_text() == "the author's" and not (out / "a.md").is_symlink()


def test_records_never_make_a_foreign_file_ours(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.md": "A"})
    (out / "b.md").write_text("mine")  # the author's: no build made it
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["records"]["b.md"] = f"4 {hashlib.sha256(b'ours').hexdigest()}"  # a record, but not listed
    (out / MANIFEST).write_text(json.dumps(manifest))
    _as_if_written_later(out)
    with pytest.raises(GeneratorError, match="did not create"):
        write_tree(out, {"a.md": "A", "b.md": "ours"})
    assert (out / "b.md").read_text() == "mine"


def test_the_manifest_still_lists_its_files_and_says_the_same_of_the_same_output(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    files = {"a.md": "A", "sub/b.md": "B"}
    write_tree(first, files)
    write_tree(second, files)
    write_tree(second, files)  # a rebuild: nothing written, the same manifest
    manifest = json.loads((first / MANIFEST).read_text())
    assert manifest["files"] == ["a.md", "sub/b.md"]  # what older code reads
    assert (first / MANIFEST).read_bytes() == (second / MANIFEST).read_bytes()


def test_page_templates_are_compiled_once_ahead_and_a_broken_one_fails_only_where_it_is_used(bundled, tmp_path):
    """The build compiles the page templates before it forks the helper that renders beside it
    (which then compiles none of its own); a template no page uses may be broken, as before."""
    import jinja2

    templates = tmp_path / "templates"
    shutil.copytree(default_templates(), templates)
    (templates / "spare.md.j2").write_text("{% if %}", encoding="utf-8")  # broken, and no page uses it
    renderer = Renderer(templates)
    renderer.preload()

    def compile_again(*args, **kwargs):
        raise AssertionError("a page template was compiled again")

    renderer.env.compile = compile_again
    for name in ("paper.md.j2", "topic.md.j2", "day.md.j2", "days.md.j2", "topics.md.j2", "tags.md.j2",
                 "index.md.j2", "graph.md.j2"):
        renderer.env.get_template(name)
    assert build_site(bundled, templates=templates, cache=None).files
    (templates / "tags.md.j2").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(jinja2.TemplateSyntaxError):
        build_site(bundled, templates=templates, cache=None)


def test_pages_shared_with_the_process_that_makes_the_map_are_those_of_a_build_from_scratch(bundled, tmp_path, monkeypatch):
    """With a memo, large sites share the pages out between this process and the one that makes
    the map, once it has made it: the same site and memo as one process gives."""
    import generator.parallel as parallel

    where = tmp_path / "rendered-by"
    real = Renderer.render

    def noting(self, name, **context):
        with open(where, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {name}\n")
        return real(self, name, **context)

    folder = tmp_path / "cache"
    _build(bundled, folder)
    digest = next((bundled / "digests").iterdir())
    text = digest.read_text(encoding="utf-8")
    digest.write_text(text.replace(CLIP, CLIP + " at Scale"), encoding="utf-8")  # on its day's and topics' pages
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(Renderer, "render", noting)
    second = _build(bundled, folder)
    monkeypatch.undo()
    assert second.files == build_site(bundled, cache=None).files
    assert any(CLIP + " at Scale" in second.files[path] for path in second.files if path.startswith("days/"))
    _build(bundled, tmp_path / "fresh")
    assert _memo(folder) == _memo(tmp_path / "fresh")
    by = [line.split() for line in where.read_text(encoding="utf-8").splitlines()]
    assert {name for _, name in by} >= {"paper.md.j2", "day.md.j2"}
    assert len(by) < len(second.files) / 2  # the unchanged pages came from the memo
