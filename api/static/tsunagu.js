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

  var EN = document.documentElement.lang === "en";

  // Drafts: what is typed in a record form is kept in this browser (localStorage, keyed by the form) until it
  // is recorded, so a session that expires or a closed tab loses nothing. Never sent anywhere; never for the
  // name search (only forms marked data-draft keep one).
  var DRAFT = "tsunagu-draft:";
  var SKIP = { csrf_token: 1, form_key: 1, version: 1 };
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
  }
  function saveDraft(form) {
    var data = {};
    draftFields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) (data[el.name] = data[el.name] || []).push(el.value);
      } else if (el.value) {
        data[el.name] = [el.value];
      }
    });
    try { localStorage.setItem(DRAFT + form.getAttribute("data-draft"), JSON.stringify({ at: Date.now(), data: data })); }
    catch (e) { /* storage full or off: the form still works */ }
  }
  function restoreDraft(form) {
    var raw;
    try { raw = localStorage.getItem(DRAFT + form.getAttribute("data-draft")); } catch (e) { return; }
    if (!raw || form.querySelector(".has-error") || document.querySelector("[data-conflict]")) return;
    var draft = JSON.parse(raw).data || {};
    var typed = draftFields(form).some(function (el) {
      return (el.tagName === "TEXTAREA" || el.type === "text" || el.type === "search") && el.value;
    });
    if (typed) return;  // the page already shows what was sent: it wins
    draftFields(form).forEach(function (el) {
      var values = draft[el.name];
      if (!values) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) >= 0;
      else el.value = values[0];
    });
    var note = document.createElement("p");
    note.className = "alert info";
    note.setAttribute("role", "status");
    note.textContent = EN ? "Restored what you typed before (kept on this device). " : "前回入力していた内容を復元しました（この端末に保存されていたもの）。";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button small subtle";
    discard.textContent = EN ? "Discard it" : "破棄する";
    discard.addEventListener("click", function () {
      localStorage.removeItem(DRAFT + form.getAttribute("data-draft"));
      location.reload();
    });
    note.appendChild(discard);
    form.insertAdjacentElement("beforebegin", note);
  }
  function enhanceDraft(form) {
    restoreDraft(form);
    var noteEl = form.querySelector("[data-draft-note]");
    if (noteEl) noteEl.hidden = false;
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function () {
      saveDraft(form);
      try { sessionStorage.setItem("tsunagu-submitted", form.getAttribute("data-draft")); } catch (e) { /* ignore */ }
    });
  }
  function clearSavedDraft() {
    var key;
    try { key = sessionStorage.getItem("tsunagu-submitted"); } catch (e) { return; }
    if (key && document.querySelector("[data-saved]")) {
      localStorage.removeItem(DRAFT + key);
      sessionStorage.removeItem("tsunagu-submitted");
    }
  }

  // The live inbox: the agency's referral messages (ids only) as Server-Sent Events under the page's session.
  function followStream(url) {
    if (!window.EventSource) return;
    var badge = document.querySelector("[data-inbox-badge]");
    var notice = document.querySelector("[data-live-notice]");
    var inbox = document.querySelector("[data-inbox-live]");
    var source = new EventSource(url);
    function arrived(event, text) {
      var message = {};
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.recipient_role !== "receiver") return;
      if (badge) {
        badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
        badge.classList.remove("zero");
        badge.classList.add("bump");
      }
      if (notice) { notice.textContent = text; notice.hidden = false; }
      if (inbox) {
        inbox.hidden = false;
        inbox.querySelector("[data-inbox-live-text]").textContent = text;
        inbox.querySelector("[data-inbox-reload]").href = location.pathname + "?after=" + event.lastEventId;
      }
    }
    source.addEventListener("referral.requested", function (event) {
      arrived(event, EN ? "A new referral has arrived." : "新しいつなぎの依頼が届きました。");
    });
    source.addEventListener("referral.escalated", function (event) {
      arrived(event, EN ? "A case was escalated to multi-agency coordination." : "多機関協働への引継ぎがありました。");
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    clearSavedDraft();
    document.querySelectorAll("form[data-draft]").forEach(enhanceDraft);
    var stream = document.body.getAttribute("data-stream");
    if (stream) followStream(stream);
    document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      var button = select.form.querySelector("[data-autosubmit-button]");
      if (button) button.hidden = true;
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-filter=timeline]").forEach(enhanceTimelineFilter);
    document.querySelectorAll("[data-repeat]").forEach(enhanceRepeat);
    document.querySelectorAll("[data-show-if]").forEach(enhanceShowIf);
    document.querySelectorAll("textarea[data-count]").forEach(enhanceCount);
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
  });
})();
