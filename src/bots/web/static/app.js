// The playground page: one SSE stream per conversation, one card per turn. Model text is
// untrusted: it only ever reaches the DOM as textContent, or through markdown() below,
// which escapes every HTML character before adding its own few tags.

const $ = (id) => document.getElementById(id);
const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");

let conversation = randomId();
let source;
const turns = new Map();

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
const inline = (s) =>
  s
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/(^|[^\w])_([^_\s][^_]*)_(?=[^\w]|$)/g, "$1<em>$2</em>");
const LIST = /^\s*([-*]|\d+\.)\s+/;
const BLOCK = /^```|^#{1,4}\s|^>/;

/** A tiny Markdown subset (fences, headings, lists, bold, italics, code) over escaped text. */
function markdown(src) {
  const out = [];
  const lines = src.split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const code = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i])) code.push(lines[i++]);
      i++;
      out.push(`<pre><code>${escapeHtml(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length + 2;
      out.push(`<h${level}>${inline(escapeHtml(heading[2]))}</h${level}>`);
      i++;
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quote = [];
      while (i < lines.length && /^>\s?/.test(lines[i]))
        quote.push(lines[i++].replace(/^>\s?/, ""));
      out.push(
        `<blockquote>${inline(escapeHtml(quote.join("\n"))).replace(/\n/g, "<br>")}</blockquote>`,
      );
      continue;
    }
    if (LIST.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items = [];
      while (i < lines.length && LIST.test(lines[i]))
        items.push(`<li>${inline(escapeHtml(lines[i++].replace(LIST, "")))}</li>`);
      out.push(ordered ? `<ol>${items.join("")}</ol>` : `<ul>${items.join("")}</ul>`);
      continue;
    }
    if (line.trim() === "") {
      i++;
      continue;
    }
    const para = [];
    while (
      i < lines.length &&
      lines[i].trim() !== "" &&
      !BLOCK.test(lines[i]) &&
      !LIST.test(lines[i])
    )
      para.push(lines[i++]);
    out.push(`<p>${inline(escapeHtml(para.join("\n"))).replace(/\n/g, "<br>")}</p>`);
  }
  return out.join("");
}
window.moaMarkdown = markdown;

function newTurn(id, question) {
  const card = el("section", "turn");
  card.dataset.turn = id;
  const head = el("div", "question", question);
  const stop = el("button", "stop", "Stop");
  stop.type = "button";
  stop.hidden = true;
  stop.addEventListener("click", () => stopRun(turn));
  head.append(stop);
  const proposers = el("div", "proposers");
  const answer = el("div", "answer");
  const receipt = el("div", "receipt");
  const timeline = el("div", "timeline");
  card.append(head, proposers, answer, receipt, timeline);
  $("turns").append(card);
  const turn = {
    id,
    card,
    stop,
    proposers,
    answer,
    receipt,
    timeline,
    cells: new Map(),
    calls: new Map(),
    text: "",
    isRun: false,
    answerText: "",
    stopKey: undefined,
    startAt: 0,
    done: false,
  };
  turns.set(id, turn);
  return turn;
}

function cell(turn, e, at) {
  const key = `${e.layer}:${e.index}`;
  let c = turn.cells.get(key);
  if (!c) {
    const box = el("div", "proposer");
    box.dataset.key = key;
    const head = el("div", "head");
    const name = el("span", "model", `L${e.layer} #${e.index + 1} ${e.model}`);
    const state = el("span", "state", "waiting");
    const stats = el("span", "stats", "");
    head.append(name, state, stats);
    const body = el("div", "body");
    box.append(head, body);
    turn.proposers.append(box);
    c = { box, state, stats, body, text: "", tokens: 0, start: at, end: undefined };
    turn.cells.set(key, c);
  }
  return c;
}

function call(turn, key, label, at) {
  let c = turn.calls.get(key);
  if (!c) {
    c = { key, label, layer: 0, start: at, first: undefined, end: undefined, ok: true };
    turn.calls.set(key, c);
  }
  return c;
}

function setState(c, state) {
  c.state.textContent = state;
  c.box.className = `proposer ${state}`;
}

function onMoa(turn, at, e) {
  turn.isRun = true;
  switch (e.type) {
    case "run-start":
      turn.startAt = at;
      break;
    case "proposer-start": {
      cell(turn, e, at);
      call(turn, `${e.layer}:${e.index}`, `L${e.layer} ${e.model}`, at).layer = e.layer;
      break;
    }
    case "proposer-delta": {
      const c = cell(turn, e, at);
      c.text += e.text;
      c.tokens++;
      c.body.textContent = c.text;
      setState(c, "writing");
      const k = call(turn, `${e.layer}:${e.index}`, e.model, at);
      k.first ??= at;
      break;
    }
    case "proposer-retry": {
      const c = cell(turn, e, at);
      c.text = "";
      setState(c, "retrying");
      break;
    }
    case "proposer-end": {
      const c = cell(turn, e, at);
      c.text = e.draft.text;
      c.body.textContent = c.text;
      c.tokens = e.draft.usage.outputTokens || c.tokens;
      c.end = at;
      setState(c, "done");
      call(turn, `${e.layer}:${e.index}`, e.model, at).end = at;
      break;
    }
    case "proposer-error": {
      const c = cell(turn, e, at);
      c.end = at;
      setState(c, e.skipped ? "skipped" : "failed");
      c.body.textContent = e.error.message;
      const k = call(turn, `${e.layer}:${e.index}`, e.model, at);
      k.end = at;
      k.ok = false;
      break;
    }
    case "aggregate-start":
      call(turn, "agg", `aggregator ${e.model}`, at).layer = e.layer;
      break;
    case "aggregate-delta": {
      call(turn, "agg", "aggregator", at).first ??= at;
      turn.answerText += e.text;
      turn.answer.innerHTML = markdown(turn.answerText);
      break;
    }
    case "aggregate-end":
      call(turn, "agg", "aggregator", at).end = at;
      turn.answerText = e.text;
      turn.answer.innerHTML = markdown(turn.answerText);
      break;
    case "run-end":
    case "run-error":
      turn.done = true;
      for (const k of turn.calls.values()) k.end ??= at;
      break;
  }
}

