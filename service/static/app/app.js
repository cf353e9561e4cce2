// brandcheck reviewer pages. No framework, no external resources; user text is only ever set with
// textContent (never innerHTML), so a post containing <script> shows as text and runs nothing.
"use strict";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
const canEdit = () => document.body.dataset.canEdit === "true";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(method, url, body, headers = {}) {
  const init = { method, headers: { "x-csrftoken": csrfToken(), ...headers } };
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer) init.body = body;
    else { init.body = JSON.stringify(body); init.headers["content-type"] = "application/json"; }
  }
  const response = await fetch(url, init);
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const extra = data && data.extra ? " " + JSON.stringify(data.extra) : "";
    throw new Error((data && data.detail ? data.detail : response.statusText) + extra);
  }
  return data;
}

function showError(target, error) {
  const node = typeof target === "string" ? document.getElementById(target) : target;
  node.textContent = error ? String(error.message || error) : "";
  node.hidden = !error;
}

// ---------------------------------------------------------------- check page

function kindClass(sentence) {
  if (sentence.distortions.length) return "k-" + sentence.distortions[0].kind;
  return "v-" + sentence.verdict;
}

// The page asks the check for UTF-16 offsets, so text.slice(start, end) is exact for any Unicode text (a
// character outside the BMP, as most emoji and 𠮷, is one code point, the API's default unit, but two units here).
function spanOf(text, span) { return text.slice(span.start, span.end); }

function renderDetails(sentence, text) {
  const box = document.getElementById("details");
  box.replaceChildren();
  box.append(el("h4", { text: sentence.text }));
  if (!sentence.distortions.length) {
    const fact = sentence.facts[0];
    box.append(el("p", { text: sentence.verdict === "consistent" ? "Consistent with the official facts." : "Not about the knowledge base." }));
    if (fact && sentence.verdict === "consistent") box.append(el("p", {}, "Nearest fact: ", el("q", { text: fact.text })));
  }
  for (const d of sentence.distortions) {
    const section = el("div", { class: "distortion" });
    section.append(el("p", { class: "kind", text: d.kind }));
    section.append(el("p", { class: "confidence", text: `Confidence: ${Math.round(d.confidence * 100)}%` }));
    section.append(el("p", { text: d.explanation }));
    if (d.fact_text) section.append(el("p", {}, el("strong", { text: "Official: " }), el("span", { class: "official", text: d.fact_text })));
    section.append(el("p", {}, el("strong", { text: "Suggested correction: " }),
      el("span", { class: "correction", text: d.correction || "(remove this sentence)" })));
    if (d.edit) {
      const change = el("p", { class: "edit" }, el("strong", { text: "Edit: " }), el("del", { text: spanOf(text, d.edit) }));
      if (d.edit.text) change.append(" → ", el("ins", { text: d.edit.text }));
      section.append(change);
    }
    box.append(section);
  }
  box.hidden = false;
}

// The post with each sentence highlighted by verdict; a sentence is selected by a click, or Tab then Enter.
function highlightInto(area, result, text, onSelect) {
  area.replaceChildren();
  area.lang = result.lang === "en" ? "en" : result.lang === "zh" ? "zh-Hans" : "";
  let cursor = 0;
  for (const sentence of result.sentences) {
    if (sentence.start > cursor) area.append(document.createTextNode(text.slice(cursor, sentence.start)));
    const label = sentence.distortions.length ? sentence.distortions.map(d => d.kind).join(", ") + " distortion" : sentence.verdict;
    const span = el("span", { class: "seg " + kindClass(sentence), tabindex: "0", role: "button", "aria-label": label + ": " + sentence.text,
      "data-verdict": sentence.verdict, "data-kinds": sentence.distortions.map(d => d.kind).join(" ") });
    span.textContent = spanOf(text, sentence);
    const select = () => {
      area.querySelectorAll(".seg.selected").forEach(node => node.classList.remove("selected"));
      span.classList.add("selected");
      onSelect(sentence);
    };
    span.addEventListener("click", select);
    span.addEventListener("focus", select);
    span.addEventListener("keydown", event => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(); } });
    area.append(span);
    cursor = sentence.end;
  }
  if (cursor < text.length) area.append(document.createTextNode(text.slice(cursor)));
}

