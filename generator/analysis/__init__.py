"""Pure functions that infer structure from a collection: aliases, mentions,
similarity, topics, and the graph that joins them. Nothing here reads or
writes files; every function is deterministic (sorted outputs, fixed seeds)."""
from __future__ import annotations

import functools
from typing import Any, Callable, Mapping

from ..model import Analysis, Collection
from ..parallel import handing_over
from .aliases import alias_table
from .features import PaperFeatures, collection_features
from .mentions import find_mentions

__all__ = ["analyse", "find_links", "collection_features", "KEPT"]


def _rows(matrix) -> tuple[bytes, bytes, bytes, str]:
    """The text vectors as the names side receives them: the CSR matrix's arrays as bytes, which
    unpickle without SciPy (importing it, with numpy, takes 0.2 s)."""
    return (matrix.indptr.astype("int64").tobytes(), matrix.indices.astype("int32").tobytes(),
            matrix.data.tobytes(), matrix.data.dtype.str)


def _cosine(collection: Collection, rows: tuple[bytes, bytes, bytes, str]):
    """TF-IDF cosine of two papers, for telling apart papers that introduce the same name.

    ``rows`` is :func:`_rows` of the text vectors. The products of the two rows' shared features,
    in the rows' order and type, are summed by numpy, as ``a.multiply(b).sum()`` of the SciPy
    rows does; numpy is imported at the first call, which most daily builds make a few times."""
    row = {pid: i for i, pid in enumerate(collection.papers)}

    @functools.cache
    def arrays():
        import numpy as np

        indptr, indices, data, dtype = rows
        return (np, np.frombuffer(indptr, dtype=np.int64), np.frombuffer(indices, dtype=np.int32),
                np.frombuffer(data, dtype=np.dtype(dtype)))

    def similarity(a: str, b: str) -> float:
        np, indptr, indices, data = arrays()
        (a0, a1), (b0, b1) = indptr[row[a]:row[a] + 2], indptr[row[b]:row[b] + 2]
        _, at, bt = np.intersect1d(indices[a0:a1], indices[b0:b1], assume_unique=True, return_indices=True)
        products = data[a0:a1][at] * data[b0:b1][bt]
        return float(products[products != 0].sum())

    return similarity


def _candidates(features: Mapping[str, PaperFeatures]) -> dict:
    return {pid: f.candidates for pid, f in features.items()}


def _terms(features: Mapping[str, PaperFeatures]) -> dict:
    return {pid: f.terms for pid, f in features.items()}


def find_links(collection: Collection, matrix=None, features: Mapping[str, PaperFeatures] | None = None):
    """Aliases, mentions and the names left ambiguous: the citation-style links alone."""
    if features is None:
        features, _ = collection_features(collection)
    if matrix is None:
        from .similarity import tfidf_matrix

        matrix, _, _, _ = tfidf_matrix(collection, _terms(features))
    table, _ = alias_table(collection, _candidates(features))
    mentions, ambiguous, _ = find_mentions(collection, table, similarity=_cosine(collection, _rows(matrix)))
    return dict(table.aliases), mentions, ambiguous


# What an earlier build's analysis leaves for the next one (each a kind of the build cache).
KEPT = ("vectors", "neighbours", "words", "mentions")


