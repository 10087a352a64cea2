"""Compile the NBS 2023 division CSVs into the compact files ``kg.divisions`` reads.

Usage: python scripts/build_divisions.py [CSV_DIR]  (default /work/shared/data/divisions)

Writes ``src/kg/data/divisions.tsv.gz`` (12-digit codes, levels, canonical names,
parents; format in ``kg.divisions``) and ``src/kg/data/place_words.tsv``, the words
from jieba's dictionary the place ruler needs (format in ``kg.nlp.places``): division
names and short forms that are also ordinary words, names of rivers, peninsulas and
straits, and frequent two-character words; so the runtime needs neither the CSVs nor jieba's dictionary.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path

import jieba

from kg.divisions import DIVISIONS_HEADER, VARIANTS_HEADER, VILLAGES_HEADER, short_forms
from kg.nlp.text import to_simplified

DEFAULT_SOURCE = Path("/work/shared/data/divisions")
OUTPUT_DIR = Path(__file__).resolve().parents[1] / "src" / "kg" / "data"
PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
"""City-level rows that are not cities: their counties belong to the province directly."""

PARENTHESES = re.compile(r"[（(][^）)]*[）)]")
VILLAGE_COMMITTEE = re.compile(r"(?:村民|村)委(?:员)?会*$|村民委员$")
RESIDENTS_COMMITTEE = re.compile(r"(?:社区)?(?:居民|居)委(?:员)?会*$|(?:社区)?居民委员$|社区居委$")
MIN_COMMON_FREQUENCY = 20
"""jieba frequency from which a division name is recorded as an ordinary word too."""
MIN_FREQUENT_WORD = 100
"""jieba frequency from which a two-character word is listed, to spot names cut out of words (部分乡镇)."""


def pad(code: str) -> str:
    """The 12-digit form of a 2/4/6/9/12-digit code."""
    return code.ljust(12, "0")


def village_name(official: str, enclosing: tuple[str, ...] = ()) -> str:
    """How the news writes a village committee: 旺兰村委会 → 旺兰村, 多福巷社区居委会 → 多福巷社区.

    Some records repeat the names of the divisions above them (连平县大湖镇湖西村民委员会,
    广东省河源市和平县阳明镇东山社区居民委员会); ``enclosing`` lists those names from the
    province down, and they are cut off the front when a name of two characters or more is left.
    """
    name = PARENTHESES.sub("", official)
    for above in enclosing:
        if above and name.startswith(above) and len(_committee_stem(name[len(above):])) >= 2:
            name = name[len(above):]
    if VILLAGE_COMMITTEE.search(name):
        stem = VILLAGE_COMMITTEE.sub("", name)
        return stem if stem.endswith("村") else stem + "村"
    if RESIDENTS_COMMITTEE.search(name):
        return RESIDENTS_COMMITTEE.sub("", name) + "社区"
    return name


TOWN_ENDING = re.compile(r"(?:街道办事处|街道|镇|乡)$")


def town_name(official: str, enclosing: tuple[str, ...]) -> str:
    """A town or street as the news writes it: a few records repeat their county (端州区睦岗街道 → 睦岗街道);
    special zones keep theirs (西青区开发区)."""
    name = PARENTHESES.sub("", official)
    for above in enclosing:
        if above and name.startswith(above) and TOWN_ENDING.search(name) and len(TOWN_ENDING.sub("", name[len(above):])) >= 2:
            name = name[len(above):]
    return name


def _committee_stem(name: str) -> str:
    return RESIDENTS_COMMITTEE.sub("", VILLAGE_COMMITTEE.sub("", name))


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def compile_divisions(source: Path) -> tuple[list[tuple[str, str, str, str]], dict[str, list[str]]]:
    """(code, level, name, parent) rows above village level, and village name → codes."""
    rows: dict[str, tuple[str, str, str, str]] = {}
    for row in read_rows(source / "provinces.csv"):
        rows[pad(row["code"])] = (pad(row["code"]), "province", row["name"], "")
    for row in read_rows(source / "cities.csv"):
        if row["name"] not in PLACEHOLDER_CITIES:
            rows[pad(row["code"])] = (pad(row["code"]), "city", row["name"], pad(row["provinceCode"]))
    for row in read_rows(source / "areas.csv"):
        code = pad(row["code"])
        if code in rows:  # a city without counties (东莞市) is listed again as its own county
            continue
        parent = pad(row["cityCode"]) if pad(row["cityCode"]) in rows else pad(row["provinceCode"])
        rows[code] = (code, "county", PARENTHESES.sub("", row["name"]), parent)
    for row in read_rows(source / "streets.csv"):
        code = pad(row["code"])
        enclosing = tuple(rows[pad(row[key])][2] if pad(row[key]) in rows else "" for key in ("provinceCode", "cityCode", "areaCode"))
        rows[code] = (code, "town", town_name(row["name"], enclosing), pad(row["areaCode"]))
    villages: dict[str, list[str]] = defaultdict(list)
    for row in read_rows(source / "villages.csv"):
        if pad(row["streetCode"]) not in rows:
            raise ValueError(f"village {row['code']} has no town")
        enclosing = tuple(rows[pad(row[key])][2] if pad(row[key]) in rows else "" for key in ("provinceCode", "cityCode", "areaCode", "streetCode"))
        villages[village_name(row["name"], enclosing)].append(row["code"])
    orphans = [code for code, *_, parent in rows.values() if parent and parent not in rows]
    if orphans:
        raise ValueError(f"divisions without a parent: {orphans[:5]}")
    return sorted(rows.values()), villages


def script_variants(names: set[str]) -> dict[str, str]:
    """Official names the pipeline's Simplified-script conversion rewrites (鮜门镇 → 鲘门镇):
    the rewritten form → the official name."""
    variants = {to_simplified(name): name for name in names}
    return {variant: name for variant, name in variants.items() if variant != name and variant not in names}


def write_divisions(rows: list[tuple[str, str, str, str]], villages: dict[str, list[str]], path: Path) -> None:
    variants = script_variants({name for _, _, name, _ in rows} | set(villages))
    lines = [
        "# NBS 2023 statistical divisions (china-division 2.7.0), 12-digit codes; format: kg.divisions",
        DIVISIONS_HEADER,
        *("\t".join((*row, ",".join(short_forms(row[2], row[1])))) for row in rows),
        VARIANTS_HEADER,
        *(f"{variant}\t{name}" for variant, name in sorted(variants.items())),
        VILLAGES_HEADER,
        *(f"{name}\t{' '.join(sorted(codes))}" for name, codes in sorted(villages.items())),
    ]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0))


def jieba_dictionary() -> dict[str, tuple[int, str]]:
    """jieba's main dictionary: word → (frequency, part of speech)."""
    path = Path(jieba.__file__).parent / "dict.txt"
    entries = {}
    for line in path.read_text("utf-8").splitlines():
        word, frequency, tag = line.split(" ")
        entries[word] = (int(frequency), tag)
    return entries