let checkPanel = null;

function renderCheck(result, text) {
  highlightInto(document.getElementById("highlighted"), result, text, sentence => {
    renderDetails(sentence, text);
    if (checkPanel) checkPanel.selectSentence(sentence);
  });
  document.getElementById("details").hidden = true;
  document.getElementById("corrected").value = result.corrected_text;
  document.getElementById("score").textContent = Math.round(result.consistency_score * 100) + "%";
  const list = (id, items, describe) => {
    const node = document.getElementById(id);
    node.replaceChildren(...(items.length ? items.map(item => el("li", { text: describe(item) })) : [el("li", { text: "none" })]));
  };
  list("carried", result.key_messages_carried, m => `${m.id}: ${m.text} (confidence ${Math.round(m.confidence * 100)}%)`);
  list("missed", result.key_messages_missed, m => `${m.id}: ${m.text}`);
  list("avoid", result.avoid_topics_touched, a => `${a.id}: ${a.text} (“${a.sentence}”)`);
  document.getElementById("result").hidden = false;
}

async function readPostsFile(file) {
  const text = await file.text();
  const name = file.name.toLowerCase();
  if (name.endsWith(".jsonl")) return text.split(/\r?\n/).filter(Boolean).map(line => JSON.parse(line).text || "").join("\n");
  if (name.endsWith(".csv")) {
    const rows = text.split(/\r?\n/);
    const header = rows.shift().split(",").map(h => h.trim().toLowerCase());
    const column = header.indexOf("text");
    if (column < 0) throw new Error("the CSV needs a 'text' column");
    return rows.filter(Boolean).map(row => (row.match(/("([^"]|"")*"|[^,]*)(,|$)/g) || [])[column] || "")
      .map(cell => cell.replace(/,$/, "").replace(/^"|"$/g, "").replace(/""/g, '"')).join("\n");
  }
  return text;
}

function initCheck() {
  const form = document.getElementById("check-form");
  document.getElementById("file").addEventListener("change", async event => {
    const file = event.target.files[0];
    if (!file) return;
    try { document.getElementById("text").value = await readPostsFile(file); showError("check-error", null); }
    catch (error) { showError("check-error", error); }
  });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const text = document.getElementById("text").value;
    const kb = document.getElementById("kb").value;
    const button = document.getElementById("check-button");
    button.disabled = true;
    try {
      const result = await api("POST", `/ui/check/${encodeURIComponent(kb)}`, { text, offsets: "utf16" });
      showError("check-error", null);
      checkPanel = null;
      renderCheck(result, text);
      checkPanel = await feedbackPanel(document.getElementById("feedback"), {
        kbId: kb, text, result, onNext: () => document.querySelector("#feedback .fb-send").focus(),
      });
    } catch (error) { showError("check-error", error); }
    finally { button.disabled = false; }
  });
  document.getElementById("copy-corrected").addEventListener("click", async () => {
    const box = document.getElementById("corrected");
    const status = document.getElementById("copy-status");
    try { await navigator.clipboard.writeText(box.value); status.textContent = "Copied."; }
    catch { box.focus(); box.select(); status.textContent = "Selected: press Ctrl+C to copy."; }
  });
}

// ---------------------------------------------------------------- feedback on a verdict

const KINDS = ["numeric", "usage", "contradiction", "prohibited", "absolute"];
const knowledgeBases = {};
function knowledgeBase(id) {
  if (!knowledgeBases[id]) knowledgeBases[id] = api("GET", `/api/v1/knowledge-bases/${encodeURIComponent(id)}`);
  return knowledgeBases[id];
}

function options(select, entries) {
  select.replaceChildren(...entries.map(([value, text]) => el("option", { value, text })));
  return select;
}

