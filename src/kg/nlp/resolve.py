"""Entity resolution within an article: one entity, however the article names it.

Runs after the place linker. Merges places that link to one division code
(梅县 and 梅县区, 湛江 and 湛江市); a programme with its abbreviation
(百县千镇万村高质量发展工程 and 百千万工程, declared by 以下简称 or by the shape
of the short name); a short document reference with the document (《方案》); a
short organisation name with the full one of the article's own place (市委 →
阳春市委); names written with fewer or shorter place prefixes (仁居镇党委 →
梅州市平远县仁居镇党委, 市住建局 → 化州市住房和城乡建设局, 客乡食品公司 →
紫金县客乡食品有限公司); and a surname plus title with the person of that
surname who holds it (欧阳书记 → 欧阳志远, 谭总 → the 谭 who is 总经理). It also
drops unlinked place names seen only inside other names (镇兴村 in 强镇兴村).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc

from kg.divisions import short_forms
from kg.resources import phrasing, phrasings, word_list

from .doc import ORGANIZATION, PERSON, PLACE, PROGRAMME, Entity, entity_key, text_of
from .lexicon import DOCUMENT_ENDINGS, LEVEL_WORDS, ORG_SUFFIXES_FREE, PROJECT_ENDINGS, STANDALONE_DEPARTMENTS, TITLES, bare_title, common_words, is_document, surnames

ABBREVIATION_NOTE = phrasing("abbreviation_note")
"""A declared abbreviation; a title in 《》 may hold quotation marks of its own."""


def shortened(name: str, form: str) -> str:
    """``name`` with the long form of the phrasing ``form`` replaced by its short one (有限公司 → 公司)."""
    return phrasing(form).sub(phrasings()[form]["replace"], name)


def merge_into(entities: dict[str, Entity], keep: Entity, other: Entity) -> None:
    """Fold ``other`` into ``keep``: its name becomes an alias, its mentions are added."""
    if other is keep:
        return
    keep.aliases |= other.aliases | {other.name}
    keep.aliases.discard(keep.name)
    keep.mentions = sorted(set(keep.mentions) | set(other.mentions))
    entities.pop(other.key, None)
    if keep.code is None and other.code is not None:
        keep.code, keep.code_confidence, keep.ancestors, keep.level = other.code, other.code_confidence, other.ancestors, other.level


def in_order(short: str, full: str) -> bool:
    """Whether every character of ``short`` occurs in ``full``, in the same order."""
    position = 0
    for char in short:
        position = full.find(char, position) + 1
        if position == 0:
            return False
    return True


def is_abbreviation(short: str, full: str) -> bool:
    """Whether ``short`` abbreviates ``full``: same first character, same last word, in order.

    百千万工程 abbreviates 百县千镇万村高质量发展工程; 强镇兴村 does not abbreviate
    信宜市“强镇兴村”结对帮扶行动实施方案 (different first character).
    """
    if len(short) >= len(full) or len(short) < 3 or short[0] != full[0] or short[-2:] != full[-2:]:
        return False
    return in_order(short, full)


LEVEL_ENDINGS = word_list("level_endings")
VILLAGE_ENDINGS = word_list("village_endings")
FEATURE_NAME_ENDINGS = word_list("feature_name_endings")


def resolve_places(entities: dict[str, Entity]) -> None:
    """One entity per division code; an unlinked short form joins the one full name it shortens."""
    places = [e for e in entities.values() if e.label == PLACE]
    for short in [e for e in places if not e.code]:
        full = _full_form(short, places)
        if full is not None and short.key in entities:
            merge_into(entities, full, short)
    for group in _by_code([e for e in entities.values() if e.label == PLACE and e.code]).values():
        keep = max(group, key=lambda e: (len(e.name), len(e.mentions)))
        for other in group:
            merge_into(entities, keep, other)


def _full_form(short: Entity, places: list[Entity]) -> Entity | None:
    """The one place an unlinked ``short`` name shortens: the linked one with a level ending
    (湛江 → 湛江市), else a village or community, linked or not (莲塘 → 莲塘村); none for a
    natural feature without a linked full form (锦江 the river is no 锦江村)."""
    fuller = [e for e in places if e.name.startswith(short.name) and e.name[len(short.name) :] in LEVEL_ENDINGS + VILLAGE_ENDINGS]
    coded = [e for e in fuller if e.code and e.name[len(short.name) :] in LEVEL_ENDINGS]
    if not coded and short.name.endswith(FEATURE_NAME_ENDINGS):
        return None
    return (coded or fuller)[0] if len(coded or fuller) == 1 else None


def _by_code(places: list[Entity]) -> dict[str, list[Entity]]:
    by_code: dict[str, list[Entity]] = defaultdict(list)
    for place in places:
        by_code[place.code].append(place)
    return by_code


def resolve_programmes(entities: dict[str, Entity], text: str) -> None:
    """A programme and its declared abbreviation, then its abbreviations by shape, are one programme."""
    programmes = {e.name: e for e in entities.values() if e.label == PROGRAMME}
    for match in ABBREVIATION_NOTE.finditer(text):
        full, short = programmes.get(match.group(1) or match.group(2)), programmes.get(match.group(3))
        if full and short and is_document(full.name):  # 《…实施方案》(下称《实施方案》): the title stays the name
            merge_into(entities, full, short)
        elif full and short:  # “百县千镇万村高质量发展工程”(以下简称“百千万工程”): the short name is the usual one
            merge_into(entities, short, full)
    _merge_abbreviations(entities, [e for e in entities.values() if e.label == PROGRAMME])


def resolve_body_abbreviations(entities: dict[str, Entity], text: str) -> None:
    """某县防汛抗旱指挥部(以下简称县防指): the short name declared right after a body's name is that
    body wherever it stands, as an alias and a mention; a body found under the short name is merged in."""
    bodies = {end: e for e in entities.values() if e.label == ORGANIZATION for _, end in e.mentions}
    for match in phrasing("body_abbreviation").finditer(text):
        body = bodies.get(match.start())
        if body is None or body.key not in entities:
            continue
        short = match["short"]
        named = entities.get(entity_key(ORGANIZATION, short))
        if named is not None and named is not body:
            merge_into(entities, body, named)
        covered = {i for e in entities.values() for start, end in e.mentions for i in range(start, end)}
        body.aliases.add(short)
        body.mentions = sorted(body.mentions + [m.span() for m in re.finditer(re.escape(short), text) if m.start() not in covered])


def _merge_abbreviations(entities: dict[str, Entity], programmes: list[Entity]) -> None:
    """百千万工程 and 百县千镇万村高质量发展工程: the short name keeps the long one as an alias."""
    for short in sorted(programmes, key=lambda e: len(e.name)):
        for full in programmes:
            if short.key in entities and full.key in entities and is_abbreviation(short.name, full.name):
                merge_into(entities, short, full)


MIN_PROJECT_CORE = 4
"""Shortest core of a project's name (云生工业园 of 杏陈云生工业园项目) that is taken as its short form."""
PROJECT_SITE_ENDINGS = tuple(word_list("project_site_endings"))
"""What a project's short form ends with: a site or a facility (…工业园, …基地), not an activity."""


