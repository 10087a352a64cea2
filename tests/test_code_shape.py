"""The shape the NLP code keeps: small functions, and rules as data rather than code.

Measured with radon's cyclomatic complexity (each branch, loop, boolean operator and
comprehension clause counts) and the functions' line counts; the rule and relation modules hold
no Chinese word or phrasing outside their docstrings and comments, because what the extractor
knows about phrasing lives in ``kg/resources``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from radon.complexity import cc_visit

NLP = Path(__file__).resolve().parents[1] / "src" / "kg" / "nlp"
MODULES = sorted(NLP.rglob("*.py"))
MAX_COMPLEXITY = 15
MAX_LINES = 40
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _functions(path: Path) -> list[ast.FunctionDef]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(NLP)))
def test_no_function_is_over_the_complexity_limit(path: Path):
    blocks = cc_visit(path.read_text(encoding="utf-8"))
    too_complex = [f"{block.fullname} ({block.complexity})" for block in blocks if block.complexity > MAX_COMPLEXITY]
    assert not too_complex, f"split these into named steps: {too_complex}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(NLP)))
def test_no_function_is_over_the_length_limit(path: Path):
    too_long = [f"{f.name} ({f.end_lineno - f.lineno + 1} lines)" for f in _functions(path) if f.end_lineno - f.lineno + 1 > MAX_LINES]
    assert not too_long, f"split these into named steps: {too_long}"


def _code_strings(path: Path) -> list[str]:
    """The string literals of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    documented = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | documented]


@pytest.mark.parametrize("name", ["rules.py", "relations.py", "patterns.py", "mentions.py"])
def test_rule_modules_hold_no_chinese_words_or_phrasings(name: str):
    chinese = [s for s in _code_strings(NLP / name) if CJK.search(s)]
    assert not chinese, f"move these to kg/resources (a word list, a phrasing or a pattern): {chinese}"


def test_a_chinese_literal_would_be_caught(tmp_path: Path):
    module = tmp_path / "module.py"
    module.write_text('"""说明。"""\nWORDS = ("印发", "出台")\n', encoding="utf-8")
    assert [s for s in _code_strings(module) if CJK.search(s)] == ["印发", "出台"]
