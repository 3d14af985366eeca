"""Find where one paper names what another introduced: citation-style links.

All aliases go into two Aho–Corasick automata (one case-sensitive for coined
names, one over lower-cased text for word phrases), so the cost grows with the
amount of text, not with text × aliases. Each hit is then checked against how
names are written: whole tokens only ("GeoRSCLIP" does not name CLIP), no other
version ("Inception-v3" is not Inception-v4), while possessives, plurals and
"-based" compounds still count.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping

from ..model import Alias, Collection, Mention
from ..parallel import parallel_map
from ..text import fold, sentences
from .acronyms import same_long_form, spelled_acronyms
from .aliases import AliasTable, introduced_spans, needs_long_form
from .names import case_sensitive
from .features import feature_keys
from .scans import automaton, forms_written_in, scan_hits, searched_texts

__all__ = ["find_mentions"]

_VERSION_AFTER = re.compile(r"(?:v|V|ver)\d|\d(?!\d)")
# Sizes and depths of one model, not other models: ResNet-50, ResNeXt-101, ViT-B/16, ViT-Large.
_VARIANT_AFTER = re.compile(r"(?:\d{2,}|(?:Ti|S|B|L|H|G|XL|XXL|Tiny|Small|Base|Large|Huge|Giant)(?![A-Za-z]))")
_OK_SUFFIX = re.compile(r"(?:'s|’s|s|es)(?![\w])")
_ENDINGS = ("s", "es")  # what _OK_SUFFIX lets a name run on with, inside a word
# Texts not read before, when the papers are this many times as many, are read only for the forms
# they may write (:func:`.scans.forms_written_in`): a day's, not a first build's.
FEW_UNREAD = 10
# "MoCo v3", "OWL 2", "RoboTwin 2.0": another version of the name; not sizes ("Kuwain 1.5B",
# "ResNet 50") nor scores ("ImgEdit 3.38").
_SPACED_VERSION = re.compile(r" (?:[vV]\d+(?:\.\d+)*|\d(?:\.0)?)(?!\.?\d|[\w%×+])")


def _variants(name: str) -> set[str]:
    """Surface forms of an alias: plural and singular of word phrases ("model soup(s)")."""
    forms = {name}
    if not case_sensitive(name):
        low = name.lower()
        forms.add(low)
        if low.endswith("s") and not low.endswith("ss"):
            forms.add(low[:-1])
        else:
            forms.add(low + "s")
    return forms


def _boundary_ok(text: str, start: int, end: int) -> bool:
    if start > 0:
        prev = text[start - 1]
        if prev.isalnum() or prev in "_":
            return False
        # "Open-CLIP", "Geo-CLIP": a hyphen joined to a word makes another name.
        if prev == "-" and start > 1 and text[start - 2].isalnum():
            return False
    if end < len(text):
        nxt = text[end]
        rest = text[end:]
        if nxt.isalnum() or nxt == "_":
            m = _OK_SUFFIX.match(rest)
            return bool(m) and text[end - 1].isupper()  # "CLIPs" but not "POINTSet"
        if nxt == "-" and not _VARIANT_AFTER.match(rest[1:]) and (_VERSION_AFTER.match(rest[1:]) or rest[1:2].isupper()):
            return False  # "Inception-v3", "GPT-4", "CODA-LM" name other things; "ResNet-50", "ViT-B/16" do not
        if nxt in "'’" and rest[1:2].isdigit():
            return False  # "NEVIS'22" is not NEVIS
        if nxt == " " and _SPACED_VERSION.match(rest):
            return False
    return True


def _alias_forms(name: str, how: str) -> list[tuple[bool, str]]:
    """Every form an alias may be written in, as (case-sensitive, form). Case-insensitive forms
    are lower case with hyphens as spaces."""
    # A long quoted title may be written in any case; coined names and
    # Title Case names may not ("adaptation of large language models" is prose).
    cs = not (how == "full-title" and len(name.split()) >= 6) and case_sensitive(name)
    return [(cs, form if cs else form.lower().replace("-", " "))
            for form in (_variants(name) if how != "full-title" else (name,))]


def _owners(aliases: Mapping[str, tuple[tuple[str, str, str | None], ...]],
            before: Mapping[tuple[bool, str], tuple] | None = None,
            replaced: Mapping[str, tuple] | None = None
            ) -> tuple[dict[tuple[bool, str], tuple[tuple[str, str], ...]], frozenset | None]:
    """For every form an alias may be written in (:func:`_alias_forms`), the (paper, name) pairs
    it stands for, in order (``aliases``: each paper's as (name, how, long form)). The forms are
    in no particular order: they are looked up, and the automata sort them.

    Second comes None; or, given ``before`` (the first value for an earlier build's aliases) and
    ``replaced`` (the papers whose aliases, text or first day changed since, each with its
    aliases then, () if none), the forms those papers had or have, whose owners alone are
    worked out again: a daily build replaces a few hundred papers' of 19,000 aliases at 10,784
    papers. A form that has lost all its owners is then kept, with none (the build cache writes
    only what changed in the mentions' memo, which cannot drop an entry)."""
    owners: dict[tuple[bool, str], set[tuple[str, str]]] = {}  # the forms worked out again

    def who(key: tuple[bool, str]) -> set[tuple[str, str]]:
        if key not in owners:
            owners[key] = set(before.get(key, ())) if before is not None else set()
        return owners[key]

    changed = aliases if before is None else {pid: aliases.get(pid, ()) for pid in replaced}
    for pid, items in (replaced or {}).items():
        for name, how, _ in items:
            for key in _alias_forms(name, how):
                who(key).discard((pid, name))
    for pid, items in changed.items():
        for name, how, _ in items:
            for key in _alias_forms(name, how):
                who(key).add((pid, name))
    if before is None:
        return {key: tuple(sorted(who)) for key, who in owners.items()}, None
    merged = dict(before)
    for key, who in owners.items():  # a form no alias has any more keeps (): the memo is patched
        merged[key] = tuple(sorted(who))
    return merged, frozenset(owners)


_NONE = ((), ())  # a paper's mentions and unresolved names, when it has none


def _automata(forms) -> tuple:
    return automaton(f for f in forms if f[0]), automaton(f for f in forms if not f[0])


def _in_order(hits: tuple) -> list[tuple[int, int, tuple[bool, str]]]:
    """A unit's occurrences that count: at each position the longest, then none that overlaps
    one already taken (case-sensitive first where two forms cover the same text)."""
    taken, covered = [], -1
    for start, end, cs, form in sorted(hits, key=lambda h: (h[0], h[0] - h[1], not h[2])):
        if start >= covered:
            covered = end
            taken.append((start, end, (cs, form)))
    return taken


# A context match must beat the runner-up by this factor to decide a shared name.
_CONTEXT_MARGIN = 2.0
# ... and be more than noise: below this TF-IDF cosine two abstracts share no subject.
_MIN_CONTEXT = 0.05


def _resolve(candidates: list[Alias], sentence: str, text: str,
             similarity: Callable[[str, str], float] | None, source: str) -> str | None:
    """The one paper a name means here, or None when the text does not say.

    In order: a paper that introduces the name in its text over one whose
    code repository merely carries it; the long form written in the same
    sentence, then anywhere in the source's text; then the source's wording,
    when it is clearly closer to one owner than to every other.
    """
    # Someone's code repository yields to a paper that names the thing in its text.
    if any(a.how != "repository" for a in candidates):
        candidates = [a for a in candidates if a.how != "repository"]
    pids = sorted({a.paper for a in candidates})
    if len(pids) == 1:
        return pids[0]
    for scope in (fold(sentence), fold(text)):
        hits = sorted({a.paper for a in candidates if a.long_form and fold(a.long_form) in scope})
        if len(hits) == 1:
            return hits[0]
    if similarity is not None:
        scored = sorted(((similarity(source, pid), pid) for pid in pids), reverse=True)
        (best, pid), (second, _) = scored[0], scored[1]
        if best > _MIN_CONTEXT and best >= _CONTEXT_MARGIN * second:
            return pid
    return None


_DATA_WORDS = r"(?:datasets?|data sets?|benchmarks?|challenges?|corpus|corpora|metrics?|scores?|leaderboards?|competitions?|simulators?)"
# "the SECOND dataset", "ARC Challenge", "ETT time-series benchmarks": the name is written as data.
_DATA_AFTER = re.compile(rf"\s*(?:-\s*)?(?:[\w-]+\s+){{0,1}}{_DATA_WORDS}\b", re.I)
# "datasets such as GenEval, DPG-Bench, and WISE", "on the CAVE and Washington DC Mall datasets"
_DATA_LIST_BEFORE = re.compile(rf"{_DATA_WORDS}\s*(?:such as|like|including|:|\()\s*(?:[^.;:]{{0,80}})$", re.I)
_DATA_LIST_AFTER = re.compile(rf"^(?:\s*(?:,|and|or)\s*[^.;,]{{1,40}}?){{1,4}}\s+{_DATA_WORDS}\b", re.I)


_LINK = re.compile(r"""(?:https?://|www\.)[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)


def _in_link(unit: str, start: int, end: int) -> bool:
    """Whether ``unit[start:end]`` is part of a web address written in it."""
    if "://" not in unit and "www." not in unit.lower():
        return False
    return any(m.start() <= start and end <= m.end() for m in _LINK.finditer(unit))


def _written_as_data(unit: str, start: int, end: int) -> bool:
    """Whether the sentence uses the name for a data set, benchmark or metric."""
    return bool(_DATA_AFTER.match(unit, end) or _DATA_LIST_BEFORE.search(unit[:start])
                or _DATA_LIST_AFTER.match(unit[end:]))


def _is_data_paper(paper) -> bool:
    """A paper whose title presents a data set or benchmark (what a data mention can mean)."""
    return bool(re.search(rf"\b{_DATA_WORDS}\b|bench\b|\w+Bench\b", paper.title, re.I))


def _units(title: str, abstract: str, spans: tuple | None = None) -> tuple[list[str], tuple]:
    """The title, then each sentence of the abstract: a mention's evidence is one of these; and
    where the sentences are (kept with the scans: splitting every abstract again cost a third
    of a daily build's search for mentions)."""
    spans = tuple(sentences(abstract)) if spans is None else spans
    return [title] + [abstract[a:b] for a, b in spans], spans


def find_mentions(collection: Collection, table: AliasTable, *,
                  similarity: Callable[[str, str], float] | None = None, scans: Mapping | None = None,
                  keys: Mapping[str, str] | None = None) -> tuple[tuple[Mention, ...], tuple[str, ...], dict]:
    """Every (source, target) link with its first evidence sentence, the names left ambiguous,
    and the memo a later build passes as ``scans``: where each paper writes the aliases' forms,
    to look through known texts only for forms it has not looked for (:func:`.scans.scan_hits`),
    keyed as :class:`.scans.WordScan` keys its memo (``keys``: the papers' feature keys, if the
    caller has them); and each paper's state, the forms' owners and each paper's result, to
    look closer only at the papers whose mentions can have changed.

    ``similarity(a, b)`` (e.g. TF-IDF cosine) lets the rest of the context
    decide between papers that introduce the same name.
    """
    aliases, own = table.aliases, table.claims
    keys = feature_keys(collection) if keys is None else keys
    scans = scans or {}
    # What each paper's mentions depend on beside its own text: for each form it writes, the
    # papers that own the form, their aliases, texts and first days, and whether the names are
    # common words. An earlier build's results hold for a paper whose text, first day and
    # written forms are the same and none of those forms changed in any of these ways, unless
    # it asked ``similarity`` (the text vectors change when the word weights are fitted again).
    # (At 10,784 papers, 256 papers write another paper's name: their closer look was a fifth
    # of a daily build's search for mentions.)
    # The memo's entries that did not change are its own objects again, so that the build cache
    # writes only the changed ones (at 62,711 papers the whole memo is 35 MB of pickle).
    plain = table.plain
    earlier = scans.get("state")
    state: dict[str, tuple] = {}
    replaced: dict[str, tuple] | None = None if earlier is None else {}
    for pid, paper in collection.papers.items():
        now = (keys[pid], paper.dates[0].toordinal(), plain.get(pid, ()))
        was = None if earlier is None else earlier.get(pid)
        state[pid] = was if was == now else now
        if replaced is not None and was != now:
            replaced[pid] = () if was is None else was[2]
    if earlier is None:
        owners, touched = _owners(plain)
        results, recheck = {}, frozenset()
    else:
        replaced.update((pid, was[2]) for pid, was in earlier.items() if pid not in state)
        owners, touched = _owners(plain, scans["owners"], replaced)
        if common := table.common_words ^ scans["common"]:
            touched |= {key for key, who in owners.items() if any(name in common for _, name in who)}
        results, recheck = scans["results"], scans["asked"]
    forms = frozenset(key for key, who in owners.items() if who)
    before_all = scans.get("papers", {})
    # The texts not read before are read for every form: by the automata of all of them in a first
    # build, and when they are a day's few, by those of the forms they may write (a daily build's
    # names side at 62,711 papers made the automata of 104,000 forms for 166 new papers).
    unread = [paper for pid, paper in collection.papers.items() if keys[pid] not in before_all]
    most_unread = len(unread) * FEW_UNREAD > len(collection.papers)
    if most_unread:
        everything = _automata(forms)
    elif unread:
        everything = _automata(forms_written_in(
            forms, (searched_texts(_units(p.title, p.abstract)[0]) for p in unread), _ENDINGS))
    else:
        everything = (None, None)
    # The texts read before, for the forms they were not read for.
    looked_for = frozenset(key for key, who in scans.get("owners", {}).items() if who)
    new = _automata(forms - looked_for) if looked_for else everything if most_unread else _automata(forms)
    dropped = frozenset(looked_for - forms)

    def of_paper(item):
        """The mentions one paper makes, the shared names it left unresolved, and where its
        text writes the forms (for the next build)."""
        pid, paper = item
        key = keys[pid]
        known = before_all.get(key)
        spans, hits_before, written_before = known or (None, None, None)
        units = None

        def get_units() -> list[str]:
            nonlocal units, spans
            if units is None:
                units, spans = _units(paper.title, paper.abstract, spans)
            return units

        before = None if hits_before is None else (hits_before, written_before)
        hits, written = scan_hits(f"{paper.title} {paper.abstract}", get_units, forms, before, everything, new,
                                  _boundary_ok, dropped)

        def entry() -> tuple:
            """The memo's entry for the text: the earlier one itself if nothing in it changed."""
            if known is not None and hits is hits_before and written is written_before and spans is known[0]:
                return known
            return spans, hits, written

        if (replaced is not None and hits is hits_before and pid not in replaced and pid not in recheck
                and touched.isdisjoint(written) and (result := results.get(pid)) is not None):
            return result, False, (key, entry())
        # Nearly every paper writes a name, and for most it is only its own (its title, its
        # acronym), which cites no one: such a paper needs no closer look (whichever of
        # overlapping hits counts, each is its own).
        mine = own.get(pid, ())
        if all(any(name in mine for _, name in owners[pair]) for pair in written):
            return _NONE, False, (key, entry())
        found: dict[str, Mention] = {}
        unresolved: set[str] = set()
        asked = False

        def compare(a: str, b: str) -> float:
            nonlocal asked
            asked = True
            return similarity(a, b)

        text = f"{paper.title}. {paper.abstract}"
        folded = None  # fold(text), worked out only for the few papers whose hits need it

        def spelled_out(long_form: str) -> bool:
            nonlocal folded
            if folded is None:
                folded = fold(text)
            return fold(long_form) in folded

        defines = spelled_acronyms(paper.abstract)
        own_spans = None  # where the source introduces names of its own (abstract offsets)
        for i, (unit, unit_hits) in enumerate(zip(get_units(), hits)):
            if not unit_hits:
                continue
            for start, end, form in _in_order(unit_hits):
                # "https://anonymous.4open.science/w/Phys4D/" is an address, not a mention.
                if _in_link(unit, start, end):
                    continue
                # A paper naming its own alias is not citing anyone by it.
                if any(name in own.get(pid, ()) for _, name in owners[form]):
                    continue
                candidates = [next(a for a in aliases[o] if a.name == name) for o, name in owners[form] if o != pid]
                # An acronym the source spells out itself means what it spells: only an owner
                # with that expansion can be meant ("Visually Impaired People (VIPs)" is not VIP).
                candidates = [a for a in candidates
                              if (a.name not in defines or same_long_form(a.long_form, defines[a.name]))
                              and (not (needs_long_form(a) or a.name in table.common_words)
                                   or (a.long_form and spelled_out(a.long_form)))]
                # A paper listed before another cannot be naming what that one introduced
                # ("TACO" in March is not the "TACO: ..." listed in May).
                candidates = [a for a in candidates if collection.papers[a.paper].dates[0] <= paper.dates[0]]
                # "the SECOND dataset" cannot mean a method called SECOND.
                if candidates and _written_as_data(unit, start, end):
                    candidates = [a for a in candidates if _is_data_paper(collection.papers[a.paper])]
                if not candidates:
                    continue
                # Where the source introduces its own name ("we introduce Flashback Learning
                # (FL)", "the Diffusion Timestep Tokenizer (DDT)"), it names no one else.
                if i:
                    if own_spans is None:
                        own_spans = introduced_spans(paper)
                    at = spans[i - 1][0]
                    if any(a < at + end and at + start < b for a, b in own_spans):
                        continue
                target = _resolve(candidates, unit, text, compare if similarity is not None else None, pid)
                if target is None:
                    unresolved.add(candidates[0].name)
                    continue
                alias = next(a.name for a in candidates if a.paper == target)
                found.setdefault(target, Mention(pid, target, alias, unit, start, end))
        return (tuple(found.values()), tuple(sorted(unresolved))), asked, (key, entry())

    mentions: list[Mention] = []
    ambiguous: set[str] = set()
    memo: dict[str, tuple] = {}
    kept: dict[str, tuple] = {}  # paper -> its mentions and the shared names it left unresolved
    asked: set[str] = set()  # the papers whose mentions asked ``similarity``
    for pid, (result, compared, (key, entry)) in zip(
            collection.papers, parallel_map(of_paper, list(collection.papers.items()))):
        mentions.extend(result[0])
        ambiguous.update(result[1])
        memo[key] = entry
        kept[pid] = old if (old := results.get(pid)) == result else result
        if compared:
            asked.add(pid)
    return tuple(sorted(mentions)), tuple(sorted(ambiguous)), {
        "papers": dict(sorted(memo.items())), "state": state, "owners": owners,
        "common": table.common_words, "results": kept, "asked": frozenset(asked)}
