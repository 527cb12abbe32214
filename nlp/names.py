"""Fast typed-name spotting over segmented text, for the article body.

underthesea's NER chains three CRF passes and costs about 0.6 ms a word, so it reads
only the title and lead. In the body, a capitalised word ("Phạm_Minh_Chính") is typed by
the word before it: a title makes a person ("Thủ_tướng", "ông"), an administrative or
geographic word a place ("tỉnh", "huyện", "sông"), and an organisation head ("Bộ",
"Công_ty", "Ngân_hàng") starts an organisation with the capitalised words that follow.
"""

from __future__ import annotations

PERSON_CUES = frozenset(
    [
        "ông", "bà", "anh", "chị", "cô", "chú", "bác", "cụ", "thủ_tướng", "chủ_tịch",
        "tổng_bí_thư", "bộ_trưởng", "thứ_trưởng", "phó_thủ_tướng", "giám_đốc", "bí_thư", "tướng",
        "đại_tướng", "thượng_tướng", "trung_tướng", "thiếu_tướng", "đại_tá", "thượng_tá",
        "trung_tá", "thiếu_tá", "bác_sĩ", "bs", "tiến_sĩ", "ts", "giáo_sư", "gs", "pgs", "nhà_báo",
        "luật_sư", "hlv", "huấn_luyện_viên", "tổng_thống", "phó_chủ_tịch", "chánh_án",
        "viện_trưởng", "đồng_chí", "thủ_môn", "tiền_đạo", "tiền_vệ", "hậu_vệ", "ca_sĩ",
        "diễn_viên", "nghệ_sĩ", "nhà_văn", "nhà_thơ",
    ]
)
PLACE_CUES = frozenset(
    [
        "tỉnh", "thành_phố", "tp", "huyện", "quận", "xã", "phường", "thị_xã", "thị_trấn", "sông",
        "núi", "đảo", "biển", "vịnh", "đèo", "hồ", "thôn", "bản", "ấp", "làng",
    ]
)
ORG_HEADS = frozenset(
    [
        "bộ", "sở", "ban", "ủy_ban", "ubnd", "hđnd", "công_ty", "tập_đoàn", "ngân_hàng",
        "tổng_công_ty", "trường", "bệnh_viện", "viện", "cục", "tổng_cục", "hội", "đảng", "tòa_án",
        "tand", "viện_kiểm_sát", "vksnd", "công_an", "báo", "đài", "liên_đoàn", "câu_lạc_bộ",
        "clb", "học_viện", "đại_học", "quỹ",
    ]
)


def _capitalised(token: str) -> bool:
    syllables = token.split("_")
    return all(s[:1].isupper() for s in syllables if s) and any(c.isalpha() for c in token)


def _is_name(token: str) -> bool:
    """Multi-syllable and capitalised ("Hà_Nội"), or an acronym ("UBND", "TP.HCM")."""
    if not _capitalised(token):
        return False
    letters = [c for c in token if c.isalpha()]
    return "_" in token or sum(c.isupper() for c in letters) >= 2


def typed_names(segmented: str) -> list[tuple[str, str]]:
    words = segmented.split()
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        cue = words[i].lower()
        if cue in ORG_HEADS and words[i][:1].isupper():
            j = i + 1
            # Organisation names capitalise each word's first syllable: "Sở Y_tế", "Nhà_nước".
            while j < len(words) and words[j][:1].isupper() and words[j].lower() not in ORG_HEADS:
                j += 1
            if j > i + 1:
                found.append((" ".join(words[i:j]).replace("_", " "), "ORG"))
                i = j
                continue
        if i + 1 < len(words) and (cue in PERSON_CUES or cue in PLACE_CUES):
            nxt = words[i + 1]
            # After a person's title even a one-syllable name counts ("ông Tuấn").
            if _is_name(nxt) or (cue in PERSON_CUES and _capitalised(nxt)):
                found.append((nxt.replace("_", " "), "PER" if cue in PERSON_CUES else "LOC"))
                i += 2
                continue
        i += 1
    return found
