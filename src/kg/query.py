"""Run SPARQL on the store: ad-hoc queries and the saved queries in ``queries/*.rq``.

Everything that evaluates SPARQL for the explorer, the statistics and the endpoint goes
through :func:`execute` (dataset selection, base IRI, user errors as :class:`QueryError`) and
:func:`serialize` (row cap, cancellation, every result format), so they behave alike.
Saved-query parameters are bound as typed RDF literals in a VALUES clause (see
:func:`bind_params`): a value is never pasted into the query text as syntax.

The dataset a query sees (SPARQL 1.1 Query §13, Protocol §2.1.4): graphs given by the caller
(the protocol's ``default-graph-uri`` / ``named-graph-uri``) replace the query's own ``FROM`` /
``FROM NAMED``, as the Protocol requires; else the query's ``FROM`` / ``FROM NAMED``; else the
store's default dataset (:data:`STORE_DEFAULT_DATASET`). For updates, :func:`prepare_update`
applies ``using-graph-uri`` / ``using-named-graph-uri`` as USING clauses and refuses them next
to the update's own USING or WITH (Protocol §2.2.3).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pyoxigraph as ox

from .jsonld import compact
from .vocab import PREFIXES

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"

RESULT_FORMATS = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values"),
}
GRAPH_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}
SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
CLI_FORMATS = ("table", "csv", "tsv", "json")

# The dataset of a query that names none: the union of the article graphs.
STORE_DEFAULT_DATASET: dict[str, Any] = {}


class QueryError(ValueError):
    """A problem the user caused (bad SPARQL, unknown saved query, bad parameter); one line."""


class ResultCapExceeded(QueryError):
    """The query produced more rows or triples than the configured cap."""


class DatasetConflict(QueryError):
    """Protocol dataset parameters next to an update's own USING/WITH (SPARQL Protocol §2.2.3)."""


class QueryCancelled(Exception):
    """Evaluation was abandoned because its caller stopped waiting (timeout)."""


def oxigraph_of(store: Any) -> ox.Store:
    """The pyoxigraph store behind ``store`` (a ``kg.store.Store`` or a pyoxigraph ``Store``)."""
    return getattr(store, "oxigraph", store)


