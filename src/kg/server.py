"""``kg serve``: a SPARQL 1.1 endpoint, the Graph Store protocol, the explorer and entity pages.

Routes: ``/sparql`` (also ``/sparql/``; SPARQL 1.1 Protocol: GET and POST queries, POST
updates, results by Accept or ``format``), ``/store`` (Graph Store HTTP Protocol with
``?graph=IRI`` or ``?default``), ``/queries/NAME`` (a saved query, parameters from the URL),
``/`` (the network explorer) and entity IRIs under the base path, e.g. ``/kgzh/id/person/张三``
or ``/id/person/张三`` (HTML, Turtle, N-Triples, JSON-LD or RDF/XML). Relative IRIs in queries
and updates resolve against the entity base (``https://w3id.org/kgzh/id/`` by default).

Why several processes: pyoxigraph cannot interrupt a query, and some queries abort the whole
process (a Rust panic). So no SPARQL ever runs in the process that answers HTTP:

* The **HTTP process** parses requests, negotiates formats and sends answers. It never opens
  the store.
* The **store owner**, one child process, opens the store read-write, which takes Oxigraph's
  lock: while the server runs, ``kg build`` into the same store stops with "is another kg
  process using it?". The server locks the store against builds; stop it, build, start it
  again. The owner writes read-only snapshots of the store (RocksDB checkpoints: hard links,
  milliseconds) that the readers open. With ``--allow-update`` it applies every update and
  Graph Store write, one at a time, through a *commit gate*: the update text ends with an
  operation that calls back to the HTTP process after all of the client's operations were
  evaluated and before Oxigraph commits. Past the time limit the HTTP process kills the owner
  instead of answering, so the transaction is never committed: a 504 always means "not
  applied". A new owner starts at once.
* **Readers**: pools of worker processes on the current snapshot: ``queries`` for client
  SPARQL, saved queries and Graph Store reads, ``pages`` for entity pages, and one process that
  builds the explorer page (tens of seconds on a large store), so neither runaway client
  queries nor the explorer can starve the entity pages. A job past the time limit gets its
  worker killed (504), a crash costs its worker (500); replacements start in the background.
* After an update commits, the owner writes a new snapshot and the server switches to it
  before it answers 204: every job started afterwards sees the update (an idle worker reopens
  the new snapshot before its next job), and a job already running finishes on the snapshot
  it started on. Every answer comes from one consistent state of the store.
"""

from __future__ import annotations

import hmac
import html
import json
import multiprocessing
import queue
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pyoxigraph as ox

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
    graph_node,
    ntriples_as,
    prepare_update,
    query_kind,
    saved_queries,
    serialize,
    short_name,
    top_level_keywords,
)
from kg.vocab import DEFAULT_BASE, ONTOLOGY_DIR

MEDIA_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "text/turtle": "turtle", "application/x-turtle": "turtle", "text/n3": "turtle",
    "application/n-triples": "ntriples", "text/plain": "ntriples", "application/turtle": "turtle",
    "application/ld+json": "jsonld", "application/rdf+xml": "rdfxml",
}
# Graph results asked for with a results media type get the RDF syntax of the same family.
GRAPH_EQUIVALENT = {"json": "jsonld", "xml": "rdfxml"}
# Values of the ``format`` parameter, ours and those SPARQLWrapper sends (json-ld, rdf+xml, n3 …).
FORMAT_NAMES = {
    "json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle",
    "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml",
}
DEFAULT_FORMAT = {"select": "json", "ask": "json", "graph": "turtle"}
FORMATS_FOR_KIND = {"select": set(RESULT_FORMATS), "ask": {"json", "xml"}, "graph": set(GRAPH_FORMATS)}
CONTENT_TYPES = {key: media for key, (_, media) in {**RESULT_FORMATS, **GRAPH_FORMATS}.items()}
UPLOAD_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES, "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
SPARQL_PATHS = {"/sparql", "/sparql/"}
GRAPH_STORE_PATH = "/store"
SHORT_ENTITY_PATH = "/id/"  # also accepted for entity pages, whatever the base's path is
IRI_PATH_SAFE = "/%:@!$&'()*+,;=-._~"  # what stays as it is when an IRI's path becomes a URL path
COMMIT_GRACE_S = 60.0  # after the gate says "commit", how long the owner may take to finish
WORKER_START_S = 120.0


class HttpError(Exception):
    """An error answered as ``{"error": code, "message": ...}`` with an HTTP status."""

    def __init__(self, status: HTTPStatus, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class ServeError(ValueError):
    """The server cannot start as asked (port taken, store missing or locked, updates without a token)."""


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
    workers: int = 2
    page_workers: int = 2
    allow_load: bool = False
    max_request_bytes: int = 1_000_000
    socket_timeout_s: float = 15.0
    max_connections: int = 256
    backlog: int = 256

    @property
    def base_path(self) -> str:
        return urlsplit(self.base).path


# ------------------------------------------------------------------ IRIs and paths


def entity_href(base: str, iri: str) -> str:
    """The path on this server of an entity IRI under ``base``; other IRIs unchanged.

    The path is the IRI's own path with only non-ASCII characters percent-encoded, so an IRI
    that contains escapes (``a%2Fb``) keeps them and :func:`iri_of_path` gives the IRI back.
    """
    if not iri.startswith(base):
        return iri
    return quote(urlsplit(base).path + iri[len(base):], safe=IRI_PATH_SAFE)


def iri_of_path(raw_path: str) -> str:
    """Undo the URL encoding of a request path the way IRIs allow (RFC 3987 §3.2).

    Escaped UTF-8 becomes the characters again, and so do escaped unreserved ASCII letters;
    every other escape (``%2F``, ``%3C``, ``%25`` …) stays, because it is part of the IRI.
    """
    def decode(match: re.Match[str]) -> str:
        try:
            text = bytes.fromhex(match.group(0).replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0).upper()
        return "".join(c if ord(c) > 127 or c.isalnum() or c in "-._~" else quote(c, safe="") for c in text)

    return re.sub(r"(?:%[0-9A-Fa-f]{2})+", decode, raw_path)


def safe_link(url: str) -> bool:
    """Only http(s) URLs and paths on this server are rendered as links (never ``javascript:``)."""
    return bool(re.match(r"(?i)https?://", url)) or (url.startswith("/") and not url.startswith("//"))


# ------------------------------------------------------------------ worker processes


class JobError(Exception):
    """A job's failure that the client should see (carried back from a worker)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class WorkerLost(Exception):
    """The worker died (crash) while it had a job."""


class WorkerLate(Exception):
    """The worker did not answer within the time limit."""


_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["kg.server"])


@dataclass(eq=False)
class Worker:
    """One child process and the parent's end of its pipe."""

    process: multiprocessing.process.BaseProcess
    connection: Connection
    snapshot: Snapshot | None = None

    @classmethod
    def start(cls, target: Callable[..., None], *args: Any) -> Worker:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=target, args=(*args, child), daemon=True, name=target.__name__)
        process.start()
        child.close()
        worker = cls(process, parent)
        reply = worker.receive(WORKER_START_S)
        if reply[0] != "ready":
            worker.stop()
            raise OSError(reply[1] if len(reply) > 1 else "the worker could not start")
        return worker

    def receive(self, timeout: float) -> tuple[Any, ...]:
        try:
            if not self.connection.poll(max(timeout, 0)):
                raise WorkerLate()
            return self.connection.recv()
        except (EOFError, OSError):
            raise WorkerLost() from None

    def call(self, job: str, args: tuple[Any, ...], timeout: float) -> Any:
        """Run ``job`` in the worker; its result, or JobError / WorkerLate / WorkerLost."""
        try:
            self.connection.send((job, args))
        except (OSError, ValueError):
            raise WorkerLost() from None
        return self.outcome(self.receive(timeout))

    @staticmethod
    def outcome(reply: tuple[Any, ...]) -> Any:
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "error":
            raise JobError(*reply[1:])
        raise WorkerLost()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        try:
            self.connection.close()
        except OSError:  # already closed from the other end of a replacement; nothing left to release
            pass


