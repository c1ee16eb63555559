"""Content-hash cache of per-file validation results, under $XDG_CACHE_HOME/plan57.

An entry is keyed by the file's name, folder year, the size limit and the file's bytes; the
index holding the entries is tied to plan57's version and the plan's hash, so any change to any
of them is a miss. The index is one pickle file in the user's own cache folder (as black keeps
its cache), read once and replaced atomically; a damaged or foreign index is a miss, never an
error.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import pickle
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from plan57 import __version__

MAX_ENTRIES = 200_000
RACY_NS = 2_000_000_000  # coarse file-system clocks (FAT: 2 s) cannot hide a change older than this


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """plan57's version and its own source: a changed checkout invalidates the cache like a release."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        h.update(source.relative_to(package).as_posix().encode())
        h.update(source.read_bytes())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "plan57"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$date" in obj:
        return dt.date.fromisoformat(obj["$date"])
    return obj


class Cache:
    """Results by content key. The light index (diagnostics, unit, location) and the records
    (the validated data scoring needs) are kept apart, so `validate` never loads the records."""

    def __init__(self, plan_hash: str, root: Path | None = None, with_records: bool = True):
        folder = root or cache_root()
        self.path = folder / "results.pickle"
        self.records_path = folder / "records.pickle"
        self.salt = f"{__version__}\0{code_fingerprint()}\0{plan_hash}"
        self.with_records = with_records
        self._entries: dict[str, Any] | None = None
        self._records: dict[str, Any] | None = None
        # (path, folder year, size limit) → (size, mtime_ns, inode, key): lets an unchanged file
        # skip being read, as git's index does, except when it changed too close to the last save
        self._stats: dict[tuple[str, int | None, int], tuple[int, int, int, int, str]] = {}
        # a pickle runs code when read: only a folder that no one else can write is trusted
        self.note: str | None = None
        self._trusted: bool | None = None
        self._saved_ns = 0
        self._dirty = False
        self._records_dirty = False

    @staticmethod
    def key(raw: bytes, path: Path, folder_year: int | None, max_size: int) -> str:
        h = hashlib.sha256(f"{path.name}\0{folder_year}\0{max_size}\0".encode())
        h.update(raw)
        return h.hexdigest()

    def trusted(self) -> bool:
        """The cache folder (and the files in it) belong to this user and no one else can write
        them; else the cache is neither read nor written, and `note` says why, once."""
        if self._trusted is None:
            self._trusted = True
            folder = self.path.parent
            for place in (folder, self.path, self.records_path):
                try:
                    st = os.lstat(place)
                except FileNotFoundError:
                    continue
                except OSError:
                    st = None
                uid = os.getuid() if hasattr(os, "getuid") else None
                if (
                    st is None
                    or (uid is not None and st.st_uid != uid)
                    or st.st_mode & 0o022
                    or stat.S_ISLNK(st.st_mode)
                ):
                    self._trusted = False
                    self.note = (
                        f"bỏ qua bộ nhớ đệm '{folder}': thư mục hoặc tệp trong đó không thuộc người dùng này "
                        "hoặc người khác có thể ghi vào (chmod go-w để dùng lại); mọi tệp được đọc lại"
                    )
                    break
        return self._trusted

    def _read(self, path: Path) -> dict[str, Any] | None:
        if not self.trusted():
            return None
        try:
            index = pickle.loads(path.read_bytes())
        except Exception:  # any damage at all is a miss  # noqa: BLE001
            return None
        return index if isinstance(index, dict) and index.get("salt") == self.salt else None

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = {}
            index = self._read(self.path)
            if index is not None and isinstance(index.get("entries"), dict):
                self._entries = index["entries"]
                self._stats = index.get("stats") or {}
                self._saved_ns = int(index.get("saved_ns") or 0)
        return self._entries

    def _load_records(self) -> dict[str, Any]:
        if self._records is None:
            index = self._read(self.records_path)
            records = index.get("records") if index is not None else None
            self._records = records if isinstance(records, dict) else {}
        return self._records

    def known_key(self, path: Path, st: os.stat_result, folder_year: int | None, max_size: int) -> str | None:
        """The key of a file whose size, time and inode are those recorded, and safely older."""
        self._load()
        seen = self._stats.get((str(path), folder_year, max_size))
        if seen is None or seen[:4] != (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns):
            return None
        if st.st_mtime_ns >= self._saved_ns - RACY_NS:  # could have changed unseen within the clock's step
            return None
        return seen[4]

    def remember(self, path: Path, st: os.stat_result, folder_year: int | None, max_size: int, key: str) -> None:
        self._load()
        entry = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, key)
        slot = (str(path), folder_year, max_size)
        if self._stats.get(slot) != entry:
            self._stats[slot] = entry
            self._dirty = True

    def get(self, key: str) -> dict[str, Any] | None:
        """The plain record stored under key: `diagnostics` (tuples of line, col, severity, code,
        message), `unit_id`, `unit_loc` and `record` (the validated data; VALID when the records
        were not loaded, None for an invalid file). The caller gives them their meaning."""
        entry = self._load().get(key)
        try:
            record = None
            if entry["has_record"]:  # type: ignore[index]
                # a validate-only run needs to know the file is valid, not its data
                record = pickle.loads(self._load_records()[key]) if self.with_records else VALID
            return {
                "diagnostics": entry["diagnostics"],  # type: ignore[index]
                "record": record,
                "unit_id": entry["unit_id"],  # type: ignore[index]
                "unit_loc": tuple(entry["unit_loc"]),  # type: ignore[index]
            }
        except Exception:  # a damaged entry is a miss  # noqa: BLE001
            return None

    def has(self, key: str) -> bool:
        """Whether an entry is stored under key (without building it)."""
        return key in self._load()

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store a plain record of the shape `get` returns (its `record` may come pickled already)."""
        self._load()[key] = {
            "diagnostics": [tuple(d) for d in entry["diagnostics"]],
            "has_record": entry["record"] is not None,
            "unit_id": entry["unit_id"],
            "unit_loc": list(entry["unit_loc"]),
        }
        self._dirty = True
        record = entry["record"]
        if record is not None:  # kept pickled: `validate` never reads it, `score` reads each once
            blob = record if isinstance(record, bytes) else pickle.dumps(record, pickle.HIGHEST_PROTOCOL)
            self._load_records()[key] = blob
            self._records_dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write what changed (an oversized cache keeps only the keys of this run, `keep`)."""
        if self._entries is None or not (self._dirty or self._records_dirty):
            return
        entries, stats, records = self._entries, self._stats, self._records
        if len(entries) > MAX_ENTRIES and keep is not None:
            entries = {k: v for k, v in entries.items() if k in keep}
            stats = {k: v for k, v in stats.items() if v[4] in keep}
            records = {k: v for k, v in self._load_records().items() if k in keep}
            self._records_dirty = True
        self._write(self.path, {"salt": self.salt, "entries": entries, "stats": stats, "saved_ns": time.time_ns()})
        if self._records_dirty and records is not None:
            self._write(self.records_path, {"salt": self.salt, "records": records})

    def _write(self, path: Path, index: dict[str, Any]) -> None:
        if not self.trusted():
            return
        tmp = None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            data = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            tmp = None
        except (OSError, pickle.PicklingError):
            pass  # a cache that cannot be written is only slower
        finally:  # a full disk or an interrupt leaves no temporary file behind
            _discard(tmp)


def _discard(tmp: str | None) -> None:
    """Remove a temporary file a failed write left, if any."""
    if tmp is not None:
        try:
            os.unlink(tmp)
        except OSError:
            pass


VALID: dict[str, Any] = {}  # stands for a valid file's record when the records were not loaded


def _plan_file(digest: str) -> Path:
    return cache_root() / "plans" / f"{__version__}-{code_fingerprint()}-{digest}.json"


def plan_data_known(digest: str) -> bool:
    """Whether a plan file with these bytes was read, and found valid, by this version of plan57."""
    return _plan_file(digest).is_file()


def plan_data_get(digest: str) -> dict[str, Any] | None:
    """The parsed data of a plan file already read once, by the hash of its bytes."""
    try:
        data = json.loads(_plan_file(digest).read_text(encoding="utf-8"), object_hook=_decode)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def plan_data_put(digest: str, data: dict[str, Any]) -> None:
    target = _plan_file(digest)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, ensure_ascii=False, default=_encode)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".plan.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
        tmp = None
    except (OSError, TypeError, ValueError):
        pass
    finally:  # a full disk or an interrupt leaves no temporary file behind
        _discard(tmp)
