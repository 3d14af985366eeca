"""The daily build reuses what earlier builds worked out, and gives exactly the site a build from
scratch gives: related lists merged with the new papers, names looked for only where they are
new, word weights that hold still between steps."""
import datetime as dt
import json
import lzma
import subprocess
import sys
import zlib
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from scipy import sparse

from conftest import ROOT

from generator.analysis import scans
from generator.analysis.scans import WordScan, _WholeWords, automaton, whole_words
from generator.analysis import similarity
from generator.analysis.similarity import fitted_papers, related_papers

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-daily"


def _collection(ids, dates=None):
    dates = dates or [dt.date(2025, 1, 1)] * len(ids)
    return SimpleNamespace(papers={pid: SimpleNamespace(id=pid, dates=(d,), title=f"T {pid}", abstract="")
                                   for pid, d in zip(ids, dates)})


def _rows(n, width=40, seed=0):
    """Sparse non-negative unit rows, with many shared features so that lists compete."""
    rng = np.random.default_rng(seed)
    dense = rng.random((n, width)) * (rng.random((n, width)) < 0.15)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.csr_matrix(dense.astype(np.float32))


def _few_features(n, width=200, seed=0):
    """Unit rows of two random features each: a row shares features with a few others only."""
    rng = np.random.default_rng(seed)
    dense = np.zeros((n, width))
    for i in range(n):
        dense[i, rng.choice(width, 2, replace=False)] = rng.random(2) + 0.1
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.csr_matrix(dense.astype(np.float32))


def test_closest_candidates_are_each_rows_best_and_give_the_lists_of_a_dense_product():
    """The candidates of a build from scratch are each row's best cosines (itself included) that
    reach the least weight, the same float32 numbers as scipy's product; the lists made from
    them are the closest by a dense product, ties by id."""
    rows = _rows(300, seed=3)
    found = similarity._closest_candidates(rows, 20, 0.02)
    product = (rows @ rows.T).tocsr()
    for i in range(300):
        cols, vals = found.indices[found.indptr[i]:found.indptr[i + 1]], found.data[found.indptr[i]:found.indptr[i + 1]]
        row = product[i].toarray().ravel()
        assert len(cols) == min(21, int((row >= np.float32(0.02)).sum()))
        assert np.array_equal(vals, row[cols])  # the same numbers
        assert vals.min() >= np.sort(row)[::-1][min(20, len(row) - 1)]  # none better left out
    collection = _collection([f"p{i:04d}" for i in range(300)])
    whole, _ = related_papers(collection, rows, k=5)
    dense = (rows @ rows.T).toarray().astype(np.float64)
    np.fill_diagonal(dense, -1)
    for i in range(300):
        closest = [f"p{j:04d}" for j in np.argsort(-dense[i], kind="stable")[:5] if dense[i, j] >= 0.02]
        assert [r.target for r in whole[f"p{i:04d}"]] == closest


def test_on_large_collections_the_lists_are_the_candidates_closest_by_the_full_rows(monkeypatch):
    """Past ``EXACT_UP_TO`` papers, each paper's candidates are its closest by the rows cut to
    their heaviest features, and its list the candidates closest by the full rows: cosines of
    the full rows, the same float32 numbers as scipy's product, ties by id."""
    monkeypatch.setattr(similarity, "EXACT_UP_TO", 50)
    monkeypatch.setattr(similarity, "FEATURES_PER_PAPER", 3)
    monkeypatch.setattr(similarity, "CANDIDATES", 8)
    monkeypatch.setattr(similarity, "_PAIRS", 500)
    rows = _rows(300, seed=5)
    ids = [f"p{i:04d}" for i in range(300)]
    lists, state = related_papers(_collection(ids), rows, k=5)
    cut = similarity.strongest_features(rows, 3)
    by_cut, by_full = (cut @ cut.T).toarray(), (rows @ rows.T).toarray()
    floor = np.float32(0.02)
    differ = 0
    for i, pid in enumerate(ids):
        others = [j for j in range(300) if j != i]
        candidates = sorted((j for j in others if by_cut[i, j] >= floor),
                            key=lambda j: (-round(float(by_cut[i, j]), 6), ids[j]))[:8]
        assert state[pid][1] == tuple(ids[j] for j in candidates)
        listed = sorted((j for j in candidates if by_full[i, j] >= floor),
                        key=lambda j: (-round(float(by_full[i, j]), 6), ids[j]))[:5]
        assert [(r.target, r.weight) for r in lists[pid]] == [(ids[j], round(float(by_full[i, j]), 4)) for j in listed]
        closest = sorted(others, key=lambda j: (-round(float(by_full[i, j]), 6), ids[j]))[:5]
        differ += listed != closest
    assert 0 < differ < 300  # the cut rows miss some of the closest papers, and find most


