"""Doc → RDF: one named graph per article, in the vocabularies of ``ontology/kg.ttl``.

Everything extracted from one article goes into that article's named graph,
so rebuilding an article replaces exactly its own facts. Entity IRIs come from
type and normalised name (and the division code for official places), so the
same entity in two articles gets the same IRI and the graphs join up.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from itertools import combinations
from typing import Iterable
from urllib.parse import quote

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SDO, SKOS, XSD
from spacy.tokens import Doc

from . import __version__
from .ingest import Article
from .nlp.text import sentence_bounds
from .nlp.doc import ARTICLE, ORGANIZATION, PERSON, PLACE, PROGRAMME, Entity, Relation
from .resources import predicates, word_list
from .vocab import DEFAULT_BASE, KG

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
SOFTWARE_AGENT = "software/kg-" + __version__
_IRI_UNSAFE = re.compile(r'[\s<>"{}|\\^`#?/%]')


def normalise_name(name: str) -> str:
    """The form of a name used in IRIs: NFKC, no spaces, IRI-unsafe characters escaped."""
    name = unicodedata.normalize("NFKC", name).strip()
    return _IRI_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), re.sub(r"\s+", "", name))


def content_hash(text: str) -> str:
    """What decides whether an article must be rebuilt: its text and the extractor version."""
    return hashlib.sha256(f"{__version__}\n{text}".encode("utf-8")).hexdigest()


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


def person_scopes(doc: Doc, article: Article) -> dict[str, str]:
    """Where each person of the article belongs, for their IRI (and the article's own scope under ``ARTICLE``).

    Two people with one name are the same node only with supporting evidence:
    a person holding a post is scoped by the county (or higher division) of the
    post's place; everyone else by the article's main county, or by the
    article when it names no county.
    """
    entities: dict[str, Entity] = doc._.entities
    article_scope = _article_county(entities.values()) or f"a-{normalise_name(article.id)}"
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


def article_dataset(doc: Doc, article: Article, base: str = DEFAULT_BASE) -> Dataset:
    """The RDF of one processed article: a dataset with its single named graph."""
    dataset = Dataset()
    iri = IriMinter(base)
    graph = dataset.graph(iri.graph(article.id))
    fill_article_graph(graph, doc, article, iri)
    return dataset


def fill_article_graph(graph: Graph, doc: Doc, article: Article, iri: IriMinter) -> None:
    """Write everything extracted from ``doc`` into ``graph``."""
    entities: dict[str, Entity] = doc._.entities
    relations: list[Relation] = doc._.relations
    article_iri = iri.article(article.id)
    scopes = person_scopes(doc, article)
    nodes = {key: iri.entity(e, scopes.get(key, scopes[ARTICLE])) for key, e in entities.items()}

    _describe_article(graph, article, article_iri, iri)
    for key, entity in entities.items():
        _describe_entity(graph, nodes[key], entity, iri, doc)
        graph.add((article_iri, SDO.mentions, nodes[key]))
    for n, relation in enumerate(relations):
        _add_relation(graph, relation, nodes, article_iri, iri, iri("assertion", normalise_name(article.id), str(n)))
    for n, ((a, b), weight) in enumerate(sorted(co_mentions(doc).items())):
        node = iri("comention", normalise_name(article.id), str(n))
        graph.add((node, RDF.type, KG.CoMention))
        graph.add((node, KG.participant, nodes[a]))
        graph.add((node, KG.participant, nodes[b]))
        graph.add((node, KG.weight, Literal(weight)))


def _describe_article(graph: Graph, article: Article, article_iri: URIRef, iri: IriMinter) -> None:
    graph.add((article_iri, RDF.type, SDO.NewsArticle))
    if article.headline:
        graph.add((article_iri, SDO.headline, Literal(article.headline, lang="zh")))
    if article.date:
        graph.add((article_iri, SDO.datePublished, Literal(article.date, datatype=XSD.date)))
    if article.url:
        graph.add((article_iri, SDO.url, URIRef(article.url)))
    if article.publisher:
        publisher = iri("org", normalise_name(article.publisher))
        graph.add((publisher, RDF.type, SDO.Organization))
        graph.add((publisher, RDFS.label, Literal(article.publisher, lang="zh")))
        graph.add((article_iri, SDO.publisher, publisher))
    graph.add((article_iri, KG.sourcePath, Literal(article.source)))
    activity = iri("activity", normalise_name(article.id))
    agent = iri(SOFTWARE_AGENT)
    graph.add((graph.identifier, RDF.type, PROV.Entity))
    graph.add((graph.identifier, PROV.wasDerivedFrom, article_iri))
    graph.add((graph.identifier, PROV.wasGeneratedBy, activity))
    graph.add((graph.identifier, PROV.generatedAtTime, Literal(datetime.now(timezone.utc).replace(microsecond=0))))
    graph.add((graph.identifier, KG.contentHash, Literal(content_hash(article.text))))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, PROV.used, article_iri))
    graph.add((activity, PROV.wasAssociatedWith, agent))
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, Literal(f"kg {__version__}")))
    graph.add((agent, SDO.softwareVersion, Literal(__version__)))


def _describe_entity(graph: Graph, node: URIRef, entity: Entity, iri: IriMinter, doc: Doc) -> None:
    for cls in TYPE_CLASSES[entity.label]:
        graph.add((node, RDF.type, cls))
    graph.add((node, RDFS.label, Literal(entity.name, lang="zh")))
    originals = {doc._.original_text[s:e] for s, e in entity.mentions} if doc._.original_text else set()
    for alias in sorted((entity.aliases | originals) - {entity.name}):
        graph.add((node, SKOS.altLabel, Literal(alias, lang="zh")))
    if entity.label != PLACE or not entity.code:
        return
    _describe_division(graph, node, entity.code, entity.level)
    graph.add((node, KG.codeConfidence, Literal(round(entity.code_confidence or 0.0, 3), datatype=XSD.decimal)))
    child = node
    for ancestor in entity.ancestors:
        parent = iri.place(ancestor.name, ancestor.code)
        graph.add((parent, RDF.type, SDO.Place))
        graph.add((parent, RDFS.label, Literal(ancestor.name, lang="zh")))
        _describe_division(graph, parent, ancestor.code, ancestor.level)
        graph.add((child, SDO.containedInPlace, parent))
        child = parent


def _describe_division(graph: Graph, node: URIRef, code: str, level: str | None) -> None:
    graph.add((node, RDF.type, SDO.AdministrativeArea))
    graph.add((node, KG.divisionCode, Literal(code)))
    if level:
        graph.add((node, KG.divisionLevel, Literal(level)))


def _add_relation(
    graph: Graph, relation: Relation, nodes: dict[str, URIRef], article_iri: URIRef, iri: IriMinter, assertion: URIRef
) -> None:
    subject = nodes.get(relation.subject)
    obj = article_iri if relation.object == ARTICLE else nodes.get(relation.object)
    if subject is None or obj is None:
        return
    predicate = PREDICATE_TERMS[relation.predicate]
    if predicates()[relation.predicate].article_first:
        # The article is the subject in schema.org: article schema:author person.
        subject, obj = obj, subject
    if relation.predicate == "holdsPost":
        post = iri.post(obj, relation.post or "")
        graph.add((post, RDF.type, ORG.Post))
        graph.add((post, RDFS.label, Literal(relation.post or "", lang="zh")))
        graph.add((post, ORG.postIn, obj))
        graph.add((assertion, KG.post, post))
        obj = post
    graph.add((subject, predicate, obj))
    graph.add((assertion, RDF.type, KG.Assertion))
    graph.add((assertion, RDF.subject, subject))
    graph.add((assertion, RDF.predicate, predicate))
    graph.add((assertion, RDF.object, obj))
    graph.add((assertion, KG.evidenceText, Literal(relation.evidence, lang="zh")))
    graph.add((assertion, KG.startOffset, Literal(relation.start)))
    graph.add((assertion, KG.endOffset, Literal(relation.end)))
    graph.add((assertion, KG.confidence, Literal(round(relation.confidence, 3), datatype=XSD.decimal)))
    graph.add((assertion, KG.extractionMethod, Literal(relation.method)))
    graph.add((assertion, PROV.wasDerivedFrom, article_iri))


def co_mentions(doc: Doc) -> Counter[tuple[str, str]]:
    """Pairs of entities named in the same sentence, with the number of such sentences."""
    owner = {m: key for key, e in doc._.entities.items() for m in e.mentions}
    counts: Counter[tuple[str, str]] = Counter()
    for sentence in sentence_bounds(doc.text):
        keys = sorted({key for (s, e), key in owner.items() if s >= sentence[0] and e <= sentence[1]})
        counts.update(combinations(keys, 2))
    return counts
