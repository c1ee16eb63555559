"""Benchmark of `plan57 import`: 92 forms (one province's year) and 3,400 forms.

The baseline, measured in the same run on the same workbooks, is openpyxl merely loading each
workbook: the import cannot be faster than reading the file, so the ratio says what reading the
form's cells, validating and writing the YAML cost beyond it.

    python bench/forms.py [--quick]
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_RATIO = 3.0  # import ≤ 3 × openpyxl's bare load of the same workbooks (set from the measurement)


def _data(plan: Any, unit_id: str, year: int) -> dict[str, Any]:
    unit = plan.unit_index[unit_id]
    blocks = {
        "implementation_plan": {"issued": True, "reference": "Kế hoạch số 12/KH-UBND", "date": dt.date(year, 10, 15)},
        "portal_section": {"exists": True, "url": "https://sonla.gov.vn/nq57", "posts": 10},
        "staff": {"total": 40, "informed": 38},
        "communication_staff": {"total": 6, "trained": 4},
        "population": {"total": 12500, "reached": 9800},
        "grassroots": {"villages_total": 45, "villages_equipped": 30},
        "science_tasks": {"total": 14, "secret": 1, "communicated": 13},
        "press": {"dedicated_sections": 2, "national_cooperation": 3},
        "network": {g.id: 2 for g in plan.network_groups},
        "training": [{"name": "Tập huấn chuyển đổi số", "audience": "youth", "participants": 120}],
    }
    data: dict[str, Any] = {"unit": unit_id, "year": year, "submitted": dt.date(year, 12, 1)}
    for block in plan.blocks_for(unit):
        data[block] = blocks[block]
    data.update(
        channels=[1, 2, 8], budget_vnd=50000000, difficulties=["Thiếu kinh phí"], proposals=["Bổ sung kinh phí"]
    )
    return data


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def section(quick: bool = False) -> str:
    import openpyxl

    from plan57.api import import_forms
    from plan57.render.form import build_form
    from plan57.validation.plan_file import load_plan

    plan = load_plan(ROOT / "data" / "plan.yaml")
    year = 2026
    big = 340 if quick else 3400
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        one = base / "forms" / str(year)
        one.mkdir(parents=True)
        for u in plan.units:
            (one / f"{u.id}.xlsx").write_bytes(build_form(plan, u.id, year, _data(plan, u.id, year)))
        forms = sorted(one.glob("*.xlsx"))
        many: list[list[Path]] = []  # 3,400 forms: copies of the 92 in batches, one units folder each
        copies = -(-big // len(forms))
        for i in range(copies):
            folder = base / f"batch{i}" / str(year)
            folder.mkdir(parents=True)
            batch = []
            for f in forms[: min(len(forms), big - i * len(forms))]:
                shutil.copy(f, folder / f.name)
                batch.append(folder / f.name)
            many.append(batch)

        def load_only(paths: list[Path]) -> None:
            for p in paths:
                openpyxl.load_workbook(io.BytesIO(p.read_bytes()))

        def run_import(batches: list[list[Path]], tag: str) -> None:
            for i, batch in enumerate(batches):
                done = import_forms(plan, batch, base / f"units-{tag}-{i}")
                assert all(d.written for d in done), [x.text() for d in done for x in d.diagnostics if x.is_error]

        for label, batches in ((f"{len(forms)} biểu mẫu", [forms]), (f"{big:,} biểu mẫu".replace(",", "."), many)):
            flat = [p for b in batches for p in b]
            baseline = _timed(lambda flat=flat: load_only(flat))
            took = _timed(lambda batches=batches, label=label: run_import(batches, label[:4].strip()))
            ratio = took / baseline
            rows.append((label, len(flat), baseline, took, ratio))
    lines = [
        "## Nhập biểu mẫu Excel (`plan57 import`)",
        "",
        "Mốc so sánh: openpyxl chỉ mở cùng các tệp đó (không thể nhập nhanh hơn việc đọc tệp). "
        f"Mục tiêu: thời gian nhập ≤ {GOAL_RATIO:g} × mốc so sánh, đặt từ lần đo đầu tiên.",
        "",
        "| Số biểu mẫu | plan57 import ÷ openpyxl mở tệp | Đạt mục tiêu |",
        "|---|---:|---|",
    ]
    for label, _n, _baseline, _took, ratio in rows:
        lines.append(f"| {label} | {ratio:.2f}× | {'Đạt' if ratio <= GOAL_RATIO else 'Chưa đạt'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv[1:]))
