"""Hand-made article records with known labels, for tests of what sits on top of the index."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from duluan.core.normalize import fold
from duluan.core.record import VN_TZ, Article, Entity, article_id

BASE = datetime(2026, 10, 15, 8, 0, tzinfo=VN_TZ)


def make_article(n: int, title: str, body: str, *, source: str = "dantri", hours: float = 0,
                 **fields: Any) -> Article:
    url = f"https://{source}.example/bai-{n}.htm"
    published = fields.pop("published_at", BASE + timedelta(hours=hours))
    entities = [Entity(name=name, type=kind) for name, kind in fields.pop("entities", [])]
    a = Article(id=article_id(url), url=url, canonical_url=url, source=source, title=title,
                sapo=fields.pop("sapo", ""), body=body, published_at=published,
                fetched_at=fields.pop("fetched_at", published + timedelta(minutes=5)), entities=entities,
                **fields)
    a.title_folded = fold(a.title)
    a.text_folded = fold(a.text)
    return a


def newsroom() -> list[Article]:
    """Eight articles: three outlets carry one Thái Nguyên story, the rest stand alone."""
    story = "c-thainguyen-lu"
    return [
        make_article(1, "Lũ quét ở Thái Nguyên làm hư hỏng nhiều nhà dân",
                     "Mưa lớn gây lũ quét tại huyện Võ Nhai, tỉnh Thái Nguyên, nhiều hộ dân phải sơ tán.",
                     source="dantri", hours=0, topic="chinh-tri-xa-hoi", topic_score=0.9, tone="negative",
                     tone_score=0.8, cluster_id=story, entities=[("Thái Nguyên", "LOC")]),
        make_article(2, "Thái Nguyên: lũ quét khiến hàng trăm hộ dân phải sơ tán",
                     "Chính quyền tỉnh Thái Nguyên đã sơ tán hàng trăm hộ dân vùng lũ quét.",
                     source="vnexpress", hours=1, topic="chinh-tri-xa-hoi", topic_score=0.85, tone="negative",
                     tone_score=0.7, cluster_id=story, entities=[("Thái Nguyên", "LOC")]),
        make_article(3, "Khắc phục hậu quả lũ quét ở Võ Nhai",
                     "Tỉnh Thái Nguyên huy động lực lượng khắc phục hậu quả lũ quét.",
                     source="baothainguyen", tier="provincial", hours=2, topic="chinh-tri-xa-hoi",
                     topic_score=0.8,
                     tone="neutral", tone_score=0.55, cluster_id=story, entities=[("Thái Nguyên", "LOC")]),
        make_article(4, "Giá vàng tăng mạnh phiên đầu tuần",
                     "Giá vàng miếng trong nước tăng hơn một triệu đồng mỗi lượng.",
                     source="vnexpress", hours=3, topic="kinh-te", topic_score=0.95, tone="neutral",
                     tone_score=0.9),
        make_article(5, "Đội tuyển Việt Nam thắng đậm trận giao hữu",
                     "Đội tuyển Việt Nam thắng 3-0 trong trận giao hữu tối qua.",
                     source="tuoitre", hours=4, topic="the-thao", topic_score=0.97, tone="positive",
                     tone_score=0.9),
        make_article(6, "Hà Nội khởi công tuyến đường sắt đô thị mới",
                     "Thành phố Hà Nội khởi công tuyến đường sắt đô thị số 5.",
                     source="thanhnien", hours=5, topic="chinh-tri-xa-hoi", topic_score=0.5, tone="positive",
                     tone_score=0.5, entities=[("Hà Nội", "LOC")]),
        make_article(7, "Bắt giữ nhóm lừa đảo qua mạng ở Thái Nguyên",
                     "Công an tỉnh Thái Nguyên bắt giữ nhóm đối tượng lừa đảo chiếm đoạt tài sản.",
                     source="cand", hours=6, topic="phap-luat", topic_score=0.9, tone="negative",
                     tone_score=0.85, entities=[("Thái Nguyên", "LOC")]),
        make_article(8, "Triển lãm sách thiếu nhi tại TP.HCM",
                     "Triển lãm giới thiệu hàng nghìn đầu sách cho thiếu nhi.",
                     source="tuoitre", hours=7, topic="van-hoa", topic_score=0.88, tone="positive",
                     tone_score=0.8),
    ]
