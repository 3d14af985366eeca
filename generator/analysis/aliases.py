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

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
from typing import Mapping
from urllib.parse import urlsplit

from ..model import Alias, Collection, Paper
from ..text import fold, sentences
from .acronyms import acronym_definitions, same_long_form
from .automata import Automaton
from .names import case_sensitive, is_concept, is_distinctive
from .scans import WordScan

__all__ = ["AliasTable", "alias_table", "paper_aliases", "needs_long_form", "introduced_spans"]

_INTRO = r"(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|develop(?:s|ed)?|design(?:s|ed)?|devise[sd]?|build|construct|release[sd]?|contribute[sd]?|curate[sd]?|collect(?:s|ed)?|offer(?:s|ed)?|establish(?:es|ed)?)"
# ("also known as" and "denoted as" introduce established terms and symbols, not new names.)
_NAMING_WORDS = ("called", "named", "dubbed", "termed", "coined", "referred to as")
_NAMING = rf"(?:{'|'.join(_NAMING_WORDS)})"
# Verbs by which authors name what they made; what follows them may be longer ("we name the
# resulting architecture a deep residual network (ResNet)").
_NAMING_VERB = r"(?:we\s+(?:call|name|term|dub|refer to)|called|named|dubbed|termed|coined|referred to as|refer to as)"


def _alternation(words) -> str:
    """A regular expression for any of ``words``, as ``word1|word2|...`` matches them, written
    as a tree of their common beginnings ("m(?:e(?:thod|tric)|odel)"). The regex engine tries
    the alternatives of a plain list one after the other wherever the list may stand; here it
    follows one branch per letter: the definition pattern that looks for one of 52 kinds of
    thing ("a simple method, DINO, ...") matched 40 % faster, with the same matches (215,605
    tries over a quarter of the shared corpus). The words are literal text. Only alternatives
    that cannot both match where they stand trade places: words of different first letters; a
    word that ends here ("tool" beside "toolkit") keeps its place among the others."""
    branches: list[str] = []
    groups: dict[str, list[str]] = {}

    def close() -> None:
        for first, rests in groups.items():
            branches.append(re.escape(first + rests[0]) if len(rests) == 1
                            else f"{re.escape(first)}(?:{_alternation(rests)})")
        groups.clear()

    for word in dict.fromkeys(words):  # a word listed again could never be the one that matches
        if word:
            groups.setdefault(word[0], []).append(word[1:])
        else:
            close()
            branches.append("")
    close()
    return "|".join(branches)


# The kinds of thing a paper names ("a simple method, DINO, ..."), in the order they are tried.
_KIND_WORDS = ("method", "approach", "framework", "model", "benchmark", "dataset", "data set", "architecture",
               "algorithm", "technique", "network", "system", "pipeline", "paradigm", "strategy", "module", "metric",
               "loss", "task", "toolkit", "library", "family", "suite", "agent", "layer", "operator", "mechanism",
               "scheme", "objective", "encoder", "decoder", "transformer", "detector", "baseline", "corpus", "tool",
               "solution", "recipe", "protocol", "setting", "problem", "formulation", "variant", "version",
               "collection", "resource", "platform", "engine", "estimator", "optimizer", "regularizer", "attention")
_KIND = rf"(?:{_alternation(_KIND_WORDS)})s?"
# Words that do not stand between "a" and the kind of thing it names ("a method for ...").
_STOPS = _alternation(("on", "of", "in", "for", "with", "from", "by", "to", "at", "over", "and"))
# A name-run: up to four capitalised or coined tokens ("Poincaré ResNet", "InstructDET").
_NAME = r"(?P<name>[A-Z0-9][\w'^.+\-]*[\w+](?:\s+[A-Z0-9][\w'^.+\-]*[\w+]){0,3}|[a-z]+[A-Z0-9][\w\-]*)"
# Trigger words are matched in any case, the name itself only as written: (?i:...) scopes the flag.
_APPOSITIVE = r"(?=\s*(?:[,:;(]|\s[-–—]\s|\s(?:a|an|which|that|to|for|as|is)\b))"


