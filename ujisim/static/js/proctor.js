// Webcam proctoring in the browser. The browser decides nothing: it shows the camera, sends JPEG
// frames and browser events, and shows what the server answers.
// - check page (#proctor-check): choose a camera, live preview with specific diagnostics, then the
//   identity check (a burst of frames while the candidate does the server's actions on its schedule);
//   the tries counter follows the server's count; when no try is left the page says who takes over
//   and what happens next, the camera off and Start disabled with its reason (#start-reason);
// - exam page (#proctor): a snapshot every N seconds and on each suspicious browser event; warns,
//   and shows the re-check when the server pauses the attempt.
// Every wait shows its seconds; every request has a timeout (common.js, loaded first); every
// refusal (4xx) is shown in the server's words, never dropped. When the
// session has ended (401, or a CSRF refusal: the token lives in the session) the page says so and
// links to the login, which brings the candidate back here.
"use strict";
(() => {
  const { REQUEST_TIMEOUT_S, $, fmt, sleep, get, post, errorCode, errorMessage, sessionEnded } = window.ujisim;
  const textNode = $("proctor-text");
  if (!textNode) return;
  const T = JSON.parse(textNode.textContent);
  const CAMERA_TIMEOUT_S = 15;
  const CAMERA_SLOW_S = 5;
  // how long a capture of the identity check waits for a frame the camera had not shown yet
  // (the server allows the last frame 800 ms past the challenge)
  const FRESH_FRAME_WAIT_MS = 200;
  const DEVICE_KEY = "ujisim:proctor:camera";

  // Show the login notice; its link comes back to this page (path and query) after the login.
  function showLogin(root) {
    const notice = $("proctor-login");
    if (!notice) return;
    const back = window.location.pathname + window.location.search;
    $("proctor-login-link").href = `${root.dataset.loginUrl}?next=${encodeURIComponent(back)}`;
    notice.hidden = false;
  }

  // A camera: start (with a timeout and a specific reason on failure), capture JPEG frames.
  function cameraError(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "denied";
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "no_camera";
    if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") return "busy";
    if (name === "TimeoutError") return "timeout";
    return "camera_error";
  }

  async function openCamera(video, deviceId, onWaiting) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      const error = new Error("unsupported");
      error.name = "Unsupported";
      throw error;
    }
    const constraints = {
      audio: false,
      video: deviceId ? { deviceId: { exact: deviceId } } : { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
    };
    const started = performance.now();
    const ticker = setInterval(() => onWaiting(Math.round((performance.now() - started) / 1000)), 1000);
    try {
      const stream = await Promise.race([
        navigator.mediaDevices.getUserMedia(constraints),
        new Promise((_, reject) => setTimeout(() => {
          const error = new Error("timeout");
          error.name = "TimeoutError";
          reject(error);
        }, CAMERA_TIMEOUT_S * 1000)),
      ]);
      video.srcObject = stream;
      await video.play().catch(() => {});
      if (!video.videoWidth) await new Promise((resolve) => video.addEventListener("loadeddata", resolve, { once: true }));
      return stream;
    } finally {
      clearInterval(ticker);
    }
  }

  function stopStream(stream) {
    if (stream) stream.getTracks().forEach((t) => t.stop());
  }

  function capture(video, maxWidth = 640, quality = 0.85) {
    const scale = Math.min(1, maxWidth / (video.videoWidth || maxWidth));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round((video.videoWidth || 640) * scale);
    canvas.height = Math.round((video.videoHeight || 480) * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  }

  // Resolves when the video shows a new frame (requestVideoFrameCallback, where the browser
  // has it), at most ``waitMs`` later: a loaded phone can hand one picture to two captures,
  // which the server refuses as a copy (duplicate_frames).
  function nextVideoFrame(video, waitMs) {
    if (typeof video.requestVideoFrameCallback !== "function") return Promise.resolve();
    return new Promise((resolve) => {
      const handle = video.requestVideoFrameCallback(() => { clearTimeout(timer); resolve(); });
      const timer = setTimeout(() => { video.cancelVideoFrameCallback(handle); resolve(); }, waitMs);
    });
  }

  // ---------------------------------------------------------------- check page
  function checkPage(root) {
    const video = $("preview");
    const select = $("camera-select");
    const maxTries = Number(root.dataset.maxTries) || 3;
    let stream = null;
    let qualityTimer = null;
    let checking = false;   // the identity check is running
    let inFlight = false;
    let ended = false;      // the session has ended: nothing more is sent
    let final = false;      // no more tries (an examiner or officer takes over): nothing more is sent
    const uploadTimeoutS = Number(root.dataset.uploadTimeout) || 60;

    function problem(code, values) {
      $("camera-problem").textContent = fmt(T[code] || T.camera_error, values || {});
      $("camera-problem").hidden = false;
    }

    function clearProblem() { $("camera-problem").hidden = true; }

    // Start is enabled only when the picture is good; disabled, it says why next to it.
    function canStart(on, reason) {
      $("identity-start").disabled = !on;
      $("start-reason").textContent = on ? "" : (T[reason] || reason || "");
      $("start-reason").hidden = on || !$("start-reason").textContent;
    }

    // The tries left in this round, as the server counts them.
    function showTries(left) {
      if (typeof left !== "number") return;
      $("tries-left").dataset.left = String(left);
      $("tries-left").textContent = fmt(T.tries, { n: left, m: maxTries });
    }

    // No try is left: say what happens next, with Start disabled and why; nothing more is sent.
    // ``message``: the server's own words when it refused a try (a 409 "escalated").
    function finalState(message, navigate = true) {
      final = true;
      checking = false;
      clearTimeout(qualityTimer);
      stopStream(stream);
      stream = null;
      video.srcObject = null;
      $("camera-status").textContent = "";
      clearProblem();
      $("camera-retry").hidden = true;
      $("identity-retry").hidden = true;
      $("prompt").textContent = "";
      root.querySelector(".preview-wrap").hidden = true;
      select.disabled = true;
      canStart(false, "start_final");
      showTries(0);
      $("final-message").textContent = message || "";
      $("final-message").hidden = !message;
      $("identity-final").hidden = false;
      if (!navigate) return;
      $("identity-final").focus();
      if (root.dataset.finalUrl) window.location.assign(root.dataset.finalUrl);
    }

    // The attempt needs no check any more (it began or ended in another window): the server's
    // message and the way on.
    function notNeeded(message) {
      final = true;
      checking = false;
      clearTimeout(qualityTimer);
      stopStream(stream);
      stream = null;
      $("camera-status").textContent = "";
      clearProblem();
      $("camera-retry").hidden = true;
      $("identity-retry").hidden = true;
      $("identity-step").hidden = false;
      $("identity-status").textContent = message;
      $("identity-continue").hidden = false;
      canStart(false, message);
    }

    async function listCameras() {
      try {
        const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
        const current = stream && stream.getVideoTracks()[0] && stream.getVideoTracks()[0].getSettings().deviceId;
        select.textContent = "";
        devices.forEach((d, i) => {
          const option = document.createElement("option");
          option.value = d.deviceId;
          option.textContent = d.label || `Camera ${i + 1}`;
          if (d.deviceId === current) option.selected = true;
          select.appendChild(option);
        });
        select.disabled = devices.length < 2;
      } catch (e) { /* the default camera is used */ }
    }

    async function start(deviceId) {
      if (final) return;
      stopStream(stream);
      stream = null;
      clearTimeout(qualityTimer);
      clearProblem();
      $("camera-retry").hidden = true;
      canStart(false, "start_wait");
      $("camera-status").textContent = fmt(T.camera_starting, { s: 0 });
      try {
        stream = await openCamera(video, deviceId, (s) => {
          if (s >= CAMERA_SLOW_S) {
            $("camera-status").textContent = fmt(T.camera_slow, { s });
            $("camera-retry").hidden = false;
          } else {
            $("camera-status").textContent = fmt(T.camera_starting, { s });
          }
        });
      } catch (error) {
        const code = error.name === "Unsupported" ? "unsupported" : cameraError(error);
        $("camera-status").textContent = "";
        problem(code, { s: CAMERA_TIMEOUT_S });
        $("camera-retry").hidden = false;
        return;
      }
      if (final) { stopStream(stream); stream = null; return; }
      const track = stream.getVideoTracks()[0];
      if (track) {
        try { sessionStorage.setItem(DEVICE_KEY, track.getSettings().deviceId || ""); } catch (e) { /* private mode */ }
        track.addEventListener("ended", () => {
          if (checking || final) return;
          problem("camera_ended");
          $("camera-retry").hidden = false;
          canStart(false, "start_wait");
        });
      }
      await listCameras();
      qualityLoop();
    }

    // The session has ended: stop sending, say so, link to the login.
    function loginNeeded() {
      ended = true;
      checking = false;
      clearTimeout(qualityTimer);
      stopStream(stream);
      stream = null;
      $("camera-status").textContent = "";
      $("identity-status").textContent = "";
      $("prompt").textContent = "";
      clearProblem();
      $("camera-retry").hidden = true;
      $("identity-retry").hidden = true;
      canStart(false, "start_login");
      showLogin(root);
    }

    async function qualityLoop() {
      if (checking || ended || final || !stream) return;
      if (!inFlight) {
        inFlight = true;
        const started = performance.now();
        const waiting = setInterval(() => {
          $("camera-status").textContent = fmt(T.server_wait, { s: Math.round((performance.now() - started) / 1000) });
        }, 1000);
        try {
          const form = new FormData();
          form.append("frame", await capture(video), "frame.jpg");
          const result = await post(root.dataset.cameraUrl, form);
          clearInterval(waiting);
          // the identity check began (or the tries ran out) while this frame was on its way:
          // its answer is about a picture that no longer matters
          if (checking || final) return;
          if (sessionEnded(result)) { loginNeeded(); return; }
          if (result.ok && result.data) {
            const code = result.data.problem;
            if (code === "ok") {
              clearProblem();
              $("camera-status").textContent = T.ready;
              canStart(true);
            } else {
              $("camera-status").textContent = "";
              problem(code);
              canStart(false, "start_wait");
            }
          } else {
            // refused (no consent any more, too many frames, ...): the server's words
            $("camera-status").textContent = "";
            problem("error");
            $("camera-problem").textContent = errorMessage(result, T.error);
            $("camera-retry").hidden = false;
            canStart(false, "start_wait");
          }
        } catch (e) {
          if (checking || final) return;
          $("camera-status").textContent = T.offline;   // also a timeout: the loop tries again
        } finally {
          clearInterval(waiting);
          inFlight = false;
        }
      }
      qualityTimer = setTimeout(qualityLoop, 2000);
    }

    async function identity() {
      if (final || ended) return;
      checking = true;
      clearTimeout(qualityTimer);
      canStart(false, "start_running");
      $("camera-status").textContent = "";
      $("identity-retry").hidden = true;
      $("identity-step").hidden = false;
      $("identity-status").textContent = "";
      delete $("identity-status").dataset.decision;
      const progress = $("identity-progress");
      progress.value = 0;
      let issued;
      try {
        issued = await waiting(() => post(root.dataset.checksUrl, {}), T.server_wait);
      } catch (e) {
        return identityFailed(e.name === "TimeoutError" ? fmt(T.server_timeout, { s: REQUEST_TIMEOUT_S }) : T.offline);
      }
      if (sessionEnded(issued)) return loginNeeded();
      if (!issued.ok) {
        const code = errorCode(issued);
        if (code === "escalated") { $("identity-status").textContent = ""; return finalState(errorMessage(issued, "")); }
        if (code === "passed") { window.location.assign($("identity-continue").href); return; }
        if (code === "not_needed") return notNeeded(errorMessage(issued, T.error));
        return identityFailed(errorMessage(issued, T.error));
      }
      $("identity-status").textContent = "";
      const shots = [];
      const times = [];
      await followChallenge(issued.data, shots, times, progress);
      const framesUrl = issued.data.frames_url;
      const form = new FormData();
      shots.forEach((blob, i) => form.append("frames", blob, `f${i}.jpg`));
      form.append("times", times.join(","));
      form.append("nonce", issued.data.nonce);
      let result;
      try {
        result = await waiting(() => post(framesUrl, form, uploadTimeoutS), T.uploading, (s) => {
          progress.value = Math.min(99, 60 + s * 3);
        });
      } catch (e) {
        // the challenge stays open on the server for a while: Try again asks for it again
        return identityFailed(e.name === "TimeoutError" ? fmt(T.server_timeout, { s: uploadTimeoutS }) : T.offline);
      }
      if (sessionEnded(result)) return loginNeeded();
      progress.value = 100;
      if (!result.ok || !result.data) return identityFailed(errorMessage(result, T.error));
      const data = result.data;
      showTries(data.tries_left);
      if (data.decision === "passed") {
        $("identity-status").textContent = T.passed;
        $("identity-status").dataset.decision = "passed";
        stopStream(stream);
        $("identity-continue").href = data.next_url;
        $("identity-continue").hidden = false;
        window.location.assign(data.next_url);
        return;
      }
      $("identity-status").dataset.decision = "failed";
      $("identity-status").dataset.reason = data.reason;
      // the server may send its own advice for the reason (the renewal check does)
      const why = data.advice || T[`reason_${data.reason}`] || data.reason;
      if (data.identity === "escalated") {
        $("identity-status").textContent = fmt(T.last_failed, { reason: why });
        return finalState("");
      }
      identityFailed(fmt(T.failed, { reason: why, left: data.tries_left }));
    }

    // The server's challenge: look at the camera, then each action in its window with a look in
    // between. Each prompt shows on time (its own timer); a frame is taken every interval_ms
    // with its time since the first prompt, which the server checks against the schedule.
    async function followChallenge(challenge, shots, times, progress) {
      const { actions, looks, action_ms: actionMs, interval_ms: intervalMs } = challenge;
      const steps = [["look", looks[0]]];
      actions.forEach((action, i) => steps.push([action, actionMs], ["look", looks[i + 1]]));
      const total = steps.reduce((sum, [, ms]) => sum + ms, 0);
      const prompt = $("prompt");
      const timers = [];
      let start = 0;
      steps.forEach(([what, ms]) => {
        const number = actions.indexOf(what) + 1;
        timers.push(setTimeout(() => {
          prompt.dataset.action = what;
          prompt.textContent = what === "look" ? T.look : `${fmt(T.step_of, { n: number, m: actions.length })}: ${T[what]}`;
        }, start));
        start += ms;
      });
      const started = performance.now();
      try {
        for (let at = 0; at <= total; at = performance.now() - started) {
          await nextVideoFrame(video, FRESH_FRAME_WAIT_MS);
          const taken = performance.now() - started;
          shots.push(await capture(video, 640, 0.8));
          times.push(Math.round(taken));
          progress.value = Math.round((Math.min(taken, total) / total) * 60);
          // the next frame one interval after this one was taken (never sooner)
          await sleep(Math.max(0, taken + intervalMs - (performance.now() - started)));
        }
      } finally {
        timers.forEach(clearTimeout);
        prompt.textContent = "";
        prompt.dataset.action = "";
      }
    }

    // ``call()`` with its seconds counted in #identity-status (``text`` has {s}) until it settles
    async function waiting(call, text, onTick) {
      const status = $("identity-status");
      const started = performance.now();
      status.textContent = fmt(text, { s: 0 });
      const ticker = setInterval(() => {
        const s = Math.round((performance.now() - started) / 1000);
        status.textContent = fmt(text, { s });
        if (onTick) onTick(s);
      }, 500);
      try {
        return await call();
      } finally {
        clearInterval(ticker);
      }
    }

    // A try did not succeed (or could not be made): why, Try again, and the preview goes on
    // (Start comes back once the picture is good again).
    function identityFailed(message) {
      checking = false;
      if (ended || final) return;
      $("identity-status").textContent = message;
      $("identity-retry").hidden = false;
      canStart(false, "start_wait");
      qualityLoop();
    }

    select.addEventListener("change", () => start(select.value));
    $("camera-retry").addEventListener("click", () => start(select.value || undefined));
    $("identity-start").addEventListener("click", identity);
    $("identity-retry").addEventListener("click", identity);
    showTries(Number($("tries-left").dataset.left));
    // the page was made after the tries ran out: it says so, and no camera is started
    if (root.dataset.final) { finalState("", false); return; }
    let saved = null;
    try { saved = sessionStorage.getItem(DEVICE_KEY); } catch (e) { saved = null; }
    start(saved || undefined).catch(() => start(undefined));
  }

  // ---------------------------------------------------------------- exam page
  function examPage(root) {
    const video = $("proctor-video");
    const interval = Math.max(2, Number(root.dataset.interval) || 20) * 1000;
    const reloadKey = `ujisim:proctor:${root.dataset.attempt}:loaded`;
    let stream = null;
    let lastWarned = null;
    let paused = root.dataset.state === "paused";
    let lastEventShot = 0;
    let wasFullscreen = false;
    let ended = false;

    function showStatus(data) {
      if (!data) return;
      if (data.state === "paused") pause();
      else if (data.state !== "started") stopStream(stream);
      if (data.warned_at && data.warned_at !== lastWarned && data.warning) {
        lastWarned = data.warned_at;
        const message = T[`warn_${data.warning}`];
        if (message) { $("proctor-warning").textContent = message; $("proctor-warning").hidden = false; }
      }
    }

    // A refusal (the exam ended in another window, the consent was withdrawn, too many
    // requests) is shown in the server's words, never dropped.
    function refused(result) {
      if (result.status < 400 || result.status >= 500) return;
      $("proctor-warning").textContent = errorMessage(result, T.refused);
      $("proctor-warning").hidden = false;
    }

    function pause() {
      if (!paused) document.dispatchEvent(new CustomEvent("ujisim:paused"));
      paused = true;
      $("proctor-paused").hidden = false;
    }

    // The session has ended: snapshots stop until the candidate logs in again (exam.js keeps the
    // answers); the notice links to the login and back.
    function loginNeeded() {
      ended = true;
      $("proctor-status").textContent = "";
      showLogin(root);
    }

    async function snapshot(trigger) {
      if (!stream || paused || ended || !video.videoWidth) return;
      try {
        const form = new FormData();
        form.append("frame", await capture(video, 640, 0.8), "snapshot.jpg");
        form.append("trigger", trigger);
        form.append("client_at", new Date().toISOString());
        const result = await post(root.dataset.snapshotUrl, form);
        if (sessionEnded(result)) loginNeeded();
        else if (result.ok) { $("proctor-status").textContent = T.camera_on; showStatus(result.data); }
        else refused(result);
      } catch (e) {
        $("proctor-status").textContent = T.offline;
      }
    }

    async function report(type) {
      if (ended) return;
      try {
        const result = await post(root.dataset.eventUrl, { type, client_at: new Date().toISOString() });
        if (sessionEnded(result)) loginNeeded();
        else if (result.ok) showStatus(result.data);
        else refused(result);
      } catch (e) { /* offline: the snapshot interval goes on */ }
      const now = performance.now();
      if (type !== "camera_ended" && type !== "reload" && now - lastEventShot > 3000) {
        lastEventShot = now;
        snapshot(type);
      }
    }

    async function start() {
      $("proctor-camera-retry").hidden = true;
      $("proctor-status").textContent = fmt(T.camera_starting, { s: 0 });
      const progress = (s) => { $("proctor-status").textContent = fmt(T.camera_starting, { s }); };
      let saved = null;
      try { saved = sessionStorage.getItem(DEVICE_KEY); } catch (e) { saved = null; }
      try {
        stream = await openCamera(video, saved || undefined, progress);
      } catch (error) {
        try {
          stream = saved ? await openCamera(video, undefined, progress) : null;
        } catch (e) { stream = null; }
        if (!stream) {
          const code = error.name === "Unsupported" ? "unsupported" : cameraError(error);
          $("proctor-status").textContent = fmt(T[code] || T.camera_error, { s: CAMERA_TIMEOUT_S });
          $("proctor-camera-retry").hidden = false;
          return;
        }
      }
      $("proctor-status").textContent = T.camera_on;
      const track = stream.getVideoTracks()[0];
      if (track) {
        track.addEventListener("ended", () => {
          $("proctor-status").textContent = T.camera_lost;
          $("proctor-camera-retry").hidden = false;
          stream = null;
          report("camera_ended");
        });
      }
      snapshot("interval");
    }

    // A reload (or coming back to this page in the same tab) is an event of its own.
    try {
      if (sessionStorage.getItem(reloadKey)) report("reload");
      sessionStorage.setItem(reloadKey, "1");
    } catch (e) { /* private mode: no reload detection */ }
    const expectedReturn = () => {
      try { sessionStorage.removeItem(reloadKey); } catch (e) { /* ignore */ }
    };
    $("proctor-recheck").addEventListener("click", expectedReturn);
    // The language or the log-out, confirmed in its dialog (_exam_top.html): the page opens
    // again because the candidate asked for it there, not a reload.
    document.querySelectorAll("form[data-leaves-exam]").forEach((form) => {
      form.addEventListener("submit", expectedReturn);
    });
    $("proctor-camera-retry").addEventListener("click", start);
    $("proctor-fullscreen").addEventListener("click", () => {
      if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
    });
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") report("tab_hidden"); });
    window.addEventListener("blur", () => report("window_blur"));
    document.addEventListener("fullscreenchange", () => {
      if (document.fullscreenElement) { wasFullscreen = true; return; }
      if (wasFullscreen) { wasFullscreen = false; report("fullscreen_exit"); }
    });
    document.addEventListener("copy", () => report("copy"));
    document.addEventListener("paste", () => report("paste"));
    setInterval(() => snapshot("interval"), interval);
    setInterval(async () => {
      if (ended) return;
      try {
        const result = await get(root.dataset.statusUrl);
        if (sessionEnded(result)) loginNeeded();
        else if (result.ok) showStatus(result.data);
        else refused(result);
      } catch (e) { /* offline or slow: the next poll tries again */ }
    }, Math.max(5000, interval / 2));
    // Back from logging in again in another tab: the status carries the new session's token
    // (common.js keeps it); go on.
    window.addEventListener("focus", async () => {
      if (!ended) return;
      try {
        const result = await get(root.dataset.statusUrl);
        if (!result.ok || !result.data) return;
        ended = false;
        $("proctor-login").hidden = true;
        $("proctor-status").textContent = stream ? T.camera_on : "";
        showStatus(result.data);
      } catch (e) { /* still offline: the notice stays */ }
    });
    if (paused) pause();
    start();
  }

  const check = $("proctor-check");
  if (check) checkPage(check);
  const exam = $("proctor");
  if (exam) examPage(exam);
})();
