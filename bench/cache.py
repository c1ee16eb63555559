"""What the cache saves (issue 28: decide the cache on evidence), as ratios between processes of
one run: at the real size (the shipped registry of 92 units, one file each) and at 3,400 files.

    python bench/cache.py                          # 92 and 3,400 files, best of 2
    python bench/cache.py --sizes 92 --repeat 1    # quicker
    python bench/cache.py --compare DIR            # also another checkout of plan57 (its warm runs)

For each size, on the perfect mix with the files aged an hour (a real year's files were written
days before they are checked): `validate`, `score` and `report` cold (an empty cache) and warm
(the cache filled by a `validate` before), and `validate --no-cache`; at 3,400 files also a cold
`validate --no-cache` with worker processes started by spawn (as on Windows) against fork.
`section()` returns the Markdown section bench/run.py appends to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PLAN, PY, ROOT, _submission, _yaml, generate, in_turn  # noqa: E402

SPAWN = (
    "import multiprocessing, sys; multiprocessing.set_start_method('spawn'); "
    "from plan57.entry import main; sys.argv[0] = 'plan57'; main()"
)


def shipped(out: Path) -> tuple[Path, Path]:
    """The shipped plan and one generated file of 2026 per unit of its registry."""
    rng = random.Random(57)
    y = _yaml()
    plan = y.load(PLAN.read_text(encoding="utf-8"))
    folder = out / "units" / "2026"
    folder.mkdir(parents=True)
    for u in plan["units"]:
        with (folder / f"{u['id']}.yaml").open("w", encoding="utf-8") as fh:
            y.dump(_submission(u, rng), fh)
    return PLAN, out / "units"


def _age(units: Path) -> None:
    for f in units.rglob("*.yaml"):
        st = f.stat()
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))


def measure(n: int, work: Path, repeat: int, compare: Path | None = None) -> dict[str, float]:
    out = work / f"n{n}"
    out.mkdir()
    plan, units = shipped(out) if n == 92 else generate(n, out)[:2]
    _age(units)
    common = ["--plan", str(plan), "--units", str(units)]
    report = ["report", "--year", "2026", "--date", "2026-12-15"]
    score = ["score", "--year", "2026"]
    commands: dict[str, tuple[list[str], dict[str, str] | None, bool]] = {}
    checkouts = {"": ROOT} | ({"old ": compare} if compare else {})
    warm_dirs = []
    for tag, checkout in checkouts.items():
        env = dict(os.environ, PYTHONPATH=str(checkout), XDG_CACHE_HOME=tempfile.mkdtemp(prefix="plan57-bench-"))
        warm_dirs.append(env["XDG_CACHE_HOME"])
        base = [PY, "-m", "plan57"]
        subprocess.run(base + ["validate", *common], env=env, capture_output=True, cwd=ROOT)  # fill the cache
        cold_env = dict(os.environ, PYTHONPATH=str(checkout))
        for name, args in (("validate", ["validate"]), ("score", score), ("report", report)):
            commands[f"{tag}{name} cold"] = (base + [*args, *common], cold_env, True)
            commands[f"{tag}{name} warm"] = (base + [*args, *common], env, False)
        commands[f"{tag}validate no cache"] = (base + ["validate", "--no-cache", *common], cold_env, False)
    if n >= 1000:
        commands["validate fork"] = ([PY, "-m", "plan57", "validate", "--no-cache", *common], None, False)
        commands["validate spawn"] = ([PY, "-c", SPAWN, "validate", "--no-cache", *common], None, False)
    try:
        return in_turn(commands, repeat, ok=(0, 1))
    finally:
        for d in warm_dirs:
            shutil.rmtree(d, ignore_errors=True)


def store_costs(compare: Path, n: int = 3400, repeat: int = 5) -> list[str]:
    """The store's own work in one process, this checkout's cache module against another's
    (the same records): encoding the records, saving, and reading back for `validate` and for
    `score` (best of `repeat`, the two taken in turn)."""
    import importlib.util
    import pickle

    from plan57.loading import cache as this
    from plan57.validation import validate as v
    from plan57.validation.plan_file import load_plan

    spec = importlib.util.spec_from_file_location("other_cache", compare / "plan57" / "loading" / "cache.py")
    assert spec is not None and spec.loader is not None
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    work = Path(tempfile.mkdtemp(prefix="plan57-bench-store-"))
    try:
        plan_path, units, _ = generate(n, work)
        coll = v.validate_tree(units, load_plan(plan_path), cache=False)
        entries = [
            (
                this.Cache.key(f.path.read_bytes(), f.path, f.folder_year, 1 << 20),
                {
                    "diagnostics": [(d.line, d.col, d.severity, d.code, d.message) for d in f.diagnostics],
                    "record": v.without_personal_data(f.record) if f.record else None,
                    "unit_id": f.unit_id,
                    "unit_loc": f.unit_loc,
                },
            )
            for f in coll.files
        ]

        def once(mod: Any, json_records: bool, i: int) -> list[float]:
            root = work / f"store-{json_records}-{i}"
            t = [time.perf_counter()]
            if json_records:  # what the workers send
                sent = [(k, dict(e, record=this.encode_data(e["record"]) if e["record"] else None)) for k, e in entries]
            else:
                sent = [(k, dict(e, record=pickle.dumps(e["record"], 5) if e["record"] else None)) for k, e in entries]
            t.append(time.perf_counter())
            store = mod.Cache("p", root=root)
            for k, e in sent:
                store.put(k, e)
            store.save()
            t.append(time.perf_counter())
            for records in (False, True):
                store = mod.Cache("p", root=root, with_records=records)
                for k, _ in entries:
                    store.get(k)
                t.append(time.perf_counter())
            return [b - a for a, b in zip(t, t[1:])]

        runs: dict[bool, list[list[float]]] = {True: [], False: []}
        for i in range(repeat):
            runs[True].append(once(this, True, i))
            runs[False].append(once(other, False, i))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    best = {k: [min(r[j] for r in v) for j in range(4)] for k, v in runs.items()}
    names = ["encode the records (in the workers)", "put and save", "read back for `validate`", "read back for `score`"]
    return [
        "",
        f"The store's own work at {n:,} files in one process, this checkout's ÷ `{compare.name}`'s (best of {repeat}):",
        "",
        "| step | ÷ |",
        "|---|---:|",
        *(f"| {name} | {_r(best[True][j], best[False][j])} |" for j, name in enumerate(names)),
    ]


def _r(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def section(quick: bool = False, compare: Path | None = None, sizes: list[int] | None = None, repeat: int = 0) -> str:
    sizes = sizes or ([92] if quick else [92, 3400])
    repeat = repeat or (1 if quick else 2)
    work = Path(tempfile.mkdtemp(prefix="plan57-bench-cache-"))
    try:
        rows = {n: measure(n, work, repeat, compare) for n in sizes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        "## The cache (decision)",
        "",
        f"Best of {repeat}, each round running every command in turn; files aged an hour. *Warm*: the "
        "cache filled by a `validate` before; *cold*: an empty cache (the run fills it).",
        "",
        "| files | validate warm ÷ cold | score warm ÷ cold | report warm ÷ cold | validate cold ÷ --no-cache "
        "| score cold ÷ validate cold |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, t in rows.items():
        lines.append(
            f"| {n:,} | {_r(t['validate warm'], t['validate cold'])} | {_r(t['score warm'], t['score cold'])} "
            f"| {_r(t['report warm'], t['report cold'])} | {_r(t['validate cold'], t['validate no cache'])} "
            f"| {_r(t['score cold'], t['validate cold'])} |"
        )
    if compare:
        lines += [
            "",
            f"Against the checkout `{compare.name}` (same run, same files): this one ÷ that one.",
            "",
            "| files | validate warm | score warm | report warm | validate cold | score cold "
            "| that one's validate cold ÷ its --no-cache |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n, t in rows.items():
            cells = [
                _r(t[f"{c}"], t[f"old {c}"])
                for c in ("validate warm", "score warm", "report warm", "validate cold", "score cold")
            ]
            cells.append(_r(t["old validate cold"], t["old validate no cache"]))
            lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    if compare and not quick:
        lines += store_costs(compare)
    big = [t for t in rows.values() if "validate spawn" in t]
    if big:
        lines += [
            "",
            "Worker processes started by spawn (as on Windows) against fork, cold `validate --no-cache` at "
            f"{max(n for n, t in rows.items() if 'validate spawn' in t):,} files: "
            f"{_r(big[-1]['validate spawn'], big[-1]['validate fork'])}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[92, 3400])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--compare", type=Path, default=None, help="another checkout of plan57 to compare with")
    args = parser.parse_args()
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "plan57")], check=True)
    if args.compare:
        subprocess.run([PY, "-m", "compileall", "-q", str(args.compare / "plan57")], check=True)
    print(section(compare=args.compare, sizes=args.sizes, repeat=args.repeat))


if __name__ == "__main__":
    main()
