"""Articles → NLP → RDF → store, incrementally, streaming, on every core or a Dask cluster.

The build reads articles one file at a time, skips those whose graph is already in the store
with the same content hash (text plus extractor fingerprint), and hands the rest in small
batches to workers: the process itself (``workers=1``), local worker processes, or the
workers of a Dask cluster. Each worker loads the NLP pipeline once and returns N-Quads text,
never spaCy Docs. Only a bounded number of batches is in flight, so memory does not grow
with the corpus, and a long article is cut at sentence ends into bounded pieces, so memory
does not grow faster than its length either.

Nothing a single article does can stop the build: a file that cannot be read, or an article
the pipeline fails on, is reported by file and skipped, and its stored graph is kept.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import re
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from .ingest import Article, IngestError, find_article_sources, read_articles
from .rdf import LAYOUT_VERSION, IriMinter, Run, article_rdf, content_hash
from .vocab import DEFAULT_BASE

PACKAGE = Path(__file__).resolve().parent
MAX_PIECE_CHARS = 3000
"""Longest text handed to the pipeline at once; longer articles are cut into pieces this long at most."""
BATCH_ARTICLES = 8
"""Articles per task sent to a worker: large enough to batch the NER, small enough to keep memory flat."""
FLUSH_EVERY_BATCHES = 50
"""The store's write buffers are flushed to disk this often (every 400 articles). Without it they
grow with the store (measured: 0.5 → 1.3 GB over 0.5M → 2M quads loaded in build-sized batches).
Every 10 batches lowers the build process's peak by about 50 MB but costs it about 15 % more CPU
(7.0–7.5 instead of 6.2 CPU-s per 1,000 articles), which on two cores the workers pay for."""
WRITTEN_LINES_LIMIT = 100_000
"""Default-graph lines a build remembers having written (about 8 MB of hashes; see ``WrittenLines``)."""
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, from glibc's malloc.h
_SENTENCE_END = re.compile(r"[。!?！？;；\n]")
_CLAUSE_END = re.compile(r"[，,、:：\s]")


class BuildError(Exception):
    """A build that cannot start (bad worker count, unreachable scheduler), with what to do."""


# --- what decides a rebuild -------------------------------------------------------------


@lru_cache(maxsize=1)
def extractor_fingerprint() -> str:
    """A hash of everything the extraction depends on besides the text: the pipeline's code,
    data and models, and the IRI scheme / graph layout version. Computed once per process."""
    digest = hashlib.sha256(f"layout {LAYOUT_VERSION}\n".encode())
    files = sorted(p for p in (PACKAGE / "nlp").rglob("*.py") if "__pycache__" not in p.parts)  # finders/, procedures/ too
    for folder in ("data", "models", "resources"):
        files += sorted(p for p in (PACKAGE / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        digest.update(f"{path.relative_to(PACKAGE).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --- long texts -------------------------------------------------------------------------------


def split_text(text: str, limit: int = MAX_PIECE_CHARS) -> list[tuple[int, str]]:
    """``text`` as ``(offset, piece)`` pieces of at most ``limit`` characters.

    Pieces end at a sentence end where there is one; a sentence longer than ``limit`` is cut
    at a clause mark (comma, colon, space), and only text with neither is cut hard. Text up to
    ``limit`` is one piece, so ordinary articles are processed exactly as a whole.
    """
    pieces, start = [], 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = _last_end(_SENTENCE_END, window) or _last_end(_CLAUSE_END, window) or limit
        pieces.append((start, text[start:start + cut]))
        start += cut
    if start < len(text):
        pieces.append((start, text[start:]))
    return pieces


def _last_end(pattern: re.Pattern, window: str) -> int:
    ends = [match.end() for match in pattern.finditer(window, len(window) // 2)]
    return ends[-1] if ends else 0


# --- the worker side ------------------------------------------------------------------------------


@dataclass
class Extracted:
    """What a worker returns for one article: its RDF as N-Quads, or the error that stopped it."""

    id: str
    source: str
    graph: str
    chars: int
    nquads: bytes = b""
    """The article graph, as N-Quads."""
    shared: bytes = b""
    """What the article adds to the store's default graph (descriptions, merged triples), as N-Triples."""
    entities: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    worker: str = ""


