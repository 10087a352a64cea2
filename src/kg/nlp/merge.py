"""One set of entities from the rules, the place ruler and the statistical NER.

Priority, highest first (documented in the README):

1. programmes from 《》 and quotation marks;
2. organisations anchored on a place or a level word, and programme names anchored on a place;
3. places from the official division list, people from bylines and titles;
4. people before a speech cue, organisations and programmes found by suffix alone;
5. the statistical NER (PER/LOC/ORG), only where nothing above claims the text.

Names inside longer names are kept as entities of their own (茂名市 inside
茂名市农业农村局), but two candidates that cross each other cannot both be
right: the lower-ranked one is dropped. ``doc.ents`` holds the outermost
mentions; ``doc._.entities`` every distinct entity with all its mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from kg.resources import phrasing, word_list

from .charner import DICT_TAG_CLASSES, get_jieba_lexicon
from .doc import ORGANIZATION, PERSON, PLACE, PROGRAMME, Entity, entity_key, text_of
from .lexicon import IMPLEMENT_VERBS, LEVEL_WORDS, PROGRAMME_BARE_ENDINGS, ORG_SUFFIXES_ANCHORED, ORG_SUFFIXES_FREE, PLACE_CLASSES, STRONG_VERBS, common_words, place_words, surnames
from .finders import COMMON_SURNAME_PPM, QUOTE_CLOSINGS, QUOTE_OPENINGS, is_cjk
from .finders.organisations import no_body_suffix_here
from .rules import PLACES_KEY, RULES_KEY

RULE_RANKS = {
    "title": 1,
    "quoted": 1,
    "fixed": 1,
    "org-place": 2,
    "org-level": 2,
    "outlet": 2,
    "bare-place": 2,
    "designation": 2,
    "place": 3,
    "byline": 3,
    "title-person": 3,
    "speech": 4,
    "org-free": 4,
    "bare": 4,
    "ner": 5,
}
VERBS_IN_NO_BODY = STRONG_VERBS | frozenset(IMPLEMENT_VERBS)
"""Verbs a statistical body's name never holds unless it ends like a body (韶关建设省域 is a clause)."""
PLACE_WORD_CLASS = DICT_TAG_CLASSES["ns"]
"""The class of the dictionary's place words (深圳湾)."""
NER_LABELS = {"PER": PERSON, "LOC": PLACE, "ORG": ORGANIZATION, "GPE": PLACE, "PROG": PROGRAMME}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str
    rank: int


def _rank(rule: str, label: str, ranks: dict[str, int]) -> int:
    """The rank of a rule's candidate (a person found by a title ranks as ``title-person``)."""
    if rule == "title" and label == PERSON:
        return ranks["title-person"]
    return ranks.get(rule, ranks["ner"])


