"""A simulated Windows process, for plan57's tests: put this folder on PYTHONPATH and set
PLAN57_WINSHIM to the console's code page (`cp1258`, `cp437`), and Python starts without what
Windows lacks:

- POSIX-only functions and flags of `os` removed (fchmod, fchown, chown, link, fork, getuid, …,
  O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK) and `os.O_BINARY` present (0x8000, which Linux reads as
  O_LARGEFILE: a no-op on 64-bit systems);
- `fcntl`, `pwd`, `grp`, `termios`, `resource` not importable; the signals Windows lacks removed;
- multiprocessing with the spawn start method only (`get_context("fork")` raises ValueError);
- stdout and stderr in the code page, `\\r\\n` line ends, strict on stdout as Windows is when
  redirected (PLAN57_WINSHIM_TTY=1: they also say they are a console);
- os.replace, os.rename and os.unlink onto a path listed in PLAN57_WINSHIM_LOCKED (separated
  by os.pathsep) raise PermissionError with winerror 32, as for a file Word holds open;
- with LOCALAPPDATA set, platformdirs answers as on Windows (`%LOCALAPPDATA%\\plan57\\Cache`).

It cannot make Linux into Windows: see docs/windows.md for what this does not prove.
"""

from __future__ import annotations

import os
import sys

REMOVED_OS = (
    "fchmod",
    "fchown",
    "chown",
    "lchown",
    "lchmod",
    "link",
    "fork",
    "forkpty",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getgroups",
    "setuid",
    "setgid",
    "getpgid",
    "killpg",
    "fchdir",
    "mkfifo",
    "mknod",
    "O_NOFOLLOW",
    "O_DIRECTORY",
    "O_NONBLOCK",
    "O_NOCTTY",
    "O_CLOEXEC",
    "O_SYNC",
    "O_DSYNC",
)
REMOVED_SIGNALS = ("SIGKILL", "SIGHUP", "SIGPIPE", "SIGXFSZ", "SIGALRM", "SIGCHLD", "SIGUSR1", "SIGUSR2", "alarm")
BLOCKED_MODULES = ("fcntl", "pwd", "grp", "termios", "resource", "pty", "tty")
WINERROR_SHARING_VIOLATION = 32


class _Absent:
    """A module finder that knows the blocked modules do not exist."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name in BLOCKED_MODULES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _locked(path: object) -> bool:
    listed = os.environ.get("PLAN57_WINSHIM_LOCKED", "")
    if not listed or not isinstance(path, (str, bytes, os.PathLike)):
        return False
    mine = os.path.realpath(os.fsdecode(path))
    return any(mine == os.path.realpath(p) for p in listed.split(os.pathsep) if p)


def _in_use(path: object) -> PermissionError:
    exc = PermissionError(
        13, "The process cannot access the file because it is being used by another process", os.fsdecode(path)
    )
    exc.winerror = WINERROR_SHARING_VIOLATION  # type: ignore[attr-defined]
    return exc


def _guard_locked() -> None:
    replace, rename, unlink = os.replace, os.rename, os.unlink

    def guarded_replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if _locked(dst):
            raise _in_use(dst)
        return replace(src, dst, *args, **kwargs)

    def guarded_rename(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if _locked(dst) or _locked(src):
            raise _in_use(dst)
        return rename(src, dst, *args, **kwargs)

    def guarded_unlink(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if _locked(path):
            raise _in_use(path)
        return unlink(path, *args, **kwargs)

    os.replace, os.rename, os.unlink, os.remove = guarded_replace, guarded_rename, guarded_unlink, guarded_unlink


def _console(encoding: str) -> None:
    import io

    tty = os.environ.get("PLAN57_WINSHIM_TTY") == "1"

    class Console(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    for name, errors in (("stdout", "strict"), ("stderr", "backslashreplace")):
        stream = getattr(sys, name)
        if stream is None:
            continue
        stream.flush()
        if tty:
            buffer = stream.detach()
            new = Console(buffer, encoding=encoding, errors=errors, newline="\r\n", line_buffering=True)
            setattr(sys, name, new)
            setattr(sys, f"__{name}__", new)
        else:
            stream.reconfigure(encoding=encoding, errors=errors, newline="\r\n")


def _spawn_only() -> None:
    import multiprocessing.context as mpc

    for method in ("fork", "forkserver"):
        mpc._concrete_contexts.pop(method, None)  # type: ignore[attr-defined]
    mpc.DefaultContext.get_all_start_methods = lambda self: ["spawn"]  # type: ignore[method-assign]
    mpc._default_context = mpc.DefaultContext(mpc._concrete_contexts["spawn"])  # type: ignore[attr-defined]
    import multiprocessing

    multiprocessing.context._default_context = mpc._default_context  # type: ignore[attr-defined]
    for attr in ("get_context", "get_start_method", "set_start_method", "get_all_start_methods"):
        setattr(multiprocessing, attr, getattr(mpc._default_context, attr))  # type: ignore[attr-defined]


def _windows_dirs() -> None:
    try:
        import platformdirs
        import platformdirs.windows
    except ImportError:
        return
    platformdirs.PlatformDirs = platformdirs.windows.Windows  # type: ignore[misc]
    # the shell's known folders through ctypes are not there: the environment says where
    platformdirs.windows._RESOLVE_WIN_FOLDER = platformdirs.windows.get_win_folder_from_env_vars  # type: ignore[misc]


def _preload() -> None:
    """Libraries that choose their POSIX code by sys.platform, which stays "linux" here, are
    imported before the functions go, as they would never be on Windows."""
    for name in ("platformdirs", "platformdirs.unix", "platformdirs._runtime", "platformdirs.windows"):
        try:
            __import__(name)
        except ImportError:
            pass


def install(encoding: str) -> None:
    import signal

    _preload()
    for name in REMOVED_OS:
        if hasattr(os, name):
            delattr(os, name)
    os.O_BINARY = 0x8000  # type: ignore[attr-defined]
    for name in REMOVED_SIGNALS:
        if hasattr(signal, name):
            delattr(signal, name)
    for name in BLOCKED_MODULES:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _Absent)  # type: ignore[arg-type]
    _guard_locked()
    _spawn_only()
    if os.environ.get("LOCALAPPDATA"):
        _windows_dirs()
    _console(encoding)


_wanted = os.environ.get("PLAN57_WINSHIM")
if _wanted:
    install(_wanted if _wanted != "1" else "cp1258")
