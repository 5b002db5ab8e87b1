// Progressive enhancement of the server-rendered dashboard: live countdowns. Every page works
// without this script; it only refreshes texts the server already rendered.
import { countdown } from "./duration.mjs";

function tick() {
  for (const el of document.querySelectorAll("time[data-countdown]")) {
    const at = Date.parse(el.getAttribute("datetime") ?? "");
    if (!Number.isNaN(at)) el.textContent = countdown(at, Date.now());
  }
}

tick();
setInterval(tick, 1000);
