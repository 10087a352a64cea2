"""Who carries out a programme, where no single template says so.

- ``verb_subjects``: the subject of the last implementing verb before a programme (推进, 打造 …):
  what 把 takes and who does it, else the first actor of the verb's clause with those joined to
  it, else of the nearest earlier clause that names one; and the places after 在 right before
  the verb (郁南县还在宝珠镇开展…试点);
- ``round_up``: an article on “P”重点项目集中开工: the projects its sentences report starting are parts of P;
- ``park_members``: bodies that settle in or work for "the park" without naming it;
- ``carried_out``: 县林业局负责牵头组织实施 with no programme in the sentence: the document the
  article is about;
- ``linked_places``: villages a belt 串联 (or that 把…串成一条线) take part in it;
- ``designees``: the places a naming lists (命名A村、B村为“D”, 公布“D”名单:A村、B村) earn the designation.
"""

from __future__ import annotations

import re
from collections import Counter

from kg.resources import phrasing, word_list

from ..doc import ORGANIZATION, PERSON, PLACE, PROGRAMME, Entity, Relation
from ..lexicon import IMPLEMENT_VERBS, INSPECTION_VERBS, MEDIA_ENDINGS, PROJECT_ENDINGS, bare_title, is_document
from ..mentions import ArticleView, MentionRef, awards, is_destination, local_references
from ..text import ends_with, last_match, sentence_bounds
from . import actor_list, clause_start, procedure, relation

PARK_WORDS = word_list("park_words")
PARK_ENDINGS = word_list("park_endings")
FRAMING_VERBS = word_list("framing_verbs")
"""Implementing verbs that frame a sentence (根据《…》, 围绕…): one that opens a sentence has its doer after it."""
ROUND_UP_REACH = 12
"""How far after “P”重点项目 its 集中开工 may stand."""
BELT_ENDING_CHARS = 4
"""The last characters of a name searched for what makes it a belt (示范带, …线)."""
_IMPLEMENT_VERB = re.compile("|".join(IMPLEMENT_VERBS))
_INSPECTION_VERB = re.compile("|".join(INSPECTION_VERBS))


@procedure("verb_subjects")
def verb_subjects(view: ArticleView) -> list[Relation]:
    """The actors of the last implementing verb before each programme of a sentence."""
    relations = []
    topic = None
    for start, end, mentions in view.sentences:
        outer = view.outermost(mentions)
        programmes = [m for m in mentions if m.entity.label == PROGRAMME] + [r for r in view.references if start <= r.start < end]
        for programme in programmes:
            if not any(o.entity.label == PROGRAMME and o.start < programme.start and programme.end <= o.end for o in outer):
                relations += _implementers(view, programme, outer, start, topic)  # not a campaign inside a document title
        topic = _topic(view, outer)
    return relations


def _topic(view: ArticleView, outer: list[MentionRef]) -> MentionRef | None:
    """What a sentence is about: its first place or body that is no modifier of a noun (高州抢抓机遇 …),
    the doer of the next sentence when that one opens with its verb (获评…)."""
    actors = [m for m in outer if m.entity.label in (PLACE, ORGANIZATION) and not m.entity.name.endswith(MEDIA_ENDINGS)]
    return actors[0] if actors and not phrasing("noun_after_actor").match(view.text, actors[0].end) else None


def _implementers(view: ArticleView, programme: MentionRef, outer: list[MentionRef], sentence_start: int,
                  topic: MentionRef | None) -> list[Relation]:
    """Who carries out ``programme`` by the last implementing verb before it: the verb's subjects in
    the sentence, or, when the verb opens the sentence and frames nothing (获评…, not 根据《…》), the
    ``topic`` of the sentence before."""
    text = view.text
    quote_start = programme.start - 1 if text[programme.start - 1 : programme.start] in "“「《" else programme.start
    actors = _actors(view, outer, sentence_start, programme.end, quote_start)
    named = [(m.start, m.end) for m in outer if m.entity.label == PROGRAMME]
    verb_at = _verb_before(text, sentence_start, quote_start, named)
    if verb_at is not None and not actors and topic is not None and phrasing("verb_opens_the_sentence").fullmatch(text, sentence_start, verb_at) \
            and not text.startswith(FRAMING_VERBS, verb_at):
        return [relation(topic.entity, "implements", programme.entity, text, sentence_start, min(len(text), programme.end + 1), 0.6)]
    if verb_at is None or not actors or _acts_on_something_else(text, outer, verb_at, quote_start):
        return []
    end = min(len(text), programme.end + 1)
    found = [relation(h.entity, "implements", programme.entity, text, h.start - 1, end, 0.7) for h in _hosts(view, actors, verb_at)]
    return found + [relation(s.entity, "implements", programme.entity, text, s.start, end, 0.7) for s in subjects_of(view, verb_at, actors, sentence_start)]


