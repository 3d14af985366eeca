"""The names each paper introduces (its aliases).

Evidence, strongest first: the name before a colon in its title ("GIST: ..."),
a short title, a definitional phrase in its own abstract ("we propose X",
"called X"), an acronym it defines *and* introduces ("we present Generalized
Referring Expression Segmentation (GRES)", found the Schwartz–Hearst way), and
the name of its own code repository. A paper that only *uses* an acronym with
its long form does not own it; that use is still recorded as a long form,
which is what resolves a mention of a name two papers introduce.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import ahocorasick

from ..model import Alias, Collection, Paper
from ..text import fold, sentences
from .names import case_sensitive, is_concept, is_distinctive

__all__ = ["find_aliases", "acronym_definitions", "schwartz_hearst"]

_INTRO = r"(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|develop(?:s|ed)?|design(?:s|ed)?|devise[sd]?|build|construct|release[sd]?|contribute[sd]?|curate[sd]?|collect(?:s|ed)?|offer(?:s|ed)?|formulate[sd]?|establish(?:es|ed)?)"
_NAMING = r"(?:called|named|dubbed|termed|coined|denoted(?: as)?|known as|referred to as)"
_KIND = r"(?:method|approach|framework|model|benchmark|dataset|data set|architecture|algorithm|technique|network|system|pipeline|paradigm|strategy|module|metric|loss|task|toolkit|library|family|suite|agent|layer|operator|mechanism|scheme|objective|encoder|decoder|transformer|detector|baseline|corpus|suite|tool|solution|recipe|protocol|setting|problem|formulation|variant|version|collection|resource|platform|engine|estimator|optimizer|regularizer|attention)s?"
# A name-run: up to four capitalised or coined tokens ("Poincaré ResNet", "InstructDET").
_NAME = r"(?P<name>[A-Z0-9][\w'^.+\-]*[\w+](?:\s+[A-Z0-9][\w'^.+\-]*[\w+]){0,3}|[a-z]+[A-Z0-9][\w\-]*)"
# Trigger words are matched in any case, the name itself only as written: (?i:...) scopes the flag.
_DEF_PATTERNS = [
    re.compile(rf"\b(?i:{_NAMING}|namely)\s+(?:as\s+)?[\"“']?{_NAME}"),
    re.compile(rf"\b(?i:we\s+call)\s+(?:[a-z]+\s+){{0,4}}?[\"“']?{_NAME}"),
    re.compile(rf"\b(?i:we|this paper|this work)\s+(?:[a-z]+\s+)?(?i:{_INTRO})\s+(?:the\s+)?[\"“']?{_NAME}(?=\s*(?:[,:;(]|\s[-–—]\s|\s(?:a|an|which|that|to|for|as)\b))"),
    re.compile(rf"\b(?i:{_INTRO})\s+(?i:a|an|the|our)\s+(?:[\w\-]+\s+){{0,4}}?(?i:{_KIND})\s*[,:]?\s*(?:namely\s+)?[\"“']?{_NAME}(?=\s*(?:[,:;(.]|\s[-–—]\s|\s(?:which|that|to|for|as|with)\b))"),
]
_ACRONYM_RE = re.compile(r"\(\s*(?P<short>[^\W_][\w\-'.^+]{0,11})(?:s)?\s*[;,)]")
_FUNCTION_WORDS = frozenset("a an the our on of in for to towards toward with from by how why what when is are do does".split())
_REPO_HOSTS = ("github.com", "gitlab.com", "huggingface.co", "bitbucket.org")


def schwartz_hearst(short: str, long: str) -> str | None:
    """The shortest tail of ``long`` whose letters spell ``short`` in order.

    Schwartz & Hearst (2003): match the short form's characters right to left
    inside the long form; its first character must start a word.

    >>> schwartz_hearst("GRES", "we propose Generalized Referring Expression Segmentation")
    'Generalized Referring Expression Segmentation'
    """
    s, l = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (long[l].lower() != c or (s == 0 and l > 0 and long[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = long.rfind(" ", 0, l + 1) + 1
    return long[start:]


def acronym_definitions(text: str):
    """Yield ``(short, long_form, sentence, long_start)`` for each "long form (SHORT)" in ``text``."""
    for s0, s1 in sentences(text):
        sent = text[s0:s1]
        for m in _ACRONYM_RE.finditer(sent):
            short = m.group("short")
            letters = [c for c in short if c.isalpha()]
            if not (2 <= len(short) <= 12) or sum(c.isupper() for c in letters) < 2:
                continue
            before = sent[: m.start()].rstrip()
            words = before.split()
            window = " ".join(words[-min(len(short) + 5, 2 * len(short)):])
            long = schwartz_hearst(short, window)
            if (not long or len(long) <= len(short) or len(long.split()) > 2 * len(short) + 1
                    or re.search(r"[()\[\];]|--", long)):
                continue
            long = long.strip(" ,;:\"'“”")
            yield short, long, sent, len(before) - len(long)


def _title_prefix(title: str) -> list[str]:
    """Names before a colon in the title ("RS5M and GeoRSCLIP: ..." gives two)."""
    if ":" not in title:
        return []
    head, tail = (part.strip() for part in title.split(":", 1))
    if not head or len(head.split()) > 4 or len(head) > 40:
        return []
    # "Autoregressive Models in Vision: A Survey" names a subject, not a new thing.
    if not is_distinctive(head) and re.match(r"(?i)(?:an?\s+|the\s+)?(?:\w+\s+)?(?:survey|review|tutorial|overview|primer|perspective|study|position)\b", tail):
        return []
    parts = [p.strip() for p in re.split(r"\s+(?:and|&)\s+|,\s*", head)] if is_distinctive(head) else [head]
    out = []
    for p in parts:
        # Multi-word phrases ("Model soups") are names when the title puts them first;
        # single words must look coined.
        words = p.split()
        # Plain-word phrases ("Model soups") are names when the title leads with them,
        # unless they read as an activity ("Revisiting ResNets", "Training the Untrainable").
        if is_distinctive(p) or (2 <= len(words) <= 3 and len(p) >= 8 and not words[0].lower().endswith("ing")):
            out.append(p)
    return out


_OTHERS_CODE = re.compile(r"\b(?:built|build|builds|based|relies|rely)\s+(?:on|upon)\b|\b(?:borrowed|adapted)\s+from\b|"
                          r"\bfollowing\b|\bimplementation of\b", re.I)


def _own_link(paper: Paper, url: str) -> bool:
    """A repository is the paper's own unless the sentence that gives it credits someone else's."""
    at = paper.abstract.find(url)
    if at < 0:
        return True  # given with the record (e.g. an arXiv comment): the authors' own
    for a, b in sentences(paper.abstract):
        if a <= at < b:  # "our code is built on URL": the words before the link say whose it is
            return not _OTHERS_CODE.search(paper.abstract[a:at])
    return True


def _repository_names(paper: Paper) -> list[str]:
    names = []
    for url in (u for u in paper.links if _own_link(paper, u)):
        parts = urlsplit(url)
        host = parts.netloc.lower()
        segs = [s for s in parts.path.split("/") if s]
        if host in _REPO_HOSTS and len(segs) >= 2:
            name = segs[1]
        elif host.endswith(".github.io") and segs:
            name = segs[0]
        else:
            continue
        name = re.sub(r"\.git$", "", name)
        if is_distinctive(name) and not name.lower().startswith("awesome"):
            names.append(name)
    return names


def _introduced(sentence: str, long_start: int) -> bool:
    """Whether the sentence presents the long form as new (not merely uses it)."""
    before = sentence[:long_start]
    m = list(re.finditer(rf"\b(?:{_INTRO}|{_NAMING}|namely|novel|new|our)\b", before, re.I))
    if not m:
        return False
    gap = before[m[-1].end():]
    words = gap.split()
    return len(words) <= 6 and not re.search(r"\b(?:for|on|of|in|to|with|from|by|using|via|than|over|under|about)\b", gap, re.I)


def _paper_aliases(paper: Paper) -> list[Alias]:
    found: dict[str, Alias] = {}

    def add(name: str, how: str, long_form: str | None = None) -> None:
        name = name.strip(" ,.;:\"'“”")
        if len(name) < 2 or is_concept(name):
            return
        if name in found:  # keep the strongest evidence, but learn the long form
            if long_form and not found[name].long_form:
                found[name] = Alias(name, paper.id, found[name].how, long_form)
            return
        found[name] = Alias(name, paper.id, how, long_form)

    prefixes = _title_prefix(paper.title)
    tail = paper.title.split(":", 1)[1].strip() if ":" in paper.title else None
    for name in prefixes:
        # "DINO: DETR with Improved Denoising Anchor Boxes": the rest of the title spells the name out.
        add(name, "title", tail if len(prefixes) == 1 and is_distinctive(name) else None)
    words = paper.title.split()
    # A short title is the name of its contribution ("Poincaré ResNet"), unless it opens
    # like a sentence ("Our Detector", "Towards Robustness").
    if (1 <= len(words) <= 3 and ":" not in paper.title and (is_distinctive(paper.title) or len(words) >= 2)
            and words[0].lower() not in _FUNCTION_WORDS):
        add(paper.title, "short-title")
    # The title owns an acronym when it carries the acronym itself, or the long form as
    # its whole name ("Matryoshka Representation Learning"), not merely inside it
    # ("Generalized Referring Expression Segmentation" does not own RES).
    title_names = {fold(paper.title), fold(paper.title.split(":", 1)[0])}
    title_tokens = {t.strip(",.;!?\"'()") for t in paper.title.split(":", 1)[0].split()}
    for short, long, sentence, start in acronym_definitions(paper.abstract):
        if short in title_tokens or fold(long) in title_names or _introduced(sentence, start):
            add(short, "acronym", long)
    for pattern in _DEF_PATTERNS:
        for m in pattern.finditer(paper.abstract):
            name = m.group("name")
            # Trim trailing plain words ("Poincaré ResNet With" -> "Poincaré ResNet").
            toks = name.split()
            while toks and not is_distinctive(toks[-1]) and len(toks) > 1:
                toks.pop()
            name = " ".join(toks)
            if is_distinctive(name):
                add(name, "definition")
    for name in _repository_names(paper):
        add(name, "repository")
    if len(words) >= 4:
        add(paper.title, "full-title")  # 'as in "Attention Is All You Need"'
    return sorted(found.values())


def find_aliases(collection: Collection) -> dict[str, tuple[Alias, ...]]:
    """Every paper's aliases, minus names that too many papers define: those are concepts.

    A name that three or more papers define with a long form of its own
    ("large language models (LLMs)") is vocabulary, whoever claims it, unless
    a paper carries it in its title.
    """
    defined_by: dict[str, set[str]] = defaultdict(set)
    for paper in collection.papers.values():
        for short, *_ in acronym_definitions(paper.abstract):
            defined_by[short].add(paper.id)
    candidates = {pid: _paper_aliases(p) for pid, p in collection.papers.items()}
    phrases = {a.name.lower() for items in candidates.values() for a in items
               if not case_sensitive(a.name) and a.how != "full-title"}
    used_by = _document_frequency(collection, phrases)
    limit = max(4, int(0.002 * len(collection.papers)))
    result = {}
    for pid, items in candidates.items():
        result[pid] = tuple(
            a for a in items
            if (a.how in ("title", "short-title") or len(defined_by.get(a.name, ())) < 3)
            # A plain-word phrase that many papers write ("deep learning") is vocabulary.
            and (case_sensitive(a.name) or a.how == "full-title" or used_by[a.name.lower()] <= limit)
        )
    return result


def _document_frequency(collection: Collection, phrases: set[str]) -> Counter:
    """How many papers write each phrase (any case, whole words), in one pass over the text."""
    counts: Counter = Counter()
    if not phrases:
        return counts
    automaton = ahocorasick.Automaton()
    for phrase in sorted(phrases):
        automaton.add_word(phrase, phrase)
    automaton.make_automaton()
    for paper in collection.papers.values():
        text = f" {paper.title} {paper.abstract} ".lower()
        seen = set()
        for end, phrase in automaton.iter(text):
            start = end - len(phrase) + 1
            if not text[start - 1].isalnum() and not text[end + 1].isalnum():
                seen.add(phrase)
        counts.update(seen)
    return counts
