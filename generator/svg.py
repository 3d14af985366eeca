"""A static picture of the collection for the Graph page.

The layout is computed here, at build time, with a fixed seed, so the picture
is the same on every build and the browser only shows an image (it works with
JavaScript off). Past ``MAX_NODES`` papers a static picture is unreadable, and
the page shows the tables alone.
"""
from __future__ import annotations

import html

import networkx as nx

from .model import Analysis, Collection

__all__ = ["collection_svg", "topic_colours", "MAX_NODES"]

MAX_NODES = 500  # the layout costs seconds beyond this; the interactive map is the way to see more
_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
            "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c"]


def topic_colours(analysis: Analysis) -> dict[str, str]:
    return {t.id: _PALETTE[i % len(_PALETTE)] for i, t in enumerate(analysis.topics)}


def collection_svg(collection: Collection, analysis: Analysis, *, seed: int = 42, size: int = 800) -> str | None:
    ids = list(collection.papers)
    if not ids or len(ids) > MAX_NODES:
        return None
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    for items in analysis.related.values():
        for r in items:
            graph.add_edge(r.source, r.target, weight=r.weight)
    for m in analysis.mentions:
        graph.add_edge(m.source, m.target, weight=1.0)
    pos = nx.spring_layout(graph, seed=seed, weight="weight", iterations=100)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad = 20

    def xy(pid: str) -> tuple[float, float]:
        x, y = pos[pid]
        sx = pad + (x - min(xs)) / ((max(xs) - min(xs)) or 1) * (size - 2 * pad)
        sy = pad + (y - min(ys)) / ((max(ys) - min(ys)) or 1) * (size - 2 * pad)
        return round(sx, 1), round(sy, 1)

    colour = topic_colours(analysis)
    cited: dict[str, int] = {}
    for m in analysis.mentions:
        cited[m.target] = cited.get(m.target, 0) + 1
    out = [f'<svg class="papersite-graph" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
           f'style="max-width: 100%; height: auto" role="img" '
           f'aria-label="Map of the collection" xmlns="http://www.w3.org/2000/svg">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    seen = set()
    for pid in ids:
        for r in analysis.related.get(pid, ()):
            key = tuple(sorted((r.source, r.target)))
            if key in seen:
                continue
            seen.add(key)
            (x1, y1), (x2, y2) = xy(r.source), xy(r.target)
            out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#999" stroke-opacity="0.35"/>')
    for m in analysis.mentions:
        (x1, y1), (x2, y2) = xy(m.source), xy(m.target)
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>')
    for pid in ids:
        x, y = xy(pid)
        topics = analysis.paper_topics.get(pid, ())
        fill = colour.get(topics[0], "#888") if topics else "#888"
        radius = 5 + 3 * cited.get(pid, 0) ** 0.5
        title = html.escape(collection.papers[pid].title, quote=True)
        out.append(f'<circle cx="{x}" cy="{y}" r="{radius:.1f}" fill="{fill}" stroke="#fff">'
                   f'<title>{title}</title></circle>')
    out.append("</svg>")
    return "\n".join(out)
