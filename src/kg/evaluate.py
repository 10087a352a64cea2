"""Scoring extraction against annotated articles (the format of ``shared/data/genre-dev``).

An extracted entity matches an annotated one when the types agree and a name
of one is a name of the other (canonical or alias), one to one. Relations
match on subject, predicate and object entities; post titles are scored on the
``holdsPost`` relations that match. Place codes are scored on the annotated
places that carry a code (accuracy) and on the extracted codes of matched places
(precision).

Precision counts only relations between annotated entities (an extracted relation with
an unannotated end cannot be judged), overall and per predicate. Post precision is
stricter: every extracted ``holdsPost`` of an annotated person counts, and it is right only
when the annotation gives that person that title in that body, so a title that slid to
the neighbour in an attendee list counts as wrong.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .ingest import clean_text, parse_article
from .nlp.doc import ARTICLE, ENTITY_TYPES, Entity, Relation
from .nlp.pipeline import load_pipeline, make_doc
from .nlp.text import is_traditional, to_simplified
from .resources import predicates


class EvalError(ValueError):
    """An annotated file that cannot be read."""


@dataclass
class Scores:
    """Counts summed over articles; ratios are computed from them."""

    entity: Counter = field(default_factory=Counter)  # (type, "tp"|"fp"|"fn")
    relation: Counter = field(default_factory=Counter)  # (predicate, "hit"|"gold"|"predicted"|"correct")
    posts: Counter = field(default_factory=Counter)  # "right", "scored", "given", "given_right"
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

    def relation_precision(self, predicate: str | None = None) -> float:
        """Of the extracted relations between annotated entities, the share the annotation has."""
        keys = [predicate] if predicate else sorted({p for p, _ in self.relation})
        return self.ratio(sum(self.relation[(p, "correct")] for p in keys), sum(self.relation[(p, "predicted")] for p in keys))

    def post_precision(self) -> float:
        """Of the posts given to annotated people, the share with the annotated title and body."""
        return self.ratio(self.posts["given_right"], self.posts["given"])

    def as_dict(self) -> dict:
        predicates = sorted({p for p, _ in self.relation})
        return {
            "entities": {label: dict(zip(("precision", "recall", "f1"), self.prf(label))) for label in ENTITY_TYPES}
            | {"overall": dict(zip(("precision", "recall", "f1"), self.prf()))},
            "relation_recall": {p: self.relation_recall(p) for p in predicates} | {"overall": self.relation_recall()},
            "relation_precision": {p: self.relation_precision(p) for p in predicates} | {"overall": self.relation_precision()},
            "post_precision": self.post_precision(),
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
    gold_posts: dict[tuple, set[str | None]] = defaultdict(set)
    for g in annotation["relations"]:
        if g["p"] == "holdsPost":
            gold_posts[(key_of.get(g["s"]), g["p"], key_of.get(g["o"]))].add(g.get("post"))
    for key, found in predicted_relations.items():
        if key[0] in matched_keys and key[2] in matched_keys:
            scores.relation[(key[1], "predicted")] += 1
            correct = key in gold_keys
            scores.relation[(key[1], "correct")] += correct
            if not correct:
                scores.misses.append(f"{article}: extra {found[0].subject} {key[1]} {found[0].object} ({found[0].evidence[:40]})")
            if key[1] == "holdsPost":
                _score_posts(found, gold_posts.get(key, set()), scores, article)
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


def _score_posts(found: list[Relation], titles: set[str | None], scores: Scores, article: str) -> None:
    """Each distinct title given to an annotated person in an annotated body: right only if annotated."""
    for title in sorted({r.post or "" for r in found}):
        scores.posts["given"] += 1
        scores.posts["given_right"] += title in titles
        if title not in titles:
            scores.misses.append(f"{article}: wrong post {found[0].subject} {title} in {found[0].object}")


def simplified_annotation(annotation: dict) -> dict:
    """The annotation with every name as kg writes names: in Simplified script where the article is
    Traditional (Traditional forms are kept as alternative labels), as written where it is
    Simplified already (乾塘镇 stays), and without invisible characters, so names are compared in
    one form."""
    convert = is_traditional(annotation.get("text", ""))

    def normal(name: str) -> str:
        return to_simplified(clean_text(name)) if convert else clean_text(name)

    entities = [
        entity | {"text": normal(entity["text"]), "aliases": [normal(a) for a in entity.get("aliases", [])]}
        for entity in annotation["entities"]
    ]
    relations = [
        relation | {"s": normal(relation["s"]), "o": relation["o"] if relation["o"] == ARTICLE else normal(relation["o"]),
                    "post": relation.get("post") and normal(relation["post"])}
        for relation in annotation["relations"]
    ]
    return annotation | {"entities": entities, "relations": relations}


def check_predicates(path: Path, annotation: dict) -> None:
    """Every annotated relation must use a predicate of the predicate table (``kg/resources/predicates.toml``)."""
    unknown = sorted({str(r.get("p")) for r in annotation.get("relations", [])} - set(predicates()))
    if unknown:
        raise EvalError(f"{path}: unknown predicate {unknown[0]!r}; annotate one of {', '.join(predicates())}")


def annotated_files(paths: Iterable[Path], exclude: Collection[str] = ()) -> list[Path]:
    """The annotated ``*.json`` articles among ``paths`` (files, or folders of them), minus the
    article ids in ``exclude``; a folder's README and other files are skipped."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(path.glob("*.json"))
        elif path.suffix == ".json" and path.is_file():
            files.append(path)
        else:
            raise EvalError(f"{path}: neither an annotated *.json article nor a folder of them")
    return [f for f in files if f.stem not in exclude]