function factEntries(kb, first) {
  return [first, ...kb.facts.map(f => [f.id, `${f.id}: ${f.text}`]),
    ...kb.prohibited_claims.map(p => [p.id, `${p.id} (prohibited claim): ${p.text}`])];
}

// The panel under a check result: right / wrong on each flag (optionally what it really is), distortions
// added on a selected sentence, carried messages and touched topics confirmed or rejected. Spans are UTF-16.
// Keys (outside text fields): r = right, w = wrong (both move on to the next flag), n = next.
let activePanel = null;

async function feedbackPanel(box, { kbId, text, result, source, onSaved, onNext }) {
  const kb = await knowledgeBase(kbId);
  const marks = new Map(), verdicts = { key_messages: new Map(), avoid_topics: new Map() };
  const missed = [];
  let current = 0, selected = null;
  box.replaceChildren();
  box.hidden = false;
  box.append(el("h3", { text: "Your feedback" }),
    el("p", { class: "hint", text: "Keys: r marks the current flag right, w wrong, n goes to the next flag (then sends)." }));

  const flags = el("ol", { class: "fb-flags", "aria-label": "Flagged distortions" });
  const rows = result.distortions.map((d, index) => {
    const right = el("button", { type: "button", class: "fb-right", "aria-pressed": "false", text: "Right" });
    const wrong = el("button", { type: "button", class: "fb-wrong", "aria-pressed": "false", text: "Wrong" });
    const kind = options(el("select", { class: "fb-kind", "aria-label": "What it really is" }),
      [["", "not a distortion"], ...KINDS.map(k => [k, `really ${k}`])]);
    const fact = options(el("select", { class: "fb-fact", "aria-label": "The fact it really distorts" }),
      factEntries(kb, ["", "the flagged fact"]));
    const relabel = el("span", { class: "fb-relabel", hidden: "" }, kind, " ", fact);
    const row = el("li", { class: "fb-flag", tabindex: "0", "data-index": String(index) },
      el("span", { class: "fb-label", text: `${d.kind}${d.fact_id ? " · " + d.fact_id : ""}: ` }),
      el("q", { text: spanOf(text, d) }), " ", right, " ", wrong, " ", relabel);
    const update = () => {
      const mark = marks.get(index);
      right.setAttribute("aria-pressed", String(mark?.right === true));
      wrong.setAttribute("aria-pressed", String(mark?.right === false));
      row.dataset.mark = mark ? (mark.right ? "right" : "wrong") : "";
      relabel.hidden = !(mark && !mark.right);
    };
    const set = value => { marks.set(index, { right: value }); update(); };
    right.addEventListener("click", () => { current = index; set(true); });
    wrong.addEventListener("click", () => { current = index; set(false); });
    row.addEventListener("focus", () => { current = index; focusRow(); });
    row.mark = set;
    row.relabel = () => {
      const mark = { distortion: index, right: marks.get(index).right };
      if (!mark.right && kind.value) mark.kind = kind.value;
      if (!mark.right && fact.value) mark.fact_id = fact.value;
      return mark;
    };
    return row;
  });
  flags.append(...(rows.length ? rows : [el("li", { text: "The check flagged nothing." })]));
  box.append(el("h4", { text: "Flagged distortions" }), flags);

  const focusRow = () => rows.forEach((row, i) => row.classList.toggle("current", i === current));
  const next = () => {
    if (current < rows.length - 1) { current += 1; rows[current].focus(); focusRow(); }
    else if (onNext) onNext();
  };

  const where = el("span", { class: "fb-selected", text: "select a sentence of the post first" });
  const missedKind = options(el("select", { id: "fb-missed-kind", "aria-label": "Kind of the missed distortion" }), KINDS.map(k => [k, k]));
  const missedFact = options(el("select", { id: "fb-missed-fact", "aria-label": "Fact of the missed distortion" }),
    factEntries(kb, ["", "no fact (absolute claim)"]));
  const add = el("button", { type: "button", class: "fb-add", text: "Add missed distortion" });
  const added = el("ul", { class: "fb-added" });
  add.addEventListener("click", () => {
    if (!selected) { status.textContent = "Select the sentence of the missed distortion in the post first."; return; }
    const item = { start: selected.start, end: selected.end, kind: missedKind.value, fact_id: missedFact.value || null };
    missed.push(item);
    const remove = el("button", { type: "button", text: "Remove" });
    const line = el("li", {}, `${item.kind}${item.fact_id ? " · " + item.fact_id : ""}: `, el("q", { text: spanOf(text, item) }), " ", remove);
    remove.addEventListener("click", () => { missed.splice(missed.indexOf(item), 1); line.remove(); });
    added.append(line);
  });
  box.append(el("h4", { text: "Missed by the check" }),
    el("p", {}, "On the selected sentence: ", where), el("div", { class: "fb-row" }, missedKind, " ", missedFact, " ", add), added);

  const itemMarks = (name, title, items) => {
    const list = el("ul", { class: `fb-${name}` });
    for (const item of items) {
      const yes = el("button", { type: "button", class: "fb-confirm", "aria-pressed": "false", text: "Confirm" });
      const no = el("button", { type: "button", class: "fb-reject", "aria-pressed": "false", text: "Reject" });
      const set = value => { verdicts[name].set(item.id, value); yes.setAttribute("aria-pressed", String(value)); no.setAttribute("aria-pressed", String(!value)); };
      yes.addEventListener("click", () => set(true));
      no.addEventListener("click", () => set(false));
      list.append(el("li", { "data-id": item.id }, `${item.id}: ${item.text} `, yes, " ", no));
    }
    if (!items.length) list.append(el("li", { text: "none" }));
    box.append(el("h4", { text: title }), list);
  };
  itemMarks("key_messages", "Key messages carried", result.key_messages_carried);
  itemMarks("avoid_topics", "Avoid-topics touched", result.avoid_topics_touched);

  const send = el("button", { type: "button", class: "fb-send", text: "Send feedback" });
  const status = el("span", { class: "fb-status", role: "status" });
  const error = el("p", { class: "error fb-error", role: "alert", hidden: "" });
  box.append(el("p", {}, send, " ", status), error);

  const body = () => ({
    text, offsets: "utf16",
    verdict: {
      kb_version: result.kb_version,
      distortions: result.distortions.map(d => ({ kind: d.kind, fact_id: d.fact_id, start: d.start, end: d.end, confidence: d.confidence })),
      key_messages_carried: result.key_messages_carried.map(m => m.id),
      avoid_topics_touched: result.avoid_topics_touched.map(t => t.id),
    },
    marks: [...marks.keys()].sort((a, b) => a - b).map(index => rows[index].relabel()),
    missed: missed.map(({ start, end, kind, fact_id }) => ({ start, end, kind, fact_id })),
    key_messages: [...verdicts.key_messages].map(([id, right]) => ({ id, right })),
    avoid_topics: [...verdicts.avoid_topics].map(([id, right]) => ({ id, right })),
    ...(source ? { source } : {}),
  });
  const submit = async () => {
    send.disabled = true;
    try {
      const entry = await api("POST", `/ui/feedback/${encodeURIComponent(kbId)}`, body());
      showError(error, null);
      status.textContent = `Feedback saved (${entry.id}).`;
      if (onSaved) onSaved(entry);
    } catch (failure) { showError(error, failure); }
    finally { send.disabled = false; }
  };
  send.addEventListener("click", submit);

  const panel = {
    marked: () => marks.size + missed.length + verdicts.key_messages.size + verdicts.avoid_topics.size > 0,
    selectSentence: sentence => { selected = sentence; where.textContent = spanOf(text, sentence); },
    key: key => {
      if ((key === "r" || key === "w") && rows.length) { rows[current].mark(key === "r"); next(); return true; }
      if (key === "n") { next(); return true; }
      return false;
    },
    submit,
  };
  focusRow();
  activePanel = panel;
  return panel;
}

