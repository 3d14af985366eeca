"""A static picture of the collection for the Graph page.

The layout is computed here, at build time, with a fixed seed, so the picture
is the same on every build and the browser only shows an image (it works with
JavaScript off). Past ``MAX_NODES`` papers a static picture is unreadable, and
the page shows the tables alone.
"""
from __future__ import annotations

import html
import math

from .model import Analysis, Collection

__all__ = ["collection_svg", "local_svg", "topic_colours", "MAX_NODES"]

MAX_NODES = 500  # beyond this the picture is a blur of dots; the interactive map is the way to see more
_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
            "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c"]


def topic_colours(analysis: Analysis) -> dict[str, str]:
    return {t.id: _PALETTE[i % len(_PALETTE)] for i, t in enumerate(analysis.topics)}


def collection_svg(collection: Collection, analysis: Analysis, *, seed: int = 42, size: int = 800) -> str | None:
    ids = list(collection.papers)
    if not ids or len(ids) > MAX_NODES:
        return None
    # One force layout of the whole graph, where papers that name or resemble each other meet:
    # igraph's, compiled, set up as networkx's spring layout was (which took 0.36 s of building
    # 328 papers, 1.3 s in all, and 0.1 s more to import networkx). The map's layout places
    # topics first, which left this picture a crowd of overlapping topics.
    index = {pid: i for i, pid in enumerate(ids)}
    weights: dict[tuple[int, int], float] = {}

    def link(a: str, b: str, weight: float) -> None:
        i, j = index[a], index[b]
        if i != j:  # an edge either way round is one edge; a paper linked to itself is none
            weights[(i, j) if i < j else (j, i)] = weight

    for items in analysis.related.values():
        for r in items:
            link(r.source, r.target, r.weight)
    for m in analysis.mentions:
        link(m.source, m.target, 1.0)
    from .analysis.layout import force_layout  # with igraph and numpy: see build.LATER

    pos = dict(zip(ids, force_layout(len(ids), weights, seed=seed, iterations=100).tolist()))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad, left, bottom = 20, min(xs), min(ys)
    width, height = (max(xs) - left) or 1, (max(ys) - bottom) or 1

    def xy(pid: str) -> tuple[float, float]:
        x, y = pos[pid]
        return (round(pad + (x - left) / width * (size - 2 * pad), 1),
                round(pad + (y - bottom) / height * (size - 2 * pad), 1))

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


def _label(text: str, n: int = 28) -> str:
    return html.escape(text if len(text) <= n else text[: n - 1] + "…", quote=True)


def local_svg(centre: str, neighbours: list[tuple[str, str, str]], *, width: int = 720, height: int = 300) -> str:
    """A small picture of one page's neighbourhood that works without JavaScript.

    ``neighbours`` are ``(label, href, kind)`` with kind "out" (it mentions them), "in" (they
    mention it), "related" or "topic"; every label is a link to its page. The picture is on
    thousands of pages, and every element costs MkDocs three HTML parses, so edges and dots are
    a few paths (arrowheads drawn, not markers) and only the labels are elements of their own.
    """
    cx, cy = width // 2, height // 2
    count = len(neighbours)
    dashed, arrows, dots, labels = [], [], {}, []
    for i, (label, href, kind) in enumerate(neighbours):
        angle = 2 * math.pi * i / max(1, count) - math.pi / 2
        x = round(cx + (width / 2 - 200) * math.cos(angle))
        y = round(cy + (height / 2 - 30) * math.sin(angle))
        if kind in ("out", "in"):
            (x1, y1), (x2, y2) = ((cx, cy), (x, y)) if kind == "out" else ((x, y), (cx, cy))
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy) or 1
            ux, uy = dx / length, dy / length
            r = 7 if kind == "out" else 9  # stop at the edge of the dot the arrow points at
            tx, ty = x2 - ux * r, y2 - uy * r
            bx, by = tx - ux * 9, ty - uy * 9
            arrows.append(f"M{x1} {y1}L{bx:.0f} {by:.0f}M{tx:.0f} {ty:.0f}L{bx - uy * 4:.0f} {by + ux * 4:.0f}"
                          f"L{bx + uy * 4:.0f} {by - ux * 4:.0f}Z")
        else:
            dashed.append(f"M{cx} {cy}L{x} {y}")
        dots.setdefault(kind, []).append(f"M{x - 7} {y}a7 7 0 1 0 14 0a7 7 0 1 0-14 0")
        anchor = "start" if x > cx + 5 else "end" if x < cx - 5 else "middle"
        tx = x + 10 if anchor == "start" else x - 10 if anchor == "end" else x
        # xlink:href, not href: Material's instant navigation assigns the href of every [href]
        # link it finds, which an SVG link does not allow, and the new page was left half swapped.
        labels.append(f'<a xlink:href="{html.escape(href, quote=True)}"><title>{html.escape(label, quote=False)}</title>'
                      f'<text x="{tx}" y="{y + 4}" text-anchor="{anchor}">{_label(label)}</text></a>')
    colour = {"out": "#e15759", "in": "#4e79a7", "related": "#9c9c9c", "topic": "#59a14f"}
    out = [f'<svg class="papersite-local" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'style="max-width: 100%; height: auto" role="img" aria-label="Neighbourhood of this page" '
           f'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">']
    if dashed:
        out.append(f'<path d="{"".join(dashed)}" stroke="#bbb" stroke-dasharray="4 3" fill="none"/>')
    if arrows:
        out.append(f'<path d="{"".join(arrows)}" stroke="#555" stroke-width="1.5" fill="#555"/>')
    out += [f'<path d="{"".join(d)}" fill="{colour.get(kind, "#888")}"/>' for kind, d in dots.items()]
    out.append(f'<circle cx="{cx}" cy="{cy}" r="9" fill="#333"/>'
               f'<g font-size="11" fill="currentColor"><text x="{cx}" y="{cy + 24}" text-anchor="middle" '
               f'font-size="12">{_label(centre, 40)}</text>')
    out += labels
    out.append("</g></svg>")
    return "".join(out)
