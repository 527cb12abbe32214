"""The briefing's text, written once as blocks that the HTML and DOCX writers both lay out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from duluan.briefing.charts import tone_weeks_chart, topics_chart
from duluan.briefing.figures import ENTITY_TYPES, TIERS, Briefing
from duluan.classifiers.predict import held_out_accuracy
from duluan.classifiers.taxonomy import TONES, TOPICS
from duluan.core.record import VN_TZ
from duluan.core.settings import Settings

ACTIONS = {
    "review": "Đánh dấu xử lý",
    "flag": "Gắn nhãn",
    "correct": "Sửa phân loại",
    "note": "Ghi chú",
    "assign": "Giao việc",
}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative


@dataclass
class Image:
    png: bytes
    caption: str


Block = Heading | Paragraph | Table | Image


@dataclass
class Document:
    parent: str  # the body above the issuer, may be empty
    issuer: str
    motto: str
    date_line: str
    title: str
    subtitle: str
    blocks: list[Block]


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


def build(b: Briefing, settings: Settings) -> Document:
    title = "BÁO CÁO"
    subtitle = f"Tình hình báo chí tháng {b.start.month:02d}/{b.start.year}" + (
        f" — {b.scope}" if b.scope != "toàn bộ báo chí" else ""
    )
    blocks: list[Block] = [
        Paragraph(
            f"Kỳ báo cáo: từ ngày {b.start:%d/%m/%Y} đến ngày {b.end:%d/%m/%Y}. Phạm vi: {b.scope}. "
            f"Số liệu tổng hợp tự động từ hệ thống Dư Luận lúc {_time(b.generated_at)}; "
            "mỗi số liệu đều dẫn tới truy vấn và danh sách bài viết ở Phụ lục.",
            italic=True,
        )
    ]
    doc = Document(
        settings.issuing_parent,
        settings.issuing_body,
        settings.issuing_motto,
        date_line(settings.issuing_place, b.generated_at),
        title,
        subtitle,
        blocks,
    )
    cur, prev = b.current, b.previous
    sec = iter(ROMAN)

    blocks.append(Heading(f"{next(sec)}. TÓM TẮT"))
    if b.empty:
        blocks.append(
            Paragraph(
                f"Trong tháng {b.start:%m/%Y} hệ thống không ghi nhận bài viết nào trong phạm vi báo cáo "
                f"(tháng trước: {num(prev.total)} bài). Không có số liệu để phân tích."
            )
        )
        return doc
    blocks.append(
        Paragraph(
            f"Trong tháng, hệ thống ghi nhận {num(cur.total)} bài viết của {cur.outlets} cơ quan báo chí "
            f"(tháng trước: {num(prev.total)} bài, {prev.outlets} cơ quan; "
            f"thay đổi {change(cur.total, prev.total)}). "
            + "Về sắc thái: "
            + "; ".join(
                f"{TONES[t].lower()}: {num(cur.tones.get(t, 0))} bài ({pct(cur.tones.get(t, 0), cur.total)})"
                for t in TONES
            )
            + "."
        )
    )
    blocks.append(
        Table(
            ["Sắc thái", "Tháng này", "Tỷ lệ", "Tháng trước", "Tỷ lệ", "Thay đổi"],
            [
                [
                    TONES[t],
                    num(cur.tones.get(t, 0)),
                    pct(cur.tones.get(t, 0), cur.total),
                    num(prev.tones.get(t, 0)),
                    pct(prev.tones.get(t, 0), prev.total),
                    change(cur.tones.get(t, 0), prev.tones.get(t, 0)),
                ]
                for t in TONES
            ]
            + [
                [
                    "Tổng",
                    num(cur.total),
                    "100%",
                    num(prev.total),
                    "100%" if prev.total else "–",
                    change(cur.total, prev.total),
                ]
            ],
        )
    )

    blocks.append(Heading(f"{next(sec)}. PHÂN BỐ THEO CHỦ ĐỀ"))
    blocks.append(Image(topics_chart(b), "Biểu đồ 1. Số bài viết theo chủ đề, so với tháng trước"))
    topics = sorted(
        (t for t in TOPICS if cur.topics.get(t) or prev.topics.get(t)), key=lambda t: -cur.topics.get(t, 0)
    )
    blocks.append(
        Table(
            ["Chủ đề", "Số bài", "Tỷ lệ", "Tháng trước", "Thay đổi"],
            [
                [
                    TOPICS[t],
                    num(cur.topics.get(t, 0)),
                    pct(cur.topics.get(t, 0), cur.total),
                    num(prev.topics.get(t, 0)),
                    change(cur.topics.get(t, 0), prev.topics.get(t, 0)),
                ]
                for t in topics
            ],
        )
    )

    blocks.append(Heading(f"{next(sec)}. SẮC THÁI THEO TUẦN"))
    blocks.append(Image(tone_weeks_chart(b), "Biểu đồ 2. Số bài viết theo sắc thái, từng tuần"))
    blocks.append(
        Table(
            ["Tuần", *TONES.values(), "Tổng"],
            [
                [f"{lo:%d/%m}–{hi:%d/%m}", *(num(t.get(k, 0)) for k in TONES), num(sum(t.values()))]
                for lo, hi, t in b.weeks
            ],
        )
    )

    blocks.append(Heading(f"{next(sec)}. CÁC SỰ KIỆN NỔI BẬT"))
    if b.stories:
        blocks.append(
            Table(
                ["TT", "Sự kiện", "Số bài", "Cơ quan đưa tin", "Đăng đầu tiên", "Sắc thái", "Mã"],
                [
                    [
                        str(i),
                        s.title,
                        num(s.articles),
                        ", ".join(s.outlets),
                        f"{s.first_source}, {_time(s.first_time)}",
                        ", ".join(f"{TONES[t].lower()} {n}" for t, n in s.tones.items() if t in TONES),
                        s.evidence,
                    ]
                    for i, s in enumerate(b.stories, 1)
                ],
            )
        )
    else:
        blocks.append(Paragraph("Không có sự kiện nào được từ hai cơ quan báo chí trở lên cùng đưa tin."))

    blocks.append(Heading(f"{next(sec)}. THÔNG TIN TIÊU CỰC CẦN LƯU Ý"))
    if b.attention:
        blocks.append(
            Paragraph(
                f"{num(b.attention_total)} bài viết được gắn nhãn hoặc khớp danh sách theo dõi "
                "với sắc thái tiêu cực"
                + (
                    f"; liệt kê {len(b.attention)} bài mới nhất."
                    if b.attention_total > len(b.attention)
                    else "."
                )
            )
        )
        blocks.append(
            Table(
                ["Bài viết", "Cơ quan, thời gian", "Lý do", "Trạng thái", "Ghi chú"],
                [
                    [
                        r.article.title,
                        f"{r.article.source}, {_time(r.article.published_at)}",
                        "; ".join(r.reasons),
                        ("Đã xử lý" if r.article.review_state == "reviewed" else "Chưa xử lý")
                        + (f", giao {r.article.assignee}" if r.article.assignee else ""),
                        " | ".join(f"{user}: {text}" for user, text, _ in r.notes),
                    ]
                    for r in b.attention
                ],
            )
        )
    else:
        blocks.append(Paragraph("Không có bài viết nào được gắn nhãn hoặc khớp danh sách theo dõi."))

    blocks.append(Heading(f"{next(sec)}. CÁC ĐỐI TƯỢNG ĐƯỢC NHẮC ĐẾN NHIỀU"))
    if b.entities:
        blocks.append(
            Table(
                ["Tên", "Loại", "Số bài", *TONES.values(), "Mã"],
                [
                    [
                        e.name,
                        ENTITY_TYPES.get(e.type, e.type),
                        num(e.articles),
                        *(num(e.tones.get(t, 0)) for t in TONES),
                        e.evidence,
                    ]
                    for e in b.entities
                ],
            )
        )
    else:
        blocks.append(Paragraph("Chưa nhận diện được người, tổ chức hay địa danh nào."))

    blocks.append(Heading(f"{next(sec)}. CÁC CƠ QUAN BÁO CHÍ"))
    for tier, name in TIERS.items():
        rows = [o for o in b.outlets if o.tier == tier]
        blocks.append(Heading(f"{name}: {len(rows)} cơ quan, {num(sum(o.articles for o in rows))} bài", 2))
        if rows:
            blocks.append(
                Table(
                    ["Cơ quan", "Số bài", "Tiêu cực", "Tỷ lệ tiêu cực"],
                    [[o.source, num(o.articles), num(o.negative), pct(o.negative, o.articles)] for o in rows],
                )
            )

    blocks.append(Heading(f"{next(sec)}. HOẠT ĐỘNG CỦA CỘNG TÁC VIÊN"))
    if b.activity:
        blocks.append(
            Table(
                ["Người dùng", *ACTIONS.values()],
                [[user, *(num(acts.get(a, 0)) for a in ACTIONS)] for user, acts in sorted(b.activity.items())]
                + [["Tổng", *(num(sum(acts.get(a, 0) for acts in b.activity.values())) for a in ACTIONS)]],
            )
        )
    else:
        blocks.append(Paragraph("Không có thao tác nào của cộng tác viên trong tháng."))

    blocks.append(Heading(f"{next(sec)}. PHỤ LỤC: NGUỒN SỐ LIỆU"))
    blocks.append(
        Paragraph(
            "Mỗi số liệu trên tương ứng với một truy vấn dưới đây; "
            "chạy lại truy vấn bằng API truy vấn của Dư Luận "
            "sẽ cho đúng số bài viết đó. Danh sách mã bài viết đầy đủ nằm trong tệp bằng chứng JSON đi kèm."
        )
    )
    blocks.append(Paragraph(labels_note(held_out_accuracy(settings.models_dir))))
    blocks.append(
        Table(
            ["Mã", "Số liệu", "Giá trị", "Truy vấn", "Mã bài viết (tối đa 5)"],
            [
                [
                    e.key,
                    e.label,
                    num(e.value),
                    json.dumps(e.query, ensure_ascii=False),
                    ", ".join(e.ids[:5]) + (f" … (+{num(len(e.ids) - 5)})" if len(e.ids) > 5 else ""),
                ]
                for e in b.evidence.values()
            ],
            [1.2, 2, 0.8, 3, 3],
        )
    )
    return doc
