"""The RDF the graph is made of: IRIs that join articles, evidence and co-mentions readable in SPARQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.store import Store

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kg: <https://w3id.org/kgzh/ontology#>
"""


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def rows(store: Store, sparql: str) -> list[tuple]:
    return [tuple(None if term is None else term.value for term in solution) for solution in store.query(PREFIXES + sparql)]


@pytest.fixture
def store_of(tmp_path):
    def make(articles: dict[str, str]) -> Store:
        folder = tmp_path / "articles"
        for name, text in articles.items():
            write(folder, name, text)
        store = Store(tmp_path / "store")
        summary = build([folder], store)
        assert not summary.errors
        return store

    return make


def test_the_same_place_in_two_articles_is_one_node(store_of):
    store = store_of({
        "a.txt": "平远县召开会议\n梅州市平远县仁居镇推进乡村振兴。",
        "b.txt": "仁居镇见闻\n平远县仁居镇的茶园迎来丰收。",
    })
    found = rows(store, "SELECT DISTINCT ?p WHERE { ?p kg:divisionCode ?c ; rdfs:label '仁居镇'@zh }")
    assert len(found) == 1
    graphs = rows(store, "SELECT DISTINCT ?g WHERE { ?p rdfs:label '仁居镇'@zh . GRAPH ?g { ?article schema:mentions ?p } }")
    assert len(graphs) == 2
    described_in = rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?p rdfs:label '仁居镇'@zh } }")
    assert described_in == [], "an entity's description is stored once, in the merged graph, not in every article graph"


def test_the_place_chain_reaches_the_province(store_of):
    store = store_of({"a.txt": "新塘村见闻\n梅县区梅南镇新塘村的河岸种满了花木。"})
    chain = rows(store, """
        SELECT ?name WHERE { ?v rdfs:label '新塘村'@zh ; schema:containedInPlace+ ?up . ?up rdfs:label ?name }""")
    assert {"梅南镇", "梅县区", "梅州市", "广东省"} <= {name for (name,) in chain}


def test_people_who_share_a_name_are_merged_only_with_a_shared_place(store_of):
    store = store_of({
        "a.txt": "平远会议\n平远县仁居镇镇长李明说,要抓好落实。",
        "b.txt": "平远会议\n平远县仁居镇镇长李明表示,茶园已经扩种。",
        "c.txt": "饶平见闻\n饶平县钱东镇镇长李明介绍了情况。",
    })
    people = rows(store, "SELECT DISTINCT ?p WHERE { ?p a schema:Person ; rdfs:label '李明'@zh }")
    assert len(people) == 2


def test_evidence_of_a_post_is_retrievable(store_of):
    text = "仁居镇动态\n平远县仁居镇镇长钟敏华介绍了今年的计划。"
    store = store_of({"a.txt": text})
    found = rows(store, """
        SELECT ?evidence ?start ?confidence ?title WHERE {
          GRAPH ?g { ?a rdf:predicate org:holds ; rdf:object ?post ;
             kg:evidenceText ?evidence ; kg:startOffset ?start ; kg:confidence ?confidence }
          ?post rdfs:label ?title }""")
    assert len(found) == 1
    assert not rows(store, "SELECT ?a WHERE { ?a kg:evidenceText ?t }"), "evidence records stay in their article's graph, out of the merged graph"
    evidence, start, confidence, title = found[0]
    assert "钟敏华" in evidence and title == "镇长"
    assert text[int(start):int(start) + len(evidence)] == evidence, "the evidence ends at its start plus its length"
    assert 0 < float(confidence) <= 1


def test_evidence_records_and_co_mentions_leave_their_class_to_the_ontology(store_of):
    store = store_of({"a.txt": "仁居镇动态\n平远县仁居镇镇长钟敏华推进“百千万工程”。"})
    assert rows(store, "SELECT ?a WHERE { GRAPH ?g { ?a kg:evidenceText ?t } }")
    assert rows(store, "SELECT ?c WHERE { GRAPH ?g { ?c kg:participant ?x } }")
    assert not rows(store, "SELECT ?n WHERE { GRAPH ?g { ?n a ?class VALUES ?class { kg:Assertion kg:CoMention } } }"), \
        "rdfs:domain of kg:evidenceText and kg:participant entails the class; writing it would add a triple per node"


def test_a_pair_is_co_mentioned_once_per_sentence_over_articles(store_of):
    sentence = "平远县仁居镇镇长钟敏华推进“百千万工程”。"
    store = store_of({"a.txt": "一\n" + sentence, "b.txt": "二\n" + sentence + sentence})
    found = rows(store, """
        SELECT (COUNT(?c) AS ?weight) WHERE {
          GRAPH ?g { ?c kg:participant ?x, ?y }
          FILTER EXISTS { ?x rdfs:label '钟敏华'@zh } FILTER EXISTS { ?y rdfs:label '百千万工程'@zh } }""")
    assert int(found[0][0]) == 3


def test_traditional_forms_become_alternative_labels(store_of):
    store = store_of({"a.txt": "雁洋鎮見聞\n梅州市梅縣區雁洋鎮全力推進“百千萬工程”。"})
    labels = rows(store, "SELECT ?label ?alt WHERE { ?p kg:divisionCode '441403111000' ; rdfs:label ?label ; skos:altLabel ?alt }")
    assert ("雁洋镇", "雁洋鎮") in labels


def test_each_article_graph_records_its_provenance(store_of):
    store = store_of({"a.txt": "标题\n平远县推进“百千万工程”。"})
    found = rows(store, """
        SELECT ?article ?time ?agent ?version WHERE { GRAPH ?g {
          ?g prov:wasDerivedFrom ?article ; prov:generatedAtTime ?time ; prov:wasGeneratedBy ?run .
          ?article a schema:NewsArticle }
          ?run a prov:Activity ; prov:wasAssociatedWith ?agent . ?agent schema:softwareVersion ?version }""")
    assert len(found) == 1 and found[0][0].endswith("/article/a")
    assert not rows(store, "SELECT ?g WHERE { ?g prov:wasDerivedFrom ?article }"), "a graph's own provenance stays in that graph"
    assert "+" in found[0][3], "the software version names the extractor fingerprint"


def test_bodies_named_only_by_level_stay_apart_across_counties(store_of):
    store = store_of({
        "a.txt": "阳春会议\n阳春市召开会议,市政协主席冯少华出席。",
        "b.txt": "信宜会议\n信宜市召开会议,市政协主席林国强出席。",
    })
    bodies = rows(store, "SELECT DISTINCT ?o WHERE { ?o a schema:Organization ; rdfs:label '市政协'@zh }")
    assert len(bodies) == 2
