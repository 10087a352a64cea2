"""``kg serve``: a SPARQL 1.1 Protocol endpoint, the explorer and entity pages over HTTP.

Built on the standard library's ThreadingHTTPServer. Routes:

* ``/sparql``: GET/POST queries (form or direct body), results by Accept (JSON, XML, CSV, TSV;
  Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE); without a query, an HTML query page.
* ``/queries/NAME``: a saved query, its parameters taken from the URL query string.
* ``/``: the network explorer. ``/<base path>/…`` (e.g. ``/id/person/张三``): entity pages as
  HTML, Turtle or JSON-LD.

pyoxigraph cannot interrupt a running query, and some queries even abort the whole process
(pyoxigraph 0.5.13 panics on ORDER BY over certain mixes of value types). So on a read-only
endpoint, client SPARQL runs in a pool of worker processes that each open the store read-only
(:class:`ProcessRunner`): a query past ``timeout_s`` gets a 504 and its worker is killed and
replaced, a crash gets a 500 and a replacement, and other queries go on in the other workers.
With ``--allow-update`` the store is opened for writing, which rules out other processes
opening it, so queries then run on abandonable daemon threads (:class:`ThreadRunner`;
pyoxigraph releases the GIL while it evaluates): a late query is answered with a 504 and its
result dropped, and at most ``max_running`` evaluate at a time. The server's own fixed
queries (entity pages, explorer) always run in-process on threads.
"""

from __future__ import annotations

import hmac
import html
import json
import multiprocessing
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pyoxigraph as ox

from kg.network import Filters, build_network
from kg.query import (
    GRAPH_FORMATS,
    PREFIXES,
    RESULT_FORMATS,
    SPARQL_PREFIXES,
    QueryError,
    ResultCapExceeded,
    bind_params,
    execute,
    get_saved,
    oxigraph_of,
    query_kind,
    saved_queries,
    serialize,
    short_name,
)
from kg.store import Store
from kg.vocab import DEFAULT_BASE
from kg.viz import explorer_html

T = TypeVar("T")

MEDIA_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/n-triples": "ntriples", "text/plain": "ntriples",
    "application/ld+json": "jsonld",
}
DEFAULT_FORMAT = {"select": "json", "ask": "json", "graph": "turtle"}
MAX_REQUEST_BYTES = 1_000_000
SHORT_ENTITY_PATH = "/id/"  # also accepted for entity pages, whatever the base's path is
FORMATS_FOR_KIND = {"select": set(RESULT_FORMATS), "ask": {"json", "xml"}, "graph": set(GRAPH_FORMATS)}


class HttpError(Exception):
    """An error answered as ``{"error": code, "message": ...}`` with an HTTP status."""

    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class ServeError(ValueError):
    """The server cannot start as asked (port taken, updates without a token)."""


@dataclass
class ServerConfig:
    """Everything ``kg serve`` can be told."""

    store_path: Path
    host: str = "127.0.0.1"
    port: int = 8000
    allow_update: bool = False
    token: str | None = None
    timeout_s: float = 10.0
    max_results: int = 10_000
    cors: str | None = None
    base: str = DEFAULT_BASE
    explorer_top: int = 2000
    max_running: int = 8
    workers: int = 2


class ThreadRunner:
    """Runs work on abandonable daemon threads with a deadline and a bound on concurrency."""

    def __init__(self, timeout_s: float, max_running: int) -> None:
        self.timeout_s = timeout_s
        self._slots = threading.BoundedSemaphore(max_running)

    def run(self, work: Callable[[threading.Event], T]) -> T:
        """Return ``work(cancelled)``'s result, or raise HttpError 503/504 when busy or late."""
        if not self._slots.acquire(timeout=self.timeout_s):
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE, "busy",
                            "too many queries are running; try again shortly")
        cancelled, finished = threading.Event(), threading.Event()
        outcome: dict[str, Any] = {}

        def target() -> None:
            try:
                outcome["value"] = work(cancelled)
            except BaseException as error:  # handed to the waiting request thread
                # Without its traceback: pyoxigraph result objects in those frames must be
                # freed on this thread, not on the one that reads the error.
                error.__context__ = None
                outcome["error"] = error.with_traceback(None)
            finally:
                self._slots.release()
                finished.set()

        threading.Thread(target=target, name="sparql-query", daemon=True).start()
        if not finished.wait(self.timeout_s):
            cancelled.set()
            raise HttpError(HTTPStatus.GATEWAY_TIMEOUT, "timeout",
                            f"the query ran longer than {self.timeout_s:g} s and was abandoned")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


