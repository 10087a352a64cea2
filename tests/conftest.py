"""Shared fixtures for the exploration tests (explorer, endpoint, saved queries).

Every fixture here is prefixed ``explore_`` so that other suites' fixtures cannot clash.
The sample follows the project's data model: one named graph per article, entities with
Chinese IRIs and labels, direct relation triples, reified evidence and co-mentions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyoxigraph
import pytest

from kg.rdf import ARTICLE_LOCAL_PROPERTIES, ARTICLE_ONLY_PREDICATES

EXPLORE_SAMPLE_TRIG = """
@prefix kg: <https://w3id.org/kgzh/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/kgzh/id/> .

id:graph\\/a1 {
  id:graph\\/a1 prov:wasDerivedFrom id:article\\/a1 ;
      prov:generatedAtTime "2024-05-02T10:00:00Z"^^xsd:dateTime ; kg:contentHash "h1" .
  id:article\\/a1 a schema:NewsArticle ; schema:headline "平远县推进百千万工程"@zh ;
      schema:datePublished "2024-05-01"^^xsd:date ; schema:author <https://w3id.org/kgzh/id/person/王五> ;
      schema:publisher <https://w3id.org/kgzh/id/org/平远县融媒体中心> ;
      schema:mentions <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/place/平远县>,
          <https://w3id.org/kgzh/id/programme/百千万工程>, <https://w3id.org/kgzh/id/org/平远县委> .
  <https://w3id.org/kgzh/id/person/张三> a schema:Person ; rdfs:label "张三"@zh ; skos:altLabel "张书记"@zh ;
      org:holds <https://w3id.org/kgzh/id/post/平远县委/书记> .
  <https://w3id.org/kgzh/id/person/王五> a schema:Person ; rdfs:label "王五"@zh .
  <https://w3id.org/kgzh/id/post/平远县委/书记> a org:Post ; rdfs:label "书记"@zh ;
      org:postIn <https://w3id.org/kgzh/id/org/平远县委> .
  <https://w3id.org/kgzh/id/org/平远县委> a schema:Organization ; rdfs:label "平远县委"@zh ;
      skos:altLabel "中共平远县委员会"@zh ; schema:location <https://w3id.org/kgzh/id/place/平远县> .
  <https://w3id.org/kgzh/id/org/平远县融媒体中心> a schema:Organization ; rdfs:label "平远县融媒体中心"@zh .
  <https://w3id.org/kgzh/id/place/广东省> a schema:Place, schema:AdministrativeArea ; rdfs:label "广东省"@zh ;
      kg:divisionCode "440000000000" ; kg:divisionLevel "province" .
  <https://w3id.org/kgzh/id/place/梅州市> a schema:Place, schema:AdministrativeArea ; rdfs:label "梅州市"@zh ;
      kg:divisionCode "441400000000" ; kg:divisionLevel "city" ;
      schema:containedInPlace <https://w3id.org/kgzh/id/place/广东省> .
  <https://w3id.org/kgzh/id/place/平远县> a schema:Place, schema:AdministrativeArea ; rdfs:label "平远县"@zh ;
      kg:divisionCode "441426000000" ; kg:divisionLevel "county" ;
      schema:containedInPlace <https://w3id.org/kgzh/id/place/梅州市> ;
      kg:implements <https://w3id.org/kgzh/id/programme/百千万工程> .
  <https://w3id.org/kgzh/id/programme/百千万工程> a kg:Programme ; rdfs:label "百千万工程"@zh ;
      skos:altLabel "百县千镇万村高质量发展工程"@zh .
  id:assertion\\/a1\\/1 rdf:subject <https://w3id.org/kgzh/id/person/张三> ;
      rdf:predicate org:holds ; rdf:object <https://w3id.org/kgzh/id/post/平远县委/书记> ;
      kg:evidenceText "县委书记张三主持召开会议。"@zh ; kg:startOffset 0 ;
      kg:confidence 0.9 ; prov:wasDerivedFrom id:article\\/a1 .
  id:assertion\\/a1\\/2 rdf:subject <https://w3id.org/kgzh/id/place/平远县> ;
      rdf:predicate kg:implements ; rdf:object <https://w3id.org/kgzh/id/programme/百千万工程> ;
      kg:evidenceText "平远县深入实施百千万工程。"@zh ; kg:startOffset 14 ;
      kg:confidence 0.8 ; prov:wasDerivedFrom id:article\\/a1 .
  id:comention\\/a1\\/1 kg:participant <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/place/平远县> .
  id:comention\\/a1\\/2 kg:participant <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/place/平远县> .
}

