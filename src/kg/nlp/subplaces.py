"""Places that no division list holds: natural villages, groups and hamlets below the village,
villages known only by the list they stand in (phrasings ``village_list``, ``bare_village_list``)
or by a visit to them (``visited_village``),
development zones named after the place before them (龙南经开区; ``lexicon/zone_endings.txt``),
and landmarks known by their ending (南澳岛, 金厢银滩; ``lexicon/landmark_endings.tsv``).

County news names them right after their village (华坪村水南组, 三家村德苴小组, 槐东村高份片)
or town (金石镇翁厝), often in lists (华坪村水南组、新兴组). ``kg_subplace_ruler`` runs after
``kg_place_ruler`` and adds such names to its spans, without a code; the relation rules make
each a part of the place written before it. The endings are data
(``kg/resources/lexicon/subplace_suffixes.tsv``); a stem is a short run of CJK characters
that holds no function character and no verb, and outside a list no ordinary word (工作组,
调研组 are groups of people, not places).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.resources import longest_first, phrasing, word_list, word_rows

from .charner import get_jieba_lexicon
from .doc import text_of
from .lexicon import BOUNDARY_WORDS, FUNCTION_CHARS, INSPECTION_VERBS, LEVEL_WORDS, PLACE_CLASSES, common_words, stop_verbs, surnames

LEVEL_ENDINGS = {"village": ("村", "社区"), "town": ("镇", "乡")}
"""How the name of the place a sub-place must follow ends, by level."""
ZONE_ENDINGS = longest_first(word_list("zone_endings"))
LEVEL_CHARS = frozenset(word for word in LEVEL_WORDS if len(word) == 1)
"""Level words of one character (镇, 村 …), which a sub-place's stem never holds."""


@dataclass(frozen=True)
class Ending:
    text: str
    min_stem: int
    max_stem: int
    parent_level: str


@lru_cache(maxsize=1)
def subplace_endings() -> tuple[Ending, ...]:
    """The endings of ``lexicon/subplace_suffixes.tsv``, longest first."""
    rows = word_rows("subplace_suffixes")
    return tuple(sorted((Ending(text, int(low), int(high), level) for text, low, high, level in rows), key=lambda e: -len(e.text)))


_CJK = re.compile(r"[\u4e00-\u9fff]+")
_LIST_ITEM = re.compile(r"[^、]+")


