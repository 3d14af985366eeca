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
from .phrases import is_name_worthy

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
    """Louvain, applied again inside any community above ``max_size``."""
    pending = [set(graph.nodes)]
    done: list[set[str]] = []
    resolution = 1.0
    while pending:
        nodes = pending.pop()
        # Integer labels in sorted order, on a graph built here: networkx walks sets of nodes
        # (subgraph views among them), and sets of strings come out in a different order in
        # every Python process, so string labels would not repeat from run to run.
        labels = sorted(nodes)
        index = {n: i for i, n in enumerate(labels)}
        sub = nx.Graph()
        sub.add_nodes_from(range(len(labels)))
        sub.add_weighted_edges_from(sorted((index[u], index[v], d["weight"]) for u in labels
                                           for v, d in graph[u].items() if v in index and index[u] < index[v]))
        if len(nodes) <= max_size or sub.number_of_edges() == 0:
            done.append(nodes)
            continue
        parts = [{labels[i] for i in part} for part in
                 nx.community.louvain_communities(sub, weight="weight", resolution=resolution, seed=seed)]
        if len(parts) == 1:  # cannot split further: split by a higher resolution next time
            resolution *= 1.5
            if resolution > 20:
                done.append(nodes)
                continue
            pending.append(nodes)
            continue
        pending.extend(set(p) for p in parts)
    return done


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
    for part in small:
        for node in sorted(part):  # each leftover paper on its own: they need not belong together
            row = matrix[index[node]].toarray().ravel()
            sims = centroids @ row / norms
            best = int(np.lexsort((np.arange(len(big)), -sims))[0])
            big[best].add(node)
    return sorted(big, key=lambda p: (-len(p), min(p)))


def _keyphrases(rows: list[int], present, df: np.ndarray, terms: np.ndarray, worthy: np.ndarray,
                titled, n: int = 5) -> list[str]:
    """Phrases most of the group uses and few papers outside it do (class-based TF-IDF).

    ``frac`` rewards coverage of the group, ``purity`` rewards phrases the
    group owns; phrases of two or three words get a bonus because readers name
    fields with them ("continual learning", not "continual").
    """
    inside = np.asarray(present[rows].sum(axis=0)).ravel()
    frac = inside / max(1, len(rows))
    purity = inside / np.maximum(df, 1)
    words = np.char.count(terms.astype(str), " ") + 1
    in_titles = np.asarray(titled[rows].sum(axis=0)).ravel() / max(1, len(rows))
    score = frac * purity * np.where(words > 1, 2.0, 1.0) * (1.0 + 2.0 * in_titles)
    score = np.where(worthy & (inside >= min(2, len(rows))), score, 0.0)
    order = np.lexsort((terms, -score))
    chosen: list[str] = []
    for idx in order:
        if score[idx] <= 0:
            break
        term = str(terms[idx])
        if any(term in c or c in term for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def _name(phrases: list[str]) -> str:
    """The top two phrases, first one capitalised: "Continual learning · catastrophic forgetting"."""
    if not phrases:
        return "Miscellaneous"
    name = " · ".join(phrases[:2])
    return name[0].upper() + name[1:]


def find_topics(collection: Collection, related: dict[str, tuple[Related, ...]], tfidf, *, seed: int = 42
                ) -> tuple[tuple[Topic, ...], dict[str, tuple[str, ...]]]:
    """Topics (largest first) and each paper's topic ids."""
    matrix, vectorizer = tfidf
    ids = list(collection.papers)
    if not ids:
        return (), {}
    graph = similarity_graph(related)
    max_size = max(MIN_SIZE, int(MAX_SHARE * len(ids)))
    index = {pid: i for i, pid in enumerate(ids)}
    parts = _merge_small(_communities(graph, seed=seed, max_size=max_size), matrix, index)
    try:
        terms = np.asarray(vectorizer.get_feature_names_out())
    except (AttributeError, ValueError):  # nothing was learnt: every paper was stop words
        terms = np.asarray([], dtype=str)
    usable = matrix.shape[1] == len(terms) and len(terms) > 0
    if usable:
        present = (matrix > 0).astype(np.float32).tocsr()
        df = np.asarray(present.sum(axis=0)).ravel()
        worthy = np.fromiter((is_name_worthy(str(t)) for t in terms), dtype=bool, count=len(terms))
        # Which papers carry each feature in their title: authors' own words for their field.
        titled = (vectorizer.transform([p.title for p in collection.papers.values()]) > 0).astype(np.float32).tocsr()

    topics, used = [], set()
    for part in parts:
        rows = sorted(index[p] for p in part)
        phrases = _keyphrases(rows, present, df, terms, worthy, titled) if usable else []
        name = _name(phrases)
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
