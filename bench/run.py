"""Benchmark plan57 at national scale against its peers, in one run on one machine.

    python -m pip install -e '.[test,bench]'  # what it compares against (ruamel.yaml's C loader)
    python bench/run.py                      # N = 100, 1000, 3400, 10000
    python bench/run.py --sizes 100 1000     # a quicker run (also --quick)

For each N it generates (fixed seed) a registry of N units and, for each of four mixes of files as
real years hold them, one submission per unit:

- perfect: every file valid and warning-free;
- warnings: every file valid but lacking two blocks its targets need (two warnings each);
- drafts: a third of the units still hold the untouched template of `plan57 new --all`;
- errors: a tenth of the files have an error (a broken rule, a misspelt key, a YAML syntax error).

Then it times, as separate processes on the same files: `plan57 validate` cold (empty cache) and
warm, `plan57 score` and `plan57 report` cold, `check-jsonschema` with plan57's exported schema,
and two floors: one process loading every file with PyYAML's `CSafeLoader` (libyaml) and nothing
else, and the same with ruamel.yaml's C safe loader. It also compares the YAML parsers per file in
one process (the design decision of the fast path). Figures are ratios between processes of one
run; bench/RESULTS.md gets the tables and the machine it ran on. When bench/forms.py and
bench/outputs.py exist, their sections (`section(quick)`) are appended.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "plan.yaml"
PY = sys.executable
GROUPS = [
    "managers",
    "experts",
    "press_agencies",
    "journalists",
    "digital_platforms",
    "social_networks",
    "science_organizations",
    "scientists",
    "businesses",
    "social_organizations",
]
KINDS = ["xa"] * 8 + ["phuong", "so", "ban"]


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.default_flow_style = False
    y.allow_unicode = True
    return y


MIXES = ["perfect", "warnings", "drafts", "errors"]


def _submission(u: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    total = rng.randint(20, 400)
    comm = rng.randint(2, 12)
    data: dict[str, Any] = {
        "unit": u["id"],
        "year": 2026,
        "submitted": dt.date(2026, 11, rng.randint(10, 30)),
        "reference": f"Báo cáo số {rng.randint(1, 400)}/BC-UBND",
        "contact": {"name": "Bộ phận văn thư", "position": "Chuyên viên", "phone": "0212 3852 123"},
        "implementation_plan": {"issued": True, "reference": "Kế hoạch số 12/KH-UBND", "date": dt.date(2026, 2, 3)},
        "portal_section": {"exists": True, "url": "https://sonla.gov.vn/nq57", "posts": rng.randint(0, 80)},
        "staff": {"total": total, "informed": rng.randint(total // 2, total)},
        "communication_staff": {"total": comm, "trained": rng.randint(0, comm)},
        "network": {g: rng.randint(0, 5) for g in GROUPS},
        "training": [
            {
                "name": "Tập huấn kỹ năng số cho người dân",
                "audience": rng.choice(["youth", "pupils", "citizens"]),
                "participants": rng.randint(20, 300),
            }
        ],
        "tasks": {
            "1a": {
                "activities": rng.randint(1, 20),
                "products": {
                    "news": rng.randint(0, 50),
                    "articles": rng.randint(0, 10),
                    "videos": rng.randint(0, 5),
                },
                "note": "Duy trì chuyên mục trên trang thông tin điện tử.",
            },
            "1b": {"activities": rng.randint(0, 10)},
        },
        "channels": sorted(rng.sample(range(1, 11), 4)),
        "budget_vnd": rng.randint(0, 10**8),
        "difficulties": ["Kinh phí cho hoạt động truyền thông còn hạn chế."],
        "proposals": ["Đề nghị tỉnh tổ chức tập huấn chuyên sâu về truyền thông số."],
    }
    if u["kind"] in ("xa", "phuong"):
        pop = rng.randint(3000, 30000)
        vil = rng.randint(5, 60)
        data["population"] = {"total": pop, "reached": rng.randint(pop // 2, pop)}
        data["grassroots"] = {"villages_total": vil, "villages_equipped": rng.randint(0, vil)}
    if u["kind"] == "bao_chi":
        data["press"] = {"dedicated_sections": 2, "national_cooperation": 1}
    if u["id"] == "so-khcn":
        data["science_tasks"] = {"total": 14, "secret": 1, "communicated": 12}
    return data


def _without(text: str, block: str) -> str:
    """The YAML text without one top-level block."""
    return re.sub(rf"(?m)^{block}:\n(?:[ -].*\n)*", "", text)


def _with_error(text: str, i: int) -> str:
    """One of three kinds of error, in turn: a broken rule, a misspelt key, a YAML syntax error."""
    kind = (i // 10) % 3
    if kind == 0:
        return re.sub(r"(?m)^  informed: \d+$", "  informed: 99999", text)
    if kind == 1:
        return text.replace("\nstaff:\n", "\nstafff:\n")
    return text + "extra: [1, 2\n"


def generate(n: int, out: Path, seed: int = 57) -> tuple[Path, Path, list[Path]]:
    """A plan with an N-unit registry and its units folder of N perfect submissions for 2026
    (what bench/outputs.py and bench/forms.py build on)."""
    plan, mixes = generate_mixes(n, out, seed, ["perfect"])
    units, files = mixes["perfect"]
    return plan, units, files


def generate_mixes(
    n: int, out: Path, seed: int = 57, which: list[str] | None = None
) -> tuple[Path, dict[str, tuple[Path, list[Path]]]]:
    """A plan with an N-unit registry and, per mix, a units folder of N submissions for 2026."""
    rng = random.Random(seed)
    y = _yaml()
    plan = y.load(PLAN.read_text(encoding="utf-8"))
    # the shipped registry (the plan's tasks name its units as leads), then generated communes,
    # wards and offices up to N
    units = [dict(u) for u in plan["units"]]
    for i in range(n - len(units)):
        kind = KINDS[i % len(KINDS)]
        units.append(
            {
                "id": f"{kind.replace('_', '-')}-t{i // 100:03d}-{i % 100:02d}",
                "name": f"Đơn vị thử nghiệm số {i + 1}",
                "kind": kind,
            }
        )
    plan["units"] = units
    plan_path = out / "plan.yaml"
    with plan_path.open("w", encoding="utf-8") as fh:
        y.dump(plan, fh)
    import io

    texts = []
    for u in units:
        buf = io.StringIO()
        y.dump(_submission(u, rng), buf)
        texts.append(buf.getvalue())
    mixes: dict[str, tuple[Path, list[Path]]] = {}
    for mix in which or MIXES:
        folder = out / mix / "2026"
        folder.mkdir(parents=True)
        for i, (u, text) in enumerate(zip(units, texts)):
            if mix == "warnings":
                text = _without(_without(text, "communication_staff"), "network")
            elif mix == "drafts" and i % 3 == 2:
                continue  # `plan57 new --all` writes the templates below
            elif mix == "errors" and i % 10 == 5:
                text = _with_error(text, i)
            (folder / f"{u['id']}.yaml").write_text(text, encoding="utf-8")
        if mix == "drafts":
            subprocess.run(
                [
                    PY,
                    "-m",
                    "plan57",
                    "new",
                    "--all",
                    "--year",
                    "2026",
                    "--plan",
                    str(plan_path),
                    "--units",
                    str(out / mix),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                cwd=ROOT,
            )
        mixes[mix] = (out / mix, sorted(folder.glob("*.yaml")))
    return plan_path, mixes


def timed(cmd: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> float:
    """Wall time of a command."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])}… exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def best(
    cmd: list[str],
    env: dict[str, str] | None = None,
    repeat: int = 3,
    fresh_cache: bool = False,
    ok: tuple[int, ...] = (0,),
) -> float:
    times = []
    for _ in range(repeat):
        run_env = dict(env or os.environ)
        if fresh_cache:
            run_env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="plan57-bench-cache-")
        times.append(timed(cmd, run_env, ok))
        if fresh_cache:
            shutil.rmtree(run_env["XDG_CACHE_HOME"], ignore_errors=True)
    return min(times)