id:graph\\/a2 {
  id:graph\\/a2 prov:wasDerivedFrom id:article\\/a2 ;
      prov:generatedAtTime "2024-06-02T10:00:00Z"^^xsd:dateTime ; kg:contentHash "h2" .
  id:article\\/a2 a schema:NewsArticle ; schema:headline "仁居镇典型村建设观摩会召开"@zh ;
      schema:datePublished "2024-06-01"^^xsd:date ;
      schema:mentions <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/person/李四>,
          <https://w3id.org/kgzh/id/place/仁居镇> .
  <https://w3id.org/kgzh/id/person/张三> a schema:Person ; rdfs:label "张三"@zh .
  <https://w3id.org/kgzh/id/person/李四> a schema:Person ; rdfs:label "李四"@zh ;
      org:holds <https://w3id.org/kgzh/id/post/平远县人民政府/县长> .
  <https://w3id.org/kgzh/id/post/平远县人民政府/县长> a org:Post ; rdfs:label "县长"@zh ;
      org:postIn <https://w3id.org/kgzh/id/org/平远县人民政府> .
  <https://w3id.org/kgzh/id/org/平远县人民政府> a schema:Organization ; rdfs:label "平远县人民政府"@zh ;
      schema:location <https://w3id.org/kgzh/id/place/平远县> ;
      kg:implements <https://w3id.org/kgzh/id/programme/典型村培育> .
  <https://w3id.org/kgzh/id/place/仁居镇> a schema:Place, schema:AdministrativeArea ; rdfs:label "仁居镇"@zh ;
      kg:divisionCode "441426101000" ; kg:divisionLevel "town" ;
      schema:containedInPlace <https://w3id.org/kgzh/id/place/平远县> .
  <https://w3id.org/kgzh/id/place/平远县> a schema:Place, schema:AdministrativeArea ; rdfs:label "平远县"@zh .
  <https://w3id.org/kgzh/id/programme/典型村培育> a kg:Programme ; rdfs:label "典型村培育"@zh ;
      schema:isPartOf <https://w3id.org/kgzh/id/programme/百千万工程> ;
      dcterms:publisher <https://w3id.org/kgzh/id/org/平远县人民政府> .
  <https://w3id.org/kgzh/id/programme/百千万工程> a kg:Programme ; rdfs:label "百千万工程"@zh .
  id:assertion\\/a2\\/1 rdf:subject <https://w3id.org/kgzh/id/person/李四> ;
      rdf:predicate org:holds ; rdf:object <https://w3id.org/kgzh/id/post/平远县人民政府/县长> ;
      kg:evidenceText "县长李四到仁居镇调研典型村建设。"@zh ; kg:startOffset 0 ;
      kg:confidence 0.9 ; prov:wasDerivedFrom id:article\\/a2 .
  id:comention\\/a2\\/1 kg:participant <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/place/平远县> .
  id:comention\\/a2\\/2 kg:participant <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/person/李四> .
  id:comention\\/a2\\/3 kg:participant <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/person/李四> .
  id:comention\\/a2\\/4 kg:participant <https://w3id.org/kgzh/id/person/张三>, <https://w3id.org/kgzh/id/person/李四> .
}
"""


def article_local_triples(quads: Iterable[pyoxigraph.Quad]) -> set[pyoxigraph.Triple]:
    """The triples among ``quads`` that stay in their article's graph, out of the merged default
    graph: those of evidence records, co-mentions and the graph's own provenance, and mentions."""
    quads = list(quads)
    marks = {pyoxigraph.NamedNode(str(term)) for term in ARTICLE_LOCAL_PROPERTIES}
    only = {pyoxigraph.NamedNode(str(term)) for term in ARTICLE_ONLY_PREDICATES}
    local = {q.subject for q in quads if q.predicate in marks}
    return {q.triple for q in quads if q.subject in local or q.predicate in only}


def explore_load_sample(path: Path) -> pyoxigraph.Store:
    """Create an on-disk store at ``path`` holding the sample articles, with the store's
    default graph as ``kg build`` keeps it: the merged graph of the articles, each triple once,
    without the evidence records and co-mention sets, which stay in their article's graph."""
    store = pyoxigraph.Store(str(path))
    store.load(EXPLORE_SAMPLE_TRIG.encode("utf-8"), format=pyoxigraph.RdfFormat.TRIG)
    local = " ".join(f"<{term}>" for term in ARTICLE_LOCAL_PROPERTIES)
    only = ", ".join(f"<{term}>" for term in ARTICLE_ONLY_PREDICATES)
    store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER NOT EXISTS {{ ?s ?mark [] VALUES ?mark {{ {local} }} }} "
                 f"FILTER(?p NOT IN ({only})) }} }}")
    store.flush()
    return store


@pytest.fixture(scope="session")
def explore_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of an on-disk store with the sample articles (closed again, so servers can open it)."""
    path = tmp_path_factory.mktemp("explore") / "store"
    explore_load_sample(path)
    return path


@pytest.fixture()
def explore_store(tmp_path: Path) -> pyoxigraph.Store:
    """A fresh writable store with the sample articles."""
    return explore_load_sample(tmp_path / "store")
