import dataclasses
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys

import networkx as nx
import pytest

from generator.analysis.layout import layout
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


def test_graph_data_is_what_networkx_gives_for_the_multigraph(bundled_site):
    """graph.json is written without making the graph; it is node_link_data of that graph."""
    from generator.analysis.graph import build_graph, graph_data, graph_json

    site = bundled_site
    data = graph_data(site.collection, site.analysis, directory_urls=True)
    graph = build_graph(site.collection, site.analysis, directory_urls=True)
    assert isinstance(graph, nx.MultiDiGraph) and graph.number_of_edges() == len(data["edges"])
    assert graph_json(nx.node_link_data(graph, edges="edges")) == graph_json(data)
    assert json.loads(site.files["graph.json"])["nodes"][0].keys() >= {"id", "x", "y", "url"}


@pytest.mark.parametrize("directory_urls", [True, False])
def test_the_builds_graph_text_is_graph_json_of_graph_data(bundled_site, directory_urls):
    """The build writes graph.json without a dict per edge: the same text as the public path,
    with or without positions, whatever the weights and ids hold (an int, a NaN, odd characters),
    and whatever pair carries both kinds of edge."""
    from generator.analysis.graph import graph_data, graph_json, graph_text
    from generator.model import Related

    site = bundled_site
    collection, analysis = site.collection, site.analysis
    positions = layout(collection, analysis, seed=1)
    ids = list(collection.papers)
    odd = {ids[0]: (Related(ids[0], ids[1], 1), Related(ids[0], ids[2], float("nan")),
                    Related(ids[0], 'a"b\u2028\ud800', 0.25))}
    changed = dataclasses.replace(analysis, related={**analysis.related, **odd})
    for a in (analysis, changed):
        for where in (positions, None):
            expected = graph_json(graph_data(collection, a, where, directory_urls=directory_urls))
            assert graph_text(collection, a, where, directory_urls=directory_urls) == expected


def test_each_line_of_graph_json_is_json_dumps_of_its_item():
    """graph.json writes related edges by a format of its own: the same text as json.dumps,
    whatever the ids hold (quotes, backslashes, line and paragraph separators, controls)."""
    from generator.analysis.graph import graph_json

    odd = ['a"b', "c\\d", "e\u2028f\u2029", "g\x00\x1fh", "é ü 汉", "i/j", "\ud800"]
    nodes = [{"id": pid, "kind": "paper", "title": pid, "x": 0.5, "y": -1e-7} for pid in odd]
    edges = [{"kind": "related", "weight": w, "source": a, "target": b, "key": "related"}
             for a, b, w in zip(odd, odd[1:] + odd[:1], [0.1234, 1.0, 5e-05, 0.3, 1e-07, 0.9999, 0.5])]
    edges += [{"kind": "related", "weight": 1, "source": "k", "target": "l", "key": "related"},  # an int
              {"kind": "related", "weight": float("nan"), "source": "m", "target": "n", "key": "related"},
              {"kind": "mentions", "alias": "X", "match": "X", "evidence": "uses X", "source": "o", "target": "p",
               "key": "mentions"}]
    text = graph_json({"directed": True, "multigraph": True, "graph": {}, "nodes": nodes, "edges": edges})
    lines = text.split("\n")  # not splitlines(), which also breaks at U+2028
    items = sorted(nodes, key=lambda n: n["id"]) + sorted(edges, key=lambda e: (e["source"], e["target"], e["key"]))
    body = [line for line in lines if line.startswith("{\"")]
    assert [line.rstrip(",") for line in body] == [json.dumps(i, sort_keys=True, ensure_ascii=False) for i in items]
    # Each ends with a comma but the last of its list; the whole is the JSON of the data.
    assert json.loads(text)["edges"][0]["source"] == sorted(odd)[0]
    assert sum(line.endswith(",") for line in body) == len(items) - 2


