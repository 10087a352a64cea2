"""Load test of ``kg serve`` on a synthetic store of about 200k quads that follows the data model.

For each mode (read-only, and ``--allow-update`` with a writer posting an update every two
seconds) it starts the real ``kg serve`` command and runs:

1. 50 concurrent clients for 30 s, each looping over an entity lookup (the entity IRI as
   Turtle), an entity page (HTML) and a one-entity SPARQL SELECT; it prints errors, requests
   per second and p50/p99 latency of each kind. Targets: 0 errors, p99 < 1 s.
2. a query that makes pyoxigraph panic (ORDER BY over mixed values, from
   tests/fixtures/panic-order-by.nq): it must cost a worker (500), not the server;
3. 8 runaway queries at once, while entity lookups go on: the runaways get 504 (or 503),
   lookups stay fast, and the server answers SPARQL again afterwards.

Not a test: it prints numbers. The machine's load (``uptime``) is printed with them.

    python bench/endpoint.py [--articles 2000] [--seconds 30] [--clients 50] [--store DIR]

``synthetic_nquads`` and ``build_store`` are also used by bench/viz_load.py.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
PANIC_DATA = ROOT / "tests" / "fixtures" / "panic-order-by.nq"
PANIC_GRAPH = "https://w3id.org/kgzh/id/graph/crash"
PANIC = f"SELECT ?a WHERE {{ GRAPH <{PANIC_GRAPH}> {{ ?a ?b ?c }} GRAPH <{PANIC_GRAPH}> {{ ?d ?e ?f }} }} ORDER BY ?c ?f LIMIT 1"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STR(?c) < STR(?f)) }"
TOKEN = "bench-token"

BASE = "https://w3id.org/kgzh/id/"
SCHEMA, ORG, KG = "https://schema.org/", "http://www.w3.org/ns/org#", "https://w3id.org/kgzh/ontology#"
RDF, RDFS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#"
SKOS, PROV, DCT = "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩鹏辉"
PLACE_CHARS = "平远兴宁蕉岭梅江大埔丰顺五华东山西河南北安和新华石坑仁居差干八尺泗水长田中"
POSTS = ["书记", "副书记", "县长", "副县长", "主任", "局长", "镇长", "委员"]
PROGRAMME_WORDS = ["百千万工程", "乡村振兴", "绿美生态", "典型村培育", "高标准农田", "美丽圩镇", "人居环境整治", "产业园建设"]


def _iri(kind: str, name: str) -> str:
    return f"<{BASE}{kind}/{name}>"


def _lit(text: str, lang: str = "zh") -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<http://www.w3.org/2001/XMLSchema#{datatype}>'


def synthetic_nquads(articles: int, seed: int = 7) -> str:
    """N-Quads for ``articles`` synthetic article graphs (about 100 quads each)."""
    rng = random.Random(seed)
    people = sorted({rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2)) for _ in range(articles * 2)})
    places = [(f"{''.join(rng.choices(PLACE_CHARS, k=2))}{suffix}{i}", level, code)
              for i, (suffix, level, code) in enumerate(
                  [("县", "county", 441400000000 + 1000000 * k) for k in range(max(articles // 100, 10))]
                  + [("镇", "town", 441426100000 + 1000 * k) for k in range(max(articles // 10, 50))])]
    counties = [p for p in places if p[1] == "county"]
    towns = [p for p in places if p[1] == "town"]
    orgs = [f"{place[0]}{kind}" for place in counties for kind in ("委", "人民政府", "农业农村局", "融媒体中心")]
    programmes = [f"{rng.choice(PROGRAMME_WORDS)}{i}" for i in range(max(articles // 20, 20))]
    lines: list[str] = []
    for number in range(articles):
        graph, article = f"<{BASE}graph/{number}>", f"<{BASE}article/{number}>"

        def add(s: str, p: str, o: str) -> None:
            lines.append(f"{s} <{p}> {o} {graph} .")

        add(graph, PROV + "wasDerivedFrom", article)
        add(graph, PROV + "generatedAtTime", _typed("2024-05-01T10:00:00Z", "dateTime"))
        add(graph, KG + "contentHash", _lit(f"h{number}", "en"))
        add(article, RDF + "type", f"<{SCHEMA}NewsArticle>")
        add(article, SCHEMA + "headline", _lit(f"新闻标题第{number}号"))
        add(article, SCHEMA + "datePublished", _typed(f"2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}", "date"))
        persons = rng.sample(people, 3)
        town_index = rng.randrange(len(towns))
        town, county = towns[town_index], counties[town_index % len(counties)]
        org = rng.choice([o for o in orgs if o.startswith(county[0])])
        programme = rng.choice(programmes)
        entities = [("person", p, "Person") for p in persons] + [("org", org, "Organization"), ("programme", programme, None)]
        for kind, name, cls in entities:
            node = _iri(kind, name)
            add(node, RDF + "type", f"<{SCHEMA}{cls}>" if cls else f"<{KG}Programme>")
            add(node, RDFS + "label", _lit(name))
            add(article, SCHEMA + "mentions", node)
        add(_iri("person", persons[0]), SKOS + "altLabel", _lit(persons[0][0] + "书记"))
        add(article, SCHEMA + "author", _iri("person", persons[2]))
        for name, level, code in (county, town):
            node = _iri("place", name)
            for cls in ("Place", "AdministrativeArea"):
                add(node, RDF + "type", f"<{SCHEMA}{cls}>")
            add(node, RDFS + "label", _lit(name))
            add(node, KG + "divisionCode", f'"{code}"')
            add(node, KG + "divisionLevel", f'"{level}"')
            add(article, SCHEMA + "mentions", node)
        relations = [
            (_iri("place", town[0]), SCHEMA + "containedInPlace", _iri("place", county[0])),
            (_iri("org", org), SCHEMA + "location", _iri("place", county[0])),
            (_iri("place", county[0]), KG + "implements", _iri("programme", programme)),
        ]
        for index, person in enumerate(persons[:2]):
            post = _iri("post", f"{org}/{POSTS[rng.randrange(len(POSTS))]}")
            add(post, RDF + "type", f"<{ORG}Post>")
            add(post, RDFS + "label", _lit(post.rsplit("/", 1)[-1][:-1]))
            add(post, ORG + "postIn", _iri("org", org))
            relations.append((_iri("person", person), ORG + "holds", post))
        for index, (s, p, o) in enumerate(relations):
            add(s, p, o)
            assertion = f"<{BASE}assertion/{number}/{index}>"
            add(assertion, RDF + "subject", s)
            add(assertion, RDF + "predicate", f"<{p}>")
            add(assertion, RDF + "object", o)
            add(assertion, KG + "evidenceText", _lit(f"第{number}篇第{index}句的证据文本。"))
            add(assertion, KG + "startOffset", _typed(index * 20, "integer"))
            add(assertion, KG + "confidence", _typed(0.9, "decimal"))
            add(assertion, PROV + "wasDerivedFrom", article)
        pairs = [(_iri("person", persons[0]), _iri("person", persons[1])),
                 (_iri("person", persons[0]), _iri("place", county[0])),
                 (_iri("org", org), _iri("programme", programme))]
        for index, (a, b) in enumerate(pairs):
            comention = f"<{BASE}comention/{number}/{index}>"
            add(comention, KG + "participant", a)
            add(comention, KG + "participant", b)
    return "\n".join(lines) + "\n"


def build_store(path: Path, articles: int) -> int:
    """Bulk-load the synthetic articles into a new store at ``path``; return its quad count."""
    data = Path(tempfile.mkdtemp()) / "synthetic.nq"
    data.write_text(synthetic_nquads(articles), encoding="utf-8")
    store = ox.Store(str(path))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    count = len(store)
    del store
    data.unlink()
    return count


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.connection = http.client.HTTPConnection(host, port, timeout=60)

    def get(self, path: str, accept: str) -> tuple[int, float]:
        started = time.perf_counter()
        try:
            self.connection.request("GET", path, headers={"Accept": accept})
            response = self.connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            status = 0
        return status, time.perf_counter() - started

    def post(self, path: str, body: str, content_type: str, headers: dict[str, str] | None = None) -> int:
        try:
            self.connection.request("POST", path, body=body.encode("utf-8"),
                                    headers={"Content-Type": content_type, **(headers or {})})
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return 0


def start_server(store: Path, allow_update: bool) -> tuple[subprocess.Popen, str, int]:
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", "0", "--timeout", "10"]
    if allow_update:
        command += ["--allow-update", "--token", TOKEN]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    line = process.stdout.readline()
    match = re.search(r"http://([\d.]+):(\d+)/sparql", line)
    if not match:
        process.kill()
        raise SystemExit(f"kg serve did not start: {line!r}")
    return process, match.group(1), int(match.group(2))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def requests_for(people: list[str]) -> list[tuple[str, str, str]]:
    """(kind, path, accept) for every person: lookup, page, SPARQL."""
    items = []
    for name in people:
        iri = f"{BASE}person/{name}"
        items.append(("lookup", f"/id/person/{quote(name)}", "text/turtle"))
        items.append(("page", f"/id/person/{quote(name)}", "text/html"))
        items.append(("sparql", "/sparql?" + urlencode({"query": f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"}),
                      "application/sparql-results+json"))
    return items


def load_phase(host: str, port: int, people: list[str], clients: int, seconds: float, writer: bool) -> None:
    work = requests_for(people)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    updates = {"ok": 0, "failed": 0}
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client_loop(seed: int) -> None:
        rng, client = random.Random(seed), Client(host, port)
        while time.monotonic() < stop:
            kind, path, accept = rng.choice(work)
            status, seconds_taken = client.get(path, accept)
            with lock:
                latencies[kind].append(seconds_taken)
                if status != 200:
                    errors[f"{kind} {status}"] += 1

    def writer_loop() -> None:
        client, number = Client(host, port), 0
        while time.monotonic() < stop:
            number += 1
            update = f'INSERT DATA {{ GRAPH <urn:bench:writes> {{ <urn:bench:w{number}> <urn:bench:n> {number} }} }}'
            status = client.post("/sparql", update, "application/sparql-update", {"Authorization": f"Bearer {TOKEN}"})
            updates["ok" if status == 204 else "failed"] += 1
            time.sleep(2)

    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=writer_loop)] if writer else []
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = sum(len(v) for v in latencies.values())
    print(f"  {clients} clients for {elapsed:.0f} s: {total} requests ({total / elapsed:.0f}/s), "
          f"errors: {dict(errors) or 0}" + (f", updates applied {updates['ok']}, failed {updates['failed']}" if writer else ""))
    for kind in ("lookup", "page", "sparql"):
        samples = latencies[kind]
        print(f"    {kind:7s} n={len(samples):6d}  p50 {percentile(samples, 0.5) * 1000:7.1f} ms  "
              f"p99 {percentile(samples, 0.99) * 1000:7.1f} ms  max {max(samples) * 1000:7.1f} ms")


def alive(host: str, port: int, process: subprocess.Popen, people: list[str]) -> bool:
    client = Client(host, port)
    lookup = client.get(f"/id/person/{quote(people[0])}", "text/turtle")[0]
    sparql = client.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}), "application/sparql-results+json")[0]
    return process.poll() is None and lookup == 200 and sparql == 200


def failure_phases(host: str, port: int, process: subprocess.Popen, people: list[str]) -> None:
    client = Client(host, port)
    status, _ = client.get("/sparql?" + urlencode({"query": PANIC}), "application/sparql-results+json")
    print(f"  panicking query: HTTP {status}; server alive afterwards: {alive(host, port, process, people)}")
    lookups: list[float] = []
    lookup_errors = 0
    with ThreadPoolExecutor(8) as pool:
        runaway = [pool.submit(Client(host, port).get, "/sparql?" + urlencode({"query": RUNAWAY}),
                               "application/sparql-results+json") for _ in range(8)]
        probe = Client(host, port)
        while not all(f.done() for f in runaway):
            status, seconds = probe.get(f"/id/person/{quote(random.choice(people))}", "text/turtle")
            lookups.append(seconds)
            lookup_errors += status != 200
            time.sleep(0.05)
        statuses = sorted(f.result()[0] for f in runaway)
        slowest = max(f.result()[1] for f in runaway)
    print(f"  8 runaway queries: HTTP {statuses}, the last answered after {slowest:.1f} s; entity lookups meanwhile: "
          f"{len(lookups)}, errors {lookup_errors}, p99 {percentile(lookups, 0.99) * 1000:.1f} ms")
    print(f"  server alive after the runaway queries: {alive(host, port, process, people)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="synthetic articles, ~100 quads each (default: 2000)")
    parser.add_argument("--store", type=Path, help="reuse or create the synthetic store here")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    path = args.store or Path(tempfile.mkdtemp()) / "store"
    if not path.exists():
        started = time.perf_counter()
        count = build_store(path, args.articles)
        store = ox.Store(str(path))
        store.load(path=str(PANIC_DATA), format=ox.RdfFormat.N_QUADS)
        del store
        print(f"built {count} quads from {args.articles} articles (+ the panic fixture) in {time.perf_counter() - started:.1f} s")
    people = sorted({q.subject.value.rsplit("/", 1)[-1] for q in ox.Store.read_only(str(path)).quads_for_pattern(
        None, ox.NamedNode(RDF + "type"), ox.NamedNode(SCHEMA + "Person"))})[:500]
    for allow_update in (False, True):
        print(f"kg serve{' --allow-update (a writer posts an update every 2 s)' if allow_update else ' (read-only)'}:")
        process, host, port = start_server(path, allow_update)
        try:
            time.sleep(2)  # let the explorer warm-up finish
            load_phase(host, port, people, args.clients, args.seconds, writer=allow_update)
            failure_phases(host, port, process, people)
        finally:
            process.terminate()
            process.wait(timeout=30)
        print(f"  load average during the run: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min); "
              f"{os.cpu_count()} CPUs, shared with other jobs")


if __name__ == "__main__":
    main()
