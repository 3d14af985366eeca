"""Topics: curated ones a person named, and discovered ones for everything else.

- **Curated** topics (``content/topics.yml``) take the papers that write one of their
  phrases, and papers whose wording is close to those papers.
- **Discovered** topics: Leiden community detection (igraph, modularity, fixed seed) on
  the graph of related papers; a community above a quarter of the collection is split
  again, and tiny ones join the topic their text is nearest, so every paper has a topic and
  none swallows the site. Names are the phrases most of the group writes and few outside it do
  (class-based TF-IDF), multi-word phrases first ("continual learning" over "learning").
- **Stable** across days: the lock of the last build says which papers each discovered
  topic holds. Those papers stay; a new paper joins the locked topic whose papers it is
  closest to; only new papers that fit nowhere form new topics. Names, ids and key phrases
  never change (the phrases are taken again for the part of a topic that keeps its name when
  the topic grows too large and splits).
- **One to three topics** per paper: besides its own, a paper joins a topic that most of
  its nearest papers belong to. Every assignment keeps its reason, shown on the paper page.
"""
from __future__ import annotations

import functools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

import igraph as ig
import numpy as np

from ..model import Collection, Related, Topic
from ..slugs import slugify
from ..text import fold
from ..topicfiles import CuratedTopic, LockedTopic
from .automata import Automaton
from .phrases import is_name_worthy
from .sparse_matrices import sparse

__all__ = ["TopicResult", "find_topics"]

MAX_SHARE = 0.25
MIN_SIZE = 3
MAX_TOPICS = 3  # per paper
JOIN_MIN = 0.02  # cosine to a topic's centroid below which a new paper does not join it
CURATED_CLOSE = 0.25
NAME_PURITY = 0.5
NAME_COVERAGE = 0.3  # share of the group that must write a name's second phrase  # share of a phrase's papers that must be in the group for it to name the group
GENERIC_SHARE = 0.15  # a phrase more than this share of all papers write is too general for a name  # cosine to a curated topic's centroid that counts as "close in wording"
SECOND_TOPIC_RATIO = 0.9  # of the closeness to its own topic that puts a paper in a second one
RESOLUTION = 1.5  # finer than modularity's default: a topic page should be a subject, not a field
# Leiden passes. Until stable (-1) scored the same on the arXiv benchmark (purity, NMI within
# seed noise) but took 3-4 times longer on a year of papers (4-5 s against 1.3 s).
LEIDEN_ITERATIONS = 10


@dataclass(frozen=True)
class _Graph:
    """The related-papers graph among some papers: ``labels`` sorted, and each pair of them that
    is related once, as indices into ``labels`` (``first`` < ``second``) with the larger weight
    of the two directions, in (first, second) order. Arrays, not a map of maps: at 60,000 papers
    the maps and the sorted edges made from them were a second of finding topics."""
    labels: list[str]
    first: np.ndarray
    second: np.ndarray
    weight: np.ndarray


