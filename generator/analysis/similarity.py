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

__all__ = ["related_papers", "tfidf_matrix", "paper_text"]

_BLOCK = 2048


def paper_text(title: str, abstract: str) -> str:
    # The title counts twice: it is the author's own summary.
    return f"{title}. {title}. {abstract}"


def tfidf_matrix(collection: Collection):
    """L2-normalised TF-IDF rows in ``collection.papers`` order, and the vectorizer."""
    texts = [paper_text(p.title, p.abstract) for p in collection.papers.values()]
    n = len(texts)
    vectorizer = TfidfVectorizer(
        analyzer=analyze,
        min_df=1 if n < 200 else 2,
        max_df=0.5 if n >= 20 else 1.0,
        sublinear_tf=True,
        dtype=np.float32,
    )
    if n == 0:
        return sparse.csr_matrix((0, 0), dtype=np.float32), vectorizer
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # every word was a stop word
        matrix = sparse.csr_matrix((n, 1), dtype=np.float32)
    return matrix.tocsr(), vectorizer


def related_papers(collection: Collection, matrix, *, k: int = 5, min_weight: float = 0.02
                   ) -> dict[str, tuple[Related, ...]]:
    """Each paper's ``k`` most similar papers, best first, from the rows of ``matrix``."""
    ids = list(collection.papers)
    result: dict[str, tuple[Related, ...]] = {}
    n = len(ids)
    for lo in range(0, n, _BLOCK):
        block = (matrix[lo:lo + _BLOCK] @ matrix.T).tocsr()
        for r in range(block.shape[0]):
            i = lo + r
            row = block.getrow(r)
            cols, vals = row.indices, row.data
            keep = (cols != i) & (vals >= min_weight)
            cols, vals = cols[keep], vals[keep]
            # Best first; ties broken by id so that builds repeat exactly.
            if len(vals) > 4 * k:
                top = np.argpartition(-vals, 4 * k)[: 4 * k]
                cols, vals = cols[top], vals[top]
            order = sorted(range(len(cols)), key=lambda j: (-round(float(vals[j]), 6), ids[cols[j]]))[:k]
            result[ids[i]] = tuple(Related(ids[i], ids[cols[j]], round(float(vals[j]), 4)) for j in order)
    return result
