"""Containment from the division codes, and names inside names.

A template sees a sentence with every name as one unit; these procedures look inside names
and at what the gazetteer knows:

- ``containment_from_codes``: a place named in a sentence with its parent (by code) lies in it;
  a place right after a place that contains it (by code prefix) too, and a place without a code
  (a group, a hamlet) right after a place or after a list that starts there;
- ``located_by_name``: a body whose name begins with places is in the last of them
  (顺德区驻新兴县六祖镇工作队: in 六祖镇; 海丰农商银行梅陇支行: the branch's place), and one
  written right after a word for the article's place is there (我市某某公司);
- ``villages_of_the_scene``: villages without a code in a sentence that names one town lie in it;
- ``named_after_doer``: a programme whose name begins with a town or village is carried out
  there, and one whose name begins with a body (not a document's title) by that body;
- ``named_in_title``: a programme named inside a programme's name, or a campaign a document's
  title names (《连州市强镇兴村三年行动方案》), is what the document belongs to;
- ``issuer_in_title``: a document title that begins with a body was issued by it;
- ``header_issuers``: a notice headline on a line of its own (关于印发《…》的通知) was issued by
  the bodies that fill the lines right above it, and so were the documents its title marks name;
- ``signature_issuers``: a notice signed at its end by bodies on lines of their own above a date
  was issued by them, as were the documents it sends out (现将《…》印发给你们);
- ``body_named_after_programme``: a body named after a programme works for it
  (县“和美渔村”建设专班办公室 implements 和美渔村).
"""

from __future__ import annotations

from kg.resources import phrasing, word_list

from ..doc import ORGANIZATION, PLACE, PROGRAMME, Entity, Relation
from ..lexicon import BRANCH_SUFFIXES, is_document
from ..mentions import ArticleView, MentionRef, local_references, named_in_title as title_names
from ..subplaces import LEVEL_ENDINGS
from ..text import ends_with, sentence_bounds
from . import procedure, relation

TOWN_AND_VILLAGE_ENDINGS = word_list("town_and_village_endings")
TOWN_LEVELS = LEVEL_ENDINGS["town"] + ("街道",)
"""How the names of towns end (and of street offices): the town a scene's villages lie in."""
LOCAL_REFERENCE_REACH = 3
"""Length of the longest word for the article's place (镇里, 我市, 全县)."""
TITLE_OPENINGS = "《〈"
"""Marks that open a document's title."""
HEADER_LINES = 4
"""Most lines of issuing bodies a letterhead stacks above a notice headline."""
MIN_NAMED_PROGRAMME = 4
"""Shortest programme name that counts as named inside a body's name."""


@procedure("containment_from_codes")
def containment_from_codes(view: ArticleView) -> list[Relation]:
    """A place named in one sentence with its parent by code (or right after a place whose code
    contains its code) lies in it; 镇里, 全县 count as their place. A parent named only inside
    another name (兴宁市委书记…到黄槐镇, 《黄冈市…规则》) says where that name's body or title
    belongs, not where the other place lies (``_places_it``); a place written by its short form
    lies only in a place written right before it (``_written_where_it_lies``)."""
    relations = []
    for start, end in sentence_bounds(view.text):
        mentions = view.within(start, end)
        standing = {(m.start, m.end) for m in view.outermost(mentions)}
        places = [m for m in mentions if m.entity.label == PLACE]
        places = sorted(places + local_references(view, start, end), key=lambda m: (m.start, -m.end))
        for i, child in enumerate(places):
            relations += [_contained(view, child, parent) for parent in places[:i]
                          if _contains(view, child, parent) and _places_it(view, child, parent, standing)
                          and _written_where_it_lies(view, child, parent)]
    return relations


def _written_where_it_lies(view: ArticleView, child: MentionRef, parent: MentionRef) -> bool:
    """A full name lies where its code says; a short form (毗邻田心、赤光) only right after its place
    (兴宁市的大坪) or in a list that names its level (桂山、万山、担杆三个海岛镇). Away from its place a
    short form says which division is meant, not where it lies (in `genre-real` such pairs were
    mostly left unannotated)."""
    short = bool(child.entity.code) and not view.text[child.start : child.end].endswith(child.entity.name[-1])
    return not short or phrasing("right_after_a_place").fullmatch(view.text, parent.end, child.start) is not None \
        or phrasing("short_forms_of_a_kind").match(view.text, child.end) is not None


