"""The reviewer pages in a real headless Chromium against a live server (Debian's chromium, Playwright).

Screenshots are saved under test-artifacts/ (git-ignored)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench.synthetic import generate
from tests.conftest import TEST_KEYS

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
# Chromium as root in a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
    expect.set_options(timeout=15_000)  # a busy CI machine may take seconds to embed an edit
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_chinese_post_shows_the_distortion_with_the_official_fact(live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    page.select_option("#kb", "chengfeng-p5")
    page.fill("#text", "这个杯子容量有500毫升,装得很多。电池2000毫安时,充一次能榨15杯。")
    page.click("#check-button")
    numeric = page.locator(".seg.k-numeric")
    expect(numeric).to_have_text("这个杯子容量有500毫升,装得很多。")
    numeric.click()
    details = page.locator("#details")
    expect(details).to_be_visible()
    expect(details.locator(".official")).to_have_text("杯体容量350毫升,单次最多可榨取300毫升果汁。")
    expect(details.locator(".correction")).to_have_text("这个杯子容量有350毫升,装得很多。")
    expect(page.locator("#carried")).to_contain_text("M1")
    expect(page.locator("#corrected")).to_have_value("这个杯子容量有350毫升,装得很多。电池2000毫安时,充一次能榨15杯。")
    shot(page, "check-chinese-distortion")


def test_emoji_and_characters_beyond_the_bmp_keep_highlights_and_corrections_in_place(
    live_server: str, page: Page
) -> None:
    post = (
        "入手两周了🥤🥤 全家👩‍👩‍👧都在用!\n这个杯子能装500毫升🇨🇳,超大容量。\n"
        "The battery is 2000 mAh 👍🏽, about 15 cups per charge.\n在𠮷野家旁边的店买的,充电要8小时😅。"
    )
    corrected = post.replace("500毫升", "350毫升").replace("8小时", "3小时")
    checked = httpx.post(live_server + "/api/v1/knowledge-bases/chengfeng-p5/check", json={"text": post}).json()
    sentences = [s["text"] for s in checked["sentences"]]
    assert len(sentences) == 4 and checked["corrected_text"] == corrected
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(live_server + "/")
    page.select_option("#kb", "chengfeng-p5")
    page.fill("#text", post)
    page.click("#check-button")
    numeric = page.locator(".seg.k-numeric")
    expect(numeric).to_have_count(2)
    assert page.locator(".seg").all_text_contents() == sentences
    assert page.locator("#highlighted").text_content() == post  # nothing lost or doubled between highlights
    assert numeric.all_text_contents() == ["这个杯子能装500毫升🇨🇳,超大容量。", "在𠮷野家旁边的店买的,充电要8小时😅。"]

    numeric.nth(0).click()
    details = page.locator("#details")
    expect(details.locator("h4")).to_have_text("这个杯子能装500毫升🇨🇳,超大容量。")
    expect(details.locator(".correction")).to_have_text("这个杯子能装350毫升🇨🇳,超大容量。")
    expect(details.locator(".edit del")).to_have_text("500毫升")
    expect(details.locator(".edit ins")).to_have_text("350毫升")
    numeric.nth(1).click()
    expect(details.locator(".edit del")).to_have_text("8小时")
    expect(details.locator(".edit ins")).to_have_text("3小时")
    expect(details.locator(".correction")).to_have_text("在𠮷野家旁边的店买的,充电要3小时😅。")

    assert page.input_value("#corrected") == corrected
    page.click("#copy-corrected")
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == corrected
    shot(page, "check-emoji")


def test_a_script_in_a_post_shows_as_text_and_runs_nothing(live_server: str, page: Page) -> None:
    response = httpx.get(live_server + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(live_server + "/")
    text = '<script>window.pwned = 1</script><img src=x onerror="window.pwned=2"> 容量有500毫升'
    page.fill("#text", text)
    page.click("#check-button")
    expect(page.locator("#highlighted")).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("window.pwned") is None
    assert page.locator("#highlighted img").count() == 0
    shot(page, "check-script-inert")


def test_keyboard_and_phone_width(live_server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/")
    page.fill("#text", "The cup holds 500 ml. 颜色很好看。")
    page.click("#check-button")
    first = page.locator(".seg").first
    expect(first).to_be_visible()
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#details")).to_contain_text("杯体容量350毫升")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "check-phone")
    context.close()


def test_batch_upload_runs_with_progress_and_shows_charts(live_server: str, page: Page, tmp_path: Path) -> None:
    corpus = generate("lumo-sonic-3", posts=400, seed=3)
    lines = [post.model_dump_json(exclude_none=True) for post in corpus.posts]
    upload = tmp_path / "posts.jsonl"
    upload.write_text("\n".join(lines), encoding="utf-8")
    page.goto(live_server + "/batch")
    page.select_option("#kb", "lumo-sonic-3")
    page.set_input_files("#batch-file", str(upload))
    page.click("#batch-button")
    expect(page.locator("#progress-section")).to_be_visible()
    expect(page.locator("#chart-messages svg rect")).to_have_count(3, timeout=120_000)
    assert page.evaluate("document.getElementById('progress').value") == 400
    expect(page.locator("#progress-text")).to_contain_text("succeeded: 400 of 400")
    expect(page.locator("#top-distortions tbody tr").first).to_be_visible()
    csv_link = page.get_attribute("#dl-csv", "href")
    assert csv_link and httpx.get(live_server + csv_link).text.startswith("rank,fact_id,kind")
    shot(page, "batch-result")


def test_knowledge_base_page_edits_an_item(live_server: str, page: Page) -> None:
    page.goto(live_server + "/knowledge-bases")
    page.select_option("#kb", "lumo-sonic-3")
    cell = page.locator("tr", has_text="F10").locator(".item-text")
    expect(cell).to_have_text("The recommended retail price is $79.")
    cell.click()
    page.locator("tr", has_text="F10").locator("textarea").fill("The recommended retail price is $89.")
    page.locator("tr", has_text="F10").get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="F10").locator(".item-text")).to_have_text(
        "The recommended retail price is $89."
    )
    stored = httpx.get(live_server + "/api/v1/knowledge-bases/lumo-sonic-3/facts/F10").json()
    assert stored["text"] == "The recommended retail price is $89."
    shot(page, "knowledge-base-edit")


def test_with_keys_reviewers_log_in_check_and_read_but_cannot_edit(keyed_live_server: str, page: Page) -> None:
    page.goto(keyed_live_server + "/knowledge-bases")
    expect(page).to_have_url(keyed_live_server + "/login?next=/knowledge-bases")
    page.fill("#key", "bck_not_a_real_key")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_have_text("That key is not valid.")
    page.fill("#key", TEST_KEYS["reviewer"])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(keyed_live_server + "/knowledge-bases")
    expect(page.locator("#signed-in-as")).to_have_text("rita · reviewer")
    page.select_option("#kb", "lumo-sonic-3")
    cell = page.locator("tr", has_text="F10").locator(".item-text")
    expect(cell).to_have_text("The recommended retail price is $79.")
    cell.click()
    expect(page.locator("textarea")).to_have_count(0)
    shot(page, "knowledge-base-read-only")

    page.goto(keyed_live_server + "/")
    page.select_option("#kb", "chengfeng-p5")
    page.fill("#text", "这个杯子容量有500毫升,装得很多。")
    page.click("#check-button")
    expect(page.locator(".seg.k-numeric")).to_have_text("这个杯子容量有500毫升,装得很多。")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(keyed_live_server + "/login")
    page.goto(keyed_live_server + "/")
    expect(page).to_have_url(keyed_live_server + "/login?next=/")


def test_with_keys_editors_edit_and_the_audit_log_names_them(keyed_live_server: str, page: Page) -> None:
    page.goto(keyed_live_server + "/login?next=/knowledge-bases")
    page.fill("#key", TEST_KEYS["editor"])
    page.get_by_role("button", name="Log in").click()
    page.select_option("#kb", "lumo-sonic-3")
    page.wait_for_load_state("networkidle")  # the chosen knowledge base's items are drawn anew
    row = page.locator("tr", has_text="F10")
    row.locator(".item-text").click()
    row.locator("textarea").fill("The recommended retail price is $69.")
    row.get_by_role("button", name="Save").click()
    expect(row.locator(".item-text")).to_have_text("The recommended retail price is $69.")
    audit = httpx.get(
        keyed_live_server + "/api/v1/knowledge-bases/lumo-sonic-3/audit",
        headers={"X-API-Key": TEST_KEYS["admin"]},
    ).json()
    assert (audit[0]["actor"], audit[0]["action"], audit[0]["changed"]) == ("erin", "update_item", ["facts/F10"])


def test_a_reviewer_gives_feedback_on_a_check_result(live_server: str, page: Page) -> None:
    # Two wrong figures the check flags, and a base soaked in water (usage, F8) it misses; written for this test.
    post = "周末带去露营,这台榨汁杯能装450毫升,电池4000毫安时。底座直接泡水里冲一冲就干净了。"
    page.goto(live_server + "/")
    page.select_option("#kb", "chengfeng-p5")
    page.fill("#text", post)
    page.click("#check-button")
    flags = page.locator("#feedback .fb-flag")
    expect(flags).to_have_count(2)
    expect(flags.nth(0)).to_contain_text("numeric · F1")
    flags.nth(0).get_by_role("button", name="Right").click()
    flags.nth(1).focus()
    page.keyboard.press("w")  # the shortcut for wrong
    expect(flags.nth(1).get_by_role("button", name="Wrong")).to_have_attribute("aria-pressed", "true")
    expect(flags.nth(0).get_by_role("button", name="Right")).to_have_attribute("aria-pressed", "true")
    page.locator(".seg").nth(1).click()  # the sentence with the missed distortion
    expect(page.locator("#feedback .fb-selected")).to_have_text("底座直接泡水里冲一冲就干净了。")
    page.select_option("#fb-missed-kind", "usage")
    page.select_option("#fb-missed-fact", "F8")
    page.get_by_role("button", name="Add missed distortion").click()
    expect(page.locator("#feedback .fb-added li")).to_contain_text("usage · F8")
    page.locator("#feedback .fb-key_messages li[data-id='M1']").get_by_role("button", name="Reject").click()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#feedback .fb-status")).to_contain_text("Feedback saved")
    shot(page, "check-feedback")
    entries = httpx.get(live_server + "/api/v1/knowledge-bases/chengfeng-p5/feedback").json()["entries"]
    entry = next(e for e in entries if e["text"] == post)
    assert [(m["distortion"], m["right"]) for m in entry["marks"]] == [(0, True), (1, False)]
    base = post.index("底座")
    assert [(m["start"], m["end"], m["kind"], m["fact_id"]) for m in entry["missed"]] == [
        (base, len(post), "usage", "F8")
    ]
    assert entry["key_messages"] == [{"id": "M1", "right": False}] and entry["reviewer"] == "local"


def test_a_reviewer_walks_the_review_queue_with_the_keyboard(live_server: str, page: Page, tmp_path: Path) -> None:
    posts = [
        {"id": "q-cup", "text": "这杯子能装480毫升,上班路上带着刚好。", "likes": 2},
        {"id": "q-rpm", "text": "电机一分钟能转30000转,打得特别细。", "likes": 50},
        {"id": "q-ok", "text": "早上榨了一杯橙汁,味道不错。"},
    ]
    upload = tmp_path / "posts.jsonl"
    upload.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts), encoding="utf-8")
    page.goto(live_server + "/batch")
    page.select_option("#kb", "chengfeng-p5")
    page.set_input_files("#batch-file", str(upload))
    page.click("#batch-button")
    expect(page.locator("#review-button")).to_be_visible(timeout=120_000)
    page.click("#review-button")
    expect(page.locator("#review-progress")).to_contain_text("of 2")
    page.select_option("#review-order", "reach")
    expect(page.locator("#review-progress")).to_contain_text("q-rpm")
    expect(page.locator("#review-facts")).to_contain_text("F4")
    expect(page.locator("#review-feedback .fb-flag")).to_have_count(1)
    page.locator("#review-feedback .fb-flag").first.focus()
    page.keyboard.press("r")  # right, and past the last flag: sends and moves on
    expect(page.locator("#review-progress")).to_contain_text("q-cup")
    expect(page.locator("#review-progress")).to_contain_text("1 reviewed")
    page.locator("#review-post").click()
    page.keyboard.press("n")  # nothing marked: skips
    expect(page.locator("#review-progress")).to_contain_text("Queue done: 1 reviewed, 1 skipped")
    shot(page, "review-queue")
    page.goto(live_server + "/knowledge-bases")
    page.select_option("#kb", "chengfeng-p5")
    expect(page.locator("#agreement-summary")).to_contain_text("reviewed posts")
    expect(page.locator("#chart-agreement svg rect").first).to_be_visible()
    shot(page, "knowledge-base-agreement")
