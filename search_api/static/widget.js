/*
 * Policy Search · 정책 검색 — embeddable search widget.
 *
 *   <div data-policy-search></div>
 *   <script src="https://HOST/widget.js" data-endpoint="https://HOST" data-lang="ko"></script>
 *
 * Optional attributes on a container: data-lang (ko|en), data-size (1-20), data-city, data-topic,
 * data-type (a fixed filter), data-placeholder. Autocomplete (↑ ↓ Enter Escape), sort, a words-only
 * switch and the "similar in meaning" mark as on the staff page; clicks on results are reported to
 * /api/events (query, result id, position only). The widget renders in a shadow root, so the host
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
          didYouMean: "Did you mean", powered: "Policy Search",
          suggestions: "Suggestions", sort: "Sort", relevance: "Relevance", newest: "Newest", oldest: "Oldest",
          noBody: "Only a title: open the source for its content.",
          wordsOnly: "Words only", meaning: "Similar in meaning", meaningTitle: "Found by meaning, not by the words typed",
          kind: { term: "term", title: "title", city: "city", topic: "topic" } },
    ko: { label: "도시 정책 검색", placeholder: "도시 정책을 검색하세요…", button: "검색",
          results: function (n) { return "검색 결과 " + n.toLocaleString("ko-KR") + "건"; },
          none: "검색 결과가 없습니다. 다른 검색어를 써 보세요.", error: "지금은 검색할 수 없습니다.",
          prev: "이전", next: "다음", page: "{t}쪽 중 {n}쪽", undated: "날짜 없음", pdf: "PDF {n}쪽",
          city: "도시", topic: "주제", type: "유형", lang: "언어", filters: "필터",
          noBody: "제목만 있는 문서입니다. 내용은 원문에서 확인하세요.",
          didYouMean: "이것을 찾으셨나요?", powered: "정책 검색",
          suggestions: "추천 검색어", sort: "정렬", relevance: "관련도순", newest: "최신순", oldest: "오래된순",
          wordsOnly: "단어 일치만", meaning: "의미 유사", meaningTitle: "입력한 단어가 아니라 의미로 찾은 결과",
          kind: { term: "검색어", title: "제목", city: "도시", topic: "주제" } }
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
    ".form { display: flex; gap: 8px; position: relative; }",
    ".combo { position: relative; flex: 1; display: flex; min-width: 0; }",
    "ul.sugg { position: absolute; left: 0; right: 0; top: 100%; z-index: 10; margin-top: 4px; list-style: none; background: #fff;",
    "  border: 1px solid #d0d5dd; border-radius: 8px; box-shadow: 0 8px 24px rgba(16,24,40,.14); padding: 4px; max-height: 280px; overflow: auto; }",
    "li.opt { display: flex; justify-content: space-between; gap: 10px; padding: 7px 10px; border-radius: 6px; cursor: pointer; color: #182230; }",
    "li.opt .k { font-size: 11.5px; color: #475467; }",
    "li.opt.on, li.opt:hover { background: #eef4ff; }",
    "li.opt.on { outline: 2px solid #1849a9; outline-offset: -2px; }",
    ".tools { display: flex; align-items: center; gap: 10px; font-size: 12.5px; color: #475467; }",
    "select { font: inherit; font-size: 12.5px; color: #182230; background: #fff; border: 1px solid #d0d5dd; border-radius: 6px; padding: 2px 4px; }",
    ".wo { font-size: 12.5px; color: #344054; background: #fff; border: 1px solid #d0d5dd; border-radius: 6px; padding: 2px 8px; }",
    ".wo[aria-pressed='true'] { color: #fff; background: #1849a9; border-color: #1849a9; }",
    ".mean { display: inline-block; margin-left: 6px; font-size: 11px; font-weight: 700; color: #7a2e0e; background: #fef0c7; border-radius: 4px; padding: 0 6px; }",
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
    ".status { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; margin: 12px 0 6px; font-size: 13px; color: #475467; }",
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

  /** The language of a document's text: its record's, or for a bilingual record the one script it is in. */
  function textLang(recordLang, text) {
    if (recordLang === "ko" || recordLang === "en") return recordLang;
    var hangul = /[\uac00-\ud7a3]/.test(text || ""), latin = /[A-Za-z]{2}/.test(text || "");
    return hangul && !latin ? "ko" : latin && !hangul ? "en" : null;
  }

  function snippet(html, lang) {
    var out = document.createElement("span");
    out.className = "snippet";
    if (lang) out.lang = lang;
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
    var state = { q: "", page: 1, sort: "relevance", mode: "", filters: { city: [], topic: [], type: [] } };
    var modeSupported = true;
    var queryId = null, answered = "";  // the last search's query_id: clicks are reported with it

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
      placeholder: container.getAttribute("data-placeholder") || T.placeholder, maxlength: "200",
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "-sugg" });
    var sugg = node(document, "ul", { class: "sugg", id: id + "-sugg", role: "listbox", "aria-label": T.suggestions, hidden: "" });
    var form = node(document, "form", { class: "form", role: "search", "aria-label": T.label }, [
      node(document, "label", { class: "sr", for: id + "-q", text: T.label }),
      node(document, "div", { class: "combo" }, [input, sugg]),
      node(document, "button", { class: "go", type: "submit", text: T.button })
    ]);
    var sortSelect = node(document, "select", { class: "sort", "aria-label": T.sort }, ["relevance", "newest", "oldest"].map(function (v) {
      return node(document, "option", { value: v, text: T[v] });
    }));
    var wordsOnly = node(document, "button", { type: "button", class: "wo", "aria-pressed": "false", text: T.wordsOnly });
    var tools = node(document, "span", { class: "tools" }, [sortSelect, wordsOnly]);
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
    var suggestions = [], active = -1, suggestSeq = 0, suggestTimer = null;

    function run() {
      var my = ++seq;
      var p = new URLSearchParams();
      if (state.q) p.set("q", state.q);
      Object.keys(fixed).forEach(function (f) { p.append(f, fixed[f]); });
      Object.keys(state.filters).forEach(function (f) { state.filters[f].forEach(function (v) { p.append(f, v); }); });
      if (state.sort !== "relevance") p.set("sort", state.sort);
      if (state.mode && modeSupported) p.set("mode", state.mode);
      p.set("page", String(state.page));
      p.set("size", String(size));
      p.set("ui_lang", lang);
      wrap.setAttribute("aria-busy", "true");
      fetch(ENDPOINT + "/api/search?" + p.toString(), { mode: "cors", credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.ok) return r.json();
          return r.json().catch(function () { return null; }).then(function (body) {
            var message = body && body.error ? body.error.message : "";
            if (r.status === 400 && state.mode && /\bmode\b/.test(message)) throw { modeRefused: true };
            throw new Error("HTTP " + r.status);
          });
        })
        .then(function (body) { if (my === seq) draw(body); })
        .catch(function (err) {
          if (my !== seq) return;
          if (err && err.modeRefused) { // an API without the mode parameter: words only, switch hidden
            modeSupported = false; state.mode = ""; wordsOnly.setAttribute("aria-pressed", "false"); wordsOnly.hidden = true;
            run(); return;
          }
          list.textContent = ""; facets.textContent = ""; pager.hidden = true; dym.hidden = true;
          status.textContent = "";
          msg.className = "msg err"; msg.textContent = T.error; msg.hidden = false;
        })
        .then(function () { if (my === seq) wrap.removeAttribute("aria-busy"); });
    }

    function draw(body) {
      queryId = body.query_id || null; answered = body.query;
      status.textContent = "";
      status.appendChild(node(document, "span", { text: T.results(body.total) }));
      status.appendChild(tools);
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
      body.results.forEach(function (r, i) {
        var position = (body.page - 1) * body.size + i + 1;
        var href = safeHref(r.url);
        var cities = (r.cities || []).map(function (c) { return lang === "ko" && c.name_ko ? c.name_ko : c.name; });
        var bits = [r.date || T.undated];
        var typeLabel = null;
        (body.facets.type || []).forEach(function (e) { if (e.value === r.type) typeLabel = e.label; });
        bits.push(typeLabel || r.type);
        if (cities.length) bits.push(cities.slice(0, 3).join(", ") + (cities.length > 3 ? " +" + (cities.length - 3) : ""));
        if (r.page) bits.push(T.pdf.replace("{n}", r.page));
        // the document's language, not the UI's
        var link = node(document, "a", { class: "title", href: href, target: "_blank", rel: "noopener noreferrer",
          lang: textLang(r.lang, r.title) }, [r.title]);
        link.addEventListener("click", function () { report(r.id, position); });
        var meta = node(document, "span", { class: "meta", text: bits.join(" · ") });
        if (r.match === "meaning") meta.appendChild(node(document, "span", { class: "mean", title: T.meaningTitle, text: T.meaning }));
        list.appendChild(node(document, "li", { class: "item", "data-id": r.id, "data-match": r.match || null }, [
          link,
          meta,
          r.snippet ? snippet(r.snippet, textLang(r.lang, String(r.snippet).replace(/<[^>]*>/g, ""))) : node(document, "span", { class: "snippet no-body", text: T.noBody })
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

    /* a click on a result: only the query, the result's id and its position; no cookie, no identity */
    function report(resultId, position) {
      if (!state.q || !queryId) return;
      var payload = JSON.stringify({ query: answered, id: resultId, position: position, query_id: queryId });
      try { if (navigator.sendBeacon && navigator.sendBeacon(ENDPOINT + "/api/events", payload)) return; } catch (e) { /* fetch */ }
      fetch(ENDPOINT + "/api/events", { method: "POST", mode: "cors", credentials: "omit", keepalive: true,
        headers: { "Content-Type": "text/plain" }, body: payload }).catch(function () { /* optional */ });
    }

    /* autocomplete: a listbox under the box, ↑ ↓ to move, Enter to pick, Escape to close */
    function closeSugg() {
      sugg.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function mark(i) {
      var items = sugg.querySelectorAll("li.opt");
      if (!items.length) return;
      active = (i + items.length) % items.length;
      Array.prototype.forEach.call(items, function (it, j) {
        it.setAttribute("aria-selected", String(j === active));
        it.className = "opt" + (j === active ? " on" : "");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
    }
    function pick(i) {
      var s = suggestions[i];
      if (!s) return;
      input.value = s.text;
      closeSugg();
      clearTimeout(timer);
      suggestSeq++;
      state.q = s.text; state.page = 1; run();
    }
    function drawSugg() {
      sugg.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!suggestions.length) { closeSugg(); return; }
      suggestions.forEach(function (s, i) {
        var li = node(document, "li", { class: "opt", role: "option", id: id + "-opt-" + i, "aria-selected": "false" },
          [node(document, "span", { text: s.text }), node(document, "span", { class: "k", text: T.kind[s.kind] || s.kind })]);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { pick(i); });
        sugg.appendChild(li);
      });
      sugg.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function fetchSugg(text) {
      clearTimeout(suggestTimer);
      if (!text.trim()) { suggestions = []; closeSugg(); return; }
      suggestTimer = setTimeout(function () {
        var my = ++suggestSeq;
        fetch(ENDPOINT + "/api/suggest?" + new URLSearchParams({ q: text.slice(0, 100) }).toString(),
          { mode: "cors", credentials: "omit", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (body) {
            if (my !== suggestSeq || input.value !== text || (root.activeElement || document.activeElement) !== input) return;
            suggestions = (body.suggestions || []).slice(0, 6);
            drawSugg();
          })
          .catch(function () { /* suggestions are optional */ });
      }, 150);
    }
    input.addEventListener("keydown", function (e) {
      if (e.isComposing || composing || e.keyCode === 229) return;
      var open = !sugg.hidden;
      if (e.key === "ArrowDown") { e.preventDefault(); if (!open && suggestions.length) drawSugg(); mark(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); if (open) mark(active - 1); }
      else if (e.key === "Enter") { if (open && active >= 0) { e.preventDefault(); pick(active); } }
      else if (e.key === "Escape") { if (open) { e.preventDefault(); closeSugg(); } }
    });
    input.addEventListener("blur", function () { setTimeout(closeSugg, 100); });
    sortSelect.addEventListener("change", function () { state.sort = sortSelect.value; state.page = 1; run(); });
    wordsOnly.addEventListener("click", function () {
      state.mode = state.mode ? "" : "lexical";
      wordsOnly.setAttribute("aria-pressed", String(!!state.mode));
      state.page = 1; run();
    });

    function fromInput() {
      var q = input.value.trim();
      if (q === state.q) return;
      state.q = q; state.page = 1; run();
    }
    input.addEventListener("compositionstart", function () { composing = true; clearTimeout(timer); });
    input.addEventListener("compositionend", function () {
      composing = false; clearTimeout(timer); timer = setTimeout(fromInput, 350); fetchSugg(input.value);
    });
    input.addEventListener("input", function (e) {
      if (e.isComposing || composing) return;
      clearTimeout(timer); timer = setTimeout(fromInput, 350); fetchSugg(input.value);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (composing) return;
      clearTimeout(timer); clearTimeout(suggestTimer); suggestSeq++; closeSugg();
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
