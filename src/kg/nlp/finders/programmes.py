"""Programmes: quoted campaign names, 《document titles》, designations a place earns, names with a
programme ending (…示范带, …产业园, a place's …工程), projects named after the body that carries
them out (某某有限公司…生产基地项目), and names of verbs on levels (驻镇帮镇扶村)."""

from __future__ import annotations

import re
from functools import lru_cache

from kg.resources import longest_first, phrasing, word_list

from ..lexicon import CAMPAIGN_FOLLOWERS, FUNCTION_CHARS, IMPLEMENT_VERBS, INSPECTION_VERBS, LOCAL_REFERENCES, PROGRAMME_BARE_ENDINGS, PROGRAMME_SUFFIXES, PROJECT_ENDINGS, PUBLICATION_SUFFIXES, SET_PHRASES, SLOGAN_MODIFIERS, STRONG_VERBS, TITLES, common_words, is_document, stop_verbs
from ..text import ends_with
from . import QUOTE_CLOSINGS, Candidate, Context, ends_boundary, finder, is_cjk, rule_regex, words
from .organisations import BUSINESS_VERBS, HARD_STOPS, left_edge, verb_ends_at

GENERIC_PROJECTS = word_list("generic_projects")
SLOGAN_FOLLOWERS = longest_first(word_list("slogan_followers"))
DESIGNATION_LEVELS = word_list("designation_levels")
NAME_VERBS = frozenset(word_list("name_verbs"))
"""Verbs inside project names (湿地保护提升工程): they do not stop the search for the place a name starts with."""
KIND_MODIFIERS = word_list("kind_modifiers")
"""Modifiers of kind (高标准): before generic words they still make a kind of programme, not a name."""
KIND_MARKERS = word_list("kind_markers")
"""Words that make a stem a class of programmes (兰花类现代农业产业园)."""
WORDS_AFTER_A_NAME = word_list("words_after_a_name")
NOT_IN_PROJECT_NAMES = word_list("not_in_project_names")
FOLLOWER_REACH = 12
"""How much text after a quotation is read for the word that makes it a campaign."""
PHASE_REACH = 12
"""How far before 工程/项目 the name of which it is a phase may end."""
MIN_STEM_AFTER_BUILDING = 4
"""Characters of a stem after 建设 that make 建设 the verb before a name, not a word in it."""
NAME_REACH = 12
"""Name characters between a place and a programme ending."""
LONG_NAME_REACH = 16
"""Name characters between a place and 项目 or 工程, or the ending of a phase: projects have long names
(邛崃市中心城区区域性养老服务中心项目)."""
LIST_ITEM_REACH = 16
"""How far before a bare ending the list mark opening its item may stand."""
_NEXT_PROJECT = re.compile(f"[^、,，。;；]{{1,{LIST_ITEM_REACH}}}?(?:{'|'.join(PROJECT_ENDINGS)})")
"""A list item that ends like a project."""
LIST_OPENERS = frozenset(word_list("list_openers"))
LIST_ITEM_JOINERS = {"及", "和"}
"""What may join two words inside an item that list marks bound (冷链物流及农资服务中心项目)."""
MIN_BARE_NAME = 6
"""Shortest programme name found by its ending alone."""
MIDDLE_DOT = "·"
NAME_BEFORE_A_DOT = 6
"""Longest part of a programme's name before a middle dot (旬河水乡·…, 上城·剑阁…)."""
_LOCAL_REFERENCE_WORDS = longest_first(tuple(LOCAL_REFERENCES))
_SLOGAN_MARKS = re.compile(r"[+＋:：;；。!！?？,，]")
"""Marks inside a quotation that make it a slogan or a saying, not a name (“生态立县，绿色崛起”;
lists of campaigns are joined by 、)."""
_LIST_MARKS = re.compile(r"[,，、]")
_LIST_PART = re.compile(r"[^、,，]+")
MIN_PAIRED_PART = 5
"""Shortest part of a quoted list of paired campaigns that counts as a campaign of its own (千企帮千镇)."""


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Inner spans of quotations (without the marks)."""
    return [(m.start(1), m.end(1)) for m in phrasing("quotation").finditer(text)]


def is_programme_name(name: str, following: str) -> bool:
    """Whether quoted ``name``, followed by ``following``, names a programme rather than a slogan,
    a goal or a brand (“两区三带”奋斗目标), a post (“驻村第一书记”工作成果展) or a set term (“三农”工作)."""
    if _slogan_or_term(name, following):
        return False
    if phrasing("counted_kind").match(following):
        return True  # “红之韵”“绿之源”两条示范带
    if _LIST_MARKS.search(name):  # “千企帮千镇、万企兴万村”行动, “一村一品、一镇一业”: a list is a name as a campaign
        return following.startswith(CAMPAIGN_FOLLOWERS) or all(phrasing("paired_name").match(part) for part in _LIST_MARKS.split(name))
    return (
        name.endswith(PROGRAMME_SUFFIXES)
        or following.startswith(CAMPAIGN_FOLLOWERS)
        or bool(phrasing("long_follower").match(following))
        or bool(phrasing("parallel_name").match(name) or phrasing("level_pairs_name").match(name) or phrasing("numbered_campaign").match(name))
    )


def _slogan_or_term(name: str, following: str) -> bool:
    """A slogan (“生态立县，绿色崛起”), a post, a set term, a goal that holds a modifier (…一流的…), or
    a goal or brand that does not end like a programme (“两区三带”奋斗目标, “某某”品牌; but
    “百千万工程”目标任务)."""
    if name.startswith(SLOGAN_MODIFIERS) or _SLOGAN_MARKS.search(name) or name in TITLES or name in SET_PHRASES:
        return True
    if "的" in name and not is_document(name):
        return True  # “全力打造全国一流的某基地”: a goal that holds a name, not the name
    return following.startswith(SLOGAN_FOLLOWERS) and not name.endswith(PROGRAMME_SUFFIXES)


@finder("quoted_programme")
def quoted_programme(context: Context, rules: list[dict]) -> list[Candidate]:
    """A quoted name that is a campaign's, not a slogan's (“百千万工程”, “绿美平远”行动; not “头号工程”)."""
    text = context.text
    found = []
    for rule in rules:
        for start, end in quoted_spans(text):
            following = phrasing("more_quotes").match(text, end + 1).end()  # “粤菜师傅”“广东技工”工程: the follower after the list
            if is_programme_name(text[start:end], text[following : following + FOLLOWER_REACH]) and not ends_with(phrasing("as_before_quote"), text, start - 1, 2):
                found += [Candidate(s, e, rule["label"], rule["rule"]) for s, e in campaigns_of(text, start, end)]
    return found


def campaigns_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The campaigns one quotation names: each part of a list of paired campaign names of five
    characters (“千企帮千镇、万企兴万村” is two), else the whole quotation (“一村一品、一镇一业”,
    a slogan of 一X一Y pairs, is one)."""
    parts = [(m.start(), m.end()) for m in _LIST_PART.finditer(text, start, end)]
    if len(parts) > 1 and all(e - s >= MIN_PAIRED_PART and not phrasing("slogan_pair").match(text, s) and phrasing("paired_name").match(text[s:e]) for s, e in parts):
        return parts
    return [(start, end)]


