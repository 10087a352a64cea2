"""Train the relation scorer (``kg_relation_classifier``) on the annotated genre articles.

Every annotated folder named in the config is run through the pipeline up to
the rules (``kg_relation_extractor``); each type-compatible mention pair of a
sentence becomes an example, positive when the annotation has that relation
between the two matched entities and its evidence lies in the sentence.
A logistic model per predicate is fitted with AdaGrad and L2.

    python training/train_relations.py training/relations.cfg            # train, write the model
    python training/train_relations.py training/relations.cfg --folds    # leave one folder out, print scores

``--folds`` trains on all folders but one and scores the one left out, for
each folder in turn: the model alone (precision and recall of its pairs) and
rules plus model (the ``kg eval`` relation recall and precision).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from thinc.api import Config
from tqdm import tqdm

from kg.evaluate import Scores, annotated_files, match_entities, read_exclusions, score_article, simplified_annotation
from kg.ingest import clean_text, parse_article
from kg.nlp.pipeline import build_pipeline, make_doc
from kg.nlp.relation_model import MODEL_DIR, PAIR_TYPES, RelationModel, candidates, model_relations, pair_features
from kg.nlp.mentions import ArticleView
from kg.resources import predicates

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Article:
    folder: str
    annotation: dict
    doc: object
    examples: list[tuple[str, list[str], bool]]


def _evidence_spans(annotation: dict, text: str) -> dict[tuple[str, str, str], list[tuple[int, int]]]:
    """Where each annotated relation's evidence lies in ``text``, the article as read (every occurrence)."""
    spans: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    simplified = simplified_annotation(annotation)["relations"]
    for relation, plain in zip(annotation["relations"], simplified):
        evidence = clean_text(relation["evidence"])
        start = text.find(evidence)
        while start >= 0:
            spans[(plain["s"], plain["p"], plain["o"])].append((start, start + len(evidence)))
            start = text.find(evidence, start + 1)
    return spans


def labelled_examples(annotation: dict, doc) -> list[tuple[str, list[str], bool]]:
    """(predicate, features, is-annotated) for every candidate pair of the article."""
    simplified = simplified_annotation(annotation)
    matched, _, _ = match_entities(simplified["entities"], list(doc._.entities.values()))
    gold_text = {id(entity): text for text, entity in matched.items()}
    evidence = _evidence_spans(annotation, doc._.original_text)
    examples = []
    for candidate in candidates(ArticleView(doc)):
        key = (gold_text.get(id(candidate.subject.entity)), candidate.predicate, gold_text.get(id(candidate.object.entity)))
        start, end = candidate.sentence.start, candidate.sentence.end
        positive = any(s < end and start < e for s, e in evidence.get(key, []))
        examples.append((candidate.predicate, pair_features(doc.text, candidate), positive))
    return examples


def load_articles(folders: list[str], exclude: set[str], split: dict[str, int]) -> list[Article]:
    """The annotated articles of ``folders`` (minus the ids in ``exclude``) read as ``kg eval`` reads
    them; a folder named in ``split`` counts as that many folders (every n-th article), so that
    ``--folds`` can leave part of it out."""
    nlp = build_pipeline()
    if "kg_relation_classifier" in nlp.pipe_names:
        nlp.remove_pipe("kg_relation_classifier")
    articles = []
    paths = [(folder, path) for folder in folders for path in annotated_files([ROOT / folder], exclude)]
    for index, (folder, path) in enumerate(tqdm(paths, desc="articles")):
        annotation = json.loads(path.read_text(encoding="utf-8"))
        doc = nlp(make_doc(nlp, parse_article(annotation["text"], id=path.stem, source=str(path)).text))
        part = f"{folder}#{index % split[folder] + 1}" if folder in split else folder
        articles.append(Article(part, annotation, doc, labelled_examples(annotation, doc)))
    return articles


def fit(examples: list[tuple[str, list[str], bool]], settings: dict) -> RelationModel:
    """Logistic regression per predicate: AdaGrad steps, L2 applied to the features of each step."""
    rng = random.Random(settings["seed"])
    weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    squares: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    model = RelationModel()
    model.weights = weights  # scored with the weights as they are being fitted
    order = list(examples)
    for _ in range(settings["epochs"]):
        rng.shuffle(order)
        for predicate, features, positive in order:
            error = model.probability(predicate, features) - float(positive)
            scale = settings["positive_weight"] if positive else 1.0
            for feature in features:
                g = error * scale + settings["l2"] * weights[predicate][feature]
                squares[predicate][feature] += g * g
                weights[predicate][feature] -= settings["learning_rate"] * g / (squares[predicate][feature] ** 0.5 + 1e-8)
    pruned = {p: {f: round(w, 4) for f, w in ws.items() if abs(w) >= settings["min_weight"]} for p, ws in weights.items()}
    return RelationModel(pruned, settings.get("thresholds") or {p: predicates()[p].threshold for p in PAIR_TYPES})