def in_turn(
    commands: dict[str, tuple[list[str], dict[str, str] | None, bool]], repeat: int, ok: tuple[int, ...]
) -> dict[str, float]:
    """The best time of each command over `repeat` rounds, each round running every command once
    in turn: a machine that slows down or speeds up during the run weighs on every command of a
    ratio alike, not only on the ones measured last."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (cmd, env, fresh_cache) in commands.items():
            times[name].append(best(cmd, env, repeat=1, fresh_cache=fresh_cache, ok=ok))
    return {name: min(found) for name, found in times.items()}


# The floors: one process loading every file with a C loader and doing nothing else (a file with
# a syntax error is skipped, as a loader that stops would be).
FLOOR_PYYAML = """
import sys, yaml
loader = yaml.CSafeLoader
for name in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    if name:
        with open(name, encoding="utf-8") as fh:
            try:
                yaml.load(fh, Loader=loader)
            except yaml.YAMLError:
                pass
"""

FLOOR_RUAMEL = """
import sys
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
y = YAML(typ="safe")
assert y.Parser.__name__ == "CParser", "C loader not available"
for name in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    if name:
        with open(name, encoding="utf-8") as fh:
            try:
                y.load(fh)
            except YAMLError:
                pass
"""


def peak_rss_mib(cmd: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of the largest process of a command (its workers included)."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PY, "-c", code, *cmd], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stdout.strip()) / 1024


def bench_mix(
    n: int, mix: str, plan: Path, units: Path, files: list[Path], out: Path, repeat: int, memory: bool
) -> dict[str, Any]:
    listing = out / f"files-{mix}.txt"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    schema = out / "schema.json"
    if not schema.exists():
        subprocess.run([PY, "-m", "plan57", "schema", "--plan", str(plan), "-o", str(schema)], check=True, cwd=ROOT)
    base = [PY, "-m", "plan57"]
    common = ["--plan", str(plan), "--units", str(units)]
    codes = (0, 1)  # the errors mix exits 1, as it should
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="plan57-bench-warm-")
    r: dict[str, Any] = {"n": n, "mix": mix}
    timed(base + ["validate", *common], env, ok=codes)  # fill the cache
    # name: (command, environment, fresh cache); every round runs each in turn
    commands = {
        "validate_cold": (base + ["validate", *common], None, True),
        "validate_warm": (base + ["validate", *common], env, False),
        "score": (base + ["score", "--year", "2026", *common], None, True),
        "report": (base + ["report", "--date", "2026-12-15", *common], None, True),
        "floor_pyyaml": ([PY, "-c", FLOOR_PYYAML, str(listing)], None, False),
        "floor_ruamel": ([PY, "-c", FLOOR_RUAMEL, str(listing)], None, False),
    }
    r.update(in_turn(commands, repeat, codes))
    if shutil.which("check-jsonschema") and n <= 3400:
        cmd = ["check-jsonschema", "--schemafile", str(schema), *map(str, files)]
        r["check_jsonschema"] = best(cmd, repeat=1, ok=codes)
    if memory:
        cold_env = dict(os.environ, XDG_CACHE_HOME=tempfile.mkdtemp(prefix="plan57-bench-mem-"))
        r["peak_mib"] = peak_rss_mib(base + ["validate", *common], cold_env)
        shutil.rmtree(cold_env["XDG_CACHE_HOME"], ignore_errors=True)
    shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
    return r


def bench(n: int, work: Path, repeat: int, memory: bool) -> list[dict[str, Any]]:
    out = work / f"n{n}"
    out.mkdir()
    plan, mixes = generate_mixes(n, out)
    rows = []
    for mix, (units, files) in mixes.items():
        print(f"N = {n}, {mix} …", file=sys.stderr)
        # beyond 3,400 files one run each: that size checks linearity and memory
        rows.append(bench_mix(n, mix, plan, units, files, out, repeat if n <= 3400 else 1, memory))
    return rows


PARSERS = """
import json, sys, time
import yaml
from ruamel.yaml import YAML
from plan57.loading import yamlsafe
texts = [open(n, encoding="utf-8").read() for n in open(sys.argv[1], encoding="utf-8").read().split("\\n") if n][:600]
ruamel_c = YAML(typ="safe")
def bare(t):
    p = yaml._yaml.CParser(t)
    while p.get_event() is not None:
        pass
