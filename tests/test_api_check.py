"""POST /api/v1/knowledge-bases/{id}/check through the real app."""

from __future__ import annotations

from litestar.testing import TestClient

CHECK = "/api/v1/knowledge-bases/{}/check"


def test_check_response_shape(client: TestClient) -> None:  # type: ignore[type-arg]
    text = "这个杯子容量有500毫升,装得很多。电池2000毫安时,充一次能榨15杯。"
    response = client.post(CHECK.format("chengfeng-p5"), json={"text": text})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kb_id"] == "chengfeng-p5" and body["lang"] == "zh"
    first, second = body["sentences"]
    assert text[first["start"] : first["end"]] == first["text"] == "这个杯子容量有500毫升,装得很多。"
    assert first["verdict"] == "distortion" and second["verdict"] == "consistent"
    [distortion] = first["distortions"]
    assert distortion["kind"] == "numeric" and distortion["fact_id"] == "F1"
    assert distortion["fact_text"].startswith("杯体容量350毫升")
    assert distortion["correction"] == "这个杯子容量有350毫升,装得很多。"
    assert first["facts"][0]["id"] == "F1" and 0 < first["facts"][0]["score"] <= 1
    assert 0 < distortion["confidence"] <= 1
    carried = {m["id"]: m for m in body["key_messages_carried"]}
    assert carried["M1"]["sentence_index"] == 1  # a charge that makes 15 cups is M1's selling point
    assert all(0 < m["confidence"] <= 1 for m in carried.values())
    assert {m["id"] for m in body["key_messages_missed"]} == {"M1", "M2", "M3"} - set(carried)
    assert body["counts"] == {
        "sentences": 2,
        "consistent": 1,
        "distortion": 1,
        "unrelated": 0,
        "distortions_by_kind": {"numeric": 1},
    }
    assert body["consistency_score"] == 0.5
    assert body["corrected_text"] == "这个杯子容量有350毫升,装得很多。电池2000毫安时,充一次能榨15杯。"
    assert body["thresholds"]["prohibited_min"] > 0


def test_check_errors_name_the_field(client: TestClient) -> None:  # type: ignore[type-arg]
    missing = client.post(CHECK.format("nope"), json={"text": "hello"})
    assert missing.status_code == 404 and missing.json()["detail"] == "knowledge base 'nope' not found"
    empty = client.post(CHECK.format("chengfeng-p5"), json={"text": ""})
    assert empty.status_code == 400 and "text" in str(empty.json()["extra"])
    wrong_type = client.post(CHECK.format("chengfeng-p5"), json={"text": 42})
    assert wrong_type.status_code == 400 and "text" in str(wrong_type.json()["extra"])
    for invisible in ["   ", "\u200b\u200b\n"]:
        blank = client.post(CHECK.format("chengfeng-p5"), json={"text": invisible})
        assert blank.status_code == 400 and blank.json()["extra"][0]["field"] == "text", blank.text
    undecodable = client.post(
        CHECK.format("chengfeng-p5"), content=b'{"text": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    assert undecodable.status_code == 400 and undecodable.json()["extra"][0]["field"] == "body"
    bad_lang = client.post(CHECK.format("chengfeng-p5"), json={"text": "ok", "lang": "fr"})
    assert bad_lang.status_code == 400 and "lang" in str(bad_lang.json()["extra"])


def test_script_in_a_post_is_only_text(client: TestClient) -> None:  # type: ignore[type-arg]
    text = "<script>alert(1)</script> 容量有500毫升"
    body = client.post(CHECK.format("chengfeng-p5"), json={"text": text}).json()
    assert "".join(s["text"] for s in body["sentences"]).startswith("<script>")
    assert body["distortions"][0]["fact_id"] == "F1"


def test_offsets_in_utf16_and_utf8_slice_what_code_points_slice(client: TestClient) -> None:  # type: ignore[type-arg]
    text = "开箱就爱了😍👍🏽\n说明书上写着容量有600毫升🇨🇳,够一家👩‍👩‍👧喝。\n刀头转速有每分钟30000转🚀,𠮷祥如意!"
    encodings = {"codepoints": None, "utf16": "utf-16-le", "utf8": "utf-8"}
    width = {"codepoints": 1, "utf16": 2, "utf8": 1}

    def cut(unit: str, start: int, end: int) -> str:
        encoding = encodings[unit]
        if encoding is None:
            return text[start:end]
        return text.encode(encoding)[width[unit] * start : width[unit] * end].decode(encoding)

    default = client.post(CHECK.format("chengfeng-p5"), json={"text": text}).json()
    assert "F1" in [d["fact_id"] for d in default["distortions"]]
    for unit in encodings:
        response = client.post(CHECK.format("chengfeng-p5"), json={"text": text, "offsets": unit})
        assert response.status_code == 200, response.text
        body = response.json()
        assert [cut(unit, s["start"], s["end"]) for s in body["sentences"]] == [s["text"] for s in default["sentences"]]
        nested = [d for s in body["sentences"] for d in s["distortions"]]
        assert len(nested) == len(body["distortions"]) == len(default["distortions"])
        for distortion, expected in zip(body["distortions"] + nested, default["distortions"] * 2, strict=True):
            assert cut(unit, distortion["start"], distortion["end"]) == text[expected["start"] : expected["end"]]
            edit, expected_edit = distortion["edit"], expected["edit"]
            assert cut(unit, edit["start"], edit["end"]) == text[expected_edit["start"] : expected_edit["end"]]
            assert edit["text"] == expected_edit["text"]
        assert body["corrected_text"] == default["corrected_text"]
    [capacity] = [d for d in default["distortions"] if d["fact_id"] == "F1"]
    assert text[capacity["edit"]["start"] : capacity["edit"]["end"]] == "600毫升"

    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]
    assert schemas["OffsetUnit"]["enum"] == ["codepoints", "utf16", "utf8"]
    for name in ["SentenceResult", "Distortion", "Edit"]:
        assert all("code points" in schemas[name]["properties"][f]["description"] for f in ["start", "end"])

    for bad in ["bytes", "UTF16", 16, None]:
        rejected = client.post(CHECK.format("chengfeng-p5"), json={"text": text, "offsets": bad})
        assert rejected.status_code == 400, rejected.text
        assert [e["field"] for e in rejected.json()["extra"]] == ["offsets"], rejected.text
