"""Relation procedures: the few rules that are no template over one sentence.

Relation patterns (``patterns.py``) cover the phrasings between names. What remains here is
structure a template cannot state: chains of posts and their bodies (``posts``), containment
read off the division codes (``containment``), names inside names (``names``), and who does
what a sentence's implementing verb says, or what an article is about across sentences
(``programmes``). Every procedure takes an ``ArticleView`` and returns relations; it is
registered in spaCy's ``misc`` registry as ``kg.<name>.v1``, so the relation extractor's config
lists the ones it runs, and each is tested alone (``tests/test_procedures.py``). Their phrasings
are in ``kg/resources/phrasings.toml``, their words in ``kg/resources/lexicon``.
"""

from __future__ import annotations

from typing import Callable

from spacy.util import registry

from kg.resources import word_list

from ..doc import PLACE, Entity, Relation
from ..mentions import ArticleView, MentionRef, follows_place

Procedure = Callable[[ArticleView], list[Relation]]
LIST_JOINERS = "".join(word_list("list_joiners"))
"""What joins the members of a list of actors: 、和与及的."""
FIRST_ACTOR_REACH = 4
"""How far after the position a list of actors may begin."""


def procedure(name: str) -> Callable[[Procedure], Procedure]:
    """Register a procedure as ``kg.<name>.v1``."""

    def register(function: Procedure) -> Procedure:
        registry.misc.register(f"kg.{name}.v1", func=function)
        return function

    return register


def relation(subject: Entity, predicate: str, obj: Entity | str, text: str, start: int, end: int,
             confidence: float, post: str | None = None) -> Relation:
    """A relation with ``text[start:end]`` as its evidence."""
    return Relation(subject=subject.key, predicate=predicate, object=obj if isinstance(obj, str) else obj.key,
                    evidence=text[start:end], start=start, end=end, confidence=confidence, post=post)


def clause_start(text: str, floor: int, position: int, marks: str = ",，;；") -> int:
    """Where the clause holding ``position`` begins: after the last of ``marks``, not before ``floor``."""
    return max([floor] + [text.rfind(mark, floor, position) + 1 for mark in marks])


def actor_list(view: ArticleView, position: int, candidates: list[MentionRef]) -> list[MentionRef]:
    """The actors listed from ``position`` on (鹤市镇莲坑村、富石村 → 莲坑村, 富石村): a run of places
    counts as its last member, and the list goes on over 、 和 与 及 and 的."""
    candidates = sorted((c for c in candidates if c.start >= position), key=lambda m: m.start)
    listed: list[MentionRef] = []
    expected = position
    for actor in candidates:
        if actor.start > expected + (0 if listed else FIRST_ACTOR_REACH):
            break
        if listed and actor.entity.label == PLACE and follows_place(view.text, listed[-1].end, actor.start):
            listed[-1] = actor  # 鹤市镇莲坑村, 草潭镇的珍珠湾村: the village
        else:
            listed.append(actor)
        expected = actor.end + (1 if view.text[actor.end : actor.end + 1] in LIST_JOINERS else 0)
    return listed


def last_of_chain(view: ArticleView, position: int) -> MentionRef | None:
    """The last place of the run of places starting at ``position`` (杨柑镇龙眼村 → 龙眼村)."""
    place = None
    while (next_place := view.starting_at(position, PLACE)) is not None:
        place, position = next_place, next_place.end
    return place