def _definition(heads: tuple[str, ...], rest: str) -> tuple[tuple[str, ...], re.Pattern]:
    """A pattern that opens with one of ``heads`` (in any case) and whitespace, then ``rest``;
    its heads go with it, to find where it can match (:func:`_definitions`)."""
    return heads, re.compile(rf"\b(?i:{'|'.join(heads)})\s+{rest}")


# Each pattern captures a name the authors give their own work; _ours() then checks the
# sentence says "we"/"our" and does not credit someone else ("we adapt ... called X").
_DEF_PATTERNS = [
    # "... called DINO", "named ResNeXt", "we refer to as Inception-v3"
    _definition((*_NAMING_WORDS, "refer to as", "refer to it as"), rf"(?:as\s+)?[\"“']?{_NAME}"),
    # "we call the resulting methods SGDW and AdamW"
    _definition(("we",), rf"(?i:call|name|term|dub)\s+(?:[a-z]+\s+){{0,4}}?[\"“']?{_NAME}"),
    # "We introduce AnchorAttention, a ...", "We train GPT-3, an ..."
    _definition(("we", "this paper", "this work"),
                rf"(?:[a-z]+\s+)?(?i:{_INTRO}|train(?:s|ed)?)\s+(?:the\s+)?[\"“']?{_NAME}{_APPOSITIVE}"),
    # "a simple self-supervised method, DINO, which ...", "our model, CLIPSeg, produces", "Our largest model, GPT-2, a ..."
    _definition(("a", "an", "our"),
                rf"(?:(?!(?i:{_STOPS})\b)[\w\-]+\s+){{0,4}}?(?i:{_KIND})\s*[,:]?\s*(?:(?i:namely|called)\s+)?[\"“']?{_NAME}(?=\s*(?:[,:;(.]|\s[-–—]\s|\s(?:which|that|to|for|as|with|is|produces|achieves|outperforms)\b))"),
    # "Knowledge-aware Data Selection (namely KDS)", but not a list of what there is: "two video
    # MLLMs, namely LLaVA-Video and LLaVA-OneVision" (the name is taken whole: atomic)
    _definition(("namely",), rf"[\"“']?(?>{_NAME})(?!\s*(?:,|(?i:and|or)\b))"),
]
# "DEtection TRansformer or DETR", "SGDW and AdamW": a second name right after the first.
_AND_NAME = re.compile(r"\s+(?:or|and)\s+[\"“']?(?P<name>[A-Z0-9][\w'^.+\-]*[\w+]|[a-z]+[A-Z0-9][\w\-]*)")
# What follows a single proper noun set off as a name: "Adam, a ...", "Adam (...)".
_SET_OFF = re.compile(r"\s*(?:,\s*(?:a|an)\s|\()")
_BANNED_NAMES = frozenset("this that these those our their its the a an it we in on for with to by from via using "
                          "here there first second third finally moreover however".split())
_FUNCTION_WORDS = frozenset("a an the our on of in for to towards toward with from by how why what when is are do does".split())
# Words a name-run may sweep up at its end ("Poincaré ResNet With"), trimmed off.
_TRAILING_WORDS = _FUNCTION_WORDS | {"via", "using", "based", "and", "or"}
_REPO_HOSTS = ("github.com", "gitlab.com", "huggingface.co", "bitbucket.org")
# Letters that re's IGNORECASE takes for an ASCII letter, besides its two cases.
_ODD_CASES = str.maketrans("İıſK", "iisk")


def _lowered(text: str) -> str:
    """``text`` in lower case, letter for letter: wherever ``(?i:word)`` matches ``text`` for an
    ASCII ``word``, ``word`` stands at the same place in the result (str.lower alone keeps "ı"
    and "ſ", and makes "İ" two characters), and word characters stay word characters.

    So a lower-case pattern finds in it what the pattern with re.I finds in ``text``, faster: the
    regex engine skips an alternative by its first letter only when case matters."""
    return text.lower() if text.isascii() else text.translate(_ODD_CASES).lower()


def _head_automaton(patterns) -> Automaton:
    """An automaton that finds each head of ``patterns`` followed by a space; its value is which
    patterns open with it."""
    opening: dict[str, tuple[int, ...]] = defaultdict(tuple)
    for k, (heads, _) in enumerate(patterns):
        for head in heads:
            opening[head + " "] += (k,)
    return Automaton(opening.items())


