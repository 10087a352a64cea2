"""Convert CLUENER2020 (JSON lines) into spaCy DocBins for ``spacy train``.

Writes ``cluener_train.spacy`` and ``cluener_dev.spacy`` (a seeded random
hold-out of CLUENER's ``train.json``, used for model selection) and
``cluener_test.spacy`` (``test.json``, i.e. CLUENER's labelled dev set, kept
for the final figure only). Docs are tokenized with ``spacy.blank("zh")``
(char segmenter) like ``convert_msra.py``, whose DocBin writer is reused.

CLUENER labels are ``{type: {surface: [[start, end_inclusive], ...]}}``; the
few overlapping spans (if any) keep the first, longest span.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert_msra import write_splits  # noqa: E402

CLUENER_DIR = Path("/work/shared/data/ner/cluener")
Record = Dict[str, object]


def read_cluener(path: Path) -> Iterator[Record]:
    """Yield the JSON records of a CLUENER file (one per non-blank line)."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def cluener_entities(record: Record) -> List[Tuple[int, int, str]]:
    """Non-overlapping (start, end_exclusive, label) of a record, longest first on overlaps."""
    spans = [
        (start, end + 1, label)
        for label, surfaces in (record.get("label") or {}).items()
        for positions in surfaces.values()
        for start, end in positions
    ]
    kept: List[Tuple[int, int, str]] = []
    taken = set()
    for start, end, label in sorted(spans, key=lambda span: (span[0] - span[1], span[0], span[2])):
        if taken.isdisjoint(range(start, end)):
            kept.append((start, end, label))
            taken.update(range(start, end))
    return sorted(kept)


def record_to_doc(nlp: Language, record: Record) -> Doc:
    """Tokenize the record text and attach its entities (char offsets must align)."""
    text = str(record["text"])
    doc = nlp.make_doc(text)
    spans = []
    for start, end, label in cluener_entities(record):
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None:
            raise ValueError(f"entity {text[start:end]!r} does not map to tokens in {text!r}")
        spans.append(span)
    doc.ents = spans
    return doc


def main() -> None:
    """Parse arguments and write the train/dev/test DocBins."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cluener-dir", type=Path, default=CLUENER_DIR)
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "corpus")
    parser.add_argument("--dev-fraction", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    nlp = spacy.blank("zh")
    train_docs = [record_to_doc(nlp, record) for record in read_cluener(args.cluener_dir / "train.json")]
    test_docs = [record_to_doc(nlp, record) for record in read_cluener(args.cluener_dir / "test.json")]
    write_splits(train_docs, test_docs, args.output, "cluener_", args.dev_fraction, args.seed)


if __name__ == "__main__":
    main()
