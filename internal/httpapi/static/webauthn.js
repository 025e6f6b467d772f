/*
 * Latchkey passkeys in the browser. No dependencies.
 *
 * Your backend starts a ceremony with Latchkey and hands the page Latchkey's answer:
 *   registration: {webauthn_session_id, credential_creation_options}
 *   login:        {webauthn_session_id, credential_request_options}
 * The page passes that answer to Latchkey.register or Latchkey.authenticate, which run
 * navigator.credentials.create or get and resolve to the webauthn_encoded_result string, which
 * the page sends back to its backend, and the backend to Latchkey.
 *
 * webauthn_encoded_result is the unpadded base64url encoding of the UTF-8 JSON of
 * PublicKeyCredential.toJSON(), with one member added: "webauthn_session_id".
 *
 *   const start = await (await fetch("/my/passkey/login/start", {method: "POST"})).json();
 *   const result = await Latchkey.authenticate(start);
 *   await fetch("/my/passkey/login", {method: "POST", body: JSON.stringify({webauthn_encoded_result: result})});
 *
 * Both functions also take (options, sessionId). The optional last argument holds extra
 * members for navigator.credentials (e.g. {signal} or, for login, {mediation: "conditional"}).
 * They reject with the browser's DOMException when the user cancels or no authenticator fits
 * (NotAllowedError, InvalidStateError for an already registered authenticator, ...).
 */
(function (global) {
  "use strict";

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    var s = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes.buffer;
  }

  function withBinaryIds(list) {
    return (list || []).map(function (d) {
      var out = Object.assign({}, d);
      out.id = fromBase64url(d.id);
      return out;
    });
  }

  // Accepts Latchkey's start answer, or options and a session id.
  function unpack(start, sessionId, key) {
    if (start && start[key]) return { options: start[key], sessionId: start.webauthn_session_id };
    return { options: start, sessionId: sessionId };
  }

  function creationOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = fromBase64url(json.challenge);
    o.user = Object.assign({}, json.user, { id: fromBase64url(json.user.id) });
    o.excludeCredentials = withBinaryIds(json.excludeCredentials);
    return o;
  }

  function requestOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = fromBase64url(json.challenge);
    o.allowCredentials = withBinaryIds(json.allowCredentials);
    return o;
  }

  // credentialJSON is PublicKeyCredential.toJSON(), built by hand where the browser lacks it.
  function credentialJSON(cred) {
    if (typeof cred.toJSON === "function") return cred.toJSON();
    var r = cred.response;
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
      if (typeof r.getAuthenticatorData === "function") response.authenticatorData = toBase64url(r.getAuthenticatorData());
      if (typeof r.getPublicKeyAlgorithm === "function") response.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return {
      id: cred.id,
      rawId: toBase64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: response
    };
  }

  function encode(cred, sessionId) {
    var json = credentialJSON(cred);
    json.webauthn_session_id = sessionId;
    return toBase64url(new TextEncoder().encode(JSON.stringify(json)));
  }

  function isSupported() {
    return !!(global.PublicKeyCredential && global.navigator && global.navigator.credentials);
  }

  function register(start, sessionId, extra) {
    if (sessionId && typeof sessionId === "object") { extra = sessionId; sessionId = undefined; }
    var s = unpack(start, sessionId, "credential_creation_options");
    if (!isSupported()) return Promise.reject(new Error("WebAuthn is not supported by this browser"));
    var args = Object.assign({}, extra, { publicKey: creationOptions(s.options) });
    return global.navigator.credentials.create(args).then(function (cred) {
      return encode(cred, s.sessionId);
    });
  }

  function authenticate(start, sessionId, extra) {
    if (sessionId && typeof sessionId === "object") { extra = sessionId; sessionId = undefined; }
    var s = unpack(start, sessionId, "credential_request_options");
    if (!isSupported()) return Promise.reject(new Error("WebAuthn is not supported by this browser"));
    var args = Object.assign({}, extra, { publicKey: requestOptions(s.options) });
    return global.navigator.credentials.get(args).then(function (cred) {
      return encode(cred, s.sessionId);
    });
  }

  global.Latchkey = {
    isSupported: isSupported,
    register: register,
    authenticate: authenticate,
    toBase64url: toBase64url,
    fromBase64url: fromBase64url
  };
})(window);
