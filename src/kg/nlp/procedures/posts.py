"""Bylines and posts: who wrote the article, and who holds which post in which body.

- ``byline``: the people listed after a byline cue are authors or editors;
- ``post_chain``: [body] title [、/兼 title …] person [、person …]: each person holds each title,
  in the body before the chain, a generic word's body (合作社理事长), or for 镇长, 市长 … the
  place of that level; lists go on in one body (洽水镇党委书记张三、镇长李四);
- ``posts_after_names``: titles after a name (李某,县林业局局长; 李某(…); 李某担任…);
- ``appointed_to_title``, ``appointed_in_body``, ``title_filled_by``: X担任理事长 (the body named
  before), 担任德庆县贡柑协会会长 (the body after the verb), 队长由X担任 (the body before the title);
- ``named_to_post``: 任命X同志为县人民政府副县长、代理县长 (each title, in the body after 为).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.resources import phrasing, word_list, word_table

from ..doc import ARTICLE, ORGANIZATION, PERSON, PLACE, Entity, Relation
from ..finders import is_cjk
from ..lexicon import BYLINE_CUE, BYLINE_EDITOR_CUES, BYLINE_SEPARATED_CUES, LEVEL_TITLES, TITLES, byline_label
from ..mentions import GENERIC_BODIES, ArticleView, MentionRef, generic_body, generic_body_at
from ..text import ends_with, last_match, sentence_bounds
from . import clause_start, procedure, relation

POST_BODIES = {post: tuple(endings.split()) for post, endings in word_table("post_bodies").items()}
"""Posts that belong to one kind of body: the body named last before with that ending holds it."""
GOVERNMENT_ENDINGS = word_list("government_endings")
"""How a government's name ends: a title of a level held in a named government is held in it."""
FORMER_REACH = 2
"""How far before a chain of titles its mark as former (原, 原任) may stand."""
SENTENCE_MARKS = "。;；\n"
"""Where a sentence ends, for looking back within one."""
CLAUSE_MARKS = ",，;；。\n"
"""Where a clause ends: titles before a name in the same clause are that name's."""
BYLINE_JOINERS = "、，, 　;；"
AUTHOR_LINES = 3
"""How many lines under the headline may be a line of the authors' names."""
PENDING_REACH = 40
"""How far (characters) titles ending in 、 wait for the people a later chain names."""
TITLES_AFTER_REACH = 40
"""How far after a name its titles are looked for."""
NAMED_TITLES_REACH = 30
"""How far after 为 the titles of an appointment are looked for."""
PADDING_SPACES = (" ", "　")
"""Spaces a byline or a table pads names with (记者 张某 李某)."""
_PADDING = re.compile(f"[{''.join(PADDING_SPACES)}]*")


@procedure("byline")
def byline(view: ArticleView) -> list[Relation]:
    """Authors and editors: the people listed after a byline cue (记者 张某、李某; 责任编辑:王某)."""
    relations = []
    for match in BYLINE_CUE.finditer(view.text):
        if byline_label(match) in BYLINE_SEPARATED_CUES and not match["separator"]:
            continue
        predicate = "editor" if byline_label(match) in BYLINE_EDITOR_CUES else "author"
        position = match.end()
        while (person := view.starting_at(position, PERSON)) is not None:
            if not phrasing("photo_credited").match(view.text, person.end):  # 记者 黄某 摄: the photographer, no author
                relations.append(relation(person.entity, predicate, ARTICLE, view.text, match.start(), person.end, 0.95))
            position = person.end
            while position < len(view.text) and view.text[position] in BYLINE_JOINERS:
                position += 1
            if BYLINE_CUE.match(view.text, position):
                break
    return relations + _authors_line(view) + _credited_authors(view)


def _credited_authors(view: ArticleView) -> list[Relation]:
    """The reporters credited in parentheses after a dateline or at a paragraph's end (phrasing
    ``credit_in_parens``: …电(某某), …。(某某 某某)), when the group holds those people only."""
    relations = []
    for match in phrasing("credit_in_parens").finditer(view.text):
        start, end = match.span("names")
        people = [m for m in view.within(start, end) if m.entity.label == PERSON]
        if people and "".join(re.findall(r"[\u4e00-\u9fff]+", match["names"])) == "".join("".join(view.text[m.start : m.end].split()) for m in people):
            relations += [relation(m.entity, "author", ARTICLE, view.text, match.start(), match.end(), 0.9) for m in people]
    return relations


