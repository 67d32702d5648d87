/* nqpf interactive views (nqpf.interactive): a topic map with a relevance slider, a map of
   passages, searchable sortable tables. Self-contained, no network; data comes from the JSON
   block beside this script and is only ever inserted as text (textContent), never as HTML. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var PAGE = 200; // table rows drawn at once

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function fmt(value) {
    if (typeof value !== "number") return value === null ? "" : String(value);
    return Number.isInteger(value) ? String(value) : value.toFixed(3);
  }
  function compare(a, b) {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (Array.isArray(a)) { // word lists: KWIC contexts
      for (var i = 0; i < Math.min(a.length, b.length); i++) {
        if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      }
      return a.length - b.length;
    }
    a = String(a).toLowerCase(); b = String(b).toLowerCase();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function scaler(values, lo, hi) {
    var min = Math.min.apply(null, values), max = Math.max.apply(null, values);
    var span = max - min || 1;
    return function (v) { return lo + (v - min) / span * (hi - lo); };
  }

  /* Topic map: bubbles placed by intertopic distance, terms ranked by relevance. */
  function topics(root, data) {
    var state = {topic: 0, lam: data.lambda};
    var row = el("div", {"class": "nqpf-row"});
    var map = svg("svg", {viewBox: "0 0 320 320", "class": "nqpf-map", role: "img",
                          "aria-label": "Intertopic distance map"});
    var side = el("div", {"class": "nqpf-side"});
    var controls = el("div", {"class": "nqpf-controls"});
    var picker = el("select", {"aria-label": "Topic"});
    data.topics.forEach(function (t, i) {
      picker.appendChild(el("option", {value: String(i)}, "T" + t.topic + ": " + t.label));
    });
    var sliderLabel = el("label", {}, "Relevance \u03bb ");
    var slider = el("input", {type: "range", min: "0", max: "1", step: "0.01",
                              value: String(data.lambda), "aria-label": "Relevance lambda"});
    var shown = el("output", {}, data.lambda.toFixed(2));
    sliderLabel.appendChild(slider); sliderLabel.appendChild(shown);
    controls.appendChild(picker); controls.appendChild(sliderLabel);
    var legend = el("p", {"class": "nqpf-note"},
      "Bars: grey = the term's count in the corpus, coloured = its estimated count in the " +
      "topic. \u03bb = 1 ranks by weight in the topic, \u03bb = 0 by lift (terms special " +
      "to the topic).");
    var list = el("ol", {"class": "nqpf-terms"});
    side.appendChild(controls); side.appendChild(list); side.appendChild(legend);
    row.appendChild(map); row.appendChild(side); root.appendChild(row);

    var xs = data.topics.map(function (t) { return t.x; });
    var ys = data.topics.map(function (t) { return t.y; });
    var sx = scaler(xs, 70, 250), sy = scaler(ys, 250, 70);
    var maxPrev = Math.max.apply(null, data.topics.map(function (t) { return t.prevalence; }));
    var bubbles = data.topics.map(function (t, i) {
      var g = svg("g", {"class": "nqpf-bubble", tabindex: "0", "data-topic": String(t.topic)});
      var r = 8 + 32 * Math.sqrt(t.prevalence / maxPrev);
      g.appendChild(svg("circle", {cx: sx(t.x), cy: sy(t.y), r: r, fill: data.colors[i]}));
      var label = svg("text", {x: sx(t.x), y: sy(t.y) + 4, "text-anchor": "middle"});
      label.textContent = String(t.topic);
      g.appendChild(label);
      var tip = svg("title", {});
      tip.textContent = "T" + t.topic + ": " + t.label + " (" +
        (100 * t.prevalence).toFixed(1) + "% of tokens)";
      g.appendChild(tip);
      g.addEventListener("click", function () { state.topic = i; draw(); });
      g.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { state.topic = i; draw(); }
      });
      map.appendChild(g);
      return g;
    });

    function draw() {
      picker.value = String(state.topic);
      shown.textContent = state.lam.toFixed(2);
      bubbles.forEach(function (g, i) {
        g.setAttribute("class", "nqpf-bubble" + (i === state.topic ? " nqpf-selected" : ""));
      });
      map.appendChild(bubbles[state.topic]); // drawn last: on top of the others
      var lam = state.lam;
      var ranked = data.candidates[state.topic].map(function (c) {
        // c = [term index, log weight, log lift, estimated count in topic]
        return {term: c[0], score: lam * c[1] + (1 - lam) * c[2], inTopic: c[3]};
      });
      ranked.sort(function (a, b) { return b.score - a.score || a.term - b.term; });
      ranked = ranked.slice(0, data.n_terms);
      var most = Math.max.apply(null, ranked.map(function (r) { return data.counts[r.term]; }));
      list.textContent = "";
      ranked.forEach(function (r) {
        var item = el("li", {"data-term": data.terms[r.term]});
        item.appendChild(el("span", {"class": "nqpf-term"}, data.terms[r.term]));
        var bar = el("span", {"class": "nqpf-bar"});
        var total = el("span", {"class": "nqpf-total"});
        total.style.width = (100 * data.counts[r.term] / most) + "%";
        var part = el("span", {"class": "nqpf-part"});
        part.style.width = (100 * r.inTopic / most) + "%";
        part.style.background = data.colors[state.topic];
        bar.appendChild(total); bar.appendChild(part); item.appendChild(bar);
        item.title = data.terms[r.term] + ": " + data.counts[r.term] + " in the corpus, about " +
          r.inTopic.toFixed(1) + " in this topic";
        list.appendChild(item);
      });
    }
    picker.addEventListener("change", function () { state.topic = Number(picker.value); draw(); });
    slider.addEventListener("input", function () { state.lam = Number(slider.value); draw(); });
    draw();
  }

  /* Passage map: one dot per passage, coloured by its dominant topic, text on hover. */
  function passages(root, data) {
    var hidden = {};
    var box = el("div", {"class": "nqpf-mapbox"});
    var plot = svg("svg", {viewBox: "0 0 640 400", "class": "nqpf-points", role: "img",
                           "aria-label": "Map of passages by topic mixture"});
    var tip = el("div", {"class": "nqpf-tip", role: "status"});
    var legend = el("div", {"class": "nqpf-legend"});
    box.appendChild(plot); box.appendChild(tip);
    root.appendChild(legend); root.appendChild(box);
    var sx = scaler(data.points.map(function (p) { return p[0]; }), 20, 620);
    var sy = scaler(data.points.map(function (p) { return p[1]; }), 380, 20);
    var dots = data.points.map(function (p, i) {
      var dot = svg("circle", {cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r: "4",
                               fill: data.colors[p[2]], "class": "nqpf-dot"});
      dot.addEventListener("mouseenter", function () {
        tip.textContent = data.hover[i];
        tip.style.display = "block";
      });
      dot.addEventListener("mouseleave", function () { tip.style.display = "none"; });
      plot.appendChild(dot);
      return dot;
    });
    data.topics.forEach(function (name, t) {
      var key = el("button", {type: "button", "class": "nqpf-key", "aria-pressed": "true"});
      var swatch = el("span", {"class": "nqpf-swatch"});
      swatch.style.background = data.colors[t];
      key.appendChild(swatch);
      key.appendChild(document.createTextNode(name));
      key.addEventListener("click", function () {
        hidden[t] = !hidden[t];
        key.setAttribute("aria-pressed", hidden[t] ? "false" : "true");
        dots.forEach(function (dot, i) {
          dot.style.display = hidden[data.points[i][2]] ? "none" : "";
        });
      });
      legend.appendChild(key);
    });
  }

  /* Table: a search box filters rows, a click on a heading sorts by that column. */
  function table(root, data) {
    var state = {query: "", column: -1, descending: false, limit: PAGE};
    var bar = el("div", {"class": "nqpf-controls"});
    var search = el("input", {type: "search", placeholder: "Search all columns",
                              "aria-label": "Search " + data.title});
    var count = el("span", {"class": "nqpf-count"});
    bar.appendChild(search); bar.appendChild(count);
    var grid = el("table", {"class": "nqpf-table"});
    var head = el("tr", {});
    var buttons = data.columns.map(function (name, c) {
      var th = el("th", {scope: "col"});
      var button = el("button", {type: "button"}, name);
      button.addEventListener("click", function () {
        state.descending = state.column === c ? !state.descending : false;
        state.column = c;
        draw();
      });
      th.appendChild(button); head.appendChild(th);
      return button;
    });
    var thead = el("thead", {}); thead.appendChild(head); grid.appendChild(thead);
    var body = el("tbody", {}); grid.appendChild(body);
    var more = el("button", {type: "button", "class": "nqpf-more"}, "Show more rows");
    var detail = el("blockquote", {"class": "nqpf-detail"});
    root.appendChild(bar);
    var scroll = el("div", {"class": "nqpf-scroll"});
    scroll.appendChild(grid); root.appendChild(scroll);
    root.appendChild(more); root.appendChild(detail);
    var haystack = data.rows.map(function (row) {
      return row.map(fmt).join("\u0001").toLowerCase();
    });

    function key(r, c) {
      var keys = data.sort_keys && data.sort_keys[data.columns[c]];
      return keys ? keys[r] : data.rows[r][c];
    }
    function show(r) {
      var d = data.details[r];
      detail.textContent = "";
      if (!d) return;
      var text = data.texts[d[0]];
      detail.appendChild(el("p", {"class": "nqpf-note"}, d[3]));
      var para = el("p", {});
      para.appendChild(document.createTextNode(text.slice(0, d[1])));
      para.appendChild(el("mark", {}, text.slice(d[1], d[2])));
      para.appendChild(document.createTextNode(text.slice(d[2])));
      detail.appendChild(para);
    }
    function draw() {
      var q = state.query.toLowerCase();
      var rows = [];
      for (var r = 0; r < data.rows.length; r++) {
        if (!q || haystack[r].indexOf(q) >= 0) rows.push(r);
      }
      if (state.column >= 0) {
        var c = state.column, sign = state.descending ? -1 : 1;
        rows.sort(function (a, b) { return sign * compare(key(a, c), key(b, c)) || a - b; });
      }
      buttons.forEach(function (button, c) {
        var mark = c === state.column ? (state.descending ? " \u25bc" : " \u25b2") : "";
        button.textContent = data.columns[c] + mark;
        button.parentNode.setAttribute("aria-sort", c !== state.column ? "none" :
          state.descending ? "descending" : "ascending");
      });
      body.textContent = "";
      rows.slice(0, state.limit).forEach(function (r) {
        var tr = el("tr", {});
        data.rows[r].forEach(function (value, c) {
          tr.appendChild(el("td", {"class": typeof value === "number" ? "nqpf-num" :
            "nqpf-" + (data.align[c] || "text")}, fmt(value)));
        });
        if (data.details) {
          tr.tabIndex = 0;
          tr.addEventListener("click", function () { show(r); });
          tr.addEventListener("keydown", function (e) { if (e.key === "Enter") show(r); });
        }
        body.appendChild(tr);
      });
      count.textContent = rows.length + " of " + data.rows.length + " rows" +
        (rows.length > state.limit ? ", first " + state.limit + " shown" : "");
      more.style.display = rows.length > state.limit ? "" : "none";
    }
    search.addEventListener("input", function () {
      state.query = search.value; state.limit = PAGE; draw();
    });
    more.addEventListener("click", function () { state.limit += PAGE; draw(); });
    draw();
  }

  var views = {topics: topics, passages: passages, table: table};
  var script = document.currentScript;
  var root = script && script.parentNode;
  if (!root || root.getAttribute("data-nqpf-ready")) return;
  var source = root.querySelector("script.nqpf-data");
  var data = JSON.parse(source.textContent);
  var mount = root.querySelector(".nqpf-mount");
  mount.textContent = "";
  views[data.view](mount, data);
  root.setAttribute("data-nqpf-ready", "1");
})();
