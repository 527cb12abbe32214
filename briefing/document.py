"""The briefing's text, written once as blocks that the HTML and DOCX writers both lay out: one
function per section, in the order of BODY."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from duluan.briefing.blocks import Block, Document, Heading, Image, Paragraph, Table
from duluan.briefing.charts import tone_weeks_chart, topics_chart
from duluan.briefing.model import Briefing
from duluan.classifiers.predict import held_out_accuracy
from duluan.classifiers.taxonomy import TONES, TOPICS
from duluan.core.record import VN_TZ
from duluan.core.settings import Settings

TITLE = "BÁO CÁO"
WHOLE_PRESS = "toàn bộ báo chí"  # the scope of a briefing not limited to a watchlist
ACTIONS = {
    "review": "Đánh dấu xử lý",
    "flag": "Gắn nhãn",
    "correct": "Sửa phân loại",
    "note": "Ghi chú",
    "assign": "Giao việc",
}
ENTITY_TYPES = {"PER": "Người", "ORG": "Tổ chức", "LOC": "Địa danh"}
TIERS = {"central": "Trung ương", "provincial": "Địa phương"}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

Section = Callable[[Briefing], list[Block]]


def num(n: int) -> str:
    """12345 -> "12.345", as Vietnamese writes it."""
    return f"{n:,}".replace(",", ".")


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%".replace(".", ",") if whole else "–"


def change(now: int, before: int) -> str:
    diff = now - before
    sign = "+" if diff > 0 else ""
    if not before:
        return f"{sign}{num(diff)}" if diff else "0"
    return f"{sign}{num(diff)} ({sign}{100 * diff / before:.1f}%)".replace(".", ",", 1) if diff else "0"


def labels_note(accuracy: dict[str, float]) -> str:
    """How topic and tone were assigned, and how often the models are right on articles they
    never saw: reporters will ask how an article came to count as negative."""
    quoted = [f"{name} đúng {round(accuracy[task] * 100)}%"
              for task, name in (("topic", "chủ đề"), ("tone", "sắc thái")) if task in accuracy]
    measured = f" (trên tập bài kiểm tra chưa dùng để huấn luyện: {', '.join(quoted)})" if quoted else ""
    return ("Chủ đề và sắc thái của từng bài do mô hình phân loại tự động của Dư Luận gán" + measured
            + ". Bài có độ tin cậy thấp được đánh dấu để cộng tác viên xem lại; "
            "nhãn cộng tác viên đã sửa được dùng thay cho nhãn tự động.")


def _time(value: datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


def date_line(place: str, when: datetime) -> str:
    return f"{place}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"


def scope(b: Briefing) -> str:
    """What the briefing covers, as its text says it."""
    return WHOLE_PRESS if b.watchlist is None else b.watchlist


def build(b: Briefing, settings: Settings) -> Document:
    sections: list[tuple[str, Section]] = [("TÓM TẮT", _summary)]
    if not b.empty:  # an empty month has its summary only
        sections += [*BODY, ("PHỤ LỤC: NGUỒN SỐ LIỆU",
                             lambda b: _appendix(b, held_out_accuracy(settings.models_dir)))]
    blocks: list[Block] = [_period_note(b)]
    for number, (title, section) in zip(ROMAN, sections, strict=False):
        blocks.append(Heading(f"{number}. {title}"))
        blocks += section(b)
    subtitle = f"Tình hình báo chí tháng {b.start.month:02d}/{b.start.year}" + (
        f" — {b.watchlist}" if b.watchlist is not None else "")
    return Document(parent=settings.issuing_parent, issuer=settings.issuing_body,
                    motto=settings.issuing_motto, date_line=date_line(settings.issuing_place, b.generated_at),
                    title=TITLE, subtitle=subtitle, blocks=blocks)


def _period_note(b: Briefing) -> Paragraph:
    return Paragraph(
        f"Kỳ báo cáo: từ ngày {b.start:%d/%m/%Y} đến ngày {b.end:%d/%m/%Y}. Phạm vi: {scope(b)}. "
        f"Số liệu tổng hợp tự động từ hệ thống Dư Luận lúc {_time(b.generated_at)}; "
        "mỗi số liệu đều dẫn tới truy vấn và danh sách bài viết ở Phụ lục.",
        italic=True,
    )


def _summary(b: Briefing) -> list[Block]:
    """The month's count against the previous month's, and its tones."""
    cur, prev = b.current, b.previous
    if b.empty:
        return [Paragraph(f"Trong tháng {b.start:%m/%Y} hệ thống không ghi nhận bài viết nào "
                          f"trong phạm vi báo cáo (tháng trước: {num(prev.total)} bài). "
                          "Không có số liệu để phân tích.")]
    tones = "; ".join(f"{TONES[t].lower()}: {num(cur.tones.get(t, 0))} bài "
                      f"({pct(cur.tones.get(t, 0), cur.total)})" for t in TONES)
    text = (f"Trong tháng, hệ thống ghi nhận {num(cur.total)} bài viết của {cur.outlets} cơ quan báo chí "
            f"(tháng trước: {num(prev.total)} bài, {prev.outlets} cơ quan; "
            f"thay đổi {change(cur.total, prev.total)}). Về sắc thái: {tones}.")
    rows = [[TONES[t], num(cur.tones.get(t, 0)), pct(cur.tones.get(t, 0), cur.total),
             num(prev.tones.get(t, 0)), pct(prev.tones.get(t, 0), prev.total),
             change(cur.tones.get(t, 0), prev.tones.get(t, 0))]
            for t in TONES]
    rows.append(["Tổng", num(cur.total), "100%", num(prev.total), "100%" if prev.total else "–",
                 change(cur.total, prev.total)])
    return [Paragraph(text),
            Table(["Sắc thái", "Tháng này", "Tỷ lệ", "Tháng trước", "Tỷ lệ", "Thay đổi"], rows)]


def _topics(b: Briefing) -> list[Block]:
    cur, prev = b.current, b.previous
    topics = sorted((t for t in TOPICS if cur.topics.get(t) or prev.topics.get(t)),
                    key=lambda t: -cur.topics.get(t, 0))
    rows = [[TOPICS[t], num(cur.topics.get(t, 0)), pct(cur.topics.get(t, 0), cur.total),
             num(prev.topics.get(t, 0)), change(cur.topics.get(t, 0), prev.topics.get(t, 0))]
            for t in topics]
    return [Image(topics_chart(b), "Biểu đồ 1. Số bài viết theo chủ đề, so với tháng trước"),
            Table(["Chủ đề", "Số bài", "Tỷ lệ", "Tháng trước", "Thay đổi"], rows)]


def _tone_weeks(b: Briefing) -> list[Block]:
    rows = [[w.span, *(num(w.tones.get(k, 0)) for k in TONES), num(sum(w.tones.values()))] for w in b.weeks]
    return [Image(tone_weeks_chart(b), "Biểu đồ 2. Số bài viết theo sắc thái, từng tuần"),
            Table(["Tuần", *TONES.values(), "Tổng"], rows)]


def _stories(b: Briefing) -> list[Block]:
    if not b.stories:
        return [Paragraph("Không có sự kiện nào được từ hai cơ quan báo chí trở lên cùng đưa tin.")]
    rows = [[str(i), s.title, num(s.articles), ", ".join(s.outlets),
             f"{s.first_source}, {_time(s.first_time)}",
             ", ".join(f"{TONES[t].lower()} {n}" for t, n in s.tones.items() if t in TONES), s.evidence]
            for i, s in enumerate(b.stories, 1)]
    return [Table(["TT", "Sự kiện", "Số bài", "Cơ quan đưa tin", "Đăng đầu tiên", "Sắc thái", "Mã"], rows)]


def _attention(b: Briefing) -> list[Block]:
    shown, total = b.attention.rows, b.attention.total
    if not shown:
        return [Paragraph("Không có bài viết nào được gắn nhãn hoặc khớp danh sách theo dõi.")]
    listed = f"; liệt kê {len(shown)} bài mới nhất." if total > len(shown) else "."
    rows = [[r.article.title, f"{r.article.source}, {_time(r.article.published_at)}", "; ".join(r.reasons),
             ("Đã xử lý" if r.article.review_state == "reviewed" else "Chưa xử lý")
             + (f", giao {r.article.assignee}" if r.article.assignee else ""),
             " | ".join(f"{user}: {text}" for user, text, _ in r.notes)]
            for r in shown]
    return [Paragraph(f"{num(total)} bài viết được gắn nhãn hoặc khớp danh sách theo dõi "
                      f"với sắc thái tiêu cực{listed}"),
            Table(["Bài viết", "Cơ quan, thời gian", "Lý do", "Trạng thái", "Ghi chú"], rows)]


def _entities(b: Briefing) -> list[Block]:
    if not b.entities:
        return [Paragraph("Chưa nhận diện được người, tổ chức hay địa danh nào.")]
    rows = [[e.name, ENTITY_TYPES.get(e.type, e.type), num(e.articles),
             *(num(e.tones.get(t, 0)) for t in TONES), e.evidence]
            for e in b.entities]
    return [Table(["Tên", "Loại", "Số bài", *TONES.values(), "Mã"], rows)]


def _outlets(b: Briefing) -> list[Block]:
    """One sub-heading per tier, with its outlets' table if it has any."""
    blocks: list[Block] = []
    for tier, name in TIERS.items():
        rows = [o for o in b.outlets if o.tier == tier]
        blocks.append(Heading(f"{name}: {len(rows)} cơ quan, {num(sum(o.articles for o in rows))} bài", 2))
        if rows:
            blocks.append(Table(["Cơ quan", "Số bài", "Tiêu cực", "Tỷ lệ tiêu cực"],
                                [[o.source, num(o.articles), num(o.negative), pct(o.negative, o.articles)]
                                 for o in rows]))
    return blocks


