"""Compile the two word lists the rules take from jieba's dictionary into src/kg/data/words.tsv.

- ``stop``: common two- and three-character verbs and function words (tags v, p,
  c, d, r, t, m; frequency >= 50): where the left edge of an organisation or
  programme name stops (成立, 引入, 申报).
- ``common``: frequent two-character words that are not names (frequency >=
  1000, tag not nr*): a personal name does not start with one (干部, 任务).
- ``place``: words jieba tags as place names (ns): what a place found by the
  statistical NER alone must be, unless it ends like a place (江, 镇 …).

Shipping the result avoids parsing jieba's 350,000-line dictionary at start-up.
Run: python scripts/build_words.py
"""

from __future__ import annotations

from pathlib import Path

import jieba

TARGET = Path(__file__).resolve().parents[1] / "src/kg/data/words.tsv"


def main() -> None:
    rows = []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as handle:
        for line in handle:
            word, frequency, tag = line.split()
            count = int(frequency)
            if tag in {"v", "p", "c", "d", "r", "t", "m"} and 2 <= len(word) <= 3 and count >= 50:
                rows.append((word, "stop"))
            if len(word) == 2 and count >= 1000 and not tag.startswith("nr"):
                rows.append((word, "common"))
            if tag == "ns" and len(word) >= 2:
                rows.append((word, "place"))
    TARGET.write_text("".join(f"{word}\t{kind}\n" for word, kind in sorted(set(rows))), encoding="utf-8")
    print(f"{TARGET}: {len(rows)} entries")


if __name__ == "__main__":
    main()
