// Read aloud, for the exam page and the practice pages: the browser's own voice for the
// question's language (speechSynthesis), else, said on the page, the recording our server makes
// with espeak-ng (core/speech.py). The text is the stem and the options with their letters, as
// shown, each a sentence with its own end mark ("...lakukan? A. ..." and never "lakukan?.").
// Defines window.ujisimSpeech; a page loads it before its own script (both deferred). Practice
// buttons (button.speak[data-speak]) are wired here; the exam page wires its one (exam.js).
"use strict";
window.ujisimSpeech = (() => {
  const LETTERS = "ABCD";
  // How long to wait for the browser's list of voices (Chrome fills it after the page loads).
  const VOICES_WAIT_MS = 1500;
  const textNode = document.getElementById("speech-text");
  const T = textNode ? JSON.parse(textNode.textContent) : {};
  const synth = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function"
    ? window.speechSynthesis : null;
  let active = null;   // the reader speaking now

  // One spoken sentence: white space collapsed, stray punctuation dropped ("?." -> "?", ",." ->
  // ".", "..." -> one ellipsis), a full stop added where there is no end mark (core/speech.py
  // sentence does the same).
  function sentence(text) {
    let s = String(text || "").replace(/\s+/g, " ").trim().replace(/\.{3,}/g, "\u2026");
    s = s.replace(/([.?!])[.?!,;:]+/g, "$1").replace(/[,;:]+([.?!])/g, "$1").replace(/[\s,;:]+$/, "");
    if (s && !/[.?!\u2026]$/.test(s)) s += ".";
    return s;
  }

  function spokenText(stem, options) {
    return [sentence(stem), ...options.map((o, i) => sentence(`${LETTERS[i]}. ${o}`))]
      .filter(Boolean).join(" ");
  }

  // A voice of ``lang`` ("id", "en"), or null; old Android names Indonesian "in".
  function voiceFor(lang) {
    const pick = () => synth.getVoices().find((v) => {
      const code = (v.lang || "").toLowerCase().replace("_", "-").split("-")[0];
      return code === lang || (lang === "id" && code === "in");
    }) || null;
    if (!synth) return Promise.resolve(null);
    if (synth.getVoices().length) return Promise.resolve(pick());
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); synth.removeEventListener("voiceschanged", done); resolve(pick()); };
      const timer = setTimeout(done, VOICES_WAIT_MS);
      synth.addEventListener("voiceschanged", done);
    });
  }

  // A reader for ``button``: ``request()`` gives {text, lang, audioUrl} of what to read now;
  // ``note`` and ``audio`` show the server's recording (made next to the button if not given).
  function reader(button, request, note, audio) {
    if (!note) {
      note = document.createElement("p");
      note.className = "speak-note";
      note.setAttribute("role", "status");
      note.hidden = true;
      audio = document.createElement("audio");
      audio.className = "speak-audio";
      audio.controls = true;
      audio.preload = "none";
      audio.hidden = true;
      button.after(note, audio);
    }
    const self = { button, stop, reset };

    function finished() {
      button.setAttribute("aria-pressed", "false");
      if (active === self) active = null;
    }

    function stop() {
      if (synth) synth.cancel();
      audio.pause();
      finished();
    }

    // Another question: nothing of the last one's recording stays.
    function reset() {
      stop();
      note.hidden = true;
      audio.hidden = true;
      audio.removeAttribute("src");
    }

    function recording(what) {
      note.textContent = (T.no_voice || "").replace("{language}", (T.languages || {})[what.lang] || what.lang);
      note.hidden = false;
      audio.hidden = false;
      if (audio.getAttribute("src") !== what.audioUrl) audio.src = what.audioUrl;
      audio.currentTime = 0;
      audio.play().catch((error) => {
        if (active === self) finished();
        if (error && error.name === "NotAllowedError") note.textContent += ` ${T.press_play || ""}`;
      });
    }

    audio.addEventListener("ended", finished);
    audio.addEventListener("error", () => {
      if (!audio.getAttribute("src")) return;
      note.textContent = T.failed || "";
      note.hidden = false;
      finished();
    });

    button.hidden = false;
    button.addEventListener("click", async () => {
      const again = active === self;
      if (active) active.stop();
      if (again) return;   // a second press stops reading
      const what = request();
      if (!what) return;
      active = self;
      button.setAttribute("aria-pressed", "true");
      const voice = await voiceFor(what.lang);
      if (active !== self) return;   // stopped meanwhile
      if (!voice) { recording(what); return; }
      const utterance = new window.SpeechSynthesisUtterance(what.text);
      utterance.lang = what.lang === "en" ? "en-US" : "id-ID";
      utterance.voice = voice;
      utterance.rate = 0.95;
      utterance.addEventListener("end", () => { if (active === self) finished(); });
      // the voice failed (some phones list voices they cannot load): the recording instead
      utterance.addEventListener("error", (event) => {
        if (active === self && event.error !== "interrupted" && event.error !== "canceled") recording(what);
      });
      synth.speak(utterance);
    });
    return self;
  }

  // Practice pages: each "Read aloud" reads the question it names (data-speak: a selector);
  // its [data-speak-part] elements are the stem, then the options in the order shown.
  function setupPractice() {
    document.querySelectorAll("button.speak[data-speak]").forEach((button) => {
      reader(button, () => {
        const root = document.querySelector(button.dataset.speak);
        if (!root) return null;
        const [stem, ...options] = [...root.querySelectorAll("[data-speak-part]")].map((el) => el.textContent);
        return { text: spokenText(stem, options), lang: button.dataset.lang || "id", audioUrl: button.dataset.audio };
      });
    });
    window.addEventListener("pagehide", () => { if (active) active.stop(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupPractice);
  else setupPractice();

  return Object.freeze({ sentence, spokenText, reader });
})();