def quiet_libraries() -> None:
    """Silence library chatter on stderr (jieba announces its dictionary on every start)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)


NER_MALLOC = (32 << 20, 64 << 20)
"""glibc's mmap and trim thresholds for a process that runs the NER: where the adaptive scheme
settles, so its arrays stay in the heap. Dask's nanny starts workers with
``MALLOC_TRIM_THRESHOLD_=65536``; setting any malloc threshold switches off the adaptive mmap
threshold, so every array over 128 KB was mapped and unmapped afresh and the page faults cost a
Dask worker ~20 % more time (measured: 8.7 s of system time against 0.9 s on 300 articles).
Setting them at run time works on any cluster, whatever environment its workers started with."""
WRITER_MALLOC = (128 << 10, 128 << 10)
"""The thresholds for a build process that only converts and writes (the NER runs in workers):
fixed and low, so a batch's N-Quads and the store's write buffers go back to the kernel at once
instead of fragmenting a heap that grows with the run (measured by replaying 3M quads in
build-sized batches: peak RSS 0.238 → 0.206 GB, steady 0.24 → 0.12 GB)."""


LEAN_DASK_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "200ms",
}
"""Dask settings for workers that run one long CPU-bound task at a time: no sampling profiler
(a thread walking every frame every 10 ms) and slower health checks. Measured on 1,000 articles
with a LocalCluster of 2, runs alternating: CPU time per worker 36.2–42.8 s → 35.4–36.4 s, the
build 44.9–52.5 s → 43.3–43.9 s (two local workers: 42.9 s). ``--scheduler local`` uses them;
workers started with ``dask worker`` read them from the environment ``dask_environment()`` gives."""


def dask_environment(config: dict[str, Any] = LEAN_DASK_CONFIG) -> dict[str, str]:
    """Dask settings as the environment variables ``dask worker`` reads (DASK_DISTRIBUTED__…)."""
    return {"DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value) for key, value in config.items()}


@lru_cache(maxsize=2)
def tune_allocator(thresholds: tuple[int, int]) -> bool:
    """Set this process's glibc malloc ``(mmap, trim)`` thresholds (``NER_MALLOC`` or
    ``WRITER_MALLOC``); returns whether it could (glibc only)."""
    mmap_threshold, trim_threshold = thresholds
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, trim_threshold))
    except (OSError, AttributeError):
        return False


def worker_pipeline():
    """The pipeline of this worker process, loaded once."""
    from .nlp.pipeline import load_pipeline

    tune_allocator(NER_MALLOC)
    quiet_libraries()
    one_blas_thread()
    return load_pipeline()


@cache
def one_blas_thread() -> None:
    """Keep this worker's matrix products on one thread: a build runs one worker per core, so a
    second BLAS thread would only take a core from another worker (``--workers 1`` is one core)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def preload_pipeline() -> None:
    """Load this worker's pipeline ahead of its first task (returns nothing to ship back)."""
    worker_pipeline()


def extract_batch(articles: list[Article], run: Run, base: str = DEFAULT_BASE) -> list[Extracted]:
    """Extract a batch of articles in this process; every article ends as RDF or as an error."""
    from .nlp.pipeline import make_doc

    nlp = worker_pipeline()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    jobs = [(index, offset, piece) for index, article in enumerate(articles) for offset, piece in split_text(article.text)]
    pieces: dict[int, list] = {index: [] for index in range(len(articles))}
    remaining = Counter(index for index, _, _ in jobs)
    results: dict[int, Extracted] = {}

    def finish(index: int) -> None:
        results[index] = _to_rdf(articles[index], pieces.pop(index), run, base, worker)

    try:
        docs = nlp.pipe(((make_doc(nlp, piece), (index, offset)) for index, offset, piece in jobs), as_tuples=True, batch_size=16)
        for doc, (index, offset) in docs:
            pieces[index].append((offset, doc))
            remaining[index] -= 1
            if remaining[index] == 0:
                finish(index)
    except Exception:  # noqa: BLE001  one bad article must not take its batch with it: redo the rest one by one
        for index in [i for i in range(len(articles)) if i not in results]:
            try:
                pieces[index] = [(offset, nlp(make_doc(nlp, piece))) for offset, piece in split_text(articles[index].text)]
                finish(index)
            except Exception as error:  # noqa: BLE001
                results[index] = _failed(articles[index], base, f"extraction failed ({type(error).__name__}: {_one_line(error)}); the article was skipped", worker)
    return [results[index] for index in range(len(articles))]


