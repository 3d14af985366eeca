"""Cleaning of digest text: LaTeX residue, whitespace, links, sentences.

Digest text is copied from web pages and arXiv listings, so it carries LaTeX
accent commands (``Poincar\\'e``), hard wraps, control characters and links
glued to punctuation. Everything downstream (matching, TF-IDF, pages) wants one
clean form, so cleaning happens once, in the readers, through these functions.
"""
from __future__ import annotations

import functools

import re
import unicodedata

__all__ = ["clean_text", "latex_to_unicode", "find_urls", "sentences", "fold"]

# LaTeX accent command -> Unicode combining mark.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a",
}
_LETTER_CMDS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}
# \'e, \'{e}, {\'e}, \'{\i}, \v{s}, \c c ... ; symbol accents may stand right before
# the letter, letter accents (u, v, H, c, k, r) need braces or a space.
_ACCENT_RE = re.compile(
    r"\{?\\(?:(?P<sym>['`^\"~=.])\s*|(?P<word>[uvHckr])(?=[\s{]))"
    r"(?:\{\s*(?P<b>\\[ij]|[A-Za-z])\s*\}|\s*(?P<p>\\[ij](?![A-Za-z])|[A-Za-z]))\}?"
)
_LETTER_RE = re.compile(r"\{?\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L)(?![A-Za-z])\}?")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff\ufffe\uffff]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_SPACE_RE = re.compile(r"\s+")
_URL_RE = re.compile(r"""https?://[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
_WORD_RE = re.compile(r"\w+")
# The space after a sentence's last mark (matched with the mark: a pattern that opens with a
# character class is searched for that character, where a look-behind is tried everywhere).
_SENTENCE_END_RE = re.compile(r"[.!?](\s+)(?=[A-Z0-9\"'(\[])")


def latex_to_unicode(text: str) -> str:
    """Turn LaTeX accent commands into composed Unicode letters.

    >>> latex_to_unicode("Poincar\\\\'e and Fr\\\\'{e}chet, {\\\\\\"o}")
    'Poincaré and Fréchet, ö'
    """

    def accent(m: re.Match) -> str:
        mark = _ACCENTS[m.group("sym") or m.group("word")]
        base = m.group("b") or m.group("p")
        base = _LETTER_CMDS.get(base[1:], base) if base.startswith("\\") else base
        return unicodedata.normalize("NFC", base + mark)

    text = _ACCENT_RE.sub(accent, text)
    return _LETTER_RE.sub(lambda m: _LETTER_CMDS[m.group(1)], text)


def clean_text(text: str) -> str:
    """One line of normalised text: accents composed, controls dropped, spaces collapsed.

    Each step runs only when the text can need it (a year of listings cleans two million
    strings, mostly plain ASCII names); the result is the same as running them all. ASCII
    without a backslash needs none but the spaces' when it is printable once they are collapsed:
    the only controls left out of the first test are then the ones ``str.split`` takes for
    spaces, which the control step would make spaces too (the hard-wrapped abstracts of the
    listings took the long way, a sixth of reading them).

    A hard-wrapped abstract whose only spaces are single spaces and line breaks between words
    needs only its breaks made spaces: splitting 13,859 abstracts into words and joining them
    again took 0.12 s of reading 60 listings, this a third of it (a printable line holds no
    other ASCII space)."""
    if text.isascii() and "\\" not in text:
        line = text.replace("\n", " ")
        if "  " not in line and line[:1] != " " and line[-1:] != " " and line.isprintable():
            return line
        line = " ".join(text.split())
        if line.isprintable():
            return line
    return _clean(text)


def _clean(text: str) -> str:
    if not text.isascii():
        text = _SURROGATE_RE.sub("\ufffd", text)
    text = _CONTROL_RE.sub(" ", text)
    if "\\" in text:
        text = latex_to_unicode(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())  # str.split() and re's \s agree on what whitespace is


def find_urls(text: str) -> list[str]:
    """The http(s) links in ``text``, without the punctuation that ends a sentence."""
    urls = []
    if "://" not in text:  # most abstracts and comments: no need to search
        return urls
    for match in _URL_RE.finditer(text):
        url = match.group(0)
        while url and url[-1] in ".,;:!?)'\"":
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if len(url) > len("https://x") and url not in urls:
            urls.append(url)
    return urls


@functools.lru_cache(maxsize=1 << 17)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the sentences of ``text``: evidence for a mention is one sentence.

    Remembered for as many abstracts as a large collection has: the acronym and alias rules
    split each abstract when they find a paper's names, and the mention finder splits it again
    after the name rules (a first build of 10,440 papers split 8,400 abstracts twice)."""
    spans, start = [], 0
    for m in _SENTENCE_END_RE.finditer(text):
        end = m.start(1)
        # "e.g. CLIP" and "et al. 2020" do not end a sentence.
        before = text[max(0, end - 6):end].lower()
        if before.endswith(("e.g.", "i.e.", "al.", "vs.", "cf.", "etc.", "fig.", "eq.")):
            continue
        spans.append((start, end))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return tuple(spans)


def fold(text: str) -> str:
    """A key that ignores case, accents, punctuation and spacing: for de-duplication."""
    text = text.casefold()
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(_WORD_RE.findall(text))