document.addEventListener("keydown", event => {
  if (!activePanel || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest && event.target.closest("input, select, textarea")) return;
  if (activePanel.key(event.key.toLowerCase())) event.preventDefault();
});

// ---------------------------------------------------------------- review queue (batch page)

function initReview(jobId) {
  const section = document.getElementById("review");
  const order = document.getElementById("review-order");
  const error = document.getElementById("review-error");
  let queue = null;
  const render = async data => {
    queue = data;
    const progress = document.getElementById("review-progress");
    const done = `${data.reviewed} reviewed, ${data.skipped} skipped, ${data.remaining} left of ${data.total} flagged posts`;
    const post = document.getElementById("review-post"), facts = document.getElementById("review-facts");
    const feedback = document.getElementById("review-feedback");
    if (!data.current) {
      progress.textContent = `Queue done: ${done}.`;
      post.replaceChildren(); facts.replaceChildren(); feedback.replaceChildren();
      activePanel = null;
      return;
    }
    const item = data.current;
    progress.textContent = `Post ${item.position} of ${data.total} (${item.post.id}, confidence ${Math.round(item.post.confidence * 100)}%, reach ${item.post.reach}): ${done}.`;
    let panel = null;
    highlightInto(post, item.check, item.post.text, sentence => { if (panel) panel.selectSentence(sentence); });
    facts.replaceChildren(...(item.facts.length ? item.facts.map(f => el("li", { text: `${f.id}: ${f.text}` })) : [el("li", { text: "none" })]));
    panel = await feedbackPanel(feedback, {
      kbId: data.kb_id, text: item.post.text, result: item.check,
      source: { job_id: data.job_id, post_index: item.post.index },
      onSaved: () => load(), onNext: () => (panel.marked() ? panel.submit() : skip()),
    });
  };
  const load = async () => {
    try { await render(await api("GET", `/api/v1/analyses/${jobId}/review?offsets=utf16&order=${order.value}`)); showError(error, null); }
    catch (failure) { showError(error, failure); }
  };
  const skip = async () => {
    if (!queue || !queue.current) return;
    try { await render(await api("POST", `/ui/analyses/${jobId}/review/skip`, { post_index: queue.current.post.index })); showError(error, null); }
    catch (failure) { showError(error, failure); }
  };
  order.onchange = load;
  document.getElementById("review-skip").onclick = skip;
  section.hidden = false;
  load();
}