_HEADS = _head_automaton(_DEF_PATTERNS)


def _definitions(text: str, lowered: str):
    """``(k, match)`` for each match of each pattern k of :data:`_DEF_PATTERNS` in ``text``, as
    their ``finditer`` give them, pattern after pattern (``lowered``: :func:`_lowered` ``text``).

    Tried at every character, the patterns cost most of the time of finding a paper's aliases:
    each is tried only where one of its heads stands (in any case, :func:`_lowered`) and then
    whitespace. Clean text has no whitespace but single spaces; text with any other (which is
    never printable) is searched everywhere."""
    if not lowered.isprintable():
        for k, (_, pattern) in enumerate(_DEF_PATTERNS):
            for m in pattern.finditer(text):
                yield k, m
        return
    starts: list[list[int]] = [[] for _ in _DEF_PATTERNS]
    for start, _, ks in _HEADS.find(lowered):
        for k in ks:
            starts[k].append(start)
    for k, (_, pattern) in enumerate(_DEF_PATTERNS):
        after = 0
        for start in sorted(starts[k]):
            # A match is never empty: the next one starts where the last one ended, or later.
            if start >= after and (m := pattern.match(text, start)):
                yield k, m
                after = m.end()


_SURVEY = re.compile(r"(?i)(?:an?\s+|the\s+)?(?:\w+\s+){0,2}(?:survey|review|tutorial|overview|primer|perspective|study|position|analysis|comparison|lessons|case)\b")
_LISTING = re.compile(r"\s(?:and|&|or|vs\.?|versus)\s|,")


def _title_prefix(title: str) -> list[str]:
    """The name before a colon in the title ("GIST: ..."), if the head is one name.

    Heads that list things ("ChatGPT and U(X)") or name the subject of a
    survey ("Autoregressive Models in Vision: A Survey") introduce nothing.
    """
    if ":" not in title:
        return []
    head, tail = (part.strip() for part in title.split(":", 1))
    if not head or len(head.split()) > 4 or len(head) > 40:
        return []
    if _SURVEY.match(tail):
        return []
    if _LISTING.search(head):
        return []
    words = head.split()
    # Single words must look coined; plain-word phrases ("Model soups") are names when the
    # title leads with them, unless they read as an activity ("Revisiting ResNets").
    if is_distinctive(head) or (2 <= len(words) <= 3 and len(head) >= 8
                                and not words[0].lower().endswith("ing")
                                and words[0].lower() not in _FUNCTION_WORDS):
        return [head]
    return []


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


_WORDISH = re.compile(r"[\w-]")


def _spellings(name: str, text: str) -> list[str]:
    """How ``text`` writes ``name`` as a word of its own (not inside a longer or hyphenated one),
    in any case: what the case-insensitive ``re.findall`` below finds.

    Compiling a pattern for each name cost far more than the search; an ASCII name is looked
    for in the lower-cased text instead (:func:`_lowered`)."""
    if not name or not name.isascii():
        return re.findall(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I)
    lowered, key, n = _lowered(text), name.lower(), len(name)
    found, at = [], lowered.find(key)
    while at >= 0:
        if (at == 0 or not _WORDISH.match(text, at - 1)) and not _WORDISH.match(text, at + n):
            found.append(text[at:at + n])
            at = lowered.find(key, at + n)
        else:
            at = lowered.find(key, at + 1)
    return found


_GIT = re.compile(r"\.git$")
_YEAR = re.compile(r"(?:19|20)\d\d")


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
        name = _GIT.sub("", name)
        owner = segs[0] if host in _REPO_HOSTS else host.split(".")[0]
        # "PaddlePaddle/PaddleMIX" is the organisation's toolkit and "ICML2025-VGP" a venue's
        # code dump: neither names the paper's contribution.
        if _YEAR.search(name) or (len(owner) >= 4 and name.lower().startswith(owner.lower()[:4])
                                  and name.lower() != owner.lower()):
            continue
        if not is_distinctive(name):
            # "github.com/timojl/clipseg" is the CLIPSeg of the abstract: take the paper's own spelling.
            written = _spellings(name, f"{paper.title} {paper.abstract}")
            name = next((w for w in written if is_distinctive(w)), name)
        # "Cracking the PUMA Challenge", "... Report: Sa2VA": a repository named after what the
        # title says the paper works on is that thing's name, not the paper's.
        in_title = _spellings(name, paper.title)
        if is_distinctive(name) and not name.lower().startswith("awesome") and not in_title:
            names.append(name)
    return names