def resolve_project_short_forms(entities: dict[str, Entity], text: str) -> None:
    """杏陈云生工业园项目, named in full once, is 云生工业园 later: the name without the places it
    starts with (or their stems, 杏陈 for 杏陈镇) and without 项目/工程. Where that core stands
    outside every other name, it is a mention of the project. Only a site or a facility is named
    so (茶旅融合 of 白洞村茶旅融合项目 is an activity), and a core that starts with a common word
    (乡村振兴示范带) is a kind, not a short form."""
    prefixes = _place_prefixes(entities)
    covered = {i for e in entities.values() for start, end in e.mentions for i in range(start, end)}
    for project in [e for e in entities.values() if e.label == PROGRAMME and e.name.endswith(PROJECT_ENDINGS)]:
        core = _project_core(project.name, prefixes)
        if core is None:
            continue
        same = next((e for e in entities.values() if e.label == PROGRAMME and e.name == core), None)
        if same is not None:
            merge_into(entities, project, same)
        _add_mentions(project, core, [(m.start(), m.end()) for m in re.finditer(re.escape(core), text)], covered)


def _add_mentions(entity: Entity, written: str, spans: list[tuple[int, int]], covered: set[int]) -> None:
    """The spans that cross no other name become mentions of ``entity``, written as an alias (and
    are then covered: two projects with one core do not share its mentions)."""
    free = [(start, end) for start, end in spans if not covered.intersection(range(start, end))]
    if free:
        entity.mentions = sorted({*entity.mentions, *free})
        entity.aliases.add(written)
        covered.update(i for start, end in free for i in range(start, end))


