"""Building past one process: external SPARQL stores as sinks and a Dask cluster as workers.

Each server is real: the Oxigraph server shipped in the ``oxigraph`` wheel, Virtuoso from
Debian (``virtuoso-opensource-7-bin``) and a ``dask scheduler`` with two ``dask worker``
processes. CI starts them (``.ci/run``) and passes their addresses in ``KG_TEST_OXIGRAPH_URL``,
``KG_TEST_VIRTUOSO_URL`` and ``KG_TEST_DASK_SCHEDULER``; without those, the fixtures start
their own when the programs are installed, and the tests skip, saying what is missing, when
they are not.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import shutil
import sys
from pathlib import Path

import dask
import pyoxigraph as ox
import pytest

from kg import query
from kg.build import DaskCluster, build
from kg.remote import RemoteStore
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
_spec = importlib.util.spec_from_file_location("kg_bench_servers", ROOT / "bench" / "servers.py")
servers = sys.modules.setdefault("kg_bench_servers", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(servers)
PROV = "http://www.w3.org/ns/prov#"
SAVED = ("people-and-posts", "place-tree", "programmes-by-place")


def _server_fixture(variable: str, missing: str | None, start):
    """The address in ``variable`` when CI gives one, else a server started here for the session."""
    address = os.environ.get(variable)
    if address:
        yield address
        return
    if missing:
        pytest.skip(f"{missing} and {variable} is not set")
    server = start()
    try:
        yield server.address
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory):
    missing = None if servers.oxigraph_program() else "the Oxigraph server is not installed (pip install oxigraph)"
    yield from _server_fixture("KG_TEST_OXIGRAPH_URL", missing, lambda: servers.start_oxigraph(tmp_path_factory.mktemp("oxigraph")))


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory):
    missing = None if servers.virtuoso_installed() else "Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin)"
    yield from _server_fixture("KG_TEST_VIRTUOSO_URL", missing, lambda: servers.start_virtuoso(tmp_path_factory.mktemp("virtuoso")))


@pytest.fixture(scope="session")
def dask_scheduler():
    missing = None if servers.dask_program() else "dask.distributed is not installed (pip install 'dask[distributed]')"
    yield from _server_fixture("KG_TEST_DASK_SCHEDULER", missing, servers.start_dask)


def clear(store: RemoteStore) -> None:
    """Remove everything kg wrote to the server (Virtuoso's own system graphs stay)."""
    graphs = list(store.article_graphs())
    if store.merged:
        graphs.append(store.merged)
    else:
        store.update("CLEAR DEFAULT")
    for start in range(0, len(graphs), 50):
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs[start:start + 50]))


def answers(store, name: str) -> list[tuple[str, ...]]:
    out = io.StringIO()
    query.run_saved(store, name, {}, fmt="csv", out=out)
    return sorted(tuple(row) for row in csv.reader(io.StringIO(out.getvalue())))


def merged_triples(store) -> set:
    """The merged graph as exported (N-Triples, parsed: servers escape differently), less what varies by run."""
    out = io.BytesIO()
    store.export(out, "nt")
    return {t for t in ox.parse(out.getvalue(), format=ox.RdfFormat.N_TRIPLES) if not _varies_by_run(t)}


def _varies_by_run(triple) -> bool:
    return "/activity/" in triple.subject.value or triple.predicate.value in (PROV + "generatedAtTime", PROV + "wasGeneratedBy")


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("embedded") / "store")
    assert not build([EXAMPLES], store).errors
    return store


@pytest.mark.parametrize("server", ["oxigraph_url", "virtuoso_url"])
def test_an_external_store_holds_what_the_embedded_one_does(server, embedded, request):
    remote = RemoteStore(request.getfixturevalue(server))
    clear(remote)
    summary = build([EXAMPLES], remote)
    assert not summary.errors and summary.written == 4
    assert len(remote) == len(embedded)
    for name in SAVED:
        assert answers(remote, name) == answers(embedded, name), name
    assert merged_triples(remote) == merged_triples(embedded)
    again = build([EXAMPLES], RemoteStore(remote.location))
    assert (again.written, again.unchanged) == (0, 4)


@pytest.mark.parametrize("server", ["oxigraph_url", "virtuoso_url"])
def test_replacing_and_pruning_on_an_external_store_keep_its_merged_graph_exact(server, tmp_path, request):
    remote = RemoteStore(request.getfixturevalue(server))
    clear(remote)
    folder = tmp_path / "articles"
    shutil.copytree(EXAMPLES, folder)
    build([folder], remote)
    (folder / "d04.txt").unlink()
    d01 = folder / "d01.txt"
    d01.write_text(d01.read_text(encoding="utf-8").replace("梁志豪", "梁志诚"), encoding="utf-8")
    summary = build([folder], RemoteStore(remote.location), prune=True)
    assert (summary.written, summary.unchanged, summary.pruned) == (1, 2, 1)
    local = Store(tmp_path / "store")
    build([folder], local)
    assert sorted(remote.article_graphs()) == sorted(local.article_graphs())
    assert merged_triples(remote) == merged_triples(local)


def test_a_dask_cluster_extracts_the_same_graphs(dask_scheduler, embedded, tmp_path):
    store = Store(tmp_path / "store")
    summary = build([EXAMPLES], store, scheduler=dask_scheduler)
    assert not summary.errors and summary.written == 4
    assert len(store) == len(embedded)
    assert merged_triples(store) == merged_triples(embedded)


@pytest.mark.parametrize("where", ["local", "dask_scheduler"])
def test_dask_workers_run_without_the_sampling_profiler(where, request):
    scheduler = "local" if where == "local" else request.getfixturevalue(where)
    cluster = DaskCluster(scheduler, 1)
    try:
        settings = cluster.client.run(dask.config.get, "distributed.worker.profile.enabled")
    finally:
        cluster.close()
    assert settings and not any(settings.values()), "every worker takes kg.build.LEAN_DASK_CONFIG"
