"""Authoring a knowledge base: YAML validation errors name file, line and field; kb.json round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge_base.loading import KnowledgeBaseFormatError, load_file, parse_document
from knowledge_base.samples import sample_knowledge_bases

VALID = """\
id: demo-kettle
brand: Demo
product: Demo Kettle
lang: en
facts:
  - id: F1
    text: The kettle holds 1.7 litres.
    valid_from: 2026-01-01
key_messages:
  - id: M1
    text: Boils a full kettle in 4 minutes.
"""


def errors_of(text: str, source: str = "kb.yaml") -> list[str]:
    with pytest.raises(KnowledgeBaseFormatError) as caught:
        parse_document(text, "yaml", source)
    return [str(error) for error in caught.value.errors]


def test_valid_yaml_loads_with_its_id_and_dates() -> None:
    kb = parse_document(VALID, "yaml")
    assert kb.id == "demo-kettle"
    assert kb.facts[0].valid_from is not None and kb.facts[0].valid_from.year == 2026
    assert kb.key_messages[0].text == "Boils a full kettle in 4 minutes."


def test_empty_text_names_file_line_and_field() -> None:
    text = VALID.replace("text: The kettle holds 1.7 litres.", "text: '   '")
    assert errors_of(text) == ["kb.yaml:7: facts[0].text: String should have at least 1 character"]


def test_zero_width_only_text_is_rejected() -> None:
    text = VALID.replace("text: The kettle holds 1.7 litres.", 'text: "\\u200b\\u200b"')
    assert errors_of(text) == ["kb.yaml:7: facts[0].text: text must contain visible characters"]


def test_duplicate_ids_are_each_reported_at_their_line() -> None:
    text = VALID + "avoid_topics:\n  - id: F1\n    text: Limescale.\n"
    assert errors_of(text) == ["kb.yaml:13: avoid_topics[0].id: duplicate id 'F1'"]


def test_unknown_field_is_reported_at_its_key() -> None:
    text = VALID.replace("    valid_from: 2026-01-01\n", "    valid_form: 2026-01-01\n")
    assert errors_of(text) == ["kb.yaml:8: facts[0].valid_form: unknown field 'valid_form'"]


def test_bad_date_and_reversed_period() -> None:
    text = VALID.replace("valid_from: 2026-01-01", "valid_from: 2026-02-30")
    [message] = errors_of(text)
    assert message.startswith("kb.yaml:8: facts[0].valid_from:")
    reversed_period = VALID.replace("valid_from: 2026-01-01", "valid_from: 2026-05-01\n    valid_until: 2026-01-01")
    assert errors_of(reversed_period) == ["kb.yaml:6: facts[0]: valid_until is before valid_from"]


def test_yaml_syntax_and_duplicate_keys_name_the_line() -> None:
    assert errors_of("brand: A\nbrand: B\n") == ["kb.yaml:2: (document): invalid YAML: duplicate key 'brand'"]
    [message] = errors_of("brand: [unclosed\n")
    assert message.startswith("kb.yaml:2: (document): invalid YAML")


def test_load_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "kettle.yaml"
    path.write_text(VALID.replace("lang: en", "lang: English"), encoding="utf-8")
    with pytest.raises(KnowledgeBaseFormatError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}:4: lang: String should match pattern")


def test_interchange_round_trip_is_exact(tmp_path: Path) -> None:
    document = {
        "brand": "Demo",
        "product": "Demo Kettle",
        "lang": "en",
        "facts": [{"id": "F1", "text": "The kettle holds 1.7 litres."}],
        "key_messages": [{"id": "M1", "text": "Boils in 4 minutes."}],
        "avoid_topics": [{"id": "A1", "text": "Limescale."}],
        "prohibited_claims": [{"id": "P1", "text": "Boiled water cures colds."}],
    }
    folder = tmp_path / "demo-kettle"
    folder.mkdir()
    (folder / "kb.json").write_text(json.dumps(document), encoding="utf-8")
    kb = load_file(folder / "kb.json")
    assert kb.id == "demo-kettle"  # a kb.json takes its folder's name
    assert kb.content.to_interchange() == document


def test_samples_are_valid_and_complete() -> None:
    samples = sample_knowledge_bases()
    assert {kb.lang for kb in samples} == {"zh", "en"}
    for kb in samples:
        assert len(kb.facts) >= 10
        assert len(kb.key_messages) == 3
        assert len(kb.avoid_topics) == 2
        assert len(kb.prohibited_claims) == 1