def best(fn):
    runs = []
    for _ in range(5):
        start = time.process_time()
        for t in texts:
            fn(t)
        runs.append(time.process_time() - start)
    return min(runs)
print(json.dumps({
    "libyaml_events": best(bare),
    "fast_path": best(yamlsafe.parse_fast),
    "csafeloader": best(lambda t: yaml.load(t, Loader=yaml.CSafeLoader)),
    "ruamel_c_safe": best(ruamel_c.load),
    "careful_path": best(lambda t: yamlsafe.parse(t, "x.yaml")),
}))
"""


def parsers(files: list[Path], work: Path) -> dict[str, float]:
    """Per-file parse time of each YAML parser, in one process, on the warnings mix."""
    import json

    listing = work / "parsers.txt"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    out = subprocess.run([PY, "-c", PARSERS, str(listing)], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


SIZES = [100, 1000, 3400, 10000]


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def extra_sections(quick: bool) -> list[str]:
    """The sections other benchmarks add (bench/forms.py, bench/outputs.py), when present."""
    out = []
    for name in ("forms", "outputs", "cache"):
        path = Path(__file__).resolve().parent / f"{name}.py"
        if not path.exists():
            continue
        spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"{name} …", file=sys.stderr)
        try:
            out += ["", module.section(quick=quick).rstrip(), ""]
        except Exception as exc:  # noqa: BLE001 - one failing section never loses the others
            out += ["", f"(bench/{name}.py failed in this run: {type(exc).__name__}: {exc})", ""]
    return out


def main() -> None:
    global SIZES
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--quick", action="store_true", help="small sizes only, and quick extra sections")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    if importlib.util.find_spec("_ruamel_yaml") is None:  # a floor: without it the run ends at its first mix
        sys.exit("bench: ruamel.yaml's C loader is not installed: python -m pip install -e '.[test,bench]'")
    quick = args.quick or args.sizes is not None
    SIZES = args.sizes or ([100, 1000] if args.quick else SIZES)
    # what users run has its bytecode compiled (pip does it when it installs): a checkout whose
    # environment never writes .pyc files would time Python compiling plan57 on every start
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "plan57")], check=True)
    work = Path(tempfile.mkdtemp(prefix="plan57-bench-"))
    try:
        python_start = best([PY, "-c", "pass"], repeat=5)
        help_time = best([PY, "-m", "plan57", "--help"], repeat=5)
        rows: list[dict[str, Any]] = []
        parse: dict[str, float] = {}
        for n in SIZES:
            rows += bench(n, work, args.repeat, memory=n == max(SIZES))
            if not parse and (n >= 1000 or n == max(SIZES)):
                parse = parsers(sorted((work / f"n{n}" / "warnings" / "2026").glob("*.yaml")), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = render(rows, help_time, python_start, parse)
    args.out.write_text(text, encoding="utf-8")  # kept even if a section below fails
    text += "\n".join(extra_sections(quick))
    args.out.write_text(text.rstrip() + "\n", encoding="utf-8")
    print(text)


GOALS = {
    "check_jsonschema": 0.3,
    "floor_pyyaml": 1.0,
    "warm": 0.2,
    "score": 1.3,
    "report": 1.3,
    "linear": 1.2,
}


def goals(rows: list[dict[str, Any]], help_time: float) -> list[str]:
    """The goals of the issues on speed, checked per mix on this run's own figures."""
    out = ["", "## Goals", "", "At 3,400 files unless said otherwise, for every mix.", ""]
    by = {(r["n"], r["mix"]): r for r in rows}
    verdicts: list[bool] = []

    def check(name: str, value: float | None, limit: float) -> None:
        if value is None:
            out.append(f"- {name}: not measured in this run")
            return
        verdicts.append(value <= limit)
        out.append(f"- {name}: {value:.2f}× (goal ≤ {limit}×) — {'met' if value <= limit else 'NOT met'}")

    for mix in MIXES:
        r = by.get((3400, mix))
        if r is None:
            continue
        out.append(f"{mix}:")
        out.append("")
        cj = r.get("check_jsonschema")
        cold = r["validate_cold"]
        check("cold `validate` ÷ check-jsonschema", cold / cj if cj else None, GOALS["check_jsonschema"])
        check("cold `validate` ÷ PyYAML CSafeLoader floor", cold / r["floor_pyyaml"], GOALS["floor_pyyaml"])
        check("warm `validate` ÷ cold", r["validate_warm"] / cold, GOALS["warm"])
        check("cold `score` ÷ cold `validate`", r["score"] / cold, GOALS["score"])
        check("cold `report` ÷ cold `validate`", r["report"] / cold, GOALS["report"])
        small, big = by.get((1000, mix)), by.get((10000, mix))
        if small and big:
            per = (big["validate_cold"] / 10000) / (small["validate_cold"] / 1000)
            check("linear: per-file time at 10,000 ÷ at 1,000", per, GOALS["linear"])
        out.append("")
    verdicts.append(help_time <= 0.25)
    out.append(f"- `plan57 --help` ≤ 0.25 s: {'met' if help_time <= 0.25 else 'NOT met'}")
    for r in rows:
        if "peak_mib" in r:
            ok = r["peak_mib"] * 1.048576 <= 300
            verdicts.append(ok)
            out.append(
                f"- peak memory of cold `validate` (largest process), {r['mix']}, {r['n']:,} files: "
                f"{r['peak_mib'] * 1.048576 / 300:.2f}× the 300 MB goal — {'met' if ok else 'NOT met'}"
            )
    out.insert(4, f"**{sum(verdicts)} of {len(verdicts)} goals met in this run.**\n")
    return out


