"""Scoring extraction against annotated articles (the format of ``shared/data/genre-dev``).

An extracted entity matches an annotated one when the types agree and a name
of one is a name of the other (canonical or alias), one to one. Relations
match on subject, predicate and object entities; post titles are scored on the
``holdsPost`` relations that match. Place codes are scored on the annotated
places that carry a code (accuracy) and on the extracted codes of matched places
(precision).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .nlp.doc import ARTICLE, ENTITY_TYPES, Entity, Relation
from .nlp.pipeline import load_pipeline, make_doc
from .nlp.text import to_simplified
from .resources import predicates


class EvalError(ValueError):
    """An annotated file that cannot be read."""


@dataclass
class Scores:
    """Counts summed over articles; ratios are computed from them."""

    entity: Counter = field(default_factory=Counter)  # (type, "tp"|"fp"|"fn")
    relation: Counter = field(default_factory=Counter)  # (predicate, "hit"|"gold"|"predicted"|"correct")
    posts: Counter = field(default_factory=Counter)  # "right", "scored"
    codes: Counter = field(default_factory=Counter)  # "gold", "gold_right", "assigned", "assigned_right"
    duplicates: int = 0
    misses: list[str] = field(default_factory=list)

    def ratio(self, numerator: int, denominator: int) -> float:
        return numerator / denominator if denominator else 1.0

    def prf(self, label: str | None = None) -> tuple[float, float, float]:
        labels = [label] if label else list(ENTITY_TYPES)
        tp = sum(self.entity[(t, "tp")] for t in labels)
        fp = sum(self.entity[(t, "fp")] for t in labels)
        fn = sum(self.entity[(t, "fn")] for t in labels)
        precision, recall = self.ratio(tp, tp + fp), self.ratio(tp, tp + fn)
        return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)

    def relation_recall(self, predicate: str | None = None) -> float:
        keys = [predicate] if predicate else sorted({p for p, _ in self.relation})
        return self.ratio(sum(self.relation[(p, "hit")] for p in keys), sum(self.relation[(p, "gold")] for p in keys))

    def relation_precision(self) -> float:
        """Of the extracted relations between annotated entities, the share the annotation has."""
        return self.ratio(sum(n for (p, kind), n in self.relation.items() if kind == "correct"),
                          sum(n for (p, kind), n in self.relation.items() if kind == "predicted"))

    def as_dict(self) -> dict:
        predicates = sorted({p for p, _ in self.relation})
        return {
            "entities": {label: dict(zip(("precision", "recall", "f1"), self.prf(label))) for label in ENTITY_TYPES}
            | {"overall": dict(zip(("precision", "recall", "f1"), self.prf()))},
            "relation_recall": {p: self.relation_recall(p) for p in predicates} | {"overall": self.relation_recall()},
            "relation_precision": self.relation_precision(),
            "post_title_accuracy": self.ratio(self.posts["right"], self.posts["scored"]),
            "place_code_accuracy": self.ratio(self.codes["gold_right"], self.codes["gold"]),
            "place_code_precision": self.ratio(self.codes["assigned_right"], self.codes["assigned"]),
            "duplicate_nodes": self.duplicates,
        }


def _names(entity: Entity) -> set[str]:
    return {entity.name} | entity.aliases


def match_entities(gold: list[dict], predicted: list[Entity]) -> tuple[dict[str, Entity], list[Entity], list[str]]:
    """Gold canonical text → matched prediction; unmatched predictions; gold entities matched more than once."""
    matched: dict[str, Entity] = {}
    used: set[int] = set()
    duplicates: list[str] = []
    for annotation in gold:
        names = {annotation["text"], *annotation.get("aliases", [])}
        hits = [p for p in predicted if p.label == annotation["type"] and _names(p) & names]
        exact = [p for p in hits if p.name == annotation["text"]]
        if len([p for p in hits if p.name in names]) > 1:
            duplicates.append(annotation["text"])
        for candidate in exact + hits:
            if id(candidate) not in used:
                matched[annotation["text"]] = candidate
                used.add(id(candidate))
                break
    return matched, [p for p in predicted if id(p) not in used], duplicates


def score_article(annotation: dict, entities: dict[str, Entity], relations: list[Relation], scores: Scores) -> None:
    """Add one article's comparison to ``scores``."""
    article = annotation.get("id", "?")
    predicted = list(entities.values())
    matched, unmatched, duplicates = match_entities(annotation["entities"], predicted)
    scores.duplicates += len(duplicates)
    scores.misses += [f"{article}: duplicate nodes for {text}" for text in duplicates]
    for gold in annotation["entities"]:
        hit = gold["text"] in matched
        scores.entity[(gold["type"], "tp" if hit else "fn")] += 1
        if not hit:
            scores.misses.append(f"{article}: missed {gold['type']} {gold['text']}")
        if gold["type"] == "Place" and gold.get("code"):
            scores.codes["gold"] += 1
            right = hit and matched[gold["text"]].code == gold["code"]
            scores.codes["gold_right"] += right
            if hit and not right:
                scores.misses.append(f"{article}: code of {gold['text']} is {matched[gold['text']].code}, not {gold['code']}")
        if hit and gold["type"] == "Place" and matched[gold["text"]].code:
            scores.codes["assigned"] += 1
            scores.codes["assigned_right"] += matched[gold["text"]].code == gold.get("code")
    for entity in unmatched:
        scores.entity[(entity.label, "fp")] += 1
        scores.misses.append(f"{article}: spurious {entity.label} {entity.name}")

    key_of = {text: entity.key for text, entity in matched.items()}
    predicted_relations = defaultdict(list)
    for relation in relations:
        predicted_relations[(relation.subject, relation.predicate, relation.object)].append(relation)
    gold_keys = {(key_of.get(g["s"]), g["p"], ARTICLE if g["o"] == ARTICLE else key_of.get(g["o"])) for g in annotation["relations"]}
    matched_keys = set(key_of.values()) | {ARTICLE}
    for key, found in predicted_relations.items():
        if key[0] in matched_keys and key[2] in matched_keys:
            scores.relation[(key[1], "predicted")] += 1
            correct = key in gold_keys
            scores.relation[(key[1], "correct")] += correct
            if not correct:
                scores.misses.append(f"{article}: extra {found[0].subject} {key[1]} {found[0].object} ({found[0].evidence[:40]})")
    for gold in annotation["relations"]:
        scores.relation[(gold["p"], "gold")] += 1
        subject = key_of.get(gold["s"])
        obj = ARTICLE if gold["o"] == ARTICLE else key_of.get(gold["o"])
        hits = predicted_relations.get((subject, gold["p"], obj), []) if subject and obj else []
        scores.relation[(gold["p"], "hit")] += bool(hits)
        if not hits:
            scores.misses.append(f"{article}: missed {gold['s']} {gold['p']} {gold['o']} ({gold['evidence']})")
        elif gold["p"] == "holdsPost":
            scores.posts["scored"] += 1
            right = any(r.post == gold.get("post") for r in hits)
            scores.posts["right"] += right
            if not right:
                scores.misses.append(f"{article}: post of {gold['s']} is {[r.post for r in hits]}, not {gold['post']}")


