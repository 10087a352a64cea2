"""``kg stats``: what the store holds and how its entity network is shaped.

Counts by class and predicate come from SPARQL over the merged default graph, where the same
triple stated by several articles counts once; centrality, components and communities come from the
entity network of :mod:`kg.network`, which can also be exported as GraphML/GEXF.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

import networkx as nx

from kg.network import Filters, build_network, write_exports
from kg.query import select_rows, short_name

TYPE_COUNTS_QUERY = """
SELECT ?type (COUNT(?entity) AS ?count) WHERE { ?entity a ?type }
GROUP BY ?type ORDER BY DESC(?count) ?type"""

PREDICATE_COUNTS_QUERY = """
SELECT ?predicate (COUNT(*) AS ?count) WHERE { ?s ?predicate ?o }
GROUP BY ?predicate ORDER BY DESC(?count) ?predicate"""

GRAPH_COUNT_QUERY = "SELECT (COUNT(?g) AS ?count) WHERE { GRAPH ?g { ?g <https://w3id.org/kgzh/ontology#contentHash> ?hash } }"


def collect(store: Any, top: int = 10) -> tuple[dict[str, Any], nx.MultiDiGraph]:
    """All statistics as plain data, and the network they were computed on."""
    graph = build_network(store, Filters())
    weak = sorted(nx.weakly_connected_components(graph), key=len, reverse=True)
    communities: dict[int, list[str]] = {}
    for node, index in graph.nodes(data="community"):
        communities.setdefault(index, []).append(node)
    ranked = sorted(graph.nodes(data=True), key=lambda item: (-item[1]["pagerank"], item[0]))
    summary = {
        "article_graphs": next(select_rows(store, GRAPH_COUNT_QUERY))["count"],
        "types": {short_name(r["type"]): r["count"] for r in select_rows(store, TYPE_COUNTS_QUERY)},
        "predicates": {short_name(r["predicate"]): r["count"] for r in select_rows(store, PREDICATE_COUNTS_QUERY)},
        "entities": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "components": len(weak),
        "largest_component": len(weak[0]) if weak else 0,
        "top_entities": [
            {"iri": node, "label": data["label"], "type": data["type"],
             "pagerank": round(data["pagerank"], 5), "degree": data["degree"]}
            for node, data in ranked[:top]
        ],
        "communities": [
            {"size": len(members),
             "members": [graph.nodes[m]["label"]
                         for m in sorted(members, key=lambda m: (-graph.nodes[m]["degree"], m))[:5]]}
            for _, members in sorted(communities.items())[:top]
        ],
    }
    return summary, graph


def report(
    store: Any,
    graphml: Path | None = None,
    gexf: Path | None = None,
    top: int = 10,
    out: TextIO | None = None,
) -> dict[str, Any]:
    """Print the statistics to ``out`` (stdout), write the requested exports, return the data."""
    out = out or sys.stdout
    summary, graph = collect(store, top)
    write_exports(graph, graphml, gexf)
    out.write(f"article graphs: {summary['article_graphs']}\n")
    out.write(f"entities in the network: {summary['entities']}, edges: {summary['edges']}\n")
    out.write(f"weakly connected components: {summary['components']} "
              f"(largest: {summary['largest_component']} entities)\n")
    for title, counts in (("by type", summary["types"]), ("by predicate", summary["predicates"])):
        out.write(f"\n{title}:\n")
        out.writelines(f"  {count:>8}  {name}\n" for name, count in counts.items())
    out.write(f"\ntop {top} entities by PageRank:\n")
    out.writelines(
        f"  {e['pagerank']:.5f}  deg {e['degree']:>4}  {e['type']:<12} {e['label']}\n" for e in summary["top_entities"]
    )
    out.write(f"\ncommunities (Louvain): {len(set(nx.get_node_attributes(graph, 'community').values()))}\n")
    out.writelines(f"  {c['size']:>6}  {'、'.join(c['members'])}\n" for c in summary["communities"])
    for path in (graphml, gexf):
        if path is not None:
            out.write(f"\nwrote {path}\n")
    return summary