def read_exclusions(values: Iterable[str]) -> set[str]:
    """Article ids to leave out: each value is an id or a text file of ids (one per line, # comments)."""
    ids: set[str] = set()
    for value in values:
        path = Path(value)
        if path.is_file():
            ids |= {line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()} - {""}
        else:
            ids.add(value)
    return ids


def evaluate(paths: Path | Iterable[Path], exclude: Collection[str] = ()) -> Scores:
    """Run the pipeline over every annotated article under ``paths`` and score it."""
    files = annotated_files([paths] if isinstance(paths, (str, Path)) else paths, exclude)
    if not files:
        raise EvalError(f"{paths}: no annotated *.json files here; point kg eval at a folder like ../shared/data/genre-dev")
    nlp = load_pipeline()
    scores = Scores()
    for path in files:
        try:
            annotation = json.loads(path.read_text(encoding="utf-8"))
            text = annotation["text"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise EvalError(f"{path}: not an annotated article ({error}); see the format in genre-dev/README.md") from error
        check_predicates(path, annotation)
        doc = nlp(make_doc(nlp, parse_article(text, id=path.stem, source=str(path)).text))
        score_article(simplified_annotation(annotation), doc._.entities, doc._.relations, scores)
    return scores


def report(scores: Scores, verbose: bool = False) -> str:
    """A plain-text report of ``scores`` (misses listed when ``verbose``)."""
    lines = ["type          P      R      F1"]
    for label in (*ENTITY_TYPES, None):
        p, r, f = scores.prf(label)
        lines.append(f"{label or 'overall':<12}{p:6.3f} {r:6.3f} {f:6.3f}")
    lines.append("relations           recall             precision (between annotated entities)")
    for predicate in sorted({p for p, _ in scores.relation}):
        hit, gold = scores.relation[(predicate, "hit")], scores.relation[(predicate, "gold")]
        right, predicted = scores.relation[(predicate, "correct")], scores.relation[(predicate, "predicted")]
        lines.append(f"  {predicate:<18}{scores.relation_recall(predicate):6.3f}  ({hit:>3}/{gold:<3})  "
                     f"{scores.relation_precision(predicate):6.3f}  ({right:>3}/{predicted:<3})")
    data = scores.as_dict()
    lines.append(f"  {'overall':<18}{scores.relation_recall():6.3f}             {scores.relation_precision():6.3f}")
    lines.append(f"relation recall       {scores.relation_recall():6.3f}")
    lines.append(f"relation precision    {scores.relation_precision():6.3f}  (relations between annotated entities)")
    lines.append(f"post precision        {data['post_precision']:6.3f}  (posts given to annotated people: right person, title and body)")
    lines.append(f"post titles right     {data['post_title_accuracy']:6.3f}")
    lines.append(f"place-code accuracy   {data['place_code_accuracy']:6.3f}  precision {data['place_code_precision']:6.3f}")
    lines.append(f"duplicate nodes       {scores.duplicates}")
    if verbose:
        lines += ["", *scores.misses]
    return "\n".join(lines)
