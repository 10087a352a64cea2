"""Rules for the genre's structure: people by title and byline cues, organisations
by suffix, programmes by quotation, 《》 and shape.

Each finder reads ``doc.text`` and returns character spans; the ``kg_entity_ruler``
component puts them into ``doc.spans["kg_rules"]`` with the rule that fired as
the span's ``kb_id_`` so the merger can rank them. The place spans proposed by
``kg_place_ruler`` are the anchors for organisation and programme names that
start with a place (怀集县农业农村局, 马水镇全域土地综合整治试点).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

from kg.resources import word_list, word_table

from .doc import ORGANIZATION, PERSON, PROGRAMME, text_of
from .lexicon import (
    BOUNDARY_WORDS,
    BRANCH_SUFFIXES,
    BYLINE_BARE_CUES,
    BYLINE_CUE,
    BYLINE_FIELDS,
    CAMPAIGN_FOLLOWERS,
    DESIGNATION_ENDINGS,
    DESIGNATION_VERBS,
    DEPARTMENT_CORES,
    NUMERALS,
    ORG_SUFFIXES_ANCHORED,
    FUNCTION_CHARS,
    ORG_SUFFIXES_FREE,
    PERSON_ROLES,
    PROGRAMME_SUFFIXES,
    PROGRAMME_SUFFIXES_BARE,
    PROGRAMME_SUFFIXES_PLACED,
    PUBLICATION_SUFFIXES,
    SLOGAN_MODIFIERS,
    SPEECH_CUES,
    STANDALONE_DEPARTMENTS,
    STRONG_VERBS,
    TITLES,
    common_words,
    stop_verbs,
    surnames,
)

COMMON_SURNAME_PPM = 100.0
"""Surnames common enough (about the 250 most frequent) to start a name on weak evidence."""

RULES_KEY = "kg_rules"
PLACES_KEY = "kg_places"


@dataclass(frozen=True)
class Candidate:
    """A proposed entity mention: character offsets, type and the rule that found it."""

    start: int
    end: int
    label: str
    rule: str


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


# ---------------------------------------------------------------- people

_NOT_IN_GIVEN_NAMES = set(word_list("not_in_given_names")) | set(" \n\t")


def read_name(text: str, i: int, min_ppm: float = 0.5, strict: bool = True) -> int:
    """Length of a personal name starting at ``i`` (0 if none): surname and one or two given chars.

    A second given character is taken unless it starts a title or a cue word, or
    cannot be in a name; compound surnames (欧阳, 司徒) are tried first. With
    ``strict``, a name may not start with a frequent word (党员干部 is no 干部…).
    """
    table = surnames()
    if strict and (text[i : i + 2] in common_words() or text[i : i + 2] in stop_verbs() or text[i] in FUNCTION_CHARS):
        return 0
    for surname_length in (2, 1):
        surname = text[i : i + surname_length]
        if len(surname) != surname_length or table.get(surname, -1.0) < (0.0 if surname_length == 2 else min_ppm):
            continue
        if surname_length == 1 and surname not in table:
            continue
        j = i + surname_length
        given = 0
        while given < 2 and j + given < len(text):
            char = text[j + given]
            rest = text[j + given :]
            if not is_cjk(char) or char in _NOT_IN_GIVEN_NAMES or rest.startswith(TITLES + SPEECH_CUES + PERSON_ROLES):
                break
            given += 1
        if given:
            return surname_length + given
    return 0


def _names_in_list(text: str, i: int, separators: str, strict: bool = True, min_ppm: float = 0.5) -> Iterable[tuple[int, int]]:
    """Names at ``i`` and after each following separator (陈志刚、黄丽娟、梁国华)."""
    while i < len(text):
        if text.startswith(BYLINE_FIELDS, i):
            return  # 作者:苏婉婷 来源:…: the next field, not a name
        length = read_name(text, i, min_ppm=min_ppm, strict=strict)
        if not length:
            return
        yield i, i + length
        i += length
        if i < len(text) and text[i] in separators:
            i += 1
        else:
            return


def find_people(text: str, places: list[tuple[int, int]]) -> list[Candidate]:
    """People introduced by a post, a role, a byline cue or an age, or followed by a speech cue.

    A cue inside a place name (文福镇长隆村 holds 镇长) is no cue, and a name
    that would cross a place name is no name.
    """
    in_place = {i for start, end in places for i in range(start, end)}
    found: list[Candidate] = []
    for match in BYLINE_CUE.finditer(text):
        if not (match["separator"] or (match["gap"] and match["cue"] in BYLINE_BARE_CUES)):
            continue  # 文 is a cue only before a slash or colon: 文/陈某, not 文化
        for start, end in _names_in_list(text, match.end(), "、， 　", strict=False):
            found.append(Candidate(start, end, PERSON, "byline"))
    cue_pattern = re.compile("|".join(map(re.escape, TITLES + PERSON_ROLES)) + r"|\d+岁的")
    for match in cue_pattern.finditer(text):
        if match.start() in in_place or match.end() - 1 in in_place or text[match.start() - 1 : match.start() + 1] in common_words():
            continue  # 文福镇长隆村 holds no 镇长, 乡村民宿 no 村民
        min_ppm = 0.5 if match.group(0) in TITLES else COMMON_SURNAME_PPM  # 村民正忙着: after a role, only a common surname starts a name
        for start, end in _names_in_list(text, match.end(), "、", min_ppm=min_ppm):
            if not _reads_as_clause(text[start:end]):
                found.append(Candidate(start, end, PERSON, "title"))
    for match in _CLAUSE_START.finditer(text):  # 方立新,清远碧溪文旅发展有限公司总经理,…: a name, then its post
        start = match.end()
        length = read_name(text, start) if start < len(text) else 0
        if length and text[start + length : start + length + 1] in ",，":
            post = re.match(r"[^。;；\n,，(（]{2,30}", text[start + length + 1 :])
            title = next((t for t in TITLES if post and post.group(0).endswith(t) and len(post.group(0)) > len(t) + 1), None)
            if title and not _reads_as_clause(text[start : start + length]):
                found.append(Candidate(start, start + length, PERSON, "title"))
    speech = re.compile("(?=(" + "|".join(map(re.escape, SPEECH_CUES)) + "))")
    for match in speech.finditer(text):
        cue_at = match.start()
        for length in (4, 3, 2):  # 4 only reads as a name with a compound surname (夏侯晓峰说)
            start = cue_at - length
            if start >= 0 and read_name(text, start) == length and (start == 0 or not is_cjk(text[start - 1]) or _ends_boundary(text, start)) \
                    and text[start - 1 : start + 1] not in common_words():  # 有关工作要求: 关 belongs to 有关
                if not _reads_as_clause(text[start:cue_at]):
                    found.append(Candidate(start, cue_at, PERSON, "speech"))
                break
    return [c for c in found if not any(c.start < e and s < c.end and not (s <= c.start and c.end <= e) for s, e in places) and c.start not in in_place]


_CLAUSE_ENDINGS = word_list("clause_endings")


def _reads_as_clause(name: str) -> bool:
    """Whether a would-be name is rather a place word, a pronoun or (after a rare surname) a verb:
    蹲在田埂上说, 由他说, 农技员正弯腰 name nobody; 张建设 stays a name."""
    given = name[1:]
    rare = surnames().get(name[0], 0.0) < COMMON_SURNAME_PPM
    return name.endswith(_CLAUSE_ENDINGS) or (rare and (given in stop_verbs() or given[-2:] in stop_verbs()))


_CLAUSE_START = re.compile(r"(?:^|[。;；\n,，:：”])", re.MULTILINE)


def _ends_boundary(text: str, position: int) -> bool:
    """Whether a word that cannot be part of a name ends right before ``position``."""
    return any(text[max(0, position - n) : position] in BOUNDARY_WORDS for n in (1, 2, 3)) or text[position - 1] in _NOT_IN_GIVEN_NAMES


# ---------------------------------------------------------------- names with a structural ending

_HARD_STOPS = set(word_list("hard_stops"))
_WORDS_WITH_STOPS = frozenset(word_list("words_with_stops"))
"""Words in programme names that begin with a character that otherwise ends a name (和美乡村)."""
_STANDALONE_DEPARTMENT = re.compile(r"(?:^|(?<=[、,，。:：\s]))(" + "|".join(STANDALONE_DEPARTMENTS) + ")(?!长)")
"""Party departments named alone in a list of posts (市委常委、宣传部部长)."""
_COUNTED = re.compile(r"[一二三四五六七八九十两几\d][条个批座项家处片]$")
"""一条, 三个 …: a count ends where a name starts (串起一条乡村振兴示范带)."""
DEPARTMENT_SUFFIXES = word_list("department_suffixes")
"""Suffixes that take a department name between the level word and themselves (县林业局, 镇“百千万工程”指挥部)."""


def _left_edge(
    text: str,
    suffix_start: int,
    anchors: dict[int, tuple[int, bool]],
    max_middle: int,
    verbs: frozenset[str] = STRONG_VERBS,
    anchor_verbs: frozenset[str] = STRONG_VERBS,
) -> tuple[int, bool]:
    """Where a name ending in a suffix at ``suffix_start`` begins, and whether a place anchors it.

    First looks for a run of anchors (places, quoted names) ending within
    ``max_middle`` name characters; without a place among them, walks left
    until one of ``verbs``, a function word or punctuation stops it (organisation
    names stop at any verb; programme names hold verbs such as 改造, 提升, so they
    stop only at the strong ones). The search for an anchor stops at ``anchor_verbs``.
    """
    i = suffix_start
    while i > 0 and suffix_start - i <= max_middle:
        if i in anchors:
            start, has_place = i, False
            while start in anchors or (text[start - 1 : start] in ("驻", "委") and start - 1 in anchors):  # 顺德区驻新兴县…; 揭阳市委“百千万工程”指挥部
                end = start if start in anchors else start - 1
                if has_place and anchors[end][1] and _place_rank(text[anchors[end][0] : end]) > _place_rank(text[start:]):
                    break  # 在雁洋镇梅州市华发…项目: a town before a city is not part of the city's name
                start, is_place = anchors[end]
                has_place |= is_place
            if has_place:
                return start, True
            return _walk_left(text, start, max_middle, verbs), False
        if text[i - 1] in "和与" and _inside_department_name(text, i - 1):  # 人力资源和社会保障局
            i -= 1
            continue
        if text[i - 1 : i + 1] in _WORDS_WITH_STOPS:  # 和美乡村: 和 begins a word here
            i -= 1
            continue
        if not is_cjk(text[i - 1]) or text[i - 1] in _HARD_STOPS or any(text[max(0, i - n) : i] in anchor_verbs for n in (1, 2, 3, 4)):
            break
        i -= 1
    return _walk_left(text, suffix_start, max_middle, verbs), False


_RANKS = {level: int(rank) for level, rank in word_table("place_ranks").items()}


def _place_rank(name_or_text: str) -> int:
    """How local a place name is, from its level ending (省 0 … 村 4; unknown endings count as 2).
    Given text that starts with a place, the place is read up to its first level character."""
    for char in name_or_text[:12]:
        if char in _RANKS:
            return _RANKS[char]
    return 2


def _inside_department_name(text: str, position: int) -> bool:
    """Whether the 和/与 at ``position`` belongs to a department name (发展和改革局, 海洋与渔业局)."""
    return any(
        text.startswith(core, position - k)
        for core in DEPARTMENT_CORES
        for k in range(len(core))
        if core[k] == text[position]
    )


def _walk_left(text: str, position: int, max_middle: int, verbs: frozenset[str]) -> int:
    """Leftmost start of a name ending at ``position``: stops at punctuation, boundary words and ``verbs``."""
    i = position
    while i > 0 and position - i < max_middle:
        if not is_cjk(text[i - 1]) or _ends_boundary(text, i) or any(text[max(0, i - n) : i] in verbs for n in (1, 2, 3, 4)) or _COUNTED.search(text, 0, i):
            break
        i -= 1
    return i


def find_organisations(text: str, places: list[tuple[int, int]], quoted: list[tuple[int, int]]) -> list[Candidate]:
    """Organisations: a suffix preceded by a place, a level word, or (for free suffixes) a name."""
    anchors = {end: (start, True) for start, end in places}
    for start, end in quoted:  # 怀集县“百千万工程”指挥部: the quote, with its marks, continues the name
        if start > 0 and text[start - 1] in "“「" and end < len(text) and text[end] in "”」":
            anchors[end + 1] = (start - 1, False)
    found: list[Candidate] = []
    places_set = set(places)
    suffixes = sorted([(s, True) for s in ORG_SUFFIXES_ANCHORED] + [(s, False) for s in ORG_SUFFIXES_FREE], key=lambda x: -len(x[0]))
    covered: set[int] = set()
    for suffix, anchored in suffixes:
        for match in re.finditer(re.escape(suffix), text):
            suffix_start, end = match.start(), match.end()
            if end - 1 in covered or text[end : end + 1] in ("长", "员") or text[end : end + 2] == "务会":  # 副局长, 党委委员: titles; 局务会: a meeting
                continue
            if suffix == "委" and text[end - 2 : end] == "常委" and text[end : end + 1] != "会":
                continue  # 区委常委: a member of 区委, not a body
            if not anchored and text.startswith(ORG_SUFFIXES_FREE, end):
                continue  # 投资集团有限公司: the name goes on
            if suffix == "居委会" and text.startswith(("主任", "副主任"), end) or suffix == "委" and text.startswith("会", end):
                continue  # 小洲社区居委会主任: a title held in the community (but 五丰村村委会主任: in the committee)
            if suffix.endswith("办") and text.startswith("公室", end):
                continue  # 政府办公室, not 政府办
            if text[end - 1 : end + 1] in common_words() and not text.startswith(TITLES, end):  # 集中学习 holds 中学 but is no school
                continue
            start, has_place = _left_edge(text, suffix_start, anchors, max_middle=10, verbs=stop_verbs())
            if text[max(0, start - 2) : start] == "中共":
                start -= 2
            if suffix == "中心" and ((start, suffix_start) in places_set or text.endswith(("几何", "地理", "核心"), 0, suffix_start)):
                continue  # 梅州市中心城区, 大湾区几何中心: the centre of a place, not a body
            if has_place and suffix in ("委", "党委", "党工委") and not text.startswith(ORG_SUFFIXES_ANCHORED, end) and not text.startswith("中共", start):  # 肇庆市高要区委书记, 东莞市麻涌镇党委书记: the committee is the district's or town's, the city only says where that is (中共珠海市金湾区委 is named in full)
                start = max((s for s, e in places if e == suffix_start and s > start and any(e2 == s for _, e2 in places)), default=start)
            if has_place:
                found.append(Candidate(start, end, ORGANIZATION, "org-place"))
            elif anchored:
                level_start = _level_word_start(text, suffix_start, anchors)
                if level_start is None:
                    continue
                found.append(Candidate(level_start, end, ORGANIZATION, "org-level"))
            elif suffix_start - start >= 2 and text[start:suffix_start] not in common_words():  # 水稻农场, 外资公司: generic
                found.append(Candidate(start, end, ORGANIZATION, "org-free"))
            else:
                continue
            covered.update(range(suffix_start, end))
    found = [c for c in found if not any(_continues(text, c, o) for o in found)]
    branches = {
        branch: Candidate(parent.start, branch.end, ORGANIZATION, branch.rule)
        for branch in found if text[branch.start : branch.end].endswith(BRANCH_SUFFIXES)
        for parent in found if parent.end == branch.start
    }  # 海丰农商银行梅陇支行: a branch is named after its parent
    found = [c for c in found if c not in branches] + list(branches.values())
    found.extend(Candidate(m.start(1), m.end(1), ORGANIZATION, "outlet") for m in re.finditer(r"(?m)^【([^】\n]{2,12})】", text)
                 if not m.group(1).endswith(COLUMN_ENDINGS))
    found.extend(Candidate(m.start(1), m.end(1), ORGANIZATION, "org-level") for m in _STANDALONE_DEPARTMENT.finditer(text))
    return found


def _continues(text: str, inner: Candidate, outer: Candidate) -> bool:
    """Whether ``outer`` is ``inner`` plus a further suffix naming the same body (指挥部 → 指挥部办公室).

    A standing committee (市委 → 市委常委会) is a body of its own, so both stay.
    """
    tail = text[inner.end : outer.end]
    return outer.start == inner.start and outer.end > inner.end and tail.startswith(ORG_SUFFIXES_ANCHORED) and tail != "常委会"


def _level_word_start(text: str, suffix_start: int, anchors: dict[int, int]) -> int | None:
    """Start of a short name made of a level word and the suffix (市委, 市“百千万工程”指挥部)."""
    position = suffix_start
    while True:  # past quoted names and further suffixes: 市“百千万工程”指挥部办公室
        if position in anchors:
            position = anchors[position][0]
        elif inner := next((s for s in ORG_SUFFIXES_ANCHORED if text.endswith(s, 0, position)), None):
            position -= len(inner)
        else:
            break
    longest_middle = 12 if text.startswith(DEPARTMENT_SUFFIXES, suffix_start) else 0
    middle = 0
    while position > 0 and middle <= longest_middle:  # 县林业局, 县“和美渔村”建设专班办公室: level word, department name, suffix
        start = position - 1
        if text[start] in "省市县区镇乡" and (start == 0 or not is_cjk(text[start - 1]) or _ends_boundary(text, start) or re.search(r"\d[年月日]$", text[:start])):
            return start
        if position in anchors and not anchors[position][1]:  # a quoted name inside the department name
            position = anchors[position][0]
            continue
        if not (is_cjk(text[start]) or text[start] in "“”「」") or (text[start] in _HARD_STOPS and not _inside_department_name(text, start)):
            break  # 县工业和信息化局 holds its 和
        position, middle = start, middle + 1
    return None


# ---------------------------------------------------------------- programmes

_QUOTE = re.compile(r"[“「『‘]([^“”「」『』‘’\n]{2,40})[”」』’]")
"""Quotations; ‘…’ is how a quotation inside quoted speech marks a campaign (“…落实‘百千万工程’…”)."""
_TITLE = re.compile(r"《([^《》\n]{2,80})》")
_PHASE_NOTE = re.compile(r"[(（](?:[一二三四五六七八九十\d]+期|试行|暂行)[)）]")
"""A phase or trial note that belongs to a programme's name: 供水一体化工程(二期)."""
_PHASE = re.compile(r"[一二三四五六七八九\d]期|配套|提升|扩建|续建|道路管网配套|[^,，。;；]{0,6}配套")
"""What may stand between a programme's name and 工程/项目 in the name of its phase (示范带二期工程)."""
NAME_VERBS = frozenset(word_list("name_verbs"))
"""Verbs inside project names (湿地保护提升工程): they do not stop the search for the place a name starts with."""
COLUMN_ENDINGS = word_list("column_endings")
"""【编者按】, 【记者手记】: columns of a paper, not the outlet that publishes it."""
_CAPACITY_PROJECT = r"年产[\d.]+[万亿]?(?:吨|件|台|套|只|片|平方米|立方米|千瓦)[\u4e00-\u9fff]{2,14}?项目"
"""Projects named by their capacity: 年产5万吨高性能陶瓷项目."""
GENERIC_PROJECTS = word_list("generic_projects")
_COUNTED_START = re.compile(r"(?:首批|第[一二三四五六七八九十\d]+批|一批|多个|[一二三四五六七八九十\d]+个)")
_MORE_QUOTES = re.compile(r"(?:[、和及与]?[“「][^”」\n]{1,20}[”」])*")
_PAIRED = re.compile(f"^(?:[一{NUMERALS}][^、,，]{{1,2}}){{2}}$")
_PARALLEL = re.compile(f"^(?:[{NUMERALS}][^{NUMERALS}一]{{1,3}}){{2,4}}$")
_LEVEL_PAIRS = re.compile(r"^(?:[^县镇村乡市户企][县镇村乡市户企]){2,3}$")
"""强镇兴村, 驻镇帮镇扶村: verbs on levels, the shape of a campaign name."""
_BARE_LEVEL_PAIRS = re.compile(r"(?=((?:[^县镇村乡市户企全各每本该这那一两几\W\d][县镇村乡市户企]){1,2}[^县镇村乡市户企全各每本该这那一两几\W\d][村户企])(?![”」]))")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Inner spans of quotations (without the marks)."""
    return [(m.start(1), m.end(1)) for m in _QUOTE.finditer(text)]


_LONG_FOLLOWER = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:提升行动|专项行动|攻坚行动|三年行动|行动计划|工程)(?!方案|计划|细则|办法|实施)")
"""“莲洲稻香”乡村旅游品牌提升行动: a campaign whose kind is spelled out before 行动 (but in
《…“三资”管理提升行动方案》 the quoted word is only part of a document's title)."""


def is_programme_name(name: str, following: str) -> bool:
    """Whether quoted ``name``, followed by ``following``, names a programme rather than a slogan."""
    if name.startswith(SLOGAN_MODIFIERS) or re.search(r"[+＋:：;；。!！?？]", name):
        return False
    if re.search(r"[,，、]", name):  # “千企帮千镇、万企兴万村”行动, “一村一品、一镇一业”: a list is a name as a campaign
        return following.startswith(CAMPAIGN_FOLLOWERS) or all(_PAIRED.match(part) for part in re.split("[、,，]", name))
    return (
        name.endswith(PROGRAMME_SUFFIXES)
        or following.startswith(CAMPAIGN_FOLLOWERS)
        or bool(_LONG_FOLLOWER.match(following))
        or bool(_PARALLEL.match(name) or _LEVEL_PAIRS.match(name))
    )


_PLACE_ACTS = re.compile(r"(?:新建|建设|打造|推进|实施|启动|谋划|建起|建成)")
"""Verbs right after a place that make it the actor, not the first word of a project's name."""


def _after_places(start: int, place_ends: dict[int, int], limit: int) -> int:
    """The end of the run of places that begins at ``start`` (``place_ends``: start → end of each place)."""
    position = start
    while position in place_ends and place_ends[position] <= limit:
        position = place_ends[position]
    return position


def find_programmes(text: str, places: list[tuple[int, int]]) -> list[Candidate]:
    """Programmes: quoted campaign names, 《document titles》, and names with a programme ending."""
    found: list[Candidate] = []
    for start, end in quoted_spans(text):
        following = _MORE_QUOTES.match(text, end + 1).end()  # “粤菜师傅”“广东技工”工程: the follower after the list
        if is_programme_name(text[start:end], text[following : following + 12]) and text[max(0, start - 3) : start - 1] != "作为":
            found.append(Candidate(start, end, PROGRAMME, "quoted"))
    for match in _TITLE.finditer(text):
        if not match.group(1).endswith(PUBLICATION_SUFFIXES):
            found.append(Candidate(match.start(1), match.end(1), PROGRAMME, "title"))
    titles = [(m.start(1), m.end(1)) for m in _TITLE.finditer(text)]
    endings = "|".join(DESIGNATION_ENDINGS)
    designation = re.compile("(?:" + "|".join(DESIGNATION_VERBS) + r")(?:第[一二三四五六七八九十\d]+批)?(?=[^,，。;；、“”《》()（）\s]{2,18}?(?:" + endings + "))")
    item = re.compile(r"[^,，。;；、“”《》()（）\s]{2,18}?(?:" + endings + ")(?!培育|建设|试点|项目|工程|创建(?!名单))")
    longer = re.compile(r"[^,，。;；、“”《》()（）\s]{0,3}?(?:" + endings + ")")
    for match in designation.finditer(text):  # 获评A示范村、B示范点; 入选清远市美丽乡村精品村
        position = match.end()
        while (name := item.match(text, position)) is not None:
            end = name.end()
            while (more := longer.match(text, end)) is not None:
                end = more.end()
            if not re.fullmatch(f"(?:省级|市级|县级|区级|国家级)(?:{endings})", text[name.start():end]):  # 省级典型镇: a kind, not a name
                found.append(Candidate(name.start(), end, PROGRAMME, "designation"))
            if text[end : end + 1] != "、":
                break
            position = end + 1
    anchors = {end: (start, True) for start, end in places}
    place_ends = {start: end for start, end in places}
    for suffix in PROGRAMME_SUFFIXES_BARE + PROGRAMME_SUFFIXES_PLACED:
        placed = suffix in PROGRAMME_SUFFIXES_PLACED
        for match in re.finditer(re.escape(suffix), text):
            if placed and (is_cjk(text[match.end() : match.end() + 1] or "。") and not _ends_boundary(text, match.end() + 1)
                           and not text.startswith(("今年", "去年", "明年", "目前", "已经", "已", "将", "正", "进展", "进度", "情况", "现场", "工地"), match.end())):
                continue  # 温泉小镇提质项目: the name goes on (but not into 今年, 已 …)
            phase = placed and re.search("(?:" + "|".join(PROGRAMME_SUFFIXES_BARE) + r")(?:[一二三四五六七八九\d]期|配套|提升|扩建|续建)$",
                                         text[max(0, match.start() - 12) : match.start()])
            verbs = stop_verbs() if placed and not phase else STRONG_VERBS  # 稻香乡村振兴示范带二期工程: named like the belt
            anchor_verbs = verbs - NAME_VERBS if placed else verbs  # 鹤山市古劳水乡湿地保护提升工程: verbs a project's name holds
            start, has_place = _left_edge(text, match.start(), anchors, max_middle=16 if phase else 12, verbs=verbs, anchor_verbs=anchor_verbs)
            acting = _PLACE_ACTS.match(text, _after_places(start, place_ends, match.start())) if has_place else None
            if acting and match.start() - acting.end() >= 4:  # 下陂村建设供莞蔬菜种植基地项目: the place builds the project
                start, has_place = acting.end(), False
            inner = next((e for e in PROGRAMME_SUFFIXES_BARE if e in text[start : match.start()]), None)
            if placed and inner and not _PHASE.fullmatch(text[text.rfind(inner, start, match.start()) + len(inner) : match.start()]):
                continue  # …试点三项重点工程: two names, not one; but …示范带二期工程 is one
            name = text[start : match.end()]
            if name.endswith(GENERIC_PROJECTS) or any(title in name for title in ("书记", "区长", "县长", "市长", "镇长", "宣布")) or _COUNTED_START.match(name):
                continue  # 第三季度重点项目, 区委书记某某宣布项目, 首批示范点: no names
            length = match.end() - start
            inside_title = any(s <= start and match.end() <= e for s, e in titles)
            needs_place = (placed and not phase) or suffix == "项目" and length < 8
            goes_on = suffix in ("示范片", "示范片区", "示范带", "产业集聚区") and text.startswith(("项目", "工程", "建设项目"), match.end())  # …示范片项目
            if (has_place or not needs_place) and length >= 6 and not inside_title and not goes_on and not text.startswith(("”", "」"), match.end()):
                note = _PHASE_NOTE.match(text, match.end())
                found.append(Candidate(start, note.end() if note else match.end(), PROGRAMME, "bare-place" if has_place else "bare"))
    found.extend(Candidate(m.start(), m.end(), PROGRAMME, "fixed") for m in re.finditer(r"(?:中央)?一号文件|(?<![“「])绿美[\u4e00-\u9fff]{2,4}?生态建设|" + _CAPACITY_PROJECT, text))
    named = "".join(text[s:e] for s, e in quoted_spans(text) + titles)
    in_place = {i for start, end in places + quoted_spans(text) for i in range(start, end)}
    covered_until = 0
    for match in _BARE_LEVEL_PAIRS.finditer(text):  # 驻镇帮镇扶村 unquoted; 强镇兴村 when also quoted or in a title
        name, start = match.group(1), match.start(1)
        in_title = any(s <= start < e for s, e in titles)
        if start < covered_until or start in in_place or not (len(name) == 6 or (name in named and not in_title)):
            continue
        project = re.compile(r"[^，,。；;、“”《》\s]{0,6}?工程").match(text, match.end(1))  # 百县千镇万村高质量发展工程
        end = project.end() if project else match.end(1)
        found.append(Candidate(start, end, PROGRAMME, "bare"))
        covered_until = end
    return found


# ---------------------------------------------------------------- component

def find_candidates(text: str, places: list[tuple[int, int]]) -> list[Candidate]:
    """Every rule-based candidate of the text, overlapping ones included."""
    programmes = find_programmes(text, places)
    quoted = [(c.start, c.end) for c in programmes if c.rule == "quoted"]
    organisations = find_organisations(text, places, quoted)
    programmes = [p for p in programmes if not (p.rule.startswith("bare") and any(o.start <= p.start and p.end < o.end for o in organisations))]
    return find_people(text, places) + organisations + programmes


@Language.factory("kg_entity_ruler", default_config={"spans_key": RULES_KEY, "places_key": PLACES_KEY})
def make_entity_ruler(nlp: Language, name: str, spans_key: str, places_key: str) -> "EntityRuler":
    return EntityRuler(spans_key, places_key)


class EntityRuler:
    """Proposes people, organisations and programmes into ``doc.spans[spans_key]``."""

    def __init__(self, spans_key: str, places_key: str) -> None:
        self.spans_key = spans_key
        self.places_key = places_key

    def __call__(self, doc: Doc) -> Doc:
        places = [(s.start_char, s.end_char) for s in doc.spans.get(self.places_key, [])]
        spans = []
        for candidate in sorted(set(find_candidates(text_of(doc), places)), key=lambda c: (c.start, -c.end)):
            span = doc.char_span(candidate.start, candidate.end, label=candidate.label, kb_id=candidate.rule)
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans)
        return doc