// ---------------------------------------------------------------- reviewer agreement (knowledge-base page)

async function loadAgreement(id) {
  const box = document.getElementById("kb-feedback");
  const summary = await api("GET", `/api/v1/knowledge-bases/${encodeURIComponent(id)}/feedback/summary`);
  const percent = value => (value == null ? "—" : `${Math.round(value * 100)}%`);
  const o = summary.overall;
  document.getElementById("agreement-summary").textContent = summary.entries
    ? `${summary.entries} reviewed posts: agreement ${percent(o.agreement)}, precision ${percent(o.precision)}, recall ${percent(o.recall)} ` +
      `(${o.right} of ${o.marked} flags right, ${o.missed} missed).`
    : "No feedback yet: reviewers give it on the check page and in the batch page's review queue.";
  barChart(document.getElementById("chart-agreement"), summary.by_kind.map(k => ({
    label: k.kind, value: k.precision || 0, colour: KIND_COLOURS[k.kind],
    text: `P ${percent(k.precision)} · R ${percent(k.recall)}`,
  })), "#555");
  barChart(document.getElementById("chart-weeks"), summary.weeks.map(w => ({
    label: w.week, value: w.agreement || 0, text: `${percent(w.agreement)} (${w.entries})`,
  })), "#0b5cad");
  box.hidden = false;
}

// ---------------------------------------------------------------- batch page

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function barChart(container, rows, colour) {
  const height = 28 * rows.length + 8;
  const chart = svg("svg", { viewBox: `0 0 420 ${height}`, role: "img", "aria-label": container.previousElementSibling?.textContent || "chart" });
  const peak = Math.max(1, ...rows.map(r => r.value));
  rows.forEach((row, i) => {
    const width = (row.value / peak) * 250;
    chart.append(svg("text", { x: 0, y: 28 * i + 20 }, row.label));
    chart.append(svg("rect", { x: 110, y: 28 * i + 6, width: width.toFixed(1), height: 18, fill: row.colour || colour }));
    chart.append(svg("text", { x: 116 + width, y: 28 * i + 20 }, row.text));
  });
  container.replaceChildren(chart);
}

