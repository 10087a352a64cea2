"""Word lists that describe the genre's structure (never names of particular entities).

Titles, organisation suffixes, programme suffixes and cue words are how county
news writes about people, bodies and campaigns. The lists themselves are files in
``kg/resources/lexicon/`` (one word a line); this module reads them once, in the
order the rules need (longest first where a shorter word is a prefix of a longer one).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg.resources import longest_first, word_list, word_rows, word_table

DATA = Path(__file__).resolve().parents[1] / "data"

TITLES = longest_first(word_list("titles"))
"""Posts, longest first so that 副镇长 wins over 镇长."""

PERSON_ROLES = longest_first(word_list("person_roles"))
"""Words that introduce an ordinary person by what they are, not by a post."""

BYLINE_LABELS = {row[0]: row[1] for row in word_rows("byline_labels")}
"""Byline label → what the value after it names (author, editor, publisher, date, other)."""
BYLINE_AUTHOR_CUES = tuple(label for label, role in BYLINE_LABELS.items() if role == "author")
BYLINE_EDITOR_CUES = tuple(label for label, role in BYLINE_LABELS.items() if role == "editor")
BYLINE_BARE_CUES = tuple(row[0] for row in word_rows("byline_labels") if row[2:] in (("bare",), ("spaced",)))
"""Byline cues that may stand right before a name without a colon or slash (记者 何思琪, 作者 钟某)."""
BYLINE_SEPARATED_CUES = tuple(row[0] for row in word_rows("byline_labels") if row[2:] == ("separator",))
"""Byline cues that are cues only before a slash or colon (文/陈某, not 文化)."""
BYLINE_FIELDS = tuple(label for label in BYLINE_LABELS if len(label) >= 2)
"""Words that start the next field of a byline line."""
BYLINE_CUE = re.compile(
    "(?P<cue>" + "|".join("[ 　]?".join(map(re.escape, cue)) for cue in longest_first(BYLINE_AUTHOR_CUES + BYLINE_EDITOR_CUES))
    + r")(?P<gap>[ \t　]*(?P<separator>[/／:：|｜])?[ \t　]*)"
)
"""A byline cue and the separator after it (文/, 记者:, 责任编辑 ); the one pattern for bylines in the
text. Pages pad a label's characters with spaces to align them (记 者:), so a space may stand
between them; ``byline_label`` reads the label without it."""


def byline_label(cue: re.Match) -> str:
    """The label a match of ``BYLINE_CUE`` found, without the spaces that pad it (记 者 → 记者)."""
    return re.sub("[ 　]", "", cue["cue"])

SPEECH_CUES = longest_first(word_list("speech_cues"))
"""Words that often follow a person's name."""

ORG_SUFFIXES_ANCHORED = longest_first(word_list("org_suffixes_anchored"))
"""Suffixes that make an organisation only after a place or a level word (市委, 怀集县农业农村局)."""

ORG_SUFFIXES_FREE = longest_first(word_list("org_suffixes_free"))
"""Suffixes that make an organisation on their own (绿峰茶业有限公司)."""

BRANCH_SUFFIXES = word_list("branch_suffixes")
"""Suffixes of a branch, whose full name begins with its parent's (某银行某支行)."""

STANDALONE_DEPARTMENTS = word_list("standalone_departments")
"""Party departments a chain of posts names without their committee (市委常委、宣传部部长)."""

LEVEL_WORDS = word_list("level_words")
"""Level words that stand for the article's own place in short names: 市委, 县农业农村局."""

PLACE_RANKS = {level: int(rank) for level, rank in word_table("place_ranks").items()}
"""How local a place is by its level character (省 0 … 村 4)."""
LEVEL_TITLES = word_table("level_titles")
"""Titles that name the level of the place they are held in (副镇长 → a 镇)."""

PROGRAMME_SUFFIXES = longest_first(word_list("programme_suffixes_quoted"))
"""Endings of quoted programme names (“百千万工程”)."""

CAMPAIGN_FOLLOWERS = word_list("campaign_followers")
"""Words after a quoted name that make the quoted name a campaign (“绿美怀集”行动)."""

SLOGAN_MODIFIERS = word_list("slogan_modifiers")
"""Quoted phrases starting with these are slogans, not programmes (“头号工程”)."""
SET_PHRASES = frozenset(word_list("set_phrases"))
"""Quoted terms that are never a programme's name (“三农”工作)."""
LOCAL_REFERENCES = word_table("local_references")
"""Word → the level character of the place it stands for (镇里 → 镇, 我县 → 县): words for a
place named elsewhere, which begin no programme's name."""