def _crosses(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end and not (a.start <= b.start and b.end <= a.end) and not (
        b.start <= a.start and a.end <= b.end
    )


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


NATURAL_ENDINGS = word_list("natural_endings")
"""Endings of natural features, which no division list holds (official divisions come from the place ruler)."""
NOT_PLACE_ENDINGS = word_list("not_place_endings")
"""Endings of plants and parks that the general vocabulary tags as place words."""
NOT_PLACE_STARTS = "".join(word_list("not_place_starts"))
"""First characters of two-character words that say where something goes (沿河, 赴京), not a place."""
BODY_ENDINGS = word_list("body_endings")
"""How short names of public bodies end (财政部, 国务院, 省委): the NER may name them so."""
WORDS_BEFORE_A_BODY = "".join(word_list("words_before_a_body"))
SHORT_BODY = 3
"""Longest name of a body the NER proposes that needs a public body's ending or a clear start."""
SLOGAN_REACH = 16
"""How far a slogan's quotation marks may stand from a word inside it."""
METHOD_ENDINGS = word_list("method_endings")
"""Endings of a working method or a slogan (罗山模式): no programme."""
VILLAGE_COMMITTEES = word_list("village_committees")
"""Endings of a village's committee: the village itself where a visit goes."""
ADDRESSEE_REACH = 8
"""How far before a body the 各 of a list addressed to each of a kind may stand (各县(市、区)人民政府)."""


def plausible_ner(text: str, label: str, before: str = "") -> bool:
    """Whether a statistical NER mention (after the character ``before``) is shaped like a name
    of its type in this genre.

    People start with a surname and are more than a surname; places are not
    personal names and either end like a place or are known place words; an
    organisation has four characters or ends like a public body (财政部, 县委常委会), and is
    neither a village's (村党支部) nor a fragment (水利局 of 农业农村和水利局).
    """
    if len(text) < 2 or not all(is_cjk(c) or c in "·" for c in text):
        return False
    compound = text[:2] in surnames() and len(text[:2]) == 2 and text[:2] not in common_words()
    if label == PERSON and phrasing("level_ending").search(text):
        return False  # 邹坊村: a village the division list lacks, not a person
    if label == PERSON:
        return 3 <= len(text) <= 4 if compound else len(text) == 3 and surnames().get(text[0], 0.0) >= COMMON_SURNAME_PPM
    if label == PLACE:
        return _plausible_place(text, compound)
    if label == PROGRAMME:
        return len(text) >= 4
    return _plausible_body(text, before)


def _plausible_body(text: str, before: str) -> bool:
    """No village's body (村党支部), no bare kind (联合社), no short name cut from a longer one
    (…和水利局), no clause (韶关建设省域: a verb inside a name that ends like no body); four
    characters, or a short public body's ending (财政部, 县委常委会)."""
    if phrasing("village_body").match(text) or text in ORG_SUFFIXES_FREE + ORG_SUFFIXES_ANCHORED:
        return False
    if not text.endswith(BODY_ENDINGS) and any(verb in text for verb in VERBS_IN_NO_BODY):
        return False
    if len(text) <= SHORT_BODY and is_cjk(before) and before not in WORDS_BEFORE_A_BODY:
        return False
    body = text[1:] if text.startswith(LEVEL_WORDS) else text  # 县委常委会, 省农科院: bodies of a level
    return (len(text) > SHORT_BODY and body == text) or (len(body) >= 2 and text.endswith(BODY_ENDINGS))


def _plausible_place(text: str, compound: bool) -> bool:
    """A place is no surname or ordinary word, no plant (荔枝树, 开园), no two-character level word
    or motion (古镇, 三镇, 沿河, 山海: official places come linked from the gazetteer), and either
    ends like a natural feature or is a known place word."""
    if text in surnames() or compound or text in PLACE_CLASSES or (text in common_words() and text not in place_words()):
        return False
    short = len(text) == 2 and (text.endswith(LEVEL_WORDS) or text[0] in NOT_PLACE_STARTS or text[0] in NATURAL_ENDINGS)
    if text.endswith(NOT_PLACE_ENDINGS) or short:
        return False
    return text.endswith(NATURAL_ENDINGS) or text in place_words()


def merge_mentions(candidates: list[Mention], ner_rank: int = RULE_RANKS["ner"]) -> list[Mention]:
    """Accept candidates best-ranked first; a candidate crossing an accepted one is dropped.

    A statistical NER mention (of ``ner_rank``) is accepted only where it overlaps nothing accepted.
    """
    accepted: list[Mention] = []
    for candidate in sorted(candidates, key=lambda m: (m.rank, -(m.end - m.start), m.start)):
        if any((a.start, a.end) == (candidate.start, candidate.end) for a in accepted):
            continue
        conflict = _overlaps if candidate.rank == ner_rank else _crosses
        if not any(conflict(candidate, a) for a in accepted):
            accepted.append(candidate)
    return sorted(accepted, key=lambda m: (m.start, -m.end))


def _rules_type_names(text: str, accepted: list[Mention], ner_rank: int) -> list[Mention]:
    """A name the rules or the gazetteer typed keeps that type all through the article: the
    statistical NER's other type for it elsewhere goes (德苴小组, a village group, stays a place
    where it is written alone)."""
    typed = {text[m.start : m.end]: m.label for m in accepted if m.rank != ner_rank}
    return [m for m in accepted if m.rank != ner_rank or typed.get(text[m.start : m.end], m.label) == m.label]


MIN_LISTED_PEOPLE = 2
"""People a list must name already before its other items of a name's shape count as people."""
_LIST_ITEM = re.compile("[^、]+")


def list_mates(text: str, accepted: list[Mention], rank: int) -> list[Mention]:
    """The people a list names among people (专家组潘某某、陈某、卜某某、…): an item between two
    、, or opening the clause, of two or three characters, starting with a common surname and no
    ordinary word, is a person when at least ``MIN_LISTED_PEOPLE`` items of its list are people
    already."""
    person_ends = {m.end: m.start for m in accepted if m.label == PERSON}
    taken = [(m.start, m.end) for m in accepted]
    found = []
    for match in phrasing("list_of_names").finditer(text):
        items = [(match.start() + i.start(), match.start() + i.end()) for i in _LIST_ITEM.finditer(match[0])]
        if sum(1 for start, end in items if person_ends.get(end, -1) >= start) >= MIN_LISTED_PEOPLE:
            found += [Mention(start, end, PERSON, rank) for start, end in _open_items(text, items)
                      if end not in person_ends and _name_shaped(text[start:end]) and not any(s < end and start < e for s, e in taken)]
    return found


def _open_items(text: str, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The items of a list that may be names of their own: those between two 、, and the first
    where it opens its clause (陈某、汪某某…), not where it may end a longer word (专家组潘某某)."""
    opens = items[0][0] == 0 or not is_cjk(text[items[0][0] - 1])
    return (items[:1] if opens else []) + items[1:-1]


def _name_shaped(name: str) -> bool:
    """Two or three characters, a common surname first, no ordinary word."""
    return len(name) <= 3 and surnames().get(name[0], 0.0) >= COMMON_SURNAME_PPM and name not in common_words()


_COMMITTEE = phrasing("own_committee")
"""The party committee of the article's place (县委): the one short name that is propagated."""


def propagate(text: str, accepted: list[Mention]) -> list[Mention]:
    """Every other occurrence of an accepted name is a mention too, where it crosses nothing accepted.

    A cue finds 李文华 once (李文华说); the later 李文华,县农业农村局局长 is the same name; a
    县委 found once (县委书记X) is the 县委 of 县委、县政府出台.
    """
    names = {text[m.start : m.end]: m for m in accepted if m.end - m.start >= 3 or m.label == PERSON or _COMMITTEE.fullmatch(text[m.start : m.end])}
    found = list(accepted)
    spans = {(m.start, m.end) for m in accepted}
    for name, model in names.items():
        for match in re.finditer(re.escape(name), text):
            mention = Mention(match.start(), match.end(), model.label, model.rank)
            if (mention.start, mention.end) in spans or any(_overlaps(mention, a) and not _contains(a, mention) for a in found):
                continue
            found.append(mention)
            spans.add((mention.start, mention.end))
    return sorted(found, key=lambda m: (m.start, -m.end))


def _without_people_inside_names(accepted: list[Mention], length: int) -> list[Mention]:
    """No person inside another entity's name (农民日 in 农民日报), in one pass over the text."""
    reach = [0] * (length + 1)  # reach[i]: the furthest end of a non-person mention starting at or before i
    for mention in accepted:
        if mention.label != PERSON:
            reach[mention.start] = max(reach[mention.start], mention.end)
    for i in range(1, length + 1):
        reach[i] = max(reach[i], reach[i - 1])
    return [m for m in accepted if m.label != PERSON or reach[m.start] < m.end]


def _add_place_prefixed_forms(text: str, accepted: list[Mention], entities: dict[str, Entity]) -> None:
    """An organisation named after its place, written after a higher place (封开县南丰镇党委: the
    town's committee) keeps that fuller written form as an alias: some name it so, some not."""
    place_ends = {m.end: m.start for m in accepted if m.label == PLACE}
    place_starts = {m.start for m in accepted if m.label == PLACE}
    for mention in accepted:
        if mention.label == ORGANIZATION and mention.start in place_starts and mention.start in place_ends:
            name = text[mention.start : mention.end]
            entities[entity_key(ORGANIZATION, name)].aliases.add(text[place_ends[mention.start] : mention.end])


def _contains(outer: Mention, inner: Mention) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and outer.label != inner.label


@Language.factory("kg_entity_merger", default_config={"rules_key": RULES_KEY, "places_key": PLACES_KEY, "ranks": RULE_RANKS})
def make_entity_merger(nlp: Language, name: str, rules_key: str, places_key: str, ranks: dict[str, int]) -> "EntityMerger":
    """The merger: candidates of the entity ruler (``rules_key``), the place ruler (``places_key``)
    and the statistical NER, accepted by ``ranks`` (rule → rank, 1 first; ``place`` for the place
    ruler, ``ner`` for the statistical NER and unknown rules, ``title-person`` for people found by a title)."""
    return EntityMerger(rules_key, places_key, ranks)


class EntityMerger:
    """Turns candidate spans into ``doc.ents`` and ``doc._.entities``."""

    def __init__(self, rules_key: str = RULES_KEY, places_key: str = PLACES_KEY, ranks: dict[str, int] = RULE_RANKS) -> None:
        self.rules_key = rules_key
        self.places_key = places_key
        self.ranks = dict(ranks)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        accepted = _rules_type_names(text, merge_mentions(self._candidates(doc, text), self.ranks["ner"]), self.ranks["ner"])
        accepted = propagate(text, accepted + list_mates(text, accepted, self.ranks["ner"]))
        accepted = _without_people_inside_names(accepted, len(text))
        entities = _entities(text, accepted)
        _add_place_prefixed_forms(text, accepted, entities)
        spans = [doc.char_span(m.start, m.end, label=m.label) for m in accepted]
        doc.ents = filter_spans([s for s in spans if s is not None])
        doc._.entities = entities
        return doc

    def _candidates(self, doc: Doc, text: str) -> list[Mention]:
        """The ranked candidates of the rules, the place ruler and the plausible statistical NER
        mentions, but those no name of their type stands in (``_stands_as_named``)."""
        candidates = [
            Mention(s.start_char, s.end_char, s.label_, _rank(s.kb_id_, s.label_, self.ranks)) for s in doc.spans.get(self.rules_key, [])
        ]
        candidates += [Mention(s.start_char, s.end_char, PLACE, self.ranks["place"]) for s in doc.spans.get(self.places_key, [])]
        candidates += _ner_mentions(doc, text, self.ranks["ner"])
        return [c for c in candidates if _stands_as_named(text, c)]


def _ner_mentions(doc: Doc, text: str, rank: int) -> list[Mention]:
    """The statistical NER's mentions shaped like names of their type, but no place inside a
    slogan (but for the place a method is named after: “罗山模式”); a body's name ends before a
    suffix that is no body's there (州政府党组|书记: 州政府, and 党组书记 is the post), one
    that ends like a park or a project is a programme, and a "person" a reserve or a scenic area
    is named after is a place (罗浮山省级自然保护区)."""
    found = []
    for ent in doc.ents:
        label = NER_LABELS.get(ent.label_)
        if label == ORGANIZATION and ent.text.endswith(PROGRAMME_BARE_ENDINGS):
            label = PROGRAMME  # 广梅产业园: a park is a programme, whatever the NER calls it
        if label == PERSON and phrasing("reserve_after").match(text, ent.end_char):
            label = PLACE  # 罗浮山省级自然保护区: a mountain, named by the reserve it holds
        end = _end_of_a_body_name(text, ent.start_char, ent.end_char) if label == ORGANIZATION else ent.end_char
        if label and plausible_ner(text[ent.start_char : end], label, text[ent.start_char - 1 : ent.start_char]) \
                and not (label == PLACE and (_inside_a_slogan(text, ent.start_char, end) or _begins_a_word(text, ent.start_char, end))):
            found.append(Mention(ent.start_char, end, label, rank))
    return found


def _begins_a_word(text: str, start: int, end: int) -> bool:
    """Whether a would-be place is the start of a longer word of the dictionary that names no
    place (太阳|能热水器; but 深圳|湾 stays a place)."""
    known = get_jieba_lexicon().word_classes
    return any(known.get(text[start : end + more], PLACE_WORD_CLASS) != PLACE_WORD_CLASS for more in (1, 2) if end + more <= len(text))


def _end_of_a_body_name(text: str, start: int, end: int) -> int:
    """Where a body's name ends if it ends with a suffix that is no body's there (州政府党组|书记:
    党组书记 is the post; 村党总支|书记 stays a body)."""
    return next((position for position in range(end - 2, start + 1, -1) if no_body_suffix_here(text, position, end)), end)


def _stands_as_named(text: str, mention: Mention) -> bool:
    """No person or place before a doctrine's ending (毛泽东思想, 中国特色社会主义), no place opening
    a quoted honour (“中国青花瓷之乡”), no programme named like a working method (罗山模式), no
    village committee where a visit goes (来到某村委会: the village, a place, is meant), no body of
    a list addressed to each of a kind (各州、市人民政府)."""
    start, end, label = mention.start, mention.end, mention.label
    if label in (PERSON, PLACE) and phrasing("doctrine_after").match(text, end):
        return False
    if label == ORGANIZATION and text[start:end].endswith(VILLAGE_COMMITTEES) and phrasing("visit_destination").search(text, 0, start):
        return False
    if label == ORGANIZATION and phrasing("addressed_to_each").search(text, max(0, start - ADDRESSEE_REACH), start):
        return False
    if label == PLACE and start > 0 and text[start - 1] in QUOTE_OPENINGS and phrasing("honour_after_a_place").match(text, end):
        return False
    return not (label == PROGRAMME and text[start:end].endswith(METHOD_ENDINGS))


def _inside_a_slogan(text: str, start: int, end: int) -> bool:
    """Whether a span lies in a short quotation that says more than the span (“生态兴岛、陆海统筹”,
    “岭南第一山”): a slogan or an honour, where a word the NER takes for a place names none."""
    opening = max(text.rfind(mark, max(0, start - SLOGAN_REACH), start) for mark in QUOTE_OPENINGS)
    if opening < 0 or any(mark in text[opening:start] for mark in QUOTE_CLOSINGS):
        return False
    closing = min((i for i in (text.find(mark, end, end + SLOGAN_REACH) for mark in QUOTE_CLOSINGS) if i >= 0), default=-1)
    named_after = opening + 1 == start and text[end:closing] in METHOD_ENDINGS  # “罗山模式”: the method's place
    return closing >= 0 and (opening + 1, closing) != (start, end) and not named_after and not any(mark in text[end:closing] for mark in QUOTE_OPENINGS)


def _entities(text: str, accepted: list[Mention]) -> dict[str, Entity]:
    """One entity per label and name, with all its mentions; a person's name without the spaces
    a byline pads it with (李 空 is 李空, the written form an alias)."""
    entities: dict[str, Entity] = {}
    for mention in accepted:
        written = text[mention.start : mention.end]
        name = "".join(written.split()) if mention.label == PERSON else written
        entity = entities.setdefault(entity_key(mention.label, name), Entity(label=mention.label, name=name))
        entity.mentions.append((mention.start, mention.end))
        if written != name:
            entity.aliases.add(written)
    return entities

