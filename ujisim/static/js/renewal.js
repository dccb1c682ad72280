// Renewal delivery form: show the address fields only for courier delivery (the page works
// without this file; the server ignores the address for a pick-up).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("delivery-form");
  const address = document.getElementById("address");
  if (!form || !address) return;
  const update = () => {
    const chosen = form.querySelector("input[name=method]:checked");
    address.hidden = chosen !== null && chosen.value === "pickup";
  };
  form.querySelectorAll("input[name=method]").forEach((r) => r.addEventListener("change", update));
  update();
});
