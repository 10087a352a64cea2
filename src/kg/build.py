"""Articles → NLP → RDF → store, incrementally.

An article whose text (and extractor version) is unchanged since the last
build is skipped; a changed one replaces only its own named graph, in one
transaction. A file that cannot be read is reported and skipped: it never
touches what is already in the store.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import Dataset

from .ingest import Article, IngestError, find_article_files, read_articles
from .nlp.pipeline import load_pipeline, make_doc
from .rdf import IriMinter, article_dataset, content_hash
from .store import Store
from .vocab import DEFAULT_BASE


@dataclass
class BuildSummary:
    """What a build did."""

    files: int = 0
    articles: int = 0
    written: int = 0
    unchanged: int = 0
    entities: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    quads: int = 0
    seconds: float = 0.0


def unique_ids(articles: Iterable[Article]) -> Iterator[Article]:
    """Articles with ids made unique within one run (x, x-2, x-3 …), in a stable order."""
    seen: Counter = Counter()
    for article in articles:
        seen[article.id] += 1
        if seen[article.id] > 1:
            article.id = f"{article.id}-{seen[article.id]}"
        yield article


def read_all(paths: Iterable[str | Path], errors: list[str]) -> Iterator[Article]:
    """Every article under ``paths``; unreadable files are reported in ``errors`` and skipped."""
    for path in find_article_files(paths):
        try:
            yield from read_articles(path)
        except IngestError as error:
            errors.append(str(error))


def extract_datasets(articles: Iterable[Article], base: str = DEFAULT_BASE) -> Iterator[tuple[Article, Dataset, Counter]]:
    """Each article's RDF dataset and its entity counts by type."""
    nlp = load_pipeline()
    docs = nlp.pipe(((make_doc(nlp, article.text), article) for article in articles), as_tuples=True, batch_size=16)
    for doc, article in docs:
        counts = Counter(entity.label for entity in doc._.entities.values())
        yield article, article_dataset(doc, article, base), counts


def build(
    paths: Iterable[str | Path],
    store: Store,
    base: str = DEFAULT_BASE,
    progress: Callable[[Article], None] | None = None,
) -> BuildSummary:
    """Bring the store up to date with the articles under ``paths``."""
    started = time.perf_counter()
    summary = BuildSummary()
    iri = IriMinter(base)
    articles = list(unique_ids(read_all(paths, summary.errors)))
    summary.articles = len(articles)
    stale = [a for a in articles if store.graph_hash(iri.graph(a.id)) != content_hash(a.text)]
    summary.unchanged = len(articles) - len(stale)
    for article, dataset, counts in extract_datasets(stale, base):
        store.replace_graph(dataset)
        summary.written += 1
        summary.entities.update(counts)
        if progress:
            progress(article)
    store.flush()
    summary.quads = len(store)
    summary.seconds = time.perf_counter() - started
    return summary
