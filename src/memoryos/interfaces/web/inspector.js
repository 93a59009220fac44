// memoryos inspector: a small static front end over the REST API. No framework, no build step, no network
// beyond this server. Memory text is always inserted as text (textContent), never as HTML.
"use strict";

const state = {
  user: null, info: null, token: sessionStorage.getItem("memoryos-token") || "", segmentId: null, factId: null,
};
const SVG_NS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

// ---- helpers ----

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function when(epochSeconds) {
  if (!epochSeconds) return "never";
  return new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function day(epochSeconds) {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

// a fact's validity in words: "current", "until 2023-05-08", "replaced"; expiry and when it was said follow
function validity(fact) {
  const current = fact.valid_until === null && !fact.superseded_by;
  const parts = [];
  if (current) parts.push("current");
  else if (fact.valid_until !== null) parts.push(`until ${day(fact.valid_until)}`);
  else parts.push("replaced");
  const said = fact.observed_at ?? null, from = fact.valid_from ?? null;
  if (from !== null && (said === null || day(from) !== day(said))) parts.push(`since ${day(from)}`);
  if (said !== null) parts.push(`said ${day(said)}`);
  return { current, text: parts.join(" · ") };
}

function validityBadge(fact) {
  const { current, text } = validity(fact);
  return el("span", { class: "validity " + (current ? "current" : "closed") }, text);
}

function expiryNote(item) {
  return item.expires_at ? el("span", { class: "expires" }, `forgotten after ${when(item.expires_at)}`) : null;
}

function clip(text, limit) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= limit ? flat : flat.slice(0, limit - 1) + "…";
}

function setStatus(message, isError = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", isError);
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (state.token) headers.Authorization = "Bearer " + state.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || { code: "http_" + response.status, message: response.statusText };
    if (response.status === 401) $("token-form").hidden = false;
    throw new ApiError(response.status, error.code, error.message);
  }
  return data;
}

const userPath = (suffix = "") => "/v1/users/" + encodeURIComponent(state.user) + suffix;

function reportError(error) {
  setStatus(error instanceof ApiError ? `${error.code}: ${error.message}` : String(error), true);
}

function deleteButton(what, id, onConfirmed) {
  return el("button", {
    type: "button",
    class: "delete",
    "aria-label": `Delete ${what} ${id}`,
    "data-delete": id,
    onclick: async () => {
      if (!window.confirm(`Delete this ${what} (${id}) from the memory of ${state.user}? This cannot be undone.`)) return;
      try {
        await onConfirmed();
        setStatus(`Deleted ${what} ${id}.`);
        await refresh();
      } catch (error) {
        reportError(error);
      }
    },
  }, "Delete");
}

function pageItem(page) {
  const turns = [];
  if (page.user_input) turns.push(el("p", { class: "turn" }, el("span", { class: "who" }, "User"), page.user_input));
  if (page.agent_response) {
    turns.push(el("p", { class: "turn" }, el("span", { class: "who" }, "Agent"), page.agent_response));
  }
  const deletePage = () => api("DELETE", userPath("/pages/" + encodeURIComponent(page.id)));
  return el("li", { "data-page-id": page.id },
    el("div", { class: "row-head" },
      el("span", { class: "when" }, page.time.slice(0, 16).replace("T", " ") + " UTC"),
      expiryNote(page),
      deleteButton("page", page.id, deletePage)),
    ...turns);
}

function emptyNote(list, text) {
  if (!list.children.length) list.append(el("li", { class: "empty" }, text));
}

// ---- loading a user ----

async function loadInfo() {
  state.info = await api("GET", "/v1/info");
  $("token-form").hidden = !state.info.auth_required || Boolean(state.token);
  try {
    const users = await api("GET", "/v1/users");
    $("known-users").replaceChildren(...users.users.map((u) => el("option", { value: u })));
  } catch (error) {
    reportError(error);
  }
}

async function openUser(user) {
  state.user = user;
  state.segmentId = null;
  state.factId = null;
  $("user").value = user;
  $("segment").hidden = true;
  $("fact").hidden = true;
  $("results").replaceChildren();
  history.replaceState(null, "", "#user=" + encodeURIComponent(user));
  await refresh();
  setStatus(`Showing the memory of ${user}.`);
}

