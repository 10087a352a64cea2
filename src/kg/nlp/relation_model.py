"""A trained scorer for relations between two mentions of one sentence.

The rules of ``relations`` know the phrasings they were written for; new
articles keep finding new ones ("who carries out which programme", "what
belongs to what"). This component scores every type-compatible pair of
mentions in a sentence with a logistic model per predicate over the words
between and around the pair (other mentions replaced by their type), the
order and distance of the pair and the endings of both names, and adds the
pairs that score above the predicate's threshold and that the rules did not
already find. It reads ``doc._.entities`` and ``doc._.relations`` and extends
``doc._.relations``; relations it adds carry ``method="model"`` and the model's
probability as confidence.

Weights and thresholds live in ``kg/models/relations/model.json``, written by
``training/train_relations.py`` (config ``training/relations.cfg``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.resources import phrasing, predicates, word_list

from .doc import ORGANIZATION, PLACE, PROGRAMME, Relation, text_of
from .lexicon import MEDIA_ENDINGS, PLACE_RANKS, common_words, is_law, stop_verbs
from .mentions import ArticleView, MentionRef, awards, is_destination, local_references, place_run_start
from .places import RENAMED_VILLAGE_ENDINGS
from .text import sentence_bounds

LOCATOR_VERBS = word_list("locator_verbs")
"""Verbs that say where something lies (位于, 地处): the places after them locate, they do not act."""
LEVEL_BODY_ENDINGS = tuple(word_list("committee_suffixes") + word_list("government_endings"))
"""How the names of a place's party committee and government end: such a body lies in its place."""

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "relations"

PAIR_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    name: (predicate.subject, predicate.object) for name, predicate in predicates().items() if predicate.threshold is not None
}
"""The predicates the model scores (those with a threshold in ``predicates.toml``), with the entity
types of subject and object."""

MAX_GAP = 80
"""Pairs further apart than this many characters are not scored."""

_PUNCTUATION = set(",，、:：()（）“”「」《》‘’\"' ")


@dataclass
class Sentence:
    """One sentence: its span, its mentions (references included) and its units."""

    start: int
    end: int
    mentions: list[MentionRef]
    units: list["Unit"]

    @cached_property
    def text(self) -> str:
        """The sentence's text, from its units (offsets relative to its start); built once, as
        several checks of every candidate pair read it."""
        return "".join(unit.text for unit in self.units)


@dataclass(frozen=True)
class Candidate:
    """Two mentions of one sentence that may stand in ``predicate``."""

    predicate: str
    subject: MentionRef
    object: MentionRef
    sentence: Sentence


@dataclass
class Unit:
    """A piece of a sentence: a mention (``kind`` is its type) or a word (``kind`` is empty)."""

    start: int
    end: int
    text: str
    kind: str = ""

    @property
    def token(self) -> str:
        return f"<{self.kind}>" if self.kind else self.text


def _words(text: str) -> list[str]:
    from .charner import get_jieba_lexicon

    return list(get_jieba_lexicon().words(text))


def sentence_units(text: str, sentence: tuple[int, int], outer: list[MentionRef]) -> list[Unit]:
    """The sentence as a row of outermost mentions and the words between them."""
    units: list[Unit] = []
    position = sentence[0]
    for mention in outer + [MentionRef(sentence[1], sentence[1], None)]:  # type: ignore[arg-type]
        if mention.start < position:  # crosses the mention before it
            continue
        for word in _words(text[position:mention.start]) if mention.start > position else []:
            units.append(Unit(position, position + len(word), word))
            position += len(word)
        if mention.entity is not None:
            units.append(Unit(mention.start, mention.end, text[mention.start:mention.end], mention.entity.label))
            position = mention.end
    return units


def _unit_at(units: list[Unit], position: int) -> int:
    return next(i for i, u in enumerate(units) if u.start <= position < u.end)


_JOINERS = ("、", "和", "与", "及", "以及")


def _skip_lists(tokens: list[str], first: str, second: str) -> tuple[list[str], bool]:
    """The words between two mentions without the list either of them stands in
    (A、B、C共建P: A relates to P as C does)."""
    listed = False
    while len(tokens) >= 2 and tokens[0] in _JOINERS and tokens[1] == first:
        tokens, listed = tokens[2:], True
    while len(tokens) >= 2 and tokens[-1] in _JOINERS and tokens[-2] == second:
        tokens, listed = tokens[:-2], True
    return tokens, listed


