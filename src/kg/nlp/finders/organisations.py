"""Organisations by suffix: a suffix preceded by a place (怀集县农业农村局), a level word (市委,
县林业局) or, for suffixes that make a body on their own, a name (绿峰茶业有限公司).

Where such a name begins is found by walking left from the suffix (``left_edge``): a run of
places or quoted names anchors it, else a verb, a function word or punctuation stops it. The
same walk finds where a programme name with a structural ending begins (``programmes``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.resources import phrasing, phrasing_list, word_list

from ..lexicon import BOUNDARY_WORDS, BRANCH_SUFFIXES, DEPARTMENT_CORES, ORG_SUFFIXES_ANCHORED, ORG_SUFFIXES_FREE, PLACE_RANKS, STRONG_VERBS, TITLES, common_words, stop_verbs
from ..charner import get_jieba_lexicon
from . import QUOTE_CLOSINGS, QUOTE_OPENINGS, Candidate, Context, ends_boundary, finder, is_cjk, rule_regex, words
from ..text import ends_with

HARD_STOPS = frozenset(word_list("hard_stops"))
"""Characters where the left edge of a name stops."""
WORDS_WITH_STOPS = frozenset(word_list("words_with_stops"))
"""Words in names that begin with a character that otherwise ends a name (和美乡村)."""
DEPARTMENT_SUFFIXES = word_list("department_suffixes")
"""Suffixes that take a department name between the level word and themselves (县林业局)."""
CENTRE_SUFFIXES = word_list("centre_suffixes")
CENTRE_MODIFIERS = word_list("centre_modifiers")
CENTRE_FOLLOWERS = word_list("centre_followers")
COMMITTEE_SUFFIXES = word_list("committee_suffixes")
SHORT_NAME_LEVELS = "".join(word_list("short_name_levels"))
MAX_BODY_MIDDLE = 10
_SUFFIXES_BY_FIRST_CHAR = {char: [s for s in ORG_SUFFIXES_ANCHORED + ORG_SUFFIXES_FREE if s[0] == char]
                           for char in {s[0] for s in ORG_SUFFIXES_ANCHORED + ORG_SUFFIXES_FREE}}
"""Bodies' suffixes by their first character: where a longer suffix starts inside a shorter one's end."""
BULLETS = "■□●○◆◇▲△★☆▶►◎※"
"""Layout marks that open a line of a page (■本报记者 …), never part of a name."""
BUSINESS_VERBS = frozenset(word_list("business_verbs"))
"""Verbs a company's name holds for its line of business (柚子种植有限公司)."""
"""Name characters a body's name may hold between its place and its suffix."""
MAX_DEPARTMENT_MIDDLE = 12
"""Name characters between a level word and a department suffix (县住房和城乡建设局)."""
VERB_LENGTHS = (1, 2, 3, 4)
MAX_SENDER = 8
"""Characters of a sender's name before 驻 in a stationed team's name (省财政厅驻…工作队)."""
MAX_PARTY_NAME = 10
"""Characters of the longest party name written before a committee's (中国国民党革命委员会某市委)."""
MAX_STATIONED = 4
"""Characters of the longest word joining a sender to where it is stationed (对口帮扶)."""
YEAR_REACH = 8
"""How far back from a position a year inside a name (2023年度) is looked for."""
BRACKET_REACH = 6
"""Length of the longest bracketed word inside a name, brackets included."""


def left_edge(text: str, suffix_start: int, anchors: dict[int, tuple[int, bool]], max_middle: int,
              verbs: frozenset[str] = STRONG_VERBS, anchor_verbs: frozenset[str] = STRONG_VERBS) -> tuple[int, bool]:
    """Where a name ending in a suffix at ``suffix_start`` begins, and whether a place anchors it.

    First looks for a run of anchors (places, quoted names) ending within ``max_middle`` name
    characters; without a place among them, walks left until one of ``verbs``, a function word
    or punctuation stops it (organisation names stop at any verb; programme names hold verbs
    such as 改造, 提升, so they stop only at the strong ones). The search for an anchor stops at
    ``anchor_verbs``.
    """
    i = suffix_start
    while i > 0 and suffix_start - i <= max_middle:
        year = ends_with(phrasing("year_in_name"), text, i, YEAR_REACH)
        if year and year.start() in anchors:  # 平远县2023年中央财政补助项目: the place before the year anchors it
            i = year.start()
        if i in anchors:
            start, has_place = _run_of_anchors(text, i, anchors)
            return (start, True) if has_place else (walk_left(text, start, max_middle, verbs), False)
        if _name_goes_on_left(text, i):
            i -= 1
            continue
        if bracketed := _bracketed_before(text, i):
            i = bracketed
            continue
        if not is_cjk(text[i - 1]) or text[i - 1] in HARD_STOPS or any(text[max(0, i - n) : i] in anchor_verbs for n in VERB_LENGTHS):
            break
        i -= 1
    return walk_left(text, suffix_start, max_middle, verbs), False