async function refresh() {
  if (!state.user) return;
  const [stats, short, segments, profile, knowledge] = await Promise.all([
    api("GET", userPath("/stats")),
    api("GET", userPath("/pages?tier=short&limit=500")),
    api("GET", userPath("/segments?status=active&sort=heat&limit=500")),
    api("GET", userPath("/profile")),
    api("GET", userPath($("show-history").checked ? "/knowledge?include_history=true" : "/knowledge")),
  ]);
  renderOverview(stats);
  renderShortTerm(short);
  renderSegments(segments);
  renderLongTerm(profile, knowledge.items);
  if (state.segmentId) {
    if (segments.items.some((s) => s.id === state.segmentId)) await openSegment(state.segmentId);
    else closeSegment();
  }
  if (state.factId) {
    try {
      await openFact(state.factId);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      closeFact();  // deleted or forgotten meanwhile
    }
  }
}

// ---- rendering the tiers ----

function renderOverview(stats) {
  const cap = state.info.capacities;
  const stat = (value, label) => el("div", { class: "stat" }, el("b", {}, value), el("span", {}, label));
  $("overview").replaceChildren(
    stat(`${stats.pages.short} / ${cap.short_term}`, "short-term pages"),
    stat(stats.pages.mid, "mid-term pages"),
    stat(`${stats.segments.active} / ${cap.mid_term}`, "active segments"),
    stat(stats.pages.archive, "archived pages"),
    stat(stats.knowledge.user + stats.knowledge.assistant, "current facts"),
    stat(closedFacts(stats), "closed facts (history)"),
    stat(stats.profile_versions, "profile versions"),
    stat(stats.mode, "mode"),
    llmStat(stats),
  );
}

// facts kept only in the history (invalidated or superseded); a server older than this page reports none
function closedFacts(stats) {
  const closed = stats.closed_knowledge || {};
  return (closed.user || 0) + (closed.assistant || 0);
}

// the LLM's state: working, failing (upkeep waits) or degraded (upkeep goes on without it), and pages waiting
function llmStat(stats) {
  const llm = stats.llm || { state: "not configured" };
  const waiting = (stats.upkeep && stats.upkeep.waiting_pages) || 0;
  const value = llm.since ? `${llm.state} since ${llm.since}` : llm.state;
  const node = el("div", { class: `stat llm-${llm.state.replace(/\s+/g, "-")}` }, el("b", {}, value),
    el("span", {}, waiting ? `LLM · ${waiting} pages waiting` : "LLM"));
  if (llm.last_error) node.title = llm.last_error;  // textContent-safe: a title attribute, never HTML
  return node;
}

function renderShortTerm(list) {
  $("short-count").textContent = `(${list.total} of ${state.info.capacities.short_term})`;
  const target = $("short-list");
  target.replaceChildren(...list.items.map(pageItem));
  emptyNote(target, "Empty: no recent exchanges.");
}

function renderSegments(list) {
  $("mid-count").textContent = `(${list.total})`;
  const heat = state.info.heat;
  $("heat-legend").replaceChildren(
    el("span", {}, el("span", { class: "swatch visits" }), `α·N_visit (α=${heat.alpha})`),
    el("span", {}, el("span", { class: "swatch interaction" }), `β·L_interaction (β=${heat.beta})`),
    el("span", {}, el("span", { class: "swatch recency" }), `γ·recency (γ=${heat.gamma})`),
    el("span", {}, el("span", { class: "swatch threshold" }), `τ = ${list.heat_threshold}`),
  );
  $("heat-chart").replaceChildren(heatChart(list.items, list.heat_threshold));
}

