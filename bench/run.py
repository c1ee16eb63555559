"""Benchmark plan57 at national scale against its peers, in one run on one machine.

    python bench/run.py                      # N = 100, 1000, 3400, 10000
    python bench/run.py --sizes 100 1000     # a quicker run

For each N it generates (fixed seed) a registry of N units and one valid submission each, then
times, as separate processes on the same files: `plan57 validate` cold (empty cache) and warm,
`plan57 score` and `plan57 report`, `check-jsonschema` with plan57's exported schema, and a bare
loop loading every file with ruamel.yaml's C loader (the floor). Figures are ratios between runs
of this same session; bench/RESULTS.md gets the table and the machine it ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
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


def generate(n: int, out: Path, seed: int = 57) -> tuple[Path, Path, list[Path]]:
    """A plan with an N-unit registry and N valid submissions for 2026."""
    rng = random.Random(seed)
    y = _yaml()
    plan = y.load(PLAN.read_text(encoding="utf-8"))
    units = [
        {"id": "so-khcn", "name": "Sở Khoa học và Công nghệ", "kind": "so"},
        {"id": "bao-ptth-son-la", "name": "Báo và Phát thanh, Truyền hình Sơn La", "kind": "bao_chi"},
    ]
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
    units_dir = out / "units"
    folder = units_dir / "2026"
    folder.mkdir(parents=True)
    files = []
    for u in units:
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
        path = folder / f"{u['id']}.yaml"
        with path.open("w", encoding="utf-8") as fh:
            y.dump(data, fh)
        files.append(path)
    return plan_path, units_dir, files


def timed(cmd: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Wall time of a command and the peak RSS (KiB) of its largest process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])}… exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


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
        times.append(timed(cmd, run_env, ok)[0])
        if fresh_cache:
            shutil.rmtree(run_env["XDG_CACHE_HOME"], ignore_errors=True)
    return min(times)


FLOOR = """
import sys
from ruamel.yaml import YAML
y = YAML(typ="safe")
assert y.Parser.__name__ == "CParser", "C loader not available"
for name in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    if name:
        with open(name, encoding="utf-8") as fh:
            y.load(fh)
