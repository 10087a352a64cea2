"""Relation patterns: templates over a sentence in which every mention stands as its type.

A pattern is one JSON object, one line of ``kg/resources/relation_patterns.jsonl``::

    {"id": "partOf/included-in", "predicate": "partOfProgramme", "confidence": 0.75,
     "pattern": "{S}[”」》]?(?:已|也|还|正式|被)*(?:纳入|列入|写入)了?[《“「]{O}",
     "example": "驻镇帮镇扶村工作已纳入“百千万工程”统筹推进。", "subject": "驻镇帮镇扶村", "object": "百千万工程",
     "counter": "驻镇帮镇扶村工作与“百千万工程”统筹推进。"}

``pattern`` is a regular expression over the text of the scope (a sentence unless ``scope``
says ``clause`` or ``article``) in which every mention is replaced by its type: the regex sees
one marker character for the mention's first character and a filler for the rest, so offsets
stay those of the text and the words between the names stay words. In it:

- ``{S}``, ``{O}``: the subject and the object, one mention of the predicate's types
  (``predicates.toml``); ``{S:Place|Organization}`` names the types (``Document``: a programme
  that is a document title, such as 《…方案》);
- ``{S+}``: a list of mentions joined by 、和与及 (a run of places counts as its last place:
  鹤市镇莲坑村 is 莲坑村); ``{S>}``: a run of adjacent places, the last of which counts;
- ``{Place}``, ``{Organization|Place}``: a mention that takes no part in the relation;
- ``(?P<S>…)``: a stretch, every mention of the subject's types inside it;
- ``@name``: the word list ``lexicon/name.txt`` (longest first);
- ``<Programme>`` (inside ``[…]``): the marker of a type: ``[^,，<Programme>]`` is any character
  but a comma and the start of a programme; ``<Mention>``: every character of any mention.

Optional fields: ``scope``; ``refs``, the back-references that count as mentions (``local``:
镇里, 全县, 这家公司; ``programme``: 该项目, 示范带; ``body``: a bare 合作社 for the last one named);
``where``, conditions on the names of a role (``{"O": "not document"}``, ``{"S": "ends 村|镇"}``,
``{"O": "not ends @natural_features"}``); ``evidence``, the span kept as evidence
(``"S..O"``: from the subject's start to the object's end; default the whole match).
Every pattern carries an example that must yield its relation between ``subject`` and
``object`` and a counter-example that must yield nothing (``tests/test_patterns.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from kg.resources import expand_word_lists, predicates, word_list

from .doc import ORGANIZATION, PERSON, PLACE, PROGRAMME, Relation
from .lexicon import bare_title, is_document
from .mentions import GENERIC_BODIES, ArticleView, MentionRef, generic_body, local_references
from .text import sentence_bounds

DOCUMENT = "Document"
"""A programme whose name is a document title (《…方案》): a type of its own in patterns."""
MARKERS = {PERSON: "\ue000", PLACE: "\ue001", ORGANIZATION: "\ue002", PROGRAMME: "\ue003", DOCUMENT: "\ue004"}
FILLER = "\ue00f"
"""What stands for every character of a mention after its first."""
TYPE_MARKERS = {**MARKERS, PROGRAMME: MARKERS[PROGRAMME] + MARKERS[DOCUMENT]}
"""The markers a type stands for: a document is a programme too."""
LIST_JOINERS = "、和与及的"
SCOPES = ("sentence", "clause", "article")
REFERENCE_KINDS = ("local", "programme", "body")
CLAUSE_MARKS = re.compile(r"[,，;；:：]")
_SLOT = re.compile(r"\{(?:(?P<role>[A-Z])(?::(?P<types>[A-Za-z|]+))?|(?P<bare>[A-Z][a-z]+(?:\|[A-Z][a-z]+)*))(?P<mod>[+>]?)\}")
_STRETCH = re.compile(r"\(\?P<([A-Z])>")
_TYPE_MARK = re.compile(r"<(Person|Place|Organization|Programme|Document|Mention)>")


class PatternError(ValueError):
    """A relation pattern that cannot be used (unknown predicate, bad template …)."""


@dataclass(frozen=True)
class Slot:
    """What a role of a template stands for: its types and whether it is one mention, a list,
    a run of places or a stretch."""

    types: tuple[str, ...]
    kind: str  # one, list, chain, stretch


@dataclass
class RelationPattern:
    """One compiled relation pattern (see the module docstring for the fields)."""

    id: str
    predicate: str
    pattern: str
    confidence: float
    example: str
    subject: str
    object: str
    counter: str
    scope: str = "sentence"
    refs: tuple[str, ...] = ()
    where: dict[str, str] = field(default_factory=dict)
    evidence: str = "match..match"
    regex: re.Pattern = field(init=False, repr=False)
    slots: dict[str, Slot] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.refs = tuple(self.refs)
        self._check()
        self.regex, self.slots = compile_template(self.pattern, self.predicate)
        if not {"S", "O"} <= set(self.slots):
            raise PatternError(f"pattern {self.id}: the template needs a subject {{S}} and an object {{O}}")

    def _check(self) -> None:
        problems = [
            (self.predicate not in predicates(), f"unknown predicate {self.predicate!r}"),
            (self.scope not in SCOPES, f"scope must be one of {', '.join(SCOPES)}"),
            (not set(self.refs) <= set(REFERENCE_KINDS), f"refs must be among {', '.join(REFERENCE_KINDS)}"),
            (not 0 < self.confidence <= 1, "confidence must be in (0, 1]"),
            (not (self.example and self.counter and self.subject and self.object), "every pattern needs an example (with its subject and object) and a counter-example"),
        ]
        for failed, problem in problems:
            if failed:
                raise PatternError(f"pattern {self.id}: {problem}")

    def to_dict(self) -> dict:
        """The pattern as the JSON object it was made from (defaults left out)."""
        data = {"id": self.id, "predicate": self.predicate, "pattern": self.pattern, "confidence": self.confidence}
        optional = {"scope": ("sentence", self.scope), "refs": ((), self.refs), "where": ({}, self.where), "evidence": ("match..match", self.evidence)}
        data |= {key: list(value) if key == "refs" else value for key, (default, value) in optional.items() if value != default}
        return data | {"example": self.example, "subject": self.subject, "object": self.object, "counter": self.counter}


def compile_template(template: str, predicate: str) -> tuple[re.Pattern, dict[str, Slot]]:
    """The regex of a template over masked text, and what each of its roles stands for."""
    table = predicates()[predicate]
    defaults = {"S": table.subject, "O": table.object}
    slots: dict[str, Slot] = {}

    def slot(match: re.Match) -> str:
        role, kind = match["role"], {"": "one", "+": "list", ">": "chain"}[match["mod"]]
        types = tuple((match["types"] or match["bare"] or "").split("|")) if (match["types"] or match["bare"]) else defaults.get(role, ())
        unknown = [t for t in types if t not in TYPE_MARKERS]
        if unknown or not types:
            raise PatternError(f"template {template!r}: unknown type {unknown[0] if unknown else role!r}")
        mention = f"[{''.join(TYPE_MARKERS[t] for t in types)}]{FILLER}*"
        body = {"one": mention, "list": f"{mention}(?:[{LIST_JOINERS}]?{mention})*", "chain": f"(?:{mention})+"}[kind]
        if role is None:
            return f"(?:{body})"
        slots[role] = Slot(types, kind)
        return f"(?P<{role}>{body})"

    regex = _SLOT.sub(slot, expand_word_lists(template))
    for role in _STRETCH.findall(template):
        slots.setdefault(role, Slot(defaults.get(role, tuple(MARKERS)), "stretch"))
    regex = _TYPE_MARK.sub(lambda m: TYPE_MARKERS.get(m.group(1), "".join(MARKERS.values()) + FILLER), regex)
    try:
        return re.compile(regex), slots
    except re.error as error:
        raise PatternError(f"template {template!r} is no valid regular expression ({error})") from error


class MaskedArticle:
    """An article's text with every visible mention replaced by its type's marker and fillers,
    for each set of back-references (built on demand, kept for all patterns)."""

    def __init__(self, view: ArticleView) -> None:
        self.view = view
        self._masks: dict[tuple[str, ...], tuple[str, dict[int, MentionRef]]] = {}
        self._scopes: dict[str, list[tuple[int, int]]] = {}

    def mask(self, refs: tuple[str, ...]) -> tuple[str, dict[int, MentionRef]]:
        """The masked text and the visible mention starting at each masked position."""
        if refs not in self._masks:
            visible = _visible_mentions(self.view, refs)
            chars = list(self.view.text)
            for mention in visible.values():
                chars[mention.start : mention.end] = _marker(mention) + FILLER * (mention.end - mention.start - 1)
            self._masks[refs] = ("".join(chars), visible)
        return self._masks[refs]

    def scopes(self, scope: str) -> list[tuple[int, int]]:
        """The spans a pattern of ``scope`` is matched within."""
        if scope not in self._scopes:
            self._scopes[scope] = _scope_spans(self.view.text, scope)
        return self._scopes[scope]


def _marker(mention: MentionRef) -> str:
    label = mention.entity.label
    return MARKERS[DOCUMENT if label == PROGRAMME and is_document(mention.entity.name) else label]


def _scope_spans(text: str, scope: str) -> list[tuple[int, int]]:
    if scope == "article":
        return [(0, len(text))]
    sentences = sentence_bounds(text)
    if scope == "sentence":
        return sentences
    clauses = []
    for start, end in sentences:
        cuts = [start] + [m.end() for m in CLAUSE_MARKS.finditer(text, start, end)] + [end + 1]
        clauses += [(a, b - 1) for a, b in zip(cuts, cuts[1:]) if b - 1 > a]
    return clauses


def _visible_mentions(view: ArticleView, refs: tuple[str, ...]) -> dict[int, MentionRef]:
    """The outermost mentions, then the back-references of ``refs`` that overlap none of them."""
    visible: dict[int, MentionRef] = {}
    taken: set[int] = set()
    candidates = list(view.outer) + [ref for kind in refs for ref in _references(view, kind)]
    for mention in candidates:
        span = range(mention.start, mention.end)
        if mention.start in visible or any(i in taken for i in span):
            continue
        visible[mention.start] = mention
        taken.update(span)
    return visible


def _references(view: ArticleView, kind: str) -> list[MentionRef]:
    if kind == "programme":
        return view.references
    if kind == "local":
        return local_references(view, 0, len(view.text))
    return _generic_bodies(view)


@lru_cache(maxsize=1)
def _generic_body_words() -> re.Pattern:
    return re.compile("|".join(map(re.escape, GENERIC_BODIES)))


def _generic_bodies(view: ArticleView) -> list[MentionRef]:
    """Every bare 合作社, 公司 … that stands for a body named before."""
    found = (generic_body(view, match.end()) for match in _generic_body_words().finditer(view.text))
    return [ref for ref in found if ref is not None]


def find_relations(pattern: RelationPattern, masked: MaskedArticle) -> Iterator[Relation]:
    """The relations ``pattern`` finds in the article."""
    text, visible = masked.mask(pattern.refs)
    for start, end in masked.scopes(pattern.scope):
        for match in pattern.regex.finditer(text[start:end]):
            yield from _relations_of_match(pattern, match, start, visible, masked.view.text)


def _relations_of_match(pattern: RelationPattern, match: re.Match, offset: int, visible: dict[int, MentionRef], text: str) -> Iterator[Relation]:
    subjects = _members(pattern, "S", match, offset, visible)
    objects = _members(pattern, "O", match, offset, visible)
    for subject in subjects:
        for obj in objects:
            if subject.entity is obj.entity:
                continue
            start, end = _evidence(pattern.evidence, match, offset, subject, obj)
            yield Relation(subject=subject.entity.key, predicate=pattern.predicate, object=obj.entity.key,
                           evidence=text[start:end], start=start, end=end, confidence=pattern.confidence)


def _members(pattern: RelationPattern, role: str, match: re.Match, offset: int, visible: dict[int, MentionRef]) -> list[MentionRef]:
    """The mentions a role's group holds, after the list rules of its slot and the ``where`` conditions."""
    slot = pattern.slots[role]
    start, end = match.span(role)
    if start < 0:
        return []
    markers = "".join(TYPE_MARKERS[t] for t in slot.types)
    inside = [visible[i + offset] for i in range(start, end) if i + offset in visible and _marker(visible[i + offset]) in markers]
    if slot.kind == "chain":
        inside = inside[-1:]
    elif slot.kind == "list":
        inside = _list_members(inside, match.string, offset)
    condition = pattern.where.get(role)
    return [m for m in inside if condition is None or name_condition(condition)(m.entity)]