@pytest.mark.parametrize("few", [False, True])  # True: rows of two features in 200, few candidates each
@pytest.mark.parametrize("pruned", [False, True])
@pytest.mark.parametrize("block", [2048, 16])
@pytest.mark.parametrize("change", ["add", "add-and-change", "add-and-remove", "nothing"])
def test_merged_related_lists_equal_a_full_computation(change, block, pruned, few, monkeypatch):
    monkeypatch.setattr(similarity, "_BLOCK", block)
    if pruned:  # candidates by rows cut to 3 features, rescored by the full rows, in small batches
        monkeypatch.setattr(similarity, "EXACT_UP_TO", 50)
        monkeypatch.setattr(similarity, "FEATURES_PER_PAPER", 3)
        monkeypatch.setattr(similarity, "CANDIDATES", 8)
        monkeypatch.setattr(similarity, "_PAIRS", 500)
    rows = _rows(400) if not few else _few_features(400, seed=1)
    ids = [f"p{i:04d}" for i in range(400)]
    old = list(range(300))
    _, state = related_papers(_collection([ids[i] for i in old]), rows[old], k=5)
    now = list(range(400)) if change != "nothing" else old
    matrix = rows[now].tolil()
    if change == "add-and-change":  # an old paper's text changed: its row is not what it was
        matrix[7] = (_rows(1, seed=9) if not few else _few_features(1, seed=9))[0].toarray()
    if change == "add-and-remove":  # a digest was taken away: old papers left the collection
        now = [i for i in now if i % 50]
        matrix = rows[now]
    collection = _collection([ids[i] for i in now])
    merged, merged_state = related_papers(collection, sparse.csr_matrix(matrix), k=5, previous=state)
    full, full_state = related_papers(collection, sparse.csr_matrix(matrix), k=5)
    assert merged == full and merged_state == full_state
    if not few:  # the lists are full: the test compares something
        assert sum(map(len, full.values())) > 4 * len(now)
    else:  # some papers have fewer candidates than they may keep, which any new paper joins
        assert sum(map(len, full.values())) > len(now)
        assert any(len(entry[1]) < similarity.CANDIDATES for entry in full_state.values())


def test_known_texts_are_searched_only_for_new_forms_and_find_the_same():
    collection = SimpleNamespace(papers={
        "a": SimpleNamespace(id="a", title="CLIP and friends", abstract="We use clip-based Model Soups, not CLIPPER.",
                             links=()),
        "b": SimpleNamespace(id="b", title="SAM 2", abstract="Segment anything with model soups and SAM.", links=()),
    })
    first = WordScan(collection)
    assert first.written({"raw": {"CLIP", "SAM"}})["raw"] == [{"CLIP"}, {"SAM"}]
    assert first.written({"low": {"model soups"}})["low"] == [{"model soups"}, {"model soups"}]
    memo = first.memo()
    again = WordScan(collection, memo)
    # Known forms come from the memo; "CLIPPER" and "segment anything" are looked for afresh.
    assert again.written({"raw": {"CLIP", "CLIPPER", "SAM 2"}})["raw"] == [{"CLIP", "CLIPPER"}, {"SAM 2"}]
    assert again.written({"low": {"segment anything"}})["low"] == [set(), {"segment anything"}]
    fresh = WordScan(collection)
    assert fresh.written({"raw": {"CLIP", "CLIPPER", "SAM 2"}})["raw"] == [{"CLIP", "CLIPPER"}, {"SAM 2"}]


def test_both_modes_read_in_one_pass_find_what_each_mode_alone_finds():
    collection = SimpleNamespace(papers={
        "a": SimpleNamespace(id="a", title="CLIP and friends", abstract="We use clip-based Model Soups, not CLIPPER.",
                             links=()),
        "b": SimpleNamespace(id="b", title="SAM 2", abstract="Segment anything with model soups and SAM.", links=()),
    })
    asked = {"raw": {"CLIP", "SAM"}, "low": {"model soups"}}
    first = WordScan(collection)
    together = first.written(asked)
    alone = WordScan(collection)
    assert together == {mode: alone.written({mode: forms})[mode] for mode, forms in asked.items()}
    assert first.memo() == alone.memo()
    later = {"raw": {"CLIP", "CLIPPER", "SAM 2"}, "low": {"segment anything"}}
    again, apart = WordScan(collection, first.memo()), WordScan(collection, alone.memo())
    assert again.written(later) == {mode: apart.written({mode: forms})[mode] for mode, forms in later.items()}
    assert again.memo() == apart.memo()