def _place_prefixes(entities: dict[str, Entity]) -> list[str]:
    """The places' names and short forms (杏陈 for 杏陈镇) a project's name may start with, longest first."""
    places = [e for e in entities.values() if e.label == PLACE]
    names = [name for e in places for name in (e.name, *e.aliases)]
    stems = [stem for e in places if e.level for stem in short_forms(e.name, e.level)]
    return sorted({*names, *stems}, key=len, reverse=True)


def _project_core(name: str, prefixes: list[str]) -> str | None:
    """The name without its leading places (or their stems) and its project ending, when that is
    a name of its own: long enough, a site's, and not starting with a common word or a level."""
    core = name.removesuffix(next(end for end in PROJECT_ENDINGS if name.endswith(end)))
    while prefix := next((p for p in prefixes if core.startswith(p) and len(core) > len(p)), None):
        core = core[len(prefix) :]
    if len(core) < MIN_PROJECT_CORE or not core.endswith(PROJECT_SITE_ENDINGS) or core[:2] in common_words() or core.startswith(LEVEL_WORDS):
        return None
    return core


GENERIC_DOCUMENT_HEADS = word_list("generic_document_heads")
"""What a short reference to a document may start with: 《实施方案》, 《行动计划》, 《三年规划》."""


def resolve_document_references(entities: dict[str, Entity]) -> None:
    """《方案》 after 《饶平县茶产业高质量发展实施方案》 is that document: the last one before it with
    that ending (the headline may name 实施方案 before the body gives its title); a reference to
    no document named before is dropped."""
    programmes = [e for e in entities.values() if e.label == PROGRAMME]
    for reference in [e for e in programmes if _refers_to_a_document(e.name)]:
        documents = [(min(e.mentions)[0], e) for e in programmes if e is not reference and bare_title(e.name).endswith(reference.name)]
        named = next((max(earlier, key=lambda pair: pair[0])[1] for start, _ in sorted(reference.mentions)
                      if (earlier := [pair for pair in documents if pair[0] < start])), None)
        if named is not None:
            merge_into(entities, named, reference)
        else:
            entities.pop(reference.key, None)


def _refers_to_a_document(name: str) -> bool:
    """方案, 《实施方案》, 《行动计划》: a short name that stands for a document named in full."""
    return name in DOCUMENT_ENDINGS or (len(name) <= 4 and name.endswith(DOCUMENT_ENDINGS) and name[:2] in GENERIC_DOCUMENT_HEADS)


def _organisation_core(name: str, place_names: tuple[str, ...]) -> tuple[str, str]:
    """The leading places and the rest with the company form shortened: 紫金县客乡食品有限公司 → (紫金县, 客乡食品公司)."""
    full = name
    while True:
        place = next(
            (p for p in sorted(place_names, key=len, reverse=True)
             if name.startswith(p) and len(name) > len(p) + 1 and not name[len(p)].startswith(LEVEL_WORDS)),
            None,
        )
        if place is None:
            break
        name = name[len(place) :]
    return full[: len(full) - len(name)], shortened(shortened(name, "company_form"), "cooperative_form")