@dataclass
class Worker:
    """One query process and the parent's end of its pipe."""

    process: multiprocessing.process.BaseProcess
    connection: Connection

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class ProcessRunner:
    """A pool of worker processes that evaluate client SPARQL on a read-only store.

    A worker that overruns the timeout or dies is replaced in the background, so the request
    that hit it is answered at once and the pool is back to full size shortly after.
    """

    def __init__(self, store_path: Path, workers: int, timeout_s: float, max_results: int) -> None:
        self.store_path, self.timeout_s, self.max_results = store_path, timeout_s, max_results
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._closed = False
        for worker in [self._start() for _ in range(max(workers, 1))]:
            self._ready(worker)

    def _start(self) -> Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main, args=(str(self.store_path), self.max_results, child),
            name="kg-sparql-worker", daemon=True,
        )
        process.start()
        child.close()
        return Worker(process, parent)

    def _ready(self, worker: Worker) -> None:
        """Wait for the worker to open the store, then make it available."""
        if worker.connection.poll(60) and worker.connection.recv() == ("ready",):
            self._idle.put(worker)
        else:
            worker.stop()
            raise OSError(f"a query worker could not open the store at {self.store_path}")

    def _replace(self, worker: Worker) -> None:
        worker.stop()
        if not self._closed:
            threading.Thread(target=lambda: self._ready(self._start()), daemon=True).start()

    def answer(self, sparql: str, accept: str, fmt: str | None) -> tuple[str, bytes]:
        """Evaluate in an idle worker; raise HttpError on timeout (504), crash (500) or busy (503)."""
        try:
            worker = self._idle.get(timeout=self.timeout_s)
        except queue.Empty:
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE, "busy",
                            "every query worker is busy; try again shortly") from None
        try:
            worker.connection.send((sparql, accept, fmt))
            if not worker.connection.poll(self.timeout_s):
                self._replace(worker)
                raise HttpError(HTTPStatus.GATEWAY_TIMEOUT, "timeout",
                                f"the query ran longer than {self.timeout_s:g} s and was stopped")
            outcome, *payload = worker.connection.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, "engine-crashed",
                            "the query crashed the query engine (a known Oxigraph failure, e.g. ORDER BY "
                            "over mixed kinds of values); the worker was restarted") from None
        self._idle.put(worker)
        if outcome == "ok":
            return payload[0], payload[1]
        if outcome == "http":
            raise HttpError(HTTPStatus(payload[0]), payload[1], payload[2])
        error_type = ResultCapExceeded if outcome == "cap" else QueryError
        raise error_type(payload[0])

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


def worker_main(store_path: str, max_results: int, connection: Connection) -> None:
    """A query worker's loop: open the store read-only, then answer (sparql, accept, fmt)."""
    store = Store(Path(store_path), read_only=True)
    connection.send(("ready",))
    while True:
        try:
            sparql, accept, fmt = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", *evaluate(store, sparql, accept, fmt, max_results, None)))
        except HttpError as error:
            connection.send(("http", int(error.status), error.code, error.message))
        except ResultCapExceeded as error:
            connection.send(("cap", str(error)))
        except QueryError as error:
            connection.send(("query", str(error)))


