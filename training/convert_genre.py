"""Annotated genre articles → spaCy DocBins for the NER, with a fourth label for programmes.

The annotated sets (format of ``../shared/data/genre-dev/README.md``) list each distinct
entity with its canonical form and aliases, not its mentions. Mentions are found here by
matching those forms in the text, longest first, outermost wins (the tagger is flat; the
place ruler finds the places inside names). A surname-plus-title alias of a person
(冯镇长) is no name and is not tagged. Texts are converted to Simplified script first, as the
pipeline does. Each sentence becomes one training doc, as MSRA's are.

Labels: PER, LOC, ORG (as MSRA) and PROG (programmes, campaigns, documents, projects).

Writes ``genre/train.spacy`` (repeated ``repeat`` times, so the small genre set weighs
against MSRA's 2 M characters) and ``genre/dev.spacy``, and the folder ``mixed/`` that
``spacy train`` reads: the genre training docs beside MSRA's (``convert_msra.py`` first).

    python training/convert_msra.py && python training/convert_genre.py --config training/charner-genre.cfg
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from thinc.api import Config

from kg.evaluate import annotated_files, read_exclusions, simplified_annotation
from kg.nlp.lexicon import TITLES
from kg.nlp.text import sentence_bounds, to_simplified

LABELS = {"Person": "PER", "Place": "LOC", "Organization": "ORG", "Programme": "PROG"}
REPO = Path(__file__).resolve().parents[1]


def is_title_alias(form: str, canonical: str) -> bool:
    """冯镇长, 陈理事长: a surname with a title stands for a person but is not a name."""
    return form != canonical and any(form.endswith(title) for title in TITLES) and len(form) <= 6


def mention_spans(annotation: dict) -> list[tuple[int, int, str]]:
    """Every occurrence of every annotated form, outermost first-come, as (start, end, label)."""
    text = annotation["text"]
    forms: list[tuple[str, str]] = []
    for entity in annotation["entities"]:
        label = LABELS[entity["type"]]
        for form in {entity["text"], *entity.get("aliases", [])}:
            if len(form) >= 2 and not (label == "PER" and is_title_alias(form, entity["text"])):
                forms.append((form, label))
    taken = [False] * len(text)
    spans = []
    for form, label in sorted(forms, key=lambda f: -len(f[0])):
        start = text.find(form)
        while start != -1:
            end = start + len(form)
            if not any(taken[start:end]):
                spans.append((start, end, label))
                taken[start:end] = [True] * len(form)
            start = text.find(form, start + 1)
    return sorted(spans)


def article_docs(nlp: Language, annotation: dict) -> list[Doc]:
    """One doc per sentence of the article, with its mentions as entities."""
    annotation = simplified_annotation(annotation)
    text = to_simplified(annotation["text"])
    spans = mention_spans(annotation | {"text": text})
    docs = []
    for start, end in sentence_bounds(text):
        doc = nlp.make_doc(text[start:end])
        inside = [(s - start, e - start, label) for s, e, label in spans if s >= start and e <= end]
        doc.ents = [doc.char_span(s, e, label=label) for s, e, label in inside]
        docs.append(doc)
    return docs


def folder_docs(nlp: Language, specs: list[str], exclude: set[str]) -> list[Doc]:
    """The docs of every annotated article under ``specs`` (paths relative to the repository)."""
    docs = []
    for path in annotated_files([REPO / spec for spec in specs], exclude):
        docs += article_docs(nlp, json.loads(path.read_text(encoding="utf-8")))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=REPO / "training" / "charner-genre.cfg")
    parser.add_argument("--corpus", type=Path, default=REPO / "training" / "corpus")
    args = parser.parse_args()
    config = Config().from_disk(args.config, interpolate=False)["genre"]
    exclude = read_exclusions([str(REPO / config["exclude"])])
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    train = folder_docs(nlp, config["train"], exclude)
    dev = folder_docs(nlp, config["dev"], exclude)
    random.Random(config["seed"]).shuffle(train)
    (args.corpus / "genre").mkdir(parents=True, exist_ok=True)
    for name, docs in (("train", train * config["repeat"]), ("dev", dev)):
        path = args.corpus / "genre" / f"{name}.spacy"
        DocBin(docs=docs, store_user_data=False).to_disk(path)
        print(f"{path}: {len(docs)} docs, {sum(len(d) for d in docs)} chars, {sum(len(d.ents) for d in docs)} entities")
    mixed = args.corpus / "mixed"
    mixed.mkdir(exist_ok=True)
    for name, source in (("genre.spacy", "../genre/train.spacy"), ("msra.spacy", "../train.spacy")):
        (mixed / name).unlink(missing_ok=True)
        (mixed / name).symlink_to(source)


if __name__ == "__main__":
    main()