@finder("verb_object")
def verb_object(context: Context, rules: list[dict]) -> list[Candidate]:
    """Programmes named as the objects of a verb (the rule's ``verb``), each object an ``item``,
    further ones after the ``list_mark`` (大力实施乡土人才回引计划; 全力打造某岛郊野公园; 会议听取了
    某县某行动方案、某实施意见). Each name starts after the last ``modifier_end`` of its item
    (打造全国一流的某基地) and must be no kind or schedule (``_object_name``)."""
    text = context.text
    found = []
    for rule in rules:
        kinds, item, mark = words(rule["kinds"]), rule["item"], rule["list_mark"]
        pattern = rule_regex(f"(?:{rule['verb']})(?P<name>{item}(?:{re.escape(mark)}{item})*)")
        for match in pattern.finditer(text):
            item_start = match.start("name")
            for part in match["name"].split(mark):
                candidate = _object_name(context, item_start, item_start + len(part), rule, kinds)
                found += [candidate] if candidate else []
                item_start += len(part) + len(mark)
    return found


def _object_name(context: Context, start: int, end: int, rule: dict, kinds: tuple[str, ...]) -> Candidate | None:
    """The programme one object of a verb names, unless it is a kind or a schedule: in a title,
    after a count, shorter than ``min_length``, with a stem of fewer than ``min_stem`` characters
    before its ending, one ending in one of ``not_stem_endings`` (镇村建设项目, 某项目计划) or one
    of common words only (打造现代农业示范区; a document's title may be: 乡村建设实施意见), nor two
    names joined (推进某产业项目和某示范带建设)."""
    text = context.text
    start = text.rfind(rule["modifier_end"], start, end) + 1 or start
    if any(s <= start < e for s, e in context.titles) or end - start < rule["min_length"] or text[start] in FUNCTION_CHARS:
        return None
    name = text[start:end]
    stem = name[: -len(next(k for k in kinds if name.endswith(k)))]
    return None if _kind_or_schedule(text, start, name, stem, rule) else Candidate(start, end, rule["label"], rule["rule"])


