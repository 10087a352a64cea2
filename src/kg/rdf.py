"""Doc → RDF: what one article contributes to the store, in the vocabularies of ``ontology/kg.ttl``.

The store keeps two kinds of triples (see ``kg.store``):

* an article's **named graph** holds exactly what that article says: its description and
  provenance, the entities it mentions, the facts it states with their evidence, the names it
  uses for them (``skos:altLabel``), how sure it is of its places' division codes, and which
  of its entities are named together in a sentence. Rebuilding or deleting an article replaces
  exactly this graph.
* of those, the **evidence records** (``kg:Assertion``: the text and offset behind a fact),
  the **co-mentions** (``kg:CoMention``: the entities one sentence names), the graph's
  **own provenance** (what it was derived from, by which run, its content hash) and the
  article's **mentions** (``schema:mentions``) are about that article graph alone: the first
  three are nodes minted per article and never shared, and which entities an article names is
  asked of the article graphs (``GRAPH ?g { ?article schema:mentions ?e }``), so a second copy
  in the merged graph would add nothing but a quad per mention. They stay in the article
  graph only. Everything else the article states also goes into the store's merged
  default graph.
* **descriptions** are the triples that follow from an entity's IRI alone (its type,
  canonical label, division code, level and the divisions a coded place lies in; a post's
  title and unit; the software that ran): the same in every article, so they are written
  once, to the store's default graph, and not repeated in every article graph that names the
  entity.

The graph is lean by leaving out what a reader can work out (measured in ``bench/corpus.py``):
evidence records and co-mentions carry no ``rdf:type`` (their properties' ``rdfs:domain`` in
``ontology/kg.ttl`` entails it), an evidence record gives where its text starts but not where
it ends (start + length), and a co-mention is one sentence, so a pair's weight is a count.

Entity IRIs come from type and normalised name (and the division code for official places),
so the same entity in two articles gets the same IRI and the graphs join up. Output is
N-Quads text, which workers hand to the store process (cheap to pickle, loaded natively).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SDO, SKOS, XSD
from spacy.tokens import Doc

from . import __version__
from .ingest import Article
from .nlp.doc import ARTICLE, ORGANIZATION, PERSON, PLACE, PROGRAMME, Entity, Relation, text_of
from .nlp.text import sentence_bounds
from .resources import predicates, word_list
from .vocab import DEFAULT_BASE, KG

LAYOUT_VERSION = "4"
"""Version of the IRI scheme and graph layout; part of the extractor fingerprint, so a change
here re-extracts every article on the next build."""

ARTICLE_LOCAL_PROPERTIES = (KG.evidenceText, KG.participant, KG.contentHash)
"""Properties that only the nodes minted per article have (evidence records, co-mentions, the
article graph itself): the triples of their subjects stay out of the merged default graph."""
ARTICLE_ONLY_PREDICATES = (SDO.mentions,)
"""Predicates whose triples stay out of the merged default graph whatever their subject."""

TYPE_CLASSES = {
    PERSON: (SDO.Person,),
    PLACE: (SDO.Place,),
    ORGANIZATION: (SDO.Organization,),
    PROGRAMME: (KG.Programme,),
}
TYPE_PATHS = {PERSON: "person", PLACE: "place", ORGANIZATION: "org", PROGRAMME: "programme"}
PREDICATE_TERMS = {name: URIRef(predicate.iri) for name, predicate in predicates().items()}
"""The RDF property of each predicate, from ``kg/resources/predicates.toml``."""
LEVEL_WORDS = word_list("level_words")
"""Names starting with a level word (市委, 县政协) name a body only within a place: their IRIs are scoped."""
_IRI_UNSAFE = re.compile(r'[\s<>"{}|\\^`#?/%]')
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def normalise_name(name: str) -> str:
    """The form of a name used in IRIs: NFKC, no spaces, IRI-unsafe characters escaped."""
    name = unicodedata.normalize("NFKC", name).strip()
    return _IRI_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), re.sub(r"\s+", "", name))


def content_hash(text: str, fingerprint: str) -> str:
    """What decides whether an article must be rebuilt: its text and the extractor's fingerprint."""
    return hashlib.sha256(f"{fingerprint}\n{text}".encode("utf-8")).hexdigest()


