// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
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