def _kind_or_schedule(text: str, start: int, name: str, stem: str, rule: dict) -> bool:
    """Whether an object of a verb is counted, a kind, a schedule or two names joined (see ``_object_name``)."""
    schedules = words(rule["not_stem_endings"]) if rule.get("not_stem_endings") else ()
    return bool(phrasing("counted_start").match(text, start) or len(stem) < rule["min_stem"] or (schedules and stem.endswith(schedules))
                or (_names_a_kind(stem) and not is_document(name)) or _joined_names(text, start, start + len(stem), PROGRAMME_BARE_ENDINGS))


@finder("document_title")
def document_title(context: Context, rules: list[dict]) -> list[Candidate]:
    """A 《title》 that neither ends like a publication (《南方日报》, or names a column of one,
    《某某日报·乡村观察》; but 《…的通报》 is a document) nor is followed by the rule's
    ``outlet_followers`` (《瞭望》新闻周刊: an outlet); a title nested in it (〈〉) is one too."""
    found = []
    for rule in rules:
        followers = words(rule["outlet_followers"])
        for start, end in context.titles:
            title = context.text[start:end]
            outlet = title.split(MIDDLE_DOT)[0]  # 《某某日报·乡村观察》: a column of the outlet
            if (outlet.endswith(PUBLICATION_SUFFIXES) and not is_document(title)) or context.text.startswith(followers, end + 1):
                continue
            inner = [(m.start(1), m.end(1)) for m in phrasing("inner_title").finditer(context.text, start, end)]
            found += [Candidate(s, e, rule["label"], rule["rule"]) for s, e in [(start, end)] + inner]
    return found


@finder("designation")
def designation(context: Context, rules: list[dict]) -> list[Candidate]:
    """Designations listed after 入选, 获评 …: 获评A示范村、B示范点; 入选清远市美丽乡村精品村."""
    text = context.text
    found = []
    for rule in rules:
        for match in phrasing("designation_verb").finditer(text):
            found += [Candidate(start, end, rule["label"], rule["rule"]) for start, end in _designations_from(text, match.end())]
    return found


_DESIGNATION_JOINER = re.compile("”?、“?")
"""What joins two designations of a list, quoted or not."""


def _designations_from(text: str, position: int) -> list[tuple[int, int]]:
    """The designations listed from ``position`` on, joined by 、 (quoted or not: “A”、“B”); a kind
    (省级典型镇) or an honour's title (获得“…示范村”等荣誉称号) is none."""
    spans = []
    while (name := phrasing("designation_item").match(text, position)) is not None:
        end = name.end()
        while (more := phrasing("designation_more").match(text, end)) is not None:
            end = more.end()
        if not phrasing("designation_kind").fullmatch(text, name.start(), end) and not phrasing("honour_title_after").match(text, end):
            spans.append((name.start(), end))
        joiner = _DESIGNATION_JOINER.match(text, end)
        if joiner is None:
            break
        position = joiner.end()
    return spans