@dataclass
class Endpoint:
    """The state the request handlers share: store, configuration, runner, explorer cache."""

    config: ServerConfig
    store: Store
    runner: ThreadRunner
    processes: ProcessRunner | None = None
    _explorer: str | None = None
    _explorer_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_path(self) -> str:
        return urlsplit(self.config.base).path

    def local_href(self, iri: str) -> str:
        """The path on this server of an entity IRI under the base; other IRIs unchanged."""
        if not iri.startswith(self.config.base):
            return iri
        return quote(self.base_path + iri[len(self.config.base):], safe="/")

    def explorer(self) -> str:
        """The explorer page, built on first use and after each update."""
        with self._explorer_lock:
            if self._explorer is None:
                graph = build_network(self.store, Filters(top=self.config.explorer_top))
                self._explorer = explorer_html(graph, title="知识图谱浏览器", href=self.local_href)
            return self._explorer

    def forget_explorer(self) -> None:
        with self._explorer_lock:
            self._explorer = None

    def answer_query(self, sparql: str, accept: str, fmt: str | None) -> tuple[str, bytes]:
        """Evaluate client SPARQL (in a worker process when there is a pool); (content type, body)."""
        if self.processes is not None:
            return self.processes.answer(sparql, accept, fmt)
        return self.runner.run(lambda cancelled: evaluate(
            self.store, sparql, accept, fmt, self.config.max_results, cancelled))

    def answer_entity(self, node: ox.NamedNode, accept: str, fmt: str | None) -> tuple[str, bytes]:
        """An entity's own triples in an RDF format, evaluated in-process (a fixed, safe query)."""
        sparql = "CONSTRUCT { ?entity ?p ?o } WHERE { ?entity ?p ?o }"
        return self.runner.run(lambda cancelled: evaluate(
            self.store, sparql, accept, fmt, self.config.max_results, cancelled, {"entity": node}))

    def close(self) -> None:
        if self.processes is not None:
            self.processes.close()

    def answer_update(self, sparql: str, authorization: str) -> None:
        """Apply a SPARQL Update if updates are enabled and the bearer token matches."""
        if not self.config.allow_update:
            raise HttpError(HTTPStatus.FORBIDDEN, "updates-disabled",
                            "this endpoint is read-only; start it with --allow-update and a token")
        expected = f"Bearer {self.config.token}"
        if not self.config.token or not hmac.compare_digest(authorization.encode(), expected.encode()):
            raise HttpError(HTTPStatus.UNAUTHORIZED, "unauthorized", "SPARQL Update needs 'Authorization: Bearer TOKEN'")

        def work(_: threading.Event) -> None:
            try:
                oxigraph_of(self.store).update(sparql)
            except SyntaxError as error:
                raise QueryError(f"invalid SPARQL Update: {' '.join(str(error).split())}") from None

        self.runner.run(work)
        self.forget_explorer()


def evaluate(store: Any, sparql: str, accept: str, fmt: str | None, max_results: int,
             cancelled: threading.Event | None, substitutions: dict[str, Any] | None = None) -> tuple[str, bytes]:
    """Run a query and serialize it in the negotiated format; (content type, body).

    The result objects live and die inside this call, on the calling thread: pyoxigraph's
    result iterators must not be dropped on another thread.
    """
    results = execute(store, sparql, substitutions)
    try:
        chosen = negotiate(query_kind(results), accept, fmt)
        body = serialize(results, chosen, max_results, cancelled)
    finally:
        del results
    return {**RESULT_FORMATS, **GRAPH_FORMATS}[chosen][1], body


def negotiate(kind: str, accept: str, fmt: str | None) -> str:
    """Pick a result format: an explicit ``format`` parameter, else the best Accept match."""
    allowed = FORMATS_FOR_KIND[kind]
    if fmt:
        if fmt not in allowed:
            raise HttpError(HTTPStatus.NOT_ACCEPTABLE, "bad-format",
                            f"format {fmt!r} does not fit a {kind} query (choose from {', '.join(sorted(allowed))})")
        return fmt
    for media in accepted_media(accept):
        if MEDIA_TYPES.get(media) in allowed:
            return MEDIA_TYPES[media]
    return DEFAULT_FORMAT[kind]


def accepted_media(accept: str) -> list[str]:
    """Media types of an Accept header, best first (by q, then order)."""
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [piece.strip() for piece in part.split(";")]
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, position, media.lower()))
    return [media for _, _, media in sorted(ranked)]


def wants_html(accept: str) -> bool:
    """True when the client prefers HTML over the RDF formats we offer."""
    for media in accepted_media(accept):
        if media in {"text/html", "application/xhtml+xml"}:
            return True
        if media in {"text/turtle", "application/ld+json", "application/n-triples"}:
            return False
    return True


