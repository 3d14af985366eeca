"""Words and phrases of an abstract, as TF-IDF features and as topic names.

Phrases are runs of content words between stop words and punctuation
("catastrophic forgetting", "referring expression segmentation"), never
n-grams that jump over a removed word, so every feature is something an author
actually wrote and can serve as a topic's name.
"""
from __future__ import annotations

import re

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
""".split()) | frozenset(  # and scikit-learn's English stop words (the Glasgow IR list)
"""
a about above across after afterwards again against all almost alone along already also although
always am among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere
are around as at back be became because become becomes becoming been before beforehand behind being
below beside besides between beyond bill both bottom but by call can cannot cant co con could
couldnt cry de describe detail do done down due during each eg eight either eleven else elsewhere
empty enough etc even ever every everyone everything everywhere except few fifteen fifty fill find
fire first five for former formerly forty found four from front full further get give go had has
hasnt have he hence her here hereafter hereby herein hereupon hers herself him himself his how
however hundred i ie if in inc indeed interest into is it its itself keep last latter latterly least
less ltd made many may me meanwhile might mill mine more moreover most mostly move much must my
myself name namely neither never nevertheless next nine no nobody none noone nor not nothing now
nowhere of off often on once one only onto or other others otherwise our ours ourselves out over own
part per perhaps please put rather re same see seem seemed seeming seems serious several she should
show side since sincere six sixty so some somehow someone something sometime sometimes somewhere
still such system take ten than that the their them themselves then thence there thereafter thereby
therefore therein thereupon these they thick thin third this those though three through throughout
thru thus to together too top toward towards twelve twenty two un under until up upon us very via
was we well were what whatever when whence whenever where whereafter whereas whereby wherein
whereupon wherever whether which while whither who whoever whole whom whose why will with within
without would yet you your yours yourself yourselves
""".split())
# Words too general to name a topic alone, though fine inside a phrase ("continual learning").
_WEAK = frozenset("""
learning model models network networks data deep neural task tasks training trained train dataset
datasets framework frameworks large small high low level levels based image images text time multiple
general generalization representation representations features feature information analysis process
strategies strategy technique techniques system systems tool tools benchmark benchmarks accuracy
efficiency efficient robust robustness quality baseline baselines downstream domain domains
""".split())
# Tokens that end a run of content words: the banned words and every token under two
# characters (punctuation, single letters; words always open with a letter).
_BREAKS = _BANNED | frozenset(".,;:!?()[]\"abcdefghijklmnopqrstuvwxyz")


def analyze(text: str, max_n: int = 3) -> list[str]:
    """Unigram and phrase features of ``text`` (lower-cased).

    Each run of content words gives, word by word, the word (unless weak) and the bigram and
    trigram it starts: for "a b c", ``a, a b, a b c, b, b c, c``. They are written out as the
    run grows (the trigram that ends on a word comes before the unigram and bigram of the word
    before it), which is the same order and spares a pass over every run."""
    out: list[str] = []
    append, breaks, weak = out.append, _BREAKS, _WEAK
    trigrams = max_n >= 3
    last = second = None  # the last two words of the current run
    for tok in _WORD.findall(text.lower()):
        if tok in breaks:
            if last is not None:
                if last not in weak:
                    append(last)
                last = second = None
            continue
        if last is not None:
            if second is not None and trigrams:
                append(second + " " + last + " " + tok)
            if last not in weak:
                append(last)
            append(last + " " + tok)
        second, last = last, tok
    if last is not None and last not in weak:
        append(last)
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
