"""The cache of per-digest and per-paper work: a build that uses it gives exactly the output of a
build without it, it only ever touches its own files, and damage to it costs time, not output."""
import json
import pickle
import shutil

import pytest

from conftest import ROOT, mkdocs_build
from generator import cache as cache_module
from generator.build import build_site
from generator.cache import MARKER, SEGMENTS, cache_segments, load_cache
from generator.output import write_cache


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
    assert set(first.cache) == {"digests", "names", "terms", "vectors", "rows", "neighbours", "reasons", "words",
                                "mentions", "pages", "lock", "templates", "collection", "feeds"}
    assert len(load_cache(folder, "names")) == len(load_cache(folder, "terms")) == 65
    assert len(load_cache(folder, "digests")) == 1

    # The second build finds everything in the cache: no paper is analysed on its own again.
    import generator.analysis.features as features
    import generator.feeds as feeds
    calls = []
    for name in ("paper_names", "paper_terms"):
        monkeypatch.setattr(features, name, lambda p: calls.append(p) or pytest.fail("recomputed"))
    real_entries = feeds._entries
    monkeypatch.setattr(feeds, "_entries", lambda missing: real_entries(missing) if not missing else pytest.fail("entry made"))
    second = _build(bundled, folder)
    assert calls == [] and second.cache == ()  # nothing new to keep, so nothing is written
    monkeypatch.undo()
    plain = build_site(bundled, cache=None)
    assert second.files == first.files == plain.files


def test_the_topic_lock_comes_from_the_cache_only_while_the_file_holds_the_text_written(bundled, tmp_path, monkeypatch):
    from generator import build as build_module
    from generator.topicfiles import LOCK_FILE

    folder = tmp_path / "cache"
    lock = bundled / LOCK_FILE
    lock.write_text(_build(bundled, folder).lock, encoding="utf-8")
    real, parsed = build_module.parse_lock, []
    monkeypatch.setattr(build_module, "parse_lock", lambda data: parsed.append(data) or real(data))
    cached = _build(bundled, folder)
    assert parsed == []
    assert cached.files == build_site(bundled, cache=None).files

    # A person renames a topic in the lock: the file is read, and its name is kept.
    text = lock.read_text(encoding="utf-8")
    first_name = text.split("  name: ", 1)[1].split("\n", 1)[0]
    lock.write_text(text.replace(f"  name: {first_name}\n", "  name: Renamed by hand\n", 1), encoding="utf-8")
    parsed.clear()
    edited = _build(bundled, folder)
    assert len(parsed) == 1
    assert "Renamed by hand" in edited.lock and first_name not in edited.lock.split("\n")
    assert edited.files == build_site(bundled, cache=None).files


