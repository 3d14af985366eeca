import markdown
import yaml

from hypothesis import given, settings, strategies as st

from generator.escape import _checked_url, highlight, markdown_text, safe_url, yaml_front_matter
from generator.render import Renderer


def html(md: str) -> str:
    return markdown.markdown(md, extensions=["tables"])


def test_markup_in_digest_text_stays_text():
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) *em* `code` {{ x }}'
    out = html(str(markdown_text(hostile)))
    assert "<script" not in out and "<img" not in out and 'href="javascript' not in out
    assert "<em>" not in out and "<code>" not in out
    assert "&#60;script&#62;" in out  # shown as text by the browser


def test_block_syntax_at_line_start_is_neutral():
    for text in ("- item", "1. first", "> quote", "# heading", "+ plus", "--- rule"):
        out = html(str(markdown_text(text)))
        assert out.startswith("<p>") and out.rstrip().endswith("</p>"), (text, out)
    assert str(markdown_text("0.07")) == "0.07"


def test_highlight_marks_only_the_name():
    out = html(str(highlight("We use <CLIP> here.", 8, 12)))
    assert "&#60;<mark>CLIP</mark>&#62;" in out


def test_front_matter_survives_yaml_breakers():
    title = 'X"</title><script>alert(1)</script>\n---\nfoo: bar'
    block = str(yaml_front_matter({"title": title}))
    assert block.count("\n---\n") == 1 and block.startswith("---\n")
    data = yaml.safe_load(block.strip("-\n"))
    assert set(data) == {"title"} and "<script>" not in data["title"]


def test_only_http_urls_are_links():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("https://github.com/a/b) [x](y") == "https://github.com/a/b%29%20%5Bx%5D%28y"


def test_templates_escape_by_default():
    env = Renderer().env
    assert env.from_string("{{ x }}").render(x="<b>") == "&#60;b&#62;"


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:", "http:///", " https://", ""]),
       st.text("aZ09-._~:/?#[]@!$&'()*+,;=% \"<>\\^`{|}é\t", max_size=30))
def test_urls_given_back_as_they_are_are_those_the_parser_accepts_unchanged(scheme, rest):
    """The shortcut for plain URLs gives what parsing and quoting give, for any text."""
    url = scheme + rest
    assert safe_url(url) == _checked_url(url.strip())


def test_author_and_category_lists_are_escaped_as_one_text(tmp_path):
    """A paper page writes its authors and categories as one joined text, escaped where it lands:
    markup in any name stays text, whichever place it has in the list."""
    import json

    from generator.build import build_site

    digests = tmp_path / "content" / "digests"
    digests.mkdir(parents=True)
    record = {"id": "2503.11731", "title": "A Title", "summary": "We propose a system.",
              "authors": ["Ada One", "<img src=x onerror=alert(1)>", "- Bob *Two*"],
              "categories": ["cs.CV", "cs.<b>RO</b>"], "comment": ""}
    (digests / "2025-03-18.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    page = build_site(tmp_path / "content").files["papers/2503-11731.md"]
    assert "Authors: Ada One, &#60;img src&#61;x onerror&#61;alert(1)&#62;, - Bob &#42;Two&#42;\n" in page
    assert "Categories: cs.CV, cs.&#60;b&#62;RO&#60;/b&#62;\n" in page
    assert "<img" not in page and "<b>" not in page


_NAMES = st.text(max_size=40)
_URLS = st.text("a/.-&\"'<>é", max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_URLS, _NAMES, st.lists(st.tuples(st.sampled_from(["t1", "t&2"]), _NAMES), max_size=3)),
                max_size=5))