@finder("programme_suffix")
def programme_suffix(context: Context, rules: list[dict]) -> list[Candidate]:
    """Names with a programme ending: bare endings (…乡村振兴示范带, …产业园) make a name on their own;
    placed endings (…工程, …基地) only after a place or as a phase of a bare name (…示范带二期工程).
    A name that goes on into a longer one names only the longer one."""
    bare = tuple(word for rule in rules if not rule["placed"] for word in word_list(rule["suffixes"][1:]))
    endings = [(match, rule) for rule in rules for suffix in word_list(rule["suffixes"][1:]) for match in re.finditer(re.escape(suffix), context.text)]
    spans = [match.span() for match, _ in endings]
    found = []
    for match, rule in endings:
        if any(s <= match.start() and match.end() <= e and (s, e) != match.span() for s, e in spans):
            continue  # 产业园 inside 产业园区: the longer ending names it
        candidate = _name_with_ending(context, match, rule, bare)
        found += [candidate] if candidate else []
    return _without_names_inside_longer(context.text, found)


def _without_names_inside_longer(text: str, found: list[Candidate]) -> list[Candidate]:
    """The candidates but those that go on into a longer one (罗南智造产业园项目, 某镇…产业项目发展基金),
    unless a phase of them follows (稻香乡村振兴示范带二期工程 names the belt too)."""
    return [c for c in found if phrasing("phase_between").match(text, c.end) or not any(o.start == c.start and o.end > c.end for o in found)]


def _name_with_ending(context: Context, match: re.Match, rule: dict, bare: tuple[str, ...]) -> Candidate | None:
    """The programme named by the ending ``match``, if one is. A placed ending right after a bare
    one, or after a phase of it, names something of that programme and is named like it
    (…示范带二期工程, …产业项目发展基金)."""
    text, placed = context.text, rule["placed"]
    if placed and _name_goes_on(text, match.end()):
        return None  # 温泉小镇提质项目: the name goes on (but not into 今年, 已 …)
    phase = placed and (text.endswith(bare, 0, match.start()) or bool(ends_with(phrasing("phase_of_a_name"), text, match.start(), PHASE_REACH)))
    start, has_place = _start_of_name(context, match, placed, phase)
    start, listed = (start, False) if placed or has_place else _start_in_a_list(context, start, match)
    if _not_one_name(text, start, match, placed, bare):
        return None
    if (not has_place and _unplaced_and_unnamed(text, start, match, rule, phase, listed)) or not _stands_alone(context, start, match):
        return None
    note = phrasing("phase_note").match(text, match.end())
    return Candidate(start, note.end() if note else match.end(), rule["label"], rule["place_rule"] if has_place else rule["rule"])


def _unplaced_and_unnamed(text: str, start: int, match: re.Match, rule: dict, phase: bool, listed: bool) -> bool:
    """Whether a name without a place is a kind (乡村振兴示范带), or needs the place it lacks and
    has no list to vouch for it."""
    return _names_a_kind(text[start : match.start()]) or (not listed and _needs_place(rule, match.group(0), phase, match.end() - start))


def _list_item_start(context: Context, start: int, ending_at: int) -> int | None:
    """Where the list item ending in a bare ending starts, when a list mark opens it (…项目、某某机械
    项目): the mark bounds the name, which is not cut at a word the walk stops at. None when no list
    mark opens the item within reach, or a stop, a count, a verb or a place (the actor: 某村建设…
    项目) stands in it before the name (某某等项目, 某村形成…产业带)."""
    text = context.text
    verbs = _list_item_verbs()
    item = text.rfind("、", max(0, ending_at - LIST_ITEM_REACH), ending_at) + 1
    if not item and text.startswith("、", ending_at + len(_ending_at(text, ending_at))):
        item = _after_the_verb(text, ending_at, _first_item_verbs())  # the first item of a list: after its verb
    stem = text[item:ending_at]
    added = text[item:start]
    if not item or item > start or not all(is_cjk(char) for char in stem) or phrasing("count_before_name").search(stem) \
            or any(position in context.in_place for position in range(item, start)) \
            or any(verb in added and not text.endswith(verb, item, ending_at) for verb in IMPLEMENT_VERBS):  # …基地建设项目 names it
        return None
    return item if _middle_of_a_name(stem, LIST_ITEM_JOINERS, verbs) else None