/** The calls that decided the run's length: the last to finish in each layer, then the aggregator. */
function criticalPath(calls) {
  const last = new Map();
  for (const c of calls) {
    const best = last.get(c.layer);
    if (!best || (c.end ?? Infinity) > (best.end ?? Infinity)) last.set(c.layer, c);
  }
  return new Set(last.values());
}

function drawTimeline(turn, now) {
  const calls = [...turn.calls.values()];
  if (calls.length === 0) return;
  const t0 = turn.startAt || Math.min(...calls.map((c) => c.start));
  const t1 = Math.max(now, ...calls.map((c) => c.end ?? now));
  const span = Math.max(1, t1 - t0);
  const pct = (t) => `${(((t - t0) / span) * 100).toFixed(2)}%`;
  const width = (a, b) => `${(((b - a) / span) * 100).toFixed(2)}%`;
  const critical = criticalPath(calls);
  turn.timeline.replaceChildren(
    el("div", "title", "Timeline (light: waiting for the first token; orange: critical path)"),
  );
  for (const c of calls) {
    const end = c.end ?? now;
    const row = el("div", critical.has(c) ? "row critical" : "row");
    const track = el("div", "track");
    const first = c.first ?? end;
    const wait = el("div", "wait");
    wait.style.left = pct(c.start);
    wait.style.width = width(c.start, first);
    const bar = el("div", "bar");
    bar.style.left = pct(first);
    bar.style.width = width(first, end);
    track.append(wait, bar);
    row.append(
      el("span", "label", c.label),
      track,
      el("span", "secs", `${((end - c.start) / 1000).toFixed(1)} s`),
    );
    turn.timeline.append(row);
  }
}

function tick() {
  const now = Date.now();
  for (const turn of turns.values()) {
    if (!turn.isRun) continue;
    for (const c of turn.cells.values())
      c.stats.textContent = `${(((c.end ?? now) - c.start) / 1000).toFixed(1)} s · ${c.tokens} tok`;
    if (!turn.drawnDone) drawTimeline(turn, now);
    if (turn.done) turn.drawnDone = true;
  }
}
setInterval(tick, 250);

function finish(turn) {
  const text = turn.text;
  if (!turn.isRun) {
    if (text) turn.answer.append(el("div", "reply", text));
    return;
  }
  // The presenter's final message: the answer (or what stopped it), then the receipt paragraph.
  const paragraphs = text.trim().split("\n\n");
  const receipt = paragraphs.length > 1 ? paragraphs.pop() : "";
  turn.answer.innerHTML = markdown(paragraphs.join("\n\n"));
  turn.receipt.innerHTML = markdown(receipt);
  tick();
}

function onMessage(m) {
  const turn = turns.get(m.turn) ?? newTurn(m.turn, "");
  if (m.kind === "moa") return onMoa(turn, m.at, m.event);
  if (m.kind === "open" || m.kind === "edit") {
    turn.text = m.text;
    turn.stopKey = m.stopKey;
    turn.stop.hidden = !m.stopKey;
    if (m.kind === "edit" && !m.stopKey && turn.isRun) finish(turn);
  } else if (m.kind === "reply") {
    turn.answer.append(el("div", "reply", m.text));
  } else if (m.kind === "closed") {
    turn.stop.hidden = true;
    turn.card.dataset.closed = "true";
    if (!turn.isRun || !turn.receipt.textContent) finish(turn);
  }
}

function connect() {
  source?.close();
  $("text").disabled = true;
  $("send").disabled = true;
  source = new EventSource(`/api/events?conversation=${conversation}`);
  source.addEventListener("hello", () => {
    $("text").disabled = false;
    $("send").disabled = false;
  });
  source.onmessage = (ev) => onMessage(JSON.parse(ev.data));
}

async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json();
}

async function stopRun(turn) {
  if (!turn.stopKey) return;
  const r = await post("/api/stop", { stopKey: turn.stopKey });
  if (r.message) turn.answer.append(el("div", "reply", r.message));
}

$("ask").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  const id = randomId();
  const turn = newTurn(`${conversation}:${id}`, text);
  const r = await post("/api/ask", { conversation, turn: id, text });
  if (r.error) turn.answer.append(el("div", "reply", r.error));
});
$("text").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    $("ask").requestSubmit();
  }
});
$("new").addEventListener("click", () => {
  conversation = randomId();
  turns.clear();
  $("turns").replaceChildren();
  connect();
});

fetch("/api/info")
  .then((r) => r.json())
  .then((info) => {
    if (info.notice) {
      $("notice").textContent = info.notice;
      $("notice").hidden = false;
    }
  });
connect();
