"""The trained relation scorer: which pairs it looks at, what it adds to the rules, and how it is trained."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from kg.nlp.pipeline import build_pipeline
from kg.nlp.relation_model import PAIR_TYPES, RelationModel, candidates, model_relations, pair_features
from kg.nlp.mentions import ArticleView
from test_nlp import run_until

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "冷坑镇、洽水镇共建怀集县茶香乡村振兴示范带。"


def rules_only(text: str):
    """The article after the rules, before the scorer."""
    return run_until(text, "kg_relation_classifier")


def load_training_script():
    spec = importlib.util.spec_from_file_location("train_relations", ROOT / "training" / "train_relations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_relations"] = module
    spec.loader.exec_module(module)
    return module


def _pair(doc, subject: str, predicate: str, obj: str):
    return next(c for c in candidates(ArticleView(doc))
                if (c.subject.entity.name, c.predicate, c.object.entity.name) == (subject, predicate, obj))


def test_candidates_are_type_compatible_pairs_of_one_sentence():
    doc = rules_only(SENTENCE + "怀集县农业农村局印发《怀集县茶产业发展方案》。")
    pairs = {(c.subject.entity.label, c.predicate, c.object.entity.label) for c in candidates(ArticleView(doc))}
    assert pairs <= {(s, p, o) for p, (ss, os_) in PAIR_TYPES.items() for s in ss for o in os_}
    names = {(c.subject.entity.name, c.object.entity.name) for c in candidates(ArticleView(doc))}
    assert ("冷坑镇", "怀集县茶香乡村振兴示范带") in names
    assert ("冷坑镇", "怀集县茶产业发展方案") not in names  # different sentences


def test_a_listed_subject_is_seen_past_the_rest_of_its_list():
    doc = rules_only(SENTENCE)
    first = pair_features(doc.text, _pair(doc, "冷坑镇", "implements", "怀集县茶香乡村振兴示范带"))
    second = pair_features(doc.text, _pair(doc, "洽水镇", "implements", "怀集县茶香乡村振兴示范带"))
    assert "S>Oin-list" in first and "S>Oin-list" not in second
    assert "S>OB1=共建" in first and "S>OB1=共建" in second


def test_the_scorer_adds_only_what_the_rules_missed_with_its_probability():
    doc = rules_only(SENTENCE)
    found_by_rules = {(r.subject, r.predicate, r.object) for r in doc._.relations}
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    added = model_relations(doc, eager)
    assert added and all(r.method == "model" and 0.5 <= r.confidence <= 1.0 for r in added)
    assert not {(r.subject, r.predicate, r.object) for r in added} & found_by_rules
    assert all(r.evidence == SENTENCE[:-1] for r in added)
    assert model_relations(doc, RelationModel({"implements": {"bias": -9.0}}, {"implements": 0.5})) == []


def test_the_issuer_of_a_document_is_never_proposed_as_its_implementer():
    doc = rules_only("怀集县农业农村局印发《怀集县茶产业发展方案》。")
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    assert not [r for r in model_relations(doc, eager) if r.predicate == "implements" and r.subject.startswith("Organization")]


def test_an_outlet_is_never_proposed_as_an_implementer():
    doc = rules_only("据平远日报报道,平远县推进“百千万工程”。")
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    assert _pair(doc, "平远日报", "implements", "百千万工程")  # a candidate the scorer would take
    assert not [r for r in model_relations(doc, eager) if r.subject == "Organization:平远日报"]


def test_an_outlet_is_never_proposed_as_lying_where_it_reports_from():
    doc = rules_only("平远日报讯 仁居镇推进“百千万工程”。")
    eager = RelationModel({"locatedIn": {"bias": 9.0}}, {"locatedIn": 0.5})
    assert _pair(doc, "平远日报", "locatedIn", "仁居镇")
    assert not [r for r in model_relations(doc, eager) if r.subject == "Organization:平远日报" and r.object == "Place:仁居镇"]


def test_a_village_named_by_its_stem_inside_a_project_is_not_proposed_as_running_it():
    doc = rules_only("中山市三乡镇推进园区建设、古鹤中医药产业园提质。")
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    assert _pair(doc, "古鹤村", "implements", "古鹤中医药产业园")
    proposed = {(r.subject, r.object) for r in model_relations(doc, eager) if r.predicate == "implements"}
    assert ("Place:古鹤村", "Programme:古鹤中医药产业园") not in proposed
    assert ("Place:中山市", "Programme:古鹤中医药产业园") in proposed  # a place outside the name still may


def test_items_of_one_visit_list_are_never_proposed_as_each_others_implementers():
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    listed = rules_only("调研组先后到冷坑镇、怀集县茶香乡村振兴示范带等地调研。")
    assert "S>Osiblings" in pair_features(listed.text, _pair(listed, "冷坑镇", "implements", "怀集县茶香乡村振兴示范带"))
    assert not [r for r in model_relations(listed, eager) if r.subject == "Place:冷坑镇" and r.predicate == "implements"]
    apart = rules_only("调研组先后到冷坑镇调研,怀集县茶香乡村振兴示范带初见成效。")
    assert [r for r in model_relations(apart, eager) if r.subject == "Place:冷坑镇" and r.predicate == "implements"]


def test_a_place_inside_an_outlets_name_is_never_proposed_as_an_implementer():
    doc = rules_only("梅州日报讯 平远县推进“百千万工程”。")
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    assert _pair(doc, "梅州市", "implements", "百千万工程")  # a candidate the eager scorer would take
    assert "Place:梅州市" not in {r.subject for r in model_relations(doc, eager) if r.predicate == "implements"}


def test_a_company_named_inside_its_project_is_never_proposed_for_the_next_item():
    doc = rules_only("调研组察看了绿峰茶业有限公司茶饮料加工基地项目,又听取怀集县茶香乡村振兴示范带汇报。")
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    assert _pair(doc, "绿峰茶业有限公司", "implements", "怀集县茶香乡村振兴示范带")  # a candidate the eager scorer would take
    proposed = {r.object for r in model_relations(doc, eager) if r.subject == "Organization:绿峰茶业有限公司"}
    assert "Programme:怀集县茶香乡村振兴示范带" not in proposed


def test_a_places_committee_lies_only_in_its_place_and_a_provincial_one_in_no_county():
    doc = rules_only("平远县委书记到冷坑镇调研。为贯彻落实省委全会精神,平远县召开会议。")
    eager = RelationModel({"locatedIn": {"bias": 9.0}}, {"locatedIn": 0.5})
    assert _pair(doc, "平远县委", "locatedIn", "冷坑镇") and _pair(doc, "省委", "locatedIn", "平远县")
    proposed = {(r.subject, r.object) for r in model_relations(doc, eager)}
    assert ("Organization:平远县委", "Place:冷坑镇") not in proposed
    assert ("Organization:省委", "Place:平远县") not in proposed


def test_bodies_in_the_formula_of_leadership_are_never_proposed_as_implementers():
    doc = rules_only("在市委、市政府和县委的坚强领导下,县政府聚焦“三大一强”,推进“百千万工程”。")
    eager = RelationModel({"implements": {"bias": 9.0}}, {"implements": 0.5})
    assert _pair(doc, "县委", "implements", "百千万工程")  # a candidate the eager scorer would take
    proposed = {r.subject for r in model_relations(doc, eager) if r.predicate == "implements"}
    assert not proposed & {"Organization:市委", "Organization:市政府", "Organization:县委"}


def test_a_visit_list_stays_one_enumeration_past_words_that_are_no_names():
    doc = rules_only("调研组先后到冷坑镇、某某石砚加工点及怀集县茶香乡村振兴示范带调研。")
    assert "S>Osiblings" in pair_features(doc.text, _pair(doc, "冷坑镇", "implements", "怀集县茶香乡村振兴示范带"))
    shared = rules_only(SENTENCE)  # 冷坑镇、洽水镇共建…: a verb in the last item makes the list its subject
    assert "S>Osiblings" not in pair_features(shared.text, _pair(shared, "冷坑镇", "implements", "怀集县茶香乡村振兴示范带"))
    glued = rules_only("调研组先后到冷坑镇下溪水库及思州石砚加工点、怀集县茶香乡村振兴示范带调研。")  # the segmenter reads 及思州 as one word
    assert "S>Osiblings" in pair_features(glued.text, _pair(glued, "下溪水库", "implements", "怀集县茶香乡村振兴示范带"))


def test_the_shipped_scorer_is_in_the_pipeline_and_survives_to_disk(tmp_path):
    nlp = build_pipeline()
    assert nlp.pipe_names[-2:] == ["kg_relation_extractor", "kg_relation_classifier"]
    scorer = nlp.get_pipe("kg_relation_classifier")
    assert set(scorer.model.weights) == set(PAIR_TYPES) and all(0 < t < 1 for t in scorer.model.thresholds.values())
    scorer.to_disk(tmp_path)
    again = type(scorer)().from_disk(tmp_path)
    assert again.model.weights == scorer.model.weights and again.model.thresholds == scorer.model.thresholds


def test_training_separates_what_the_examples_separate():
    train = load_training_script()
    examples = [("implements", ["bias", "B=实施"], True), ("implements", ["bias", "B=参观"], False)] * 20
    settings = {"seed": 1, "epochs": 10, "learning_rate": 0.1, "l2": 0.0001, "positive_weight": 1.0, "min_weight": 0.001,
                "thresholds": {"implements": 0.5}}
    model = train.fit(examples, settings)
    assert model.probability("implements", ["bias", "B=实施"]) > 0.8 > 0.2 > model.probability("implements", ["bias", "B=参观"])


@pytest.mark.skipif(not (ROOT.parent / "shared" / "data" / "genre-dev").exists(), reason="the dev set is in ../shared")
def test_the_training_command_reproduces_the_shipped_model(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "training" / "train_relations.py"), str(ROOT / "training" / "relations.cfg"),
                    "--output", str(tmp_path)], check=True, capture_output=True, cwd=ROOT)
    shipped = ROOT / "src" / "kg" / "models" / "relations" / "model.json"
    assert (tmp_path / "model.json").read_bytes() == shipped.read_bytes()
