"""Place recognition from the official division list, and linking to NBS 2023 codes.

Two spaCy components for ``spacy.blank("zh")`` docs (one token per character):

* ``kg_place_ruler`` proposes Place spans into ``doc.spans["kg_places"]``: official
  names at every level, village names where they are safe, short forms (梅县, 松口)
  where the article supports them, regions without a code (粤西, 大湾区), rivers,
  peninsulas and straits.
* ``kg_place_linker`` gives every Place entity in ``doc._.entities`` its 12-digit code,
  level and ancestry, choosing among same-named divisions with the other places of
  the article; it leaves the code empty rather than guess.

Both scan with dictionaries (no PhraseMatcher: 600,000 patterns would load too slowly).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc

from kg.divisions import LEVEL_DIGITS, DivisionRecord, Divisions, short_forms
from kg.nlp.doc import PLACE, Division, Entity, entity_key, text_of
from kg.nlp.lexicon import surnames
from kg.resources import phrasing, word_list

DEFAULT_REGIONS = list(word_list("regions"))
"""Regions this genre names that have no statistical code."""

_RIVER_CUES = r"流域|畔|沿岸|两岸|[东南西北]岸|岸边|干流|支流|[上中下]游|水系|河段|江段|航道|河道|江面|河面"
RIVER_CUE = re.compile(_RIVER_CUES)
"""What may follow a river name (西江流域, 黄冈河上游) for the name to count as a river."""
RIVER_END = re.compile(rf"[江河](?={_RIVER_CUES})|(?<=沿)[\u4e00-\u9fff]{{1,2}}[江河]")
"""Where a river name ends when a cue follows it (黄冈河上游) or 沿 precedes it (沿新兴江, 沿绥江)."""

RIVER_BEFORE = re.compile("沿")
"""What may precede a river name for the name to count as a river (沿绥江)."""

ALL_CJK = re.compile("[\u4e00-\u9fff]+")
RENAMED_VILLAGE_ENDINGS = ("村", "社区")
"""A village committee renamed a community, or a community renamed back, keeps the name before its
ending, and the news may still write the other form (群鱼村 for 群鱼社区)."""
LEVEL_WORDS_GOING_ON = tuple(word_list("level_words_going_on"))
"""Words a full name's level character may start (宜居乡|村): such a name needs its parent."""
STEM_NOT_BEFORE = (*RENAMED_VILLAGE_ENDINGS, *word_list("natural_endings"))
"""What may not follow a village stem: its own ending (the full name matches) or a natural feature's (华阳湖)."""
STEM_OPENING = re.compile("(?:^|(?<=[^\u4e00-\u9fff]))(?=[\u4e00-\u9fff])", re.M)
"""Where a village stem may start: a Chinese character after punctuation, a space or a line start."""
FULL, SHORT, REGION, FEATURE, VILLAGE, VILLAGE_STEM = "full", "short", "region", "feature", "village", "village-stem"
NOT_RIVER_STARTS = "沿跨过渡护治"
"""沿河, 跨江, 护河: words the dictionary tags as places that say what is done along a river."""
LEVEL_SUFFIXES = {
    "province": ("省", "市", "自治区"),
    "city": ("市", "州", "盟", "地区"),
    "county": ("县", "区", "市", "旗"),
    "town": ("镇", "乡", "街道", "苏木", "办事处"),
}
"""How the name of a proper division of each level ends; others (工业园区) need their parent named."""
WORDS_FILE = "place_words.tsv"
SUPPORTER_CACHE_SIZE = 65536
PROPER_NAME_TAGS = ("ns", "nr", "nrt", "nz")
"""jieba's tags for names (often given to places: 白石, 阳春)."""
SIBLING_PREFIX = {"city": LEVEL_DIGITS["province"], "county": LEVEL_DIGITS["city"], "town": LEVEL_DIGITS["county"]}
"""Code digits shared by divisions of a level with the same parent (cities of a province …)."""


@dataclass(frozen=True, slots=True)
class Match:
    """A stretch of text that names something in the lexicon, before it is accepted."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A division a place's name may denote, whether a full name matched it, and the codes of
    the ancestors whose mention supports it, nearest first."""

    record: DivisionRecord
    is_full: bool
    supporters: tuple[str, ...]


@dataclass
class _Support:
    """What the place ruler knows while it accepts an article's matches: each match's official
    name, the plain full names, the codes of the divisions named (growing), the short village
    names written after their town, and the rivers named with a cue."""

    surface_of: dict[Match, str]
    plain: set[Match]
    named: set[str]
    anchored: set[str]
    rivers: set[str]
    text: str


