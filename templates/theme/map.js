/* The collection map: papers drawn on a canvas at the places computed at build time.
   Nodes are coloured by topic and sized by how often they are mentioned; mentions are dark
   arrows, related papers light lines. Drag to pan, wheel to zoom, hover for the title, click
   to open the paper. No library and no network: graph.json is read from the site itself. */
(function () {
  "use strict";
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                 "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c"];

  function init() {
    var box = document.querySelector(".papersite-map");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var started = performance.now();
    var root = window.__md_scope || new URL(box.dataset.root || "../", location.href);
    var canvas = box.querySelector("[data-map=canvas]");
    var tip = box.querySelector("[data-map=tip]");
    var ctl = function (name) { return box.querySelector("[data-map=" + name + "]"); };
    var api = window.papersiteMap = { ready: false };

    fetch(new URL("graph.json", root)).then(function (r) { return r.json(); }).then(function (data) {
      var topics = (data.graph && data.graph.topics) || [];
      var colour = {};
      topics.forEach(function (t, i) { colour[t.id] = PALETTE[i % PALETTE.length]; });
      var nodes = data.nodes.filter(function (n) { return n.kind === "paper"; });
      var byId = {};
      nodes.forEach(function (n) { byId[n.id] = n; n.cited = 0; });
      var mentions = [], related = [];
      (data.edges || data.links || []).forEach(function (e) {
        if (!byId[e.source] || !byId[e.target]) return;
        if (e.kind === "mentions") { mentions.push(e); byId[e.target].cited += 1; }
        else related.push(e);
      });
      nodes.forEach(function (n) {
        n.r = 3 + 2.5 * Math.sqrt(n.cited);
        n.colour = colour[(n.topics || [])[0]] || "#888";
        n.hay = (n.title + " " + (n.aliases || []).join(" ")).toLowerCase();
      });
      var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
      nodes.forEach(function (n) {
        minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x); minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y);
      });
      var view = { scale: 1, dx: 0, dy: 0 };
      var filter = { topic: "", from: "", to: "", mentions: true, related: true, found: null };

      function fit() {
        var w = canvas.clientWidth || 960, h = canvas.clientHeight || 640;
        var ratio = window.devicePixelRatio || 1;
        canvas.width = w * ratio; canvas.height = h * ratio;
        var span = Math.max(maxX - minX, maxY - minY, 1);
        view.scale = 0.9 * Math.min(w, h) / span;
        view.dx = w / 2 - view.scale * (minX + maxX) / 2;
        view.dy = h / 2 - view.scale * (minY + maxY) / 2;
      }
      function sx(n) { return view.dx + view.scale * n.x; }
      function sy(n) { return view.dy + view.scale * n.y; }
      function visible(n) {
        if (filter.topic && (n.topics || []).indexOf(filter.topic) < 0) return false;
        if (filter.from && n.date < filter.from) return false;
        if (filter.to && n.date > filter.to) return false;
        return true;
      }
      function draw() {
        var ctx = canvas.getContext("2d"), ratio = window.devicePixelRatio || 1;
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        if (filter.related) {
          ctx.strokeStyle = "rgba(150,150,150,0.25)"; ctx.lineWidth = 0.6; ctx.beginPath();
          related.forEach(function (e) {
            var a = byId[e.source], b = byId[e.target];
            if (visible(a) && visible(b)) { ctx.moveTo(sx(a), sy(a)); ctx.lineTo(sx(b), sy(b)); }
          });
          ctx.stroke();
        }
        if (filter.mentions) {
          ctx.strokeStyle = "rgba(60,60,60,0.8)"; ctx.fillStyle = "rgba(60,60,60,0.8)"; ctx.lineWidth = 1.2;
          mentions.forEach(function (e) {
            var a = byId[e.source], b = byId[e.target];
            if (!visible(a) || !visible(b)) return;
            var x1 = sx(a), y1 = sy(a), x2 = sx(b), y2 = sy(b), t = Math.atan2(y2 - y1, x2 - x1);
            var ex = x2 - Math.cos(t) * b.r, ey = y2 - Math.sin(t) * b.r;
            ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(ex, ey); ctx.stroke();
            ctx.beginPath(); ctx.moveTo(ex, ey);
            ctx.lineTo(ex - 7 * Math.cos(t - 0.4), ey - 7 * Math.sin(t - 0.4));
            ctx.lineTo(ex - 7 * Math.cos(t + 0.4), ey - 7 * Math.sin(t + 0.4)); ctx.fill();
          });
        }
        var shown = 0;
        nodes.forEach(function (n) {
          if (!visible(n)) return;
          shown += 1;
          ctx.beginPath(); ctx.arc(sx(n), sy(n), n.r, 0, 2 * Math.PI);
          ctx.fillStyle = n.colour; ctx.fill();
          if (n === filter.found) { ctx.lineWidth = 3; ctx.strokeStyle = "#000"; ctx.stroke(); }
        });
        api.visibleCount = shown;
      }
      function hit(mx, my) {
        var best = null, dist = 12;
        nodes.forEach(function (n) {
          if (!visible(n)) return;
          var d = Math.hypot(sx(n) - mx, sy(n) - my) - n.r;
          if (d < dist) { dist = d; best = n; }
        });
        return best;
      }
      function local(ev) { var r = canvas.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; }

      var drag = null, moved = false;
      canvas.addEventListener("mousedown", function (ev) { drag = local(ev); moved = false; });
      window.addEventListener("mouseup", function () { drag = null; });
      canvas.addEventListener("mousemove", function (ev) {
        var p = local(ev);
        if (drag) {
          if (Math.abs(p[0] - drag[0]) + Math.abs(p[1] - drag[1]) > 2) moved = true;
          view.dx += p[0] - drag[0]; view.dy += p[1] - drag[1]; drag = p; draw(); return;
        }
        var n = hit(p[0], p[1]);
        canvas.style.cursor = n ? "pointer" : "grab";
        if (n) { tip.textContent = n.title; tip.hidden = false; tip.style.left = (p[0] + 12) + "px"; tip.style.top = (p[1] + 12) + "px"; }
        else tip.hidden = true;
      });
      canvas.addEventListener("click", function (ev) {
        if (moved) return;
        var p = local(ev), n = hit(p[0], p[1]);
        if (n) location.href = new URL(n.url, root).href;
      });
      canvas.addEventListener("wheel", function (ev) {
        ev.preventDefault();
        var p = local(ev), k = ev.deltaY < 0 ? 1.2 : 1 / 1.2;
        view.dx = p[0] - k * (p[0] - view.dx); view.dy = p[1] - k * (p[1] - view.dy); view.scale *= k; draw();
      }, { passive: false });
      ["topic", "from", "to"].forEach(function (name) {
        ctl(name).addEventListener("input", function () { filter[name] = ctl(name).value; draw(); });
      });
      ["mentions", "related"].forEach(function (name) {
        ctl(name).addEventListener("change", function () { filter[name] = ctl(name).checked; draw(); });
      });
      ctl("search").addEventListener("input", function () {
        var q = ctl("search").value.trim().toLowerCase();
        var exact = q && nodes.filter(function (n) { return (n.aliases || []).some(function (a) { return a.toLowerCase() === q; }); });
        filter.found = q ? ((exact && exact[0]) || nodes.find(function (n) { return n.hay.indexOf(q) >= 0; }) || null) : null;
        if (filter.found) {
          var w = canvas.clientWidth || 960, h = canvas.clientHeight || 640;
          view.dx = w / 2 - view.scale * filter.found.x; view.dy = h / 2 - view.scale * filter.found.y;
        }
        api.found = filter.found ? filter.found.id : null;
        draw();
      });
      window.addEventListener("resize", function () { fit(); draw(); });

      fit(); draw();
      api.nodeCount = nodes.length;
      api.screenPosition = function (id) { var n = byId[id], r = canvas.getBoundingClientRect(); return n && [r.left + sx(n), r.top + sy(n)]; };
      api.firstDrawMs = performance.now() - started;
      api.ready = true;
      canvas.dataset.nodes = String(nodes.length);
    });
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState !== "loading") init();
  else document.addEventListener("DOMContentLoaded", init);
})();
