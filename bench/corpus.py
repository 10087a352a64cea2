"""Corpus-scale builds: speed, memory and store size with 1 and 2 workers, Dask and external sinks.

Makes a corpus of N realistic articles (never committed; written under --work): the genre
articles of ../shared/data/genre-real and tests/data plus People's Daily text from
../shared/data/ner/peoples_daily grouped into ~1,400-character articles, each made unique by a
line of its own. Then, for each size and mode, runs ``kg build`` as a separate process on a
fresh store and prints articles/s, chars/s, the peak RSS of the build process and of its
biggest worker, quads per article and per 1,000 characters (article graphs alone and the
whole store) and the store size. Alongside, in the same run: the NLP stage alone (the
ceiling per worker), the write speed into the external sinks, long single articles, and the
saved queries, ``stats``, Turtle export and ``viz`` on the stores built.

Run (as root for Virtuoso: apt-get install virtuoso-opensource-7-bin):
  python bench/corpus.py --articles 1000,4000 --modes 1,2,dask --sinks --long --queries
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
KG = [sys.executable, "-m", "kg.cli"]
sys.path.insert(0, str(ROOT / "bench"))


def genre_texts() -> list[str]:
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted((SHARED / "data" / "genre-real").glob("*.json"))]
    texts += [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted((ROOT / "tests" / "data").glob("*/*.json"))]
    return texts


def peoples_daily_texts(size: int = 1400) -> list[str]:
    """People's Daily sentences (one character and a tag per line) grouped into articles of ~``size`` characters."""
    articles, current, sentence = [], [], []
    for name in ("example.dev", "example.test"):
        for line in (SHARED / "data" / "ner" / "peoples_daily" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                sentence.append(line.split()[0])
                continue
            if sentence:
                current.append("".join(sentence))
                sentence = []
            if sum(map(len, current)) >= size:
                articles.append(current[0][:30] + "\n" + "".join(current))
                current = []
    return articles


def write_corpus(path: Path, count: int) -> int:
    """``count`` articles as JSON Lines, alternating genre and People's Daily text; returns their characters."""
    genre, daily = genre_texts(), peoples_daily_texts()
    chars = 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            pool = genre if n % 2 == 0 else daily
            text = pool[(n // 2) % len(pool)] + f"\n(第{n}稿)"
            chars += len(text)
            out.write(json.dumps({"id": f"a{n:06d}", "text": text}, ensure_ascii=False) + "\n")
    return chars


class PeakMemory:
    """Samples the peak RSS (VmHWM) of a process and every process below it, twice a second."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peaks, self.running = pid, {}, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found

    def _run(self) -> None:
        while self.running:
            for pid in self._tree():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]) * 1024)
                except OSError:
                    continue
            time.sleep(0.5)

    def stop(self) -> tuple[float, float]:
        """(peak of the build process, peak of its biggest other process) in GB."""
        self.running = False
        self.thread.join()
        main = self.peaks.get(self.pid, 0)
        others = max((v for k, v in self.peaks.items() if k != self.pid), default=0)
        return main / 1e9, others / 1e9


def run_kg(args: list[str], timeout: float = 24 * 3600) -> tuple[float, float, float, subprocess.CompletedProcess]:
    """Run kg; (seconds, peak GB of kg, peak GB of its biggest child, result)."""
    started = time.perf_counter()
    process = subprocess.Popen([*KG, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    out, err = process.communicate(timeout=timeout)
    seconds = time.perf_counter() - started
    main, child = memory.stop()
    return seconds, main, child, subprocess.CompletedProcess(args, process.returncode, out, err)


def store_size(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def store_counts(location: str) -> tuple[int, int]:
    """(quads in article graphs, quads in all) of a store."""
    from kg.cli import open_store

    store = open_store(location, read_only=not location.startswith("http"))
    named = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g <https://w3id.org/kgzh/ontology#contentHash> ?h } GRAPH ?g { ?s ?p ?o } }")))["n"]
    return int(named.value), len(store)


def nlp_stage_rate(corpus: Path, count: int, sample: int = 300) -> float:
    """Chars/s of the NLP stage alone (tokenizer to relations), one process, on ``sample`` articles
    spread evenly over the corpus (its mix of genre and People's Daily text)."""
    from kg.build import worker_pipeline
    from kg.nlp.pipeline import make_doc

    step = max(1, count // sample)
    texts = [json.loads(line)["text"] for n, line in enumerate(corpus.open(encoding="utf-8")) if n % step == 0]
    nlp = worker_pipeline()
    for _ in nlp.pipe((make_doc(nlp, t) for t in texts[:32]), batch_size=16):
        pass  # warm up first: word lists and jieba's dictionary load on first use, once per process
    started = time.perf_counter()
    for _ in nlp.pipe((make_doc(nlp, t) for t in texts), batch_size=16):
        pass
    return sum(map(len, texts)) / (time.perf_counter() - started)


def bench_builds(work: Path, count: int, modes: list[str], sinks: dict[str, str]) -> dict[str, str]:
    corpus = work / f"corpus-{count}.jsonl"
    chars = write_corpus(corpus, count)
    print(f"\n== {count} articles, {chars:,} characters ({chars / count:.0f} per article); load: {os.getloadavg()[0]:.2f}", flush=True)
    print(f"NLP stage alone, one process: {nlp_stage_rate(corpus, count):,.0f} chars/s", flush=True)
    print(f"{'mode':<22}{'s':>8}{'art/s':>8}{'chars/s':>9}{'RSS kg':>8}{'RSS wkr':>8}{'quads/art':>10}{'named/1kc':>10}{'all/1kc':>8}{'store MB':>9}")
    stores = {}
    for mode in modes + [f"sink:{name}" for name in sinks]:
        location = str(work / f"store-{count}-{mode.replace(':', '-')}")
        shutil.rmtree(location, ignore_errors=True)
        args = ["build", str(corpus)]
        if mode == "dask":
            args += ["--scheduler", "local", "--workers", "2"]
        elif mode.startswith("sink:"):
            location = sinks[mode[5:]]
            _clear(location)
            args += ["--workers", "2"]
        else:
            args += ["--workers", mode]
        seconds, main, child, result = run_kg([*args, "--store", location])
        if result.returncode != 0:
            print(f"{mode}: failed: {result.stderr.strip().splitlines()[-1:]}")
            continue
        named, total = store_counts(location)
        size = store_size(Path(location)) if not location.startswith("http") else float("nan")
        print(f"{mode:<22}{seconds:8.1f}{count / seconds:8.2f}{chars / seconds:9.0f}{main:8.2f}{child:8.2f}"
              f"{total / count:10.0f}{1000 * named / chars:10.0f}{1000 * total / chars:8.0f}{size:9.0f}", flush=True)
        stores[mode] = location
    return stores


def _clear(location: str) -> None:
    from kg.remote import RemoteStore

    store = RemoteStore(location)
    graphs = list(store.article_graphs()) + ([store.merged] if store.merged else [])
    if not store.merged:
        store.update("CLEAR DEFAULT")
    for start in range(0, len(graphs), 200):
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs[start:start + 200]))


def bench_sink_writes(store_path: str, sinks: dict[str, str], limit: int = 2000) -> None:
    """Triples/s written into each sink, replaying the article graphs of a built store in build-sized batches."""
    import pyoxigraph as ox

    from kg.build import BATCH_ARTICLES
    from kg.remote import RemoteStore
    from kg.store import Store

    local = Store(store_path, read_only=True)
    batches, batch = [], []
    for graph in list(local.article_graphs())[:limit]:
        quads = list(local.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        batch.append(ox.serialize(quads + [ox.Quad(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_QUADS))
        if len(batch) == BATCH_ARTICLES:
            batches.append(b"".join(batch))
            batch = []
    for name, url in sinks.items():
        _clear(url)
        remote = RemoteStore(url)
        started = time.perf_counter()
        triples = 0
        for data in batches:
            remote.write(data)
            triples += data.count(b"\n")
        seconds = time.perf_counter() - started
        print(f"writes into {name}: {triples:,} triples in {seconds:.1f} s = {triples / seconds:,.0f} triples/s")


def bench_long_articles(work: Path) -> None:
    """One-line and very long articles: peak RSS and time of `kg build` with one worker."""
    daily = "".join(peoples_daily_texts())
    cases = {
        "20k chars, one line, no 。": "长文\n" + daily.replace("。", ",").replace("\n", "")[:20_000],
        "1 MB punctuated": "长文\n" + (daily * 3)[:333_000],
        "5.2 MB": "长文\n" + (daily * 10)[:1_750_000],
    }
    for name, text in cases.items():
        path = work / "long" / f"{len(text)}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        store = work / "long" / f"store-{len(text)}"
        shutil.rmtree(store, ignore_errors=True)
        seconds, main, _, result = run_kg(["build", str(path), "--workers", "1", "--store", str(store)])
        outcome = "built" if result.returncode == 0 else "reported: " + (result.stderr.strip().splitlines() or [""])[-1][:120]
        print(f"{name:<28} {path.stat().st_size / 1e6:5.2f} MB  {seconds:6.1f} s  peak {main:.2f} GB  {outcome}")


def bench_reads(stores: dict[int, str], out: Path) -> None:
    """Saved queries, stats, Turtle export and viz on each store size; time and peak RSS."""
    sizes = sorted(stores)
    tasks = {
        **{f"query {name}": ["query", "--name", name, "--format", "tsv"] for name in ("people-and-posts", "place-tree", "programmes-by-place")},
        "query who-appears-with": ["query", "--name", "who-appears-with", "--param", "name=广东省", "--format", "tsv"],
        "stats": ["stats"],
        "export turtle": ["export", "--format", "turtle", "-o", str(out / "graph.ttl")],
        "viz": ["viz", "-o", str(out / "graph-{size}.html")],
    }
    print("\n" + f"{'task':<28}" + "".join(f"{size:>16}" for size in sizes) + "   ratio (time, last / first)")
    for task, args in tasks.items():
        cells, times = [], []
        for size in sizes:
            seconds, main, _, result = run_kg([arg.format(size=size) for arg in args] + ["--store", stores[size]])
            times.append(seconds)
            cells.append(f"{seconds:7.1f} s {main:4.2f} GB" if result.returncode == 0 else "failed")
        print(f"{task:<28}" + "".join(f"{c:>16}" for c in cells) + f"   {times[-1] / times[0]:.1f}x")
        if task == "viz":
            time_explorers([out / f"graph-{size}.html" for size in sizes])


def time_explorers(pages: list[Path]) -> None:
    """Open each explorer page in headless Chromium and print when it becomes interactive."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("(playwright is not installed: explorer pages not opened)")
        return
    from viz_load import CHROMIUM_ARGS, time_page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for page in pages:
            time_page(browser, page, f"explorer {page.name}")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", default="1000", help="corpus sizes, comma-separated (default: 1000)")
    parser.add_argument("--modes", default="1,2,dask", help="1, 2 (local worker processes) and/or dask (LocalCluster of 2)")
    parser.add_argument("--sinks", action="store_true", help="also build into an Oxigraph server and Virtuoso (started here)")
    parser.add_argument("--long", action="store_true", help="also build single long articles (20k one-line, 1 MB, 5 MB)")
    parser.add_argument("--queries", action="store_true", help="also time saved queries, stats, export and viz on the 2-worker stores")
    parser.add_argument("--work", type=Path, default=ROOT / "output" / "bench-corpus", help="where corpora and stores go")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    import servers

    started: list = []
    sinks: dict[str, str] = {}
    try:
        if args.sinks:
            started.append(servers.start_oxigraph(args.work / "oxigraph"))
            sinks["oxigraph"] = started[-1].address
            if servers.virtuoso_installed():
                shutil.rmtree(args.work / "virtuoso", ignore_errors=True)
                started.append(servers.start_virtuoso(args.work / "virtuoso"))
                sinks["virtuoso"] = started[-1].address
        built = {}
        for count in [int(n) for n in args.articles.split(",")]:
            stores = bench_builds(args.work, count, args.modes.split(","), sinks)
            built[count] = stores.get("2") or next(iter(stores.values()))
        if sinks:
            bench_sink_writes(built[max(built)], sinks)
        if args.long:
            bench_long_articles(args.work)
        if args.queries:
            bench_reads(built, args.work)
    finally:
        for server in started:
            server.stop()


if __name__ == "__main__":
    main()