_CLAUSE_MARKS = frozenset(",，;；。:：")


def _siblings(between: list[Unit]) -> bool:
    """Whether the pair are items of one enumeration (A村、B公司、某某基地及C产业园): no clause mark
    stands between them, a joiner follows the first (past any names glued to it) and precedes the
    second's item, and that item holds no verb before the second (A村、B村共建C园 lists A and B,
    not A and C). Items between may be words the extractor did not take as names."""
    if any(u.text in _CLAUSE_MARKS for u in between if not u.kind):
        return False
    words = [u for u in between if not u.kind]
    if not words or not _joins(words[0].text):
        return False
    last_joiner = max(i for i, u in enumerate(between) if not u.kind and _joins(u.text))
    return not any(u.text in stop_verbs() for u in between[last_joiner + 1:] if not u.kind)


def _joins(word: str) -> bool:
    """Whether a word joins list items: a joiner, or 及 glued by the segmenter to the next item's
    unknown first word (及思州 of 某水库及思州石砚…基地), which no dictionary word is (及时)."""
    return word in _JOINERS or (word.startswith("及") and len(word) > 1 and word not in stop_verbs() and word not in common_words())


def _enumerated_together(candidate: Candidate) -> bool:
    """Whether the pair are items of one enumeration (see ``_siblings``)."""
    first, second = sorted((candidate.subject, candidate.object), key=lambda mention: mention.start)
    units = candidate.sentence.units
    first_index, second_index = _unit_at(units, first.start), _unit_at(units, second.start)
    return first_index != second_index and _siblings(units[first_index + 1:second_index])


def _never_proposed(candidate: Candidate) -> bool:
    """Pairs the scorer leaves to the rules: an outlet neither runs a programme nor lies where it
    reports from (湖南日报 and a dateline's 澧县); places and bodies listed together (visited in one
    trip) neither run one another's projects nor lie in one another; a place named inside an
    outlet's name, or a village by its stem inside a programme's name, runs nothing, and a body
    inside a project's name runs no other; the bodies of the formula of leadership run nothing;
    a place's committee or government lies in its own place only, a team in the place it is sent
    to, not from (深圳驻某镇工作队); a law has no implementer, and
    a place that says where another lies (古竹镇位于…紫金县) runs nothing for it, nor does a body
    that awards a designation (省林业局命名…为“森林乡村”) or a place of a list a visit goes to
    (到A村、B村检查…); a body that approves a document (经县人民政府同意,现将《…》印发) is not its issuer."""
    if candidate.predicate == "issuedBy":
        return _approves(candidate)
    if candidate.predicate not in ("implements", "locatedIn"):
        return False
    return (candidate.subject.entity.name.endswith(MEDIA_ENDINGS) or _enumerated_together(candidate)
            or (candidate.predicate == "implements" and (_named_inside_a_name(candidate) or _leads(candidate) or _locates(candidate)
                                                          or _awards(candidate) or _visited(candidate) or is_law(candidate.object.entity.name)))
            or (candidate.predicate == "locatedIn" and (_out_of_its_place(candidate) or _sent_from(candidate))))


def _leads(candidate: Candidate) -> bool:
    """Whether the subject is named in the formula of leadership that opens a report (在市委、市政府
    和县委的坚强领导下,县政府…): those bodies lead, the one after the formula carries out."""
    at = candidate.subject.start - candidate.sentence.start
    return any(m.start() <= at < m.end() for m in phrasing("under_the_leadership").finditer(candidate.sentence.text))


def _approves(candidate: Candidate) -> bool:
    """Whether the body is named as the one whose consent a document was issued with (经某某同意)."""
    at = candidate.object.start - candidate.sentence.start
    return any(m.start("body") <= at < m.end("body") for m in phrasing("approved_by").finditer(candidate.sentence.text))


def _locates(candidate: Candidate) -> bool:
    """Whether the subject is a place of the run after 位于 or 地处 (古竹镇位于广东省河源市紫金县,
    首批入选…): it says where the sentence's subject lies."""
    sentence = candidate.sentence
    text = sentence.text
    position = place_run_start(sentence.mentions, candidate.subject.start, text, sentence.start)
    return text[: position - sentence.start].endswith(LOCATOR_VERBS)