@pytest.mark.parametrize("abstract", ["We compare CLIP with SAM. Then BLIP and model soups follow.",
                                      "We compare CLIP with SAM, and model soups."])
def test_a_known_text_loses_the_dropped_forms_and_gains_the_new_ones_as_a_fresh_scan_finds(abstract):
    """A text scanned before keeps its hits, less those of forms no longer looked for, plus those of
    new forms (the second abstract writes none: its hits are reused without a look)."""
    from generator.analysis.mentions import _automata, _boundary_ok, _units

    title = "CLIP and SAM"
    whole = f"{title} {abstract}"

    def units():
        return _units(title, abstract)[0]

    old = frozenset({(True, "CLIP"), (True, "SAM"), (False, "model soups")})
    now = frozenset({(True, "CLIP"), (True, "BLIP"), (False, "model soups")})
    first = scans.scan_hits(whole, units, old, None, _automata(old), _automata(old), _boundary_ok)
    again = scans.scan_hits(whole, units, now, first, _automata(now), _automata(now - old), _boundary_ok, old - now)
    fresh = scans.scan_hits(whole, units, now, None, _automata(now), _automata(now), _boundary_ok)
    assert again == fresh
    assert (True, "SAM") in first[1] and (True, "SAM") not in again[1] and (False, "model soups") in again[1]
    assert ((True, "BLIP") in again[1]) == ("BLIP" in abstract)


_UNIT_CHARS = "aAbΣσς -.\0İ's"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_UNIT_CHARS, max_size=12), min_size=1, max_size=4),
       st.sets(st.tuples(st.booleans(), st.text(_UNIT_CHARS, min_size=1, max_size=4)), min_size=1, max_size=6))
@example(["aΣ", "İ"], {(False, "aς")})  # a final sigma, where another unit lowers to more letters
@example(["a", "b"], {(True, "a\0b")})  # a form across two units
def test_units_read_as_one_text_give_what_each_read_alone_gives(units, forms):
    """scan_hits reads a paper's units joined by NULs, once per automaton: its hits are those of
    each unit read alone (the forms of lowered units: hyphens as spaces, a final sigma as it lowers
    at a unit's end, a letter that lowers to two characters anywhere), and none across units."""
    from generator.analysis.mentions import _automata, _boundary_ok

    forms = frozenset((cs, form if cs else scans.lower_same_length(form)) for cs, form in forms)
    sensitive, insensitive = _automata(forms)
    expected = []
    for unit in units:  # the way before: unit by unit
        found = []
        for auto, text in ((sensitive, unit), (insensitive, scans.lower_same_length(unit))):
            for start, end, (cs, form) in (auto.find(text) if auto is not None else ()):
                if _boundary_ok(unit, start, end):
                    found.append((start, end, cs, form))
        expected.append(tuple(sorted(found)))
    hits, written = scans.scan_hits(" ".join(units), lambda: units, forms, None, (sensitive, insensitive),
                                    (sensitive, insensitive), _boundary_ok)
    assert hits == tuple(expected)
    assert written == frozenset((h[2], h[3]) for unit in expected for h in unit)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(_UNIT_CHARS + "ABs1_’-", max_size=14), min_size=1, max_size=4),
       st.sets(st.tuples(st.booleans(), st.text(_UNIT_CHARS + "ABs1_’-", min_size=1, max_size=5)), min_size=1, max_size=8))
@example(["We use CLIPs and CLIPes."], {(True, "CLIP")})  # a name run on with an ending
@example(["the GPT-4 and", "(x) here"], {(True, "GPT-4"), (True, "(x)"), (True, "GPT")})
@example(["aΣ b", "İa"], {(False, "aς b"), (False, "a")})
def test_the_forms_kept_for_unread_texts_find_what_all_forms_find(units, forms):
    """A day's new texts are read for the forms that may be written in them
    (:func:`.scans.forms_written_in`): the hits are those that all the forms give."""
    from generator.analysis.mentions import _ENDINGS, _automata, _boundary_ok

    forms = frozenset((cs, form if cs else scans.lower_same_length(form)) for cs, form in forms)
    kept = scans.forms_written_in(forms, [scans.searched_texts(units)], _ENDINGS)
    everything = _automata(forms)
    found = scans.scan_hits(" ".join(units), lambda: units, forms, None, everything, everything, _boundary_ok)
    picked = scans.scan_hits(" ".join(units), lambda: units, forms, None, _automata(kept), _automata(kept), _boundary_ok)
    assert picked == found
    assert found[1] <= kept


