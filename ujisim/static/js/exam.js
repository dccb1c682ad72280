// The official exam page. The server owns the clock, the paper and the grade; this file shows
// one question at a time, saves every answer at once (append-only steps with an increasing
// sequence number), keeps unsent answers in localStorage while offline and sends them on
// reconnect, and submits at the deadline. Requests go through common.js (loaded first), reading
// aloud through speech.js.
//
// The page fits the window: the stem, the picture and the options show without scrolling (the
// picture takes the height the text leaves, "fit"); a move to another question scrolls to the
// top and puts the focus on its heading. The options are a radio group: Tab reaches the chosen
// one (or the first), Up and Down move and choose, Space and Enter choose; anywhere on the page
// A-D choose and Left and Right go to the previous and next question (listed on the
// instructions page).
"use strict";
(() => {
  const { $, fmt, sleep, get, post, errorCode, errorMessage, sessionEnded } = window.ujisim;
  const root = $("exam");
  if (!root) return;
  const T = JSON.parse($("exam-text").textContent);
  let needLogin = false;       // the session ended: answers wait here until the next login
  const attemptId = root.dataset.attempt;
  const prefix = `ujisim:${attemptId}:`;
  const store = {
    key: (name) => prefix + name,
    get(name, fallback) {
      try { return JSON.parse(localStorage.getItem(this.key(name))) ?? fallback; } catch (e) { return fallback; }
    },
    set(name, value) {
      try { localStorage.setItem(this.key(name), JSON.stringify(value)); } catch (e) { /* storage full: still sent */ }
    },
  };
  // Several tabs (and devices) may show one attempt. Every answer gets a sequence number above
  // any this browser handed out ("seq" in localStorage, taken under a Web Lock shared by the
  // tabs) and above the server's last one; a number another device used anyway comes back
  // "stored: false" and is resent with a fresh one. Each tab keeps its unsent answers under
  // its own key (no tab overwrites another's); the queue of a closed tab is taken over by the
  // next one to load (a tab's lock is held while it is open).
  const locks = navigator.locks || null;
  const tabId = locks ? Math.random().toString(36).slice(2, 10) : "main";
  const queueName = `queue:${tabId}`;
  // This browser (all its tabs): within it the numbers order the clicks; the server orders
  // the clicks of different browsers by their time.
  const device = store.get("device", null) || Math.random().toString(36).slice(2, 12);
  store.set("device", device);
  const lockName = (name) => prefix + name;
  function withLock(name, fn) {
    return locks ? locks.request(lockName(name), fn) : Promise.resolve().then(fn);
  }
  const tabHeld = locks
    ? new Promise((granted) => { locks.request(lockName(`tab:${tabId}`), () => { granted(); return new Promise(() => {}); }); })
    : Promise.resolve();

  let questions = [];
  let answers = {};            // position -> choice index (as shown)
  let confirmed = {};          // position -> the choice the server holds (as far as we know)
  let marked = new Set(store.get("marked", []));
  let memQueue = [];           // this tab's unsent steps {id, position, choice, seq} (mirror)
  let seq = 0;                 // the highest number this tab has seen handed out
  let serverLast = 0;          // the highest number the server is known to hold
  let stepCounter = 0;
  let allocating = 0;          // answers clicked whose number is being taken
  let current = store.get("current", 0);
  let deadline = null;         // performance.now() value at which time runs out
  let closed = false;
  let paused = false;
  let pausedLeft = null;       // seconds left, frozen while paused
  let flushRun = null;         // the running flush (a promise), or null
  let flushWanted = false;
  let retryTimer = null;
  let retryDelay = 1000;
  let submitting = false;
  let itemLimit = null;        // AVIS mode: seconds per question, counted by the server
  let shown = -1;              // the position whose stem and options are on the page
  // the picture is never squeezed below this many pixels (then the text is what must give)
  const MEDIA_MIN_PX = 96;
  const LETTERS = "ABCD";
  const itemDeadline = {};     // position -> performance.now() value when its time runs out
  const movedOn = new Set();   // questions whose time ran out while shown (moved on once)

  function syncClock(remainingSeconds) {
    deadline = performance.now() + remainingSeconds * 1000;
  }

  function ownQueue() {
    const q = store.get(queueName, null);
    return Array.isArray(q) ? q : memQueue.slice();
  }

  function setOwnQueue(q) {
    memQueue = q.slice();
    store.set(queueName, memQueue);
  }

  function queueKeys() {
    const keys = [];
    try {
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key === `${prefix}queue` || (key && key.startsWith(`${prefix}queue:`))) keys.push(key);
      }
    } catch (e) { /* no storage: only this tab's memory */ }
    return keys;
  }

  function allQueued() {
    // every unsent step of this attempt in this browser (all tabs), oldest first
    const steps = [];
    queueKeys().forEach((key) => {
      try { (JSON.parse(localStorage.getItem(key)) || []).forEach((s) => steps.push(s)); } catch (e) { /* ignore */ }
    });
    if (!queueKeys().includes(store.key(queueName))) memQueue.forEach((s) => steps.push(s));
    return steps.sort((a, b) => a.seq - b.seq);
  }

  async function adoptOrphans() {
    // Queues of tabs that are gone (closed, crashed, or this page before a reload).
    await withLock("adopt", async () => {
      const live = locks ? new Set((await locks.query()).held.map((l) => l.name)) : new Set();
      const mine = ownQueue();
      const ids = new Set(mine.map((s) => s.id));
      queueKeys().forEach((key) => {
        if (key === store.key(queueName)) return;
        const owner = key.slice(`${prefix}queue:`.length);
        if (owner && live.has(lockName(`tab:${owner}`))) return;   // open: it sends its own
        if (owner && !locks) return;
        let steps = [];
        try { steps = JSON.parse(localStorage.getItem(key)) || []; } catch (e) { steps = []; }
        steps.forEach((s) => {
          const id = s.id || `${owner || "old"}.${s.seq}`;
          if (!ids.has(id)) { mine.push({ ...s, id }); ids.add(id); }
        });
        try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
      });
      setOwnQueue(mine);
    });
  }

  function allocate(position) {
    // Call under the "seq" lock: a number above every one this browser or the server used.
    const next = Math.max(Number(store.get("seq", 0)) || 0, seq, serverLast) + 1;
    seq = next;
    store.set("seq", next);
    store.set(`latest:${position}`, next);   // the newest click for this question in this browser
    return next;
  }

  function superseded(step) {
    // A later click on the same question in this browser (any tab) counts instead.
    return (Number(store.get(`latest:${step.position}`, 0)) || 0) > step.seq;
  }

  function removeStep(id) {
    setOwnQueue(ownQueue().filter((s) => s.id !== id));
  }

  function showStatus() {
    const waiting = ownQueue().length + allocating;
    $("save-status").textContent = waiting === 0 ? T.saved
      : navigator.onLine ? T.saving : fmt(T.offline, { n: waiting });
    $("save-status").classList.toggle("waiting", waiting > 0);
  }

  // The session has ended: say so; the answers wait on this device until the next login.
  function loggedOut(result) {
    if (!sessionEnded(result)) return false;
    needLogin = true;
    fatal(T.login_again);
    return true;
  }

  function fatal(message) {
    $("fatal").textContent = message;
    $("fatal").hidden = false;
  }

  function notice(message) {
    $("notice").textContent = message;
    $("notice").hidden = false;
  }

  function dropStep(step, message) {
    // The server refused this answer for good: say so, and show what it holds instead.
    removeStep(step.id);
    if (!superseded(step)) {
      if (confirmed[step.position] === undefined) delete answers[step.position];
      else answers[step.position] = confirmed[step.position];
    }
    notice(message);
    render();
  }

  function pause() {
    // Proctoring re-check: no saves, no countdown, no submit until the server resumes it.
    if (!paused) {
      pausedLeft = deadline === null ? null : Math.max(0, (deadline - performance.now()) / 1000);
    }
    paused = true;
    closed = true;
    fatal(T.paused);
  }

  function flush() {
    // One flush at a time per tab; a caller (submit) waits for the one in flight.
    flushWanted = true;
    if (!flushRun) {
      flushRun = (async () => {
        while (flushWanted && !closed) {
          flushWanted = false;
          await withLock("send", sendQueue);
        }
      })().finally(() => { flushRun = null; showStatus(); });
    }
    return flushRun;
  }

  async function sendQueue() {
    showStatus();
    while (!closed) {
      const step = ownQueue().sort((a, b) => a.seq - b.seq)[0];
      if (!step) return;
      let result;
      try {
        const body = { position: step.position, choice: step.choice, seq: step.seq, device };
        // how long ago it was clicked, by this browser's clock alone (its skew does not matter)
        if (step.at !== undefined) body.age_ms = Math.max(0, Date.now() - step.at);
        result = await post(root.dataset.answerUrl, body);
      } catch (networkError) {   // offline or timed out: the same number is sent again
        scheduleRetry();
        return;
      }
      // Keep every answer here; they are sent after the next login (see "focus").
      if (loggedOut(result)) return;
      const code = errorCode(result);
      if (result.ok && result.data) {
        retryDelay = 1000;
        syncClock(result.data.remaining_s);
        if (result.data.stored || result.data.repeat) {
          serverLast = Math.max(serverLast, step.seq);
          if (!superseded(step)) confirmed[step.position] = step.choice;
          removeStep(step.id);
        } else if (result.data.superseded) {
          // Another browser answered this question after this click: its answer stays.
          serverLast = Math.max(serverLast, Number(result.data.last_seq) || 0);
          confirmed[step.position] = result.data.held_choice;
          dropStep(step, fmt(T.elsewhere, { n: step.position + 1 }));
        } else {
          // Not stored: another tab or device used this number (or a newer one for this
          // question). Unless a later click here replaces it, send it again with a fresh number.
          serverLast = Math.max(serverLast, Number(result.data.last_seq) || 0);
          if (superseded(step)) { removeStep(step.id); continue; }
          if ((step.renumbered || 0) >= 20) { scheduleRetry(); return; }
          await withLock("seq", () => {
            const fresh = allocate(step.position);
            setOwnQueue(ownQueue().map((s) => (s.id === step.id ? { ...s, seq: fresh, renumbered: (s.renumbered || 0) + 1 } : s)));
          });
        }
      } else if (result.status === 409 && code === "paused") {
        pause();
        return;
      } else if (result.status === 409 && code === "item_time_up") {
        // AVIS mode: this question's time was up when the answer arrived; the rest goes on.
        dropStep(step, fmt(T.not_counted, { n: step.position + 1 }));
      } else if (result.status === 409 && (code === "time_up" || code === "attempt_closed")) {
        closed = true;
        fatal(code === "time_up" ? T.time_up : T.closed);
        finish(true);
        return;
      } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
        // refused as invalid: it will never be accepted
        dropStep(step, fmt(T.refused, { n: step.position + 1, reason: errorMessage(result, "") }));
      } else {
        scheduleRetry();
        return;
      }
      showStatus();
    }
  }

  function scheduleRetry() {
    showStatus();
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function answer(position, choice) {
    if (closed) return;
    answers[position] = choice;
    allocating += 1;
    render();
    showStatus();
    const id = `${tabId}.${Date.now().toString(36)}.${stepCounter += 1}`;
    const at = Date.now();   // when clicked: between browsers the later click counts
    withLock("seq", () => {
      const number = allocate(position);
      setOwnQueue([...ownQueue(), { id, position, choice, seq: number, at }]);
    }).finally(() => {
      allocating -= 1;
      flush();
    });
  }

  function renderGrid() {
    // Updated in place once built: a cell that has the focus keeps it.
    const grid = $("grid");
    if (grid.children.length !== questions.length) {
      grid.textContent = "";
      questions.forEach((q, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = String(i + 1);
        b.setAttribute("aria-label", fmt(T.goto, { n: i + 1 }));
        b.addEventListener("click", () => go(i));
        grid.appendChild(b);
      });
    }
    [...grid.children].forEach((b, i) => {
      b.className = "cell" + (answers[i] !== undefined && answers[i] !== null ? " answered" : "")
        + (marked.has(i) ? " marked" : "") + (i === current ? " current" : "")
        + (isClosed(i) ? " closed" : "");
      if (i === current) b.setAttribute("aria-current", "step"); else b.removeAttribute("aria-current");
    });
    const done = questions.filter((q, i) => answers[i] !== undefined && answers[i] !== null).length;
    $("answered").textContent = done;
    $("unanswered").textContent = questions.length - done;
  }

  // The stem, picture and options of the current question (only when it changes: an option
  // that has the focus keeps it while its answer is saved).
  function showQuestion(q) {
    shown = current;
    $("q-number").textContent = fmt(T.question, { n: current + 1, total: questions.length });
    $("q-stem").textContent = q.stem;
    $("q-stem").lang = q.lang || "";  // the exam's language, which may not be the page's
    const img = $("q-media");
    $("question").classList.toggle("has-media", Boolean(q.media));
    if (q.media) { img.src = q.media; img.hidden = false; } else { img.hidden = true; img.removeAttribute("src"); }
    const box = $("q-options");
    box.textContent = "";
    box.lang = q.lang || "";
    q.options.forEach((text, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "option";
      b.setAttribute("role", "radio");
      const letter = document.createElement("span");
      letter.className = "letter";
      letter.textContent = LETTERS[i];
      b.append(letter, document.createTextNode(text));
      b.addEventListener("click", () => choose(i));
      box.appendChild(b);
    });
    if (reader) reader.reset();
    fit();
  }

  function render() {
    const q = questions[current];
    if (!q) return;
    $("question").hidden = false;
    if (shown !== current) showQuestion(q);
    const chosen = answers[current];
    const tabStop = chosen !== undefined && chosen !== null ? chosen : 0;
    [...$("q-options").children].forEach((b, i) => {
      b.setAttribute("aria-checked", chosen === i ? "true" : "false");
      b.tabIndex = i === tabStop ? 0 : -1;   // Tab reaches the group once (its chosen option)
      b.disabled = isClosed(current);
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
      const result = await post(root.dataset.openUrl, { position });
      if (result.ok) itemDeadline[position] = performance.now() + result.data.item_remaining_s * 1000;
      else if (!loggedOut(result)) notice(errorMessage(result, T.refused_open));  // never silent
    } catch (e) { /* offline: the server opens it when the answer arrives */ }
  }

  function go(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    store.set("current", current);
    openItem(current);
    render();
    // the new question from its top, its heading read first
    window.scrollTo(0, 0);
    $("q-number").focus({ preventScroll: true });
  }

  // Choose option ``i`` of the current question; the focus goes with it.
  function choose(i) {
    const option = $("q-options").children[i];
    if (!option || option.disabled) return;
    answer(current, i);
    option.focus();
  }

  // The picture takes the height the stem and options leave in the window (measured from the
  // top of the page, where a move puts the candidate), never more than its own size.
  function fit() {
    const img = $("q-media");
    if (img.hidden || questions.length === 0) return;
    const bottom = Math.max(...[$("q-stem"), img, $("q-options")].map((el) => el.getBoundingClientRect().bottom));
    const room = img.getBoundingClientRect().height + window.innerHeight - 8 - (bottom + window.scrollY);
    $("question").style.setProperty("--media-max", `${Math.max(MEDIA_MIN_PX, Math.floor(room))}px`);
  }

  function tick() {
    if (deadline === null && pausedLeft === null) return;
    // While paused the clock stands still (the server gives the paused time back).
    const exact = paused && pausedLeft !== null ? pausedLeft : (deadline - performance.now()) / 1000;
    const left = Math.max(0, Math.round(exact));
    const m = Math.floor(left / 60), s = left % 60;
    $("timer").textContent = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
    $("timer").parentElement.classList.toggle("low", left <= 300);
    if (paused) return;
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
    if (paused) { fatal(T.paused); return; }
    submitting = true;
    await flush();   // waits for a save already in flight
    if (paused) { submitting = false; return; }
    if (ownQueue().length + allocating > 0 && !automatic) {
      submitting = false;
      fatal(navigator.onLine ? T.submit_retry : T.submit_waiting);
      return;
    }
    for (let tries = 0; tries < 30; tries += 1) {
      try {
        const result = await post(root.dataset.submitUrl);
        if (loggedOut(result)) {
          submitting = false;
          return;
        }
        if (result.ok && result.data && result.data.result_url) {
          setOwnQueue([]);   // graded: nothing unsent can count any more
          window.location.assign(result.data.result_url);
          return;
        }
        if (result.status === 409) {
          // Refused: keep every unsent answer. Paused: wait for the identity check; otherwise
          // reload, and the server shows the exam or its result.
          submitting = false;
          if (errorCode(result) === "paused") { pause(); return; }
          window.location.reload();
          return;
        }
      } catch (e) { /* offline: try again */ }
      await sleep(2000);
    }
    submitting = false;
    fatal(T.error);
  }

  // Read aloud (speech.js): the browser's voice for the exam's language, else the server's
  // recording of this question (by its position).
  const speech = window.ujisimSpeech;
  const reader = speech ? speech.reader($("speak"), () => {
    const q = questions[current];
    return q && { text: speech.spokenText(q.stem, q.options), lang: root.dataset.speechLang, audioUrl: q.speech };
  }, $("speak-note"), $("speak-audio")) : null;

  async function load() {
    let result;
    try {
      result = await get(root.dataset.paperUrl);
    } catch (e) {
      setTimeout(load, 2000);   // offline on arrival: keep trying
      fatal(fmt(T.offline, { n: allQueued().length }));
      return;
    }
    if (loggedOut(result)) return;
    needLogin = false;   // the paper carried the new session's CSRF token, which common.js keeps
    if (!result.ok || !result.data) { fatal(T.error); return; }
    const data = result.data;
    if (data.result_url) { window.location.assign(data.result_url); return; }
    await tabHeld;
    await adoptOrphans();
    $("fatal").hidden = true;
    questions = data.questions;
    // Fetch every picture now, so a question still shows its picture if the network drops later.
    questions.forEach((q) => { if (q.media) { const img = new Image(); img.src = q.media; } });
    confirmed = {};
    Object.entries(data.answers).forEach(([p, c]) => { confirmed[Number(p)] = c; });
    serverLast = Math.max(serverLast, data.last_seq);
    seq = Math.max(seq, Number(store.get("seq", 0)) || 0);
    // Unsent answers stay queued whatever the server's last number: one it already holds comes
    // back as a repeat, one whose number another device used is resent with a fresh number.
    showAnswers();
    syncClock(data.remaining_s);
    itemLimit = data.item_time_limit_s;
    Object.entries(data.item_remaining_s || {}).forEach(([p, left]) => {
      itemDeadline[Number(p)] = performance.now() + left * 1000;
    });
    if (data.state === "paused") {
      paused = true;
      closed = true;
      pausedLeft = data.remaining_s;
      fatal(T.paused);
    } else {
      paused = false;
      closed = false;
      pausedLeft = null;
    }
    if (current >= questions.length) current = 0;
    openItem(current);
    render();
    tick();
    flush();
  }

  function showAnswers() {
    // what the server holds, then every answer still waiting in this browser (all tabs)
    answers = { ...confirmed };
    allQueued().forEach((step) => { answers[step.position] = step.choice; });
  }

  $("prev").addEventListener("click", () => go(current - 1));
  $("next").addEventListener("click", () => go(current + 1));
  $("mark").addEventListener("click", () => {
    if (marked.has(current)) marked.delete(current); else marked.add(current);
    store.set("marked", [...marked]);
    render();
  });
  $("q-media").addEventListener("load", fit);
  window.addEventListener("resize", fit);
  // a warning shown or closed in the sticky head moves the question: fit it again
  if ("ResizeObserver" in window) new ResizeObserver(() => fit()).observe($("exam-head"));
  document.querySelectorAll(".alert-close").forEach((button) => {
    button.addEventListener("click", () => { button.parentElement.querySelector("p").hidden = true; });
  });
  // The options as a radio group: Up and Down (Home, End) move and choose.
  $("q-options").addEventListener("keydown", (event) => {
    const options = [...$("q-options").children];
    const at = options.indexOf(document.activeElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: options.length - 1 }[event.key];
    if (at < 0 || to === undefined) return;
    event.preventDefault();
    choose((to + options.length) % options.length);
  });
  $("finish").addEventListener("click", confirmFinish);
  $("confirm-no").addEventListener("click", () => $("confirm").close());
  $("confirm-yes").addEventListener("click", () => { $("confirm").close(); finish(false); });
  window.addEventListener("online", () => { retryDelay = 1000; flush(); });
  // Back from logging in again (or from the identity re-check) in another tab: reload the
  // state and send what is waiting.
  window.addEventListener("focus", () => {
    if (needLogin || paused) load(); else if (ownQueue().length) flush();
  });
  window.addEventListener("offline", showStatus);
  // Another tab of this attempt queued an answer: show it here too.
  window.addEventListener("storage", (event) => {
    if (!event.key || !event.key.startsWith(prefix) || questions.length === 0) return;
    if (!event.key.startsWith(`${prefix}queue`)) return;
    allQueued().forEach((step) => { answers[step.position] = step.choice; });
    render();
  });
  // proctor.js: the server paused the attempt for an identity re-check
  document.addEventListener("ujisim:paused", pause);
  // Shortcuts anywhere on the page but in a dialog or a field: A-D choose, Left and Right move.
  document.addEventListener("keydown", (event) => {
    if (questions.length === 0 || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest("dialog, input, select, textarea, audio, [contenteditable]")) return;
    const letter = event.key.length === 1 ? LETTERS.toLowerCase().indexOf(event.key.toLowerCase()) : -1;
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      go(current + (event.key === "ArrowRight" ? 1 : -1));
    } else if (letter >= 0 && letter < questions[current].options.length) {
      event.preventDefault();
      choose(letter);
    }
  });
  setInterval(tick, 250);
  load();
})();
