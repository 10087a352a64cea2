"""Relations between the entities of an article, each with its evidence and a confidence.

The ``kg_relation_extractor`` component reads ``doc._.entities`` (after
resolution) and writes ``doc._.relations``. The rules look at the mentions of
one sentence and the words between them:

- ``author``/``editor``: the people after byline cues (记者, 通讯员, 文/, 责任编辑:);
- ``holdsPost``: [body] title [、/兼 title] person [、person] — the body in front
  of the title, a generic word (合作社, 公司) standing for the last such body
  named, or for 市长/镇长/村委会主任 the place of that level; titles after names
  (李某,县林业局局长; 李某(…); 担任/兼任/作为); lists continuing in one body;
- ``containedInPlace``: a place right after its parent, in the same sentence
  when the codes say it is a direct child, or after 地处/位于;
- ``locatedIn``: an organisation whose name begins with places (across 驻),
  or that 落户/位于 a place;
- ``implements``: the subject of an implementing verb before a programme
  (what 把 takes, the first actor of the clause, lists joined by 、与和);
  a place or 全县/镇里 right before a programme or before 的 and it; 按照/在/
  根据 a programme, then the actors of the next clause; a programme 在 a place
  落地; a programme named after a town or village; generic references (该项目,
  示范带) stand for the last programme named with that ending;
- ``partOfProgramme``: a programme named inside a document title; a document
  that 落实/is the 配套文件 of a programme; what a plan 明确/提出; campaigns
  listed before 的 and the campaign they belong to;
- ``issuedBy``: a document title that begins with its issuer; X(与Y)印发《…》;
  《…》由X制定; 以X名义印发.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from collections import Counter
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from kg.resources import RESOURCES, phrasing, word_list, word_table

from .doc import ARTICLE, ORGANIZATION, PERSON, PLACE, PROGRAMME, Entity, Relation
from .lexicon import BRANCH_SUFFIXES, BYLINE_CUE, LEVEL_TITLES, BYLINE_EDITOR_CUES, IMPLEMENT_VERBS, TITLES, bare_title, is_document
from .patterns import MaskedArticle, PatternError, RelationPattern, find_relations
from .mentions import ArticleView, MentionRef, generic_body, generic_body_at, local_references, named_in_title
from .text import sentence_bounds

NATURAL_FEATURES = word_list("natural_features")
MEDIA_ENDINGS = word_list("media_endings")
PARK_WORDS = word_list("park_words")
"""What the name of a park or base holds (产业园, 种植基地): what 入驻 and 园区 refer back to."""
PARK_ENDINGS = ("园", "园区")
"""Outlets report on programmes; they are never taken for their implementers."""


def _relation(subject: Entity, predicate: str, obj: Entity | str, text: str, start: int, end: int, confidence: float, post: str | None = None) -> Relation:
    return Relation(
        subject=subject.key,
        predicate=predicate,
        object=obj if isinstance(obj, str) else obj.key,
        evidence=text[start:end],
        start=start,
        end=end,
        confidence=confidence,
        post=post,
    )


def byline_relations(view: ArticleView) -> list[Relation]:
    """Authors and editors: people listed after byline cues."""
    relations = []
    for match in BYLINE_CUE.finditer(view.text):
        if match["cue"] == "文" and not match["separator"]:
            continue
        predicate = "editor" if match["cue"] in BYLINE_EDITOR_CUES else "author"
        position = match.end()
        while (person := view.starting_at(position, PERSON)) is not None:
            relations.append(_relation(person.entity, predicate, ARTICLE, view.text, match.start(), person.end, 0.95))
            position = person.end
            while position < len(view.text) and view.text[position] in "、，, 　":
                position += 1
            if BYLINE_CUE.match(view.text, position):
                break
    return relations


_TITLE_PATTERN = "|".join(map(re.escape, TITLES))


def post_relations(view: ArticleView) -> list[Relation]:
    """[body] title [、title …] person [、person …] → person holds each title in its body."""
    relations = []
    chain = re.compile(f"((?:(?:{_TITLE_PATTERN})[、兼]?)+)")
    pending: list[tuple[Entity, str, int]] = []  # titles ending in 、 whose people come after a further body and title
    previous_body: tuple[Entity, int, int] | None = None  # body of the last post, its start, and where its people end
    for match in chain.finditer(view.text):
        people = _people_after(view, match.end())
        inner_body = next(
            (m for p in range(match.start() + 1, match.end()) if (m := view.ending_at(p, (ORGANIZATION,))) and m.start < match.start()),
            None,
        )  # 洽水镇党委书记: the body is 洽水镇党委, the title 书记
        chain_start = inner_body.end if inner_body is not None else match.start()
        titles = _split_titles(view.text[chain_start : match.end()])
        body = (inner_body.entity, inner_body.start) if inner_body else _body_before(view, chain_start)
        if not people:
            if match.group(1).endswith(("、", "兼")) and body:  # 区委常委、区纪委书记、区监委主任X: each body keeps its titles
                pending += [(body[0], title, body[1]) for title in titles]
            continue
        for body_entity, title, evidence_start in pending:
            if evidence_start < match.start() and match.start() - evidence_start < 40:
                for person in people:
                    relations.append(_relation(person.entity, "holdsPost", body_entity, view.text, evidence_start, people[-1].end, 0.75, title))
        pending = []
        if body is None and len(titles) == 1 and (kind := _bodies_with_post(view, chain_start, titles[0])):
            body = (kind[0].entity, chain_start)  # …合作社。理事长X说: the cooperative named before
        if body is None and previous_body and view.text[chain_start - 1 : chain_start] == "、" and previous_body[2] == chain_start - 1:
            body = (previous_body[0], chain_start)  # 洽水镇党委书记张三、镇长李四: the list goes on in the same body
        evidence_start = body[1] if body else chain_start
        previous_body = (body[0], body[1], people[-1].end) if body else None
        for index, title in enumerate(titles):
            target = body[0] if body and index == 0 else _body_for_title(view, title, body[0] if body else None)
            if body and index == 0 and title.endswith(tuple(LEVEL_TITLES)) and body[0].label == ORGANIZATION:
                target = _body_for_title(view, title, body[0])  # 洽水镇党委书记张三、镇长李四: 镇长 of 洽水镇
            if target is None:
                continue
            title_text = title
            for person in people:
                relations.append(
                    _relation(person.entity, "holdsPost", target, view.text, evidence_start, people[-1].end, 0.9 if body else 0.7, title_text)
                )
    return relations


_TITLE_AFTER = re.compile(r"\s*(?:[,，(（]\s*)?(?:(?:同时|也|还|现|曾)?(?:担任|兼任|出任|是)|任|作为)?\s*")


def posts_after_names(view: ArticleView) -> list[Relation]:
    """Titles after a name, up to the next name or the end of the sentence:
    李某,县林业局局长 / 李某(…) / 李某担任… / 谭某,台山市纪委副书记、市监委副主任 /
    黄某,县委组织部选派的东风村驻村工作队队长 / 叶某,这家公司的总经理,也是…商会会长."""
    relations = []
    people = [m for m in view.mentions if m.entity.label == PERSON]
    for index, person in enumerate(people):
        joint = _TITLE_AFTER.match(view.text, person.end)
        if joint is None or joint.end() == person.end:
            continue
        limit = min(
            [view.text.find(mark, joint.end()) % (len(view.text) + 1) for mark in "。;；\n"]
            + [people[index + 1].start if index + 1 < len(people) else len(view.text), joint.end() + 40]
        )
        for title in re.finditer(f"(?:{_TITLE_PATTERN})", view.text[joint.end() : limit]):
            title_start = joint.end() + title.start()
            if view.starting_at(joint.end() + title.end(), PERSON) is not None:
                break  # 镇长罗某: a title before another name
            title_end = joint.end() + title.end()
            before = title_start - (1 if view.text[title_start - 1 : title_start] == "的" else 0)
            body = next((m for m in view.mentions if m.entity.label == ORGANIZATION and m.start < title_start < m.end < title_end), None)
            post = view.text[body.end : title_end] if body else title.group(0)  # 浛洸镇党委书记: 书记 of 浛洸镇党委
            body = body or view.ending_at(before, (ORGANIZATION, PLACE)) or generic_body(view, before)
            if body is None or body.start < joint.end() - 2:
                continue
            relations.append(_relation(person.entity, "holdsPost", body.entity, view.text, person.start, title_end, 0.75, post))
    return relations


_APPOINTED = re.compile(f"(?:担任|兼任|出任|任)((?:常务)?副?(?:{_TITLE_PATTERN}))")


def posts_by_appointment(view: ArticleView) -> list[Relation]:
    """X担任理事长 / 由X任总指挥 (the body named before in the sentence) and 队长由X担任 (the body before the title)."""
    relations = []
    for start, end in sentence_bounds(view.text):
        for match in _APPOINTED.finditer(view.text, start, end):
            person = view.ending_at(match.start(), (PERSON,))
            clause_start = _clause_start(view.text, start, match.start())
            by = view.text.rfind("由", clause_start, match.start())  # X专班,由镇党委副书记Y兼任组长: the body before 由
            bodies = [m for m in view.within(start, by if by >= 0 else match.start()) if m.entity.label == ORGANIZATION]
            bodies = bodies or _bodies_with_post(view, start, match.group(1))  # 镇里成立X指挥部。镇长Y任常务副总指挥
            if person is not None and bodies:
                relations.append(_relation(person.entity, "holdsPost", bodies[-1].entity, view.text, bodies[-1].start, match.end(), 0.7, match.group(1)))
        for match in re.finditer(r"(?:担任|兼任|出任|挂任|挂职|现任|曾任)", view.text[start:end]):  # 李某去年起担任德庆县贡柑协会会长
            body = view.starting_at(start + match.end(), ORGANIZATION) or generic_body_at(view, start + match.end())
            title = re.match(f"副?(?:{_TITLE_PATTERN})", view.text[body.end : end]) if body else None
            clause_start = _clause_start(view.text, start, start + match.start())
            people = [m for m in view.within(clause_start, start + match.start()) if m.entity.label == PERSON]
            if not people and not view.within(clause_start, start + match.start()):
                people = [m for m in view.within(start, clause_start) if m.entity.label == PERSON]  # 李某来自X局,驻镇期间挂任Y镇党委副书记
            if title and people:
                relations.append(_relation(people[-1].entity, "holdsPost", body.entity, view.text, people[-1].start, body.end + title.end(), 0.7, title.group(0)))
        for match in re.finditer(f"({_TITLE_PATTERN})由[^,，。;；]{{0,16}}?担任", view.text[start:end]):
            at = start + match.start()
            person = view.ending_at(start + match.end() - 2, (PERSON,))
            body = _body_before(view, at) or next(((b.entity, b.start) for b in _bodies_with_post(view, at, match.group(1))[-1:]), None)
            if person is not None and body is not None:
                relations.append(_relation(person.entity, "holdsPost", body[0], view.text, body[1], start + match.end(), 0.7, match.group(1)))
    return relations


POST_BODIES = {post: tuple(endings.split()) for post, endings in word_table("post_bodies").items()}
"""Posts that belong to one kind of body: the body named last before with that ending holds it."""


def _bodies_with_post(view: ArticleView, position: int, title: str) -> list[MentionRef]:
    """The last body before ``position`` of the kind that has ``title`` (副总指挥 → a 指挥部)."""
    endings = next((e for post, e in POST_BODIES.items() if title.endswith(post)), None)
    body = view.last_before(position, ORGANIZATION, lambda name: name.endswith(endings)) if endings else None
    return [body] if body else []


def _clause_start(text: str, floor: int, position: int, marks: str = ",，;；") -> int:
    """Where the clause holding ``position`` begins: after the last of ``marks``, not before ``floor``."""
    return max([floor] + [text.rfind(mark, floor, position) + 1 for mark in marks])


def _split_titles(chain_text: str) -> list[str]:
    titles = []
    for part in re.split("[、兼]", chain_text):
        while part:
            title = next(t for t in TITLES if part.startswith(t)) if part.startswith(TITLES) else part
            titles.append(title)
            part = part[len(title) :]
    return [t for t in titles if t]


def _people_after(view: ArticleView, position: int) -> list[MentionRef]:
    people = []
    while (person := view.starting_at(position, PERSON)) is not None:
        people.append(person)
        position = person.end
        if view.text[position : position + 1] != "、":
            break
        position += 1
    return people


def _body_before(view: ArticleView, position: int) -> tuple[Entity, int] | None:
    """The organisation or place right before a title, or the one body a generic word stands for."""
    mention = view.ending_at(position, (ORGANIZATION, PLACE)) or generic_body(view, position)
    return (mention.entity, mention.start) if mention is not None else None


def _body_for_title(view: ArticleView, title: str, previous: Entity | None) -> Entity | None:
    """The body of a further title in a chain: 雁洋镇党委委员、副镇长 → 雁洋镇; 市委副书记、市长 → the article's 市."""
    for suffix, level in LEVEL_TITLES.items():
        if title.endswith(suffix):
            named = [e for e in view.entities.values() if e.label == PLACE and e.name.endswith(level) and previous and e.name in previous.name]
            if named:
                return max(named, key=lambda e: previous.name.rfind(e.name))
            return view.main_place(level)
    return previous