def _authors_line(view: ArticleView) -> list[Relation]:
    """A line of names alone among the first lines under the headline (陆某某 潘某): the authors."""
    relations = []
    start = view.text.find("\n") + 1
    for _ in range(AUTHOR_LINES):
        end = view.text.find("\n", start) % (len(view.text) + 1)
        people = [m for m in view.within(start, end) if m.entity.label == PERSON]
        written = "".join("".join(view.text[m.start : m.end].split()) for m in people)
        if len(people) >= 2 and "".join(view.text[start:end].split()) == written:
            relations += [relation(m.entity, "author", ARTICLE, view.text, start, end, 0.9) for m in people]
        start = end + 1
        if start >= len(view.text):
            break
    return relations


@dataclass
class _Chain:
    """One chain of titles: where its titles start, the titles, its body (entity and where its
    name starts) and the people after it."""

    start: int
    titles: list[str]
    body: tuple[Entity, int] | None
    people: list[MentionRef]


@procedure("post_chain")
def post_chain(view: ArticleView) -> list[Relation]:
    """[body] title [、title …] person [、person …] → each person holds each title in its body; a
    title marked as former (原党委书记某某) gives none."""
    relations = []
    pending: list[tuple[Entity, str, int]] = []  # titles ending in 、 whose people come after a further body and title
    previous_body: tuple[Entity, int, int] | None = None  # body of the last post, its start, and where its people end
    for match in phrasing("title_chain").finditer(view.text):
        if phrasing("former_post").search(view.text, max(0, match.start() - FORMER_REACH), match.start()):
            continue  # 原党委书记某某: a post no longer held
        chain = _read_chain(view, match.start(), match.end())
        if not chain.people:
            if chain.body and _chain_goes_on(view, match.end()):
                pending += [(target, title, chain.body[1]) for index, title in enumerate(chain.titles)
                            if (target := _title_target(view, chain.body[0], index, title)) is not None]  # 区委常委、区纪委书记、区监委主任X
            continue
        relations += _pending_posts(view, pending, chain, match.start())
        pending = []
        chain.body = chain.body or _implied_body(view, chain, previous_body, relations)
        previous_body = (chain.body[0], chain.body[1], chain.people[-1].end) if chain.body else None
        relations += _chain_posts(view, chain)
    return relations


def _chain_goes_on(view: ArticleView, end: int) -> bool:
    """Whether the titles of a chain without people wait for the people of the next one: they end
    in 、 (区委常委、区纪委书记X), or a comma stands between them and the next body, named or generic
    (某市人大常委会副主任,某区委书记X; 某联专职副主席,工作队队长X: both posts are X's)."""
    if phrasing("chain_separator").fullmatch(view.text, end - 1, end):
        return True
    following = view.starting_at(end + 1)
    next_body = (following is not None and following.entity.label in (ORGANIZATION, PLACE)) or view.text.startswith(tuple(GENERIC_BODIES), end + 1)
    return view.text[end : end + 1] in ",，" and next_body


def _read_chain(view: ArticleView, start: int, end: int) -> _Chain:
    """The chain of titles at ``start``–``end``: a body may end inside it (洽水镇党委书记: the body
    is 洽水镇党委, the title 书记; 邹坊村支书: the place 邹坊村, the title 支书), else the body right
    before it, else the body a generic word opening it stands for (党委副书记: the 党委 named before)."""
    inner_body = next(
        (m for p in range(start + 1, end) if (m := view.ending_at(p, (ORGANIZATION, PLACE))) and m.start < start), None
    )
    chain_start = inner_body.end if inner_body is not None else start
    if inner_body is not None and not view.text.startswith(TITLES, chain_start, end):
        chain_start = start  # 组织部长: 部长 of 组织部, which ends inside the title
    body = (inner_body.entity, inner_body.start) if inner_body else _body_before(view, chain_start)
    named = generic_body_at(view, chain_start) if body is None else None
    if named is not None and view.text.startswith(TITLES, named.end, end) and min(s for s, _ in named.entity.mentions) < chain_start:
        body, chain_start = (named.entity, named.start), named.end  # 会议由党委副书记X主持: 副书记 of the 党委 named before (not of one named only later)
    return _Chain(chain_start, split_titles(view.text[chain_start:end]), body, people_after(view, end))


