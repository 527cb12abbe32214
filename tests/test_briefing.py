"""The monthly briefing on both stores: every figure equals what the store itself counts, and the
DOCX, PDF and HTML files hold every section in Vietnamese with the right fonts."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from docx import Document as open_docx

from duluan.annotations import AnnotationStore, WatchRule
from duluan.briefing.document import labels_note
from duluan.briefing.figures import compute
from duluan.briefing.report import write
from duluan.classifiers.predict import held_out_accuracy
from duluan.core.record import VN_TZ
from duluan.core.settings import Settings
from duluan.index import Query
from duluan.review.accounts import Accounts
from duluan.review.actions import Reviewer
from tests.articles import BASE, make_article, newsroom

SECTIONS = ["I. TÓM TẮT", "II. PHÂN BỐ THEO CHỦ ĐỀ", "III. SẮC THÁI THEO TUẦN", "IV. CÁC SỰ KIỆN NỔI BẬT",
            "V. THÔNG TIN TIÊU CỰC CẦN LƯU Ý", "VI. CÁC ĐỐI TƯỢNG ĐƯỢC NHẮC ĐẾN NHIỀU",
            "VII. CÁC CƠ QUAN BÁO CHÍ", "VIII. HOẠT ĐỘNG CỦA CỘNG TÁC VIÊN", "IX. PHỤ LỤC: NGUỒN SỐ LIỆU"]


@pytest.fixture
def seeded(store, tmp_path):  # noqa: ANN001, ANN201
    october = newsroom()
    september = [make_article(100 + i, f"Tin tháng chín số {i}", "Nội dung tin tháng chín ở Hà Nội.",
                              source="vov", published_at=BASE - timedelta(days=30, hours=i),
                              topic="kinh-te", topic_score=0.9, tone="neutral", tone_score=0.9)
                 for i in range(4)]
    # 23:50 on 31 October and 00:30 on 1 November, Vietnam time: the second is still 31 October
    # in UTC, but belongs to November's report.
    edge = [make_article(200, "Tin cuối tháng", "Tin đăng lúc 23 giờ 50 ngày 31 tháng 10.", source="vov",
                         published_at=BASE.replace(day=31, hour=23, minute=50), tone="negative",
                         tone_score=0.9, topic="phap-luat", topic_score=0.9),
            make_article(201, "Tin đầu tháng sau", "Tin đăng lúc 0 giờ 30 ngày 1 tháng 11.", source="vov",
                         published_at=BASE.replace(month=11, day=1, hour=0, minute=30), tone="negative",
                         tone_score=0.9, topic="phap-luat", topic_score=0.9)]
    store.upsert([*october, *september, *edge])
    store.refresh()
    settings = Settings(data_dir=tmp_path)
    db, accounts = AnnotationStore(settings.review_db), Accounts(settings.review_db)
    editor = accounts.add_user("bientap", "mat-khau-du-dai", "editor")
    reviewer = Reviewer(store, db, accounts)
    reviewer.flag(editor, [october[6].id], "can-xu-ly")
    reviewer.note(editor, october[6].id, "Đã chuyển cơ quan chức năng.")
    reviewer.mark_reviewed(editor, [october[0].id, october[1].id])
    reviewer.correct(editor, october[2].id, "tone", "negative")
    db.add_watchlist("Thái Nguyên", WatchRule(keywords=["thai nguyen"]), "bientap")
    yield settings, store, db, [*october, edge[0]]
    db.close()
    accounts.close()


def test_every_figure_is_what_the_store_counts(seeded) -> None:  # noqa: ANN001
    settings, store, db, october = seeded
    b = compute(store, "2026-10", None, db)
    assert b.watchlist is None
    assert b.current.total == len(october) == 9 and b.previous.total == 4
    assert b.current.tones == {"negative": 5, "neutral": 1, "positive": 3}  # one tone corrected by hand
    assert b.current.outlets == 7
    for key, ev in b.evidence.items():
        query = Query(**{k: v for k, v in ev.query.items()}, size=10_000, highlight=False)
        result = store.search(query)
        assert result.total == ev.value, key
        assert sorted(h.article.id for h in result.hits) == sorted(ev.ids), key
    assert b.evidence["tone-negative"].value == store.count(
        Query(date_from=b.start, date_to=b.end, tones=["negative"]))
    (story,) = b.stories
    assert (story.articles, story.first_source, story.outlets) == (3, "dantri", ["baothainguyen", "dantri",
                                                                                   "vnexpress"])
    attention = {r.article.title: r for r in b.attention.rows}
    arrest = attention["Bắt giữ nhóm lừa đảo qua mạng ở Thái Nguyên"]
    assert arrest.reasons == ["Cần xử lý", "Thái Nguyên"]
    assert [n[1] for n in arrest.notes] == ["Đã chuyển cơ quan chức năng."]
    assert b.attention.total == 4  # the flagged arrest, and three negative Thái Nguyên reports
    assert b.activity == {}  # reviewers acted this month, not in October
    now = datetime.now(VN_TZ)
    this_month = compute(store, f"{now:%Y-%m}", None, db)
    assert this_month.activity == {"bientap": {"flag": 1, "note": 1, "review": 2, "correct": 1}}
    top = {e.name: e for e in b.entities}
    assert top["Thái Nguyên"].articles == 4 and top["Thái Nguyên"].tones == {"negative": 4}
    assert {o.source: o.articles for o in b.outlets if o.tier == "provincial"} == {"baothainguyen": 1}


def test_files_hold_every_section(seeded, tmp_path: Path) -> None:  # noqa: ANN001
    settings, store, db, _ = seeded
    b = compute(store, "2026-10", None, db)
    html, docx, pdf, evidence = write(b, settings, ["html", "docx", "pdf"], tmp_path / "out")

    text = html.read_text("utf-8")
    assert "<script" not in text
    # The appendix says how labels were made and quotes the shipped models' held-out accuracy.
    accuracy = held_out_accuracy(settings.models_dir)
    assert set(accuracy) == {"topic", "tone"} and 0.5 < accuracy["tone"] < accuracy["topic"] < 1
    topic, tone = (round(accuracy[t] * 100) for t in ("topic", "tone"))
    assert f"chủ đề đúng {topic}%, sắc thái đúng {tone}%" in text
    assert not re.search(r'src="(?!data:)', text)  # self-contained
    for heading in SECTIONS:
        assert heading in text
    assert "Phạm vi: toàn bộ báo chí." in text and html.name == "bao-cao-2026-10.html"

    paragraphs = [p.text for p in open_docx(str(docx)).paragraphs]
    for heading in SECTIONS:
        assert heading in paragraphs
    d = open_docx(str(docx))
    assert round(d.sections[0].page_width.mm) == 210 and round(d.sections[0].page_height.mm) == 297
    assert d.styles["Normal"].font.name == "Times New Roman" and d.styles["Normal"].font.size.pt == 13
    assert len(d.inline_shapes) == 2  # the two charts
    cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
    assert "Lũ quét ở Thái Nguyên làm hư hỏng nhiều nhà dân" in cells

    pages = subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                           capture_output=True, check=True)
    assert pages.returncode == 0 and len(list(tmp_path.glob("page-*.png"))) >= 3
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(r[-5] == "yes" for r in rows), fonts  # every font embedded
    plain = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for heading in SECTIONS:
        assert heading in plain.replace("\n", " ")
    assert "Tình hình báo chí tháng 10/2026" in plain


def test_pdf_fonts_cover_every_character(seeded, tmp_path: Path) -> None:  # noqa: ANN001
    """No missing-glyph boxes: every character of the text is in the embedded font's own cmap."""
    from fontTools.ttLib import TTFont

    settings, store, db, _ = seeded
    (pdf,) = [p for p in write(compute(store, "2026-10", None, db), settings, ["pdf"], tmp_path)
              if p.suffix == ".pdf"]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+", 1)[1] for line in fonts.splitlines()[2:]}
    plain = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    used = {c for c in plain if not c.isspace()}
    assert {"ệ", "ữ", "ạ", "ố", "Đ", "ự"} <= used
    for name in names:
        family, _, style = name.partition("-Serif")
        pattern = f"{family} Serif:style={style.strip('-') or 'Regular'}"
        path = subprocess.run(["fc-match", "-f", "%{file}", pattern],
                              capture_output=True, text=True, check=True).stdout
        cmap = TTFont(path).getBestCmap()
        assert not {c for c in used if ord(c) not in cmap}, (name, path)


