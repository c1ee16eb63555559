"""Content-hash cache of per-file validation results, under $XDG_CACHE_HOME/plan57.

An entry is keyed by plan57's version, the plan's hash, the file's name, folder year, the size
limit and the file's bytes, so any change to any of them is a miss. Entries are JSON, written
atomically; a damaged entry is a miss, never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from . import __version__
from .diagnostics import Diagnostic
from .validate import FileResult


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "plan57" / "files"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$date" in obj:
        return dt.date.fromisoformat(obj["$date"])
    return obj


class Cache:
    def __init__(self, plan_hash: str, root: Path | None = None):
        self.root = root or cache_root()
        self.salt = f"{__version__}\0{plan_hash}\0".encode()

    def key(self, raw: bytes, path: Path, folder_year: int | None, max_size: int) -> str:
        h = hashlib.sha256(self.salt)
        h.update(f"{path.name}\0{folder_year}\0{max_size}\0".encode())
        h.update(raw)
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str, path: Path, display: str, folder_year: int | None) -> FileResult | None:
        try:
            entry = json.loads(self._file(key).read_text(encoding="utf-8"), object_hook=_decode)
            return FileResult(
                path=path,
                display=display,
                folder_year=folder_year,
                diagnostics=[Diagnostic(display, *d) for d in entry["diagnostics"]],
                record=entry["record"],
                unit_id=entry["unit_id"],
                unit_loc=tuple(entry["unit_loc"]),  # type: ignore[arg-type]
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: FileResult) -> None:
        entry = {
            "diagnostics": [[d.line, d.col, d.severity, d.code, d.message] for d in result.diagnostics],
            "record": result.record,
            "unit_id": result.unit_id,
            "unit_loc": list(result.unit_loc),
        }
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False, default=_encode)
            os.replace(tmp, target)
        except (OSError, TypeError, ValueError):
            pass  # a cache that cannot be written is only slower