def containment_relations(view: ArticleView) -> list[Relation]:
    relations = []
    for start, end in sentence_bounds(view.text):
        places = [m for m in view.within(start, end) if m.entity.label == PLACE]
        places = sorted(places + local_references(view, start, end), key=lambda m: (m.start, -m.end))
        for i, child in enumerate(places):
            for parent in places[:i]:
                if parent.entity is child.entity:
                    continue
                adjacent = parent.end == child.start
                direct = bool(child.entity.ancestors) and child.entity.ancestors[0].code == parent.entity.code
                if direct or (adjacent and _code_inside(child.entity, parent.entity)):
                    evidence_start = parent.start
                    relations.append(_relation(child.entity, "containedInPlace", parent.entity, view.text, evidence_start, child.end, 0.95 if adjacent else 0.8))
    return relations


def _code_inside(child: Entity, parent: Entity) -> bool:
    if not child.code or not parent.code:
        return False
    prefix = parent.code.rstrip("0")
    return child.code != parent.code and child.code.startswith(prefix)


def _last_of_chain(view: ArticleView, position: int) -> MentionRef | None:
    """The last place of the run of places starting at ``position`` (杨柑镇龙眼村 → 龙眼村)."""
    place = None
    while (next_place := view.starting_at(position, PLACE)) is not None:
        place, position = next_place, next_place.end
    return place


