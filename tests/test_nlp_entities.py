"""Gazetteer aliases, the 2025 provincial merger, legacy encodings and the language check."""

from __future__ import annotations

import json

import pytest

from duluan.core.language import language_of
from duluan.core.legacy import LegacyEncodingError, repair
from duluan.nlp.analyze import entities
from duluan.nlp.gazetteer import gazetteer


def test_there_are_34_current_units_and_63_former_ones_each_mapped_once() -> None:
    g = gazetteer()
    assert len(g.current_provinces) == 34
    import tomllib
    from importlib import resources

    data = tomllib.loads(resources.files("nlp").joinpath("data/gazetteer.toml").read_text("utf-8"))
    former = [f for entry in data["provinces"].values() for f in entry["former"]]
    assert len(former) == len(set(former)) == 63


@pytest.mark.parametrize(("former", "current"), [
    ("Bắc Kạn", "Thái Nguyên"), ("Hà Giang", "Tuyên Quang"), ("Bình Dương", "TP Hồ Chí Minh"),
    ("Bà Rịa - Vũng Tàu", "TP Hồ Chí Minh"), ("Quảng Nam", "Đà Nẵng"), ("Hải Dương", "Hải Phòng"),
    ("Nam Định", "Ninh Bình"), ("Hòa Bình", "Phú Thọ"), ("Kon Tum", "Quảng Ngãi"),
    ("Bình Thuận", "Lâm Đồng"), ("Sóc Trăng", "Cần Thơ"), ("Bạc Liêu", "Cà Mau"),
    ("Kiên Giang", "An Giang"), ("Thừa Thiên Huế", "Huế"), ("Thanh Hoá", "Thanh Hóa"),
    ("tỉnh Thái Nguyên", "Thái Nguyên"),
])
def test_former_provinces_map_to_their_current_unit(former: str, current: str) -> None:
    assert gazetteer().current_unit(former) == current


@pytest.mark.parametrize("alias", ["TP.HCM", "TPHCM", "Thành phố Hồ Chí Minh", "Sài Gòn", "TP HCM"])
def test_ho_chi_minh_city_aliases(alias: str) -> None:
    assert gazetteer().lookup(alias).name == "TP Hồ Chí Minh"


def test_entities_are_canonical_in_real_text() -> None:
    text = ("Chiều 24/12, tại TP.HCM, Thủ tướng Phạm Minh Chính dự lễ khởi công nhà ga T3 sân bay Tân "
            "Sơn Nhất. Bộ GTVT và UBND tỉnh Bắc Kạn cùng tham dự.")
    found = dict(entities("Khởi công nhà ga T3 sân bay Tân Sơn Nhất", text))
    assert found["TP Hồ Chí Minh"] == "LOC"
    assert found["Phạm Minh Chính"] == "PER"
    assert found["Thái Nguyên"] == "LOC"  # Bắc Kạn is part of Thái Nguyên now
    assert found["Bộ Giao thông vận tải"] == "ORG"
    assert "TP.HCM" not in found


@pytest.mark.parametrize(("legacy", "unicode", "encoding"), [
    ("Chñ tÞch n\xadíc ViÖt Nam th¨m tØnh Th¸i Nguyªn vµ §µ N½ng",
     "Chủ tịch nước Việt Nam thăm tỉnh Thái Nguyên và Đà Nẵng", "tcvn3"),
    ("Ban Tuyªn gi¸o TØnh ñy Th¸i Nguyªn tæ chøc héi nghÞ b¸o c¸o viªn",
     "Ban Tuyên giáo Tỉnh ủy Thái Nguyên tổ chức hội nghị báo cáo viên", "tcvn3"),
    ("Ñoái töôïng ñieàu chænh cuûa luaät hình söï", "Đối tượng điều chỉnh của luật hình sự", "vni"),
    ("Thôøi gian thöû thaùch töø 1 naêm", "Thời gian thử thách từ 1 năm", "vni"),
    ("MIEÃN, GIAÛM TRAÙCH NHIEÄM HÌNH SÖÏ", "MIỄN, GIẢM TRÁCH NHIỆM HÌNH SỰ", "vni"),
    ("Baûn chaát giai caáp cuûa nhaø nöôùc", "Bản chất giai cấp của nhà nước", "vni"),
])
def test_legacy_encodings_convert_to_unicode(legacy: str, unicode: str, encoding: str) -> None:
    assert repair(legacy) == (unicode, encoding)


