"""plan57 runs on Windows (SPEC §9): no POSIX-only call or import outside a branch that checks for it.

Every module of the package is walked with `ast`. A use of something Windows lacks (a function
or flag of `os`, a signal, a module such as fcntl or pwd) is allowed only where it is checked
for: under `if hasattr(os, "x")` (or `getattr(os, "x", …)`) naming it, after an early
`if not hasattr(os, "x"): return`, after `hasattr(os, "x") and` in the same test, or inside a
`try` that catches AttributeError or ImportError. `sys.platform` is never used: the capability is
checked, not the platform's name. Every `os.open` passes O_BINARY (the platform's, or 0), so
Windows never translates line ends in a file opened by descriptor.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "plan57"

POSIX_ONLY = {
    "os": {
        "fchmod", "fchown", "chown", "lchown", "lchmod", "link", "fork", "forkpty", "getuid", "geteuid",
        "getgid", "getegid", "getgroups", "setuid", "setgid", "seteuid", "setegid", "getpgid", "setsid",
        "killpg", "fchdir", "mkfifo", "mknod", "sync", "pipe2", "sched_getaffinity", "getloadavg", "wait3",
        "wait4", "WNOHANG", "O_NOFOLLOW", "O_DIRECTORY", "O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_SYNC",
        "O_DSYNC", "posix_fadvise", "statvfs", "fstatvfs", "getpwuid", "ttyname", "openpty",
    },
    "signal": {
        "SIGKILL", "SIGHUP", "SIGPIPE", "SIGXFSZ", "SIGALRM", "SIGCHLD", "SIGUSR1", "SIGUSR2", "SIGQUIT",
        "SIGSTOP", "SIGCONT", "alarm", "setitimer", "pthread_sigmask", "pthread_kill", "siginterrupt",
    },
}  # fmt: skip
POSIX_MODULES = {"fcntl", "pwd", "grp", "termios", "resource", "pty", "tty", "posix", "syslog", "crypt", "spwd"}
CATCHES = {"AttributeError", "ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _checks_for(test: ast.AST, name: str) -> bool:
    """Whether an expression asks `hasattr(m, "name")` or `getattr(m, "name", …)`."""
    for node in ast.walk(test):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("hasattr", "getattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == name
        ):
            return True
    return False


def _exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def _catches(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in CATCHES for n in names)


class _Walker(ast.NodeVisitor):
    def __init__(self, where: str, tree: ast.AST):
        self.where = where
        self.assigned: dict[str, list[str]] = {}  # a name's assigned values, anywhere in the module
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(ast.unparse(node.value))
        self.found: list[str] = []
        self.guards: list[tuple[str, ...]] = []  # names checked for by the enclosing branches
        self.catching = 0  # inside a try that catches AttributeError / ImportError

    def _guarded(self, name: str) -> bool:
        return self.catching > 0 or any(name in g for g in self.guards)

    def _flag(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.where}:{getattr(node, 'lineno', 0)}: {what}")

    def _names_checked(self, test: ast.AST) -> tuple[str, ...]:
        names = [n for names in POSIX_ONLY.values() for n in names]
        return tuple(n for n in names if _checks_for(test, n))

    def _body(self, body: list[ast.stmt]) -> None:
        pushed = 0
        for stmt in body:
            self.visit(stmt)
            # `if not hasattr(os, "fork"): return` guards the rest of this body
            if isinstance(stmt, ast.If) and _exits(stmt.body) and not stmt.orelse:
                checked = self._names_checked(stmt.test)
                if checked:
                    self.guards.append(checked)
                    pushed += 1
        for _ in range(pushed):
            self.guards.pop()

    def generic_visit(self, node: ast.AST) -> None:
        for _field, value in ast.iter_fields(node):
            if isinstance(value, list) and value and all(isinstance(v, ast.stmt) for v in value):
                self._body(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        self.guards.append(self._names_checked(node.test))
        self._body(node.body)
        self._body(node.orelse)  # `if not hasattr(...)` … `else:` uses it: the test names it either way
        self.guards.pop()

    visit_While = visit_If  # type: ignore[assignment]

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.visit(node.test)
        self.guards.append(self._names_checked(node.test))
        self.visit(node.body)
        self.visit(node.orelse)
        self.guards.pop()

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        pushed = 0
        for value in node.values:
            self.visit(value)
            self.guards.append(self._names_checked(value))
            pushed += 1
        for _ in range(pushed):
            self.guards.pop()

    def visit_Try(self, node: ast.Try) -> None:
        catching = any(_catches(h) for h in node.handlers)
        self.catching += catching
        self._body(node.body)
        self.catching -= catching
        for handler in node.handlers:
            self._body(handler.body)
        self._body(node.orelse)
        self._body(node.finalbody)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name):
            module, name = node.value.id, node.attr
            if module == "sys" and name == "platform":
                self._flag(node, "sys.platform: check the capability (hasattr) instead")
            elif name in POSIX_ONLY.get(module, ()) and not self._guarded(name):
                self._flag(node, f"{module}.{name} outside a branch that checks for it")
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in POSIX_MODULES and not self.catching:
                self._flag(node, f"import {alias.name} outside a try that catches ImportError")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = (node.module or "").split(".")[0]
        if module in POSIX_MODULES and not self.catching:
            self._flag(node, f"from {node.module} import … outside a try that catches ImportError")
        for alias in node.names:
            if alias.name in POSIX_ONLY.get(module, ()) and not self.catching:
                self._flag(node, f"from {module} import {alias.name}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "open" and isinstance(func.value, ast.Name):
            if func.value.id == "os" and len(node.args) >= 2:
                flags = ast.unparse(node.args[1])
                if isinstance(node.args[1], ast.Name):  # flags = … | O_BINARY; os.open(path, flags)
                    flags = " | ".join(self.assigned.get(flags, [flags]))
                if "BINARY" not in flags and "DIRECTORY" not in flags:
                    self._flag(node, f"os.open without O_BINARY: {flags}")
        self.generic_visit(node)


def problems(source: str, where: str = "<source>") -> list[str]:
    tree = ast.parse(source)
    walker = _Walker(where, tree)
    walker.visit(tree)
    return walker.found


def test_the_package_has_no_unchecked_posix_only_call() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += problems(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert found == [], "\n".join(found)


BAD = {
    "a call": "import os\nos.fchmod(fd, 0o644)\n",
    "a flag": "import os\nfd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, 'O_BINARY', 0))\n",
    "a module": "import fcntl\n",
    "from a module": "from pwd import getpwuid\n",
    "from os": "from os import link\n",
    "a signal": "import signal\nsignal.signal(signal.SIGHUP, f)\n",
    "sys.platform": "import sys\nif sys.platform == 'win32':\n    pass\n",
    "os.open without O_BINARY": "import os\nfd = os.open(p, os.O_RDONLY)\n",
    "a check of another name": "import os\nif hasattr(os, 'link'):\n    os.fchmod(fd, 0o644)\n",
    "after the guarded branch": "import os\nif hasattr(os, 'fork'):\n    pass\nos.fork()\n",
    "a try that catches something else": "import os\ntry:\n    os.getuid()\nexcept KeyError:\n    pass\n",
}
GOOD = {
    "hasattr": "import os\nif hasattr(os, 'fchmod'):\n    os.fchmod(fd, 0o644)\nelse:\n    os.chmod(p, 0o644)\n",
    "getattr": "import os\nlink = getattr(os, 'link', None)\nflags = getattr(os, 'O_NOFOLLOW', 0)\n",
    "an early return": textwrap.dedent(
        """
        import os
        def f():
            if not hasattr(os, "fork"):
                return
            pid = os.fork()
        """
    ),
    "an and": "import os\nok = hasattr(os, 'geteuid') and os.geteuid() == 0\n",
    "an if expression": "import os\nuid = os.getuid() if hasattr(os, 'getuid') else None\n",
    "a try": "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n",
    "os.open with O_BINARY": "import os\nfd = os.open(p, os.O_RDONLY | getattr(os, 'O_BINARY', 0))\n",
    "what Windows has": "import os, signal\nos.replace(a, b)\nos.chmod(p, 0o644)\nsignal.signal(signal.SIGTERM, f)\n",
}


@pytest.mark.parametrize("case", list(BAD))
def test_the_walk_finds_each_kind_of_unchecked_use(case: str) -> None:
    assert problems(BAD[case]), case


@pytest.mark.parametrize("case", list(GOOD))
def test_the_walk_accepts_each_kind_of_check(case: str) -> None:
    assert problems(GOOD[case]) == [], case