def location_relations(view: ArticleView) -> list[Relation]:
    """An organisation whose name begins with a place is located in the last place of that run."""
    relations = []
    seen: set[str] = set()
    for mention in view.mentions:
        if mention.entity.label != ORGANIZATION or mention.entity.key in seen:
            continue
        position = mention.start + (2 if view.text.startswith("中共", mention.start) else 0)
        place = None
        while (inner := view.starting_at(position, PLACE)) is not None and inner.end < mention.end:
            place, position = inner, inner.end
            if view.text.startswith("驻", position):  # 顺德区驻新兴县六祖镇工作队: based where it is stationed
                position += 1
        branch = next((p for p in view.within(mention.start, mention.end) if p.entity.label == PLACE and view.text[p.end : mention.end] in BRANCH_SUFFIXES), None)
        place = branch or place  # 海丰农商银行梅陇支行: where the branch is
        if place is not None:
            seen.add(mention.entity.key)
            relations.append(_relation(mention.entity, "locatedIn", place.entity, view.text, mention.start, mention.end, 0.95))
    return relations


def programme_relations(view: ArticleView) -> list[Relation]:
    """implements, partOfProgramme and issuedBy."""
    relations = []
    references = view.references
    for start, end in sentence_bounds(view.text):
        mentions = view.within(start, end)
        outer = view.outermost(mentions)
        programmes = [m for m in mentions if m.entity.label == PROGRAMME] + [r for r in references if start <= r.start < end]
        for programme in programmes:
            relations += _implementers(view, programme, outer, start)
            relations += _containing_programmes(view, programme, mentions)
            relations += _issuers(view, programme, outer, start)
    return relations


