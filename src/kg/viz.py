"""``kg viz``: a single self-contained HTML explorer of the entity network.

The page inlines vis-network (the standalone build that ships inside the pyvis package,
dual-licensed Apache-2.0/MIT) and our own script and style from ``kg/assets``, so opening
it makes no network request at all. The graph travels as JSON in a
``<script type="application/json">`` element.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import pyvis

from kg.network import COMENTION_LABEL, RELATION_COLOURS, RELATIONS, TYPE_NAMES_ZH, Filters, prefilter, read_network

ASSETS = Path(__file__).resolve().parent / "assets"
VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
TYPE_COLOURS = {"Person": "#e4572e", "Place": "#17a398", "Organization": "#f2b705", "Programme": "#6c8ead"}
SIZE_MEASURES = ("pagerank", "degree")
# Above this many nodes the browser's force simulation is too slow to run on load: the page
# gets precomputed positions instead and draws without physics or edge labels.
PRECOMPUTED_LAYOUT_ABOVE = 1000
DEFAULT_TOP = 2000
"""Entities kept by default from a larger network (by PageRank): more is no longer readable,
and the page stays interactive within seconds."""
NODE_SPACING = 40.0
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def write_explorer(
    store: Any,
    out: Path,
    top: int | None = None,
    focus: str | None = None,
    hops: int = 1,
    types: list[str] | None = None,
    size_by: str = "pagerank",
    title: str = "知识图谱浏览器",
) -> dict[str, Any]:
    """Build the network from the store (with the prefilters) and write the explorer to ``out``.

    Without ``top`` or ``focus``, a network of more than ``DEFAULT_TOP`` entities is cut to the
    ``DEFAULT_TOP`` most central ones. Returns ``{"path", "nodes", "edges", "total_nodes",
    "total_edges", "left_out"}``; ``left_out`` says what was cut, for the caller to report.
    """
    full = read_network(store)
    if top is None and focus is None and full.number_of_nodes() > DEFAULT_TOP:
        top = DEFAULT_TOP
    graph = prefilter(full, Filters(top=top, focus=focus, hops=hops, types=types))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(explorer_html(graph, title=title, size_by=size_by), encoding="utf-8")
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    left_out = ""
    if nodes < full.number_of_nodes():
        left_out = (f"left out {full.number_of_nodes() - nodes:,} of {full.number_of_nodes():,} entities and "
                    f"{full.number_of_edges() - edges:,} of {full.number_of_edges():,} edges")
    return {"path": str(out), "nodes": nodes, "edges": edges, "total_nodes": full.number_of_nodes(),
            "total_edges": full.number_of_edges(), "left_out": left_out}


def explorer_html(
    graph: nx.MultiDiGraph,
    title: str = "知识图谱浏览器",
    size_by: str = "pagerank",
    href: Callable[[str], str] = lambda iri: iri,
) -> str:
    """The explorer page for ``graph``; ``href`` maps an entity IRI to the link of its page."""
    if size_by not in SIZE_MEASURES:
        raise ValueError(f"size_by must be one of {', '.join(SIZE_MEASURES)}")
    payload = json.dumps(graph_payload(graph, size_by, href), ensure_ascii=False, separators=(",", ":"))
    replacements = {
        "/*__VIS_CSS__*/": (VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        "/*__VIS_JS__*/": (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
        "/*__EXPLORER_CSS__*/": (ASSETS / "explorer.css").read_text(encoding="utf-8"),
        "/*__EXPLORER_JS__*/": (ASSETS / "explorer.js").read_text(encoding="utf-8"),
        "__GRAPH_DATA__": _script_safe(payload),
        "__TITLE__": html.escape(title),
    }
    placeholders = re.compile("|".join(re.escape(key) for key in replacements))
    template = (ASSETS / "explorer.html").read_text(encoding="utf-8")
    return placeholders.sub(lambda match: replacements[match.group(0)], template)


def graph_payload(graph: nx.MultiDiGraph, size_by: str, href: Callable[[str], str]) -> dict[str, Any]:
    """The JSON the page's script reads: nodes, edges, type legend and relation filters."""
    present_types = {t for _, t in graph.nodes(data="type")}
    edges = [
        {
            "from": source,
            "to": target,
            "label": data["label"],
            "relation": RELATIONS.get(data["predicate"], COMENTION_LABEL),
            "weight": data["weight"],
            "evidence": data["evidence"],
        }
        for source, target, data in graph.edges(data=True)
    ]
    relation_order = [*dict.fromkeys(RELATIONS.values()), COMENTION_LABEL]
    present_relations = {e["relation"] for e in edges}
    positions = community_layout(graph) if graph.number_of_nodes() > PRECOMPUTED_LAYOUT_ABOVE else {}
    return {
        "sizeBy": size_by,
        "precomputedLayout": bool(positions),
        "comention": COMENTION_LABEL,
        "types": [
            {"key": key, "name": name, "colour": TYPE_COLOURS[key]}
            for key, name in TYPE_NAMES_ZH.items()
            if key in present_types
        ],
        "relations": [{"key": r, "colour": RELATION_COLOURS.get(r, "#c8c8c8")} for r in relation_order if r in present_relations],
        "nodes": [
            {
                "id": node,
                "label": data["label"],
                "type": data["type"],
                "aliases": data["aliases"],
                "code": data["division_code"],
                "level": data["division_level"],
                "pagerank": round(data["pagerank"], 6),
                "degree": data["degree"],
                "community": data["community"],
                "href": href(node),
                **({"x": positions[node][0], "y": positions[node][1]} if positions else {}),
            }
            for node, data in graph.nodes(data=True)
        ],
        "edges": edges,
    }


def community_layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions in linear time: communities on a sunflower spiral, largest in the middle,
    and each community's members on a small sunflower around its centre, hubs first.

    Sunflower (Vogel) spirals give each point the same area, so a community's disc grows
    with the square root of its size and neither level overlaps much.
    """
    communities: dict[int, list[str]] = {}
    for node, index in graph.nodes(data="community"):
        communities.setdefault(index, []).append(node)
    ordered = sorted(communities.values(), key=lambda members: (-len(members), min(members)))
    positions: dict[str, tuple[float, float]] = {}
    area_before = 0.0
    for rank, members in enumerate(ordered):
        radius = NODE_SPACING * 1.6 * math.sqrt(area_before + len(members) / 2)
        centre = (radius * math.cos(rank * GOLDEN_ANGLE), radius * math.sin(rank * GOLDEN_ANGLE))
        area_before += len(members)
        hubs_first = sorted(members, key=lambda n: (-graph.nodes[n]["degree"], n))
        for index, node in enumerate(hubs_first):
            r = NODE_SPACING * math.sqrt(index)
            positions[node] = (round(centre[0] + r * math.cos(index * GOLDEN_ANGLE), 1),
                               round(centre[1] + r * math.sin(index * GOLDEN_ANGLE), 1))
    return positions


def _script_safe(json_text: str) -> str:
    """Escape '<' (only ever inside JSON strings) so the data cannot close its <script> element."""
    return json_text.replace("<", "\\u003c")
