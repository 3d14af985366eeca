"""Words and phrases of an abstract, as TF-IDF features and as topic names.

Phrases are runs of content words between stop words and punctuation
("catastrophic forgetting", "referring expression segmentation"), never
n-grams that jump over a removed word, so every feature is something an author
actually wrote and can serve as a topic's name.
"""
from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["analyze", "is_name_worthy"]

_WORD = re.compile(r"[a-z][a-z0-9]*(?:[-'][a-z0-9]+)*|[.,;:!?()\[\]\"]")
# Words of every abstract: they end a phrase and are never a feature.
_BANNED = frozenset("""
propose proposes proposed present presents presented introduce introduces introduced show shows shown
showing demonstrate demonstrates demonstrated achieve achieves achieved achieving outperform outperforms
outperforming improve improves improved improving results result paper work works approach approaches
method methods novel new existing based using use used uses significantly extensive experiments
experiment experimental state-of-the-art sota code available github https http com io org www et al
furthermore moreover respectively various different previous recent recently also however better best
simple key important effective effectively performance performances study studies investigate
investigates evaluate evaluated evaluation stage end paradigm aim aims enable enables enabling
including include includes provide provides providing leverage leverages leveraging help helps make
makes making demonstrating remain remains remaining allow allows lead leads given consider considered
typically commonly widely significant substantial promising potential finally specifically particular
particularly thus e g i ii iii iv v x way ways problem problems issue issues challenge challenges
challenging capabilities capability able ability number numbers set sets large-scale wide range
improvement improvements extends extend central comparable innovative allowing faster generated
exhibit exhibits exhibited prevent prevents prevented yield yields yielded reduce reduces reduced
increase increases increased require requires required obtain obtains obtained perform performs
performed suffer suffers suffered capture captures captured address addresses addressed explore
explores explored propose employ employs employed utilize utilizes utilized apply applies applied
achieve outperform surpass surpasses consistently substantially remarkably notably simply
produce produces produced provide provides provided enable enables show
""".split()) | ENGLISH_STOP_WORDS
# Words too general to name a topic alone, though fine inside a phrase ("continual learning").
_WEAK = frozenset("""
learning model models network networks data deep neural task tasks training trained train dataset
datasets framework frameworks large small high low level levels based image images text time multiple
general generalization representation representations features feature information analysis process
strategies strategy technique techniques system systems tool tools benchmark benchmarks accuracy
efficiency efficient robust robustness quality baseline baselines downstream domain domains
""".split())


def analyze(text: str, max_n: int = 3) -> list[str]:
    """Unigram and phrase features of ``text`` (lower-cased)."""
    out: list[str] = []
    run: list[str] = []
    banned, weak, append = _BANNED, _WEAK, out.append

    def flush():
        n = len(run)
        for i, w in enumerate(run):
            if w not in weak:
                append(w)
            if i + 1 < n:
                append(w + " " + run[i + 1])
                if max_n >= 3 and i + 2 < n:
                    append(w + " " + run[i + 1] + " " + run[i + 2])
        run.clear()

    for tok in _WORD.findall(text.lower()):
        if len(tok) < 2 or tok in banned or not tok[0].isalpha():
            if run:
                flush()
        else:
            run.append(tok)
    if run:
        flush()
    return out


# Endings of adjectives and participles: "convolutional neural", "fine-grained", "innovative"
# are not the names of fields, "convolutional neural networks" is.
_MODIFIER_END = re.compile(r"(?:al|ive|ous|ic|ed|able|ible|ful|less|ent|ant|ary|ly)$")


def is_name_worthy(term: str) -> bool:
    """A feature that could name a topic: ends on a noun-like word, is not one weak word."""
    words = term.split()
    if len(words) == 1 and words[0] in _WEAK:
        return False
    if words[0] in _WEAK and words[0] not in ("deep", "neural", "image", "text", "multiple"):
        return False
    return not _MODIFIER_END.search(words[-1]) or words[-1] in _KEEP_END


# Nouns with adjective-like endings that often end a field's name.
_KEEP_END = frozenset("""
retrieval removal rehearsal proposal tutorial survival approval disposal arrival
speech identification specification verification classification
""".split())