def test_the_lists_made_in_python_are_the_template_loops_they_replaced(rows):
    """Topic and day pages list their papers as HTML made by the planner (generator.site): the
    same text as the templates' loops that escaped each value gave, for any title, topic name
    and URL."""
    from markupsafe import Markup

    from generator.site import _paper_items, _topics_after

    env = Renderer().env
    topic_loop = ('{% for p in papers %}\n<li><a href="{{ p.url | attr }}">{{ p.title }}</a> <small>{{ p.date }}</small>'
                  '</li>\n{% endfor %}\n')
    day_loop = ('{% for p in papers %}\n<li><a href="{{ p.url | attr }}">{{ p.title }}</a>{% if p.topics %} <small>'
                '{% for t in p.topics %}{% if not loop.first %}, {% endif %}<a href="{{ t.url | attr }}">{{ t.name }}</a>'
                '{% endfor %}</small>{% endif %}</li>\n{% endfor %}\n')

    def url(path):  # as the plan's links are: Markup, taken at their word by the template
        return Markup(path[::-1] + "&/")

    items = [(Markup(link), title, "2025-03-18") for link, title, _ in rows]
    made = _paper_items([(link, title, f" <small>{day}</small>") for link, title, day in items])
    assert type(made) is Markup and made == env.from_string(topic_loop).render(
        papers=[{"url": link, "title": title, "date": day} for link, title, day in items])
    made = _paper_items([(Markup(link), title, _topics_after(url, topics)) for link, title, topics in rows])
    assert type(made) is Markup and made == env.from_string(day_loop).render(
        papers=[{"url": Markup(link), "title": title, "topics": [{"name": name, "url": url(f"topics/{t}.md")}
                                                                 for t, name in topics]}
                for link, title, topics in rows])


_EVIDENCE = st.tuples(st.text(max_size=30), st.integers(0, 30), st.integers(0, 30))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_URLS, _NAMES, st.one_of(st.none(), _NAMES), _NAMES, _EVIDENCE), max_size=4))
def test_a_paper_pages_lists_made_in_python_are_the_template_loops_they_replaced(rows):
    """A paper page's lists of days, topics, links, related papers, mentions and mentioning
    papers are made by the planner (generator.site): the same text as the template's loops gave,
    for any URL, title, topic reason, name, date and evidence."""
    from markupsafe import Markup

    from generator.site import _links, _mention_items, _value

    env = Renderer().env

    def loop(item: str, sep: str) -> str:
        return f'{{% for x in xs %}}{{% if not loop.first %}}{sep}{{% endif %}}{item}{{% endfor %}}'

    link = '<a href="{{ x.url | attr }}">{{ x.title }}</a>'
    with_reason = '<a href="{{ x.url | attr }}"{% if x.reason %} title="{{ x.reason | attr }}"{% endif %}>{{ x.title }}</a>'
    items = [{"url": Markup(url), "title": title, "reason": reason, "alias": alias,
              "evidence": highlight(text, min(a, b, len(text)), min(max(a, b), len(text))), "date": title[:10]}
             for url, title, reason, alias, (text, a, b) in rows]
    for sep in (", ", " · ", "<br>"):
        assert _links([(x["url"], x["title"]) for x in items], sep) == env.from_string(loop(link, sep)).render(xs=items)
        assert _links([(x["url"], x["title"], x["reason"]) for x in items], sep) == env.from_string(
            loop(with_reason, sep)).render(xs=items)
    mentions = ('{% for x in xs %}\n<li><a href="{{ x.url | attr }}">{{ x.title }}</a> as <strong>{{ x.alias }}'
                '</strong>: “{{ x.evidence }}”</li>\n{% endfor %}\n')
    mentioned_by = ('{% for x in xs %}\n<li><a href="{{ x.url | attr }}">{{ x.title }}</a> ({{ x.date }}), naming '
                    '<strong>{{ x.alias }}</strong>: “{{ x.evidence }}”</li>\n{% endfor %}\n')
    made = _mention_items([(x["url"], x["title"], " as ", x["alias"], x["evidence"]) for x in items])
    assert type(made) is Markup and made == env.from_string(mentions).render(xs=items)
    made = _mention_items([(x["url"], x["title"], f" ({_value(x['date'])}), naming ", x["alias"], x["evidence"])
                           for x in items])
    assert type(made) is Markup and made == env.from_string(mentioned_by).render(xs=items)
