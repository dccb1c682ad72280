// The clip on its timeline for examiners (the authoring preview and the clip editor,
// question_bank/clip_review.py): play and pause, seek anywhere (the range, or a click on the
// timeline), the scoring windows drawn on the timeline as bands of five parts (5 points down to
// 1, as clip_scoring.window_score cuts them), the time now and the time under the pointer, and
// buttons that go to a window's start or end. An author sets a window by watching: scrub to where
// the hazard can first be seen developing, read the time, type it into the clip's YAML.
// The clip's own player (clip_player.js) draws each frame; the page's JSON is #clip-preview-data.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("clip-preview-data").textContent);
  const T = data.t, D = data.clip.duration, PARTS = 5;
  const seek = $("clip-seek"), timeline = $("clip-timeline"), play = $("clip-play");
  const player = new window.ujisimClip.Player($("clip-svg"), data.clip, "preview");
  const state = { t: 0, playing: false, t0: null };
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
  // seconds with one decimal and a point, as the clip's YAML writes them
  const sec = (t) => (Math.round(t * 10) / 10).toFixed(1);
  const percent = (t) => `${(100 * Math.min(Math.max(t, 0), D) / D).toFixed(3)}%`;
  // for tests: the time shown and whether it plays
  window.ujisimClipPreview = { time: () => state.t, playing: () => state.playing };

  // The points a click at t would score: [window number, part, points], or null outside them.
  function scoring(t) {
    const ms = Math.round(t * 1000);
    for (let i = 0; i < data.windows.length; i += 1) {
      const start = Math.round(data.windows[i].start * 1000), end = Math.round(data.windows[i].end * 1000);
      if (ms >= start && ms <= end) {
        const part = Math.min(Math.floor((ms - start) / ((end - start) / PARTS)), PARTS - 1);
        return [i + 1, part + 1, PARTS - part];
      }
    }
    return null;
  }

  function show(t) {
    state.t = Math.min(Math.max(t, 0), D);
    player.draw(state.t);
    seek.value = String(Math.round(state.t * 10));
    $("clip-marker").style.left = percent(state.t);
    $("clip-time").textContent = fmt(T.time, { t: sec(state.t) });
    const inside = scoring(state.t);
    $("clip-where").textContent = inside
      ? fmt(T.inside, { n: inside[0], part: inside[1], points: inside[2] })
      : T.outside;
  }

  function frame(ms) {
    if (!state.playing) return;
    if (state.t0 === null) state.t0 = ms - state.t * 1000;
    const t = (ms - state.t0) / 1000;
    show(t);
    if (t >= D) {
      pause();
      return;
    }
    requestAnimationFrame(frame);
  }

  function start() {
    if (state.t >= D) state.t = 0;
    state.playing = true;
    state.t0 = null;
    play.textContent = T.pause;
    play.setAttribute("aria-pressed", "true");
    requestAnimationFrame(frame);
  }

  function pause() {
    state.playing = false;
    play.textContent = T.play;
    play.setAttribute("aria-pressed", "false");
  }

  function jump(t) {
    show(t);
    state.t0 = null;  // a playing clip goes on from here
  }

  const pointerTime = (event) => {
    const box = timeline.getBoundingClientRect();
    return Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1) * D;
  };

  data.windows.forEach((w, i) => {
    const band = document.createElement("span");
    band.className = "clip-band";
    band.dataset.window = String(i + 1);
    band.style.left = percent(w.start);
    band.style.width = `${(100 * (w.end - w.start) / D).toFixed(3)}%`;
    for (let p = 0; p < PARTS; p += 1) band.appendChild(document.createElement("span"));
    timeline.appendChild(band);
  });
  const marker = document.createElement("span");
  marker.className = "clip-now";
  marker.id = "clip-marker";
  timeline.appendChild(marker);

  play.addEventListener("click", () => (state.playing ? pause() : start()));
  seek.addEventListener("input", () => jump(Number(seek.value) / 10));
  timeline.addEventListener("pointermove", (event) => {
    $("clip-pointer").textContent = fmt(T.pointer, { t: sec(pointerTime(event)) });
  });
  timeline.addEventListener("pointerleave", () => { $("clip-pointer").textContent = ""; });
  timeline.addEventListener("click", (event) => jump(pointerTime(event)));
  document.querySelectorAll("[data-seek]").forEach((button) => {
    button.addEventListener("click", () => {
      pause();
      jump(Number(button.dataset.seek));
    });
  });
  show(0);
})();
