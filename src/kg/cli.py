"""The ``kg`` command line: extract, build, query, export, viz, serve, stats, eval.

Errors a user can cause (bad files, bad SPARQL, a missing store) end with one
line on stderr that names the file or query and the problem, and a non-zero
exit status; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .store import DEFAULT_STORE, QUAD_FORMATS, RDF_FORMATS, Store
from .vocab import DEFAULT_BASE

FORMATS = tuple(RDF_FORMATS)
EXIT_USAGE, EXIT_FAILED = 2, 1


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _command(sub, name: str, summary: str, example: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=summary, description=summary, epilog=f"example:\n  {example}", formatter_class=_formatter)
    parser.set_defaults(handler=handler)
    return parser


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=str(DEFAULT_STORE), metavar="DIR|URL",
                        help=f"the Oxigraph store folder (default: {DEFAULT_STORE}), or the http(s) URL of a SPARQL 1.1 endpoint")


def open_store(location: str, read_only: bool = False):
    """The store at ``location``: a folder (embedded Oxigraph) or a SPARQL endpoint URL."""
    if location.startswith(("http://", "https://")):
        from .remote import RemoteStore  # noqa: PLC0415  (only needed for endpoints)

        return RemoteStore(location)
    return Store(location, read_only=read_only)


def _output_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    parser.add_argument("-o", "--output", type=Path, default=Path(default) if default else None, metavar="FILE", help=f"write here instead of {'stdout' if default is None else default}")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build a knowledge graph (RDF) of the people, places, organisations and programmes in Chinese news and government articles.",
        epilog="example:\n  kg build examples/ && kg query -q queries/people-and-posts.rq",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = _command(sub, "extract", "Print the RDF of the given articles (nothing is stored).", "kg extract article.txt --format turtle", cmd_extract)
    extract.add_argument("files", nargs="+", type=Path, metavar="FILE", help="article files (.txt, .html, .md, .jsonl) or folders")
    extract.add_argument("-f", "--format", choices=FORMATS, default="trig", help="RDF syntax; quad formats (trig, nquads, jsonld) keep one named graph per article (default: trig)")
    extract.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI of the entities (default: {DEFAULT_BASE})")
    _output_option(extract)

    build = _command(
        sub, "build", "Add articles to the store; unchanged articles are skipped, changed ones replaced.",
        "kg build examples/ --store output/store\n  kg build corpus/ --workers 2 --prune\n"
        "  kg build 'feeds/*.jsonl' --scheduler tcp://10.0.0.5:8786\n  kg build corpus/ --store http://localhost:7878",
        cmd_build,
    )
    build.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders (searched recursively for .txt, .html, .htm, .md, .jsonl), or a quoted glob such as 'feeds/*.jsonl'")
    build.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI of the entities (default: {DEFAULT_BASE})")
    build.add_argument("--workers", type=int, default=None, metavar="N", help="extraction processes (default: the machine's cores; 1 = this process only), e.g. --workers 2")
    build.add_argument("--scheduler", metavar="ADDRESS", help="extract on a Dask cluster: 'local' starts one with --workers processes, tcp://HOST:PORT uses a running `dask scheduler` (its workers need kg installed)")
    build.add_argument("--prune", action="store_true", help="also remove the graphs of articles no longer found under PATH (renamed or deleted files)")
    _store_option(build)

    query = _command(sub, "query", "Run SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) over the store.", "kg query --name who-appears-with --param name=高敏", cmd_query)
    query.add_argument("sparql", nargs="?", help="the query text (or use -q FILE or --name NAME)")
    query.add_argument("-q", "--query-file", type=Path, metavar="FILE.rq", help="read the query from this file")
    query.add_argument("--name", help="run a saved query from queries/ by name (see `kg query --list`)")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a value for a saved query's parameter, bound as a literal (repeatable)")
    query.add_argument("--list", action="store_true", help="list the saved queries and their parameters")
    query.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table", help="result format (default: table)")
    _store_option(query)

    export = _command(sub, "export", "Serialise the whole store.", "kg export --format turtle -o output/graph.ttl", cmd_export)
    export.add_argument("-f", "--format", choices=FORMATS, default="trig", help="RDF syntax; triple formats merge the article graphs (default: trig)")
    _output_option(export)
    _store_option(export)

    viz = _command(sub, "viz", "Write the interactive HTML network explorer (works offline).", "kg viz --top 500 -o output/graph.html", cmd_viz)
    _output_option(viz, "output/graph.html")
    viz.add_argument("--top", type=int, metavar="N", help="keep the N entities with the highest PageRank (default: all, or 2000 when the store has more and no --focus is given)")
    viz.add_argument("--focus", metavar="NAME", help="keep only the neighbourhood of the entity with this name")
    viz.add_argument("--hops", type=int, default=2, metavar="K", help="with --focus: how many steps out (default: 2)")
    viz.add_argument("--types", metavar="T,T", help="keep only these types: Person,Place,Organization,Programme")
    _store_option(viz)

    serve = _command(sub, "serve", "Serve the store: SPARQL endpoint at /sparql, Graph Store at /store, explorer, entity pages.", "kg serve --port 8000", cmd_serve)
    serve.description += (
        "\n\nNo SPARQL runs in the process that answers HTTP: client queries run in worker processes on a"
        "\nread-only snapshot of the store, so a query that crashes the engine or runs past --timeout costs"
        "\none worker (500 or 504), never the server. The store is LOCKED against builds while the server"
        "\nruns: `kg build` into it stops with 'is another kg process using it?'; stop the server, build,"
        "\nstart it again. With --allow-update, updates and Graph Store writes are applied one at a time"
        "\nby the process that holds the store, in one transaction that commits only if it finished within"
        "\n--timeout: a 504 means the update was rolled back and NOT applied. Every query started after an"
        "\nupdate's 204 sees it."
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--allow-update", action="store_true", help="accept SPARQL Update and Graph Store writes (needs --token)")
    serve.add_argument("--token", help="bearer token that updates must send: 'Authorization: Bearer TOKEN'")
    serve.add_argument("--allow-load", action="store_true", help="with --allow-update: permit LOAD <url>, which makes the server fetch that URL")
    serve.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="time limit per query or update; past it the worker is stopped or the update rolled back (default: 10)")
    serve.add_argument("--max-results", type=int, default=10000, metavar="N", help="result cap per query (default: 10000)")
    serve.add_argument("--workers", type=int, default=2, metavar="N", help="processes for client SPARQL; entity pages have two of their own (default: 2)")
    serve.add_argument("--cors", metavar="ORIGIN", help="send Access-Control-Allow-Origin: ORIGIN (e.g. '*')")
    serve.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI of the entities; relative IRIs in queries resolve against it (default: {DEFAULT_BASE})")
    _store_option(serve)

    stats = _command(sub, "stats", "Counts, centrality, components and communities; GraphML/GEXF export.", "kg stats --graphml output/graph.graphml", cmd_stats)
    stats.add_argument("--top", type=int, default=10, metavar="N", help="how many top entities to list (default: 10)")
    stats.add_argument("--graphml", type=Path, metavar="FILE", help="also write the entity network as GraphML")
    stats.add_argument("--gexf", type=Path, metavar="FILE", help="also write the entity network as GEXF (Gephi)")
    _store_option(stats)

    evaluate = _command(sub, "eval", "Score extraction against annotated articles (genre-dev JSON format).", "kg eval ../shared/data/genre-dev -v", cmd_eval)
    evaluate.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="annotated *.json articles, or folders of them")
    evaluate.add_argument("--exclude", action="append", default=[], metavar="ID|FILE",
                          help="leave out this article id, or the ids listed in this file (one per line); repeatable, "
                               "e.g. --exclude training/genre-real-held-out.txt")
    evaluate.add_argument("-v", "--verbose", action="store_true", help="list every miss and spurious entity")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    return parser


def _open_output(path: Path | None):
    if path is None:
        return sys.stdout.buffer
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "wb")


def cmd_extract(args: argparse.Namespace) -> int:
    from .build import BATCH_ARTICLES, batched, extract_batch, extractor_fingerprint, iter_articles
    from .ingest import find_article_sources
    from .rdf import Run

    errors: list[str] = []
    memory = Store(None)
    run = Run.start(extractor_fingerprint(), args.base)
    for batch in batched(iter_articles(find_article_sources(args.files), errors), BATCH_ARTICLES):
        results = extract_batch(batch, run, args.base)
        errors += [r.error for r in results if r.error]
        memory.write(b"".join(r.nquads + r.shared for r in results if not r.error))
    for error in errors:
        print(f"kg: error: {error}", file=sys.stderr)
    if len(memory) == 0 and errors:
        return EXIT_FAILED
    out = _open_output(args.output)
    memory.export(out, args.format)
    out.flush()
    return EXIT_FAILED if errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    store = open_store(args.store)
    try:
        with BuildProgress() as progress:
            summary = build(args.paths, store, args.base, workers=args.workers, scheduler=args.scheduler, prune=args.prune, progress=progress)
    finally:
        store.close()
    for error in summary.errors:
        print(f"kg: error: {error}", file=sys.stderr)
    by_type = ", ".join(f"{label} {count}" for label, count in sorted(summary.entities.items())) or "none new"
    pruned = f", {summary.pruned} pruned" if args.prune else ""
    print(
        f"{summary.articles} articles ({summary.written} written, {summary.unchanged} unchanged{pruned}, {len(summary.errors)} failed); "
        f"entities: {by_type}; {summary.quads} quads in {args.store}; {summary.seconds:.1f} s"
    )
    return EXIT_FAILED if summary.errors else 0


class BuildProgress:
    """Build progress on stderr: a live bar with articles/s and ETA on a terminal; under nohup or
    a pipe, one plain line every ``every`` seconds (and one at the end of a build that printed
    any), so logs show it too while short builds stay quiet."""

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self.tty = sys.stderr.isatty()
        self.total = 0
        self.done = 0
        self.chars = 0
        self.per_worker: dict[str, int] = {}
        self.started = self.last = 0.0
        self.lines = 0
        self.bar = None

    def __enter__(self) -> "BuildProgress":
        import time

        self.started = self.last = time.monotonic()
        if self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("building"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), transient=False,
            )
            self.bar.__enter__()
            self.task = self.bar.add_task("", total=None, rate="")
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
        elif self.lines:
            self._line()

    def start(self, total: int, workers: int) -> None:
        self.total = total
        if self.bar is not None:
            self.bar.update(self.task, total=total)

    def advance(self, articles: int, chars: int = 0, worker: str = "") -> None:
        import time

        self.done += articles
        self.chars += chars
        if worker:
            self.per_worker[worker] = self.per_worker.get(worker, 0) + articles
        now = time.monotonic()
        if self.bar is not None:
            self.bar.update(self.task, advance=articles, rate=self._rate(now), description=self._workers())
        elif now - self.last >= self.every:
            self.last = now
            self._line()

    def note(self, message: str) -> None:
        (self.bar.console.print if self.bar is not None else lambda m: print(m, file=sys.stderr, flush=True))(f"kg: {message}")

    def _rate(self, now: float) -> str:
        seconds = max(now - self.started, 1e-6)
        return f"{self.done / seconds:.1f} articles/s, {self.chars / seconds / 1000:.1f}k chars/s"

    def _workers(self) -> str:
        return " · ".join(f"{name} {count}" for name, count in sorted(self.per_worker.items())) if len(self.per_worker) > 1 else ""

    def _line(self) -> None:
        import time

        now = time.monotonic()
        rate = self.done / max(now - self.started, 1e-6)
        eta = (self.total - self.done) / rate if rate and self.total >= self.done else 0
        share = f" ({100 * self.done / self.total:.1f} %)" if self.total else ""
        workers = f"; workers: {self._workers()}" if self._workers() else ""
        print(f"kg: {self.done}/{self.total} articles{share}, {self._rate(now)}, elapsed {_clock(now - self.started)}, ETA {_clock(eta)}{workers}",
              file=sys.stderr, flush=True)
        self.lines += 1


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def cmd_query(args: argparse.Namespace) -> int:
    from . import query

    if args.list:
        for name, saved in sorted(query.saved_queries().items()):
            print(f"{name}\t{', '.join(saved.params) or '-'}\t{saved.description}")
        return 0
    if args.name:
        sparql = query.bind_params(query.get_saved(args.name), query.parse_params(args.param))
    elif args.query_file:
        try:
            sparql = args.query_file.read_text(encoding="utf-8")
        except OSError as error:
            raise query.QueryError(f"{args.query_file}: cannot read the query ({error.strerror})") from error
    elif args.sparql:
        sparql = args.sparql
    else:
        raise query.QueryError("no query given: pass the SPARQL text, -q FILE.rq or --name NAME")
    _contained(lambda: query.run(open_store(args.store, read_only=True), sparql, args.format))
    return 0


def _contained(work: Callable[[], object]) -> None:
    """Run ``work`` in a forked child process. pyoxigraph aborts the whole process on some
    queries (a Rust panic); in a child that costs the child only, and the user gets one line
    instead of a backtrace. Errors ``work`` raises come back and are reported as usual."""
    import multiprocessing

    from .query import QueryError

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_run_child, args=(work, sending))
    child.start()
    sending.close()
    child.join()
    try:
        error = receiving.recv()
    except EOFError:  # the child finished without an error, or died before it could send one
        error = None
    if error is not None:
        raise error
    if child.exitcode:
        raise QueryError("the store engine crashed on this query (a pyoxigraph panic); the store is unchanged. "
                         "Rewrite the query, e.g. split it or drop ORDER BY over several GRAPH patterns")


def _run_child(work: Callable[[], object], sending: object) -> None:
    """The child's side of :func:`_contained`: the engine's panic report is no message for users
    (stderr goes to /dev/null), an error is sent back to the parent."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    try:
        work()
    except BrokenPipeError:
        pass
    except Exception as error:  # every error is the parent's to report, whatever its type
        sending.send(error)


