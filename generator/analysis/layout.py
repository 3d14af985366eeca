"""Where each paper sits on the map, computed at build time with a fixed seed.

Two levels keep it fast and legible at any size: topics are laid out as a weighted graph
(topics that share papers and mentions sit close), then each topic's papers around their
topic's place (a spring layout of their related-papers graph for small topics, a seeded
sunflower spiral for large ones). The browser only draws; every build draws the same picture.
"""
from __future__ import annotations

import math

import networkx as nx

from ..model import Analysis, Collection

__all__ = ["layout"]

SPRING_LIMIT = 150  # papers per topic above which the spiral replaces the spring layout (cost)


def layout(collection: Collection, analysis: Analysis, *, seed: int = 42) -> dict[str, tuple[float, float]]:
    """Paper id -> (x, y) in [-1000, 1000]², deterministic for the same input."""
    own = {pid: (tids[0] if tids else "") for pid, tids in analysis.paper_topics.items()}
    groups: dict[str, list[str]] = {}
    for pid in collection.papers:
        groups.setdefault(own.get(pid, ""), []).append(pid)
    topics = sorted(groups, key=lambda t: (-len(groups[t]), t))

    tg = nx.Graph()
    tg.add_nodes_from(range(len(topics)))
    index = {t: i for i, t in enumerate(topics)}
    for pid, tids in sorted(analysis.paper_topics.items()):
        for other in tids[1:]:
            if tids[0] in index and other in index:
                a, b = sorted((index[tids[0]], index[other]))
                tg.add_edge(a, b, weight=tg.get_edge_data(a, b, {"weight": 0})["weight"] + 1)
    for m in analysis.mentions:
        a, b = index.get(own.get(m.source, "")), index.get(own.get(m.target, ""))
        if a is not None and b is not None and a != b:
            a, b = sorted((a, b))
            tg.add_edge(a, b, weight=tg.get_edge_data(a, b, {"weight": 0})["weight"] + 1)
    centres = nx.spring_layout(tg, seed=seed, weight="weight", k=2.0 / math.sqrt(max(1, len(topics))),
                               iterations=100) if len(topics) > 1 else {0: (0.0, 0.0)}
    total = max(1, len(collection.papers))
    positions: dict[str, tuple[float, float]] = {}
    for topic in topics:
        members = sorted(groups[topic])
        cx, cy = centres[index[topic]]
        radius = 0.45 * math.sqrt(len(members) / total) + 0.02
        local = _local(members, analysis, seed=seed)
        for pid in members:
            x, y = local[pid]
            positions[pid] = (round(1000 * (cx + radius * x), 1), round(1000 * (cy + radius * y), 1))
    return positions


def _local(members: list[str], analysis: Analysis, *, seed: int) -> dict[str, tuple[float, float]]:
    """Positions of one topic's papers in the unit disc."""
    if len(members) == 1:
        return {members[0]: (0.0, 0.0)}
    if len(members) <= SPRING_LIMIT:
        g = nx.Graph()
        idx = {p: i for i, p in enumerate(members)}
        g.add_nodes_from(range(len(members)))
        for p in members:
            for r in analysis.related.get(p, ()):
                if r.target in idx:
                    g.add_edge(idx[p], idx[r.target], weight=r.weight)
        pos = nx.spring_layout(g, seed=seed, weight="weight", iterations=60)
        xs = [abs(c) for xy in pos.values() for c in xy] or [1.0]
        scale = max(xs) or 1.0
        return {p: (pos[idx[p]][0] / scale, pos[idx[p]][1] / scale) for p in members}
    golden = math.pi * (3 - math.sqrt(5))  # sunflower: even density, no overlaps
    n = len(members)
    return {p: (math.sqrt((i + 0.5) / n) * math.cos(i * golden), math.sqrt((i + 0.5) / n) * math.sin(i * golden))
            for i, p in enumerate(members)}
