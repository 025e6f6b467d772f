// The admin portal works without this script; it adds copying to the clipboard, the live
// email preview, and passkeys (which need WebAuthn, and so a script). It is served from the portal's own origin, as the Content-Security-Policy
// requires: no inline script anywhere.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.copy").forEach(function (btn) {
    btn.addEventListener("click", function () { copy(btn); });
  });
  var form = document.getElementById("prefs-form");
  if (form) { livePreview(form); }
  var signin = document.getElementById("passkey-form");
  if (signin) { passkeyForm(signin, "authenticate"); }
  var register = document.getElementById("passkey-register");
  if (register) { passkeyForm(register, "register"); }
});

// passkeyForm runs a WebAuthn ceremony when the form is submitted: it asks the form's start
// route for the options, runs them through Latchkey's webauthn.js, and submits the form with
// the encoded result, which the server verifies.
function passkeyForm(form, kind) {
  var status = form.querySelector("[role=status]");
  var say = function (text) { if (status) { status.textContent = text; } };
  form.addEventListener("submit", function (event) {
    if (form.dataset.done === "true") { return; }
    event.preventDefault();
    if (!window.Latchkey || !window.Latchkey.isSupported()) {
      say("This browser cannot use passkeys.");
      return;
    }
    var tenant = document.querySelector("#pw-tenant, #tenant");
    var hidden = form.querySelector(".passkey-tenant");
    if (tenant && hidden) { hidden.value = tenant.value; }
    var body = new URLSearchParams(new FormData(form));
    say(kind === "register" ? "Follow your browser to create the passkey…" : "Follow your browser to use your passkey…");
    fetch(form.dataset.start, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (res) {
        return res.json().catch(function () { return { message: "The server refused: " + res.status }; })
          .then(function (data) { if (!res.ok) { throw new Error(data.message || "The server refused."); } return data; });
      })
      .then(function (start) { return window.Latchkey[kind](start); })
      .then(function (result) {
        form.querySelector("input[name=result]").value = result;
        form.dataset.done = "true";
        form.submit();
      })
      .catch(function (err) { say(err && err.message ? err.message : "The passkey did not work."); });
  });
}

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
  var sms = document.getElementById("preview-sms");
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
        sms.textContent = d.sms;
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