def _awards(candidate: Candidate) -> bool:
    """Whether the subject is followed by a verb of awarding (省林业局近日命名…): it awards, the places named earn."""
    return awards(candidate.sentence.text, candidate.subject.end - candidate.sentence.start)


def _visited(candidate: Candidate) -> bool:
    """Whether the subject is one of the places or bodies a visit goes to (see ``is_destination``)."""
    sentence = candidate.sentence
    return is_destination(sentence.mentions, candidate.subject, sentence.text, sentence.start)


def _sent_from(candidate: Candidate) -> bool:
    """Whether the place is the one a team is sent from, named in its name before 驻 (深圳驻某镇工作队
    lies in 某镇, not in 深圳)."""
    body, place = candidate.subject, candidate.object
    text = candidate.sentence.text
    return body.start <= place.start and place.end < body.end and phrasing("stationed_in").match(text, place.end - candidate.sentence.start) is not None


def _out_of_its_place(candidate: Candidate) -> bool:
    """Whether a place's committee or government (龙山县委, 某镇人民政府) would lie in a place other
    than its own, or a body named with a bare level word (省委, 省林业局) in a place more local than
    that level."""
    body, place = candidate.subject, candidate.object.entity
    inside = [m for m in candidate.sentence.mentions if m.entity.label == PLACE and body.start <= m.start and m.end < body.end]
    head, position = None, body.start
    while (next_place := next((m for m in inside if m.start == position), None)) is not None:
        head, position = next_place, next_place.end  # 某县某镇人民政府: the town's
    if head is not None:
        return body.entity.name.endswith(LEVEL_BODY_ENDINGS) and head.entity is not place
    if inside:
        return False  # 省财政厅驻某镇工作队: named after where it is stationed
    level = PLACE_RANKS.get(body.entity.name[:1])
    return level is not None and PLACE_RANKS.get(place.name[-1:], level) > level


def _named_inside_a_name(candidate: Candidate) -> bool:
    """Whether the subject is a place named inside an outlet's name (湖南 in 湖南日报), or a village
    named by its bare stem inside a programme's name (古鹤 in 古鹤中医药产业园): the outlet or the
    programme, not the place, is what the sentence speaks of. A town's short form at the head of a
    project's name (桂山 in 桂山渔港升级改造项目) still may run it, and so may a town whose party
    committee's secretary speaks of a project (某街道党工委书记…). A body named inside a project's
    name runs that project only (某公司…示范项目、某集团…项目: not the next item)."""
    subject = candidate.subject
    holders = [m for m in candidate.sentence.mentions if m.start <= subject.start and subject.end <= m.end and m.entity is not subject.entity]
    if any(m.entity.name.endswith(MEDIA_ENDINGS) for m in holders):
        return True  # 湖南 in 湖南日报 names where the outlet is
    if subject.entity.label == ORGANIZATION and any(m.entity.label == PROGRAMME and m.entity is not candidate.object.entity for m in holders):
        return True  # 某公司 inside 某公司…示范项目 runs that project (a rule says so), not the next item of a list
    if not subject.entity.name.endswith(RENAMED_VILLAGE_ENDINGS) or subject.end - subject.start >= len(subject.entity.name):
        return False
    return any(m.entity.label == PROGRAMME for m in holders)


def _bucket(n: int) -> str:
    for limit in (0, 1, 2, 4, 7, 12):
        if n <= limit:
            return str(limit)
    return "13+"


def _endings(prefix: str, name: str) -> list[str]:
    return [f"{prefix}1={name[-1:]}", f"{prefix}2={name[-2:]}", f"{prefix}3={name[-3:]}"]


def pair_features(text: str, candidate: Candidate) -> list[str]:
    """The features of one candidate pair (strings; the model weighs each, in this order)."""
    subject, obj = candidate.subject, candidate.object
    features = ["bias", *_endings("S", subject.entity.name), *_endings("O", obj.entity.name), *_form_features(text, subject, obj)]
    if subject.start <= obj.start and obj.end <= subject.end or obj.start <= subject.start and subject.end <= obj.end:
        return features + _nested_features(text, candidate)
    first, second = (subject, obj) if subject.start < obj.start else (obj, subject)
    direction = "S>O" if first is subject else "O>S"
    features.append(direction)
    units = candidate.sentence.units
    first_index, second_index = _unit_at(units, first.start), _unit_at(units, second.start)
    if first_index == second_index:  # both inside one longer name
        return features + [f"{direction}same-name-gap={text[first.end:second.start][:3]}"]
    features += _between_features(candidate, direction, first_index, second_index)
    return features + _context_features(text, candidate, direction, first, (first_index, second_index))


