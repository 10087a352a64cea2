"""Saved queries, parameter binding and output formats of ``kg.query``."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph
import pytest

from kg import query


def run_saved_rows(store: pyoxigraph.Store, saved_name: str, **params: str) -> list[dict[str, str]]:
    out = io.StringIO()
    query.run_saved(store, saved_name, params, fmt="csv", out=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_saved_queries_have_headers() -> None:
    saved = query.saved_queries()
    assert set(saved) == {
        "people-and-posts", "place-tree", "programmes-by-place", "who-appears-with", "articles-mentioning",
    }
    for item in saved.values():
        assert item.title and item.description, item.name
    assert saved["who-appears-with"].params.keys() == {"name"}
    assert saved["articles-mentioning"].params.keys() == {"name"}
    assert saved["people-and-posts"].params == {}


def test_people_and_posts(explore_store: pyoxigraph.Store) -> None:
    rows = {(r["personName"], r["postName"], r["unitName"], r["articles"]) for r in run_saved_rows(explore_store, "people-and-posts")}
    assert rows == {("张三", "书记", "平远县委", "1"), ("李四", "县长", "平远县人民政府", "1")}


def test_place_tree_orders_parents_first(explore_store: pyoxigraph.Store) -> None:
    rows = run_saved_rows(explore_store, "place-tree")
    assert [r["name"] for r in rows] == ["广东省", "梅州市", "平远县", "仁居镇"]
    assert rows[2]["parentName"] == "梅州市" and rows[2]["code"] == "441426000000"


def test_programmes_by_place(explore_store: pyoxigraph.Store) -> None:
    rows = {(r["placeName"], r["implementerName"], r["programmeName"], r["partOfName"])
            for r in run_saved_rows(explore_store, "programmes-by-place")}
    assert rows == {("平远县", "平远县", "百千万工程", ""), ("平远县", "平远县人民政府", "典型村培育", "百千万工程")}


def test_who_appears_with_counts_sentences_over_articles(explore_store: pyoxigraph.Store) -> None:
    rows = run_saved_rows(explore_store, "who-appears-with", name="张三")
    assert {(r["otherName"], r["totalWeight"]) for r in rows} == {("平远县", "3"), ("李四", "3")}


def test_names_match_aliases(explore_store: pyoxigraph.Store) -> None:
    by_alias = run_saved_rows(explore_store, "who-appears-with", name="张书记")
    assert {r["entity"] for r in by_alias} == {"https://w3id.org/kgzh/id/person/张三"}


def test_articles_mentioning_newest_first(explore_store: pyoxigraph.Store) -> None:
    rows = run_saved_rows(explore_store, "articles-mentioning", name="张三")
    assert [r["headline"] for r in rows] == ["仁居镇典型村建设观摩会召开", "平远县推进百千万工程"]


@pytest.mark.parametrize("attack", [
    '张三" } } ; DROP ALL ; #',
    '张三"@zh } ?entity ?p ?o . FILTER(true) #',
    "张三' || '1'='1",
    '\\" } UNION { ?s ?p ?o } #',
    "张三\n} LIMIT 1",
])
def test_injection_attempt_stays_a_literal(explore_store: pyoxigraph.Store, attack: str) -> None:
    before = len(explore_store)
    assert run_saved_rows(explore_store, "articles-mentioning", name=attack) == []
    assert run_saved_rows(explore_store, "who-appears-with", name=attack) == []
    assert len(explore_store) == before


def test_bound_query_keeps_value_as_one_literal() -> None:
    text = query.bind_params(query.get_saved("articles-mentioning"), {"name": 'a" } #'})
    assert 'VALUES ?name { "a\\" } #" "a\\" } #"@zh }' in text


def test_user_errors_are_value_errors_with_one_line(explore_store: pyoxigraph.Store) -> None:
    cases = [
        lambda: query.run_saved(explore_store, "no-such-query", {}),
        lambda: query.run_saved(explore_store, "who-appears-with", {}),
        lambda: query.run_saved(explore_store, "who-appears-with", {"name": "张三", "colour": "red"}),
        lambda: query.run(explore_store, "SELEC ?x WHERE {}"),
        lambda: query.run(explore_store, "SELECT * WHERE { ?s ?p ?o }", fmt="yaml"),
        lambda: query.parse_params(["name"]),
    ]
    for case in cases:
        with pytest.raises(ValueError) as error:
            case()
        assert isinstance(error.value, query.QueryError)
        assert "\n" not in str(error.value)


def test_parse_params() -> None:
    assert query.parse_params(["NAME=张三", "x=a=b"]) == {"name": "张三", "x": "a=b"}


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_run_formats(explore_store: pyoxigraph.Store, fmt: str) -> None:
    out = io.StringIO()
    sparql = "SELECT ?name WHERE { <https://w3id.org/kgzh/id/place/仁居镇> <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
    assert query.run(explore_store, sparql, fmt, out) == 1
    text = out.getvalue()
    assert "仁居镇" in text
    if fmt == "json":
        assert json.loads(text)["results"]["bindings"][0]["name"] == {"type": "literal", "value": "仁居镇", "xml:lang": "zh"}


def test_construct_writes_turtle_and_ask_a_boolean(explore_store: pyoxigraph.Store) -> None:
    out = io.StringIO()
    query.run(explore_store, "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t . FILTER(?t = <https://schema.org/Person>) }", "table", out)
    assert "schema:Person" in out.getvalue() and "@prefix schema:" in out.getvalue()
    out = io.StringIO()
    query.run(explore_store, "ASK { ?s a <https://schema.org/Person> }", "table", out)
    assert out.getvalue() == "true\n"


def test_serialize_caps_rows(explore_store: pyoxigraph.Store) -> None:
    sparql = "SELECT ?s WHERE { ?s ?p ?o }"
    with pytest.raises(query.ResultCapExceeded, match="more than 5 rows"):
        query.serialize(query.execute(explore_store, sparql), "json", max_results=5)
    exact = query.serialize(query.execute(explore_store, sparql + " LIMIT 5"), "json", max_results=5)
    assert len(json.loads(exact)["results"]["bindings"]) == 5


# ------------------------------------------------------------------ dataset, lexer, updates, JSON-LD

A1 = "https://w3id.org/kgzh/id/graph/a1"
A2 = "https://w3id.org/kgzh/id/graph/a2"
PEOPLE_COUNT = "SELECT (COUNT(DISTINCT ?p) AS ?n) {source} WHERE {{ ?p a <https://schema.org/Person> }}"


def people(store: pyoxigraph.Store, source: str = "", **dataset: list[str]) -> int:
    solutions = query.execute(store, PEOPLE_COUNT.format(source=source), **dataset)
    return int(next(iter(solutions))["n"].value)


def test_from_selects_the_default_graph(explore_store: pyoxigraph.Store) -> None:
    assert people(explore_store) == 3
    assert people(explore_store, f"FROM <{A1}>") == 2
    assert people(explore_store, f"FROM <{A1}> FROM <{A2}>") == 3
    assert people(explore_store, f"FROM NAMED <{A1}>") == 0  # FROM NAMED alone: an empty default graph


def test_protocol_graphs_replace_the_query_dataset(explore_store: pyoxigraph.Store) -> None:
    assert people(explore_store, default_graphs=[A1]) == 2
    assert people(explore_store, f"FROM <{A2}>", default_graphs=[A1]) == 2
    assert people(explore_store, named_graphs=[A1]) == 0
    graphs = query.execute(explore_store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[A1])
    assert [s["g"].value for s in graphs] == [A1]
    with pytest.raises(query.QueryError, match="graph IRI"):
        people(explore_store, default_graphs=["not an iri"])


def test_keywords_are_found_outside_strings_iris_comments_and_prefixed_names() -> None:
    sparql = '''PREFIX from: <http://example.org/FROM#>
    # FROM <http://in.a/comment>
    SELECT ?from WHERE { ?s from:x "FROM <x>" . FILTER(?s != <http://example.org/FROM>) }'''
    assert "FROM" not in query.top_level_keywords(sparql)
    assert "FROM" in query.top_level_keywords("CONSTRUCT { ?s ?p ?o } FROM <urn:g> WHERE { ?s ?p ?o }")
    assert query.top_level_keywords("INSERT DATA { <a> <b> 'WITH USING' }") == ["INSERT", "DATA"]


def test_prepare_update_adds_using_clauses() -> None:
    update = ("PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c } ; "
              "INSERT { GRAPH ex:out { ?s a ex:Found } } WHERE { ?s a ex:T } ; DELETE WHERE { ?s ex:gone ?o }")
    prepared = query.prepare_update(update, ["http://example.org/g1"], ["http://example.org/g2"])
    clause = "USING <http://example.org/g1> USING NAMED <http://example.org/g2> WHERE"
    assert prepared.count(clause) == 2
    assert "DELETE  { ?s ex:gone ?o } " + clause + " { ?s ex:gone ?o }" in prepared
    assert "INSERT DATA { ex:a ex:b ex:c }" in prepared
    assert query.prepare_update(update) == update


@pytest.mark.parametrize("update", [
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "INSERT { ?s a <urn:T> } USING <urn:g> WHERE { ?s ?p ?o }",
])
def test_prepare_update_refuses_a_dataset_conflict(update: str) -> None:
    with pytest.raises(query.DatasetConflict):
        query.prepare_update(update, ["urn:other"])


def test_prepared_update_runs_on_the_protocol_graphs(explore_store: pyoxigraph.Store) -> None:
    update = "INSERT { GRAPH <urn:found> { ?p a <urn:Seen> } } WHERE { ?p a <https://schema.org/Person> }"
    explore_store.update(query.prepare_update(update, [A2]))
    found = {s["p"].value for s in query.execute(explore_store, "SELECT ?p WHERE { GRAPH <urn:found> { ?p ?x ?y } }")}
    assert found == {"https://w3id.org/kgzh/id/person/张三", "https://w3id.org/kgzh/id/person/李四"}


def test_construct_as_compact_jsonld(explore_store: pyoxigraph.Store) -> None:
    sparql = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/kgzh/id/person/张三>) }"
    turtle = query.serialize(query.execute(explore_store, sparql), "turtle")
    jsonld = query.serialize(query.execute(explore_store, sparql), "jsonld")
    document = json.loads(jsonld)
    assert document["@context"]["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    assert document["@graph"][0]["@type"] == "schema:Person"
    assert set(pyoxigraph.parse(jsonld, format=pyoxigraph.RdfFormat.JSON_LD)) == set(
        pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE))
    rdfxml = query.serialize(query.execute(explore_store, sparql), "rdfxml")
    assert len(list(pyoxigraph.parse(rdfxml, format=pyoxigraph.RdfFormat.RDF_XML))) == len(
        list(pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)))
