// graphdiff's page: shows the step records that `graphdiff html` computed. It never differentiates.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("gd-data").textContent);
  const svg = document.querySelector("#graph svg");
  const MODES = ["primal", "forward", "reverse"];
  const MARK = { forward: "\u0307", reverse: "\u0304" };
  const state = { mode: "primal", seed: { primal: 0, forward: 0, reverse: 0 }, step: 0, term: -1,
                  compare: false, breaks: new Set() };
  const $ = (sel, root) => (root || document).querySelector(sel);
  const el = (tag, attrs, html) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (html !== undefined) e.innerHTML = html;
    return e;
  };

  // ------------------------------------------------------------ the picture's parts, found once
  const nodeEls = new Map();    // node -> [its <g>, and the <g> of each copy beside a consumer]
  const slots = new Map();      // node -> the <text> of its derivative row
  for (const n of data.nodes) {
    const els = [];
    const main = document.getElementById("n" + n.i);
    if (main) els.push(main);
    for (const g of svg.querySelectorAll(`g.node[id^="l${n.i}_"]`)) els.push(g);
    nodeEls.set(n.i, els);
    for (const g of els) {
      const t = g.querySelector("title");
      if (t) t.textContent = n.name + (n.op === "input" || n.op === "const" ? ` (${n.op})` : ` = ${n.op}(…)`);
    }
    const cell = document.getElementById("a_d" + n.i);
    const text = cell && cell.querySelector("text");
    if (text && main) {
      const box = main.querySelector("path, polygon").getBBox();
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("x", (box.x + box.width / 2).toFixed(2));
      text.classList.add("deriv");
      text.textContent = "";
      slots.set(n.i, text);
    }
  }
  const edgeEl = (id) => document.getElementById(id);
  const layer = svg.querySelector("g.graph") || svg;
  // Fit the picture to its pane, unless that would make its text too small to read: then it
  // keeps its own size and the pane scrolls (and follows the current node).
  const pane = $("#graph");
  const vb = svg.viewBox.baseVal;
  if (vb && vb.width && Math.min(pane.clientWidth / vb.width, pane.clientHeight / vb.height) < 0.7) {
    pane.classList.add("actual");             // one pixel a point: 12-pt labels 12 px tall
    svg.style.width = vb.width + "px";
    svg.style.height = vb.height + "px";
  }

  // ------------------------------------------------------------ where we are
  const sweep = () => data.sweeps[state.mode][state.seed[state.mode]];
  const steps = () => sweep().steps;
  let stepOf = new Map();
  function reindex() {
    stepOf = new Map(steps().map((s, k) => [s.node, k]));
  }
  function status(i) {
    const k = stepOf.get(i);
    if (k === undefined) return "idle";
    return k < state.step ? "done" : k === state.step ? "current" : "pending";
  }
  const node = (i) => data.nodes[i];

  // ------------------------------------------------------------ drawing
  function setDeriv(i, st) {
    const t = slots.get(i);
    if (!t) return;
    t.textContent = "";
    t.classList.toggle("fwd", state.mode === "forward");
    t.classList.toggle("cur", st === "current");
    if (state.mode === "primal" || !(st === "done" || st === "current")) return;
    const s = steps()[stepOf.get(i)];
    const v = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
    v.setAttribute("font-style", "italic");
    v.textContent = "v" + MARK[state.mode];
    t.append(v, " = " + s.d_text);
  }

  function drawGraph() {
    for (const t of svg.querySelectorAll("text.term")) t.remove();
    for (const g of svg.querySelectorAll("g.edge.hot, g.edge.focus")) g.classList.remove("hot", "focus");
    for (const n of data.nodes) {
      const st = status(n.i);
      for (const g of nodeEls.get(n.i)) {
        g.classList.toggle("current", st === "current");
        g.classList.toggle("pending", st === "pending" || st === "idle");
      }
      setDeriv(n.i, st);
    }
    const s = steps()[state.step];
    (s.terms || []).forEach((t, k) => {
      const e = edgeEl(t.edge);
      if (!e) return;
      e.classList.add("hot");
      if (k === state.term) e.classList.add("focus");
      const path = e.querySelector("path");
      if (!path) return;
      const p = path.getPointAtLength(path.getTotalLength() * 0.45);
      const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
      label.setAttribute("class", "term");
      label.setAttribute("x", p.x.toFixed(1));
      label.setAttribute("y", (p.y - 5).toFixed(1));
      label.setAttribute("text-anchor", "middle");
      label.textContent = t.term;
      layer.appendChild(label);            // above the nodes, which are drawn after the edges
    });
    const cur = nodeEls.get(s.node)[0];
    if (cur && pane.classList.contains("actual")) {
      cur.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  function drawInspector() {
    const s = steps()[state.step];
    const n = node(s.node);
    const sw = sweep();
    const seed = sw.label ? ` · seed ${esc(sw.label)}` : "";
    const d = state.mode === "forward" ? "tangent" : "adjoint";
    const mark = `<i>v${MARK[state.mode] || ""}</i>`;
    let html = `<h3>${state.mode} sweep · step ${state.step + 1} of ${steps().length}${seed}</h3>`;
    html += `<div class="def" id="current-node" data-node="v${n.i}" data-name="${esc(n.name)}">${n.def}</div>`;
    html += `<dl><dt>op</dt><dd>${esc(n.op)} (${esc(n.shape)})</dd>`;
    html += `<dt>value</dt><dd class="num" data-k="value">${esc(s.value_full)}</dd>`;
    if (state.mode !== "primal") html += `<dt>${mark}</dt><dd class="num" data-k="${d}">${esc(s.d_full)}</dd>`;
    if (n.uses > 1) html += `<dt>uses</dt><dd>${n.uses} nodes</dd>`;
    html += "</dl>";
    if (s.eq) html += `<div class="eq">${s.eq}</div>`;
    else if (state.mode === "primal") html += `<div class="eq">${n.def.split(" <span")[0]} = ${s.value}</div>`;
    if (s.terms && s.terms.length) {
      html += `<div class="terms"><div class="k">chain-rule terms (s steps through them)</div>`;
      s.terms.forEach((t, k) => {
        const a = node(t.from).math, b = node(t.to).math;
        html += `<div class="${k === state.term ? "on" : ""}">${a} → ${b}: ∂ = ${t.partial}, term ${esc(t.term)}</div>`;
      });
      html += "</div>";
    }
    if (s.note) html += `<p class="note">⚠ ${s.note}</p>`;
    $("#inspector").innerHTML = html;
  }

  function traceTable(mode, seedIdx, k, compact) {
    const sw = data.sweeps[mode][seedIdx];
    const sym = mode === "forward" ? "v̇" : mode === "reverse" ? "v̄" : null;
    let h = `<table class="trace" data-mode="${mode}"><tr><th>step</th><th>v<sub>i</sub> = op(v<sub>j</sub>, …)</th>`;
    if (!compact) h += "<th>value</th>";
    if (sym) h += `<th>${sym}</th>`;
    h += "</tr>";
    sw.steps.forEach((s, j) => {
      const cls = [j === k ? "cur" : j > k ? "pending" : "", state.breaks.has(s.node) ? "bp" : ""].join(" ");
      h += `<tr class="${cls}" data-step="${j}"><td>${j + 1}</td><td>${node(s.node).def}</td>`;
      if (!compact) h += `<td class="num">${j <= k || mode !== "primal" ? s.value : ""}</td>`;
      if (sym) h += `<td class="num">${j <= k ? s.d : "·"}</td>`;
      h += "</tr>";
    });
    return h + "</table>";
  }

  function drawTrace() {
    const box = $("#trace");
    if (!state.compare) {
      box.innerHTML = traceTable(state.mode, state.seed[state.mode], state.step, false);
    } else {
      const c = data.compare;
      const side = (mode, total) => {
        const sw = data.sweeps[mode][state.seed[mode]];
        const k = Math.min(state.step, sw.steps.length - 1);
        const terms = sw.steps.reduce((a, s) => a + s.terms.length, 0);
        const flops = mode === "forward" ? c.tangent_sweep : c.adjoint_sweep;
        const jac = mode === "forward" ? c.jacobian_forward : c.jacobian_reverse;
        return `<div><h4>${mode} · seed ${esc(sw.label)} · step ${k + 1} of ${sw.steps.length}</h4>` +
          `<p class="muted">${sw.steps.length} steps, ${terms} terms, ${flops} flops a sweep; ` +
          `Jacobian: ${total} sweep${total === 1 ? "" : "s"}, ${jac} flops</p>` + traceTable(mode, state.seed[mode], k, true) + "</div>";
      };
      box.innerHTML = `<div class="verdict">${esc(c.verdict)}</div><div class="cmp">` +
        side("forward", c.n_inputs) + side("reverse", c.n_outputs) + "</div>";
    }
    for (const tr of box.querySelectorAll("tr.cur")) tr.scrollIntoView({ block: "nearest" });
  }

  function drawHeader() {
    for (const b of document.querySelectorAll("[data-mode]")) b.classList.toggle("on", b.dataset.mode === state.mode);
    $('[data-toggle="compare"]').classList.toggle("on", state.compare);
    const sel = $("#seed");
    const list = data.sweeps[state.mode];
    sel.innerHTML = list.map((s, k) => `<option value="${k}">${esc(s.label || "—")}</option>`).join("");
    sel.value = String(state.seed[state.mode]);
    sel.disabled = state.mode === "primal";
    const total = (data.seed_totals || {})[state.mode];
    sel.title = total > list.length ? `seed (d): the first ${list.length} of ${total} entries` : "seed (d)";
    $("#counter").textContent = `step ${state.step + 1} of ${steps().length}`;
  }

  function draw() {
    drawHeader();
    drawGraph();
    drawInspector();
    drawTrace();
    const sw = sweep();
    const hash = `#${state.mode}/${state.step + 1}` + (state.seed[state.mode] > 0 ? "/" + encodeURIComponent(sw.label) : "");
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  // ------------------------------------------------------------ moving
  function go(k) {
    state.step = Math.max(0, Math.min(steps().length - 1, k));
    state.term = -1;
    draw();
  }
  function setMode(mode, seedLabel) {
    state.mode = mode;
    if (seedLabel !== undefined) {
      const k = data.sweeps[mode].findIndex((s) => s.label === seedLabel);
      if (k >= 0) state.seed[mode] = k;
    }
    reindex();
    state.step = Math.min(state.step, steps().length - 1);
    state.term = -1;
  }
  function fromHash() {
    const m = /^#(primal|forward|reverse)(?:\/(\d+))?(?:\/(.+))?$/.exec(location.hash);
    if (!m) return false;
    setMode(m[1], m[3] !== undefined ? decodeURIComponent(m[3]) : undefined);
    go(m[2] ? parseInt(m[2], 10) - 1 : 0);
    return true;
  }
  function continueToBreak() {
    for (let k = state.step + 1; k < steps().length; k++) {
      if (state.breaks.has(steps()[k].node)) return go(k);
    }
    go(steps().length - 1);
  }
  const actions = {
    next: () => go(state.step + 1), prev: () => go(state.step - 1),
    first: () => go(0), last: () => go(steps().length - 1),
    primal: () => { setMode("primal"); draw(); }, forward: () => { setMode("forward"); draw(); },
    reverse: () => { setMode("reverse"); draw(); },
    seed: () => { const n = data.sweeps[state.mode].length; state.seed[state.mode] = (state.seed[state.mode] + 1) % n; setMode(state.mode); draw(); },
    terms: () => { const n = (steps()[state.step].terms || []).length; state.term = n ? (state.term + 2) % (n + 1) - 1 : -1; draw(); },
    "break": () => { const i = steps()[state.step].node; state.breaks.has(i) ? state.breaks.delete(i) : state.breaks.add(i); draw(); },
    "continue": continueToBreak,
    compare: () => { state.compare = !state.compare; draw(); },
    theme: () => document.documentElement.classList.toggle("dark"),
    help: () => { const h = $("#help"); h.hidden = !h.hidden; },
    close: () => { $("#help").hidden = true; },
  };
  const KEYS = { n: "next", ArrowRight: "next", p: "prev", ArrowLeft: "prev", g: "first", G: "last",
                 e: "primal", f: "forward", r: "reverse", d: "seed", s: "terms", b: "break", c: "continue",
                 v: "compare", t: "theme", "?": "help", Escape: "close" };
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName)) return;
    const a = KEYS[ev.key];
    if (a) { ev.preventDefault(); actions[a](); }
  });
  for (const b of document.querySelectorAll("[data-mode]")) b.addEventListener("click", () => actions[b.dataset.mode]());
  for (const b of document.querySelectorAll("[data-go]")) b.addEventListener("click", () => actions[b.dataset.go]());
  for (const b of document.querySelectorAll("[data-toggle]")) b.addEventListener("click", () => actions[b.dataset.toggle]());
  $("#seed").addEventListener("change", (ev) => { state.seed[state.mode] = +ev.target.value; setMode(state.mode); draw(); ev.target.blur(); });
  $("#trace").addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr[data-step]");
    if (tr && !state.compare) go(+tr.dataset.step);
  });
  for (const [i, els] of nodeEls) {
    for (const g of els) g.addEventListener("click", () => { if (stepOf.has(i)) go(stepOf.get(i)); });
  }
  window.addEventListener("hashchange", fromHash);

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  reindex();
  if (!fromHash()) draw();
})();