function trendChart(container, timeline) {
  if (!timeline || timeline.buckets.length < 2) { container.replaceChildren(el("p", { text: "No timestamps: no trend." })); return; }
  const buckets = timeline.buckets, w = 400, h = 140, peak = Math.max(1, ...buckets.map(b => b.posts));
  const x = i => (i * w) / (buckets.length - 1), y = v => h - (v / peak) * (h - 10);
  const line = values => values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const chart = svg("svg", { viewBox: `-30 -5 ${w + 40} ${h + 30}`, role: "img", "aria-label": "Posts and distorted posts per " + timeline.granularity });
  chart.append(svg("polyline", { points: line(buckets.map(b => b.posts)), fill: "none", stroke: "#2b7a3d", "stroke-width": 2 }));
  chart.append(svg("polyline", { points: line(buckets.map(b => b.distorted_posts)), fill: "none", stroke: "#b35806", "stroke-width": 2, "stroke-dasharray": "5 3" }));
  chart.append(svg("text", { x: 0, y: h + 20 }, buckets[0].period));
  chart.append(svg("text", { x: w - 70, y: h + 20 }, buckets[buckets.length - 1].period));
  container.replaceChildren(chart);
}

const KIND_COLOURS = { numeric: "#b35806", usage: "#7b3294", contradiction: "#c51b7d", prohibited: "#8b0000", absolute: "#1f5fa8" };

function renderBatch(jobId, result) {
  document.getElementById("batch-summary").textContent =
    `${result.posts} posts, ${result.distorted_posts} with distortions; dilution ${Math.round(result.dilution.dilution * 100)}%, ` +
    `off-topic ${Math.round(result.dilution.off_topic_share * 100)}%, novelty ${result.homogenisation.novelty_index.toFixed(2)}.`;
  document.getElementById("dl-json").href = `/api/v1/analyses/${jobId}/result`;
  document.getElementById("dl-csv").href = `/api/v1/analyses/${jobId}/distortions.csv`;
  document.getElementById("dl-html").href = `/api/v1/analyses/${jobId}/report.html`;
  barChart(document.getElementById("chart-messages"),
    result.key_messages.map(m => ({ label: m.id, value: m.pull_through, text: `${(m.pull_through * 100).toFixed(1)}%` })), "#2b7a3d");
  const kinds = {};
  for (const d of result.distortions) kinds[d.kind] = (kinds[d.kind] || 0) + d.posts;
  barChart(document.getElementById("chart-kinds"),
    Object.entries(kinds).map(([kind, n]) => ({ label: kind, value: n, text: String(n), colour: KIND_COLOURS[kind] })), "#555");
  trendChart(document.getElementById("chart-trend"), result.timeline);
  const body = document.querySelector("#top-distortions tbody");
  body.replaceChildren(...result.distortions.slice(0, 15).map(d => el("tr", {},
    el("td", { text: `${d.fact_id || "—"} ${d.fact_text || ""}` }), el("td", { text: d.kind }),
    el("td", { text: `${d.posts} (${(d.share * 100).toFixed(1)}%)` }),
    el("td", { text: d.confidence == null ? "—" : `${Math.round(d.confidence * 100)}%` }),
    el("td", { text: String(d.reach) }), el("td", { text: d.correction }))));
  document.getElementById("batch-result").hidden = false;
}