def simplified_annotation(annotation: dict) -> dict:
    """The annotation with every name in Simplified script: kg labels entities in Simplified,
    keeping Traditional forms as alternative labels, so names are compared in one script."""
    entities = [
        entity | {"text": to_simplified(entity["text"]), "aliases": [to_simplified(a) for a in entity.get("aliases", [])]}
        for entity in annotation["entities"]
    ]
    relations = [
        relation | {"s": to_simplified(relation["s"]), "o": relation["o"] if relation["o"] == ARTICLE else to_simplified(relation["o"]),
                    "post": relation.get("post") and to_simplified(relation["post"])}
        for relation in annotation["relations"]
    ]
    return annotation | {"entities": entities, "relations": relations}


def check_predicates(path: Path, annotation: dict) -> None:
    """Every annotated relation must use a predicate of the predicate table (``kg/resources/predicates.toml``)."""
    unknown = sorted({str(r.get("p")) for r in annotation.get("relations", [])} - set(predicates()))
    if unknown:
        raise EvalError(f"{path}: unknown predicate {unknown[0]!r}; annotate one of {', '.join(predicates())}")


def evaluate(directory: Path) -> Scores:
    """Run the pipeline over every annotated ``*.json`` in ``directory`` and score it."""
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise EvalError(f"{directory}: no annotated *.json files here; point kg eval at a folder like ../shared/data/genre-dev")
    nlp = load_pipeline()
    scores = Scores()
    for path in files:
        try:
            annotation = json.loads(path.read_text(encoding="utf-8"))
            text = annotation["text"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise EvalError(f"{path}: not an annotated article ({error}); see the format in genre-dev/README.md") from error
        check_predicates(path, annotation)
        doc = nlp(make_doc(nlp, text))
        score_article(simplified_annotation(annotation), doc._.entities, doc._.relations, scores)
    return scores


def report(scores: Scores, verbose: bool = False) -> str:
    """A plain-text report of ``scores`` (misses listed when ``verbose``)."""
    lines = ["type          P      R      F1"]
    for label in (*ENTITY_TYPES, None):
        p, r, f = scores.prf(label)
        lines.append(f"{label or 'overall':<12}{p:6.3f} {r:6.3f} {f:6.3f}")
    lines.append("relation recall:")
    for predicate in sorted({p for p, _ in scores.relation}):
        lines.append(f"  {predicate:<18}{scores.relation_recall(predicate):6.3f}  ({scores.relation[(predicate, 'hit')]}/{scores.relation[(predicate, 'gold')]})")
    data = scores.as_dict()
    lines.append(f"  {'overall':<18}{scores.relation_recall():6.3f}")
    lines.append(f"relation precision    {scores.relation_precision():6.3f}  (relations between annotated entities)")
    lines.append(f"post titles right     {data['post_title_accuracy']:6.3f}")
    lines.append(f"place-code accuracy   {data['place_code_accuracy']:6.3f}  precision {data['place_code_precision']:6.3f}")
    lines.append(f"duplicate nodes       {scores.duplicates}")
    if verbose:
        lines += ["", *scores.misses]
    return "\n".join(lines)
