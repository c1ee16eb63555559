"""The cache: per-file validation results and the plan's parsed data, as plain JSON.

Where: the platform's user cache folder (`platformdirs`: `%LOCALAPPDATA%\\plan57\\Cache` on
Windows, `$XDG_CACHE_HOME/plan57` on Linux). What: a file's result is keyed by the SHA-256 of its
bytes and a hash of its name, folder year and the size limit; the store is tied to plan57's
version, a fingerprint of its own source and the plan's hash, so any change of any of them is a
miss. Nothing in it can run code (JSON only, no pickle), and nothing in it can change a result:

- every line of every file carries a checksum of itself, and every record the checksum of its
  source file (the first half of its key): a line whose checksum disagrees, or a record whose key
  is not the one asked for, is dropped and the file is read again;
- the folder is trusted only when no one but this user can write it or anything above it, and the
  files are opened without following links and checked on the open descriptor (`os.fstat`):
  owner and mode where the platform has them; on Windows (no owner ids, no meaningful mode bits)
  a folder inside the user's own profile reached through no link or junction;
- a result holds no personal data (the caller leaves `contact` out of the records it stores).

A damaged, foreign or untrusted store is a miss, never an error; an untrusted one is said once
(`Cache.note`) and neither read nor written.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from plan57 import __version__
from plan57.base.atomic import write_all

MAX_ENTRIES = 200_000
RACY_NS = 2_000_000_000  # coarse file-system clocks (FAT: 2 s) cannot hide a change older than this
FORMAT = 2  # the store's layout: another one is a miss
INDEX = "results.jsonl"  # one line per file seen: its stat, key, diagnostics, unit
RECORDS = "records.jsonl"  # one line per valid file: its record (what scoring reads)
PLAN_PREFIX = "plan-"  # plan-<fingerprint>-<plan hash>.json: a plan's parsed data

_BINARY = getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


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
    """The platform's user cache folder for plan57."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("plan57", appauthor=False))


# ---- lines that carry their own checksum --------------------------------------------------------


def _sum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).hexdigest().encode()


def _line(payload: str) -> bytes:
    raw = payload.encode("utf-8", "surrogatepass")
    return _sum(raw) + b"\t" + raw + b"\n"


def _lines(data: bytes) -> list[str]:
    """The payloads of the lines whose checksum holds; any other line is dropped."""
    out = []
    for line in data.split(b"\n"):
        found, tab, payload = line.partition(b"\t")
        if tab and len(found) == 32 and _sum(payload) == found:
            try:
                out.append(payload.decode("utf-8", "surrogatepass"))
            except UnicodeDecodeError:
                continue
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_date_text)


def _date_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _dates(value: Any, path: list[Any], out: list[list[Any]]) -> list[list[Any]]:
    """The paths of every date in plain data (JSON writes a date as its text: these turn it back)."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for k, v in items:
        if isinstance(v, dict | list):
            _dates(v, [*path, k], out)
        elif isinstance(v, dt.date):
            out.append([*path, k, "t" if isinstance(v, dt.datetime) else "d"])
    return out


def encode_data(data: Any) -> str:
    """Plain data (dicts, lists, text, numbers, dates) as JSON text that `decode_data` turns back."""
    dates = _dates(data, [], []) if isinstance(data, dict | list) else []
    return _dumps([data, dates])


def decode_data(text: str) -> Any:
    data, dates = json.loads(text)
    for *where, last, kind in dates:
        target = data
        for k in where:
            target = target[k]
        value = target[last]
        target[last] = dt.datetime.fromisoformat(value) if kind == "t" else dt.date.fromisoformat(value)
    return data


# ---- the folder, opened safely ------------------------------------------------------------------


class Untrusted(Exception):
    """The cache folder or a file in it could be written by someone else, or is reached by a link."""


def _by_descriptor() -> bool:
    """Whether folders can be walked by descriptor, each step refusing a link (POSIX)."""
    return bool(_NOFOLLOW and _DIRECTORY) and os.open in os.supports_dir_fd and hasattr(os, "geteuid")


def _private_group(gid: int) -> bool:
    """A group of this user alone (the user's private group, as Debian and Ubuntu give every user):
    its write bit lets no one else in."""
    if hasattr(os, "getegid") and hasattr(os, "geteuid") and gid == os.getegid():
        try:
            import grp
            import pwd

            name = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(gid)
        except (ImportError, KeyError, OSError):
            return False
        return group.gr_name == name and set(group.gr_mem) <= {name}
    return False


def _check_posix(st: os.stat_result, where: str, last: bool) -> None:
    """Only this user (or the system's administrator, above the cache) can write what st describes."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    if uid is None:  # no owner ids (Windows): the folder's place says whose it is
        return
    if st.st_uid != uid and (last or st.st_uid != 0):
        raise Untrusted(f"'{where}' không thuộc người dùng này")
    if st.st_mode & 0o002 and not (not last and st.st_mode & stat.S_ISVTX):
        # a sticky folder (/tmp) lets no one rename or remove what another user put in it
        raise Untrusted(f"người khác có thể ghi vào '{where}' (chmod go-w để dùng lại)")
    if st.st_mode & 0o020 and not _private_group(st.st_gid):
        raise Untrusted(f"người khác có thể ghi vào '{where}' (chmod go-w để dùng lại)")


def _is_link(st: os.stat_result) -> bool:
    """A symbolic link, or on Windows a junction or another reparse point."""
    return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0) & 0x400)


