/* Policy Search — "results over time": a bar chart of the year facet's counts, inline SVG, no framework.
 *
 * PolicySearchTimeline.render(container, entries, options)
 *   entries  the API's year facet ([{value, count}]; disjunctive, so the chart keeps every year while one is chosen)
 *   options  { from, to: the selected years or "", text: {…labels}, fmt: number formatter,
 *              focusYear: the bar to focus once drawn (keyboard focus survives a redraw),
 *              onSelect: function (from, to) — from === to for one year; ("", "") clears }
 *
 * Mouse: click a bar for its year, click the chosen year again to clear, drag across bars or
 * shift-click for a range. Keyboard: ← → Home End move between bars, Enter or Space choose the
 * year, Shift+← → extend a range and Enter applies it, Escape drops a pending range. A table
 * with the same numbers sits behind the chart for screen readers and for reading.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var HEIGHT = 96, LABEL = 18, TOP = 16, GAP_FILL_SPAN = 40;

  function svg(tag, attrs) {
    var n = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, String(attrs[k])); });
    return n;
  }
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k]; else if (k === "class") n.className = attrs[k]; else n.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }

  /** Years ascending with their counts; the years between two dated ones filled with 0 (when the span is short). */
  function series(entries) {
    var counts = {};
    entries.forEach(function (e) { var y = parseInt(e.value, 10); if (y > 0) counts[y] = (counts[y] || 0) + e.count; });
    var years = Object.keys(counts).map(Number).sort(function (a, b) { return a - b; });
    if (years.length > 1 && years[years.length - 1] - years[0] <= GAP_FILL_SPAN) {
      for (var y = years[0] + 1; y < years[years.length - 1]; y++) if (!(y in counts)) counts[y] = 0;
      years = Object.keys(counts).map(Number).sort(function (a, b) { return a - b; });
    }
    return years.map(function (y) { return { year: y, count: counts[y] }; });
  }

  function render(container, entries, options) {
    var text = options.text, fmt = options.fmt || String;
    var data = series(entries || []);
    container.textContent = "";
    container.hidden = data.length === 0;
    if (!data.length) return;
    var from = parseInt(options.from, 10) || null, to = parseInt(options.to, 10) || null;
    function chosen(y) { return (from || to) && (!from || y >= from) && (!to || y <= to); }

    var width = Math.max(240, data.length * 34), bw = Math.min(width / data.length, 48); // one year: one slim bar, not the width
    var max = Math.max.apply(null, data.map(function (d) { return d.count; })) || 1;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + (TOP + HEIGHT + LABEL), class: "timeline-chart",
      role: "group", "aria-label": text.chartLabel, preserveAspectRatio: "xMinYMid meet" });
    chart.style.maxWidth = Math.max(320, data.length * 56) + "px";
    var labelEvery = Math.ceil(data.length / 16);
    var bars = data.map(function (d, i) {
      var h = d.count ? Math.max(2, Math.round((d.count / max) * HEIGHT)) : 0;
      var g = svg("g", { class: "timeline-bar" + (chosen(d.year) ? " is-selected" : "") + (d.count ? "" : " is-empty"),
        role: "button", tabindex: "-1", "data-year": d.year, "data-count": d.count,
        "aria-pressed": chosen(d.year) ? "true" : "false",
        "aria-label": text.barLabel.replace("{year}", d.year).replace("{n}", fmt(d.count)) });
      g.appendChild(svg("rect", { class: "timeline-hit", x: i * bw, y: 0, width: bw, height: TOP + HEIGHT + LABEL }));
      g.appendChild(svg("rect", { class: "timeline-rect", x: i * bw + bw * 0.15, y: TOP + HEIGHT - h, width: bw * 0.7, height: h, rx: 2 }));
      if (d.count) {
        var c = svg("text", { class: "timeline-count", x: i * bw + bw / 2, y: TOP + HEIGHT - h - 4, "text-anchor": "middle" });
        c.textContent = fmt(d.count);
        g.appendChild(c);
      }
      if (i % labelEvery === 0 || i === data.length - 1) {
        var l = svg("text", { class: "timeline-year", x: i * bw + bw / 2, y: TOP + HEIGHT + LABEL - 4, "text-anchor": "middle" });
        l.textContent = String(d.year);
        g.appendChild(l);
      }
      var title = svg("title");
      title.textContent = text.barLabel.replace("{year}", d.year).replace("{n}", fmt(d.count));
      g.appendChild(title);
      chart.appendChild(g);
      return g;
    });

    // roving focus: the chosen bar (or the last) takes Tab
    var focusIndex = data.length - 1;
    data.forEach(function (d, i) { if (chosen(d.year) && focusIndex === data.length - 1) focusIndex = i; });
    if (from) data.forEach(function (d, i) { if (d.year === from) focusIndex = i; });
    var wanted = options.focusYear ? parseInt(options.focusYear, 10) : null;
    data.forEach(function (d, i) { if (d.year === wanted) focusIndex = i; });
    bars[focusIndex].setAttribute("tabindex", "0");

    var anchor = null, pending = null, dragging = false;
    function yearOf(node) { var g = node && node.closest ? node.closest(".timeline-bar") : null; return g ? parseInt(g.getAttribute("data-year"), 10) : null; }
    function showPending() {
      bars.forEach(function (g) {
        var y = parseInt(g.getAttribute("data-year"), 10);
        g.classList.toggle("is-pending", !!pending && y >= pending[0] && y <= pending[1]);
      });
    }
    function range(a, b) { return a <= b ? [a, b] : [b, a]; }
    function choose(a, b) {
      if (a === b && from === a && to === a) options.onSelect("", "");
      else options.onSelect(String(Math.min(a, b)), String(Math.max(a, b)));
    }
    function focusBar(i) {
      i = Math.max(0, Math.min(bars.length - 1, i));
      bars.forEach(function (g, j) { g.setAttribute("tabindex", j === i ? "0" : "-1"); });
      bars[i].focus();
      focusIndex = i;
    }

    chart.addEventListener("pointerdown", function (e) {
      var y = yearOf(e.target);
      if (y === null || e.button !== 0) return;
      e.preventDefault();
      if (e.shiftKey) {
        var start = anchor || from || y;
        choose(start, y);
        return;
      }
      dragging = true; anchor = y; pending = [y, y]; showPending();
    });
    // the bar under the pointer (a touch keeps its first target, so ask the point, not the event)
    function yearAt(e) { return yearOf(document.elementFromPoint(e.clientX, e.clientY)); }
    chart.addEventListener("pointermove", function (e) {
      if (!dragging) return;
      var y = yearAt(e);
      if (y !== null) { pending = range(anchor, y); showPending(); }
    });
    function endDrag(e) {
      if (!dragging) return;
      dragging = false;
      var y = yearAt(e);
      var sel = y !== null ? range(anchor, y) : pending;
      pending = null; showPending();
      if (sel) choose(sel[0], sel[1]);
    }
    chart.addEventListener("pointerup", endDrag);
    chart.addEventListener("pointerleave", function () { if (dragging) { dragging = false; pending = null; showPending(); } });
    chart.addEventListener("keydown", function (e) {
      var i = bars.indexOf(e.target.closest ? e.target.closest(".timeline-bar") : null);
      if (i < 0) return;
      var year = data[i].year;
      if (e.key === "ArrowRight" || e.key === "ArrowLeft" || e.key === "Home" || e.key === "End") {
        e.preventDefault();
        var next = e.key === "Home" ? 0 : e.key === "End" ? bars.length - 1 : i + (e.key === "ArrowRight" ? 1 : -1);
        next = Math.max(0, Math.min(bars.length - 1, next));
        if (e.shiftKey) {
          if (anchor === null || !pending) anchor = year;
          pending = range(anchor, data[next].year);
          showPending();
        }
        focusBar(next);
      } else if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        if (pending) { var p = pending; pending = null; choose(p[0], p[1]); }
        else { anchor = year; choose(year, year); }
      } else if (e.key === "Escape" && pending) {
        e.preventDefault(); pending = null; showPending();
      }
    });

    var table = el("table", { class: "timeline-table" }, [
      el("caption", { text: text.tableCaption }),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: text.year }), el("th", { scope: "col", text: text.documents })])]),
      el("tbody", {}, data.map(function (d) {
        return el("tr", chosen(d.year) ? { class: "is-selected" } : {}, [el("th", { scope: "row", text: String(d.year) }), el("td", { text: fmt(d.count) })]);
      }))
    ]);
    var details = el("details", { class: "timeline-details" }, [el("summary", { text: text.showTable }), table]);
    container.appendChild(el("h3", { class: "timeline-title", id: "timeline-title", text: text.title }));
    container.appendChild(el("p", { class: "timeline-hint", id: "timeline-hint", text: text.hint }));
    chart.setAttribute("aria-describedby", "timeline-hint");
    container.appendChild(chart);
    container.appendChild(details);
    if (wanted) bars[focusIndex].focus();
  }

  window.PolicySearchTimeline = { render: render, series: series };
})();