def resolve_organisation_short_forms(entities: dict[str, Entity]) -> None:
    """客乡食品公司 is 紫金县客乡食品有限公司 when nothing else in the article shortens to it."""
    place_names = tuple(e.name for e in entities.values() if e.label == PLACE) + tuple(a for e in entities.values() if e.label == PLACE for a in e.aliases)
    cores = defaultdict(list)
    for organisation in [e for e in entities.values() if e.label == ORGANIZATION]:
        if organisation.name.endswith(ORG_SUFFIXES_FREE):  # companies and cooperatives get shortened; bodies of a place do not
            places, core = _organisation_core(organisation.name, place_names)
            cores[core].append((places, organisation))
    for group in _fold_cores(cores).values():
        keep_places, keep = max(group, key=lambda pair: len(pair[1].name))
        for places, other in group:
            if keep_places.endswith(places):  # 安流镇卫生院 and 横陂镇卫生院 stay two
                merge_into(entities, keep, other)


def _fold_cores(cores: dict[str, list]) -> dict[str, list]:
    """绿岭油茶公司 is 绿岭油茶发展公司 when it is the only fuller core."""
    for core in sorted(cores, key=len):
        fuller = [c for c in cores if c != core and len(c) > len(core) and c[:2] == core[:2] and c[-2:] == core[-2:] and in_order(core, c)]
        if len(fuller) == 1 and len(core) >= 4:
            cores[fuller[0]] += cores.pop(core)
    return cores


def _place_and_body(name: str, places: dict[str, Entity]) -> tuple[Entity | str | None, str]:
    """Split an organisation name into the place it starts with (an entity, or a bare level word
    such as 市) and the body: 英德市供销合作联社 → (英德市, 供销合作联社), 市住建局 → (市, 住建局);
    the party's name before it is no part of either (中共徐闻县委 is 徐闻县委)."""
    name = name[party.end() :] if (party := phrasing("party_prefix").match(name)) else name
    prefix = max((p for p in places if name.startswith(p) and len(name) > len(p)), key=len, default=None)
    if prefix is not None:
        body = name[len(prefix) :]
        if len(prefix) == 2 and len(body) > 1 and body[0] == prefix[-1]:
            body = body[1:]  # 兴县县委: the body of 兴县 is 委, its level written twice
        return places[prefix], body
    level = next((w for w in LEVEL_WORDS if name.startswith(w) and len(name) > len(w)), None)
    return (level, name[len(level) :]) if level else (None, name)


def abbreviates_body(short: str, full: str) -> bool:
    """住建局 for 住房和城乡建设局, 供销社 for 供销合作联社, 政府 for 人民政府: the same body named
    by some of its characters, in order, keeping the first and the last."""
    short, full = shortened(short, "government_form"), shortened(full, "government_form")
    if short == full:
        return True
    if len(short) < 2 or len(short) >= len(full) or short[0] != full[0] or short[-1] != full[-1] or full.startswith(short):
        return False  # 纪委监委 is 纪委 and more, not 纪委 abbreviated
    return in_order(short, full)


def resolve_short_organisations(entities: dict[str, Entity]) -> None:
    """市委 is the 市委 of the one city-level place the article names a 市委 for; 市住建局 is its
    化州市住房和城乡建设局, 阳山县政府 its 阳山县人民政府, 连南县委常委会 its 连南瑶族自治县委常委会."""
    organisations = [e for e in entities.values() if e.label == ORGANIZATION]
    places = {name: e for e in entities.values() if e.label == PLACE for name in (e.name, *e.aliases)}
    split = {o.key: _place_and_body(o.name, places) for o in organisations}
    for short in sorted(organisations, key=lambda e: len(e.name)):
        if split[short.key][0] is None or short.key not in entities:
            continue
        fuller = [full for full in organisations if full.key in entities and _names_more_fully(short, full, split)]
        fuller = _the_one_fuller(fuller, split, short if isinstance(split[short.key][0], str) else None)
        if len(fuller) == 1:
            merge_into(entities, fuller[0], short)


def _names_more_fully(short: Entity, full: Entity, split: dict[str, tuple[Entity | str | None, str]]) -> bool:
    """Whether ``full`` names the body ``short`` names, in the same place, with more characters."""
    (where, body), (place, full_body) = split[short.key], split[full.key]
    if full is short or not isinstance(place, Entity) or len(full.name) <= len(short.name):
        return False
    if isinstance(where, str):
        return place.name.endswith(where) and abbreviates_body(body, full_body)
    if not short.name.startswith(place.name) and body.startswith(place.name[-1]):  # 连南县委 → 连南瑶族自治县 + 委
        body = body[1:]
    return (where is place or place.name.startswith(where.name)) and abbreviates_body(body, full_body)


