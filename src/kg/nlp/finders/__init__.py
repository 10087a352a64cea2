"""Entity finders: the procedures behind the entity ruler's cue and suffix rules.

The rules themselves are data (``kg/resources/entity_rules.jsonl``): each names its finder,
the label and merge rank (``rule``) of what it finds, and its words (``@titles``,
``@org_suffixes_free`` …). A finder takes the text, the rules that name it and what the
ruler knows so far (the place spans, the quoted names), and returns candidate spans. Finders
are registered in spaCy's ``misc`` registry as ``kg.finder.<name>.v1``; their phrasings are
in ``kg/resources/phrasings.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable

from spacy.util import registry

from kg.resources import expand_word_lists, longest_first, phrasing, word_list

from ..lexicon import BOUNDARY_WORDS

COMMON_SURNAME_PPM = 100.0
"""Surnames common enough (about the 250 most frequent) to start a name on weak evidence."""
QUOTE_OPENINGS, QUOTE_CLOSINGS = "“「", "”」"
NOT_IN_GIVEN_NAMES = frozenset(word_list("not_in_given_names")) | frozenset(" \n\t")
"""Characters that never stand in a given name."""


@dataclass(frozen=True)
class Candidate:
    """A proposed entity mention: character offsets, type and the rule that found it."""

    start: int
    end: int
    label: str
    rule: str


@dataclass
class Context:
    """What a finder reads: the text, the places the place ruler found, (for organisations) the
    quoted programme names, which continue a body's name (怀集县“百千万工程”指挥部), the parks whose
    bodies are named after them (猕猴桃产业园区管委会), and (for the programmes found after the
    bodies) the bodies, which begin the names of their projects."""

    text: str
    places: list[tuple[int, int]]
    quoted: list[tuple[int, int]] = field(default_factory=list)
    parks: list[tuple[int, int]] = field(default_factory=list)
    bodies: list[tuple[int, int]] = field(default_factory=list)

    @cached_property
    def in_place(self) -> set[int]:
        """Every character position inside a place name."""
        return {i for start, end in self.places for i in range(start, end)}

    @cached_property
    def place_anchors(self) -> dict[int, tuple[int, bool]]:
        """End → (start, is a place) of each place: where a name may begin (怀集县农业农村局)."""
        return {end: (start, True) for start, end in self.places}

    @cached_property
    def place_ends(self) -> dict[int, int]:
        """Start → end of each place."""
        return {start: end for start, end in self.places}

    @cached_property
    def place_names(self) -> frozenset[str]:
        """The names of the places found, as written."""
        return frozenset(self.text[start:end] for start, end in self.places)

    def ends_a_place_name(self, start: int, end: int) -> bool:
        """Whether the text from ``start`` to ``end`` ends a place's name written there (a name
        the article gives a place)."""
        return any(len(name) >= end - start and self.text.endswith(name, 0, end) for name in self.place_names)

    @cached_property
    def titles(self) -> list[tuple[int, int]]:
        """Inner spans of the 《titles》 of the text."""
        return [(m.start(1), m.end(1)) for m in phrasing("book_title").finditer(self.text)]


Finder = Callable[[Context, list[dict]], list[Candidate]]


def finder(name: str) -> Callable[[Finder], Finder]:
    """Register a finder as ``kg.finder.<name>.v1``."""

    def register(function: Finder) -> Finder:
        registry.misc.register(f"kg.finder.{name}.v1", func=function)
        return function

    return register


@lru_cache(maxsize=None)
def words(spec: str) -> tuple[str, ...]:
    """The words of a rule field: ``@name`` for a word list (longest first), else ``a|b|c``."""
    return longest_first(word_list(spec[1:])) if spec.startswith("@") else tuple(spec.split("|"))


@lru_cache(maxsize=None)
def rule_regex(spec: str) -> re.Pattern:
    """A rule field as a regex, its ``@name`` word lists filled in."""
    return re.compile(expand_word_lists(spec))


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a CJK ideograph (basic block or extension A)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def ends_boundary(text: str, position: int) -> bool:
    """Whether a word that cannot be part of a name ends right before ``position``."""
    return any(text[max(0, position - n) : position] in BOUNDARY_WORDS for n in (1, 2, 3)) or text[position - 1] in NOT_IN_GIVEN_NAMES


@finder("regex")
def regex_finder(context: Context, rules: list[dict]) -> list[Candidate]:
    """Names a regex finds (its group ``name``, else the whole match), unless they end with one of
    the rule's ``not_ending`` words (【信宜融媒】 is an outlet, 【编者按】 a column) or hold one of its
    ``not_holding`` words (主要成员包括工作队 is a clause, no body)."""
    found = []
    for rule in rules:
        not_ending = words(rule["not_ending"]) if rule.get("not_ending") else ()
        not_holding = words(rule["not_holding"]) if rule.get("not_holding") else ()
        for match in rule_regex(rule["pattern"]).finditer(context.text):
            group = "name" if "name" in match.re.groupindex else 0
            if not match.group(group).endswith(not_ending) and not any(word in match.group(group) for word in not_holding):
                found.append(Candidate(match.start(group), match.end(group), rule["label"], rule["rule"]))
    return found