def _user_folders() -> list[str]:
    """Where a per-user folder lives when the platform has no owner ids (Windows): the user's
    local application data, profile or home, or a cache folder the user named (XDG_CACHE_HOME)."""
    names = ("LOCALAPPDATA", "USERPROFILE", "XDG_CACHE_HOME")
    places = [*(os.environ.get(n) for n in names), os.path.expanduser("~")]
    return [os.path.normcase(os.path.abspath(p)) for p in places if p and os.path.isabs(p)]


class Folder:
    """The cache folder, reached without following a link at any step and trusted as a whole
    before anything is read from it."""

    def __init__(self, root: Path, create: bool):
        self.root = root
        self.fd: int | None = None
        self.path = os.path.abspath(root)
        if _by_descriptor():
            # the folders above are taken as the system resolves them (a home reached by a link
            # the administrator made), then every one of them is checked: a link there could only
            # lead somewhere someone else can write, which is refused
            self.path = os.path.join(os.path.realpath(os.path.dirname(self.path)), os.path.basename(self.path))
            self.fd = self._walk(create)
        else:
            self._walk_paths(create)

    # POSIX: every folder from / down opened by descriptor, relative to the one above, O_NOFOLLOW
    def _walk(self, create: bool) -> int:
        parts = Path(self.path).parts
        fd = os.open(parts[0], os.O_RDONLY | _DIRECTORY)
        try:
            _check_posix(os.fstat(fd), parts[0], last=False)
            for i, name in enumerate(parts[1:], 1):
                last = i == len(parts) - 1
                try:
                    nxt = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise _Absent from None
                    try:
                        os.mkdir(name, 0o700, dir_fd=fd)
                    except FileExistsError:
                        pass
                    nxt = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
                except OSError as exc:
                    st = _lstat_at(name, fd)
                    if st is not None and _is_link(st):
                        raise Untrusted(f"'{os.path.join(*parts[: i + 1])}' là một liên kết (symlink)") from None
                    raise Untrusted(f"không mở được '{os.path.join(*parts[: i + 1])}' ({exc.strerror})") from None
                os.close(fd)
                fd = nxt
                _check_posix(os.fstat(fd), os.path.join(*parts[: i + 1]), last)
            return fd
        except BaseException:
            os.close(fd)
            raise

    # Windows: the folder must lie in the user's own profile, reached through no link or junction
    def _walk_paths(self, create: bool) -> None:
        here = os.path.normcase(self.path)
        bases = [b for b in _user_folders() if here == b or here.startswith(b.rstrip(os.sep) + os.sep)]
        if not bases:
            raise Untrusted(f"'{self.path}' không nằm trong thư mục riêng của người dùng này")
        base = max(bases, key=len)
        tail = os.path.relpath(here, base)
        steps = [] if tail == os.curdir else tail.split(os.sep)
        current = self.path[: len(base)]
        for name in ["", *steps]:
            current = os.path.join(current, name) if name else current
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                if not create:
                    raise _Absent from None
                os.makedirs(current, 0o700, exist_ok=True)
                st = os.lstat(current)
            if _is_link(st) or (hasattr(os.path, "isjunction") and os.path.isjunction(current)):
                raise Untrusted(f"'{current}' là một liên kết (symlink hoặc junction)")
            if not stat.S_ISDIR(st.st_mode):
                raise Untrusted(f"'{current}' không phải một thư mục")
            if hasattr(os, "geteuid"):  # a POSIX system walked by path: its owner and mode as well
                _check_posix(st, current, last=not steps or name == steps[-1])

    def close(self) -> None:
        """Let go of the folder's descriptor."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _file(self, name: str) -> str:
        return name if self.fd is not None else os.path.join(self.path, name)

    def read(self, name: str, limit: int = 1 << 31) -> bytes | None:
        """A file's bytes, None when it is absent; Untrusted when someone else could have written it."""
        path = self._file(name)
        before = None
        if self.fd is None:
            try:
                before = os.lstat(path)
            except FileNotFoundError:
                return None
            if _is_link(before):
                raise Untrusted(f"'{path}' là một liên kết (symlink)")
        try:
            fd = os.open(path, os.O_RDONLY | _BINARY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=self.fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            st = _lstat_at(name, self.fd) if self.fd is not None else None
            if st is not None and _is_link(st):
                raise Untrusted(f"'{os.path.join(self.path, name)}' là một liên kết (symlink)") from None
            raise Untrusted(f"không mở được '{os.path.join(self.path, name)}' ({exc.strerror})") from None
        try:
            st = os.fstat(fd)
            where = os.path.join(self.path, name)
            if not stat.S_ISREG(st.st_mode):
                raise Untrusted(f"'{where}' không phải một tệp thông thường")
            if before is not None and before.st_ino and (st.st_ino, st.st_dev) != (before.st_ino, before.st_dev):
                raise Untrusted(f"'{where}' đã bị thay trong khi mở")
            if hasattr(os, "geteuid"):
                _check_posix(st, where, last=True)
            if st.st_size > limit:
                return None
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 22)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def write(self, name: str, data: bytes) -> None:
        """Replace a file whole: a temporary file beside it, then a rename (nothing left on error)."""
        tmp = f".{name}.{os.getpid()}.{time.time_ns()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY | _NOFOLLOW
        fd = os.open(self._file(tmp), flags, 0o600, dir_fd=self.fd)
        try:
            write_all(fd, data)
            if self.fd is not None:
                os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            else:
                os.replace(self._file(tmp), self._file(name))
            tmp = ""
        finally:  # a full disk or an interrupt leaves no temporary file behind
            if tmp:
                try:
                    os.unlink(self._file(tmp), dir_fd=self.fd)
                except OSError:
                    pass

    def names(self) -> list[str]:
        try:
            return os.listdir(self.fd if self.fd is not None else self.path)
        except OSError:
            return []

    def remove(self, name: str) -> None:
        try:
            os.unlink(self._file(name), dir_fd=self.fd)
        except OSError:
            pass