def score_model_alone(model: RelationModel, examples: list[tuple[str, list[str], bool]]) -> Counter:
    counts: Counter = Counter()
    for predicate, features, positive in examples:
        predicted = model.probability(predicate, features) >= model.thresholds.get(predicate, 1.0)
        counts[(predicate, "tp")] += predicted and positive
        counts[(predicate, "fp")] += predicted and not positive
        counts[(predicate, "fn")] += positive and not predicted
    return counts


def score_with_rules(model: RelationModel, articles: list[Article]) -> Scores:
    scores = Scores()
    for article in articles:
        relations = article.doc._.relations + model_relations(article.doc, model)
        score_article(simplified_annotation(article.annotation), article.doc._.entities, relations, scores)
    return scores


SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7)


def folds(articles: list[Article], settings: dict) -> None:
    """Leave each folder out in turn: rules alone, then rules plus the model at each threshold of
    ``SWEEP``; then, summed over the folders left out, recall and precision per predicate at each
    threshold (what a predicate's threshold in ``predicates.toml`` trades)."""
    total_alone: Counter = Counter()
    swept: dict[float, Counter] = {threshold: Counter() for threshold in SWEEP}
    print(f"{'left out':<28} rules R/P    " + "  ".join(f"t={t} R/P  " for t in SWEEP))
    for folder in dict.fromkeys(a.folder for a in articles):
        held = [a for a in articles if a.folder == folder]
        model = fit([e for a in articles if a.folder != folder for e in a.examples], settings)
        total_alone += score_model_alone(model, [e for a in held for e in a.examples])
        rules = Scores()
        for article in held:
            score_article(simplified_annotation(article.annotation), article.doc._.entities, article.doc._.relations, rules)
        row = [f"{rules.relation_recall():.3f}/{rules.relation_precision():.3f}"]
        for threshold in SWEEP:
            both = score_with_rules(RelationModel(model.weights, {p: threshold for p in model.weights}), held)
            swept[threshold] += both.relation
            row.append(f"{both.relation_recall():.3f}/{both.relation_precision():.3f}")
        print(f"{folder:<28} " + "  ".join(row))
    for predicate in sorted({p for p, _ in swept[SWEEP[0]]}):
        cells = [f"{Scores(relation=counts).relation_recall(predicate):.3f}/{Scores(relation=counts).relation_precision(predicate):.3f}" for counts in swept.values()]
        print(f"all folders {predicate:<16} " + "  ".join(cells))
    for predicate in sorted({p for p, _ in total_alone}):
        tp, fp, fn = (total_alone[(predicate, k)] for k in ("tp", "fp", "fn"))
        print(f"model alone {predicate:<16} P {tp / max(tp + fp, 1):.3f} R {tp / max(tp + fn, 1):.3f}  (tp {tp} fp {fp} fn {fn})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path, help="training config, e.g. training/relations.cfg")
    parser.add_argument("--folds", action="store_true", help="leave one folder out in turn and print the scores, write nothing")
    parser.add_argument("--output", type=Path, default=MODEL_DIR, help=f"where to write model.json (default {MODEL_DIR})")
    args = parser.parse_args()
    config = Config().from_disk(args.config)
    settings = config["training"]
    corpus = config["corpus"]
    exclude = read_exclusions([str(ROOT / corpus["exclude"])]) if corpus.get("exclude") else set()
    articles = load_articles(corpus["folders"], exclude, dict(corpus.get("split", {})))
    print(f"{sum(len(a.examples) for a in articles)} candidate pairs, {sum(e[2] for a in articles for e in a.examples)} annotated")
    if args.folds:
        folds(articles, settings)
        return
    model = fit([e for a in articles for e in a.examples], settings)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "model.json").write_text(json.dumps(model.to_json(), ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"wrote {args.output / 'model.json'}: {sum(len(w) for w in model.weights.values())} weights")


if __name__ == "__main__":
    main()