# Words that may stand between "we propose" and the long form it introduces.
_GAP_OK = frozenset("""
a an the our novel new simple efficient effective general generic unified first lightweight
plug-and-play principled scalable called named termed dubbed coined namely framework method approach
model module benchmark dataset architecture algorithm technique strategy mechanism loss paradigm
pipeline system network metric task suite
""".split())


# Words that make a named thing someone else's: "we adapt a scheme called ResShift".
# (This pattern and those of _ours() and _introduced() are matched in lower-cased text, :func:`_lowered`.)
_NOT_OURS = re.compile(
    r"\b(?:adapt(?:s|ed)?|use[sd]?|using|utili[sz]\w*|employ\w*|leverag\w+|adopt\w*|follow\w*|extend\w*|"
    r"built on|build(?:s|ing)? (?:on|upon)|based on|existing|recent(?:ly)?|previous(?:ly)?|popular|public(?:ly)?|"
    r"well-known|standard|widely|prior|benchmark(?:ed|s)? on|experiments? on|compared? (?:with|to)|results on|"
    r"(?:evaluat|test|achiev)\w*(?: [\w-]+){0,3} on)\b")


_WE = re.compile(r"\b(?:we|our|this (?:paper|work|study)|here)\b")
_AUTHORED = re.compile(rf"\b(?:our|{_INTRO}|{_NAMING_VERB}|condense[sd]?|obtain(?:s|ed)?)\b")


def _ours(lowered: str, spans: tuple[tuple[int, int], ...], at: int, *, authored: bool = False) -> bool:
    """Whether the sentence around ``at`` says the authors made the named thing (``lowered``: the
    text, :func:`_lowered`; ``spans``: its sentences, split once for all the names it gives).

    With ``authored``, "we" is not enough ("we evaluate on a dataset, X"): the
    sentence must say "our ..." or use a verb of making or naming.
    """
    for a, b in spans:
        if a <= at < b:
            before = lowered[a:at]
            if _NOT_OURS.search(before):
                return False
            return bool((_AUTHORED if authored else _WE).search(before))
    return False


_DESCRIBES = re.compile(r"\s*-?\s*(?:based|style|like|driven|guided)\b")
_NAMED = re.compile(rf"\b{_NAMING_VERB}\b")
_ABOUT = re.compile(r"\b(?:for|on|of|in|with|from|by|using|via|than)\b")
_INTRODUCES = re.compile(rf"\b(?:{_INTRO}|{_NAMING}|namely|our)\b")
_GAP_WORD = re.compile(r"[\w\-]+")


def _introduced(sentence: str, long_start: int, after: str) -> bool:
    """Whether the sentence presents the long form as its own contribution.

    Only a short run of articles and adjectives may separate the trigger
    from the long form ("we propose a novel Hard Patches Mining (HPM)"); a
    preposition in between means the long form is what the work is *about*
    ("a method for referring expression segmentation (RES)"), and "(GS) based"
    means the acronym only describes the thing introduced.
    """
    if _DESCRIBES.match(_lowered(after)):
        return False
    before = sentence[:long_start]
    lowered = _lowered(before)
    named = list(_NAMED.finditer(lowered))
    if named:
        gap = lowered[named[-1].end():]
        if len(gap.split()) <= 6 and not _ABOUT.search(gap):
            return True
    m = list(_INTRODUCES.finditer(lowered))
    if not m:
        return False
    gap = _GAP_WORD.findall(before[m[-1].end():].lower())
    return len(gap) <= 4 and all(w in _GAP_OK for w in gap)


