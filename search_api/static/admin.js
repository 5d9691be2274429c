/* Query analytics page: the admin token is asked once, kept in sessionStorage, sent as a bearer header. */
(function () {
  "use strict";

  var KEY = "policy-search.admin-token";
  var el = {};

  function $(id) { return document.getElementById(id); }
  function h(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k]; else if (k === "class") n.className = attrs[k]; else n.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function getToken() { try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; } }
  function setToken(v) { try { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); } catch (e) { /* blocked */ } }

  function showForm(message) {
    el.report.hidden = true;
    ["totals", "trend", "top", "zero", "slow", "clicks"].forEach(function (id) { $(id).textContent = ""; });
    el.form.hidden = false;
    el.error.hidden = !message;
    el.error.textContent = message || "";
  }

  function table(caption, headers, rows) {
    if (!rows.length) return h("p", { class: "admin-none", text: "None yet · 아직 없음" });
    var head = h("tr", {}, headers.map(function (x) { return h("th", { scope: "col", text: x }); }));
    var body = rows.map(function (r) { return h("tr", {}, r.map(function (c, i) {
      return h(i === 0 ? "th" : "td", i === 0 ? { scope: "row", text: String(c) } : { text: String(c) }); })); });
    return h("table", { class: "admin-table" }, [h("caption", { class: "visually-hidden", text: caption }),
      h("thead", {}, [head]), h("tbody", {}, body)]);
  }

  function trendChart(days) {
    var W = 720, H = 120, pad = 18, n = days.length || 1;
    var max = Math.max(1, Math.max.apply(null, days.map(function (d) { return d.searches; })));
    var bw = (W - 2) / n;
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + (H + pad));
    svg.setAttribute("class", "trend-chart");
    svg.setAttribute("aria-hidden", "true");
    days.forEach(function (d, i) {
      var hs = Math.round((d.searches / max) * H), hz = Math.round((d.zero_results / max) * H);
      [["trend-all", hs], ["trend-zero", hz]].forEach(function (pair) {
        if (!pair[1]) return;
        var r = document.createElementNS(ns, "rect");
        r.setAttribute("x", String(1 + i * bw + bw * 0.1)); r.setAttribute("width", String(Math.max(1, bw * 0.8)));
        r.setAttribute("y", String(H - pair[1])); r.setAttribute("height", String(pair[1]));
        r.setAttribute("class", pair[0]);
        svg.appendChild(r);
      });
    });
    [[0, days[0]], [n - 1, days[n - 1]]].forEach(function (p) {
      if (!p[1]) return;
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", String(p[0] === 0 ? 2 : W - 2)); t.setAttribute("y", String(H + pad - 4));
      t.setAttribute("text-anchor", p[0] === 0 ? "start" : "end"); t.setAttribute("class", "chart-axis");
      t.textContent = p[1].day;
      svg.appendChild(t);
    });
    return svg;
  }

  function render(data) {
    el.form.hidden = true;
    el.report.hidden = false;
    var t = data.totals;
    el.totals.textContent = "";
    [["Searches · 검색", t.searches], ["Zero results · 결과 없음", t.zero_results], ["Clicks · 클릭", t.clicks],
     ["Clicks per search · 검색당 클릭", t.clicks_per_search === null ? "–" : t.clicks_per_search]].forEach(function (p) {
      el.totals.appendChild(h("div", { class: "admin-total" }, [h("dt", { text: p[0] }), h("dd", { text: String(p[1]) })]));
    });
    $("trend").textContent = "";
    $("trend").appendChild(trendChart(data.zero_result_trend));
    var active = data.zero_result_trend.filter(function (d) { return d.searches > 0; });
    var details = h("details", {}, [h("summary", { text: "As a table · 표로 보기" })]);
    details.appendChild(table("Searches and zero-result searches per day", ["Day · 날짜", "Searches · 검색", "Zero results · 결과 없음"],
      active.map(function (d) { return [d.day, d.searches, d.zero_results]; })));
    $("trend").appendChild(details);
    function fill(id, caption, headers, rows) { $(id).textContent = ""; $(id).appendChild(table(caption, headers, rows)); }
    fill("top", "Top queries", ["Query · 검색어", "Searches · 검색", "Zero · 결과 없음", "Clicks · 클릭"],
      data.top_queries.map(function (r) { return [r.query, r.searches, r.zero_results, r.clicks]; }));
    fill("zero", "Zero-result queries", ["Query · 검색어", "Searches · 검색", "Last · 최근"],
      data.zero_result_queries.map(function (r) { return [r.query, r.searches, r.last_seen.replace("T", " ").slice(0, 16)]; }));
    fill("slow", "Slowest queries", ["Query · 검색어", "ms", "Results · 결과", "At · 시각"],
      data.slowest_queries.map(function (r) { return [r.query, r.took_ms, r.total, r.at.replace("T", " ").slice(0, 16)]; }));
    fill("clicks", "Clicked results", ["Query · 검색어", "Result · 결과", "Clicks · 클릭", "Mean position · 평균 순위"],
      data.clicked_results.map(function (r) { return [r.query, r.id, r.clicks, r.mean_position]; }));
  }

  function load() {
    var token = getToken();
    if (!token) { showForm(""); return; }
    fetch("/api/admin/analytics?days=" + encodeURIComponent(el.days.value) + "&limit=20",
      { headers: { Accept: "application/json", Authorization: "Bearer " + token }, cache: "no-store" })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (body) {
          if (r.status === 401 || r.status === 404) { setToken(""); throw new Error("The token was not accepted · 토큰이 맞지 않습니다"); }
          if (!r.ok) throw new Error((body && body.error && body.error.message) || "HTTP " + r.status);
          return body;
        });
      })
      .then(render)
      .catch(function (err) { showForm(err.message); });
  }

  function init() {
    if (!$("token-form")) return; // no admin token configured: the page only says so
    el = { form: $("token-form"), token: $("token"), error: $("token-error"), report: $("report"), days: $("days"),
           totals: $("totals") };
    el.form.addEventListener("submit", function (e) {
      e.preventDefault();
      setToken(el.token.value.trim());
      el.token.value = "";
      load();
    });
    $("sign-out").addEventListener("click", function () { setToken(""); showForm(""); el.token.focus(); });
    el.days.addEventListener("change", load);
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