_PROJECTS_OF = re.compile(r"[”」》]?(?:的)?(?:重点|重大|首批|年度)?(?:项目|工程)")
_ROUND_UP = re.compile(r"集中(?:开工|动工|签约|投产|竣工)")
_STARTS = re.compile(r"开工|动工|开建|签约|投产|竣工|之列")


def round_up_projects(view: ArticleView) -> list[Relation]:
    """An article on “P”重点项目集中开工: the projects it reports starting are parts of P."""
    programme = next((m for m in view.mentions if m.entity.label == PROGRAMME and _PROJECTS_OF.match(view.text, m.end)
                      and _ROUND_UP.search(view.text, m.end, m.end + 12)), None)
    if programme is None:
        return []
    found = []
    for start, end in sentence_bounds(view.text):
        if not _STARTS.search(view.text, start, end):
            continue
        for part in view.within(start, end):
            name = bare_title(part.entity.name)
            if part.entity.label == PROGRAMME and part.entity is not programme.entity and name.endswith(("项目", "工程")) and not is_document(name):
                found.append(_relation(part.entity, "partOfProgramme", programme.entity, view.text, start, end, 0.6))
    return found




def park_members(view: ArticleView) -> list[Relation]:
    """Bodies that settle in or work for "the park" without naming it take part in the park
    named last before: 已有12家企业入驻,其中X / 入驻企业X; X成为园区首批实施主体."""
    found = []
    for match in phrasing("settled_in_the_park").finditer(view.text):
        company = view.starting_at(match.end(), ORGANIZATION)
        park = view.last_before(match.start(), PROGRAMME, lambda name: any(word in name for word in PARK_WORDS))
        if company is not None and park is not None and view.ending_at(match.start(), (ORGANIZATION,)) is None:
            found.append(_relation(company.entity, "implements", park.entity, view.text, match.start(), company.end, 0.7))
    for mention in view.mentions:
        player = phrasing("player_in_the_park").match(view.text, mention.end) if mention.entity.label in (PLACE, ORGANIZATION) else None
        park = view.last_before(mention.start, PROGRAMME, lambda name: bare_title(name).endswith(PARK_ENDINGS)) if player else None
        if park is not None:
            found.append(_relation(mention.entity, "implements", park.entity, view.text, mention.start, player.end(), 0.7))
    return found