def paper_aliases(paper: Paper) -> list[Alias]:
    """The names this paper's own text says it introduced, before the collection has its say."""
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
    # The title owns an acronym when it is the title's name ("GRES: ...") or the long form
    # is the title or its name ("Matryoshka Representation Learning"), not merely inside it
    # ("Generalized Referring Expression Segmentation" does not own RES).
    title_names = {fold(paper.title)} | {fold(n) for n in prefixes}
    for short, long, sentence, start, after in acronym_definitions(paper.abstract):
        # "The Segment Anything Model (SAM)" in the paper titled "Segment Anything" names it.
        if short in prefixes or fold(long) in title_names or (
                len(words) <= 4 and fold(long).startswith(fold(paper.title)) and ":" not in paper.title):
            add(short, "title-acronym", long)
        elif _introduced(sentence, start, after) and not _NOT_OURS.search(before := _lowered(sentence[:start])):
            add(short, "named-acronym" if _NAMED.search(before) else "acronym", long)
    for m, more in _own_definitions(paper.abstract):
        names = [m.group("name")] + ([more.group("name")] if more else [])
        for name in names:
            # Trim capitalised function words the run swept up ("Poincaré ResNet With").
            toks = name.split()
            while len(toks) > 1 and toks[-1].lower() in _TRAILING_WORDS:
                toks.pop()
            name = " ".join(toks)
            # A coined name, or a single proper noun set off as one ("We present Adam, a ...").
            if is_distinctive(name):
                add(name, "definition")
            elif (len(toks) == 1 and len(name) >= 3 and name[0].isupper() and name.lower() not in _BANNED_NAMES
                  and _SET_OFF.match(paper.abstract, m.end("name"))):
                add(name, "proper-name")
    # A repository is evidence only for a paper its title does not name: "VBench-2.0"
    # keeps its code in the "VBench" repository, which named the first version.
    if not any(a.how in ("title", "short-title") for a in found.values()):
        for name in _repository_names(paper):
            add(name, "repository")
    if len(words) >= 4:
        add(paper.title, "full-title")  # 'as in "Attention Is All You Need"'
    return sorted(found.values())


# A bracket right after a name the authors introduce: its short form, or its long one.
_BRACKET = re.compile(r"\s*\([^()]{1,120}\)")


def introduced_spans(paper: Paper) -> tuple[tuple[int, int], ...]:
    """Where the abstract names what the paper itself introduces, with the bracket that follows
    it ("we propose the Alignment Quality Index (AQI)", "we introduce Flashback Learning (FL),
    a ..."): a name written there is the paper's own, even one too plain to be an alias, and
    never a mention of another paper's."""
    found = []
    for m, more in _own_definitions(paper.abstract):
        end = more.end() if more else m.end("name")
        if bracket := _BRACKET.match(paper.abstract, end):
            end = bracket.end()
        found.append((m.start("name"), end))
    return tuple(found)


def _own_definitions(abstract: str):
    """Each definition (:data:`_DEF_PATTERNS`) of a name the authors give their own work, with the
    second name right after it ("SGDW and AdamW"), or None: what :func:`paper_aliases` takes
    names from and :func:`introduced_spans` marks."""
    lowered, spans = _lowered(abstract), sentences(abstract)
    for k, m in _definitions(abstract, lowered):
        if _ours(lowered, spans, m.start("name"), authored=k == 3):
            yield m, _AND_NAME.match(abstract, m.end("name"))


STRONG = frozenset({"title", "short-title", "title-acronym", "full-title"})


@dataclass(frozen=True)
class AliasTable:
    aliases: Mapping[str, tuple[Alias, ...]]  # paper id -> the names it introduced
    claims: Mapping[str, frozenset[str]]  # paper id -> every name it claims, kept or not: a paper
    # that calls a name its own never cites another paper by it
    common_words: frozenset[str]  # kept all-capital names that prose also writes in lower case
    # ("FAST", "RADAR"): a mention must spell out the long form to mean the paper

    @functools.cached_property
    def plain(self) -> dict[str, tuple[tuple[str, str, str | None], ...]]:
        """Each paper's aliases as (name, how, long form): what the names side hands back (plain
        tuples unpickle in a fraction of the time of the dataclasses), and what the mentions'
        memo compares from one build to the next."""
        return {pid: tuple([(a.name, a.how, a.long_form) for a in items]) for pid, items in self.aliases.items()}


