// Practice mode: the mock exam's screens, one question at a time with a navigation grid, a
// display-only timer and answers kept in localStorage until the paper is submitted (read aloud:
// speech.js). Every page also works without this file.
"use strict";
(() => {
  const STORE_PREFIX = "ujisim.mock.";

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage disabled: answers still live in the form
    }
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
    setupMock();
    clearSubmitted();
  });
})();
