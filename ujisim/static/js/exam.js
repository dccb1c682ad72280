// The official exam page. The server owns the clock, the paper and the grade; this file shows
// one question at a time, saves every answer at once (append-only steps with an increasing
// sequence number), keeps unsent answers in localStorage while offline and sends them on
// reconnect, and submits at the deadline.
"use strict";
(() => {
  const root = document.getElementById("exam");
  if (!root) return;
  const T = JSON.parse(document.getElementById("exam-text").textContent);
  let csrf = document.querySelector('meta[name="csrf-token"]').content;
  let needLogin = false;       // the session ended: answers wait here until the next login
  const attemptId = root.dataset.attempt;
  const store = {
    key: (name) => `ujisim:${attemptId}:${name}`,
    get(name, fallback) {
      try { return JSON.parse(localStorage.getItem(this.key(name))) ?? fallback; } catch (e) { return fallback; }
    },
    set(name, value) {
      try { localStorage.setItem(this.key(name), JSON.stringify(value)); } catch (e) { /* storage full: still sent */ }
    },
  };
  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);

  let questions = [];
  let answers = {};            // position -> choice index (as shown)
  let marked = new Set(store.get("marked", []));
  let queue = store.get("queue", []);   // unsent steps {position, choice, seq}
  let seq = store.get("seq", 0);
  let current = store.get("current", 0);
  let deadline = null;         // performance.now() value at which time runs out
  let closed = false;
  let flushing = false;
  let retryDelay = 1000;
  let submitting = false;
  let itemLimit = null;        // AVIS mode: seconds per question, counted by the server
  const itemDeadline = {};     // position -> performance.now() value when its time runs out
  const movedOn = new Set();   // questions whose time ran out while shown (moved on once)

  function syncClock(remainingSeconds) {
    deadline = performance.now() + remainingSeconds * 1000;
  }

  async function api(url, body) {
    const response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  function showStatus() {
    const waiting = queue.length;
    $("save-status").textContent = waiting === 0 ? T.saved
      : navigator.onLine ? T.saving : fmt(T.offline, { n: waiting });
    $("save-status").classList.toggle("waiting", waiting > 0);
  }

  function sessionEnded(result) {
    const code = result.data && result.data.error && result.data.error.code;
    if (result.status !== 401 && code !== "csrf_failed") return false;
    needLogin = true;
    fatal(T.login_again);
    return true;
  }

  function fatal(message) {
    $("fatal").textContent = message;
    $("fatal").hidden = false;
  }

  async function flush() {
    if (flushing || closed || queue.length === 0) { showStatus(); return; }
    flushing = true;
    showStatus();
    try {
      while (queue.length > 0 && !closed) {
        const step = queue[0];
        let result;
        try {
          result = await api(root.dataset.answerUrl, step);
        } catch (networkError) {
          scheduleRetry();
          return;
        }
        if (sessionEnded(result)) {
          // Keep every answer here; they are sent after the next login (see "focus").
          flushing = false;
          showStatus();
          return;
        }
        if (result.ok && result.data) {
          queue.shift();
          store.set("queue", queue);
          syncClock(result.data.remaining_s);
          retryDelay = 1000;
        } else if (result.status === 409) {
          closed = true;
          const code = result.data && result.data.error && result.data.error.code;
          fatal(code === "paused" ? T.paused : code === "time_up" ? T.time_up : T.closed);
          if (code !== "paused") finish(true);
          return;
        } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
          queue.shift();           // refused as invalid: it will never be accepted
          store.set("queue", queue);
        } else {
          scheduleRetry();
          return;
        }
      }
    } finally {
      flushing = false;
      showStatus();
    }
  }

  function scheduleRetry() {
    flushing = false;
    showStatus();
    setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function answer(position, choice) {
    if (closed) return;
    seq += 1;
    store.set("seq", seq);
    answers[position] = choice;
    queue.push({ position, choice, seq });
    store.set("queue", queue);
    render();
    flush();
  }

  function renderGrid() {
    const grid = $("grid");
    grid.textContent = "";
    questions.forEach((q, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = String(i + 1);
      b.className = "cell" + (answers[i] !== undefined && answers[i] !== null ? " answered" : "")
        + (marked.has(i) ? " marked" : "") + (i === current ? " current" : "")
        + (isClosed(i) ? " closed" : "");
      b.setAttribute("aria-label", fmt(T.goto, { n: i + 1 }));
      if (i === current) b.setAttribute("aria-current", "step");
      b.addEventListener("click", () => go(i));
      grid.appendChild(b);
    });
    const done = questions.filter((q, i) => answers[i] !== undefined && answers[i] !== null).length;
    $("answered").textContent = done;
    $("unanswered").textContent = questions.length - done;
  }

  function render() {
    const q = questions[current];
    if (!q) return;
    $("question").hidden = false;
    $("q-number").textContent = fmt(T.question, { n: current + 1, total: questions.length });
    $("q-stem").textContent = q.stem;
    const img = $("q-media");
    if (q.media) { img.src = q.media; img.hidden = false; } else { img.hidden = true; img.removeAttribute("src"); }
    const box = $("q-options");
    box.textContent = "";
    q.options.forEach((text, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "option";
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", answers[current] === i ? "true" : "false");
      const letter = document.createElement("span");
      letter.className = "letter";
      letter.textContent = "ABCD"[i];
      b.append(letter, document.createTextNode(text));
      b.disabled = isClosed(current);
      b.addEventListener("click", () => answer(current, i));
      box.appendChild(b);
    });
    $("mark").setAttribute("aria-pressed", marked.has(current) ? "true" : "false");
    $("mark").textContent = marked.has(current) ? T.unmark : T.mark;
    $("prev").disabled = current === 0;
    $("next").disabled = current === questions.length - 1;
    renderGrid();
  }

  function isClosed(position) {
    return itemLimit !== null && itemDeadline[position] !== undefined
      && performance.now() >= itemDeadline[position];
  }

  async function openItem(position) {
    // AVIS mode: the server starts this question's own countdown the first time it is shown.
    if (itemLimit === null || itemDeadline[position] !== undefined) return;
    itemDeadline[position] = performance.now() + itemLimit * 1000;   // until the server answers
    try {
      const result = await api(root.dataset.openUrl, { position });
      if (result.ok) itemDeadline[position] = performance.now() + result.data.item_remaining_s * 1000;
    } catch (e) { /* offline: the server opens it when the answer arrives */ }
  }

  function go(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    store.set("current", current);
    openItem(current);
    render();
    $("q-stem").focus({ preventScroll: false });
  }

  function tick() {
    if (deadline === null) return;
    const left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
    const m = Math.floor(left / 60), s = left % 60;
    $("timer").textContent = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
    $("timer").parentElement.classList.toggle("low", left <= 300);
    if (left === 0 && !submitting) {
      fatal(T.time_up);
      finish(true);
    }
    if (itemLimit !== null && itemDeadline[current] !== undefined) {
      const itemLeft = Math.max(0, Math.round((itemDeadline[current] - performance.now()) / 1000));
      $("item-timer").hidden = false;
      $("item-timer").textContent = fmt(T.item_left, { s: itemLeft });
      if (itemLeft === 0 && !movedOn.has(current)) {
        // Its time just ran out: move on once; a candidate may still look back at it later.
        movedOn.add(current);
        const next = questions.findIndex((q, i) => i > current && !isClosed(i));
        if (next >= 0) go(next); else render();
      }
    }
  }

  function unansweredList() {
    return questions.map((q, i) => i).filter((i) => answers[i] === undefined || answers[i] === null);
  }

  function confirmFinish() {
    const missing = unansweredList();
    const lines = [missing.length ? fmt(T.unanswered, { list: missing.map((i) => i + 1).join(", ") }) : T.all_answered];
    if (marked.size) lines.push(fmt(T.marked, { list: [...marked].sort((a, b) => a - b).map((i) => i + 1).join(", ") }));
    $("confirm-text").textContent = lines.join(" ");
    $("confirm").showModal();
  }

  async function finish(automatic) {
    if (submitting) return;
    submitting = true;
    await flush();
    if (queue.length > 0 && !automatic) {
      submitting = false;
      fatal(T.submit_waiting);
      return;
    }
    for (let tries = 0; tries < 30; tries += 1) {
      try {
        const result = await api(root.dataset.submitUrl, {});
        if (sessionEnded(result)) {
          submitting = false;
          return;
        }
        if (result.ok || result.status === 409) {
          store.set("queue", []);
          const target = result.data && result.data.result_url;
          window.location.assign(target || window.location.href);
          return;
        }
      } catch (e) { /* offline: try again */ }
      await new Promise((r) => setTimeout(r, 2000));
    }
    submitting = false;
    fatal(T.error);
  }

  function speak() {
    const q = questions[current];
    if (!q || !("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    const text = [q.stem, ...q.options.map((o, i) => `${"ABCD"[i]}. ${o}`)].join(". ");
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = root.dataset.lang === "en" ? "en-US" : "id-ID";
    window.speechSynthesis.speak(utterance);
  }

  async function load() {
    let result;
    try {
      result = await api(root.dataset.paperUrl);
    } catch (e) {
      setTimeout(load, 2000);   // offline on arrival: keep trying
      fatal(fmt(T.offline, { n: queue.length }));
      return;
    }
    if (sessionEnded(result)) return;
    needLogin = false;
    if (result.data && result.data.csrf_token) csrf = result.data.csrf_token;
    if (!result.ok || !result.data) { fatal(T.error); return; }
    const data = result.data;
    if (data.result_url) { window.location.assign(data.result_url); return; }
    $("fatal").hidden = true;
    questions = data.questions;
    // Fetch every picture now, so a question still shows its picture if the network drops later.
    questions.forEach((q) => { if (q.media) { const img = new Image(); img.src = q.media; } });
    answers = {};
    Object.entries(data.answers).forEach(([p, c]) => { answers[Number(p)] = c; });
    seq = Math.max(seq, data.last_seq);
    store.set("seq", seq);
    queue = queue.filter((step) => step.seq > data.last_seq);   // the server has the rest
    queue.forEach((step) => { answers[step.position] = step.choice; });
    store.set("queue", queue);
    syncClock(data.remaining_s);
    itemLimit = data.item_time_limit_s;
    Object.entries(data.item_remaining_s || {}).forEach(([p, left]) => {
      itemDeadline[Number(p)] = performance.now() + left * 1000;
    });
    if (data.state === "paused") { closed = true; fatal(T.paused); }
    if (current >= questions.length) current = 0;
    openItem(current);
    render();
    tick();
    flush();
  }

  $("prev").addEventListener("click", () => go(current - 1));
  $("next").addEventListener("click", () => go(current + 1));
  $("mark").addEventListener("click", () => {
    if (marked.has(current)) marked.delete(current); else marked.add(current);
    store.set("marked", [...marked]);
    render();
  });
  if ("speechSynthesis" in window) {
    $("speak").hidden = false;
    $("speak").addEventListener("click", speak);
  }
  $("finish").addEventListener("click", confirmFinish);
  $("confirm-no").addEventListener("click", () => $("confirm").close());
  $("confirm-yes").addEventListener("click", () => { $("confirm").close(); finish(false); });
  window.addEventListener("online", () => { retryDelay = 1000; flush(); });
  // Back from logging in again in another tab: send what is waiting.
  window.addEventListener("focus", () => { if (needLogin) load(); else if (queue.length) flush(); });
  window.addEventListener("offline", showStatus);
  // proctor.js: the server paused the attempt for an identity re-check
  document.addEventListener("ujisim:paused", () => { closed = true; fatal(T.paused); });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("dialog") || questions.length === 0) return;
    if (event.key === "ArrowRight") go(current + 1);
    if (event.key === "ArrowLeft") go(current - 1);
  });
  setInterval(tick, 250);
  load();
})();