def alias_table(collection: Collection, candidates: Mapping[str, tuple[Alias, ...]],
                scans: Mapping | None = None, keys: Mapping[str, str] | None = None) -> tuple[AliasTable, dict]:
    """Every paper's aliases, minus names that are really shared vocabulary; and the memo of
    which names each paper writes, and of the rules' counts and choices, for the next build.
    ``candidates`` are the names each paper's own text claims (:func:`paper_aliases`, computed
    once per paper by :mod:`.features`); ``scans`` is an earlier build's memo (keyed by
    ``keys``).

    - A name that another paper spells out *differently* without claiming it
      ("exponential moving average (EMA)" against a model called EMA) is a
      homonym of common usage: a claim from a sentence gives way to it, a
      claim from a title only when three or more papers use it so.
    - A name that many papers spell out and none claims ("mean Intersection
      over Union (mIoU)") is vocabulary, unless a title claims it.
    - A plain-word phrase that many papers write ("3D modeling") is vocabulary.
    - Names under three characters ("R1", "KL") collide with too much text.

    The rules count, over the whole collection, who claims and who spells out each name, who
    writes it, and who wrote it before its claimant. When a build only adds papers listed no
    earlier than the last build's last day (a daily build), those counts are the last build's
    plus the new papers' (and the new names' in every text, which the scan finds anyway), and
    a name's verdict changes only where its counts do: the rules look again at those names and
    at the new papers' (see :func:`_resumed_rules`): the name rules of a day added to 10,440
    papers took 0.29 to 0.33 s against 0.35 to 0.42 s counting everything (in the process,
    taking turns), where the look for the day's new names in the known texts is most of what is
    left. A build that cannot resume counts everything, as the first does; either way the
    result is the same (the tests compare them day by day)."""
    scan = WordScan(collection, scans, keys)
    papers = collection.papers
    rules, firsts = _resumed_rules(scans, {pid: (key, paper.dates[0].toordinal())
                                           for (pid, paper), key in zip(papers.items(), scan.keys)})
    resumed = rules is not _NO_RULES
    fresh = [pid for pid in papers if pid not in rules["first"]]
    # Who claims each name: worked out again (in less time than reading it back), and the new
    # papers' spellings and forms, added to the earlier build's.
    claimed: dict[str, list[str]] = defaultdict(list)
    for pid, items in candidates.items():
        for a in items:
            claimed[a.name].append(pid)
    claimed_now: set[str] = set()  # the names the new papers claim
    spelled_by: dict[str, dict[str, str]] = defaultdict(dict)  # name -> paper -> the long form it writes
    phrases, words, prose = set(rules["phrases"]), set(rules["words"]), set(rules["prose"])
    asked_before = scans.get("forms", {}) if resumed else {}
    raw_forms, low_forms = set(asked_before.get("raw", ())), set(asked_before.get("low", ()))
    for pid in fresh:
        for a in candidates[pid]:
            low = a.name.lower()
            claimed_now.add(a.name)
            if _is_phrase(a):
                phrases.add(low)
            if a.how == "proper-name":  # "Adam" is a name; "Vision" is a word, as its lower-case use shows
                words.add(low)
            if a.name.isalpha() and a.name.isupper():  # "fast" for FAST, for the last rule below
                prose.add(low)
            if a.how != "full-title":
                if case_sensitive(a.name):
                    raw_forms.add(a.name)
                else:
                    low_forms.add(low)
        for short, long, *_ in acronym_definitions(papers[pid].abstract):
            spelled_by[short].setdefault(pid, long)
    spelled = dict(rules["spelled"])
    for name, more in spelled_by.items():
        spelled[name] = {**spelled.get(name, {}), **more}
    # The rules below ask which papers write some of the candidates' names: one pass over the
    # texts, as written and in lower case, answers all of them (each used to read the whole
    # collection again); a known text is read only for the names new to it (:class:`.scans.WordScan`).
    found = scan.written({"raw": raw_forms | words | prose, "low": low_forms | phrases})
    seen = list(zip(found["raw"], found["low"]))
    # How many papers write each phrase (in any case), each proper name as a lower-case word, and
    # each all-capital name in lower case: the new papers' uses, and every paper's of new forms.
    recounted: set[str] = set()  # the forms whose counts changed
    fresh_ids = frozenset(fresh)
    if not resumed:  # every paper counts every form
        counts = {"used_by": dict(Counter(chain.from_iterable(low & phrases for _, low in seen))),
                  "as_word": dict(Counter(chain.from_iterable(raw & words for raw, _ in seen))),
                  "in_prose": dict(Counter(chain.from_iterable(raw & prose for raw, _ in seen)))}
    else:
        counts = {"used_by": dict(rules["used_by"]), "as_word": dict(rules["as_word"]), "in_prose": dict(rules["in_prose"])}
        new_forms = (phrases - rules["phrases"], words - rules["words"], prose - rules["prose"])
        for pid, (raw, low) in zip(papers, seen):
            forms = (phrases, words, prose) if pid in fresh_ids else new_forms
            for kind, written in zip(counts, (low & forms[0], raw & forms[1], raw & forms[2])):
                if written:
                    tally = counts[kind]
                    for form in written:
                        tally[form] = tally.get(form, 0) + 1
                    if kind != "in_prose":
                        recounted |= written
    used_by, as_word, in_prose = counts["used_by"], counts["as_word"], counts["in_prose"]
    limits = _limits(len(papers))
    phrase_limit, popular = limits

    def keep(a: Alias) -> bool:
        if len(a.name) < 3 or not _two_letters(a.name):
            return False
        spellers = {pid: lf for pid, lf in spelled[a.name].items() if pid != a.paper} if a.name in spelled else {}
        claimers = claimed[a.name]
        differ = sum(not same_long_form(lf, a.long_form) for pid, lf in spellers.items()
                     if pid not in claimers) if spellers else 0
        if a.how in STRONG:
            if differ >= 3:
                return False
        elif differ >= 1 or len(spellers) >= popular:
            return False
        if _is_phrase(a):
            return used_by.get(a.name.lower(), 0) - 1 <= phrase_limit
        if a.how == "proper-name":
            return as_word.get(a.name.lower(), 0) < 2
        return True

    # Which names to judge again: all of them when the limits moved with the collection's size,
    # else the new papers' and those whose claims, spellings or counts changed.
    if limits != rules["limits"]:
        again = list(papers)
        names = None
    else:
        again = list(fresh)
        names = claimed_now | set(spelled_by) | {name for name in claimed if name.lower() in recounted}
        again += sorted({pid for name in names for pid in claimed.get(name, ())} - fresh_ids)
    if names is None:  # every name judged again
        kept = {pid: tuple([keep(a) for a in candidates[pid]]) for pid in again}
        changed = [pid for pid in again if kept[pid] != rules["kept"].get(pid)]
        kept = {**rules["kept"], **kept}
    else:
        kept = dict(rules["kept"])
        changed = []
        for pid in again:
            items, before = candidates[pid], kept.get(pid)
            now = (tuple([keep(a) for a in items]) if before is None
                   else tuple([keep(a) if a.name in names else was for a, was in zip(items, before)]))
            if now != before:
                kept[pid] = now
                changed.append(pid)
    # A name that papers listed before the claimant already wrote was not coined by it:
    # "DOTA: Deformable ..." is not the DOTA data set that earlier papers evaluate on. (A count
    # holds while papers are only added after the last day: none of them is listed before.)
    earlier = dict(rules["earlier"])
    asked = {pid: [a for a, k in zip(candidates[pid], kept[pid])
                   if k and a.how != "full-title" and (pid, a.name) not in earlier] for pid in changed}
    counted = _earlier_users(collection, asked, seen)
    earlier.update(((pid, a.name), counted[(pid, a.name)]) for pid, items in asked.items() for a in items)
    chosen = dict(rules["final"])  # each paper's aliases, as places among its candidates
    final = {}
    for pid in changed:
        items = candidates[pid]
        places = [i for i, (a, k) in enumerate(zip(items, kept[pid]))
                  if k and (a.how == "full-title" or earlier[(pid, a.name)] < 2)]
        chosen[pid] = tuple(places)
        final[pid] = tuple([items[i] for i in places])
    final = {pid: final[pid] if pid in final else tuple([items[i] for i in chosen[pid]]) if chosen[pid] else ()
             for pid, items in candidates.items()}
    capitals = {a.name for items in final.values() for a in items if a.name.isalpha() and a.name.isupper()}
    # A kept all-capital name that prose also writes in lower case ("fast") is a common word.
    common = frozenset(n for n in capitals if in_prose.get(n.lower(), 0) >= max(3, int(0.001 * len(papers))))
    memo = {**scan.memo(), "first": firsts, "spelled": spelled,
            "phrases": frozenset(phrases), "words": frozenset(words), "prose": frozenset(prose), **counts,
            "limits": limits, "kept": kept, "earlier": earlier, "final": chosen}
    return AliasTable(final, {pid: frozenset([a.name for a in items]) for pid, items in candidates.items()}, common), memo