def test_a_pair_can_carry_both_kinds_of_edge():
    site = build_site(ROOT / "content")
    graph = nx.node_link_graph(json.loads(site.files["graph.json"]))
    both = [(u, v) for u, v, k in graph.edges(keys=True) if k == "mentions" and graph.has_edge(u, v, "related")]
    assert both  # e.g. GIST names CLIP and is also similar to it


def test_build_is_reproducible():
    a = build_site(ROOT / "content").files
    b = build_site(ROOT / "content").files
    assert a == b


@pytest.fixture(scope="module")
def bundled_site():
    return build_site(ROOT / "content")


# --- the layout: the same places in every build, in one process or forked ---


def test_graph_page_picture_draws_every_paper_and_link_with_linked_papers_close():
    site = build_site(ROOT / "content")
    page = site.files["graph.md"]
    svg = page[page.index('<svg class="papersite-graph"'):]
    svg = svg[:svg.index("</svg>")]
    dots = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]
    lines = [tuple(map(float, m)) for m in re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', svg)]
    related = {frozenset((r.source, r.target)) for items in site.analysis.related.values() for r in items}
    assert len(dots) == len(site.collection.papers)
    assert len(lines) == len(related) + len(site.analysis.mentions)
    assert all(20 <= c <= 780 for dot in dots for c in dot) and all(20 <= c <= 780 for line in lines for c in line)
    assert len(set(dots)) == len(dots)  # spread out, none hidden under another

    def length(x1, y1, x2, y2):
        return ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5

    linked = sum(length(*line) for line in lines) / len(lines)
    pairs = [(a, b) for i, a in enumerate(dots) for b in dots[i + 1:]]
    anywhere = sum(length(*a, *b) for a, b in pairs) / len(pairs)
    assert linked < 0.75 * anywhere  # a force layout: papers that name or resemble each other meet

@pytest.mark.parametrize("spring_limit", [150, 3])  # 3: the larger topics are sunflowers
def test_layout_is_the_same_in_every_process_and_for_any_order(bundled_site, monkeypatch, spring_limit):
    import generator.analysis.layout as layout_module

    monkeypatch.setattr(layout_module, "SPRING_LIMIT", spring_limit)
    collection, analysis = bundled_site.collection, bundled_site.analysis
    first = layout(collection, analysis, seed=42)
    assert len(first) == len(collection.papers) == 65
    assert len(set(first.values())) == len(first)  # no two papers on the same spot
    assert all(abs(c) <= 1500 and c == round(c, 1) for xy in first.values() for c in xy)

    random.seed(1)
    expected = random.random()
    random.seed(1)
    assert layout(collection, analysis, seed=42) == first
    assert random.random() == expected  # the random module's stream is left alone, and restored for igraph

    backwards = dataclasses.replace(collection, papers=dict(reversed(collection.papers.items())))
    shuffled = dataclasses.replace(analysis, related=dict(reversed(analysis.related.items())),
                                   paper_topics=dict(reversed(analysis.paper_topics.items())),
                                   mentions=tuple(reversed(analysis.mentions)))
    assert layout(backwards, shuffled, seed=42) == first

    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=lambda: send.send(layout(collection, analysis, seed=42)))
        child.start()
        assert receive.poll(120), "the forked process sent no layout"
        forked = receive.recv()
        child.join()
        assert forked == first


def test_layout_is_the_same_in_a_new_interpreter(bundled_site):
    script = ("import json, sys; from pathlib import Path; from generator.build import build_site; "
              "from generator.analysis.layout import layout; site = build_site(Path(sys.argv[1])); "
              "print(json.dumps(sorted(layout(site.collection, site.analysis, seed=42).items())))")
    other = subprocess.run([sys.executable, "-c", script, str(ROOT / "content")], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=ROOT)
    assert other.returncode == 0, other.stderr
    mine = layout(bundled_site.collection, bundled_site.analysis, seed=42)
    assert [(pid, tuple(xy)) for pid, xy in json.loads(other.stdout)] == sorted(mine.items())