class _Absent(Exception):
    """The cache folder does not exist (yet)."""


def _lstat_at(name: str, fd: int | None) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False)
    except OSError:
        return None


def _note(root: Path, why: str) -> str:
    return f"bỏ qua bộ nhớ đệm '{root}': {why}; mọi tệp được đọc lại"


def open_folder(root: Path, create: bool) -> tuple[Folder | None, str | None]:
    """The cache folder, or None; and the note to give when it is not trusted."""
    try:
        return Folder(root, create), None
    except Untrusted as exc:
        return None, _note(root, str(exc))
    except (_Absent, OSError):  # absent, or cannot be made: the cache is only off
        return None, None


# ---- per-file results ---------------------------------------------------------------------------


class Cache:
    """Results by content key. The light index (diagnostics, unit, location) and the records
    (the validated data scoring needs) are kept apart, so `validate` never loads the records."""

    def __init__(self, plan_hash: str, root: Path | None = None, with_records: bool = True):
        self.root = root or cache_root()
        self.salt = f"{FORMAT}\0{__version__}\0{code_fingerprint()}\0{plan_hash}"
        self.with_records = with_records
        self.note: str | None = None
        self._folder: Folder | None = None
        self._opened = False
        self._entries: dict[str, list[Any]] | None = None  # key → [diagnostics, unit_id, unit_loc, has_record]
        self._records: dict[str, str] | None = None  # key → the record's JSON text
        # (path, folder year, size limit) → (size, mtime_ns, inode, ctime_ns, key): lets an unchanged
        # file skip being read, as git's index does, except when it changed too close to the last save
        self._stats: dict[tuple[str, int | None, int], tuple[int, int, int, int, str]] = {}
        self._saved_ns = 0
        self._racy: set[tuple[str, int | None, int]] = set()  # slots whose stat was too recent to trust
        self._matched = False  # the index was written for this plan, version and code
        self._dirty = False
        self._records_dirty = False

    @staticmethod
    def key(raw: bytes, path: Path, folder_year: int | None, max_size: int) -> str:
        """The checksum of the file's bytes, then one of what else its result depends on."""
        where = hashlib.sha256(f"{path.name}\0{folder_year}\0{max_size}".encode("utf-8", "surrogatepass"))
        return f"{hashlib.sha256(raw).hexdigest()}-{where.hexdigest()[:16]}"

    def _open(self, create: bool = False) -> Folder | None:
        if not self._opened or (create and self._folder is None and self.note is None):
            self._opened = True
            self._folder, note = open_folder(self.root, create)
            self.note = self.note or note
        return self._folder

    def close(self) -> None:
        """Let go of the folder (it is opened again, and checked again, if used again)."""
        if self._folder is not None:
            self._folder.close()
        self._folder, self._opened = None, False

    def trusted(self) -> bool:
        """Whether the cache folder may be used (an absent one may: it is made when saving); else
        it is neither read nor written, and `note` says why, once."""
        self._open()
        return self.note is None

    def _read(self, name: str) -> list[str]:
        """The checked lines of a store file written for this salt (none when it is another's)."""
        folder = self._open()
        if folder is None:
            return []
        try:
            data = folder.read(name)
        except Untrusted as exc:
            self.note = self.note or _note(self.root, str(exc))
            self._folder = None
            folder.close()
            return []
        except OSError:
            return []
        lines = _lines(data) if data else []
        if not lines:
            return []
        try:
            head = json.loads(lines[0])
        except ValueError:
            return []
        if not isinstance(head, dict) or head.get("salt") != self.salt:
            return []
        self._saved_ns = max(self._saved_ns, int(head.get("saved_ns") or 0)) if name == INDEX else self._saved_ns
        return lines

    def _load(self) -> dict[str, list[Any]]:
        if self._entries is None:
            self._entries = {}
            lines = self._read(INDEX)
            self._matched = bool(lines)
            for payload in lines[1:]:
                try:
                    slot_path, year, limit, seen, key, diagnostics, unit_id, unit_loc, has_record = json.loads(payload)
                    self._entries[key] = [diagnostics, unit_id, unit_loc, has_record]
                    if seen is not None:
                        self._stats[(slot_path, year, limit)] = (*seen, key)
                except (ValueError, TypeError):
                    continue  # a line of another shape is dropped
        return self._entries

    def matched(self) -> bool:
        """Whether the store was written by this version of plan57 for these plan bytes (which
        were read whole and found valid then)."""
        self._load()
        return self._matched

    def _load_records(self) -> dict[str, str]:
        if self._records is None:
            self._records = {}
            for payload in self._read(RECORDS)[1:]:
                key, tab, text = payload.partition("\t")
                if tab:
                    self._records[key] = text
        return self._records

    def known_key(self, path: Path, st: os.stat_result, folder_year: int | None, max_size: int) -> str | None:
        """The key of a file whose size, time and inode are those recorded, and safely older."""
        self._load()
        seen = self._stats.get((str(path), folder_year, max_size))
        if seen is None or seen[:4] != (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns):
            return None
        if st.st_mtime_ns >= self._saved_ns - RACY_NS:  # could have changed unseen within the clock's step
            self._racy.add((str(path), folder_year, max_size))
            return None
        return seen[4]

    def remember(self, path: Path, st: os.stat_result, folder_year: int | None, max_size: int, key: str) -> None:
        self._load()
        entry = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, key)
        slot = (str(path), folder_year, max_size)
        if self._stats.get(slot) != entry:
            self._stats[slot] = entry
            self._dirty = True
        elif slot in self._racy and st.st_mtime_ns < time.time_ns() - RACY_NS:
            # read again only because it changed just before the last save: saved now, its stat
            # is trusted from the next run on (else a file written just before a run is read forever)
            self._dirty = True

    def get(self, key: str) -> dict[str, Any] | None:
        """The plain record stored under key: `diagnostics` (tuples of line, col, severity, code,
        message), `unit_id`, `unit_loc` and `record` (the validated data; VALID when the records
        were not loaded, None for an invalid file). The caller gives them their meaning."""
        entry = self._load().get(key)
        if entry is None:
            return None
        try:
            diagnostics, unit_id, unit_loc, has_record = entry
            record = None
            if has_record:  # a validate-only run needs to know the file is valid, not its data
                record = decode_data(self._load_records()[key]) if self.with_records else VALID
                if not isinstance(record, dict):
                    return None
            return {
                "diagnostics": [tuple(d) for d in diagnostics],
                "record": record,
                "unit_id": unit_id,
                "unit_loc": (unit_loc[0], unit_loc[1]),
            }
        except (KeyError, IndexError, TypeError, ValueError):  # a damaged entry is a miss
            return None

    def has(self, key: str) -> bool:
        """Whether an entry is stored under key (without building it)."""
        return key in self._load()

    def known(self) -> frozenset[str]:
        """Every key stored (what a worker process asks `has` of)."""
        return frozenset(self._load())

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store a plain record of the shape `get` returns (its `record` may come as the JSON text
        of `encode_data` already)."""
        record = entry["record"]
        self._load()[key] = [
            [list(d) for d in entry["diagnostics"]],
            entry["unit_id"],
            list(entry["unit_loc"]),
            record is not None,
        ]
        self._dirty = True
        if record is not None:  # kept as text: `validate` never reads it, `score` reads each once
            self._load_records()[key] = record if isinstance(record, str) else encode_data(record)
            self._records_dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write what changed (an oversized cache keeps only the keys of this run, `keep`)."""
        if self._entries is None or not (self._dirty or self._records_dirty) or not self.trusted():
            return
        entries, stats = self._entries, self._stats
        records = self._load_records() if self._records_dirty or len(entries) > MAX_ENTRIES else None
        if len(entries) > MAX_ENTRIES and keep is not None:
            entries = {k: v for k, v in entries.items() if k in keep}
            stats = {k: v for k, v in stats.items() if v[4] in keep}
            records = {k: v for k, v in (records or {}).items() if k in keep}
            self._records_dirty = True
        folder = self._open(create=True)
        if folder is None:
            return
        head = _line(_dumps({"salt": self.salt, "saved_ns": time.time_ns()}))
        try:
            if self._records_dirty and records is not None:
                folder.write(RECORDS, head + b"".join(_line(f"{k}\t{v}") for k, v in records.items()))
            lines = [head]
            slotted: set[str] = set()
            for (path, year, limit), (*seen, key) in stats.items():
                entry = entries.get(key)
                if entry is not None:
                    slotted.add(key)
                    lines.append(_line(_dumps([path, year, limit, seen, key, *entry])))
            for key, entry in entries.items():  # a result known by its bytes only
                if key not in slotted:
                    lines.append(_line(_dumps(["", None, 0, None, key, *entry])))
            folder.write(INDEX, b"".join(lines))
        except OSError:
            pass  # a cache that cannot be written is only slower
        self._dirty = self._records_dirty = False