def _form_features(text: str, subject: MentionRef, obj: MentionRef) -> list[str]:
    """Whether a mention is a short form of its entity's name, and whether it opens a 《title》."""
    features = []
    for role, mention in (("S", subject), ("O", obj)):
        if text[mention.start:mention.end] != mention.entity.name and mention.entity.name.endswith(text[mention.start:mention.end]):
            features.append(f"{role}=short-form")
    if text[obj.start - 1:obj.start] == "《":
        features.append("O=document")
    if text[subject.start - 1:subject.start] == "《":
        features.append("S=document")
    return features


def _nested_features(text: str, candidate: Candidate) -> list[str]:
    """One name inside the other: which, and the characters around the inner one."""
    subject, obj = candidate.subject, candidate.object
    inner_is_subject = obj.start <= subject.start and subject.end <= obj.end
    outer, inner = (obj, subject) if inner_is_subject else (subject, obj)
    features = ["nested:subject-inside" if inner_is_subject else "nested:object-inside", f"nested-after={text[inner.end:outer.end][:2]}"]
    if inner.entity.label == PLACE and any(m.entity.label == PLACE and m.start == inner.end for m in candidate.sentence.mentions):
        features.append("nested:place-before-place")
    return features + [f"nested-before={text[outer.start:inner.start][-2:]}"]


def _between_features(candidate: Candidate, direction: str, first_index: int, second_index: int) -> list[str]:
    """The words between the pair (lists either stands in skipped), their count, commas and rivals."""
    units = candidate.sentence.units
    tokens = [u.token for u in units[first_index + 1:second_index]]
    features = [f"{direction}siblings"] if _siblings(units[first_index + 1:second_index]) else []
    tokens, listed = _skip_lists(tokens, units[first_index].token, units[second_index].token)
    features += [f"{direction}in-list"] if listed else []
    words = [t for t in tokens if t not in _PUNCTUATION]
    for role, mention in (("S", candidate.subject), ("O", candidate.object)):  # rivals of the same type in between
        features.append(f"{direction}{role}-rivals={min(tokens.count(f'<{mention.entity.label}>'), 2)}")
    features += [f"gap={_bucket(len(words))}", f"{direction}gap={_bucket(len(words))}", f"commas={min(sum(t in ',，' for t in tokens), 2)}"]
    if "、" in tokens:
        features.append("list-between")
    for token in dict.fromkeys(words):  # in order, so sums do not depend on the hash seed
        features += [f"B={token}", f"{direction}B={token}"]
    if words:
        features += [f"B1={words[0]}", f"BL={words[-1]}", f"{direction}B1={words[0]}", f"{direction}BL={words[-1]}"]
    if len(tokens) <= 4:
        features.append(f"{direction}Bseq={'_'.join(tokens)}")
    return features


def _context_features(text: str, candidate: Candidate, direction: str, first: MentionRef, indices: tuple[int, int]) -> list[str]:
    """The two units before and after the pair, and whether the first opens its clause."""
    units, (first_index, second_index) = candidate.sentence.units, indices
    before = [u.token for u in units[max(first_index - 2, 0):first_index]]
    after = [u.token for u in units[second_index + 1:second_index + 3]]
    features = [f"L{n + 1}={token}" for n, token in enumerate(reversed(before))] + [f"R{n + 1}={token}" for n, token in enumerate(after)]
    clause_start = max(text.rfind(mark, candidate.sentence.start, first.start) for mark in ",，:：") + 1
    if not any(u.kind for u in units if clause_start <= u.start < first.start):
        features.append(f"{direction}first-in-clause")
    return features


def candidates(view: ArticleView) -> Iterator[Candidate]:
    """Every type-compatible ordered pair of mentions of distinct entities in one sentence.

    Generic references count as mentions of what they stand for: to a programme named
    before (该项目, 示范带), to a body (这家企业, 该局) or to a place (镇里, 全县).
    """
    references = sorted(view.references, key=lambda m: m.start)
    for sentence in sentence_bounds(view.text):
        mentions = _sentence_mentions(view, sentence, references)
        if len(mentions) >= 2:
            yield from _pairs(Sentence(*sentence, mentions, sentence_units(view.text, sentence, view.outermost(mentions))))


