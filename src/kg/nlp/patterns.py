"""Relation patterns: templates over a sentence in which every mention stands as its type.

A pattern is one JSON object, one line of ``kg/resources/relation_patterns.jsonl``::

    {"id": "partOf/included-in", "predicate": "partOfProgramme", "confidence": 0.75,
     "pattern": "{S}[”」》]?(?:已|也|还|正式|被)*(?:纳入|列入|写入)了?[《“「]{O}",
     "example": "驻镇帮镇扶村工作已纳入“百千万工程”统筹推进。", "subject": "驻镇帮镇扶村", "object": "百千万工程",
     "counter": "驻镇帮镇扶村工作与“百千万工程”统筹推进。"}

``pattern`` is a regular expression over the text of the scope (a sentence unless ``scope``
says ``clause`` or ``article``) in which every mention is replaced by its type: the regex sees
one marker character of its type for the mention's first character and a filler of its type
for the rest, so offsets stay those of the text and the words between the names stay words. In it:

- ``{S}``, ``{O}``: the subject and the object, one mention of the predicate's types
  (``predicates.toml``); ``{S:Place|Organization}`` names the types (``Document``: a programme
  that is a document title, such as 《…方案》);
- ``{S+}``: a list of mentions joined by 、和与及 (a run of places counts as its last place:
  鹤市镇莲坑村 is 莲坑村); ``{S>}``: a run of adjacent places, the last of which counts;
- ``{Place}``, ``{Organization|Place}``: a mention that takes no part in the relation;
- ``(?P<S>…)``: a stretch, every mention of the subject's types inside it;
- ``@name``: the word list ``lexicon/name.txt`` (longest first);
- ``<Programme>`` (inside ``[…]``): the characters of a type's mentions: ``[^,，<Programme>]``
  is any character but a comma and a programme's; ``<Mention>``: every character of any mention.

Optional fields: ``scope``; ``refs``, the back-references a slot may also take (``local``:
镇里, 全县, 这家公司; ``programme``: 该项目, 示范带; ``body``: a bare 合作社 for the last one named;
they stay words in the masked text, so a template can still read 项目 as a word);
``where``, conditions on the names of a role (``{"O": "not document"}``, ``{"S": "ends 村|镇"}``,
``{"O": "not ends @natural_features"}``, ``{"S": "not document and not named in O"}``); ``nested``,
the roles whose stretch takes names inside other names too; ``inner``, whether a name that begins
a longer name of its type starts a match of its own; ``evidence``, the span kept as evidence
(``"S..O"``: from the subject's start to the object's end; default the whole match).
Every pattern carries an example that must yield its relation between ``subject`` and
``object`` and a counter-example that must yield nothing (``tests/test_patterns.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterator

from kg.resources import expand_word_lists, longest_first, phrasings, predicates, word_list

from .doc import ORGANIZATION, PERSON, PLACE, PROGRAMME, Entity, Relation
from .lexicon import bare_title, is_document
from .mentions import GENERIC_BODIES, GENERIC_PROGRAMMES, LOCAL_REFERENCES, ArticleView, MentionRef, follows_place, generic_body, local_references, named_in_title
from .text import sentence_bounds

DOCUMENT = "Document"
"""A programme whose name is a document title (《…方案》): a type of its own in patterns."""
MARKERS = {PERSON: "\ue000", PLACE: "\ue001", ORGANIZATION: "\ue002", PROGRAMME: "\ue003", DOCUMENT: "\ue004"}
"""What stands for the first character of a mention of each type."""
FILLERS = {PERSON: "\ue010", PLACE: "\ue011", ORGANIZATION: "\ue012", PROGRAMME: "\ue013", DOCUMENT: "\ue014"}
"""What stands for every further character of a mention of each type."""
SUBTYPES = {PROGRAMME: (PROGRAMME, DOCUMENT)}
"""A document is a programme too."""
LIST_JOINERS = "".join(word_list("list_joiners"))
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
    nested: tuple[str, ...] = ()
    """Roles whose stretch takes the names inside other names too (《方案》明确…A项目和B集聚区提升项目: B集聚区 as well)."""
    inner: bool = False
    """Whether a name that begins a longer name of its type also starts a match of its own
    (曲江区预制菜产业园二期项目是…: 曲江区预制菜产业园 is as well)."""
    regex: re.Pattern = field(init=False, repr=False)
    slots: dict[str, Slot] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.refs, self.nested = tuple(self.refs), tuple(self.nested)
        self._check()
        try:
            self.regex, self.slots = compile_template(self.pattern, self.predicate, self.refs)
        except PatternError as error:
            raise PatternError(f"pattern {self.id}: {error}") from error
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
        optional = {"scope": ("sentence", self.scope), "refs": ((), self.refs), "where": ({}, self.where),
                    "evidence": ("match..match", self.evidence), "nested": ((), self.nested), "inner": (False, self.inner)}
        data |= {key: list(value) if isinstance(value, tuple) else value for key, (default, value) in optional.items() if value != default}
        return data | {"example": self.example, "subject": self.subject, "object": self.object, "counter": self.counter}


def compile_template(template: str, predicate: str, refs: tuple[str, ...] = ()) -> tuple[re.Pattern, dict[str, Slot]]:
    """The regex of a template over masked text, and what each of its roles stands for. With
    ``refs``, a slot also takes the back-reference words of its types (which stay text)."""
    table = predicates()[predicate]
    defaults = {"S": table.subject, "O": table.object}
    slots: dict[str, Slot] = {}

    def slot(match: re.Match) -> str:
        role, kind = match["role"], {"": "one", "+": "list", ">": "chain"}[match["mod"]]
        types = tuple((match["types"] or match["bare"] or "").split("|")) if (match["types"] or match["bare"]) else defaults.get(role, ())
        unknown = [t for t in types if t not in MARKERS]
        if unknown or not types:
            raise PatternError(f"template {template!r}: unknown type {unknown[0] if unknown else role!r}")
        mention = mention_regex(types, refs)
        body = {"one": mention, "list": f"{mention}(?:[{LIST_JOINERS}]?{mention})*", "chain": f"(?:{mention})+"}[kind]
        if role is None:
            return f"(?:{body})"
        slots[role] = Slot(types, kind)
        return f"(?P<{role}>{body})"

    regex = _SLOT.sub(slot, expand_word_lists(template))
    for role in _STRETCH.findall(template):
        slots.setdefault(role, Slot(defaults.get(role, tuple(MARKERS)), "stretch"))
    regex = _TYPE_MARK.sub(lambda m: type_characters((m.group(1),) if m.group(1) in MARKERS else tuple(MARKERS)), regex)
    try:
        return re.compile(regex), slots
    except re.error as error:
        raise PatternError(f"template {template!r} is no valid regular expression ({error})") from error


def _kinds(types: tuple[str, ...]) -> list[str]:
    return [kind for t in types for kind in SUBTYPES.get(t, (t,))]


def mention_regex(types: tuple[str, ...], refs: tuple[str, ...] = ()) -> str:
    """A regex for one whole mention of ``types`` in masked text, or one of the back-reference
    words of ``refs`` that may stand for such a mention."""
    kinds = list(dict.fromkeys(_kinds(types)))
    words = [word for kind in refs for label, word in _reference_words(kind) if label in kinds]
    return "(?:" + "|".join([f"{MARKERS[k]}{FILLERS[k]}*" for k in kinds] + words) + ")"


def _reference_words(kind: str) -> list[tuple[str, str]]:
    """(type, regex) of the words a kind of back-reference is made of."""
    if kind == "programme":
        words = "|".join(map(re.escape, longest_first(tuple(GENERIC_PROGRAMMES))))
        return [(PROGRAMME, words), (DOCUMENT, words)]
    if kind == "local":
        return [(PLACE, "|".join(map(re.escape, longest_first(tuple(LOCAL_REFERENCES))))), (ORGANIZATION, phrasings()["this_body"]["regex"])]
    return [(ORGANIZATION, "|".join(map(re.escape, longest_first(tuple(GENERIC_BODIES)))))]


def type_characters(types: tuple[str, ...]) -> str:
    """Every character that stands for a mention of ``types`` (for use inside ``[…]``)."""
    return "".join(MARKERS[k] + FILLERS[k] for k in dict.fromkeys(_kinds(types)))


class MaskedArticle:
    """An article's text with every outermost mention replaced by its type's marker and fillers
    (back-references stay text), and the mentions visible to each set of back-references."""

    def __init__(self, view: ArticleView) -> None:
        self.view = view
        outer = list(_visible_mentions(view, ()).values())
        self.text = _masked_text(view.text, outer)
        heads = [_head(view, mention) for mention in outer]
        self.heads_text = _masked_text(view.text, heads) if heads != outer else None
        """The text masked with the names that begin a longer name of their type standing alone
        (曲江区预制菜产业园 in 曲江区预制菜产业园二期项目), for ``inner`` patterns; None without such names."""
        self._references: dict[tuple[str, ...], list[MentionRef]] = {}
        self._scopes: dict[str, list[tuple[int, int]]] = {}

    def references(self, refs: tuple[str, ...]) -> list[MentionRef]:
        """The back-references of ``refs`` that overlap no outermost mention (nor each other)."""
        if refs not in self._references:
            outer = {m.start for m in self.view.outer}
            self._references[refs] = [m for start, m in _visible_mentions(self.view, refs).items() if start not in outer]
        return self._references[refs]

    def inside(self, start: int, end: int, refs: tuple[str, ...], outermost: bool = True) -> list[MentionRef]:
        """The mentions and back-references of ``refs`` inside ``start``–``end``, in text order:
        only those no other of them contains when ``outermost``."""
        found = self.view.within(start, end) + [r for r in self.references(refs) if start <= r.start and r.end <= end]
        found.sort(key=lambda m: (m.start, -m.end))
        return self.view.outermost(found) if outermost else found

    def scopes(self, scope: str) -> list[tuple[int, int]]:
        """The spans a pattern of ``scope`` is matched within."""
        if scope not in self._scopes:
            self._scopes[scope] = _scope_spans(self.view.text, scope)
        return self._scopes[scope]


def _masked_text(text: str, mentions: list[MentionRef]) -> str:
    chars = list(text)
    for mention in mentions:
        kind = _kind(mention)
        chars[mention.start : mention.end] = MARKERS[kind] + FILLERS[kind] * (mention.end - mention.start - 1)
    return "".join(chars)


def _head(view: ArticleView, mention: MentionRef) -> MentionRef:
    """The longest shorter name of the same type that ``mention`` begins with, else ``mention``."""
    inner = [m for m in view.within(mention.start, mention.end - 1) if m.start == mention.start and m.entity.label == mention.entity.label]
    return max(inner, key=lambda m: m.end, default=mention)


def _kind(mention: MentionRef) -> str:
    """The type a mention has in patterns: its label, or Document for a document title."""
    label = mention.entity.label
    return DOCUMENT if label == PROGRAMME and is_document(mention.entity.name) else label


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
    taken = bytearray(len(view.text) + 1)
    candidates = list(view.outer) + [ref for kind in refs for ref in _references(view, kind)]
    for mention in candidates:
        if mention.start in visible or any(taken[mention.start : mention.end]):
            continue
        visible[mention.start] = mention
        taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
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
    texts = [masked.text] + ([masked.heads_text] if pattern.inner and masked.heads_text else [])
    for text in texts:
        for start, end in masked.scopes(pattern.scope):
            for match in matches(pattern.regex, text[start:end]):
                yield from _relations_of_match(pattern, match, start, masked)


def matches(regex: re.Pattern, text: str) -> Iterator[re.Match]:
    """The leftmost match of ``regex`` from each position of ``text`` on: matches may overlap, as
    each mention may start a match of its own (谷饶镇、铜盂镇是…的首批对象: both are)."""
    position = 0
    while (match := regex.search(text, position)) is not None:
        yield match
        position = match.start() + 1


def _relations_of_match(pattern: RelationPattern, match: re.Match, offset: int, masked: MaskedArticle) -> Iterator[Relation]:
    subjects = _members(pattern, "S", match, offset, masked)
    objects = _members(pattern, "O", match, offset, masked)
    accept_subject, accept_object = (name_condition(pattern.where.get(role, "")) for role in ("S", "O"))
    text = masked.view.text
    for subject in subjects:
        for obj in objects:
            if subject.entity is obj.entity or not (accept_subject(subject.entity, obj.entity) and accept_object(obj.entity, subject.entity)):
                continue
            start, end = _evidence(pattern.evidence, match, offset, subject, obj)
            yield Relation(subject=subject.entity.key, predicate=pattern.predicate, object=obj.entity.key,
                           evidence=text[start:end], start=start, end=end, confidence=pattern.confidence)


def _members(pattern: RelationPattern, role: str, match: re.Match, offset: int, masked: MaskedArticle) -> list[MentionRef]:
    """The mentions a role's group holds, by its slot: the one mention of exactly its span (a
    name inside a longer one counts where the slot ends inside the longer one), the members of a
    list, the last of a run, or every mention of a stretch (nested ones too, for ``nested`` roles)."""
    slot = pattern.slots[role]
    start, end = match.span(role)
    if start < 0:
        return []
    start, end = start + offset, end + offset
    kinds = _kinds(slot.types)
    found = masked.inside(start, end, pattern.refs, outermost=role not in pattern.nested)
    found = [m for m in found if _kind(m) in kinds]
    if slot.kind == "one":
        return [m for m in found if (m.start, m.end) == (start, end)][:1]
    if slot.kind == "chain":
        return found[-1:]
    return _list_members(found, masked.view.text) if slot.kind == "list" else found


def _list_members(members: list[MentionRef], text: str) -> list[MentionRef]:
    """A list's members, a place right after another place (or after 的 and it) standing for both."""
    listed: list[MentionRef] = []
    for member in members:
        if listed and member.entity.label == PLACE and follows_place(text, listed[-1].end, member.start):
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
def name_condition(condition: str) -> Callable[[Entity, Entity], bool]:
    """A test of a role's entity (given the other role's entity) from a ``where`` condition:
    ``[not] document``, ``[not] ends X``, ``[not] has X`` (X: ``a|b|c`` or ``@list``), or
    ``[not] named in other`` (named in the other's title, 强镇兴村 in 《…“强镇兴村”…方案》);
    several joined by `` and ``."""
    if " and " in condition:
        tests = [name_condition(part) for part in condition.split(" and ")]
        return lambda entity, other: all(test(entity, other) for test in tests)
    negated = condition.startswith("not ")
    words = condition.removeprefix("not ").split(maxsplit=1)
    test = _NAME_TESTS[words[0]](words[1] if len(words) > 1 else "") if words else (lambda entity, other: not negated)
    return (lambda entity, other: not test(entity, other)) if negated else test


def _choices(spec: str) -> tuple[str, ...]:
    return tuple(word_list(spec[1:])) if spec.startswith("@") else tuple(spec.split("|"))


_NAME_TESTS: dict[str, Callable[[str], Callable[[Entity, Entity], bool]]] = {
    "document": lambda _: lambda entity, other: is_document(entity.name),
    "ends": lambda spec: lambda entity, other, choices=_choices(spec): bare_title(entity.name).endswith(choices),
    "has": lambda spec: lambda entity, other, choices=_choices(spec): any(c in entity.name for c in choices),
    "named": lambda _: lambda entity, other: entity.name in other.name or named_in_title(entity, other.name),
}