def _pending_posts(view: ArticleView, pending: list[tuple[Entity, str, int]], chain: _Chain, chain_at: int) -> list[Relation]:
    """The titles of earlier chains ending in 、 go to the people of this one."""
    return [
        relation(person.entity, "holdsPost", body, view.text, evidence_start, chain.people[-1].end, 0.75, title)
        for body, title, evidence_start in pending
        if evidence_start < chain_at and chain_at - evidence_start < PENDING_REACH
        for person in chain.people
    ]


def _implied_body(view: ArticleView, chain: _Chain, previous_body: tuple[Entity, int, int] | None,
                  given: list[Relation]) -> tuple[Entity, int] | None:
    """A chain without a body right before it: the body of its post's kind named before (…合作社。
    理事长X说), the body of the chain it continues (洽水镇党委书记张三、镇长李四), or the body of a
    post of the same kind given earlier in the sentence (县人大常委会主任Z主持会议,副主任X、Y参加)."""
    if len(chain.titles) == 1 and (kind := bodies_with_post(view, chain.start, chain.titles[0])):
        return kind[0].entity, chain.start
    if previous_body and view.text[chain.start - 1 : chain.start] == "、" and previous_body[2] == chain.start - 1:
        return previous_body[0], chain.start
    if len(chain.titles) == 1:
        return _body_of_a_like_post(view, given, chain.titles[0], chain.start)
    return None


def _body_of_a_like_post(view: ArticleView, given: list[Relation], title: str, position: int) -> tuple[Entity, int] | None:
    """A bare title (副主任X、Y) after a post of the same kind earlier in the sentence: the body of
    that post (deputy, acting and executive marks aside). A title glued to words before it
    (办公室主任: of an office no rule named) is not bare and takes no other person's body."""
    if position > 0 and is_cjk(view.text[position - 1]):
        return None
    sentence_start = clause_start(view.text, 0, position, SENTENCE_MARKS)
    core = phrasing("rank_marks").sub("", title)
    for earlier in reversed(given):
        if earlier.start >= sentence_start and earlier.post and phrasing("rank_marks").sub("", earlier.post) == core:
            return view.entities[earlier.object], position
    return None


def _chain_posts(view: ArticleView, chain: _Chain) -> list[Relation]:
    """Each person of the chain holds each of its titles, the first in the chain's body, further
    ones in the body their level says (雁洋镇党委委员、副镇长 → 雁洋镇); a nomination is no post."""
    relations = []
    body = chain.body[0] if chain.body else None
    evidence_start = chain.body[1] if chain.body else chain.start
    for index, title in enumerate(chain.titles):
        if phrasing("nominee").search(title):
            continue  # 提名副县长人选: nominated, not holding the post
        target = _title_target(view, body, index, title)
        if target is None:
            continue
        for person in chain.people:
            relations.append(relation(person.entity, "holdsPost", target, view.text, evidence_start, chain.people[-1].end, 0.9 if body else 0.7, title))
    return relations


def _title_target(view: ArticleView, body: Entity | None, index: int, title: str) -> Entity | None:
    """Where the ``index``-th title of a chain after ``body`` is held: the first in the body, unless
    its level names a place (洽水镇党委书记张三、镇长李四: 镇长 of 洽水镇; but 县政府副县长: of 县政府),
    further ones where their level says (县委常委、副县长: 副县长 of the county, not of 县委)."""
    if body and index == 0 and not (title.endswith(tuple(LEVEL_TITLES)) and body.label == ORGANIZATION and not body.name.endswith(GOVERNMENT_ENDINGS)):
        return body
    return body_for_title(view, title, body)


def split_titles(chain_text: str) -> list[str]:
    """The titles of a chain, longest first where they run together (党委书记 → 党委书记)."""
    titles: list[str] = []
    for part in phrasing("chain_separator").split(chain_text):
        while part:
            title = next(t for t in TITLES if part.startswith(t)) if part.startswith(TITLES) else part
            if titles and phrasing("nominee_tail").fullmatch(title):
                titles[-1] += title  # 副县长提名人选: one nomination
            else:
                titles.append(title)
            part = part[len(title) :]
    return [t for t in titles if t]


