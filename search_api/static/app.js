/* Policy Search · 정책 검색 — the staff search page. Plain JS, no build step, no network but our API. */
(function () {
  "use strict";

  var FACETS = ["city", "topic", "sdg", "year", "lang", "type"];
  var LIST_FILTERS = ["city", "topic", "sdg", "lang", "type"];
  var FACET_SHOWN = 5;
  var DEBOUNCE_MS = 300;
  var DEFAULT_SIZE = 10;
  var MAX_QUERY_CHARS = 3000; // the API's max_query_chars: a pasted paragraph is searched whole
  var SHOWN_QUERY_CHARS = 60; // the results line quotes at most this much of the query

  var I18N = {
    en: {
      skip: "Skip to results", searchLabel: "Search policy documents", searchButton: "Search",
      placeholder: "Search policies, cities, programmes…",
      hint: "Korean or English. Use ↑ ↓ to pick a suggestion, Enter to search.",
      suggestionsLabel: "Suggestions", filters: "Filters", showFilters: "Filters", clearAll: "Clear all", results: "Results",
      sortBy: "Sort by", relevance: "Relevance", newest: "Newest first", oldest: "Oldest first",
      activeFilters: "Active filters", pages: "Pages",
      footer: "Search over city-policy documents in Korean and English.", widgetLink: "Embeddable widget",
      facet_city: "City", facet_topic: "Topic", facet_sdg: "SDG", facet_year: "Year", facet_lang: "Language",
      facet_type: "Type", showMore: "Show {n} more", showLess: "Show fewer", noValues: "None in these results",
      removeFilter: "Remove filter {facet}: {value}",
      count: function (n, q) {
        var docs = n === 1 ? "1 document" : fmt(n) + " documents";
        return q ? docs + " for “" + shortQuery(q) + "”" : docs;
      },
      took: "{ms} ms", loading: "Searching…",
      didYouMean: "Did you mean", relaxed: "No document matched every word; showing documents that match some of them.",
      byMeaning: "No document has these words; showing the documents closest in meaning.",
      emptyTitle: "No documents found", emptyBody: "Try fewer or different words, or remove a filter.",
      emptyRemove: "Remove all filters",
      errorTitle: "Search is unavailable", errorBody: "The search service did not answer ({detail}).", retry: "Try again",
      prev: "Previous", next: "Next", pageN: "Page {n}", pageOf: "Page {n} of {total}",
      undated: "Undated", openSource: "Open source", openPdf: "Open PDF at page {n}", page: "p. {n}",
      alsoOnPages: "Also on these pages", alsoOnPage: "Page {n}",
      alsoIn: "Also in", duplicates: "{n} similar", cities: "Cities",
      lang_ko: "Korean", lang_en: "English", lang_mixed: "Korean & English",
      kind_term: "term", kind_title: "title", kind_city: "city", kind_topic: "topic",
      timelineTitle: "Results over time", timelineLabel: "Results per year",
      timelineHint: "Click a year to filter; drag or shift-click for a range. Keys: ← → to move, Enter to choose, Shift+← → for a range.",
      timelineBar: "{year}: {n} documents", timelineTable: "Documents per year for this search", showTable: "Show as table",
      year: "Year", documents: "Documents",
      exportLabel: "Export", exportCsv: "CSV", exportJsonl: "JSON lines",
      exportTitle: "Download every result of this search ({fmt})",
      noBody: "Only a title: open the source for its content.",
      wordsOnly: "Words only", meaning: "Similar in meaning", meaningTitle: "Found by meaning, not by the words typed"
    },
    ko: {
      skip: "검색 결과로 건너뛰기", searchLabel: "정책 문서 검색", searchButton: "검색",
      placeholder: "정책, 도시, 사업을 검색하세요…",
      hint: "한국어나 영어로 검색하세요. ↑ ↓ 로 추천어를 고르고 Enter로 검색합니다.",
      suggestionsLabel: "추천 검색어", filters: "필터", showFilters: "필터", clearAll: "모두 해제", results: "검색 결과",
      sortBy: "정렬", relevance: "관련도순", newest: "최신순", oldest: "오래된순",
      activeFilters: "적용된 필터", pages: "페이지",
      footer: "한국어·영어 도시 정책 문서를 검색합니다.", widgetLink: "웹사이트 삽입용 위젯",
      facet_city: "도시", facet_topic: "주제", facet_sdg: "지속가능발전목표", facet_year: "연도", facet_lang: "언어",
      facet_type: "유형", showMore: "{n}개 더 보기", showLess: "접기", noValues: "해당 없음",
      removeFilter: "{facet} 필터 해제: {value}",
      count: function (n, q) {
        return (q ? "“" + shortQuery(q) + "” 검색 결과 " : "문서 ") + fmt(n) + "건";
      },
      took: "{ms}ms", loading: "검색 중…",
      didYouMean: "이것을 찾으셨나요?", relaxed: "모든 단어와 일치하는 문서가 없어 일부 단어와 일치하는 문서를 보여 드립니다.",
      byMeaning: "이 단어가 있는 문서가 없어 의미가 가장 가까운 문서를 보여 드립니다.",
      emptyTitle: "검색 결과가 없습니다", emptyBody: "다른 검색어를 쓰거나 필터를 해제해 보세요.",
      emptyRemove: "필터 모두 해제",
      errorTitle: "검색할 수 없습니다", errorBody: "검색 서비스가 응답하지 않았습니다 ({detail}).", retry: "다시 시도",
      prev: "이전", next: "다음", pageN: "{n}쪽", pageOf: "{total}쪽 중 {n}쪽",
      undated: "날짜 없음", openSource: "원문 보기", openPdf: "PDF {n}쪽 열기", page: "{n}쪽",
      alsoOnPages: "다른 쪽에도", alsoOnPage: "{n}쪽",
      alsoIn: "다른 언어", duplicates: "유사 문서 {n}건", cities: "도시",
      lang_ko: "한국어", lang_en: "영어", lang_mixed: "한국어·영어",
      kind_term: "검색어", kind_title: "제목", kind_city: "도시", kind_topic: "주제",
      timelineTitle: "연도별 검색 결과", timelineLabel: "연도별 결과 수",
      timelineHint: "연도를 누르면 그 해로 좁힙니다. 끌거나 Shift를 누른 채 누르면 기간을 고릅니다. 키보드: ← → 이동, Enter 선택, Shift+← → 기간.",
      timelineBar: "{year}년: 문서 {n}건", timelineTable: "이 검색의 연도별 문서 수", showTable: "표로 보기",
      year: "연도", documents: "문서 수",
      exportLabel: "내보내기", exportCsv: "CSV", exportJsonl: "JSON lines",
      exportTitle: "이 검색의 모든 결과 내려받기 ({fmt})",
      noBody: "제목만 있는 문서입니다. 내용은 원문에서 확인하세요.",
      wordsOnly: "단어 일치만", meaning: "의미 유사", meaningTitle: "입력한 단어가 아니라 의미로 찾은 결과"
    }
  };

  var uiLang = "en";
  var state = emptyState();
  var lastResponse = null;
  var labelCache = {}; // facet:value -> label, from the latest facets
  var requestSeq = 0;
  var composing = false;
  var debounceTimer = null;
  var typingEntry = false; // the current history entry was pushed by as-you-type search
  var expandedFacets = {};
  var modeSupported = true; // false once the API has refused the mode parameter
  var el = {};

  function $(id) { return document.getElementById(id); }
  /** A long (pasted) query quoted in the results line: its start, cut at a word, with an ellipsis. */
  function shortQuery(q) {
    var flat = String(q).replace(/\s+/g, " ").trim();
    if (flat.length <= SHOWN_QUERY_CHARS) return flat;
    var cut = flat.slice(0, SHOWN_QUERY_CHARS), space = cut.lastIndexOf(" ");
    return (space > SHOWN_QUERY_CHARS / 2 ? cut.slice(0, space) : cut) + "…";
  }
  function fmt(n) { return Number(n).toLocaleString(uiLang === "ko" ? "ko-KR" : "en-US"); }
  function t(key, vars) {
    var s = (I18N[uiLang] && I18N[uiLang][key]) || I18N.en[key] || key;
    if (typeof s === "function") return s;
    return String(s).replace(/\{(\w+)\}/g, function (_, k) { return vars && k in vars ? vars[k] : ""; });
  }
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "class") node.className = v;
        else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  /* ---------- state <-> URL ---------- */
  function emptyState() {
    return { q: "", city: [], topic: [], sdg: [], lang: [], type: [], year_from: "", year_to: "",
             sort: "relevance", mode: "", page: 1, size: DEFAULT_SIZE };
  }
  function stateFromURL() {
    var p = new URLSearchParams(location.search);
    var s = emptyState();
    s.q = (p.get("q") || "").slice(0, MAX_QUERY_CHARS);
    LIST_FILTERS.forEach(function (f) { s[f] = uniq(p.getAll(f).filter(Boolean)); });
    s.year_from = /^\d{4}$/.test(p.get("year_from") || "") ? p.get("year_from") : "";
    s.year_to = /^\d{4}$/.test(p.get("year_to") || "") ? p.get("year_to") : "";
    s.sort = ["relevance", "newest", "oldest"].indexOf(p.get("sort")) >= 0 ? p.get("sort") : "relevance";
    s.mode = p.get("mode") === "lexical" && modeSupported ? "lexical" : "";
    s.page = Math.max(1, parseInt(p.get("page"), 10) || 1);
    var size = parseInt(p.get("size"), 10);
    s.size = size >= 1 && size <= 100 ? size : DEFAULT_SIZE;
    return s;
  }
  function stateParams(s, withUi) {
    var p = new URLSearchParams();
    if (s.q) p.set("q", s.q);
    LIST_FILTERS.forEach(function (f) { s[f].forEach(function (v) { p.append(f, v); }); });
    if (s.year_from) p.set("year_from", s.year_from);
    if (s.year_to) p.set("year_to", s.year_to);
    if (s.sort !== "relevance") p.set("sort", s.sort);
    if (s.mode && modeSupported) p.set("mode", s.mode);
    if (s.page > 1) p.set("page", String(s.page));
    if (s.size !== DEFAULT_SIZE) p.set("size", String(s.size));
    if (withUi) p.set("ui_lang", uiLang);
    return p;
  }
  function stateURL(s) {
    var qs = stateParams(s, true).toString();
    return location.pathname + (qs ? "?" + qs : "");
  }
  function uniq(list) { return list.filter(function (v, i) { return list.indexOf(v) === i; }); }
  function clone(s) { return JSON.parse(JSON.stringify(s)); }

  /** Commit a new state: update the URL (push or replace) and search. */
  function go(next, opts) {
    opts = opts || {};
    state = next;
    var url = stateURL(state);
    if (opts.typing) {
      if (typingEntry) history.replaceState(null, "", url);
      else { history.pushState(null, "", url); typingEntry = true; }
    } else {
      if (typingEntry && opts.replaceTyping) history.replaceState(null, "", url);
      else if (url !== location.pathname + location.search) history.pushState(null, "", url);
      typingEntry = false;
    }
    search(opts);
  }

  /* ---------- interface language ---------- */
  function initialUiLang() {
    var fromUrl = new URLSearchParams(location.search).get("ui_lang");
    if (fromUrl === "ko" || fromUrl === "en") return fromUrl;
    try {
      var stored = localStorage.getItem("policy-search.ui_lang");
      if (stored === "ko" || stored === "en") return stored;
    } catch (e) { /* storage blocked */ }
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
    return /^ko\b/i.test(nav) ? "ko" : "en";
  }
  function setUiLang(lang, persist) {
    uiLang = lang;
    document.documentElement.lang = lang;
    if (persist) { try { localStorage.setItem("policy-search.ui_lang", lang); } catch (e) { /* ignore */ } }
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) {
      n.setAttribute("placeholder", t(n.getAttribute("data-i18n-placeholder")));
    });
    document.querySelectorAll("[data-i18n-aria]").forEach(function (n) {
      n.setAttribute("aria-label", t(n.getAttribute("data-i18n-aria")));
    });
    document.querySelectorAll("[data-ui-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-ui-lang") === lang));
    });
  }

  /* ---------- search ---------- */
  function apiURL(path, params) {
    return path + "?" + params.toString();
  }
  function search(opts) {
    opts = opts || {};
    var seq = ++requestSeq;
    syncControls();
    document.body.classList.add("is-loading");
    el.results.setAttribute("aria-busy", "true");
    var params = stateParams(state, true);
    fetch(apiURL("/api/search", params), { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (body) {
          if (!r.ok) {
            var msg = body && body.error ? body.error.message : "HTTP " + r.status;
            if (r.status === 400 && state.mode && /\bmode\b/.test(msg)) throw { modeRefused: true };
            throw new Error(msg);
          }
          return body;
        });
      })
      .then(function (body) {
        if (seq !== requestSeq) return;
        var lastPage = Math.max(1, Math.ceil(body.total / body.size));
        if (body.page > lastPage && body.total > 0) { // a page past the end (an old link): show the last one
          state.page = lastPage;
          history.replaceState(null, "", stateURL(state));
          search(opts);
          return;
        }
        lastResponse = body;
        render(body);
        if (opts.focusResults) el.heading.focus();
      })
      .catch(function (err) {
        if (seq !== requestSeq) return;
        if (err && err.modeRefused) { // an API without the mode parameter: search by words, hide the switch
          modeSupported = false;
          state.mode = "";
          history.replaceState(null, "", stateURL(state));
          search(opts);
          return;
        }
        lastResponse = null;
        renderError(err && err.message ? err.message : String(err));
      })
      .then(function () {
        if (seq !== requestSeq) return;
        document.body.classList.remove("is-loading");
        el.results.removeAttribute("aria-busy");
      });
  }

  function syncControls() {
    if (document.activeElement !== el.q || el.q.value.trim() !== state.q.trim()) {
      if (!composing) el.q.value = state.q;
    }
    el.sort.value = state.sort;
    el.wordsOnly.checked = state.mode === "lexical";
    el.wordsOnlyBox.hidden = !modeSupported;
  }

  /* ---------- results over time, export ---------- */
  function renderTimeline(body) {
    var focused = document.activeElement;
    var focusYear = focused && el.timeline.contains(focused) ? focused.getAttribute("data-year") : null;
    window.PolicySearchTimeline.render(el.timeline, body.facets.year || [], {
      from: state.year_from, to: state.year_to, fmt: fmt, focusYear: focusYear,
      text: { title: t("timelineTitle"), chartLabel: t("timelineLabel"), hint: t("timelineHint"),
              barLabel: t("timelineBar", { year: "{year}", n: "{n}" }), tableCaption: t("timelineTable"), showTable: t("showTable"),
              year: t("year"), documents: t("documents") },
      onSelect: function (from, to) {
        var next = clone(state);
        next.year_from = from; next.year_to = to; next.page = 1;
        go(next);
      }
    });
  }

  function exportURL(format) {
    var p = stateParams(state, true);
    p.delete("page"); p.delete("size");
    p.set("format", format);
    return "/api/search/export?" + p.toString();
  }

  function renderExport() {
    [["csv", el.exportCsv], ["jsonl", el.exportJsonl]].forEach(function (pair) {
      pair[1].href = exportURL(pair[0]);
      pair[1].title = t("exportTitle", { fmt: pair[0] === "csv" ? t("exportCsv") : t("exportJsonl") });
    });
    el.exportBox.hidden = false;
  }

  /** Report a click on a result: only the query, the result's id and its position (no cookie, no id of the person),
   *  with the search's query_id (the service takes clicks only on searches it answered recently). */
  function reportClick(r, position) {
    if (!state.q || !lastResponse || !lastResponse.query_id) return;
    var body = JSON.stringify({ query: lastResponse.query, id: r.id, position: position, query_id: lastResponse.query_id });
    try {
      if (navigator.sendBeacon && navigator.sendBeacon("/api/events", body)) return;
    } catch (e) { /* fall back to fetch */ }
    fetch("/api/events", { method: "POST", body: body, keepalive: true, credentials: "omit",
      headers: { "Content-Type": "text/plain" } }).catch(function () { /* analytics are optional */ });
  }

  /* ---------- rendering ---------- */
  function render(body) {
    labelCache = {};
    FACETS.forEach(function (f) {
      (body.facets[f] || []).forEach(function (e) { labelCache[f + ":" + e.value] = e.label; });
    });
    renderStatus(body);
    renderNotice(body);
    renderChips();
    renderFacets(body.facets);
    renderTimeline(body);
    renderExport();
    renderResults(body);
    renderPagination(body);
    el.error.hidden = true;
  }

  function renderStatus(body) {
    el.status.textContent = "";
    el.status.appendChild(h("span", { class: "status-count", "data-total": String(body.total), title: body.query || null,
      text: t("count")(body.total, body.query) }));
    if (typeof body.took_ms === "number") {
      el.status.appendChild(h("span", { class: "status-took", text: " · " + t("took", { ms: Math.round(body.took_ms) }) }));
    }
  }

  function renderNotice(body) {
    el.notice.textContent = "";
    var parts = [];
    if (body.suggestion) {
      var next = clone(state); next.q = body.suggestion; next.page = 1;
      var link = h("a", { href: stateURL(next), class: "dym-link", lang: "", text: body.suggestion });
      link.addEventListener("click", function (e) {
        if (e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        go(next, { focusResults: true });
      });
      parts.push(h("p", { class: "dym" }, [t("didYouMean") + " ", link, uiLang === "en" ? "?" : ""]));
    }
    if (body.mode === "hybrid" && body.words_total === 0 && body.total > 0) {
      parts.push(h("p", { class: "relaxed", text: t("byMeaning") }));
    } else if (body.relaxed) parts.push(h("p", { class: "relaxed", text: t("relaxed") }));
    parts.forEach(function (p) { el.notice.appendChild(p); });
    el.notice.hidden = parts.length === 0;
  }

  function facetLabel(facet, value) {
    var key = facet + ":" + value;
    if (labelCache[key]) return labelCache[key];
    if (facet === "lang") return t("lang_" + value);
    if (facet === "sdg") return "SDG " + value;
    return String(value);
  }

  function activeFilters() {
    var out = [];
    LIST_FILTERS.forEach(function (f) { state[f].forEach(function (v) { out.push({ facet: f, value: v }); }); });
    if (state.year_from || state.year_to) {
      var label = state.year_from === state.year_to ? state.year_from
        : (state.year_from || "…") + "–" + (state.year_to || "…");
      out.push({ facet: "year", value: label });
    }
    return out;
  }

  function removeFilter(facet, value) {
    var next = clone(state);
    if (facet === "year") { next.year_from = ""; next.year_to = ""; }
    else next[facet] = next[facet].filter(function (v) { return v !== value; });
    next.page = 1;
    return next;
  }

  function renderChips() {
    var active = activeFilters();
    el.chips.textContent = "";
    active.forEach(function (f) {
      var label = facetLabel(f.facet, f.value);
      var btn = h("button", {
        type: "button", class: "chip",
        "aria-label": t("removeFilter", { facet: t("facet_" + f.facet), value: label }),
        onclick: function () {
          go(removeFilter(f.facet, f.value));
          // keep keyboard focus in the chip row, or fall back to the search box
          setTimeout(function () {
            var first = el.chips.querySelector("button");
            (first || el.q).focus();
          }, 0);
        }
      }, [h("span", { class: "chip-facet", text: t("facet_" + f.facet) }), h("span", { class: "chip-value", text: label }),
          h("span", { class: "chip-x", "aria-hidden": "true", text: "×" })]);
      el.chips.appendChild(btn);
    });
    if (active.length > 1) {
      el.chips.appendChild(h("button", { type: "button", class: "link-button", text: t("clearAll"),
        onclick: function () { clearFilters(); el.q.focus(); } }));
    }
    el.chips.hidden = active.length === 0;
    el.filterCount.textContent = active.length ? " (" + active.length + ")" : "";
    el.clearSide.hidden = active.length === 0;
  }

  function clearFilters() {
    var next = emptyState();
    next.q = state.q; next.sort = state.sort; next.size = state.size; next.mode = state.mode;
    go(next);
  }

  function isSelected(facet, value) {
    if (facet === "year") return state.year_from === String(value) && state.year_to === String(value);
    return state[facet].indexOf(String(value)) >= 0;
  }

  function toggleFacet(facet, value) {
    var next = clone(state);
    value = String(value);
    if (facet === "year") {
      if (isSelected("year", value)) { next.year_from = ""; next.year_to = ""; }
      else { next.year_from = value; next.year_to = value; }
    } else if (next[facet].indexOf(value) >= 0) {
      next[facet] = next[facet].filter(function (v) { return v !== value; });
    } else {
      next[facet] = next[facet].concat([value]);
    }
    next.page = 1;
    go(next);
  }

  function renderFacets(facets) {
    var focusedId = document.activeElement && document.activeElement.id;
    el.facets.textContent = "";
    FACETS.forEach(function (facet) {
      var entries = (facets[facet] || []).slice();
      // a selected value stays listed even when the API's list leaves it out
      if (facet !== "year") {
        state[facet].forEach(function (v) {
          if (!entries.some(function (e) { return String(e.value) === v; })) {
            entries.push({ value: v, label: facetLabel(facet, v), count: 0, selected: true });
          }
        });
      }
      var headingId = "facet-" + facet + "-heading";
      var group = h("section", { class: "facet", "aria-labelledby": headingId, "data-facet": facet });
      group.appendChild(h("h3", { id: headingId, class: "facet-title", text: t("facet_" + facet) }));
      if (!entries.length) {
        group.appendChild(h("p", { class: "facet-none", text: t("noValues") }));
        el.facets.appendChild(group);
        return;
      }
      var list = h("ul", { class: "facet-list", role: "list" });
      var expanded = !!expandedFacets[facet];
      var selectedCount = 0;
      entries.forEach(function (e, i) {
        var selected = isSelected(facet, e.value);
        if (selected) selectedCount++;
        var id = "f-" + facet + "-" + String(e.value).replace(/[^A-Za-z0-9_-]/g, function (c) { return "_" + c.charCodeAt(0).toString(16); });
        var input = h("input", { type: "checkbox", id: id, class: "facet-input", checked: selected,
          "data-value": String(e.value) });
        input.checked = selected;
        input.addEventListener("change", function () { toggleFacet(facet, e.value); });
        var li = h("li", { class: "facet-item" + (selected ? " is-selected" : "") + (!expanded && i >= FACET_SHOWN && !selected ? " is-extra" : "") }, [
          input,
          h("label", { for: id, class: "facet-label" }, [
            h("span", { class: "facet-name", text: e.label }),
            h("span", { class: "facet-count", text: fmt(e.count) })
          ])
        ]);
        list.appendChild(li);
      });
      group.appendChild(list);
      var hiddenCount = entries.length - FACET_SHOWN;
      if (hiddenCount > 0) {
        group.appendChild(h("button", { type: "button", class: "link-button facet-more", "aria-expanded": String(expanded),
          id: "more-" + facet,
          text: expanded ? t("showLess") : t("showMore", { n: hiddenCount }),
          onclick: function () { expandedFacets[facet] = !expanded; renderFacets(lastResponse ? lastResponse.facets : {});
            var b = $("more-" + facet); if (b) b.focus(); } }));
      }
      el.facets.appendChild(group);
    });
    if (focusedId) { var again = $(focusedId); if (again) again.focus(); }
  }

  function formatDate(iso) {
    if (!iso) return t("undated");
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(iso);
    if (!m) return iso;
    try {
      var d = new Date(Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1));
      var opts = { year: "numeric", timeZone: "UTC" };
      if (m[2]) opts.month = uiLang === "ko" ? "long" : "short";
      if (m[3]) opts.day = "numeric";
      return d.toLocaleDateString(uiLang === "ko" ? "ko-KR" : "en-GB", opts);
    } catch (e) { return iso; }
  }

  /** The server's snippet is escaped HTML with <mark>; keep text and <mark> only (defence in depth). */
  function plainText(html) { return String(html || "").replace(/<[^>]*>/g, ""); }
  function snippetNode(html, lang) {
    var out = document.createElement("p");
    out.className = "result-snippet";
    lang = textLang(lang, plainText(html));
    if (lang) out.lang = lang; // read in the document's language, whatever the UI's
    var tpl = document.createElement("template");
    tpl.innerHTML = html || "";
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
    if (!url) return null;
    try {
      var u = new URL(url, location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) { return null; }
  }

  /** The language of a document's text: its record's, or for a bilingual record the one script it is in. */
  function textLang(recordLang, text) {
    if (recordLang === "ko" || recordLang === "en") return recordLang;
    var hangul = /[\uac00-\ud7a3]/.test(text || ""), latin = /[A-Za-z]{2}/.test(text || "");
    return hangul && !latin ? "ko" : latin && !hangul ? "en" : null;
  }

  // The attributes of a link to ``href``: one to another origin opens in a new tab, without an opener.
  function linkAttrs(href, attrs) {
    var external = !!href && new URL(href).origin !== location.origin;
    attrs.href = href;
    attrs.target = external ? "_blank" : null;
    attrs.rel = external ? "noopener noreferrer" : null;
    return attrs;
  }

  function isPdf(r) { return /\/source(#page=\d+)?$/.test(r.url || "") && r.page; }

  // A long document's further pages that hold the words (the API's "passages"), each a link to its page.
  function innerHits(r, position) {
    var pages = (r.passages || []).filter(function (p) { return p && p.page && safeHref(p.url); });
    if (!pages.length) return null;
    var list = h("ul", { class: "inner-hits", role: "list", "aria-label": t("alsoOnPages") });
    pages.forEach(function (p) {
      var link = h("a", linkAttrs(safeHref(p.url), { class: "inner-hit-link",
        "aria-label": t("openPdf", { n: p.page }) + ": " + r.title }), [t("alsoOnPage", { n: p.page })]);
      link.addEventListener("click", function () { reportClick(r, position); });
      var text = p.snippet ? snippetNode(p.snippet, r.lang) : null;
      if (text) text.className = "inner-hit-snippet";
      list.appendChild(h("li", { class: "inner-hit", "data-page": String(p.page) }, [link, text]));
    });
    return list;
  }

  function renderResults(body) {
    el.results.textContent = "";
    el.results.start = (body.page - 1) * body.size + 1;
    body.results.forEach(function (r, i) {
      var href = safeHref(r.url);
      var titleLink = h("a", linkAttrs(href, { class: "result-title-link", lang: textLang(r.lang, r.title) }), [r.title]);
      var typeLabel = facetLabel("type", r.type);
      var meta = h("div", { class: "result-meta" }, [
        h("span", { class: "badge badge-" + r.type, text: typeLabel }),
        h("span", { class: "meta-date" }, [h("time", { datetime: r.date || null, text: formatDate(r.date) })]),
        h("span", { class: "meta-lang", text: t("lang_" + r.lang) }),
        r.page ? h("span", { class: "meta-page", text: t("page", { n: r.page }) }) : null,
        r.match === "meaning" ? h("span", { class: "badge badge-meaning", title: t("meaningTitle"), text: t("meaning") }) : null
      ]);
      var cities = (r.cities || []).map(function (c) { return uiLang === "ko" && c.name_ko ? c.name_ko : c.name; });
      var tags = h("ul", { class: "result-tags", role: "list" });
      if (cities.length) {
        tags.appendChild(h("li", { class: "tag tag-city" }, [
          h("span", { class: "visually-hidden", text: t("cities") + ": " }), cities.slice(0, 6).join(" · ") + (cities.length > 6 ? " +" + (cities.length - 6) : "")]));
      }
      (r.topics || []).slice(0, 3).forEach(function (tp) { tags.appendChild(h("li", { class: "tag tag-topic", text: facetLabel("topic", tp) })); });
      (r.sdgs || []).slice(0, 3).forEach(function (g) { tags.appendChild(h("li", { class: "tag tag-sdg", text: "SDG " + g })); });
      var actions = h("div", { class: "result-actions" });
      if (href) {
        var pdf = isPdf(r);
        actions.appendChild(h("a", linkAttrs(href, { class: "source-link" + (pdf ? " is-pdf" : ""),
          "aria-label": (pdf ? t("openPdf", { n: r.page }) : t("openSource")) + ": " + r.title }),
          [pdf ? t("openPdf", { n: r.page }) : t("openSource"), h("span", { "aria-hidden": "true", text: " →" })]));
      }
      if (r.translations && r.translations.length) {
        actions.appendChild(h("span", { class: "meta-note", text: t("alsoIn") + ": " + r.translations.map(function (x) {
          return typeof x === "string" ? x : (x.lang ? t("lang_" + x.lang) : x.id || ""); }).join(", ") }));
      }
      if (r.duplicates && r.duplicates.length) {
        actions.appendChild(h("span", { class: "meta-note", text: t("duplicates", { n: r.duplicates.length }) }));
      }
      var position = (body.page - 1) * body.size + i + 1;
      [titleLink, actions.querySelector(".source-link")].forEach(function (a) {
        if (a) a.addEventListener("click", function () { reportClick(r, position); });
      });
      var li = h("li", { class: "result", "data-id": r.id, "data-match": r.match || null }, [
        h("h3", { class: "result-title" }, [titleLink]),
        meta,
        r.snippet ? snippetNode(r.snippet, r.lang) : h("p", { class: "result-snippet no-body", text: t("noBody") }),
        innerHits(r, position),
        tags.childNodes.length ? tags : null,
        actions
      ]);
      el.results.appendChild(li);
    });
    var empty = body.results.length === 0;
    el.empty.hidden = !empty;
    if (empty) {
      el.empty.textContent = "";
      el.empty.appendChild(h("div", { class: "empty-icon", "aria-hidden": "true" }, []));
      el.empty.appendChild(h("h3", { text: t("emptyTitle") }));
      el.empty.appendChild(h("p", { text: t("emptyBody") }));
      if (activeFilters().length) {
        el.empty.appendChild(h("button", { type: "button", class: "button-secondary", text: t("emptyRemove"),
          onclick: function () { clearFilters(); } }));
      }
    }
  }

  function renderPagination(body) {
    var pages = Math.max(1, Math.ceil(body.total / body.size));
    var current = body.page;
    el.pagination.textContent = "";
    if (pages <= 1 && current <= 1) { el.pagination.hidden = true; return; }
    el.pagination.hidden = false;
    function pageLink(n, label, cls, aria) {
      var next = clone(state); next.page = n;
      var a = h("a", { href: stateURL(next), class: cls, "aria-label": aria || t("pageN", { n: n }),
        "aria-current": n === current && !label ? "page" : null }, [label || fmt(n)]);
      a.addEventListener("click", function (e) {
        if (e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        go(next, { focusResults: true });
        window.scrollTo(0, 0);
      });
      return a;
    }
    var list = h("ul", { role: "list" });
    list.appendChild(h("li", {}, [current > 1 ? pageLink(current - 1, "← " + t("prev"), "page-prev", t("prev"))
      : h("span", { class: "page-prev is-disabled", "aria-hidden": "true", text: "← " + t("prev") })]));
    var shown = [];
    for (var n = 1; n <= pages; n++) {
      if (n === 1 || n === pages || Math.abs(n - current) <= 2) shown.push(n);
    }
    var prev = 0;
    shown.forEach(function (n) {
      if (n - prev > 1) list.appendChild(h("li", { class: "page-gap", "aria-hidden": "true", text: "…" }));
      list.appendChild(h("li", {}, [pageLink(n, null, "page-num" + (n === current ? " is-current" : ""))]));
      prev = n;
    });
    list.appendChild(h("li", {}, [current < pages ? pageLink(current + 1, t("next") + " →", "page-next", t("next"))
      : h("span", { class: "page-next is-disabled", "aria-hidden": "true", text: t("next") + " →" })]));
    el.pagination.appendChild(list);
    el.pagination.appendChild(h("p", { class: "page-of", text: t("pageOf", { n: fmt(current), total: fmt(pages) }) }));
  }

  function renderError(message) {
    el.results.textContent = "";
    el.pagination.hidden = true;
    el.empty.hidden = true;
    el.notice.hidden = true;
    el.status.textContent = t("errorTitle");
    el.error.textContent = "";
    el.error.appendChild(h("h3", { text: t("errorTitle") }));
    el.error.appendChild(h("p", { text: t("errorBody", { detail: message.slice(0, 200) }) }));
    el.error.appendChild(h("button", { type: "button", class: "button-secondary", text: t("retry"),
      onclick: function () { search(); } }));
    el.error.hidden = false;
  }

  /* ---------- autocomplete (ARIA 1.2 combobox with listbox popup) ---------- */
  var suggestSeq = 0, suggestTimer = null, activeIndex = -1, suggestions = [];

  function openList() { el.list.hidden = false; el.q.setAttribute("aria-expanded", "true"); }
  function closeList() {
    el.list.hidden = true; el.q.setAttribute("aria-expanded", "false");
    el.q.removeAttribute("aria-activedescendant"); activeIndex = -1;
  }
  function fetchSuggestions(text) {
    clearTimeout(suggestTimer);
    if (!text.trim()) { suggestions = []; closeList(); return; }
    suggestTimer = setTimeout(function () {
      var seq = ++suggestSeq;
      fetch("/api/suggest?" + new URLSearchParams({ q: text.slice(0, 100) }).toString())
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) {
          if (seq !== suggestSeq || document.activeElement !== el.q || el.q.value !== text) return;
          suggestions = (body.suggestions || []).slice(0, 8);
          renderSuggestions();
        })
        .catch(function () { /* suggestions are optional */ });
    }, 150);
  }
  function renderSuggestions() {
    el.list.textContent = "";
    activeIndex = -1;
    el.q.removeAttribute("aria-activedescendant");
    if (!suggestions.length) { closeList(); return; }
    suggestions.forEach(function (s, i) {
      var li = h("li", { id: "suggestion-" + i, role: "option", class: "suggestion", "aria-selected": "false" }, [
        h("span", { class: "suggestion-text", text: s.text }),
        h("span", { class: "suggestion-kind", text: t("kind_" + s.kind) })
      ]);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { pickSuggestion(i); });
      el.list.appendChild(li);
    });
    openList();
  }
  function highlight(i) {
    var items = el.list.querySelectorAll("[role=option]");
    if (!items.length) return;
    activeIndex = (i + items.length) % items.length;
    items.forEach(function (it, j) {
      it.setAttribute("aria-selected", String(j === activeIndex));
      it.classList.toggle("is-active", j === activeIndex);
    });
    el.q.setAttribute("aria-activedescendant", items[activeIndex].id);
    items[activeIndex].scrollIntoView({ block: "nearest" });
  }
  function pickSuggestion(i) {
    var s = suggestions[i];
    if (!s) return;
    el.q.value = s.text;
    closeList();
    submit();
  }

  /* ---------- input, IME and submit ---------- */
  function submit() {
    clearTimeout(debounceTimer);
    clearTimeout(suggestTimer);
    suggestSeq++; // a suggestion list still on its way must not reopen over the results
    closeList();
    var next = clone(state);
    next.q = el.q.value.trim();
    next.page = 1;
    go(next, { replaceTyping: true });
  }
  function scheduleSearch() {
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(function () {
      if (composing) return;
      var q = el.q.value.trim();
      if (q === state.q) return;
      var next = clone(state);
      next.q = q;
      next.page = 1;
      go(next, { typing: true });
    }, DEBOUNCE_MS);
  }

  function bind() {
    el.q.addEventListener("compositionstart", function () { composing = true; clearTimeout(debounceTimer); });
    el.q.addEventListener("compositionend", function () {
      composing = false;
      scheduleSearch();
      fetchSuggestions(el.q.value);
    });
    el.q.addEventListener("input", function (e) {
      if (e.isComposing || composing) return; // never search on each composing jamo
      scheduleSearch();
      fetchSuggestions(el.q.value);
    });
    el.q.addEventListener("keydown", function (e) {
      if (e.isComposing || composing || e.keyCode === 229) return; // the IME owns these keys
      var open = !el.list.hidden;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (!open && suggestions.length) { openList(); }
        highlight(activeIndex + 1);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (open) highlight(activeIndex - 1);
      } else if (e.key === "Enter") {
        if (open && activeIndex >= 0) { e.preventDefault(); pickSuggestion(activeIndex); }
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); closeList(); }
      }
    });
    el.q.addEventListener("blur", function () { setTimeout(closeList, 100); });
    el.form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (composing) return;
      submit();
    });
    el.wordsOnly.addEventListener("change", function () {
      var next = clone(state); next.mode = el.wordsOnly.checked ? "lexical" : ""; next.page = 1; go(next);
    });
    el.sort.addEventListener("change", function () {
      var next = clone(state); next.sort = el.sort.value; next.page = 1; go(next);
    });
    el.clearSide.addEventListener("click", function () { clearFilters(); el.q.focus(); });
    el.filterToggle.addEventListener("click", function () {
      var open = el.filterToggle.getAttribute("aria-expanded") !== "true";
      el.filterToggle.setAttribute("aria-expanded", String(open));
      el.sidebar.classList.toggle("is-open", open);
    });
    document.querySelectorAll("[data-ui-lang]").forEach(function (b) {
      b.addEventListener("click", function () {
        setUiLang(b.getAttribute("data-ui-lang"), true);
        history.replaceState(null, "", stateURL(state));
        search();
      });
    });
    window.addEventListener("popstate", function () {
      typingEntry = false;
      var lang = new URLSearchParams(location.search).get("ui_lang");
      if ((lang === "ko" || lang === "en") && lang !== uiLang) setUiLang(lang, false);
      state = stateFromURL();
      el.q.value = state.q;
      closeList();
      search();
    });
  }

  function init() {
    el = {
      form: $("search-form"), q: $("q"), list: $("suggestions"), sort: $("sort"), facets: $("facets"),
      chips: $("chips"), notice: $("notice"), results: $("results"), empty: $("empty"), error: $("error"),
      pagination: $("pagination"), status: $("status"), heading: $("results-heading"), clearSide: $("clear-all-side"),
      filterToggle: $("filter-toggle"), sidebar: $("sidebar"), filterCount: $("filter-count"),
      timeline: $("timeline"), exportBox: $("export"), exportCsv: $("export-csv"), exportJsonl: $("export-jsonl"),
      wordsOnly: $("words-only"), wordsOnlyBox: $("words-only-box")
    };
    setUiLang(initialUiLang(), false);
    state = stateFromURL();
    history.replaceState(null, "", stateURL(state));
    el.q.value = state.q;
    bind();
    search();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