def test_empty_month_gives_a_short_report(seeded, tmp_path: Path) -> None:  # noqa: ANN001
    settings, store, db, _ = seeded
    b = compute(store, "2025-01", None, db)
    assert b.empty
    paths = write(b, settings, ["html", "docx", "pdf"], tmp_path)
    text = paths[0].read_text("utf-8")
    assert "không ghi nhận bài viết nào" in text and "II. PHÂN BỐ" not in text
    assert any("không ghi nhận" in p.text for p in open_docx(str(paths[1])).paragraphs)


def test_watchlist_scope(seeded, tmp_path: Path) -> None:  # noqa: ANN001
    settings, store, db, _ = seeded
    b = compute(store, "2026-10", db.watchlist("Thái Nguyên"), db)
    assert b.watchlist == "Thái Nguyên" and b.current.total == store.count(
        Query(text="thai nguyen", date_from=b.start, date_to=b.end)) == 4
    (html, _) = write(b, settings, ["html"], tmp_path)
    assert html.name == "bao-cao-2026-10-thai-nguyen.html"
    text = html.read_text("utf-8")
    assert "Tình hình báo chí tháng 10/2026 — Thái Nguyên" in text and "Phạm vi: Thái Nguyên." in text
    # A narrower watchlist: its tone and entity hold for every figure's evidence too.
    db.add_watchlist("Hà Nội tích cực", WatchRule(entity="Hà Nội", tones=["positive"]), "bientap")
    narrow = compute(store, "2026-10", db.watchlist("Hà Nội tích cực"), db)
    assert narrow.current.total == 1 and narrow.current.tones == {"positive": 1}
    for key, ev in narrow.evidence.items():
        result = store.search(Query(**ev.query, size=100, highlight=False))
        assert (result.total, sorted(h.article.id for h in result.hits)) == (ev.value, sorted(ev.ids)), key


def test_labels_note_quotes_only_what_the_metadata_holds(tmp_path: Path) -> None:
    assert held_out_accuracy(tmp_path) == {}  # no models: nothing to quote
    (tmp_path / "tone.json").write_text('{"metrics": {"test": {"accuracy": 0.7424}}}', encoding="utf-8")
    (tmp_path / "topic.json").write_text("{not json", encoding="utf-8")
    assert held_out_accuracy(tmp_path) == {"tone": 0.7424}
    note = labels_note(held_out_accuracy(tmp_path))
    assert "sắc thái đúng 74%" in note and "chủ đề đúng" not in note
    assert "%" not in labels_note({}) and "tự động" in labels_note({})
