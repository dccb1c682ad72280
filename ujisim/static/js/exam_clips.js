// The exam's clip part (templates/exam/clips.html, exam/clips.py): the hazard-perception clips
// before the questions. For each clip: ask the server to start it (it notes the time and sends
// the clip without its windows), play it full screen with no pause or seeking, record each
// click or space bar press as milliseconds of the clip's own clock, and when it ends keep the
// clicks on this device until the server has them (a lost connection or a reload loses none).
// A clip started again before its clicks arrived restarts once, then scores 0 (the server
// decides; the page says so before the candidate starts it again).
"use strict";
(() => {
  const U = window.ujisim, $ = U.$;
  const root = $("exam");
  const T = JSON.parse($("clips-text").textContent);
  const pendingKey = `ujisim:clips:${root.dataset.attempt}:pending`;
  const state = { part: null, number: null, player: null, t0: null, clicks: [], playing: false,
    deadline: null };
  // for tests: the clip time now (seconds), the clicks so far, the clip playing
  window.ujisimExamClips = { time: () => (state.t0 === null ? 0 : (performance.now() - state.t0) / 1000),
    clicks: () => state.clicks.slice(), number: () => state.number, playing: () => state.playing };

  const fatal = (message) => { $("fatal").textContent = message; $("fatal").hidden = false; };

  function refusal(result) {
    if (U.sessionEnded(result)) return T.login_again;
    if (U.errorCode(result) === "paused") return T.paused;
    return U.errorMessage(result, T.error);
  }

  // --- the clock: the server's deadline, counted down on this device
  function setClock(data) {
    state.deadline = performance.now() + 1000 * data.remaining_s;
  }
  setInterval(() => {
    if (state.deadline === null) return;
    const left = Math.max(0, Math.round((state.deadline - performance.now()) / 1000));
    $("timer").textContent = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
  }, 500);

  // --- clicks kept on this device until the server has them
  const readPending = () => { try { return JSON.parse(localStorage.getItem(pendingKey)); } catch (e) { return null; } };
  const writePending = (value) => {
    try { if (value) localStorage.setItem(pendingKey, JSON.stringify(value)); else localStorage.removeItem(pendingKey); }
    catch (e) { /* private mode: the clicks go straight to the server */ }
  };

  async function flushPending(pending) {
    for (;;) {
      let result;
      try {
        result = await U.post(root.dataset.clicksUrl, pending);
      } catch (error) {   // no connection: wait for it, then send again
        $("save-status").textContent = U.fmt(T.offline, { n: pending.number + 1 });
        await new Promise((resume) => { window.addEventListener("online", resume, { once: true }); setTimeout(resume, 5000); });
        continue;
      }
      if (result.ok || U.errorCode(result) === "clip_done") {
        writePending(null);
        $("save-status").textContent = T.saved;
        return true;
      }
      if (U.errorCode(result) === "paused" || U.sessionEnded(result)) {
        fatal(refusal(result));   // kept on this device: sent after the check or the login
        return false;
      }
      writePending(null);   // refused for good (the server said why)
      fatal(refusal(result));
      return false;
    }
  }

  async function load() {
    const pending = readPending();
    if (pending && !(await flushPending(pending))) return;
    let result;
    try {
      result = await U.get(root.dataset.partUrl);
    } catch (error) {
      fatal(T.error);
      return;
    }
    if (!result.ok) { fatal(refusal(result)); return; }
    state.part = result.data;
    setClock(result.data);
    show();
  }

  function show() {
    const part = state.part;
    if (part.state !== "started") {
      if (part.result_url) { window.location.assign(part.result_url); return; }
      fatal(part.state === "paused" ? T.paused : T.closed);
      return;
    }
    $("clip-stage").hidden = true;
    if (part.next === null) {
      $("clip-intro").hidden = true;
      $("clip-done").hidden = false;
      $("clip-done-title").focus();
      return;
    }
    const n = part.next, clip = part.clips[n];
    state.number = n;
    $("clip-intro").hidden = false;
    $("clip-count").textContent = U.fmt(T.count, { n: n + 1, total: part.total });
    const button = $("clip-start");
    button.textContent = U.fmt(T.start, { n: n + 1, total: part.total });
    button.disabled = false;
    const notice = $("clip-restart");
    notice.hidden = !clip.started;
    notice.textContent = clip.started ? U.fmt(T.restarted, { n: n + 1 }) : "";
  }

  async function start() {
    const button = $("clip-start");
    button.disabled = true;
    const page = document.documentElement;
    if (page.requestFullscreen && !document.fullscreenElement) page.requestFullscreen().catch(() => {});
    // this press's id: a retry after a lost answer is the same start, not a restart
    state.startKey = state.startKey || Array.from(crypto.getRandomValues(new Uint8Array(12)),
      (b) => b.toString(16).padStart(2, "0")).join("");
    let result;
    try {
      result = await U.post(root.dataset.startUrl, { number: state.number, key: state.startKey });
    } catch (error) {   // no answer: pressing Start again resends the same start
      fatal(T.start_offline);
      button.disabled = false;
      return;
    }
    state.startKey = null;
    $("fatal").hidden = true;
    if (!result.ok) { fatal(refusal(result)); return; }
    const data = result.data;
    setClock(data);
    if (data.zeroed) {   // the server scored it 0: say so above the next clip
      await load();
      $("clip-restart").hidden = false;
      $("clip-restart").textContent = U.fmt(T.zeroed, { n: data.number + 1 });
      return;
    }
    $("clip-intro").hidden = true;
    $("clip-stage").hidden = false;
    $("clip-status").textContent = T.playing;
    state.player = new window.ujisimClip.Player($("clip-svg"), data.clip, `clip${data.number}`);
    state.player.draw(0);
    state.clicks = [];
    state.t0 = null;
    state.playing = true;
    requestAnimationFrame(frame);
  }

  function frame(now) {
    if (!state.playing) return;
    if (state.t0 === null) state.t0 = now;
    const t = (now - state.t0) / 1000, duration = state.player.clip.duration;
    state.player.draw(t);
    $("clip-now").style.width = `${Math.min(100, 100 * t / duration).toFixed(2)}%`;
    if (t >= duration) { finish(); return; }
    requestAnimationFrame(frame);
  }

  function click(event) {
    if (!state.playing || state.t0 === null) return;
    if (event.type === "keydown") {
      if (event.key !== " " && event.key !== "Enter") return;
      event.preventDefault();
    }
    let ms = Math.round(performance.now() - state.t0);
    const last = state.clicks[state.clicks.length - 1];
    if (ms < 0 || ms > state.player.clip.duration * 1000) return;
    if (last !== undefined && ms <= last) ms = last + 1;
    state.clicks.push(ms);
    $("clip-status").textContent = U.fmt(T.clicked, { n: state.clicks.length });
  }

  async function finish() {
    state.playing = false;
    const pending = { number: state.number, clicks: state.clicks.slice() };
    writePending(pending);
    $("save-status").textContent = T.saving;
    if (await flushPending(pending)) await load();
  }

  $("clip-start").addEventListener("click", start);
  $("clip-svg").addEventListener("pointerdown", (event) => { if (event.button === 0) click(event); });
  document.addEventListener("keydown", click);
  load();
})();
