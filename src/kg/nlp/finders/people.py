"""People: names after a title, a role, an age or a byline cue, before a speech cue, or
followed by a comma and their post (方立新,清远碧溪文旅发展有限公司总经理).

A name is a surname of the list and one or two given characters; a cue inside a place name
(文福镇长隆村 holds 镇长) is no cue, and a name that would cross a place name is no name.
"""

from __future__ import annotations

import re
from typing import Iterable

from kg.resources import phrasing, word_list

from ..charner import KNOWN_WORD, get_jieba_lexicon
from ..lexicon import BOUNDARY_WORDS, BYLINE_BARE_CUES, BYLINE_CUE, BYLINE_FIELDS, FUNCTION_CHARS, PERSON_ROLES, SPEECH_CUES, TITLES, byline_label, common_words, stop_verbs, surnames
from . import COMMON_SURNAME_PPM, NOT_IN_GIVEN_NAMES, Candidate, Context, ends_boundary, finder, is_cjk, rule_regex, words

CLAUSE_ENDINGS = word_list("clause_endings")
"""Last characters that make a would-be name a place word or a pronoun (蹲在田埂上说, 由他说)."""
BODY_GLUE = frozenset(word_list("listed_body_endings")) & frozenset(NOT_IN_GIVEN_NAMES)
"""Body endings no given name holds (办, 部): a would-be listed name glued to one is the start of
a body's name (副院长宋某、党建办主任科员赖某 lists 党建办, not a 党建)."""
NOT_PEN_NAME_ENDINGS = tuple(word_list("listed_body_endings") + word_list("outlet_endings"))
"""How bodies and outlets end (…办, …报, …网): no byline field's value that ends so is a person."""
ASPECT_MARKS = ("了", "着", "过")
"""Marks after a verb: a would-be second given character followed by one is the verb (陈某站了)."""
NOT_PEN_NAMES = frozenset(word_list("not_pen_names"))
"""Byline values that name nobody (佚名, 网络)."""
NAME_STOPS = TITLES + SPEECH_CUES + PERSON_ROLES
"""Words a given name stops before (李明书记, 张华说)."""


SET_PHRASE_LENGTH = 4
"""Length of the set phrases (齐抓共管) a name after a title may not be the head of."""


def read_name(text: str, i: int, min_ppm: float = 0.5, strict: bool = True) -> int:
    """Length of a personal name starting at ``i`` (0 if none): surname and one or two given chars.

    A second given character is taken unless it starts a title or a cue word, or cannot be in a
    name; compound surnames (欧阳, 司徒) are tried first. With ``strict``, a name may not start
    with a frequent word (党员干部 is no 干部…).
    """
    if strict and (text[i : i + 2] in common_words() or text[i : i + 2] in stop_verbs() or text[i] in FUNCTION_CHARS):
        return 0
    table = surnames()
    for surname_length in (2, 1):
        surname = text[i : i + surname_length]
        if len(surname) != surname_length or surname not in table or table[surname] < (0.0 if surname_length == 2 else min_ppm):
            continue
        given = _given_length(text, i + surname_length)
        if given:
            return surname_length + given
    return 0


def _given_length(text: str, j: int) -> int:
    """How many characters (at most two) of a given name start at ``j``: a second one is none
    where a word that ends no name starts (see ``_verb_starts``), or a verb with its aspect mark
    (陈某站了出来)."""
    given = 0
    while given < 2 and j + given < len(text):
        char = text[j + given]
        if not is_cjk(char) or char in NOT_IN_GIVEN_NAMES or text.startswith(NAME_STOPS, j + given) \
                or (given == 1 and (_verb_starts(text, j + given) or text.startswith(ASPECT_MARKS, j + given + 1))):
            break
        given += 1
    return given


def _verb_starts(text: str, k: int) -> bool:
    """Whether a word that ends no name starts at ``k``: a boundary word (嵇文深入某镇), a verb
    (李伟打开大门), unless its second character is a cue after a name (关志成说: 说 is the cue), or
    a visit to a place by its short form (李某来梅调研)."""
    word = text[k : k + 2]
    return word in BOUNDARY_WORDS or (word in stop_verbs() and not text.startswith(NAME_STOPS, k + 1)) or bool(phrasing("comes_to_visit").match(text, k))