@procedure("villages_of_the_scene")
def villages_of_the_scene(view: ArticleView) -> list[Relation]:
    """Villages without a code in a sentence that names one town or township before them lie in it
    (检查组在白石镇先后察看了上坪村、新围村): the division list lacks them, the sentence sets the scene."""
    relations = []
    for start, end, mentions in view.sentences:
        places = [m for m in view.outermost(mentions) if m.entity.label == PLACE]
        for village in [m for m in places if not m.entity.code and m.entity.name.endswith(LEVEL_ENDINGS["village"])]:
            towns = {m.entity.key: m for m in places if m.end <= village.start and m.entity.name.endswith(TOWN_LEVELS)}
            if len(towns) == 1:
                town = next(iter(towns.values()))
                relations.append(relation(village.entity, "containedInPlace", town.entity, view.text, town.start, village.end, 0.6))
    return relations


def _places_it(view: ArticleView, child: MentionRef, parent: MentionRef, standing: set[tuple[int, int]]) -> bool:
    """Whether the parent, where it is written, says where the child lies: it stands as a name of its
    own, or it is right before the child, or a word of belonging comes between them."""
    if (parent.start, parent.end) in standing or _adjacent(view, child, parent):
        return True
    return phrasing("belonging_cue").search(view.text, parent.end, child.start) is not None


def _adjacent(view: ArticleView, child: MentionRef, parent: MentionRef) -> bool:
    """Whether ``child`` is written right after ``parent``; a place without a code also after a list
    that starts right after it (华坪村水南组、新兴组: 新兴组 is written under 华坪村 too)."""
    listed = not child.entity.code and phrasing("listed_before_item").fullmatch(view.text, parent.end, child.start) is not None
    return parent.end == child.start or listed


def _contains(view: ArticleView, child: MentionRef, parent: MentionRef) -> bool:
    """By code (the child's parent division, or a code under the parent's right after it), or a
    place without a code (a group, a hamlet) written right after the parent."""
    if parent.entity is child.entity:
        return False
    direct = bool(child.entity.ancestors) and child.entity.ancestors[0].code == parent.entity.code
    return direct or (_adjacent(view, child, parent) and (code_inside(child.entity, parent.entity) or not child.entity.code))


def _contained(view: ArticleView, child: MentionRef, parent: MentionRef) -> Relation:
    confidence = 0.95 if _adjacent(view, child, parent) else 0.8
    return relation(child.entity, "containedInPlace", parent.entity, view.text, parent.start, child.end, confidence)


def code_inside(child: Entity, parent: Entity) -> bool:
    """Whether the child's code lies under the parent's (its prefix before the trailing zeros)."""
    if not child.code or not parent.code:
        return False
    prefix = parent.code.rstrip("0")
    return child.code != parent.code and child.code.startswith(prefix)


@procedure("located_by_name")
def located_by_name(view: ArticleView) -> list[Relation]:
    """A body whose name begins with places is in the last place of that run (across 驻, after
    中共); a branch (…梅陇支行) is where its place says."""
    relations = []
    seen: set[str] = set()
    for mention in view.mentions:
        if mention.entity.label != ORGANIZATION or mention.entity.key in seen:
            continue
        place = _branch_place(view, mention) or _leading_place(view, mention) or _reference_before(view, mention)
        if place is not None:
            seen.add(mention.entity.key)
            relations.append(relation(mention.entity, "locatedIn", place.entity, view.text, mention.start, mention.end, 0.95))
    return relations


def _leading_place(view: ArticleView, body: MentionRef) -> MentionRef | None:
    """The last of the places a body's name begins with, each inside the one before it (in
    江西省浙江总商会 the chamber is in 江西省: 浙江 is where its members come from); a place
    inside that one written right before the name is more precise (火连坡镇湖南某某合作社)."""
    prefix = phrasing("party_name").match(view.text, body.start)
    position = prefix.end() if prefix else body.start
    place, stationed = None, None
    while (inner := view.starting_at(position, PLACE)) is not None and inner.end < body.end:
        if place is not None and stationed is None and not _may_lie_in(inner.entity, place.entity):
            break
        place, position = inner, inner.end
        stationed = phrasing("stationed_in").match(view.text, position)
        position = stationed.end() if stationed else position  # 顺德区驻新兴县六祖镇工作队: based where it is stationed
    before = view.ending_at(body.start, (PLACE,))
    if place is not None and before is not None and code_inside(before.entity, place.entity):
        return before
    return place


def _reference_before(view: ArticleView, body: MentionRef) -> MentionRef | None:
    """我市某某公司, 全县某某合作社: a word for the article's place right before the name."""
    start = max(0, body.start - LOCAL_REFERENCE_REACH)
    return next((r for r in local_references(view, start, body.start) if r.end == body.start and r.entity.label == PLACE), None)


