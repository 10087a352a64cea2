"""``kg serve``: a SPARQL 1.1 Protocol endpoint, the explorer and entity pages over HTTP.

Built on the standard library's ThreadingHTTPServer. Routes:

* ``/sparql``: GET/POST queries (form or direct body), results by Accept (JSON, XML, CSV, TSV;
  Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE); without a query, an HTML query page.
* ``/queries/NAME``: a saved query, its parameters taken from the URL query string.
* ``/``: the network explorer. ``/<base path>/…`` (e.g. ``/id/person/张三``): entity pages as
  HTML, Turtle or JSON-LD.

pyoxigraph cannot interrupt a running query, so each query runs on its own daemon thread
(pyoxigraph releases the GIL while it evaluates) and the request waits at most ``timeout_s``.
A query that overruns is abandoned: its client gets a 504 at once, rows it still produces are
dropped (row-by-row serialization stops at the next row), and at most ``max_running`` queries
evaluate at a time, so runaway queries cannot starve the server of threads unnoticed.
"""

from __future__ import annotations

import hmac
import html
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pyoxigraph as ox

from kg.network import Filters, build_network
from kg.query import (
    GRAPH_FORMATS,
    PREFIXES,
    RESULT_FORMATS,
    QueryCancelled,
    QueryError,
    ResultCapExceeded,
    bind_params,
    execute,
    get_saved,
    oxigraph_of,
    query_kind,
    saved_queries,
    serialize,
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
SHORT_ENTITY_PATH = "/id/"  # also accepted for entity pages, whatever the base's path is
FORMATS_FOR_KIND = {"select": set(RESULT_FORMATS), "ask": {"json", "xml"}, "graph": set(GRAPH_FORMATS)}


class HttpError(Exception):
    """An error answered as ``{"error": code, "message": ...}`` with an HTTP status."""

    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


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


class QueryRunner:
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
class Endpoint:
    """The state the request handlers share: store, configuration, runner, explorer cache."""

    config: ServerConfig
    store: Store
    runner: QueryRunner
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

    def answer_query(self, sparql: str, accept: str, fmt: str | None,
                     substitutions: dict[str, ox.Literal] | None = None) -> tuple[str, bytes]:
        """Evaluate and serialize on a worker thread; return (content type, body)."""

        def work(cancelled: threading.Event) -> tuple[str, bytes]:
            results = execute(self.store, sparql, substitutions)
            chosen = negotiate(query_kind(results), accept, fmt)
            body = serialize(results, chosen, self.config.max_results, cancelled)
            media = {**RESULT_FORMATS, **GRAPH_FORMATS}[chosen][1]
            return media, body

        return self.runner.run(work)

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
        except QueryCancelled:
            pass  # only raised on abandoned threads, whose client already has its 504
        except (BrokenPipeError, ConnectionResetError):
            pass

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
        body = self.rfile.read(length).decode("utf-8")
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
        sparql = "CONSTRUCT { ?entity ?p ?o } WHERE { ?entity ?p ?o }"
        media, body = self.endpoint.answer_query(sparql, accept, fmt, {"entity": node})
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
    prefixes = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    outgoing_query = prefixes + f"""SELECT ?p ?o (SAMPLE(?l) AS ?label) WHERE {{
      {node} ?p ?o . OPTIONAL {{ ?o rdfs:label ?l }} }} GROUP BY ?p ?o ORDER BY ?p ?o"""
    incoming_query = prefixes + f"""SELECT ?s ?p (SAMPLE(?l) AS ?label) WHERE {{
      ?s ?p {node} . OPTIONAL {{ ?s rdfs:label ?l }}
      FILTER NOT EXISTS {{ ?s a kg:Assertion }} FILTER NOT EXISTS {{ ?s a kg:CoMention }}
    }} GROUP BY ?s ?p ORDER BY ?p ?s"""
    evidence_query = prefixes + f"""SELECT DISTINCT ?text ?article ?headline WHERE {{
      {{ ?a rdf:subject {node} }} UNION {{ ?a rdf:object {node} }} UNION {{ {node} org:holds ?post . ?a rdf:object ?post }}
      ?a a kg:Assertion ; kg:evidenceText ?text .
      OPTIONAL {{ ?a prov:wasDerivedFrom ?article OPTIONAL {{ ?article schema:headline ?headline }} }}
    }} LIMIT 20"""
    articles_query = prefixes + f"""SELECT DISTINCT ?article ?headline ?date WHERE {{
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
        outgoing=[(r["p"].value, r["o"], text(r["label"])) for r in rows(outgoing_query)],
        incoming=[(r["s"].value, r["p"].value, text(r["label"])) for r in rows(incoming_query)],
        evidence=[{"text": text(r["text"]), "article": text(r["article"]), "headline": text(r["headline"])}
                  for r in rows(evidence_query)],
        articles=[{"article": text(r["article"]), "headline": text(r["headline"]), "date": text(r["date"])}
                  for r in rows(articles_query)],
    )


def short_name(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


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

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def make_server(config: ServerConfig) -> ThreadingHTTPServer:
    """Open the store and bind the server (port 0 picks a free port); call serve_forever()."""
    if config.allow_update and not config.token:
        raise ValueError("--allow-update needs --token (clients send it as 'Authorization: Bearer TOKEN')")
    store = Store(config.store_path, read_only=not config.allow_update)
    endpoint = Endpoint(config, store, QueryRunner(config.timeout_s, config.max_running))
    handler = type("BoundHandler", (Handler,), {"endpoint": endpoint})
    return QuietServer((config.host, config.port), handler)


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
