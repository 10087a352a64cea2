"""Our vocabulary as one namespace object, read from ``ontology/kg.ttl``.

The ontology file is the single place our terms are defined: ``KG.term``
raises for a term the ontology does not declare, so code cannot drift from it.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import RDF, ClosedNamespace

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
KG_IRI = "https://w3id.org/kgzh/ontology#"
DEFAULT_BASE = "https://w3id.org/kgzh/id/"
ORG = Namespace("http://www.w3.org/ns/org#")


def _declared_terms() -> list[str]:
    ontology = Graph().parse(ONTOLOGY_DIR / "kg.ttl")
    return sorted(
        str(s)[len(KG_IRI):] for s in set(ontology.subjects(RDF.type, None)) if str(s).startswith(KG_IRI)
    )


KG = ClosedNamespace(KG_IRI, _declared_terms())