@dataclass(frozen=True)
class PlaceWords:
    """What jieba's dictionary tells about place names (``kg/data/place_words.tsv``,
    columns word, frequency, part of speech, kind; built by ``scripts/build_divisions.py``)."""

    common: dict[str, tuple[int, str]]
    """Division names and short forms that are also words: (frequency, part of speech)."""
    features: frozenset[str]
    """Rivers of two or three characters (…江, …河), peninsulas and straits that are not division names."""
    frequent: frozenset[str]
    """Frequent two-character words, to spot a name cut out of a longer word (部分乡镇)."""

    @classmethod
    @cache
    def load(cls) -> PlaceWords:
        common, features, frequent = {}, set(), set()
        for line in (resources.files("kg") / "data" / WORDS_FILE).read_text("utf-8").splitlines()[1:]:
            word, frequency, tag, kind = line.split("\t")
            if kind == "common":
                common[word] = (int(frequency), tag)
            elif kind == "feature" and word[0] not in NOT_RIVER_STARTS:
                features.add(word)
            elif kind != "feature":
                frequent.add(word)
        return cls(common, frozenset(features), frozenset(frequent))


class PlaceRuler:
    """Proposes Place spans by dictionary lookup, leftmost-longest (options: ``make_place_ruler``)."""

    def __init__(self, *, spans_key: str, label: str, regions: list[str], max_common_frequency: int,
                 max_common_place_frequency: int, max_short_form_frequency: int, min_village_length: int,
                 max_village_length: int, village_stop_after: str, generic_village_count: int,
                 unsupported_villages: bool, short_form_cue: str, own_body_levels: str,
                 plain_two_char_levels: str) -> None:
        self.spans_key = spans_key
        self.label = label
        self.max_common_frequency = max_common_frequency
        self.max_common_place_frequency = max_common_place_frequency
        self.max_short_form_frequency = max_short_form_frequency
        self.min_village_length = min_village_length
        self.max_village_length = max_village_length
        self.village_stop_after = village_stop_after
        self.generic_village_count = generic_village_count
        self.unsupported_villages = unsupported_villages
        self.short_form_cue = re.compile(short_form_cue)
        self.own_body_levels = own_body_levels
        self.plain_two_char_levels = plain_two_char_levels
        self.divisions = Divisions.load()
        self.words = PlaceWords.load()
        lexicon: dict[str, tuple[str, ...]] = {}
        full_names = [*self.divisions.full_names(), *(variant for variant, name in self.divisions.variants().items()
                                                       if name in self.divisions.full_names())]
        for kind, entries in ((FEATURE, self.words.features), (SHORT, self.divisions.short_form_names()),
                              (FULL, full_names), (REGION, regions)):
            for entry in entries:
                lexicon[entry] = lexicon.get(entry, ()) + (kind,)
        self.lexicon = lexicon
        """Name → what it may be (阳江: a city's short form and a river)."""
        longest: dict[str, int] = {}
        for entry in lexicon:
            longest[entry[:2]] = max(longest.get(entry[:2], 0), len(entry))
        self.longest_from = longest
        """First two characters → length of the longest lexicon entry starting with them."""
        self.village_ends = re.compile("村|社区")

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in self.find(text_of(doc)):
            span = doc.char_span(match.start, match.end, label=self.label)
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc

    def find(self, text: str) -> list[Match]:
        """Accepted, non-overlapping place mentions in ``text``, leftmost-longest."""
        matches = self._lexicon_matches(text) + self._village_matches(text) + self._village_stems(text) + self._unknown_rivers(text)
        accepted = self._accept(text, matches)
        accepted.sort(key=lambda m: (m.start, m.start - m.end))  # a span accepted as two kinds is kept once
        chosen, covered_until = [], 0
        for match in accepted:
            if match.start >= covered_until:
                chosen.append(match)
                covered_until = match.end
        return chosen

    def _lexicon_matches(self, text: str) -> list[Match]:
        lexicon, longest_from = self.lexicon, self.longest_from
        found = []
        for start in range(len(text) - 1):
            longest = longest_from.get(text[start:start + 2])
            if longest is None:
                continue
            for end in range(min(start + longest, len(text)), start + 1, -1):
                for kind in lexicon.get(text[start:end], ()):
                    found.append(Match(start, end, kind))
        return found

    def _village_matches(self, text: str) -> list[Match]:
        is_village = self.divisions.is_village
        found = []
        for suffix in self.village_ends.finditer(text):
            end = suffix.end()
            if end < len(text) and text[end] in self.village_stop_after:
                continue
            for start in range(max(0, end - self.max_village_length), end - 1):
                if is_village(text[start:end]):
                    found.append(Match(start, end, VILLAGE))
        return found

    def _village_stems(self, text: str) -> list[Match]:
        """Village names without 村 or 社区 (古鹤 for 古鹤村, at the head of 古鹤中医药产业园), two or
        three characters after punctuation (not glued to a word or a name before them: 梁振华), where
        neither the full name nor a natural feature's ending follows (华阳湖), and that are no
        frequent word (村里, 南方) nor a surname (夏侯); ``_supported`` wants their town."""
        is_village = self.divisions.is_village
        found = []
        for start in (m.end() for m in STEM_OPENING.finditer(text)):
            for end in (start + 2, start + 3):
                stem = text[start:end]
                if end <= len(text) and ALL_CJK.fullmatch(stem) and not text.startswith(STEM_NOT_BEFORE, end) \
                        and stem not in self.words.frequent and stem not in surnames() \
                        and any(is_village(stem + ending) for ending in RENAMED_VILLAGE_ENDINGS):
                    found.append(Match(start, end, VILLAGE_STEM))
        return found

    def _unknown_rivers(self, text: str) -> list[Match]:
        """Rivers the dictionary does not know, named with a cue (打造黄冈河上游, 沿新兴江): the
        three characters up to 江/河, or two where three would start inside a word or on
        punctuation; names in the lexicon are left to it."""
        found = []
        for river_end in RIVER_END.finditer(text):
            end = river_end.end()
            if FEATURE in self.lexicon.get(text[end - 2:end], ()) or FEATURE in self.lexicon.get(text[end - 3:end], ()):
                continue
            for start in (end - 3, end - 2):
                if start >= 0 and text[start] not in NOT_RIVER_STARTS and all("\u4e00" <= char <= "\u9fff" for char in text[start:end]) and not (
                        start > 0 and text[start - 1:start + 1] in self.words.frequent):
                    found.append(Match(start, end, FEATURE))
                    break
        return found

    def _accept(self, text: str, matches: list[Match]) -> list[Match]:
        """Keep the matches the article supports.

        Full names are kept outright when they look like a proper division name; otherwise
        their parent must be named (范镇, 现代农业产业园), right before them if they are
        ordinary words (晋城市城区). Short forms need support (``_supported_codes``);
        villages need their town or county named. No name may start inside a word
        (部分乡镇), and no short form may end inside one (大成效).
        """
        surface_of = {m: self.divisions.official_name(text[m.start:m.end]) for m in matches}
        plain = {m for m in matches if m.kind == FULL and self._plain_name(surface_of[m])
                 and not text.startswith(LEVEL_WORDS_GOING_ON, m.end - 1)
                 and (m.end - m.start > 2 or self._stands_alone(text, m))}
        ends, starts = {m.end for m in plain}, {m.start for m in plain}
        matches = [m for m in matches if m.kind == REGION or not self._cuts_word(text, m, ends, starts, m in plain)]
        plain &= set(matches)
        shorts, named = self._accept_short_forms(text, matches, plain, surface_of)
        support = _Support(surface_of, plain, named, self._villages_after_their_town(matches, plain, surface_of), self._rivers(text, matches, surface_of), text)
        return [*plain, *shorts, *(m for m in matches if self._supported(m, support))]

    @staticmethod
    def _rivers(text: str, matches: list[Match], surface_of: dict[Match, str]) -> set[str]:
        """Two-character rivers the article names once with a cue (沿绥江, 西江流域): every mention then counts."""
        return {surface_of[m] for m in matches if m.kind == FEATURE and (RIVER_CUE.match(text, m.end) or RIVER_BEFORE.fullmatch(text, m.start - 1, m.start))}

    def _supported(self, match: Match, support: "_Support") -> bool:
        """Whether a region, feature, full name that is not plain, or village is supported by the article."""
        surface = support.surface_of[match]
        if match.kind == REGION:
            return True
        if match.kind == FEATURE:
            return len(surface) > 2 or surface in support.rivers
        if match.kind == FULL:
            return match not in support.plain and self._parent_named(match, surface, support)
        if match.kind == VILLAGE_STEM:
            return not self._is_common(surface, "village") and any(
                self._has_named_parent(surface + ending, support.named, generations=1) for ending in RENAMED_VILLAGE_ENDINGS)
        if match.kind == VILLAGE and len(surface) < self.min_village_length:
            return surface in support.anchored
        return match.kind == VILLAGE and (self._has_named_parent(surface, support.named, self._village_generations(surface))
                                          or (self.unsupported_villages and not self._is_common(surface, "village")))

    def _parent_named(self, match: Match, surface: str, support: "_Support") -> bool:
        """A full name that is no plain division name counts when its parent is named (right before
        it, for an ordinary word); it then supports its own children (河头镇 then supports 向阳村)."""
        right_before = self._codes({support.surface_of[m] for m in support.plain if m.end == match.start})
        parents = right_before if self._is_word(surface, self.max_common_frequency) else support.named
        if not self._has_named_parent(surface, parents):
            return self._names_its_own_body(support.text, match, surface)
        support.named |= {c for c in self._codes({surface}) if self._has_named_parent_code(c, parents)}
        return True

    def _names_its_own_body(self, text: str, match: Match, surface: str) -> bool:
        """A two-character full name followed by a body of its own level, its level written twice
        (兴县县委, 眉县县长), or by its own outlet (景县新闻网): the division, though its two
        characters alone could be a word; a word that starts with the level character is no body
        (中心城区区域性…: 区域)."""
        if len(surface) != 2 or surface[-1] not in self.own_body_levels:
            return False
        own_body = text.startswith(surface[-1], match.end) and phrasing("own_level_body").match(text, match.end) is not None
        return own_body or self.short_form_cue.match(text, match.end) is not None  # 景县新闻网讯: its own outlet

    def _villages_after_their_town(self, matches: list[Match], plain: set[Match],
                                   surface_of: dict[Match, str]) -> set[str]:
        """Short village names (新村, 许村) written right after their town somewhere in the
        article (珠玑镇新村): they count wherever the article uses them."""
        town_codes_ending_at: dict[int, set[str]] = {}
        for match in plain:
            town_codes_ending_at.setdefault(match.end, set()).update(self._codes({surface_of[match]}))
        return {surface_of[m] for m in matches if m.kind == VILLAGE and len(surface_of[m]) < self.min_village_length
                and self._has_named_parent(surface_of[m], town_codes_ending_at.get(m.start, set()), generations=1)}

    def _accept_short_forms(self, text: str, matches: list[Match], plain: set[Match],
                            surface_of: dict[Match, str]) -> tuple[set[Match], set[str]]:
        """The supported short-form matches, and the codes of every division the article names."""
        named = self._codes({surface_of[m] for m in plain})
        unique = [codes.pop() for codes in (self._codes({surface_of[m]}) for m in plain) if len(codes) == 1]
        regions = {code[:digits] for code in unique for digits in SIBLING_PREFIX.values()}
        shorts = [m for m in matches if m.kind == SHORT]
        accepted: set[Match] = set()
        for _ in range(3):  # support may chain: 松口 ← 梅县 ← 梅州市
            newly = self._newly_supported(text, [m for m in shorts if m not in accepted], surface_of, named, regions)
            if not newly:
                break
            accepted |= set(newly)
            named |= {code for codes in newly.values() for code in codes}
        return accepted, named

    def _newly_supported(self, text: str, shorts: list[Match], surface_of: dict[Match, str], named: set[str],
                         regions: set[str]) -> dict[Match, set[str]]:
        """The short forms the names so far support, with the codes each stands for."""
        supported = {m: self._supported_codes(text, m, surface_of[m], named, regions) for m in shorts}
        return {m: codes for m, codes in supported.items() if codes}

    def _cuts_word(self, text: str, match: Match, ends: set[int], starts: set[int], plain: bool) -> bool:
        """Whether the match starts inside an ordinary word (部分乡镇, 新兴城市: for a full name,
        only if its last two characters are a word too or its last one starts one: 主人和乡亲) or a
        short form ends inside one (大成效); a full name right before (…县城关镇) or right after
        marks a boundary."""
        if (match.start > 0 and match.start not in ends and self._word_across_start(text, match)
                and (not plain or text[match.end - 2:match.end] in self.words.frequent or self._word_across_end(text, match))):
            return True
        return match.kind in (SHORT, VILLAGE_STEM) and match.end not in starts and self._word_across_end(text, match)

    def _word_across_start(self, text: str, match: Match) -> bool:
        """Whether the character before the match and its first make a frequent word (部分|乡镇: 部分)."""
        return match.start > 0 and text[match.start - 1:match.start + 1] in self.words.frequent

    def _word_across_end(self, text: str, match: Match) -> bool:
        """Whether the match's last character and the one after it make a frequent word (大成|效: 成效)."""
        return text[match.end - 1:match.end + 1] in self.words.frequent

    def _is_word(self, name: str, limit: int, proper_tags: tuple[str, ...] = ("ns",)) -> bool:
        """Whether jieba counts ``name`` at least ``limit`` times as something other than a
        proper name (a place, or any of ``proper_tags``)."""
        frequency, tag = self.words.common.get(name, (0, ""))
        return tag not in proper_tags and frequency >= limit

    def _is_common(self, name: str, level: str) -> bool:
        """Whether a short form or village name of ``level`` is often an ordinary word: as a
        non-place word (大成), or for towns and villages as a very frequent place or personal
        name (太平; jieba tags many place names, 古田 or 玉林, as personal names)."""
        frequency, tag = self.words.common.get(name, (0, ""))
        if tag in ("ns", "nr"):
            return level in ("town", "village") and frequency >= self.max_common_place_frequency
        return frequency >= self.max_common_frequency

    def _stands_alone(self, text: str, match: Match) -> bool:
        """Whether a two-character name neither ends a word before it (提高县级: 提高) nor starts
        one after it with its level character (代县长, 新县城: 县长, 县城)."""
        return not self._word_across_start(text, match) and not self._word_across_end(text, match)

    def _plain_name(self, name: str) -> bool:
        """A full name safe to take without support: 3+ characters (or two, for the levels of
        ``plain_two_char_levels`` when jieba knows the name less than ``max_common_frequency``
        times: 蠡县, not 和县), the suffix of its level, not a frequent word (解放区) nor, for towns
        and districts, a word plus suffix (发展乡, 小城镇, 老城区; 大连市 is a city whatever 大连 means)."""
        if len(name) == 2:
            return name[-1] in self.plain_two_char_levels and not self._is_word(name, self.max_common_frequency, ())
        if len(name) < 3 or self._is_word(name, self.max_common_place_frequency):
            return False
        levels = {r.level for r in self.divisions.candidates(name) if r.name == name}
        if not any(name.endswith(LEVEL_SUFFIXES[level]) for level in levels if level in LEVEL_SUFFIXES):
            return False
        stems = {stem for level in levels if level == "town" or name.endswith("区") for stem in short_forms(name, level)}
        return not any(self._is_word(stem, self.max_common_frequency, PROPER_NAME_TAGS) for stem in stems)

    def _codes(self, names: set[str]) -> set[str]:
        """Codes of the divisions that bear one of ``names`` as full name."""
        return {record.code for name in names for record in self.divisions.candidates(name) if record.name == name}

    def _has_named_parent(self, name: str, named: set[str], generations: int = 2) -> bool:
        """Whether some division called ``name`` has its parent (or, with ``generations`` 2,
        its grandparent) among ``named``."""
        for record in self.divisions.candidates(name):
            if record.name != name:
                continue
            parent = record.parent
            if parent in named or (generations > 1 and parent and self.divisions.get(parent).parent in named):
                return True
        return False

    def _has_named_parent_code(self, code: str, named: set[str]) -> bool:
        """Whether the division ``code`` has its parent or grandparent among ``named``."""
        parent = self.divisions.get(code).parent
        return parent in named or (parent is not None and self.divisions.get(parent).parent in named)

    def _village_generations(self, name: str) -> int:
        """How far up a village's support may be: its county will do, but a name many villages
        bear (团结村, 中心村) needs its town."""
        return 1 if len(self.divisions.village_codes(name)) > self.generic_village_count else 2

    def _supported_codes(self, text: str, match: Match, surface: str, named: set[str], regions: set[str]) -> set[str]:
        """The divisions a short form may stand for here: it is a province's, or its full form is
        named (unless the short form is a very frequent word: 和平); for a city or county, also
        where an outlet's cue follows (阳春讯, 玉林日报), though jieba knows the name as another
        word; unless it is an ordinary word, also where its parent is named or a division named
        by a unique full name lies in its parent (蕉岭 beside 梅县区)."""
        too_common = self._is_word(surface, self.max_short_form_frequency)
        cue = self.short_form_cue.match(text, match.end) is not None
        supported = set()
        for record in self.divisions.candidates(surface):
            if record.name == surface:
                continue
            if record.level == "province" or (record.code in named and not too_common):
                supported.add(record.code)
            elif cue and record.level in ("city", "county") and not too_common:
                supported.add(record.code)
            elif not self._is_common(surface, record.level) and (
                    record.parent in named or record.code[:SIBLING_PREFIX[record.level]] in regions):
                supported.add(record.code)
        return supported