def find_subplaces(text: str, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of sub-places written right after one of ``places`` (and the list items after them)."""
    found = []
    for _, end in places:
        parent = text[:end]
        level = next((lvl for lvl, endings in LEVEL_ENDINGS.items() if parent.endswith(endings)), None)
        position, listed = end, None
        while level and (found_here := _subplace_at(text, position, level, listed)):
            span, listed = found_here
            found.append(span)
            position = span[1] + 1
            if text[span[1]:position] != "、":
                break
    return found


@lru_cache(maxsize=1)
def landmark_endings() -> tuple[tuple[str, int, int], ...]:
    """The endings of ``lexicon/landmark_endings.tsv`` with their shortest and longest stem, longest first."""
    rows = ((text, int(low), int(high)) for text, low, high in word_rows("landmark_endings"))
    return tuple(sorted(rows, key=lambda row: -len(row[0])))


def find_landmarks(text: str, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Landmarks: the shortest plausible stem that starts a name (after punctuation, a function
    character, a verb or a place), then a landmark's ending that goes on into no word (峰会 and
    港口 are words, not names)."""
    place_ends = {end for _, end in places}
    found: list[tuple[int, int]] = []
    for ending, shortest, longest in landmark_endings():
        for match in re.finditer(re.escape(ending), text):
            if text[match.end() - 1 : match.end() + 1] in common_words() or any(s <= match.start() < e for s, e in found):
                continue
            for start in range(match.start() - shortest, max(-1, match.start() - longest - 1), -1):
                stem = text[start : match.start()]
                if not _CJK.fullmatch(stem):
                    break
                counted = phrasing("count_before_name").fullmatch(text, max(0, start - 1), start + 1)  # 一座海岛: a count, no name
                if (start in place_ends or _starts_a_name(text, start, boundaries=True)) and not counted and _plausible(stem, False) \
                        and stem + ending not in common_words():
                    found.append((start, match.end()))
                    break
    return found


def find_zones(text: str, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Development zones: a place followed by a zone's ending (龙南经开区, 宜宾市高新区), the place
    being part of the zone's name; and the article's own zone, a zone's ending standing where a
    name may start (高新区党工委, 来到经开区)."""
    found = []
    for start, end in places:
        ending = next((e for e in ZONE_ENDINGS if text.startswith(e, end)), None)
        if ending:
            found.append((start, end + len(ending)))
    named = {end for _, end in found}
    for ending in ZONE_ENDINGS:
        for match in re.finditer(re.escape(ending), text):
            if match.end() not in named and _starts_a_name(text, match.start(), boundaries=True):
                found.append(match.span())
                named.add(match.end())
    return found


def _subplace_at(text: str, start: int, parent_level: str, listed: Ending | None) -> tuple[tuple[int, int], Ending] | None:
    """The shortest plausible sub-place name starting at ``start``, and its ending. An item of a
    list (华坪村水南组、新兴组) takes the first item's ending, and the list vouches for its stem."""
    run = _CJK.match(text, start)
    if not run:
        return None
    if parent_level == "village" and not listed and (hamlet := _hamlet_at(text, start)):
        return (start, hamlet), HAMLET
    endings = [listed] if listed else [e for e in subplace_endings() if e.parent_level == parent_level]
    for length in range(1, 8):
        for ending in endings:
            if not ending.min_stem <= length <= ending.max_stem:
                continue
            stem, end = text[start:start + length], start + length + len(ending.text)
            if _cuts_longer_ending(stem + ending.text, ending):
                continue  # 党小组 is 党 + 小组, whose stem is too short, not 党小 + 组
            if end <= run.end() and text[start + length:end] == ending.text and _plausible(stem, listed is not None):
                return (start, end), ending
    return None


HAMLET = Ending("家", 1, 2, "village")
"""The ending of a hamlet named after a family (肖家, 龚家塝)."""
HAMLET_ENDINGS = frozenset(word_list("hamlet_endings"))
"""Land-form characters that may close a hamlet's name after 家 (塝, 铺)."""
HAMLET_SURNAME_PPM = 500.0
"""Below this frequency a surname + 家 that is a word of the dictionary is the word (农家, 商家, 全家)."""


def _hamlet_at(text: str, start: int) -> int | None:
    """The end of a hamlet named after a family at ``start`` (surname, 家, maybe a land-form
    character: 肖家, 龚家塝), if one starts there and is no ordinary word (大家, 农家乐)."""
    known = get_jieba_lexicon().word_classes
    for length in (2, 1):  # compound surnames first
        surname = text[start : start + length]
        if surname in surnames() and text[start + length : start + length + 1] == "家":
            end = start + length + 1
            family = text[start:end]
            if family in common_words() or (family in known and surnames()[surname] < HAMLET_SURNAME_PPM):
                return None
            return end + 1 if text[end : end + 1] in HAMLET_ENDINGS else end
    return None


def _cuts_longer_ending(name: str, ending: Ending) -> bool:
    return any(len(e.text) > len(ending.text) and name.endswith(e.text) for e in subplace_endings())


def _plausible(stem: str, in_list: bool) -> bool:
    """A stem of a name, not a word of a sentence (工作组, 调研组, 各组; 到某镇调研村集体经济: a visit's
    verb) or of a campaign's name (帮镇扶村 holds a level: it is no village); outside a list the
    stem must not be an ordinary word either."""
    words = {stem[i:j] for i in range(len(stem)) for j in range(i + 2, len(stem) + 1)}
    if set(stem) & (FUNCTION_CHARS | LEVEL_CHARS) or words & (stop_verbs() | INSPECTION_VERBS):
        return False
    return in_list or not words & common_words()


def find_visited_villages(text: str) -> list[tuple[int, int]]:
    """Villages the division list may lack, known by a visit to them (走进高陂塘村, and the list it
    goes on with): a stem that is no ordinary word (来到示范村, 深入贫困村 visit kinds of village)."""
    found = []
    for match in phrasing("visited_village").finditer(text):
        while match is not None and _plausible_village(match["name"]):
            found.append(match.span("name"))
            match = phrasing("next_visited_village").match(text, match.end())  # 察看了上岗村、下岗村
    return found


def _plausible_village(name: str) -> bool:
    """A village's name whose stem is no ordinary word, and no kind of village (示范村)."""
    return _plausible(name.removesuffix("社区").removesuffix("村"), in_list=False) and name not in PLACE_CLASSES


def find_listed_villages(text: str) -> list[tuple[int, int]]:
    """Villages the division list may lack, known by the list they stand in: three or more names
    ending in 村 joined by 、 (甲村、乙村、丙村), or names before 等村 (甲、乙、丙等村)."""
    found = []
    for pattern in (phrasing("village_list"), phrasing("bare_village_list")):
        for match in pattern.finditer(text):
            items = [(match.start() + m.start(), match.start() + m.end()) for m in _LIST_ITEM.finditer(match[0])]
            items[0] = (_first_name_start(text, *items[0]), items[0][1])
            if all(not set(text[s:e]) & FUNCTION_CHARS and not _has_verb(text[s:e]) for s, e in items):
                found += items
    return found


def _first_name_start(text: str, start: int, end: int) -> int:
    """Where the first name of a list starts: after a verb before it that the match took in
    (串联英山村、…; 解决龙利、三浪等村)."""
    while end - start > 3 and text[start : start + 2] in stop_verbs():
        start += 2
    while end - start > 2 and not _starts_a_name(text, start):
        start += 1
    return start


def _starts_a_name(text: str, position: int, boundaries: bool = False) -> bool:
    """Whether a name may start at ``position``: after punctuation, a verb or a function
    character, and, with ``boundaries``, after a word no name holds (参观, 和)."""
    before = text[max(0, position - 2) : position]
    if boundaries and (before in BOUNDARY_WORDS or before[-1:] in BOUNDARY_WORDS):
        return True
    return not before or not _CJK.match(before[-1]) or before in stop_verbs() or before[-1] in FUNCTION_CHARS


def _has_verb(name: str) -> bool:
    return any(name[i:j] in stop_verbs() for i in range(len(name)) for j in range(i + 2, len(name) + 1))


@Language.factory("kg_subplace_ruler", default_config={"spans_key": "kg_places"})
def make_subplace_ruler(nlp: Language, name: str, spans_key: str) -> "SubplaceRuler":
    return SubplaceRuler(spans_key)


class SubplaceRuler:
    """Adds sub-village places after the places in ``doc.spans[spans_key]``, and villages known by
    their list, where they overlap none of those places."""

    def __init__(self, spans_key: str) -> None:
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans.get(self.spans_key, []))
        known = sorted((s.start_char, s.end_char) for s in spans)
        text = text_of(doc)
        label = spans[0].label_ if spans else "Place"
        for start, end in find_subplaces(text, known) + find_listed_villages(text) + find_visited_villages(text):
            span = doc.char_span(start, end, label=label)
            if span is not None and not any(s < end and start < e for s, e in known):  # the division list's names win
                spans.append(span)
                known.append((start, end))
        for start, end in find_zones(text, known) + find_landmarks(text, known):  # a zone holds the place it is named after, a landmark may
            span = doc.char_span(start, end, label=label)
            if span is not None and not any(s < end and start < e and not (start <= s and e <= end) for s, e in known):
                spans.append(span)
        doc.spans[self.spans_key] = sorted(spans, key=lambda s: s.start)
        return doc