def render(rows: list[dict[str, Any]], help_time: float, python_start: float, parse: dict[str, float]) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# plan57 benchmark",
        "",
        f"Run {dt.date.today().isoformat()} on {platform.system()} {platform.machine()} ({cpu}), "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; every figure is a ratio between "
        "processes of this one run, best of the repeats, each round running every command of a mix in turn (one run each at 10,000 files). Regenerate with `python bench/run.py` "
        "(the machine may be shared: ratios, not seconds, are comparable between runs).",
        "",
        "Mixes: **perfect** (every file valid, no warning); **warnings** (every file valid, two "
        "warnings each: two blocks its targets need are missing); **drafts** (a third of the units "
        "hold the untouched template of `plan57 new --all`); **errors** (a tenth of the files have "
        "an error: a broken rule, a misspelt key or a YAML syntax error, in turn). Floors: one "
        "process loading every file with PyYAML's `CSafeLoader` (libyaml), or with ruamel.yaml's "
        "C safe loader, and nothing else.",
        "",
        "| files | mix | cold ÷ check-jsonschema | cold ÷ PyYAML floor | cold ÷ ruamel floor | warm ÷ cold "
        "| score ÷ validate | report ÷ validate | per-file time ÷ at 1,000 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    per_1000 = {r["mix"]: r["validate_cold"] / r["n"] for r in rows if r["n"] == 1000}
    for r in rows:
        cold = r["validate_cold"]
        lines.append(
            f"| {r['n']:,} | {r['mix']} | {ratio(cold, r.get('check_jsonschema'))} "
            f"| {ratio(cold, r['floor_pyyaml'])} | {ratio(cold, r['floor_ruamel'])} "
            f"| {ratio(r['validate_warm'], cold)} | {ratio(r['score'], cold)} | {ratio(r['report'], cold)} "
            f"| {ratio(cold / r['n'], per_1000.get(r['mix']))} |"
        )
    lines += goals(rows, help_time)
    lines += [
        "",
        f"- `plan57 --help`: {help_time / python_start:.1f}× a bare `python -c pass` start.",
        "- check-jsonschema is run on at most 3,400 files (it takes minutes beyond), once per mix.",
    ]
    if parse:
        c = parse["csafeloader"]
        lines += [
            "",
            "## The fast path: which parser (decision)",
            "",
            "Per-file parse time in one process on the warnings mix, ÷ PyYAML's `CSafeLoader` (the floor):",
            "",
            "| parser | ÷ CSafeLoader |",
            "|---|---:|",
            f"| libyaml's events alone (PyYAML's C parser, nothing built) | {parse['libyaml_events'] / c:.2f}× |",
            f"| **plan57's fast path**: libyaml's events, values and places built in one pass | {parse['fast_path'] / c:.2f}× |",
            "| PyYAML `CSafeLoader` (C parser and composer, Python constructor) | 1.00× |",
            f"| ruamel.yaml's C safe loader | {parse['ruamel_c_safe'] / c:.2f}× |",
            f"| plan57's careful path (ruamel.yaml's pure round-trip parser, with comments) | {parse['careful_path'] / c:.2f}× |",
            "",
            "Decision: the fast path reads libyaml's events through PyYAML's C parser and builds the "
            "values, their types (YAML 1.2, by ruamel's own resolver patterns) and every key's and "
            "value's line and column in one loop, with no node objects and no callback per scalar. "
            "Anchors, aliases, tags, directives other than `%YAML 1.2`, merge and duplicate keys are "
            "seen in the events and left to the careful path, which refuses or locates them; so is "
            "nothing else: not a warning, a comment, an empty value. A file holding a tab, NEL, LS, "
            "PS or a lone CR (which libyaml and ruamel read apart) takes the careful path whole. A "
            "syntax error libyaml finds is placed by the careful parser read from the last key of "
            "the root mapping before it, the lines above left blank: the error is the careful "
            "path's, for a fraction of its cost (a syntax error at the end of a file cost more than ten "
            "times a valid file). tests/test_loader_equivalence.py checks on generated documents (block "
            "and flow, folded and literal blocks, escapes, comments, directives, CRLF) that the fast "
            "path gives the careful path's data and places or defers, and on edited real files that "
            "it gives the careful path's errors. The previous fast path (ruamel's C parser "
            "composing nodes, a resolver callback per scalar, then a walk) measured about 2× this "
            "one per file during development.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