PLACE_CLASSES = frozenset(word_list("place_classes"))
"""中心镇, 典型村 …: kinds of towns and villages, which the general vocabulary may tag as places."""

PUBLICATION_SUFFIXES = word_list("publication_suffixes")
"""《》 titles ending so are publications, not documents."""

IMPLEMENT_VERBS = word_list("implement_verbs")
"""Verbs by which a place or body takes part in a programme (关于 implements)."""

MEDIA_ENDINGS = word_list("media_endings")
"""Endings of outlets, which report on programmes and never carry them out."""

ISSUE_VERBS = word_list("issue_verbs")
"""Verbs by which a body issues a document."""

PROJECT_ENDINGS = tuple(word_list("project_endings"))
"""Endings of a project's name (项目, 工程)."""

PROGRAMME_BARE_ENDINGS = word_list("programme_suffixes_bare")
"""Endings that make an unquoted programme name on their own (…示范带, …产业园, …项目)."""
PROGRAMME_PLACED_ENDINGS = word_list("programme_suffixes_placed")
"""Endings that make a programme name after a place (…工程, …基地)."""

INSPECTION_VERBS = frozenset(word_list("inspection_verbs"))
"""Verbs of looking at a programme (察看, 调研), not carrying it out; no programme's name holds one."""

STRONG_VERBS = frozenset(set(IMPLEMENT_VERBS + ISSUE_VERBS + word_list("strong_verbs")) - set(word_list("verbs_inside_names")))
"""Verbs that never sit inside a name: a name's left edge never crosses one."""

DEPARTMENT_CORES = word_list("department_cores")
"""Department names that contain 和, which otherwise ends a name (县住房和城乡建设局)."""

DOCUMENT_ENDINGS = word_list("document_endings")
"""Endings of document titles: what a document's issuer issues and a short reference (《方案》) names."""

LAW_ENDINGS = word_list("law_endings")
"""Endings of laws and standing rules (宪法, …条例, …工作规则)."""
NOT_LAW_ENDINGS = word_list("not_law_endings")
"""Endings in 法 of policies and methods, not laws (…办法, …工作法)."""

FUNCTION_CHARS = frozenset(word_list("function_chars"))
"""Characters that are surnames on paper but far more often function words: no name starts with one after a speech cue."""

BOUNDARY_WORDS = frozenset(word_list("boundary_words"))
"""Words an organisation or programme name does not start with: where a name's left edge stops."""


def bare_title(name: str) -> str:
    """A title without its closing bracket: 行动方案(2024—2026年) → 行动方案."""
    return re.sub(r"[(（][^()（）]*[)）]$", "", name)


def is_document(name: str) -> bool:
    """Whether a programme name is a document title (方案, 意见 …, before any (2024—2026年))."""
    return bare_title(name).endswith(DOCUMENT_ENDINGS)


def is_law(name: str) -> bool:
    """Whether a programme name is a law or a standing rule (宪法, …条例, …工作规则): cited as a
    basis, never carried out (but 《…奖补办法》 is a policy of its own)."""
    title = bare_title(name)
    return title.endswith(LAW_ENDINGS) and not title.endswith(NOT_LAW_ENDINGS)


@lru_cache(maxsize=1)
def surnames() -> dict[str, float]:
    """Chinese surnames (single and compound) with their frequency in parts per million."""
    rows = (line.split("\t") for line in (DATA / "surnames.tsv").read_text(encoding="utf-8").splitlines())
    return {name: float(ppm) for name, ppm in rows}


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, frozenset[str]]:
    """The word lists compiled from jieba's dictionary by scripts/build_words.py."""
    lists: dict[str, set[str]] = {"stop": set(), "common": set(), "place": set()}
    for line in (DATA / "words.tsv").read_text(encoding="utf-8").splitlines():
        word, kind = line.split("\t")
        lists[kind].add(word)
    return {kind: frozenset(words) for kind, words in lists.items()}


def stop_verbs() -> frozenset[str]:
    """Common two- and three-character verbs and function words: where a name's left edge stops."""
    return _word_lists()["stop"]


def common_words() -> frozenset[str]:
    """Frequent two-character words that are not names (干部, 任务): a name does not start with one."""
    return _word_lists()["common"]


def place_words() -> frozenset[str]:
    """Words of the general vocabulary that name places (美国, 珠江): a check on the statistical NER."""
    return _word_lists()["place"]