def _actors(view: ArticleView, outer: list[MentionRef], sentence_start: int, programme_end: int, quote_start: int) -> list[MentionRef]:
    """The places and bodies before a programme that may carry it out: no outlet, none that only
    modifies a noun (县委书记某某…), awards the programme (省林业局命名…) or is where a visit goes
    (赴某镇开展…), and the words for the article's place (全县, 镇里)."""
    text = view.text
    actors = [m for m in outer if m.end <= quote_start and m.entity.label in (PLACE, ORGANIZATION) and not m.entity.name.endswith(MEDIA_ENDINGS)
              and not phrasing("noun_after_actor").match(text, m.end) and not awards(text, m.end)
              and not is_destination(outer, m, text)]
    local = local_references(view, sentence_start, programme_end)
    return sorted(actors + [r for r in local if r.end <= quote_start], key=lambda m: m.start)


def _acts_on_something_else(text: str, outer: list[MentionRef], verb_at: int, quote_start: int) -> bool:
    """Whether the verb's object ends before the programme: a person's clause between them
    (调研…项目建设工作,副县长某某,某园区…) or an inspection verb (通过…方式,考察…)."""
    return any(m.entity.label == PERSON and verb_at < m.start < quote_start for m in outer) or bool(_INSPECTION_VERB.search(text, verb_at, quote_start))


def _verb_before(text: str, sentence_start: int, quote_start: int, named: list[tuple[int, int]]) -> int | None:
    """Where the last implementing verb before a programme starts, outside the other programmes
    ``named`` there (a verb inside another title, 《关于推行…》, acts on nothing here); 以“P”为牵引,
    是…“P”的…: the character right before the name (not in 列为)."""
    verbs = [v for v in _IMPLEMENT_VERB.finditer(text, sentence_start, quote_start) if not any(s <= v.start() < e for s, e in named)]
    verb_at = verbs[-1].start() if verbs else None
    if ends_with(phrasing("goal_before_programme"), text, quote_start, 2) and not text.endswith(IMPLEMENT_VERBS, 0, quote_start):
        return quote_start - 1
    return verb_at


def _hosts(view: ArticleView, actors: list[MentionRef], verb_at: int) -> list[MentionRef]:
    """The places listed after 在 right before the verb (在南寨村、三合村开展…)."""
    for actor in actors:
        if ends_with(phrasing("host_before"), view.text, actor.start, 1) and actor.entity.label == PLACE and actor.end <= verb_at:
            hosts = actor_list(view, actor.start, [b for b in actors if b.start >= actor.start and b.end <= verb_at])
            return hosts if hosts and hosts[-1].end == verb_at else []
    return []


def subjects_of(view: ArticleView, verb_at: int, actors: list[MentionRef], sentence_start: int) -> list[MentionRef]:
    """Who does what the verb at ``verb_at`` says: what 把 takes (and who does it), else the first
    actor of the verb's clause (with those joined to it by 、, 与, 和), else of the nearest earlier
    clause of the sentence that names one; nobody named, when they are a passive's agents (被…认定)."""
    disposed = _disposal(view, verb_at, actors, sentence_start)
    if disposed is not None:
        return disposed
    position = verb_at
    while position > sentence_start:
        previous = clause_start(view.text, sentence_start, position - 1, ",，;；:：")
        in_clause = [a for a in actors if previous <= a.start and a.end <= verb_at]
        if in_clause:
            subjects = _clause_subjects(view, verb_at, actors, in_clause, (sentence_start, previous))
            return [] if subjects and ends_with(phrasing("passive_marker"), view.text, subjects[0].start, 1) else subjects
        position = previous
    return []


