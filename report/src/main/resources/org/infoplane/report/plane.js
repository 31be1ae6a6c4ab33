// InfoPlane's interactive information plane (inlined into report pages by InteractivePlane.java).
// Reads the points from <script id="plane-data">, draws them as SVG into #plane: one track per run,
// split and layer in training order; colour = layer; filled = train split. Hover a point for its
// run, layer, checkpoint, sigma and intervals; check boxes show and hide layers, splits and runs.
// Plain DOM and SVG, no library: the page works opened from disk without a network.
(function () {
  "use strict";
  var root = document.getElementById("plane");
  var pts = JSON.parse(document.getElementById("plane-data").textContent).points;
  var NS = "http://www.w3.org/2000/svg";
  var W = 820, H = 520, M = {l: 62, r: 18, t: 14, b: 48};
  var HUES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf"];

  function uniq(key) {
    var seen = {}, out = [];
    pts.forEach(function (p) { if (!(p[key] in seen)) { seen[p[key]] = true; out.push(p[key]); } });
    return out;
  }
  var layerIdx = uniq("li").sort(function (a, b) { return a - b; });
  var layerName = {};
  pts.forEach(function (p) { layerName[p.li] = p.layer; });
  var splits = uniq("split").sort(function (a, b) {
    return a === "train" ? -1 : b === "train" ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  var runs = uniq("run").sort();
  var hidden = {li: {}, split: {}, run: {}};

  function max(keys) {  // the axis reaches past every value and every interval's upper end
    var m = 0;
    pts.forEach(function (p) { keys.forEach(function (k) { if (p[k] != null && p[k] > m) m = p[k]; }); });
    return m > 0 ? m * 1.05 : 1;
  }
  var xMax = max(["x", "xh"]), yMax = max(["y", "yh"]);
  function sx(v) { return M.l + v / xMax * (W - M.l - M.r); }
  function sy(v) { return H - M.b - v / yMax * (H - M.t - M.b); }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) { return v == null ? "–" : Number(v).toPrecision(4); }
  function tick(v) { return String(Number(v.toPrecision(3))); }

  // controls
  var controls = document.createElement("div");
  controls.className = "plane-controls";
  root.appendChild(controls);
  function group(title, key, values, label) {
    var box = document.createElement("fieldset");
    box.style.cssText = "display:inline-block;margin:0 .5em .5em 0;vertical-align:top";
    var legend = document.createElement("legend");
    legend.textContent = title;
    box.appendChild(legend);
    values.forEach(function (v) {
      var lab = document.createElement("label");
      var cb = document.createElement("input");
      cb.type = "checkbox";
      cb.checked = true;
      cb.dataset.group = key;
      cb.value = v;
      cb.addEventListener("change", function () { hidden[key][v] = !cb.checked; update(); });
      lab.appendChild(cb);
      lab.appendChild(document.createTextNode(" " + label(v) + " "));
      box.appendChild(lab);
    });
    controls.appendChild(box);
  }
  group("Layers", "li", layerIdx, function (v) { return layerName[v]; });
  group("Splits", "split", splits, String);
  group("Runs", "run", runs, String);

  // axes
  var svg = el("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
    "aria-label": "interactive information plane"}, root);
  var axes = el("g", {stroke: "#888", "font-size": "11", fill: "#444"}, svg);
  for (var i = 0; i <= 5; i++) {
    var xv = xMax / 1.05 * i / 5, yv = yMax / 1.05 * i / 5;
    el("line", {x1: sx(xv), x2: sx(xv), y1: M.t, y2: H - M.b, stroke: "#eee"}, axes);
    el("line", {x1: M.l, x2: W - M.r, y1: sy(yv), y2: sy(yv), stroke: "#eee"}, axes);
    el("text", {x: sx(xv), y: H - M.b + 16, "text-anchor": "middle", stroke: "none"}, axes).textContent = tick(xv);
    el("text", {x: M.l - 6, y: sy(yv) + 4, "text-anchor": "end", stroke: "none"}, axes).textContent = tick(yv);
  }
  el("rect", {x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b, fill: "none"}, axes);
  el("text", {x: (M.l + W - M.r) / 2, y: H - 8, "text-anchor": "middle", stroke: "none"}, axes)
    .textContent = "I(X;T), bits";
  el("text", {x: 14, y: (M.t + H - M.b) / 2, "text-anchor": "middle", stroke: "none",
    transform: "rotate(-90 14 " + (M.t + H - M.b) / 2 + ")"}, axes).textContent = "I(T;Y), bits";

  // tracks, then points above them
  var tracks = {};
  pts.forEach(function (p) {
    var k = [p.run, p.split, p.li].join("\u0000");
    (tracks[k] = tracks[k] || []).push(p);
  });
  var lines = el("g", {"fill": "none", "stroke-width": "1.2"}, svg);
  var trackEls = [];
  Object.keys(tracks).forEach(function (k) {
    var t = tracks[k].slice().sort(function (a, b) { return a.step - b.step || a.epoch - b.epoch; });
    var d = t.filter(function (p) { return p.x != null && p.y != null; })
      .map(function (p, j) { return (j ? "L" : "M") + sx(p.x).toFixed(1) + "," + sy(p.y).toFixed(1); }).join("");
    var path = el("path", {d: d, stroke: HUES[layerIdx.indexOf(t[0].li) % HUES.length],
      "stroke-opacity": "0.55", "stroke-dasharray": t[0].split === "train" ? "" : "4 3"}, lines);
    trackEls.push({el: path, p: t[0]});
  });
  var dots = el("g", {}, svg);
  var pointEls = [];
  pts.forEach(function (p, j) {
    if (p.x == null || p.y == null) return;
    var hue = HUES[layerIdx.indexOf(p.li) % HUES.length];
    var c = el("circle", {"class": "pt", cx: sx(p.x).toFixed(1), cy: sy(p.y).toFixed(1), r: 4.5, stroke: hue,
      "stroke-width": 1.5, fill: p.split === "train" ? hue : "#fff", "data-i": j}, dots);
    pointEls.push({el: c, p: p});
  });

  // tooltip
  var tip = document.createElement("div");
  tip.className = "plane-tip";
  tip.setAttribute("role", "tooltip");
  tip.style.cssText = "position:absolute;display:none;background:#fff;border:1px solid #999;padding:4px 8px;"
    + "font-size:12px;pointer-events:none;white-space:pre;box-shadow:1px 1px 3px rgba(0,0,0,.2)";
  root.style.position = "relative";
  root.appendChild(tip);
  function describe(p) {
    return "run " + p.run + "\nlayer " + p.layer + " (" + p.li + ")\nsplit " + p.split
      + "\nepoch " + p.epoch + ", step " + p.step
      + "\nI(X;T) = " + fmt(p.x) + " bits [" + fmt(p.xl) + ", " + fmt(p.xh) + "]"
      + "\nI(T;Y) = " + fmt(p.y) + " bits [" + fmt(p.yl) + ", " + fmt(p.yh) + "]"
      + "\n\u03c3 = " + fmt(p.sigma);
  }
  svg.addEventListener("mouseover", function (e) {
    var t = e.target;
    if (!t.classList || !t.classList.contains("pt")) return;
    tip.textContent = describe(pts[+t.getAttribute("data-i")]);
    tip.style.display = "block";
    var cx = +t.getAttribute("cx");  // right of the point, or left of it in the right half
    tip.style.left = (cx < W / 2 ? cx + 12 : Math.max(0, cx - 12 - tip.offsetWidth)) + "px";
    tip.style.top = (+t.getAttribute("cy") + controls.offsetHeight + 8) + "px";
    t.setAttribute("r", 7);
  });
  svg.addEventListener("mouseout", function (e) {
    var t = e.target;
    if (!t.classList || !t.classList.contains("pt")) return;
    tip.style.display = "none";
    t.setAttribute("r", 4.5);
  });

  function shown(p) { return !hidden.li[p.li] && !hidden.split[p.split] && !hidden.run[p.run]; }
  function update() {
    var n = 0;
    pointEls.forEach(function (o) { var s = shown(o.p); o.el.style.display = s ? "" : "none"; if (s) n++; });
    trackEls.forEach(function (o) { o.el.style.display = shown(o.p) ? "" : "none"; });
    root.setAttribute("data-visible-points", n);
  }
  update();
})();