def _may_lie_in(inner: Entity, outer: Entity) -> bool:
    """Whether ``inner`` may lie in ``outer``: it does by code, or one of them has none."""
    return not (inner.code and outer.code) or code_inside(inner, outer)


def _branch_place(view: ArticleView, body: MentionRef) -> MentionRef | None:
    """海丰农商银行梅陇支行: the place the branch is named after."""
    return next((p for p in view.within(body.start, body.end) if p.entity.label == PLACE and view.text[p.end : body.end] in BRANCH_SUFFIXES), None)


def _programmes(view: ArticleView) -> list[tuple[MentionRef, list[MentionRef]]]:
    """Every programme mention (back-references too) with the mentions of its sentence."""
    found = []
    for start, end, mentions in view.sentences:
        programmes = [m for m in mentions if m.entity.label == PROGRAMME] + [r for r in view.references if start <= r.start < end]
        found += [(programme, mentions) for programme in programmes]
    return found


@procedure("named_after_doer")
def named_after_doer(view: ArticleView) -> list[Relation]:
    """A programme whose name begins with a town or village, written with its level ending, is
    carried out there (新塘镇美丽圩镇建设, but not 古鹤中医药产业园 by 古鹤村); in a run of places
    (城厢镇南通村…项目), the last one. One whose name begins with a body is carried out by it
    (某某有限公司…生产基地项目), unless it is a document the body issued (``issuer_in_title``;
    《国务院工作规则》), nor is a document the body of a place issued carried out by the place
    (《某镇政府工作报告》)."""
    relations = []
    for programme, mentions in _programmes(view):
        if _inside_a_title(view.outermost(mentions), programme):
            continue
        titled = is_document(programme.entity.name) or (programme.start > 0 and view.text[programme.start - 1] in TITLE_OPENINGS)
        body = view.starting_at(programme.start, ORGANIZATION)
        issued = titled and body is not None and body.end < programme.end  # 《某镇政府工作报告》: the body issued it
        doer = None if issued else _place_in_front(view, programme)
        doer = doer or (body if not titled and body is not None and body.end < programme.end else None)
        if doer is not None:
            relations.append(relation(doer.entity, "implements", programme.entity, view.text, programme.start, programme.end, 0.6))
    return relations


def _place_in_front(view: ArticleView, programme: MentionRef) -> MentionRef | None:
    """The town or village a programme's name begins with (the last of a run of places)."""
    inner = view.starting_at(programme.start, PLACE)
    while inner is not None and (following := view.starting_at(inner.end, PLACE)) is not None and following.end < programme.end:
        inner = following  # 城厢镇南通村…改造项目: the village the town's name leads to
    if inner is not None and inner.end < programme.end and view.text[inner.start:inner.end].endswith(TOWN_AND_VILLAGE_ENDINGS):
        return inner
    return None


def _inside_a_title(outer: list[MentionRef], programme: MentionRef) -> bool:
    """Whether a programme is named inside another programme's name (a campaign in a document title)."""
    return any(o.entity.label == PROGRAMME and o.start < programme.start and programme.end <= o.end for o in outer)


@procedure("named_in_title")
def named_in_title(view: ArticleView) -> list[Relation]:
    """A programme named inside a programme's name, or a campaign a document's title names
    (by name, alias or the long form it abbreviates), is what the programme belongs to; the
    document a notice issues is none of its parts (关于印发《…方案》的通知)."""
    relations = []
    for programme, mentions in _programmes(view):
        named = _named_inside(view, programme, mentions)
        if is_document(programme.entity.name):
            named.update(_campaigns_named(view, programme.entity))
        start, end = max(0, programme.start - 1), min(len(view.text), programme.end + 1)
        relations += [relation(programme.entity, "partOfProgramme", inner, view.text, start, end, 0.85) for inner in named.values()]
    return relations


def _named_inside(view: ArticleView, programme: MentionRef, mentions: list[MentionRef]) -> dict[str, Entity]:
    """The programmes named inside a programme's name, but for the document a notice issues."""
    return {inner.entity.key: inner.entity for inner in mentions
            if inner.entity.label == PROGRAMME and inner.entity is not programme.entity and programme.start <= inner.start
            and inner.end <= programme.end and not _issued_by_notice(view.text, inner.start)}


def _campaigns_named(view: ArticleView, document: Entity) -> dict[str, Entity]:
    """The campaigns a document's title names (by name, alias or long form), but for the one a notice issues."""
    return {e.key: e for e in view.entities.values() if e.label == PROGRAMME and e is not document
            and not is_document(e.name) and title_names(e, document.name)
            and not _issued_by_notice(document.name, document.name.find(e.name))}


