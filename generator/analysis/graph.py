"""The collection as one graph: the public ``graph.json`` contract.

A ``MultiDiGraph`` because a pair of papers can carry both a ``mentions`` and
a ``related`` edge. Nodes are paper ids; ``graph.json`` is
``networkx.node_link_data(G, edges="edges")`` so that ``nx.node_link_graph``
reads it back and tools such as Gephi (through networkx) can open it.
"""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from ..model import Analysis, Collection

if TYPE_CHECKING:  # imported where used: a tenth of a second that the build's first steps need not wait for
    import networkx as nx

__all__ = ["graph_data", "graph_text", "build_graph", "graph_json"]


def graph_data(collection: Collection, analysis: Analysis, positions=None, *, directory_urls: bool = True) -> dict:
    """The collection as ``networkx.node_link_data(G, edges="edges")`` of the ``MultiDiGraph``
    :func:`build_graph` makes, written out directly: at 60,000 papers and 300,000 edges, making
    the graph only to take it apart again took four seconds. ``url`` is each paper page's
    address relative to the site root, as MkDocs writes it."""
    head, nodes, edges = _parts(collection, analysis, positions, directory_urls)
    return {**head, "nodes": nodes,
            "edges": [{**_attrs(k, value), "source": u, "target": v, "key": k} for (u, v, k), value in edges.items()]}


def graph_text(collection: Collection, analysis: Analysis, positions=None, *, directory_urls: bool = True) -> str:
    """``graph_json(graph_data(...))``, the same text, without making a dict for each edge only
    to write it (at 10,784 papers, 0.4 of the 0.8 s of the map, graph.json and the feeds)."""
    head, nodes, edges = _parts(collection, analysis, positions, directory_urls)
    nodes.sort(key=lambda n: n["id"])
    encode = _item_encoder()
    related = encode.related
    lines = []
    for (u, v, k) in sorted(edges):
        value = edges[(u, v, k)]
        line = related(u, v, value) if k == "related" else None
        lines.append(line if line is not None else encode({**_attrs(k, value), "source": u, "target": v, "key": k}))
    return _text(head, list(map(encode, nodes)), lines)


def _attrs(key: str, value) -> dict:
    """An edge's attributes: a related edge is kept as its weight alone until it is written."""
    return {"kind": "related", "weight": value} if key == "related" else value


def _parts(collection: Collection, analysis: Analysis, positions, directory_urls: bool) -> tuple[dict, list, dict]:
    """The graph's attributes, its nodes, and its edges by (source, target, key): one per key,
    as the multigraph keeps it (a related edge's value is its weight, see :func:`_attrs`)."""
    nodes = []
    for pid, paper in collection.papers.items():
        node = {
            "id": pid,
            "kind": "paper",
            "title": paper.title,
            "url": f"papers/{pid}/" if directory_urls else f"papers/{pid}.html",
            "date": paper.date.isoformat(),
            "dates": [d.isoformat() for d in paper.dates],
            "topics": list(analysis.paper_topics.get(pid, ())),
            "aliases": [a.name for a in analysis.aliases.get(pid, ()) if a.how != "full-title"],
        }
        if positions and pid in positions:
            node["x"], node["y"] = positions[pid][0], positions[pid][1]
        if paper.arxiv_id:
            node["arxiv_id"] = paper.arxiv_id
        nodes.append(node)
    edges: dict = {}
    for m in analysis.mentions:
        edges[(m.source, m.target, "mentions")] = {"kind": "mentions", "alias": m.alias,
                                                   "match": m.evidence[m.start:m.end], "evidence": m.evidence}
    for pid in collection.papers:
        for rel in analysis.related.get(pid, ()):
            edges[(rel.source, rel.target, "related")] = rel.weight
    head = {
        "directed": True,
        "multigraph": True,
        "graph": {"topics": [{"id": t.id, "name": t.name, "keyphrases": list(t.keyphrases), "size": len(t.papers)}
                             for t in analysis.topics]},
    }
    return head, nodes, edges


def build_graph(collection: Collection, analysis: Analysis, positions=None, *, directory_urls: bool = True) -> nx.MultiDiGraph:
    """The collection as a networkx ``MultiDiGraph`` (what ``graph.json`` holds)."""
    import networkx as nx

    return nx.node_link_graph(graph_data(collection, analysis, positions, directory_urls=directory_urls),
                              edges="edges")


def graph_json(data: dict) -> str:
    """:func:`graph_data` as stable text: sorted keys, one line per node and edge so diffs stay
    readable."""
    encode = _item_encoder()
    nodes = sorted(data["nodes"], key=lambda n: n["id"])
    edges = sorted(data["edges"], key=lambda e: (e["source"], e["target"], e["key"]))
    return _text({k: v for k, v in data.items() if k not in ("nodes", "edges")},
                 list(map(encode, nodes)), list(map(encode, edges)))


def _text(head: dict, nodes: list[str], edges: list[str]) -> str:
    """The text of :func:`graph_json`, from the graph's attributes and its encoded items."""
    lines = ["{"]
    for k, v in sorted(head.items()):
        lines.append(f"{json.dumps(k)}: {json.dumps(v, sort_keys=True, ensure_ascii=False)},")
    for name, items in (("nodes", nodes), ("edges", edges)):
        lines.append(f'"{name}": [')
        if items:
            lines.append(",\n".join(items))
        lines.append("]," if name == "nodes" else "]")
    lines.append("}")
    return "\n".join(lines) + "\n"


_RELATED_KEYS = frozenset(("kind", "weight", "source", "target", "key"))


def _item_encoder():
    """``json.dumps(item, sort_keys=True, ensure_ascii=False)`` for one node or edge, faster.

    ``json.dumps`` makes a new C encoder for every call, which was most of writing 380,000 items
    at 60,000 papers: here one is made for all of them. A related edge (most of the items) is
    written by a format of its own, the same text: its keys in sorted order, the strings in JSON's
    own escaping, the weight as JSON writes a finite float (its ``repr``)."""
    from json.encoder import c_make_encoder, encode_basestring

    string = encode_basestring  # ensure_ascii=False's string encoder
    if c_make_encoder is not None:
        # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan)
        items = c_make_encoder(None, json.JSONEncoder().default, string, None, ": ", ", ", True, False, True)

        def generic(item) -> str:
            return "".join(items(item, 0))
    else:  # a Python without the C encoder
        generic = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode

    def related(source, target, weight) -> str | None:
        """A related edge's line, or None when its values need the general encoder."""
        if type(weight) is float and math.isfinite(weight) and type(source) is str and type(target) is str:
            return (f'{{"key": "related", "kind": "related", "source": {string(source)}, '
                    f'"target": {string(target)}, "weight": {float.__repr__(weight)}}}')
        return None

    def encode(item) -> str:
        if item.keys() == _RELATED_KEYS and item["kind"] == "related" and item["key"] == "related":
            line = related(item["source"], item["target"], item["weight"])
            if line is not None:
                return line
        return generic(item)

    encode.related = related
    return encode
