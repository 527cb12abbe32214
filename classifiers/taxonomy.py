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