@lru_cache(maxsize=1)
def _list_item_verbs() -> frozenset[str]:
    """Verbs no list item of projects holds: all but those a project's name holds, and inspection verbs."""
    return (stop_verbs() - NAME_VERBS - BUSINESS_VERBS) | INSPECTION_VERBS


@lru_cache(maxsize=1)
def _first_item_verbs() -> frozenset[str]:
    """Verbs the first item of a list of projects starts after: those of a list item, and strong verbs."""
    return _list_item_verbs() | STRONG_VERBS


@lru_cache(maxsize=None)
def _name_walk_verbs(placed: bool, phase: bool) -> tuple[frozenset[str], frozenset[str]]:
    """The verbs the walk to a name's start stops at, and those the search for its place stops at:
    a placed ending's name stops at any verb but one a project's name holds (鹤山市古劳水乡湿地保护
    提升工程, …示范种植基地); a bare one's, or a phase's (稻香乡村振兴示范带二期工程: named like the
    belt), only at strong and inspection verbs."""
    verbs = stop_verbs() if placed and not phase else STRONG_VERBS | INSPECTION_VERBS
    return verbs, (verbs - NAME_VERBS - BUSINESS_VERBS if placed else verbs)


def _after_the_verb(text: str, ending_at: int, verbs: frozenset[str]) -> int:
    """Where the first item of a list starts: after the verb, the function character (先后到…) or
    the punctuation before it, within reach."""
    i = ending_at
    while i > max(0, ending_at - LIST_ITEM_REACH) and is_cjk(text[i - 1]) and text[i - 1] not in LIST_OPENERS \
            and not verb_ends_at(text, i, verbs):
        i -= 1
    return i


def _ending_at(text: str, position: int) -> str:
    """The project ending (项目, 工程) that starts at ``position``, or ''."""
    return next((ending for ending in PROJECT_ENDINGS if text.startswith(ending, position)), "")


def _start_in_a_list(context: Context, start: int, match: re.Match) -> tuple[int, bool]:
    """Where an unplaced name starts, and whether a list of projects vouches for it: the start of
    its item in such a list, else ``start``."""
    item = _list_item_start(context, start, match.start())
    return (item, True) if item is not None and _list_of_projects(context.text, item, match.end()) else (start, False)


def _list_of_projects(text: str, item: int, end: int) -> bool:
    """Whether the list an item stands in is a list of projects: the item before it or (for the
    first) the one after it ends like a project too, or the list closes on its kind (…项目、碧海机械
    项目等9个项目), not a list of tasks (美丽庭院创建、壮大集体经济项目、…建设)."""
    if text.endswith(PROJECT_ENDINGS, 0, item - 1) or text.startswith("等", end):
        return True
    return text.startswith("、", end) and _NEXT_PROJECT.match(text, end + 1) is not None


def _two_names(text: str, start: int, ending_at: int, bare: tuple[str, ...]) -> bool:
    """…试点三项重点工程: a bare name inside the stretch makes two names, unless what follows it
    names a phase of it (…示范带二期工程) or the ending follows it at once (…产业项目发展基金:
    the fund is named after the project)."""
    inner = next((e for e in bare if e in text[start:ending_at]), None)
    inner_end = text.rfind(inner, start, ending_at) + len(inner) if inner else ending_at
    return bool(inner) and inner_end != ending_at and not phrasing("phase_between").fullmatch(text, inner_end, ending_at)


def _not_one_name(text: str, start: int, match: re.Match, placed: bool, bare: tuple[str, ...]) -> bool:
    """Whether the stretch from ``start`` to the ending ``match`` holds two names or none."""
    return (placed and _two_names(text, start, match.start(), bare)) or _joined_names(text, start, match.start(), bare) \
        or not _is_a_name(text[start : match.end()])