NEAR_FULLER_BODY = 40
"""How many characters after a full body's name (茂名市委书记…,) a bare 市委 still means that body."""


def _the_one_fuller(fuller: list[Entity], split: dict[str, tuple[Entity | str | None, str]], by_level: Entity | None) -> list[Entity]:
    """Of one place's bodies, the fullest name (阳山县政府, 阳山县人民政府); for 市委 and the like
    (``by_level``), the body named just before its first mention (茂名市委书记某,市委副书记某),
    else the body of the place the article names most."""
    if len({id(split[o.key][0]) for o in fuller}) == 1:
        return [max(fuller, key=lambda o: len(o.name))]
    if len(fuller) > 1 and by_level is not None:
        return _named_just_before(fuller, by_level) or _of_the_place_named_most(fuller, split)
    return fuller


def _named_just_before(fuller: list[Entity], bare: Entity) -> list[Entity]:
    """The body named last within ``NEAR_FULLER_BODY`` characters before the bare name's first mention."""
    first = min(start for start, _ in bare.mentions) if bare.mentions else None
    before = [(end, o.name) for o in fuller for _, end in o.mentions if first is not None and 0 <= first - end <= NEAR_FULLER_BODY]
    return [o for o in fuller if o.name == max(before)[1]] if before else []


def _of_the_place_named_most(fuller: list[Entity], split: dict[str, tuple[Entity | str | None, str]]) -> list[Entity]:
    """The body of the place the article names most, if one place is named more than the others."""
    counts = sorted((len(split[o.key][0].mentions), o.name) for o in fuller)
    return [o for o in fuller if o.name == counts[-1][1]] if counts[-1][0] > counts[-2][0] else []


def resolve_noted_titles(entities: dict[str, Entity]) -> None:
    """政府工作报告 and 政府工作报告(草案) in one article are one document, named in full; “高质量发展、
    支部在行动” and “高质量发展,支部在行动” are one campaign, whatever punctuation parts it."""
    programmes = {e.name: e for e in entities.values() if e.label == PROGRAMME}
    for name, noted in programmes.items():
        bare = programmes.get(phrasing("stage_note").sub("", name))
        if bare is not None and bare is not noted and bare.key in entities and noted.key in entities:
            merge_into(entities, noted, bare)
    by_words: dict[str, list[Entity]] = defaultdict(list)
    for programme in [e for e in entities.values() if e.label == PROGRAMME]:
        by_words[phrasing("name_punctuation").sub("", programme.name)].append(programme)
    for group in by_words.values():
        keep = max(group, key=lambda e: (len(e.mentions), e.name))
        for other in group:
            merge_into(entities, keep, other)


def resolve_level_bodies(entities: dict[str, Entity]) -> None:
    """县政府 and 县人民政府, 县人大常委会 and 县十五届人大常委会, each named by the level alone or
    after the same place (清远市人大常委会, 清远市十五届人大常委会), are one body, named in full."""
    places = {e.name: e for e in entities.values() if e.label == PLACE}
    groups: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for organisation in [e for e in entities.values() if e.label == ORGANIZATION]:
        where, body = _place_and_body(organisation.name, places)
        if where is not None:
            place = where if isinstance(where, str) else where.key
            groups[(place, phrasing("session").sub("", shortened(body, "government_form")))].append(organisation)
    for group in groups.values():
        keep = max(group, key=lambda e: len(e.name))
        for other in group:
            merge_into(entities, keep, other)


def resolve_named_departments(entities: dict[str, Entity]) -> None:
    """组织部 named alone in a chain of posts (区委常委、组织部部长) is the one 区委组织部 of the article."""
    organisations = [e for e in entities.values() if e.label == ORGANIZATION]
    for department in [o for o in organisations if o.name in STANDALONE_DEPARTMENTS]:
        fuller = [o for o in organisations if o is not department and o.name.endswith(department.name) and o.key in entities]
        if len(fuller) == 1:
            merge_into(entities, fuller[0], department)