_CARRIES_OUT = re.compile(r"(?:负责)?(?:牵头)?(?:组织实施|抓好落实|具体实施|负责实施|推进落实|牵头落实)")


def implicit_implementers(view: ArticleView) -> list[Relation]:
    """县林业局负责牵头组织实施 / A局、B局按照职责分工抓好落实: with no programme in the sentence,
    what they carry out is the document named (or referred to: 方案) most often before it."""
    found = []
    references = view.references
    for start, end in sentence_bounds(view.text):
        sentence = view.within(start, end)
        if any(m.entity.label == PROGRAMME for m in sentence):
            continue
        earlier = [m for m in view.mentions + references if m.end <= start and m.entity.label == PROGRAMME and is_document(m.entity.name)]
        if not earlier:
            continue
        times = Counter(m.entity.key for m in earlier)
        document = max(earlier, key=lambda m: (times[m.entity.key], m.end)).entity  # the document the article is about
        outer = [m for m in view.outermost(sentence) if m.entity.label in (PLACE, ORGANIZATION)]
        for verb in _CARRIES_OUT.finditer(view.text, start, end):
            clause_start = _clause_start(view.text, start, verb.start())
            in_clause = [m for m in outer if clause_start <= m.start and m.end <= verb.start()]
            actors = _actor_list(view, in_clause[0].start, in_clause) if in_clause else []
            if actors and in_clause[0].start - clause_start <= 2:
                for actor in actors:
                    found.append(_relation(actor.entity, "implements", document, view.text, actor.start, verb.end(), 0.6))
    return found


_LINKS = re.compile(r"串联起?|串起来?|串成|连成|连接起?")