def _disposal(view: ArticleView, verb_at: int, actors: list[MentionRef], sentence_start: int) -> list[MentionRef] | None:
    """镇里把河口村、刘屋村和温下村…打造…: what 把 takes, with the doer before 把 (圣堂镇把歇马村申报为…试点)."""
    for actor in actors:
        if actor.start < verb_at and ends_with(phrasing("disposal_marker"), view.text, actor.start, 1):
            objects = actor_list(view, actor.start, [a for a in actors if a.start >= actor.start and a.end <= verb_at])
            doer = [a for a in actors if sentence_start <= a.start and a.end < actor.start
                    and phrasing("doer_before_disposal").fullmatch(view.text, a.end, actor.start - 1)]
            return doer[-1:] + objects
    return None


def _clause_subjects(view: ArticleView, verb_at: int, actors: list[MentionRef], in_clause: list[MentionRef],
                     clause: tuple[int, int]) -> list[MentionRef]:
    """The subjects of a clause: its first actors, those joined to them (由X主办、Y承办; A镇联合B社),
    the actor right before the verb, and the first of the sentence for 正与B镇联手…."""
    sentence_start, previous = clause
    subjects = actor_list(view, in_clause[0].start, in_clause)
    for actor in in_clause:
        joined = actor.start >= subjects[-1].end and phrasing("joined_to_the_subject").fullmatch(view.text, subjects[-1].end, actor.start)
        if joined and actor not in subjects:
            subjects.append(actor)
    adjacent = next((a for a in in_clause if phrasing("right_before_the_verb").fullmatch(view.text, a.end, max(a.end, verb_at))), None)
    if adjacent is not None and adjacent not in subjects:  # 罗定是广东省实施“粤强种芯”工程的重点县: 广东省 too
        subjects.append(adjacent)
    if previous > sentence_start and phrasing("together_with").fullmatch(view.text, previous, max(previous, in_clause[0].start)):
        subjects += [a for a in actors if sentence_start <= a.start and a.end <= previous][:1]  # A镇依托…,正与B镇联手打造…
    return subjects


@procedure("round_up")
def round_up(view: ArticleView) -> list[Relation]:
    """An article on “P”重点项目集中开工: the projects it reports starting are parts of P."""
    programme = next((m for m in view.mentions if m.entity.label == PROGRAMME and phrasing("projects_of").match(view.text, m.end)
                      and phrasing("round_up").search(view.text, m.end, m.end + ROUND_UP_REACH)), None)
    if programme is None:
        return []
    found = []
    for start, end in sentence_bounds(view.text):
        if not phrasing("project_starts").search(view.text, start, end):
            continue
        for part in view.within(start, end):
            name = bare_title(part.entity.name)
            if part.entity.label == PROGRAMME and part.entity is not programme.entity and name.endswith(PROJECT_ENDINGS) and not is_document(name):
                found.append(relation(part.entity, "partOfProgramme", programme.entity, view.text, start, end, 0.6))
    return found


@procedure("park_members")
def park_members(view: ArticleView) -> list[Relation]:
    """Bodies that settle in or work for "the park" without naming it take part in the park
    named last before: 已有12家企业入驻,其中X / 入驻企业X; X成为园区首批实施主体."""
    found = []
    for match in phrasing("settled_in_the_park").finditer(view.text):
        company = view.starting_at(match.end(), ORGANIZATION)
        park = view.last_before(match.start(), PROGRAMME, lambda name: any(word in name for word in PARK_WORDS))
        if company is not None and park is not None and view.ending_at(match.start(), (ORGANIZATION,)) is None:
            found.append(relation(company.entity, "implements", park.entity, view.text, match.start(), company.end, 0.7))
    for mention in view.mentions:
        player = phrasing("player_in_the_park").match(view.text, mention.end) if mention.entity.label in (PLACE, ORGANIZATION) else None
        park = view.last_before(mention.start, PROGRAMME, lambda name: bare_title(name).endswith(PARK_ENDINGS)) if player else None
        if park is not None:
            found.append(relation(mention.entity, "implements", park.entity, view.text, mention.start, player.end(), 0.7))
    return found


