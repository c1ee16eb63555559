"""Time of `plan57 report` to each output format, as a ratio to a cold `plan57 validate` of the
same data in the same run (a ratio travels between machines better than seconds).

    python bench/outputs.py            # 92 and 3,400 units, best of 3
    python bench/outputs.py --quick    # 92 units, one run

`section()` returns the Markdown section bench/run.py appends to bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PY, best, generate  # noqa: E402

FORMATS = ("md", "docx", "html", "xlsx")
# goal per format: report time ≤ GOAL × cold validate, set from a 92-unit run on 2 shared cores:
# report is one validate (cold, no cache) plus scoring and the renderer, so its floor is ~1×;
# the goals leave room for the renderer's own share and for noise on a shared machine. At 92 units
# (measured: md 1.2×, docx 5.0×, html 0.9×, xlsx 1.5×) the import of python-docx dominates docx.
GOALS = {"md": 1.5, "docx": 6.0, "html": 1.5, "xlsx": 2.5}


def _available() -> list[str]:
    from plan57.render.formats import FORMATS as KNOWN

    return [f for f in FORMATS if f in KNOWN]


def measure(n: int, work: Path, repeat: int) -> dict[str, float]:
    out = work / f"n{n}"
    out.mkdir()
    plan, units, _ = generate(n, out)
    common = ["--plan", str(plan), "--units", str(units)]
    base = [PY, "-m", "plan57"]
    times = {"validate": best(base + ["validate", *common], repeat=repeat, fresh_cache=True)}
    for fmt in _available():
        target = out / f"report.{fmt}"
        cmd = base + ["report", *common, "--year", "2026", "--date", "2026-12-15", "--format", fmt, "-o", str(target)]
        times[fmt] = best(cmd, repeat=repeat, fresh_cache=True)
    return times


def section(quick: bool = False) -> str:
    sizes, repeat = ([92], 1) if quick else ([92, 3400], 2)
    formats = _available()
    lines = [
        "## Report outputs",
        "",
        "`plan57 report --format F -o FILE` with an empty cache, as a multiple of a cold `plan57 validate`"
        f" of the same files (best of {repeat}). Goal: the ratio at or below the one shown.",
        "",
        "| units | " + " | ".join(f"{f} ×validate (goal)" for f in formats) + " |",
        "|---:|" + "---:|" * len(formats),
    ]
    met = True
    with tempfile.TemporaryDirectory(prefix="plan57-bench-out-") as tmp:
        for n in sizes:
            t = measure(n, Path(tmp), repeat)
            cells = []
            for f in formats:
                r = t[f] / t["validate"]
                ok = r <= GOALS[f]
                met &= ok
                cells.append(f"{r:.2f} (≤ {GOALS[f]}){'' if ok else ' ✗'}")
            lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    lines += ["", "Every goal met." if met else "Some goal missed (✗).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