class Handler(BaseHTTPRequestHandler):
    """Routes one request; ``endpoint`` is set on the subclass :func:`make_server` creates."""

    endpoint: Endpoint
    server_version = "kg-serve/0.1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (base-class name)
        """Quiet by default; the CLI can subclass to log."""

    # ------------------------------------------------------------ plumbing

    def send_body(self, status: int, content_type: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        if self.endpoint.config.cors:
            self.send_header("Access-Control-Allow-Origin", self.endpoint.config.cors)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_json(self, error: HttpError) -> None:
        body = json.dumps({"error": error.code, "message": error.message}, ensure_ascii=False).encode("utf-8")
        extra = {"Retry-After": "5"} if error.status == HTTPStatus.SERVICE_UNAVAILABLE else None
        self.send_body(error.status, "application/json; charset=utf-8", body, extra)

    def guarded(self, route: Callable[[], None]) -> None:
        """Run a route, turning every failure into a JSON error response."""
        try:
            route()
        except HttpError as error:
            self.send_error_json(error)
        except ResultCapExceeded as error:
            self.send_error_json(HttpError(HTTPStatus.BAD_REQUEST, "too-many-results", str(error)))
        except QueryError as error:
            self.send_error_json(HttpError(HTTPStatus.BAD_REQUEST, "bad-query", str(error)))
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as error:  # a bug on our side: report it, answer 500, keep serving
            traceback.print_exc()
            self.send_error_json(HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, "internal-error",
                                           f"{type(error).__name__}: {error}"))

    # ------------------------------------------------------------ methods

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.guarded(self.route_get)

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        self.guarded(self.route_post)

    def do_OPTIONS(self) -> None:  # noqa: N802
        extra = {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
            "Access-Control-Max-Age": "600",
        }
        self.send_body(HTTPStatus.NO_CONTENT, "text/plain", b"", extra)

    # ------------------------------------------------------------ routes

    def route_get(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        path = unquote(url.path)
        if path == "/sparql":
            if "query" in params:
                self.answer(params["query"][0], params)
            elif "update" in params:
                raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "update-needs-post", "SPARQL Update must be sent with POST")
            else:
                self.send_body(HTTPStatus.OK, "text/html; charset=utf-8", query_page(self.endpoint.config.base).encode("utf-8"))
        elif path.startswith("/queries/"):
            self.answer_saved(path[len("/queries/"):].removesuffix(".rq"), params)
        elif path == "/":
            self.send_body(HTTPStatus.OK, "text/html; charset=utf-8", self.endpoint.explorer().encode("utf-8"))
        elif path.startswith(self.endpoint.base_path):
            self.entity(self.endpoint.config.base + path[len(self.endpoint.base_path):], params)
        elif path.startswith(SHORT_ENTITY_PATH):
            self.entity(self.endpoint.config.base + path[len(SHORT_ENTITY_PATH):], params)
        else:
            raise HttpError(HTTPStatus.NOT_FOUND, "not-found", f"nothing at {path}")

    def route_post(self) -> None:
        if urlsplit(self.path).path != "/sparql":
            raise HttpError(HTTPStatus.NOT_FOUND, "not-found", "POST only to /sparql")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request-too-large",
                            f"requests are limited to {MAX_REQUEST_BYTES // 1_000_000} MB")
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        url_params = parse_qs(urlsplit(self.path).query)
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
            if "update" in form:
                self.update(form["update"][0])
            elif "query" in form:
                self.answer(form["query"][0], {**url_params, **form})
            else:
                raise HttpError(HTTPStatus.BAD_REQUEST, "missing-query", "the form needs a 'query' or 'update' field")
        elif content_type == "application/sparql-query":
            self.answer(body, url_params)
        elif content_type == "application/sparql-update":
            self.update(body)
        else:
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "bad-content-type",
                            "POST a form, application/sparql-query or application/sparql-update")

    def answer(self, sparql: str, params: dict[str, list[str]]) -> None:
        fmt = params.get("format", [None])[0]
        media, body = self.endpoint.answer_query(sparql, self.headers.get("Accept", ""), fmt)
        charset = "" if media.startswith("application/sparql-results+xml") else "; charset=utf-8"
        self.send_body(HTTPStatus.OK, media + charset, body)

    def answer_saved(self, name: str, params: dict[str, list[str]]) -> None:
        values = {key: values[0] for key, values in params.items() if key != "format"}
        self.answer(bind_params(get_saved(name), values), params)

    def update(self, sparql: str) -> None:
        self.endpoint.answer_update(sparql, self.headers.get("Authorization", ""))
        self.send_body(HTTPStatus.NO_CONTENT, "text/plain", b"")

    def entity(self, iri: str, params: dict[str, list[str]]) -> None:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad-iri", "that path is not a valid entity IRI") from None
        accept, fmt = self.headers.get("Accept", ""), params.get("format", [None])[0]
        if fmt is None and wants_html(accept):
            facts = self.endpoint.runner.run(lambda _: describe_entity(self.endpoint.store, node))
            if facts.is_empty():
                raise HttpError(HTTPStatus.NOT_FOUND, "not-found", f"no entity {iri}")
            page = entity_page(iri, facts, self.endpoint.local_href)
            self.send_body(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"))
            return
        media, body = self.endpoint.answer_entity(node, accept, fmt)
        if body.strip() in {b"", b"[]"}:
            raise HttpError(HTTPStatus.NOT_FOUND, "not-found", f"no entity {iri}")
        self.send_body(HTTPStatus.OK, media + "; charset=utf-8", body)


# ------------------------------------------------------------------ entity pages


@dataclass
class EntityFacts:
    """What an entity page shows: outgoing and incoming statements, evidence, articles."""

    outgoing: list[tuple[str, Any, str]]
    incoming: list[tuple[str, str, str]]
    evidence: list[dict[str, str]]
    articles: list[dict[str, str]]

    def is_empty(self) -> bool:
        return not (self.outgoing or self.incoming)


def describe_entity(store: Any, node: ox.NamedNode) -> EntityFacts:
    """Collect an entity's facts with the labels of what they point to (distinct over graphs).

    ``node`` is a validated NamedNode, so its N-Triples form is safe inside the query text.
    """
    outgoing_query = SPARQL_PREFIXES + f"""SELECT ?p ?o (SAMPLE(?l) AS ?label) WHERE {{
      {node} ?p ?o . OPTIONAL {{ ?o rdfs:label ?l }} }} GROUP BY ?p ?o"""
    incoming_query = SPARQL_PREFIXES + f"""SELECT ?s ?p (SAMPLE(?l) AS ?label) WHERE {{
      ?s ?p {node} . OPTIONAL {{ ?s rdfs:label ?l }}
      FILTER NOT EXISTS {{ ?s a kg:Assertion }} FILTER NOT EXISTS {{ ?s a kg:CoMention }}
    }} GROUP BY ?s ?p ORDER BY ?p ?s"""
    evidence_query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?text ?article ?headline WHERE {{
      {{ ?a rdf:subject {node} }} UNION {{ ?a rdf:object {node} }} UNION {{ {node} org:holds ?post . ?a rdf:object ?post }}
      ?a a kg:Assertion ; kg:evidenceText ?text .
      OPTIONAL {{ ?a prov:wasDerivedFrom ?article OPTIONAL {{ ?article schema:headline ?headline }} }}
    }} LIMIT 20"""
    articles_query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?article ?headline ?date WHERE {{
      ?article schema:mentions {node} .
      OPTIONAL {{ ?article schema:headline ?headline }} OPTIONAL {{ ?article schema:datePublished ?date }}
    }} ORDER BY DESC(?date) LIMIT 50"""

    def rows(sparql: str) -> list[dict[str, Any]]:
        solutions = execute(store, sparql)
        names = [v.value for v in solutions.variables]
        return [{name: solution[name] for name in names} for solution in solutions]

    def text(term: Any) -> str:
        return term.value if term is not None else ""

    return EntityFacts(
        # Sorted here: Oxigraph's ORDER BY can abort the process on mixed value types.
        outgoing=sorted(((r["p"].value, r["o"], text(r["label"])) for r in rows(outgoing_query)),
                        key=lambda fact: (fact[0], str(fact[1]))),
        incoming=[(r["s"].value, r["p"].value, text(r["label"])) for r in rows(incoming_query)],
        evidence=[{"text": text(r["text"]), "article": text(r["article"]), "headline": text(r["headline"])}
                  for r in rows(evidence_query)],
        articles=[{"article": text(r["article"]), "headline": text(r["headline"]), "date": text(r["date"])}
                  for r in rows(articles_query)],
    )


def entity_page(iri: str, facts: EntityFacts, href: Callable[[str], str]) -> str:
    """HTML for one entity: its statements, incoming links, evidence sentences and articles."""
    esc = html.escape
    title = next((o.value for p, o, _ in facts.outgoing if p == PREFIXES["rdfs"] + "label"), iri.rsplit("/", 1)[-1])

    def term(value: Any, label: str) -> str:
        if isinstance(value, ox.NamedNode):
            return f'<a href="{esc(href(value.value))}">{esc(label or short_name(value.value))}</a>'
        return esc(value.value)

    outgoing = "".join(f"<tr><th>{esc(short_name(p))}</th><td>{term(o, label)}</td></tr>" for p, o, label in facts.outgoing)
    incoming = "".join(
        f"<tr><td>{term(ox.NamedNode(s), label)}</td><th>{esc(short_name(p))}</th></tr>" for s, p, label in facts.incoming
    )
    evidence = "".join(
        f"<li><q>{esc(e['text'])}</q> <a href=\"{esc(href(e['article']))}\">{esc(e['headline'] or e['article'])}</a></li>"
        for e in facts.evidence
    )
    articles = "".join(
        f"<li>{esc(a['date'])} <a href=\"{esc(href(a['article']))}\">{esc(a['headline'] or a['article'])}</a></li>"
        for a in facts.articles
    )
    return PAGE_TEMPLATE.format(
        title=esc(title),
        body=f"""<h1>{esc(title)}</h1><p class="iri">{esc(iri)}</p>
<p>其他格式：<a href="?format=turtle">Turtle</a> · <a href="?format=jsonld">JSON-LD</a> · <a href="?format=ntriples">N-Triples</a></p>
<h2>事实</h2><table>{outgoing}</table>
<h2>被引用</h2><table>{incoming or '<tr><td>无</td></tr>'}</table>
<h2>证据</h2><ul>{evidence or '<li>无</li>'}</ul>
<h2>提及的文章</h2><ul>{articles or '<li>无</li>'}</ul>""",
    )


PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; }} th, td {{ text-align: left; padding: .2em .8em .2em 0; vertical-align: top; }}
th {{ color: #555; font-weight: normal; }} .iri {{ color: #777; font-size: .9em; }}
textarea {{ width: 100%; height: 16em; font-family: monospace; }} pre {{ background: #f5f5f5; padding: .5em; overflow: auto; }}
#results table td, #results table th {{ border-bottom: 1px solid #eee; }}
nav a {{ margin-right: 1em; }}
</style></head>
<body><nav><a href="/">浏览器</a><a href="/sparql">SPARQL</a></nav>
{body}
</body></html>"""


def query_page(base: str) -> str:
    """The SPARQL query form, with the saved queries as examples; results drawn as a table."""
    examples = [
        {"name": q.name, "title": q.title, "description": q.description, "params": q.params, "sparql": q.sparql}
        for q in saved_queries().values()
    ]
    data = json.dumps({"base": base, "basePath": urlsplit(base).path, "examples": examples},
                      ensure_ascii=False).replace("<", "\\u003c")
    body = f"""<h1>SPARQL 查询</h1>
<p>端点：<code>/sparql</code>（SPARQL 1.1 Protocol，GET 或 POST）。保存的查询：<code>/queries/名称?参数=值</code>。</p>
<div id="examples"></div>
<form id="form"><textarea id="query" name="query">SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10</textarea>
<p id="params"></p>
<button type="submit">运行</button> <span id="status"></span></form>
<div id="results"></div>
<script type="application/json" id="saved">{data}</script>
<script>{QUERY_PAGE_SCRIPT}</script>"""
    return PAGE_TEMPLATE.format(title="SPARQL 查询", body=body)


QUERY_PAGE_SCRIPT = """
(function () {
  "use strict";
  const { base, basePath, examples: saved } = JSON.parse(document.getElementById("saved").textContent);
  const box = document.getElementById("examples");
  const textarea = document.getElementById("query");
  const paramsBox = document.getElementById("params");
  let current = null;
  saved.forEach((q) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = q.title;
    button.title = q.description;
    button.addEventListener("click", () => {
      current = Object.keys(q.params).length ? q : null;
      textarea.value = q.sparql;
      paramsBox.replaceChildren(...Object.entries(q.params).map(([name, help]) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.name = name;
        input.placeholder = help;
        label.append(name + "：", input);
        return label;
      }));
    });
    box.append(button, " ");
  });
  textarea.addEventListener("input", () => { current = null; paramsBox.replaceChildren(); });
  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = term.value.startsWith(base) ? basePath + term.value.slice(base.length) : term.value;
      a.textContent = term.value;
      td.append(a);
    } else td.textContent = term.value;
    return td;
  }
  document.getElementById("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("status");
    const results = document.getElementById("results");
    status.textContent = "运行中…";
    let response;
    if (current) {
      const params = new URLSearchParams();
      paramsBox.querySelectorAll("input").forEach((i) => params.set(i.name, i.value));
      response = await fetch(`/queries/${current.name}?${params}`, { headers: { Accept: "application/sparql-results+json" } });
    } else {
      response = await fetch("/sparql", { method: "POST", body: new URLSearchParams({ query: textarea.value }),
        headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" } });
    }
    const type = response.headers.get("Content-Type") || "";
    results.replaceChildren();
    if (!type.includes("json") || type.includes("ld+json")) {
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      results.append(pre);
    } else {
      const json = await response.json();
      if (!response.ok) {
        status.textContent = `错误 ${response.status}：${json.message}`;
        return;
      }
      if ("boolean" in json) {
        results.textContent = String(json.boolean);
      } else {
        const table = document.createElement("table");
        const head = table.insertRow();
        json.head.vars.forEach((v) => { const th = document.createElement("th"); th.textContent = v; head.append(th); });
        json.results.bindings.forEach((b) => { const row = table.insertRow(); json.head.vars.forEach((v) => row.append(cell(b[v]))); });
        results.append(table);
        status.textContent = `${json.results.bindings.length} 行`;
        return;
      }
    }
    status.textContent = response.ok ? "完成" : `错误 ${response.status}`;
  });
})();
"""


# ------------------------------------------------------------------ entry points


class QuietServer(ThreadingHTTPServer):
    """A threading server that does not print tracebacks for clients that hang up."""

    daemon_threads = True
    endpoint: Endpoint | None = None  # set once bound; a failed bind closes before that

    def server_close(self) -> None:
        super().server_close()
        if self.endpoint is not None:
            self.endpoint.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def make_server(config: ServerConfig) -> QuietServer:
    """Open the store and bind the server (port 0 picks a free port); call serve_forever()."""
    if config.allow_update and not config.token:
        raise ServeError("--allow-update needs --token (clients send it as 'Authorization: Bearer TOKEN')")
    store = Store(config.store_path, read_only=not config.allow_update)
    processes = None if config.allow_update else ProcessRunner(
        config.store_path, config.workers, config.timeout_s, config.max_results)
    endpoint = Endpoint(config, store, ThreadRunner(config.timeout_s, config.max_running), processes)
    handler = type("BoundHandler", (Handler,), {"endpoint": endpoint})
    try:
        server = QuietServer((config.host, config.port), handler)
    except OSError as error:
        endpoint.close()
        raise ServeError(f"cannot listen on {config.host}:{config.port}: {error.strerror}") from None
    server.endpoint = endpoint
    threading.Thread(target=endpoint.explorer, name="explorer-warm-up", daemon=True).start()
    return server


def serve(
    store_path: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_update: bool = False,
    token: str | None = None,
    timeout_s: float = 10.0,
    max_results: int = 10_000,
    cors: str | None = None,
) -> None:
    """Run ``kg serve`` until interrupted."""
    config = ServerConfig(Path(store_path), host, port, allow_update, token, timeout_s, max_results, cors)
    server = make_server(config)
    address = f"http://{host}:{server.server_address[1]}"
    print(f"kg serve: explorer {address}/  SPARQL {address}/sparql  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
