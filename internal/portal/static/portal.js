// The admin portal works without this script; it adds copying to the clipboard and the live
// email preview. It is served from the portal's own origin, as the Content-Security-Policy
// requires: no inline script anywhere.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.copy").forEach(function (btn) {
    btn.addEventListener("click", function () { copy(btn); });
  });
  var form = document.getElementById("prefs-form");
  if (form) { livePreview(form); }
});

function copy(btn) {
  var field = document.getElementById(btn.dataset.copy);
  var status = btn.parentElement.querySelector(".copied");
  var done = function () {
    if (status) { status.textContent = "Copied"; }
    btn.dataset.copied = "true";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () { fallbackCopy(field, done); });
  } else {
    fallbackCopy(field, done);
  }
}

function fallbackCopy(field, done) {
  field.focus();
  field.select();
  try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the field stays selected */ }
}

function livePreview(form) {
  var base = form.dataset.preview;
  var frame = document.getElementById("preview-frame");
  var subject = document.getElementById("preview-subject");
  var from = document.getElementById("preview-from");
  var problems = document.getElementById("preview-problems");
  var lang = document.getElementById("preview-lang");
  var tabs = document.querySelectorAll(".tab[data-kind]");
  var kind = "otp";
  tabs.forEach(function (t) { if (t.getAttribute("aria-pressed") === "true") { kind = t.dataset.kind; } });
  var timer = null;
  var seq = 0;

  function params() {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (k !== "csrf") { p.append(k, v); } });
    p.set("kind", kind);
    p.set("lang", lang.value);
    return p;
  }

  function refresh() {
    var p = params();
    var mine = ++seq;
    frame.src = base + "?" + p.toString();
    p.set("format", "json");
    fetch(base + "?" + p.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d || mine !== seq) { return; }
        subject.textContent = d.subject;
        from.textContent = d.from || "the deployment's sender";
        problems.replaceChildren();
        d.problems.forEach(function (msg) {
          var li = document.createElement("li");
          li.textContent = msg;
          problems.appendChild(li);
        });
        form.dataset.previewed = String(mine);
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  lang.addEventListener("change", refresh);
  tabs.forEach(function (t) {
    t.addEventListener("click", function () {
      kind = t.dataset.kind;
      tabs.forEach(function (o) { o.setAttribute("aria-pressed", o === t ? "true" : "false"); });
      refresh();
    });
  });
}
