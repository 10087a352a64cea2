"""Relations between the entities of an article, each with its evidence and a confidence.

The ``kg_relation_extractor`` component reads ``doc._.entities`` (after resolution) and
writes ``doc._.relations``. What it knows about phrasing is data:

- relation patterns (``kg/resources/relation_patterns.jsonl``, the template language of
  ``patterns.py``), added with ``add_patterns`` and saved in the component's folder as
  ``patterns.jsonl``, like spaCy's SpanRuler;
- the registered procedures its config lists (``procedures``: chains of posts, containment from
  codes, names inside names, subjects of implementing verbs; see ``procedures/``).

Of several findings of one fact the surer wins, then the earlier and shorter evidence; the
issuer of a document is not also taken for its implementer, and a law cited as a basis
(根据《…宪法》) has none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from kg.resources import RESOURCES

from .doc import PROGRAMME, Relation
from .lexicon import is_law
from .mentions import ArticleView
from .patterns import MaskedArticle, PatternError, RelationPattern, find_relations
from .procedures import names, posts, programmes  # noqa: F401  (register the procedures)

DEFAULT_PROCEDURES = [
    f"kg.{name}.v1"
    for name in (
        "byline", "post_chain", "posts_after_names", "appointed_to_title", "appointed_in_body", "title_filled_by", "named_to_post",
        "containment_from_codes", "villages_of_the_scene", "located_by_name", "verb_subjects", "named_after_doer", "named_in_title",
        "issuer_in_title", "header_issuers", "round_up", "park_members", "body_named_after_programme", "linked_places", "carried_out",
        "designees", "signature_issuers",
    )
]
"""The procedures the relation extractor runs unless its config says otherwise."""
PATTERNS_FILE = RESOURCES / "relation_patterns.jsonl"


def read_patterns(path: Path = PATTERNS_FILE) -> list[dict]:
    """The relation patterns of a JSON Lines file (blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def best_relations(found: Iterable[Relation], laws: frozenset[str] = frozenset()) -> list[Relation]:
    """One relation per (subject, predicate, object, post), the best evidence kept; the issuer of a
    document is not also its implementer, nor is the place the issuer lies in (某镇人民政府 issues
    《某镇防汛应急预案》: the town does not carry it out), and the ``laws`` (entity keys) have no
    implementer."""
    best: dict[tuple, Relation] = {}
    for relation in found:
        key = (relation.subject, relation.predicate, relation.object, relation.post)
        if relation.subject == relation.object:
            continue
        if key not in best or _rank(relation) < _rank(best[key]):
            best[key] = relation
    issued = _issuers(list(best.values()))
    kept = [r for r in best.values() if not (r.predicate == "implements" and ((r.subject, r.object) in issued or r.object in laws))]
    return sorted(kept, key=lambda r: (r.start, r.predicate, r.end, r.subject, r.object, r.post or ""))


def _issuers(relations: list[Relation]) -> set[tuple[str, str]]:
    """(issuer, document) for each document's issuer and each place an issuer lies in."""
    issued = {(r.object, r.subject) for r in relations if r.predicate == "issuedBy"}
    return issued | {(r.object, document) for r in relations if r.predicate == "locatedIn" for body, document in issued if r.subject == body}


def _rank(relation: Relation) -> tuple[float, int, int]:
    """Of two findings of one fact the surer wins, then the earlier and shorter evidence: the
    result does not depend on the order in which rules run."""
    return -relation.confidence, relation.start, relation.end


@Language.factory("kg_relation_extractor", default_config={"procedures": DEFAULT_PROCEDURES})
def make_relation_extractor(nlp: Language, name: str, procedures: list[str]) -> "RelationExtractor":
    """The relation rules: the patterns added with ``add_patterns`` (the pipeline adds
    ``kg/resources/relation_patterns.jsonl``) and the registered ``procedures`` (names in
    spaCy's ``misc`` registry, such as ``kg.post_chain.v1``), run in this order."""
    return RelationExtractor(procedures)


class RelationExtractor:
    """Fills ``doc._.relations`` from relation patterns and registered procedures; saved and
    loaded like spaCy's SpanRuler (``patterns.jsonl`` in its folder)."""

    def __init__(self, procedures: list[str] = DEFAULT_PROCEDURES) -> None:
        self.procedure_names = list(procedures)
        self.procedures = [registry.misc.get(name) for name in self.procedure_names]
        self.patterns: list[RelationPattern] = []

    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Add relation patterns (dicts of the JSON Lines format); a bad one raises ``PatternError``."""
        known = {p.id for p in self.patterns}
        for data in patterns:
            try:
                pattern = RelationPattern(**data)
            except TypeError as error:
                raise PatternError(f"pattern {data.get('id', data)!r}: {error}") from error
            if pattern.id in known:
                raise PatternError(f"pattern {pattern.id}: the id is used twice")
            known.add(pattern.id)
            self.patterns.append(pattern)

    def __call__(self, doc: Doc) -> Doc:
        laws = frozenset(key for key, entity in doc._.entities.items() if entity.label == PROGRAMME and is_law(entity.name))
        doc._.relations = best_relations(self.find(ArticleView(doc)), laws)
        return doc

    def find(self, view: ArticleView) -> Iterator[Relation]:
        """Every relation the procedures and patterns find, before duplicates are merged."""
        for procedure in self.procedures:
            yield from procedure(view)
        masked = MaskedArticle(view)
        for pattern in self.patterns:
            yield from find_relations(pattern, masked)

    def to_disk(self, path: Path, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        lines = (json.dumps(p.to_dict(), ensure_ascii=False) for p in self.patterns)
        (path / "patterns.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    def from_disk(self, path: Path, exclude: tuple = ()) -> "RelationExtractor":
        self.patterns = []
        self.add_patterns(read_patterns(Path(path) / "patterns.jsonl"))
        return self
