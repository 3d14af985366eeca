/* Site search with Pagefind (papersite's `search: pagefind`) in Material's own search box.
   Pagefind's index is split into small chunks: the first query loads the entry file, the
   WebAssembly search and only the chunks its words need, not an index of the whole site.
   The box (partials/papersite-search.html) is moved into the header once; Material's instant
   navigation keeps the header, so the box and its listeners live across page changes.
   Titles and excerpts come from digest text: they are set as text, never as HTML. */
(function () {
  "use strict";
  var box = document.querySelector("[data-papersite-search]");
  var inner = document.querySelector(".md-header__inner");
  if (!box || !inner) return;
  var root = new URL(box.dataset.base || ".", location.href);  // the site's root, from this first page
  var source = inner.querySelector(".md-header__source");
  Array.prototype.slice.call(box.children).forEach(function (el) { inner.insertBefore(el, source); });
  box.remove();

  var PAGE = 10;
  var toggle = document.getElementById("__search");
  var search = inner.querySelector(".md-search");
  var form = search.querySelector(".md-search__form");
  var input = search.querySelector(".md-search__input");
  var meta = search.querySelector(".md-search-result__meta");
  var list = search.querySelector(".md-search-result__list");
  var words = {};
  try { words = JSON.parse(document.getElementById("__config").textContent).translations || {}; } catch (e) { /* defaults */ }
  var api = window.papersiteSearch = { engine: "pagefind", queries: 0 };

  function say(key, fallback, n) {
    return (words[key] || fallback).replace("#", n);
  }

  var loading = null;
  function pagefind() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return pf.options({ baseUrl: root.pathname }).then(function () { return pf.init(); }).then(function () { return pf; });
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function open(on) {
    if (toggle.checked !== on) {
      toggle.checked = on;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // Pagefind's excerpt is the indexed text with < and > escaped and <mark> around the hits:
  // split at the marks and set every piece as text.
  function excerpt(p, html) {
    var marked = false;
    String(html || "").split(/(<\/?mark>)/).forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      if (!part) return;
      var text = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
      p.appendChild(marked ? el("mark", "", text) : document.createTextNode(text));
    });
  }

  function item(data) {
    var li = el("li", "md-search-result__item");
    var a = el("a", "md-search-result__link");
    a.href = data.url;
    var article = el("article", "md-search-result__article md-typeset");
    article.appendChild(el("div", "md-search-result__icon md-icon"));
    article.appendChild(el("h1", "", (data.meta && data.meta.title) || data.url));
    var p = el("p");
    excerpt(p, data.excerpt);
    article.appendChild(p);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  var seq = 0, results = [], shown = 0;

  function show(mine, fresh) {
    var batch = results.slice(shown, shown + PAGE);
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (data) {
      if (mine !== seq) return;
      if (fresh) {
        list.textContent = "";
        var n = results.length;
        meta.textContent = n === 0 ? say("search.result.none", "No matching documents")
          : n === 1 ? say("search.result.one", "1 matching document") : say("search.result.other", "# matching documents", n);
      }
      var more = list.querySelector("[data-papersite-more]");
      if (more) more.remove();
      data.forEach(function (d) { list.appendChild(item(d)); });
      shown += batch.length;
      if (shown < results.length) {
        var li = el("li", "md-search-result__item");
        li.setAttribute("data-papersite-more", "");
        var button = el("button", "md-search-result__more", "Show " + Math.min(PAGE, results.length - shown) + " more");
        button.type = "button";
        button.style.cssText = "display:block;width:100%;padding:.6em .8em;text-align:left;cursor:pointer";
        button.addEventListener("click", function () { show(seq, false); });
        li.appendChild(button);
        list.appendChild(li);
      }
      api.queries += fresh ? 1 : 0;
    });
  }

  function run() {
    var query = input.value.trim(), mine = ++seq;
    if (!query) {
      list.textContent = "";
      meta.textContent = say("search.result.placeholder", "Type to start searching");
      return;
    }
    pagefind().then(function (pf) { return pf.search(query); }).then(function (found) {
      if (mine !== seq || !found) return;
      results = found.results;
      shown = 0;
      return show(mine, true);
    }).catch(function (err) {
      if (mine === seq) meta.textContent = "Search is unavailable here (" + err.message + ")";
    });
  }

  input.addEventListener("focus", function () { open(true); pagefind().catch(function () {}); });
  input.addEventListener("input", run);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = list.querySelector("a");
    if (first) first.click();
  });
  form.addEventListener("reset", function () { setTimeout(function () { run(); input.focus(); }); });
  toggle.addEventListener("change", function () {
    if (toggle.checked) { if (document.activeElement !== input) input.focus(); }
    else input.blur();
  });
  list.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("a")) open(false);  // instant navigation keeps the header
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (!toggle.checked) {
      if (!typing && (ev.key === "/" || ev.key === "s" || ev.key === "f")) {
        ev.preventDefault();
        open(true);
        input.focus();
      }
      return;
    }
    if (ev.key === "Escape") {
      open(false);
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      var stops = [input].concat(Array.prototype.slice.call(list.querySelectorAll("a, button")));
      var at = stops.indexOf(document.activeElement);
      if (at < 0) return;
      ev.preventDefault();
      stops[(at + (ev.key === "ArrowDown" ? 1 : stops.length - 1)) % stops.length].focus();
    }
  });
  api.ready = true;
})();