def linked_places(view: ArticleView) -> list[Relation]:
    """沿线串联A村、B村等9个村 / 把A村、B村…串成一条线: the villages take part in the belt or
    project named last before, in this sentence or the one before."""
    found = []
    bounds = list(sentence_bounds(view.text))
    programmes = [m for m in view.mentions + view.references
                  if m.entity.label == PROGRAMME and re.search("带|线|工程|项目|示范区", bare_title(m.entity.name)[-4:])]
    for index, (start, end) in enumerate(bounds):
        for link in _LINKS.finditer(view.text, start, end):
            places = [m for m in view.outermost(view.within(start, end)) if m.entity.label == PLACE]
            after = _actor_list(view, link.end(), [p for p in places if p.start >= link.end()])
            by = view.text.rfind("把", start, link.start())
            before = _actor_list(view, by + 1, [p for p in places if by < p.start < link.start()]) if by >= 0 else []
            scope = bounds[index - 1][0] if index else start
            belts = [m for m in programmes if scope <= m.start < link.start()]
            if belts and (after or before):
                belt = max(belts, key=lambda m: m.start)
                for place in after + before:
                    found.append(_relation(place.entity, "implements", belt.entity, view.text, min(belt.start, place.start), max(belt.end, place.end), 0.6))
    return found


def named_in_body(view: ArticleView) -> list[Relation]:
    """A body named after a programme works for it: 县“和美渔村”建设专班办公室 implements 和美渔村."""
    found = []
    programmes = [e for e in view.entities.values() if e.label == PROGRAMME and len(e.name) >= 4]
    for body in [m for m in view.mentions if m.entity.label == ORGANIZATION]:
        named = {inner.entity.key: inner.entity for inner in view.within(body.start, body.end) if inner.entity.label == PROGRAMME}
        named.update({p.key: p for p in programmes if p.name in body.entity.name})  # 马头镇驻镇帮镇扶村工作队
        for programme in named.values():
            found.append(_relation(body.entity, "implements", programme, view.text, body.start, body.end, 0.8))
    return found


def _implementers(view: ArticleView, programme: MentionRef, outer: list[MentionRef], sentence_start: int) -> list[Relation]:
    found = []
    text = view.text
    if any(o.entity.label == PROGRAMME and o.start < programme.start and programme.end <= o.end for o in outer):
        return found  # a campaign named inside a document title: the title is what is issued and implemented
    quote_start = programme.start - 1 if text[programme.start - 1 : programme.start] in "“「《" else programme.start
    local = local_references(view, sentence_start, programme.end)
    actors = [m for m in outer if m.end <= quote_start and m.entity.label in (PLACE, ORGANIZATION) and not m.entity.name.endswith(MEDIA_ENDINGS)]
    actors = sorted(actors + [r for r in local if r.end <= quote_start], key=lambda m: m.start)
    verbs = list(re.finditer("|".join(IMPLEMENT_VERBS), text[sentence_start:quote_start]))
    right_before = text[max(sentence_start, quote_start - 2) : quote_start]
    verb_at = sentence_start + verbs[-1].start() if verbs else None
    if right_before.endswith(("以", "是", "为")) and not text.endswith(IMPLEMENT_VERBS, 0, quote_start):  # 以“百千万工程”为牵引 (not 列为)
        verb_at = quote_start - 1
    hosts = next((_actor_list(view, a.start, [b for b in actors if b.start >= a.start and b.end <= (verb_at or 0)]) for a in actors
                  if verb_at and text[a.start - 1 : a.start] == "在" and a.entity.label == PLACE and a.end <= verb_at), [])
    for hosted in hosts if hosts and hosts[-1].end == verb_at else []:  # 郁南县还在宝珠镇开展…试点; 在南寨村、三合村开展…
        found.append(_relation(hosted.entity, "implements", programme.entity, text, hosted.start - 1, min(len(text), programme.end + 1), 0.7))
    if verb_at is not None and actors:
        for subject in _subjects_of(view, verb_at, actors, sentence_start):
            found.append(_relation(subject.entity, "implements", programme.entity, text, subject.start, min(len(text), programme.end + 1), 0.7))
    inner_place = view.starting_at(programme.start, PLACE)
    if inner_place is not None and inner_place.end < programme.end and inner_place.entity.name.endswith(("镇", "乡", "村", "街道")):
        found.append(_relation(inner_place.entity, "implements", programme.entity, text, programme.start, programme.end, 0.6))
    return found


