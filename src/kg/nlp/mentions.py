"""The mentions of an article in text order, and the words that refer back to them.

Both the relation rules (``relations``) and the relation scorer (``relation_model``) read an
article through ``ArticleView``: every mention of ``doc._.entities`` with lookups by position,
and the back-references of the genre that stand for an entity named before —

- a bare 示范带, 该项目, 《方案》-like word for the last programme named with that ending;
- 镇里, 全县, 该村 for the article's place of that level;
- 这家公司, 该局, a clause-opening 公司, or a generic 合作社 before a title for the last body
  named with that ending.

The words are the lists ``generic_programmes``, ``local_references`` and ``generic_bodies``
of ``kg/resources/lexicon``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from spacy.tokens import Doc

from kg.resources import phrasing, word_rows, word_table

from .doc import ORGANIZATION, PLACE, PROGRAMME, Entity, text_of
from .lexicon import LOCAL_REFERENCES, bare_title
from .text import ends_with, sentence_bounds
from .resolve import is_abbreviation

GENERIC_BODIES = {word: tuple(endings.split()) for word, endings in word_table("generic_bodies").items()}
"""Word → the endings of the bodies it stands for (合作社 → 合作社; 企业 → 公司, 企业, 厂)."""
GENERIC_PROGRAMMES = {word: tuple(endings.split()) for word, endings in word_table("generic_programmes").items()}
"""Word → the endings of the programmes it stands for, tried in turn (实施方案 → 实施方案, then 方案)."""
MAIN_PLACE_REFERENCES = frozenset(row[0] for row in word_rows("local_references") if row[2:] == ("main",))
"""Words for the place of their level the article names most (全县), not the last one named."""
MODIFIER_REACH = 6
"""Characters a demonstrative and its modifier take before a bare 基地 (该兰花基地)."""
_GENERIC_PROGRAMME = re.compile("|".join(map(re.escape, GENERIC_PROGRAMMES)))
_LOCAL_REFERENCE = re.compile("|".join(map(re.escape, LOCAL_REFERENCES)))


@dataclass(frozen=True)
class MentionRef:
    """One mention of an entity: its character span and the entity."""

    start: int
    end: int
    entity: Entity


class ArticleView:
    """The mentions of an article in text order, with lookups the rules need."""

    def __init__(self, doc: Doc) -> None:
        self.text = text_of(doc)
        self.entities: dict[str, Entity] = doc._.entities
        self.mentions = sorted(
            (MentionRef(s, e, entity) for entity in self.entities.values() for s, e in entity.mentions),
            key=lambda m: (m.start, -m.end),
        )
        self.starts = [m.start for m in self.mentions]
        self.by_end: dict[int, list[MentionRef]] = {}
        for mention in self.mentions:
            self.by_end.setdefault(mention.end, []).append(mention)

    def starting_at(self, position: int, label: str | None = None) -> MentionRef | None:
        """The longest mention starting at ``position`` (of ``label`` if given)."""
        i = bisect_left(self.starts, position)
        while i < len(self.mentions) and self.mentions[i].start == position:
            if label is None or self.mentions[i].entity.label == label:
                return self.mentions[i]
            i += 1
        return None

    def ending_at(self, position: int, labels: tuple[str, ...]) -> MentionRef | None:
        """The longest mention of one of ``labels`` ending at ``position``."""
        found = [m for m in self.by_end.get(position, []) if m.entity.label in labels]
        return min(found, key=lambda m: m.start) if found else None

    def within(self, start: int, end: int) -> list[MentionRef]:
        """The mentions inside ``start``–``end``, nested ones included, in text order."""
        i = bisect_left(self.starts, start)
        found = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                found.append(self.mentions[i])
            i += 1
        return found

    @cached_property
    def references(self) -> list[MentionRef]:
        """Generic references to programmes named before (该项目, 这条示范带, 《方案》)."""
        return programme_references(self)

    @cached_property
    def sentences(self) -> list[tuple[int, int, list[MentionRef]]]:
        """Each sentence's span and its mentions (nested ones too), in text order."""
        return [(start, end, self.within(start, end)) for start, end in sentence_bounds(self.text)]

    @cached_property
    def outer(self) -> list[MentionRef]:
        """The mentions not inside a longer one, in text order."""
        return self.outermost(self.mentions)

    def last_before(self, position: int, label: str, accept: Callable[[str], bool]) -> MentionRef | None:
        """The last mention of ``label`` ending by ``position`` whose name ``accept`` takes (the body,
        park or place a back-reference stands for)."""
        earlier = [m for m in self.mentions if m.end <= position and m.entity.label == label and accept(m.entity.name)]
        return earlier[-1] if earlier else None

    @staticmethod
    def outermost(mentions: list[MentionRef]) -> list[MentionRef]:
        """Those of ``mentions`` that no other of them with a different span contains, in their order."""
        contained: set[tuple[int, int]] = set()
        reach = -1  # the furthest end of the spans seen so far, in text order, longest first
        for start, end in sorted({(m.start, m.end) for m in mentions}, key=lambda span: (span[0], -span[1])):
            if reach >= end:
                contained.add((start, end))
            reach = max(reach, end)
        return [m for m in mentions if (m.start, m.end) not in contained]

    def unique(self, label: str, ending: str) -> Entity | None:
        """The one entity of ``label`` whose name ends with ``ending``, if there is exactly one."""
        found = [e for e in self.entities.values() if e.label == label and e.name.endswith(ending)]
        return found[0] if len(found) == 1 else None

    def main_place(self, level_char: str) -> Entity | None:
        """The most-mentioned place whose name ends with the level character (市, 县, 镇 …)."""
        found = [e for e in self.entities.values() if e.label == PLACE and e.name.endswith(level_char) and e.code]
        return max(found, key=lambda e: len(e.mentions)) if found else None