def _name_goes_on_left(text: str, i: int) -> bool:
    """人力资源和社会保障局, 和美乡村: a 和 or 与 that a department name or a word holds."""
    in_department = phrasing("and_in_names").fullmatch(text, i - 1, i) is not None and inside_department_name(text, i - 1)
    return in_department or text[i - 1 : i + 1] in WORDS_WITH_STOPS


def _run_of_anchors(text: str, end: int, anchors: dict[int, tuple[int, bool]]) -> tuple[int, bool]:
    """The start of the run of anchors ending at ``end`` (across 驻 and 委: 顺德区驻新兴县…,
    揭阳市委“百千万工程”指挥部), and whether a place is among them; a town before a city is no
    part of the city's name (在雁洋镇梅州市华发…项目)."""
    start, has_place = end, False
    while start in anchors or (start - 1 in anchors and phrasing("joins_anchors").fullmatch(text, start - 1, start)):
        end = start if start in anchors else start - 1
        if has_place and anchors[end][1] and place_rank(text[anchors[end][0] : end]) > place_rank(text[start:]):
            break
        start, is_place = anchors[end]
        has_place |= is_place
    return start, has_place


def place_rank(name_or_text: str) -> int:
    """How local a place name is, from its level ending (省 0 … 村 4; unknown endings count as 2).
    Given text that starts with a place, the place is read up to its first level character."""
    return next((PLACE_RANKS[char] for char in name_or_text[:12] if char in PLACE_RANKS), 2)


def inside_department_name(text: str, position: int) -> bool:
    """Whether the 和/与 at ``position`` belongs to a department name (发展和改革局, 海洋与渔业局)."""
    return any(text.startswith(core, position - k) for core in DEPARTMENT_CORES for k in range(len(core)) if core[k] == text[position])


def walk_left(text: str, position: int, max_middle: int, verbs: frozenset[str]) -> int:
    """Leftmost start of a name ending at ``position``: stops at punctuation, boundary words, ``verbs``
    and a count (串起一条乡村振兴示范带)."""
    i = position
    while i > 0 and position - i < max_middle:
        year = ends_with(phrasing("year_in_name"), text, i, YEAR_REACH)
        if year and year.start() > 0 and is_cjk(text[year.start() - 1]):
            i = year.start()  # 某区2023年中央财政补助项目: a year inside a name
            continue
        if bracketed := _bracketed_before(text, i):
            i = bracketed
            continue
        if _word_with_a_stop(text, i):
            i -= 1
            continue
        if not is_cjk(text[i - 1]) or ends_boundary(text, i) or verb_ends_at(text, i, verbs) \
                or ends_with(phrasing("count_before_name"), text, i, 2):
            break
        i -= 1
    return i + 1 if _edge_inside_a_word(text, i, position - i >= max_middle) else i


def _edge_inside_a_word(text: str, i: int, at_reach: bool) -> bool:
    """Whether the edge fell inside a boundary word (其中西山…), or, where the walk only stopped at
    its reach, inside any word (基于|高质量…): the name then starts a character later."""
    pair = text[i - 1 : i + 1]
    return i > 0 and (pair in BOUNDARY_WORDS or (at_reach and pair in get_jieba_lexicon().word_classes))


def _word_with_a_stop(text: str, i: int) -> bool:
    """Whether the character before ``i`` is a stop inside a word of a name: one that starts with
    it (宜居宜业和美乡村示范片, not a 和 before a word of its own: 某村和美丽乡村示范带) or holds it
    in the middle (农业社会化服务试点)."""
    opens = text[i - 1 : i + 1] in WORDS_WITH_STOPS and text[i : i + 2] not in common_words()
    return opens or (i >= 2 and text[i - 2 : i + 1] in WORDS_WITH_STOPS)


def _bracketed_before(text: str, i: int) -> int | None:
    """Where a bracketed word ending at ``i`` opens, when the name goes on before it (某某(龙门)有限公司)."""
    bracketed = ends_with(phrasing("bracketed_in_name"), text, i, BRACKET_REACH)
    return bracketed.start() if bracketed and bracketed.start() > 0 and is_cjk(text[bracketed.start() - 1]) else None