def _job_errors(run: Callable[[], Any], connection: Connection) -> None:
    """Run one job in a worker and send its outcome; user errors become JobErrors."""
    try:
        connection.send(("ok", run()))
    except (JobError, HttpError) as error:
        connection.send(("error", int(error.status), error.code, error.message))
    except ResultCapExceeded as error:
        connection.send(("error", 400, "too-many-results", str(error)))
    except QueryError as error:
        connection.send(("error", 400, "bad-query", str(error)))
    except Exception as error:  # a bug on our side: report it, keep the worker
        traceback.print_exc()
        connection.send(("error", 500, "internal-error", f"{type(error).__name__}: {error}"))


def reader_main(snapshot: str, connection: Connection) -> None:
    """A reader's loop: open the snapshot read-only, then run (job, args) messages."""
    try:
        store = ox.Store.read_only(snapshot)
    except OSError as error:
        connection.send(("failed", f"cannot open the snapshot {snapshot}: {error}"))
        return
    connection.send(("ready",))
    while True:
        try:
            job, args = connection.recv()
        except (EOFError, OSError):
            return
        if job == "open":
            del store
            store = ox.Store.read_only(args[0])
            connection.send(("ok", None))
            continue
        _job_errors(lambda: READER_JOBS[job](store, *args), connection)


def owner_main(store_path: str, connection: Connection) -> None:
    """The store owner's loop: open the store read-write (the lock), then snapshots and updates."""
    try:
        store = ox.Store(store_path)
    except OSError as error:
        connection.send(("failed", f"{store_path}: cannot open the store ({error}); "
                                   "is `kg build` or another server using it? Stop it first"))
        return
    gate_name = ox.NamedNode(f"urn:kg:serve:commit-gate:{uuid.uuid4()}")
    connection.send(("ready",))
    while True:
        try:
            job, args = connection.recv()
        except (EOFError, OSError):
            return
        if job == "snapshot":
            _job_errors(lambda: store.backup(args[0]), connection)
        elif job == "update":
            _job_errors(lambda: gated_update(store, args[0], args[1], gate_name, connection), connection)
        elif job == "graph_write":
            _job_errors(lambda: write_graph(store, *args, gate_name, connection), connection)


def gated_update(store: ox.Store, sparql: str, base: str, gate_name: ox.NamedNode, connection: Connection) -> None:
    """Apply ``sparql`` in one transaction whose commit waits for the HTTP process's consent.

    The last operation calls ``gate_name`` once, after every operation of the client was
    evaluated; the call asks the HTTP process and returns only on "commit". When the time
    limit has passed the HTTP process kills this process instead, and Oxigraph never commits.
    """
    def gate() -> ox.Literal:
        connection.send(("commit?",))
        connection.recv()
        return ox.Literal(True)

    gate_operation = f"INSERT {{ }} WHERE {{ FILTER({gate_name}()) }}"
    functions = {gate_name: gate}
    # The client's text may or may not end with ';' (or be only a prologue): one of the two
    # joins parses. The second starts with a PREFIX, so it cannot complete a truncated operation.
    joined = [f"{sparql}\n;\n{gate_operation}", f"{sparql}\nPREFIX kgserve: <urn:kg:serve:>\n{gate_operation}"]
    try:
        store.update(joined[0], base_iri=base, custom_functions=functions)
    except SyntaxError as first:
        try:
            store.update(joined[1], base_iri=base, custom_functions=functions)
        except SyntaxError:
            raise QueryError(f"invalid SPARQL Update: {' '.join(str(first).split())}") from None
    except (OSError, RuntimeError, ValueError) as error:
        raise JobError(400, "update-failed", f"the update failed: {' '.join(str(error).split())}") from None


