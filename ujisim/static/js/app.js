// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    // its links in the order the fields stand on the page (the form class may list them otherwise)
    const list = summary.querySelector("ul");
    const at = (li) => document.getElementById(li.querySelector("a")?.hash.slice(1) || "");
    const items = list ? [...list.children].filter(at) : [];
    items.sort((a, b) => (at(a).compareDocumentPosition(at(b)) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    items.forEach((li) => list.append(li));
    summary.focus();
  }
  scrollingTables();
  window.addEventListener("resize", scrollingTables);
  // A button that asks first (the exam page's language and log-out) opens its dialog.
  document.querySelectorAll("[data-opens]").forEach((button) => {
    button.addEventListener("click", () => document.getElementById(button.dataset.opens).showModal());
  });
  document.querySelectorAll("dialog [data-closes]").forEach((button) => {
    button.addEventListener("click", () => button.closest("dialog").close());
  });
  // Prevent a double submit: disable the submit buttons once a form is sent.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((b) => {
        setTimeout(() => { b.disabled = true; }, 0);
      });
    });
  });
});
// Coming back with the browser's back button must not leave the buttons disabled.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("button[type=submit]:disabled").forEach((b) => { b.disabled = false; });
});

// A table wider than its column scrolls inside its .table-wrap: a keyboard user must be able to
// reach it to scroll it (a tab stop), and hears it as a region named after the table's caption
// or the heading above it. A wrapper that does not scroll stays out of the tab order.
function scrollingTables() {
  document.querySelectorAll(".table-wrap").forEach((wrap) => {
    if (wrap.scrollWidth > wrap.clientWidth) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("aria-label", tableName(wrap));
    } else {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
    }
  });
}

function tableName(wrap) {
  const caption = wrap.querySelector("caption");
  if (caption) return caption.textContent.trim();
  let node = wrap.previousElementSibling;
  while (node && !/^H[1-6]$/.test(node.tagName)) node = node.previousElementSibling;
  if (node) return node.textContent.trim();
  const heading = wrap.closest("section, main")?.querySelector("h1, h2, h3");
  return heading ? heading.textContent.trim() : document.title;
}