def people_after(view: ArticleView, position: int) -> list[MentionRef]:
    """The people named from ``position`` on, past a padding space (总经理 潘某), joined by 、 or
    by spaces (记者 张某 李某)."""
    people = []
    while (person := view.starting_at(_PADDING.match(view.text, position).end(), PERSON)) is not None:
        people.append(person)
        position = person.end
        if view.text[position : position + 1] == "、":
            position += 1
        elif not view.text.startswith(PADDING_SPACES, position):
            break
    return people


def bodies_with_post(view: ArticleView, position: int, title: str) -> list[MentionRef]:
    """The last body before ``position`` of the kind that has ``title`` (副总指挥 → a 指挥部)."""
    endings = next((e for post, e in POST_BODIES.items() if title.endswith(post)), None)
    body = view.last_before(position, ORGANIZATION, lambda name: name.endswith(endings)) if endings else None
    return [body] if body else []


def _body_before(view: ArticleView, position: int) -> tuple[Entity, int] | None:
    """The organisation or place right before a title, or the one body a generic word stands for."""
    mention = view.ending_at(position, (ORGANIZATION, PLACE)) or generic_body(view, position)
    return (mention.entity, mention.start) if mention is not None else None


def body_for_title(view: ArticleView, title: str, previous: Entity | None) -> Entity | None:
    """The body of a further title in a chain: 雁洋镇党委委员、副镇长 → 雁洋镇; 市委副书记、市长 → the article's 市."""
    for suffix, level in LEVEL_TITLES.items():
        if title.endswith(suffix):
            named = [e for e in view.entities.values() if e.label == PLACE and e.name.endswith(level) and previous and e.name in previous.name]
            if named:
                return max(named, key=lambda e: previous.name.rfind(e.name))
            return view.main_place(level)
    return previous


@procedure("posts_after_names")
def posts_after_names(view: ArticleView) -> list[Relation]:
    """Titles after a name, up to the next name or the end of the sentence: 李某,县林业局局长 /
    李某(…) / 谭某,台山市纪委副书记、市监委副主任 / 叶某,这家公司的总经理,也是…商会会长."""
    relations = []
    people = [m for m in view.mentions if m.entity.label == PERSON]
    for index, person in enumerate(people):
        joint = phrasing("title_after_name").match(view.text, person.end)
        if joint is None or joint.end() == person.end:
            continue
        next_name = people[index + 1].start if index + 1 < len(people) else len(view.text)
        limit = min([view.text.find(mark, joint.end()) % (len(view.text) + 1) for mark in "。;；\n"] + [next_name, joint.end() + TITLES_AFTER_REACH])
        relations += _titles_after(view, person, joint.end(), limit, people)
    return relations


def _titles_after(view: ArticleView, person: MentionRef, start: int, limit: int, people: list[MentionRef]) -> list[Relation]:
    """The posts of the titles between ``start`` and ``limit``, each in the body right before it;
    titles with another name later in their clause are that person's (市委副书记、市长罗某)."""
    relations = []
    for title in phrasing("title").finditer(view.text, start, limit):
        clause_end = min(view.text.find(mark, title.start()) % (len(view.text) + 1) for mark in CLAUSE_MARKS)
        if any(title.start() < other.start < clause_end for other in people):
            break  # 镇长罗某, 县委副书记、县长赵某: titles before another name (attendee lists)
        before = title.start() - (1 if ends_with(phrasing("before_title"), view.text, title.start()) else 0)
        body = next((m for m in view.mentions if m.entity.label == ORGANIZATION and m.start < title.start() < m.end < title.end()), None)
        post = view.text[body.end : title.end()] if body else title.group(0)  # 浛洸镇党委书记: 书记 of 浛洸镇党委
        body = body or view.ending_at(before, (ORGANIZATION, PLACE)) or generic_body(view, before)
        if body is not None and body.start >= start - 2:
            relations.append(relation(person.entity, "holdsPost", body.entity, view.text, person.start, title.end(), 0.75, post))
    return relations


