"""Checks of data/plan.yaml against the seed plan and the reference unit registry.

The seed (Decision 2493/QĐ-UBND) and the reference TSVs live in the shared folder next to the
repository (``../shared``); the tests that need them are skipped when it is absent.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parents[1]
PLAN_PATH = REPO_ROOT / "data" / "plan.yaml"
SHARED = REPO_ROOT.parent / "shared"
SEED_PATH = SHARED / "seed" / "000_339e2d12cf9d9c89.txt"
AGENCIES_TSV = SHARED / "reference" / "son-la-agencies.tsv"
COMMUNES_TSV = SHARED / "reference" / "son-la-communes.tsv"

UNIT_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SNAKE_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
KINDS = {"so", "ban", "bao_chi", "truong", "xa", "phuong"}

TARGET_IDS = [
    "2025.ke-hoach",
    "2025.chuyen-muc",
    "2025.can-bo",
    "2025.bao-chi",
    "2025.hop-tac",
    "2026.mang-luoi",
    "2026.dao-tao",
    "2026.nhiem-vu-khcn",
    "2026.ha-tang",
    "2030.tiep-can",
    "2030.dao-tao-can-bo",
]
TASK_IDS = "1a 1b 1c 1d 2a 2b 2c 2d 3a 3b 4a 4b 4c 5a 5b 5c".split()

FIXED_UNITS = {  # SPEC.md §2.1
    "so-vhttdl": "so",
    "so-khcn": "so",
    "so-gddt": "so",
    "so-ngoai-vu": "so",
    "so-cong-thuong": "so",
    "so-tai-chinh": "so",
    "vp-ubnd-tinh": "so",
    "bql-kcn": "ban",
    "bao-ptth-son-la": "bao_chi",
}


def _load_plan() -> dict:
    yaml = YAML(typ="safe", pure=True)  # duplicate keys raise
    with PLAN_PATH.open(encoding="utf-8") as fh:
        return yaml.load(fh)


PLAN = _load_plan()


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _need_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"shared folder absent: {SHARED}")


@pytest.fixture(scope="module")
def seed() -> str:
    _need_shared()
    return _ws(SEED_PATH.read_text(encoding="utf-8"))


def _read_tsv(path: Path) -> list[dict[str, str]]:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        assert len(cells) == len(header), line
        rows.append(dict(zip(header, cells)))
    return rows


@pytest.fixture(scope="module")
def agency_rows() -> list[dict[str, str]]:
    _need_shared()
    return _read_tsv(AGENCIES_TSV)


@pytest.fixture(scope="module")
def commune_rows() -> list[dict[str, str]]:
    _need_shared()
    return _read_tsv(COMMUNES_TSV)


# --------------------------------------------------------------------------- file hygiene


def test_file_is_utf8_nfc_without_tabs_or_anchors():
    raw = PLAN_PATH.read_bytes()
    text = raw.decode("utf-8")
    assert not text.startswith("\ufeff")
    assert unicodedata.is_normalized("NFC", text)
    assert "\t" not in text
    for line in text.splitlines():
        body = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        assert not re.search(r"(^|[\s\[{,:])[&*!][A-Za-z]", body), line


def test_top_level_keys_in_order():
    assert list(PLAN) == [
        "plan",
        "reporting",
        "kinds",
        "key_days_task",
        "key_days",
        "product_kinds",
        "training_audiences",
        "network_groups",
        "targets",
        "task_groups",
        "tasks",
        "channels",
        "units",
    ]


# --------------------------------------------------------------------------- plan identity


def test_plan_identity():
    import datetime

    plan = PLAN["plan"]
    assert plan["number"] == "2493/QĐ-UBND"
    assert plan["date"] == datetime.date(2025, 10, 3)
    assert plan["issuer"] == "Ủy ban nhân dân tỉnh Sơn La"
    assert plan["signer"] == "Tráng Thị Xuân"
    assert plan["signer_title"] == "PHÓ CHỦ TỊCH THƯỜNG TRỰC"
    assert plan["period"] == {"start": 2025, "end": 2030}
    assert plan["title"].startswith("Kế hoạch đẩy mạnh truyền thông thực hiện Nghị quyết số 57-NQ/TW")
    assert plan["title"].endswith("trên địa bàn tỉnh Sơn La")


def test_reporting_rule():
    rep = PLAN["reporting"]
    assert rep["unit_deadline"] == "12-05"
    assert rep["synthesis_deadline"] == "12-20"
    assert rep["compiler"] == "so-vhttdl"
    assert "trước ngày 05 tháng 12" in rep["text"]
    assert "trước ngày 20 tháng 12" in rep["text"]


def test_key_days():
    days = PLAN["key_days"]
    assert len(days) == 3
    assert [d["date"] for d in days] == ["05-18", "10-01", "10-10"]


def test_vocabularies():
    kinds = [k["id"] for k in PLAN["product_kinds"]]
    assert kinds == [
        "news",
        "articles",
        "photos",
        "infographics",
        "videos",
        "reportages",
        "talk_shows",
        "podcasts",
        "slides",
        "ebooks",
        "leaflets",
    ]
    assert [a["id"] for a in PLAN["training_audiences"]] == [
        "officials",
        "youth",
        "pupils",
        "students",
        "teachers",
        "journalists",
        "businesses",
        "citizens",
    ]
    groups = [g["id"] for g in PLAN["network_groups"]]
    assert len(groups) == 10 and len(set(groups)) == 10
    for section in ("product_kinds", "training_audiences", "network_groups"):
        for item in PLAN[section]:
            assert SNAKE_RE.match(item["id"]), item
            assert item["name"].strip() == item["name"] and item["name"]


# --------------------------------------------------------------------------- counts and ids


def test_targets_ids_in_order():
    assert [t["id"] for t in PLAN["targets"]] == TARGET_IDS


def test_tasks_ids_in_order():
    assert [t["id"] for t in PLAN["tasks"]] == TASK_IDS
    assert [t["group"] for t in PLAN["tasks"]] == [int(i[0]) for i in TASK_IDS]
    assert [g["id"] for g in PLAN["task_groups"]] == [1, 2, 3, 4, 5]


def test_channels_ids():
    assert [c["id"] for c in PLAN["channels"]] == list(range(1, 11))


def test_target_measures_are_well_formed():
    network_fields = [f"network.{g['id']}" for g in PLAN["network_groups"]]
    audiences = {a["id"] for a in PLAN["training_audiences"]}
    unit_ids = {u["id"] for u in PLAN["units"]}
    for t in PLAN["targets"]:
        assert t["year"] == int(t["id"][:4])
        assert t["year"] in (2025, 2026, 2030)
        assert t["section"] == {2025: "II.2.a", 2026: "II.2.b", 2030: "II.2.c"}[t["year"]]
        applies = t["applies_to"]
        assert len(applies) == 1
        if "all" in applies:
            assert applies["all"] is True
        elif "kinds" in applies:
            assert set(applies["kinds"]) <= KINDS
        else:
            assert set(applies["units"]) <= unit_ids
        measure = t["measure"]
        assert measure in {"share", "ratio", "totals_at_least", "covers"}
        if measure in {"share", "ratio"}:
            assert re.fullmatch(r"\d+(/\d+)?", t["threshold"])
        else:
            assert "threshold" not in t
        if measure == "covers":
            assert set(t["values"]) <= audiences
    by_id = {t["id"]: t for t in PLAN["targets"]}
    assert by_id["2026.mang-luoi"]["fields"] == network_fields
    assert by_id["2030.tiep-can"]["threshold"] == "4/5"
    assert by_id["2030.dao-tao-can-bo"]["threshold"] == "7/10"
    assert by_id["2026.nhiem-vu-khcn"]["applies_to"] == {"units": ["so-khcn"]}
    assert by_id["2026.nhiem-vu-khcn"]["denominator"] == ["science_tasks.total", "-science_tasks.secret"]


# --------------------------------------------------------------------------- registry


def test_unit_ids_unique_and_well_formed():
    ids = [u["id"] for u in PLAN["units"]]
    assert len(ids) == len(set(ids))
    for uid in ids:
        assert UNIT_ID_RE.match(uid), uid
    for u in PLAN["units"]:
        assert set(u) == {"id", "name", "kind"}
        assert u["kind"] in KINDS


def test_communes_match_reference(commune_rows):
    communes = [(u["id"], u["name"], u["kind"]) for u in PLAN["units"] if u["kind"] in ("xa", "phuong")]
    expected = [(r["id"], r["name"], r["kind"]) for r in commune_rows]
    assert communes == expected
    assert len(communes) == 75
    assert sum(1 for c in communes if c[2] == "xa") == 67
    assert sum(1 for c in communes if c[2] == "phuong") == 8


def test_agencies_match_reference(agency_rows):
    units = {u["id"]: u for u in PLAN["units"]}
    for row in agency_rows:
        assert row["id"] in units, row
        assert units[row["id"]]["name"] == row["name"]
        assert units[row["id"]]["kind"] == row["kind"]
    agencies = [u["id"] for u in PLAN["units"] if u["kind"] not in ("xa", "phuong")]
    assert agencies == [r["id"] for r in agency_rows]


def test_fixed_spec_units():
    kinds = {u["id"]: u["kind"] for u in PLAN["units"]}
    for uid, kind in FIXED_UNITS.items():
        assert kinds.get(uid) == kind, uid


# --------------------------------------------------------------------------- selectors


def _selector_lists():
    for task in PLAN["tasks"]:
        yield task["id"], "leads", task["leads"]
        yield task["id"], "coordinators", task["coordinators"]


def test_selectors_resolve():
    unit_ids = {u["id"] for u in PLAN["units"]}
    for tid, role, selectors in _selector_lists():
        assert isinstance(selectors, list), (tid, role)
        seen = []
        for sel in selectors:
            assert len(sel) == 1, (tid, role, sel)
            if "unit" in sel:
                assert sel["unit"] in unit_ids, (tid, role, sel)
            else:
                assert sel["kinds"], (tid, role, sel)
                assert set(sel["kinds"]) <= KINDS, (tid, role, sel)
            assert sel not in seen, (tid, role, sel)
            seen.append(sel)


def test_every_task_has_a_lead():
    for task in PLAN["tasks"]:
        assert task["leads"], task["id"]
        assert task["timeframe"] == "Hằng năm"


def test_named_leads():
    leads = {t["id"]: t["leads"] for t in PLAN["tasks"]}
    assert leads["1a"] == [
        {"unit": "bao-ptth-son-la"},
        {"unit": "vp-ubnd-tinh"},
        {"kinds": ["so", "ban"]},
        {"kinds": ["xa", "phuong"]},
    ]
    assert leads["1b"] == [{"kinds": ["so", "ban"]}, {"kinds": ["xa", "phuong"]}]
    for tid in ("2a", "2b", "2c", "2d"):
        assert leads[tid] == [{"unit": "so-gddt"}]
    assert leads["3a"] == [{"unit": "so-cong-thuong"}]
    assert leads["5a"] == [{"unit": "so-ngoai-vu"}]
    assert leads["5c"] == [{"unit": "so-vhttdl"}]
    for tid in ("1c", "1d", "3b", "4a", "4b", "4c", "5b"):
        assert leads[tid] == [{"unit": "so-khcn"}]


# --------------------------------------------------------------------------- verbatim texts


def _quoted_texts():
    plan = PLAN["plan"]
    yield "plan.title", plan["title"]
    yield "plan.general_objective", plan["general_objective"]
    yield "reporting.text", PLAN["reporting"]["text"]
    yield "reporting.start_text", PLAN["reporting"]["start_text"]
    for t in PLAN["targets"]:
        yield f"targets[{t['id']}].text", t["text"]
    for g in PLAN["task_groups"]:
        yield f"task_groups[{g['id']}].title", g["title"]
    for t in PLAN["tasks"]:
        for key in ("text", "lead_text", "coordinator_text"):
            yield f"tasks[{t['id']}].{key}", t[key]
    for c in PLAN["channels"]:
        yield f"channels[{c['id']}].text", c["text"]
    for d in PLAN["key_days"]:
        yield f"key_days[{d['date']}].name", d["name"]


QUOTED = list(_quoted_texts())


def test_quoted_text_count():
    # 4 plan/reporting + 11 targets + 5 groups + 16*3 tasks + 10 channels + 3 key days
    assert len(QUOTED) == 4 + 11 + 5 + 48 + 10 + 3


@pytest.mark.parametrize("text", [t for _, t in QUOTED], ids=[name for name, _ in QUOTED])
def test_quoted_text_is_verbatim_from_seed(seed, text):
    assert isinstance(text, str) and text.strip()
    assert _ws(text) in seed


def test_blocks_for_a_unit_named_by_a_target_apart_from_its_kind() -> None:
    """blocks_for is worked out once per kind, but a unit a target names one by one keeps its own."""
    from plan57.model.plan import Plan

    from .conftest import plan_data

    data = plan_data()
    xa = [u for u in data["units"] if u["kind"] == "xa"]
    named, other = xa[0]["id"], xa[1]["id"]
    target = next(t for t in data["targets"] if "science_tasks" in str(t))
    target["applies_to"] = {"units": [named]}
    plan = Plan.model_validate(data)
    blocks_named = plan.blocks_for(plan.unit_index[named])
    blocks_other = plan.blocks_for(plan.unit_index[other])
    assert "science_tasks" in blocks_named and "science_tasks" not in blocks_other
    # asked again, in the other order, the answers hold
    assert plan.blocks_for(plan.unit_index[other]) == blocks_other
    assert plan.blocks_for(plan.unit_index[named]) == blocks_named
    assert plan.targets_reading["science_tasks"] == [t for t in plan.targets if "science_tasks" in t.blocks]