def resolve_papers_and_their_publishers(entities: dict[str, Entity]) -> None:
    """潮州日报 and 潮州日报社 in one article are one outlet, named by the longer form."""
    organisations = {e.name: e for e in entities.values() if e.label == ORGANIZATION}
    for name, paper in organisations.items():
        publisher = organisations.get(phrasing("paper").sub(phrasings()["paper"]["replace"], name)) if phrasing("paper").search(name) else None
        if publisher is not None and publisher is not paper and paper.key in entities and publisher.key in entities:
            merge_into(entities, publisher, paper)


def resolve_place_prefixed_organisations(entities: dict[str, Entity]) -> None:
    """仁居镇党委 is 梅州市平远县仁居镇党委 named without its outer places: one entity, the fuller name."""
    place_names = tuple(e.name for e in entities.values() if e.label == PLACE)
    organisations = sorted((e for e in entities.values() if e.label == ORGANIZATION), key=lambda e: len(e.name))
    for short in organisations:
        if not short.name.startswith(place_names):
            continue
        longer = [o for o in organisations if o.key in entities and len(o.name) > len(short.name) and o.name.endswith(short.name)
                  and o.name[: -len(short.name)].endswith(place_names)]
        if len(longer) == 1 and short.key in entities:
            merge_into(entities, longer[0], short)


def resolve_names_without_their_place(entities: dict[str, Entity]) -> None:
    """温泉小镇提质项目 after 汤南镇温泉小镇提质项目: the same name without the place it began with."""
    places = sorted({name for e in entities.values() if e.label == PLACE for name in (e.name, *e.aliases)}, key=lambda n: (-len(n), n))
    for label in (ORGANIZATION, PROGRAMME):
        named = {e.name: e for e in entities.values() if e.label == label}
        for full in list(named.values()):
            for short in _without_places(full.name, places, named):  # 惠东县白花预制菜产业园 → 白花预制菜产业园 → 预制菜产业园
                if short is not full and short.key in entities and full.key in entities:
                    merge_into(entities, full, short)


def _without_places(name: str, places: list[str], named: dict[str, Entity]) -> list[Entity]:
    """The entities named like ``name`` with one, two … of the places it begins with left out."""
    found, rest = [], name
    while place := next((p for p in places if rest.startswith(p) and len(rest) > len(p) + 3), None):
        rest = rest[len(place) :]
        found += [named[rest]] if rest in named else []
    return found


def drop_nested_places(entities: dict[str, Entity]) -> None:
    """A place named only inside other names, never at their start, is not a place the article
    speaks of: without a code it is a word fragment (强镇兴村); a province inside a programme's
    name (not inside a body's) is part of the name (广东 in 绿美广东生态建设)."""
    spans, programme_spans, body_spans = _spans(entities), _spans(entities, PROGRAMME), _spans(entities, ORGANIZATION)
    for entity in [e for e in entities.values() if e.label == PLACE and (not e.code or e.code.endswith("0" * 10))]:
        if all(_only_inside(mention, programme_spans if entity.code else spans, body_spans) for mention in entity.mentions):
            entities.pop(entity.key)


def _spans(entities: dict[str, Entity], label: str | None = None) -> list[tuple[int, int]]:
    """The mention spans of every entity (of ``label``)."""
    return [span for entity in entities.values() if label is None or entity.label == label for span in entity.mentions]


def _only_inside(mention: tuple[int, int], inside: list[tuple[int, int]], body_spans: list[tuple[int, int]]) -> bool:
    """Whether a mention lies inside one of ``inside`` (not at its start) and inside no body's name."""
    start, end = mention
    return any(s < start and end <= e for s, e in inside) and not any(s <= start and end <= e for s, e in body_spans)


_ADDRESS_TITLE = re.compile("|".join(map(re.escape, TITLES)) + "|" + phrasing("address_title").pattern)
"""A title, or the 总 that addresses the head of a company (谭总)."""
HEAD_CUES = word_list("head_cues")