def names_in_list(text: str, i: int, separators: str, strict: bool = True, min_ppm: float = 0.5,
                  padded: bool = False) -> Iterable[tuple[int, int]]:
    """Names at ``i`` and after each following separator (陈志刚、黄丽娟、梁国华); with ``padded``
    also two-character names padded with a space (李 空), as bylines align them."""
    while i < len(text):
        if text.startswith(BYLINE_FIELDS, i):
            return  # 作者:苏婉婷 来源:…: the next field, not a name
        padding = padded and phrasing("padded_name").match(text, i) and surnames().get(text[i], 0.0) >= min_ppm
        length = 3 if padding else _before_the_next_field(text, i, read_name(text, i, min_ppm=min_ppm, strict=strict))
        if not length or _glued_to_a_body(text, i + length):
            return
        yield i, i + length
        i += length
        if i < len(text) and text[i] in separators:
            i += 1
        else:
            return


def _before_the_next_field(text: str, start: int, length: int) -> int:
    """The length of a name that stops where the next byline field starts (记者周某通讯员湛某:
    周某, not 周某通)."""
    return next((k for k in range(2, length) if text.startswith(BYLINE_FIELDS, start + k)), length)


def _pen_name(name: str) -> bool:
    """Whether a byline field's whole value can be a name: no ordinary word, no body or outlet
    (编辑:办公室, 来源:本报)."""
    return name not in common_words() and name not in NOT_PEN_NAMES and not name.endswith(NOT_PEN_NAME_ENDINGS)


def _glued_to_a_body(text: str, end: int) -> bool:
    """Whether a body ending no given name holds follows, and starts no word (部署, 办理, 部长)."""
    return text[end : end + 1] in BODY_GLUE and text[end : end + 2] not in common_words()


def reads_as_clause(name: str, after_cue: bool = False) -> bool:
    """Whether a would-be name is rather a place word, a village the division list lacks (石桥村),
    a pronoun or (after a rare surname) a verb: 蹲在田埂上说, 由他说, 农技员正弯腰 name nobody;
    张建设 stays a name, and so does a full name after a title that ends like a place word (书记黄某中)."""
    given = name[1:]
    rare = surnames().get(name[0], 0.0) < COMMON_SURNAME_PPM
    place_word = (name.endswith(CLAUSE_ENDINGS) and not (after_cue and len(name) == 3)) or bool(phrasing("level_ending").search(name))
    return place_word or (rare and (given in stop_verbs() or given[-2:] in stop_verbs()))


def outside_places(context: Context, found: list[Candidate]) -> list[Candidate]:
    """The names that neither cross a place name nor start inside one."""
    return [c for c in found if c.start not in context.in_place
            and not any(c.start < e and s < c.end and not (s <= c.start and c.end <= e) for s, e in context.places)]


@finder("names_after_byline")
def names_after_byline(context: Context, rules: list[dict]) -> list[Candidate]:
    """The people listed after a byline cue (文/陈某; 记者 张某、李某; 全媒体记者卜某, a cue of the
    rule's ``glued_cues`` glued to the name, which must then read as a name strictly)."""
    found = []
    for rule in rules:
        glued = words(rule["glued_cues"])
        for match in BYLINE_CUE.finditer(context.text):
            sticks = not match["gap"] and byline_label(match) in glued and is_cjk(context.text[match.end() : match.end() + 1] or " ")
            if match["separator"] or (match["gap"] and byline_label(match) in BYLINE_BARE_CUES) or sticks:
                listed = list(names_in_list(context.text, match.end(), rule["separators"], strict=sticks, padded=True))
                whole = None if listed else _whole_value(context.text, match)
                found += [Candidate(s, e, rule["label"], rule["rule"]) for s, e in (listed or ([whole] if whole else []))]
    return outside_places(context, found)


def _whole_value(text: str, cue: re.Match) -> tuple[int, int] | None:
    """The span of a byline field's whole value when it is a name of no known surname: a pen name
    after a separator (编辑:凰仪), or a name of three or four characters after a bare cue and a space
    (记者 格桑曲珍; but 通讯员 增宣 names an office)."""
    spaced = cue["gap"] and byline_label(cue) in BYLINE_BARE_CUES
    whole = phrasing("name_alone_on_its_line").match(text, cue.end()) if cue["separator"] or spaced else None
    if whole and (cue["separator"] or len(whole["name"]) > 2) and _pen_name(whole["name"]):
        return whole.span("name")
    return None


