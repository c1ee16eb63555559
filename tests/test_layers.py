"""The package's layers: imports only go down, and no module imports itself round a circle.

base → model → loading → validation → scoring → render → api → cli (low to high). A module may
import from its own layer or any lower one, never from a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "plan57"
LAYERS = ["base", "model", "loading", "validation", "scoring", "render", "api", "cli"]
TOP_LEVEL = {
    "__init__": 0,
    "__main__": len(LAYERS) - 1,
    "clihelp": len(LAYERS) - 1,
    "entry": len(LAYERS) - 1,
    "validate_command": len(LAYERS) - 1,
    "commands": len(LAYERS) - 1,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return 0
    name = parts[1]
    if name in TOP_LEVEL:
        return TOP_LEVEL[name]
    assert name in LAYERS, f"{module}: not in a known layer; add its folder to LAYERS in this test"
    return LAYERS.index(name)


def imports_of(path: Path) -> set[str]:
    """Every plan57 module a file imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("plan57"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if not base.startswith("plan57"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                sub = PACKAGE.parent / Path(*candidate.split("."))
                found.add(candidate if sub.with_suffix(".py").exists() or sub.is_dir() else base)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_sits_in_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_imports_only_go_down() -> None:
    wrong = []
    for module, path in MODULES.items():
        for target in imports_of(path):
            if target == "plan57" or target.endswith("__version__"):
                continue
            if layer_of(target) > layer_of(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports going up a layer:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    graph = {m: {t for t in imports_of(p) if t in MODULES and t != m and t != "plan57"} for m, p in MODULES.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = stack[stack.index(t) :] + [t]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
