"""The statistical NER's arithmetic: the matrix products it runs on, and that they leave its tags as they were."""

from __future__ import annotations

import numpy
import pytest
from thinc.api import NumpyOps

from kg.nlp.charner import BlasGemmOps
from kg.nlp.pipeline import load_pipeline, make_doc


@pytest.mark.parametrize("trans1, trans2", [(False, False), (True, False), (False, True), (True, True)])
def test_the_blas_product_equals_thincs_own(trans1, trans2):
    rng = numpy.random.default_rng(7)
    a, b = rng.standard_normal((48, 32), dtype="float32"), rng.standard_normal((32, 40), dtype="float32")
    x = numpy.ascontiguousarray(a.T) if trans1 else a
    y = numpy.ascontiguousarray(b.T) if trans2 else b
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    assert numpy.allclose(expected, a @ b, atol=1e-4)
    assert numpy.allclose(BlasGemmOps().gemm(x, y, trans1=trans1, trans2=trans2), expected, atol=1e-4)
    out = numpy.zeros_like(expected)
    assert BlasGemmOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    assert numpy.allclose(out, expected, atol=1e-4)


def _tags_with(ner, ops, text: str, nlp) -> list[tuple]:
    for node in ner.model.walk():
        node.ops = ops
    doc = ner(make_doc(nlp, text))
    return [(s.start_char, s.end_char, s.label_) for s in (doc.spans[ner.spans_key] if ner.spans_key else doc.ents)]


def test_the_shipped_ner_runs_on_the_blas_product_and_tags_as_before():
    nlp = load_pipeline()
    ner = nlp.get_pipe("kg_char_ner")
    assert {type(node.ops) for node in ner.model.walk()} == {BlasGemmOps}
    text = "梅州市梅县区委书记李某某到松口镇调研,广东省农业农村厅派出工作队。"
    try:
        with_blis = _tags_with(ner, NumpyOps(), text, nlp)
    finally:
        with_blas = _tags_with(ner, BlasGemmOps(), text, nlp)
    assert with_blas == with_blis and ("LOC" in {label for *_, label in with_blas})
