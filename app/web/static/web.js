// Skill autocomplete for the search box: an ARIA 1.2 combobox with a listbox popup (keyboard: arrows, Enter, Escape).
// The page works without it: the server answers an unknown skill with "did you mean" links. How many suggestions
// came is said in a polite live region (WCAG 4.1.3): a screen reader hears that a list opened and how to use it.
// The box takes sentences ("who knows kube|rnetes in berlin"): suggestions are for the word at the caret, and
// taking one replaces that word (or the fragment the server says it completes, app/web/suggest.py), nothing else.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var items = [], active = -1, timer = null, seq = 0, stopped = false;
    var said = document.createElement("p");  // in the page before it speaks, so the first message is announced
    said.className = "visually-hidden"; said.setAttribute("role", "status");
    input.parentNode.appendChild(said);
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1;
      input.removeAttribute("aria-activedescendant"); }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      if (active >= 0) { input.setAttribute("aria-activedescendant", list.children[active].id);
        list.children[active].scrollIntoView({block: "nearest"}); }
    }
    function word() {  // [start, end) of the word at the caret
      var v = input.value, at = input.selectionStart === null ? v.length : input.selectionStart;
      var start = at, end = at;
      while (start > 0 && !/\s/.test(v.charAt(start - 1))) start--;
      while (end < v.length && !/\s/.test(v.charAt(end))) end++;
      return {start: start, end: end};
    }
    function choose(i) {
      if (i < 0 || i >= items.length) return;
      var v = input.value, w = word(), head = v.slice(0, w.end), frag = items[i].fragment || "";
      var start = frag && head.slice(-frag.length) === frag ? w.end - frag.length : w.start;
      input.value = v.slice(0, start) + items[i].name + v.slice(w.end);
      var caret = start + items[i].name.length;
      input.setSelectionRange(caret, caret);
      close();
    }
    function show(data) {
      items = data; list.textContent = "";
      data.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i; li.setAttribute("role", "option"); li.textContent = s.name;
        if (s.hint) { var h = document.createElement("span"); h.className = "hint"; h.textContent = s.hint; li.appendChild(h); }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      active = -1;
      said.textContent = data.length ? data.length + (data.length === 1 ? " skill" : " skills") +
        " suggested: up and down arrows to choose, Enter to take one." : "No skill of that name is known yet.";
      if (data.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } else { close(); }
    }
    function signedOut() {  // the session ended (401): stop asking, and say so once where it can be seen
      stopped = true; close();
      if (document.getElementById(input.id + "-signed-out")) return;
      var note = document.createElement("p"), link = document.createElement("a");
      note.id = input.id + "-signed-out"; note.className = "note warn"; note.setAttribute("role", "alert");
      link.href = "/signin?next=" + encodeURIComponent(location.pathname + location.search);
      link.textContent = "Sign in again";
      note.appendChild(document.createTextNode("Your session has ended, so no skills are suggested. "));
      note.appendChild(link);
      note.appendChild(document.createTextNode(" to get them again."));
      input.parentNode.appendChild(note);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (stopped) return;
      var w = word(), q = input.value.slice(0, w.end);
      if (w.start === w.end) { close(); said.textContent = ""; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q),
              {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (r) {
            if (r.status === 401) { signedOut(); return null; }
            return r.ok ? r.json() : [];
          })
          .then(function (data) { if (data && mine === seq) show(data); })
          .catch(function () { close(); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); mark(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(active); e.preventDefault(); }
      else if (e.key === "Escape") { close(); e.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  });
})();

// A table box without a tab stop of its own (one on every card would be dozens of useless stops) gets one, and a
// name, while it is too narrow for its table (a phone, a window zoomed to 400 %, a large default font): otherwise a
// keyboard could not scroll it (WCAG 2.1.1). The boxes that are often too narrow have their tab stop in the markup.
(function () {
  "use strict";
  var boxes = Array.prototype.filter.call(document.querySelectorAll(".table-scroll"), function (box) {
    return !box.hasAttribute("tabindex");
  });
  function fit() {
    boxes.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0"); box.setAttribute("role", "region");
        box.setAttribute("aria-label", (box.getAttribute("data-label") || "Table") + ", table");
      } else {
        box.removeAttribute("tabindex"); box.removeAttribute("role"); box.removeAttribute("aria-label");
      }
    });
  }
  var timer = null;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(fit, 100); });
  fit();
})();
