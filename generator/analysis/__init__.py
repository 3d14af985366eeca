"""Pure functions that infer structure from a collection: aliases, mentions,
similarity, topics, and the graph that joins them. Nothing here reads or
writes files; every function is deterministic (sorted outputs, fixed seeds)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ..model import Alias, Analysis, Collection
from ..parallel import Later, handing_over
from .aliases import alias_table
from .features import feature_keys, name_features, paper_terms, term_features
from .mentions import find_mentions

__all__ = ["analyse", "find_links", "KEPT", "GROWN", "PATCHED"]


def _rows(matrix) -> tuple[bytes, bytes, bytes, str]:
    """The text vectors as the names side receives them: the CSR matrix's arrays as bytes, which
    unpickle without SciPy (importing it, with numpy, takes 0.2 s)."""
    return (matrix.indptr.astype("int64").tobytes(), matrix.indices.astype("int32").tobytes(),
            matrix.data.tobytes(), matrix.data.dtype.str)


def _cosine(collection: Collection, rows: tuple[bytes, bytes, bytes, str]):
    """TF-IDF cosine of two papers, for telling apart papers that introduce the same name.

    ``rows`` is :func:`_rows` of the text vectors, read in place as C arrays: the products of the
    two rows' shared features are summed in Python's double precision, in the order of the
    features (the same for either paper first). A daily build asks a few times; numpy, which
    the names side needed for nothing else, took 0.14 s to import there for it."""
    row = {pid: i for i, pid in enumerate(collection.papers)}
    indptr, indices, data, dtype = rows
    indptr, indices = memoryview(indptr).cast("q"), memoryview(indices).cast("i")
    data = memoryview(data).cast({"f4": "f", "f8": "d"}[dtype[1:]])  # native order, as numpy wrote them

    def similarity(a: str, b: str) -> float:
        a0, a1, b0, b1 = indptr[row[a]], indptr[row[a] + 1], indptr[row[b]], indptr[row[b] + 1]
        weights = dict(zip(indices[a0:a1], data[a0:a1]))
        total = 0.0
        for feature, weight in zip(indices[b0:b1], data[b0:b1]):
            if feature in weights:
                total += weights[feature] * weight
        return total

    return similarity


def find_links(collection: Collection, matrix=None):
    """Aliases, mentions and the names left ambiguous: the citation-style links alone."""
    keys = feature_keys(collection)
    if matrix is None:
        from .similarity import tfidf_matrix

        matrix, _, _, _ = tfidf_matrix(collection, term_features(collection, keys)[0])
    names, _ = name_features(collection, keys)
    table, _ = alias_table(collection, {pid: f.candidates for pid, f in names.items()}, keys=keys)
    mentions, ambiguous, _ = find_mentions(collection, table, similarity=_cosine(collection, _rows(matrix)), keys=keys)
    return dict(table.aliases), mentions, ambiguous


# What an earlier build's analysis leaves for the next one (each a kind of the build cache).
KEPT = ("names", "terms", "vectors", "rows", "neighbours", "reasons", "words", "mentions")
# Of these, the kinds keyed by their own content, which grow by a day's worth each day.
GROWN = ("names", "terms", "rows")
# And those of which a day changes a few entries, whose unchanged entries are the very objects
# loaded: the build cache writes the changed ones (see :func:`generator.output.write_cache`).
PATCHED = ("words", "mentions")


def analyse(collection: Collection, *, related_k: int = 5, seed: int = 42,
            curated: tuple = (), locked: tuple | Callable[[], tuple] = (),
            previous: Mapping[str, Mapping] | None = None,
            beside: Callable[[dict], tuple[Any, Callable[[], Any]]] | None = None,
            then: Callable[[Any, dict], Any] | None = None, settle: list | None = None,
            keys: Mapping[str, str] | None = None, shared: tuple[str, ...] = ()) -> tuple[Analysis, dict, Any, Any]:
    """Run every analysis in dependency order: text vectors, links, related papers, topics; return
    it with what the next build may reuse (by kind, see ``KEPT``): each paper's own features
    (:mod:`.features`: its names for one side, its words for the other, by a key of its text),
    the text vectors (:func:`tfidf_matrix`), the related lists (:func:`related_papers`), why
    each paper is in its topic (:func:`.topics.find_topics`) and where each paper writes the
    names looked for (:mod:`.scans`); and what ``beside`` returned.
    ``previous`` (what an earlier build kept) may come from the build cache; the result is the
    same without it. ``locked`` (the topic lock) may be
    given as a function that reads it: it is then read by the side that finds topics, while the
    other side works (``previous`` may likewise load each kind when asked for it). ``keys``, the
    papers' :func:`.features.feature_key` if the caller kept them, spares both sides hashing
    every paper's text.

    Two chains run side by side on large collections: names then mentions, beside text vectors,
    related papers then topics. The names need no text vectors, so they are found while the
    vectors are worked out; the mentions get the vectors handed over (to tell apart the papers
    that introduce one name). This side may end first (at 62,711 papers it did, by 7 of 40
    seconds, before each side worked out its own features), so
    ``beside(memos)``, if given, is called there with what it keeps for the next build (the
    ``names``, ``words`` and ``mentions`` kinds), which are then not handed back: it returns what
    to hand back and a function that writes the build's cache files with them, which that side
    calls after it has handed back its results (see :class:`.parallel.Later`; ``settle`` gets
    the function that waits for it). ``then(topics, kept)``, if given, is
    called on the other side once its topics are found (a :class:`.topics.TopicResult`, and the
    ``terms``, ``vectors``, ``rows``, ``neighbours`` and ``reasons`` kinds), while the names side may still work, and what it
    returned comes last (the build writes those kinds, makes the topic lock's text, and loads
    the render memo there: none of it waits for the names).

    Each side works out the features of its own kind for the papers the cache does not hold, in
    its own process (at 10,440 papers, a second of a first build on each core), and only it
    holds them: worked out before the sides started, by this process and a helper, half of them
    had to be pickled across to this process. The names side hands back each paper's aliases as
    plain tuples, which unpickle in a fraction of the time of the dataclasses.

    ``shared`` names papers whose words (:func:`.features.paper_terms`) the names side works out
    first and hands over, for the other side, which needs them first, to work out the rest
    meanwhile: a first build of a large collection gives it a share (see
    :func:`generator.build._shared`), since the side of the text vectors, related papers and
    topics grows the longer one (at 62,711 papers it ended 8 s after the names side).

    The text vectors and topics need numpy, SciPy and igraph, and the names side does not (it
    gets the vectors as :func:`_rows`): their modules are imported on the side that uses them,
    after it has forked (unless a build imported them already while a helper read its digests:
    see ``build.LATER``). In a daily build, which reads one digest in this process, the imports
    (0.23 s) were made before both sides started; now the topics side makes them, beside the
    names."""
    previous = previous or {}
    size = len(collection.papers)

    def paper_keys() -> Mapping[str, str]:
        return feature_keys(collection) if keys is None else keys

    def links(vectors):
        keys = paper_keys()  # also the name scans' keys: a paper's text is hashed once
        names, names_kept = name_features(collection, keys, previous.get("names"))
        table, words = alias_table(collection, {pid: f.candidates for pid, f in names.items()}, previous.get("words"),
                                   keys)
        mentions, ambiguous, hits = find_mentions(collection, table, similarity=_cosine(collection, vectors()),
                                                  scans=previous.get("mentions"), keys=keys)
        memos = {"names": names_kept, "words": words, "mentions": hits}
        aliases = table.plain  # worked out once, for the mentions' memo
        if beside is not None:
            kinds, write = beside(memos)
            return Later((aliases, mentions, ambiguous, {}, kinds), write)
        return aliases, mentions, ambiguous, memos, None

    def early() -> dict[str, tuple]:
        """The words of the ``shared`` papers, by key, worked out on the names side."""
        keys = paper_keys()
        return {keys[pid]: paper_terms(collection.papers[pid]) for pid in shared}

    def relate(hand_over, taken=None):
        from .similarity import related_papers, tfidf_matrix
        from .topics import find_topics

        # Without ``keys``, each side keys the papers' features itself: worked out once before the
        # sides forked, the keys were 0.03 s of a daily build on one core.
        keys = paper_keys()
        elsewhere = (frozenset(keys[pid] for pid in shared), taken) if taken is not None else None
        written, terms_kept = term_features(collection, keys, previous.get("terms"), elsewhere)
        # The vectors' rows, keyed by the fit and the papers' words, are a kind of their own, which
        # grows by the day's rows: this side's cache files, written before the pages can start,
        # took 0.052-0.057 s of a daily build at 10,784 papers with all rows written, 0.028-0.032 s so.
        weights = previous.get("vectors")
        matrix, terms, titled, vectors = tfidf_matrix(collection, written,
                                                      {**weights, "rows": previous.get("rows") or {}} if weights else None)
        rows = vectors.pop("rows", {})
        hand_over(_rows(matrix))
        related, neighbours = related_papers(collection, matrix, k=related_k, previous=previous.get("neighbours"))
        topics = find_topics(collection, related, (matrix, terms, titled),
                             {pid: t[1] for pid, t in written.items()},
                             curated=curated, locked=locked() if callable(locked) else locked, seed=seed,
                             keys=keys, known_reasons=previous.get("reasons"))
        kept = {"terms": terms_kept, "vectors": vectors, "rows": rows, "neighbours": neighbours,
                "reasons": topics.kept_reasons}
        after = then(topics, kept) if then is not None else None
        return kept, related, topics, after

    (named, mentions, ambiguous, memos, besides), (kept, related, topics, after) = \
        handing_over(links, relate, size=size, settle=settle, early=early if shared else None)
    aliases = {pid: tuple(Alias(name, pid, how, long_form) for name, how, long_form in items)
               for pid, items in named.items()}
    return Analysis(
        aliases=aliases, mentions=mentions, related=related,
        topics=topics.topics, paper_topics=topics.paper_topics, ambiguous=ambiguous,
        topic_reasons=topics.reasons, topic_lock=topics.lock,
    ), {**kept, **memos}, besides, after