def _actor_list(view: ArticleView, position: int, candidates: list[MentionRef]) -> list[MentionRef]:
    """The actors listed from ``position`` on (鹤市镇莲坑村、富石村 → 莲坑村, 富石村): chains of places
    count as their last member, and the list goes on over 、 和 与 及 and 的."""
    candidates = sorted((c for c in candidates if c.start >= position), key=lambda m: m.start)
    listed: list[MentionRef] = []
    expected = position
    for actor in candidates:
        if actor.start > expected + (0 if listed else 4):
            break
        if listed and (actor.start == listed[-1].end or view.text[listed[-1].end : actor.start] == "的") and actor.entity.label == PLACE:
            listed[-1] = actor  # 鹤市镇莲坑村, 草潭镇的珍珠湾村: the village
        else:
            listed.append(actor)
        expected = actor.end + (1 if view.text[actor.end : actor.end + 1] in "、和与及的" else 0)
    return listed


def _subjects_of(view: ArticleView, verb_at: int, actors: list[MentionRef], sentence_start: int) -> list[MentionRef]:
    """Who does what the verb at ``verb_at`` says: what 把 takes, else the first actor of the
    verb's clause (with those joined to it by 、, 与, 和), else of the nearest earlier clause
    of the sentence that names one."""
    for actor in actors:
        if actor.start < verb_at and view.text[actor.start - 1 : actor.start] == "把":  # 镇里把河口村、刘屋村和温下村…打造…
            objects = _actor_list(view, actor.start, [a for a in actors if a.start >= actor.start and a.end <= verb_at])
            doer = [a for a in actors if sentence_start <= a.start and a.end < actor.start and re.fullmatch(r"[^,，。;；]{0,4}", view.text[a.end : actor.start - 1])]
            return doer[-1:] + objects  # 圣堂镇把歇马村申报为…试点: both take part
    clause_start = verb_at
    while clause_start > sentence_start:
        previous = _clause_start(view.text, sentence_start, clause_start - 1, ",，;；:：")
        in_clause = [a for a in actors if previous <= a.start and a.end <= verb_at]
        if in_clause:
            subjects = _actor_list(view, in_clause[0].start, in_clause)
            for actor in in_clause:
                between = view.text[subjects[-1].end : actor.start] if actor.start >= subjects[-1].end else None
                if between is not None and actor not in subjects and re.fullmatch(r"[^,，。]{0,4}?[、和与同及]|(与|和|同|联合|携手|会同)[^,，]{0,5}", between):
                    subjects.append(actor)  # 由X主办、Y承办; 许村与相邻的夏卢村; A镇联合B社、C公司
            adjacent = next((a for a in in_clause if re.fullmatch(r"[正将还也已]?", view.text[a.end : verb_at])), None)
            if adjacent is not None and adjacent not in subjects:  # 罗定是广东省实施“粤强种芯”工程的重点县: 广东省 too
                subjects.append(adjacent)
            if previous > sentence_start and re.fullmatch(r"[正将还也已]?[与同和]", view.text[previous : in_clause[0].start]):
                earlier = [a for a in actors if sentence_start <= a.start and a.end <= previous]
                subjects += earlier[:1]  # A镇依托…,正与B镇联手打造…: A too
            return subjects
        clause_start = previous
    return []


def _containing_programmes(view: ArticleView, programme: MentionRef, mentions: list[MentionRef]) -> list[Relation]:
    found = []
    named = {inner.entity.key: inner.entity for inner in mentions
             if inner.entity.label == PROGRAMME and inner.entity is not programme.entity and programme.start <= inner.start and inner.end <= programme.end}
    if is_document(programme.entity.name):  # 《连州市强镇兴村三年行动方案》 is part of 强镇兴村; 《…百县千镇万村高质量发展工程…方案》 of 百千万工程
        named.update({e.key: e for e in view.entities.values() if e.label == PROGRAMME and e is not programme.entity
                      and not is_document(e.name) and named_in_title(e, programme.entity.name)})
    for inner in named.values():
        found.append(_relation(programme.entity, "partOfProgramme", inner, view.text, max(0, programme.start - 1), min(len(view.text), programme.end + 1), 0.85))
    return found


def _issuers(view: ArticleView, programme: MentionRef, outer: list[MentionRef], sentence_start: int) -> list[Relation]:
    """Who issued a document: the body its title begins with."""
    if not is_document(programme.entity.name):
        return []
    head = view.starting_at(programme.start, ORGANIZATION)
    if head is not None and head.end < programme.end:
        return [_relation(programme.entity, "issuedBy", head.entity, view.text, programme.start - 1, programme.end + 1, 0.85)]
    return []