def place_words(rows: list[tuple[str, str, str, str]], villages: dict[str, list[str]]) -> list[tuple[str, int, str, str]]:
    """(word, frequency, part of speech, kind) for division names that are ordinary words
    (kind ``common``), rivers of two or three characters and peninsulas and straits (``feature``),
    and frequent two-character words (``word``)."""
    dictionary = jieba_dictionary()
    names = {name for _, _, name, _ in rows} | set(villages)
    forms = names | {short for _, level, name, _ in rows for short in short_forms(name, level)}
    common = [(form, *dictionary[form], "common") for form in sorted(forms)
              if form in dictionary and dictionary[form][0] >= MIN_COMMON_FREQUENCY]
    features = [(word, frequency, tag, "feature") for word, (frequency, tag) in sorted(dictionary.items())
                if tag == "ns" and word not in names and (
                    (len(word) in (2, 3) and word[-1] in "江河") or (len(word) > 3 and word.endswith(("半岛", "海峡"))))]
    frequent = [(word, frequency, tag, "word") for word, (frequency, tag) in sorted(dictionary.items())
                if len(word) == 2 and frequency >= MIN_FREQUENT_WORD]
    return common + features + frequent


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    rows, villages = compile_divisions(source)
    write_divisions(rows, villages, OUTPUT_DIR / "divisions.tsv.gz")
    words = place_words(rows, villages)
    (OUTPUT_DIR / "place_words.tsv").write_text(
        "word\tjieba_frequency\tpart_of_speech\tkind\n" + "".join("\t".join(map(str, w)) + "\n" for w in words),
        "utf-8")
    print(f"{len(rows)} divisions above village level, {sum(map(len, villages.values()))} villages "
          f"({len(villages)} names), {len(words)} place words")


if __name__ == "__main__":
    main()
