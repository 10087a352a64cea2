"""Benchmark the CLUENER fine-type NER and compare it with the MSRA NER as a candidate source.

1. CLUENER ``test.json`` (CLUENER's labelled dev set, never used in training or
   model selection): precision, recall and F1 per type and overall (exact span
   and label match) and the inference speed in characters per second, for the
   whole loaded pipeline and for the NER component alone (wall clock and CPU
   time of this process).
2. Genre articles (``/work/shared/data/genre-dev`` and ``tests/data/genre-dev2``,
   ``genre-dev3``, ``genre-dev4``, ``heldout``): each article is converted to
   Simplified script and run through both models as a whole text, as the kg
   pipeline does. The CLUENER spans of ``government``/``organization``/``company``
   are compared with the gold ``Organization`` entities and ``name`` spans with
   gold ``Person``; the MSRA model's ``ORG`` and ``PER`` spans likewise. Per
   article, a predicted distinct surface counts as correct if it equals the
   Simplified text or an alias of a gold entity of that type (precision over
   distinct predicted surfaces); a gold entity counts as found if any of its
   surface forms was predicted (recall over gold entities). Counts are summed
   over articles.

Run single-threaded, e.g.:

    PYTHONPATH=src OMP_NUM_THREADS=1 python bench/cluener_dev.py
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

import kg.nlp.charner  # noqa: F401  (registers the kg_char_ner factory)
from kg.nlp.text import to_simplified

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ner_msra import Stopwatch, evaluate, print_rates  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MODEL = REPO_ROOT / "src" / "kg" / "models" / "cluener"
RUN_MODEL = REPO_ROOT / "training" / "runs" / "cluener" / "model-best"
MSRA_MODEL = REPO_ROOT / "src" / "kg" / "models" / "ner"
DEFAULT_TEST_FILE = Path("/work/shared/data/ner/cluener/test.json")
GENRE_SETS = {
    "genre-dev": Path("/work/shared/data/genre-dev"),
    "genre-dev2": REPO_ROOT / "tests" / "data" / "genre-dev2",
    "genre-dev3": REPO_ROOT / "tests" / "data" / "genre-dev3",
    "genre-dev4": REPO_ROOT / "tests" / "data" / "genre-dev4",
    "heldout": REPO_ROOT / "tests" / "data" / "heldout",
}
# Candidate sources: (model, gold type, predicted labels).
SOURCES = {
    "CLUENER government+organization+company": ("cluener", "Organization", {"government", "organization", "company"}),
    "CLUENER government": ("cluener", "Organization", {"government"}),
    "CLUENER organization": ("cluener", "Organization", {"organization"}),
    "CLUENER company": ("cluener", "Organization", {"company"}),
    "MSRA ORG": ("msra", "Organization", {"ORG"}),
    "union: MSRA ORG + CLUENER gov+org+company": ("both", "Organization", {"ORG", "government", "organization", "company"}),
    "CLUENER name": ("cluener", "Person", {"name"}),
    "MSRA PER": ("msra", "Person", {"PER"}),
    "union: MSRA PER + CLUENER name": ("both", "Person", {"PER", "name"}),
}
Entity = Tuple[int, int, str]


def read_cluener(path: Path) -> List[Tuple[str, Set[Entity]]]:
    """(text, gold entities as (start, end_exclusive, label)) of each CLUENER line."""
    records = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                entities = {
                    (start, end + 1, label)
                    for label, surfaces in (record.get("label") or {}).items()
                    for positions in surfaces.values()
                    for start, end in positions
                }
                records.append((record["text"], entities))
    return records


def ner_component(nlp: Language) -> Tuple[str, object]:
    """Name and object of the (single) kg_char_ner component of a pipeline."""
    name = next(name for name, pipe in nlp.pipeline if hasattr(pipe, "spans_key") or name == "kg_char_ner")
    return name, nlp.get_pipe(name)


def entity_spans(nlp: Language, doc: Doc) -> Iterable[Span]:
    """The spans the NER wrote: ``doc.spans[spans_key]`` if it has one, else ``doc.ents``."""
    key = getattr(ner_component(nlp)[1], "spans_key", None)
    return doc.spans[key] if key is not None and key in doc.spans else doc.ents


def bench_cluener(nlp: Language, model: Path, test_file: Path, batch_size: int) -> None:
    """Print CLUENER dev-set scores and speed."""
    records = read_cluener(test_file)
    texts = [text for text, _ in records]
    n_chars = sum(len(text) for text in texts)
    list(nlp.pipe(texts[:50]))  # warm-up: jieba dictionary and caches
    with Stopwatch() as pipeline_time:
        docs = list(nlp.pipe(texts, batch_size=batch_size))
    name, component = ner_component(nlp)
    bare_docs = [nlp.make_doc(text) for text in texts]
    with Stopwatch() as component_time:
        list(component.pipe(bare_docs, batch_size=batch_size))
    predicted = [{(span.start_char, span.end_char, span.label_) for span in entity_spans(nlp, doc)} for doc in docs]
    gold = [entities for _, entities in records]
    scores = evaluate(predicted, gold)
    gold_counts = Counter(label for entities in gold for _, _, label in entities)
    gold_counts["ALL"] = sum(gold_counts.values())
    print(f"CLUENER dev (test.json): {len(texts)} sentences, {n_chars} chars, model {model}")
    print(f"{'type':<14}{'P':>8}{'R':>8}{'F1':>8}{'gold':>7}")
    for label, (precision, recall, f1) in scores.items():
        print(f"{label:<14}{precision:>8.4f}{recall:>8.4f}{f1:>8.4f}{gold_counts[label]:>7}")
    print_rates(n_chars, pipeline_time, component_time, name)


def genre_articles() -> List[Tuple[str, Dict]]:
    """(set name, article JSON) of every annotated genre article."""
    articles = []
    for set_name, folder in GENRE_SETS.items():
        for path in sorted(folder.glob("*.json")):
            articles.append((set_name, json.loads(path.read_text(encoding="utf-8"))))
    return articles


def gold_forms(article: Dict, entity_type: str) -> List[Set[str]]:
    """Simplified surface forms (text + aliases) of each gold entity of a type."""
    return [
        {to_simplified(form) for form in [entity["text"], *entity.get("aliases", [])]}
        for entity in article["entities"]
        if entity["type"] == entity_type
    ]


def bench_genre(cluener: Language, msra: Language) -> None:
    """Print the candidate-source comparison on the genre articles."""
    articles = genre_articles()
    counts: Dict[Tuple[str, str], Counter] = {}
    for set_name, article in articles:
        text = to_simplified(article["text"])
        cluener_doc, msra_doc = cluener(text), msra(text)
        predicted_labels = {
            "cluener": [(span.text, span.label_) for span in entity_spans(cluener, cluener_doc)],
            "msra": [(span.text, span.label_) for span in entity_spans(msra, msra_doc)],
        }
        predicted_labels["both"] = predicted_labels["cluener"] + predicted_labels["msra"]
        for source, (model, entity_type, labels) in SOURCES.items():
            surfaces = {surface for surface, label in predicted_labels[model] if label in labels}
            entities = gold_forms(article, entity_type)
            all_forms = set().union(*entities) if entities else set()
            for key in ((source, set_name), (source, "ALL")):
                count = counts.setdefault(key, Counter())
                count["predicted"] += len(surfaces)
                count["correct"] += len(surfaces & all_forms)
                count["gold"] += len(entities)
                count["found"] += sum(bool(forms & surfaces) for forms in entities)
    n_chars = sum(len(article["text"]) for _, article in articles)
    print(f"\nGenre articles: {len(articles)} articles, {n_chars} chars ({', '.join(GENRE_SETS)})")
    print("candidate source vs gold type: P = correct/predicted distinct surfaces, R = found/gold entities")
    header = f"{'source':<44}{'gold':<14}{'P':>7}{'R':>7}{'F1':>7}{'pred':>6}{'ok':>5}{'gold':>6}{'found':>6}"
    print(header)
    for source, (_, entity_type, _) in SOURCES.items():
        count = counts[(source, "ALL")]
        precision = count["correct"] / count["predicted"] if count["predicted"] else 0.0
        recall = count["found"] / count["gold"] if count["gold"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(
            f"{source:<44}{entity_type:<14}{precision:>7.3f}{recall:>7.3f}{f1:>7.3f}"
            f"{count['predicted']:>6}{count['correct']:>5}{count['gold']:>6}{count['found']:>6}"
        )
    print("\nper set (P/R):")
    print(f"{'source':<44}" + "".join(f"{set_name:>14}" for set_name in GENRE_SETS))
    for source in SOURCES:
        cells = []
        for set_name in GENRE_SETS:
            count = counts[(source, set_name)]
            precision = count["correct"] / count["predicted"] if count["predicted"] else 0.0
            recall = count["found"] / count["gold"] if count["gold"] else 0.0
            cells.append(f"{precision:.2f}/{recall:.2f}")
        print(f"{source:<44}" + "".join(f"{cell:>14}" for cell in cells))


def main() -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL if SHIPPED_MODEL.exists() else RUN_MODEL)
    parser.add_argument("--msra-model", type=Path, default=MSRA_MODEL)
    parser.add_argument("--test-file", type=Path, default=DEFAULT_TEST_FILE)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--skip-genre", action="store_true")
    args = parser.parse_args()

    cluener = spacy.load(args.model)
    bench_cluener(cluener, args.model, args.test_file, args.batch_size)
    if not args.skip_genre:
        bench_genre(cluener, spacy.load(args.msra_model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
