// Tsunagu: small progressive enhancements. Every page works without this script.
(function () {
  "use strict";

  // Timeline: filter by kind at once, keeping the URL (and the no-script form) in step.
  function enhanceTimelineFilter(form) {
    var list = document.getElementById("timeline");
    if (!list) return;
    var submit = form.querySelector("[data-filter-submit]");
    if (submit) submit.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.appendChild(status);
    function apply() {
      var shown = {};
      form.querySelectorAll("input[name=group]").forEach(function (box) { shown[box.value] = box.checked; });
      var visible = 0;
      list.querySelectorAll("li[data-group]").forEach(function (entry) {
        var on = shown[entry.getAttribute("data-group")] !== false;
        entry.hidden = !on;
        if (on) visible += 1;
      });
      status.textContent = (document.documentElement.lang === "en" ? "Entries shown: " : "表示中の記録：") + visible;
      var params = new URLSearchParams();
      form.querySelectorAll("input[name=group]:checked").forEach(function (box) { params.append("group", box.value); });
      history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : "") + location.hash);
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  }

  // Repeating rows (participants, decisions, roles): add a blank row, renumbering its names and ids.
  function enhanceRepeat(fieldset) {
    var button = fieldset.querySelector("[data-add-row]");
    var body = fieldset.querySelector("tbody");
    if (!button || !body) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = body.querySelectorAll("[data-row]");
      var last = rows[rows.length - 1];
      var index = rows.length;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/\d+/, String(index)));
        });
        if (el.tagName === "INPUT" && (el.type === "checkbox" || el.type === "radio")) el.checked = false;
        else if (el.tagName === "INPUT") el.value = "";
        else if (el.tagName === "SELECT") el.selectedIndex = 0;
      });
      copy.querySelectorAll(".visually-hidden").forEach(function (el) {
        el.textContent = el.textContent.replace(/\d+\s*$/, String(index + 1));
      });
      copy.querySelectorAll("[aria-label]").forEach(function (el) {
        el.setAttribute("aria-label", el.getAttribute("aria-label").replace(/\d+\s*$/, String(index + 1)));
      });
      body.appendChild(copy);
      var first = copy.querySelector("select, input");
      if (first) first.focus();
    });
  }

  // Parts of a form that apply to one choice only (data-show-if="name:value other"): shown while the
  // choice holds, or while they show an error. Without the script every part is shown.
  function enhanceShowIf(part) {
    var form = part.closest("form");
    var rule = part.getAttribute("data-show-if").split(":");
    var name = rule[0];
    var wanted = rule[1].split(" ");
    if (!form) return;
    function current() {
      var checked = form.querySelector("input[name='" + name + "']:checked");
      if (checked) return checked.value;
      var select = form.querySelector("select[name='" + name + "']");
      return select ? select.value : "";
    }
    function update() {
      part.hidden = wanted.indexOf(current()) < 0 && !part.querySelector(".has-error");
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === name) update();
    });
    update();
  }

  // A character count for the emergency reason (it must be at least 10 characters).
  function enhanceCount(textarea) {
    var note = document.createElement("p");
    note.className = "hint";
    note.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", note);
    function update() {
      var n = textarea.value.trim().length;
      note.textContent = (document.documentElement.lang === "en" ? "Characters: " : "文字数：") + n;
    }
    textarea.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-filter=timeline]").forEach(enhanceTimelineFilter);
    document.querySelectorAll("[data-repeat]").forEach(enhanceRepeat);
    document.querySelectorAll("[data-show-if]").forEach(enhanceShowIf);
    document.querySelectorAll("textarea[data-count]").forEach(enhanceCount);
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
  });
})();