PROCEDURES = {
    "byline": byline_relations,
    "post_chain": post_relations,
    "posts_after_names": posts_after_names,
    "appointments": posts_by_appointment,
    "containment": containment_relations,
    "location": location_relations,
    "programmes": programme_relations,
    "round_up": round_up_projects,
    "park_members": park_members,
    "named_in_body": named_in_body,
    "linked_places": linked_places,
    "implicit_implementers": implicit_implementers,
}
for _name, _function in PROCEDURES.items():
    registry.misc.register(f"kg.{_name}.v1", func=_function)
DEFAULT_PROCEDURES = [f"kg.{name}.v1" for name in PROCEDURES]
PATTERNS_FILE = RESOURCES / "relation_patterns.jsonl"


def read_patterns(path: Path = PATTERNS_FILE) -> list[dict]:
    """The relation patterns of a JSON Lines file (blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def best_relations(found: Iterable[Relation]) -> list[Relation]:
    """One relation per (subject, predicate, object, post), the best evidence kept; the issuer of a
    document is not also its implementer."""
    best: dict[tuple, Relation] = {}
    for relation in found:
        key = (relation.subject, relation.predicate, relation.object, relation.post)
        if relation.subject == relation.object:
            continue
        if key not in best or _rank(relation) < _rank(best[key]):
            best[key] = relation
    issued = {(r.object, r.subject) for r in best.values() if r.predicate == "issuedBy"}
    kept = [r for r in best.values() if not (r.predicate == "implements" and (r.subject, r.object) in issued)]
    return sorted(kept, key=lambda r: (r.start, r.predicate, r.end, r.subject, r.object, r.post or ""))


def _rank(relation: Relation) -> tuple[float, int, int]:
    """Of two findings of one fact the surer wins, then the earlier and shorter evidence: the
    result does not depend on the order in which rules run."""
    return -relation.confidence, relation.start, relation.end


@Language.factory("kg_relation_extractor", default_config={"procedures": DEFAULT_PROCEDURES})
def make_relation_extractor(nlp: Language, name: str, procedures: list[str]) -> "RelationExtractor":
    """The relation rules: the patterns added with ``add_patterns`` (the pipeline adds
    ``kg/resources/relation_patterns.jsonl``) and the registered ``procedures`` (names in
    spaCy's ``misc`` registry, such as ``kg.post_chain.v1``), run in this order."""
    return RelationExtractor(procedures)


class RelationExtractor:
    """Fills ``doc._.relations`` from relation patterns and registered procedures; saved and
    loaded like spaCy's SpanRuler (``patterns.jsonl`` in its folder)."""

    def __init__(self, procedures: list[str] = DEFAULT_PROCEDURES) -> None:
        self.procedure_names = list(procedures)
        self.procedures = [registry.misc.get(name) for name in self.procedure_names]
        self.patterns: list[RelationPattern] = []

    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Add relation patterns (dicts of the JSON Lines format); a bad one raises ``PatternError``."""
        known = {p.id for p in self.patterns}
        for data in patterns:
            try:
                pattern = RelationPattern(**data)
            except TypeError as error:
                raise PatternError(f"pattern {data.get('id', data)!r}: {error}") from error
            if pattern.id in known:
                raise PatternError(f"pattern {pattern.id}: the id is used twice")
            known.add(pattern.id)
            self.patterns.append(pattern)

    def __call__(self, doc: Doc) -> Doc:
        doc._.relations = best_relations(self.find(ArticleView(doc)))
        return doc

    def find(self, view: ArticleView) -> Iterator[Relation]:
        """Every relation the procedures and patterns find, before duplicates are merged."""
        for procedure in self.procedures:
            yield from procedure(view)
        masked = MaskedArticle(view)
        for pattern in self.patterns:
            yield from find_relations(pattern, masked)

    def to_disk(self, path: Path, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        lines = (json.dumps(p.to_dict(), ensure_ascii=False) for p in self.patterns)
        (path / "patterns.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    def from_disk(self, path: Path, exclude: tuple = ()) -> "RelationExtractor":
        self.patterns = []
        self.add_patterns(read_patterns(Path(path) / "patterns.jsonl"))
        return self