function heatChart(segments, tau) {
  // drawn at the container's own width, so text keeps its real size
  const width = Math.max(480, Math.round($("heat-chart").clientWidth || 720));
  const labelWidth = Math.round(width * 0.28), valueWidth = 150, rowHeight = 28, top = 22, bottom = 24;
  const plotWidth = width - labelWidth - valueWidth;
  const height = top + Math.max(1, segments.length) * rowHeight + bottom;
  const maxHeat = Math.max(tau, ...segments.map((s) => s.heat)) * 1.08;
  const x = (value) => labelWidth + (value / maxHeat) * plotWidth;
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `Heat of ${segments.length} mid-term segments against the promotion threshold τ = ${tau}`,
  });
  if (!segments.length) {
    chart.append(svg("text", { x: 8, y: top + 16, class: "bar-value" }, "No mid-term segments yet."));
  }
  segments.forEach((segment, index) => {
    const y = top + index * rowHeight;
    const row = svg("g", {
      class: "bar-row" + (segment.id === state.segmentId ? " selected" : ""), tabindex: "0", role: "button",
      "data-segment-id": segment.id, "aria-label": `Open segment: ${clip(segment.summary, 80)}`,
    });
    row.append(svg("rect", { class: "row-bg", x: 0, y, width, height: rowHeight, fill: "transparent" }));
    row.append(svg("title", {},
      `${segment.summary}\nH = ${segment.heat.toFixed(3)}: N_visit ${segment.n_visit}, ` +
      `L_interaction ${segment.l_interaction}, recency ${segment.heat_components.recency.toFixed(3)}`));
    const label = segment.keywords.slice(0, 3).join(", ") || clip(segment.summary, 28);
    row.append(svg("text", { x: 4, y: y + 18, class: "bar-label" }, clip(label, Math.floor(labelWidth / 7.5))));
    let start = 0;
    for (const part of ["visits", "interaction", "recency"]) {
      const value = segment.heat_components[part];
      if (value > 0) {
        row.append(svg("rect", {
          class: part, x: x(start), y: y + 5, width: Math.max(1, x(start + value) - x(start)), height: rowHeight - 10,
        }));
      }
      start += value;
    }
    row.append(svg("text", { x: labelWidth + plotWidth + 8, y: y + 18, class: "bar-value" },
      `H ${segment.heat.toFixed(3)} · N ${segment.n_visit} · L ${segment.l_interaction}`));
    row.addEventListener("click", () => openSegment(segment.id, true).catch(reportError));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        openSegment(segment.id, true).catch(reportError);
      }
    });
    chart.append(row);
  });
  const axisY = height - bottom + 4;
  chart.append(svg("line", { class: "axis", x1: x(0), x2: x(maxHeat), y1: axisY, y2: axisY }));
  chart.append(svg("text", { class: "axis-label", x: x(0), y: axisY + 14 }, "0"));
  chart.append(svg("text", { class: "axis-label", x: x(maxHeat) - 40, y: axisY + 14 }, `H ${maxHeat.toFixed(1)}`));
  const tauX = x(tau);
  chart.append(svg("line", { class: "tau", x1: tauX, x2: tauX, y1: top - 6, y2: height - bottom }));
  chart.append(svg("text", { class: "tau-label", x: tauX + 4, y: 13 }, `τ = ${tau}`));
  return chart;
}

const factPath = (id, suffix = "") => userPath("/knowledge/" + encodeURIComponent(id) + suffix);

function invalidateButton(fact) {
  return el("button", {
    type: "button",
    class: "delete",
    "aria-label": `Mark knowledge entry ${fact.id} as no longer true`,
    "data-invalidate": fact.id,
    onclick: async () => {
      if (!window.confirm(`Mark this fact as no longer true from now on? It stays in its history.\n\n${fact.text}`)) return;
      try {
        await api("POST", factPath(fact.id, "/invalidate"), {});
        setStatus(`Knowledge entry ${fact.id} is no longer current.`);
        await refresh();
      } catch (error) {
        reportError(error);
      }
    },
  }, "No longer true");
}

// provenance: each source page opens the entry's panel, where the pages are shown in full
function sourceLinks(fact) {
  if (!fact.source_page_ids.length) return el("span", { class: "empty" }, "no source pages (added by hand)");
  const links = fact.source_page_ids.map((id) => el("button", {
    type: "button", class: "link", "data-source-page": id, title: `page ${id}`,
    onclick: () => openFact(fact.id, true).catch(reportError),
  }, id.slice(0, 8)));
  return el("span", {}, "sources: ", ...links.flatMap((link, i) => (i ? [", ", link] : [link])));
}