def _joined_names(text: str, start: int, ending_at: int, bare: tuple[str, ...]) -> bool:
    """特色民宿产业项目和农房风貌提升示范带: a bare ending and a joiner inside the stretch join two names."""
    stretch = text[start:ending_at]
    return any(stretch.find(ending + joiner) >= 0 for ending in bare for joiner in LIST_ITEM_JOINERS)


def _is_a_name(name: str) -> bool:
    """Not a kind of project (第三季度重点项目), a clause (区委书记某某宣布项目) or a count (首批示范点)."""
    return not (name.endswith(GENERIC_PROJECTS) or any(word in name for word in NOT_IN_PROJECT_NAMES) or phrasing("counted_start").match(name))


def _names_a_kind(stem: str) -> bool:
    """乡村振兴示范带, 现代农业产业园: common words before the ending, no place, no level, no
    numeral make a kind of programme, not one programme (unlike 茶香古道乡村振兴示范带); so do
    they after a modifier of kind (高标准产业园区), and so does a stem with a marker of a class
    (兰花类现代农业产业园)."""
    if any(marker in stem for marker in KIND_MARKERS):
        return True
    stem = stem.removeprefix(next((m for m in KIND_MODIFIERS if stem.startswith(m)), ""))
    chunks = [stem[i : i + 2] for i in range(0, len(stem), 2)]
    return len(stem) % 2 == 0 and all(chunk in _generic_words() for chunk in chunks) and not stem.startswith(DESIGNATION_LEVELS)


@lru_cache(maxsize=1)
def _generic_words() -> frozenset[str]:
    return common_words() | stop_verbs()


def _name_goes_on(text: str, end: int) -> bool:
    """Whether a placed ending is followed by more of the name (温泉小镇提质项目), not by 今年, 已 …"""
    return is_cjk(text[end : end + 1] or "。") and not ends_boundary(text, end + 1) and not text.startswith(WORDS_AFTER_A_NAME, end)


def _start_of_name(context: Context, match: re.Match, placed: bool, phase: bool) -> tuple[int, bool]:
    """Where a name with this ending starts, and whether a place begins it; a place that builds a
    project is no part of its name (下陂村建设供莞蔬菜种植基地项目)."""
    verbs, anchor_verbs = _name_walk_verbs(placed, phase)
    reach = LONG_NAME_REACH if phase or match.group(0) in PROJECT_ENDINGS else NAME_REACH
    start, has_place = left_edge(context.text, match.start(), context.place_anchors, max_middle=reach, verbs=verbs, anchor_verbs=anchor_verbs)
    lead = _lead_before_the_name(context, start, match.start(), placed, has_place)
    if lead is not None:
        return lead, False
    if start > 0 and context.text[start - 1] == MIDDLE_DOT:  # 旬河水乡·罗家营乡村振兴示范区项目: the dot joins two parts of one name
        before, _ = left_edge(context.text, start - 1, context.place_anchors, max_middle=NAME_BEFORE_A_DOT, verbs=verbs, anchor_verbs=anchor_verbs)
        return (before, has_place) if start - 1 - before >= 2 else (start, has_place)
    return start, has_place


def _lead_before_the_name(context: Context, start: int, ending_at: int, placed: bool, has_place: bool) -> int | None:
    """Where the name starts after words that lead to it but are not part of it: a place that acts
    (某村建设…), a count (广东省首条绿美示范带), a verb of building before a long enough stem
    (…发展建设共同富裕示范区), a word for the article's own place (我县乡村振兴示范区); None when
    the name starts at ``start``."""
    text = context.text
    acting = phrasing("place_acts").match(text, _after_places(start, context.place_ends, ending_at)) if has_place else None
    if acting and ending_at - acting.end() >= 2:
        return acting.end()
    counts = list(phrasing("count_before_name").finditer(text, start, ending_at)) if has_place else []
    if counts and ending_at - counts[-1].end() >= 2:
        return counts[-1].end()
    builds = list(phrasing("builds_before_a_stem").finditer(text, start, ending_at)) if not placed else []
    if builds and ending_at - builds[-1].end() >= MIN_STEM_AFTER_BUILDING:
        return builds[-1].end()
    local = next((word for word in _LOCAL_REFERENCE_WORDS if text.startswith(word, start)), None)
    return start + len(local) if local else None