def analyse(collection: Collection, *, related_k: int = 5, seed: int = 42,
            curated: tuple = (), locked: tuple | Callable[[], tuple] = (),
            features: Mapping[str, PaperFeatures] | None = None,
            previous: Mapping[str, Mapping] | None = None,
            beside: Callable[[dict], Any] | None = None,
            then: Callable[[Any, dict], Any] | None = None) -> tuple[Analysis, dict, Any, Any]:
    """Run every analysis in dependency order: text vectors, links, related papers, topics; return
    it with what the next build may reuse (by kind, see ``KEPT``): the text vectors
    (:func:`tfidf_matrix`), the related lists (:func:`related_papers`) and where each paper
    writes the names looked for (:mod:`.scans`); and what ``beside`` returned. ``features``
    (from :func:`collection_features`) and ``previous`` (what an earlier build kept) may come
    from the build cache; the result is the same without them. ``locked`` (the topic lock) may be
    given as a function that reads it: it is then read by the side that finds topics, while the
    other side works (``previous`` may likewise load each kind when asked for it).

    Two chains run side by side on large collections: names then mentions, beside text vectors,
    related papers then topics. The names need no text vectors, so they are found while the
    vectors are worked out; the mentions get the vectors handed over (to tell apart the papers
    that introduce one name). This side ends first (at 62,711 papers by 7 of 40 seconds), so
    ``beside(memos)``, if given, is called there with what it keeps for the next build (the
    ``words`` and ``mentions`` kinds), which are then not handed back: the build writes its
    cache files with it, on the core that would otherwise wait. ``then(topics, kept)``, if given, is
    called on the other side once its topics are found (a :class:`.topics.TopicResult`, and the
    ``vectors`` and ``neighbours`` kinds), while the names side may still work, and what it
    returned comes last (the build writes those kinds, makes the topic lock's text, and loads
    the render memo there: none of it waits for the names).

    The names side hands back each paper's aliases as their places among the paper's candidates,
    which this side holds already: a tenth of the pickle of the aliases themselves, whose
    unpickling was most of the time between that side's end and the pages' start.

    The text vectors and topics need numpy, SciPy and igraph, and the names side does not (it
    gets the vectors as :func:`_rows`): their modules are imported on the side that uses them,
    after it has forked (unless a build imported them already while a helper read its digests:
    see ``build.LATER``). In a daily build, which reads one digest in this process, the imports
    (0.23 s) were made before both sides started; now the topics side makes them, beside the
    names."""
    if features is None:
        features, _ = collection_features(collection)
    previous = previous or {}
    size = len(collection.papers)
    candidates = _candidates(features)

    def links(vectors):
        table, words = alias_table(collection, candidates, previous.get("words"))
        mentions, ambiguous, hits = find_mentions(collection, table, similarity=_cosine(collection, vectors()),
                                                  scans=previous.get("mentions"))
        memos = {"words": words, "mentions": hits}
        places = [_places(table.aliases[pid], items) for pid, items in candidates.items()]
        if beside is not None:
            return places, mentions, ambiguous, {}, beside(memos)
        return places, mentions, ambiguous, memos, None

    def relate(hand_over):
        from .similarity import related_papers, tfidf_matrix
        from .topics import find_topics

        matrix, terms, titled, vectors = tfidf_matrix(collection, _terms(features), previous.get("vectors"))
        hand_over(_rows(matrix))
        related, neighbours = related_papers(collection, matrix, k=related_k, previous=previous.get("neighbours"))
        topics = find_topics(collection, related, (matrix, terms, titled),
                             {pid: f.terms[1] for pid, f in features.items()},
                             curated=curated, locked=locked() if callable(locked) else locked, seed=seed)
        after = then(topics, {"vectors": vectors, "neighbours": neighbours}) if then is not None else None
        return vectors, related, neighbours, topics, after

    (places, mentions, ambiguous, memos, besides), (vectors, related, neighbours, topics, after) = handing_over(
        links, relate, size=size)
    aliases = {pid: tuple(items[i] for i in where) for (pid, items), where in zip(candidates.items(), places)}
    return Analysis(
        aliases=aliases, mentions=mentions, related=related,
        topics=topics.topics, paper_topics=topics.paper_topics, ambiguous=ambiguous,
        topic_reasons=topics.reasons, topic_lock=topics.lock,
    ), {"vectors": vectors, "neighbours": neighbours, **memos}, besides, after


def _places(kept: tuple, items: tuple) -> tuple[int, ...]:
    """Where each of ``kept`` (an ordered selection of ``items``) stands in ``items``."""
    places, i = [], 0
    for alias in kept:
        while items[i] != alias:
            i += 1
        places.append(i)
        i += 1
    return tuple(places)