def _activity(b: Briefing) -> list[Block]:
    if not b.activity:
        return [Paragraph("Không có thao tác nào của cộng tác viên trong tháng.")]
    rows = [[user, *(num(acts.get(a, 0)) for a in ACTIONS)] for user, acts in sorted(b.activity.items())]
    rows.append(["Tổng", *(num(sum(acts.get(a, 0) for acts in b.activity.values())) for a in ACTIONS)])
    return [Table(["Người dùng", *ACTIONS.values()], rows)]


def _appendix(b: Briefing, accuracy: dict[str, float]) -> list[Block]:
    """Every figure's query and article ids, so a reader can re-run it."""
    rows = [[e.key, e.label, num(e.value), json.dumps(e.query, ensure_ascii=False),
             ", ".join(e.ids[:5]) + (f" … (+{num(len(e.ids) - 5)})" if len(e.ids) > 5 else "")]
            for e in b.evidence.values()]
    return [
        Paragraph("Mỗi số liệu trên tương ứng với một truy vấn dưới đây; "
                  "chạy lại truy vấn bằng API truy vấn của Dư Luận sẽ cho đúng số bài viết đó. "
                  "Danh sách mã bài viết đầy đủ nằm trong tệp bằng chứng JSON đi kèm."),
        Paragraph(labels_note(accuracy)),
        Table(["Mã", "Số liệu", "Giá trị", "Truy vấn", "Mã bài viết (tối đa 5)"], rows, [1.2, 2, 0.8, 3, 3]),
    ]


# The sections after the summary, in order; their numbers follow from it.
BODY: list[tuple[str, Section]] = [
    ("PHÂN BỐ THEO CHỦ ĐỀ", _topics),
    ("SẮC THÁI THEO TUẦN", _tone_weeks),
    ("CÁC SỰ KIỆN NỔI BẬT", _stories),
    ("THÔNG TIN TIÊU CỰC CẦN LƯU Ý", _attention),
    ("CÁC ĐỐI TƯỢNG ĐƯỢC NHẮC ĐẾN NHIỀU", _entities),
    ("CÁC CƠ QUAN BÁO CHÍ", _outlets),
    ("HOẠT ĐỘNG CỦA CỘNG TÁC VIÊN", _activity),
]