VALID: dict[str, Any] = {}  # stands for a valid file's record when the records were not loaded


# ---- the plan's parsed data ---------------------------------------------------------------------


def _plan_name(digest: str) -> str:
    return f"{PLAN_PREFIX}{code_fingerprint()}-{digest[:32]}.json"


def plan_data_get(digest: str, root: Path | None = None) -> dict[str, Any] | None:
    """The parsed data of a plan file already read once (and found valid), by the hash of its
    bytes; None when absent, damaged, written for other bytes or another version, or untrusted."""
    folder, _ = open_folder(root or cache_root(), create=False)
    if folder is None:
        return None
    try:
        lines = _lines(folder.read(_plan_name(digest)) or b"")
        head = json.loads(lines[0]) if len(lines) == 2 else None
        if not isinstance(head, dict) or head.get("salt") != f"{FORMAT}\0{__version__}\0{code_fingerprint()}":
            return None
        if head.get("source") != digest:  # the checksum of the plan file these data are of
            return None
        data = decode_data(lines[1])
    except (Untrusted, OSError, ValueError, TypeError, KeyError, IndexError):
        return None
    finally:
        folder.close()
    return data if isinstance(data, dict) else None


def plan_data_put(digest: str, data: dict[str, Any], root: Path | None = None) -> None:
    folder, _ = open_folder(root or cache_root(), create=True)
    if folder is None:
        return
    try:
        head = _dumps({"salt": f"{FORMAT}\0{__version__}\0{code_fingerprint()}", "source": digest})
        folder.write(_plan_name(digest), _line(head) + _line(encode_data(data)))
        current = f"{PLAN_PREFIX}{code_fingerprint()}-"
        for name in folder.names():  # another version's plans are of no more use
            if name.startswith(PLAN_PREFIX) and not name.startswith(current):
                folder.remove(name)
    except (OSError, TypeError, ValueError):
        pass
    finally:
        folder.close()