def _county_code(code: str) -> str:
    """The code of the county a division lies in (or is): 441426100204 → 441426000000."""
    return code[: LEVEL_DIGITS["county"]].ljust(LEVEL_DIGITS["village"], "0")


def _renamed_village(name: str, named_otherwise: bool) -> list[str]:
    """The other forms of a village's name: 群鱼村 → 群鱼社区, 群鱼社区 → 群鱼村; a bare stem that
    names no other division (古鹤) may be either."""
    for ending in RENAMED_VILLAGE_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending) + 1:
            return [name[: -len(ending)] + other for other in RENAMED_VILLAGE_ENDINGS if other != ending]
    return [] if named_otherwise else [name + ending for ending in RENAMED_VILLAGE_ENDINGS]


class PlaceLinker:
    """Links Place entities to division codes, using the article's other places as context
    (options: ``make_place_linker``)."""

    def __init__(self, *, min_confidence: float, single_candidate_confidence: dict[str, float],
                 ancestor_weights: list[float], ancestor_context_decay: float, short_form_discount: float,
                 tie_break_discount: float, canonical_names: bool, joint_county_min: int) -> None:
        self.min_confidence = min_confidence
        self.joint_county_min = joint_county_min
        self.single_candidate_confidence = single_candidate_confidence
        self.ancestor_weights = ancestor_weights
        self.ancestor_context_decay = ancestor_context_decay
        self.short_form_discount = short_form_discount
        self.tie_break_discount = tie_break_discount
        self.canonical_names = canonical_names
        self.divisions = Divisions.load()
        self._supporters = lru_cache(maxsize=SUPPORTER_CACHE_SIZE)(self._supporter_codes)

    def __call__(self, doc: Doc) -> Doc:
        entities: dict[str, Entity] | None = doc._.entities
        if not entities:
            return doc
        places = [entity for entity in entities.values() if entity.label == PLACE]
        links = self.link(places, self._county_hint(doc))
        for entity in places:
            record, confidence = links.get(entity.key, (None, None))
            if record is None:
                continue
            entity.code, entity.code_confidence, entity.level = record.code, confidence, record.level
            entity.ancestors = [Division(a.code, a.name, a.level) for a in self.divisions.ancestors(record.code)]
        if self.canonical_names:
            official = {key: record.name for key, (record, _) in links.items()}
            doc._.entities = self._rename(doc, entities, places, official)
        return doc

    def link(self, places: list[Entity], county_hint: str | None = None) -> dict[str, tuple[DivisionRecord, float]]:
        """Entity key → (division, confidence) for the places that can be linked safely.

        Names of one division at county level or above link first; then, round by round,
        each place takes the candidate whose parent or grandparent is already linked (or
        is the place named right before it), if one candidate is clearly best, ties going
        to the article's county; last, names of a single division link without support
        at the confidence of their level.
        """
        options = {place.key: self._candidates(place) for place in places}
        before = self._adjacency(places)
        mentions = {place.key: len(place.mentions) for place in places}
        resolved = self._linked_alone(options)
        self._link_rounds(options, before, resolved, lambda: county_hint or self._article_county(resolved, mentions), county_hint)
        if not county_hint and self._article_county(resolved, mentions) is None:
            self._link_in_joint_county(options, before, resolved)
        for key, candidates in options.items():
            if key not in resolved and candidates:
                resolved[key] = self._without_support(candidates)
        return {key: (record, confidence) for key, (record, confidence) in resolved.items()
                if record is not None and confidence >= self.min_confidence}

    def _link_rounds(self, options: dict[str, list[Candidate]], before: dict[str, list[str]],
                     resolved: dict[str, tuple[DivisionRecord | None, float]], home: Callable[[], str | None],
                     county_hint: str | None) -> None:
        """Link round after round into ``resolved`` until a round links nothing; ``home`` gives the
        county ties go to, with what is linked so far."""
        while newly := self._link_round(options, before, resolved, home(), county_hint):
            resolved.update(newly)

    def _link_round(self, options: dict[str, list[Candidate]], before: dict[str, list[str]],
                    resolved: dict[str, tuple[DivisionRecord | None, float]], home: str | None,
                    county_hint: str | None) -> dict[str, tuple[DivisionRecord, float]]:
        """The places one more round links, with the context of those linked so far."""
        context = self._context(resolved, county_hint)
        newly = {}
        for key, candidates in options.items():
            if key not in resolved and candidates:
                preceding = {c.record.code for other in before[key] for c in options[other]}
                choice = self._choose(candidates, context, preceding, home)
                if choice is not None:
                    newly[key] = choice
        return newly

    def _linked_alone(self, options: dict[str, list[Candidate]]) -> dict[str, tuple[DivisionRecord | None, float]]:
        """The places named by the one division of county level or above that bears their name."""
        return {key: link for key, candidates in options.items()
                if len(candidates) == 1 and candidates[0].record.level in ("province", "city", "county")
                and (link := self._without_support(candidates))[0] is not None}

    def _link_in_joint_county(self, options: dict[str, list[Candidate]], before: dict[str, list[str]],
                              resolved: dict[str, tuple[DivisionRecord | None, float]]) -> None:
        """For an article that names no county: link more rounds as if it named the joint county."""
        joint = self._joint_county(options, resolved)
        if joint:
            self._link_rounds(options, before, resolved, lambda: joint, joint)

    def _joint_county(self, options: dict[str, list[Candidate]], resolved: dict[str, tuple[DivisionRecord | None, float]]) -> str | None:
        """The county that holds a division of each of at least ``joint_county_min`` unlinked
        places, more than any other county does: an article naming no county whose villages
        (董桥村、九里关村、前锋村…) each bear a name many villages bear, all of them in one county."""
        counties: Counter[str] = Counter()
        for key, candidates in options.items():
            if key not in resolved:
                counties.update({_county_code(c.record.code) for c in candidates if c.record.level in ("county", "town", "village")})
        ranked = counties.most_common(2)
        if ranked and ranked[0][1] >= self.joint_county_min and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return _county_code(ranked[0][0])
        return None

    def _without_support(self, candidates: list[Candidate]) -> tuple[DivisionRecord | None, float]:
        """The link of a name that denotes one division (by full name, if any matched) nationwide,
        or a province by short form (北京 rather than 北京街道); a short form alone only for
        provinces and cities (连江 is a river before it is 连江县, 北江 before 北江乡)."""
        full = [c for c in candidates if c.is_full]
        provinces = [c for c in candidates if c.record.level == "province"]
        chosen = full or (provinces if len(provinces) == 1 else candidates)
        if len(chosen) != 1:
            return None, 0.0
        record, is_full = chosen[0].record, bool(full)
        if not is_full and record.level not in ("province", "city"):
            return None, 0.0
        return record, self._discount(self.single_candidate_confidence[record.level], is_full)

    def _context(self, resolved: dict[str, tuple[DivisionRecord | None, float]], county_hint: str | None) -> dict[str, float]:
        """Code → how surely the article is about it: linked places, their ancestors (weaker),
        the county hint."""
        context: dict[str, float] = {}
        for record, confidence in resolved.values():
            if record is None:
                continue
            context[record.code] = max(context.get(record.code, 0.0), confidence)
            for ancestor in self.divisions.ancestors(record.code):
                confidence *= self.ancestor_context_decay
                context[ancestor.code] = max(context.get(ancestor.code, 0.0), confidence)
        if county_hint:
            context[county_hint] = 1.0
        return context

    @staticmethod
    def _article_county(resolved: dict[str, tuple[DivisionRecord | None, float]], mentions: dict[str, int]) -> str | None:
        """The linked county-level place the article mentions most."""
        counties = [(mentions[key], record.code) for key, (record, _) in resolved.items()
                    if record is not None and record.level == "county"]
        return max(counties)[1] if counties else None

    def _candidates(self, place: Entity) -> list[Candidate]:
        """Each division the place's names may denote; a short form that reads as a river
        (浈江, 梅江) stands for a county or town only beside its full name."""
        full: dict[str, bool] = {}
        records: dict[str, DivisionRecord] = {}
        for surface in (place.name, *sorted(place.aliases)):
            for record in self.divisions.candidates(surface):
                records[record.code] = record
                full[record.code] = full.get(record.code, False) or record.name == self.divisions.official_name(surface)
        # 群鱼村, where the records call it 群鱼社区: linked only with support, as a short form is
        renamed = [r for name in _renamed_village(place.name, bool(records)) for r in self.divisions.candidates(name) if r.level == "village" and r.code not in records]
        records.update((record.code, record) for record in renamed)
        full.update((record.code, False) for record in renamed)
        return [Candidate(record, full[code], self._supporters(record)) for code, record in records.items()
                if full[code] or not self._river_like(record, place)]

    @staticmethod
    def _river_like(record: DivisionRecord, place: Entity) -> bool:
        """Whether a district or town would be named by its short form only, and that reads as a river."""
        is_district_or_town = record.level == "town" or record.name.endswith("区")
        return is_district_or_town and all(name[-1] in "江河" for name in (place.name, *place.aliases))

    def _supporter_codes(self, record: DivisionRecord) -> tuple[str, ...]:
        """Codes of the parent and grandparent (as many as ``ancestor_weights``), without the
        province below county level (广东省 says little about which 桥头镇). A village's are its
        town and county, read off its code (villages are most of the candidates)."""
        if record.level == "village":
            return (record.parent, _county_code(record.code))[:len(self.ancestor_weights)]
        codes, code = [], record.parent
        while code and len(codes) < len(self.ancestor_weights):
            ancestor = self.divisions.get(code)
            if ancestor.level != "province" or record.level in ("city", "county"):
                codes.append(code)
            code = ancestor.parent
        return tuple(codes)

    @staticmethod
    def _adjacency(places: list[Entity]) -> dict[str, list[str]]:
        """Entity key → keys of places named right before one of its mentions (钱排镇龙湾村)."""
        ending_at: dict[int, list[str]] = {}
        for place in places:
            for _, end in place.mentions:
                ending_at.setdefault(end, []).append(place.key)
        return {place.key: [k for start, _ in place.mentions for k in ending_at.get(start, ()) if k != place.key]
                for place in places}

    def _choose(self, candidates: list[Candidate], context: dict[str, float], preceding: set[str],
                home: str | None) -> tuple[DivisionRecord, float] | None:
        """The one candidate the context supports best, if it is clearly best (ties go to ``home``):
        support comes from a linked parent or grandparent, from the place named right before,
        and from the candidate itself being linked or containing a linked place."""
        scored = [(self._discount(self._support(candidate, context, preceding), candidate.is_full), candidate) for candidate in candidates]
        best = max(score for score, _ in scored)
        top = [candidate for score, candidate in scored if score == best]
        if best > 0.0 and len(top) > 1 and home:
            top = [c for c in top if any(a.code == home for a in self.divisions.ancestors(c.record.code))]
            best *= self.tie_break_discount
        return (top[0].record, best) if best > 0.0 and len(top) == 1 else None

    def _support(self, candidate: Candidate, context: dict[str, float], preceding: set[str]) -> float:
        """How surely the context points to this candidate: itself, its ancestors, the place before it."""
        support = context.get(candidate.record.code, 0.0)
        for code, weight in zip(candidate.supporters, self.ancestor_weights):
            if code in context:
                support = max(support, context[code] * weight)
        if candidate.record.parent in preceding:
            support = max(support, self.ancestor_weights[0])
        return support

    def _discount(self, confidence: float, is_full: bool) -> float:
        return confidence if is_full else confidence * self.short_form_discount

    def _county_hint(self, doc: Doc) -> str | None:
        """The code of ``doc._.county_hint`` (a code or a county name) when the pipeline sets one."""
        hint = doc._.county_hint if Doc.has_extension("county_hint") else None
        if not hint:
            return None
        if hint.isdigit():
            return hint.ljust(12, "0")
        counties = [r for r in self.divisions.candidates(hint) if r.level in ("county", "city")]
        return counties[0].code if len(counties) == 1 else None

    @staticmethod
    def _rename(doc: Doc, entities: dict[str, Entity], places: list[Entity], official: dict[str, str]) -> dict[str, Entity]:
        """Give linked places their official name (梅县 → 梅县区), merging entities that become one
        (the surer link wins) and re-pointing relations that used an old entity key."""
        renamed: dict[str, str] = {}
        for place in places:
            name = official.get(place.key, place.name)
            if name != place.name:
                old_key = place.key
                place.aliases.add(place.name)
                place.name = name
                place.aliases.discard(place.name)
                renamed[old_key] = place.key
        if not renamed:
            return entities
        merged: dict[str, Entity] = {}
        for entity in entities.values():
            kept = merged.get(entity.key)
            if kept is None:
                merged[entity.key] = entity
                continue
            kept.aliases |= entity.aliases - {kept.name}
            kept.mentions = sorted(set(kept.mentions) | set(entity.mentions))
            if (entity.code_confidence or 0) > (kept.code_confidence or 0):
                kept.code, kept.code_confidence = entity.code, entity.code_confidence
                kept.level, kept.ancestors = entity.level, entity.ancestors
        for relation in doc._.relations or ():
            relation.subject = renamed.get(relation.subject, relation.subject)
            relation.object = renamed.get(relation.object, relation.object)
        return merged


