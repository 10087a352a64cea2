"""The HTTP endpoint, exercised over real sockets on 127.0.0.1 (free port picked by the OS)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph
import pytest
from conftest import explore_load_sample

from kg.server import ServerConfig, make_server

PERSON_PATH = "/id/person/" + quote("张三")
PEOPLE = "SELECT DISTINCT ?s WHERE { ?s a <https://schema.org/Person> } ORDER BY ?s"
# About a second on the sample store: past the 0.5 s timeouts below, yet short enough that
# the thread mode (which cannot stop it) wastes little. The worker pool kills it instead.
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
        "FILTER(STR(?c) < STR(?f) && STR(?f) < STR(?i)) }")
ORIGIN = "https://explorer.example"
TOKEN = "s3cret-token"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(base: str, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
            method: str | None = None) -> Reply:
    req = urllib.request.Request(base + path, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def start(config: ServerConfig) -> Iterator[str]:
    server = make_server(config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base(explore_store_path: Path) -> Iterator[str]:
    """A read-only server with CORS for ORIGIN and a small result cap."""
    yield from start(ServerConfig(explore_store_path, port=0, timeout_s=20, max_results=50, cors=ORIGIN))


@pytest.fixture()
def writable_base(tmp_path: Path) -> Iterator[str]:
    explore_load_sample(tmp_path / "store")
    yield from start(ServerConfig(tmp_path / "store", port=0, allow_update=True, token=TOKEN))


def get_query(base: str, sparql: str, accept: str) -> Reply:
    return request(base, "/sparql?" + urlencode({"query": sparql}), headers={"Accept": accept})


@pytest.mark.parametrize(("accept", "content_type"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html,*/*;q=0.8", "application/sparql-results+json"),
])
def test_get_select_in_each_format(base: str, accept: str, content_type: str) -> None:
    reply = get_query(base, PEOPLE, accept)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith(content_type)
    assert "person/张三" in reply.text and "person/李四" in reply.text


def test_results_are_correct_json(base: str) -> None:
    bindings = get_query(base, PEOPLE, "application/sparql-results+json").json()["results"]["bindings"]
    people = {b["s"]["value"] for b in bindings}
    assert people == {f"https://w3id.org/kgzh/id/person/{n}" for n in ("张三", "李四", "王五")}


def test_post_form_and_direct_body(base: str) -> None:
    form = request(base, "/sparql", data=urlencode({"query": PEOPLE}).encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    direct = request(base, "/sparql", data=PEOPLE.encode("utf-8"),
                     headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/csv"})
    assert form.status == direct.status == 200
    assert form.text == direct.text
    assert len(list(csv.reader(io.StringIO(form.text)))) >= 4


@pytest.mark.parametrize(("accept", "content_type", "marker"), [
    ("text/turtle", "text/turtle", "@prefix schema:"),
    ("application/n-triples", "application/n-triples", "<https://schema.org/Person> ."),
    ("application/ld+json", "application/ld+json", '"@id"'),
])
def test_construct_formats(base: str, accept: str, content_type: str, marker: str) -> None:
    sparql = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t FILTER(?t = <https://schema.org/Person>) }"
    reply = get_query(base, sparql, accept)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith(content_type)
    assert marker in reply.text


def test_ask(base: str) -> None:
    assert get_query(base, "ASK { ?s a <https://schema.org/Person> }", "application/sparql-results+json").json()["boolean"] is True


def test_saved_query_with_parameter(base: str) -> None:
    reply = request(base, "/queries/who-appears-with?" + urlencode({"name": "张书记", "format": "csv"}))
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert {(r["otherName"], r["totalWeight"]) for r in rows} == {("平远县", "3"), ("李四", "3")}


def test_entity_page_html(base: str) -> None:
    reply = request(base, PERSON_PATH, headers={"Accept": "text/html"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    page = reply.text
    assert "张三" in page and "张书记" in page
    assert "县委书记张三主持召开会议。" in page  # evidence
    assert "平远县推进百千万工程" in page  # article headline
    assert 'href="/kgzh/id/post/' in page  # neighbours link to this server


@pytest.mark.parametrize(("accept", "content_type", "marker"), [
    ("text/turtle", "text/turtle", "skos:altLabel"),
    ("application/ld+json", "application/ld+json", "张书记"),
])
def test_entity_as_rdf(base: str, accept: str, content_type: str, marker: str) -> None:
    for path in (PERSON_PATH, "/kgzh" + PERSON_PATH):
        reply = request(base, path, headers={"Accept": accept})
        assert reply.status == 200
        assert reply.headers["content-type"].startswith(content_type)
        assert marker in reply.text


def test_unknown_entity_is_404(base: str) -> None:
    assert request(base, "/id/person/" + quote("无名氏"), headers={"Accept": "text/turtle"}).status == 404
    assert request(base, "/id/person/" + quote("无名氏")).status == 404


def test_bad_query_is_a_json_400(base: str) -> None:
    reply = get_query(base, "SELEC nothing", "application/sparql-results+json")
    assert reply.status == 400 and reply.json()["error"] == "bad-query"


def test_result_cap(base: str) -> None:
    reply = get_query(base, "SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert reply.status == 400
    assert reply.json()["error"] == "too-many-results" and "50" in reply.json()["message"]


def test_update_refused_when_read_only(base: str) -> None:
    reply = request(base, "/sparql", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update",
                                                                 "Authorization": f"Bearer {TOKEN}"})
    assert reply.status == 403 and reply.json()["error"] == "updates-disabled"
    assert len(get_query(base, PEOPLE, "text/csv").text.splitlines()) == 4


def test_update_needs_the_token(writable_base: str) -> None:
    update = 'INSERT DATA { <urn:x> a <https://schema.org/Person> }'  # the default graph: the merged graph queries see
    headers = {"Content-Type": "application/sparql-update"}
    assert request(writable_base, "/sparql", data=update.encode(), headers=headers).status == 401
    wrong = request(writable_base, "/sparql", data=update.encode(), headers={**headers, "Authorization": "Bearer nope"})
    assert wrong.status == 401
    assert "urn:x" not in get_query(writable_base, PEOPLE, "text/csv").text
    ok = request(writable_base, "/sparql", data=urlencode({"update": update}).encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {TOKEN}"})
    assert ok.status == 204
    assert "urn:x" in get_query(writable_base, PEOPLE, "text/csv").text


@pytest.mark.parametrize("writable", [False, True], ids=["worker-processes", "threads"])
def test_timeout_does_not_block_other_queries(tmp_path: Path, writable: bool) -> None:
    explore_load_sample(tmp_path / "store")
    config = ServerConfig(tmp_path / "store", port=0, timeout_s=0.5, allow_update=writable, token=TOKEN)
    for base in start(config):
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(get_query, base, SLOW, "application/sparql-results+json")
            time.sleep(0.1)
            started = time.perf_counter()
            quick = pool.submit(get_query, base, PEOPLE, "application/sparql-results+json").result()
            quick_seconds = time.perf_counter() - started
            slow_reply = slow.result()
        assert quick.status == 200 and len(quick.json()["results"]["bindings"]) == 3
        assert quick_seconds < 0.5
        assert slow_reply.status == 504
        assert slow_reply.json()["error"] == "timeout"


def test_cors(base: str) -> None:
    reply = get_query(base, PEOPLE, "text/csv")
    assert reply.headers["access-control-allow-origin"] == ORIGIN
    preflight = request(base, "/sparql", method="OPTIONS",
                        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_no_cors_header_unless_configured(writable_base: str) -> None:
    assert "access-control-allow-origin" not in get_query(writable_base, PEOPLE, "text/csv").headers


def test_pages(base: str) -> None:
    explorer = request(base, "/")
    assert explorer.status == 200 and 'id="graph-data"' in explorer.text
    assert '"/kgzh/id/person/' in explorer.text  # explorer links entity pages on this server
    page = request(base, "/sparql")
    assert page.status == 200 and "people-and-posts" in page.text


def test_store_opened_read_only(explore_store_path: Path, base: str) -> None:
    """The read-only server leaves the store usable by other readers."""
    reader = pyoxigraph.Store.read_only(str(explore_store_path))
    assert len(reader) > 0


def test_engine_crash_is_contained(base: str) -> None:
    """A query that aborts pyoxigraph (ORDER BY over mixed value types) costs one worker, not the server."""
    crash = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
    reply = get_query(base, crash, "application/sparql-results+json")
    assert reply.status in {200, 500}
    if reply.status == 500:
        assert reply.json()["error"] == "engine-crashed"
    for _ in range(3):
        assert get_query(base, PEOPLE, "text/csv").status == 200


def test_start_errors_are_one_line_value_errors(explore_store_path: Path, base: str) -> None:
    port = int(base.rsplit(":", 1)[1])
    with pytest.raises(ValueError, match="cannot listen"):
        make_server(ServerConfig(explore_store_path, port=port))
    with pytest.raises(ValueError, match="--token"):
        make_server(ServerConfig(explore_store_path, port=0, allow_update=True))
