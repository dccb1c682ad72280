// Renewal delivery form: show the address fields only for courier delivery and the proxy
// fields only for a pick-up (the page works without this file; the server ignores the address
// for a pick-up and the proxy for a courier delivery).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("delivery-form");
  const address = document.getElementById("address");
  const proxy = document.getElementById("proxy");
  if (!form || !address) return;
  const update = () => {
    const chosen = form.querySelector("input[name=method]:checked");
    const pickup = chosen !== null && chosen.value === "pickup";
    address.hidden = pickup;
    if (proxy) proxy.hidden = !pickup;
  };
  form.querySelectorAll("input[name=method]").forEach((r) => r.addEventListener("change", update));
  update();
});
