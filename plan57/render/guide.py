"""The short Vietnamese guide `plan57 init` puts in a workspace (HUONG-DAN.txt): the cycle in six
steps, each with its command, worded from the plan in use."""

from __future__ import annotations

from plan57.base.paths import RECEIPT_LOG, VERSIONS_DIR, WORKSPACE_FORMS, WORKSPACE_PLAN, WORKSPACE_UNITS
from plan57.model.plan import Plan

FEEDBACK_DIR = "phan-hoi"  # forms/Y/phan-hoi/UNIT.xlsx: a form sent back with its errors marked
RECEIVED_DIR = "nhan-ve"  # where the guide asks to save the forms the units send back


def workspace_guide(plan: Plan, year: int) -> str:
    """HUONG-DAN.txt, with Windows line ends (Notepad) and the year of the coming cycle."""
    compiler = plan.unit_index[plan.reporting.compiler].name if plan.reporting.compiler in plan.unit_index else ""
    deadline = plan.unit_deadline(year)
    forms = f"{WORKSPACE_FORMS}/{year}"
    units = f"{WORKSPACE_UNITS}/{year}"
    lines = [
        f"THƯ MỤC LÀM VIỆC plan57 — báo cáo thực hiện Kế hoạch {plan.plan.number}",
        "",
        "Thư mục này là của riêng một kỳ báo cáo thật: mọi lệnh plan57 chạy trong thư mục này (hoặc",
        f"một thư mục con) dùng kế hoạch {WORKSPACE_PLAN} và các báo cáo trong {WORKSPACE_UNITS}/ của nó,",
        "không bao giờ dùng dữ liệu mẫu kèm theo plan57.",
        "",
        f"  {WORKSPACE_PLAN:<22}kế hoạch: chỉ tiêu, nhiệm vụ, danh mục đơn vị",
        f"  {WORKSPACE_UNITS + '/':<22}báo cáo của các đơn vị ({units}/MÃ-ĐƠN-VỊ.yaml)",
        f"  {WORKSPACE_FORMS + '/':<22}biểu mẫu Excel gửi đi, nhận về và biểu mẫu phản hồi",
        "",
        "Các bước trong năm (mở cửa sổ lệnh tại thư mục này):",
        "",
        "1. Tạo biểu mẫu Excel cho mọi đơn vị:",
        f"     plan57 new --all --year {year} --format xlsx",
        f"   Các biểu mẫu nằm trong {forms}/, mỗi đơn vị một tệp MÃ-ĐƠN-VỊ.xlsx.",
        "",
        "2. Gửi mỗi đơn vị biểu mẫu của mình (thư điện tử, Zalo…); đơn vị điền và gửi lại trước ngày",
        f"   {deadline.day:02d}/{deadline.month:02d}/{deadline.year}. Lưu các tệp nhận về vào {forms}/{RECEIVED_DIR}/.",
        "",
        "3. Nhập các biểu mẫu nhận về:",
        f"     plan57 import {forms}/{RECEIVED_DIR}/*.xlsx",
        f"   Biểu mẫu không có lỗi được ghi vào {units}/; mỗi lần nhập được ghi một dòng trong",
        f"   {units}/{RECEIPT_LOG} (thời gian, đơn vị, tệp, mã SHA-256, kết quả).",
        "",
        "4. Sửa lỗi: với mỗi biểu mẫu có lỗi, plan57 ghi biểu mẫu phản hồi",
        f"   {forms}/{FEEDBACK_DIR}/MÃ-ĐƠN-VỊ.xlsx: chính số liệu đơn vị đã điền, ô sai tô đỏ kèm ghi chú,",
        '   trang đầu "Lỗi cần sửa" liệt kê từng lỗi. Gửi tệp đó lại cho đơn vị sửa ngay trong tệp rồi',
        "   nhập lại như bước 3. Thay một báo cáo đã nhập thì thêm --force; bản trước được giữ trong",
        f"   {units}/{VERSIONS_DIR}/.",
        "",
        "5. Đôn đốc các đơn vị chưa gửi, gửi muộn hoặc gửi báo cáo có lỗi:",
        f"     plan57 remind --year {year}",
        "   ghi công văn đôn đốc cong-van-don-doc.docx và nhac-viec.csv (người liên hệ của từng đơn vị và",
        "   lời nhắn để gửi qua Zalo hoặc thư điện tử).",
        "",
        "6. Kiểm tra, chấm điểm và lập báo cáo tổng hợp:",
        "     plan57 validate",
        f"     plan57 score --year {year}",
        f"     plan57 report --year {year} -o tonghop.docx",
        "",
        "Xem trợ giúp của từng lệnh: plan57 TÊN-LỆNH --help",
    ]
    if compiler:
        lines.insert(1, f"Cơ quan tổng hợp: {compiler}")
    return "\r\n".join(lines) + "\r\n"
