"""Where each paper sits on the map, computed at build time with a fixed seed.

Two levels keep it fast and legible at any size: topics are laid out as a weighted graph
(topics that share papers and mentions sit close), then each topic's papers around their
topic's place (a force layout of their related-papers graph for small topics, a seeded
sunflower spiral for large ones). The browser only draws; every build draws the same picture.

The force layouts are igraph's Fruchterman–Reingold, compiled: over ten times faster than
networkx's ``spring_layout`` (numpy), which took a second of every build at 10,000 papers. Each
draws its random numbers from its own generator seeded here, so a topic's picture depends only
on its own papers and links: the same in every process and in any order of work.
"""
from __future__ import annotations

import math
import random

import igraph as ig
import numpy as np

from ..model import Analysis, Collection

__all__ = ["layout", "force_layout"]

SPRING_LIMIT = 150  # papers per topic above which the spiral replaces the force layout (cost)
LOCAL_ITERATIONS = 60
TOPIC_ITERATIONS = 100
TOPIC_SPREAD = 2.0  # topics' ideal distance, relative to papers' in a topic: room for their papers
JOIN = 1e-9  # weight of the links that join a graph's pieces (see force_layout): too weak to pull
GOLDEN = math.pi * (3 - math.sqrt(5))  # sunflower: even density, no overlaps


def layout(collection: Collection, analysis: Analysis, *, seed: int = 42) -> dict[str, tuple[float, float]]:
    """Paper id -> (x, y) in [-1000, 1000]², deterministic for the same input."""
    own = {pid: (tids[0] if tids else "") for pid, tids in analysis.paper_topics.items()}
    groups: dict[str, list[str]] = {}
    for pid in collection.papers:
        groups.setdefault(own.get(pid, ""), []).append(pid)
    topics = sorted(groups, key=lambda t: (-len(groups[t]), t))
    index = {t: i for i, t in enumerate(topics)}

    shared: dict[tuple[int, int], float] = {}  # topic pair -> papers in both, and mentions between
    pairs = [(index.get(tids[0]), index.get(other)) for tids in analysis.paper_topics.values() for other in tids[1:]]
    pairs += [(index.get(own.get(m.source, "")), index.get(own.get(m.target, ""))) for m in analysis.mentions]
    for a, b in pairs:
        if a is not None and b is not None and a != b:
            pair = (a, b) if a < b else (b, a)
            shared[pair] = shared.get(pair, 0) + 1
    centres = _fitted(force_layout(len(topics), shared, seed=seed, iterations=TOPIC_ITERATIONS,
                                   spread=TOPIC_SPREAD), disc=False)

    total = max(1, len(collection.papers))
    positions: dict[str, tuple[float, float]] = {}
    for topic, centre in zip(topics, centres):
        members = sorted(groups[topic])
        radius = 0.45 * math.sqrt(len(members) / total) + 0.02
        places = np.round(1000 * (centre + radius * _local(members, analysis, seed=seed)), 1) + 0.0  # no -0.0
        positions.update(zip(members, map(tuple, places.tolist())))
    return positions


def _local(members: list[str], analysis: Analysis, *, seed: int) -> np.ndarray:
    """Places of one topic's papers (rows in ``members`` order) in the unit disc."""
    n = len(members)
    if n <= SPRING_LIMIT:
        index = {p: i for i, p in enumerate(members)}
        links: dict[tuple[int, int], float] = {}
        for i, p in enumerate(members):
            for r in analysis.related.get(p, ()):
                j = index.get(r.target)
                if j is not None and j != i:
                    pair = (i, j) if i < j else (j, i)
                    links[pair] = max(links.get(pair, 0.0), r.weight)
        return _fitted(force_layout(n, links, seed=seed, iterations=LOCAL_ITERATIONS), disc=True)
    i = np.arange(n)
    return np.sqrt((i + 0.5) / n)[:, None] * np.stack([np.cos(i * GOLDEN), np.sin(i * GOLDEN)], axis=1)


def force_layout(n: int, weights: dict[tuple[int, int], float], *, seed: int, iterations: int,
                 spread: float = 1.0) -> np.ndarray:
    """Fruchterman–Reingold on ``n`` vertices pulled together by weighted edges, set up as
    networkx's ``spring_layout`` did: seeded random places in a square whose side is the square
    root of ``n`` ideal edge lengths (divided by ``spread``), cooling in ``iterations`` steps from
    a tenth of the side.

    igraph adds a pull towards the centre between every pair of vertices when a graph is in
    several pieces, which packs a topic into an even disc and hides its clusters; links too weak
    to move anything join the pieces instead, so only linked papers attract, as in networkx.
    igraph also jitters every step: with numbers drawn from a generator seeded here, not from the
    ``random`` module that other code shares (igraph's default), which is put back afterwards.
    """
    if n < 2:
        return np.zeros((n, 2))
    rng = random.Random(seed)
    side = math.sqrt(n) / spread  # igraph's ideal edge length is 1
    start = [[rng.random() * side, rng.random() * side] for _ in range(n)]
    edges = sorted(weights)
    graph = ig.Graph(n=n, edges=edges)
    strengths = [weights[e] for e in edges]
    firsts = [piece[0] for piece in graph.connected_components()]
    graph.add_edges([(firsts[0], first) for first in firsts[1:]])
    strengths += [JOIN] * (len(firsts) - 1)
    ig.set_random_number_generator(rng)
    try:
        places = graph.layout_fruchterman_reingold(weights=strengths, niter=iterations, seed=start,
                                                   start_temp=side / 10, grid=False)
    finally:
        ig.set_random_number_generator(random)
    return np.array(places.coords, dtype=float)


def _fitted(places: np.ndarray, *, disc: bool) -> np.ndarray:
    """Centred, and scaled to reach the edge of the unit disc (``disc``) or of the unit square."""
    if len(places) == 0:
        return places
    places = places - places.mean(axis=0)
    reach = np.sqrt((places ** 2).sum(axis=1)).max() if disc else np.abs(places).max()
    return places / reach if reach > 0 else places
