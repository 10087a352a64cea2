"""JSON-LD with our prefixes as a compact ``@context``.

pyoxigraph writes expanded JSON-LD: every predicate, type and datatype as a full IRI, every
value in an array. :func:`compact` rewrites that output with the prefixes of
:data:`kg.vocab.PREFIXES` as the ``@context`` (``schema:Person``, ``rdfs:label``), ``rdf:type``
as ``@type`` and one-element arrays unwrapped. It is the same graph: a JSON-LD processor
expands it back to exactly the triples (or quads) it started from, and it is about half as long.
"""

from __future__ import annotations

import json
from typing import Any

from .vocab import PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
# Longest namespace first, so a prefix that is the start of another never wins wrongly.
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def compact_iri(iri: str) -> str:
    """``prefix:local`` for an IRI in one of our namespaces, else the IRI unchanged.

    A local part starting with ``//`` would read as an absolute IRI, so such IRIs stay whole.
    """
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def compact(expanded: bytes) -> bytes:
    """Compact pyoxigraph's expanded JSON-LD (a list of node objects) under our ``@context``."""
    nodes = json.loads(expanded or b"[]")
    document = {"@context": dict(PREFIXES), "@graph": [_node(node) for node in nodes]}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _node(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@id":
            out["@id"] = compact_iri(value)
        elif key == "@graph":
            out["@graph"] = [_node(member) for member in value]
        elif key == RDF_TYPE and all(set(item) == {"@id"} for item in value):
            out["@type"] = _single([compact_iri(item["@id"]) for item in value])
        elif key.startswith("@"):
            out[key] = value
        else:
            out[compact_iri(key)] = _single([_value(item) for item in value])
    return out


def _value(item: dict[str, Any]) -> Any:
    if "@id" in item:
        return {"@id": compact_iri(item["@id"])}
    if "@type" in item:
        return {**item, "@type": compact_iri(item["@type"])}
    if set(item) == {"@value"}:
        return item["@value"]
    return item


def _single(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values
