// The practice clip page (question_bank/clip_practice.py): start the clip (full screen where the
// browser allows it), record each click or space bar press as milliseconds of the clip's own
// time, send them with the viewing token when the clip ends, then show the scoring windows, the
// clicks, the score and the explanation, and replay the clip with the window on its timeline.
// The clip time is performance.now() from the first frame drawn; it cannot be paused or sought
// while watching (seeking is for the replay only).
"use strict";
(() => {
  const U = window.ujisim, $ = U.$;
  const data = JSON.parse($("clip-data").textContent);
  const T = data.t, pkg = data.clip, D = pkg.duration;
  const svg = $("clip-svg"), stage = $("clip-stage"), bar = $("clip-bar"), now = $("clip-now");
  const status = $("clip-status");
  const state = { mode: "idle", t0: null, clicks: [], result: null, player: null, shown: 0 };
  // for tests and the frame-rate bench: the clip time now (seconds) and the clicks so far
  window.ujisimClipPage = { time: () => clipTime(performance.now()), clicks: () => state.clicks.slice(),
    player: () => state.player, mode: () => state.mode };

  const clipTime = (ms) => (state.t0 === null ? 0 : (ms - state.t0) / 1000);

  function place(container, seconds, className) {
    const mark = document.createElement("span");
    mark.className = className;
    mark.style.left = `${(100 * seconds / D).toFixed(2)}%`;
    container.appendChild(mark);
    return mark;
  }

  function frame(ms) {
    if (state.mode !== "playing" && state.mode !== "replay") return;
    if (state.t0 === null) state.t0 = ms;
    const t = clipTime(ms);
    state.player.draw(t);
    now.style.width = `${Math.min(100, 100 * t / D).toFixed(2)}%`;
    if (state.mode === "replay") {
      $("clip-seek").value = String(Math.round(t * 10));
      state.marker.style.left = `${Math.min(100, 100 * t / D).toFixed(2)}%`;
    }
    if (t >= D) {
      finish();
      return;
    }
    requestAnimationFrame(frame);
  }

  function start() {
    $("clip-intro").hidden = true;
    stage.hidden = false;
    state.mode = "playing";
    state.player = new window.ujisimClip.Player(svg, pkg, "clip");
    state.player.draw(0);
    status.textContent = T.playing;
    if (stage.requestFullscreen) stage.requestFullscreen().catch(() => {});
    requestAnimationFrame(frame);
  }

  function click(event) {
    if (state.mode !== "playing" || state.t0 === null) return;
    if (event.type === "keydown") {
      if (event.key !== " " && event.key !== "Enter") return;
      event.preventDefault();
    }
    let ms = Math.round(performance.now() - state.t0);
    const last = state.clicks[state.clicks.length - 1];
    if (ms < 0 || ms > D * 1000) return;
    if (last !== undefined && ms <= last) ms = last + 1;   // two presses in one millisecond
    state.clicks.push(ms);
    place(bar, ms / 1000, "clip-flag");
    status.textContent = U.fmt(T.clicked, { n: state.clicks.length });
  }

  async function finish() {
    const replaying = state.mode === "replay";
    state.mode = replaying ? "replayed" : "sending";
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    if (!replaying) await send();
  }

  async function send() {
    status.textContent = T.scoring;
    $("clip-error").hidden = true;
    try {
      const answer = await U.post(data.resultUrl, { token: data.token, clicks: state.clicks });
      if (!answer.ok) {
        showError(U.errorMessage(answer, T.retry), !U.sessionEnded(answer) && answer.status >= 500);
        return;
      }
      state.result = answer.data;
      state.mode = "scored";
      showResult(answer.data);
    } catch (error) {
      showError(T.retry, true);
    }
  }

  function showError(message, retry) {
    const box = $("clip-error");
    box.textContent = message;
    box.hidden = false;
    if (retry) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "button secondary";
      again.textContent = T.resend;
      again.addEventListener("click", () => { again.remove(); send(); });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(again);
    }
  }

  function showResult(result) {
    stage.hidden = true;
    const section = $("clip-result");
    section.hidden = false;
    $("clip-score").textContent = U.fmt(T.score, { score: result.score, max: result.max });
    const pattern = $("clip-pattern");
    pattern.hidden = !result.pattern;
    pattern.textContent = result.message || "";
    const timeline = $("clip-timeline"), list = $("clip-windows");
    timeline.textContent = "";
    list.textContent = "";
    result.windows.forEach((w, i) => {
      const band = place(timeline, w.start, "clip-band");
      band.style.width = `${(100 * (w.end - w.start) / D).toFixed(2)}%`;
      for (let p = 0; p < 5; p += 1) band.appendChild(document.createElement("span"));
      const item = document.createElement("li");
      const where = w.click === null
        ? U.fmt(T.windowMissed, { start: w.start, end: w.end })
        : U.fmt(T.windowClick, { time: (w.click / 1000).toFixed(1), start: w.start, end: w.end });
      item.textContent = `${U.fmt(T.window, { n: i + 1, score: w.score })}: ${where}`;
      item.dataset.score = String(w.score);
      list.appendChild(item);
    });
    for (const ms of result.clicks) place(timeline, ms / 1000, "clip-flag");
    state.marker = place(timeline, 0, "clip-now");
    $("clip-explanation").textContent = result.explanation;
    $("clip-explanation").lang = result.lang;
    $("clip-legal").textContent = result.legal_basis;
    $("clip-score").focus();
  }

  function replay() {
    stage.hidden = false;
    $("clip-seek-label").hidden = false;
    status.textContent = T.replaying;
    bar.querySelectorAll(".clip-flag").forEach((f) => f.remove());
    state.result.windows.forEach((w) => {
      const band = place(bar, w.start, "clip-band");
      band.style.width = `${(100 * (w.end - w.start) / D).toFixed(2)}%`;
      for (let p = 0; p < 5; p += 1) band.appendChild(document.createElement("span"));
    });
    for (const ms of state.result.clicks) place(bar, ms / 1000, "clip-flag");
    state.mode = "replay";
    state.t0 = null;
    requestAnimationFrame(frame);
  }

  function seek() {
    const t = Number($("clip-seek").value) / 10;
    state.t0 = performance.now() - t * 1000;
    if (state.mode !== "replay") {
      state.mode = "replay";
      requestAnimationFrame(frame);
    }
  }

  $("clip-start").addEventListener("click", start);
  svg.addEventListener("pointerdown", (event) => { if (event.button === 0) click(event); });
  document.addEventListener("keydown", click);
  $("clip-replay").addEventListener("click", replay);
  $("clip-seek").addEventListener("input", seek);
})();