def test_a_changed_digest_is_read_again_and_only_its_changed_papers_are_analysed(bundled, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _build(bundled, folder)
    digest = next((bundled / "digests").iterdir())
    text = digest.read_text(encoding="utf-8")
    title = "Learning Transferable Visual Models From Natural Language Supervision"
    assert title in text
    digest.write_text(text.replace(title, title + " Again"), encoding="utf-8")

    import generator.analysis.features as features
    seen = []
    for name in ("paper_names", "paper_terms"):
        real = getattr(features, name)
        monkeypatch.setattr(features, name, lambda p, real=real: seen.append(p.title) or real(p))
    site = _build(bundled, folder)
    assert seen == [title + " Again"] * 2  # its names and its words
    monkeypatch.undo()
    assert site.files == build_site(bundled, cache=None).files
    # The changed paper's entry is added as a segment; the old one stays until the kind is
    # written whole again (a quarter of its entries unused, or too many segments).
    for kind in ("names", "terms"):
        assert len(load_cache(folder, kind)) == 66 and cache_segments(folder, kind) == [folder / f"{kind}.1.pickle"]


def test_a_new_day_is_added_to_the_collection_kept_without_reading_the_other_digests(tmp_path, monkeypatch):
    """A daily build reads only the new digest and adds its papers to the collection the last
    build kept (its records of the other digests stay unread in the cache): the site a build
    without the cache makes. A changed earlier digest, or one of an earlier day added later,
    is collected with all the others again, as without the cache."""
    import json

    import generator.build as build_module
    import generator.cache as cache_module

    digests = tmp_path / "content" / "digests"
    digests.mkdir(parents=True)

    def day(name, ids, title="Study"):
        (digests / name).write_text("".join(json.dumps({
            "id": f"2501.{i:05d}", "title": f"{title} {i} of vision models", "summary": f"We study model {i}.",
            "authors": ["A. Author"], "categories": ["cs.LG"], "comment": "", "abs": "", "pdf": ""}) + "\n"
            for i in ids), encoding="utf-8")

    day("2025-01-06.jsonl", range(1, 30))
    day("2025-01-07.jsonl", range(20, 50))  # ten listed again
    folder = tmp_path / "cache"
    first = _build(tmp_path / "content", folder)
    assert "collection" in first.cache

    read, loaded = [], []
    real_read, real_load = build_module.read_digest, cache_module.load_cache
    monkeypatch.setattr(build_module, "read_digest", lambda path, **how: read.append(path.name) or real_read(path, **how))
    monkeypatch.setattr(build_module, "load_cache",
                        lambda folder, kind, **how: loaded.append(kind) or real_load(folder, kind, **how))

    def check(expect_read, digests_loaded):
        read.clear(), loaded.clear()
        site = _build(tmp_path / "content", folder)
        assert sorted(read) == expect_read and ("digests" in loaded) == digests_loaded
        assert site.files == build_site(tmp_path / "content", cache=None).files
        return site

    day("2025-01-08.jsonl", range(45, 70))  # five listed again, on a third day
    site = check(["2025-01-08.jsonl"], False)
    assert "collection" in site.cache and "digests" not in site.cache
    assert site.collection.papers["2501-00046"].dates[-1].isoformat() == "2025-01-08"
    check([], False)  # nothing new: the collection as kept
    day("2025-01-05.jsonl", range(80, 85))  # an earlier day, added later
    check(["2025-01-05.jsonl", "2025-01-08.jsonl"], True)  # read, with the day not in the digests kind
    day("2025-01-07.jsonl", range(20, 50), title="Revised study")
    check(["2025-01-07.jsonl"], True)


def test_damaged_or_foreign_cache_files_are_ignored_and_foreign_ones_never_replaced(bundled, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "digests.pickle").write_bytes(b"the author's own notes")
    (folder / "names.pickle").write_bytes(MARKER + b"not this code\n\x80garbage")
    site = _build(bundled, folder)
    assert site.files == build_site(bundled, cache=None).files
    assert (folder / "digests.pickle").read_bytes() == b"the author's own notes"
    assert len(load_cache(folder, "names")) == 65  # ours, so rewritten


def test_cache_files_cut_short_empty_or_shorter_than_their_header_are_read_as_nothing(tmp_path):
    """Cache files are read through a mapping of the file: any file papersite may find there
    gives its entries or nothing, and leaves no mapping open (the next build replaces it)."""
    from generator.cache import cache_header

    folder = tmp_path / "cache"
    write_cache(folder, {"features": {"k": ("value", b"\x00" * 100_000)}})
    whole = (folder / "features.pickle").read_bytes()
    assert load_cache(folder, "features") == {"k": ("value", b"\x00" * 100_000)}
    for data in (b"", MARKER[:5], cache_header(), whole[:len(whole) // 2], whole[:-1]):
        (folder / "features.pickle").write_bytes(data)
        assert load_cache(folder, "features") == {}
    write_cache(folder, {"features": {"k": "again"}})  # replaced in place: nothing holds it open
    assert load_cache(folder, "features") == {"k": "again"}


def test_other_code_does_not_reuse_the_cache(bundled, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _build(bundled, folder)
    assert load_cache(folder, "names")
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    assert load_cache(folder, "names") == {}


def test_the_cli_keeps_its_cache_beside_the_content_folder(bundled, tmp_path):
    from generator.cli import main

    assert main(["build", "--content", str(bundled), "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / ".cache" / "papersite").iterdir()) == [
        "collection.pickle", "digests.pickle", "feeds.pickle", "lock.pickle", "mentions.pickle", "names.pickle",
        "neighbours.pickle", "pages.blob", "pages.pickle", "reasons.pickle", "rows.pickle", "templates.pickle",
        "terms.pickle", "vectors.pickle", "words.pickle"]
    assert main(["build", "--content", str(bundled), "--out", str(tmp_path / "out2"), "--no-cache",
                 "--cache", str(tmp_path / "elsewhere")]) == 0
    assert not (tmp_path / "elsewhere").exists()


def test_mkdocs_builds_keep_the_same_cache_and_the_same_site(bundled, tmp_path):
    first = mkdocs_build(bundled, tmp_path / "site1")
    assert first.returncode == 0, first.stderr
    cache = tmp_path / ".cache" / "papersite"
    assert len(load_cache(cache, "terms")) == 65
    stamp = (cache / "terms.pickle").stat().st_mtime_ns
    second = mkdocs_build(bundled, tmp_path / "site2")
    assert second.returncode == 0, second.stderr
    assert (cache / "terms.pickle").stat().st_mtime_ns == stamp  # nothing new: not rewritten
    for page in ("index.html", "graph.json", "papers/learning-transferable-visual-models-from-natural-language-supervision/index.html"):
        assert (tmp_path / "site1" / page).read_bytes() == (tmp_path / "site2" / page).read_bytes()


def test_a_grown_kind_is_written_as_a_segment_of_its_new_entries_until_too_much_is_unused(tmp_path):
    folder = tmp_path / "cache"
    day1 = {f"k{i}": i for i in range(8)}
    write_cache(folder, {"features": day1}, grown={"features": {}})  # nothing before: written whole
    base = (folder / "features.pickle").read_bytes()
    day2 = {**day1, "k8": 8, "k9": 9}
    write_cache(folder, {"features": day2}, grown={"features": load_cache(folder, "features")})
    assert (folder / "features.pickle").read_bytes() == base  # the day's entries alone are written
    assert cache_segments(folder, "features") == [folder / "features.1.pickle"]
    assert load_cache(folder, "features") == day2
    # Two of ten unused: still a segment, and the unused entries are still there.
    day3 = {k: v for k, v in day2.items() if k not in ("k0", "k1")} | {"k10": 10}
    write_cache(folder, {"features": day3}, grown={"features": load_cache(folder, "features")})
    assert len(cache_segments(folder, "features")) == 2 and load_cache(folder, "features") == day2 | day3
    # Four of eleven unused: written whole, segments gone.
    day4 = {k: v for k, v in day3.items() if k not in ("k2", "k3")}
    write_cache(folder, {"features": day4}, grown={"features": load_cache(folder, "features")})
    assert cache_segments(folder, "features") == [] and load_cache(folder, "features") == day4
    # Kinds not said to grow are written whole.
    write_cache(folder, {"features": day4 | {"new": 1}})
    assert cache_segments(folder, "features") == [] and load_cache(folder, "features") == day4 | {"new": 1}


def test_segments_are_at_most_a_few_and_never_foreign_files(tmp_path):
    folder = tmp_path / "cache"
    entries = {"k0": 0}
    write_cache(folder, {"digests": entries})
    for i in range(1, SEGMENTS + 2):
        entries = entries | {f"k{i}": i}
        write_cache(folder, {"digests": entries}, grown={"digests": load_cache(folder, "digests")})
        assert len(cache_segments(folder, "digests")) == (i if i <= SEGMENTS else 0)
    assert load_cache(folder, "digests") == entries
    # A foreign file where a segment would be: written whole, the file left as it was.
    entries = entries | {"more": 1}
    write_cache(folder, {"digests": {"k0": 0}}, grown={"digests": {}})
    write_cache(folder, {"digests": {"k0": 0, "k1": 1}}, grown={"digests": {"k0": 0}})
    (folder / "digests.2.pickle").write_bytes(b"the author's notes")
    write_cache(folder, {"digests": entries}, grown={"digests": load_cache(folder, "digests")})
    assert (folder / "digests.2.pickle").read_bytes() == b"the author's notes"
    assert not (folder / "digests.1.pickle").exists() and load_cache(folder, "digests") == entries


def test_a_damaged_segment_loses_only_its_own_entries(tmp_path):
    folder = tmp_path / "cache"
    write_cache(folder, {"features": {"a": 1}})
    write_cache(folder, {"features": {"a": 1, "b": 2}}, grown={"features": {"a": 1}})
    write_cache(folder, {"features": {"a": 1, "b": 2, "c": 3}}, grown={"features": {"a": 1, "b": 2}})
    segment = folder / "features.1.pickle"
    segment.write_bytes(segment.read_bytes()[:-5])
    assert load_cache(folder, "features") == {"a": 1, "c": 3}


def test_a_patched_kind_writes_what_changed_and_is_read_whole_or_not_at_all(tmp_path):
    folder = tmp_path / "cache"
    day1 = {"files": ("a",), "papers": {f"p{i}": (i,) for i in range(12)}}
    write_cache(folder, {"collection": day1}, patched={"collection": {}})  # nothing before: written whole
    base = (folder / "collection.pickle").read_bytes()
    before = load_cache(folder, "collection", patched=True)
    day2 = {"files": ("a", "b"), "papers": {**before["papers"], "p3": ("listed again",), "p12": (12,)}}
    write_cache(folder, {"collection": day2}, patched={"collection": before})
    assert (folder / "collection.pickle").read_bytes() == base
    (segment,) = cache_segments(folder, "collection")
    assert pickle.loads(segment.read_bytes().split(b"\n", 2)[2]) == {
        "files": ("a", "b"), "papers": {"p3": ("listed again",), "p12": (12,)}}
    assert load_cache(folder, "collection", patched=True) == day2
    # Equal but not the same object is written again: the check costs a pointer, not a comparison.
    before = load_cache(folder, "collection", patched=True)
    write_cache(folder, {"collection": {**before, "papers": {**before["papers"], "p0": (0,)}}},
                patched={"collection": before})
    assert len(cache_segments(folder, "collection")) == 2 and load_cache(folder, "collection", patched=True) == day2
    # A patch lost loses the kind: what it changed cannot be told apart from what it did not.
    segment.write_bytes(segment.read_bytes()[:-5])
    assert load_cache(folder, "collection", patched=True) == {}
    # An entry dropped, or more than a quarter changed: written whole, segments gone.
    write_cache(folder, {"collection": day2}, patched={"collection": {}})
    before = load_cache(folder, "collection", patched=True)
    fewer = {"files": ("a", "b"), "papers": {k: v for k, v in before["papers"].items() if k != "p5"}}
    write_cache(folder, {"collection": fewer}, patched={"collection": before})
    assert cache_segments(folder, "collection") == [] and load_cache(folder, "collection", patched=True) == fewer
    before = load_cache(folder, "collection", patched=True)
    many = {**before, "papers": {k: (k,) for k in before["papers"]}}
    write_cache(folder, {"collection": many}, patched={"collection": before})
    assert cache_segments(folder, "collection") == [] and load_cache(folder, "collection", patched=True) == many


def test_a_daily_build_keeps_the_collection_and_vectors_by_writing_the_days_papers_only(tmp_path, monkeypatch):
    from generator.analysis import similarity

    monkeypatch.setattr(similarity, "FIT_FROM", 20)  # weights fitted on the first day's papers: kept
    digests = tmp_path / "content" / "digests"
    digests.mkdir(parents=True)

    def word(i):  # a word of each paper's own, so that each text has a vector of its own
        return "".join(pair[i >> bit & 1] for bit, pair in enumerate(("ab", "cd", "ef", "gh", "ij", "kl")))

    def day(name, ids):
        (digests / name).write_text("".join(json.dumps({
            "id": f"2501.{i:05d}", "title": f"Study {i} of vision models",
            "summary": f"We study {word(i)} on {('cats', 'dogs', 'birds', 'fish', 'trees', 'cars', 'boats')[i % 7]}.",
            "authors": ["A. Author"], "categories": ["cs.LG"], "comment": "", "abs": "", "pdf": ""}) + "\n"
            for i in ids), encoding="utf-8")

    folder = tmp_path / "cache"
    day("2025-01-06.jsonl", range(1, 40))
    _build(tmp_path / "content", folder)
    assert cache_segments(folder, "collection") == []
    weights = (folder / "vectors.pickle").read_bytes()
    day("2025-01-07.jsonl", range(36, 45))  # four listed again, five new
    _build(tmp_path / "content", folder)
    (segment,) = cache_segments(folder, "collection")
    written = pickle.loads(segment.read_bytes().split(b"\n", 2)[2])
    assert set(written["papers"]) == set(written["keys"]) == {f"2501-{i:05d}" for i in range(36, 45)}
    # The vocabulary and weights stay; the rows of the five new texts are added.
    assert (folder / "vectors.pickle").read_bytes() == weights
    (segment,) = cache_segments(folder, "rows")
    assert len(pickle.loads(segment.read_bytes().split(b"\n", 2)[2])) == 5
    # The names side's memos are patched with the five new papers' entries alone.
    new = {f"2501-{i:05d}" for i in range(40, 45)}
    (segment,) = cache_segments(folder, "mentions")
    patch = pickle.loads(segment.read_bytes().split(b"\n", 2)[2])
    assert set(patch["state"]) == set(patch["results"]) == new
    assert set(patch["papers"]) == {written["keys"][pid] for pid in new}
    (segment,) = cache_segments(folder, "words")
    assert set(pickle.loads(segment.read_bytes().split(b"\n", 2)[2])["papers"]) == {written["keys"][pid] for pid in new}
    # The next build adds to the collection as the file and its segment give it.
    day("2025-01-08.jsonl", range(44, 50))
    site = _build(tmp_path / "content", folder)
    assert len(cache_segments(folder, "collection")) == 2 and "collection" in site.cache
    assert site.files == build_site(tmp_path / "content", cache=None).files
    # Past the next step of the fit every row is weighed again, and the next day's build takes
    # those rows, not the earlier fit's kept beside them.
    day("2025-01-09.jsonl", range(50, 62))
    site = _build(tmp_path / "content", folder)
    assert (folder / "vectors.pickle").read_bytes() != weights and "rows" in site.cache
    day("2025-01-10.jsonl", range(62, 64))
    site = _build(tmp_path / "content", folder)
    assert (folder / "vectors.pickle").read_bytes() != weights and cache_segments(folder, "rows")
    assert site.files == build_site(tmp_path / "content", cache=None).files
