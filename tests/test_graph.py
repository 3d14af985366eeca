import json

import networkx as nx

from generator.build import build_site

from conftest import ROOT


def test_graph_json_is_node_link_data_that_networkx_reads_back():
    site = build_site(ROOT / "content")
    data = json.loads(site.files["graph.json"])
    graph = nx.node_link_graph(data)
    assert isinstance(graph, nx.MultiDiGraph)
    papers = [n for n, d in graph.nodes(data=True) if d["kind"] == "paper"]
    assert len(papers) == 65
    for node in papers:
        attrs = graph.nodes[node]
        assert attrs["url"] == f"papers/{node}/"
        assert attrs["title"] and attrs["date"] == "2025-08-05"
        assert attrs["topics"], node  # every paper has a topic
    kinds = {d["kind"] for _, _, d in graph.edges(data=True)}
    assert kinds == {"mentions", "related"}
    for _, _, d in graph.edges(data=True):
        if d["kind"] == "mentions":
            assert d["evidence"] and d["alias"] and d["match"] in d["evidence"]
        else:
            assert 0 < d["weight"] <= 1
    topic_ids = {t["id"] for t in graph.graph["topics"]}
    assert all(set(graph.nodes[n]["topics"]) <= topic_ids for n in papers)


def test_a_pair_can_carry_both_kinds_of_edge():
    site = build_site(ROOT / "content")
    graph = nx.node_link_graph(json.loads(site.files["graph.json"]))
    both = [(u, v) for u, v, k in graph.edges(keys=True) if k == "mentions" and graph.has_edge(u, v, "related")]
    assert both  # e.g. GIST names CLIP and is also similar to it


def test_build_is_reproducible():
    a = build_site(ROOT / "content").files
    b = build_site(ROOT / "content").files
    assert a == b
