"""The modules of src/nqpf use only public APIs of third-party packages, and only packages that
pyproject.toml declares.

``private_uses`` reads a module's source (no import of it) and reports, with line numbers:
imports of a private module or name (``from sklearn.x._y import z``, ``from x import _y``);
private attributes reached from an imported third-party name (``sklearn.utils._x``);
in classes derived from third-party classes, private methods of those classes overridden or
private attributes of them used (``def _count_vocab``, ``self._init_resources``); any other
private attribute that no nqpf module defines (``vectorizer._tfidf``); and ``sys.modules``
edited by hand. Dunder names (``__init__``, ``__sklearn_tags__``) and namedtuple methods
(``_replace``) are public.
"""

import ast
import importlib
import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest

from nqpf import paths

SOURCES = sorted((paths.ROOT / "src" / "nqpf").glob("*.py"))
NAMEDTUPLE = {"_asdict", "_field_defaults", "_fields", "_make", "_replace"}  # public API


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def third_party(module: str) -> bool:
    top = module.split(".")[0]
    return bool(top) and top not in sys.stdlib_module_names and top != "nqpf"


def resolve(dotted: str):
    """The object a dotted third-party name stands for, or None if it does not import."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            value = getattr(value, part, None)
        return value
    return None


def chain(node: ast.AST) -> tuple[str | None, list[str]]:
    """``a.b.c`` -> ("a", ["b", "c"]); the root is None unless it is a plain name."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.insert(0, node.attr)
        node = node.value
    return (node.id if isinstance(node, ast.Name) else None), attrs


def defined_names(trees: list[ast.AST]) -> set[str]:
    """Names nqpf code defines: functions, classes, assigned names and attributes."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return names


def private_uses(source: str, defined: set[str] | None = None) -> list[str]:
    """Where ``source`` touches private names of third-party packages: ``"line: what"``."""
    tree = ast.parse(source)
    defined = defined_names([tree]) if defined is None else defined
    found: dict[tuple[int, str], str] = {}  # (line, name) -> what
    imported, stdlib = {}, {"sys"}  # imported: local name -> dotted third-party name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                if not third_party(alias.name):
                    stdlib.add(local)
                    continue
                if any(map(private, alias.name.split("."))):
                    found[node.lineno, alias.name] = f"import {alias.name}"
                imported[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and not node.level:
            for alias in node.names:
                local, dotted = alias.asname or alias.name, f"{node.module}.{alias.name}"
                if not third_party(node.module):
                    stdlib.add(local)
                    continue
                if any(map(private, dotted.split("."))):
                    found[node.lineno, dotted] = f"from {node.module} import {alias.name}"
                imported[local] = dotted
    classes = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    for cls in classes.values():
        bases = [resolve(imported[root] + "".join(f".{a}" for a in attrs))
                 for root, attrs in map(chain, cls.bases) if root in imported]
        inherited = {name for base in bases if isinstance(base, type)
                     for name in dir(base) if private(name)}
        mixins = [classes[base.id] for base in cls.bases
                  if isinstance(base, ast.Name) and base.id in classes]  # one level is enough
        for node in (node for body in [cls, *mixins] for node in ast.walk(body)):
            if isinstance(node, ast.FunctionDef) and node.name in inherited:
                found[node.lineno, node.name] = f"overrides {cls.name}.{node.name}"
            elif isinstance(node, ast.Attribute) and node.attr in inherited:
                found[node.lineno, node.attr] = f"uses inherited {node.attr}"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        root, attrs = chain(node)
        if (root, attrs) == ("sys", ["modules"]):
            found[node.lineno, "sys.modules"] = "sys.modules edited by hand"
        if not private(node.attr) or (node.lineno, node.attr) in found:
            continue
        if root in imported:
            found[node.lineno, node.attr] = f"{root}.{'.'.join(attrs)}"
        elif node.attr not in defined | NAMEDTUPLE and root not in stdlib:
            found[node.lineno, node.attr] = f".{node.attr}, defined by no nqpf module"
    return [f"{line}: {what}" for (line, _), what in sorted(found.items())]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from sklearn.decomposition._online_lda_fast import f", ["1: from"]),
        ("from sklearn.utils import _safe_indexing", ["1: from"]),
        ("import joblib.externals.loky._base", ["1: import"]),
        ("import sklearn.utils\nsklearn.utils._x()", ["2: sklearn.utils._x"]),
        ("import numpy as np\nnp._core", ["2: np._core"]),
        ("from sklearn.feature_extraction.text import CountVectorizer as C\n"
         "class A(C):\n    def _count_vocab(self):\n        pass", ["3: overrides"]),
        ("from nbconvert import HTMLExporter\nclass E(HTMLExporter):\n"
         "    def f(self):\n        return self._init_resources(None), self._nb_metadata",
         ["4: uses inherited _init_resources", "4: ._nb_metadata"]),
        ("from sklearn.feature_extraction.text import CountVectorizer\nclass Mixin:\n"
         "    def _count_vocab(self):\n        pass\nclass A(Mixin, CountVectorizer):\n    pass",
         ["3: overrides"]),
        ("def f(vectorizer):\n    return vectorizer._tfidf", ["2: ._tfidf"]),
        ("import sys\nsys.modules.setdefault('rfc3987_syntax', None)", ["2: sys.modules"]),
        # public use, our own private names, dunders and the standard library are fine
        ("from sklearn.base import BaseEstimator\nclass A(BaseEstimator):\n"
         "    def _mine(self):\n        return self._mine, super().__sklearn_tags__()", []),
        ("import os\nos._exit(0)", []),
        ("from sklearn.decomposition import NMF\nNMF(2).fit_transform", []),
    ],
)
def test_private_uses_finds(source, expected):
    found = private_uses(source)
    assert len(found) == len(expected)
    assert all(text.startswith(prefix) for text, prefix in zip(found, expected, strict=True))


def test_nqpf_uses_only_public_apis():
    trees = {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES}
    defined = defined_names(list(trees.values()))
    found = {path.name: private_uses(path.read_text(encoding="utf-8"), defined)
             for path in SOURCES}
    assert {name: uses for name, uses in found.items() if uses} == {}


def test_nqpf_imports_only_declared_packages():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [*project["project"]["dependencies"],
                    *project["project"]["optional-dependencies"]["dask"]]  # nqpf.cluster
    declared = {requirement.split("==")[0].split(">=")[0].split("[")[0].strip().lower()
                for requirement in requirements}
    distributions = packages_distributions()
    imported = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add(node.module.split(".")[0])
    undeclared = {name: distributions.get(name, ["?"]) for name in sorted(imported)
                  if third_party(name)
                  and not {d.lower() for d in distributions.get(name, [])} & declared}
    assert undeclared == {}