def programme_references(view: ArticleView) -> list[MentionRef]:
    """A bare 示范带, 试点 … outside any name stands for the last programme named with that ending;
    so does one after a demonstrative and a modifier that programme's name holds (该兰花基地)."""
    covered = {i for m in view.mentions for i in range(m.start, m.end)}
    before = phrasing("before_programme_reference")
    found = []
    for match in _GENERIC_PROGRAMME.finditer(view.text):
        if match.start() in covered:
            continue
        start = match.start()
        if start > 0 and not before.fullmatch(view.text[start - 1]):
            start = _demonstrative_with_modifier(view.text, match.start())
            if start is None:
                continue
        named = _last_programme_ending(view, match.start(), GENERIC_PROGRAMMES[match.group(0)])
        if named and (start == match.start() or view.text[start : match.end()] in named.entity.name):
            found.append(MentionRef(match.start(), match.end(), named.entity))  # the bare word, as patterns read it
    return found


def _demonstrative_with_modifier(text: str, position: int) -> int | None:
    """Where the modifier starts when one stands between a demonstrative and a bare 基地, 产业园 …
    (该兰花基地): the programme's name must hold the modifier and the word."""
    opening = ends_with(phrasing("demonstrative_modifier"), text, position, MODIFIER_REACH)
    return opening.start("modifier") if opening else None


def _last_programme_ending(view: ArticleView, position: int, endings: tuple[str, ...]) -> MentionRef | None:
    """The last programme before ``position`` whose name ends with the first of ``endings`` that one does."""
    for ending in endings:
        named = view.last_before(position, PROGRAMME, lambda name: bare_title(name).endswith(ending))
        if named is not None:
            return named
    return None


