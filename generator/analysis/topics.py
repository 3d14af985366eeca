"""Topics: communities of the similarity graph, named by their distinctive phrases.

Louvain community detection (networkx, fixed seed) on the graph of related
papers groups papers that share vocabulary; a community larger than a quarter
of the collection is split again, and tiny ones join the community they are
most connected to, so every paper has a topic and no topic swallows the site.
Names come from class-based TF-IDF: the phrases whose weight inside the
community most exceeds their weight in the whole collection, multi-word
phrases first ("continual learning" over "learning").
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx
import numpy as np

from ..model import Collection, Related, Topic
from ..slugs import slugify

__all__ = ["find_topics", "similarity_graph"]

MAX_SHARE = 0.25
MIN_SIZE = 3


def similarity_graph(related: dict[str, tuple[Related, ...]]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(sorted(related))
    for items in related.values():
        for rel in items:
            w = max(graph.get_edge_data(rel.source, rel.target, {"weight": 0.0})["weight"], rel.weight)
            graph.add_edge(rel.source, rel.target, weight=w)
    return graph


def _communities(graph: nx.Graph, *, seed: int, max_size: int) -> list[set[str]]:
    pending = [set(graph.nodes)]
    done: list[set[str]] = []
    resolution = 1.0
    while pending:
        nodes = pending.pop()
        sub = graph.subgraph(sorted(nodes))
        if len(nodes) <= max_size or sub.number_of_edges() == 0:
            done.append(nodes)
            continue
        parts = nx.community.louvain_communities(sub, weight="weight", resolution=resolution, seed=seed)
        if len(parts) == 1:  # cannot split further: split by a higher resolution next time
            resolution *= 1.5
            if resolution > 20:
                done.append(nodes)
                continue
            pending.append(nodes)
            continue
        if len(nodes) < graph.number_of_nodes() or True:
            pending.extend(set(p) for p in parts)
    return _merge_small(graph, done)


def _merge_small(graph: nx.Graph, parts: list[set[str]]) -> list[set[str]]:
    """Fold communities under MIN_SIZE into their best-connected neighbour."""
    parts = sorted((set(p) for p in parts), key=lambda p: (-len(p), min(p)))
    while True:
        small = [p for p in parts if len(p) < MIN_SIZE]
        if not small or len(parts) == 1:
            return parts
        part = small[-1]
        owner = {n: i for i, p in enumerate(parts) for n in p}
        links: dict[int, float] = defaultdict(float)
        for n in part:
            for nb, data in graph[n].items():
                if nb not in part:
                    links[owner[nb]] += data["weight"]
        target_idx = max(sorted(links), key=lambda i: links[i]) if links else None
        if target_idx is None:
            # Isolated papers: join the smallest other community rather than stand alone.
            candidates = [i for i, p in enumerate(parts) if p is not part]
            target_idx = min(candidates, key=lambda i: (len(parts[i]), min(parts[i])))
        parts[target_idx] |= part
        parts = [p for p in parts if p is not part]
        parts.sort(key=lambda p: (-len(p), min(p)))


def _keyphrases(rows: list[int], matrix, terms: np.ndarray, overall: np.ndarray, n: int = 5) -> list[str]:
    inside = np.asarray(matrix[rows].mean(axis=0)).ravel()
    present = np.asarray((matrix[rows] > 0).sum(axis=0)).ravel()
    score = (inside - overall) * np.where(np.char.count(terms.astype(str), " ") > 0, 1.6, 1.0)
    # A phrase that only one paper of several uses does not describe the group.
    score = np.where(present >= min(2, len(rows)), score, -np.inf)
    order = np.lexsort((terms, -score))
    chosen: list[str] = []
    for idx in order:
        if not np.isfinite(score[idx]) or score[idx] <= 0:
            break
        term = str(terms[idx])
        if any(term in c or c in term for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def find_topics(collection: Collection, related: dict[str, tuple[Related, ...]], tfidf, *, seed: int = 42
                ) -> tuple[tuple[Topic, ...], dict[str, tuple[str, ...]]]:
    """Topics (largest first) and each paper's topic ids."""
    matrix, vectorizer = tfidf
    ids = list(collection.papers)
    if not ids:
        return (), {}
    graph = similarity_graph(related)
    max_size = max(MIN_SIZE, int(MAX_SHARE * len(ids)))
    parts = _communities(graph, seed=seed, max_size=max_size)
    index = {pid: i for i, pid in enumerate(ids)}
    try:
        terms = np.asarray(vectorizer.get_feature_names_out())
    except (AttributeError, ValueError):
        terms = np.asarray(["papers"])
    overall = np.asarray(matrix.mean(axis=0)).ravel() if matrix.shape[1] == len(terms) else np.zeros(len(terms))

    topics, used = [], set()
    for part in parts:
        rows = sorted(index[p] for p in part)
        phrases = _keyphrases(rows, matrix, terms, overall) if matrix.shape[1] == len(terms) else []
        name = " · ".join(phrases[:2]) if phrases else "Miscellaneous"
        slug = slugify(name, fallback="topic")
        base, k = slug, 2
        while slug in used:
            slug, k = f"{base}-{k}", k + 1
        used.add(slug)
        papers = tuple(sorted(part, key=lambda p: (-collection.papers[p].date.toordinal(), p)))
        first = min(collection.papers[p].date for p in part)
        last = max(collection.papers[p].dates[-1] for p in part)
        span = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        description = (f"{len(papers)} papers on {', '.join(phrases[:3]) or 'assorted subjects'}, "
                       f"listed {span}.")
        topics.append(Topic(slug, name, tuple(phrases), papers, description))
    topics.sort(key=lambda t: (-len(t.papers), t.id))
    paper_topics = {pid: () for pid in ids}
    for topic in topics:
        for pid in topic.papers:
            paper_topics[pid] = tuple(sorted(paper_topics[pid] + (topic.id,)))
    return tuple(topics), paper_topics