def _to_rdf(article: Article, pieces: list, run: Run, base: str, worker: str) -> Extracted:
    try:
        rdf = article_rdf(sorted(pieces, key=lambda p: p[0]), article, run, base)
        named, shared = rdf.nquads()
        return Extracted(article.id, article.source, str(rdf.graph), len(article.text), named, shared, dict(rdf.entities), worker=worker)
    except Exception as error:  # noqa: BLE001
        return _failed(article, base, f"writing its RDF failed ({type(error).__name__}: {_one_line(error)}); the article was skipped", worker)


def _failed(article: Article, base: str, problem: str, worker: str) -> Extracted:
    return Extracted(article.id, article.source, str(IriMinter(base).graph(article.id)), len(article.text), error=f"{article.source}: {problem}", worker=worker)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


# --- where the work runs --------------------------------------------------------------------------


class Executor(Protocol):
    """Runs ``extract_batch`` on batches, at most a bounded number at a time, yielding results as they finish."""

    workers: int

    def map(self, batches: Iterator[list[Article]], run: Run, base: str) -> Iterator[list[Extracted]]: ...

    def close(self) -> None: ...


class InProcess:
    """Extraction in this process: one worker, no start-up cost."""

    workers = 1

    def map(self, batches: Iterator[list[Article]], run: Run, base: str) -> Iterator[list[Extracted]]:
        for batch in batches:
            yield extract_batch(batch, run, base)

    def close(self) -> None:
        pass


def _bounded(submit: Callable[[list[Article]], Any], wait_any: Callable[[set], tuple[set, set]], result: Callable[[Any], list[Extracted]],
             batches: Iterator[list[Article]], in_flight: int) -> Iterator[list[Extracted]]:
    """Keep ``in_flight`` batches submitted, yield each result as it completes (memory stays bounded)."""
    pending: set = set()
    for batch in batches:
        pending.add(submit(batch))
        while len(pending) >= in_flight:
            done, pending = wait_any(pending)
            for future in done:
                yield result(future)
    while pending:
        done, pending = wait_any(pending)
        for future in done:
            yield result(future)


class LocalProcesses:
    """Extraction in ``workers`` local processes (spawned, each loading the pipeline once)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_local_worker, initargs=(os.getpid(),))

    def map(self, batches: Iterator[list[Article]], run: Run, base: str) -> Iterator[list[Extracted]]:
        def wait_any(pending: set[Future]) -> tuple[set, set]:
            done, rest = wait(pending, return_when=FIRST_COMPLETED)
            return done, rest

        return _bounded(lambda batch: self.pool.submit(extract_batch, batch, run, base), wait_any,
                        lambda future: future.result(), batches, in_flight=2 * self.workers)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _start_local_worker(parent: int) -> None:
    """Load the pipeline, and leave as soon as the build process is gone (killed builds leave no workers)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="kg-parent-watch").start()
    worker_pipeline()


