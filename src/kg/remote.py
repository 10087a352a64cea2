"""A SPARQL 1.1 endpoint as the store: the same methods as :class:`kg.store.Store`, over HTTP.

``kg build --store URL`` writes a batch of articles to an Oxigraph server as one N-Quads POST to
its ``/store`` (one transaction). Elsewhere it writes the merged graph's triples with one Graph
Store HTTP Protocol POST per batch and then each article graph with a PUT (Virtuoso's
``/sparql-graph-crud``), or with SPARQL Update where there is no Graph Store Protocol: a graph
present on the server always has its triples in the merged graph. A rebuilt article is
removed first by the same SPARQL Update as in the embedded store.

Servers differ in where the merged graph lives. Oxigraph (and other stores with a real
default graph) keep it in the default graph. Virtuoso has none (its default dataset is the
union of every graph, its own system graphs included), so there the merged graph is the named
graph ``urn:kg:merged`` and every query names it as its default graph (``default-graph-uri``).
Results come back as pyoxigraph objects, so ``kg query``, ``stats`` and ``viz`` work unchanged.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import IO, Any, Iterable, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from .store import PROV, QUAD_FORMATS, RDF_FORMATS, StoreError, removal_update
from .vocab import KG, PREFIXES

MERGED_GRAPH = "urn:kg:merged"
INSERT_CHUNK = 500
"""Triples per INSERT DATA request when the server has no Graph Store Protocol (Virtuoso refuses over 1,000)."""
TIMEOUT_S = 300
EXPORT_MEDIA = {
    "nt": "application/n-triples", "turtle": "text/turtle", "xml": "application/rdf+xml", "jsonld": "application/ld+json",
}
_PROLOGUE = re.compile(r"^(?:\s+|#[^\n]*\n|(?:PREFIX|BASE)\s+[^<]*<[^>]*>)*", re.IGNORECASE)


class RemoteStore:
    """A SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, or any with query and update)."""

    def __init__(self, url: str) -> None:
        self.location = url
        parts = urlsplit(url)
        root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        path = parts.path.rstrip("/")
        server = self._probe(url if path else f"{root}/query")
        self.virtuoso = "virtuoso" in server.lower()
        if self.virtuoso:
            self.query_url = self.update_url = url
            self.gsp_url: str | None = f"{root}/sparql-graph-crud"
        elif path in ("", "/query"):  # an Oxigraph server
            self.query_url, self.update_url, self.gsp_url = f"{root}/query", f"{root}/update", f"{root}/store"
        else:
            self.query_url = self.update_url = url
            self.gsp_url = None
        self.merged = MERGED_GRAPH if self.virtuoso else None
        self._hashes: dict[str, str] | None = None

    # --- HTTP ----------------------------------------------------------------------------

    def _probe(self, query_url: str) -> str:
        try:
            with urllib.request.urlopen(f"{query_url}?{urlencode({'query': 'ASK {}'})}", timeout=20) as reply:
                return reply.headers.get("Server", "")
        except (urllib.error.URLError, OSError) as error:
            raise StoreError(f"{self.location}: no SPARQL endpoint answers here ({_reason(error)}); check the URL and that the server runs") from error

    def _request(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None):
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            return urllib.request.urlopen(request, timeout=TIMEOUT_S)
        except urllib.error.HTTPError as error:
            detail = " ".join(error.read().decode("utf-8", "replace").split())[:300]
            raise StoreError(f"{self.location}: the server refused a request ({error.code} {error.reason}: {detail})") from error
        except (urllib.error.URLError, OSError) as error:
            raise StoreError(f"{self.location}: the server cannot be reached ({_reason(error)})") from error

    def _post_query(self, sparql: str, accept: str):
        form = {"query": sparql}
        if self.merged:
            form["default-graph-uri"] = self.merged
        return self._request(self.query_url, urlencode(form).encode(), {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})

    def update(self, sparql: str) -> None:
        with self._request(self.update_url, urlencode({"update": sparql}).encode(), {"Content-Type": "application/x-www-form-urlencoded"}):
            pass

    # --- queries --------------------------------------------------------------------------

    def query(self, sparql: str, substitutions: dict | None = None, **options: Any):
        """Run SPARQL on the server; results as pyoxigraph objects (as ``pyoxigraph.Store.query`` gives)."""
        if substitutions or options:
            raise StoreError(f"{self.location}: query options {sorted({*(substitutions or {}), *options})} are not supported on a remote store")
        kind = _query_kind(sparql)
        if kind in ("construct", "describe"):
            with self._post_query(sparql, "application/n-triples") as reply:
                memory = ox.Store()
                memory.load(reply.read(), ox.RdfFormat.N_TRIPLES)
            return memory.query("CONSTRUCT WHERE { ?s ?p ?o }")
        with self._post_query(sparql, "application/sparql-results+json") as reply:
            data = reply.read()
        if kind == "ask":
            data = _virtuoso_ask(data)
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)

    def _count(self, sparql: str) -> int:
        return int(next(iter(self.query(sparql)))["n"].value)

    def __len__(self) -> int:
        merged = f"GRAPH <{self.merged}> {{ ?s ?p ?o }}" if self.merged else "?s ?p ?o"
        articles = self._count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?g <{KG.contentHash}> ?h }} GRAPH ?g {{ ?s ?p ?o }} }}")
        return articles + self._count(f"SELECT (COUNT(*) AS ?n) WHERE {{ {merged} }}")

    def graph_hash(self, graph: str) -> str | None:
        if self._hashes is None:
            self._hashes = {}
            for solution in self.query(f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?g <{KG.contentHash}> ?h }} }}"):
                self._hashes[solution["g"].value] = solution["h"].value
        return self._hashes.get(str(graph))

    def article_graphs(self) -> Iterator[str]:
        for solution in self.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g <{KG.contentHash}> ?h }} }}"):
            yield solution["g"].value

    def count_other_extractors(self, agent: str) -> int:
        return self._count(
            f"SELECT (COUNT(?g) AS ?n) WHERE {{ GRAPH ?g {{ ?g <{PROV}wasGeneratedBy> ?run }} "
            f"OPTIONAL {{ ?run <{PROV}wasAssociatedWith> ?agent }} FILTER(!BOUND(?agent) || ?agent != <{agent}>) }}"
        )

    # --- writes -----------------------------------------------------------------------------

    def write(self, nquads: bytes, replacing: Iterable[str] = ()) -> None:
        """Remove the stored versions of ``replacing``, then write the merged graph's triples and
        then each article graph (so a graph on the server always has its merged triples)."""
        self.remove_graphs(replacing)
        if not nquads:
            return
        if self.gsp_url and not self.virtuoso:  # Oxigraph takes the whole batch as N-Quads in one request
            with self._request(self.gsp_url, nquads, {"Content-Type": "application/n-quads"}, "POST"):
                return
        graphs: dict[str, list[ox.Triple]] = {}
        for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
            name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
            graphs.setdefault(name, []).append(quad.triple)
        self._add(self.merged, graphs.pop("", []), replace=False)
        for name, triples in graphs.items():
            self._add(name, triples, replace=True)

    def _add(self, graph: str | None, triples: list[ox.Triple], replace: bool) -> None:
        if not triples:
            return
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if self.gsp_url:
            target = {"graph-uri" if self.virtuoso else "graph": graph} if graph else {"default": ""}
            url = f"{self.gsp_url}?{urlencode(target)}".rstrip("=")
            media = "text/turtle" if self.virtuoso else "application/n-triples"
            with self._request(url, body, {"Content-Type": f"{media}; charset=utf-8"}, "PUT" if replace else "POST"):
                return
        lines = body.decode("utf-8").splitlines()
        if replace and graph:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        for start in range(0, len(lines), INSERT_CHUNK):
            chunk = "\n".join(lines[start:start + INSERT_CHUNK])
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {chunk} }} }}" if graph else f"INSERT DATA {{ {chunk} }}")

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        update = removal_update(graphs, merged=self.merged)
        if update:
            self.update(update)

    def flush(self) -> None:
        """Nothing to do: the server persists each request."""

    def optimize(self) -> None:
        """Nothing to do: the server compacts its own storage."""

    def close(self) -> None:
        """Nothing to do: every request stands alone."""

    # --- export ------------------------------------------------------------------------------

    def export(self, out: IO[bytes], fmt: str) -> None:
        """Stream the merged graph (triple formats) or every graph (quad formats) from the server."""
        if fmt not in QUAD_FORMATS:
            with self._post_query("CONSTRUCT WHERE { ?s ?p ?o }", EXPORT_MEDIA[fmt]) as reply:
                while chunk := reply.read(1 << 20):
                    out.write(chunk)
            return
        if self.merged:
            quads = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{self.merged}> || EXISTS {{ GRAPH ?g {{ ?g <{KG.contentHash}> ?h }} }}) }}"
        else:
            quads = "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        memory = ox.Store()
        for solution in self.query(quads):
            graph = solution["g"]
            in_default = graph is None or graph.value == self.merged
            memory.add(ox.Quad(solution["s"], solution["p"], solution["o"], ox.DefaultGraph() if in_default else graph))
        memory.dump(out, RDF_FORMATS[fmt], prefixes=PREFIXES)


def _query_kind(sparql: str) -> str:
    """select, ask, construct or describe: the first keyword after the prologue."""
    word = re.match(r"\s*(\w+)", sparql[_PROLOGUE.match(sparql).end():])
    return word.group(1).lower() if word else "select"


def _virtuoso_ask(data: bytes) -> bytes:
    """Virtuoso answers ASK as a one-row SELECT of ``__ASK_RETVAL``; turn that into a boolean result."""
    result = json.loads(data)
    if "boolean" in result:
        return data
    bindings = result.get("results", {}).get("bindings", [])
    value = bool(bindings) and bindings[0].get("__ASK_RETVAL", {}).get("value") in ("1", "true")
    return json.dumps({"head": {}, "boolean": value}).encode()


def _reason(error: BaseException) -> str:
    return str(getattr(error, "reason", error))
