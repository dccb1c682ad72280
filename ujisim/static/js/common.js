// What the exam page (exam.js) and the webcam pages (proctor.js) share: element lookup, message
// formatting, JSON requests to our API and the test for an ended session. A plain script that
// defines one namespace, window.ujisim; a page loads it before its own script (both with defer,
// which keeps their order).
"use strict";
window.ujisim = (() => {
  // Every request gives up after this long, unless its caller allows more (an upload).
  const REQUEST_TIMEOUT_S = 20;
  // The session's CSRF token as the server last sent it (a JSON answer may carry one, and a new
  // login in another tab changes it); until then the page's own.
  let token = null;

  const $ = (id) => document.getElementById(id);

  // "Question {n} of {total}" with its values; a placeholder without a value stays as it is.
  const fmt = (text, values) => (text || "").replace(/\{(\w+)\}/g,
    (whole, key) => (values && values[key] !== undefined ? String(values[key]) : whole));

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const csrf = () => token || document.querySelector('meta[name="csrf-token"]').content;

  function timeoutError() {
    const error = new Error("timeout");
    error.name = "TimeoutError";
    return error;
  }

  // A GET without a body, else a POST (JSON, or FormData as it is, with the CSRF header).
  // Resolves to {ok, status, data} for any HTTP answer (data: the parsed JSON, else null; errors
  // have our shape {"error": {"code", "message", "fields"}}). Rejects when the network is lost,
  // and with an error named "TimeoutError" after ``timeoutS`` seconds: the caller retries.
  async function request(url, body, timeoutS) {
    const headers = { "Accept": "application/json" };
    const options = { method: "GET", headers, credentials: "same-origin" };
    if (body !== undefined) {
      options.method = "POST";
      headers["X-CSRFToken"] = csrf();
      if (body instanceof FormData) {
        options.body = body;
      } else {
        headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, (timeoutS || REQUEST_TIMEOUT_S) * 1000);
    try {
      const response = await fetch(url, { ...options, signal: controller.signal });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (timedOut) throw timeoutError();   // the answer's body did not arrive in time
      if (data && typeof data.csrf_token === "string") token = data.csrf_token;
      return { ok: response.ok, status: response.status, data };
    } catch (error) {
      throw timedOut ? timeoutError() : error;
    } finally {
      clearTimeout(timer);
    }
  }

  const get = (url, timeoutS) => request(url, undefined, timeoutS);
  const post = (url, body, timeoutS) => request(url, body === undefined ? {} : body, timeoutS);

  const errorCode = (result) => (result && result.data && result.data.error && result.data.error.code) || null;
  const errorMessage = (result, fallback) =>
    (result && result.data && result.data.error && result.data.error.message) || fallback;

  // The session has ended (it expired, or the user logged out in another tab): a 401, or a CSRF
  // refusal (the token lives in the session). Nothing can be sent until the next login.
  const sessionEnded = (result) => Boolean(result) && (result.status === 401 || errorCode(result) === "csrf_failed");

  return Object.freeze({ REQUEST_TIMEOUT_S, $, fmt, sleep, get, post, errorCode, errorMessage, sessionEnded });
})();