def test_unicode_text_is_left_alone(shared_data) -> None:  # noqa: ANN001
    for line in (shared_data / "topic/vntc10-mini/test.jsonl").read_text("utf-8").splitlines()[:50]:
        text = json.loads(line)["text"]
        assert repair(text) == (text, None)


def test_garbage_that_looks_legacy_is_refused() -> None:
    with pytest.raises(LegacyEncodingError):
        repair("µµµ ¶¶¶ ·Æ© ÇÈÉ ®®® ÌÎÏ ÐÑª ÒÓÔ ÕÖ× ØÜÝ Þß«")


def test_language_check(shared_data) -> None:  # noqa: ANN001
    text = json.loads((shared_data / "topic/vntc10-mini/test.jsonl").open().readline())["text"]
    assert language_of(text) == "vi"
    assert language_of("Officials said on Tuesday that the talks would resume next week. " * 6) == "other"
    assert language_of("Xem thêm") == "short"
    # A Dân trí list of footballers: mostly foreign names, still Vietnamese news.
    names = ("Sau World Cup 2022, chuyên trang Transfermarkt đã cập nhật mức giá mới của các cầu thủ. "
             "Aurelien Tchouameni (Pháp): + 10 triệu euro. Bukayo Saka (Anh): +10 triệu euro. "
             "Jude Bellingham (Anh): +10 triệu euro. Azzedine Ounahi (Morocco): +11,5 triệu euro.")
    assert language_of(names) == "vi"
    for other in ("Les élèves ont présenté leur projet à l'école après les vacances d'été. ",
                  "O presidente da câmara falou ontem sobre os planos, não é? São João. "):
        assert language_of(other * 4) == "other"


def _encode(text: str, encoding: str) -> str:
    """Unicode -> legacy, by inverting the decoder's own tables (test helper)."""
    from duluan.core.legacy import _TCVN3, _VNI

    table = {v: k for k, v in (_TCVN3 if encoding == "tcvn3" else _VNI).items()}
    if encoding == "tcvn3":  # TCVN3 has no upper-case toned letters: they share lower-case codes
        return "".join(table.get(c, table.get(c.lower(), c)) for c in text)
    return "".join(table.get(c, c) for c in text)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_real_sentences_survive_a_legacy_round_trip(shared_data, encoding: str) -> None:  # noqa: ANN001
    from duluan.core.normalize import normalize_text

    lines = (shared_data / "topic/vntc10-mini/test.jsonl").read_text("utf-8").splitlines()
    for line in lines[:40]:
        # A page's worth of text: the encoding is decided per page, not per short title.
        sentence = normalize_text(json.loads(line)["text"][:400])
        legacy = _encode(sentence, encoding)
        if legacy == sentence:
            continue
        converted, found = repair(legacy)
        expected = sentence.lower() if encoding == "tcvn3" else sentence
        got = converted.lower() if encoding == "tcvn3" else converted
        assert (got, found) == (expected, encoding), sentence


def test_entity_annotations_match_their_items(shared_data) -> None:  # noqa: ANN001
    """The annotated names are exact substrings of the items they were read in, the items are
    the documented sample, and every type is one of the three."""
    from pathlib import Path

    from duluan.classifiers.tone_items import sample_current

    folder = Path(__file__).resolve().parents[1] / "nlp" / "data" / "entities"
    rows = [json.loads(line) for line in (folder / "annotations.jsonl").read_text("utf-8").splitlines()]
    texts = {item.id: item.text for item in sample_current(shared_data, 400, seed=2041)}
    assert [r["id"] for r in rows] == list(texts) and len(rows) == 400
    for row in rows:
        for entity in row["entities"]:
            assert entity["type"] in {"PER", "ORG", "LOC"} and entity["text"] in texts[row["id"]], row["id"]
