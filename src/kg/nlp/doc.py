"""What the NLP stage leaves on a ``Doc`` for the RDF stage to read.

Entities are in ``doc.ents`` (labels ``Person``, ``Place``, ``Organization``,
``Programme``) and, grouped per distinct entity with canonical name, aliases,
division code and ancestry, in ``doc._.entities``; relations with their
evidence are in ``doc._.relations``. ``doc.text`` is Simplified Chinese;
``doc._.original_text`` keeps the text as it was read (same length), so a
mention's original surface form is ``doc._.original_text[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.resources import predicates

PERSON, PLACE, ORGANIZATION, PROGRAMME = "Person", "Place", "Organization", "Programme"
ENTITY_TYPES = (PERSON, PLACE, ORGANIZATION, PROGRAMME)
ARTICLE = "ARTICLE"
"""Object of ``author`` and ``editor`` relations: the article itself."""

PREDICATES = tuple(predicates())
"""The relation predicates, from ``kg/resources/predicates.toml``."""


@dataclass
class Division:
    """One official division in an entity's ancestry (NBS 2023 statistical code)."""

    code: str
    name: str
    level: str  # province, city, county, town, village


@dataclass
class Entity:
    """One distinct entity of an article, with every way the article names it."""

    label: str
    name: str
    aliases: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    code: str | None = None
    code_confidence: float | None = None
    ancestors: list[Division] = field(default_factory=list)
    """The official divisions containing this place, nearest first, from the codes."""
    level: str | None = None

    @property
    def key(self) -> str:
        return entity_key(self.label, self.name)


def entity_key(label: str, name: str) -> str:
    """The key of an entity within one article: type and canonical name."""
    return f"{label}:{name}"


@dataclass
class Relation:
    """A fact between two entities of an article, with the text that supports it."""

    subject: str
    predicate: str
    object: str
    evidence: str
    start: int
    end: int
    confidence: float
    post: str | None = None
    method: str = "rule"
    """How it was found: ``rule`` (the patterns of ``relations``) or ``model`` (the trained scorer)."""


def text_of(doc: Doc) -> str:
    """``doc.text``, computed once per Doc: spaCy joins the tokens on every access, which with
    one token per character costs more than most rules do."""
    if doc._.text is None:  # set by make_doc; the pipeline never retokenises
        doc._.text = doc.text
    return doc._.text


def register_extensions() -> None:
    """Declare the ``Doc`` extensions the pipeline fills (idempotent)."""
    for name, default in (("entities", None), ("relations", None), ("original_text", None), ("text", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register_extensions()