class IriMinter:
    """Stable, readable IRIs under one base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def __call__(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(parts))

    def article(self, article_id: str) -> URIRef:
        return self("article", normalise_name(article_id))

    def graph(self, article_id: str) -> URIRef:
        return self("graph", normalise_name(article_id))

    def place(self, name: str, code: str | None) -> URIRef:
        local = normalise_name(name)
        return self("place", f"{local}_{code}" if code else local)

    def entity(self, entity: Entity, scope: str) -> URIRef:
        """An entity's IRI. People, and bodies named only by level (市委, 县政协), are scoped by
        ``scope`` (see ``person_scopes``): such a name alone is no identity."""
        if entity.label == PLACE:
            return self.place(entity.name, entity.code)
        local = normalise_name(entity.name)
        if entity.label == PERSON or entity.name.startswith(LEVEL_WORDS):
            local = f"{local}_{scope}"
        return self(TYPE_PATHS[entity.label], local)

    def post(self, holder_in: URIRef, title: str) -> URIRef:
        return self("post", holder_in[len(self.base):].replace("/", "_"), normalise_name(title))

    def agent(self, fingerprint: str) -> URIRef:
        """The software that extracted a graph: the kg version and its extractor fingerprint."""
        return self("software", f"kg-{__version__}-{fingerprint[:12]}")


@dataclass
class Run:
    """One build (or extract) run: the PROV activity every graph it writes was generated by."""

    iri: URIRef
    started: datetime
    fingerprint: str

    @classmethod
    def start(cls, fingerprint: str, base: str = DEFAULT_BASE, name: str | None = None) -> "Run":
        started = datetime.now(timezone.utc).replace(microsecond=0)
        local = name or started.strftime("run-%Y%m%dT%H%M%SZ")
        return cls(IriMinter(base)("activity", local), started, fingerprint)


def person_scopes(doc: Doc, article: Article, article_scope: str | None = None) -> dict[str, str]:
    """Where each person of the article belongs, for their IRI (and the article's own scope under ``ARTICLE``).

    Two people with one name are the same node only with supporting evidence:
    a person holding a post is scoped by the county (or higher division) of the
    post's place; everyone else by the article's main county, or by the
    article when it names no county. ``article_scope`` overrides the article's
    scope (a long article processed in pieces keeps one scope for all of them).
    """
    entities: dict[str, Entity] = doc._.entities
    article_scope = article_scope or _article_county(entities.values()) or f"a-{normalise_name(article.id)}"
    scopes: dict[str, str] = {}
    for relation in doc._.relations:
        if relation.predicate != "holdsPost" or relation.subject in scopes:
            continue
        place = _place_of(entities.get(relation.object), doc)
        county = _county_code(place) if place else None
        if county:
            scopes[relation.subject] = county
    return {key: scopes.get(key, article_scope) for key, e in entities.items() if e.label == PERSON} | {ARTICLE: article_scope}


def _place_of(entity: Entity | None, doc: Doc) -> Entity | None:
    if entity is None or entity.label == PLACE:
        return entity
    for relation in doc._.relations:
        if relation.subject == entity.key and relation.predicate == "locatedIn":
            return doc._.entities.get(relation.object)
    return None


def _county_code(place: Entity) -> str | None:
    """The code prefix of the county a coded place is in (city or province prefix above county level)."""
    code = place.code
    if not code:
        return None
    if code[4:6] != "00":
        return code[:6]
    return code[:4] if code[2:4] != "00" else code[:2]


def _article_county(entities: Iterable[Entity]) -> str | None:
    """The county the article is most about: the most-mentioned county prefix among its coded places."""
    counts: Counter[str] = Counter()
    for entity in entities:
        if entity.label == PLACE and entity.code and entity.code[4:6] != "00":
            counts[entity.code[:6]] += max(1, len(entity.mentions))
    return counts.most_common(1)[0][0] if counts else None


@dataclass
class ArticleRDF:
    """One article's contribution: its named graph, the descriptions it needs, its entity counts."""

    graph: URIRef
    triples: list[Triple] = field(default_factory=list)
    descriptions: list[Triple] = field(default_factory=list)
    entities: Counter = field(default_factory=Counter)
    local_nodes: set[URIRef] = field(default_factory=set)
    """The article's evidence records, co-mentions and graph (see ``ARTICLE_LOCAL_PROPERTIES``)."""

    def nquads(self) -> tuple[bytes, bytes]:
        """N-Quads of the article graph, and the N-Triples lines it adds to the default graph: the
        descriptions, and the article graph's triples again, since the store keeps the default
        graph as the merged graph of all articles (except the triples of its local nodes and
        of ``ARTICLE_ONLY_PREDICATES``)."""
        graph = f" {_nt(self.graph)} .\n"
        lines = [f"{_nt(s)} {_nt(p)} {_nt(o)}" for s, p, o in self.triples]
        named = [line + graph for line in lines]
        merged = [line + " .\n" for line, (s, p, _) in zip(lines, self.triples)
                  if s not in self.local_nodes and p not in ARTICLE_ONLY_PREDICATES]
        merged += [f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in dict.fromkeys(self.descriptions)]
        return "".join(named).encode("utf-8"), "".join(merged).encode("utf-8")


def article_rdf(pieces: list[tuple[int, Doc]], article: Article, run: Run, base: str = DEFAULT_BASE) -> ArticleRDF:
    """The RDF of one processed article, given as ``(offset, doc)`` pieces of its text (one piece
    for ordinary articles; long ones are cut at sentence ends, see ``kg.build``)."""
    iri = IriMinter(base)
    rdf = ArticleRDF(iri.graph(article.id))
    writer = _ArticleWriter(rdf, article, iri, run)
    scope = _article_county(e for _, doc in pieces for e in doc._.entities.values())
    for offset, doc in pieces:
        writer.add_piece(doc, offset, scope)
    writer.finish()
    return rdf


class _ArticleWriter:
    """Fills an :class:`ArticleRDF` piece by piece; entities are merged over pieces."""

    def __init__(self, rdf: ArticleRDF, article: Article, iri: IriMinter, run: Run) -> None:
        self.rdf, self.article, self.iri, self.run = rdf, article, iri, run
        self.article_iri = iri.article(article.id)
        self.local = normalise_name(article.id)
        self.triples: dict[Triple, None] = {}
        self.descriptions: dict[Triple, None] = {}
        self.entity_types: dict[URIRef, str] = {}
        self.co_mentions = 0
        self.assertions = 0
        self._describe_article()

    def fact(self, s, p, o) -> None:
        self.triples[(s, p, o)] = None

    def describe(self, s, p, o) -> None:
        self.descriptions[(s, p, o)] = None

    def add_piece(self, doc: Doc, offset: int, article_scope: str | None) -> None:
        entities: dict[str, Entity] = doc._.entities
        scopes = person_scopes(doc, self.article, article_scope)
        nodes = {key: self.iri.entity(e, scopes.get(key, scopes[ARTICLE])) for key, e in entities.items()}
        for key, entity in entities.items():
            self._describe_entity(nodes[key], entity, doc)
            self.fact(self.article_iri, SDO.mentions, nodes[key])
            self.entity_types.setdefault(nodes[key], entity.label)
        for relation in doc._.relations:
            self._add_relation(relation, nodes, offset)
        for keys in co_mentions(doc):
            self._add_co_mention({nodes[k] for k in keys})

    def finish(self) -> None:
        self.rdf.triples = list(self.triples)
        self.rdf.descriptions = list(self.descriptions)
        self.rdf.entities = Counter(self.entity_types.values())

    def _add_co_mention(self, members: set[URIRef]) -> None:
        if len(members) < 2:  # two names of one entity
            return
        node = self.iri("comention", self.local, str(self.co_mentions))
        self.co_mentions += 1
        self.rdf.local_nodes.add(node)
        for member in sorted(members):
            self.fact(node, KG.participant, member)

    def _describe_article(self) -> None:
        article, iri, node, graph = self.article, self.iri, self.article_iri, self.rdf.graph
        self.fact(node, RDF.type, SDO.NewsArticle)
        if article.headline:
            self.fact(node, SDO.headline, Literal(article.headline, lang="zh"))
        if article.date:
            self.fact(node, SDO.datePublished, Literal(article.date, datatype=XSD.date))
        if article.url:
            self.fact(node, SDO.url, URIRef(quote(article.url, safe=_URL_SAFE)))
        if article.publisher:
            publisher = iri("org", normalise_name(article.publisher))
            self.describe(publisher, RDF.type, SDO.Organization)
            self.describe(publisher, RDFS.label, Literal(article.publisher, lang="zh"))
            self.fact(node, SDO.publisher, publisher)
        self.fact(node, KG.sourcePath, Literal(article.source))
        self.rdf.local_nodes.add(graph)
        self.fact(graph, PROV.wasDerivedFrom, node)
        self.fact(graph, PROV.wasGeneratedBy, self.run.iri)
        self.fact(graph, PROV.generatedAtTime, Literal(self.run.started))
        self.fact(graph, KG.contentHash, Literal(content_hash(article.text, self.run.fingerprint)))
        agent = iri.agent(self.run.fingerprint)
        self.describe(self.run.iri, RDF.type, PROV.Activity)
        self.describe(self.run.iri, PROV.wasAssociatedWith, agent)
        self.describe(self.run.iri, PROV.startedAtTime, Literal(self.run.started))
        self.describe(agent, RDF.type, PROV.SoftwareAgent)
        self.describe(agent, RDFS.label, Literal(f"kg {__version__}"))
        self.describe(agent, SDO.softwareVersion, Literal(f"{__version__}+{self.run.fingerprint[:12]}"))

    def _describe_entity(self, node: URIRef, entity: Entity, doc: Doc) -> None:
        for cls in TYPE_CLASSES[entity.label]:
            self.describe(node, RDF.type, cls)
        self.describe(node, RDFS.label, Literal(entity.name, lang="zh"))
        originals = {doc._.original_text[s:e] for s, e in entity.mentions} if doc._.original_text else set()
        for alias in sorted((entity.aliases | originals) - {entity.name}):
            self.fact(node, SKOS.altLabel, Literal(alias, lang="zh"))
        if entity.label != PLACE or not entity.code:
            return
        self._describe_division(node, entity.code, entity.level)
        self.fact(node, KG.codeConfidence, Literal(round(entity.code_confidence or 0.0, 3), datatype=XSD.decimal))
        child = node
        for ancestor in entity.ancestors:
            parent = self.iri.place(ancestor.name, ancestor.code)
            self.describe(parent, RDF.type, SDO.Place)
            self.describe(parent, RDFS.label, Literal(ancestor.name, lang="zh"))
            self._describe_division(parent, ancestor.code, ancestor.level)
            self.describe(child, SDO.containedInPlace, parent)
            child = parent

    def _describe_division(self, node: URIRef, code: str, level: str | None) -> None:
        self.describe(node, RDF.type, SDO.AdministrativeArea)
        self.describe(node, KG.divisionCode, Literal(code))
        if level:
            self.describe(node, KG.divisionLevel, Literal(level))

    def _add_relation(self, relation: Relation, nodes: dict[str, URIRef], offset: int) -> None:
        subject = nodes.get(relation.subject)
        obj = self.article_iri if relation.object == ARTICLE else nodes.get(relation.object)
        if subject is None or obj is None:
            return
        predicate = PREDICATE_TERMS[relation.predicate]
        if predicates()[relation.predicate].article_first:
            # The article is the subject in schema.org: article schema:author person.
            subject, obj = obj, subject
        if relation.predicate == "holdsPost":
            post = self.iri.post(obj, relation.post or "")
            self.describe(post, RDF.type, ORG.Post)
            self.describe(post, RDFS.label, Literal(relation.post or "", lang="zh"))
            self.describe(post, ORG.postIn, obj)
            obj = post
        self.fact(subject, predicate, obj)
        assertion = self.iri("assertion", self.local, str(self.assertions))
        self.assertions += 1
        self.rdf.local_nodes.add(assertion)
        self.fact(assertion, RDF.subject, subject)
        self.fact(assertion, RDF.predicate, predicate)
        self.fact(assertion, RDF.object, obj)
        self.fact(assertion, KG.evidenceText, Literal(relation.evidence, lang="zh"))
        self.fact(assertion, KG.startOffset, Literal(relation.start + offset))
        self.fact(assertion, KG.confidence, Literal(round(relation.confidence, 3), datatype=XSD.decimal))
        self.fact(assertion, KG.extractionMethod, Literal(relation.method))


def co_mentions(doc: Doc) -> list[tuple[str, ...]]:
    """The entities named together in each sentence that names two or more, in sentence order.

    One node per sentence (not per pair) keeps a sentence naming n entities at n triples instead
    of n(n - 1); the weight of a pair is the number of sentences naming both.
    """
    bounds = sentence_bounds(text_of(doc))
    starts = [start for start, _ in bounds]
    members: list[set[str]] = [set() for _ in bounds]
    for key, entity in doc._.entities.items():
        for start, end in entity.mentions:
            index = _sentence_of(starts, start)
            if index is not None and end <= bounds[index][1]:
                members[index].add(key)
    return [tuple(sorted(keys)) for keys in members if len(keys) > 1]


def _sentence_of(starts: list[int], position: int) -> int | None:
    index = bisect_right(starts, position) - 1
    return index if index >= 0 else None


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)


def _nt(term: URIRef | Literal) -> str:
    """A term in N-Triples syntax."""
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_NT_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype and str(term.datatype) != _XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    return f"<{term}>"