def _forms_written_in_by_pattern(forms, texts, endings):
    """:func:`.scans.forms_written_in` as it was written first, with the regular expression of a
    run for each form and each text."""
    run = scans._RUN
    runs = {True: set(), False: set()}
    for written, lowered in texts:
        runs[True].update(run.findall(written))
        runs[False].update(run.findall(lowered))

    def ends(word, known):
        return word in known or any(word + ending in known for ending in endings)

    kept = []
    for pair in forms:
        cs, form = pair
        first = run.match(form)
        if first is None:
            kept.append(pair)
            continue
        known = runs[cs]
        if first.end() == len(form):
            if ends(form, known):
                kept.append(pair)
        elif first.group() in known:
            rest = run.findall(form, first.end())
            if not form[-1].isalnum():
                if known.issuperset(rest):
                    kept.append(pair)
            elif known.issuperset(rest[:-1]) and ends(rest[-1], known):
                kept.append(pair)
    return frozenset(kept)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(_UNIT_CHARS + "ABs1_’-é²Σ\x00", max_size=20), min_size=1, max_size=4),
       st.sets(st.tuples(st.booleans(), st.text(_UNIT_CHARS + "ABs1_’-é²Σ", max_size=8)), max_size=10))
@example(["We use CLIPs, GPT-4 and the x² model."], {(True, "CLIP"), (True, "GPT-4"), (True, "x²"), (False, "x² model"),
                                                      (True, "²x"), (True, ""), (True, "é"), (True, "CLIP-")})
def test_the_forms_kept_for_unread_texts_are_those_the_pattern_of_a_run_keeps(units, forms):
    """Runs cut from UTF-8 (and from an ASCII string's bytes by a table) are the runs the
    regular expression finds: the same forms are kept, for any text and form."""
    from generator.analysis.mentions import _ENDINGS

    texts = [scans.searched_texts(units), (" ".join(units), " ".join(units).lower())]
    assert scans.forms_written_in(frozenset(forms), texts, _ENDINGS) == _forms_written_in_by_pattern(forms, texts, _ENDINGS)


def test_the_forms_kept_for_unread_texts_leave_out_what_they_cannot_write():
    from generator.analysis.mentions import _ENDINGS

    forms = frozenset({(True, "CLIP"), (True, "SAM"), (True, "GPT-4"), (False, "model soup"), (True, "(x)"),
                       (True, "Mamba")})
    texts = [scans.searched_texts(["We fine-tune CLIPs and GPT-4.", "Model soups help."])]
    assert scans.forms_written_in(forms, texts, _ENDINGS) == {(True, "CLIP"), (True, "GPT-4"),
                                                              (False, "model soup"), (True, "(x)")}


_CHARS = "abAB1é_- .(İ'ß"
_ASCII = "abzAZ09_- .,(\t'/"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([_CHARS, _ASCII]).flatmap(lambda chars: st.tuples(
    st.text(chars, max_size=40),
    st.sets(st.text(chars, min_size=1, max_size=5).filter(lambda f: f == f.strip()), max_size=8))))
def test_whole_words_by_runs_are_those_of_the_automaton(case):
    """The runs' shortcut (one-run forms by set intersection, used for many forms; the runs of
    an ASCII text cut from its bytes) finds what the automaton does (forms are names: they
    neither begin nor end with a space)."""
    text, forms = case
    padded = f" {text} "
    expected = whole_words(automaton(forms), padded)
    assert _WholeWords(forms)(padded) == expected  # few forms: the automaton alone
    saved, scans._FEW = scans._FEW, 0
    try:
        assert _WholeWords(forms)(padded) == expected
    finally:
        scans._FEW = saved


@pytest.fixture(params=["dict", "arrow"])
def numbering(request, monkeypatch):
    """Both ways of numbering the vocabulary: a dict below ``ARROW_FROM`` papers, Arrow from it."""
    if request.param == "arrow":
        monkeypatch.setattr(similarity, "ARROW_FROM", 0)
    return request.param


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(papers=st.lists(st.lists(st.sampled_from(["a", "b", "a b", "c", "b c a", "ab-c", "x'y"]), unique=True,
                                max_size=6), max_size=8))
def test_features_are_numbered_by_first_occurrence(numbering, papers):
    """Either way, each paper's features are numbered as a dict of first occurrences would: the
    vocabulary is the distinct features in the order they first appear, and each number names
    its feature. Papers without features count none (not one empty feature)."""
    per_paper = [("", "\n".join(words), b"") for words in papers]
    ids, sizes, vocabulary = similarity._numbered(per_paper)
    names = similarity._kept_names(vocabulary, np.arange(len(vocabulary)))
    flat = [w for words in papers for w in words]
    assert sizes.tolist() == [len(words) for words in papers]
    assert names == list(dict.fromkeys(flat))
    assert [names[i] for i in ids.tolist()] == flat
    assert isinstance(vocabulary, list) == (numbering == "dict")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(st.lists(st.sampled_from(["a", "b", "a b", "c"]), unique=True, max_size=4), max_size=6),
       features=st.lists(st.sampled_from(["a", "a b", "c", "d"]), unique=True))
