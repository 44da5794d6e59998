// smsbridge sandbox page: renders the state the sandbox serves (GET
// /api/state) on every server-sent "change", and sends what you do to the
// sandbox (POST /api/...), which passes it to smsbridge as Slack or the
// carrier would. No framework, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
let state = null;
let openThread = ""; // ts of the thread shown beside the channel
let tab = "channel";
let phone = "";
const drawn = {}; // region -> last JSON drawn, so unchanged regions keep their inputs

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function userName(id) {
  const u = (state?.users || []).find((u) => u.id === id);
  return u ? u.name : id;
}

// mrkdwn renders Slack's mrkdwn: <links|text>, <@U…>, <#C…|name>, <!here>,
// *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, line breaks.
function mrkdwn(text) {
  const raw = String(text ?? "");
  const parts = [];
  let last = 0;
  raw.replace(/<([^<>]+)>/g, (m, inner, at) => {
    parts.push(inline(raw.slice(last, at)));
    parts.push(entity(inner));
    last = at + m.length;
  });
  parts.push(inline(raw.slice(last)));
  return parts.join("");
}

function unescapeSlack(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function entity(inner) {
  const [target, label] = inner.split("|");
  if (target.startsWith("@")) return `<span class="mention">@${esc(userName(target.slice(1)))}</span>`;
  if (target.startsWith("#")) return `<span class="mention">#${esc(label || target.slice(1))}</span>`;
  if (target.startsWith("!")) return `<span class="mention">@${esc(label || target.slice(1).split("^")[0])}</span>`;
  const href = unescapeSlack(target);
  const safe = /^(https?:|mailto:|tel:)/i.test(href) ? href : "#";
  return `<a href="${esc(safe)}" target="_blank" rel="noopener">${esc(unescapeSlack(label || target))}</a>`;
}

function inline(s) {
  let h = esc(unescapeSlack(s));
  h = h.replace(/```([\s\S]*?)```/g, (m, c) => `<pre>${c}</pre>`);
  h = h.replace(/`([^`\n]+)`/g, (m, c) => `<code>${c}</code>`);
  h = h.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,!?:;])/g, "$1<b>$2</b>");
  h = h.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, "$1<i>$2</i>");
  h = h.replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,!?:;])/g, "$1<s>$2</s>");
  h = h.replace(/(^|\n)&gt; ?([^\n]*)/g, "$1<blockquote>$2</blockquote>");
  return h.replace(/\n/g, "<br>");
}

// A few of Slack's emoji names, as the bot uses them; others stay :name:.
const emoji = {
  speech_balloon: "💬", large_green_circle: "🟢", raising_hand: "🙋", white_check_mark: "✅", no_entry_sign: "🚫",
  warning: "⚠️", x: "❌", hourglass_flowing_sand: "⏳", outbox_tray: "📤", incoming_envelope: "📨", calendar: "📅",
  link: "🔗", paperclip: "📎", memo: "📝", bell: "🔔", heavy_check_mark: "✔️", email: "📧", envelope: "✉️",
  information_source: "ℹ️", arrows_counterclockwise: "🔄", test_tube: "🧪", iphone: "📱", busts_in_silhouette: "👥", mag: "🔍", clock1: "🕐",
};

function emojify(h) {
  return h.replace(/:([a-z0-9_+-]+):/g, (m, name) => {
    const clock = /^clock([1-9]|1[0-2])$/.exec(name); // :clock1: … :clock12:, the header's "their time"
    return emoji[name] || (clock ? String.fromCodePoint(0x1f54f + Number(clock[1])) : m);
  });
}

function textObj(t) {
  if (!t) return "";
  return emojify(t.type === "mrkdwn" ? mrkdwn(t.text) : esc(t.text).replace(/\n/g, "<br>"));
}

// ctx says where an element is: {ts} a channel message, {answer} an
// ephemeral answer, {view_id} a modal or the App Home.
function ctxAttrs(ctx) {
  return `data-ctx='${esc(JSON.stringify(ctx))}'`;
}

function element(el, blockID, ctx) {
  const common = `data-block-id="${esc(blockID)}" data-action-id="${esc(el.action_id || "")}" ${ctxAttrs(ctx)}`;
  switch (el.type) {
    case "button":
      return `<button class="btn ${esc(el.style || "")}" data-kind="button" data-value="${esc(el.value || "")}" ${common}>${esc(el.text?.text)}</button>`;
    case "static_select":
    case "overflow": {
      const opts = (el.option_groups || []).flatMap((g) => g.options).concat(el.options || []);
      const init = el.initial_option?.value;
      const ph = el.type === "overflow" ? "⋯" : el.placeholder?.text || "Select…";
      return `<select data-kind="${el.type}" ${common}><option value="">${esc(ph)}</option>${opts
        .map((o) => `<option value="${esc(o.value)}" ${o.value === init ? "selected" : ""}>${esc(o.text?.text)}</option>`)
        .join("")}</select>`;
    }
    case "users_select":
      return `<select data-kind="users_select" ${common}><option value="">${esc(el.placeholder?.text || "Pick a person")}</option>${(state.users || [])
        .filter((u) => u.id.startsWith("U0") && u.name !== "smsbridge")
        .map((u) => `<option value="${esc(u.id)}" ${u.id === el.initial_user ? "selected" : ""}>${esc(u.name)}</option>`)
        .join("")}</select>`;
    case "image":
      return `<img class="image" src="${esc(el.image_url)}" alt="${esc(el.alt_text)}">`;
    case "datepicker":
      return `<input type="date" data-kind="datepicker" value="${esc(el.initial_date || "")}" ${common}>`;
    case "timepicker":
      return `<input type="time" data-kind="timepicker" value="${esc(el.initial_time || "")}" ${common}>`;
    default:
      return `<span class="hint">[${esc(el.type)}]</span>`;
  }
}

function inputElement(el, blockID, ctx) {
  const common = `data-block-id="${esc(blockID)}" data-action-id="${esc(el.action_id || "")}" ${ctxAttrs(ctx)} data-input="1"`;
  switch (el.type) {
    case "plain_text_input": {
      const ph = esc(el.placeholder?.text || "");
      const v = esc(el.initial_value || "");
      return el.multiline
        ? `<textarea rows="4" data-kind="plain_text_input" placeholder="${ph}" ${common}>${v}</textarea>`
        : `<input data-kind="plain_text_input" placeholder="${ph}" value="${v}" ${common}>`;
    }
    case "radio_buttons":
    case "checkboxes":
      return (el.options || [])
        .map((o) => `<label><input type="${el.type === "radio_buttons" ? "radio" : "checkbox"}" name="${esc(blockID)}" data-kind="${el.type}" value="${esc(o.value)}" ${common}> ${textObj(o.text)}</label>`)
        .join("<br>");
    default:
      return element(el, blockID, ctx).replace("<select ", "<select data-input=\"1\" ").replace("<input ", "<input data-input=\"1\" ");
  }
}

function blocks(list, ctx, errors) {
  return (list || [])
    .map((b, i) => {
      const id = b.block_id || `b${i}`;
      switch (b.type) {
        case "header":
          return `<div class="block header">${emojify(esc(b.text?.text))}</div>`;
        case "divider":
          return `<div class="block divider"></div>`;
        case "section": {
          const fields = b.fields ? `<div class="fields">${b.fields.map((f) => `<div>${textObj(f)}</div>`).join("")}</div>` : "";
          const acc = b.accessory ? `<div>${element(b.accessory, id, ctx)}</div>` : "";
          return `<div class="block section"><div>${textObj(b.text)}${fields}</div>${acc}</div>`;
        }
        case "context":
          return `<div class="block context">${(b.elements || [])
            .map((e) => (e.type === "image" ? `<img src="${esc(e.image_url)}" alt="${esc(e.alt_text)}">` : `<span>${textObj(e)}</span>`))
            .join("")}</div>`;
        case "actions":
          return `<div class="block actions">${(b.elements || []).map((e) => element(e, id, ctx)).join("")}</div>`;
        case "image":
          return `<div class="block">${b.title ? `<div>${esc(b.title.text)}</div>` : ""}<img class="image" src="${esc(b.image_url)}" alt="${esc(b.alt_text)}"></div>`;
        case "input": {
          const err = errors?.[id] ? `<div class="err">${esc(errors[id])}</div>` : "";
          const hint = b.hint ? `<div class="hint">${esc(b.hint.text)}</div>` : "";
          return `<div class="block input"><label>${esc(b.label?.text)}${b.optional ? " <span class='hint'>(optional)</span>" : ""}</label>${inputElement(b.element, id, ctx)}${hint}${err}</div>`;
        }
        case "rich_text":
          return `<div class="block">${esc(JSON.stringify(b.elements)).slice(0, 200)}</div>`;
        default:
          return `<div class="block hint">[${esc(b.type)} block]</div>`;
      }
    })
    .join("");
}

function messageHTML(m, inThread) {
  const who = m.bot
    ? `smsbridge<span class="app">APP</span><span class="sb">SANDBOX</span>`
    : esc(userName(m.user)) + `<span class="sb">SANDBOX</span>`;
  const body = m.blocks ? blocks(m.blocks, { ts: m.ts }) : `<div>${emojify(mrkdwn(m.text))}</div>`;
  const files = (m.files || [])
    .map((f) => (f.content_type.startsWith("image/") ? `<img src="/files/${esc(f.id)}" alt="${esc(f.name)}">` : `<a href="/files/${esc(f.id)}">${esc(f.name)}</a>`))
    .join("");
  const reactions = (m.reactions || []).length
    ? `<div class="reactions">${m.reactions.map((r) => `<span title=":${esc(r)}:">${emojify(`:${esc(r)}:`)} 1</span>`).join("")}</div>`
    : "";
  const replies = !inThread && (m.replies || []).length
    ? `<div class="replies-link" data-thread="${esc(m.ts)}">${m.replies.length} ${m.replies.length === 1 ? "reply" : "replies"}</div>`
    : !inThread && m.bot && !m.ephemeral ? `<div class="replies-link" data-thread="${esc(m.ts)}">Reply in thread</div>` : "";
  const eph = m.ephemeral ? `<div class="only-you">Only visible to you</div>` : "";
  return `<div class="msg ${m.ephemeral ? "ephemeral" : ""}" data-ts="${esc(m.ts)}">${eph}<div class="who">${who}</div>${body}<div class="files">${files}</div>${
    m.edited ? '<span class="edited">(edited)</span>' : ""
  }${reactions}${replies}</div>`;
}

function answerHTML(a) {
  const body = a.blocks ? blocks(a.blocks, { answer: a.seq }) : `<div>${mrkdwn(a.text)}</div>`;
  const cmd = a.command ? `<div class="hint"><code>${esc(a.command)}</code></div>` : "";
  return `<div class="msg ephemeral"><div class="only-you">${a.in_channel ? "Posted in the channel" : "Only visible to you"}</div><div class="who">smsbridge<span class="app">APP</span><span class="sb">SANDBOX</span></div>${cmd}${body}</div>`;
}

function draw(region, data, render) {
  const key = JSON.stringify(data);
  if (drawn[region] === key) return false;
  drawn[region] = key;
  render();
  return true;
}

function render() {
  if (!state) return;
  $("ws-name").textContent = state.workspace;
  // Half-real: Slack is the team's own, so the page shows the phones only.
  $("slack").hidden = state.real_slack;
  $("banner-what").textContent = state.real_slack
    ? "smsbridge posts to your real Slack workspace (watch the channel there, every post marked [sandbox]); the carrier and the phones here are simulated."
    : "a simulated Slack workspace, carrier and phones on this machine; the real smsbridge runs against them.";
  if (!state.real_slack) renderSlack();
  renderPhones();
}

function renderSlack() {
  const msgs = state.messages || [];
  draw("channel", [msgs, state.answers], () => {
    const el = $("messages");
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 20;
    el.innerHTML = msgs.map((m) => messageHTML(m, false)).join("") + (state.answers || []).map(answerHTML).join("");
    if (atEnd) el.scrollTop = el.scrollHeight;
  });
  const parent = msgs.find((m) => m.ts === openThread);
  $("thread-view").hidden = !parent || tab !== "channel";
  draw("thread", [openThread, parent], () => {
    if (parent) $("thread").innerHTML = messageHTML(parent, true) + (parent.replies || []).map((r) => messageHTML(r, true)).join("");
  });
  $("channel-view").hidden = tab !== "channel";
  $("home-view").hidden = tab !== "home";
  draw("home", state.home, () => {
    $("home-view").innerHTML = state.home ? blocks(state.home.blocks, { view_id: "home" }) : "<p>Open the Home tab to have smsbridge publish it.</p>";
  });
  renderModal();
}

function renderModal() {
  const top = (state.modals || []).at(-1);
  $("modal-back").hidden = !top;
  draw("modal", top || null, () => {
    if (!top) return;
    const v = top.view;
    const ctx = { view_id: top.id };
    $("modal").innerHTML = `<div class="m-title"><span>${esc(v.title?.text)}</span><button data-close="${esc(top.id)}">×</button></div>
      <div class="m-body" data-view="${esc(top.id)}">${blocks(v.blocks, ctx, top.errors)}</div>
      <div class="m-foot"><button class="btn" data-close="${esc(top.id)}">${esc(v.close?.text || "Cancel")}</button>${
        v.submit ? `<button class="btn primary" id="modal-submit" data-submit="${esc(top.id)}">${esc(v.submit.text)}</button>` : ""
      }</div>`;
  });
}

function renderPhones() {
  const phones = state.phones || [];
  if (!phone && phones.length) phone = phones[0].number;
  draw("phone-pick", phones.map((p) => p.number), () => {
    $("phone-pick").innerHTML = phones.map((p) => `<option>${esc(p.number)}</option>`).join("");
  });
  $("phone-pick").value = phone;
  draw("phone-to", state.numbers, () => {
    $("phone-to").innerHTML = state.numbers.map((n) => `<option>${esc(n)}</option>`).join("");
  });
  const p = phones.find((x) => x.number === phone) || {};
  p.messages = p.messages || [];
  $("phone-fail").checked = !!p.fails;
  $("phone-status").className = p.blocked ? "blocked" : "";
  $("phone-status").textContent = p.blocked
    ? "You sent STOP: the carrier blocks texts from our numbers to this phone until you send START."
    : `This phone is ${phone}.`;
  draw("phone-thread", [phone, p.messages], () => {
    const el = $("phone-thread");
    el.innerHTML = p.messages
      .map((m) => {
        const media = (m.media || []).map((u) => `<img src="${esc(u)}" alt="picture">`).join("");
        const group = m.others?.length ? ` · group with ${esc(m.others.join(", "))}` : "";
        const who = m.dir === "in" ? `to ${esc(m.our)}` : `from ${esc(m.our)}`;
        const err = m.error ? ` · ${esc(m.error)}` : "";
        return `<div class="bubble ${m.dir}">${media}${esc(m.text)}<span class="meta">${who}${group} · <span class="status status-${esc(m.status)}">${esc(m.status)}</span>${err}</span></div>`;
      })
      .join("") + '<div style="clear:both"></div>';
    el.scrollTop = el.scrollHeight;
  });
}

async function api(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  const out = await r.json().catch(() => ({ ok: false, error: `HTTP ${r.status}` }));
  if (!out.ok) toast(out.error);
  return out.ok;
}

function toast(msg) {
  const t = $("toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 6000);
}

// refresh fetches the state once at a time: two fetches in flight could
// answer out of order and draw the older state last. A change that comes
// meanwhile fetches again when the one in flight is done.
let refreshing = false, refreshAgain = false;
async function refresh() {
  if (refreshing) { refreshAgain = true; return; }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      const r = await fetch("/api/state");
      state = await r.json();
      render();
    } while (refreshAgain);
  } catch (err) {
    toast(`The sandbox did not answer: ${err}`);
  } finally {
    refreshing = false;
  }
}

// viewValues reads a modal's inputs as Slack's view.state.values.
function viewValues(viewID) {
  const values = {};
  document.querySelectorAll(`[data-view="${viewID}"] [data-action-id]`).forEach((el) => {
    const b = el.dataset.blockId, a = el.dataset.actionId, kind = el.dataset.kind;
    values[b] = values[b] || {};
    if (kind === "plain_text_input") values[b][a] = { type: kind, value: el.value };
    else if (kind === "static_select") values[b][a] = { type: kind, selected_option: el.value ? { value: el.value, text: { type: "plain_text", text: el.selectedOptions[0].text } } : null };
    else if (kind === "users_select") values[b][a] = { type: kind, selected_user: el.value || null };
    else if (kind === "datepicker") values[b][a] = { type: kind, selected_date: el.value || null };
    else if (kind === "timepicker") values[b][a] = { type: kind, selected_time: el.value || null };
    else if (kind === "radio_buttons" && el.checked) values[b][a] = { type: kind, selected_option: { value: el.value } };
    else if (kind === "checkboxes") {
      const v = values[b][a] || { type: kind, selected_options: [] };
      if (el.checked) v.selected_options.push({ value: el.value });
      values[b][a] = v;
    }
  });
  return values;
}

function actionOf(el) {
  const a = { action_id: el.dataset.actionId, block_id: el.dataset.blockId, type: el.dataset.kind };
  if (a.type === "button") a.value = el.dataset.value;
  if (a.type === "static_select" || a.type === "overflow") a.selected_option = { value: el.value, text: { type: "plain_text", text: el.selectedOptions[0]?.text } };
  if (a.type === "users_select") a.selected_user = el.value;
  if (a.type === "datepicker") a.selected_date = el.value;
  if (a.type === "timepicker") a.selected_time = el.value;
  return a;
}

async function act(el) {
  const ctx = JSON.parse(el.dataset.ctx);
  const body = { action: actionOf(el) };
  if (ctx.ts) body.ts = ctx.ts;
  if (ctx.answer) body.answer = ctx.answer;
  if (ctx.view_id) {
    if (ctx.view_id === "home") {
      body.view_id = homeViewID();
    } else {
      body.view_id = ctx.view_id;
      body.values = viewValues(ctx.view_id);
    }
  }
  await api("/api/slack/action", body);
}

function homeViewID() {
  return state.home_id || "";
}

document.addEventListener("click", async (e) => {
  const t = e.target;
  if (t.dataset.thread) {
    openThread = t.dataset.thread;
    delete drawn.thread;
    render();
    $("thread-input").focus();
  } else if (t.dataset.close) {
    await api("/api/slack/close", { view_id: t.dataset.close });
  } else if (t.dataset.submit) {
    await api("/api/slack/submit", { view_id: t.dataset.submit, values: viewValues(t.dataset.submit) });
  } else if (t.dataset.kind === "button") {
    await act(t);
  }
});

document.addEventListener("change", async (e) => {
  const t = e.target;
  if (["static_select", "users_select", "overflow", "datepicker", "timepicker"].includes(t.dataset.kind) && !t.dataset.input && t.value) await act(t);
});

$("tab-channel").onclick = () => { tab = "channel"; $("tab-channel").classList.add("on"); $("tab-home").classList.remove("on"); render(); };
$("tab-home").onclick = async () => {
  tab = "home";
  $("tab-home").classList.add("on");
  $("tab-channel").classList.remove("on");
  render();
  await api("/api/slack/home");
};
$("thread-close").onclick = () => { openThread = ""; render(); };

$("channel-form").onsubmit = async (e) => {
  e.preventDefault();
  const text = $("channel-input").value;
  if (!text.trim()) return;
  if (await api("/api/slack/say", { text })) $("channel-input").value = "";
};
$("thread-form").onsubmit = async (e) => {
  e.preventDefault();
  const text = $("thread-input").value;
  if (!text.trim() || !openThread) return;
  if (text.trim().startsWith("/sms")) {
    if (await api("/api/slack/say", { text })) $("thread-input").value = "";
    return;
  }
  if (await api("/api/slack/say", { text, thread_ts: openThread })) $("thread-input").value = "";
};

$("phone-pick").onchange = () => { phone = $("phone-pick").value; render(); };
$("phone-add").onsubmit = async (e) => {
  e.preventDefault();
  const n = $("phone-new").value.trim();
  if (await api("/api/phone", { number: n })) { phone = n; $("phone-new").value = ""; }
};
$("phone-fail").onchange = () => api("/api/phone/fail", { number: phone, fail: $("phone-fail").checked });

function readFile(f) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(",")[1]);
    r.onerror = reject;
    r.readAsDataURL(f);
  });
}

async function phoneSend(text) {
  const cc = $("phone-cc").value.split(",").map((s) => s.trim()).filter(Boolean);
  const pictures = [];
  for (const f of $("phone-file").files) pictures.push({ name: f.name, content_type: f.type, data: await readFile(f) });
  const ok = await api("/api/phone/send", { from: phone, to: $("phone-to").value, cc, text, pictures });
  if (ok) { $("phone-text").value = ""; $("phone-file").value = ""; }
}
$("phone-form").onsubmit = (e) => { e.preventDefault(); phoneSend($("phone-text").value); };
$("phone-stop").onclick = () => phoneSend("STOP");
$("phone-start").onclick = () => phoneSend("START");

const events = new EventSource("/events");
events.addEventListener("change", refresh);
refresh();
