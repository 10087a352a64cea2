"""Real SPARQL clients against a running ``kg serve`` (the command, in its own process).

SPARQLWrapper in every result format it offers, and rdflib's SPARQLStore / SPARQLUpdateStore
reading a graph by its name and writing through SPARQL Update.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from conftest import explore_load_sample
from endpoint_helpers import TOKEN
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

A1 = "https://w3id.org/kgzh/id/graph/a1"
PEOPLE = "SELECT DISTINCT ?s WHERE { ?s a <https://schema.org/Person> } ORDER BY ?s"
PEOPLE_GRAPH = "CONSTRUCT { ?s a <https://schema.org/Person> } WHERE { ?s a <https://schema.org/Person> }"
EXPECTED_PEOPLE = {f"https://w3id.org/kgzh/id/person/{name}" for name in ("张三", "李四", "王五")}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``kg serve --allow-update`` on a copy of the sample store; (endpoint URL, store path)."""
    path = tmp_path_factory.mktemp("clients") / "store"
    explore_load_sample(path)
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(path), "--port", "0",
               "--allow-update", "--token", TOKEN, "--timeout", "30"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"SPARQL (http://\S+/sparql)", line)
        assert match, f"kg serve did not start: {line}{process.stderr.read() if process.poll() is not None else ''}"
        yield match.group(1), path
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrapper(endpoint: str, sparql: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(sparql)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select_json(served: tuple[str, Path]) -> None:
    results = wrapper(served[0], PEOPLE, JSON).queryAndConvert()
    assert {b["s"]["value"] for b in results["results"]["bindings"]} == EXPECTED_PEOPLE


def test_sparqlwrapper_select_xml(served: tuple[str, Path]) -> None:
    document = wrapper(served[0], PEOPLE, XML).queryAndConvert()
    assert {uri.firstChild.data for uri in document.getElementsByTagName("uri")} == EXPECTED_PEOPLE


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparqlwrapper_select_csv_and_tsv(served: tuple[str, Path], fmt: str) -> None:
    text = wrapper(served[0], PEOPLE, fmt).queryAndConvert().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter="," if fmt == CSV else "\t"))
    values = {row[0].strip("<>") for row in rows[1:]}
    assert values == EXPECTED_PEOPLE


def test_sparqlwrapper_ask(served: tuple[str, Path]) -> None:
    assert wrapper(served[0], "ASK { ?s a <https://schema.org/Person> }", JSON).queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, RDFXML, XML])
def test_sparqlwrapper_construct(served: tuple[str, Path], fmt: str) -> None:
    """CONSTRUCT as Turtle, JSON-LD and RDF/XML (SPARQLWrapper parses them into an rdflib Graph)."""
    result = wrapper(served[0], PEOPLE_GRAPH, fmt).queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle" if fmt == TURTLE else "json-ld")
    assert {str(s) for s in graph.subjects()} == EXPECTED_PEOPLE


def test_sparqlwrapper_construct_ntriples(served: tuple[str, Path]) -> None:
    """N-Triples has no SPARQLWrapper constant: content negotiation alone asks for it."""
    client = wrapper(served[0], PEOPLE_GRAPH, N3)
    client.setOnlyConneg(True)
    client.addCustomHttpHeader("Accept", "application/n-triples")
    response = client.query()
    assert response.response.headers["Content-Type"].startswith("application/n-triples")
    lines = response.response.read().decode("utf-8").strip().splitlines()
    assert len(lines) == 3 and all(line.endswith("<https://schema.org/Person> .") for line in lines)


def test_sparqlwrapper_post_and_dataset(served: tuple[str, Path]) -> None:
    client = wrapper(served[0], "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://schema.org/Person> }", JSON)
    client.setMethod("POST")
    client.addDefaultGraph(A1)
    assert client.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == "2"


def test_rdflib_sparqlstore_reads_one_named_graph(served: tuple[str, Path]) -> None:
    """Graph(store=SPARQLStore, identifier=G) sees the graph G, not the whole store (finding 2)."""
    endpoint, path = served
    store = SPARQLStore(endpoint)
    graph = Graph(store=store, identifier=URIRef(A1))
    reader_count = sum(1 for _ in pyoxigraph.Store.read_only(str(path)).quads_for_pattern(
        None, None, None, pyoxigraph.NamedNode(A1)))
    assert len(graph) == reader_count
    labels = {str(o) for o in graph.objects(URIRef("https://w3id.org/kgzh/id/person/张三"),
                                           URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert labels == {"张三"}
    assert not list(graph.triples((URIRef("https://w3id.org/kgzh/id/person/李四"), None, None)))  # only in a2
    rows = list(graph.query("SELECT ?name WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name"))
    assert len(rows) == len({str(r[0]) for r in rows})


def test_rdflib_sparqlupdatestore_writes(served: tuple[str, Path]) -> None:
    endpoint, _ = served
    store = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint,
                              headers={"Authorization": f"Bearer {TOKEN}"})
    graph = Graph(store=store, identifier=URIRef("urn:kg:test:rdflib"))
    person = URIRef("https://w3id.org/kgzh/id/person/赵六")
    graph.add((person, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("赵六", lang="zh")))
    assert len(graph) == 1
    graph.remove((person, None, None))
    assert len(graph) == 0