def _graph(related: Mapping[str, tuple[Related, ...]], pids: set[str]) -> _Graph:
    """Made only for the papers that need it: a daily build discovers topics for a few homeless
    papers, and the whole collection's graph cost it a fifth of finding topics."""
    labels = sorted(pids)
    index = {pid: i for i, pid in enumerate(labels)}
    us, vs, ws = [], [], []
    for u, i in index.items():
        for rel in related.get(u, ()):
            j = index.get(rel.target)
            if j is not None and j != i:
                us.append(i)
                vs.append(j)
                ws.append(rel.weight)
    u, v = np.asarray(us, dtype=np.int64), np.asarray(vs, dtype=np.int64)
    a, b, w = np.minimum(u, v), np.maximum(u, v), np.asarray(ws, dtype=np.float64)
    order = np.lexsort((-w, b, a))  # each pair once, the larger weight first
    a, b, w = a[order], b[order], w[order]
    once = np.ones(len(a), dtype=bool)
    once[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return _Graph(labels, a[once], b[once], w[once])


def _communities(graph: _Graph, *, seed: int, max_size: int) -> list[set[str]]:
    """Leiden (igraph's, modularity), applied again inside any community above ``max_size``."""
    labels = graph.labels
    pending = [np.arange(len(labels))]  # vertices, as indices into labels, ascending
    done: list[set[str]] = []

    def named(nodes: np.ndarray) -> set[str]:
        return {labels[i] for i in nodes.tolist()}

    resolution = RESOLUTION
    while pending:
        nodes = pending.pop()
        if len(nodes) <= max_size:
            done.append(named(nodes))
            continue
        # Vertices numbered in sorted label order and edges in sorted order, so that the same
        # graph is the same igraph graph in every process, whatever order the sets come in.
        inside = np.zeros(len(labels), dtype=bool)
        inside[nodes] = True
        keep = inside[graph.first] & inside[graph.second]
        if not keep.any():
            done.append(named(nodes))
            continue
        edges = np.column_stack((np.searchsorted(nodes, graph.first[keep]), np.searchsorted(nodes, graph.second[keep])))
        sub = ig.Graph(n=len(nodes), edges=edges.tolist())
        membership = _leiden(sub, graph.weight[keep].tolist(), resolution=resolution, seed=seed)
        members: dict[int, list[int]] = defaultdict(list)
        for vertex, community in zip(nodes.tolist(), membership):
            members[community].append(vertex)
        parts = [np.asarray(part, dtype=np.int64) for part in members.values()]
        if len(parts) == 1:  # cannot split further: split by a higher resolution next time
            resolution *= 1.5
            if resolution > 20:
                done.append(named(nodes))
                continue
            pending.append(nodes)
            continue
        pending.extend(parts)
    return done


def _leiden(graph: ig.Graph, weights: list[float], *, resolution: float, seed: int) -> list[int]:
    """Community of each vertex, the same in every run: igraph draws its random numbers from a
    generator seeded here, not from the ``random`` module that other code shares (igraph's
    default), which is put back afterwards."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        return graph.community_leiden(objective_function="modularity", weights=weights, resolution=resolution,
                                      n_iterations=LEIDEN_ITERATIONS).membership
    finally:
        ig.set_random_number_generator(random)


def _merge_small(parts: list[set[str]], matrix, index: dict[str, int]) -> list[set[str]]:
    """Fold communities under MIN_SIZE into the community whose centroid their text is closest to.

    Centroids rather than graph edges, so that a paper with no close
    neighbour still joins the group it is nearest to instead of forming a
    group of leftovers.
    """
    parts = sorted((set(p) for p in parts), key=lambda p: (-len(p), min(p)))
    big = [p for p in parts if len(p) >= MIN_SIZE] or parts[:1]
    small = [p for p in parts if not any(p is b for b in big)]
    if not small:
        return parts
    centroids = np.vstack([np.asarray(matrix[sorted(index[n] for n in p)].mean(axis=0)) for p in big])
    norms = np.linalg.norm(centroids, axis=1)
    norms[norms == 0] = 1.0
    # Each leftover paper on its own (they need not belong together), all in one product.
    nodes = [node for part in small for node in sorted(part)]
    sims = np.asarray(matrix[[index[n] for n in nodes]] @ centroids.T) / norms
    for node, row in zip(nodes, sims):
        best = int(np.lexsort((np.arange(len(big)), -row))[0])
        big[best].add(node)
    return sorted(big, key=lambda p: (-len(p), min(p)))


def _written(rows: list[int], present) -> tuple[np.ndarray, np.ndarray]:
    """The features that some of ``rows`` write (ascending), and in how many of them each stands
    (as ``present``'s sum over the rows gives it: its entries are ones)."""
    counts = np.bincount(present[rows].indices, minlength=present.shape[1])
    cols = np.flatnonzero(counts)
    return cols, counts[cols].astype(present.dtype)


def _keyphrases(rows: list[int], written: tuple[np.ndarray, np.ndarray], df: np.ndarray, terms: np.ndarray,
                worthy: np.ndarray, titled, words: np.ndarray, n: int = 5) -> dict[str, int]:
    """Phrases most of the group uses and few papers outside it do (class-based TF-IDF), best
    first, each with its feature's column.

    ``frac`` rewards coverage of the group, ``purity`` rewards phrases the
    group owns; phrases of two or three words get a bonus because readers name
    fields with them ("continual learning", not "continual").

    Scored over the features the group writes (``written``, :func:`_written`), the others scoring
    nothing: the same scores, in the same order, as over the whole vocabulary, where each topic
    made a dozen arrays as long as the vocabulary (naming the 114 topics of 62,711 papers took
    1.0 s that way, 0.6 s this way). ``worthy`` and ``words`` are those features' own
    (:meth:`_Vectors.worthy`, :meth:`_Vectors.words`).
    """
    cols, inside = written
    frac = inside / max(1, len(rows))
    purity = inside / np.maximum(df[cols], 1)
    titles = titled[rows]
    in_titles = np.bincount(titles.indices, weights=titles.data, minlength=titled.shape[1])[cols] / max(1, len(rows))
    score = frac * purity * np.where(words > 1, 2.0, 1.0) * (1.0 + 2.0 * in_titles)
    score = np.where(worthy & (inside >= min(2, len(rows))), score, 0.0)
    # Only the best few hundred can be chosen: sort those, not the whole vocabulary.
    top = np.flatnonzero(score > 0)
    if len(top) > 400:
        top = top[np.argpartition(-score[top], 400)[:400]]
    order = top[np.lexsort((terms[cols[top]], -score[top]))]
    chosen: dict[str, int] = {}
    for idx in order:
        if score[idx] <= 0:
            break
        term = str(terms[cols[idx]])
        if any(term in c or c in term for c in chosen):
            continue
        chosen[term] = int(cols[idx])
        if len(chosen) == n:
            break
    return chosen


def _name(phrases: list[str]) -> str:
    """The top two phrases, first one capitalised: "Continual learning · catastrophic forgetting"."""
    if not phrases:
        return "Miscellaneous"
    name = " · ".join(phrases[:2])
    return name[0].upper() + name[1:]




@dataclass(frozen=True)
class TopicResult:
    topics: tuple[Topic, ...]  # largest first
    paper_topics: Mapping[str, tuple[str, ...]]  # paper id -> topic ids, its own topic first
    reasons: Mapping[str, Mapping[str, str]]  # paper id -> topic id -> why it is there
    lock: tuple[LockedTopic, ...]  # what the next build must keep
    # Why each paper is in its own topic, for the next build: the topic's phrases -> the paper's
    # feature key -> the reason (filled only where ``find_topics`` was given the papers' keys).
    kept_reasons: Mapping[tuple[str, ...], Mapping[str, str]] = field(default_factory=dict)


def lower_quartile(values: np.ndarray) -> float:
    """``np.percentile(values, 25)`` of a non-empty float64 array without NaN, the same number: the
    value a quarter of the way along the sorted values, linearly between the two around it, as
    numpy weighs them. np.percentile itself calls np.unique, which imports numpy.ma (9 ms) on
    the side of every build that finds the topics, for this one number."""
    n = len(values)
    if n == 1:
        # numpy takes the last value then, weighed 1 (b - (b - a) * 0): the value itself, -0.0 kept,
        # where a + (b - a) * 0 gives 0.0.
        return float(values[0])
    at = (n - 1) * 0.25
    lo = int(at)
    hi = min(lo + 1, n - 1)
    # Partitioned at the places numpy partitions at (the ends too), so that values that compare
    # equal (0.0 and -0.0) land where numpy's land.
    part = np.partition(values, sorted({0, lo, hi, n - 1}))
    a, b, t = float(part[lo]), float(part[hi]), at - lo
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


class _Vectors:
    """The TF-IDF rows, and what naming needs, worked out when first asked for: a daily build
    whose topics all keep their locked phrases names none, and the vocabulary's counts and
    name-worthiness were a sixth of its topics' time."""

    def __init__(self, collection: Collection, matrix, terms, titled):
        self.ids = list(collection.papers)
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        self.matrix = matrix
        self.terms = np.asarray(terms)
        self.usable = matrix.shape[1] == len(self.terms) and len(self.terms) > 0
        self.titled = titled
        self._phrases: dict[frozenset, tuple[int, dict[str, int]]] = {}  # by a group's papers: how many asked, chosen
        self._words_of: dict[frozenset, tuple[np.ndarray, np.ndarray]] = {}  # by a group's papers: _written

    @functools.cached_property
    def present(self):
        return (self.matrix > 0).astype(np.float32).tocsr()

    @functools.cached_property
    def df(self) -> np.ndarray:
        return np.asarray(self.present.sum(axis=0)).ravel()

    @functools.cached_property
    def _judged(self) -> np.ndarray:
        """Each feature's name-worthiness (1 or 0) and word count, -1 where not asked yet."""
        return np.full((2, len(self.terms)), -1, dtype=np.int32)

    def _judge(self, cols: np.ndarray) -> np.ndarray:
        """The ``_judged`` columns of ``cols``, worked out for those not asked before: a daily
        build names a few new topics, whose features are a fraction of the vocabulary, and
        judging every feature of it first was a fifth of its topics' time (0.09 of 0.40 s at
        10,784 papers)."""
        judged = self._judged
        ask = cols[judged[0, cols] < 0]
        if len(ask):
            terms = self.terms[ask].tolist()  # Python strings: a numpy string per call is slow
            judged[0, ask] = np.fromiter(map(is_name_worthy, terms), dtype=np.int32, count=len(terms))
            judged[1, ask] = np.fromiter((t.count(" ") + 1 for t in terms), dtype=np.int32, count=len(terms))
        return judged[:, cols]

    def worthy(self, cols: np.ndarray) -> np.ndarray:
        """Whether each of the features ``cols`` could name a topic (:func:`.phrases.is_name_worthy`)."""
        return self._judge(cols)[0] > 0

    def words(self, cols: np.ndarray) -> np.ndarray:
        """How many words each of the features ``cols`` has."""
        return self._judge(cols)[1]

    def rows(self, pids) -> list[int]:
        return sorted(self.index[p] for p in pids)

    def sums(self, groups) -> np.ndarray:
        """Each group's rows summed (a dense row per group), in one sparse product: a row slice
        and a sum per topic were a second at 60,000 papers. The same numbers: each sum adds the
        same float32 values in the same (row) order."""
        rows = [self.rows(g) for g in groups]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
        members = sparse.csr_matrix((np.ones(len(indices), dtype=self.matrix.dtype), indices, indptr),
                                    shape=(len(rows), self.matrix.shape[0]))
        return (members @ self.matrix).toarray()

    def centroid(self, pids) -> np.ndarray:
        c = np.asarray(self.matrix[self.rows(pids)].mean(axis=0)).ravel()
        norm = np.linalg.norm(c)
        return c / norm if norm else c

    @functools.cached_property
    def _squares(self) -> np.ndarray:
        """Each row's squared length (x·x), each row's products summed on their own as a topic's
        block of rows summed them: the same numbers, made once for every topic's
        :meth:`cohesion` (made per topic, they were a fifth of its time in a daily build)."""
        return np.asarray(self.matrix.multiply(self.matrix).sum(axis=1)).ravel()

    def cohesion(self, pids, total: np.ndarray) -> float:
        """Lower quartile of each member's cosine to the centroid of the others (``total``: the
        members' sum, a row of :meth:`sums`)."""
        rows = self.rows(pids)
        if len(rows) < 2 or not self.usable:
            return 0.0
        block = self.matrix[rows]
        total = total.astype(np.float64)
        # With T the members' sum and x one member: (T - x)·x = T·x - x·x and
        # |T - x|² = |T|² - 2 T·x + x·x, so no dense row is ever made.
        tx = block @ total
        xx = self._squares[rows]
        rest = np.sqrt(np.maximum(total @ total - 2 * tx + xx, 0.0))
        sims = np.where(rest > 0, (tx - xx) / np.where(rest > 0, rest, 1.0), 0.0)
        return lower_quartile(sims)

    def written(self, group: frozenset) -> tuple[np.ndarray, np.ndarray]:
        """:func:`_written` of a group of papers, worked out once for its key phrases and name."""
        if group not in self._words_of:
            self._words_of[group] = _written(self.rows(group), self.present)
        return self._words_of[group]

    def keyphrases(self, pids, n: int = 8) -> list[str]:
        """A group's ``n`` best key phrases. The choice is greedy, so fewer are the first of more:
        a new topic's name and its key phrases come from one choice (choosing twice had been a
        third of the topics' time in a first build of 1,137 papers, under a profiler)."""
        return list(self._keyphrases(pids, n))[:n]

    def _keyphrases(self, pids, n: int) -> dict[str, int]:
        """:meth:`keyphrases` with their features' columns (at least ``n`` of them, if there are)."""
        if not self.usable:
            return {}
        group = frozenset(pids)
        asked, known = self._phrases.get(group, (0, {}))
        if n > asked:
            written = self.written(group)
            known = _keyphrases(self.rows(pids), written, self.df, self.terms, self.worthy(written[0]),
                                self.titled, self.words(written[0]), n=n)
            self._phrases[group] = (n, known)
        return known

    def name(self, pids, avoid: frozenset[str] = frozenset()) -> str:
        """Two key phrases, multi-word ones first, none that the whole field writes."""
        col = self._keyphrases(pids, 12)
        phrases = list(col)[:12]
        cols, counts = self.written(frozenset(pids))
        inside = {p: counts[np.searchsorted(cols, col[p])] for p in phrases}  # how many of the group write it
        # Field-wide phrases ("neural networks", "machine learning") name no group in particular:
        # a name must be written mostly inside the group, and not by a large share of all papers.
        limit = max(3, GENERIC_SHARE * len(self.ids))
        specific = [p for p in phrases if self.df[col[p]] <= limit and inside[p] >= NAME_PURITY * self.df[col[p]]]
        ordered = [p for p in specific if " " in p] + [p for p in specific if " " not in p]
        # Another topic already leads with this phrase: lead with the next one.
        ordered = [p for p in ordered if p not in avoid] + [p for p in ordered if p in avoid]
        # The second phrase must also speak for a good part of the group, or the name is one phrase.
        common = max(2, NAME_COVERAGE * len(pids))
        return _name(ordered[:1] + [p for p in ordered[1:2] if inside[p] >= common])


def _curated_members(collection: Collection, curated: tuple[CuratedTopic, ...], vectors: _Vectors):
    """Papers of each curated topic, with the phrase or closeness that put them there."""
    keys: dict[str, tuple] = defaultdict(tuple)
    for i, topic in enumerate(curated):
        for phrase in topic.phrases:
            key = f" {fold(phrase)} "
            if key.strip():
                keys[key] += ((i, phrase),)
    members: dict[int, dict[str, str]] = defaultdict(dict)
    if keys:
        automaton = Automaton(keys.items())
        for pid, paper in collection.papers.items():
            # In the order of where they end, the longest first where two end together.
            found = automaton.find(f" {fold(paper.title + ' ' + paper.abstract)} ")
            for _, _, hits in sorted(found, key=lambda hit: (hit[1], hit[0])):
                for i, phrase in hits:
                    members[i].setdefault(pid, f"matched '{phrase}'")
    if vectors.usable:
        for i in sorted(members):
            matched = sorted(members[i])
            sims = vectors.matrix @ vectors.centroid(matched)
            for pid in vectors.ids:
                if pid not in members[i] and sims[vectors.index[pid]] >= CURATED_CLOSE:
                    members[i][pid] = f"close in wording to its {len(matched)} papers that name it"
    return members


def _nearest(vectors: _Vectors, pids, groups: dict[str, set[str]], sums: np.ndarray | None = None
             ) -> dict[str, tuple[str, float]]:
    """For each paper, the group whose centroid its text is closest to (``sums``: the groups'
    :meth:`_Vectors.sums`, in the order of their names, if worked out already). The centroids
    are the groups' sums made unit length, from one sparse product (a mean per group was a
    seventh of a daily build's topics, 0.057 of 0.40 s at 10,784 papers)."""
    if not groups or not vectors.usable:
        return {}
    names = sorted(groups)
    centroids = vectors.sums([groups[g] for g in names]) if sums is None else sums
    norms = np.linalg.norm(centroids, axis=1)
    centroids = centroids / np.where(norms > 0, norms, 1)[:, None]
    ordered = sorted(pids)
    # One sparse-by-dense product for all the papers, not a dense row per paper.
    sims = np.asarray(vectors.matrix[[vectors.index[p] for p in ordered]] @ centroids.T) if ordered else []
    out = {}
    for pid, row in zip(ordered, sims):
        best = int(np.lexsort((np.arange(len(names)), -row))[0])
        out[pid] = (names[best], float(row[best]))
    return out


def _discover(related: Mapping[str, tuple[Related, ...]], pids: set[str], vectors: _Vectors, *, seed: int,
              max_size: int) -> list[set[str]]:
    parts = _communities(_graph(related, set(pids)), seed=seed, max_size=max_size)
    return _merge_small(parts, vectors.matrix, vectors.index) if parts else []


def _reason(phrases: tuple[str, ...]):
    """Why a paper is in its own topic: the topic's first two key phrases that the paper writes
    (``words``: its features, newline-joined, :func:`.features.paper_terms`). Its own features,
    not its text vector's: the vector holds only the phrases of the vocabulary, which is fitted
    again as the collection grows, and a reason must not change while the paper and the topic's
    (locked) phrases do not. Made once per topic, for all its papers."""
    needles = [(p, f"\n{p}\n") for p in phrases]

    def reason(words: str) -> str:
        padded = f"\n{words}\n"
        shared = []
        for phrase, needle in needles:
            if needle in padded:
                shared.append(phrase)
                if len(shared) == 2:
                    break
        if shared:
            return "shares " + " and ".join(f"'{p}'" for p in shared) + " with this topic"
        return "closest in wording to the papers of this topic"

    return reason


def _closeness(vectors: _Vectors, pids: list[str], sums: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Each paper's (rows of ``pids``) dot product with each topic's unit sum, over the words those
    papers write only: in a daily build, the unit sums over the whole vocabulary, made contiguous
    (scipy would copy them anyway, more slowly), and their product with every paper's row were
    0.06 of the topics' 0.40 profiled seconds, for the few hundred new papers that use them. The
    same sums, of the same products, in the same order (each row's words keep their order)."""
    rows = vectors.matrix[[vectors.index[p] for p in pids]] if pids else vectors.matrix[:0]
    written = np.zeros(rows.shape[1], dtype=bool)
    written[rows.indices] = True
    used = np.flatnonzero(written)
    position = np.cumsum(written) - 1
    narrow = sparse.csr_matrix((rows.data, position[rows.indices], rows.indptr), shape=(rows.shape[0], len(used)))
    return np.asarray(narrow @ np.ascontiguousarray((sums[:, used] / norms[:, None]).T))


def _near_topics(sims: np.ndarray, own: list[list[int]], norms: np.ndarray) -> list[tuple[int, int]]:
    """The (paper, topic) pairs where a paper's wording is nearly as close to another topic as
    to its own ones (:data:`SECOND_TOPIC_RATIO`), each paper's closest first (ties by topic),
    papers in order. ``sims`` holds each paper's closeness to each topic's unit sum (it is
    changed here), ``own`` the columns of each paper's own topics, ``norms`` the sums' lengths.

    A paper is always close to its own topic's sum, which holds it: its own topics are measured
    without it. The rows are unit vectors, so with S the topic's sum, (S - x)·x = S·x - 1 and
    |S - x|² = |S|² - 2 S·x + 1: no dense vector is needed. The same numbers as one paper at a
    time (float32 all through), for all of them at once: one paper at a time, the numpy steps per
    paper were a tenth of the topics of a first build (1.3 of 11.5 s at 62,711 papers, under a
    line profiler; 0.6 s now)."""
    rows = np.repeat(np.arange(len(own), dtype=np.int64), [len(o) for o in own])
    cols = np.fromiter((j for o in own for j in o), dtype=np.int64, count=len(rows))
    sx = sims[rows, cols] * norms[cols]
    rest = norms[cols] ** 2 - 2 * sx + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        sims[rows, cols] = np.where(rest > 1e-9, (sx - 1) / np.sqrt(rest), 0.0)
    first = np.full(len(own), -np.inf, dtype=sims.dtype)
    np.maximum.at(first, rows, sims[rows, cols])
    near = sims >= (SECOND_TOPIC_RATIO * first)[:, None]
    near[rows, cols] = False  # a paper's own topics are no second ones
    papers, topics = np.nonzero(near)
    order = np.lexsort((topics, -sims[papers, topics], papers))
    return list(zip(papers[order].tolist(), topics[order].tolist()))


def find_topics(collection: Collection, related: dict[str, tuple[Related, ...]], tfidf, words: Mapping[str, str], *,
                curated: tuple[CuratedTopic, ...] = (), locked: tuple[LockedTopic, ...] = (),
                seed: int = 42, keys: Mapping[str, str] | None = None,
                known_reasons: Mapping[tuple[str, ...], Mapping[str, str]] | None = None) -> TopicResult:
    """Topics of the collection; see the module docstring for the rules. ``words``: each paper's
    features, newline-joined (the second of :func:`.features.paper_terms`).

    Why a paper is in its own topic depends only on the topic's phrases and the paper's words:
    with ``keys`` (the papers' :func:`.features.feature_key`), the reasons are kept in the result
    (:attr:`TopicResult.kept_reasons`), and an earlier build's (``known_reasons``) are reused for
    the papers whose text and topic's phrases are the same (working out every paper's reason
    again was a fifth of a daily build's topics)."""
    matrix, terms, titled = tfidf
    ids = list(collection.papers)
    if not ids:
        return TopicResult((), {}, {}, locked)
    vectors = _Vectors(collection, matrix, terms, titled)
    max_size = max(MIN_SIZE, int(MAX_SHARE * len(ids)))
    reasons: dict[str, dict[str, str]] = defaultdict(dict)

    # 1. Curated topics.
    curated_members = _curated_members(collection, curated, vectors)
    curated_ids = {}
    for i, topic in enumerate(curated):
        curated_ids[i] = slugify(topic.name, fallback="topic")
        for pid, why in curated_members.get(i, {}).items():
            reasons[pid][curated_ids[i]] = why
    covered = {pid for m in curated_members.values() for pid in m}

    # 2. Discovered topics for the rest: locked ones keep their papers, new papers join the nearest.
    rest = set(ids) - covered
    groups: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    kept_phrases: dict[str, tuple[str, ...]] = {}
    used = set(curated_ids.values())
    for t in locked:
        keep = {p for p in t.papers if p in rest}
        if keep and t.id not in used:
            groups[t.id], names[t.id] = keep, t.name
            if t.phrases:
                kept_phrases[t.id] = t.phrases
            used.add(t.id)
    placed = {p for g in groups.values() for p in g}
    newcomers = rest - placed
    homeless: set[str] = set()
    # A new paper joins a locked topic only if it is as close to it as the topic's own
    # papers are to one another (its lower quartile); a day of another field forms new topics.
    locked_sums = vectors.sums([groups[gid] for gid in sorted(groups)]) if groups and vectors.usable else None
    bar = {gid: max(JOIN_MIN, vectors.cohesion(groups[gid], locked_sums[i])) if locked_sums is not None else JOIN_MIN
           for i, gid in enumerate(sorted(groups))}
    for pid, (gid, sim) in _nearest(vectors, newcomers, groups, locked_sums).items():
        if sim >= bar[gid]:
            groups[gid].add(pid)
        else:
            homeless.add(pid)
    homeless |= newcomers - {p for g in groups.values() for p in g}
    new_parts = _discover(related, homeless, vectors, seed=seed, max_size=max_size) if homeless else []
    # New groups too small to stand alone join the nearest topic there is, curated ones included.
    small = [p for p in new_parts if len(p) < MIN_SIZE]
    big = [p for p in new_parts if len(p) >= MIN_SIZE]
    hosts = {f"g:{gid}": members for gid, members in groups.items() if members}
    hosts.update({f"n:{i}": part for i, part in enumerate(big)})
    hosts.update({f"c:{i}": set(m) for i, m in curated_members.items() if m})
    if small and hosts:
        new_parts = big
        for pid, (host, _) in _nearest(vectors, {p for part in small for p in part}, hosts).items():
            kind, key = host.split(":", 1)
            if kind == "g":
                groups[key].add(pid)
            elif kind == "n":
                big[int(key)].add(pid)
            else:
                curated_members[int(key)][pid] = "closest in wording to this topic's papers"
                reasons[pid][curated_ids[int(key)]] = curated_members[int(key)][pid]
    # Oversized topics split; the largest part keeps the name and the page.
    for gid in sorted(groups):
        if len(groups[gid]) > max_size:
            parts = sorted(_discover(related, groups[gid], vectors, seed=seed, max_size=max_size),
                           key=lambda p: (-len(p), min(p)))
            if len(parts) > 1:
                groups[gid] = parts[0]
                new_parts.extend(parts[1:])
                kept_phrases.pop(gid, None)
    for part in sorted(new_parts, key=lambda p: (-len(p), min(p))):
        leading = frozenset(n.split(" · ")[0].lower() for n in list(names.values()) + [t.name for t in curated])
        name = vectors.name(part, avoid=leading)
        gid, k = slugify(name, fallback="topic"), 2
        base = gid
        while gid in used:
            gid, k = f"{base}-{k}", k + 1
        used.add(gid)
        groups[gid], names[gid] = set(part), name

    # 3. Key phrases, and the reason each paper is in its own topic.
    known = (known_reasons or {}) if keys is not None else {}
    kept_reasons: dict[tuple[str, ...], dict[str, str]] = {}
    members_of: dict[str, set[str]] = {}
    info: dict[str, tuple[str, tuple[str, ...], str | None, str | None, bool]] = {}
    for i, topic in enumerate(curated):
        members = set(curated_members.get(i, {}))
        if members:
            members_of[curated_ids[i]] = members
            info[curated_ids[i]] = (topic.name, tuple(topic.phrases) or tuple(vectors.keyphrases(members)),
                                    topic.description or None, topic.parent, True)
    for gid in sorted(groups):
        if groups[gid]:
            phrases = kept_phrases.get(gid) or tuple(vectors.keyphrases(groups[gid]))
            kept_phrases[gid] = phrases
            members_of[gid] = set(groups[gid])
            info[gid] = (names[gid], phrases, None, None, False)
            reason = _reason(phrases)
            before = known.get(phrases, {})
            made = kept_reasons.setdefault(phrases, {}) if keys is not None else {}
            for pid in groups[gid]:
                if gid not in reasons[pid]:
                    key = pid if keys is None else keys[pid]
                    why = before.get(key)
                    reasons[pid][gid] = made[key] = reason(words[pid]) if why is None else why

    # 4. Second and third topics: topics whose papers a paper's wording is nearly as close to
    #    as to its own topic's.
    if vectors.usable and len(members_of) > 1:
        tids = sorted(members_of)
        sums = vectors.sums([members_of[t] for t in tids])
        norms = np.linalg.norm(sums, axis=1)
        norms[norms == 0] = 1.0
        col = {t: j for j, t in enumerate(tids)}
        # Papers of earlier builds keep the second topics they had: adding a day must not
        # reshuffle them. Only papers new to the lock get second topics computed.
        earlier_also = {(pid, t.id) for t in locked for pid in t.also}
        settled = {pid for t in locked for pid in t.papers + t.also}
        unsettled = [pid for pid in ids if pid not in settled]
        sims = _closeness(vectors, unsettled, sums, norms)
        for pid, tid in sorted(earlier_also):
            if pid in reasons and tid in members_of and tid not in reasons[pid] and len(reasons[pid]) < MAX_TOPICS:
                reasons[pid][tid] = "its wording is nearly as close to this topic's papers as to its own topic's"
                members_of[tid].add(pid)
        own = [[col[t] for t in reasons[pid]] for pid in unsettled]
        for r, j in _near_topics(sims, own, norms):
            pid, tid = unsettled[r], tids[j]
            if len(reasons[pid]) < MAX_TOPICS and len(members_of[tid]) < max_size:
                reasons[pid][tid] = "its wording is nearly as close to this topic's papers as to its own topic's"
                members_of[tid].add(pid)
    for pid in ids:  # curated phrase matches may exceed three: keep the first three
        for tid in list(reasons[pid])[MAX_TOPICS:]:
            del reasons[pid][tid]
            members_of[tid].discard(pid)
        # Its own topic first, then the others in a fixed order, however they were found.
        first, *rest = reasons[pid]
        reasons[pid] = {first: reasons[pid][first], **{t: reasons[pid][t] for t in sorted(rest)}}

    newest = {pid: (-p.dates[0].toordinal(), pid) for pid, p in collection.papers.items()}
    last_days = {pid: p.dates[-1] for pid, p in collection.papers.items()}
    topics = [_topic(collection, tid, name, members_of[tid], phrases, description, parent=parent, curated=cur,
                     newest=newest, last_days=last_days)
              for tid, (name, phrases, description, parent, cur) in info.items() if members_of[tid]]
    topics.sort(key=lambda t: (-len(t.papers), t.id))
    paper_topics = {pid: tuple(reasons[pid]) for pid in ids}
    also = defaultdict(list)
    for pid in ids:
        for tid in list(reasons[pid])[1:]:
            also[tid].append(pid)
    locked_curated = [LockedTopic(curated_ids[i], t.name, (), tuple(also[curated_ids[i]]))
                      for i, t in enumerate(curated) if also.get(curated_ids[i])]
    lock = tuple(sorted([LockedTopic(gid, names[gid], tuple(sorted(groups[gid])), tuple(also.get(gid, ())),
                                     kept_phrases[gid])
                         for gid in sorted(groups) if groups[gid]] + locked_curated, key=lambda t: t.id))
    return TopicResult(tuple(topics), paper_topics, {pid: reasons[pid] for pid in ids}, lock,
                       {phrases: dict(sorted(made.items())) for phrases, made in sorted(kept_reasons.items())})


def _topic(collection: Collection, tid: str, name: str, members: set[str], phrases: tuple[str, ...],
           description: str | None, *, newest: Mapping[str, tuple], last_days: Mapping[str, Any],
           parent: str | None = None, curated: bool = False) -> Topic:
    """``newest``: each paper's place in a newest-first order, and ``last_days``: each paper's last
    listing day, both worked out once for all topics (the topics' spans, asked of each member's
    dates, were a seventh of a daily build's topics)."""
    papers = tuple(sorted(members, key=newest.__getitem__))
    if not description:
        first = collection.papers[papers[-1]].date  # the earliest first day: last, newest first
        last = max(map(last_days.__getitem__, members))
        span = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        description = (f"{len(papers)} {'paper' if len(papers) == 1 else 'papers'} on "
                       f"{', '.join(phrases[:3]) or 'assorted subjects'}, listed {span}.")
    return Topic(tid, name, phrases, papers, description, parent=parent, curated=curated)