def verb_ends_at(text: str, i: int, verbs: frozenset[str]) -> bool:
    """Whether one of ``verbs`` ends at ``i``, unless it straddles two words of the dictionary
    (恒远金属实业有限公司: 属实 is a verb, but here it is the end of 金属 and the start of 实业)."""
    return any(text[max(0, i - n) : i] in verbs and not _straddles_words(text, i - n, i) for n in VERB_LENGTHS)


def _straddles_words(text: str, start: int, end: int) -> bool:
    known = get_jieba_lexicon().word_classes
    return start > 0 and end < len(text) and text[start - 1 : start + 1] in known and text[end - 1 : end + 1] in known


@finder("organisation_suffix")
def organisation_suffix(context: Context, rules: list[dict]) -> list[Candidate]:
    """Bodies by suffix, longest suffix first; a suffix inside a body found already is skipped. A
    body that continues another with a further suffix (指挥部办公室) replaces it, and a branch
    is named after its parent (海丰农商银行梅陇支行)."""
    text = context.text
    anchors = _name_anchors(context)
    suffixes = sorted(((suffix, rule) for rule in rules for suffix in words(rule["suffixes"])), key=lambda pair: -len(pair[0]))
    found: list[Candidate] = []
    covered: set[int] = set()
    for suffix, rule in suffixes:
        for suffix_start in _occurrences(text, suffix):
            candidate = _body_ending_in(context, anchors, suffix_start, suffix_start + len(suffix), rule) if suffix_start + len(suffix) - 1 not in covered else None
            if candidate is not None:
                found.append(candidate)
                covered.update(range(suffix_start, suffix_start + len(suffix)))
    found = [c for c in found if not any(continues(text, c, o) for o in found)]
    return _with_branches(text, found)


def _name_anchors(context: Context) -> dict[int, tuple[int, bool]]:
    """End → (start, anchors like a place) of what a body's name may start with: places, quoted
    names with their marks (怀集县“百千万工程”指挥部), and parks (猕猴桃产业园区管委会: the park
    anchors its body's name as a place does)."""
    text = context.text
    anchors = dict(context.place_anchors)
    for start, end in context.quoted:
        if start > 0 and text[start - 1] in QUOTE_OPENINGS and end < len(text) and text[end] in QUOTE_CLOSINGS:
            anchors[end + 1] = (start - 1, False)
    for start, end in context.parks:
        anchors.setdefault(end, (start, True))
    return anchors


def _occurrences(text: str, word: str) -> list[int]:
    found, position = [], text.find(word)
    while position >= 0:
        found.append(position)
        position = text.find(word, position + len(word))
    return found


def _body_ending_in(context: Context, anchors: dict[int, tuple[int, bool]], suffix_start: int, end: int, rule: dict) -> Candidate | None:
    """The body whose name ends with the suffix at ``suffix_start``, if the suffix makes one here."""
    text = context.text
    if _suffix_is_no_body(text, suffix_start, end) or context.ends_a_place_name(suffix_start, end):
        return None  # 三家村德苴小组: a village group, a place, though 小组 ends bodies' names too
    if rule["anchored"] and _level_after_a_body(text, suffix_start):  # 龙川县委|县政府: two bodies written together
        return Candidate(suffix_start - 1, end, rule["label"], rule["level_rule"])
    walk_from = _before_a_line_of_business(text, suffix_start, rule["anchored"])
    start, has_place = left_edge(text, walk_from, anchors, max_middle=MAX_BODY_MIDDLE, verbs=_body_walk_verbs(),
                                 anchor_verbs=STRONG_VERBS - BUSINESS_VERBS)
    start = _with_prefix_and_sender(text, suffix_start if start == walk_from else start, has_place)
    if _centre_of_a_place(context, start, suffix_start, end) or _described_not_named(text, start, suffix_start):
        return None
    if has_place:
        return Candidate(_committee_start(context, start, suffix_start, end), end, rule["label"], rule["rule"])
    if rule["anchored"]:
        level_start = level_word_start(text, suffix_start, anchors)
        return Candidate(level_start, end, rule["label"], rule["level_rule"]) if level_start is not None else None
    start = _level_word_before(text, start, suffix_start)
    if suffix_start - start >= 2 and text[start:suffix_start] not in common_words():  # 水稻农场, 外资公司: generic
        return Candidate(start, end, rule["label"], rule["free_rule"])
    return None


@lru_cache(maxsize=1)
def _body_walk_verbs() -> frozenset[str]:
    """The verbs a body's name never crosses: all but a company's lines of business (建设, 种植)."""
    return stop_verbs() - BUSINESS_VERBS


