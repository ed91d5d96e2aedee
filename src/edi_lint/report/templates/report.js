"use strict";
// The report's only script. The claims travel as JSON (display-ready text made by edi-lint); this
// script filters them, pages them, and fills the page's own <template> skeletons for the visible
// page only, so a 10,000-claim report stays responsive. Text is set with textContent, never parsed
// as HTML. Raw segments are drawn when a claim's segments are opened.
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var claims = data.claims;
  claims.forEach(function (claim, index) { claim.index = index; });
  var PAGE = data.pageSize;
  var form = document.getElementById("filters");
  var cards = document.getElementById("cards");
  var matching = claims;
  var page = 0;
  var raw = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clone(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function slot(root, name) {
    return root.querySelector("[data-slot=" + name + "]");
  }

  function state() {
    var sev = {};
    form.querySelectorAll("input[name=sev]").forEach(function (box) { sev[box.value] = box.checked; });
    return { sev: sev, rule: form.elements.rule.value, q: form.elements.q.value.trim().toLowerCase() };
  }

  function findingShown(s, finding) {
    return s.sev[finding[0]] && (!s.rule || s.rule === finding[1]);
  }

  function matches(s, claim) {
    if (s.q && claim.text.indexOf(s.q) < 0) return false;
    if (!claim.findings.length) return s.sev.clean && !s.rule;
    return claim.findings.some(function (f) { return findingShown(s, f); });
  }

  function finding(f) {
    var li = clone("tpl-finding");
    li.classList.add(f[0]);
    li.dataset.sev = f[0];
    li.dataset.rule = f[1];
    var badge = li.querySelector(".badge");
    badge.classList.add(f[0]);
    badge.textContent = f[0];
    li.querySelector(".code").textContent = f[1];
    li.querySelector(".message").textContent = f[2];
    li.querySelector(".where").textContent = f[3];
    li.querySelector(".finding-where .muted").textContent = f[4];
    var explain = li.querySelector(".explain");
    explain.dataset.explain = f[5];
    explain.querySelector("summary").textContent = "Explain " + f[1] + (data.names[f[1]] ? " (" + data.names[f[1]] + ")" : "");
    return li;
  }

  // A cell is its text, or [text, note number, 1 when a finding points at it].
  function cell(tag, c) {
    if (typeof c === "string") return el(tag, "", c);
    var node = el(tag, c[2] ? "fault" : "", c[0]);
    var note = data.notes[c[1]];
    if (note) node.appendChild(el("small", "", note));
    return node;
  }

  function card(claim, index, s) {
    var article = clone("tpl-claim");
    article.dataset.index = index;
    article.dataset.sev = claim.sev.join(" ") || "clean";
    article.dataset.rules = claim.rules.join(" ");
    article.classList.add(claim.worst ? "worst-" + claim.worst : "clean");
    slot(article, "id").textContent = claim.id;
    slot(article, "at").textContent = claim.at;
    var status = slot(article, "status");
    claim.badges.forEach(function (b) { status.appendChild(el("span", "badge " + b[0], b[1])); status.append(" "); });
    if (!claim.badges.length) status.appendChild(el("span", "badge ok", "no findings"));
    if (claim.verdict) status.appendChild(el("span", "verdict " + (claim.verdict === "accepted" ? "ok" : "bad"), claim.verdict));
    var facts = slot(article, "facts");
    claim.facts.forEach(function (f) {
      var div = clone("tpl-fact"), value = typeof f[1] === "string" ? [f[1], -1, 0] : f[1];
      if (value[2]) div.className = "fault";
      div.querySelector("dt").textContent = data.notes[f[0]];
      div.querySelector("dd").textContent = value[0];
      div.querySelector("small").textContent = data.notes[value[1]] || "";
      facts.appendChild(div);
    });
    facts.firstElementChild.classList.add("payer");
    var providers = slot(article, "providers");
    claim.providers.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", "", row[0]));
      row.slice(1).forEach(function (c) { tr.appendChild(cell("td", c)); });
      providers.appendChild(tr);
    });
    var dx = slot(article, "dx");
    if (!claim.dx.length) dx.remove();
    claim.dx.forEach(function (d) {
      var chip = clone("tpl-dx");
      if (!d[3]) chip.classList.add("unused");
      chip.querySelector("b").textContent = d[0];
      chip.querySelector(".code").textContent = d[1];
      chip.querySelector("small").textContent = d[2];
      dx.appendChild(chip);
    });
    var list = slot(article, "findings");
    claim.findings.forEach(function (f) {
      var li = finding(f);
      li.hidden = !findingShown(s, f);
      list.appendChild(li);
    });
    if (!claim.findings.length) list.remove();
    var lines = slot(article, "lines");
    claim.lines.forEach(function (line) {
      var tr = el("tr", line.hit ? "has-finding" : "");
      line.cells.forEach(function (c) { tr.appendChild(cell("td", c)); });
      lines.appendChild(tr);
    });
    return article;
  }

  function show() {
    var s = state();
    var pages = Math.max(1, Math.ceil(matching.length / PAGE));
    page = Math.max(0, Math.min(page, pages - 1));
    var first = page * PAGE, last = Math.min(matching.length, first + PAGE);
    var fragment = document.createDocumentFragment();
    for (var i = first; i < last; i++) fragment.appendChild(card(matching[i], matching[i].index, s));
    cards.replaceChildren(fragment);
    var text = matching.length ? "Claims " + (first + 1) + "–" + last + " of " + matching.length
      + (matching.length < claims.length ? " (filtered from " + claims.length + ")" : "") : "No claims";
    document.querySelectorAll(".pager .count").forEach(function (node) { node.textContent = text; });
    document.querySelectorAll(".pager .prev").forEach(function (b) { b.disabled = page === 0; });
    document.querySelectorAll(".pager .next").forEach(function (b) { b.disabled = page >= pages - 1; });
    document.getElementById("empty").hidden = matching.length > 0 || claims.length === 0;
    document.querySelectorAll("ol[data-file] > .finding").forEach(function (li) {
      li.hidden = !findingShown(s, [li.dataset.sev, li.dataset.rule]);
    });
  }

  function refilter() {
    var s = state();
    matching = claims.filter(function (claim) { return matches(s, claim); });
    page = 0;
    show();
  }

  form.addEventListener("input", refilter);
  form.addEventListener("change", refilter);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.querySelectorAll(".pager .prev, .pager .next").forEach(function (b) {
    b.addEventListener("click", function () {
      page += b.classList.contains("next") ? 1 : -1;
      show();
      form.scrollIntoView();
    });
  });

  document.querySelectorAll("ol[data-file]").forEach(function (list) {
    data.files[Number(list.dataset.file)].forEach(function (f) { list.appendChild(finding(f)); });
  });

  // Explanations (one <template> per rule) and raw segments are filled in when first opened.
  document.addEventListener("toggle", function (event) {
    var box = event.target;
    if (!box.open || box.dataset.drawn) return;
    box.dataset.drawn = "1";
    if (box.classList.contains("explain")) {
      var source = document.getElementById("explain-" + box.dataset.explain);
      if (source) box.appendChild(source.content.cloneNode(true));
    } else if (box.classList.contains("raw")) {
      drawSegments(box.querySelector(".raw-body"), Number(box.closest(".claim").dataset.index));
    }
  }, true);

  function ref(sid, position, component) {
    var name = sid + (position < 10 ? "0" : "") + position;
    return component ? name + "-" + component : name;
  }

  function drawSegments(body, index) {
    if (!raw) raw = JSON.parse(document.getElementById("raw-data").textContent);
    var claim = raw.claims[index];
    var hits = {};
    claim.marks.forEach(function (m) {
      (hits[m[0]] = hits[m[0]] || []).push({ position: m[1], component: m[2], severity: m[3], rule: m[4] });
    });
    var table = el("table");
    var tbody = el("tbody");
    table.appendChild(tbody);
    claim.segments.forEach(function (row) {
      var names = row[2] === null ? null : raw.names[row[2]], elements = row[3];
      var marks = hits[row[0]] || [];
      var tr = el("tr", marks.length ? "hit-row" : "");
      tr.appendChild(el("td", "muted", "#" + row[0]));
      var cellNode = el("td", "seg-id", row[1] || "?");
      cellNode.appendChild(el("span", "seg-name", raw.loops[row[1]] || "not in the guide"));
      tr.appendChild(cellNode);
      cellNode = el("td", "seg-id", elements[0]);
      cellNode.appendChild(el("span", "seg-name", names ? names[0] : ""));
      tr.appendChild(cellNode);
      var values = el("td");
      values.appendChild(el("span", "el", elements[0]));
      var notes = [];
      var width = elements.length;
      marks.forEach(function (m) { width = Math.max(width, m.position + 1); });
      for (var p = 1; p < width; p++) {
        values.appendChild(el("span", "sep", "*"));
        var value = p < elements.length ? elements[p] : "";
        var label = names && names[1][p - 1] ? names[1][p - 1] : "";
        var composite = names && names[2][p] ? names[2][p] : null;
        var parts = composite ? value.split(claim.component) : [value];
        var here = marks.filter(function (m) { return m.position === p; });
        here.forEach(function (m) {  // an element at fault that is not there at all: show where it goes
          while (composite && m.component > parts.length) parts.push("");
        });
        parts.forEach(function (part, c) {
          if (c > 0) values.appendChild(el("span", "sep", claim.component));
          var component = composite ? c + 1 : 0;
          var name = component && composite[c] ? composite[c] : label;
          var span = el("span", "el" + (part === "•••" ? " masked" : ""), part);
          span.title = ref(elements[0], p, component) + " " + name;
          here.forEach(function (m) {
            if (!m.component || !composite || m.component === component) {
              if (!part) span.textContent = "(empty)";
              span.className += " hit " + m.severity;
            }
          });
          values.appendChild(span);
        });
        here.forEach(function (m) {
          var name = composite && m.component && composite[m.component - 1] ? composite[m.component - 1] : label;
          notes.push(ref(elements[0], p, m.component) + " " + name + ": " + m.rule);
        });
      }
      marks.forEach(function (m) {
        if (!m.position) notes.push("this segment: " + m.rule);
      });
      notes.forEach(function (note) { values.appendChild(el("span", "hit-note", note)); });
      tr.appendChild(values);
      tbody.appendChild(tr);
    });
    body.appendChild(table);
  }

  show();
})();
