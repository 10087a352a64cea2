"""The entity ruler: people by title, role, byline and speech cues; organisations by suffix;
programmes by quotation, 《》, designation and shape.

What it knows is data: the rules of ``kg/resources/entity_rules.jsonl`` (one JSON object a
line), added with ``add_patterns`` and saved in the component's folder as ``patterns.jsonl``,
like spaCy's EntityRuler. Each rule names its finder (``finders/``), the label of what it finds,
the ``rule`` the merger ranks it by, its words (``@titles`` …), and an example with the name it
finds and a counter-example where it finds nothing. The ``kg_entity_ruler`` component puts the
candidates into ``doc.spans["kg_rules"]`` with the rule as the span's ``kb_id_``; the place spans
of ``kg_place_ruler`` anchor names that start with a place (怀集县农业农村局).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc, SpanGroup
from spacy.util import registry

from kg.resources import RESOURCES, phrasing

from .doc import ORGANIZATION, PERSON, PROGRAMME, text_of
from .finders import Candidate, Context, Finder
from .finders import lists, organisations, people, programmes  # noqa: F401  (register the finders)

RULES_KEY = "kg_rules"
PLACES_KEY = "kg_places"
RULES_FILE = RESOURCES / "entity_rules.jsonl"
REQUIRED = ("id", "finder", "label", "rule", "example", "name", "counter")
"""What every entity rule says."""
QUOTED_RULE = "quoted"
"""The rule of quoted programme names, which continue the names of bodies (县“和美渔村”建设专班)."""
BARE_RULES = "bare"
"""Programme names found by their ending alone give way to the body whose name holds them."""


class RuleError(ValueError):
    """An entity rule that cannot be used."""


def read_rules(path: Path = RULES_FILE) -> list[dict]:
    """The entity rules of a JSON Lines file (blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def check_rule(rule: dict) -> None:
    """Raise ``RuleError`` for a rule without its fields or with an unknown finder."""
    missing = [key for key in REQUIRED if key not in rule]
    if missing:
        raise RuleError(f"entity rule {rule.get('id', rule)!r}: missing {', '.join(missing)}")
    if f"kg.finder.{rule['finder']}.v1" not in registry.misc:
        raise RuleError(f"entity rule {rule['id']}: no finder {rule['finder']!r} is registered")


def find_candidates(rules: list[dict], text: str, places: list[tuple[int, int]]) -> list[Candidate]:
    """Every candidate the rules find in the text, overlapping ones included: programmes first
    (quoted names continue bodies' names), then organisations, then the programmes named after
    a body (rules with ``after_bodies``), then people."""
    context = Context(text, places)
    found = run_rules(rules, PROGRAMME, context)
    context.quoted = [(c.start, c.end) for c in found if c.rule == QUOTED_RULE]
    context.parks = [(c.start, c.end) for c in found if phrasing("park_body_after").match(text, c.end)]
    bodies = run_rules(rules, ORGANIZATION, context)
    found = [p for p in found if not (p.rule.startswith(BARE_RULES) and any(o.start <= p.start and p.end < o.end for o in bodies))
             or (p.start, p.end) in context.parks]  # 某产业园区管委会: the park stays a programme
    context.bodies = [(b.start, b.end) for b in bodies]
    found += run_rules(rules, PROGRAMME, context, after_bodies=True)
    return run_rules(rules, PERSON, context) + bodies + found


def run_rules(rules: list[dict], label: str, context: Context, after_bodies: bool = False) -> list[Candidate]:
    """The candidates of the rules of ``label`` (those that read the bodies, or the others), each
    finder called once with its rules (in order)."""
    by_finder: dict[str, list[dict]] = {}
    for rule in rules:
        if rule["label"] == label and rule.get("after_bodies", False) == after_bodies:
            by_finder.setdefault(rule["finder"], []).append(rule)
    return [c for name, group in by_finder.items() for c in finder_named(name)(context, group)]


@lru_cache(maxsize=None)
def finder_named(name: str) -> Finder:
    """The registered finder ``kg.finder.<name>.v1`` (looked up once: the registry reads entry points)."""
    return registry.misc.get(f"kg.finder.{name}.v1")


@Language.factory("kg_entity_ruler", default_config={"spans_key": RULES_KEY, "places_key": PLACES_KEY})
def make_entity_ruler(nlp: Language, name: str, spans_key: str, places_key: str) -> "EntityRuler":
    """The entity ruler: candidates of the rules added with ``add_patterns`` (the pipeline adds
    ``kg/resources/entity_rules.jsonl``) into ``doc.spans[spans_key]``, anchored on the places
    in ``doc.spans[places_key]``."""
    return EntityRuler(spans_key, places_key)


class EntityRuler:
    """Proposes people, organisations and programmes into ``doc.spans[spans_key]``."""

    def __init__(self, spans_key: str = RULES_KEY, places_key: str = PLACES_KEY) -> None:
        self.spans_key = spans_key
        self.places_key = places_key
        self.rules: list[dict] = []

    def add_patterns(self, rules: Iterable[dict]) -> None:
        """Add entity rules (dicts of the JSON Lines format); a bad one raises ``RuleError``."""
        known = {rule["id"] for rule in self.rules}
        for rule in rules:
            check_rule(rule)
            if rule["id"] in known:
                raise RuleError(f"entity rule {rule['id']}: the id is used twice")
            known.add(rule["id"])
            self.rules.append(dict(rule))

    def __call__(self, doc: Doc) -> Doc:
        places = [(s.start_char, s.end_char) for s in doc.spans.get(self.places_key, [])]
        spans = []
        for candidate in sorted(set(find_candidates(self.rules, text_of(doc), places)), key=lambda c: (c.start, -c.end)):
            span = doc.char_span(candidate.start, candidate.end, label=candidate.label, kb_id=candidate.rule)
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans)
        return doc

    def to_disk(self, path: Path, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "patterns.jsonl").write_text("".join(json.dumps(rule, ensure_ascii=False) + "\n" for rule in self.rules), encoding="utf-8")

    def from_disk(self, path: Path, exclude: tuple = ()) -> "EntityRuler":
        self.rules = []
        self.add_patterns(read_rules(Path(path) / "patterns.jsonl"))
        return self
