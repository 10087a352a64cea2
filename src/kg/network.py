"""The entity network: people, places, organisations and programmes as a networkx graph.

Nodes are entities (type, label, aliases, division code); edges are the relation triples of
the data model, each with a Chinese label and up to three evidence sentences with the
headline of their article, plus co-mention edges weighted by the number of sentences naming
both ends, over all articles.
A person's post is drawn as an edge from the person to the unit the post is in, labelled
with the post ("书记"), because posts are not entities of their own in the picture.

Everything is read from the store's merged default graph, where each triple is stated once;
evidence is read from the article graphs, which say which article it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg.query import SPARQL_PREFIXES, QueryError, select_rows
from kg.resources import predicates

SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
KG_NS = "https://w3id.org/kgzh/ontology#"

# Entity classes in priority order (an AdministrativeArea is also a schema:Place).
ENTITY_TYPES = {
    "Person": SCHEMA + "Person",
    "Place": SCHEMA + "Place",
    "Organization": SCHEMA + "Organization",
    "Programme": KG_NS + "Programme",
}
TYPE_NAMES_ZH = {"Person": "人物", "Place": "地点", "Organization": "机构", "Programme": "项目"}

# Relation predicates between entities and how the explorer names and colours them (predicates.toml).
RELATIONS = {p.iri: p.label_zh for p in predicates().values() if p.between_entities}
RELATION_COLOURS = {p.label_zh: p.colour for p in predicates().values() if p.between_entities}
COMENTION = "comention"
COMENTION_LABEL = "共现"
MAX_EVIDENCE = 3

ENTITIES_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?entity ?type WHERE {
  VALUES ?type { %s }
  ?entity a ?type .
}""" % " ".join(f"<{iri}>" for iri in ENTITY_TYPES.values())

NAMES_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?entity ?property ?name WHERE {
  VALUES ?property { rdfs:label skos:altLabel kg:divisionCode kg:divisionLevel }
  ?entity ?property ?name .
}"""

RELATIONS_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?subject ?predicate ?object WHERE {
  VALUES ?predicate { %s }
  ?subject ?predicate ?object .
}""" % " ".join(f"<{iri}>" for iri in RELATIONS if iri != ORG + "holds")