@finder("whole_names")
def whole_names(context: Context, rules: list[dict]) -> list[Candidate]:
    """The names of a regex's group ``names`` (split at spaces), if each reads as a name from end
    to end: a line of names under the headline (陆某某 潘某), a photo credit (黄某某 摄), the one
    appointed (任命王某为…)."""
    found = []
    for rule in rules:
        for match in rule_regex(rule["pattern"]).finditer(context.text):
            names = [(match.start("names") + m.start(), match.start("names") + m.end()) for m in re.finditer(r"\S+", match["names"])]
            if all(read_name(context.text[:e], s) == e - s for s, e in names):
                found += [Candidate(s, e, rule["label"], rule["rule"]) for s, e in names]
    return found


@finder("names_after_cue")
def names_after_cue(context: Context, rules: list[dict]) -> list[Candidate]:
    """Names listed after a title, a role, an age or a group label (副镇长张某; 村民李某; 65岁的王某;
    县领导王某、李某): one alternation of every rule's cue, in rule order; after a role only a
    common surname starts a name; a rule's ``min_names`` is how many names its cue needs, and
    ``cue_after_place`` lets its cue share a character with the place before it (武平县领导), and
    ``padding`` names the spaces that may stand between a cue and its names (总经理 潘某:)."""
    text = context.text
    cue = re.compile("|".join(f"(?P<r{n}>{rule_regex(rule['cue']).pattern})" for n, rule in enumerate(rules)))
    found = []
    for match in cue.finditer(text):
        rule = rules[int(match.lastgroup[1:])]
        inside_a_word = match.start() in context.in_place or match.end() - 1 in context.in_place or _word_across(text, match.start())
        if inside_a_word and not rule.get("cue_after_place"):
            continue  # 文福镇长隆村 holds no 镇长, 乡村民宿 no 村民 (but 武平县领导王某 lists leaders)
        padded = match.end() < len(text) and text[match.end()] in rule.get("padding", "")
        listed = _names_after(text, match.end() + padded, rule)
        if len(listed) >= rule.get("min_names", 1):
            found += [Candidate(start, end, rule["label"], rule["rule"]) for start, end in listed]
    return outside_places(context, found)


def _names_after(text: str, names_start: int, rule: dict) -> list[tuple[int, int]]:
    """The names listed from ``names_start`` on, or the one name that fills a title's slot; none
    that reads as a clause or is 任 before a title (县长任双组长: the verb)."""
    listed = list(names_in_list(text, names_start, rule["separators"], min_ppm=rule["min_surname_ppm"]))
    if not listed and rule.get("slot") and (length := name_in_slot(text, names_start)):
        listed = [(names_start, names_start + length)]  # 校长翦鹰,: a rare surname, known by the slot it fills
    return [(s, e) for s, e in listed if not reads_as_clause(text[s:e], after_cue=True) and not phrasing("takes_a_post").match(text, s)
            and not begins_a_set_phrase(text, s, e)]


def begins_a_set_phrase(text: str, start: int, end: int) -> bool:
    """Whether a would-be name is the head of a four-character set phrase of the dictionary that
    goes on past it (各级书记齐抓共管: no 齐抓共; 县长高度重视: no 高度重)."""
    phrase = text[start : start + SET_PHRASE_LENGTH]
    return len(phrase) == SET_PHRASE_LENGTH > end - start and get_jieba_lexicon().word_classes.get(phrase) == KNOWN_WORD


def _word_across(text: str, start: int) -> bool:
    """Whether a common word spans the start of a cue (乡村民宿 holds no 村民), unless it is one
    character doubled: a body's ending before its head's title (规划处处长, 一组组长)."""
    return text[start - 1 : start + 1] in common_words() and text[start - 1] != text[start]


