/* kg explorer: draws the entity network embedded in #graph-data with vis-network.
   Small graphs are laid out once by the physics simulation, which is then frozen; large ones
   come with precomputed positions and are drawn without physics or edge labels (relations
   still show in tooltips and the details panel). Filters work on DataViews, so hiding
   things never re-runs the layout; the positions of the visible nodes are written back to
   the data before each filter change, so a node that comes back returns to where it was. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const COMMUNITY_COLOURS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  ];
  // Label sizes in canvas units, and the smallest on-screen size the first view must show.
  const LABEL_MIN = 12, LABEL_MAX = 28, READABLE_PX = 12;
  const typeInfo = Object.fromEntries(data.types.map((t) => [t.key, t]));
  const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
  const state = {
    types: new Set(data.types.map((t) => t.key)),
    relations: new Set(data.relations.map((r) => r.key)),
    neighbourhood: null,
    byCommunity: false,
    sizeBy: data.sizeBy,
  };

  const adjacency = new Map(data.nodes.map((n) => [n.id, []]));
  data.edges.forEach((e, index) => {
    adjacency.get(e.from).push(index);
    adjacency.get(e.to).push(index);
  });

  function colourOf(node) {
    const base = state.byCommunity
      ? COMMUNITY_COLOURS[node.community % COMMUNITY_COLOURS.length]
      : typeInfo[node.type].colour;
    return { background: base, border: "#333", highlight: { background: base, border: "#000" },
             hover: { background: base, border: "#000" } };
  }

  function visNode(node) {
    const item = { id: node.id, label: node.label, value: node[state.sizeBy], color: colourOf(node) };
    if (data.precomputedLayout) {
      item.x = node.x;
      item.y = node.y;
    }
    return item;
  }

  const nodes = new vis.DataSet(data.nodes.map(visNode));
  const edges = new vis.DataSet(data.edges.map((e, index) => {
    const comention = e.relation === data.comention;
    return {
      id: index, from: e.from, to: e.to, label: comention || data.precomputedLayout ? undefined : e.label,
      arrows: comention ? "" : "to", dashes: comention,
      width: comention ? Math.min(1 + Math.log(e.weight), 6) : 1.5,
      color: { color: comention ? "#c8c8c8" : "#8a8a8a", highlight: "#333", hover: "#333" },
    };
  }));

  const nodeView = new vis.DataView(nodes, {
    filter: (item) => state.types.has(nodeById.get(item.id).type)
      && (state.neighbourhood === null || state.neighbourhood.has(item.id)),
  });
  const edgeView = new vis.DataView(edges, {
    filter: (item) => state.relations.has(data.edges[item.id].relation),
  });

  const large = data.precomputedLayout;
  const network = new vis.Network(document.getElementById("network"), { nodes: nodeView, edges: edgeView }, {
    autoResize: true,
    nodes: {
      shape: "dot",
      scaling: { min: 6, max: 40, label: { enabled: true, min: LABEL_MIN, max: LABEL_MAX, drawThreshold: 5 } },
      font: { face: "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif" },
    },
    edges: {
      smooth: false,
      font: { size: 10, color: "#555", strokeWidth: 3, align: "middle" },
      arrows: { to: { scaleFactor: 0.5 } },
      selectionWidth: 2,
    },
    layout: { improvedLayout: !large, randomSeed: 7 },
    physics: {
      enabled: !large,
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -40, springLength: 80, avoidOverlap: 0.2 },
      stabilization: { enabled: true, iterations: 400, updateInterval: 50, fit: true },
    },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: large, hideEdgesOnZoom: large },
  });

  /* The fitted first view of a big graph is too small to read: zoom in on the hub until the
     smallest label is READABLE_PX on screen (zooming out shows the whole graph again). */
  function readableFirstView() {
    const minimum = READABLE_PX / LABEL_MIN;
    if (data.nodes.length === 0 || network.getScale() >= minimum) return;
    const hub = data.nodes.reduce((best, n) => (n.pagerank > best.pagerank ? n : best));
    network.moveTo({ position: network.getPosition(hub.id), scale: minimum, animation: false });
  }

  function markReady() {
    network.setOptions({ physics: false });
    readableFirstView();
    document.body.dataset.ready = "true";
    window.dispatchEvent(new Event("kg-explorer-ready"));
  }
  if (data.nodes.length === 0) markReady();
  else network.once(large ? "afterDrawing" : "stabilizationIterationsDone", markReady);

  /* ---------------------------------------------------------------- controls */

  function checkbox(container, key, labelText, swatch, onChange) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.checked = true;
    input.dataset.key = key;
    input.addEventListener("change", () => onChange(input.checked));
    label.append(input, swatch, document.createTextNode(labelText));
    container.append(label);
  }

  function swatchFor(colour) {
    const span = document.createElement("span");
    span.className = "swatch";
    span.style.background = colour;
    return span;
  }

  function toggle(set, key, on) {
    if (on) set.add(key); else set.delete(key);
  }

  data.types.forEach((t) => {
    const count = data.nodes.filter((n) => n.type === t.key).length;
    checkbox(document.getElementById("type-filters"), t.key, `${t.name}（${count}）`, swatchFor(t.colour), (on) => {
      toggle(state.types, t.key, on);
      refresh();
    });
  });
  data.relations.forEach((r) => {
    const line = document.createElement("span");
    line.className = r.key === data.comention ? "line-swatch dashed" : "line-swatch";
    checkbox(document.getElementById("relation-filters"), r.key, r.key, line, (on) => {
      toggle(state.relations, r.key, on);
      refresh();
    });
  });

  document.getElementById("colour-by-community").addEventListener("change", (event) => {
    state.byCommunity = event.target.checked;
    nodes.update(data.nodes.map((n) => ({ id: n.id, color: colourOf(n) })));
    document.querySelectorAll("#type-filters .swatch").forEach((s) => { s.style.opacity = state.byCommunity ? 0.3 : 1; });
  });
  const sizeSelect = document.getElementById("size-by");
  sizeSelect.value = state.sizeBy;
  sizeSelect.addEventListener("change", () => {
    state.sizeBy = sizeSelect.value;
    nodes.update(data.nodes.map((n) => ({ id: n.id, value: n[state.sizeBy] })));
  });
  document.getElementById("show-all").addEventListener("click", () => {
    state.neighbourhood = null;
    refresh();
    network.fit({ animation: false });
  });

  /* Write the drawn positions back to the data, so nodes a filter hides and shows again (or
     that "show all" brings back) keep their place instead of piling up in the centre. */
  function rememberPositions() {
    if (document.body.dataset.ready !== "true") return;
    const positions = network.getPositions();
    nodes.update(Object.entries(positions).map(([id, p]) => ({ id, x: p.x, y: p.y })));
  }

  function visibleEdgeCount() {
    const shown = new Set(nodeView.getIds());
    return data.edges.filter((e) => state.relations.has(e.relation) && shown.has(e.from) && shown.has(e.to)).length;
  }

  function refresh() {
    rememberPositions();
    nodeView.refresh();
    edgeView.refresh();
    const counts = document.getElementById("counts");
    const edgeCount = visibleEdgeCount();
    counts.textContent = `显示 ${nodeView.length} / ${data.nodes.length} 个实体，${edgeCount} / ${data.edges.length} 条关系`;
    counts.dataset.visibleNodes = String(nodeView.length);
    counts.dataset.visibleEdges = String(edgeCount);
  }
  refresh();

  /* ---------------------------------------------------------------- search */

  const names = new Map();
  data.nodes.forEach((n) => [n.label, ...n.aliases].forEach((name) => {
    if (!names.has(name)) names.set(name, n.id);
  }));
  document.getElementById("names").append(...[...names.keys()].map((name) => new Option(name)));

  /* The entities a search names: the one whose name or alias it is, else every entity with a
     name containing it (best ranked first). */
  function find(query) {
    const q = query.trim();
    if (!q) return [];
    if (names.has(q)) return [names.get(q)];
    const ids = new Set([...names.keys()].filter((name) => name.includes(q)).map((name) => names.get(name)));
    return [...ids].sort((a, b) => nodeById.get(b).pagerank - nodeById.get(a).pagerank);
  }

  function showMatches(query, ids) {
    const box = document.getElementById("search-results");
    box.replaceChildren(element("p", `“${query}”有 ${ids.length} 个匹配，请选择：`, "muted"));
    const list = element("ul");
    ids.forEach((id) => {
      const node = nodeById.get(id);
      const button = element("button", node.label, "link");
      button.type = "button";
      button.dataset.id = id;
      button.addEventListener("click", () => {
        box.replaceChildren();
        box.hidden = true;
        focusNode(id);
        document.getElementById("status").textContent = `已定位：${node.label}`;
      });
      const item = element("li");
      item.append(button, document.createTextNode(` ${typeInfo[node.type].name}`));
      list.append(item);
    });
    box.append(list);
    box.hidden = false;
  }

  function focusNode(id) {
    const node = nodeById.get(id);
    if (!state.types.has(node.type)) {
      state.types.add(node.type);
      document.querySelector(`#type-filters input[data-key="${node.type}"]`).checked = true;
    }
    if (state.neighbourhood !== null && !state.neighbourhood.has(id)) state.neighbourhood = null;
    refresh();
    network.selectNodes([id]);
    network.focus(id, { scale: 1.4, animation: false });
    showDetails(id);
  }

  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = document.getElementById("search").value;
    const ids = find(query);
    const status = document.getElementById("status");
    const box = document.getElementById("search-results");
    box.hidden = true;
    if (ids.length === 0) {
      status.textContent = `未找到“${query}”`;
      return;
    }
    if (ids.length > 1) {
      status.textContent = `找到 ${ids.length} 个匹配`;
      showMatches(query.trim(), ids);
      return;
    }
    focusNode(ids[0]);
    status.textContent = `已定位：${nodeById.get(ids[0]).label}`;
  });

  /* ---------------------------------------------------------------- details and tooltips */

  function element(tag, text, className) {
    const el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function evidenceOf(id, limit) {
    const found = new Map();
    for (const index of adjacency.get(id)) {
      for (const item of data.edges[index].evidence) {
        if (found.size >= limit) return [...found.values()];
        found.set(item.text, item);
      }
    }
    return [...found.values()];
  }

  function evidenceItem(item) {
    const block = element("blockquote", item.text);
    const source = element("div", `——${item.headline || item.article}`, "muted");
    block.append(source);
    return block;
  }

  function factsLine(node) {
    const parts = [typeInfo[node.type].name];
    if (node.code) parts.push(`区划代码 ${node.code}`);
    if (node.level) parts.push(node.level);
    return parts.join(" · ");
  }

  function showDetails(id) {
    const node = nodeById.get(id);
    const panel = document.getElementById("details");
    panel.replaceChildren();
    panel.append(element("h2", node.label), element("p", factsLine(node), "muted"));
    if (node.aliases.length) panel.append(element("p", `别名：${node.aliases.join("、")}`));
    // Only http(s) URLs and paths on this server become links (never javascript: and the like).
    if (/^https?:\/\//i.test(node.href) || (node.href.startsWith("/") && !node.href.startsWith("//"))) {
      const link = element("a", "实体页面");
      link.href = node.href;
      panel.append(link);
    } else {
      panel.append(element("p", node.href, "muted"));
    }

    panel.append(element("h2", "关系"));
    const list = element("ul");
    adjacency.get(id).forEach((index) => {
      const e = data.edges[index];
      const otherId = e.from === id ? e.to : e.from;
      const other = nodeById.get(otherId);
      const item = element("li");
      const button = element("button", other.label, "link");
      button.type = "button";
      button.addEventListener("click", () => focusNode(otherId));
      const arrow = e.relation === data.comention ? `共现 ×${e.weight} ` : (e.from === id ? `${e.label} → ` : `← ${e.label} `);
      item.append(document.createTextNode(arrow), button);
      list.append(item);
    });
    panel.append(list);

    const evidence = evidenceOf(id, 3);
    if (evidence.length) {
      panel.append(element("h2", "证据"));
      evidence.forEach((item) => panel.append(evidenceItem(item)));
    }
  }

  const tooltip = document.getElementById("tooltip");
  function showTooltip(content, pointer) {
    const box = document.getElementById("network").getBoundingClientRect();
    tooltip.replaceChildren(...content);
    tooltip.hidden = false;
    const left = Math.min(box.left + pointer.x + 14, window.innerWidth - tooltip.offsetWidth - 8);
    const top = Math.min(box.top + pointer.y + 14, window.innerHeight - tooltip.offsetHeight - 8);
    tooltip.style.left = `${Math.max(left, 0)}px`;
    tooltip.style.top = `${Math.max(top, 0)}px`;
  }

  network.on("hoverNode", (params) => {
    const node = nodeById.get(params.node);
    const content = [element("strong", node.label), element("p", factsLine(node))];
    if (node.aliases.length) content.push(element("p", `别名：${node.aliases.join("、")}`));
    evidenceOf(node.id, 3).forEach((item) => content.push(evidenceItem(item)));
    showTooltip(content, params.pointer.DOM);
  });
  network.on("hoverEdge", (params) => {
    const e = data.edges[params.edge];
    const title = `${nodeById.get(e.from).label} ${e.relation === data.comention ? "共现" : e.label} ${nodeById.get(e.to).label}`;
    const content = [element("strong", title)];
    if (e.relation === data.comention) content.push(element("p", `同句出现 ${e.weight} 次`));
    e.evidence.forEach((item) => content.push(evidenceItem(item)));
    showTooltip(content, params.pointer.DOM);
  });
  network.on("blurNode", () => { tooltip.hidden = true; });
  network.on("blurEdge", () => { tooltip.hidden = true; });
  network.on("dragStart", () => { tooltip.hidden = true; });

  network.on("click", (params) => {
    if (params.nodes.length === 0) return;
    const id = params.nodes[0];
    state.neighbourhood = new Set([id]);
    adjacency.get(id).forEach((index) => {
      const e = data.edges[index];
      if (state.relations.has(e.relation)) state.neighbourhood.add(e.from === id ? e.to : e.from);
    });
    refresh();
    showDetails(id);
  });

  window.kgExplorer = {
    network, nodes, edges, nodeView, edgeView, state, find, focusNode, labelMin: LABEL_MIN,
    visibleNodeIds: () => nodeView.getIds(),
  };
})();
