"""Plain-text helpers shared by the NLP components: sentences, script conversion, and where a
regex matches relative to a position."""

from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE_END = re.compile(r"[。!?！？;；\n]+")


@lru_cache(maxsize=4)
def sentence_bounds(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the sentences of ``text`` (split at 。！？；and line ends); computed once
    per text, as every rule asks."""
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            bounds.append((start, match.start()))
        start = match.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return tuple(bounds)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified-script text of the same length as ``text``, so offsets carry over.

    OpenCC converts phrase by phrase; where that changes the length (rare), the
    text is converted one character at a time instead.
    """
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)


TRADITIONAL_SHARE = 0.05
"""Share of an article's Chinese characters that OpenCC changes above which the article is taken
as Traditional. Below it the article is Simplified already, and the few characters OpenCC would
still change are names (乾塘镇, 王某乾): measured on the annotated sets, Simplified articles
change at most 1.5 % of their characters and Traditional ones at least 31 %."""
_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_traditional(text: str) -> bool:
    """Whether an article is written in Traditional script (see ``TRADITIONAL_SHARE``)."""
    return article_in_simplified(text) != text


def article_in_simplified(text: str) -> str:
    """An article's text in Simplified script (``to_simplified``), or the text itself where it is
    written in Simplified already: converting it would only change names."""
    converted = to_simplified(text)
    changed = sum(a != b for a, b in zip(text, converted))
    return converted if changed > TRADITIONAL_SHARE * len(_CJK.findall(text)) else text


def last_match(regex: re.Pattern, text: str, start: int, end: int) -> re.Match | None:
    """The last match of ``regex`` inside ``text[start:end]``."""
    found = None
    for found in regex.finditer(text, start, end):
        pass
    return found


def ends_with(regex: re.Pattern, text: str, position: int, window: int = 8) -> re.Match | None:
    """A match of ``regex`` that ends right at ``position`` and starts within ``window`` characters before it."""
    return _anchored(regex).search(text, max(0, position - window), position)


@lru_cache(maxsize=None)
def _anchored(regex: re.Pattern) -> re.Pattern:
    return re.compile(rf"(?:{regex.pattern})\Z", regex.flags)
