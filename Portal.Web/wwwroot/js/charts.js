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

// Writes each point's label next to it (the paper's Figure 1a style); Chart.js has no built-in data labels.
const pointLabels = {
  id: "pointLabels",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.font = "11px Roboto, Helvetica, Arial, sans-serif";
    ctx.fillStyle = chart.options.plugins.pointLabels?.color ?? "#444";
    chart.data.datasets.forEach((ds, i) => {
      chart.getDatasetMeta(i).data.forEach((el, j) => {
        const label = ds.data[j]?.label;
        if (label) ctx.fillText(label, el.x + 6, el.y - 6);
      });
    });
    ctx.restore();
  },
};

// points: [{ x, y, label, group }] in percent; groups become datasets (colours). Returns false if Chart.js is unavailable.
export async function renderScatter(canvasId, points, xTitle, yTitle, dark) {
  if (!(await loadChartJs())) return false;
  const canvas = document.getElementById(canvasId);
  if (!canvas) return false;
  charts.get(canvasId)?.destroy();
  const palette = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#546e7a"];
  const groups = [...new Set(points.map((p) => p.group))];
  const text = dark ? "#ddd" : "#444";
  const grid = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.08)";
  const chart = new window.Chart(canvas, {
    type: "scatter",
    data: {
      datasets: groups.map((g, i) => ({
        label: g,
        data: points.filter((p) => p.group === g),
        backgroundColor: palette[i % palette.length],
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
