"""Building at scale: article ids, the merged default graph kept exact, rebuild decisions,
long articles, failures that stay with their article, workers and progress."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import article_local_triples

from kg import build as build_module
from kg.build import build, extractor_fingerprint, split_text
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PROV = "http://www.w3.org/ns/prov#"
RUN_PREDICATES = {PROV + "generatedAtTime", PROV + "wasGeneratedBy", PROV + "startedAtTime", PROV + "wasAssociatedWith",
                  "https://w3id.org/kgzh/ontology#sourcePath"}
"""What differs between two builds of the same articles: the run, its time, the folder read."""

ARTICLE_A = "平远县召开会议\n梅州市平远县仁居镇镇长钟敏华推进“百千万工程”。"
ARTICLE_B = "仁居镇见闻\n平远县仁居镇的茶园迎来丰收,仁居镇镇长钟敏华到场。"
ARTICLE_C = "蕉岭县动态\n蕉岭县三圳镇推进乡村振兴,县委书记陈育新出席。"


def write(folder: Path, articles: dict[str, str]) -> Path:
    for name, text in articles.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def merged(store: Store) -> set[tuple[str, str, str]]:
    """The default graph's triples, leaving out what differs between runs."""
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())
        if q.predicate.value not in RUN_PREDICATES and not (q.subject.value.rsplit("/", 2)[-2] == "activity")
    }


def named(store: Store) -> dict[str, set[tuple[str, str, str]]]:
    graphs: dict[str, set] = {}
    for q in store.oxigraph:
        if isinstance(q.graph_name, ox.NamedNode) and q.predicate.value not in RUN_PREDICATES:
            graphs.setdefault(q.graph_name.value, set()).add((str(q.subject), str(q.predicate), str(q.object)))
    return graphs


def built(tmp_path: Path, name: str, articles: dict[str, str], **options) -> Store:
    store = Store(tmp_path / f"{name}-store")
    summary = build([write(tmp_path / name, articles)], store, **options)
    assert not summary.errors, summary.errors
    return store