def test_title_rows_by_arrow_are_those_by_a_dict(numbering, titles, features):
    """The whole vocabulary's title rows (by Arrow's lookup on large collections) are those of a
    dict lookup, a title's features outside the vocabulary left out."""
    per_paper = [("\n".join(t), "", b"") for t in titles]
    features = sorted(features)
    fast = similarity._all_title_rows(per_paper, features)
    slow = similarity._title_rows(per_paper, {f: i for i, f in enumerate(features)}, len(features))
    assert fast.shape == slow.shape and (fast != slow).nnz == 0


def test_text_vectors_are_scikit_learns_tfidf():
    """The vectors are scikit-learn's TfidfVectorizer(sublinear_tf=True) of each paper's features
    (the title twice), the vocabulary cut where it says (at most half of the papers under 200),
    and each title's features marked."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from generator.analysis.phrases import analyze
    from generator.build import read_collection
    from generator.settings import load_settings

    collection = read_collection(ROOT / "content", load_settings(ROOT / "content"))[0]
    papers = list(collection.papers.values())
    assert 20 <= len(papers) < 200
    matrix, features, titled, _ = similarity.tfidf_matrix(collection)
    vectorizer = TfidfVectorizer(analyzer=lambda p: analyze(p.title) * 2 + analyze(p.abstract),
                                 sublinear_tf=True, max_df=0.5, dtype=np.float64)
    expected = vectorizer.fit_transform(papers)
    assert features.tolist() == vectorizer.get_feature_names_out().tolist()
    assert abs(matrix - expected).max() < 1e-6
    titles = [set(analyze(p.title)) & set(features.tolist()) for p in papers]
    assert [set(features[titled[i].indices].tolist()) for i in range(len(papers))] == titles


def test_text_vectors_are_the_same_whichever_way_the_vocabulary_is_numbered(monkeypatch):
    """A dict below ``ARROW_FROM`` papers, Arrow from it: the same vectors, features and title
    rows, to the bit."""
    from generator.build import read_collection
    from generator.settings import load_settings

    collection = read_collection(ROOT / "content", load_settings(ROOT / "content"))[0]
    by_dict = similarity.tfidf_matrix(collection)
    monkeypatch.setattr(similarity, "ARROW_FROM", 0)
    by_arrow = similarity.tfidf_matrix(collection)
    for one, other in zip(by_dict[:3:2], by_arrow[:3:2]):
        assert one.dtype == other.dtype and one.shape == other.shape
        assert (one.indptr.tolist(), one.indices.tolist(), one.data.tobytes()) == \
            (other.indptr.tolist(), other.indices.tolist(), other.data.tobytes())
    assert by_dict[1].tolist() == by_arrow[1].tolist()
    assert by_dict[3] == by_arrow[3]


def test_word_weights_are_fitted_on_the_earliest_days_in_steps_of_a_quarter():
    day = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(30)]
    # 100 papers a day: 500 papers are all fitted; at 550 the step of 500 holds (days 1-5).
    five = _collection([f"p{i}" for i in range(550)], [day[i // 100] for i in range(550)])
    assert fitted_papers(five).sum() == 500
    # 700 papers: the step is 625, reached on day 7, so every paper is fitted.
    seven = _collection([f"p{i}" for i in range(700)], [day[i // 100] for i in range(700)])
    assert fitted_papers(seven).all()
    small = _collection([f"p{i}" for i in range(40)])
    assert fitted_papers(small).all()


def _small_days(tmp_path, count, per_day):
    """Real arXiv papers, re-listed ``per_day`` a day: the fitted step then holds for several days."""
    lines = []
    for path in sorted(CORPUS.glob("*.jsonl.xz"))[:4]:
        with lzma.open(path, "rt", encoding="utf-8") as fh:
            lines.extend(line for line in fh if line.strip())
    seen, unique = set(), []
    for line in lines:
        pid = json.loads(line)["id"].split("v")[0]
        if pid not in seen:
            seen.add(pid)
            unique.append(line)
    assert len(unique) >= count * per_day
    days = []
    for i in range(count):
        name = (dt.date(2025, 3, 1) + dt.timedelta(days=i)).isoformat() + ".jsonl"
        (tmp_path / "pool").mkdir(exist_ok=True)
        (tmp_path / "pool" / name).write_text("".join(unique[i * per_day:(i + 1) * per_day]), encoding="utf-8")
        days.append(tmp_path / "pool" / name)
    return days


def test_day_by_day_builds_equal_a_build_from_scratch(tmp_path):
    """Eleven days of 50 papers, then a twelfth and a thirteenth, each built with the cache of the
    one before (the word weights hold at the step of 500 papers, so related lists are merged and
    names looked for only in new papers); a build without the cache gives the same files."""
    if not any(CORPUS.glob("*.jsonl.xz")):
        pytest.skip("the shared arXiv corpus is not beside the project")
    days = _small_days(tmp_path, 13, 50)
    content = tmp_path / "content"
    (content / "digests").mkdir(parents=True)
    cli = [sys.executable, "-m", "generator.cli", "build", "--content", str(content)]
    out = tmp_path / "out"
    for i, day in enumerate(days):
        (content / "digests" / day.name).symlink_to(day)
        if i < 10:
            continue
        result = subprocess.run(cli + ["--out", str(out)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    cache = tmp_path / ".cache" / "papersite"
    assert {"vectors.pickle", "neighbours.pickle", "words.pickle", "mentions.pickle"} <= {p.name for p in cache.iterdir()}
    fresh = tmp_path / "fresh"
    result = subprocess.run(cli + ["--out", str(fresh), "--no-cache"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

    def tree(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    assert tree(out) == tree(fresh)


def test_the_names_side_cosine_from_bytes_is_the_double_sum_of_scipys_rows():
    """The names side gets the text vectors as bytes (neither SciPy nor numpy to import there)
    and must tell owners of a shared name apart as SciPy's row product does: the same products,
    summed in double precision in the order of the features, whichever paper comes first."""
    from generator.analysis import _cosine, _rows
    from generator.build import read_collection
    from generator.settings import load_settings

    collection = read_collection(ROOT / "content", load_settings(ROOT / "content"))[0]
    matrix = similarity.tfidf_matrix(collection)[0]
    ids = list(collection.papers)
    cosine = _cosine(collection, _rows(matrix))
    pairs = [(i, j) for i in range(len(ids)) for j in range(len(ids))]

    def double_sum(i, j):
        a, b = matrix[i], matrix[j]
        weights = dict(zip(a.indices.tolist(), a.data.tolist()))
        return sum((weights[f] * w for f, w in sorted(zip(b.indices.tolist(), b.data.tolist())) if f in weights), 0.0)

    got = [cosine(ids[i], ids[j]) for i, j in pairs]
    assert got == [double_sum(i, j) for i, j in pairs]
    assert got == [cosine(ids[j], ids[i]) for i, j in pairs]
    scipy = [float(matrix[i].multiply(matrix[j]).sum()) for i, j in pairs]
    assert all(abs(g - e) <= 1e-6 * max(1.0, e) for g, e in zip(got, scipy))
    assert sum(e > 0 for e in scipy) > len(pairs) // 4  # most pairs share words


def _names_side(collection, memos, similarity):
    """The names side of the analysis, as :func:`generator.analysis.analyse` runs it: aliases then
    mentions, each with an earlier build's memo (or none), and the memos for the next build."""
    from generator.analysis.aliases import alias_table
    from generator.analysis.features import feature_keys, name_features
    from generator.analysis.mentions import find_mentions

    keys = feature_keys(collection)
    names, names_kept = name_features(collection, keys, memos.get("names"))
    table, words = alias_table(collection, {pid: f.candidates for pid, f in names.items()}, memos.get("words"), keys)
    mentions, ambiguous, hits = find_mentions(collection, table, similarity=similarity, scans=memos.get("mentions"),
                                              keys=keys)
    return ((table.aliases, dict(table.claims), table.common_words, mentions, ambiguous),
            {"names": names_kept, "words": words, "mentions": hits})


