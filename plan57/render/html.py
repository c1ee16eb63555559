"""The province's progress at a glance: one self-contained HTML page (SPEC §8).

Inline CSS and inline SVG only: no script, no font, image or style fetched, so the file can be
mailed, put on the portal's NQ57 section, opened offline, or printed. It is laid out for a phone
(tables become stacked cards), a screen and paper (``@media print``).

Charts are drawn by the small SVG templates below rather than a charting library. The page needs
three kinds of chart (a bar against a threshold, a stacked bar, a line with a path to a goal); a
Python library that writes static SVG either weighs far more than the whole program (matplotlib
adds ~0.5 s of import and tens of kB of glyph paths per chart) or leans on JavaScript for its
labels and tooltips (pygal, Altair/Vega, Plotly), which a page with no script cannot use. The
templates cost no import, write a few hundred bytes per chart, and put every label in the page's
own fonts so Vietnamese diacritics render as the text around them.

Every figure comes from the report view (render/view.py); this module only places and formats it.
Every chart carries a ``<title>`` and sits beside a table with the same numbers. Text from the
units and the plan passes through ``h`` (HTML escaping), so it stays text.
"""

from __future__ import annotations

import datetime as dt
import html
from fractions import Fraction
from typing import Any

from plan57.base.numbers import percent, vn_int
from plan57.render.view import annex_cells, annex_heads, context
from plan57.scoring.score import YearResult

# status → CSS class (colour), always shown with its label too: colour is never the only signal
_STATUS_CLASS = {
    "met": "ok",
    "on_track": "ok",
    "not_met": "bad",
    "off_track": "warn",
    "insufficient_data": "na",
    "not_due": "na",
    "baseline": "info",
}
_STATE_CLASS = {"on_time": "ok", "late": "warn", "invalid": "bad", "missing": "na"}


def h(value: Any) -> str:
    """Any text as inert HTML (unit-written text included): it can never become markup."""
    return "" if value is None else html.escape(str(value), quote=True)


def _pct(value: Any) -> str:
    return percent(value) if isinstance(value, Fraction) else "—"


