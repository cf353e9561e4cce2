"""The knowledge-base REST API through the real app (real model, real embedded store)."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from knowledge_base.samples import sample_paths

API = "/api/v1/knowledge-bases"

KETTLE = {
    "id": "demo-kettle",
    "brand": "Demo",
    "product": "Demo Kettle",
    "lang": "en",
    "facts": [
        {"id": "F1", "text": "The kettle holds 1.7 litres."},
        {"id": "F2", "text": "It boils a full kettle in 4 minutes."},
    ],
    "key_messages": [{"id": "M1", "text": "A full kettle in four minutes."}],
    "avoid_topics": [{"id": "A1", "text": "Limescale build-up."}],
    "prohibited_claims": [{"id": "P1", "text": "Boiled water from it cures colds."}],
}


def test_samples_are_loaded_on_first_start_and_listed(client: TestClient) -> None:  # type: ignore[type-arg]
    listing = client.get(f"{API}/").json()
    assert {kb["id"] for kb in listing} == {"chengfeng-p5", "lumo-sonic-3"}
    blender = next(kb for kb in listing if kb["id"] == "chengfeng-p5")
    assert blender["counts"] == {"facts": 12, "key-messages": 3, "avoid-topics": 2, "prohibited-claims": 1}


def test_create_get_replace_delete(client: TestClient) -> None:  # type: ignore[type-arg]
    created = client.post(f"{API}/", json=KETTLE)
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    assert client.post(f"{API}/", json=KETTLE).status_code == 409
    got = client.get(f"{API}/demo-kettle").json()
    assert got["facts"][1]["text"] == "It boils a full kettle in 4 minutes."
    replacement = {k: v for k, v in KETTLE.items() if k != "id"} | {
        "facts": [{"id": "F1", "text": "Holds 1.5 litres."}]
    }
    replaced = client.put(f"{API}/demo-kettle", json=replacement, params={"expected_version": 1})
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    stale = client.put(f"{API}/demo-kettle", json=replacement, params={"expected_version": 1})
    assert stale.status_code == 409 and stale.json()["extra"]["version"] == 2
    assert client.delete(f"{API}/demo-kettle").status_code == 204
    missing = client.get(f"{API}/demo-kettle")
    assert missing.status_code == 404
    assert missing.json() == {
        "status_code": 404,
        "detail": "knowledge base 'demo-kettle' not found",
        "extra": {"kb_id": "demo-kettle"},
    }


def test_item_edits_bump_the_version(client: TestClient) -> None:  # type: ignore[type-arg]
    client.post(f"{API}/", json=KETTLE)
    added = client.post(f"{API}/demo-kettle/facts", json={"id": "F3", "text": "The base turns 360 degrees."})
    assert added.status_code == 201 and added.json()["version"] == 2
    assert client.post(f"{API}/demo-kettle/key-messages", json={"id": "F3", "text": "dup"}).status_code == 409
    updated = client.put(f"{API}/demo-kettle/facts/F3", json={"text": "The base swivels 360 degrees.", "topic": "base"})
    assert updated.status_code == 200 and updated.json()["version"] == 3
    assert client.get(f"{API}/demo-kettle/facts/F3").json() == {
        "id": "F3",
        "text": "The base swivels 360 degrees.",
        "topic": "base",
        "tags": [],
    }
    assert client.delete(f"{API}/demo-kettle/prohibited-claims/P1").status_code == 204
    kb = client.get(f"{API}/demo-kettle").json()
    assert kb["version"] == 4 and kb["prohibited_claims"] == []
    assert client.delete(f"{API}/demo-kettle/facts/F404").status_code == 404
    assert client.get(f"{API}/demo-kettle/gadgets").status_code in (400, 404)


def test_bad_item_names_the_field(client: TestClient) -> None:  # type: ignore[type-arg]
    client.post(f"{API}/", json=KETTLE)
    response = client.post(f"{API}/demo-kettle/key-messages", json={"id": "M2", "text": "ok", "priority": 9})
    assert response.status_code == 422
    assert response.json()["extra"] == [{"field": "priority", "message": "Input should be less than or equal to 5"}]
    response = client.post(f"{API}/demo-kettle/facts", json={"id": "F9", "text": "   "})
    assert response.status_code == 422 and response.json()["extra"][0]["field"] == "text"


def test_import_is_atomic_and_reports_every_bad_field(client: TestClient) -> None:  # type: ignore[type-arg]
    yaml_text = sample_paths()[0].read_text(encoding="utf-8")
    imported = client.post(f"{API}/import", content=yaml_text.encode(), headers={"content-type": "application/yaml"})
    assert imported.status_code == 200 and imported.json()["id"] == "chengfeng-p5"
    version = imported.json()["version"]
    broken = yaml_text.replace("  - id: F2\n", "  - id: F1\n").replace(
        "text: 不支持蓝牙,也没有手机App控制。", "text: ''"
    )
    response = client.post(f"{API}/import", content=broken.encode(), headers={"content-type": "application/yaml"})
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["extra"]]
    assert fields == ["facts[1].id", "facts[10].text"]
    assert all("line" in error for error in response.json()["extra"])
    after = client.get(f"{API}/chengfeng-p5").json()
    assert after["version"] == version and after["facts"][1]["id"] == "F2"
    invalid_utf8 = client.post(
        f"{API}/import", content=b"brand: \xff\xfe", headers={"content-type": "application/yaml"}
    )
    assert invalid_utf8.status_code == 422 and invalid_utf8.json()["extra"][0]["field"] == "body"


def test_export_is_the_interchange_format(client: TestClient) -> None:  # type: ignore[type-arg]
    document = {k: v for k, v in KETTLE.items() if k != "id"}
    response = client.post(
        f"{API}/import",
        params={"id": "kettle"},
        content=json.dumps(document).encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    exported = client.get(f"{API}/kettle/export")
    assert exported.status_code == 200
    assert json.loads(exported.text) == document
    as_yaml = client.get(f"{API}/kettle/export", params={"format": "yaml"})
    assert as_yaml.text.startswith("id: kettle\n")


def test_search_returns_scores_best_first(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.post(f"{API}/chengfeng-p5/search", json={"text": "这杯子一次能榨多少毫升", "limit": 4})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["results"][0]["id"] == "F1"
    assert [r["rank"] for r in body["results"]] == [1, 2, 3, 4]
    assert -1 <= body["results"][0]["score"] <= 1
    only_messages = client.post(
        f"{API}/chengfeng-p5/search", json={"text": "battery", "sections": ["key-messages"], "limit": 2}
    ).json()
    assert {r["section"] for r in only_messages["results"]} == {"key-messages"}
    bad = client.post(f"{API}/chengfeng-p5/search", json={"text": "", "limit": 0})
    assert bad.status_code == 400
    assert client.post(f"{API}/nope/search", json={"text": "x"}).status_code == 404


def test_openapi_and_docs_are_served_without_a_cdn(client: TestClient) -> None:  # type: ignore[type-arg]
    spec = client.get("/schema/openapi.json").json()
    assert f"{API}/{{kb_id}}/search" in spec["paths"]
    page = client.get("/schema").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_a_knowledge_base_made_again_after_deletion_goes_on_from_its_version(client: TestClient) -> None:  # type: ignore[type-arg]
    """A version names one content: after a delete, the same id made again is checked against what it says now,
    not against a cached reading of the deleted one (which carried a message the new one does not have)."""
    lamp = {
        "id": "desk-lamp",
        "brand": "Orla",
        "product": "Orla desk lamp",
        "lang": "en",
        "facts": [{"id": "F1", "text": "The battery gives light for 10 hours."}],
        "key_messages": [
            {"id": "M1", "text": "Light for a whole working day on one charge."},
            {"id": "M9", "text": "A lamp that folds flat into any bag."},
        ],
        "avoid_topics": [],
        "prohibited_claims": [],
    }
    post = {"text": "It folds flat and slips into my bag."}
    assert client.post(f"{API}/", json=lamp).status_code == 201
    first = client.post(f"{API}/desk-lamp/check", json=post).json()
    assert [m["id"] for m in first["key_messages_carried"]] == ["M9"]
    assert client.delete(f"{API}/desk-lamp").status_code == 204
    again = client.post(f"{API}/", json=lamp | {"key_messages": lamp["key_messages"][:1]})
    assert again.status_code == 201
    second = client.post(f"{API}/desk-lamp/check", json=post)
    assert second.status_code == 200, second.text
    assert second.json()["key_messages_carried"] == []
    assert again.json()["version"] == second.json()["kb_version"] == 2