def _title_near(text: str, cues: tuple[str, ...], name: str) -> bool:
    """Whether ``name`` is given one of ``cues`` in the text: the cue up to 12 characters before it
    or up to 16 after it, within a sentence."""
    position = text.find(name)
    while position >= 0:
        before = re.split("[。\n]", text[max(0, position - 12 - 4) : position])[-1]
        after = re.split("[。\n]", text[position + len(name) : position + len(name) + 16 + 4])[0]
        if any(cue in before[-(12 + len(cue)) :] or cue in after[: 16 + len(cue)] for cue in cues):
            return True
        position = text.find(name, position + 1)
    return False


def resolve_surname_titles(entities: dict[str, Entity], text: str) -> None:
    """Add 冯镇长 to 冯建华 when 冯建华 is the one person of that surname the article gives that title."""
    people = [e for e in entities.values() if e.label == PERSON]
    addresses = list(_ADDRESS_TITLE.finditer(text))
    for person in people:
        surname = person.name[:2] if person.name[:2] in surnames() and len(person.name) >= 3 else person.name[0]
        same_surname = [p for p in people if p.name.startswith(surname)]
        for match in addresses:
            start = match.start() - len(surname)
            if start >= 0 and text[start : match.start()] == surname and _the_one_addressed(text, match.group(0), person, same_surname):
                person.aliases.add(text[start : match.end()])
                person.mentions.append((start, match.end()))
                entities.pop(f"{PERSON}:{text[start : match.end()]}", None)


def _the_one_addressed(text: str, title: str, person: Entity, same_surname: list[Entity]) -> bool:
    """Whether ``person`` is the one of that surname the article gives ``title`` (for 谭总: a head's
    title), or the only one of that surname when nobody is given it."""
    cues = (title,) if title in TITLES else HEAD_CUES
    holders = [p for p in same_surname if _title_near(text, cues, p.name)]
    return holders == [person] or (not holders and same_surname == [person])


STEPS: dict[str, Callable[[dict[str, Entity], str], None]] = {
    "places": lambda entities, text: resolve_places(entities),
    "nested_places": lambda entities, text: drop_nested_places(entities),
    "programmes": resolve_programmes,
    "body_abbreviations": resolve_body_abbreviations,
    "project_short_forms": resolve_project_short_forms,
    "document_references": lambda entities, text: resolve_document_references(entities),
    "noted_titles": lambda entities, text: resolve_noted_titles(entities),
    "short_organisations": lambda entities, text: resolve_short_organisations(entities),
    "level_bodies": lambda entities, text: resolve_level_bodies(entities),
    "named_departments": lambda entities, text: resolve_named_departments(entities),
    "papers_and_publishers": lambda entities, text: resolve_papers_and_their_publishers(entities),
    "place_prefixed_organisations": lambda entities, text: resolve_place_prefixed_organisations(entities),
    "organisation_short_forms": lambda entities, text: resolve_organisation_short_forms(entities),
    "names_without_their_place": lambda entities, text: resolve_names_without_their_place(entities),
    "surname_titles": resolve_surname_titles,
}
"""The resolution steps by name, in the order the resolver runs them by default."""


@Language.factory("kg_resolver", default_config={"steps": list(STEPS)})
def make_resolver(nlp: Language, name: str, steps: list[str]) -> "Resolver":
    """The resolver, running the named ``steps`` (keys of ``resolve.STEPS``) in this order."""
    unknown = [step for step in steps if step not in STEPS]
    if unknown:
        raise ValueError(f"kg_resolver: unknown step {unknown[0]!r}; the steps are {', '.join(STEPS)}")
    return Resolver(steps)


class Resolver:
    """Merges the entities of ``doc._.entities`` that are one entity."""

    def __init__(self, steps: list[str] = list(STEPS)) -> None:
        self.steps = [STEPS[step] for step in steps]

    def __call__(self, doc: Doc) -> Doc:
        entities: dict[str, Entity] = doc._.entities
        for step in self.steps:
            step(entities, text_of(doc))
        doc._.entities = {e.key: e for e in entities.values()}
        return doc