def _limits(size: int) -> tuple[int, int]:
    """How many papers other than its own may write a plain-word phrase that names a paper, and
    how many may spell out a name a sentence claims, in a collection of ``size`` papers."""
    return max(2, int(0.0002 * size)), max(3, int(0.0005 * size))


# What the name rules keep for the next build (beside the scans' memo), as :func:`alias_table`
# makes it from nothing.
_NO_RULES: Mapping = {"first": {}, "spelled": {}, "phrases": frozenset(),
                      "words": frozenset(), "prose": frozenset(), "used_by": {}, "as_word": {}, "in_prose": {},
                      "limits": None, "kept": {}, "earlier": {}, "final": {}}


def _resumed_rules(memo: Mapping | None, firsts: dict[str, tuple[str, int]]) -> tuple[Mapping, dict]:
    """The last build's rules (from its memo), when this collection holds each of its papers
    with the same text and first day, and adds only papers listed no earlier than its last
    day; else :data:`_NO_RULES`, to count everything. And ``firsts`` (each paper's text key and
    first day), with the last build's own entries where they are the same (the build cache then
    writes only the new ones)."""
    if not memo or any(kind not in memo for kind in _NO_RULES):
        return _NO_RULES, firsts
    before = memo["first"]
    for pid, was in before.items():
        now = firsts.get(pid)
        if now != was:
            return _NO_RULES, firsts
        firsts[pid] = was
    last = max((day for _, day in before.values()), default=None)
    if last is not None and any(day < last for pid, (_, day) in firsts.items() if pid not in before):
        return _NO_RULES, firsts
    return memo, firsts


