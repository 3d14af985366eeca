"""The cache of per-digest and per-paper work: a build that uses it gives exactly the output of a
build without it, it only ever touches its own files, and damage to it costs time, not output."""
import shutil

import pytest

from conftest import ROOT, mkdocs_build
from generator import cache as cache_module
from generator.build import build_site
from generator.cache import MARKER, load_cache


@pytest.fixture
def bundled(tmp_path):  # digests only: no topic lock, so each build discovers topics afresh
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "digests", content / "digests")
    return content


def _build(content, cache):
    return build_site(content, cache=cache)


def test_a_cached_build_equals_an_uncached_one_and_reuses_the_work(bundled, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    first = _build(bundled, folder)
    assert set(first.cache) == {"digests", "features", "vectors", "neighbours", "words", "mentions", "pages"}
    assert len(load_cache(folder, "features")) == 65 and len(load_cache(folder, "digests")) == 1

    # The second build finds everything in the cache: no paper is analysed on its own again.
    import generator.analysis.features as features
    calls = []
    monkeypatch.setattr(features, "paper_features", lambda p: calls.append(p) or pytest.fail("recomputed"))
    second = _build(bundled, folder)
    assert calls == [] and second.cache == ()  # nothing new to keep, so nothing is written
    monkeypatch.undo()
    plain = build_site(bundled, cache=None)
    assert second.files == first.files == plain.files


def test_a_changed_digest_is_read_again_and_only_its_changed_papers_are_analysed(bundled, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _build(bundled, folder)
    digest = next((bundled / "digests").iterdir())
    text = digest.read_text(encoding="utf-8")
    title = "Learning Transferable Visual Models From Natural Language Supervision"
    assert title in text
    digest.write_text(text.replace(title, title + " Again"), encoding="utf-8")

    import generator.analysis.features as features
    real, seen = features.paper_features, []
    monkeypatch.setattr(features, "paper_features", lambda p: seen.append(p.title) or real(p))
    site = _build(bundled, folder)
    assert seen == [title + " Again"]
    monkeypatch.undo()
    assert site.files == build_site(bundled, cache=None).files
    assert len(load_cache(folder, "features")) == 65  # the old paper's entry is gone


def test_damaged_or_foreign_cache_files_are_ignored_and_foreign_ones_never_replaced(bundled, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "digests.pickle").write_bytes(b"the author's own notes")
    (folder / "features.pickle").write_bytes(MARKER + b"not this code\n\x80garbage")
    site = _build(bundled, folder)
    assert site.files == build_site(bundled, cache=None).files
    assert (folder / "digests.pickle").read_bytes() == b"the author's own notes"
    assert len(load_cache(folder, "features")) == 65  # ours, so rewritten


def test_other_code_does_not_reuse_the_cache(bundled, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _build(bundled, folder)
    assert load_cache(folder, "features")
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    assert load_cache(folder, "features") == {}


def test_the_cli_keeps_its_cache_beside_the_content_folder(bundled, tmp_path):
    from generator.cli import main

    assert main(["build", "--content", str(bundled), "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / ".cache" / "papersite").iterdir()) == [
        "digests.pickle", "features.pickle", "mentions.pickle", "neighbours.pickle", "pages.pickle",
        "vectors.pickle", "words.pickle"]
    assert main(["build", "--content", str(bundled), "--out", str(tmp_path / "out2"), "--no-cache",
                 "--cache", str(tmp_path / "elsewhere")]) == 0
    assert not (tmp_path / "elsewhere").exists()


def test_mkdocs_builds_keep_the_same_cache_and_the_same_site(bundled, tmp_path):
    first = mkdocs_build(bundled, tmp_path / "site1")
    assert first.returncode == 0, first.stderr
    cache = tmp_path / ".cache" / "papersite"
    assert len(load_cache(cache, "features")) == 65
    stamp = (cache / "features.pickle").stat().st_mtime_ns
    second = mkdocs_build(bundled, tmp_path / "site2")
    assert second.returncode == 0, second.stderr
    assert (cache / "features.pickle").stat().st_mtime_ns == stamp  # nothing new: not rewritten
    for page in ("index.html", "graph.json", "papers/learning-transferable-visual-models-from-natural-language-supervision/index.html"):
        assert (tmp_path / "site1" / page).read_bytes() == (tmp_path / "site2" / page).read_bytes()