@pytest.mark.parametrize("few_unread", [1, 10, 10 ** 9])
def test_mentions_found_day_by_day_with_the_memo_are_those_found_afresh(few_unread, monkeypatch):
    """Each day's names side, given the day before's memos, finds what it finds without them,
    when the days take an owner's name away (other papers spell it out otherwise), make a
    capital name a common word (prose writes it in lower case), share a name between two owners
    (the text vectors decide, and their weights change from day to day), change a listed
    paper's text, and list a paper on a day before the first; whether the texts not read before
    are read only for the forms they may write always, when they are a day's few, or never."""
    from generator.analysis import mentions
    from generator.collection import build_collection
    from generator.model import PaperRecord

    monkeypatch.setattr(mentions, "FEW_UNREAD", few_unread)

    day = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(5)]
    records = {
        0: [("VIMO: Video Memory Operators", "We present a recurrent memory for video models."),
            ("CLIP: Contrastive Pretraining", "We propose contrastive pretraining of image and text encoders."),
            ("SAGE: Graph Sampling", "We introduce a sampler for graphs."),
            ("SAGE: Agents That Plan", "We introduce a planner for agents."),
            ("FLOW: Fast Loops Over Words", "We present a tokenizer for long words.")],
        1: [("Video Memory at Scale", "We extend VIMO with longer context and compare against CLIP features."),
            ("Graph Agents", "We sample graphs for agents with SAGE and report the gains."),
            ("Tokenizing Again", "We compare FLOW with other tokenizers."),
            ("On Image Search", "We retrieve images with CLIP embeddings.")],
        2: [("Averages", "We model motion with variational inference of motion (VIMO) during training."),
            ("Water One", "We study the flow of water in pipes."),
            ("Water Two", "The flow through the pipes follows the pressure."),
            ("Water Three", "A steady flow needs a steady pump.")],
        3: [("Averages Again", "Variational inference of motion (VIMO) helps trackers."),
            ("Averages Thrice", "We keep a variational inference of motion (VIMO) for the model."),
            ("Agents Plan Graphs", "SAGE plans graph sampling for agents; CLIP features help.")],
        4: [("Video Memory at Scale", "We extend VIMO with longer context and compare against CLIP and SAGE.")],
        5: [("On Image Search", "We retrieve images with CLIP embeddings.")],  # a listing of a day before the first
    }
    day.append(day[0] - dt.timedelta(days=2))
    papers = []
    memos: dict = {}
    for i in sorted(records):
        papers += [PaperRecord(title=t, abstract=a, date=day[i], path=f"{day[i]}.txt", line=n)
                   for n, (t, a) in enumerate(records[i], 1)]
        collection = build_collection(papers)

        def cosine(a, b, i=i):  # a day's text vectors: their weights change every day
            return zlib.crc32(f"{min(a, b)} {max(a, b)} {i}".encode()) / 2 ** 32

        found, memos = _names_side(collection, memos, cosine)
        fresh, fresh_memos = _names_side(collection, {}, cosine)
        assert found == fresh, f"day {i}"
        owned = {form: who for form, who in memos["mentions"]["owners"].items() if who}
        assert owned == fresh_memos["mentions"]["owners"], f"day {i}"


