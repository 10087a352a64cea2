"""Our vocabulary as one namespace object, read from ``ontology/kg.ttl``.

The ontology file is the single place our terms are defined: ``KG.term``
raises for a term the ontology does not declare, so code cannot drift from it.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, ClosedNamespace

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
KG_IRI = "https://w3id.org/kgzh/ontology#"
DEFAULT_BASE = "https://w3id.org/kgzh/id/"
PREFIXES = {
    "kg": KG_IRI,
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""The prefixes every serialisation and query of ours uses."""


def _declared_terms() -> list[str]:
    ontology = Graph().parse(ONTOLOGY_DIR / "kg.ttl")
    return sorted(
        str(s)[len(KG_IRI):] for s in set(ontology.subjects(RDF.type, None)) if str(s).startswith(KG_IRI)
    )


KG = ClosedNamespace(KG_IRI, _declared_terms())