def write_graph(store: ox.Store, method: str, graph: str | None, body: bytes, media: str, base: str,
                gate_name: ox.NamedNode, connection: Connection) -> int:
    """A Graph Store write (PUT replaces, POST adds, DELETE removes) as one gated update; its status."""
    node = ox.NamedNode(graph) if graph is not None else None
    existed = node is None or store.contains_named_graph(node)
    target = "DEFAULT" if node is None else f"GRAPH {node}"
    if method == "DELETE":
        if not existed:
            raise JobError(404, "not-found", f"no graph {graph}")
        gated_update(store, f"DROP {target}", base, gate_name, connection)
        return 204
    try:
        quads = list(ox.parse(body, format=UPLOAD_FORMATS[media], base_iri=graph or base))
    except (SyntaxError, ValueError) as error:
        raise JobError(400, "bad-rdf", f"the {media} body does not parse: {' '.join(str(error).split())}") from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise JobError(400, "bad-rdf", "the body names graphs; send the triples of one graph")
    triples = (ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    data = triples if node is None else f"GRAPH {node} {{\n{triples}\n}}"
    steps = [f"DROP SILENT {target}"] if method == "PUT" else []
    steps += [f"CREATE SILENT GRAPH {node}"] if node is not None else []
    steps += [f"INSERT DATA {{\n{data}\n}}"]
    gated_update(store, " ;\n".join(steps), base, gate_name, connection)
    return 204 if existed else 201


# ------------------------------------------------------------------ reader jobs


def query_job(store: ox.Store, sparql: str, accept: str, formats: list[str] | None, max_results: int,
              default_graphs: list[str] | None, named_graphs: list[str] | None, base: str) -> tuple[str, bytes]:
    """Client SPARQL: evaluate and serialize in the negotiated format; (format key, body)."""
    results = execute(store, sparql, default_graphs=default_graphs, named_graphs=named_graphs, base_iri=base)
    try:
        chosen = negotiate(query_kind(results), accept, formats)
        return chosen, serialize(results, chosen, max_results)
    finally:
        del results


def entity_rdf_job(store: ox.Store, iri: str, chosen: str, max_results: int) -> bytes | None:
    """An entity's own statements (distinct over the article graphs) in ``chosen``; None if unknown."""
    node = ox.NamedNode(iri)  # validated, so its N-Triples form is safe in the query text
    results = execute(store, f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}")
    try:
        body = serialize(results, "ntriples", max_results)
    finally:
        del results
    return ntriples_as(body, chosen) if body.strip() else None


def entity_html_job(store: ox.Store, iri: str, base: str) -> str | None:
    """The HTML page of an entity, or None if the store says nothing about it."""
    facts = describe_entity(store, ox.NamedNode(iri))
    return None if facts.is_empty() else entity_page(iri, facts, lambda target: entity_href(base, target))


def explorer_job(store: ox.Store, top: int, base: str) -> str:
    """The explorer page of the whole store (its ``top`` entities by PageRank)."""
    from kg.network import Filters, build_network
    from kg.viz import explorer_html

    graph = build_network(store, Filters(top=top))
    return explorer_html(graph, title="知识图谱浏览器", href=lambda iri: entity_href(base, iri))


def graph_job(store: ox.Store, graph: str | None, chosen: str, max_results: int) -> bytes:
    """Graph Store GET: the triples of a named graph (or of the default graph) in ``chosen``."""
    if graph is not None and not store.contains_named_graph(ox.NamedNode(graph)):
        raise JobError(404, "not-found", f"no graph {graph}")
    sparql = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    results = execute(store, sparql, default_graphs=[graph]) if graph else execute(store, sparql)
    try:
        body = serialize(results, "ntriples", max_results)
    finally:
        del results
    return ntriples_as(body, chosen)


READER_JOBS: dict[str, Callable[..., Any]] = {
    "query": query_job, "entity_rdf": entity_rdf_job, "entity_html": entity_html_job,
    "explorer": explorer_job, "graph": graph_job,
}


# ------------------------------------------------------------------ snapshots and pools


@dataclass(eq=False)
class Snapshot:
    """A read-only copy of the store that readers open; removed when nobody uses it any more."""

    path: Path
    users: int = 0


class Snapshots:
    """The current snapshot and the bookkeeping that deletes old ones once their readers left."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._count = 0
        self.current: Snapshot | None = None

    def next_path(self) -> Path:
        with self._lock:
            self._count += 1
            return self.folder / f"snapshot-{self._count}"

    def switch(self, path: Path) -> None:
        with self._lock:
            old, self.current = self.current, Snapshot(path)
        if old is not None:
            self._drop_if_unused(old)

    def take(self) -> Snapshot:
        with self._lock:
            assert self.current is not None
            self.current.users += 1
            return self.current

    def release(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        with self._lock:
            snapshot.users -= 1
        self._drop_if_unused(snapshot)

    def _drop_if_unused(self, snapshot: Snapshot) -> None:
        with self._lock:
            unused = snapshot.users <= 0 and snapshot is not self.current
        if unused:
            shutil.rmtree(snapshot.path, ignore_errors=True)


class ReaderPool:
    """Reader processes on the current snapshot; a late or crashed one is killed and replaced."""

    def __init__(self, name: str, size: int, snapshots: Snapshots) -> None:
        self.name, self.snapshots = name, snapshots
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._closed = False
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        starters = [threading.Thread(target=self._add) for _ in range(max(size, 1))]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        if self._idle.qsize() == 0:
            raise OSError(f"no {name} worker could open the store snapshot")

    def _add(self) -> None:
        snapshot = self.snapshots.take()
        try:
            worker = Worker.start(reader_main, str(snapshot.path))
        except (OSError, WorkerLost, WorkerLate):
            self.snapshots.release(snapshot)
            return
        worker.snapshot = snapshot
        with self._lock:
            if self._closed:
                worker.stop()
                self.snapshots.release(snapshot)
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        self.snapshots.release(worker.snapshot)
        if not self._closed:
            threading.Thread(target=self._add, daemon=True).start()

    def run(self, job: str, args: tuple[Any, ...], timeout: float) -> Any:
        """Run ``job`` on an idle worker: its result, or HttpError 503 (busy), 504 (late), 500 (crash)."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE, "busy",
                            f"every {self.name} worker is busy; try again shortly", {"Retry-After": "5"}) from None
        try:
            current = self.snapshots.take()
            if worker.snapshot is current:
                self.snapshots.release(current)
            else:
                previous, worker.snapshot = worker.snapshot, current
                self.snapshots.release(previous)
                worker.call("open", (str(current.path),), timeout)
            result = worker.call(job, args, timeout)
        except WorkerLate:
            self._replace(worker)
            raise HttpError(HTTPStatus.GATEWAY_TIMEOUT, "timeout",
                            f"the work ran longer than {timeout:g} s and was stopped") from None
        except WorkerLost:
            self._replace(worker)
            raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, "engine-crashed",
                            "the query crashed the query engine (a known Oxigraph failure, e.g. ORDER BY over "
                            "mixed kinds of values); the worker was replaced and the server goes on") from None
        except BaseException:
            self._idle.put(worker)
            raise
        self._idle.put(worker)
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
            self.snapshots.release(worker.snapshot)