def _list_members(members: list[MentionRef], scope_text: str, offset: int) -> list[MentionRef]:
    """A list's members, a place right after another place (or after 的 and it) standing for both."""
    listed: list[MentionRef] = []
    for member in members:
        between = scope_text[listed[-1].end - offset : member.start - offset] if listed else None
        if between in ("", "的") and member.entity.label == PLACE:
            listed[-1] = member
        else:
            listed.append(member)
    return listed


def _evidence(spec: str, match: re.Match, offset: int, subject: MentionRef, obj: MentionRef) -> tuple[int, int]:
    """The evidence span: ``A..B`` from the start of A to the end of B (match, S, O or a group)."""
    first, last = spec.split("..")
    ends = {"S": (subject.start, subject.end), "O": (obj.start, obj.end)}

    def span(name: str) -> tuple[int, int]:
        if name in ends:
            return ends[name]
        group = 0 if name == "match" else name
        return match.start(group) + offset, match.end(group) + offset

    return span(first)[0], span(last)[1]


@lru_cache(maxsize=None)
def name_condition(condition: str):
    """A test on an entity from a ``where`` condition: ``[not] document``, ``[not] ends X``,
    ``[not] has X``, X being ``a|b|c`` or ``@list``."""
    negated = condition.startswith("not ")
    words = condition.removeprefix("not ").split(maxsplit=1)
    if words[0] == "document":
        test = lambda entity: is_document(entity.name)  # noqa: E731
    else:
        choices = tuple(word_list(words[1][1:])) if words[1].startswith("@") else tuple(words[1].split("|"))
        test = {"ends": lambda entity: bare_title(entity.name).endswith(choices),
                "has": lambda entity: any(c in entity.name for c in choices)}[words[0]]
    return (lambda entity: not test(entity)) if negated else test
