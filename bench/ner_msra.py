"""Benchmark the shipped NER pipeline on the MSRA test set.

Prints precision, recall and F1 per entity type and overall (exact span and
label match) and the inference speed in characters per second, both for the
whole pipeline (tokenizer included) and for the NER component alone. Speed
is given per wall-clock second and per CPU second of this process; the latter
is the fair single-core figure when other processes share the machine. Run
single-threaded, e.g.:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/ner_msra.py
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import spacy

import kg.nlp.charner  # noqa: F401  (registers the kg_char_ner factory)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = REPO_ROOT / "src" / "kg" / "models" / "ner"
DEFAULT_TEST_FILE = Path("/work/shared/data/ner/msra/msra_test_bio")
Entity = Tuple[int, int, str]


def read_bio_sentences(path: Path) -> Iterator[Tuple[str, Set[Entity]]]:
    """Yield (text, gold entities as char offsets) from a char<TAB>BIO file."""
    chars: List[str] = []
    tags: List[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in list(lines) + [""]:
            line = line.rstrip("\n")
            if line.strip():
                char, _, tag = line.rpartition("\t")
                chars.append(char)
                tags.append(tag)
            elif chars:
                yield "".join(chars), bio_to_entities(tags)
                chars, tags = [], []


def bio_to_entities(tags: List[str]) -> Set[Entity]:
    """Entity char spans of a BIO tag sequence with one tag per character."""
    entities: List[Entity] = []
    for index, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and entities and entities[-1][1] == index and entities[-1][2] == label:
            entities[-1] = (entities[-1][0], index + 1, label)
        elif prefix in ("B", "I"):
            entities.append((index, index + 1, label))
    return set(entities)


def prf(true_positives: int, predicted: int, gold: int) -> Tuple[float, float, float]:
    """Precision, recall and F1 from counts."""
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(predicted: List[Set[Entity]], gold: List[Set[Entity]]) -> Dict[str, Tuple[float, float, float]]:
    """Per-type and overall (key "ALL") precision, recall and F1."""
    true_positives: Counter = Counter()
    predicted_counts: Counter = Counter()
    gold_counts: Counter = Counter()
    for predicted_entities, gold_entities in zip(predicted, gold):
        for entities, counts in ((predicted_entities, predicted_counts), (gold_entities, gold_counts)):
            counts.update(label for _, _, label in entities)
            counts["ALL"] += len(entities)
        matched = predicted_entities & gold_entities
        true_positives.update(label for _, _, label in matched)
        true_positives["ALL"] += len(matched)
    labels = sorted(set(gold_counts) | set(predicted_counts), key=lambda label: (label == "ALL", label))
    return {label: prf(true_positives[label], predicted_counts[label], gold_counts[label]) for label in labels}


class Stopwatch:
    """Context manager measuring wall-clock and process CPU seconds."""

    def __enter__(self) -> "Stopwatch":
        self.wall_start = time.perf_counter()
        self.cpu_start = time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall_seconds = time.perf_counter() - self.wall_start
        self.cpu_seconds = time.process_time() - self.cpu_start


def main() -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--test-file", type=Path, default=DEFAULT_TEST_FILE)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--component", default="kg_char_ner", help="name of the NER component to time alone")
    args = parser.parse_args()

    sentences = list(read_bio_sentences(args.test_file))
    texts = [text for text, _ in sentences]
    n_chars = sum(len(text) for text in texts)
    nlp = spacy.load(args.model)
    list(nlp.pipe(texts[:50]))  # warm-up: loads jieba's dictionary and fills caches

    with Stopwatch() as pipeline_time:
        docs = list(nlp.pipe(texts, batch_size=args.batch_size))
    bare_docs = [nlp.make_doc(text) for text in texts]
    with Stopwatch() as component_time:
        list(nlp.get_pipe(args.component).pipe(bare_docs, batch_size=args.batch_size))

    predicted = [{(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents} for doc in docs]
    scores = evaluate(predicted, [entities for _, entities in sentences])
    print(f"MSRA test: {len(texts)} sentences, {n_chars} chars, model {args.model}")
    print(f"{'type':<6}{'P':>8}{'R':>8}{'F1':>8}")
    for label, (precision, recall, f1) in scores.items():
        print(f"{label:<6}{precision:>8.4f}{recall:>8.4f}{f1:>8.4f}")
    print_rates(n_chars, pipeline_time, component_time, args.component)
    return 0


def print_rates(n_chars: int, pipeline_time: "Stopwatch", component_time: "Stopwatch", component: str) -> None:
    """Characters per second, wall clock and CPU, of the whole pipeline and of the component alone."""
    for what, stopwatch in (("whole pipeline", pipeline_time), (f"{component} alone", component_time)):
        print(
            f"{what}: {n_chars / stopwatch.wall_seconds:,.0f} chars/s wall clock, "
            f"{n_chars / stopwatch.cpu_seconds:,.0f} chars/s CPU time"
        )


if __name__ == "__main__":
    sys.exit(main())
