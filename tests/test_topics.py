"""Topics: good with no configuration, editable by a person, stable as days are added."""
import html
import re
import shutil
import subprocess
import sys

import numpy as np
import yaml
from hypothesis import example, given, settings, strategies as st

from generator.analysis.topics import lower_quartile
from generator.build import build_site

from conftest import ROOT

SYNTHETIC = ROOT / "tests/quality/digests/2025-09-12.txt"


def assignments(site):
    return {(pid, tid) for pid, tids in site.analysis.paper_topics.items() for tid in tids}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True, text=True)


def test_bundled_digest_gets_named_topics_of_bounded_size():
    site = build_site(ROOT / "content")
    topics = site.analysis.topics
    assert 8 <= len(topics) <= 20, [t.name for t in topics]
    n = len(site.collection.papers)
    assert all(1 <= len(t) <= 3 for t in site.analysis.paper_topics.values())
    assert all(len(t.papers) <= n // 4 for t in topics if not t.curated)
    for t in topics:
        assert t.name and not t.name.lower().startswith("topic") and len(t.name.split(" · ")) <= 2
        assert t.keyphrases and t.description
    reasons = site.analysis.topic_reasons
    assert all(reasons[pid][tid] for pid, tids in site.analysis.paper_topics.items() for tid in tids)


def test_judged_topic_pairs():
    site = build_site(ROOT / "content")
    judged = yaml.safe_load((ROOT / "tests/quality/topic-pairs-2025-08-05.yml").read_text(encoding="utf-8"))
    by_title = {p.title: pid for pid, p in site.collection.papers.items()}
    topics = {pid: set(t) for pid, t in site.analysis.paper_topics.items()}
    results = []
    for kind, want in (("same_topic", True), ("different_topic", False)):
        for pair in judged[kind]:
            a, b = by_title[pair["a"]], by_title[pair["b"]]
            results.append((bool(topics[a] & topics[b]) == want, kind, pair["a"][:40], pair["b"][:40]))
    assert len(results) >= 30
    agreed = sum(ok for ok, *_ in results) / len(results)
    assert agreed >= 0.9, (agreed, [r for r in results if not r[0]])


def test_adding_a_day_keeps_names_urls_and_assignments(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "topics.lock.yml").unlink(missing_ok=True)
    assert cli("build", "--content", content, "--out", tmp_path / "a").returncode == 0
    before = build_site(content)
    shutil.copy(SYNTHETIC, content / "digests/2025-09-12.txt")
    assert cli("build", "--content", content, "--out", tmp_path / "b").returncode == 0
    after = build_site(content)
    names_before = {t.id: t.name for t in before.analysis.topics}
    names_after = {t.id: t.name for t in after.analysis.topics}
    assert all(names_after.get(tid) == name for tid, name in names_before.items())
    for tid in names_before:
        assert (tmp_path / "b/topics" / f"{tid}.md").exists()
    kept = len(assignments(before) & assignments(after)) / len(assignments(before))
    assert kept >= 0.9, kept
    # A topic keeps its key phrases, and so a paper that stays in it keeps its reason: the new
    # day rewrites no old paper's page for a reason that only reworded itself. (The new day
    # lists a few papers again with another abstract: their reasons may change.)
    phrases_before = {t.id: t.keyphrases for t in before.analysis.topics if not t.curated}
    assert all(t.keyphrases == phrases_before[t.id] for t in after.analysis.topics if t.id in phrases_before)
    same_text = {pid for pid, p in before.collection.papers.items()
                 if (p.title, p.abstract) == (after.collection.papers[pid].title, after.collection.papers[pid].abstract)}
    kept_pairs = {(pid, tid) for pid, tid in assignments(before) & assignments(after) if pid in same_text}
    reworded = [(pid, tid) for pid, tid in kept_pairs
                if before.analysis.topic_reasons[pid][tid] != after.analysis.topic_reasons[pid][tid]]
    assert len(kept_pairs) >= 50 and not reworded, reworded[:5]
    common = {p.title for p in before.collection.papers.values()} & {
        p.title for p in after.collection.papers.values() if p.dates == (after.collection.days[-1],)} 
    assert len(after.collection.papers) > 100 and not common  # papers listed again keep their page
    assert all(1 <= len(t) <= 3 for t in after.analysis.paper_topics.values())


def test_a_lock_without_key_phrases_is_completed_and_changes_nothing(tmp_path):
    """Locks written before topics kept their key phrases still read; the build works the
    phrases out as before and writes them into the lock."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "topics.lock.yml").unlink(missing_ok=True)
    assert cli("build", "--content", content, "--out", tmp_path / "a").returncode == 0
    original = (content / "topics.lock.yml").read_text(encoding="utf-8")
    lock = yaml.safe_load(original)
    assert all(t["phrases"] for t in lock["topics"] if t["papers"])
    older = re.sub(r"  phrases:\n(?:  - .*\n)+", "", original)
    assert yaml.safe_load(older) == {**lock, "topics": [{k: v for k, v in t.items() if k != "phrases"}
                                                         for t in lock["topics"]]}
    (content / "topics.lock.yml").write_text(older, encoding="utf-8")
    assert cli("build", "--content", content, "--out", tmp_path / "b").returncode == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files
                         if f.name != ".papersite-manifest.json")
    assert (content / "topics.lock.yml").read_text(encoding="utf-8") == original


def test_topics_suggest_round_trips_into_a_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    result = cli("topics", "suggest", "--content", content)
    assert result.returncode == 0, result.stderr
    proposal = yaml.safe_load((content / "topics.yml").read_text(encoding="utf-8"))
    names = [t["name"] for t in proposal["topics"]]
    assert len(names) >= 8 and all(t["phrases"] for t in proposal["topics"])
    again = cli("topics", "suggest", "--content", content)
    assert again.returncode == 2 and "never overwrites" in again.stderr
    site = build_site(content)
    curated = [t for t in site.analysis.topics if t.curated]
    assert {t.name for t in curated} <= set(names) and len(curated) >= len(names) - 2
    assert all(1 <= len(t) <= 3 for t in site.analysis.paper_topics.values())
    assert cli("build", "--content", content, "--out", tmp_path / "out").returncode == 0


def test_curated_topics_assign_by_phrase_and_show_why(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "topics.yml").write_text(yaml.safe_dump({"topics": [
        {"name": "Learning without forgetting", "description": "Models that learn new tasks and keep the old.",
         "phrases": ["continual learning", "catastrophic forgetting"], "parent": "Representation learning"},
        {"name": "Representation learning", "phrases": ["representation learning"]},
    ]}), encoding="utf-8")
    site = build_site(content)
    rehearsal = "a-closer-look-at-rehearsal-free-continual-learning"
    assert site.analysis.paper_topics[rehearsal][0] == "learning-without-forgetting"
    assert site.analysis.topic_reasons[rehearsal]["learning-without-forgetting"].startswith("matched '")
    page = site.files[f"papers/{rehearsal}.md"]
    # The reason is the topic link's tooltip: HTML-escaped once, in an attribute.
    assert "Learning without forgetting" in page and "matched &#39;" not in page and "&amp;#" not in page
    assert "title=\"matched 'continual learning'\"" in html.unescape(page)
    topic_page = site.files["topics/learning-without-forgetting.md"]
    assert "Part of [Representation learning](representation-learning.md)" in topic_page
    assert "Models that learn new tasks and keep the old." in topic_page


def _keyphrases_over_the_whole_vocabulary(rows, present, df, terms, worthy, titled, words, n):
    """The key phrases as they were chosen before they were scored over the group's own words."""
    import numpy as np

    inside = np.asarray(present[rows].sum(axis=0)).ravel()
    frac = inside / max(1, len(rows))
    purity = inside / np.maximum(df, 1)
    in_titles = np.asarray(titled[rows].sum(axis=0)).ravel() / max(1, len(rows))
    score = frac * purity * np.where(words > 1, 2.0, 1.0) * (1.0 + 2.0 * in_titles)
    score = np.where(worthy & (inside >= min(2, len(rows))), score, 0.0)
    top = np.flatnonzero(score > 0)
    scored = len(top)
    if len(top) > 400:
        top = top[np.argpartition(-score[top], 400)[:400]]
    chosen = []
    for idx in top[np.lexsort((terms[top], -score[top]))]:
        if score[idx] <= 0:
            break
        term = str(terms[idx])
        if not any(term in c or c in term for c in chosen):
            chosen.append(term)
            if len(chosen) == n:
                break
    return chosen, scored


def test_key_phrases_over_a_groups_own_words_are_those_over_the_whole_vocabulary():
    """Scoring only the features a group writes chooses what scoring all of them chose, also
    where more than 400 features score and ties are cut (many equal scores)."""
    import numpy as np
    from scipy import sparse

    from generator.analysis.phrases import is_name_worthy
    from generator.analysis.topics import _Vectors

    rng = np.random.default_rng(7)
    n, width = 300, 2000
    # Some features open on a weak word ("model", "based"): not worthy of a name.
    terms = sorted({" ".join(rng.choice(list("abcdefgh") + ["model", "based"], size=rng.integers(1, 4)).tolist())
                    + ("" if i % 7 else " learning") + f"{i}" for i in range(width)})
    dense = (rng.random((n, width)) < 0.05) * 1.0  # equal weights: many equal scores
    matrix = sparse.csr_matrix(dense.astype(np.float32))
    titled = sparse.csr_matrix((rng.random((n, width)) < 0.01).astype(np.float64) * (dense > 0))
    collection = type("C", (), {"papers": {f"p{i:03d}": None for i in range(n)}})()
    vectors = _Vectors(collection, matrix, terms, titled)
    # Every feature judged at once, as the vocabulary's worthiness and word counts were before.
    worthy = np.fromiter(map(is_name_worthy, vectors.terms.tolist()), dtype=bool)
    words = np.char.count(vectors.terms, " ") + 1
    most = 0
    for size in (1, 2, 15, 120, 300):
        group = [f"p{i:03d}" for i in rng.choice(n, size=size, replace=False)]
        rows = vectors.rows(group)
        expected, scored = _keyphrases_over_the_whole_vocabulary(rows, vectors.present, vectors.df, vectors.terms,
                                                                 worthy, titled, words, 12)
        assert vectors.keyphrases(group, n=12) == expected
        most = max(most, scored)
    assert most > 400  # the cut to the best 400 was made


def test_a_daily_build_reuses_the_reasons_of_papers_whose_text_and_topic_phrases_are_the_same(tmp_path, monkeypatch):
    """Why a paper is in its topic is a function of the topic's phrases and the paper's words:
    kept in the cache, it is worked out again only for new papers, papers whose text changed and
    topics whose phrases did; the site is the one a build without the cache makes."""
    from generator.analysis import topics as topics_module

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "topics.lock.yml").unlink(missing_ok=True)
    cache = tmp_path / "cache"
    first = build_site(content, cache=cache)
    (content / "topics.lock.yml").write_text(first.lock, encoding="utf-8")
    shutil.copy(SYNTHETIC, content / "digests/2025-09-12.txt")

    worked_out = []
    real = topics_module._reason

    def counting(phrases):
        reason = real(phrases)
        return lambda words: worked_out.append(words) or reason(words)

    monkeypatch.setattr(topics_module, "_reason", counting)
    daily = build_site(content, cache=cache)
    new = [p for p in daily.collection.papers.values() if p.id not in first.collection.papers
           or (p.title, p.abstract) != (first.collection.papers[p.id].title, first.collection.papers[p.id].abstract)]
    assert 0 < len(worked_out) <= len(new) < len(daily.collection.papers) // 2
    worked_out.clear()
    assert build_site(content, cache=cache).files == daily.files and worked_out == []
    monkeypatch.undo()
    assert daily.files == build_site(content, cache=None).files


@settings(max_examples=500, deadline=None)
@given(st.lists(st.floats(-1.0, 1.0) | st.sampled_from([0.0, -0.0, 0.25, -0.5, 1e-9]), min_size=1, max_size=40))
@example([-0.0])  # one value: numpy weighs it 1, which keeps the sign of a zero
@example([0.0] * 7 + [-0.0] * 2 + [0.0] * 6)  # which zero lands where numpy's partition puts it
def test_the_lower_quartile_is_numpys_percentile_to_the_bit(values):
    """A topic's cohesion (the lower quartile of its members' cosines) is the number that
    np.percentile gives, ties and every length's interpolation included, down to the sign of a
    zero."""
    array = np.asarray(values, dtype=np.float64)
    assert lower_quartile(array.copy()).hex() == float(np.percentile(array, 25)).hex()
