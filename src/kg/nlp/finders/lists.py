"""Names known by the list they stand in: the words that close a list (等6个重点项目, 等企业)
say what its items are, whatever each item ends with (石门绕城公路、仁居通用机场等6个项目;
华兴科技、金达家居等企业). Items that end like a body or a project (某某有限公司, 某某项目) are
left to the rules that read their endings, which know where such names start."""

from __future__ import annotations

from functools import lru_cache

from kg.resources import phrasing

from ..lexicon import (INSPECTION_VERBS, ORG_SUFFIXES_ANCHORED, ORG_SUFFIXES_FREE, PROGRAMME_BARE_ENDINGS, PROGRAMME_PLACED_ENDINGS, PROJECT_ENDINGS,
                       STRONG_VERBS, common_words, stop_verbs)
from . import Candidate, Context, finder, is_cjk, rule_regex
from .organisations import walk_left

ITEM_REACH = 16
"""Longest item of such a list."""
MIN_ITEM = 3
"""Shortest item that counts as a name (广汽 is too short to tell from a word)."""
NAMED_BY_ENDING = ORG_SUFFIXES_ANCHORED + ORG_SUFFIXES_FREE + PROJECT_ENDINGS + PROGRAMME_BARE_ENDINGS + PROGRAMME_PLACED_ENDINGS
"""Endings other rules name things by."""


@finder("listed_names")
def listed_names(context: Context, rules: list[dict]) -> list[Candidate]:
    """The items of every list the rule's ``closing`` ends (a regex: 等N个重点项目), each an entity
    of the rule's label: items joined by 、, the first one starting after a verb or a stop; at
    least the rule's ``min_items`` of them (a count alone closes no list of one: 工业企业120家企业)."""
    found = []
    for rule in rules:
        for closing in rule_regex(rule["closing"]).finditer(context.text):
            items = list_items(context.text, closing.start())
            if len(items) >= rule.get("min_items", 1):
                found += [Candidate(start, end, rule["label"], rule["rule"]) for start, end in items if not context.text.endswith(NAMED_BY_ENDING, start, end)]
    return found


def list_items(text: str, end: int) -> list[tuple[int, int]]:
    """The items of the list that ends at ``end`` (joined by 、), last first; none at all when an
    item does not read as a name (a clause, a common word, a stretch with punctuation)."""
    items = []
    while True:
        mark = text.rfind("、", max(0, end - ITEM_REACH - 1), end)
        start = mark + 1 if mark >= 0 else walk_left(text, end, ITEM_REACH, _walk_verbs())
        if not _reads_as_a_name(text[start:end]):
            return items if mark < 0 else []
        items.append((start, end))
        if mark < 0:
            return items
        end = mark


@lru_cache(maxsize=1)
def _walk_verbs() -> frozenset[str]:
    """The verbs the first item of a list starts after (考察团先后前往A、B等企业)."""
    return stop_verbs() | STRONG_VERBS | INSPECTION_VERBS


def _reads_as_a_name(item: str) -> bool:
    """Long enough, Chinese characters only, no common word and no count (3个…)."""
    return len(item) >= MIN_ITEM and all(is_cjk(char) or char == "·" for char in item) and item not in common_words() \
        and not phrasing("count_before_name").match(item)
