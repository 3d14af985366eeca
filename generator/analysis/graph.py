"""The collection as one graph: the public ``graph.json`` contract.

A ``MultiDiGraph`` because a pair of papers can carry both a ``mentions`` and
a ``related`` edge. Nodes are paper ids; ``graph.json`` is
``networkx.node_link_data(G, edges="edges")`` so that ``nx.node_link_graph``
reads it back and tools such as Gephi (through networkx) can open it.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..model import Analysis, Collection

if TYPE_CHECKING:  # imported where used: a tenth of a second that the build's first steps need not wait for
    import networkx as nx

__all__ = ["build_graph", "graph_json"]


def build_graph(collection: Collection, analysis: Analysis, positions=None, *, directory_urls: bool = True) -> nx.MultiDiGraph:
    """``url`` is each paper page's address relative to the site root, as MkDocs writes it."""
    import networkx as nx

    graph = nx.MultiDiGraph(
        topics=[{"id": t.id, "name": t.name, "keyphrases": list(t.keyphrases), "size": len(t.papers)}
                for t in analysis.topics],
    )
    for pid, paper in collection.papers.items():
        graph.add_node(
            pid,
            kind="paper",
            title=paper.title,
            url=f"papers/{pid}/" if directory_urls else f"papers/{pid}.html",
            date=paper.date.isoformat(),
            dates=[d.isoformat() for d in paper.dates],
            topics=list(analysis.paper_topics.get(pid, ())),
            aliases=[a.name for a in analysis.aliases.get(pid, ()) if a.how != "full-title"],
            **({"x": positions[pid][0], "y": positions[pid][1]} if positions and pid in positions else {}),
            **({"arxiv_id": paper.arxiv_id} if paper.arxiv_id else {}),
        )
    for m in analysis.mentions:
        graph.add_edge(m.source, m.target, key="mentions", kind="mentions", alias=m.alias,
                       match=m.evidence[m.start:m.end], evidence=m.evidence)
    for pid in collection.papers:
        for rel in analysis.related.get(pid, ()):
            graph.add_edge(rel.source, rel.target, key="related", kind="related", weight=rel.weight)
    return graph


def graph_json(graph: nx.MultiDiGraph) -> str:
    """Stable text: sorted keys, one line per node and edge so diffs stay readable."""
    import networkx as nx

    data = nx.node_link_data(graph, edges="edges")
    data["nodes"].sort(key=lambda n: n["id"])
    data["edges"].sort(key=lambda e: (e["source"], e["target"], e["key"]))
    head = {k: v for k, v in data.items() if k not in ("nodes", "edges")}
    lines = ["{"]
    for k, v in sorted(head.items()):
        lines.append(f"{json.dumps(k)}: {json.dumps(v, sort_keys=True, ensure_ascii=False)},")
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode  # json.dumps' own, made once
    for name in ("nodes", "edges"):
        items = data[name]
        lines.append(f'"{name}": [')
        lines.extend(encode(item) + ("," if i < len(items) - 1 else "") for i, item in enumerate(items))
        lines.append("]," if name == "nodes" else "]")
    lines.append("}")
    return "\n".join(lines) + "\n"
