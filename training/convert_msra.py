"""Convert the MSRA char/BIO corpus into spaCy DocBins for ``spacy train``.

Writes ``train.spacy`` and ``dev.spacy`` (a seeded random hold-out of the MSRA
training file) and ``test.spacy`` (the MSRA test file) into the output folder.
Docs are tokenized with ``spacy.blank("zh")`` (char segmenter), the same
tokenizer the pipeline uses.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Iterator, List, Tuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

MSRA_DIR = Path("/work/shared/data/ner/msra")
Sentence = List[Tuple[str, str]]


def read_bio(path: Path) -> Iterator[Sentence]:
    """Yield sentences as lists of (char, BIO tag); blank lines separate sentences."""
    sentence: Sentence = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if sentence:
                    yield sentence
                sentence = []
                continue
            char, _, tag = line.rpartition("\t")
            sentence.append((char, tag))
    if sentence:
        yield sentence


def bio_entities(sentence: Sentence) -> List[Tuple[int, int, str]]:
    """Character offsets (start, end, label) of the entities of a BIO sentence."""
    entities: List[Tuple[int, int, str]] = []
    offset = 0
    for char, tag in sentence:
        prefix, _, label = tag.partition("-")
        extends_last = prefix == "I" and entities and entities[-1][1] == offset and entities[-1][2] == label
        if extends_last:
            start, _, _ = entities[-1]
            entities[-1] = (start, offset + len(char), label)
        elif prefix in ("B", "I"):
            entities.append((offset, offset + len(char), label))
        offset += len(char)
    return entities


def sentence_to_doc(nlp: Language, sentence: Sentence) -> Doc:
    """Tokenize the sentence text and attach its entities (char offsets must align)."""
    doc = nlp.make_doc("".join(char for char, _ in sentence))
    spans = []
    for start, end, label in bio_entities(sentence):
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None:
            raise ValueError(f"entity {doc.text[start:end]!r} does not map to tokens in {doc.text!r}")
        spans.append(span)
    doc.ents = spans
    return doc


def write_docbin(docs: List[Doc], path: Path) -> None:
    """Save docs as a DocBin and report the count."""
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    print(f"{path}: {len(docs)} docs, {sum(len(doc) for doc in docs)} tokens")


def main() -> None:
    """Parse arguments and write train/dev/test DocBins."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--msra-dir", type=Path, default=MSRA_DIR)
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "corpus")
    parser.add_argument("--dev-fraction", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    nlp = spacy.blank("zh")
    train_docs = [sentence_to_doc(nlp, sentence) for sentence in read_bio(args.msra_dir / "msra_train_bio")]
    test_docs = [sentence_to_doc(nlp, sentence) for sentence in read_bio(args.msra_dir / "msra_test_bio")]
    write_splits(train_docs, test_docs, args.output, "", args.dev_fraction, args.seed)


def write_splits(train_docs: list, test_docs: list, output: Path, prefix: str, dev_fraction: float, seed: int) -> None:
    """Shuffle the training docs with ``seed``, hold out ``dev_fraction`` as dev, and write
    ``{prefix}train/dev/test.spacy`` under ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    random.Random(seed).shuffle(train_docs)
    n_dev = round(len(train_docs) * dev_fraction)
    write_docbin(train_docs[n_dev:], output / f"{prefix}train.spacy")
    write_docbin(train_docs[:n_dev], output / f"{prefix}dev.spacy")
    write_docbin(test_docs, output / f"{prefix}test.spacy")


if __name__ == "__main__":
    main()