class StoreOwner:
    """The process that holds the store read-write: snapshots, and updates behind a commit gate."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self._lock = threading.Lock()
        self.worker = self._start()

    def _start(self) -> Worker:
        try:
            return Worker.start(owner_main, str(self.store_path))
        except OSError as error:
            raise ServeError(str(error)) from None
        except (WorkerLate, WorkerLost):
            raise ServeError(f"{self.store_path}: the store owner process did not start") from None

    def _restart(self) -> None:
        self.worker.stop()
        self.worker = self._start()

    def snapshot(self, target: Path) -> None:
        with self._lock:
            self.worker.call("snapshot", (str(target),), WORKER_START_S)

    def apply(self, job: str, args: tuple[Any, ...], timeout: float) -> Any:
        """Run an update job; past ``timeout`` before its commit it is rolled back (504, not applied)."""
        with self._lock:
            deadline = time.monotonic() + timeout
            try:
                self.worker.connection.send((job, args))
                reply = self.worker.receive(deadline - time.monotonic())
                if reply == ("commit?",):
                    if time.monotonic() > deadline:
                        raise WorkerLate()
                    self.worker.connection.send(("commit",))
                    try:
                        reply = self.worker.receive(COMMIT_GRACE_S)
                    except (WorkerLate, WorkerLost):
                        self._restart()
                        raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, "update-state-unknown",
                                        "the store owner failed while committing; the update may or may not "
                                        "have been applied: check before retrying") from None
                return Worker.outcome(reply)
            except WorkerLate:
                self._restart()
                raise HttpError(HTTPStatus.GATEWAY_TIMEOUT, "timeout",
                                f"the update ran longer than {timeout:g} s; it was rolled back and NOT applied") from None
            except WorkerLost:
                self._restart()
                raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, "engine-crashed",
                                "the update crashed the query engine; it was NOT applied") from None

    def close(self) -> None:
        self.worker.stop()


# ------------------------------------------------------------------ the endpoint


@dataclass
class Endpoint:
    """What the request handlers share: configuration, the owner, the reader pools, caches."""

    config: ServerConfig
    owner: StoreOwner
    snapshots: Snapshots
    queries: ReaderPool
    pages: ReaderPool
    explorer_pool: ReaderPool
    _explorer: str | None = None
    _generation: int = 0  # counts writes, so a page built before one is not kept after it
    _explorer_lock: threading.Lock = field(default_factory=threading.Lock)
    _build_lock: threading.Lock = field(default_factory=threading.Lock)

    def explorer(self) -> str:
        """The explorer page, built on first use and after each update (one build at a time;
        an update does not wait for a build)."""
        with self._build_lock:
            with self._explorer_lock:
                if self._explorer is not None:
                    return self._explorer
                generation = self._generation
            page = self.explorer_pool.run("explorer", (self.config.explorer_top, self.config.base),
                                          max(120.0, self.config.timeout_s))
            with self._explorer_lock:
                if generation == self._generation:
                    self._explorer = page
            return page

    def answer_query(self, sparql: str, accept: str, formats: list[str] | None,
                     default_graphs: list[str] | None, named_graphs: list[str] | None) -> tuple[str, bytes]:
        """Client SPARQL in a query worker; (content type, body)."""
        chosen, body = self.queries.run("query", (sparql, accept, formats, self.config.max_results, default_graphs,
                                                  named_graphs, self.config.base), self.config.timeout_s)
        return CONTENT_TYPES[chosen], body

    def check_update_allowed(self, authorization: str) -> None:
        if not self.config.allow_update:
            raise HttpError(HTTPStatus.FORBIDDEN, "updates-disabled",
                            "this endpoint is read-only; start it with --allow-update and a token")
        scheme, _, token = authorization.strip().partition(" ")
        if not (self.config.token and scheme.lower() == "bearer"
                and hmac.compare_digest(token.strip().encode(), self.config.token.encode())):
            raise HttpError(HTTPStatus.UNAUTHORIZED, "unauthorized", "updates need 'Authorization: Bearer TOKEN'",
                            {"WWW-Authenticate": 'Bearer realm="kg"'})

    def answer_update(self, sparql: str, authorization: str, using: list[str], using_named: list[str]) -> None:
        """Apply a SPARQL Update (token checked, LOAD refused unless enabled), then switch snapshots."""
        self.check_update_allowed(authorization)
        if "LOAD" in top_level_keywords(sparql) and not self.config.allow_load:
            raise HttpError(HTTPStatus.FORBIDDEN, "load-disabled",
                            "LOAD would make the server fetch a URL; start it with --allow-load to permit that")
        text = prepare_update(sparql, using, using_named)
        self.owner.apply("update", (text, self.config.base), self.config.timeout_s)
        self.refresh()

    def write_graph(self, method: str, graph: str | None, body: bytes, media: str, authorization: str) -> int:
        self.check_update_allowed(authorization)
        status = self.owner.apply("graph_write", (method, graph, body, media, self.config.base), self.config.timeout_s)
        self.refresh()
        return status

    def refresh(self) -> None:
        """After a write: a new snapshot that every later job reads, and a fresh explorer."""
        path = self.snapshots.next_path()
        self.owner.snapshot(path)
        self.snapshots.switch(path)
        with self._explorer_lock:
            self._explorer = None
            self._generation += 1

    def close(self) -> None:
        for pool in (self.queries, self.pages, self.explorer_pool):
            pool.close()
        self.owner.close()
        shutil.rmtree(self.snapshots.folder, ignore_errors=True)


# ------------------------------------------------------------------ negotiation


def negotiate(kind: str, accept: str, formats: list[str] | None) -> str:
    """A key of RESULT_FORMATS / GRAPH_FORMATS: the ``format`` parameter, else the best Accept match.

    ``format`` may be one of our names, a name SPARQLWrapper sends (json-ld, rdf+xml, n3) or a
    media type; it may repeat (SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values``)
    as long as every value means the same. Without a match in Accept (and no wildcard): 406.
    """
    allowed = FORMATS_FOR_KIND[kind]
    if formats:
        keys = {format_key(kind, fmt) for fmt in formats}
        if len(keys) > 1:
            raise HttpError(HTTPStatus.BAD_REQUEST, "repeated-parameter",
                            f"the format parameters disagree: {', '.join(formats)}")
        key = keys.pop()
        if key not in allowed:
            raise HttpError(HTTPStatus.NOT_ACCEPTABLE, "bad-format", f"format {formats[0]!r} does not fit a {kind} "
                            f"query (choose from {', '.join(sorted(allowed))})")
        return key
    media_types = accepted_media(accept)
    for media in media_types:
        key = MEDIA_TYPES.get(media)
        if kind == "graph" and key in GRAPH_EQUIVALENT and media != "application/json":
            key = GRAPH_EQUIVALENT[key]
        if key in allowed:
            return key
        if media in {"*/*", "application/*", "text/*"}:
            return DEFAULT_FORMAT[kind]
    if media_types:
        offered = ", ".join(CONTENT_TYPES[k] for k in sorted(allowed))
        raise HttpError(HTTPStatus.NOT_ACCEPTABLE, "not-acceptable", f"cannot answer in {accept!r}; offered: {offered}")
    return DEFAULT_FORMAT[kind]


def format_key(kind: str, fmt: str) -> str | None:
    """The format a ``format`` parameter names for a query of ``kind`` (None if unknown).

    A list of media types (SPARQLWrapper sends its Accept header as a format value) names the
    first of them that we know.
    """
    if "," in fmt:
        return next((key for part in fmt.split(",") if (key := format_key(kind, part.strip()))), None)
    key = MEDIA_TYPES.get(fmt.lower()) if "/" in fmt else FORMAT_NAMES.get(fmt.lower())
    return GRAPH_EQUIVALENT.get(key, key) if kind == "graph" and fmt.lower() != "application/json" else key


def accepted_media(accept: str) -> list[str]:
    """Media types of an Accept header, best first (by q, then order); q=0 ones left out."""
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


def entity_format(accept: str, formats: list[str] | None) -> str:
    """'html' or a key of GRAPH_FORMATS for an entity IRI (406 when nothing offered is acceptable)."""
    if formats:
        return negotiate("graph", "", formats)
    media_types = accepted_media(accept)
    for media in media_types:
        if media in {"text/html", "application/xhtml+xml", "*/*", "text/*"}:
            return "html"
        key = MEDIA_TYPES.get(media)
        if key in GRAPH_FORMATS:
            return key
        if key in GRAPH_EQUIVALENT and media != "application/json":
            return GRAPH_EQUIVALENT[key]
    if media_types:
        raise HttpError(HTTPStatus.NOT_ACCEPTABLE, "not-acceptable",
                        "entities are offered as text/html, text/turtle, application/n-triples, "
                        "application/ld+json and application/rdf+xml")
    return "html"


# ------------------------------------------------------------------ HTTP


class Handler(BaseHTTPRequestHandler):
    """Routes one request; ``endpoint`` is set on the subclass :func:`make_server` creates."""

    endpoint: Endpoint
    server_version = "kg-serve/0.2"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.timeout = self.endpoint.config.socket_timeout_s  # a stalled client frees its thread
        super().setup()

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
        self.send_body(error.status, "application/json; charset=utf-8", body, error.headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unknown method, huge headers) as JSON too."""
        if code == HTTPStatus.NOT_IMPLEMENTED and self.command:
            error = self.not_allowed()
        else:
            error = HttpError(HTTPStatus(code), "bad-request", message or HTTPStatus(code).phrase)
        self.close_connection = True
        try:
            self.send_error_json(error)
        except (BrokenPipeError, ConnectionResetError):
            pass

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
        except JobError as error:
            self.send_error_json(HttpError(HTTPStatus(error.status), error.code, error.message))
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True
        except Exception as error:  # a bug on our side: report it, answer 500, keep serving
            traceback.print_exc()
            self.send_error_json(HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, "internal-error",
                                           f"{type(error).__name__}: {error}"))

    def allowed_methods(self) -> str | None:
        """The methods of this request's path (None for a path that does not exist)."""
        path = urlsplit(self.path).path
        if path in SPARQL_PATHS:
            return "GET, HEAD, POST, OPTIONS"
        if path == GRAPH_STORE_PATH:
            return "GET, HEAD, PUT, POST, DELETE, OPTIONS"
        if path == "/" or path.startswith("/queries/") or self.entity_iri(path) is not None:
            return "GET, HEAD, OPTIONS"
        return None

    def not_allowed(self) -> HttpError:
        allowed = self.allowed_methods()
        if allowed is None:
            return HttpError(HTTPStatus.NOT_FOUND, "not-found", f"nothing at {urlsplit(self.path).path}")
        return HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "method-not-allowed",
                         f"{self.command} is not allowed here (allowed: {allowed})", {"Allow": allowed})

    def params(self, query_string: str) -> dict[str, list[str]]:
        """URL-encoded parameters, strictly UTF-8 (a 400 otherwise)."""
        try:
            params = parse_qs(query_string, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "not-utf-8", "parameters must be UTF-8 (percent-encoded)") from None
        return params

    @staticmethod
    def single(params: dict[str, list[str]], name: str) -> str | None:
        """A parameter that may be given once (``query``, ``update``, ``graph`` …): repeated, a 400."""
        values = params.get(name)
        if values is None:
            return None
        if len(values) > 1:
            raise HttpError(HTTPStatus.BAD_REQUEST, "repeated-parameter", f"the parameter {name!r} must be given once")
        return values[0]

    def read_body(self) -> bytes:
        """The request body, after checking Content-Length (present, a number, under the cap)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "length-required", "send the body with a Content-Length")
        lengths = set(self.headers.get_all("Content-Length") or [])
        if not lengths:
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "length-required", "a body needs a Content-Length header")
        raw = lengths.pop().strip()
        if lengths or not raw.isdigit():
            self.close_connection = True
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad-content-length", "Content-Length must be one decimal number")
        length = int(raw)
        cap = self.endpoint.config.max_request_bytes
        if length > cap:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request-too-large",
                            f"requests are limited to {cap:,} bytes")
        body = self.rfile.read(length)
        if len(body) < length:
            raise ConnectionResetError("the client sent less than its Content-Length")
        return body

    def media_type(self) -> tuple[str, str | None]:
        """The request's media type (lower case) and charset."""
        media, *params = [p.strip() for p in (self.headers.get("Content-Type") or "").split(";")]
        charset = None
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()
        return media.lower(), charset

    @staticmethod
    def utf8(body: bytes, charset: str | None) -> str:
        if charset not in (None, "utf-8", "utf8"):
            raise HttpError(HTTPStatus.BAD_REQUEST, "not-utf-8", f"SPARQL must be sent as UTF-8, not {charset}")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "not-utf-8", "the body is not valid UTF-8") from None

    # ------------------------------------------------------------ methods

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.guarded(self.route_get)

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        self.guarded(self.route_post)

    def do_PUT(self) -> None:  # noqa: N802
        self.guarded(self.route_graph_write)

    do_DELETE = do_PUT

    def do_OPTIONS(self) -> None:  # noqa: N802
        def route() -> None:
            allowed = self.allowed_methods()
            if allowed is None:
                raise self.not_allowed()
            self.send_body(HTTPStatus.NO_CONTENT, "text/plain", b"", {
                "Allow": allowed,
                "Access-Control-Allow-Methods": allowed,
                "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
                "Access-Control-Max-Age": "600",
            })

        self.guarded(route)

    # ------------------------------------------------------------ routes

    def entity_iri(self, path: str) -> str | None:
        """The entity IRI a request path names, or None."""
        base, base_path = self.endpoint.config.base, self.endpoint.config.base_path
        for prefix in (base_path, SHORT_ENTITY_PATH):
            if path.startswith(prefix) and len(path) > len(prefix):
                return base + iri_of_path(path[len(prefix):])
        return None

    def route_get(self) -> None:
        url = urlsplit(self.path)
        params = self.params(url.query)
        path = url.path
        if path in SPARQL_PATHS:
            query = self.single(params, "query")
            if query is not None:
                self.answer(query, params)
            elif "update" in params:
                raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "update-needs-post", "SPARQL Update must be sent with POST",
                                {"Allow": "POST"})
            else:
                self.send_body(HTTPStatus.OK, "text/html; charset=utf-8", query_page(self.endpoint.config.base).encode("utf-8"))
        elif path == GRAPH_STORE_PATH:
            self.graph_get(params)
        elif path.startswith("/queries/"):
            self.answer_saved(unquote(path[len("/queries/"):]).removesuffix(".rq"), params)
        elif path == "/":
            self.send_body(HTTPStatus.OK, "text/html; charset=utf-8", self.endpoint.explorer().encode("utf-8"))
        elif (iri := self.entity_iri(path)) is not None:
            self.entity(iri, params)
        else:
            raise HttpError(HTTPStatus.NOT_FOUND, "not-found", f"nothing at {path}")

    def route_post(self) -> None:
        url = urlsplit(self.path)
        if url.path == GRAPH_STORE_PATH:
            self.route_graph_write()
            return
        if url.path not in SPARQL_PATHS:
            raise self.not_allowed()
        body = self.read_body()
        media, charset = self.media_type()
        params = self.params(url.query)
        if media == "application/x-www-form-urlencoded":
            form = self.params(self.utf8(body, charset))
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
            query, update = self.single(params, "query"), self.single(params, "update")
            if query is not None and update is not None:
                raise HttpError(HTTPStatus.BAD_REQUEST, "query-and-update", "send either 'query' or 'update', not both")
            if update is not None:
                self.update(update, params)
            elif query is not None:
                self.answer(query, params)
            else:
                raise HttpError(HTTPStatus.BAD_REQUEST, "missing-query", "the form needs a 'query' or 'update' field")
        elif media in {"application/sparql-query", "application/sparql-update"}:
            operation = "query" if media == "application/sparql-query" else "update"
            if "query" in params or "update" in params:
                raise HttpError(HTTPStatus.BAD_REQUEST, "repeated-parameter",
                                f"the {operation} is the body; do not also send it in the URL")
            text = self.utf8(body, charset)
            self.answer(text, params) if operation == "query" else self.update(text, params)
        else:
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "bad-content-type",
                            "POST a form, application/sparql-query or application/sparql-update")

    def answer(self, sparql: str, params: dict[str, list[str]]) -> None:
        if "using-graph-uri" in params or "using-named-graph-uri" in params:
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad-parameter", "using-graph-uri belongs to updates; "
                            "queries take default-graph-uri and named-graph-uri")
        protocol_dataset = "default-graph-uri" in params or "named-graph-uri" in params
        media, body = self.endpoint.answer_query(
            sparql, self.headers.get("Accept", ""), params.get("format"),
            params.get("default-graph-uri", []) if protocol_dataset else None,
            params.get("named-graph-uri", []) if protocol_dataset else None)
        self.send_body(HTTPStatus.OK, media + "; charset=utf-8", body)

    def answer_saved(self, name: str, params: dict[str, list[str]]) -> None:
        values = {key: self.single(params, key) or "" for key in params if key != "format"}
        self.answer(bind_params(get_saved(name), values), {k: v for k, v in params.items() if k == "format"})

    def update(self, sparql: str, params: dict[str, list[str]]) -> None:
        if "default-graph-uri" in params or "named-graph-uri" in params:
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad-parameter", "default-graph-uri belongs to queries; "
                            "updates take using-graph-uri and using-named-graph-uri")
        self.endpoint.answer_update(sparql, self.headers.get("Authorization", ""),
                                    params.get("using-graph-uri", []), params.get("using-named-graph-uri", []))
        self.send_body(HTTPStatus.NO_CONTENT, "text/plain", b"")

    def graph_target(self, params: dict[str, list[str]]) -> str | None:
        """The graph a Graph Store request names: an IRI, or None for ``?default``."""
        graph = self.single(params, "graph")
        if (graph is None) == ("default" not in params):
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad-graph", "name exactly one graph: ?graph=IRI or ?default")
        if graph is not None:
            graph_node(graph)
        return graph

    def graph_get(self, params: dict[str, list[str]]) -> None:
        graph = self.graph_target(params)
        chosen = entity_format(self.headers.get("Accept", ""), params.get("format"))
        chosen = "turtle" if chosen == "html" else chosen
        body = self.endpoint.queries.run("graph", (graph, chosen, self.endpoint.config.max_results),
                                         self.endpoint.config.timeout_s)
        self.send_body(HTTPStatus.OK, CONTENT_TYPES[chosen] + "; charset=utf-8", body)

    def route_graph_write(self) -> None:
        url = urlsplit(self.path)
        if url.path != GRAPH_STORE_PATH:
            raise self.not_allowed()
        params = self.params(url.query)
        graph = self.graph_target(params)
        body, media = b"", ""
        if self.command != "DELETE":
            body = self.read_body()
            media, _ = self.media_type()
            if media not in UPLOAD_FORMATS:
                raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "bad-content-type",
                                f"send a graph as one of {', '.join(UPLOAD_FORMATS)}")
        status = self.endpoint.write_graph(self.command, graph, body, media, self.headers.get("Authorization", ""))
        self.send_body(status, "text/plain", b"")

    def entity(self, iri: str, params: dict[str, list[str]]) -> None:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad-iri", f"{iri!r} is not a valid IRI") from None
        chosen = entity_format(self.headers.get("Accept", ""), params.get("format"))
        config = self.endpoint.config
        if chosen == "html":
            page = self.endpoint.pages.run("entity_html", (iri, config.base), config.timeout_s)
            if page is None:
                raise HttpError(HTTPStatus.NOT_FOUND, "not-found", f"no entity {iri}")
            self.send_body(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"))
            return
        body = self.endpoint.pages.run("entity_rdf", (iri, chosen, config.max_results), config.timeout_s)
        if body is None:
            raise HttpError(HTTPStatus.NOT_FOUND, "not-found", f"no entity {iri}")
        self.send_body(HTTPStatus.OK, CONTENT_TYPES[chosen] + "; charset=utf-8", body)


# ------------------------------------------------------------------ entity pages


@dataclass
class EntityFacts:
    """What an entity page shows: outgoing and incoming statements, evidence, articles."""

    outgoing: list[tuple[str, Any, str, Any, str]]  # predicate, object, its label, the post's unit, its label
    incoming: list[tuple[str, str, str]]
    evidence: list[dict[str, str]]
    articles: list[dict[str, str]]

    def is_empty(self) -> bool:
        return not (self.outgoing or self.incoming)


def describe_entity(store: Any, node: ox.NamedNode) -> EntityFacts:
    """Collect an entity's facts with the labels of what they point to (distinct over graphs).

    ``node`` is a validated NamedNode, so its N-Triples form is safe inside the query text.
    """
    outgoing_query = SPARQL_PREFIXES + f"""SELECT ?p ?o (SAMPLE(?l) AS ?label) (SAMPLE(?u) AS ?unit) (SAMPLE(?ul) AS ?unitLabel)
      WHERE {{ {node} ?p ?o . OPTIONAL {{ ?o rdfs:label ?l }}
               OPTIONAL {{ FILTER(?p = org:holds) ?o org:postIn ?u OPTIONAL {{ ?u rdfs:label ?ul }} }} }}
      GROUP BY ?p ?o"""
    incoming_query = SPARQL_PREFIXES + f"""SELECT ?s ?p (SAMPLE(?l) AS ?label) WHERE {{
      ?s ?p {node} . OPTIONAL {{ ?s rdfs:label ?l }}
    }} GROUP BY ?s ?p ORDER BY ?p ?s"""
    # Evidence records live in their article's graph. Each branch starts from the entity, so
    # Oxigraph never scans every assertion of the store.
    evidence_query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?text ?article ?headline WHERE {{
      GRAPH ?g {{ {{ ?a rdf:subject {node} ; kg:evidenceText ?text }} UNION {{ ?a rdf:object {node} ; kg:evidenceText ?text }}
        UNION {{ {node} org:holds ?post . ?a rdf:object ?post ; kg:evidenceText ?text }}
        OPTIONAL {{ ?g prov:wasDerivedFrom ?article }} }}
      OPTIONAL {{ ?article schema:headline ?headline }}
    }} LIMIT 20"""
    articles_query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?article ?headline ?date WHERE {{
      GRAPH ?g {{ ?article schema:mentions {node} }}
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
        outgoing=sorted(((r["p"].value, r["o"], text(r["label"]), r["unit"], text(r["unitLabel"]))
                         for r in rows(outgoing_query)), key=lambda fact: (fact[0], str(fact[1]))),
        incoming=[(r["s"].value, r["p"].value, text(r["label"])) for r in rows(incoming_query)],
        evidence=[{"text": text(r["text"]), "article": text(r["article"]), "headline": text(r["headline"])}
                  for r in rows(evidence_query)],
        articles=[{"article": text(r["article"]), "headline": text(r["headline"]), "date": text(r["date"])}
                  for r in rows(articles_query)],
    )


# Chinese names of the standard terms an entity page shows; our own come from ontology/kg.ttl.
NAMES_ZH = {
    PREFIXES["rdf"] + "type": "类型", PREFIXES["rdfs"] + "label": "名称", PREFIXES["skos"] + "altLabel": "别名",
    PREFIXES["org"] + "holds": "任职", PREFIXES["org"] + "postIn": "所属单位", PREFIXES["org"] + "Post": "职务",
    PREFIXES["schema"] + "location": "位于", PREFIXES["schema"] + "containedInPlace": "隶属于",
    PREFIXES["schema"] + "isPartOf": "属于", PREFIXES["dcterms"] + "publisher": "发布机构",
    PREFIXES["schema"] + "mentions": "提及", PREFIXES["schema"] + "headline": "标题",
    PREFIXES["schema"] + "author": "作者", PREFIXES["schema"] + "editor": "编辑",
    PREFIXES["schema"] + "publisher": "发布者", PREFIXES["schema"] + "datePublished": "发布日期",
    PREFIXES["schema"] + "Person": "人物", PREFIXES["schema"] + "Place": "地点",
    PREFIXES["schema"] + "AdministrativeArea": "行政区划", PREFIXES["schema"] + "Organization": "机构",
    PREFIXES["schema"] + "NewsArticle": "新闻报道", PREFIXES["prov"] + "wasDerivedFrom": "来源",
    PREFIXES["prov"] + "generatedAtTime": "生成时间", PREFIXES["prov"] + "wasGeneratedBy": "生成活动",
    PREFIXES["rdf"] + "subject": "主语", PREFIXES["rdf"] + "predicate": "谓语", PREFIXES["rdf"] + "object": "宾语",
}


@lru_cache(maxsize=1)
def names_zh() -> dict[str, str]:
    """Chinese names of terms: the table above and every ``rdfs:label …@zh`` of ontology/kg.ttl."""
    ontology = ox.Store()
    ontology.load(path=str(ONTOLOGY_DIR / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    names = dict(NAMES_ZH)
    label = ox.NamedNode(PREFIXES["rdfs"] + "label")
    for quad in ontology.quads_for_pattern(None, label, None):
        if isinstance(quad.object, ox.Literal) and quad.object.language == "zh":
            names[quad.subject.value] = quad.object.value
    return names


def name_zh(iri: str) -> str:
    return names_zh().get(iri) or short_name(iri)


def entity_page(iri: str, facts: EntityFacts, href: Callable[[str], str]) -> str:
    """HTML for one entity: its statements, incoming links, evidence sentences and articles."""
    esc = html.escape
    title = next((o.value for p, o, *_ in facts.outgoing if p == PREFIXES["rdfs"] + "label"), iri.rsplit("/", 1)[-1])

    def link(target: str, text: str) -> str:
        url = href(target)
        return f'<a href="{esc(url)}">{esc(text)}</a>' if safe_link(url) else esc(text)

    def term(value: Any, label: str) -> str:
        if isinstance(value, ox.NamedNode):
            return link(value.value, label or names_zh().get(value.value) or short_name(value.value))
        return esc(value.value)

    def fact(predicate: str, value: Any, label: str, unit: Any, unit_label: str) -> str:
        cell = term(value, label)
        if unit is not None:
            cell += f"（{term(unit, unit_label)}）"
        return f'<tr><th title="{esc(short_name(predicate))}">{esc(name_zh(predicate))}</th><td>{cell}</td></tr>'

    outgoing = "".join(fact(*item) for item in facts.outgoing)
    incoming = "".join(
        f'<tr><td>{term(ox.NamedNode(s), label)}</td><th title="{esc(short_name(p))}">{esc(name_zh(p))}</th></tr>'
        for s, p, label in facts.incoming
    )
    evidence = "".join(f"<li><q>{esc(e['text'])}</q> {link(e['article'], e['headline'] or e['article'])}</li>"
                       for e in facts.evidence)
    articles = "".join(f"<li>{esc(a['date'])} {link(a['article'], a['headline'] or a['article'])}</li>"
                       for a in facts.articles)
    return PAGE_TEMPLATE.format(
        title=esc(title),
        body=f"""<h1>{esc(title)}</h1><p class="iri">{esc(iri)}</p>
<p>其他格式：<a href="?format=turtle">Turtle</a> · <a href="?format=jsonld">JSON-LD</a> · <a href="?format=ntriples">N-Triples</a> · <a href="?format=rdfxml">RDF/XML</a></p>
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

# Chinese titles of the saved queries for the query page's buttons (the files' titles are English).
SAVED_QUERY_TITLES_ZH = {
    "people-and-posts": "人物与职务",
    "place-tree": "行政区划层级",
    "programmes-by-place": "各地实施的项目",
    "who-appears-with": "与某人共现的实体",
    "articles-mentioning": "提及某实体的文章",
}


def query_page(base: str) -> str:
    """The SPARQL query form, with the saved queries as examples; results drawn as a table."""
    examples = [
        {"name": q.name, "title": SAVED_QUERY_TITLES_ZH.get(q.name, q.title), "description": q.description,
         "params": q.params, "sparql": q.sparql}
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
    button.dataset.name = q.name;
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
    const local = term.type === "uri" && term.value.startsWith(base);
    if (term.type === "uri" && (local || /^https?:\\/\\//i.test(term.value))) {
      const a = document.createElement("a");
      a.href = local ? basePath + term.value.slice(base.length) : term.value;
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
    """A threading server with a real backlog, a cap on open connections and quiet hang-ups."""

    daemon_threads = True
    endpoint: Endpoint | None = None  # set once bound; a failed bind closes before that
    connection_slots: threading.BoundedSemaphore

    def process_request(self, request: Any, client_address: Any) -> None:
        """Past ``max_connections`` open connections a new one gets a short 503, not a thread."""
        if not self.connection_slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connection_slots.release()

    def server_close(self) -> None:
        super().server_close()
        if self.endpoint is not None:
            self.endpoint.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, socket.timeout)):
            super().handle_error(request, client_address)


def make_server(config: ServerConfig) -> QuietServer:
    """Start the store owner and the readers and bind the server (port 0 picks a free port)."""
    if config.allow_update and not config.token:
        raise ServeError("--allow-update needs --token (clients send it as 'Authorization: Bearer TOKEN')")
    if not Path(config.store_path).is_dir():
        raise ServeError(f"{config.store_path}: no store here; build one first with `kg build PATH --store {config.store_path}`")
    store_path = Path(config.store_path).resolve()
    try:  # next to the store, so snapshots are hard links on the same file system
        folder = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.serve-", dir=store_path.parent))
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    snapshots = Snapshots(folder)
    owner = pools = None
    try:
        owner = StoreOwner(store_path)
        first = snapshots.next_path()
        owner.snapshot(first)
        snapshots.switch(first)
        queries = ReaderPool("query", config.workers, snapshots)
        pools = [queries]
        pages = ReaderPool("page", config.page_workers, snapshots)
        pools.append(pages)
        explorer = ReaderPool("explorer", 1, snapshots)
        pools.append(explorer)
        endpoint = Endpoint(config, owner, snapshots, queries, pages, explorer)
    except BaseException:
        for pool in pools or []:
            pool.close()
        if owner is not None:
            owner.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    handler = type("BoundHandler", (Handler,), {"endpoint": endpoint})
    server_class = type("BoundServer", (QuietServer,), {"request_queue_size": config.backlog})
    try:
        server = server_class((config.host, config.port), handler)
    except OSError as error:
        endpoint.close()
        raise ServeError(f"cannot listen on {config.host}:{config.port}: {error.strerror}") from None
    server.connection_slots = threading.BoundedSemaphore(config.max_connections)
    server.endpoint = endpoint
    threading.Thread(target=_warm_explorer, args=(endpoint,), name="explorer-warm-up", daemon=True).start()
    return server


def _warm_explorer(endpoint: Endpoint) -> None:
    try:
        endpoint.explorer()
    except (HttpError, JobError):
        pass  # the first visitor gets the error and a retry


def serve(config: ServerConfig) -> None:
    """Run ``kg serve`` until interrupted."""
    server = make_server(config)
    address = f"http://{config.host}:{server.server_address[1]}"
    print(f"kg serve: explorer {address}/  SPARQL {address}/sparql  Graph Store {address}{GRAPH_STORE_PATH}"
          f"  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
