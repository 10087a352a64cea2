"""The NLP pipeline: a spaCy ``Language`` of registered components over character tokens.

Order: statistical NER (``kg_char_ner``, shipped in ``kg/models/ner``) →
``kg_place_ruler`` → ``kg_subplace_ruler`` → ``kg_entity_ruler`` → ``kg_entity_merger`` →
``kg_place_linker`` → ``kg_resolver`` → ``kg_relation_extractor`` (rules) →
``kg_relation_classifier`` (trained scorer, ``kg/models/relations``). The whole
pipeline is a ``config.cfg``: ``nlp.to_disk(path)`` writes it and
``spacy.load(path)`` reads it back (with ``kg`` importable).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import doc as _doc  # noqa: F401  (declares the Doc extensions)
from . import merge, places, relation_model, relations, resolve, rules, subplaces  # noqa: F401  (register the factories)
from .text import article_in_simplified

MODELS = Path(__file__).resolve().parents[1] / "models"
NER_MODEL = MODELS / "ner"


def build_pipeline(ner_model: Path | None = NER_MODEL) -> Language:
    """A fresh pipeline; the statistical NER is sourced from ``ner_model`` when it is there."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    if ner_model is not None and (ner_model / "config.cfg").exists():
        from . import charner  # noqa: F401  (registers the NER factory and architecture)

        source = spacy.load(ner_model)
        for name in source.pipe_names:
            nlp.add_pipe(name, source=source)
    for name in ("kg_place_ruler", "kg_subplace_ruler", "kg_entity_ruler", "kg_entity_merger", "kg_place_linker", "kg_resolver", "kg_relation_extractor", "kg_relation_classifier"):
        nlp.add_pipe(name)
    nlp.get_pipe("kg_entity_ruler").add_patterns(rules.read_rules())
    nlp.get_pipe("kg_relation_extractor").add_patterns(relations.read_patterns())
    return nlp


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The shared pipeline of this process (built once)."""
    return build_pipeline()


def make_doc(nlp: Language, text: str) -> Doc:
    """A ``Doc`` of the Simplified-script text, keeping the original text for labels and evidence."""
    simplified = article_in_simplified(text)
    doc = nlp.make_doc(simplified)
    doc._.original_text = text
    doc._.text = simplified
    return doc