POSTS_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?person ?post ?postName ?unit WHERE {
  ?person org:holds ?post .
  ?post org:postIn ?unit .
  OPTIONAL { ?post rdfs:label ?postName }
}"""

EVIDENCE_QUERY = SPARQL_PREFIXES + """
SELECT ?subject ?predicate ?object ?text ?article ?headline WHERE {
  GRAPH ?graph {
    ?assertion rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object ; kg:evidenceText ?text .
    ?graph prov:wasDerivedFrom ?article .
  }
  OPTIONAL { ?article schema:headline ?headline }
}"""

# A co-mention node holds the entities one sentence names, in its article's graph; a pair's
# weight is the number of nodes holding both.
COMENTIONS_QUERY = SPARQL_PREFIXES + """
SELECT ?a ?b (COUNT(?comention) AS ?total) WHERE {
  GRAPH ?article { ?comention kg:participant ?a, ?b }
  FILTER(STR(?a) < STR(?b))
}
GROUP BY ?a ?b"""


class NetworkError(QueryError):
    """A prefilter the user asked for cannot be met (unknown type, no entity of that name)."""


@dataclass
class Filters:
    """Which part of the network to keep: entity types, the neighbourhood of a named
    entity (``focus`` within ``hops``), then the ``top`` entities by PageRank."""

    top: int | None = None
    focus: str | None = None
    hops: int = 1
    types: list[str] | None = None


def build_network(store: Any, filters: Filters | None = None) -> nx.MultiDiGraph:
    """Read the entity network from the store, apply ``filters`` and add centrality.

    Node attributes: iri, type, label, aliases (list), division_code, division_level,
    pagerank, degree, community. Edge attributes: predicate (IRI or 'comention'),
    label, weight, evidence (list of {text, article, headline}).
    """
    return prefilter(read_network(store), filters or Filters())


def prefilter(graph: nx.MultiDiGraph, filters: Filters) -> nx.MultiDiGraph:
    """Apply ``filters`` to a network read by :func:`read_network` and add centrality."""
    graph = apply_filters(graph, filters)
    annotate_centrality(graph)
    return graph


def read_network(store: Any) -> nx.MultiDiGraph:
    """The whole entity network of the store, before filters and centrality."""
    graph = nx.MultiDiGraph()
    type_names = {iri: name for name, iri in ENTITY_TYPES.items()}
    rank = {name: index for index, name in enumerate(ENTITY_TYPES)}
    for row in select_rows(store, ENTITIES_QUERY):
        type_name = type_names[row["type"]]
        current = graph.nodes.get(row["entity"])
        if current is None or rank[type_name] < rank[current["type"]]:
            graph.add_node(row["entity"], iri=row["entity"], type=type_name, label="", aliases=[],
                           division_code="", division_level="")
    _add_names(graph, store)
    evidence = _read_evidence(store)
    for row in select_rows(store, RELATIONS_QUERY):
        key = (row["subject"], row["predicate"], row["object"])
        _add_relation(graph, row["subject"], row["object"], row["predicate"],
                      RELATIONS[row["predicate"]], evidence.get(key, []))
    for row in select_rows(store, POSTS_QUERY):
        key = (row["person"], ORG + "holds", row["post"])
        _add_relation(graph, row["person"], row["unit"], ORG + "holds",
                      row["postName"] or RELATIONS[ORG + "holds"], evidence.get(key, []))
    for row in select_rows(store, COMENTIONS_QUERY):
        if row["a"] in graph and row["b"] in graph:
            graph.add_edge(row["a"], row["b"], key=COMENTION, predicate=COMENTION,
                           label=COMENTION_LABEL, weight=int(row["total"]), evidence=[])
    return graph


def _add_names(graph: nx.MultiDiGraph, store: Any) -> None:
    for row in select_rows(store, NAMES_QUERY):
        node = graph.nodes.get(row["entity"])
        if node is None:
            continue
        prop, value = row["property"].rsplit("#", 1)[-1], str(row["name"])
        if prop == "label" and not node["label"]:
            node["label"] = value
        elif prop in {"label", "altLabel"} and value not in node["aliases"]:
            node["aliases"].append(value)
        elif prop == "divisionCode":
            node["division_code"] = value
        elif prop == "divisionLevel":
            node["division_level"] = value
    for iri, node in graph.nodes(data=True):
        node["label"] = node["label"] or iri.rstrip("/").rsplit("/", 1)[-1]
        node["aliases"] = sorted(alias for alias in node["aliases"] if alias != node["label"])


def _read_evidence(store: Any) -> dict[tuple[str, str, str], list[dict[str, str]]]:
    evidence: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in select_rows(store, EVIDENCE_QUERY):
        found = evidence[(row["subject"], row["predicate"], row["object"])]
        if len(found) < MAX_EVIDENCE and all(item["text"] != row["text"] for item in found):
            found.append({"text": row["text"], "article": row["article"] or "", "headline": row["headline"] or ""})
    return evidence


def _add_relation(graph: nx.MultiDiGraph, source: str, target: str, predicate: str,
                  label: str, evidence: list[dict[str, str]]) -> None:
    """Add one relation edge between two known entities (edges to non-entities are skipped)."""
    if source not in graph or target not in graph:
        return
    key = f"{predicate}|{label}"
    if graph.has_edge(source, target, key):
        graph.edges[source, target, key]["evidence"] = (graph.edges[source, target, key]["evidence"] + evidence)[:MAX_EVIDENCE]
        return
    graph.add_edge(source, target, key=key, predicate=predicate, label=label, weight=1, evidence=list(evidence))


def apply_filters(graph: nx.MultiDiGraph, filters: Filters) -> nx.MultiDiGraph:
    """Keep the requested types, then the focus neighbourhood, then the top N by PageRank."""
    if filters.types:
        unknown = sorted(set(filters.types) - set(ENTITY_TYPES))
        if unknown:
            raise NetworkError(f"unknown entity type {unknown[0]!r} (choose from {', '.join(ENTITY_TYPES)})")
        graph = graph.subgraph(n for n, t in graph.nodes(data="type") if t in filters.types).copy()
    if filters.focus:
        centres = find_nodes(graph, filters.focus)
        if not centres:
            raise NetworkError(f"no entity is called {filters.focus!r}")
        undirected = graph.to_undirected(as_view=True)
        keep: set[str] = set()
        for centre in centres:
            keep |= set(nx.single_source_shortest_path_length(undirected, centre, cutoff=max(filters.hops, 0)))
        graph = graph.subgraph(keep).copy()
    if filters.top is not None and graph.number_of_nodes() > filters.top:
        ranks = nx.pagerank(weighted_simple_graph(graph), weight="weight")
        best = sorted(ranks, key=lambda n: (-ranks[n], n))[: max(filters.top, 0)]
        graph = graph.subgraph(best).copy()
    return graph


def find_nodes(graph: nx.MultiDiGraph, name: str) -> list[str]:
    """Entities whose label or alias is ``name``; failing that, whose IRI is ``name``."""
    exact = [n for n, d in graph.nodes(data=True) if name == d["label"] or name in d["aliases"]]
    return exact or ([name] if name in graph else [])


def weighted_simple_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """Collapse parallel and opposite edges into one undirected edge with summed weight."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for source, target, weight in graph.edges(data="weight", default=1):
        if source == target:
            continue
        previous = simple.get_edge_data(source, target, {"weight": 0})["weight"]
        simple.add_edge(source, target, weight=previous + weight)
    return simple


def annotate_centrality(graph: nx.MultiDiGraph, seed: int = 1) -> None:
    """Set node attributes pagerank, degree (distinct neighbours) and community (index,
    largest community first, from Louvain modularity on the weighted undirected network)."""
    simple = weighted_simple_graph(graph)
    ranks = nx.pagerank(simple, weight="weight") if simple.number_of_nodes() else {}
    communities = sorted(nx.community.louvain_communities(simple, weight="weight", seed=seed),
                         key=lambda c: (-len(c), min(c))) if simple.number_of_nodes() else []
    for index, members in enumerate(communities):
        for node in members:
            graph.nodes[node]["community"] = index
    for node in graph.nodes:
        graph.nodes[node]["pagerank"] = float(ranks.get(node, 0.0))
        graph.nodes[node]["degree"] = simple.degree(node)


def write_exports(graph: nx.MultiDiGraph, graphml: Path | None = None, gexf: Path | None = None) -> None:
    """Write GraphML and/or GEXF; lists (aliases, evidence) become text since neither format has lists."""
    flat = flatten_for_export(graph)
    if graphml is not None:
        nx.write_graphml(flat, graphml, encoding="utf-8")
    if gexf is not None:
        nx.write_gexf(flat, gexf, encoding="utf-8")


def flatten_for_export(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attribute values are all strings or numbers."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{**data, "aliases": "；".join(data["aliases"])})
    for source, target, key, data in graph.edges(keys=True, data=True):
        evidence = " | ".join(f"{e['text']}（{e['headline']}）" for e in data["evidence"])
        flat.add_edge(source, target, key=key, **{**data, "evidence": evidence})
    return flat
