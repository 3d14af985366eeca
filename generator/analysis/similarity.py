"""Related papers by TF-IDF cosine similarity, without an N×N dense matrix.

Rows are L2-normalised TF-IDF vectors, so a sparse product of a block of rows
with the transpose gives cosines; only each row's top k survive, so memory
stays proportional to N·k whatever the collection size.

The vectors are scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` weighting
(smoothed idf, l2 rows, alphabetical vocabulary), computed here from each paper's
counted features (:func:`paper_terms`, kept in the cache) with numpy: with a Python
analyzer scikit-learn counts token by token in Python, and importing it cost a second
of every build.
"""
from __future__ import annotations

from collections import Counter
from itertools import chain, count, repeat
from typing import Mapping

import numpy as np
from scipy import sparse

from ..model import Collection, Related
from .phrases import analyze

__all__ = ["related_papers", "tfidf_matrix", "strongest_features", "paper_terms"]

_BLOCK = 2048
FEATURES_PER_PAPER = 60
# Up to this many papers every feature counts; beyond, rows are pruned so that the cost of
# finding neighbours stays proportional to the number of papers.
EXACT_UP_TO = 2000


def paper_terms(paper) -> tuple[str, str, bytes]:
    """All the tokenising a text vector needs, kept per paper between builds: the features of
    the title, and each feature of the text (the title counts twice) with its count.

    Features are joined by newlines (a feature never holds one) and counts packed as uint32:
    strings and bytes cross from the worker processes and the cache file in one copy each,
    where a dict per paper cost a pickle entry per feature (a second at 10,000 papers)."""
    title = analyze(paper.title)
    counts = Counter(title + title + analyze(paper.abstract))
    return "\n".join(dict.fromkeys(title)), "\n".join(counts), np.fromiter(
        counts.values(), dtype=np.uint32, count=len(counts)).tobytes()


def _split(joined: str) -> list[str]:
    return joined.split("\n") if joined else []


def tfidf_matrix(collection: Collection, terms: Mapping[str, tuple] | None = None):
    """L2-normalised TF-IDF rows in ``collection.papers`` order, the feature names (sorted), and
    which features each paper's title carries (binary). Features in one paper only (past 200
    papers) or in more than half of them (past 20) are dropped: they relate nothing, or
    everything. ``terms`` holds :func:`paper_terms` by paper id when already worked out."""
    papers = list(collection.papers.values())
    n = len(papers)
    per_paper = [terms[p.id] for p in papers] if terms is not None else [paper_terms(p) for p in papers]
    words = [_split(w) for _, w, _ in per_paper]
    flat = list(chain.from_iterable(words))
    # One pass of dict lookups for the whole text (at 60,000 papers, 14 million): every
    # occurrence gets the position of its feature's first occurrence, and the rest is numpy.
    first = np.fromiter(map({}.setdefault, flat, count()), dtype=np.int64, count=len(flat))
    df = np.bincount(first, minlength=len(flat))  # at each first position (features are once per paper)
    low, high = (1 if n < 200 else 2), (0.5 * n if n >= 20 else n)
    kept = np.flatnonzero((df >= low) & (df <= high))
    names = [flat[i] for i in kept]
    order = sorted(range(len(names)), key=names.__getitem__)
    features = [names[i] for i in order]
    if not features:  # empty, or every word was a stop word
        empty = sparse.csr_matrix((n, 1 if n else 0), dtype=np.float32)
        return empty, np.asarray([], dtype=str), empty
    column = np.full(len(flat), -1, dtype=np.int64)
    column[kept[order]] = np.arange(len(features))
    counts = np.frombuffer(b"".join(c for _, _, c in per_paper), dtype=np.uint32)
    matrix = _matrix(column[first], counts, [len(w) for w in words], len(features))
    dfs = df[kept[order]].astype(np.float64)
    tf = 1.0 + np.log(matrix.data.astype(np.float64))
    data = tf * (np.log((1.0 + n) / (1.0 + dfs)) + 1.0)[matrix.indices]
    lengths = np.diff(matrix.indptr)
    norms = np.zeros(n)
    norms[lengths > 0] = np.sqrt(np.add.reduceat(data * data, matrix.indptr[:-1][lengths > 0]))
    norms[lengths == 0] = 1.0
    matrix.data = (data / np.repeat(norms, lengths)).astype(np.float32)
    titles = [_split(t) for t, _, _ in per_paper]
    index = {t: i for i, t in enumerate(features)}
    cols = np.fromiter(map(index.get, chain.from_iterable(titles), repeat(-1)), dtype=np.int64,
                       count=sum(map(len, titles)))
    titled = _matrix(cols, np.ones(len(cols)), [len(t) for t in titles], len(features))
    return matrix, np.asarray(features), titled


def _matrix(cols, values, lengths: list[int], width: int):
    """A CSR matrix from the column of every document's features in order (-1: no column), their
    values, and how many features each document has."""
    rows = np.repeat(np.arange(len(lengths)), lengths)
    keep = cols >= 0
    matrix = sparse.csr_matrix((np.asarray(values, dtype=np.float64)[keep], (rows[keep], cols[keep])),
                               shape=(len(lengths), width))
    matrix.sort_indices()
    return matrix


def strongest_features(matrix, keep: int):
    """Each row cut to its ``keep`` heaviest features and renormalised.

    Products of full rows are nearly dense (every abstract shares common words with every
    other); the heaviest features carry the similarity, and the product of pruned rows stays
    sparse, so finding neighbours grows with N·keep instead of N².
    """
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


def related_papers(collection: Collection, matrix, *, k: int = 5, min_weight: float = 0.02
                   ) -> dict[str, tuple[Related, ...]]:
    """Each paper's ``k`` most similar papers, best first, from the rows of ``matrix``."""
    ids = list(collection.papers)
    if len(ids) > EXACT_UP_TO:
        matrix = strongest_features(matrix, FEATURES_PER_PAPER)
    result: dict[str, tuple[Related, ...]] = {}
    n = len(ids)
    rank = np.empty(n, dtype=np.int64)  # ids in string order, for breaking ties by id in numpy
    rank[sorted(range(n), key=ids.__getitem__)] = np.arange(n)
    for lo in range(0, n, _BLOCK):
        block = (matrix[lo:lo + _BLOCK] @ matrix.T).tocsr()
        indptr, indices, data = block.indptr, block.indices, block.data
        for r in range(block.shape[0]):
            i = lo + r
            cols = indices[indptr[r]:indptr[r + 1]]
            vals = data[indptr[r]:indptr[r + 1]]
            keep = (cols != i) & (vals >= min_weight)
            cols, vals = cols[keep], vals[keep]
            if len(vals) > 4 * k:
                top = np.argpartition(-vals, 4 * k)[: 4 * k]
                cols, vals = cols[top], vals[top]
            # Best first; ties broken by id so that builds repeat exactly.
            order = np.lexsort((rank[cols], -np.round(vals.astype(np.float64), 6)))[:k]
            result[ids[i]] = tuple(Related(ids[i], ids[c], round(v, 4))
                                   for c, v in zip(cols[order].tolist(), vals[order].astype(np.float64).tolist()))
    return result