def _two_letters(name: str) -> bool:
    """At least two letters (counting stops at two: candidates include whole titles)."""
    letters = 0
    for c in name:
        if c.isalpha():
            letters += 1
            if letters == 2:
                return True
    return False


def _earlier_users(collection: Collection, aliases: dict[str, list[Alias]], seen: list) -> Counter:
    """For each (paper, name): how many papers listed before that paper write the name
    (``seen``: the names :class:`.scans.WordScan` found in each paper, as written and in any case)."""
    owners: dict[tuple[bool, str], list[tuple[str, str]]] = defaultdict(list)
    for pid, items in aliases.items():
        for a in items:
            if a.how != "full-title":
                cs = case_sensitive(a.name)
                owners[(cs, a.name if cs else a.name.lower())].append((pid, a.name))
    counts: Counter = Counter()
    if not owners:
        return counts
    first = {pid: p.dates[0] for pid, p in collection.papers.items()}
    forms = {cs: {form for c, form in owners if c == cs} for cs in (True, False)}
    for pid, (raw, low) in zip(collection.papers, seen):
        for key in [(True, f) for f in raw & forms[True]] + [(False, f) for f in low & forms[False]]:
            for owner, name in owners[key]:
                if owner != pid and first[pid] < first[owner]:
                    counts[(owner, name)] += 1
    return counts


def needs_long_form(alias: Alias) -> bool:
    """A short acronym a paper coins in passing ("we propose a Multi-level Mask Generation (MMG)")
    collides with every other MMG; a mention must spell it out to mean this one. Names
    given with "we call"/"called" and names in titles are exempt."""
    return alias.how == "acronym" and sum(c.isalpha() for c in alias.name) <= 4


def _is_phrase(alias: Alias) -> bool:
    """Plain words ("Deep Learning", "Model soups"), which prose may write for other reasons."""
    return alias.how != "full-title" and len(alias.name.split()) > 1 and not is_distinctive(alias.name)
