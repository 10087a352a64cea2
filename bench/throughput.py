"""Throughput of the whole NLP stage, per component, against two baselines in the same run.

Text: the MSRA training sentences (read from ../shared, never copied) joined
into ~1,000-character articles, plus the bundled examples, at least 2 MB of
UTF-8 in all. Baselines: spaCy's bare character tokenizer (the floor of any
spaCy pipeline) and jieba's part-of-speech tagger (the usual offline tool).
Also reports pipeline load time, what linking + resolution + relations add
to the rest of the NLP stage (the relations issue allows at most 20 %), and the
rate on the annotated genre articles of tests/data, which are denser in names.

Run: python bench/throughput.py [--mb 2] [--msra ../shared/data/ner/msra/msra_train_bio]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINKING_AND_RELATIONS = ("kg_place_linker", "kg_resolver", "kg_relation_extractor", "kg_relation_classifier")


def msra_articles(path: Path, megabytes: float) -> list[str]:
    """MSRA sentences grouped into articles of about 1,000 characters, ``megabytes`` of UTF-8 in all."""
    articles, current, sentence, size = [], [], [], 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                sentence.append(line.split("\t")[0])
                continue
            current.append("".join(sentence))
            sentence = []
            if sum(map(len, current)) >= 1000:
                article = "\n".join(current)
                articles.append(article)
                size += len(article.encode("utf-8"))
                current = []
                if size >= megabytes * 1_000_000:
                    break
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=2.0, help="megabytes of text to process (default 2)")
    parser.add_argument("--msra", type=Path, default=ROOT.parent / "shared/data/ner/msra/msra_train_bio")
    args = parser.parse_args()

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    texts += msra_articles(args.msra, args.mb)
    chars = sum(map(len, texts))
    print(f"text: {len(texts)} articles, {chars:,} chars, {sum(len(t.encode('utf-8')) for t in texts) / 1e6:.2f} MB")

    started = time.perf_counter()
    from kg.nlp.pipeline import build_pipeline, make_doc

    nlp = build_pipeline()
    nlp(make_doc(nlp, texts[0]))  # first call warms lazy lexicons
    load = time.perf_counter() - started
    print(f"pipeline load (incl. lexicons): {load:.2f} s; components: {', '.join(nlp.pipe_names)}")

    import spacy

    bare = spacy.blank("zh")
    started = time.perf_counter()
    for text in texts:
        bare.make_doc(text)
    tokenizer_rate = chars / (time.perf_counter() - started)

    import jieba.posseg

    jieba.posseg.lcut(texts[0])
    started = time.perf_counter()
    for text in texts:
        jieba.posseg.lcut(text)
    jieba_rate = chars / (time.perf_counter() - started)

    per_component: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    for text in texts:
        moment = time.perf_counter()
        doc = make_doc(nlp, text)
        per_component["make_doc (tokenizer + script)"] += time.perf_counter() - moment
        for name, component in nlp.pipeline:
            moment = time.perf_counter()
            doc = component(doc)
            per_component[name] += time.perf_counter() - moment
    total = time.perf_counter() - started
    rate = chars / total

    print(f"\n{'stage':<34}{'chars/s':>12}")
    print(f"{'spaCy bare char tokenizer':<34}{tokenizer_rate:>12,.0f}")
    print(f"{'jieba posseg':<34}{jieba_rate:>12,.0f}")
    print(f"{'kg NLP stage (whole)':<34}{rate:>12,.0f}   ({rate / jieba_rate:.2f}x jieba posseg)")
    print("\nshare of time per component:")
    for name, seconds in sorted(per_component.items(), key=lambda item: -item[1]):
        print(f"  {name:<32}{seconds / total:>7.1%}  {chars / seconds:>12,.0f} chars/s")
    linking = sum(per_component[name] for name in LINKING_AND_RELATIONS)
    print(f"\nlinking + resolution + relations add {linking / (total - linking):.1%} to the rest of the NLP stage")

    genre = [json.loads(path.read_text(encoding="utf-8"))["text"] for path in sorted((ROOT / "tests" / "data").glob("*/*.json"))]
    started = time.perf_counter()
    for text in genre:  # entity-dense county news: the rules and relations work hardest here
        nlp(make_doc(nlp, text))
    genre_chars = sum(map(len, genre))
    print(f"genre articles (tests/data, {len(genre)} articles, {genre_chars:,} chars): {genre_chars / (time.perf_counter() - started):,.0f} chars/s")


if __name__ == "__main__":
    main()