def test_scipy_is_imported_without_numpys_build_and_test_tools_and_numpy_is_left_as_it_was():
    """A daily build's topics side imports SciPy's sparse matrices after it forks: without the
    parts of numpy that SciPy only lists (a tenth of a second), which stay importable."""
    code = ("import sys, numpy; exported = list(numpy.__all__); subs = set(numpy.__numpy_submodules__)\n"
            "from generator.analysis.sparse_matrices import sparse\n"
            "assert sparse.csr_matrix([[1.0, 0.0]]).nnz == 1\n"
            "assert numpy.__all__ == exported and numpy.__numpy_submodules__ == subs\n"
            "print(sorted(m for m in ('numpy.f2py', 'numpy.testing', 'numpy.ma') if m in sys.modules))\n"
            "import numpy.testing; print(numpy.testing.assert_equal(1, 1))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split("\n")[:2] == ["[]", "None"]


@pytest.mark.parametrize("forget_limits", [False, True])
def test_name_rules_day_by_day_on_real_listings_are_those_worked_out_afresh(tmp_path, forget_limits, monkeypatch):
    """Eight days of real arXiv listings, 60 papers a day, then the last day's papers listed on a
    day before the first: each day's name rules and mentions, resumed from the day before's
    counts (or with its limits forgotten, so that every name is judged again), are those worked
    out from nothing; the counts are resumed on each day that only adds papers after the last,
    and counted afresh when papers' first days move."""
    from generator.analysis import aliases
    from generator.collection import build_collection
    from generator.readers import read_digest

    if not any(CORPUS.glob("*.jsonl.xz")):
        pytest.skip("the shared arXiv corpus is not beside the project")
    resumed = []
    real = aliases._resumed_rules

    def spy(memo, firsts):
        rules, firsts = real(memo, firsts)
        resumed.append(rules is not aliases._NO_RULES)
        return rules, firsts

    monkeypatch.setattr(aliases, "_resumed_rules", spy)
    days = _small_days(tmp_path, 8, 60)
    again = tmp_path / "pool" / "2025-02-27.jsonl"
    again.write_text(days[-1].read_text(encoding="utf-8"), encoding="utf-8")
    records, memos = [], {}
    for day in days + [again]:
        records += read_digest(day)[0]
        collection = build_collection(records)
        if forget_limits and "words" in memos:
            memos["words"] = {**memos["words"], "limits": None}
        found, memos = _names_side(collection, memos, None)
        resumed_now = resumed[-1]
        fresh, _ = _names_side(collection, {}, None)
        assert found == fresh, day.name
        assert sum(map(len, found[0].values())) > 50
        if day is not again and day is not days[0]:
            assert resumed_now, day.name
    assert resumed[-2] is False  # the papers of a day listed again before the first


@pytest.mark.parametrize("limits_move", [False, True])
def test_name_rules_resumed_from_the_day_before_judge_again_the_names_whose_counts_move(limits_move, monkeypatch):
    """A phrase that a new paper's title claims and that earlier papers already write, a proper
    name that earlier papers write as a word, a phrase that one more paper writes the next day
    (so that it becomes vocabulary), and a name that a paper listed before the last day wrote
    before its claimant: each day's rules, resumed from the day before's counts, are those
    worked out from nothing; also when the limits that grow with the collection move (every
    name is judged again)."""
    from generator.analysis import aliases
    from generator.collection import build_collection
    from generator.model import PaperRecord

    if limits_move:  # from the fourth day on, a phrase may be written by no other paper
        monkeypatch.setattr(aliases, "_limits", lambda size: (2, 3) if size < 8 else (0, 1))

    day = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(4)]
    days = [
        (day[0], [("Old Work A", "We use averaging weights and the adam optimizer."),
                  ("Old Work B", "Averaging weights helps, and adam too, with weights again."),
                  ("Sorting Notes", "We compare ZORB with quicksort.")]),
        (day[1], [("Averaging Weights", "We study it closely."),
                  ("Optimizers for Nets", "We present Adam, a method for stochastic optimization.")]),
        (day[2], [("ZORB: Fast Sorting", "We sort things fast."),
                  ("Weights Again", "We revisit averaging weights for networks.")]),
        (day[3], [("Unrelated", "We study graphs.")]),
        (day[1], [("Sorting Later", "ZORB sorts lists quickly.")]),  # a new paper listed before the last day
    ]
    papers, memos, verdicts = [], {}, []
    for when, items in days:
        papers += [PaperRecord(title=t, abstract=a, date=when, path=f"{when}.txt", line=len(papers) + n)
                   for n, (t, a) in enumerate(items, 1)]
        collection = build_collection(papers)
        found, memos = _names_side(collection, memos, None)
        fresh, _ = _names_side(collection, {}, None)
        assert found == fresh, when
        verdicts.append({a.name for items in found[0].values() for a in items})
    assert "Averaging Weights" in verdicts[1] and "Averaging Weights" not in verdicts[2]  # four papers write it then
    assert "Adam" not in verdicts[1]  # two papers wrote "adam" before
    assert "ZORB" not in verdicts[4]  # two papers listed before it write ZORB then
    if limits_move:
        assert "Weights Again" in verdicts[2] and "Weights Again" not in verdicts[3]  # another paper writes it
    else:
        assert "ZORB" in verdicts[3]