@Language.factory(
    "kg_place_ruler",
    default_config={
        "spans_key": "kg_places",
        "label": PLACE,
        "regions": DEFAULT_REGIONS,
        "max_common_frequency": 100,
        "max_common_place_frequency": 1000,
        "max_short_form_frequency": 5000,
        "min_village_length": 3,
        "max_village_length": 10,
        "village_stop_after": "庄落寨级镇",
        "generic_village_count": 100,
        "unsupported_villages": False,
        "short_form_cue": "讯|融媒|新闻网|日报|晚报|电视台|广播电视台",
        "own_body_levels": "县区市旗",
        "plain_two_char_levels": "县",
    },
)
def make_place_ruler(nlp: Language, name: str, spans_key: str, label: str, regions: list[str],
                     max_common_frequency: int, max_common_place_frequency: int, max_short_form_frequency: int,
                     min_village_length: int, max_village_length: int, village_stop_after: str,
                     generic_village_count: int, unsupported_villages: bool, short_form_cue: str,
                     own_body_levels: str, plain_two_char_levels: str) -> PlaceRuler:
    """The place ruler. Frequencies are jieba's: a short form or village name that is a non-place
    word ``max_common_frequency`` times (or, for towns and villages, a place word
    ``max_common_place_frequency`` times) needs its full form in the article; a full name that is
    a non-place word ``max_common_place_frequency`` times needs its parent; a short form that is a
    non-place word ``max_short_form_frequency`` times is never taken. ``village_stop_after``:
    characters after 村 that make another word (村镇); ``min_village_length``: shorter village
    names (新村) count only where the article writes them right after their town once (珠玑镇新村);
    ``generic_village_count``: villages whose
    name more villages bear need their town, not just their county, named;
    ``unsupported_villages``: take other village names without support; ``short_form_cue``: what
    may follow a county or city short form to make it a place on its own (阳春讯, 玉林新闻网);
    ``own_body_levels``: level characters of a two-character full name that, written again right
    after it, start a body of its own (兴县县委): the division, though the name alone could be a word;
    ``plain_two_char_levels``: level characters of two-character full names taken without support
    where they stand alone (蠡县, 滑县; see ``PlaceRuler._plain_name``)."""
    return PlaceRuler(
        spans_key=spans_key, label=label, regions=regions, max_common_frequency=max_common_frequency,
        max_common_place_frequency=max_common_place_frequency, max_short_form_frequency=max_short_form_frequency,
        min_village_length=min_village_length, max_village_length=max_village_length,
        village_stop_after=village_stop_after, generic_village_count=generic_village_count,
        unsupported_villages=unsupported_villages, short_form_cue=short_form_cue, own_body_levels=own_body_levels,
        plain_two_char_levels=plain_two_char_levels,
    )