function initBatch() {
  let current = null;
  document.getElementById("batch-form").addEventListener("submit", async event => {
    event.preventDefault();
    const file = document.getElementById("batch-file").files[0];
    const kb = document.getElementById("kb").value;
    if (!file) return;
    document.getElementById("batch-result").hidden = true;
    try {
      const job = await api("POST", `/ui/analyses/${encodeURIComponent(kb)}`, await file.arrayBuffer(),
        { "content-type": file.type || "application/octet-stream", "x-filename": file.name });
      showError("batch-error", null);
      current = job.id;
      document.getElementById("progress-section").hidden = false;
      poll(job.id);
    } catch (error) { showError("batch-error", error); }
  });
  document.getElementById("cancel-button").addEventListener("click", async () => {
    if (current) { try { await api("POST", `/ui/analyses/${current}/cancel`); } catch (error) { showError("batch-error", error); } }
  });
  async function poll(jobId) {
    const job = await api("GET", `/api/v1/analyses/${jobId}`);
    const bar = document.getElementById("progress");
    bar.max = job.total; bar.value = job.done;
    const eta = job.eta_seconds != null ? `, about ${Math.ceil(job.eta_seconds)} s left` : "";
    document.getElementById("progress-text").textContent = `${job.status}: ${job.done} of ${job.total} posts${job.status === "running" ? eta : ""}`;
    document.getElementById("cancel-button").hidden = ["succeeded", "failed", "cancelled"].includes(job.status);
    if (job.status === "succeeded") {
      renderBatch(jobId, await api("GET", `/api/v1/analyses/${jobId}/result`));
      document.getElementById("review-button").onclick = () => initReview(jobId);
    }
    else if (job.status === "failed") showError("batch-error", new Error(job.error || "the analysis failed"));
    else if (job.status !== "cancelled") setTimeout(() => poll(jobId), 500);
  }
}

// ---------------------------------------------------------------- knowledge-base page

const SECTIONS = [["facts", "Facts"], ["key-messages", "Key messages"], ["avoid-topics", "Avoid-topics"], ["prohibited-claims", "Prohibited claims"]];

async function loadKnowledgeBase() {
  const id = document.getElementById("kb").value;
  const view = document.getElementById("kb-view");
  if (!id) return;
  try {
    const kb = await api("GET", `/api/v1/knowledge-bases/${encodeURIComponent(id)}`);
    view.replaceChildren(el("p", { text: `${kb.brand} · ${kb.product} · ${kb.lang} · version ${kb.version}` }));
    for (const [segment, title] of SECTIONS) {
      const items = kb[segment.replace("-", "_").replace("-", "_")];
      const rows = items.map(item => {
        const cell = el("td", { class: "item-text", text: item.text });
        if (!canEdit()) return el("tr", {}, el("th", { scope: "row", text: item.id }), cell);
        cell.setAttribute("tabindex", "0");
        cell.title = "Select to edit";
        const edit = () => {
          const box = el("textarea", { rows: "3", "aria-label": `Text of ${item.id}` });
          box.value = item.text;
          const save = el("button", { type: "button", text: "Save" });
          save.addEventListener("click", async () => {
            try {
              await api("PUT", `/ui/knowledge-bases/${encodeURIComponent(id)}/${segment}/${encodeURIComponent(item.id)}`, { ...item, text: box.value });
              showError("kb-error", null);
              loadKnowledgeBase();
            } catch (error) { showError("kb-error", error); }
          });
          cell.replaceChildren(box, save);
          box.focus();
        };
        cell.addEventListener("click", () => { if (!cell.querySelector("textarea")) edit(); });
        cell.addEventListener("keydown", event => { if (event.key === "Enter" && !cell.querySelector("textarea")) { event.preventDefault(); edit(); } });
        return el("tr", {}, el("th", { scope: "row", text: item.id }), cell);
      });
      const table = el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Id" }), el("th", { scope: "col", text: "Text" }))), el("tbody", {}, ...rows));
      view.append(el("section", { class: "kb-section" }, el("h2", { text: `${title} (${items.length})` }), table));
    }
    await loadAgreement(id);
  } catch (error) { showError("kb-error", error); }
}

function initKnowledgeBases() {
  document.getElementById("kb").addEventListener("change", loadKnowledgeBase);
  loadKnowledgeBase();
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  if (page === "check") initCheck();
  else if (page === "batch") initBatch();
  else if (page === "kb") initKnowledgeBases();
});