def article_local(store: Store, triples: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The triples that stay in their article's graph (evidence, co-mentions, provenance, mentions)."""
    local = {(str(t.subject), str(t.predicate), str(t.object)) for t in article_local_triples(store.oxigraph)}
    return triples & local


def assert_merged_graph_is_exact(store: Store) -> None:
    """Every article-graph triple but those that stay in it (evidence records, co-mentions, its
    provenance, mentions) is in the default graph once, and none of those is; every other default triple describes a node some article
    graph refers to, a division such a node lies in, or the software of a run."""
    graphs = named(store)
    stated = set().union(*graphs.values()) if graphs else set()
    default = merged(store)
    local = article_local(store, stated)
    assert local and not local & default
    stated -= local
    assert stated <= default
    referenced = {term for triples in graphs.values() for s, _, o in triples for term in (s, o)}
    contained_in = "<https://schema.org/containedInPlace>"
    while above := {o for s, p, o in default if p == contained_in and s in referenced} - referenced:
        referenced |= above
    for s, p, o in default - stated:
        assert s in referenced or "/software/" in s, (s, p, o)


# --- the default graph is a set, kept exact -------------------------------------------------


def test_a_fact_stated_by_two_articles_is_one_triple_and_counts_once(tmp_path):
    store = built(tmp_path, "two", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    count = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
    distinct = {(str(q.subject), str(q.predicate), str(q.object)) for q in store.oxigraph}
    assert int(count.value) == len(distinct - article_local(store, distinct))
    holds = list(store.query("SELECT ?p WHERE { ?p <http://www.w3.org/ns/org#holds> ?post }"))
    in_graphs = list(store.query("SELECT ?g WHERE { GRAPH ?g { ?p <http://www.w3.org/ns/org#holds> ?post } }"))
    assert len(holds) == 1 and len(in_graphs) == 2
    assert_merged_graph_is_exact(store)


def test_graph_of_an_article_answers_what_it_says(tmp_path):
    store = built(tmp_path, "one", {"a.txt": ARTICLE_A, "c.txt": ARTICLE_C})
    found = {row["name"].value for row in store.query("""
        SELECT ?name WHERE { GRAPH <https://w3id.org/kgzh/id/graph/a> { ?article <https://schema.org/mentions> ?e }
                             ?e <http://www.w3.org/2000/01/rdf-schema#label> ?name }""")}
    assert {"钟敏华", "仁居镇", "百千万工程"} <= found and "陈育新" not in found


def test_pruning_an_article_leaves_the_merged_graph_of_the_rest(tmp_path):
    store = built(tmp_path, "corpus", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B, "c.txt": ARTICLE_C})
    (tmp_path / "corpus" / "c.txt").unlink()
    (tmp_path / "corpus" / "a.txt").unlink()
    summary = build([tmp_path / "corpus"], store, prune=True)
    assert (summary.pruned, summary.unchanged) == (2, 1)
    alone = built(tmp_path, "alone", {"b.txt": ARTICLE_B})
    assert merged(store) == merged(alone)
    assert named(store) == named(alone)
    assert not any("陈育新" in o for _, _, o in merged(store)), "descriptions leave with the last article naming them"


def test_a_changed_article_replaces_its_triples_in_the_merged_graph(tmp_path):
    store = built(tmp_path, "corpus", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    write(tmp_path / "corpus", {"a.txt": ARTICLE_C})
    summary = build([tmp_path / "corpus"], store)
    assert (summary.written, summary.unchanged) == (1, 1)
    fresh = built(tmp_path, "fresh", {"a.txt": ARTICLE_C, "b.txt": ARTICLE_B})
    assert merged(store) == merged(fresh)
    assert_merged_graph_is_exact(store)


def test_writing_again_changes_nothing(tmp_path):
    store = built(tmp_path, "corpus", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    before = len(store)
    summary = build([tmp_path / "corpus"], store)
    assert (summary.written, summary.unchanged, len(store)) == (0, 2, before)


def test_prune_is_refused_while_a_file_cannot_be_read(tmp_path):
    store = built(tmp_path, "corpus", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    (tmp_path / "corpus" / "a.txt").write_bytes(b"")
    notes = []
    summary = build([tmp_path / "corpus"], store, prune=True, progress=Notes(notes))
    assert summary.pruned == 0 and len(summary.errors) == 1
    assert any("not pruning" in note for note in notes)
    assert store.graph_hash("https://w3id.org/kgzh/id/graph/a") is not None


class Notes(build_module.SilentProgress):
    def __init__(self, notes: list[str]) -> None:
        self.notes = notes

    def note(self, message: str) -> None:
        self.notes.append(message)


# --- ids -----------------------------------------------------------------------------------


def test_files_with_one_name_in_two_folders_are_two_articles(tmp_path):
    store = built(tmp_path, "site", {"a/index.txt": ARTICLE_A, "b/index.txt": ARTICLE_C})
    assert set(store.article_graphs()) == {"https://w3id.org/kgzh/id/graph/a%2Findex", "https://w3id.org/kgzh/id/graph/b%2Findex"}


def test_jsonl_records_take_their_id_or_url_and_odd_urls_are_written(tmp_path):
    records = [
        {"id": "pd-001", "text": ARTICLE_A},
        {"url": "https://news.example.org/2024/05/a b.html", "text": ARTICLE_C},
        {"text": ARTICLE_B},
    ]
    feed = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    store = built(tmp_path, "feeds", {"feed.jsonl": feed})
    assert set(store.article_graphs()) == {
        "https://w3id.org/kgzh/id/graph/pd-001",
        "https://w3id.org/kgzh/id/graph/news.example.org%2F2024%2F05%2Fab.html",
        "https://w3id.org/kgzh/id/graph/feed-3",
    }
    urls = [row["url"].value for row in store.query("SELECT ?url WHERE { ?a <https://schema.org/url> ?url }")]
    assert urls == ["https://news.example.org/2024/05/a%20b.html"]


# --- what decides a rebuild -------------------------------------------------------------------


def test_a_changed_extractor_re_extracts_every_article_and_says_so(tmp_path, monkeypatch):
    store = built(tmp_path, "corpus", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    monkeypatch.setattr(build_module, "extractor_fingerprint", lambda: "0" * 64)
    notes = []
    summary = build([tmp_path / "corpus"], store, progress=Notes(notes))
    assert (summary.written, summary.unchanged) == (2, 0)
    assert notes == ["extractor changed: 2 articles will be re-extracted"]
    again = build([tmp_path / "corpus"], store, progress=Notes(notes := []))
    assert (again.written, again.unchanged, notes) == (0, 2, [])
    assert_merged_graph_is_exact(store)
    agents = list(store.query("SELECT DISTINCT ?agent WHERE { ?agent a <http://www.w3.org/ns/prov#SoftwareAgent> }"))
    assert len(agents) == 1, "the old extractor's description left with its last graph"


def test_the_fingerprint_covers_code_data_and_models(tmp_path, monkeypatch):
    package = tmp_path / "kg"
    write(package, {"nlp/rules.py": "X = 1\n", "nlp/procedures/posts.py": "Y = 1\n", "resources/lexicon/titles.txt": "镇长\n",
                    "data/words.tsv": "a\n", "models/ner/model": "w", "rdf.py": "unrelated"})
    monkeypatch.setattr(build_module, "PACKAGE", package)
    prints = []
    for change in ("data/words.tsv", "models/ner/model", "nlp/rules.py", "nlp/procedures/posts.py", "resources/lexicon/titles.txt"):
        extractor_fingerprint.cache_clear()
        prints.append(extractor_fingerprint())
        (package / change).write_text("changed", encoding="utf-8")
    extractor_fingerprint.cache_clear()
    prints.append(extractor_fingerprint())
    (package / "rdf.py").write_text("changed again", encoding="utf-8")
    extractor_fingerprint.cache_clear()
    prints.append(extractor_fingerprint())
    extractor_fingerprint.cache_clear()
    assert len(set(prints[:6])) == 6 and prints[5] == prints[6]


# --- long articles and failures -------------------------------------------------------------


def test_long_text_is_cut_at_sentence_ends_into_bounded_pieces():
    text = "平远县仁居镇推进乡村振兴。" * 700 + "甲," * 5000 + "乙" * 7000
    pieces = split_text(text, 3000)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 3000 for _, piece in pieces)
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces)
    sentences = [piece for offset, piece in pieces if offset + len(piece) <= 700 * 13]
    assert sentences and all(piece.endswith("。") for piece in sentences)
    assert split_text("短文。", 3000) == [(0, "短文。")]


def test_a_long_one_line_article_is_built_with_evidence_at_the_right_offsets(tmp_path):
    sentence = "平远县仁居镇镇长钟敏华推进“百千万工程”,"
    text = "长文\n" + sentence * 600
    store = built(tmp_path, "long", {"long.txt": text})
    rows = list(store.query("""SELECT ?text ?start (?start + STRLEN(?text) AS ?end) WHERE { GRAPH ?g {
        ?a <https://w3id.org/kgzh/ontology#evidenceText> ?text ; <https://w3id.org/kgzh/ontology#startOffset> ?start } }"""))
    assert rows
    for row in rows:
        assert text[int(row["start"].value):int(row["end"].value)] == row["text"].value
    assert max(int(row["end"].value) for row in rows) > 3000, "relations are found past the first piece"


def test_an_article_the_pipeline_fails_on_is_reported_and_the_rest_built(tmp_path, monkeypatch):
    from kg.nlp import pipeline

    real = pipeline.make_doc

    def failing(nlp, text):
        if "爆" in text:
            raise RuntimeError("boom")
        return real(nlp, text)

    monkeypatch.setattr(pipeline, "make_doc", failing)
    folder = write(tmp_path / "corpus", {"a.txt": ARTICLE_A, "bad.txt": "爆炸\n" + ARTICLE_B, "c.txt": ARTICLE_C})
    store = Store(tmp_path / "store")
    summary = build([folder], store)
    assert summary.written == 2 and len(summary.errors) == 1
    assert "bad.txt" in summary.errors[0] and "boom" in summary.errors[0] and "\n" not in summary.errors[0]
    assert set(store.article_graphs()) == {"https://w3id.org/kgzh/id/graph/a", "https://w3id.org/kgzh/id/graph/c"}


def test_what_articles_share_is_written_once_per_build_and_the_merged_graph_stays_exact(tmp_path, monkeypatch):
    """With one article per batch, the descriptions the articles share (平远县, 仁居镇, 钟敏华 …) reach
    the store in the first batch only; a rebuild and a new article later in the same build leave
    the same merged graph as a fresh build of the final corpus."""
    monkeypatch.setattr(build_module, "BATCH_ARTICLES", 1)
    sent: list[bytes] = []
    real_write = Store.write
    monkeypatch.setattr(Store, "write", lambda self, nquads, replacing=(): (sent.append(nquads), real_write(self, nquads, replacing))[1])
    store = built(tmp_path, "corpus", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    county_label = '"平远县"@zh .\n'.encode()
    assert [batch.count(county_label) for batch in sent] == [1, 0]
    write(tmp_path / "corpus", {"a.txt": ARTICLE_C, "c.txt": ARTICLE_A})
    summary = build([tmp_path / "corpus"], store)
    assert (summary.written, summary.unchanged) == (2, 1)
    fresh = built(tmp_path, "fresh", {"a.txt": ARTICLE_C, "b.txt": ARTICLE_B, "c.txt": ARTICLE_A})
    assert merged(store) == merged(fresh)
    assert_merged_graph_is_exact(store)


def test_written_lines_are_sent_once_until_the_limit_makes_them_forgotten():
    written = build_module.WrittenLines(limit=3)
    assert written.fresh(b"a .\nb .\na .\n") == b"a .\nb .\n"
    assert written.fresh(b"b .\nc .\nd .\n") == b"c .\nd .\n"
    assert written.fresh(b"a .\ne .\n") == b"a .\ne .\n", "over the limit, everything is forgotten and sent again"


def test_the_background_writer_keeps_order_and_raises_a_failed_write():
    done: list[int] = []
    writer = build_module.BackgroundWriter()
    for n in range(5):
        writer.submit(done.append, n)
    writer.wait()
    assert done == [0, 1, 2, 3, 4]

    def failing() -> None:
        raise OSError("disk full")

    writer.submit(failing)
    with pytest.raises(OSError, match="disk full"):
        writer.close()


# --- workers and progress ----------------------------------------------------------------------


def test_two_worker_processes_write_the_same_graphs_as_one(tmp_path):
    articles = {f"{path.stem}-{n}.txt": path.read_text(encoding="utf-8") + f"\n第{n}稿" for path in EXAMPLES.glob("*.txt") for n in range(5)}
    one = built(tmp_path, "one", articles, workers=1)
    two = built(tmp_path, "two", articles, workers=2)
    assert named(one) == named(two)
    assert merged(one) == merged(two)


def test_progress_without_a_terminal_prints_rate_and_eta_lines(capsys):
    from kg.cli import BuildProgress

    with BuildProgress(every=0) as progress:
        progress.start(10, 2)
        progress.advance(4, 5600, "w1")
        progress.advance(4, 5600, "w2")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    assert "8/10 articles (80.0 %)" in lines[1] and "articles/s" in lines[1] and "ETA" in lines[1]
    assert "w1 4 · w2 4" in lines[1]


def test_exports_stream_the_merged_graph(tmp_path):
    store = built(tmp_path, "corpus", {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B})
    out = io.BytesIO()
    store.export(out, "nt")
    triples = set(ox.parse(out.getvalue(), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == len(list(store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())))


def test_viz_of_a_large_network_keeps_the_most_central_entities_and_says_what_it_left_out(explore_store, tmp_path, monkeypatch):
    from kg import viz

    monkeypatch.setattr(viz, "DEFAULT_TOP", 4)
    info = viz.write_explorer(explore_store, tmp_path / "graph.html")
    assert info["nodes"] == 4 and info["total_nodes"] > 4
    assert info["left_out"].startswith(f"left out {info['total_nodes'] - 4} of {info['total_nodes']} entities")
    focused = viz.write_explorer(explore_store, tmp_path / "focus.html", focus="张三", hops=1)
    assert focused["nodes"] > 1 and "张三" in (tmp_path / "focus.html").read_text(encoding="utf-8")


def test_a_build_worker_multiplies_on_one_thread():
    """A build runs one worker per core; the NER's BLAS must not take a second core from another worker."""
    import subprocess
    import sys

    probe = ("from threadpoolctl import threadpool_info; from kg.build import worker_pipeline; worker_pipeline(); "
             "print(sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}))")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split("\n")[-2] == "[1]"