def _sentence_mentions(view: ArticleView, sentence: tuple[int, int], references: list[MentionRef]) -> list[MentionRef]:
    """The mentions of a sentence, with the back-references that fall outside every name."""
    named = view.within(*sentence)
    covered = {i for m in named for i in range(m.start, m.end)}
    mentions = named + [
        m for m in references + local_references(view, *sentence)
        if sentence[0] <= m.start and m.end <= sentence[1] and m.start not in covered
    ]
    return sorted(mentions, key=lambda m: (m.start, -m.end))


def _pairs(sentence: Sentence) -> Iterator[Candidate]:
    for subject in sentence.mentions:
        for obj in sentence.mentions:
            if subject.entity is obj.entity or abs(subject.start - obj.start) > MAX_GAP:
                continue
            for predicate, (subject_types, object_types) in PAIR_TYPES.items():
                if subject.entity.label in subject_types and obj.entity.label in object_types:
                    yield Candidate(predicate, subject, obj, sentence)


class RelationModel:
    """Logistic weights per predicate over pair features, with a decision threshold each."""

    def __init__(self, weights: dict[str, dict[str, float]] | None = None, thresholds: dict[str, float] | None = None) -> None:
        self.weights = weights or {}
        self.thresholds = thresholds or {}

    def probability(self, predicate: str, features: list[str]) -> float:
        weights = self.weights.get(predicate, {})
        score = sum(weights.get(feature, 0.0) for feature in features)
        return 1.0 / (1.0 + math.exp(-max(min(score, 30.0), -30.0)))

    def to_json(self) -> dict:
        return {"weights": self.weights, "thresholds": self.thresholds}

    @classmethod
    def from_json(cls, data: dict) -> "RelationModel":
        return cls(data["weights"], data["thresholds"])


def scored_pairs(doc: Doc, model: RelationModel) -> Iterator[tuple[Candidate, float]]:
    """Every candidate pair of the article with the model's probability for it."""
    view = ArticleView(doc)
    for candidate in candidates(view):
        yield candidate, model.probability(candidate.predicate, pair_features(view.text, candidate))


def model_relations(doc: Doc, model: RelationModel) -> list[Relation]:
    """Relations the model finds that the rules did not, best-scoring sentence as evidence."""
    known = {(r.subject, r.predicate, r.object) for r in doc._.relations}
    issued = [r for r in doc._.relations if r.predicate == "issuedBy"]
    # who issues a document is not its implementer, nor, for the scorer, is a body that issues another (县政府党组《…请示》、县总工会党组《…请示》)
    known |= {(issuer.object, "implements", document.subject) for issuer in issued for document in issued}
    best: dict[tuple[str, str, str], Relation] = {}
    for candidate, probability in scored_pairs(doc, model):
        if probability < model.thresholds.get(candidate.predicate, 1.0):
            continue
        key = (candidate.subject.entity.key, candidate.predicate, candidate.object.entity.key)
        if _never_proposed(candidate):
            continue
        if key in known or (key in best and best[key].confidence >= probability):
            continue
        start, end = candidate.sentence.start, candidate.sentence.end
        best[key] = Relation(*key, evidence=text_of(doc)[start:end], start=start, end=end, confidence=probability, method="model")
    return sorted(best.values(), key=lambda r: (r.start, r.predicate))


@Language.factory("kg_relation_classifier")
def make_relation_classifier(nlp: Language, name: str) -> "RelationClassifier":
    return RelationClassifier()


class RelationClassifier:
    """Adds the relations the trained model finds to ``doc._.relations``."""

    def __init__(self) -> None:
        path = MODEL_DIR / "model.json"
        self.model = RelationModel.from_json(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else RelationModel()

    def __call__(self, doc: Doc) -> Doc:
        doc._.relations = sorted(doc._.relations + model_relations(doc, self.model), key=lambda r: (r.start, r.predicate))
        return doc

    def to_disk(self, path: Path, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.json").write_text(json.dumps(self.model.to_json(), ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path: Path, exclude: tuple = ()) -> "RelationClassifier":
        self.model = RelationModel.from_json(json.loads((Path(path) / "model.json").read_text(encoding="utf-8")))
        return self