def name_in_slot(text: str, i: int) -> int:
    """Length of a name of two or three characters that fills the slot after a title up to where
    the slot ends (phrasing ``slot_end``: 县委党校校长翦鹰,县委常委…), even when its surname is
    missing from the table, or is a surname that is also a function word (县委书记都某某,县长…);
    0 if the slot holds a word, a title or anything but Chinese characters."""
    for length in (2, 3):
        token = text[i : i + length]
        surname_ok = token[:1] in surnames() or token[:1] not in NOT_IN_GIVEN_NAMES
        if (len(token) == length and is_cjk(token[:1]) and surname_ok and all(is_cjk(c) and c not in NOT_IN_GIVEN_NAMES for c in token[1:])
                and phrasing("slot_end").match(text, i + length) and token[:2] not in common_words()
                and token[:2] not in stop_verbs() and not token.startswith(NAME_STOPS)):
            return length
    return 0


@finder("credited_names")
def credited_names(context: Context, rules: list[dict]) -> list[Candidate]:
    """Reporters credited in parentheses after a dateline or at a paragraph's end (phrasing
    ``credit_in_parens``: 梅州9月3日电(某某), …。(某某 某某)), when every word of the group reads as
    a name from end to end and none ends like an outlet (the rule's ``not_ending``: (新华社))."""
    text = context.text
    found = []
    for rule in rules:
        not_ending = words(rule["not_ending"])
        for match in phrasing("credit_in_parens").finditer(text):
            offset = match.start("names")
            names = [(offset + m.start(), offset + m.end()) for m in _CREDITED_WORD.finditer(match["names"])]
            if all(_reads_as_credited(text, s, e) and not text[s:e].endswith(not_ending) for s, e in names):
                found += [Candidate(s, e, rule["label"], rule["rule"]) for s, e in names]
    return outside_places(context, found)


@finder("name_then_post")
def name_then_post(context: Context, rules: list[dict]) -> list[Candidate]:
    """A name opening a clause, then a comma and a post ending in a title (方立新,清远碧溪文旅发展有限公司总经理)."""
    text = context.text
    found = []
    for rule in rules:
        titles, post = words(rule["titles"]), rule_regex(rule["post"])
        for match in rule_regex(rule["clause_start"]).finditer(text):
            start = match.end()
            length = read_name(text, start) if start < len(text) else 0
            posted = post.match(text, start + length + 1) if length and text[start + length : start + length + 1] in ",，" else None
            title = next((t for t in titles if posted and posted.group(0).endswith(t) and len(posted.group(0)) > len(t) + 1), None)
            if title and not reads_as_clause(text[start : start + length]):
                found.append(Candidate(start, start + length, rule["label"], rule["rule"]))
    return outside_places(context, found)


@finder("name_before_cue")
def name_before_cue(context: Context, rules: list[dict]) -> list[Candidate]:
    """A name right before a speech cue (张某说, 李某表示); four characters only with a compound surname;
    a one-character cue that begins a common word is none (荣誉称号, 这说明)."""
    text = context.text
    found = []
    for rule in rules:
        for match in re.finditer("(?=(?:" + rule_regex(rule["cue"]).pattern + "))", text):
            word = text[match.start() : match.start() + 2]
            if word in common_words() and word not in SPEECH_CUES:
                continue
            name = _name_ending_at(text, match.start(), rule["lengths"])
            if name is not None and not reads_as_clause(text[name:match.start()]):
                found.append(Candidate(name, match.start(), rule["label"], rule["rule"]))
    return outside_places(context, found)


_CREDITED_WORD = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff][ 　][\u4e00-\u9fff](?![\u4e00-\u9fff])|[\u4e00-\u9fff]+")
"""A word of a credit: a name, or a two-character name padded with a space (李 军)."""


def _reads_as_credited(text: str, start: int, end: int) -> bool:
    """Whether a credited word reads as a name from end to end (a padded one by its surname)."""
    if phrasing("padded_name").fullmatch(text, start, end):
        return surnames().get(text[start], 0.0) > 0
    return read_name(text, start) == end - start


def _name_ending_at(text: str, cue_at: int, lengths: list[int]) -> int | None:
    """Where the longest name ending at ``cue_at`` starts, if a boundary comes before it
    (有关工作要求: 关 belongs to 有关) and no count (300余人参加)."""
    for length in lengths:
        start = cue_at - length
        if start >= 0 and read_name(text, start) == length and (start == 0 or not is_cjk(text[start - 1]) or ends_boundary(text, start)) \
                and text[start - 1 : start + 1] not in common_words() and not phrasing("count_digit").fullmatch(text, start - 1, start):
            return start
    return None
