"""Benchmark the SPARQL endpoint on a synthetic ~1M-triple store that follows the data model.

Prints p50/p95 latency over HTTP of a one-entity lookup (entity page as Turtle) and of the
people-and-posts saved query. Targets: p50 < 20 ms and < 1 s. Not a test: it prints numbers.

    python bench/endpoint.py [--articles 10000] [--store DIR] [--runs 50]

``synthetic_nquads`` is also used by bench/viz_load.py for its large graph.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

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
            add(assertion, RDF + "type", f"<{KG}Assertion>")
            add(assertion, RDF + "subject", s)
            add(assertion, RDF + "predicate", f"<{p}>")
            add(assertion, RDF + "object", o)
            add(assertion, KG + "evidenceText", _lit(f"第{number}篇第{index}句的证据文本。"))
            add(assertion, KG + "startOffset", _typed(index * 20, "integer"))
            add(assertion, KG + "endOffset", _typed(index * 20 + 15, "integer"))
            add(assertion, KG + "confidence", _typed(0.9, "decimal"))
            add(assertion, PROV + "wasDerivedFrom", article)
        pairs = [(_iri("person", persons[0]), _iri("person", persons[1])),
                 (_iri("person", persons[0]), _iri("place", county[0])),
                 (_iri("org", org), _iri("programme", programme))]
        for index, (a, b) in enumerate(pairs):
            comention = f"<{BASE}comention/{number}/{index}>"
            add(comention, RDF + "type", f"<{KG}CoMention>")
            add(comention, KG + "participant", a)
            add(comention, KG + "participant", b)
            add(comention, KG + "weight", _typed(rng.randint(1, 3), "integer"))
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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def timed_get(url: str, accept: str) -> float:
    request = urllib.request.Request(url, headers={"Accept": accept})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--store", type=Path, help="reuse or create the synthetic store here")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kg.server import ServerConfig, make_server

    path = args.store or Path(tempfile.mkdtemp()) / "store"
    if not path.exists():
        start = time.perf_counter()
        count = build_store(path, args.articles)
        print(f"built {count} quads from {args.articles} articles in {time.perf_counter() - start:.1f} s")
    server = make_server(ServerConfig(path, port=0, timeout_s=60, max_results=1_000_000))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = urllib.request.urlopen(urllib.request.Request(
        f"{base}/sparql?query=" + quote("SELECT DISTINCT ?p WHERE { ?p a <https://schema.org/Person> } LIMIT 200"),
        headers={"Accept": "text/csv"}), timeout=60).read().decode("utf-8").splitlines()[1:]
    people = [row.rsplit("/", 1)[-1] for row in rows]
    rng = random.Random(1)
    lookups = [timed_get(f"{base}/id/person/{quote(rng.choice(people))}", "text/turtle") for _ in range(args.runs)]
    p50, p95 = percentiles(lookups)
    print(f"one-entity lookup (GET /id/person/NAME, Turtle), {args.runs} runs: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (target p50 < 20 ms)")
    runs = max(args.runs // 5, 5)
    saved = [timed_get(f"{base}/queries/people-and-posts", "application/sparql-results+json") for _ in range(runs)]
    p50, p95 = percentiles(saved)
    print(f"people-and-posts (GET /queries/people-and-posts, JSON), {runs} runs: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target p50 < 1 s)")
    server.shutdown()


if __name__ == "__main__":
    main()