"""


def peak_rss_mib(cmd: list[str], env: dict[str, str]) -> float:
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PY, "-c", code, *cmd], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def bench(n: int, work: Path, repeat: int) -> dict[str, Any]:
    out = work / f"n{n}"
    out.mkdir()
    plan, units, files = generate(n, out)
    listing = out / "files.txt"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    schema = out / "schema.json"
    subprocess.run([PY, "-m", "plan57", "schema", "--plan", str(plan), "-o", str(schema)], check=True)
    base = [PY, "-m", "plan57"]
    common = ["--plan", str(plan), "--units", str(units)]
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="plan57-bench-warm-")
    r: dict[str, Any] = {"n": n}
    r["validate_cold"] = best(base + ["validate", *common], repeat=repeat, fresh_cache=True)
    timed(base + ["validate", *common], env)  # fill the cache
    r["validate_warm"] = best(base + ["validate", *common], env, repeat=repeat)
    r["score"] = best(base + ["score", "--year", "2026", *common], repeat=repeat, fresh_cache=True)
    r["report"] = best(base + ["report", "--date", "2026-12-15", *common], repeat=repeat, fresh_cache=True)
    r["floor"] = best([PY, "-c", FLOOR, str(listing)], repeat=repeat)
    if shutil.which("check-jsonschema") and n <= 3400:
        r["check_jsonschema"] = best(["check-jsonschema", "--schemafile", str(schema), *map(str, files)], repeat=1)
    if n == max(SIZES):
        cold_env = dict(os.environ, XDG_CACHE_HOME=tempfile.mkdtemp(prefix="plan57-bench-mem-"))
        r["peak_mib"] = peak_rss_mib(base + ["validate", *common], cold_env)
    shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
    return r


SIZES = [100, 1000, 3400, 10000]


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def main() -> None:
    global SIZES
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    SIZES = args.sizes
    work = Path(tempfile.mkdtemp(prefix="plan57-bench-"))
    try:
        python_start = best([PY, "-c", "pass"], repeat=5)
        help_time = best([PY, "-m", "plan57", "--help"], repeat=5)
        rows = []
        for n in SIZES:
            print(f"N = {n} …", file=sys.stderr)
            rows.append(bench(n, work, args.repeat))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = render(rows, help_time, python_start)
    args.out.write_text(text, encoding="utf-8")
    print(text)


def goals(rows: list[dict[str, Any]], help_time: float) -> list[str]:
    """The goals of the national-scale issue, checked on this run's own figures."""
    by_n = {r["n"]: r for r in rows}
    out = ["", "Goals (at 3,400 files unless said otherwise):", ""]

    def check(name: str, value: float | None, limit: float) -> None:
        if value is None:
            out.append(f"- {name}: not measured in this run")
        else:
            out.append(f"- {name}: {value:.2f}× (goal ≤ {limit}×) — {'met' if value <= limit else 'NOT met'}")

    r = by_n.get(3400)
    if r:
        cj = r.get("check_jsonschema")
        check("cold `validate` ÷ check-jsonschema", r["validate_cold"] / cj if cj else None, 0.5)
        check("cold `validate` ÷ single-process C-parse floor", r["validate_cold"] / r["floor"], 1.0)
        check("warm `validate` ÷ cold", r["validate_warm"] / r["validate_cold"], 0.2)
        check("`score` ÷ `validate`", r["score"] / r["validate_cold"], 1.5)
        check("`report` ÷ `validate`", r["report"] / r["validate_cold"], 1.5)
    if 1000 in by_n and 10000 in by_n:
        per = (by_n[10000]["validate_cold"] / 10000) / (by_n[1000]["validate_cold"] / 1000)
        check("linear from 1,000 to 10,000 files: per-file time at 10,000 ÷ at 1,000", per, 1.2)
    out.append(f"- `plan57 --help` ≤ 0.25 s: {'met' if help_time <= 0.25 else 'NOT met'}")
    return out


def render(rows: list[dict[str, Any]], help_time: float, python_start: float) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# plan57 benchmark",
        "",
        f"Run {dt.date.today().isoformat()} on {platform.system()} {platform.machine()} ({cpu}), "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; every figure is a ratio between "
        "processes of this one run, best of the repeats. Regenerate with `python bench/run.py`.",
        "",
        "| files | validate cold ÷ check-jsonschema | validate cold ÷ C-parse floor | warm ÷ cold "
        "| score ÷ validate | report ÷ validate | per-file time ÷ per-file time at 1,000 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    per_file_1000 = next((r["validate_cold"] / r["n"] for r in rows if r["n"] == 1000), None)
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {ratio(r['validate_cold'], r.get('check_jsonschema'))} "
            f"| {ratio(r['validate_cold'], r['floor'])} | {ratio(r['validate_warm'], r['validate_cold'])} "
            f"| {ratio(r['score'], r['validate_cold'])} | {ratio(r['report'], r['validate_cold'])} "
            f"| {ratio(r['validate_cold'] / r['n'], per_file_1000)} |"
        )
    big = rows[-1]
    lines += goals(rows, help_time)
    lines += [
        "",
        f"- `plan57 --help`: {help_time / python_start:.1f}× a bare `python -c pass` start; "
        f"goal ≤ 0.25 s: {'met' if help_time <= 0.25 else 'NOT met'}.",
    ]
    if "peak_mib" in big:
        lines.append(
            f"- Peak memory of `plan57 validate` (largest process) on {big['n']:,} files: {big['peak_mib']:.0f} MiB "
            f"(goal ≤ 300 MB: {'met' if big['peak_mib'] * 1.048576 <= 300 else 'NOT met'})."
        )
    lines += [
        "- check-jsonschema is run on at most 3,400 files (it takes minutes beyond); the floor is one process "
        "loading every file with ruamel.yaml's C safe loader and doing nothing else.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