class DaskCluster:
    """Extraction on a Dask distributed cluster: ``local`` starts a LocalCluster of ``workers``
    processes, ``tcp://host:port`` connects to a running scheduler. Every worker process loads
    the pipeline once and needs kg installed."""

    def __init__(self, scheduler: str, workers: int) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as error:  # pragma: no cover - dask is a dependency
            raise BuildError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from error
        self.cluster = None
        try:
            if scheduler == "local":
                with dask.config.set(LEAN_DASK_CONFIG):  # the nannies hand these settings to their workers
                    self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
                self.client = Client(self.cluster)
            else:
                self.client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise BuildError(f"cannot reach the Dask scheduler {scheduler} ({_one_line(error)}); start it with `dask scheduler` or use --scheduler local") from error
        self.client.run(preload_pipeline)  # load the pipeline on every worker now, not in its first task
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def map(self, batches: Iterator[list[Article]], run: Run, base: str) -> Iterator[list[Extracted]]:
        from distributed import wait as dask_wait

        def wait_any(pending: set) -> tuple[set, set]:
            done, rest = dask_wait(list(pending), return_when="FIRST_COMPLETED")
            return set(done), set(rest)

        return _bounded(lambda batch: self.client.submit(extract_batch, batch, run, base, pure=False), wait_any,
                        lambda future: future.result(), batches, in_flight=2 * self.workers)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Where to extract: a Dask cluster when ``scheduler`` is given, else ``workers`` local processes
    (default: the machine's cores), or this process alone for one worker."""
    if scheduler:
        return DaskCluster(scheduler, workers or os.cpu_count() or 1)
    workers = workers or os.cpu_count() or 1
    return InProcess() if workers == 1 else LocalProcesses(workers)


# --- the build ---------------------------------------------------------------------------


@dataclass
class BuildSummary:
    """What a build did."""

    files: int = 0
    unreadable: int = 0
    articles: int = 0
    written: int = 0
    unchanged: int = 0
    pruned: int = 0
    reextract: int = 0
    chars: int = 0
    entities: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    quads: int = 0
    seconds: float = 0.0


class Progress(Protocol):
    """What a build tells its caller as it goes."""

    def start(self, total: int, workers: int) -> None: ...

    def advance(self, articles: int, chars: int = 0, worker: str = "") -> None: ...

    def note(self, message: str) -> None: ...


class SilentProgress:
    def start(self, total: int, workers: int) -> None: ...

    def advance(self, articles: int, chars: int = 0, worker: str = "") -> None: ...

    def note(self, message: str) -> None: ...


def count_articles(sources: list[tuple[Path, Path | None]]) -> int:
    """How many articles the sources hold (non-blank lines for JSON Lines), for progress totals."""
    total = 0
    for path, _ in sources:
        if path.suffix.lower() != ".jsonl":
            total += 1
            continue
        try:
            with path.open("rb") as lines:
                total += sum(1 for line in lines if line.strip())
        except OSError:
            total += 1
    return total


def iter_articles(sources: list[tuple[Path, Path | None]], errors: list[str]) -> Iterator[Article]:
    """Every article of ``sources``, one file at a time, with ids made unique within the run
    (x, x-2, x-3 …); unreadable files are reported in ``errors`` and skipped."""
    seen: Counter = Counter()
    for path, root in sources:
        try:
            for article in read_articles(path, root=root):
                seen[article.id] += 1
                if seen[article.id] > 1:
                    article.id = f"{article.id}-{seen[article.id]}"
                yield article
        except IngestError as error:
            errors.append(str(error))


def build(
    paths: Iterable[str | Path],
    store: Any,
    base: str = DEFAULT_BASE,
    workers: int | None = 1,
    scheduler: str | None = None,
    prune: bool = False,
    progress: Progress | None = None,
) -> BuildSummary:
    """Bring the store up to date with the articles under ``paths``.

    ``store`` is a :class:`kg.store.Store` (or a remote store with the same methods). With
    ``prune``, graphs of articles no longer found under ``paths`` are removed afterwards.
    """
    started = time.perf_counter()
    progress = progress or SilentProgress()
    summary = BuildSummary()
    iri = IriMinter(base)
    sources = find_article_sources(paths)
    summary.files = len(sources)
    run = Run.start(extractor_fingerprint(), base)
    summary.reextract = store.count_other_extractors(str(iri.agent(run.fingerprint)))
    if summary.reextract:
        progress.note(f"extractor changed: {summary.reextract} articles will be re-extracted")
    present: set[str] = set()
    stored: set[str] = set()

    def stale(articles: Iterator[Article]) -> Iterator[Article]:
        for article in articles:
            summary.articles += 1
            graph = str(iri.graph(article.id))
            if prune:
                present.add(graph)
            old = store.graph_hash(graph)
            if old == content_hash(article.text, run.fingerprint):
                summary.unchanged += 1
                progress.advance(1)
                continue
            if old is not None:
                stored.add(graph)
            yield article

    read_errors: list[str] = []
    total = count_articles(sources)
    if workers is not None and workers < 1:
        raise BuildError(f"--workers must be at least 1, not {workers}")
    if not scheduler and workers != 1:  # starting processes costs more than a few articles
        workers = max(1, min(workers or os.cpu_count() or 1, -(-total // BATCH_ARTICLES)))
    executor = make_executor(workers, scheduler)
    if not isinstance(executor, InProcess):
        tune_allocator(WRITER_MALLOC)
    writer, written = BackgroundWriter(), WrittenLines()
    try:
        progress.start(total, executor.workers)
        batches = batched(stale(iter_articles(sources, read_errors)), BATCH_ARTICLES)
        for number, results in enumerate(executor.map(batches, run, base), start=1):
            if number % FLUSH_EVERY_BATCHES == 0:
                writer.submit(store.flush)
            done = [r for r in results if r.error is None]
            summary.errors += [r.error for r in results if r.error is not None]
            rdf = b"".join(r.nquads for r in done) + written.fresh(b"".join(r.shared for r in done))
            writer.submit(store.write, rdf, [r.graph for r in done if r.graph in stored])
            for r in results:
                stored.discard(r.graph)
                progress.advance(1, r.chars, r.worker)
            summary.written += len(done)
            summary.chars += sum(r.chars for r in done)
            for r in done:
                summary.entities.update(r.entities)
    finally:
        try:
            executor.close()
        finally:
            writer.close()
    summary.unreadable = len(read_errors)
    summary.errors = read_errors + summary.errors
    if prune:
        summary.pruned = _prune(store, present, summary, progress)
    store.flush()
    store.optimize()
    summary.quads = len(store)
    summary.seconds = time.perf_counter() - started
    return summary


class WrittenLines:
    """The default-graph lines this build has already sent to the store, so that descriptions and
    merged triples that many articles share are written once rather than once per article.

    Leaving a line out is safe: the store keeps a default-graph line while an article graph that
    led to it is present (``kg.store.removal_update``), and the article that first sent it stays
    present until the build ends (pruning comes after the last write). Memory stays small and
    bounded: a line is remembered by its hash (Python's keyed 64-bit SipHash, so two lines of one
    build share a hash with odds of about 1 in 10^14 per line), and once ``limit`` hashes are held
    they are forgotten and the next lines are sent again.
    """

    def __init__(self, limit: int = WRITTEN_LINES_LIMIT) -> None:
        self.limit = limit
        self.hashes: set[int] = set()

    def fresh(self, lines: bytes) -> bytes:
        """The lines of ``lines`` not sent before (each line ends with a newline)."""
        if len(self.hashes) > self.limit:
            self.hashes.clear()
        by_hash = {hash(line): line for line in lines.splitlines(keepends=True)}
        fresh = by_hash.keys() - self.hashes
        self.hashes.update(fresh)
        return b"".join(line for key, line in by_hash.items() if key in fresh)


class BackgroundWriter:
    """Runs the store's writes in a thread of their own, one at a time and in order, so that a
    batch is written while the next one is extracted (Oxigraph and HTTP release the GIL while
    they write). At most one write waits; an error in a write is raised by the next call."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-writer")
        self._pending: Future | None = None

    def submit(self, write: Callable[..., None], *args: Any) -> None:
        """Start ``write(*args)`` once the write before it is done."""
        self.wait()
        self._pending = self._thread.submit(write, *args)

    def wait(self) -> None:
        """Block until the last write is done, raising its error if it failed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Finish the last write (raising its error) and stop the thread."""
        try:
            self.wait()
        finally:
            self._thread.shutdown()


def _prune(store: Any, present: set[str], summary: BuildSummary, progress: Progress) -> int:
    """Remove the graphs of articles not found in this build, unless some file could not be read."""
    if summary.unreadable:
        progress.note(f"not pruning: {summary.unreadable} files could not be read, so their articles cannot be told apart from deleted ones; fix or remove them and build with --prune again")
        return 0
    gone = [graph for graph in store.article_graphs() if graph not in present]
    for chunk in batched(iter(gone), 50):
        store.remove_graphs(chunk)
    return len(gone)


def batched(items: Iterator, size: int) -> Iterator[list]:
    """Lists of up to ``size`` consecutive items, drawn lazily."""
    while batch := list(islice(items, size)):
        yield batch