function factItem(fact) {
  const deleteFact = () => api("DELETE", factPath(fact.id));
  const { current } = validity(fact);
  // when it was said in the conversation (an import stores old conversations today)
  const said = fact.observed_at ?? fact.created_at;
  return el("li", { "data-fact-id": fact.id, class: current ? "" : "closed" },
    el("div", { class: "row-head" },
      el("span", { class: "when", title: `stored ${when(fact.created_at)}` }, `${when(said)} · ${fact.method}`),
      el("span", { class: "actions" },
        current ? invalidateButton(fact) : null,
        deleteButton("knowledge entry", fact.id, deleteFact))),
    el("p", { class: "turn" }, fact.text),
    el("p", { class: "meta" }, validityBadge(fact), " ", expiryNote(fact), " ", sourceLinks(fact), " · ",
      el("button", { type: "button", class: "link", "data-history": fact.id, onclick: () => openFact(fact.id, true).catch(reportError) },
        "history")));
}

// ---- one knowledge entry: validity, history, source pages ----

// reveal: scroll the panel into view (a click asked for it; a refresh re-opening it does not)
async function openFact(factId, reveal = false) {
  // everything is fetched before anything is shown: the panel never mixes two entries
  const history = await api("GET", factPath(factId, "/history"));
  const fact = history.items.find((f) => f.id === factId);
  const pages = await Promise.all(fact.source_page_ids.map((id) =>
    api("GET", userPath("/pages/" + encodeURIComponent(id))).catch((error) => {
      if (error instanceof ApiError && error.status === 404) return { missing: id };
      throw error;
    })));
  state.factId = factId;
  $("fact-id").textContent = factId;
  $("fact-text").textContent = fact.text;
  const parts = [validity(fact).text, `${fact.kind} knowledge`, fact.method, `stored ${when(fact.created_at)}`];
  if (fact.attribute) parts.push(`about: ${fact.attribute}`);
  if (fact.invalidated_at) parts.push(`closed ${when(fact.invalidated_at)}`);
  if (fact.expires_at) parts.push(`forgotten after ${when(fact.expires_at)}`);
  $("fact-validity").textContent = parts.join(" · ");
  $("fact-history").replaceChildren(...history.items.map((entry) =>
    el("li", { "data-history-id": entry.id, class: entry.id === factId ? "selected" : "" },
      el("p", { class: "turn" }, entry.text),
      el("p", { class: "meta" }, validityBadge(entry), " ",
        entry.id === factId ? "(this entry)" : el("button", {
          type: "button", class: "link", onclick: () => openFact(entry.id, true).catch(reportError),
        }, "open")))));
  $("fact-sources").replaceChildren(...pages.map((page) => page.missing
    ? el("li", { class: "empty", "data-page-id": page.missing }, `page ${page.missing} is no longer stored (deleted or forgotten)`)
    : pageItem(page)));
  emptyNote($("fact-sources"), "No source pages: added by hand.");
  $("fact").hidden = false;
  if (reveal) $("fact").scrollIntoView({ block: "start" });
}

function closeFact() {
  state.factId = null;
  $("fact").hidden = true;
}

function renderLongTerm(profile, facts) {
  const latest = profile.versions[profile.versions.length - 1];
  $("profile-meta").textContent = latest ? `(version ${latest.version}, ${when(latest.created_at)}, ${latest.method})` : "";
  $("profile").replaceChildren(profile.profile || el("span", { class: "empty" }, "No profile yet."));
  for (const kind of ["user", "assistant"]) {
    const target = $(kind + "-knowledge");
    target.replaceChildren(...facts.filter((f) => f.kind === kind).map(factItem));
    emptyNote(target, "None yet.");
  }
}

// ---- one segment ----

async function openSegment(segmentId, reveal = false) {
  const segment = await api("GET", userPath("/segments/" + encodeURIComponent(segmentId)));
  state.segmentId = segment.id;
  $("segment-id").textContent = segment.id;
  $("segment-summary").textContent = segment.summary;
  $("segment-keywords").replaceChildren(...segment.keywords.map((k) => el("li", {}, k)));
  const parts = segment.heat_components;
  $("segment-heat").textContent =
    `heat ${segment.heat.toFixed(3)} = ${parts.visits.toFixed(2)} (N_visit ${segment.n_visit}) + ` +
    `${parts.interaction.toFixed(2)} (L_interaction ${segment.l_interaction}) + ${parts.recency.toFixed(3)} (recency) · ` +
    `${segment.hot ? "at or above τ: due for promotion" : "below τ"} · created ${when(segment.created_at)} · ` +
    `last access ${when(segment.last_access)} · ${segment.status}`;
  $("segment-pages").replaceChildren(...segment.pages.map(pageItem));
  emptyNote($("segment-pages"), "No pages.");
  for (const row of document.querySelectorAll(".bar-row")) {
    row.classList.toggle("selected", row.dataset.segmentId === segment.id);
  }
  $("segment").hidden = false;
  if (reveal) $("segment").scrollIntoView({ block: "start" });
}