def cmd_export(args: argparse.Namespace) -> int:
    store = open_store(args.store, read_only=True)
    out = _open_output(args.output)
    store.export(out, args.format)
    out.flush()
    if args.output:
        print(f"wrote {args.output} ({args.format}, {_export_size(store, args.format)})", file=sys.stderr)
    return 0


def _export_size(store: Store, fmt: str) -> str:
    """What an export of ``fmt`` holds: every quad, or for triple formats the merged graph alone."""
    if fmt in QUAD_FORMATS:
        return f"{len(store)} quads"
    from .query import select_rows

    triples = next(select_rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))["n"]
    return f"{triples} triples of the merged graph; the quad formats also keep each article's mentions, evidence, co-mentions and provenance"


def cmd_viz(args: argparse.Namespace) -> int:
    from . import viz

    store = open_store(args.store, read_only=True)
    types = [t.strip() for t in args.types.split(",")] if args.types else None
    info = viz.write_explorer(store, args.output, top=args.top, focus=args.focus, hops=args.hops, types=types)
    print(f"wrote {args.output}: {info.get('nodes', '?')} nodes, {info.get('edges', '?')} edges")
    if info.get("left_out"):
        print(f"kg: {info['left_out']} (kept the most central by PageRank); choose with --top N, --focus NAME or --types", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from . import server

    if args.allow_update and not args.token:
        raise ValueError("--allow-update needs --token TOKEN: updates are accepted only with that bearer token")
    server.serve(server.ServerConfig(
        args.store, args.host, args.port, allow_update=args.allow_update, token=args.token, timeout_s=args.timeout,
        max_results=args.max_results, cors=args.cors, base=args.base, workers=args.workers, allow_load=args.allow_load))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from . import stats

    stats.report(open_store(args.store, read_only=True), graphml=args.graphml, gexf=args.gexf, top=args.top)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate, read_exclusions, report

    scores = evaluate(args.paths, read_exclusions(args.exclude))
    print(json.dumps(scores.as_dict(), ensure_ascii=False, indent=2) if args.json else report(scores, args.verbose))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kg`` console script."""
    from .build import BuildError, quiet_libraries
    from .evaluate import EvalError
    from .ingest import IngestError
    from .store import StoreError

    args = make_parser().parse_args(argv)
    quiet_libraries()
    try:
        return args.handler(args)
    except BrokenPipeError:  # the reader (head, less) went away: not an error of ours
        sys.stderr.close()
        return 0
    except (IngestError, StoreError, EvalError, BuildError, ValueError, OSError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"kg: error: {message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("kg: interrupted; every article written so far is complete in the store", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
