// What the static (no circuit) read pages need from the browser, for anonymous visitors (docs/measurements.md):
//  - canvas[data-static-points]: the board's scatter chart, drawn with charts.js from the points in the attribute;
//  - [data-live-refresh="<seconds>"][id]: a region that shows something still running (progress bars); it is fetched
//    again from the same (output-cached) URL every few seconds while the tab is visible and swapped in place, until the
//    fresh copy no longer asks for it (the job ended).
// Interactive pages have neither attribute, so this does nothing there. Runs on first load and after Blazor's enhanced
// navigation patched the page.
let timer = null;

async function drawCharts() {
  const canvases = document.querySelectorAll("canvas[data-static-points]");
  if (canvases.length === 0) return;
  const charts = await import("./charts.js");
  const dark = !!document.getElementById("static-dark-style");
  for (const c of canvases) {
    const key = c.dataset.staticPoints + dark;
    if (c.dataset.drawn === key) continue;
    c.dataset.drawn = key;
    const ok = await charts.renderScatter(c.id, JSON.parse(c.dataset.staticPoints), c.dataset.xTitle, c.dataset.yTitle, dark);
    if (!ok) document.getElementById(c.id + "-unavailable")?.removeAttribute("hidden");
  }
}

function scheduleRefresh() {
  clearTimeout(timer);
  const region = document.querySelector("[data-live-refresh][id]");
  if (!region) return;
  const seconds = Math.max(2, Number(region.dataset.liveRefresh) || 5);
  const url = location.href;
  timer = setTimeout(async () => {
    if (location.href !== url) return; // navigated away; the next page schedules its own
    if (document.visibilityState === "visible") {
      try {
        const r = await fetch(url, { headers: { Accept: "text/html" } });
        if (r.ok && location.href === url) {
          const doc = new DOMParser().parseFromString(await r.text(), "text/html");
          const fresh = doc.getElementById(region.id);
          const current = document.getElementById(region.id);
          if (current) { if (fresh) current.replaceWith(fresh); else current.removeAttribute("data-live-refresh"); }
          await drawCharts();
        }
      } catch { /* offline a moment: try again next time */ }
    }
    scheduleRefresh();
  }, seconds * 1000);
}

// Dark mode without a circuit: the layout ships the dark palette in a <template>; the toggle flips js/theme.js's key.
const darkKey = "portal.darkMode";
function applyDark() {
  const template = document.getElementById("static-dark-theme");
  document.getElementById("static-dark-style")?.remove();
  if (!template || localStorage.getItem(darkKey) !== "true") return;
  // MudThemeProvider writes several <style> elements (scrollbars, palette, …): all of them, as one.
  const css = [...template.content.querySelectorAll("style")].map((x) => x.textContent).join("\n");
  if (!css) return;
  const style = document.createElement("style");
  style.id = "static-dark-style";
  // The light palette's <style> comes later in the page: a more specific selector wins wherever this one sits.
  style.textContent = css.replaceAll(":root", ":root:root");
  document.head.appendChild(style);
}
document.addEventListener("click", (e) => {
  if (!document.getElementById("static-dark-theme") || !e.target.closest?.("#dark-mode-toggle")) return;
  localStorage.setItem(darkKey, localStorage.getItem(darkKey) === "true" ? "false" : "true");
  applyDark();
  drawCharts();
});

function onPage() { applyDark(); drawCharts(); scheduleRefresh(); }

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onPage); else onPage();
// blazor.web.js loads before this module and defines Blazor; enhanced navigation swaps the page without a reload.
window.Blazor?.addEventListener?.("enhancedload", onPage);