def _before_a_line_of_business(text: str, suffix_start: int, anchored: bool) -> int:
    """Where the walk to a company's name starts: before the line of business that ends it
    (桥梁|建设有限公司: 建设 would stop the walk as a word no name starts with), else at the suffix."""
    line = None if anchored else next((verb for verb in BUSINESS_VERBS if text.endswith(verb, 0, suffix_start)), None)
    return suffix_start - len(line) if line else suffix_start


def _centre_of_a_place(context: Context, start: int, suffix_start: int, end: int) -> bool:
    """梅州市中心城区, 大湾区几何中心: the centre of a place, not a body; 某某中心村: a kind of village."""
    text = context.text
    return text[suffix_start:end] in CENTRE_SUFFIXES and ((start, suffix_start) in set(context.places) or text.endswith(CENTRE_MODIFIERS, 0, suffix_start)
                                                          or text.startswith(CENTRE_FOLLOWERS, end))


def _described_not_named(text: str, start: int, suffix_start: int) -> bool:
    """Whether a count stands right before or inside a body's name: 与鱼台一家生物科技公司合作
    describes a company, it names none."""
    return phrasing("count_in_a_body").search(text, max(0, start - 2), suffix_start) is not None


def _level_word_before(text: str, start: int, suffix_start: int) -> int:
    """A free-standing body whose name opens with a level word holds the verbs between it and the
    suffix (省老区建设促进会): the level word starts it; otherwise ``start`` stands."""
    for level_start in range(start - 1, max(suffix_start - MAX_BODY_MIDDLE, 0) - 1, -1):
        if not is_cjk(text[level_start]) or text[level_start] in HARD_STOPS or verb_ends_at(text, level_start + 1, STRONG_VERBS):
            break
        if text[level_start] in SHORT_NAME_LEVELS and _starts_short_name(text, level_start):
            return level_start
    return start


def _suffix_is_no_body(text: str, suffix_start: int, end: int) -> bool:
    """A title (副局长), a meeting (局务会), a name that goes on (投资集团有限公司, 县中心医院; 政府办公厅, whose
    suffix 办公厅 starts in this one's last character), a member (区委常委), a word that holds the
    suffix (集中学习 holds 中学)."""
    if phrasing("not_a_body_after").match(text, end) or text.startswith(ORG_SUFFIXES_FREE, end):
        return True
    if any(len(longer) > 1 and text.startswith(longer, end - 1) for longer in _SUFFIXES_BY_FIRST_CHAR.get(text[end - 1], ())):
        return True
    if no_body_suffix_here(text, suffix_start, end):
        return True
    return text[end - 1 : end + 1] in common_words() and not text.startswith(TITLES, end)


def no_body_suffix_here(text: str, suffix_start: int, end: int) -> bool:
    """Whether the suffix from ``suffix_start`` to ``end`` is no body's here (phrasing list
    ``not_a_body_suffix``: 区委常委, 某局党组书记)."""
    return any((m := regex.match(text, suffix_start)) and m.end() == end for regex in phrasing_list("not_a_body_suffix"))


def _committee_start(context: Context, start: int, suffix_start: int, end: int) -> int:
    """肇庆市高要区委书记, 东莞市麻涌镇党委书记: the committee is the district's or town's, the city
    only says where that is (中共珠海市金湾区委 is named in full)."""
    text = context.text
    if text[suffix_start:end] not in COMMITTEE_SUFFIXES or text.startswith(ORG_SUFFIXES_ANCHORED, end) or phrasing("party_name").match(text, start):
        return start
    place_ends = {e for _, e in context.places}
    return max((s for s, e in context.places if e == suffix_start and s > start and s in place_ends), default=start)


def continues(text: str, inner: Candidate, outer: Candidate) -> bool:
    """Whether ``outer`` is ``inner`` plus a further suffix naming the same body (指挥部 → 指挥部办公室).

    A standing committee (市委 → 市委常委会) is a body of its own, so both stay.
    """
    tail = text[inner.end : outer.end]
    return outer.start == inner.start and outer.end > inner.end and tail.startswith(ORG_SUFFIXES_ANCHORED) and not phrasing("standing_committee").fullmatch(tail)


def _with_branches(text: str, found: list[Candidate]) -> list[Candidate]:
    """海丰农商银行梅陇支行, 农业银行某县支行: a branch is named after its parent, which its name
    begins with: a body found here, or a bank."""
    ends = {bank.end(): bank.start() for bank in phrasing("bank").finditer(text)} | {c.end: c.start for c in found}
    branches = {
        branch: Candidate(ends[branch.start], branch.end, branch.label, branch.rule)
        for branch in found if text[branch.start : branch.end].endswith(BRANCH_SUFFIXES) and branch.start in ends
    }
    return [c for c in found if c not in branches] + list(branches.values())


