"""No module of graphdiff reads another module's private names (`_name`): what one module offers
another is public, so a private name can be renamed or removed without looking outside its module.
(The import-layers contract, which `make test` runs with import-linter, checks the direction of
imports; no well-kept tool checks private names inside one package, hence this scan.)"""
import ast
from pathlib import Path

import graphdiff

PACKAGE = Path(graphdiff.__file__).resolve().parent


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom reads (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    here = _module_of(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    base = here[:len(here) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def private_reads(path: Path) -> list[str]:
    """`from graphdiff.x import _y` and `x._y` where x names a graphdiff module, in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, modules = [], {}        # local name -> the graphdiff module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(path, node)
            if not source.startswith("graphdiff"):
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.name}:{node.lineno} imports {source}.{alias.name}")
                modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("graphdiff"):
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _private(node.attr):
            target = modules.get(node.value.id)
            if target is not None and (PACKAGE.parent / (target.replace(".", "/") + ".py")).exists():
                found.append(f"{path.name}:{node.lineno} reads {target}.{node.attr}")
    return found


def test_no_module_reads_another_modules_private_names():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in private_reads(path)]
    assert found == []


def test_the_scan_sees_both_forms(tmp_path, monkeypatch):
    # the scan itself: a private import and a private attribute of an imported module are caught
    fake = PACKAGE / "render" / "x.py"
    text = "from ..sweeps import _secret\nfrom . import effort\nimport graphdiff.graph\neffort._hidden()\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: text)
    assert private_reads(fake) == ["x.py:1 imports graphdiff.sweeps._secret",
                                   "x.py:4 reads graphdiff.render.effort._hidden"]