def _after_places(start: int, place_ends: dict[int, int], limit: int) -> int:
    """The end of the run of places that begins at ``start`` (``place_ends``: start → end of each place)."""
    position = start
    while position in place_ends and place_ends[position] <= limit:
        position = place_ends[position]
    return position


def _needs_place(rule: dict, ending: str, phase: bool, length: int) -> bool:
    """Placed endings need a place (unless they name a phase); so does a name shorter than the
    rule's ``short_needs_place`` says for its ending (a short …项目)."""
    limit = rule.get("short_needs_place", {}).get(ending)
    return (rule["placed"] and not phase) or (limit is not None and length < limit)


def _stands_alone(context: Context, start: int, match: re.Match) -> bool:
    """A long enough name, not inside a 《title》, not an area's name going on into a project's
    (…示范片项目), not closing a quotation, not the kind that follows one (“某某”乡村振兴示范带:
    the quotation is the name), not a kind that is counted (…产业园3个)."""
    inside_title = any(s <= start and match.end() <= e for s, e in context.titles)
    goes_on = (m := phrasing("name_goes_on").match(context.text, match.start())) is not None and m.end() == match.end()
    after_quote = start > 0 and context.text[start - 1] in QUOTE_CLOSINGS
    counted = phrasing("count_after_kind").match(context.text, match.end()) is not None
    return match.end() - start >= MIN_BARE_NAME and not inside_title and not goes_on and not after_quote and not counted \
        and not context.text.startswith(("”", "」"), match.end())


@finder("owned_project")
def owned_project(context: Context, rules: list[dict]) -> list[Candidate]:
    """A project whose name begins with the body that carries it out (某某实业有限公司铝型材和不锈钢
    冷轧板生产基地项目; a company's 生产基地 alone is a site, no project): a body ending like one of
    the rule's ``owners``, followed by the rule's ``pattern``, whose group ``middle`` holds no stop
    but the ``joiners`` and no strong verb or one of the rule's ``verbs`` (承建, 投资: the body does
    something to a project named apart)."""
    text = context.text
    found = []
    for rule in rules:
        owners, joiners, pattern = words(rule["owners"]), set(words(rule["joiners"])), rule_regex(rule["pattern"])
        verbs = STRONG_VERBS | frozenset(words(rule["verbs"]))
        for start, end in context.bodies:
            match = pattern.match(text, end) if text.endswith(owners, start, end) else None
            if match and _middle_of_a_name(match["middle"], joiners, verbs):
                found.append(Candidate(start, match.end(), rule["label"], rule["rule"]))
    return found


def _middle_of_a_name(middle: str, joiners: set[str], verbs: frozenset[str]) -> bool:
    """Whether the words between a body and a project ending belong to the project's name: no
    stop (的, 在) but a joiner of products (和, 及), and none of ``verbs``."""
    return not any(char in HARD_STOPS and char not in joiners for char in middle) \
        and not any(verb_ends_at(middle, i, verbs) for i in range(2, len(middle) + 1))


@finder("level_pairs")
def level_pairs(context: Context, rules: list[dict]) -> list[Candidate]:
    """Names of verbs on levels (驻镇帮镇扶村 unquoted; 强镇兴村 when also quoted or in a title),
    going on to 工程 where they do (百县千镇万村高质量发展工程)."""
    text = context.text
    quoted = quoted_spans(text)
    named = "".join(text[s:e] for s, e in quoted + context.titles)
    in_place = {i for start, end in context.places + quoted for i in range(start, end)}
    found, covered_until = [], 0
    for rule in rules:
        for match in phrasing("bare_level_pairs").finditer(text):
            name, start = match.group(1), match.start(1)
            in_title = any(s <= start < e for s, e in context.titles)
            if start < covered_until or start in in_place or not (len(name) == rule["length"] or (name in named and not in_title)):
                continue
            project = phrasing("level_pairs_programme").match(text, match.end(1))
            covered_until = project.end() if project else match.end(1)
            found.append(Candidate(start, covered_until, rule["label"], rule["rule"]))
    return found