def execute(
    store: Any,
    sparql: str,
    substitutions: dict[str, ox.Literal] | None = None,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    base_iri: str | None = None,
) -> Any:
    """Evaluate a SPARQL query; see the module docstring for which dataset it sees.

    ``default_graphs`` / ``named_graphs`` are graph IRIs (either given alone leaves the other
    empty, as in the Protocol); ``base_iri`` resolves relative IRIs in the query.
    Returns pyoxigraph's ``QuerySolutions``, ``QueryTriples`` or ``QueryBoolean``.
    """
    options = dataset_arguments(sparql, default_graphs, named_graphs)
    if base_iri:
        options["base_iri"] = base_iri
    if substitutions:
        options["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
    try:
        return oxigraph_of(store).query(sparql, **options)  # a remote store takes no options
    except SyntaxError as error:
        raise QueryError(f"invalid SPARQL: {_one_line(error)}") from None
    except RuntimeError as error:
        raise QueryError(f"query failed: {_one_line(error)}") from None


def dataset_arguments(
    sparql: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
) -> dict[str, Any]:
    """pyoxigraph's dataset keywords: the caller's graphs, else the query's FROM, else the store's default."""
    if default_graphs is not None or named_graphs is not None:
        return {"default_graph": [graph_node(g) for g in default_graphs or ()],
                "named_graphs": [graph_node(g) for g in named_graphs or ()]}
    if "FROM" in top_level_keywords(sparql):
        return {}
    return dict(STORE_DEFAULT_DATASET)


def graph_node(iri: str) -> ox.NamedNode:
    """A graph name given by a client, or a QueryError naming it."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise QueryError(f"{iri!r} is not a valid graph IRI") from None


# ------------------------------------------------------------------ a small SPARQL lexer

_TOKENS = re.compile(
    r'''(?P<skip>\#[^\n]*|\s+)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
                   |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$]\w+)
      | (?P<word>[^\W\d]\w*(?:[.-]+\w+)*(?::[^\s{}()<>,;]*)?|:[^\s{}()<>,;]*)
      | (?P<open>\{)
      | (?P<close>\})
      | (?P<other>.)''',
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One lexical token and the number of braces around it."""

    kind: str
    text: str
    start: int
    end: int
    depth: int


def tokens(sparql: str) -> list[Token]:
    """The tokens of a query or update with their brace depth; comments and space dropped.

    Just enough of SPARQL's lexical grammar to tell keywords from strings, IRIs, variables,
    prefixed names and comments that contain the same letters. A brace token has the depth
    of the text around it.
    """
    found: list[Token] = []
    depth = 0
    for match in _TOKENS.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind == "skip":
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
        found.append(Token(kind, match.group(0), match.start(), match.end(), depth))
        if kind == "open":
            depth += 1
    return found


def top_level_keywords(sparql: str) -> list[str]:
    """Upper-cased keywords outside every brace: FROM in a query; USING, WITH, LOAD in an update."""
    return [t.text.upper() for t in tokens(sparql) if t.kind == "word" and t.depth == 0 and ":" not in t.text]


def prepare_update(sparql: str, using_graphs: Sequence[str] = (), using_named_graphs: Sequence[str] = ()) -> str:
    """The update with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` applied.

    Each operation with a WHERE clause gets the graphs as USING / USING NAMED clauses
    (``DELETE WHERE {P}`` is written as its equivalent ``DELETE {P} USING … WHERE {P}``,
    because the short form takes no USING). Raises :class:`DatasetConflict` when the update
    has its own USING or WITH: the Protocol makes that combination an error.
    """
    if not using_graphs and not using_named_graphs:
        return sparql
    if {"USING", "WITH"} & set(top_level_keywords(sparql)):
        raise DatasetConflict(
            "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH in the update")
    clause = " ".join([f"USING {graph_node(g)}" for g in using_graphs]
                      + [f"USING NAMED {graph_node(g)}" for g in using_named_graphs])
    found = tokens(sparql)
    pieces, last = [], 0
    for index, token in enumerate(found):
        if token.kind != "word" or token.depth != 0 or token.text.upper() != "WHERE":
            continue
        if index and found[index - 1].text.upper() == "DELETE":
            pattern = sparql[token.end:_group_end(found, index + 1)]
            pieces.append(sparql[last:token.start] + f"{pattern} {clause} WHERE")
        else:
            pieces.append(sparql[last:token.start] + f"{clause} WHERE")
        last = token.end
    return "".join(pieces) + sparql[last:]


def _group_end(found: list[Token], first: int) -> int:
    """The end offset of the brace group whose opening brace is token ``first``."""
    for token in found[first + 1:]:
        if token.kind == "close" and token.depth == 0:
            return token.end
    raise QueryError("invalid SPARQL Update: unbalanced braces after DELETE WHERE")


def select_rows(store: Any, sparql: str) -> Iterator[dict[str, Any]]:
    """Yield each SELECT solution as ``{variable: python value}`` (IRIs and literals as str, numbers as numbers)."""
    solutions = execute(store, sparql)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield {name: python_value(solution[name]) for name in names}


def python_value(term: Any) -> Any:
    """A plain Python value for an RDF term: ``None``, ``int``/``float`` for numeric literals, else ``str``."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        try:
            if datatype in {"integer", "int", "long", "nonNegativeInteger"}:
                return int(term.value)
            if datatype in {"decimal", "double", "float"}:
                return float(term.value)
        except ValueError:
            return term.value
    return term.value


def query_kind(results: Any) -> str:
    """'select', 'graph' (CONSTRUCT/DESCRIBE) or 'ask' for a pyoxigraph result object."""
    if isinstance(results, ox.QuerySolutions):
        return "select"
    if isinstance(results, ox.QueryTriples):
        return "graph"
    return "ask"


def serialize(
    results: Any,
    fmt: str,
    max_results: int | None = None,
    cancelled: threading.Event | None = None,
) -> bytes:
    """Serialize query results in ``fmt`` (a key of RESULT_FORMATS or GRAPH_FORMATS).

    Serialization is pyoxigraph's own, streamed through a :class:`_Guard` first as a
    line-per-row format (TSV, or N-Triples for graphs) so rows can be counted as they are
    produced: more than ``max_results`` raises :class:`ResultCapExceeded` and a set
    ``cancelled`` event raises :class:`QueryCancelled`, both without evaluating the rest.
    The lines are then converted to ``fmt`` natively (a cheap second pass).
    """
    kind = query_kind(results)
    if kind == "ask":
        return results.serialize(format=RESULT_FORMATS[fmt if fmt in {"json", "xml"} else "json"][0])
    guard = _Guard(max_results, cancelled, "rows" if kind == "select" else "triples",
                   header_lines=1 if kind == "select" else 0)
    if kind == "graph":
        results.serialize(guard, format=ox.RdfFormat.N_TRIPLES)
        if fmt == "ntriples":
            return guard.data()
        return ntriples_as(guard.data(), fmt)
    results.serialize(guard, format=ox.QueryResultsFormat.TSV)
    if fmt == "tsv":
        return guard.data()
    solutions = ox.parse_query_results(guard.data(), format=ox.QueryResultsFormat.TSV)
    return solutions.serialize(format=RESULT_FORMATS[fmt][0])


def ntriples_as(data: bytes, fmt: str) -> bytes:
    """N-Triples converted to a key of GRAPH_FORMATS, with our prefixes (in JSON-LD as its @context)."""
    if fmt == "ntriples":
        return data
    triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "jsonld":
        return compact(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]")
    return ox.serialize(triples, format=GRAPH_FORMATS[fmt][0], prefixes=PREFIXES) or b""


class _Guard:
    """A binary sink for pyoxigraph's serializers that counts lines and enforces cap and cancel."""

    def __init__(self, max_results: int | None, cancelled: threading.Event | None, what: str, header_lines: int) -> None:
        self.limit = None if max_results is None else max_results + header_lines
        self.cancelled, self.what, self.max_results = cancelled, what, max_results
        self.lines = 0
        self.chunks: list[bytes] = []

    def write(self, chunk: bytes) -> int:
        if self.cancelled is not None and self.cancelled.is_set():
            raise QueryCancelled()
        self.lines += chunk.count(b"\n")
        if self.limit is not None and self.lines > self.limit:
            raise ResultCapExceeded(
                f"the query returns more than {self.max_results} {self.what}; add a LIMIT or narrow it down"
            )
        self.chunks.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: chunks are kept in memory."""

    def data(self) -> bytes:
        return b"".join(self.chunks)


@dataclass(frozen=True)
class SavedQuery:
    """A ``queries/NAME.rq`` file: its text and the header comments describing it."""

    name: str
    title: str
    description: str
    params: dict[str, str]
    sparql: str


def saved_queries(directory: Path = QUERIES_DIR) -> dict[str, SavedQuery]:
    """All saved queries by name (the file name without ``.rq``), sorted by name."""
    return {path.stem: _parse_saved(path) for path in sorted(directory.glob("*.rq"))}


def _parse_saved(path: Path) -> SavedQuery:
    """Read the ``# title:``, ``# description:`` (continued by indented comment lines) and
    ``# param: NAME  help`` header lines of a saved query; other comments are notes."""
    fields: dict[str, str] = {"title": path.stem, "description": ""}
    params: dict[str, str] = {}
    last = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header = re.match(r"#\s*(title|description|param):\s*(.*)", line)
        if header is None:
            if last == "description" and re.match(r"#\s{2,}\S", line):
                fields["description"] += " " + line.lstrip("# ").strip()
            else:
                last = ""
            continue
        last, value = header.group(1), header.group(2).strip()
        if last == "param":
            name, _, help_text = value.partition(" ")
            params[name] = help_text.strip()
        else:
            fields[last] = value
    text = path.read_text(encoding="utf-8")
    for name in params:
        if _values_marker(name) not in text:
            raise QueryError(f"{path}: parameter {name!r} needs a line '{_values_marker(name)}' in the query")
    return SavedQuery(path.stem, fields["title"], fields["description"], params, text)


def bind_params(query: SavedQuery, params: dict[str, str]) -> str:
    """The saved query's text with each parameter bound as typed RDF literals.

    A parameter ``name`` is declared in the query as ``VALUES ?name { UNDEF }`` (so the file
    runs as is, matching everything) and bound by replacing that clause with one listing the
    value as a plain and as a ``@zh`` literal, written by pyoxigraph's term serializer: the
    value is escaped as an RDF literal and can never become query syntax. A VALUES clause
    rather than pyoxigraph ``substitutions`` because Oxigraph applies substitutions after
    evaluation, which turns a name lookup into a scan of every label.
    """
    unknown = sorted(set(params) - set(query.params))
    if unknown:
        raise QueryError(
            f"saved query {query.name!r} has no parameter {unknown[0]!r}"
            f" (it takes: {', '.join(query.params) or 'none'})"
        )
    missing = [name for name in query.params if name not in params]
    if missing:
        raise QueryError(f"saved query {query.name!r} needs --param {missing[0]}=VALUE")
    text = query.sparql
    for name, value in params.items():
        literals = f"{ox.Literal(value)} {ox.Literal(value, language='zh')}"
        text = text.replace(_values_marker(name), f"VALUES ?{name} {{ {literals} }}")
    return text


def _values_marker(name: str) -> str:
    return f"VALUES ?{name} {{ UNDEF }}"


def get_saved(name: str) -> SavedQuery:
    """The saved query called ``name``, or a QueryError listing the known names."""
    queries = saved_queries()
    if name not in queries:
        raise QueryError(f"unknown saved query {name!r} (known: {', '.join(queries)})")
    return queries[name]


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """Turn CLI ``KEY=VALUE`` strings into a dict (keys lower-cased)."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"bad --param {pair!r}: expected KEY=VALUE")
        params[key.strip().lower()] = value
    return params


def run(store: Any, sparql: str, fmt: str = "table", out: TextIO | None = None) -> int:
    """Run ``sparql`` on the store and write the results to ``out`` (stdout by default).

    ``fmt`` is one of table, csv, tsv, json; CONSTRUCT/DESCRIBE results are written as
    Turtle (JSON-LD for ``json``). Returns the number of rows or triples written.
    """
    return _write(execute(store, sparql), fmt, out)


def run_saved(
    store: Any, name: str, params: dict[str, str] | None = None, fmt: str = "table", out: TextIO | None = None
) -> int:
    """Run the saved query ``name`` with ``params`` bound as literals; see :func:`run`."""
    return _write(execute(store, bind_params(get_saved(name), params or {})), fmt, out)


def _write(results: Any, fmt: str, out: TextIO | None) -> int:
    out = out or sys.stdout
    if fmt not in CLI_FORMATS:
        raise QueryError(f"unknown format {fmt!r} (choose from {', '.join(CLI_FORMATS)})")
    kind = query_kind(results)
    if kind == "ask":
        out.write(("true" if bool(results) else "false") + "\n")
        return 1
    if kind == "graph":
        triples = list(results)
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        out.write(ntriples_as(data, "jsonld" if fmt == "json" else "turtle").decode("utf-8"))
        return len(triples)
    if fmt != "table":
        data = serialize(results, fmt).decode("utf-8")
        out.write(data if data.endswith("\n") else data + "\n")
        return data.count("\n") - 1 if fmt != "json" else len(json.loads(data)["results"]["bindings"])
    return _write_table(results, out)


def _write_table(solutions: ox.QuerySolutions, out: TextIO) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(*[v.value for v in solutions.variables], show_lines=False)
    count = 0
    for solution in solutions:
        table.add_row(*[_cell(solution[v]) for v in solutions.variables])
        count += 1
    Console(file=out, width=200).print(table)
    out.write(f"{count} rows\n")
    return count


def _cell(term: Any) -> str:
    """A compact display form: prefixed names for IRIs, plain text for literals."""
    if term is None:
        return ""
    return short_name(term.value) if isinstance(term, ox.NamedNode) else term.value


def short_name(iri: str) -> str:
    """``prefix:local`` for an IRI in one of our namespaces, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
