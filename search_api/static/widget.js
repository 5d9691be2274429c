/*
 * Policy Search · 정책 검색 — embeddable search widget.
 *
 *   <div data-policy-search></div>
 *   <script src="https://HOST/widget.js" data-endpoint="https://HOST" data-lang="ko"></script>
 *
 * Optional attributes on a container: data-lang (ko|en), data-size (1-20), data-city, data-topic,
 * data-type (a fixed filter), data-placeholder. The widget renders in a shadow root, so the host
 * page's styles cannot reach it and its styles cannot reach the host page.
 */
(function () {
  "use strict";

  var script = document.currentScript ||
    (function () {
      var all = document.querySelectorAll("script[src*='widget.js']");
      return all[all.length - 1] || null;
    })();
  var scriptSrc = script && script.src ? script.src : location.href;
  var ENDPOINT = ((script && script.getAttribute("data-endpoint")) || new URL(scriptSrc, location.href).origin).replace(/\/+$/, "");
  var DEFAULT_LANG = (script && script.getAttribute("data-lang")) ||
    (/^ko\b/i.test(navigator.language || "") ? "ko" : "en");

  var TEXT = {
    en: { label: "Search city policies", placeholder: "Search city policies…", button: "Search",
          results: function (n) { return n === 1 ? "1 result" : n.toLocaleString("en-US") + " results"; },
          none: "No documents found. Try other words.", error: "Search is unavailable right now.",
          prev: "Previous", next: "Next", page: "Page {n} of {t}", undated: "Undated", pdf: "PDF p. {n}",
          city: "City", topic: "Topic", type: "Type", lang: "Language", filters: "Filters",
          didYouMean: "Did you mean", powered: "Policy Search" },
    ko: { label: "도시 정책 검색", placeholder: "도시 정책을 검색하세요…", button: "검색",
          results: function (n) { return "검색 결과 " + n.toLocaleString("ko-KR") + "건"; },
          none: "검색 결과가 없습니다. 다른 검색어를 써 보세요.", error: "지금은 검색할 수 없습니다.",
          prev: "이전", next: "다음", page: "{t}쪽 중 {n}쪽", undated: "날짜 없음", pdf: "PDF {n}쪽",
          city: "도시", topic: "주제", type: "유형", lang: "언어", filters: "필터",
          didYouMean: "이것을 찾으셨나요?", powered: "정책 검색" }
  };

  var CSS = [
    ":host { all: initial !important; display: block !important; contain: content; visibility: visible !important;",
    "  opacity: 1 !important; position: static !important; float: none !important; width: auto !important; }",
    ":host([hidden]) { display: none !important; }",
    "[hidden] { display: none !important; }",
    ".ps { all: initial; display: block; box-sizing: border-box; color: #182230; background: #fff;",
    "  font-family: 'Apple SD Gothic Neo', 'Noto Sans KR', 'Noto Sans CJK KR', 'NanumBarunGothic', 'Malgun Gothic', 'NanumGothic', system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;",
    "  font-size: 14px; line-height: 1.5; font-weight: 400; font-style: normal; text-align: left; letter-spacing: normal;",
    "  word-break: keep-all; overflow-wrap: anywhere; text-transform: none; text-decoration: none; direction: ltr;",
    "  border: 1px solid #d0d5dd; border-radius: 12px; padding: 16px; visibility: visible; cursor: auto; }",
    ".ps *, .ps *::before, .ps *::after { box-sizing: border-box; }",
    "div, form, ol, ul, li, p, h2, h3, nav, section { display: block; margin: 0; padding: 0; }",
    "span, a, mark, label, time { display: inline; }",
    ".form { display: flex; gap: 8px; }",
    ".sr { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    "input { flex: 1; min-width: 0; font: inherit; font-size: 15px; color: #182230; background: #fff; border: 1.5px solid #98a2b3;",
    "  border-radius: 8px; padding: 9px 12px; margin: 0; }",
    "input::placeholder { color: #667085; }",
    "button { font: inherit; cursor: pointer; margin: 0; }",
    ".go { font-weight: 700; color: #fff; background: #1849a9; border: 0; border-radius: 8px; padding: 9px 18px; }",
    ".go:hover { background: #102a6b; }",
    ":focus-visible { outline: 3px solid #f79009; outline-offset: 2px; }",
    "input:focus { outline: none; border-color: #1849a9; box-shadow: 0 0 0 3px rgba(24,73,169,.25); }",
    ".facets { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 12px; }",
    ".facets:empty { display: none; }",
    ".fchip { display: inline-flex; align-items: center; gap: 6px; font-size: 12.5px; color: #344054; background: #f2f4f7;",
    "  border: 1px solid #e4e7ec; border-radius: 999px; padding: 3px 10px; }",
    ".fchip[aria-pressed='true'] { background: #1849a9; border-color: #1849a9; color: #fff; }",
    ".fchip .n { font-size: 11px; color: inherit; opacity: .85; }",
    ".status { display: flex; justify-content: space-between; gap: 8px; margin: 12px 0 6px; font-size: 13px; color: #475467; }",
    ".dym { margin: 6px 0; font-size: 13px; color: #4e1d09; background: #fffaeb; padding: 6px 10px; border-radius: 6px; }",
    ".dym button { background: none; border: 0; padding: 0; color: #93370d; font-weight: 700; text-decoration: underline; }",
    "ol.results { list-style: none; }",
    "li.item { display: block; padding: 12px 0; border-top: 1px solid #eaecf0; color: #182230; }",
    "li.item:first-child { border-top: 0; }",
    ".title { display: block; font-size: 15.5px; font-weight: 700; color: #1849a9; text-decoration: none; line-height: 1.35; }",
    ".title:hover { text-decoration: underline; }",
    ".meta { display: block; margin-top: 3px; font-size: 12px; color: #475467; }",
    ".snippet { display: block; margin-top: 5px; font-size: 13.5px; color: #344054; }",
    "mark { background: #fff1a8; color: inherit; font-weight: 600; padding: 0 1px; border-radius: 2px; }",
    ".pager { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-top: 10px; font-size: 13px; color: #475467; }",
    ".pager button { color: #1849a9; background: #fff; border: 1px solid #d0d5dd; border-radius: 6px; padding: 5px 12px; font-weight: 600; }",
    ".pager button:disabled { color: #98a2b3; cursor: default; }",
    ".msg { display: block; padding: 14px 0 4px; color: #475467; }",
    ".msg.err { color: #b42318; }",
    ".foot { display: block; margin-top: 10px; font-size: 11px; color: #667085; text-align: right; }"
  ].join("\n");

  function node(doc, tag, attrs, kids) {
    var n = doc.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") n.textContent = v; else if (k === "class") n.className = v; else n.setAttribute(k, v);
    });
    (kids || []).forEach(function (c) { if (c) n.appendChild(typeof c === "string" ? doc.createTextNode(c) : c); });
    return n;
  }

  function snippet(html) {
    var out = document.createElement("span");
    out.className = "snippet";
    var tpl = document.createElement("template");
    tpl.innerHTML = html || ""; // inert: nothing in a template runs or loads
    (function walk(src, dst) {
      Array.prototype.forEach.call(src.childNodes, function (n) {
        if (n.nodeType === 3) dst.appendChild(document.createTextNode(n.nodeValue));
        else if (n.nodeType === 1) {
          if (n.nodeName === "MARK") { var m = document.createElement("mark"); walk(n, m); dst.appendChild(m); }
          else walk(n, dst);
        }
      });
    })(tpl.content, out);
    return out;
  }

  function safeHref(url) {
    try {
      var u = new URL(url, ENDPOINT + "/");
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) { return null; }
  }

  var counter = 0;

  function mount(container) {
    if (container.__policySearch) return;
    container.__policySearch = true;
    var id = "ps" + (++counter);
    var lang = container.getAttribute("data-lang") || DEFAULT_LANG;
    if (!TEXT[lang]) lang = "en";
    var T = TEXT[lang];
    var size = Math.min(20, Math.max(1, parseInt(container.getAttribute("data-size"), 10) || 5));
    var fixed = {};
    ["city", "topic", "type", "lang", "sdg"].forEach(function (f) {
      var v = container.getAttribute("data-" + f);
      if (v && f !== "lang") fixed[f] = v;
    });
    var state = { q: "", page: 1, filters: { city: [], topic: [], type: [] } };

    var root = container.attachShadow ? container.attachShadow({ mode: "open" }) : container;
    while (container.firstChild && root !== container) container.removeChild(container.firstChild);
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(node(document, "style", { text: CSS }));
    }

    var input = node(document, "input", { type: "search", id: id + "-q", autocomplete: "off", spellcheck: "false",
      placeholder: container.getAttribute("data-placeholder") || T.placeholder, maxlength: "200" });
    var form = node(document, "form", { class: "form", role: "search", "aria-label": T.label }, [
      node(document, "label", { class: "sr", for: id + "-q", text: T.label }), input,
      node(document, "button", { class: "go", type: "submit", text: T.button })
    ]);
    var facets = node(document, "div", { class: "facets", role: "group", "aria-label": T.filters });
    var status = node(document, "div", { class: "status", role: "status", "aria-live": "polite" });
    var dym = node(document, "p", { class: "dym", hidden: "" });
    var list = node(document, "ol", { class: "results", "aria-label": T.label });
    var msg = node(document, "p", { class: "msg", hidden: "" });
    var pager = node(document, "nav", { class: "pager", "aria-label": T.page.replace(/\{\w\}/g, "").trim() || "Pages", hidden: "" });
    var wrap = node(document, "div", { class: "ps", lang: lang, part: "root" }, [form, facets, status, dym, list, msg, pager,
      node(document, "span", { class: "foot", text: T.powered })]);
    root.appendChild(wrap);

    var seq = 0, timer = null, composing = false;

    function run() {
      var my = ++seq;
      var p = new URLSearchParams();
      if (state.q) p.set("q", state.q);
      Object.keys(fixed).forEach(function (f) { p.append(f, fixed[f]); });
      Object.keys(state.filters).forEach(function (f) { state.filters[f].forEach(function (v) { p.append(f, v); }); });
      p.set("page", String(state.page));
      p.set("size", String(size));
      p.set("ui_lang", lang);
      wrap.setAttribute("aria-busy", "true");
      fetch(ENDPOINT + "/api/search?" + p.toString(), { mode: "cors", credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (body) { if (my === seq) draw(body); })
        .catch(function () {
          if (my !== seq) return;
          list.textContent = ""; facets.textContent = ""; pager.hidden = true; dym.hidden = true;
          status.textContent = "";
          msg.className = "msg err"; msg.textContent = T.error; msg.hidden = false;
        })
        .then(function () { if (my === seq) wrap.removeAttribute("aria-busy"); });
    }

    function draw(body) {
      status.textContent = "";
      status.appendChild(node(document, "span", { text: T.results(body.total) }));
      // facets: the most useful values of city, topic and type, as toggle buttons
      facets.textContent = "";
      ["city", "topic", "type"].forEach(function (f) {
        if (fixed[f]) return;
        (body.facets[f] || []).slice(0, f === "city" ? 5 : 3).forEach(function (e) {
          var on = state.filters[f].indexOf(String(e.value)) >= 0;
          var b = node(document, "button", { type: "button", class: "fchip", "aria-pressed": String(on),
            "data-facet": f, "data-value": String(e.value), title: T[f] + ": " + e.label },
            [node(document, "span", { text: e.label }), node(document, "span", { class: "n", text: String(e.count) })]);
          b.addEventListener("click", function () {
            var v = String(e.value), cur = state.filters[f];
            state.filters[f] = on ? cur.filter(function (x) { return x !== v; }) : cur.concat([v]);
            state.page = 1;
            run();
          });
          facets.appendChild(b);
        });
      });
      dym.textContent = "";
      dym.hidden = !body.suggestion;
      if (body.suggestion) {
        var s = body.suggestion;
        var b = node(document, "button", { type: "button", text: s });
        b.addEventListener("click", function () { input.value = s; state.q = s; state.page = 1; run(); });
        dym.appendChild(document.createTextNode(T.didYouMean + " "));
        dym.appendChild(b);
        if (lang === "en") dym.appendChild(document.createTextNode("?"));
      }
      list.textContent = "";
      body.results.forEach(function (r) {
        var href = safeHref(r.url);
        var cities = (r.cities || []).map(function (c) { return lang === "ko" && c.name_ko ? c.name_ko : c.name; });
        var bits = [r.date || T.undated];
        var typeLabel = null;
        (body.facets.type || []).forEach(function (e) { if (e.value === r.type) typeLabel = e.label; });
        bits.push(typeLabel || r.type);
        if (cities.length) bits.push(cities.slice(0, 3).join(", ") + (cities.length > 3 ? " +" + (cities.length - 3) : ""));
        if (r.page) bits.push(T.pdf.replace("{n}", r.page));
        list.appendChild(node(document, "li", { class: "item", "data-id": r.id }, [
          node(document, "a", { class: "title", href: href, target: "_blank", rel: "noopener noreferrer" }, [r.title]),
          node(document, "span", { class: "meta", text: bits.join(" · ") }),
          snippet(r.snippet)
        ]));
      });
      msg.className = "msg";
      msg.textContent = T.none;
      msg.hidden = body.results.length > 0;
      var pages = Math.max(1, Math.ceil(body.total / body.size));
      pager.textContent = "";
      pager.hidden = pages <= 1;
      if (pages > 1) {
        var prev = node(document, "button", { type: "button", class: "prev", text: "← " + T.prev });
        var next = node(document, "button", { type: "button", class: "next", text: T.next + " →" });
        prev.disabled = body.page <= 1;
        next.disabled = body.page >= pages;
        prev.addEventListener("click", function () { state.page = Math.max(1, state.page - 1); run(); });
        next.addEventListener("click", function () { state.page += 1; run(); });
        pager.appendChild(prev);
        pager.appendChild(node(document, "span", { text: T.page.replace("{n}", body.page).replace("{t}", pages) }));
        pager.appendChild(next);
      }
    }

    function fromInput() {
      var q = input.value.trim();
      if (q === state.q) return;
      state.q = q; state.page = 1; run();
    }
    input.addEventListener("compositionstart", function () { composing = true; clearTimeout(timer); });
    input.addEventListener("compositionend", function () {
      composing = false; clearTimeout(timer); timer = setTimeout(fromInput, 350);
    });
    input.addEventListener("input", function (e) {
      if (e.isComposing || composing) return;
      clearTimeout(timer); timer = setTimeout(fromInput, 350);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (composing) return;
      clearTimeout(timer);
      state.q = input.value.trim(); state.page = 1; run();
    });
    run();
  }

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-policy-search]"), mount);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
