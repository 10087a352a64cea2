"""The annotated article sets in tests/data are consistent, so the scores measured on them mean something.

Every name, alias and evidence is a substring of the text; relations join annotated
entities with the predicate's types; every code is a real NBS 2023 division whose
name matches the annotation (short forms allowed) and whose parent chain matches
the annotated parent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.divisions import Divisions
from kg.resources import predicates
from kg.nlp.text import to_simplified

DATA = Path(__file__).resolve().parent / "data"
FILES = sorted(DATA.glob("*/*.json"))
TYPES_OF = {name: (set(p.subject), set(p.object)) for name, p in predicates().items()}
"""Subject and object types of each predicate, from the predicate table."""


def test_there_are_annotated_sets():
    assert len({path.parent for path in FILES}) >= 3 and len(FILES) >= 24


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_annotation_is_consistent(path: Path):
    article = json.loads(path.read_text(encoding="utf-8"))
    text = article["text"]
    types = {e["text"]: e["type"] for e in article["entities"]}
    assert len(types) == len(article["entities"]), "an entity is annotated twice"
    for entity in article["entities"]:
        for name in [entity["text"], *entity["aliases"]]:
            assert name in text, f"{name} is not in the text"
        assert entity["parent"] is None or types.get(entity["parent"]) == "Place"
    for relation in article["relations"]:
        subjects, objects = TYPES_OF[relation["p"]]
        assert types.get(relation["s"]) in subjects, relation
        assert (relation["o"] if relation["o"] == "ARTICLE" else types.get(relation["o"])) in objects, relation
        assert relation["evidence"] in text, relation


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_codes_are_real_divisions_with_the_annotated_parent(path: Path):
    divisions = Divisions.load()
    article = json.loads(path.read_text(encoding="utf-8"))
    codes = {e["text"]: e["code"] for e in article["entities"] if e["type"] == "Place"}
    for entity in article["entities"]:
        if not entity.get("code"):
            continue
        record = divisions.get(entity["code"])
        assert record is not None, f"{entity['code']} is no division"
        names = [to_simplified(n) for n in [entity["text"], *entity["aliases"]]]
        official = record.name
        assert any(official.startswith(n) or to_simplified(official).startswith(n) or divisions.official_name(n) == official for n in names), (names, official)
        parent_code = codes.get(entity["parent"]) if entity["parent"] else None
        if parent_code:
            assert parent_code in [a.code for a in divisions.ancestors(entity["code"])], (entity["text"], entity["parent"])
