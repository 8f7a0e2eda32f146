// graphspec view: the page. Everything received is shown as text (never parsed as HTML);
// the diagram SVG is parsed as XML, stripped of anything active, then inserted.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const state = {
    specs: [], index: 0, page: null, selected: null, unit: null,
    blocks: "expand", toggled: new Set(), pz: null,
    loading: false, pending: false, fitNext: true, events: null, anchor: null,
    editor: null, firstView: null, fitted: [], suggest: false, settling: false, autoCollapsed: false, mini: null,
  };
  const READABLE_PX = 8;   // the smallest text a first view may show (px on screen)
  const TARGET_PX = 11;    // the text size of a first view that cannot show everything

  // -- small DOM helpers (text only) -----------------------------------------------------------
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "class") node.className = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else if (key.startsWith("data-")) node.setAttribute(key, String(value));
      else node[key] = value;
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
    }
    return node;
  }
  const fmt = (n) => (n === null || n === undefined ? "?" : Number(n).toLocaleString("en-US"));
  const show = (value) => (typeof value === "string" ? value : JSON.stringify(value));

  // -- loading ---------------------------------------------------------------------------------
  // The first page load carries the listing and its spec's page (the diagram is already drawn
  // in the HTML); without it (an old server) both are asked for.
  function firstPage() {
    const node = $("first-page");
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (err) { return null; }
  }

  async function start() {
    const hash = new URLSearchParams(location.hash.slice(1));
    let data = firstPage();
    if (!data) {
      try {
        const response = await fetch("/api/specs", { cache: "no-store" });
        data = await response.json();
      } catch (err) {
        banner(`cannot reach the graphspec view server: ${err.message}`);
        return;
      }
    }
    state.specs = data.specs;
    state.blocks = data.blocks;
    state.defaultBlocks = data.blocks;
    state.editor = data.editor || null;
    const query = new URLSearchParams(location.search);
    const wanted = Number.parseInt(hash.get("spec") || query.get("spec") || "0", 10);
    state.index = wanted >= 0 && wanted < state.specs.length ? wanted : 0;
    picker();
    listen();
    if (data.page && data.page.index === state.index) render(data.page);
    else await load();
  }

  async function load() {
    if (state.loading) { state.pending = true; return; }
    state.loading = true;
    try {
      do {
        state.pending = false;
        const query = new URLSearchParams({ blocks: state.blocks });
        if (state.suggest) query.set("suggest", "1");
        for (const unit of state.toggled) query.append("toggle", unit);
        const response = await fetch(`/api/spec/${state.index}?${query}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        render(await response.json());
      } while (state.pending);
    } catch (err) {
      banner(`cannot load the spec from the server: ${err.message}`);
    } finally {
      state.loading = false;
    }
  }

  function listen() {
    const events = new EventSource("/api/events");
    state.events = events;
    const live = $("live");
    events.addEventListener("open", () => { live.className = "live on"; live.textContent = "live"; });
    events.addEventListener("error", () => { live.className = "live off"; live.textContent = "reconnecting…"; });
    events.addEventListener("hello", (event) => {
      const versions = JSON.parse(event.data).versions;
      if (state.page && versions[state.index] !== state.page.version) load();
    });
    events.addEventListener("change", (event) => {
      const data = JSON.parse(event.data);
      if (data.spec === state.index && (!state.page || data.version !== state.page.version)) load();
    });
  }

  // -- drawing a page --------------------------------------------------------------------------
  function render(page) {
    const previous = state.page;
    if (!page.loaded && previous && previous.svg) {
      // Keep the last diagram (greyed) while the file cannot be read at all.
      page = { ...previous, ...page, svg: previous.svg, boxes: previous.boxes, nodes: previous.nodes,
               clusters: previous.clusters, totals: previous.totals, stale: true };
    }
    state.page = page;
    if (page.loaded && page.blocks && page.blocks !== state.blocks) {
      state.blocks = page.blocks;  // the server collapsed the blocks of a very large graph
      state.toggled = new Set(page.toggled);
    }
    document.title = `${page.name} · graphspec view`;
    $("name").textContent = page.name;
    $("name").title = page.file;
    $("summary").textContent = page.summary;
    $("summary").title = page.summary;
    totals(page);
    changes(page);
    diagnostics(page);
    $("expand-all").disabled = !hasBlocks(page);
    $("collapse-all").disabled = !hasBlocks(page);
    suggestion(page);
    if (page.svg && (!previous || previous.svg !== page.svg || !state.pz)) draw(page.svg);
    $("canvas").classList.toggle("stale", Boolean(page.stale));
    if (!page.svg) {
      if (state.pz) { state.pz.destroy(); state.pz = null; }
      $("canvas").replaceChildren(el("p", { class: "placeholder" }, page.loaded
        ? (page.notice || "There is no diagram: see the diagnostics.")
        : "This spec cannot be read, so there is no diagram yet: see the diagnostics."));
    }
    if (!page.loaded) {
      banner(page.svg ? "The spec cannot be read now (see the diagnostics); the last diagram drawn is shown greyed."
                      : "The spec cannot be read: see the diagnostics.");
    } else {
      banner(page.notice && page.svg ? page.notice : null, "notice");
    }
    if (state.unit) selectUnit(state.unit, false);
    else if (state.selected) select(state.selected, false);
    document.body.dataset.version = String(page.version);
    document.body.dataset.ok = String(page.ok);
  }

  // -- blocks suggested for a flat spec (what graphspec import would write) ----------------------
  function suggestion(page) {
    const button = $("suggest");
    button.disabled = Boolean(page.written_blocks || page.diff || !page.loaded);
    button.classList.toggle("on", state.suggest);
    button.textContent = state.suggest ? "Hide suggestion" : "Suggest blocks";
    const found = page.suggestion;
    $("suggested").hidden = !state.suggest || !found;
    if (!state.suggest || !found) return;
    if (!found.found) {
      $("suggest-count").textContent = "0";
      $("suggest-summary").textContent = `No blocks to suggest: ${found.why}.`;
      $("suggest-yaml").textContent = "";
      return;
    }
    const blocks = Object.entries(found.blocks).map(([name, n]) => `${name} (×${n})`).join(", ");
    $("suggest-count").textContent = String(Object.keys(found.blocks).length);
    $("suggest-summary").textContent = `Drawn with the blocks its repeated structure makes: ${blocks}; `
      + `${found.lines[0]} lines flat → ${found.lines[1]} with blocks. The same model, the same layer `
      + "names; your file is unchanged (copy the YAML below to use it).";
    $("suggest-yaml").textContent = found.yaml;
  }

  function hasBlocks(page) {
    return Object.keys(page.clusters).length > 0
      || Object.values(page.boxes).some((b) => b.kind === "block");
  }

  function banner(text, kind) {
    const node = $("banner");
    node.hidden = !text;
    node.className = kind || "";
    node.textContent = text || "";
  }

  function totals(page) {
    const box = $("totals");
    const t = page.totals;
    if (!t) { box.replaceChildren(); return; }
    const item = (value, label, cls) => el("div", { class: cls || "" }, el("b", {}, value), " ", label);
    const params = t.params === null ? "?" : (t.complete ? fmt(t.params) : `≥ ${fmt(t.params)}`);
    const flops = t.flops === null || t.flops === undefined ? "?"
      : (t.flops_complete ? fmt(t.flops) : `≥ ${fmt(t.flops)}`);
    box.replaceChildren(
      item(params, "params"),
      item(t.trainable === null ? "?" : fmt(t.trainable), "trainable"),
      item(flops, "FLOPs"),
      item(fmt(t.layers), "layers"),
      item(fmt(t.errors), t.errors === 1 ? "error" : "errors", t.errors ? "bad" : ""),
      item(fmt(t.warnings), t.warnings === 1 ? "warning" : "warnings", t.warnings ? "warn" : ""),
    );
  }

  function sanitize(root) {
    for (const bad of root.querySelectorAll("script, foreignObject, iframe, object, embed")) bad.remove();
    for (const node of [root, ...root.querySelectorAll("*")]) {
      for (const attr of [...node.attributes]) {
        const name = attr.name.toLowerCase();
        const value = attr.value.trim().toLowerCase();
        if (name.startsWith("on")) node.removeAttribute(attr.name);
        else if ((name === "href" || name === "xlink:href") && !value.startsWith("#")) node.removeAttribute(attr.name);
      }
    }
  }

  function draw(text) {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const svg = doc.documentElement;
    if (svg.namespaceURI !== SVG_NS || svg.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length) {
      banner("the server sent a diagram that is not valid SVG");
      return;
    }
    sanitize(svg);
    const first = state.fitNext;
    let keep = null;
    if (state.pz && !state.fitNext) keep = { scale: state.pz.getSizes().realZoom, pan: state.pz.getPan() };
    if (state.pz) { state.pz.destroy(); state.pz = null; }
    svg.setAttribute("width", "100%");
    svg.setAttribute("height", "100%");
    const node = document.importNode(svg, true);
    $("canvas").replaceChildren(node);
    minimap(node);
    state.pz = svgPanZoom(node, {
      zoomEnabled: true, panEnabled: true, controlIconsEnabled: false, dblClickZoomEnabled: false,
      fit: true, center: true, minZoom: 0.05, maxZoom: 200, zoomScaleSensitivity: 0.25,
      onUpdatedCTM: lens,
    });
    if (keep) {
      // The same scale on screen (not the same fraction of a diagram that changed size).
      state.pz.zoom(keep.scale / (state.pz.getSizes().realZoom / state.pz.getZoom()));
      state.pz.pan(keep.pan);
    }
    if (state.anchor) {
      // A block toggled in place: the boxes drawn before it (above it) back where they were on
      // screen (the median move of those found again), else the block itself; once svg-pan-zoom
      // has drawn the new zoom and pan (it does so on the next animation frame).
      const anchor = state.anchor;
      requestAnimationFrame(() => requestAnimationFrame(() => {
        const info = unitInfo(anchor.unit);
        const target = info ? document.getElementById(info.id) : null;
        const now = boxPlaces();
        const moves = Object.entries(anchor.above).filter(([name]) => now[name])
          .map(([name, at]) => ({ x: at.x - now[name].x, y: at.y - now[name].y }));
        if (moves.length && state.pz) {
          const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
          state.pz.panBy({ x: median(moves.map((m) => m.x)), y: median(moves.map((m) => m.y)) });
        } else if (target && state.pz) {
          const box = target.getBoundingClientRect();
          state.pz.panBy({ x: anchor.x - box.left, y: anchor.y - box.top });
        }
        requestAnimationFrame(() => { if (state.anchor === anchor) state.anchor = null; });
      }));
    }
    state.fitNext = false;
    if (first) firstView();
    else afterPaint(lens);
  }

  // -- the first view of a spec: readable ------------------------------------------------------
  const afterPaint = (then) => requestAnimationFrame(() => requestAnimationFrame(then));

  function textPx() {
    // The smallest box text on screen: its font size times the current zoom.
    let smallest = Infinity;
    for (const text of $("canvas").querySelectorAll("svg g.gsbox text")) {
      const ctm = text.getScreenCTM();
      if (!ctm) continue;
      smallest = Math.min(smallest, Math.hypot(ctm.a, ctm.b) * Number.parseFloat(getComputedStyle(text).fontSize));
    }
    return smallest;
  }

  function firstView() {
    // Fit when the text stays readable; else collapse the blocks (once, when there are some and
    // the user chose nothing yet); else start at the inputs at a readable zoom, with a minimap.
    state.settling = true;
    const pz = state.pz;
    afterPaint(() => {
      if (state.pz !== pz) return;  // drawn again meanwhile: that drawing decides
      const px = textPx();
      state.fitted.push(Math.round(px * 100) / 100);
      if (!(px < READABLE_PX)) { settled("fit"); return; }
      const page = state.page;
      if (!state.autoCollapsed && !page.diff && hasBlocks(page) && state.blocks === "expand"
          && state.toggled.size === 0) {
        state.autoCollapsed = true;
        state.blocks = "collapse";
        state.fitNext = true;
        note("blocks start collapsed so that the text is readable: double-click one to open it");
        load();
        return;
      }
      pz.zoom(pz.getZoom() * (TARGET_PX / px));
      afterPaint(() => {
        if (state.pz !== pz) return;
        const canvas = $("canvas").getBoundingClientRect();
        const start = $("canvas").querySelector("svg g.gs_input") || $("canvas").querySelector("svg g.gsbox");
        if (start) {
          const box = start.getBoundingClientRect();
          // The input centred across, the top of the diagram (its legend) at the top.
          pz.pan({ x: pz.getPan().x + canvas.left + canvas.width / 2 - (box.left + box.width / 2), y: 0 });
        }
        afterPaint(() => { lens(); settled("readable"); });
      });
    });
  }

  function settled(how) {
    state.firstView = how;
    state.settling = false;
    document.body.dataset.firstView = how;
    lens();
  }

  function note(text) {
    $("view-note").textContent = text ? ` · ${text}` : "";
  }

  // -- the minimap: the whole diagram, and where the view is ------------------------------------
  function minimap(svg) {
    const box = $("minimap");
    const view = svg.viewBox && svg.viewBox.baseVal;
    if (!view || !view.width || !view.height) { state.mini = null; box.hidden = true; return; }
    const copy = svg.cloneNode(true);
    for (const node of [copy, ...copy.querySelectorAll("[id]")]) node.removeAttribute("id");
    copy.removeAttribute("width");
    copy.removeAttribute("height");
    copy.setAttribute("aria-hidden", "true");
    box.replaceChildren(copy, el("div", { id: "lens" }));
    state.mini = { width: view.width, height: view.height };
  }

  function miniScale() {
    const box = $("minimap");
    const inner = { w: box.clientWidth - 8, h: box.clientHeight - 8 };
    const m = Math.min(inner.w / state.mini.width, inner.h / state.mini.height);
    return { m, x: 4 + (inner.w - state.mini.width * m) / 2, y: 4 + (inner.h - state.mini.height * m) / 2 };
  }

  function lens() {
    const box = $("minimap");
    if (!state.pz || !state.mini) { box.hidden = true; return; }
    const sizes = state.pz.getSizes();
    const pan = state.pz.getPan();
    const z = sizes.realZoom;
    const seen = { x: -pan.x / z, y: -pan.y / z, w: sizes.width / z, h: sizes.height / z };
    const slack = 2 / z;
    const whole = seen.x <= slack && seen.y <= slack && seen.x + seen.w >= state.mini.width - slack
      && seen.y + seen.h >= state.mini.height - slack;
    box.hidden = whole;
    if (whole) return;
    const { m, x, y } = miniScale();
    const left = Math.max(0, seen.x), top = Math.max(0, seen.y);
    const right = Math.min(state.mini.width, seen.x + seen.w), bottom = Math.min(state.mini.height, seen.y + seen.h);
    const frame = $("lens");
    frame.style.left = `${x + left * m}px`;
    frame.style.top = `${y + top * m}px`;
    frame.style.width = `${Math.max(4, (right - left) * m)}px`;
    frame.style.height = `${Math.max(4, (bottom - top) * m)}px`;
  }

  function miniClick(e) {
    if (!state.pz || !state.mini) return;
    const rect = $("minimap").getBoundingClientRect();
    const { m, x, y } = miniScale();
    const at = { x: (e.clientX - rect.left - x) / m, y: (e.clientY - rect.top - y) / m };
    const sizes = state.pz.getSizes();
    state.pz.pan({ x: sizes.width / 2 - at.x * sizes.realZoom, y: sizes.height / 2 - at.y * sizes.realZoom });
  }

  // -- selection -------------------------------------------------------------------------------
  function highlight(id) {
    for (const old of document.querySelectorAll(".gs-selected")) old.classList.remove("gs-selected");
    const target = id ? document.getElementById(id) : null;
    if (target) target.classList.add("gs-selected");
    return target;
  }

  function center(target) {
    if (!target || !state.pz) return;
    const canvas = $("canvas").getBoundingClientRect();
    let box = target.getBoundingClientRect();
    if (box.height > 0 && box.height < 56) {
      const factor = 72 / box.height;  // zoom until the box text is readable (maxZoom bounds it)
      state.pz.zoomAtPoint(state.pz.getZoom() * factor,
        { x: box.left + box.width / 2 - canvas.left, y: box.top + box.height / 2 - canvas.top });
      box = target.getBoundingClientRect();
    }
    state.pz.panBy({
      x: canvas.left + canvas.width / 2 - (box.left + box.width / 2),
      y: canvas.top + canvas.height / 2 - (box.top + box.height / 2),
    });
  }

  function select(name, focus) {
    const page = state.page;
    state.unit = null;
    state.selected = name;
    const node = page.nodes[name];
    if (!node) {
      highlight(null);
      $("details").replaceChildren(el("p", { class: "none" }, `${name} is no longer in the spec.`));
      return;
    }
    const target = highlight(node.box ? `node_${node.box}` : null);
    $("details").replaceChildren(...nodePanel(name, node, page));
    if (focus) center(target);
  }

  function nodeButtons(names, ports) {
    if (!names.length) return el("div", { class: "none" }, "none");
    return el("div", { class: "links" }, ...names.map((name, i) => el("button", {
      type: "button", "data-node": name, title: `show ${name}`,
      onclick: () => select(name, true),
    }, ports && ports[i] ? `${name}:${ports[i]}` : name)));
  }

  function row(label, value) {
    return value === null || value === undefined || value === "" ? null : el("tr", {}, el("th", {}, label), el("td", {}, value));
  }

  function flopsText(cost) {
    if (!cost) return null;
    if (cost.flops === null) return `? (${cost.why || "unknown"})`;
    return `${fmt(cost.flops)} (${fmt(cost.macs)} MACs)`;
  }

  // file:line as a link that opens the user's editor (graphspec view --editor-url PATTERN).
  function editorLink(file, line, column) {
    const path = state.editor && state.page && (state.page.paths || {})[file];
    if (!path) return null;
    const quoted = encodeURI(path).replace(/[?#]/g, encodeURIComponent);
    return state.editor
      .replace(/(\/?)\{path\}/g, (_, slash) => slash + (slash && quoted.startsWith("/") ? quoted.slice(1) : quoted))
      .replaceAll("{line}", String(line || 1))
      .replaceAll("{column}", String(column || 1));
  }

  function whereLink(node, where) {
    const href = editorLink(node.file, node.line, node.column);
    if (!href) {
      return el("div", { class: "where", title: "where it is written (graphspec view --editor-url PATTERN makes it a link to your editor)" }, where);
    }
    return el("a", { class: "where", href, title: `open in your editor: ${href}` }, where);
  }

  function nodePanel(name, node, page) {
    const where = node.line ? `${node.file}:${node.line}:${node.column || 1}` : node.file;
    const params = node.params === null ? (node.kind === "input" ? null : "?")
      : `${fmt(node.params)} (${fmt(node.trainable)} trainable)`;
    const parts = [
      el("h3", { id: "detail-name" }, name),
      el("div", { class: "type" }, node.type || "?"),
      whereLink(node, where),
      el("table", {},
        row("expression", node.expr),
        row(node.shapes.length > 1 ? "outputs" : "output", node.shapes.join(", ") || "?"),
        node.kind === "input" ? row("input", `${node.input_shape} ${node.dtype}`) : null,
        row("params", params),
        row("FLOPs", flopsText(node.flops)),
        row("block", node.block),
        row("shares", node.share),
        row("model output", node.output)),
      el("h4", {}, "inputs"),
      nodeButtons(node.inputs.map((i) => i.name), node.inputs.map((i) => i.port)),
      el("h4", {}, "outputs to"),
      nodeButtons(node.consumers),
    ];
    const args = Object.entries(node.args || {});
    if (node.kind !== "input" && !node.expr) {
      parts.push(el("h4", {}, "arguments"));
      parts.push(args.length ? el("table", {}, ...args.map(([k, v]) => row(k, show(v))))
                             : el("div", { class: "none" }, "none (Keras defaults)"));
    }
    const mine = page.diagnostics.filter((d) => (d.nodes || [d.node]).includes(name));
    if (mine.length) {
      parts.push(el("h4", {}, "diagnostics"));
      for (const d of mine) {
        parts.push(el("div", { class: `diag ${d.severity}` }, `${d.severity}[${d.code}]: ${d.message}`,
          d.hint ? el("div", { class: "muted" }, `hint: ${d.hint}`) : null));
      }
    }
    const box = page.boxes[node.box];
    if (box && box.kind === "block") {
      parts.push(el("button", { class: "action", type: "button", onclick: () => toggle(box.unit) },
        `Expand block ${box.unit}`));
    }
    return parts;
  }

  function unitInfo(unit) {
    const page = state.page;
    if (!unit) return null;
    for (const [bid, box] of Object.entries(page.boxes)) if (box.unit === unit) return { id: `node_${bid}`, box, collapsed: true };
    for (const [cid, cluster] of Object.entries(page.clusters)) if (cluster.unit === unit) return { id: `clust_${cid}`, cluster, collapsed: false };
    return null;
  }

  function selectUnit(unit, focus) {
    const info = unitInfo(unit);
    if (!info) { state.unit = null; if (state.selected) select(state.selected, false); return; }
    state.unit = unit;
    state.selected = null;
    const target = highlight(info.id);
    const members = Object.keys(state.page.nodes).filter((n) => n === unit || n.startsWith(`${unit}.`));
    const parts = [
      el("h3", { id: "detail-name" }, unit),
      el("div", { class: "type" }, info.box ? info.box.type : info.cluster.label),
      el("table", {},
        row("layers", fmt(members.filter((n) => state.page.nodes[n].kind !== "input").length)),
        info.box ? row("shapes", info.box.shape) : null,
        info.box ? row("params", info.box.params) : null),
      el("button", { class: "action", type: "button", onclick: () => toggle(unit) },
        info.collapsed ? `Expand block ${unit}` : `Collapse block ${unit}`),
      el("h4", {}, "layers"),
      nodeButtons(members),
    ];
    $("details").replaceChildren(...parts);
    if (focus) center(target);
  }

  function boxPlaces() {
    // Every box on screen by the name it shows (a layer's, or a collapsed block's unit).
    const places = {};
    for (const [bid, box] of Object.entries(state.page ? state.page.boxes : {})) {
      const node = document.getElementById(`node_${bid}`);
      if (!node) continue;
      const rect = node.getBoundingClientRect();
      const name = box.kind === "block" && box.unit ? box.unit : box.nodes[0];
      places[name] = { x: rect.left, y: rect.top, bottom: rect.bottom };
    }
    return places;
  }

  function toggle(unit) {
    const info = unitInfo(unit);
    const target = info ? document.getElementById(info.id) : null;
    if (target) {
      const box = target.getBoundingClientRect();
      const above = {};
      for (const [name, at] of Object.entries(boxPlaces())) {
        if (name !== unit && !name.startsWith(`${unit}.`) && at.bottom <= box.top) above[name] = at;
      }
      state.anchor = { unit, x: box.left, y: box.top, above };
    }
    if (state.toggled.has(unit)) state.toggled.delete(unit);
    else state.toggled.add(unit);
    state.unit = unit;
    load();
  }

  // -- a diff (graphspec view --diff REV) --------------------------------------------------------
  function changes(page) {
    const diff = page.diff;
    $("changes").hidden = !diff;
    document.body.dataset.diff = diff ? (diff.equal ? "equal" : "changed") : "";
    if (!diff) return;
    $("change-against").textContent = `against ${diff.against}`;
    $("change-summary").textContent = diff.compared ? diff.summary
      : `${diff.against} could not be compared: see the diagnostics`;
    const kind = (line) => ({ "~": "changed", "+": "added", "-": "removed", "=": "renamed" })[line[0]] || "note";
    $("change-list").replaceChildren(...diff.lines.map((line) => el("li", { class: kind(line) }, line)));
  }

  // -- diagnostics -----------------------------------------------------------------------------
  function diagnostics(page) {
    const list = $("diag-list");
    $("diag-count").textContent = String(page.diagnostics.length);
    if (!page.diagnostics.length) {
      list.replaceChildren(el("li", { class: "none" }, "No problems found."));
      return;
    }
    list.replaceChildren(...page.diagnostics.map((d) => el("li", { class: d.severity },
      el("button", {
        type: "button", "data-node": d.node || "",
        onclick: () => { if (d.node && state.page.nodes[d.node]) select(d.node, true); },
      },
      el("span", { class: "code" }, `${d.severity}[${d.code}]`), " ",
      el("span", { class: "loc" }, d.location),
      el("span", { class: "msg" }, d.message),
      ...(d.related || []).map((line) => el("span", { class: "related" }, line)),
      d.hint ? el("span", { class: "dhint" }, `hint: ${d.hint}`) : null))));
  }

  // -- search ----------------------------------------------------------------------------------
  // Search by name (first), then by type, then by argument: "Conv2D", "64", "filters=64",
  // "strides: 2" and "relu" all find nodes; each result says why it matched.
  const squash = (text) => text.toLowerCase().replace(/\s*[:=]\s*/g, "=").replace(/\s+/g, " ");

  function matches(text) {
    const needle = text.trim().toLowerCase();
    if (!needle || !state.page) return [];
    const arg = squash(needle);
    const found = [];
    for (const [name, node] of Object.entries(state.page.nodes)) {
      const lower = name.toLowerCase();
      const type = (node.type || "").toLowerCase();
      if (lower.startsWith(needle)) { found.push({ name, rank: 0, why: "" }); continue; }
      if (lower.includes(needle)) { found.push({ name, rank: 1, why: "" }); continue; }
      if (type === needle || type.includes(needle)) { found.push({ name, rank: type === needle ? 2 : 3, why: "" }); continue; }
      for (const [key, value] of Object.entries(node.args || {})) {
        const shown = show(value);
        const pair = squash(`${key}=${shown}`);
        if (squash(shown) === arg || pair === arg || pair.startsWith(arg) || (arg.length > 2 && pair.includes(arg))) {
          found.push({ name, rank: squash(shown) === arg || pair === arg ? 4 : 5, why: `${key}: ${shown}` });
          break;
        }
      }
    }
    found.sort((a, b) => a.rank - b.rank);
    return found.slice(0, 40);
  }

  function results() {
    const found = matches($("search").value);
    const list = $("results");
    list.hidden = !found.length;
    list.replaceChildren(...found.map((hit, i) => el("li", {}, el("button", {
      type: "button", class: i === 0 ? "active" : "", "data-node": hit.name,
      onclick: () => { pick(hit.name); },
    }, hit.name, el("span", { class: "type" }, state.page.nodes[hit.name].type || ""),
      hit.why ? el("span", { class: "why" }, hit.why) : null))));
  }

  function pick(name) {
    $("results").hidden = true;
    $("search").value = name;
    select(name, true);
  }

  // -- picker and controls ---------------------------------------------------------------------
  function picker() {
    const select = $("picker");
    if (state.specs.length < 2) { select.hidden = true; return; }
    select.hidden = false;
    select.replaceChildren(...state.specs.map((s) => el("option", { value: String(s.index) }, `${s.name} — ${s.file}`)));
    select.value = String(state.index);
    select.addEventListener("change", () => {
      state.index = Number(select.value);
      state.page = null; state.selected = null; state.unit = null;
      state.toggled.clear(); state.fitNext = true; state.autoCollapsed = false; note(null);
      state.blocks = state.defaultBlocks; state.suggest = false;
      location.hash = `spec=${state.index}`;
      $("details").replaceChildren(el("p", { class: "muted" }, "Click a node in the diagram, or find one by name."));
      load();
    });
  }

  function wire() {
    const canvas = $("canvas");
    let down = null;
    canvas.addEventListener("pointerdown", (e) => { down = { x: e.clientX, y: e.clientY }; });
    const target = (e) => {
      const box = e.target.closest("g.gsbox");
      if (box) return { kind: "box", id: box.id.slice("node_".length) };
      const note = e.target.closest("g.gsnote");
      if (note) return { kind: "box", id: note.id.slice("note_".length) };
      const cluster = e.target.closest("g.gscluster");
      if (cluster) return { kind: "cluster", id: cluster.id.slice("clust_".length) };
      return null;
    };
    canvas.addEventListener("click", (e) => {
      if (down && Math.hypot(e.clientX - down.x, e.clientY - down.y) > 5) return;
      const hit = target(e);
      if (!hit || !state.page) return;
      if (hit.kind === "cluster") {
        const cluster = state.page.clusters[hit.id];
        if (cluster && cluster.unit) selectUnit(cluster.unit, false);
        return;
      }
      const box = state.page.boxes[hit.id];
      if (!box) return;
      if (box.kind === "block" && box.unit) selectUnit(box.unit, false);
      else select(box.nodes[0], false);  // a layer, or a nested model drawn as one box
    });
    canvas.addEventListener("dblclick", (e) => {
      const hit = target(e);
      if (!hit || !state.page) return;
      const unit = hit.kind === "cluster" ? (state.page.clusters[hit.id] || {}).unit
        : (state.page.boxes[hit.id] || {}).unit;
      if (unit) toggle(unit);
    });
    const search = $("search");
    search.addEventListener("input", results);
    search.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { const found = matches(search.value); if (found.length) pick(found[0].name); }
      else if (e.key === "Escape") { search.value = ""; $("results").hidden = true; search.blur(); }
    });
    search.addEventListener("blur", () => setTimeout(() => { $("results").hidden = true; }, 200));
    document.addEventListener("keydown", (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (e.key === "/") { e.preventDefault(); search.focus(); search.select(); }
      else if (e.key === "0" && state.pz) { state.pz.fit(); state.pz.center(); }
    });
    $("fit").addEventListener("click", () => { if (state.pz) { state.pz.resize(); state.pz.fit(); state.pz.center(); } });
    $("expand-all").addEventListener("click", () => { state.blocks = "expand"; state.toggled.clear(); state.unit = null; note(null); load(); });
    $("collapse-all").addEventListener("click", () => { state.blocks = "collapse"; state.toggled.clear(); state.unit = null; note(null); load(); });
    $("minimap").addEventListener("click", miniClick);
    $("suggest").addEventListener("click", () => {
      state.suggest = !state.suggest;
      state.blocks = state.suggest ? "collapse" : state.defaultBlocks;
      state.toggled.clear(); state.unit = null; state.fitNext = true; state.autoCollapsed = true;
      note(state.suggest ? "suggested blocks, drawn collapsed: double-click one to open it" : null);
      load();
    });
    window.addEventListener("resize", () => { if (state.pz) state.pz.resize(); });
  }

  // A read-only window for tests and the curious: never used to receive anything.
  window.graphspecView = Object.freeze({
    snapshot: () => ({
      version: state.page ? state.page.version : null, index: state.index,
      selected: state.selected, unit: state.unit,
      zoom: state.pz ? state.pz.getZoom() : null, pan: state.pz ? state.pz.getPan() : null,
      scale: state.pz ? state.pz.getSizes().realZoom : null,
      busy: state.loading || state.anchor !== null || state.settling,
      firstView: state.firstView, blocks: state.blocks, fitted: [...state.fitted], suggest: state.suggest,
    }),
    zoomBy: (factor) => { if (state.pz) state.pz.zoomBy(factor); },
  });

  document.addEventListener("DOMContentLoaded", () => { wire(); start(); });
})();
