"""The kg command line end to end: extract, build, query, export, and what bad input does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.compare import isomorphic, to_isomorphic

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "meixian-2024-10-25.txt"
KG = [sys.executable, "-m", "kg.cli"]
RDFLIB_FORMATS = {"nquads": "nquads", "trig": "trig", "turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}
QUAD_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def kg(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"kg {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def quad_count(store: Path) -> int:
    result = kg("query", "--store", store, "--format", "csv", QUAD_COUNT)
    return int(result.stdout.split()[-1])


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def built_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("store") / "store"
    kg("build", EXAMPLES, "--store", store)
    return store


def test_build_reports_articles_entities_and_quads(tmp_path):
    result = kg("build", EXAMPLES, "--store", tmp_path / "store")
    assert "4 articles (4 written, 0 unchanged, 0 failed)" in result.stdout
    assert "Person" in result.stdout and "Programme" in result.stdout
    assert result.stderr == "", "no library chatter (jieba's dictionary messages) on stderr"


def test_rebuild_is_idempotent(built_store):
    before = quad_count(built_store)
    result = kg("build", EXAMPLES, "--store", built_store)
    assert "0 written, 4 unchanged" in result.stdout
    assert quad_count(built_store) == before > 1000


def test_changed_article_replaces_only_its_own_graph(built_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    folder = tmp_path / "articles"
    shutil.copytree(EXAMPLES, folder)
    graphs_before = _graph_sizes(store)
    article = folder / "d01.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("梁志豪", "梁志诚"), encoding="utf-8")
    result = kg("build", folder, "--store", store)
    assert "1 written, 3 unchanged" in result.stdout
    graphs_after = _graph_sizes(store)
    changed = {g for g in graphs_after if graphs_after[g] != graphs_before.get(g)}
    assert {g.rsplit("/", 1)[-1] for g in changed} <= {"d01"}
    names = kg("query", "--store", store, "--format", "csv", 'SELECT ?n WHERE { ?p a <https://schema.org/Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?n }').stdout
    assert "梁志诚" in names and "梁志豪" not in names


def _graph_sizes(store: Path, check: bool = True) -> dict[str, int]:
    csv = kg("query", "--store", store, "--format", "csv", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", check=check).stdout
    rows = [line.split(",") for line in csv.strip().splitlines()[1:]]
    return {g: int(n) for g, n in rows}


@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_export_parses_back_to_the_same_triples(built_store, tmp_path, fmt):
    reference = Dataset()
    reference.parse(data=kg("export", "--store", built_store, "--format", "nquads").stdout, format="nquads")
    out = tmp_path / f"graph.{fmt}"
    kg("export", "--store", built_store, "--format", fmt, "-o", out)
    parsed = Dataset()
    parsed.parse(out, format=RDFLIB_FORMATS[fmt])
    if fmt in ("nquads", "trig", "jsonld"):
        assert {str(g.identifier) for g in parsed.graphs() if len(g)} >= {str(g.identifier) for g in reference.graphs() if len(g)}
    merged_reference, merged_parsed = _merged(reference), _merged(parsed)
    assert len(merged_parsed) == len(merged_reference) > 500
    assert isomorphic(to_isomorphic(merged_parsed), to_isomorphic(merged_reference))


def _merged(dataset: Dataset) -> Graph:
    """The default graph of a dataset: the store's merged graph, which is what triple formats write."""
    graph = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g is None or g == DATASET_DEFAULT_GRAPH_ID:
            graph.add((s, p, o))
    return graph


@pytest.mark.skipif(not SAMPLE.exists(), reason="the sample article is in ../shared")
@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_extract_sample_in_every_format_has_all_four_types(fmt):
    result = kg("extract", SAMPLE, "--format", fmt)
    dataset = Dataset()
    dataset.parse(data=result.stdout, format=RDFLIB_FORMATS[fmt])
    types = {str(o) for _, _, o, _ in dataset.quads((None, None, None, None)) if str(o).startswith(("https://schema.org/", "https://w3id.org/kgzh/ontology#"))}
    for cls in ("https://schema.org/Person", "https://schema.org/Place", "https://schema.org/Organization", "https://w3id.org/kgzh/ontology#Programme"):
        assert cls in types


def test_shapes_validate_every_example(tmp_path):
    pyshacl = pytest.importorskip("pyshacl")
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    for article in sorted(EXAMPLES.glob("*.txt")):
        data = Graph()
        data.parse(data=kg("extract", article, "--format", "nt").stdout, format="nt")
        conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
        assert conforms, f"{article.name}:\n{text}"


def test_query_counts_quads_and_answers_ask(built_store):
    assert quad_count(built_store) > 1000
    ask = kg("query", "--store", built_store, "ASK { ?p <http://www.w3.org/ns/org#holds> ?post }")
    assert ask.stdout.strip() == "true"


def test_query_json_format_is_sparql_results_json(built_store):
    result = kg("query", "--store", built_store, "--format", "json", "SELECT ?s WHERE { ?s a <https://schema.org/Person> } LIMIT 3")
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 3


# ---------------------------------------------------------------- bad input

