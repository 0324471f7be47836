// Scatter charts for the leaderboard (clean vs robust accuracy, one labelled point per encoder), drawn with Chart.js.
// Chart.js is loaded on demand from lib/chart.umd.min.js (copied there by `npm ci` in wwwroot-assets); when that file is
// missing, renderScatter resolves to false and the page shows a notice instead of the chart.
let loading = null;
const charts = new Map();

function loadChartJs() {
  if (window.Chart) return Promise.resolve(true);
  if (!loading) {
    loading = new Promise((resolve) => {
      const s = document.createElement("script");
      s.src = "lib/chart.umd.min.js";
      s.onload = () => resolve(!!window.Chart);
      s.onerror = () => { loading = null; resolve(false); };
      document.head.appendChild(s);
    });
  }
  return loading;
}

// Writes each point's label next to it (the paper's Figure 1a style); Chart.js has no built-in data labels. Points that
// land on the same pixel share one label ("A · B"); a label that would overlap an earlier one moves up a line.
const pointLabels = {
  id: "pointLabels",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.font = "11px Roboto, Helvetica, Arial, sans-serif";
    ctx.fillStyle = chart.options.plugins.pointLabels?.color ?? "#444";
    const spots = new Map();
    chart.data.datasets.forEach((ds, i) => {
      if (!chart.isDatasetVisible(i)) return;
      chart.getDatasetMeta(i).data.forEach((el, j) => {
        const label = ds.data[j]?.label;
        if (!label) return;
        const key = `${Math.round(el.x / 4)}:${Math.round(el.y / 4)}`;
        const spot = spots.get(key) ?? { x: el.x, y: el.y, labels: [] };
        spot.labels.push(label);
        spots.set(key, spot);
      });
    });
    const placed = [];
    const lineHeight = 13;
    for (const spot of [...spots.values()].sort((a, b) => b.y - a.y || a.x - b.x)) {
      const text = spot.labels.join(" · ");
      const w = ctx.measureText(text).width;
      let x = spot.x + 6;
      if (x + w > chart.chartArea.right + 60) x = spot.x - 6 - w;
      let y = spot.y - 6;
      while (placed.some((p) => x < p.x + p.w && p.x < x + w && Math.abs(p.y - y) < lineHeight)) y -= lineHeight;
      placed.push({ x, y, w });
      ctx.fillText(text, x, y);
    }
    ctx.restore();
  },
};

// points: [{ x, y, label, group }] in percent; groups become datasets (colours). Returns false if Chart.js is unavailable.
export async function renderScatter(canvasId, points, xTitle, yTitle, dark) {
  if (!(await loadChartJs())) return false;
  const canvas = document.getElementById(canvasId);
  if (!canvas) return false;
  charts.get(canvasId)?.destroy();
  // Fixed colours for the known groups, so a colour means the same on every board.
  const known = { "adversarially fine-tuned": "#e65100", clean: "#1e88e5", baseline: "#78909c" };
  const palette = ["#43a047", "#8e24aa", "#00897b", "#6d4c41"];
  const groups = [...new Set(points.map((p) => p.group))];
  const text = dark ? "#ddd" : "#444";
  const grid = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.08)";
  const chart = new window.Chart(canvas, {
    type: "scatter",
    data: {
      datasets: groups.map((g, i) => ({
        label: g,
        data: points.filter((p) => p.group === g),
        backgroundColor: known[g] ?? palette[i % palette.length],
        pointRadius: 5,
        pointHoverRadius: 7,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      layout: { padding: { right: 70, top: 10 } },
      scales: {
        x: { title: { display: true, text: xTitle, color: text }, ticks: { color: text }, grid: { color: grid } },
        y: { title: { display: true, text: yTitle, color: text }, ticks: { color: text }, grid: { color: grid } },
      },
      plugins: {
        pointLabels: { color: text },
        legend: { labels: { color: text } },
        tooltip: { callbacks: { label: (c) => `${c.raw.label}: ${c.raw.x.toFixed(1)}% clean, ${c.raw.y.toFixed(1)}% robust` } },
      },
    },
    plugins: [pointLabels],
  });
  canvas.dataset.points = String(points.length);
  charts.set(canvasId, chart);
  return true;
}

export function destroy(canvasId) {
  charts.get(canvasId)?.destroy();
  charts.delete(canvasId);
}

// A curve of robust accuracy (the attack audit's ε and iteration curves): points [{ x, y }] with y in percent, joined
// in x order; `reference` draws the audited setting's robust accuracy as a dashed line. False if Chart.js is unavailable.
export async function renderCurve(canvasId, points, xTitle, yTitle, reference, dark) {
  if (!(await loadChartJs())) return false;
  const canvas = document.getElementById(canvasId);
  if (!canvas) return false;
  charts.get(canvasId)?.destroy();
  const text = dark ? "#ddd" : "#444";
  const grid = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.08)";
  const datasets = [{ label: yTitle, data: points, borderColor: "#e65100", backgroundColor: "#e65100", showLine: true, pointRadius: 4, tension: 0 }];
  if (reference != null) {
    const xs = points.map((p) => p.x);
    datasets.push({ label: "audited setting", data: [{ x: Math.min(...xs), y: reference }, { x: Math.max(...xs), y: reference }],
      borderColor: "#78909c", borderDash: [5, 4], pointRadius: 0, showLine: true });
  }
  const chart = new window.Chart(canvas, {
    type: "scatter",
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: xTitle, color: text }, ticks: { color: text }, grid: { color: grid } },
        y: { min: 0, max: 100, title: { display: true, text: "robust accuracy (%)", color: text }, ticks: { color: text }, grid: { color: grid } },
      },
      plugins: { legend: { labels: { color: text } }, tooltip: { callbacks: { label: (c) => `${c.raw.x}: ${c.raw.y.toFixed(1)}%` } } },
    },
  });
  canvas.dataset.points = String(points.length);
  charts.set(canvasId, chart);
  return true;
}