def _issued_by_notice(text: str, position: int) -> bool:
    """Whether the name at ``position`` is the document a notice issues (关于印发《…》的通知);
    a position of -1 (not written there literally) never is."""
    return position >= 0 and ends_with(phrasing("notice_issues"), text, position, 4) is not None


@procedure("issuer_in_title")
def issuer_in_title(view: ArticleView) -> list[Relation]:
    """A document title that begins with a body was issued by it (《怀集县农业农村局关于…的通知》)."""
    relations = []
    for programme, _ in _programmes(view):
        head = view.starting_at(programme.start, ORGANIZATION) if is_document(programme.entity.name) else None
        if head is not None and head.end < programme.end:
            relations.append(relation(programme.entity, "issuedBy", head.entity, view.text, programme.start - 1, programme.end + 1, 0.85))
    return relations


@procedure("header_issuers")
def header_issuers(view: ArticleView) -> list[Relation]:
    """A notice headline that opens a line without its issuer (关于印发《…》的通知) was issued by the
    bodies filling the lines right above it (中共某县委 / 某县人民政府), as were the documents it names."""
    relations = []
    for programme in (m for m in view.mentions if m.entity.label == PROGRAMME):
        if not phrasing("headline_without_issuer").match(programme.entity.name) or view.text[programme.start - 1 : programme.start] not in ("", "\n"):
            continue
        named = [m for m in view.within(programme.start, programme.end) if m.entity.label == PROGRAMME and is_document(m.entity.name)]
        for issuer in _bodies_on_the_lines_above(view, programme.start):
            relations += [relation(document.entity, "issuedBy", issuer.entity, view.text, issuer.start, programme.end, 0.8) for document in named]
    return relations


@procedure("signature_issuers")
def signature_issuers(view: ArticleView) -> list[Relation]:
    """A notice signed at its end (某镇人民政府 above 2024年5月1日, each on a line of its own) was issued
    by the bodies that sign it, as were the documents it sends out (现将《…》印发给你们) and those
    its headline names (关于印发《…》的通知)."""
    dates = list(phrasing("signature_date").finditer(view.text))
    signers = _bodies_on_the_lines_above(view, dates[-1].start()) if dates else []
    if not signers:
        return []  # most articles: no signed notice, so no document to look for
    sent = [m for m in view.mentions if m.entity.label == PROGRAMME and _sent_out(view, m)]
    return [relation(document.entity, "issuedBy", signer.entity, view.text, document.start, signer.end, 0.8) for document in sent for signer in signers]


def _sent_out(view: ArticleView, document: MentionRef) -> bool:
    """Whether a notice sends the document out: 现将《…》印发给你们, or it is the notice's headline
    (关于印发《…》的通知) or named in it."""
    if phrasing("sent_out").match(view.text, document.end):
        return True
    return any(phrasing("headline_without_issuer").match(m.entity.name) for m in view.mentions
               if m.entity.label == PROGRAMME and m.start <= document.start and document.end <= m.end)


def _bodies_on_the_lines_above(view: ArticleView, position: int) -> list[MentionRef]:
    """The bodies that each fill one of the lines right above ``position`` (a letterhead), nearest last."""
    bodies: list[MentionRef] = []
    line_end = position - 1
    while line_end > 0 and len(bodies) < HEADER_LINES:
        line_start = view.text.rfind("\n", 0, line_end) + 1
        line = view.text[line_start:line_end]
        start = line_start + len(line) - len(line.lstrip())
        body = view.starting_at(start, ORGANIZATION)
        if body is None or body.end != line_start + len(line.rstrip()):
            break
        bodies.insert(0, body)
        line_end = line_start - 1
    return bodies


@procedure("body_named_after_programme")
def body_named_after_programme(view: ArticleView) -> list[Relation]:
    """A body named after a programme works for it: 县“和美渔村”建设专班办公室 implements 和美渔村."""
    relations = []
    programmes = [e for e in view.entities.values() if e.label == PROGRAMME and len(e.name) >= MIN_NAMED_PROGRAMME]
    for body in [m for m in view.mentions if m.entity.label == ORGANIZATION]:
        named = {inner.entity.key: inner.entity for inner in view.within(body.start, body.end) if inner.entity.label == PROGRAMME}
        named.update({p.key: p for p in programmes if p.name in body.entity.name})  # 马头镇驻镇帮镇扶村工作队
        relations += [relation(body.entity, "implements", programme, view.text, body.start, body.end, 0.8) for programme in named.values()]
    return relations
