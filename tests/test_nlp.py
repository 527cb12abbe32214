"""Vietnamese normalisation and segmentation on real text."""

from __future__ import annotations

import json
import unicodedata

from duluan.core.normalize import canonical_tone, fold, has_diacritics, normalize_text
from duluan.nlp.analyze import analyze, keywords
from duluan.nlp.segment import folded_words, segment, segment_folded, sentences


def test_old_and_new_tone_placement_meet_in_one_form() -> None:
    for old, new in [("hoà", "hòa"), ("thuỷ", "thủy"), ("Tỉnh uỷ", "Tỉnh ủy"), ("khoẻ", "khỏe"),
                     ("Hoà Bình", "Hòa Bình"), ("tuỳ", "tùy")]:
        assert normalize_text(old) == normalize_text(new) == new


def test_tone_rules_keep_correct_syllables() -> None:
    for word in ["người", "quý", "giá", "gìn", "thuận", "hoàn", "huỳnh", "khuỷu", "Quảng", "của"]:
        assert canonical_tone(word) == word


def test_decomposed_text_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Thành phố Hồ Chí Minh")
    assert normalize_text(decomposed) == "Thành phố Hồ Chí Minh"
    assert unicodedata.is_normalized("NFC", normalize_text(decomposed))


def test_invisible_characters_entities_and_spaces_are_cleaned() -> None:
    raw = "Giá\u00a0vàng&nbsp;giảm\u200b “mạnh” \n\n\n  Đoạn   hai "
    assert normalize_text(raw) == 'Giá vàng giảm "mạnh"\n\nĐoạn hai'


def test_folding_removes_diacritics_and_d_stroke() -> None:
    assert fold("Đà Nẵng, Thừa Thiên Huế") == "da nang, thua thien hue"
    assert has_diacritics("Hà Nội") and not has_diacritics("Ha Noi")


def test_folding_is_one_character_for_one_on_every_code_point() -> None:
    """The table that fold() translates with agrees with folding character by character, for
    every code point it covers and for text beyond it (emoji, a Deseret capital)."""
    def by_character(text: str) -> str:
        out = []
        for ch in text:
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            base = "d" if ch in "đĐ" else base.lower()
            out.append(base if len(base) == 1 else ch)
        return "".join(out)

    every = "".join(chr(i) for i in range(0x80, 0x10000) if not 0xD800 <= i <= 0xDFFF)
    assert fold(every) == by_character(every)
    assert len(fold(every)) == len(every)
    beyond = "Ảnh 😀 \U00010400 Ờ"
    assert fold("Ờ \ud800") == "o \ud800"  # a lone surrogate (from surrogateescape) passes through
    assert fold(beyond) == by_character(beyond) == "anh 😀 \U00010428 o"


def test_underthesea_segments_a_real_vntc_sentence(shared_data) -> None:  # noqa: ANN001
    line = (shared_data / "topic/vntc10-mini/train.jsonl").read_text("utf-8").splitlines()[0]
    text = json.loads(line)["text"]
    segmented = segment(normalize_text(text))
    assert "Thứ_trưởng" in segmented
    assert "số_liệu" in segmented


def test_text_without_diacritics_is_segmented_by_the_folded_word_list() -> None:
    assert len(folded_words()) > 40_000  # underthesea's list is there and was read
    assert segment_folded("tai nan giao thong o Ha Noi") == "tai_nan giao_thong o Ha_Noi"
    assert segment_folded("thu tuong chinh phu") == "thu_tuong chinh_phu"
    assert segment_folded("gia vang") == "gia vang"  # two words, as the segmenter has them
    assert segment_folded("") == ""


def test_analysis_of_a_real_article(shared_data) -> None:  # noqa: ANN001
    from duluan.crawlers.extract import extract
    from duluan.crawlers.registry import default_registry

    name = ("kinh-doanh__thu-tuong-chi-dao-bo-cong-thuong-khong-de-thieu-hut-xang-dau-dip-tet-"
            "20221224162858354")
    html = (shared_data / "pages/dantri-2022" / f"{name}.html").read_text("utf-8")
    url = "https://dantri.com.vn/" + name.replace("__", "/") + ".htm"
    page = extract(html, url, default_registry()["dantri"])
    result = analyze(page.title, "\n\n".join([page.title, page.sapo, *page.body]))
    assert result.language == "vi"
    names = dict(result.entities)
    assert names.get("Phạm Minh Chính") == "PER"
    assert names.get("Bộ Công Thương") == "ORG"
    assert "xăng dầu" in result.keywords[:5]
    assert result.title_folded == "thu tuong chi dao bo cong thuong khong de thieu hut xang dau dip tet"
    # The headline's own segmentation, which the classifiers read before the text.
    assert result.title_segmented.startswith("Thủ_tướng chỉ_đạo")
    assert result.title_segmented.replace("_", " ") == page.title


def test_keywords_skip_stopwords_and_numbers() -> None:
    assert keywords("và của 2022 1.800 kinh_tế kinh_tế") == ["kinh tế"]


def test_sentences_split_a_real_lead(shared_data) -> None:  # noqa: ANN001
    line = (shared_data / "topic/vntc10-mini/train.jsonl").read_text("utf-8").splitlines()[0]
    lead = normalize_text(json.loads(line)["text"].split("\n")[1])
    parts = sentences(lead)
    assert len(parts) >= 2
    assert "".join(parts).replace(" ", "") == lead.replace(" ", "")
