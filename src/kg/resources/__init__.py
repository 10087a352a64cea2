"""The extractor's hand-written knowledge, kept as package data rather than code.

- ``lexicon/*.txt``: word lists, one word a line (``#`` starts a comment line);
- ``lexicon/*.tsv``: word tables, tab-separated columns;
- ``predicates.toml``: one table per relation predicate (IRI, types, labels, scorer threshold, colour);
- ``entity_rules.jsonl`` and ``relation_patterns.jsonl``: the rules of the entity ruler and the
  relation extractor, one JSON object a line, each with an example and a counter-example;
- ``phrasings.toml``: the named phrasings the few rule procedures read.

Every module of the chain (ingest, nlp, rdf, network, evaluate) reads these files through this
module, so each word list and each fact about a predicate exists once. A hash over this folder
covers everything the rules know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

RESOURCES = Path(__file__).resolve().parent
LEXICON = RESOURCES / "lexicon"


def data_lines(path: Path) -> list[str]:
    """The lines of a resource file without blank lines and ``#`` comment lines, stripped."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@lru_cache(maxsize=None)
def word_list(name: str, folder: Path = LEXICON) -> tuple[str, ...]:
    """The words of ``lexicon/<name>.txt``, in file order."""
    return tuple(data_lines(folder / f"{name}.txt"))


def longest_first(words: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``words`` longest first (stable), so that 副镇长 is tried before 镇长."""
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=None)
def word_rows(name: str, folder: Path = LEXICON) -> tuple[tuple[str, ...], ...]:
    """The rows of ``lexicon/<name>.tsv``: tab-separated columns."""
    return tuple(tuple(line.split("\t")) for line in data_lines(folder / f"{name}.tsv"))


def word_table(name: str, folder: Path = LEXICON) -> dict[str, str]:
    """``lexicon/<name>.tsv`` as a mapping of its first column to its second."""
    return {row[0]: row[1] for row in word_rows(name, folder)}


ARTICLE = "ARTICLE"
"""The object type of a relation about the article itself (author, editor)."""


@dataclass(frozen=True)
class Predicate:
    """One relation predicate, as ``predicates.toml`` describes it."""

    name: str
    iri: str
    subject: tuple[str, ...]
    object: tuple[str, ...]
    label_zh: str
    label_en: str
    colour: str
    threshold: float | None = None
    """The relation scorer's decision threshold; ``None`` for predicates it does not score."""
    article_first: bool = False

    @property
    def between_entities(self) -> bool:
        """Whether both ends are entities (not the article)."""
        return ARTICLE not in self.object


@lru_cache(maxsize=None)
def predicates(path: Path = RESOURCES / "predicates.toml") -> dict[str, Predicate]:
    """The predicate table, in file order, by name."""
    with path.open("rb") as handle:
        table = tomllib.load(handle)
    return {
        name: Predicate(name=name, **{key: tuple(value) if isinstance(value, list) else value for key, value in row.items()})
        for name, row in table.items()
    }


_SLOT = re.compile(r"@(?:\{([a-z_]+)\}|([a-z_]+))")


def expand_word_lists(template: str, folder: Path = LEXICON) -> str:
    """A regex with each ``@name`` replaced by the alternation of the word list ``name``
    (longest first, escaped): ``(?:@issue_verbs)了?`` → ``(?:(?:审议通过|印发|…))了?``; and
    each ``@{name}`` by the characters of a list of single characters, for use inside ``[…]``
    (``[@{numerals}]``)."""

    def fill(match: re.Match) -> str:
        if match.group(1):
            return re.escape("".join(word_list(match.group(1), folder)))
        return "(?:" + "|".join(map(re.escape, longest_first(word_list(match.group(2), folder)))) + ")"

    return _SLOT.sub(fill, template)


@lru_cache(maxsize=None)
def phrasings(path: Path = RESOURCES / "phrasings.toml") -> dict[str, dict]:
    """The named phrasings of ``phrasings.toml``: ``{name: {"regex": …, "about": …}}``."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=None)
def phrasing(name: str) -> re.Pattern:
    """The compiled regex of the phrasing ``name``, its word-list slots filled in."""
    return re.compile(expand_word_lists(phrasings()[name]["regex"]))


@lru_cache(maxsize=None)
def phrasing_list(name: str) -> tuple[re.Pattern, ...]:
    """The compiled regexes of a phrasing that holds several (``regexes = […]``)."""
    return tuple(re.compile(expand_word_lists(regex)) for regex in phrasings()[name]["regexes"])
