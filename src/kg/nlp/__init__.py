"""The NLP stage: text → spaCy ``Doc`` with entities, links and relations."""
