"""The persistent triple store: embedded Oxigraph, one named graph per article.

Each article is written in one transaction (drop its graph, insert the new one),
so after a crash an article's graph is either wholly there or absent, and an
unchanged article (same content hash) is not written at all.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Iterable

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from .jsonld import compact
from .vocab import KG, PREFIXES

DEFAULT_STORE = Path("output/store")

RDF_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
QUAD_FORMATS = {"nquads", "trig", "jsonld"}


class StoreError(Exception):
    """A store that cannot be opened or written, with what to do about it."""


class Store:
    """An Oxigraph store on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | str | None = DEFAULT_STORE, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self.oxigraph = ox.Store()
            elif read_only:
                if not self.path.is_dir():
                    raise StoreError(f"{self.path}: no store here; build one first with `kg build PATH --store {self.path}`")
                self.oxigraph = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.oxigraph = ox.Store(str(self.path))
        except OSError as error:
            raise StoreError(f"{self.path}: cannot open the store ({error}); is another kg process using it?") from error

    def __len__(self) -> int:
        return len(self.oxigraph)

    def graph_hash(self, graph: URIRef) -> str | None:
        """The content hash recorded in an article graph, or None if the graph is absent."""
        name = ox.NamedNode(str(graph))
        for quad in self.oxigraph.quads_for_pattern(name, ox.NamedNode(str(KG.contentHash)), None, name):
            return quad.object.value
        return None

    def replace_graph(self, dataset: Dataset) -> int:
        """Write each named graph of ``dataset`` in place of the stored one, one transaction each."""
        written = 0
        for graph in dataset.graphs():
            if graph.identifier == dataset.default_graph.identifier or len(graph) == 0:
                continue
            body = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
            name = f"<{graph.identifier}>"
            self.oxigraph.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}")
            written += len(graph)
        return written

    def query(self, sparql: str, substitutions: dict | None = None):
        """Run SPARQL over the union of all article graphs."""
        return self.oxigraph.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)

    def count_graphs(self) -> int:
        return sum(1 for _ in self.oxigraph.named_graphs())

    def export(self, out: IO[bytes], fmt: str) -> None:
        """Serialise the whole store; triple formats merge the article graphs (each triple once)."""
        if fmt == "jsonld":  # with our prefixes as a compact @context
            buffer = io.BytesIO()
            self.oxigraph.dump(buffer, RDF_FORMATS[fmt])
            out.write(compact(buffer.getvalue()))
            return
        if fmt in QUAD_FORMATS:
            self.oxigraph.dump(out, RDF_FORMATS[fmt], prefixes=PREFIXES)
            return
        triples = sorted({q.triple for q in self.oxigraph}, key=lambda t: (str(t.subject), str(t.predicate)))
        ox.serialize(triples, out, RDF_FORMATS[fmt], prefixes=PREFIXES)

    def remove_graphs(self, graphs: Iterable[URIRef]) -> None:
        for graph in graphs:
            self.oxigraph.remove_graph(ox.NamedNode(str(graph)))

    def flush(self) -> None:
        self.oxigraph.flush()
