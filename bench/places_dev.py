"""Place recall/precision and code accuracy/precision of the place components alone, on the dev set.

Usage: python bench/places_dev.py [GENRE_DEV_DIR] [-v]

Entities are the ruler's spans grouped by surface form, linked by ``kg_place_linker``
(which merges 梅县 into 梅县区); an entity matches a gold place when they share a
surface form. Text and gold names are compared in Simplified script, as the pipeline
reads them. Code accuracy counts every gold coded place (a missed place is wrong);
code precision counts every code the linker assigned.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.doc import PLACE, Entity
from kg.nlp.places import entities_from_spans
from kg.nlp.text import to_simplified

DEFAULT_DEV_DIR = Path("/work/shared/data/genre-dev")


@dataclass
class Scores:
    """Counts over the dev set, and the ratios they give."""

    gold_places: int = 0
    found_places: int = 0
    predicted_places: int = 0
    correct_predictions: int = 0
    gold_codes: int = 0
    correct_codes: int = 0
    assigned_codes: int = 0
    correct_assigned: int = 0

    @property
    def place_recall(self) -> float:
        return ratio(self.found_places, self.gold_places)

    @property
    def place_precision(self) -> float:
        return ratio(self.correct_predictions, self.predicted_places)

    @property
    def code_accuracy(self) -> float:
        return ratio(self.correct_codes, self.gold_codes)

    @property
    def code_precision(self) -> float:
        return ratio(self.correct_assigned, self.assigned_codes)

    def report(self) -> str:
        return (f"place recall {self.place_recall:.3f} ({self.found_places}/{self.gold_places})  "
                f"place precision {self.place_precision:.3f} ({self.correct_predictions}/{self.predicted_places})  "
                f"code accuracy {self.code_accuracy:.3f} ({self.correct_codes}/{self.gold_codes})  "
                f"code precision {self.code_precision:.3f} ({self.correct_assigned}/{self.assigned_codes})")


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def place_pipeline() -> Language:
    """A blank Chinese pipeline with the place ruler and linker."""
    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_place_ruler")
    nlp.add_pipe("kg_place_linker")
    return nlp


def linked_places(nlp: Language, doc: Doc) -> list[Entity]:
    """The article's places as the ruler finds them and the linker links them."""
    doc = nlp.get_pipe("kg_place_ruler")(doc)
    doc._.entities = entities_from_spans(doc)
    doc = nlp.get_pipe("kg_place_linker")(doc)
    return [entity for entity in doc._.entities.values() if entity.label == PLACE]


def gold_names(place: dict) -> set[str]:
    return {to_simplified(name) for name in (place["text"], *place["aliases"])}


def score_article(article: dict, predicted: list[Entity], scores: Scores, verbose: bool) -> None:
    """Add one article's counts to ``scores`` (and print its errors if ``verbose``)."""
    gold = [e for e in article["entities"] if e["type"] == PLACE]
    for place in gold:
        names = gold_names(place)
        match = next((p for p in predicted if names & {p.name, *p.aliases}), None)
        scores.gold_places += 1
        scores.found_places += match is not None
        if place["code"]:
            scores.gold_codes += 1
            scores.correct_codes += match is not None and match.code == place["code"]
        if verbose and (match is None or match.code != place["code"]):
            print(f"  {article['id']} gold {place['text']} {place['code']} -> "
                  f"{(match.name, match.code, match.code_confidence) if match else 'missed'}")
    for entity in predicted:
        names = {entity.name, *entity.aliases}
        match = next((g for g in gold if names & gold_names(g)), None)
        scores.predicted_places += 1
        scores.correct_predictions += match is not None
        if entity.code:
            scores.assigned_codes += 1
            scores.correct_assigned += match is not None and match["code"] == entity.code
        if verbose and match is None:
            print(f"  {article['id']} extra {entity.name} {sorted(entity.aliases)} {entity.code}")


def evaluate(nlp: Language, dev_dir: Path, verbose: bool = False) -> Scores:
    """Scores of the place components on every article of ``dev_dir``."""
    scores = Scores()
    for path in sorted(dev_dir.glob("*.json")):
        article = json.loads(path.read_text("utf-8"))
        score_article(article, linked_places(nlp, nlp.make_doc(to_simplified(article["text"]))), scores, verbose)
    return scores


def cpu_ms_per_thousand_chars(nlp: Language, dev_dir: Path, passes: int = 5) -> float:
    """CPU time of ruler and linker (not tokenisation) per 1,000 characters, after a warm-up pass."""
    docs = [nlp.make_doc(to_simplified(json.loads(path.read_text("utf-8"))["text"]))
            for path in sorted(dev_dir.glob("*.json"))]
    for doc in docs:
        linked_places(nlp, doc)
    started = time.process_time()
    for _ in range(passes):
        for doc in docs:
            linked_places(nlp, doc)
    return (time.process_time() - started) * 1e6 / (passes * sum(len(doc.text) for doc in docs))


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "-v"]
    dev_dir = Path(args[0]) if args else DEFAULT_DEV_DIR
    started = time.perf_counter()
    nlp = place_pipeline()
    print(f"pipeline load {time.perf_counter() - started:.2f} s")
    print(evaluate(nlp, dev_dir, "-v" in sys.argv).report())
    print(f"ruler + linker {cpu_ms_per_thousand_chars(nlp, dev_dir):.2f} ms CPU per 1,000 characters")


if __name__ == "__main__":
    main()
