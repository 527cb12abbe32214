"""The fixed topic taxonomy and tone labels, and how training corpora map onto them."""

from __future__ import annotations

# slug -> Vietnamese name shown to users. The slugs are the stored values.
TOPICS: dict[str, str] = {
    "chinh-tri-xa-hoi": "Chính trị – Xã hội",
    "kinh-te": "Kinh tế",
    "phap-luat": "Pháp luật",
    "suc-khoe": "Sức khỏe",
    "giao-duc": "Giáo dục",
    "van-hoa": "Văn hóa – Giải trí",
    "the-thao": "Thể thao",
    "the-gioi": "Thế giới",
    "khoa-hoc": "Khoa học",
    "cong-nghe": "Công nghệ",
    "doi-song": "Đời sống",
}

TONES: dict[str, str] = {"negative": "Tiêu cực", "neutral": "Trung tính", "positive": "Tích cực"}

# VNTC's ten labels. VNTC has no education class; its articles on schools sit in
# "Chinh tri Xa hoi", which is why giao-duc needs Báo Mới data (classifier issue).
VNTC_TO_TOPIC: dict[str, str] = {
    "Chinh tri Xa hoi": "chinh-tri-xa-hoi",
    "Doi song": "doi-song",
    "Khoa hoc": "khoa-hoc",
    "Kinh doanh": "kinh-te",
    "Phap luat": "phap-luat",
    "Suc khoe": "suc-khoe",
    "The gioi": "the-gioi",
    "The thao": "the-thao",
    "Van hoa": "van-hoa",
    "Vi tinh": "cong-nghe",
}

# Báo Mới's categories (2016–18 title + sapo snippets). Only categories that mean what VNTC
# means by the topic are used: a model trained on VNTC alone gives the mapped topic to at least
# half of a 300-snippet sample of each (agreement in the comments, measured once: docs/models.md), so
# adding them does not teach the model a second definition of the topic. "giao duc" is used
# although VNTC cannot agree (it has no education class: its school news is in Chinh tri Xa hoi).
# Left out (None): categories spanning several topics or filed by theme where VNTC files by
# section (real estate, travel, books, science, "kinh doanh va cong nghiep", beauty, gardening:
# 0.10–0.43), and classifieds and forum posts ("mua sam", "so thich", pets).
BAOMOI_TO_TOPIC: dict[str, str | None] = {
    "am thuc": "doi-song",  # 0.70
    "bat dong san": None,  # 0.37
    "chinh tri va phap luat": "phap-luat",  # 0.66, nearly all police and court news
    "con nguoi va xa hoi": "chinh-tri-xa-hoi",  # 0.59
    "con nguoi va xa hoi - gia dinh va cac moi quan he - hon nhan": "doi-song",  # 0.57
    "con nguoi va xa hoi - khoa hoc xa hoi - van hoa": None,  # 0.21
    "du lich": None,  # 0.10
    "giao duc va viec lam - giao duc": "giao-duc",
    "giao duc va viec lam - viec lam": None,
    "khoa hoc": None,  # 0.35
    "khoa hoc - sinh thai va moi truong": None,
    "kinh doanh va cong nghiep": None,  # 0.21
    "lam dep va the hinh - suc khoe": "suc-khoe",  # 0.65
    "lam dep và the hinh": None,  # 0.21
    "mang may tinh va vien thong": "cong-nghe",  # 0.64
    "may vi tinh va do dien tu": "cong-nghe",  # 0.75
    "may vi tinh va do dien tu - mang may tinh va vien thong": None,  # 0.11
    "mua sam": None,
    "mua sam - trang phuc": None,
    "nha vuon": None,  # 0.43
    "sach va van hoc": None,  # 0.20
    "so thich": None,
    "suc khoe": "suc-khoe",  # 0.83
    "tai chinh": "kinh-te",  # 0.72
    "tai chinh - dau tu - co phieu va trai phieu": "kinh-te",  # 0.86
    "the thao - the thao doi khang": "the-thao",  # 0.90
    "the thao - the thao dong doi - bong da": "the-thao",  # 0.88
    "thu cung va dong vat": None,
    "tro choi": "cong-nghe",  # 0.80, video games
}

# Current corpora (docs/models.md, "Sections"): every section that means one topic is used.
# vnnews-2024 (VnExpress and Dân trí, Dec 2024): its nine sections map one to one.
VNNEWS_TO_TOPIC: dict[str, str] = {
    "economy": "kinh-te",
    "education": "giao-duc",
    "entertainment": "van-hoa",
    "health": "suc-khoe",
    "law": "phap-luat",
    "lifestyle": "doi-song",
    "politics": "chinh-tri-xa-hoi",
    "sports": "the-thao",
    "technology": "cong-nghe",
}

# vnexpress-2023 (VnExpress title + sapo, 2022–23), by the section each item was listed under.
# Bất động sản is a part of VnExpress's business news (markets, projects, prices, credit): kinh-te.
# Du lịch (destinations, travel tips, the tourism trade) has no topic of its own and no single
# home among ours: left out. Ý kiến and Góc nhìn are opinion columns on any subject: left out.
VNEXPRESS_TO_TOPIC: dict[str, str | None] = {
    "Thời sự": "chinh-tri-xa-hoi",
    "Thế giới": "the-gioi",
    "Kinh doanh": "kinh-te",
    "Bất động sản": "kinh-te",
    "Khoa học": "khoa-hoc",
    "Số hóa": "cong-nghe",
    "Giáo dục": "giao-duc",
    "Sức khỏe": "suc-khoe",
    "Đời sống": "doi-song",
    "Giải trí": "van-hoa",
    "Thể thao": "the-thao",
    "SEA Games 2019": "the-thao",
    "U23 Châu Á 2020": "the-thao",
    "Pháp luật": "phap-luat",
    "Du lịch": None,
    "Ý kiến": None,
    "Góc nhìn": None,
}

# VNTC has no education class: scored against VNTC's labels, giao-duc counts as the class
# that holds VNTC's school news.
VNTC_FOLD = {"giao-duc": "chinh-tri-xa-hoi"}