function closeSegment() {
  state.segmentId = null;
  $("segment").hidden = true;
  for (const row of document.querySelectorAll(".bar-row.selected")) row.classList.remove("selected");
}

// ---- the query box ----

function resultRow(score, tier, time, text, extra) {
  return el("tr", { "data-tier": tier },
    el("td", { class: "num" }, score === null ? "—" : score.toFixed(4)),
    el("td", {}, el("span", { class: "tier tier-" + tier }, tier)),
    el("td", { class: "when" }, time),
    el("td", {}, text, extra || null));
}

function renderResults(result, visited) {
  const rows = [];
  for (const page of result.pages) {
    const signals = Object.entries(page.signals).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(" · ");
    const open = page.segment_id
      ? el("button", { type: "button", class: "link", onclick: () => openSegment(page.segment_id, true).catch(reportError) },
        "open segment")
      : null;
    rows.push(resultRow(page.score, page.tier, when(page.timestamp), clip(page.user_input || page.agent_response, 220),
      el("div", { class: "signals" }, signals, open ? " · " : "", open)));
  }
  for (const fact of [...result.user_knowledge, ...result.assistant_knowledge]) {
    const said = fact.observed_at ? when(fact.observed_at) : when(fact.created_at);
    rows.push(resultRow(fact.score, "long", said, `${fact.kind} knowledge: ${fact.text}`,
      el("div", { class: "signals" }, validityBadge(fact))));
  }
  for (const page of result.short_term) {
    rows.push(resultRow(null, "short", when(page.timestamp), clip(page.user_input || page.agent_response, 220)));
  }
  if (result.profile) rows.push(resultRow(null, "long", "", "profile: " + clip(result.profile, 300)));
  const note = visited.length
    ? `${visited.length} segment(s) visited: their N_visit went up.`
    : "No segment visited (search, or no mid-term page matched well).";
  $("results").replaceChildren(
    el("p", { class: "meta" },
      `${result.pages.length} mid-term page(s), ${result.user_knowledge.length + result.assistant_knowledge.length} ` +
      `knowledge entries, ${result.short_term.length} short-term page(s) for “${clip(result.query, 80)}”. ${note}`),
    rows.length
      ? el("table", { id: "results-table" },
        el("thead", {}, el("tr", {}, el("th", {}, "score"), el("th", {}, "tier"), el("th", {}, "when"), el("th", {}, "memory"))),
        el("tbody", {}, ...rows))
      : el("p", { class: "empty" }, "Nothing retrieved."));
}

async function runQuery(event) {
  event.preventDefault();
  if (!state.user) return setStatus("Open a user first.", true);
  const query = $("query-text").value;
  const endpoint = $("count-visit").checked ? "/retrieve" : "/search";
  try {
    const result = await api("POST", userPath(endpoint), { query });
    renderResults(result, result.visited_segment_ids);
    setStatus(`${endpoint.slice(1)} returned in ${Object.values(result.timings_ms).reduce((a, b) => a + b, 0).toFixed(0)} ms.`);
    if (result.visited_segment_ids.length) await refresh();
  } catch (error) {
    reportError(error);
  }
}

// ---- start ----

async function start() {
  $("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    openUser($("user").value.trim()).catch(reportError);
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = $("token").value.trim();
    sessionStorage.setItem("memoryos-token", state.token);
    $("token").value = "";
    loadAll().catch(reportError);
  });
  $("query-form").addEventListener("submit", runQuery);
  $("segment-close").addEventListener("click", closeSegment);
  $("fact-close").addEventListener("click", closeFact);
  $("show-history").addEventListener("change", () => refresh().catch(reportError));
  await loadAll();
}

async function loadAll() {
  await loadInfo();
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("user");
  await openUser(fromHash || state.user || state.info.default_user);
}

document.addEventListener("DOMContentLoaded", () => {
  start().catch((error) => {
    reportError(error);
    if (error instanceof ApiError && error.status === 401) setStatus("This server needs a bearer token.", true);
  });
});