@procedure("carried_out")
def carried_out(view: ArticleView) -> list[Relation]:
    """县林业局负责牵头组织实施 / A局、B局按照职责分工抓好落实: with no programme in the sentence,
    what they carry out is the document named (or referred to: 方案) most often before it."""
    found = []
    for start, end, sentence in view.sentences:
        document = None if any(m.entity.label == PROGRAMME for m in sentence) else _main_document(view, start)
        if document is None:
            continue
        outer = [m for m in view.outermost(sentence) if m.entity.label in (PLACE, ORGANIZATION)]
        for verb in phrasing("carries_out").finditer(view.text, start, end):
            clause = clause_start(view.text, start, verb.start())
            in_clause = [m for m in outer if clause <= m.start and m.end <= verb.start()]
            if in_clause and in_clause[0].start - clause <= 2:
                found += [relation(a.entity, "implements", document, view.text, a.start, verb.end(), 0.6) for a in actor_list(view, in_clause[0].start, in_clause)]
    return found


def _main_document(view: ArticleView, position: int) -> Entity | None:
    """The document named (or referred to) most often before ``position``, the later on ties."""
    earlier = [m for m in view.mentions + view.references if m.end <= position and m.entity.label == PROGRAMME and is_document(m.entity.name)]
    times = Counter(m.entity.key for m in earlier)
    return max(earlier, key=lambda m: (times[m.entity.key], m.end)).entity if earlier else None


@procedure("linked_places")
def linked_places(view: ArticleView) -> list[Relation]:
    """沿线串联A村、B村等9个村 / 把A村、B村…串成一条线: the villages take part in the belt or
    project named last before, in this sentence or the one before."""
    found = []
    bounds = list(sentence_bounds(view.text))
    belts = [m for m in view.mentions + view.references
             if m.entity.label == PROGRAMME and phrasing("belt_ending").search(bare_title(m.entity.name)[-BELT_ENDING_CHARS:])]
    for index, (start, end) in enumerate(bounds):
        places = [m for m in view.outermost(view.within(start, end)) if m.entity.label == PLACE]
        for link in phrasing("links_places").finditer(view.text, start, end):
            scope = bounds[index - 1][0] if index else start
            named = [m for m in belts if scope <= m.start < link.start()]
            linked = _linked(view, places, link, start)
            belt = max(named, key=lambda m: m.start) if named else None
            found += [relation(p.entity, "implements", belt.entity, view.text, min(belt.start, p.start), max(belt.end, p.end), 0.6) for p in linked if belt]
    return found


def _linked(view: ArticleView, places: list[MentionRef], link: re.Match, sentence_start: int) -> list[MentionRef]:
    """The places a link joins: listed after it, and those 把 takes before it."""
    after = actor_list(view, link.end(), [p for p in places if p.start >= link.end()])
    by = last_match(phrasing("disposal_marker"), view.text, sentence_start, link.start())
    before = actor_list(view, by.end(), [p for p in places if by.start() < p.start < link.start()]) if by else []
    return after + before


@procedure("designees")
def designees(view: ArticleView) -> list[Relation]:
    """命名A村、B村为“D” / 公布“D”名单:A村、B村: every place the naming lists earns the designation D
    named right after (or before) the list, not only the one next to it."""
    found = []
    for start, end, sentence in view.sentences:
        places = [m for m in view.outermost(sentence) if m.entity.label == PLACE]
        for naming in phrasing("designees_before").finditer(view.text, start, end):
            if (designation := view.starting_at(naming.end(), PROGRAMME)) is not None:
                listed = actor_list(view, naming.start("designees"), [p for p in places if p.end <= naming.end("designees")])
                found += [relation(p.entity, "implements", designation.entity, view.text, naming.start(), designation.end, 0.7) for p in listed]
        for naming in phrasing("designees_after").finditer(view.text, start, end):
            if (designation := view.ending_at(naming.start(), (PROGRAMME,))) is not None:
                listed = actor_list(view, naming.end(), [p for p in places if p.start >= naming.end()])
                found += [relation(p.entity, "implements", designation.entity, view.text, designation.start, p.end, 0.7) for p in listed]
    return found