def local_references(view: ArticleView, start: int, end: int) -> list[MentionRef]:
    """镇里, 全县 …: the place of that level named last before them (the most named for 全县), as a
    mention there; 这家公司, 该局: the body named last with that ending."""
    found = []
    for match in _LOCAL_REFERENCE.finditer(view.text[start:end]):
        at = start + match.start()
        level = LOCAL_REFERENCES[match.group(0)]
        if match.group(0) in MAIN_PLACE_REFERENCES:
            place = view.main_place(level)
        else:
            named = view.last_before(at, PLACE, lambda name: name.endswith(level))
            place = named.entity if named else None
        if place is not None:
            found.append(MentionRef(at, at + len(match.group(0)), place))
    for match in phrasing("this_body").finditer(view.text, start, end):  # 这家公司通过“万企兴万村”行动…
        body = generic_body(view, match.end())
        if body is not None:
            found.append(MentionRef(match.start(), match.end(), body.entity))
    return found


def generic_body(view: ArticleView, position: int) -> MentionRef | None:
    """公司, 合作社 … right before ``position``: the last organisation named with that ending."""
    for generic, endings in GENERIC_BODIES.items():
        if view.text.endswith(generic, 0, position):
            named = view.last_before(position - len(generic), ORGANIZATION, lambda name: name.endswith(endings))
            body = named.entity if named else view.unique(ORGANIZATION, generic)
            if body is not None:
                return MentionRef(position - len(generic), position, body)
    return None


def generic_body_at(view: ArticleView, position: int) -> MentionRef | None:
    """A generic body word starting at ``position`` (兼任联合社社长), standing for the last body named so."""
    generic = next((g for g in GENERIC_BODIES if view.text.startswith(g, position)), None)
    return generic_body(view, position + len(generic)) if generic else None


def named_in_title(programme: Entity, title: str) -> bool:
    """Whether a document title holds the programme's name, an alias, or a long form it abbreviates."""
    if any(len(n) >= 4 and n in title for n in (programme.name, *programme.aliases)):
        return True
    name = programme.name
    return any(is_abbreviation(name, title[i:j]) for i in range(len(title)) if title[i] == name[0]
               for j in range(i + len(name) + 1, min(len(title), i + 20) + 1) if title[j - 2 : j] == name[-2:])


def follows_place(text: str, previous_end: int, start: int) -> bool:
    """Whether a place starting at ``start`` continues the place ending at ``previous_end``
    (鹤市镇莲坑村, 草潭镇的珍珠湾村): then it is the one a list counts."""
    return start >= previous_end and phrasing("between_places").fullmatch(text, previous_end, start) is not None


def place_run_start(mentions: list[MentionRef], start: int, text: str, offset: int = 0) -> int:
    """Where the run of places that begins at ``start`` begins: places written together
    (广东省河源市紫金县) or joined by 、, 和, 及 (铅厂镇、过埠镇). ``text`` starts at ``offset``."""
    place_ends = {m.end: m.start for m in mentions if m.entity.label == PLACE}
    position = start
    while True:
        if position in place_ends:
            position = place_ends[position]
        elif position - 1 in place_ends and position - 1 - offset >= 0 and phrasing("place_joiner").fullmatch(text, position - 1 - offset, position - offset):
            position = place_ends[position - 1]
        else:
            return position


def awards(text: str, end: int) -> bool:
    """Whether the body ending at ``end`` is followed by a verb of awarding (省林业局近日命名…):
    it awards a designation, the places it names earn it, and it carries out none."""
    return phrasing("awarding").match(text, end) is not None


def is_destination(mentions: list[MentionRef], mention: MentionRef, text: str, offset: int = 0) -> bool:
    """Whether a place or body is one of the places a visit goes to (赴铅厂镇、过埠镇开展…,
    到某村、某村检查…): a verb of a visit earlier in its clause and a list it stands in. One of several places visited
    carries out nothing the visitors do there; the one place of a visit (到某镇现场办公,确保…落地)
    may well be where the programme is carried out."""
    before = text[: place_run_start(mentions, mention.start, text, offset) - offset]
    visit = phrasing("visit_destination").search(before)
    return visit is not None and ("、" in text[visit.start() : mention.start - offset]
                                  or phrasing("listed_after").match(text, mention.end - offset) is not None)