@pytest.fixture
def store_copy(built_store, tmp_path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    return store


def test_empty_file_is_refused_and_the_store_unchanged(store_copy, tmp_path):
    before = quad_count(store_copy)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert_one_line_error(kg("build", empty, "--store", store_copy, check=False), "empty.txt", "empty")
    assert quad_count(store_copy) == before


def test_binary_file_is_refused(store_copy, tmp_path):
    before = quad_count(store_copy)
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    assert_one_line_error(kg("build", binary, "--store", store_copy, check=False), "image.txt", "binary")
    assert quad_count(store_copy) == before


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_gbk_and_big5_articles_are_decoded(tmp_path, encoding):
    text = "梅州市梅縣區雁洋鎮黨委書記李明表示,要全力推進“百千萬工程”。" if encoding == "big5" else "梅州市梅县区雁洋镇党委书记李明表示,要全力推进“百千万工程”。"
    article = tmp_path / f"{encoding}.txt"
    article.write_bytes(("雁洋镇推进乡村振兴\n" if encoding == "gbk" else "雁洋鎮推進鄉村振興\n").encode(encoding) + text.encode(encoding))
    result = kg("extract", article, "--format", "nt")
    assert "李明" in result.stdout
    assert "百千万工程" in result.stdout


def test_oversized_file_is_refused(store_copy, tmp_path):
    before = quad_count(store_copy)
    big = tmp_path / "big.txt"
    big.write_text("梅县区推进百千万工程。" * 2_000_000, encoding="utf-8")
    assert big.stat().st_size > 20_000_000
    assert_one_line_error(kg("build", big, "--store", store_copy, check=False), "big.txt")
    assert quad_count(store_copy) == before


def test_missing_path_is_named(store_copy):
    assert_one_line_error(kg("build", "no/such/folder", "--store", store_copy, check=False), "no/such/folder")


def test_folder_without_articles_is_named(store_copy, tmp_path):
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "empty-folder" / "notes.csv").write_text("a,b\n", encoding="utf-8")
    assert_one_line_error(kg("build", tmp_path / "empty-folder", "--store", store_copy, check=False), "empty-folder")


def test_invalid_sparql_is_one_line(built_store):
    assert_one_line_error(kg("query", "--store", built_store, "SELECT ?x WHERE { ?x", check=False))


def test_a_query_that_crashes_the_engine_is_one_line_and_the_store_survives(tmp_path):
    graph = "https://w3id.org/kgzh/id/graph/crash"  # pyoxigraph aborts on this query over tests/fixtures/panic-order-by.nq
    store = pyoxigraph.Store(str(tmp_path / "store"))
    store.load(path=str(ROOT / "tests" / "fixtures" / "panic-order-by.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    del store
    panicking = f"SELECT ?a WHERE {{ GRAPH <{graph}> {{ ?a ?b ?c }} GRAPH <{graph}> {{ ?d ?e ?f }} }} ORDER BY ?c ?f LIMIT 1"
    before = quad_count(tmp_path / "store")
    result = kg("query", "--store", tmp_path / "store", panicking, check=False)
    assert_one_line_error(result, "crashed")
    assert "panicked" not in result.stderr and "backtrace" not in result.stderr
    assert quad_count(tmp_path / "store") == before


def test_query_on_a_missing_store_says_to_build_first(tmp_path):
    assert_one_line_error(kg("query", "--store", tmp_path / "nothing", "ASK {}", check=False), "kg build")


def test_killed_build_leaves_whole_graphs_and_the_next_build_completes(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(60):
        for article in EXAMPLES.glob("*.txt"):
            (folder / f"{article.stem}-{n}.txt").write_text(article.read_text(encoding="utf-8") + f"\n第{n}稿\n", encoding="utf-8")
    store = tmp_path / "store"
    mark = f"kg-test-{os.getpid()}-{time.time()}"
    process = subprocess.Popen([*KG, "build", str(folder), "--store", str(store), "--workers", "2"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "KG_TEST_MARK": mark})
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None and not _graph_sizes(store, check=False):
        time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(3)
    assert not _processes_marked(mark), "worker processes outlived the killed build"
    partial = _graph_sizes(store)
    clean = tmp_path / "clean"
    kg("build", folder, "--store", clean)
    complete = _graph_sizes(clean)
    assert 0 < len(partial) < len(complete), "the kill should land mid-build"
    assert all(partial[g] == complete[g] for g in partial), "a graph was left half-written"
    result = kg("build", folder, "--store", store)
    assert f"{len(partial)} unchanged" in result.stdout
    assert _graph_sizes(store) == complete
    assert merged_count(store) == merged_count(clean), "the merged graph matches a clean build's (but for the extra run)"


def _processes_marked(mark: str) -> list[int]:
    """Processes whose environment holds ``mark`` (Linux /proc)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"KG_TEST_MARK={mark}".encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def merged_count(store: Path) -> int:
    """Triples in the merged default graph, leaving out the description of each build run."""
    result = kg("query", "--store", store, "--format", "csv",
                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s a <http://www.w3.org/ns/prov#Activity> } }")
    return int(result.stdout.split()[-1])


def test_every_command_has_help_with_an_example():
    for command in ("extract", "build", "query", "export", "viz", "serve", "stats", "eval"):
        result = kg(command, "--help")
        assert "example:" in result.stdout and "kg " in result.stdout


def test_extraction_does_not_depend_on_the_hash_seed():
    """Sets of names are iterated in places; the graph must not change with Python's hash seed."""
    outputs = set()
    for seed in ("1", "2", "3"):
        result = subprocess.run([*KG, "eval", "tests/data/blind5", "-v"], capture_output=True, text=True, cwd=ROOT,
                                timeout=600, env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_bad_worker_counts_and_unreachable_schedulers_are_one_line_errors(tmp_path):
    assert_one_line_error(kg("build", EXAMPLES, "--workers", "0", "--store", tmp_path / "s", check=False), "--workers")
    assert_one_line_error(kg("build", EXAMPLES, "--scheduler", "tcp://127.0.0.1:1", "--store", tmp_path / "s", check=False),
                          "tcp://127.0.0.1:1", "dask scheduler")