def level_word_start(text: str, suffix_start: int, anchors: dict[int, tuple[int, bool]]) -> int | None:
    """Start of a short name made of a level word and the suffix (市委, 市“百千万工程”指挥部), or
    of a department named after the quoted programme it serves (“双百行动”驻镇服务队)."""
    position = _before_suffixes(text, suffix_start, anchors)
    longest_middle = MAX_DEPARTMENT_MIDDLE if text.startswith(DEPARTMENT_SUFFIXES, suffix_start) else 0
    middle, quote_start = 0, None
    while position > 0 and middle <= longest_middle:  # 县林业局, 县“和美渔村”建设专班办公室: level word, department name, suffix
        start = position - 1
        if text[start] in SHORT_NAME_LEVELS and _starts_short_name(text, start):
            return start
        if position in anchors and not anchors[position][1]:  # a quoted name inside the department name
            position = quote_start = anchors[position][0]
            continue
        if not (is_cjk(text[start]) or text[start] in QUOTE_OPENINGS + QUOTE_CLOSINGS) or (text[start] in HARD_STOPS and not inside_department_name(text, start)):
            break  # 县工业和信息化局 holds its 和
        position, middle = start, middle + 1
    if longest_middle and position == quote_start and _starts_short_name(text, position):
        return position
    return None


def _before_suffixes(text: str, position: int, anchors: dict[int, tuple[int, bool]]) -> int:
    """Back past quoted names and further suffixes: 市“百千万工程”指挥部办公室."""
    while True:
        if position in anchors:
            position = anchors[position][0]
        elif inner := next((s for s in ORG_SUFFIXES_ANCHORED if text.endswith(s, 0, position)), None):
            position -= len(inner)
        else:
            return position


def _with_prefix_and_sender(text: str, start: int, has_place: bool) -> int:
    """Where a body's name starts with the party prefix before it (中共某县委) and, for a team
    stationed somewhere, the body that sent it (省财政厅驻封开县…工作队: the sender names it too)."""
    prefix = ends_with(phrasing("party_name"), text, start, MAX_PARTY_NAME)
    start = prefix.start() if prefix else start
    if has_place and (sender := ends_with(phrasing("stationed"), text, start, MAX_STATIONED)):
        start = walk_left(text, sender.start(), MAX_SENDER, STRONG_VERBS)
    return start


def _level_after_a_body(text: str, suffix_start: int) -> bool:
    """Whether a level word right before the suffix follows another body's name (县委|县政府,
    镇党委|镇政府): the second body's short name starts there, not at the place of the first."""
    level = suffix_start - 1
    return level > 0 and text[level] in SHORT_NAME_LEVELS and text.endswith(ORG_SUFFIXES_ANCHORED, 0, level)


def _starts_short_name(text: str, start: int) -> bool:
    """Whether a level word at ``start`` can begin a name: after punctuation, a boundary or a date,
    but not in a list of levels after 各 (各乡、镇人民政府 names every town's government, not one)."""
    if ends_with(phrasing("each_of_a_level"), text, start, 8):
        return False
    return start == 0 or not is_cjk(text[start - 1]) or ends_boundary(text, start) or ends_with(phrasing("date_before"), text, start, 2) is not None


@finder("outlet_parts")
def outlet_parts(context: Context, rules: list[dict]) -> list[Candidate]:
    """News outlets named in bylines: the rule's group ``name`` (the value of 来源:, what stands
    before 记者), cut into parts at the rule's ``parts`` (农民日报·中国农网: two outlets); a part
    counts unless it starts like no outlet (本报, after any bullet: ■本报) or lacks the rule's
    ``endings`` where it has some."""
    found = []
    for rule in rules:
        not_starting = words(rule["not_starting"])
        endings = words(rule["endings"]) if rule.get("endings") else ("",)
        for match in rule_regex(rule["pattern"]).finditer(context.text):
            start = match.start("name")
            for part in re.split(f"({rule['parts']})", match["name"]):
                name = part.lstrip(BULLETS)  # ■本报记者: the bullet is page layout
                if len(name) >= 2 and not name.startswith(not_starting) and name.endswith(endings):
                    found.append(Candidate(start + len(part) - len(name), start + len(part), rule["label"], rule["rule"]))
                start += len(part)
    return found