def _strongest_row_by_row(matrix, keep):
    """:func:`.similarity.strongest_features` as written first: each long row partitioned alone."""
    matrix = matrix.tocsr(copy=True)
    indptr, data = matrix.indptr, matrix.data
    for r in range(matrix.shape[0]):
        lo, hi = indptr[r], indptr[r + 1]
        if hi - lo > keep:
            row = data[lo:hi]
            cut = np.partition(row, hi - lo - keep)[hi - lo - keep]
            row[row < cut] = 0
    matrix.eliminate_zeros()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.diags(1 / norms).dot(matrix).tocsr().astype(np.float32)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(1, 60), st.integers(1, 12), st.integers(0, 2 ** 32 - 1), st.booleans())
def test_rows_pruned_all_at_once_are_the_rows_pruned_one_by_one(n, width, keep, seed, ties):
    """The rows longer than ``keep``, partitioned together in one padded array, keep the same
    features (ties at the cut included) as each row partitioned alone."""
    rng = np.random.default_rng(seed)
    dense = rng.random((n, width)) * (rng.random((n, width)) < 0.6)
    if ties:  # few distinct weights: many ties at the cut
        dense = np.round(dense * 3) / 3
    matrix = sparse.csr_matrix(dense.astype(np.float32))
    fast, slow = similarity.strongest_features(matrix, keep), _strongest_row_by_row(matrix, keep)
    assert fast.shape == slow.shape
    assert fast.indptr.tolist() == slow.indptr.tolist() and fast.indices.tolist() == slow.indices.tolist()
    assert fast.data.tobytes() == slow.data.tobytes()