def _num(value: Any) -> str:
    return vn_int(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _value(point: dict[str, Any] | None) -> str:
    """A target's value as read: a percentage with its fraction, Có/Không, or — without data."""
    if not point or point.get("value") is None:
        return "—"
    v = point["value"]
    if v is True:
        return "Có"
    if v is False:
        return "Không"
    num, den = point.get("numerator"), point.get("denominator")
    return f"{_pct(v)} ({_num(num)}/{_num(den)})" if num is not None and den is not None else _pct(v)


def _yes(value: bool | None) -> str:
    return "—" if value is None else ("Có" if value else "Không")


def _f(value: Any) -> float:
    return float(value) if isinstance(value, (Fraction, int)) and not isinstance(value, bool) else 0.0


def _x(value: float) -> str:
    """A coordinate with at most one decimal: small, stable output."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# ---- chart templates -----------------------------------------------------------------------


def bar(value: Any, threshold: Any, status: str, title: str) -> str:
    """A horizontal bar of a share (0–100%) with the threshold marked."""
    w = 300.0
    fill = _x(w * min(max(_f(value), 0.0), 1.0))
    parts = [
        f'<svg class="bar" viewBox="0 0 {_x(w)} 20" preserveAspectRatio="none" role="img"><title>{h(title)}</title>',
        f'<rect class="track" x="0" y="3" width="{_x(w)}" height="14" rx="2"/>',
        f'<rect class="fill {_STATUS_CLASS.get(status, "na")}" x="0" y="3" width="{fill}" height="14" rx="2"/>',
    ]
    if isinstance(threshold, Fraction):
        tx = _x(min(w * float(threshold), w - 1.5))
        parts.append(f'<rect class="goal" x="{tx}" y="0" width="3" height="20"/>')
    parts.append("</svg>")
    return "".join(parts)


def stacked(segments: list[tuple[int, str, str]], total: int, title: str) -> str:
    """A horizontal bar split into (count, css class, label) segments of `total`."""
    w, x = 300.0, 0.0
    parts = [
        f'<svg class="bar" viewBox="0 0 {_x(w)} 20" preserveAspectRatio="none" role="img"><title>{h(title)}</title>'
    ]
    parts.append(f'<rect class="track" x="0" y="3" width="{_x(w)}" height="14"/>')
    for count, cls, label in segments:
        if count <= 0 or total <= 0:
            continue
        width = w * count / total
        parts.append(
            f'<rect class="fill {cls}" x="{_x(x)}" y="3" width="{_x(width)}" height="14">'
            f"<title>{h(label)}: {count}</title></rect>"
        )
        x += width
    parts.append("</svg>")
    return "".join(parts)


def _label_y(cy: float, thr_y: float | None, bottom: float, fs: float) -> float:
    """The baseline of a point's value label: above the point, unless the threshold line (and the
    year's diamond on it) or the top edge would run through it; then below, if it fits there."""
    gap, cap = 12.0, 0.75 * fs
    above = cy - gap
    below = cy + gap + cap

    def clear(base: float) -> bool:
        return thr_y is None or not (base - cap - 8 <= thr_y <= base + 8)

    if above - cap >= 0 and clear(above):
        return above
    if below <= bottom and clear(below):
        return below
    return above if above - cap >= 0 else below


def line_chart(trend: dict[str, Any], year: int, first_year: int) -> str:
    """A target's value year by year, its threshold, and the straight path from its baseline to
    the threshold in the target's year (the trajectory its `on_track` verdicts are judged on)."""
    goal_year: int = trend["goal_year"]
    last = max(goal_year, year, first_year + 1)
    years = list(range(first_year, last + 1))
    # Room for labels at the largest font the page gives a chart (19 units, on a phone and on paper):
    # "100%" left of the plot, a value label above the top line, the years below "0%".
    W, H, L, R, T, B = 560.0, 250.0, 60.0, 24.0, 34.0, 44.0
    FS = 19.0

    def px(y: int) -> float:
        return L + (W - L - R) * (y - first_year) / (last - first_year)

    def py(v: float) -> float:
        return T + (H - T - B) * (1.0 - v)

    points = [p for p in trend["points"] if isinstance(p.get("value"), Fraction)]
    thr = trend["threshold"]
    base = trend["baseline"]
    summary = "; ".join(f"năm {p['year']}: {_pct(p['value'])} (độ phủ {_pct(p.get('coverage'))})" for p in points)
    title = (
        f"{trend['label']} — ngưỡng {_pct(thr)} năm {goal_year}. "
        + (f"Số liệu {summary}." if summary else "Chưa có số liệu của năm nào.")
        + (f" Mốc cơ sở: năm {base['year']}, {_pct(base['value'])}." if base else "")
    )
    out = [
        f'<svg class="line" viewBox="0 0 {_x(W)} {_x(H)}" role="img"><title>{h(title)}</title>',
    ]
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _x(py(v))
        out.append(f'<line class="grid" x1="{_x(L)}" y1="{y}" x2="{_x(W - R)}" y2="{y}"/>')
        out.append(f'<text class="ax" x="{_x(L - 12)}" y="{y}" dy="5" text-anchor="end">{int(v * 100)}%</text>')
    for y_ in years:
        out.append(
            f'<text class="ax{" now" if y_ == year else ""}" x="{_x(px(y_))}" y="{_x(H - 10)}" '
            f'text-anchor="middle">{y_}</text>'
        )
    thr_y = py(float(thr)) if isinstance(thr, Fraction) else None
    if isinstance(thr, Fraction):
        ty = _x(py(float(thr)))
        out.append(f'<line class="thr" x1="{_x(L)}" y1="{ty}" x2="{_x(W - R)}" y2="{ty}"/>')
        if base is not None and base["year"] < goal_year:
            out.append(
                f'<line class="path" x1="{_x(px(base["year"]))}" y1="{_x(py(_f(base["value"])))}" '
                f'x2="{_x(px(goal_year))}" y2="{ty}"><title>Lộ trình từ mốc cơ sở đến ngưỡng năm {goal_year}</title></line>'
            )
        for gy in range(goal_year, last + 1) if trend.get("every_year") else (goal_year,):
            out.append(
                f'<path class="goalmark" d="M{_x(px(gy))} {_x(py(float(thr)) - 7)} l7 7 l-7 7 l-7 -7 z">'
                f"<title>Ngưỡng năm {gy}: {_pct(thr)}</title></path>"
            )
    if len(points) > 1:
        coords = " ".join(f"{_x(px(p['year']))},{_x(py(_f(p['value'])))}" for p in points)
        out.append(f'<polyline class="val" points="{coords}"/>')
    for p in points:
        cx, cy = _x(px(p["year"])), _x(py(_f(p["value"])))
        partial = isinstance(p.get("coverage"), Fraction) and p["coverage"] < 1
        label = f"Năm {p['year']}: {_pct(p['value'])}, độ phủ {_pct(p.get('coverage'))}"
        out.append(
            f'<circle class="pt{" partial" if partial else ""}" cx="{cx}" cy="{cy}" r="5"><title>{h(label)}</title></circle>'
        )
        anchor = "start" if p["year"] == first_year else ("end" if p["year"] == last else "middle")
        out.append(
            f'<text class="vl" x="{cx}" y="{_x(_label_y(py(_f(p["value"])), thr_y, H - B, FS))}" '
            f'text-anchor="{anchor}">{h(_pct(p["value"]))}</text>'
        )
    if base is not None:
        bx, by = _x(px(base["year"])), _x(py(_f(base["value"])))
        out.append(
            f'<circle class="base" cx="{bx}" cy="{by}" r="9"><title>Mốc cơ sở: năm {base["year"]}</title></circle>'
        )
    out.append("</svg>")
    return "".join(out)


# ---- the page ------------------------------------------------------------------------------


def _status(status: str | None, label: str | None) -> str:
    if not status:
        return "—"
    return f'<span class="st {_STATUS_CLASS.get(status, "na")}">{h(label)}</span>'


def _td(label: str, content: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<td data-label="{h(label)}"{c}><div>{content}</div></td>'  # one grid item in a phone's card


def _table(caption: str, heads: list[str], rows: list[list[str]], cls: str = "cards") -> str:
    """A table whose cells are already HTML; on a phone each row of a `cards` table becomes a card
    (its headers repeated from data-label), and other tables scroll sideways in their own box."""
    out = [f'<table class="{cls}"><caption>{h(caption)}</caption><thead><tr>']
    out += [f'<th scope="col">{h(x)}</th>' for x in heads]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(_td(heads[i], cell) for i, cell in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _reporting(c: dict[str, Any]) -> str:
    r = c["reporting"]
    n = {k: len(r[k]) for k in ("expected", "submitted", "on_time", "late", "invalid", "missing")}
    tiles = [
        ("Phải báo cáo", n["expected"], ""),
        ("Đã gửi hợp lệ", n["submitted"], "ok"),
        ("Đúng hạn", n["on_time"], "ok"),
        ("Gửi muộn", n["late"], "warn"),
        ("Tệp lỗi", n["invalid"], "bad"),
        ("Chưa gửi", n["missing"], "na"),
    ]
    out = [f'<section id="bao-cao"><h2>{h(c["headings"]["reporting"])}</h2><ul>']
    out += [f"<li>{h(line)}</li>" for line in c["reporting_lines"]]
    out.append("</ul>")
    for group in c["reporting_lists"]:
        out.append(f"<p><b>{h(group['title'])}</b></p><ul>")
        out += [f"<li>{h(item)}.</li>" for item in group["entries"]]
        out.append("</ul>")
    out.append('<ul class="tiles">')
    out += [f'<li class="{cls}"><b>{vn_int(v)}</b> {h(k)}</li>' for k, v, cls in tiles]
    out.append("</ul>")
    rows = []
    for g in c["by_kind"]:
        segs = [(g[s], _STATE_CLASS[s], c["state_label"][s]) for s in ("on_time", "late", "invalid", "missing")]
        title = f"{g['label']}: {g['expected']} đơn vị — " + ", ".join(f"{lab} {k}" for k, _, lab in segs)
        rows.append(
            [
                h(g["label"]),
                _num(g["expected"]),
                _num(g["on_time"]),
                _num(g["late"]),
                _num(g["invalid"]),
                _num(g["missing"]),
                stacked(segs, g["expected"], title),
            ]
        )
    heads = ["Khối đơn vị", "Phải báo cáo", "Đúng hạn", "Gửi muộn", "Tệp lỗi", "Chưa gửi", "Biểu đồ"]
    out.append(_table("Mức độ đầy đủ của báo cáo theo khối đơn vị", heads, rows, "num kinds cards"))
    out.append(
        '<p class="legend"><span class="key ok"></span>đúng hạn <span class="key warn"></span>gửi muộn '
        '<span class="key bad"></span>tệp lỗi <span class="key na"></span>chưa gửi</p>'
    )
    out.append("</section>")
    return "".join(out)


def _figure(f: dict[str, Any]) -> str:
    """A figure of the view: the percentage, its fraction after it (on a line of its own when the
    column is narrow: each part stays whole)."""
    if f.get("fraction"):
        return f'<span class="fig">{h(f["main"])}</span> <span class="fig">({h(f["fraction"])})</span>'
    return h(f["main"])


def _targets(c: dict[str, Any]) -> str:
    y = c["y"]
    prev = y > c["info"]["period"]["start"]
    rows = []
    for row in c["target_rows"]:
        t, shown = row["r"], row["shown"]
        tg = t["target"]
        now = row["this_year"]
        if tg["measure"] in ("share", "ratio"):
            title = f"{shown['label']}: {shown['value']['main']} so với ngưỡng {shown['threshold']}"
            chart = bar(now["value"], t["threshold"], t["status"], title)
        else:
            chart = ""
        cells = [
            f'<b>{h(shown["label"])}</b><br><small class="id">{h(shown["id"])}</small>',
            h(shown["deadline"]),
            h(shown["threshold"]),
        ]
        if prev:
            cells.append(_figure(shown["previous"]))
        cells += [
            _figure(shown["value"]) + chart,
            h(shown["coverage"]),
            h(shown["required"]),
            f'<span class="st {_STATUS_CLASS.get(shown["status"], "na")}">{h(shown["verdict"])}</span>',
        ]
        rows.append(cells)
    heads = ["Chỉ tiêu", "Hạn", "Ngưỡng"] + ([f"Năm {y - 1}"] if prev else [])
    heads += [f"Năm {y}", f"Độ phủ năm {y}", f"Cần đạt năm {y}", "Đánh giá"]
    return (
        f'<section id="chi-tieu"><h2>{h(c["headings"]["targets"])}</h2>'
        + _table(f"Giá trị của từng chỉ tiêu năm {y} so với ngưỡng", heads, rows, "targets cards")
        + f'<p class="legend"><span class="key goal"></span>vạch ngưỡng của chỉ tiêu. Ghi chú: {h(c["targets_note"])}</p>'
        + _portals(c["portals"])
        + _trends(c)
        + "</section>"
    )


def _portals(p: dict[str, Any]) -> str:
    """The NQ57 portal sections and their posts, in the words of every report."""
    return f"<p><b>{h(p['label'])}</b> {h(p['text'])}</p>" if p["text"] else ""


def _budget(b: dict[str, Any], heading: str) -> str:
    """Funding spent (plan section V), in the words of every report."""
    items = "".join(f"<li>{h(k['text'])}</li>" for k in b["by_kind"])
    return f"<h3>{h(heading)}</h3><p>{h(b['lead'])}</p>" + (f"<ul>{items}</ul>" if items else "")


def _trends(c: dict[str, Any]) -> str:
    y = c["y"]
    first = c["info"]["period"]["start"]
    out = [
        '<div id="xu-huong"><h3>Xu hướng qua các năm</h3>',
        '<p class="legend"><span class="key val"></span>giá trị từng năm (chấm rỗng: độ phủ chưa đủ) '
        '<span class="key path"></span>lộ trình từ mốc cơ sở đến ngưỡng <span class="key thr"></span>ngưỡng'
        ' ◆ năm phải đạt ◯ mốc cơ sở</p><div class="charts">',
    ]
    for tr in c["trends"]:
        rows = [
            [str(p["year"]), h(_value(p)), _pct(p.get("coverage")), _status(p.get("status"), p.get("status_label"))]
            for p in tr["points"]
        ]
        goal = f"Từ {tr['goal_year']}, hằng năm" if tr.get("every_year") else str(tr["goal_year"])
        rows.append([goal, f"Ngưỡng {_pct(tr['threshold'])}", "—", "Năm phải đạt"])
        out.append(
            f'<figure><figcaption><b>{h(tr["label"])}</b> <small class="id">{h(tr["id"])}</small></figcaption>'
            + line_chart(tr, y, first)
            + _table(
                f"Số liệu của biểu đồ: {tr['label']}", ["Năm", "Giá trị", "Độ phủ", "Đánh giá năm đó"], rows, "mini"
            )
            + "</figure>"
        )
    out.append("</div></div>")
    return "".join(out)


def _tasks(c: dict[str, Any]) -> str:
    rows = []
    for t in c["tasks"]:
        r = t["r"]
        exp, done = len(r["leads_expected"]), len(r["leads_done"])
        title = f"Nhiệm vụ {r['task']['id']}: {done}/{exp} cơ quan chủ trì đã thực hiện"
        chart = stacked([(done, "ok", "Đã thực hiện"), (exp - done, "na", "Chưa")], exp, title) if exp else ""
        rows.append(
            [
                f"<b>{h(r['task']['id'])}</b>",
                f"<small>{h(r['task']['text'])}</small>",
                h(r["task"]["lead_text"]),
                f"{_num(done)}/{_num(exp)}{chart}",
                _num(r["activities"]),
                _status(r["status"], c["task_label"][r["status"]]),
            ]
        )
    heads = ["Mã", "Nhiệm vụ", "Cơ quan chủ trì", "Đã thực hiện", "Hoạt động", "Kết quả"]
    return (
        f'<section id="nhiem-vu"><h2>{h(c["headings"]["tasks"])}</h2>'
        + _table("Số cơ quan chủ trì đã thực hiện từng nhiệm vụ", heads, rows, "tasks cards")
        + "</section>"
    )


def _channels(c: dict[str, Any]) -> str:
    total = len(c["reporting"]["submitted"])
    rows = []
    for ch in c["channels"]:
        n = len(ch["units"])
        title = f"Kênh {ch['c']['id']}: {n}/{total} đơn vị đã gửi báo cáo sử dụng"
        rows.append(
            [
                str(ch["c"]["id"]),
                h(ch["c"]["text"]),
                f"{_num(n)}/{_num(total)}" + stacked([(n, "ok", "Có sử dụng")], total, title),
            ]
        )
    return (
        f'<section id="kenh"><h2>{h(c["headings"]["channels"])}</h2>'
        + _table(
            "Số đơn vị đã gửi báo cáo có sử dụng từng kênh", ["Kênh", "Nội dung", "Số đơn vị"], rows, "channels cards"
        )
        + "</section>"
    )


def _feedback(c: dict[str, Any]) -> str:
    hd = c["headings"]
    out = [f'<section id="kien-nghi"><h2>{h(hd["feedback"])}</h2>']
    for key, none in (("difficulties", "khó khăn, vướng mắc"), ("proposals", "đề xuất, kiến nghị")):
        out.append(f"<h3>{h(hd[key])}</h3>")
        items = [f for f in c["feedback"] if f[key]]
        for f in items:
            out.append(f"<p><b>{h(f['unit'])}:</b></p><ul>" + "".join(f"<li>{h(x)}</li>" for x in f[key]) + "</ul>")
        if not items:
            out.append(f"<p>Không có đơn vị nêu {none}.</p>")
    out.append(_budget(c["budget"], hd["budget"]))
    out.append("</section>")
    return "".join(out)


def _annex(c: dict[str, Any]) -> str:
    ratio_targets = c["ratio_targets"]
    heads = annex_heads(c) + [t["label"] for t in ratio_targets] + [x["label"] for x in c["indicators"]]
    ids = [t["id"] for t in ratio_targets]
    counted = [x["id"] for x in c["indicators"]]
    rows = []
    for i, row in enumerate(c["rows"], 1):
        name, state, *rest = annex_cells(row, ids, c["names"], counted, c["annex_plan"], c["annex_portal"])
        cells = [str(i), h(name), f'<span class="st {_STATE_CLASS[row["state"]]}">{h(state)}</span>']
        cells += [h(x) if isinstance(x, str) else _figure(x) for x in rest]
        rows.append(cells)
    return (
        f'<section id="phu-luc"><h2>{h(c["headings"]["annex"])}</h2>'
        + '<div class="scroll">'
        + _table(f"Tình hình báo cáo và tỷ lệ của từng đơn vị năm {c['y']}", heads, rows, "annex")
        + "</div>"
        + "</section>"
    )


CSS = """
:root{--ok:#1b7f3b;--bad:#b42318;--warn:#b54708;--na:#8a8f98;--info:#175cd3;--ink:#1d2433;--line:#d0d5dd}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 "Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;color:var(--ink);background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:16px}
header.top{background:#7a1f1f;color:#fff;padding:18px 16px}
header.top div{max-width:1180px;margin:0 auto}
header.top h1{margin:0 0 4px;font-size:1.5rem;line-height:1.25}
header.top p{margin:2px 0;opacity:.92}
.sample{background:#fef0c7;border:2px solid #b54708;padding:10px 14px;margin:0;font-weight:600}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 16px;overflow-wrap:break-word}
h2{font-size:1.2rem;margin:0 0 10px;color:#7a1f1f}
h3{font-size:1rem;margin:12px 0 4px}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:4px 0 6px;color:#475467}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f7;font-weight:600}
table.num td:not(:first-child),table.num th:not(:first-child){text-align:right}
table.num td:last-child{width:34%}
small{color:#475467}
.fig,small.id{white-space:nowrap}
table.targets .st{white-space:normal}
svg{display:block;max-width:100%}
svg.bar{width:100%;min-width:80px;height:16px;margin-top:4px}
svg.line{width:100%;height:auto;font-size:12px}
.track{fill:#eaecf0}
.fill.ok,.key.ok{fill:var(--ok);background:var(--ok)}
.fill.bad,.key.bad{fill:var(--bad);background:var(--bad)}
.fill.warn,.key.warn{fill:var(--warn);background:var(--warn)}
.fill.na,.key.na{fill:#b9bec7;background:#b9bec7}
.fill.info{fill:var(--info)}
.goal,.key.goal{fill:var(--ink);background:var(--ink)}
.grid{stroke:#eaecf0;stroke-width:1}
.ax{fill:#475467}
.ax.now{font-weight:700;fill:var(--ink)}
.thr{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:6 4}
.path{stroke:var(--info);stroke-width:2;stroke-dasharray:3 4}
.val{fill:none;stroke:var(--ink);stroke-width:2.5}
.pt{fill:var(--ink);stroke:#fff;stroke-width:1.5}
.pt.partial{fill:#fff;stroke:var(--ink);stroke-width:2}
.base{fill:none;stroke:var(--info);stroke-width:2}
.goalmark{fill:var(--bad)}
.vl{fill:var(--ink);font-weight:600}
.key{display:inline-block;width:14px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
.key.val{background:var(--ink);height:3px}
.key.path{border-top:2px dashed var(--info);height:0}
.key.thr{border-top:2px dashed var(--bad);height:0}
.legend{font-size:.85rem;color:#475467}
.st{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85rem;font-weight:600;white-space:nowrap;color:#fff}
.st.ok{background:var(--ok)}.st.bad{background:var(--bad)}.st.warn{background:var(--warn)}
.st.na{background:#667085}.st.info{background:var(--info)}
.tiles{list-style:none;padding:0;margin:8px 0 12px;display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:8px}
.tiles li{border:1px solid var(--line);border-left:6px solid #667085;border-radius:6px;padding:6px 10px}
.tiles li.ok{border-left-color:var(--ok)}.tiles li.warn{border-left-color:var(--warn)}
.tiles li.bad{border-left-color:var(--bad)}.tiles li.na{border-left-color:#b9bec7}
.tiles b{display:block;font-size:1.5rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:10px}
figcaption{margin-bottom:6px}
table.mini{font-size:.85rem;margin-top:6px}
table.annex{font-size:.85rem}
table.cards td{overflow-wrap:anywhere}
table.annex td{overflow-wrap:normal}
.scroll{overflow-x:auto;max-width:100%}
.scroll table.annex{min-width:900px}
table.annex td:nth-child(2),table.annex th:nth-child(2){position:sticky;left:0;background:#fff;min-width:11em}
table.annex th:nth-child(2){background:#f2f4f7}
table.tasks td:nth-child(2){width:46%}
th{white-space:nowrap}
table.tasks th,table.targets th,table.annex th{white-space:normal;min-width:4.5em}
footer{max-width:1180px;margin:0 auto;padding:0 16px 24px;color:#475467;font-size:.85rem}
@media (max-width:700px){
 body{font-size:15px}
 main{padding:10px}
 section{padding:12px}
 table.cards,table.cards thead,table.cards tbody,table.cards tr,table.cards th,table.cards td{display:block;width:100%}
 table.cards thead{position:absolute;left:-9999px;top:auto;width:1px;height:1px;overflow:hidden}
 table.cards tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px;padding:4px 8px}
 table.cards td{border:0;padding:3px 0;text-align:left!important;display:grid;grid-template-columns:40% 60%;gap:6px}
 table.cards td:last-child{width:100%}
 table.cards td::before{content:attr(data-label);font-weight:600;color:#475467}
 table.cards caption{display:block}
 svg.line{font-size:19px}
}
@media print{
 @page{size:A4;margin:15mm 12mm}
 body{background:#fff;font-size:10.5pt}
 header.top{background:none;color:var(--ink);border-bottom:2px solid #7a1f1f;padding:0 0 6px}
 main{max-width:none;padding:0}
 section{border:0;padding:0;margin:0 0 12px}
 @page wide{size:A4 landscape;margin:12mm 15mm}
 #phu-luc,footer{page:wide}
 .charts{display:block}
 .charts figure{display:inline-block;width:calc(50% - 6px);vertical-align:top;margin:0 0 10px}
 .charts figure:nth-child(odd){margin-right:8px}
 figure,tr,.tiles li{break-inside:avoid}
 thead{display:table-header-group}
 h2,h3,caption{break-after:avoid}
 table{font-size:9pt}
 table.cards td,table.annex td{overflow-wrap:normal}
 table.targets .st{white-space:normal}
 svg.line{font-size:19px}
 .scroll{overflow:visible}
 .scroll table.annex{min-width:0}
 table.annex td:nth-child(2),table.annex th:nth-child(2){position:static;min-width:14em}
 th,td{padding:3px 5px}
 .st{color:var(--ink);border:1px solid var(--ink);background:none!important}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def render(result: YearResult, date: dt.date, number: str | None = None) -> str:
    """The whole page as one HTML document (UTF-8 text)."""
    c = context(result, date, None)
    info = c["info"]
    title = f"Tiến độ thực hiện Kế hoạch {info['number']} năm {c['y']}"
    sample = f'<p class="sample" role="note">{h(c["sample_notice"])}</p>' if c["sample_notice"] else ""
    body = [
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        sample,  # the first thing on the page, as in every output (SPEC §5)
        f'<header class="top"><div><h1>{h(title)}</h1>',
        f"<p>{h(info['title'])}</p>",
        f"<p>{h(c['compiler'])} · số liệu tổng hợp đến ngày {_date(date)}</p></div></header>\n<main>\n",
        _reporting(c),
        _targets(c),
        _tasks(c),
        _channels(c),
        _feedback(c),
        _annex(c),
        "\n</main>\n",
        f"<footer>Trang được lập tự động từ các báo cáo của đơn vị bằng plan57, theo {h(c['act'])}"
        f" ngày {_date(info['date'])} của {h(info['issuer'])}.</footer>\n</body>\n</html>\n",
    ]
    return "".join(body)