@procedure("appointed_to_title")
def appointed_to_title(view: ArticleView) -> list[Relation]:
    """X担任理事长 / 由X任总指挥: the post is in the body named last before in the sentence (before
    由 where there is one), else in the last body of the post's kind (镇长Y任常务副总指挥)."""
    relations = []
    for start, end in sentence_bounds(view.text):
        for match in phrasing("appointed_to_title").finditer(view.text, start, end):
            person = view.ending_at(match.start(), (PERSON,))
            by = last_match(phrasing("appointed_by"), view.text, clause_start(view.text, start, match.start()), match.start())
            bodies = [m for m in view.within(start, by.start() if by else match.start()) if m.entity.label == ORGANIZATION]
            bodies = bodies or bodies_with_post(view, start, match["title"])
            if person is not None and bodies:
                relations.append(relation(person.entity, "holdsPost", bodies[-1].entity, view.text, bodies[-1].start, match.end(), 0.7, match["title"]))
    return relations


@procedure("appointed_in_body")
def appointed_in_body(view: ArticleView) -> list[Relation]:
    """李某去年起担任德庆县贡柑协会会长: the body and the title follow the verb, the person is the last
    one named in the clause (or, with nothing named in it, in the sentence before the clause)."""
    relations = []
    for start, end in sentence_bounds(view.text):
        for match in phrasing("appointed_in_body").finditer(view.text, start, end):
            body = view.starting_at(match.end(), ORGANIZATION) or generic_body_at(view, match.end())
            title = phrasing("deputy_title").match(view.text, body.end, end) if body else None
            clause = clause_start(view.text, start, match.start())
            people = [m for m in view.within(clause, match.start()) if m.entity.label == PERSON]
            if not people and not view.within(clause, match.start()):
                people = [m for m in view.within(start, clause) if m.entity.label == PERSON]  # 李某来自X局,驻镇期间挂任Y镇党委副书记
            if title and people:
                relations.append(relation(people[-1].entity, "holdsPost", body.entity, view.text, people[-1].start, title.end(), 0.7, title.group(0)))
    return relations


@procedure("title_filled_by")
def title_filled_by(view: ArticleView) -> list[Relation]:
    """队长由X担任: the post is in the body right before the title, else the last of its kind."""
    relations = []
    for start, end in sentence_bounds(view.text):
        for match in phrasing("title_filled_by").finditer(view.text, start, end):
            person = view.ending_at(match.start("verb"), (PERSON,))
            body = _body_before(view, match.start()) or next(((b.entity, b.start) for b in bodies_with_post(view, match.start(), match["title"])[-1:]), None)
            if person is not None and body is not None:
                relations.append(relation(person.entity, "holdsPost", body[0], view.text, body[1], match.end(), 0.7, match["title"]))
    return relations


@procedure("named_to_post")
def named_to_post(view: ArticleView) -> list[Relation]:
    """任命X(同志)为[body]title、title: X holds each title in the body (or the place the title names);
    the clause before X opens the appointment (任命, 拟任, 提名; 免去 ends a post and gives none)."""
    relations = []
    for person in view.mentions:
        if person.entity.label == PERSON and phrasing("naming").search(view.text, clause_start(view.text, 0, person.start), person.start):
            relations += _named_posts(view, person)
    return relations


def _named_posts(view: ArticleView, person: MentionRef) -> list[Relation]:
    """The posts named after ``person``: 为, then a body right after it or none, then the titles."""
    joint = phrasing("named_as").match(view.text, person.end)
    chain = phrasing("named_titles").search(view.text, joint.end(), joint.end() + NAMED_TITLES_REACH) if joint else None
    if chain is None:
        return []
    body = view.ending_at(chain.start(), (ORGANIZATION, PLACE)) if chain.start() > joint.end() else None
    if chain.start() > joint.end() and (body is None or body.start != joint.end()):
        return []  # something other than the body stands between 为 and the titles
    targets = [(title, body.entity if body else body_for_title(view, title, None)) for title in split_titles(chain.group(0).rstrip("、"))]
    return [relation(person.entity, "holdsPost", target, view.text, person.start, chain.end(), 0.8, title) for title, target in targets if target is not None]
