// Practice mode: read-aloud buttons (speechSynthesis in id-ID) and the mock exam's screens, one
// question at a time with a navigation grid, a display-only timer and answers kept in
// localStorage until the paper is submitted. Every page also works without this file.
"use strict";
(() => {
  const LETTERS = "ABCD";
  const STORE_PREFIX = "ujisim.mock.";

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage disabled: answers still live in the form
    }
  }

  // -- read aloud -----------------------------------------------------------------------------

  function setupSpeech() {
    const buttons = document.querySelectorAll("button.speak[data-speak]");
    if (!buttons.length || !("speechSynthesis" in window)
        || typeof window.SpeechSynthesisUtterance !== "function") return;
    const synth = window.speechSynthesis;
    let active = null;

    const indonesianVoice = () => synth.getVoices().find(
      (v) => (v.lang || "").toLowerCase().replace("_", "-").startsWith("id"));

    function stop() {
      synth.cancel();
      if (active) active.setAttribute("aria-pressed", "false");
      active = null;
    }

    function textOf(root) {
      // The stem first, then each option with its letter.
      const parts = [...root.querySelectorAll("[data-speak-part]")];
      return parts.map((el, i) => {
        const text = el.textContent.replace(/\s+/g, " ").trim();
        return i === 0 ? text : `${LETTERS[i - 1] || i}. ${text}`;
      }).join(".\n");
    }

    buttons.forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        const wasActive = active === button;
        stop();
        if (wasActive) return; // a second press stops reading
        const root = document.querySelector(button.dataset.speak);
        if (!root) return;
        const utterance = new window.SpeechSynthesisUtterance(textOf(root));
        utterance.lang = "id-ID";
        const voice = indonesianVoice();
        if (voice) utterance.voice = voice;
        utterance.rate = 0.95;
        const done = () => {
          if (active === button) {
            button.setAttribute("aria-pressed", "false");
            active = null;
          }
        };
        utterance.addEventListener("end", done);
        utterance.addEventListener("error", done);
        active = button;
        button.setAttribute("aria-pressed", "true");
        synth.speak(utterance);
      });
    });
    window.addEventListener("pagehide", stop);
  }

  // -- mock exam ------------------------------------------------------------------------------

  function setupMock() {
    const form = document.getElementById("mock");
    if (!form) return;
    const store = storage();
    const key = STORE_PREFIX + form.dataset.ref;
    const sections = [...form.querySelectorAll(".mock-q")];
    const links = [...form.querySelectorAll(".qgrid a[data-goto]")];
    const answeredText = form.querySelector(".answered");
    let saved = {};

    if (store) {
      // Only the open paper is kept; older ones were submitted or abandoned.
      for (let i = store.length - 1; i >= 0; i -= 1) {
        const name = store.key(i);
        if (name && name.startsWith(STORE_PREFIX) && name !== key) store.removeItem(name);
      }
      try {
        saved = JSON.parse(store.getItem(key) || "{}") || {};
      } catch (e) {
        saved = {};
      }
    }

    const answers = () => {
      const given = {};
      new FormData(form).forEach((value, name) => {
        if (/^q\d+$/.test(name)) given[name] = value;
      });
      return given;
    };

    Object.entries(saved.answers || {}).forEach(([name, value]) => {
      const selector = `input[type=radio][name="${CSS.escape(name)}"][value="${CSS.escape(String(value))}"]`;
      const input = form.querySelector(selector);
      if (input) input.checked = true;
    });

    let current = 0;
    const save = () => {
      if (!store) return;
      saved = { answers: answers(), position: current };
      try {
        store.setItem(key, JSON.stringify(saved));
      } catch (e) {
        // storage full or blocked: the answers are still in the form
      }
    };

    const refresh = () => {
      const given = answers();
      links.forEach((a, i) => a.classList.toggle("done", `q${i}` in given));
      answeredText.textContent = form.dataset.answeredLabel.replace("{n}", Object.keys(given).length);
    };

    const show = (index, focus) => {
      current = Math.max(0, Math.min(sections.length - 1, index));
      sections.forEach((s, i) => s.classList.toggle("current", i === current));
      links.forEach((a, i) => {
        if (i === current) a.setAttribute("aria-current", "true");
        else a.removeAttribute("aria-current");
      });
      save();
      if (focus) {
        // Only on a move: a fragment written while loading would make the browser scroll to it.
        history.replaceState(null, "", `#q${current + 1}`);
        form.scrollIntoView({ block: "start" });
        sections[current].querySelector(".q-head").focus({ preventScroll: true });
      }
    };

    form.classList.add("paged");
    form.addEventListener("click", (event) => {
      const link = event.target.closest("[data-goto]");
      if (!link) return;
      event.preventDefault();
      show(Number(link.dataset.goto), true);
    });
    form.addEventListener("change", (event) => {
      if (event.target.matches("input[type=radio]")) {
        save();
        refresh();
      }
    });
    const fromHash = /^#q(\d+)$/.exec(window.location.hash);
    show(fromHash ? Number(fromHash[1]) - 1 : Number(saved.position) || 0, false);
    refresh();

    // The timer only informs: practice papers are accepted after the time too.
    const timer = form.querySelector(".timer");
    const secondsLeft = Number(form.dataset.secondsLeft);
    if (timer && Number.isFinite(secondsLeft)) {
      const deadline = Date.now() + secondsLeft * 1000;
      timer.hidden = false;
      let handle = null;
      const tick = () => {
        const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        timer.classList.toggle("low", left < 300);
        if (left === 0) {
          timer.textContent = form.dataset.timeUp;
          if (handle) clearInterval(handle);
          return;
        }
        const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
        timer.textContent = form.dataset.timeLabel.replace("{t}", clock);
      };
      handle = setInterval(tick, 1000);
      tick();
    }
  }

  function clearSubmitted() {
    const result = document.querySelector("[data-clear-ref]");
    const store = storage();
    if (result && store) store.removeItem(STORE_PREFIX + result.dataset.clearRef);
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupSpeech();
    setupMock();
    clearSubmitted();
  });
})();