@Language.factory(
    "kg_place_linker",
    default_config={
        "min_confidence": 0.6,
        "single_candidate_confidence": {"province": 0.99, "city": 0.98, "county": 0.97, "town": 0.75, "village": 0.5},
        "ancestor_weights": [0.99, 0.9],
        "ancestor_context_decay": 0.9,
        "short_form_discount": 0.95,
        "tie_break_discount": 0.9,
        "canonical_names": True,
        "joint_county_min": 3,
    },
)
def make_place_linker(nlp: Language, name: str, min_confidence: float,
                      single_candidate_confidence: dict[str, float], ancestor_weights: list[float],
                      ancestor_context_decay: float, short_form_discount: float, tie_break_discount: float,
                      canonical_names: bool, joint_county_min: int) -> PlaceLinker:
    """The place linker. ``single_candidate_confidence``: confidence per level for a name that
    denotes one division nationwide but has no support in the article; ``ancestor_weights``: how
    much a linked parent, grandparent supports a candidate; ``ancestor_context_decay``: how much
    less a linked place's ancestors count, per level; ``short_form_discount``,
    ``tie_break_discount``: confidence factors for a link by short form and for one decided by the
    article's county; links below ``min_confidence`` are dropped; ``canonical_names``: rename
    places to their official name (梅县 → 梅县区, 梅县 kept as alias); ``joint_county_min``: how
    many unlinked places one county must hold a division of for an article that names no county
    to be read as about it."""
    return PlaceLinker(
        min_confidence=min_confidence, single_candidate_confidence=single_candidate_confidence,
        ancestor_weights=ancestor_weights, ancestor_context_decay=ancestor_context_decay,
        short_form_discount=short_form_discount, tie_break_discount=tie_break_discount,
        canonical_names=canonical_names, joint_county_min=joint_county_min,
    )


def entities_from_spans(doc: Doc, spans_key: str = "kg_places") -> dict[str, Entity]:
    """Place entities from the ruler's spans, one per distinct surface form (for tests and benchmarks)."""
    entities: dict[str, Entity] = {}
    for span in doc.spans[spans_key]:
        key = entity_key(PLACE, span.text)
        entity = entities.setdefault(key, Entity(label=PLACE, name=span.text))
        entity.mentions.append((span.start_char, span.end_char))
    return entities
