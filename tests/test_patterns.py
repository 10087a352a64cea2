"""What the extractor knows is data, and the data keeps its promises.

Every relation pattern yields its relation on its own example and nothing on its
counter-example; every entity rule finds its name in its example and nothing in its
counter-example (all sentences written for this project). Bad data fails with a message that
names it; the components save and load their rules like spaCy's rulers; the predicate table is
the one place predicates are described.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.ingest import parse_article
from kg.nlp.doc import PREDICATES, text_of
from kg.nlp.finders import Context
from kg.nlp.mentions import ArticleView
from kg.nlp.patterns import MaskedArticle, PatternError, RelationPattern, find_relations
from kg.nlp.pipeline import build_pipeline, make_doc
from kg.nlp.relation_model import PAIR_TYPES
from kg.nlp.relations import read_patterns
from kg.nlp.rules import RuleError, read_rules, run_rules
from kg.resources import ARTICLE, phrasings, predicates, word_table
from test_nlp import run_until

ROOT = Path(__file__).resolve().parents[1]
PATTERNS = read_patterns()
RULES = read_rules()


def entities_of(text: str):
    """The article after entity recognition, linking and resolution: what the relation rules read."""
    return run_until(text, "kg_relation_extractor")


def found_by(pattern: RelationPattern, text: str) -> set[tuple[str, str]]:
    """(subject name, object name) of what one pattern finds in ``text``, alone."""
    view = ArticleView(entities_of(text))
    return {(view.entities[r.subject].name, view.entities[r.object].name) for r in find_relations(pattern, MaskedArticle(view))}


def test_every_relation_pattern_keeps_its_example_and_counter_example():
    """All patterns in one test (``pytest --durations`` shows how long it takes)."""
    failures = []
    for data in PATTERNS:
        pattern = RelationPattern(**data)
        if (pattern.subject, pattern.object) not in found_by(pattern, pattern.example):
            failures.append(f"{pattern.id}: the example does not yield {pattern.subject} {pattern.predicate} {pattern.object}")
        if found := found_by(pattern, pattern.counter):
            failures.append(f"{pattern.id}: the counter-example yields {found}")
    assert not failures, "\n".join(failures)


def candidates_of(rule: dict, text: str) -> list[str]:
    """The names one entity rule finds in ``text``, alone, with the places the place ruler found
    (and, for a rule that reads them, the bodies the organisation rules found)."""
    doc = entities_of(text)
    places = [(s.start_char, s.end_char) for s in doc.spans["kg_places"]]
    context = Context(text_of(doc), places)
    context.quoted = [(c.start, c.end) for c in run_rules([r for r in RULES if r["finder"] == "quoted_programme"], "Programme", context)]
    context.bodies = [(c.start, c.end) for c in run_rules(RULES, "Organization", context)]
    return [context.text[c.start : c.end] for c in run_rules([rule], rule["label"], context, after_bodies=rule.get("after_bodies", False))]


def test_every_entity_rule_keeps_its_example_and_counter_example():
    failures = []
    for rule in RULES:
        if rule["name"] not in candidates_of(rule, rule["example"]):
            failures.append(f"{rule['id']}: the example does not yield {rule['name']}")
        if found := candidates_of(rule, rule["counter"]):
            failures.append(f"{rule['id']}: the counter-example yields {found}")
    assert not failures, "\n".join(failures)


def test_every_pattern_and_rule_has_a_unique_id_and_every_phrasing_says_what_it_is_for():
    assert len({p["id"] for p in PATTERNS}) == len(PATTERNS) and len({r["id"] for r in RULES}) == len(RULES)
    assert all(entry.get("about") for entry in phrasings().values())


def test_a_phrasing_is_one_line_of_data():
    """A new phrasing added as one pattern makes a relation appear that was not found before."""
    text = "冷坑镇茶园提升项目已交付怀集县农业农村局管护。"
    line = ('{"id": "implements/handed-over-to", "predicate": "implements", "confidence": 0.7, "evidence": "O..S",'
            ' "pattern": "{O}已?交付{S:Organization}管护", "example": "冷坑镇茶园提升项目已交付怀集县农业农村局管护。",'
            ' "subject": "怀集县农业农村局", "object": "冷坑镇茶园提升项目", "counter": "冷坑镇茶园提升项目由怀集县农业农村局参观。"}')
    nlp = build_pipeline()
    nlp.remove_pipe("kg_relation_classifier")
    before = {(r.subject, r.predicate, r.object) for r in nlp(make_doc(nlp, text))._.relations}
    nlp.get_pipe("kg_relation_extractor").add_patterns([json.loads(line)])
    after = {(r.subject, r.predicate, r.object) for r in nlp(make_doc(nlp, text))._.relations}
    fact = ("Organization:怀集县农业农村局", "implements", "Programme:冷坑镇茶园提升项目")
    assert fact not in before and fact in after


@pytest.mark.parametrize(
    "change, message",
    [
        ({"predicate": "fundedBy"}, "unknown predicate"),
        ({"counter": ""}, "counter-example"),
        ({"pattern": "{S}推进(?:{O}"}, "regular expression"),
        ({"pattern": "推进{O}"}, "subject {S}"),
        ({"pattern": "{S:Village}推进{O}"}, "unknown type"),
        ({"scope": "paragraph"}, "scope"),
    ],
)
def test_a_bad_pattern_is_refused_with_its_id(change: dict, message: str):
    data = dict(PATTERNS[0]) | change
    with pytest.raises(PatternError, match=message) as raised:
        build_pipeline(ner_model=None).get_pipe("kg_relation_extractor").add_patterns([data])
    assert str(raised.value).startswith(f"pattern {PATTERNS[0]['id']}: ")


def test_a_bad_entity_rule_is_refused_with_its_id():
    ruler = build_pipeline(ner_model=None).get_pipe("kg_entity_ruler")
    with pytest.raises(RuleError, match="person/after-a-title.*no finder"):
        ruler.add_patterns([RULES[1] | {"finder": "names_from_nowhere"}])
    with pytest.raises(RuleError, match="used twice"):
        ruler.add_patterns([RULES[0]])


def test_a_list_slot_counts_a_run_of_places_as_its_last_place():
    pattern = RelationPattern(id="test/list", predicate="implements", confidence=0.7, pattern="{S+}共建{O}",
                              example="-", subject="-", object="-", counter="-")
    found = found_by(pattern, "怀集县冷坑镇、洽水镇共建怀集县茶香乡村振兴示范带。")
    assert found == {("冷坑镇", "怀集县茶香乡村振兴示范带"), ("洽水镇", "怀集县茶香乡村振兴示范带")}


def test_a_back_reference_is_a_mention_where_the_pattern_asks_for_it():
    text = "冷坑镇建设冷坑镇生态茶园提升项目。该项目由怀集县农业农村局牵头。"
    data = dict(id="test/refs", predicate="implements", confidence=0.7, pattern="{O}由{S:Organization}牵头",
                example="-", subject="-", object="-", counter="-")
    assert found_by(RelationPattern(**data), text) == set()
    assert found_by(RelationPattern(**data, refs=["programme"]), text) == {("怀集县农业农村局", "冷坑镇生态茶园提升项目")}


def test_the_rulers_save_and_load_their_rules(tmp_path: Path):
    nlp = build_pipeline(ner_model=None)
    extractor, ruler = nlp.get_pipe("kg_relation_extractor"), nlp.get_pipe("kg_entity_ruler")
    extractor.to_disk(tmp_path / "relations")
    ruler.to_disk(tmp_path / "entities")
    assert [p.to_dict() for p in type(extractor)().from_disk(tmp_path / "relations").patterns] == [p.to_dict() for p in extractor.patterns]
    assert type(ruler)().from_disk(tmp_path / "entities").rules == ruler.rules == RULES


def test_the_pipeline_round_trips_through_disk(tmp_path: Path):
    nlp = build_pipeline()
    nlp.to_disk(tmp_path / "pipeline")
    again = spacy.load(tmp_path / "pipeline")
    assert again.pipe_names == nlp.pipe_names
    assert again.get_pipe("kg_relation_extractor").procedure_names == nlp.get_pipe("kg_relation_extractor").procedure_names
    text = (ROOT / "examples" / "d01.txt").read_text(encoding="utf-8")
    first, second = nlp(make_doc(nlp, text)), again(make_doc(again, text))
    assert sorted(first._.entities) == sorted(second._.entities)
    assert [(r.subject, r.predicate, r.object, r.post, r.start) for r in first._.relations] == \
           [(r.subject, r.predicate, r.object, r.post, r.start) for r in second._.relations]


def test_the_predicate_table_is_what_the_code_and_the_ontology_say():
    table = predicates()
    assert PREDICATES == tuple(table)
    assert PAIR_TYPES == {name: (p.subject, p.object) for name, p in table.items() if p.threshold is not None}
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl")
    for predicate in table.values():
        assert predicate.colour.startswith("#") and (predicate.article_first == (ARTICLE in predicate.object))
        if predicate.iri.startswith("https://w3id.org/kgzh/ontology#"):  # our own terms are declared in the ontology
            labels = set(ontology.objects(URIRef(predicate.iri), RDFS.label))
            assert {Literal(predicate.label_zh, lang="zh"), Literal(predicate.label_en, lang="en")} <= labels, predicate.name
    assert {r["predicate"] for r in PATTERNS} <= set(table)


def test_ingest_and_the_rules_read_one_list_of_byline_labels():
    labels = word_table("byline_labels")
    article = parse_article("平远县推进乡村振兴\n記者 吳曉丹 通訊員 歐陽一鳴\n全縣各鎮抓好落實。\n(責任編輯:鄧雪梅)", id="t", source="t")
    assert (article.authors, article.editors) == (["吳曉丹", "歐陽一鳴"], ["鄧雪梅"])  # Traditional labels, read as Simplified
    assert labels["记者"] == labels["通讯员"] == "author" and labels["责任编辑"] == "editor"
