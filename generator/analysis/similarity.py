"""Related papers by TF-IDF cosine similarity, without an N×N dense matrix.

Rows are L2-normalised TF-IDF vectors (scikit-learn), so a sparse product of a
block of rows with the transpose gives cosines; only each row's top k survive,
so memory stays proportional to N·k whatever the collection size.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from ..model import Collection, Related
from .phrases import analyze

__all__ = ["related_papers", "tfidf_matrix", "strongest_features"]

_BLOCK = 2048
FEATURES_PER_PAPER = 60
# Up to this many papers every feature counts; beyond, rows are pruned so that the cost of
# finding neighbours stays proportional to the number of papers.
EXACT_UP_TO = 2000


def _given(tokens: list[str]) -> list[str]:
    return tokens


def tfidf_matrix(collection: Collection):
    """L2-normalised TF-IDF rows in ``collection.papers`` order, the vectorizer, and which
    features each paper's title carries (binary). Text is tokenised once per paper."""
    titles = [analyze(p.title) for p in collection.papers.values()]
    docs = [t + t + analyze(p.abstract) for t, p in zip(titles, collection.papers.values())]
    n = len(docs)
    vectorizer = TfidfVectorizer(
        analyzer=_given,
        min_df=1 if n < 200 else 2,
        max_df=0.5 if n >= 20 else 1.0,
        sublinear_tf=True,
        dtype=np.float32,
    )
    if n == 0:
        empty = sparse.csr_matrix((0, 0), dtype=np.float32)
        return empty, vectorizer, empty
    try:
        matrix = vectorizer.fit_transform(docs).tocsr()
        titled = (vectorizer.transform(titles) > 0).astype(np.float32).tocsr()
    except ValueError:  # every word was a stop word
        matrix = sparse.csr_matrix((n, 1), dtype=np.float32)
        titled = matrix
    return matrix, vectorizer, titled


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
            rounded = np.round(vals.astype(np.float64), 6)
            order = sorted(range(len(cols)), key=lambda j: (-rounded[j], ids[cols[j]]))[:k]
            result[ids[i]] = tuple(Related(ids[i], ids[cols[j]], round(float(vals[j]), 4)) for j in order)
    return result
