// Draws the scenario report's charts from the JSON in #report-data (data only, never markup).
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const palette = ["#4363d8", "#f58231", "#3cb44b", "#e6194b", "#911eb4", "#42d4f4", "#9a6324", "#808000", "#000075"];
  const names = data.cases.map((c) => c.name);
  const opts = (extra) => Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, extra || {});
  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }
  chart("chart-cost", {
    type: "bar",
    data: {
      labels: names,
      datasets: [
        ["own fleet", "own_fleet"], ["carriers", "carriers"], ["penalties", "penalties"],
        ["moved to the day before", "moved_cost"], ["fees", "fees"],
      ].map(([label, key], i) => ({ label, data: data.cases.map((c) => c.figures[key]), backgroundColor: palette[i] })),
    },
    options: opts({ scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "cost" } } } }),
  });
  chart("chart-vehicles", {
    type: "bar",
    data: { labels: names, datasets: [{ label: "vehicles used", data: data.cases.map((c) => c.figures.vehicles_used), backgroundColor: palette[0] }] },
    options: opts({ scales: { y: { beginAtZero: true } } }),
  });
  const regions = Array.from(new Set(data.cases.flatMap((c) => Object.keys(c.figures.own_share)))).sort();
  chart("chart-share", {
    type: "bar",
    data: {
      labels: regions,
      datasets: data.cases.map((c, i) => ({
        label: c.name,
        data: regions.map((r) => (r in c.figures.own_share ? 100 * c.figures.own_share[r] : null)),
        backgroundColor: palette[i % palette.length],
      })),
    },
    options: opts({ scales: { y: { min: 0, max: 100, title: { display: true, text: "% of the region's orders on own routes" } } } }),
  });
  if (data.sizing) {
    chart("chart-sizing", {
      type: "line",
      data: {
        labels: data.sizing.curve.map((p) => String(p.extra)),
        datasets: [
          { label: "total cost", data: data.sizing.curve.map((p) => p.total), borderColor: palette[0], yAxisID: "y" },
          { label: "unserved or late orders", data: data.sizing.curve.map((p) => p.not_on_time), borderColor: palette[3], yAxisID: "y2" },
        ],
      },
      options: opts({ scales: { x: { title: { display: true, text: "extra vehicles and carrier blocks" } }, y: { title: { display: true, text: "total cost" } }, y2: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } }),
    });
  }
  chart("chart-risk", {
    type: "bubble",
    data: {
      datasets: data.risk.filter((r) => r.likelihood !== null).map((r, i) => ({
        label: r.scenario,
        data: [{ x: r.likelihood, y: r.extra_cost, r: 6 + Math.min(30, 2 * r.lost_on_time_pct) }],
        backgroundColor: palette[i % palette.length] + "99",
      })),
    },
    options: opts({ scales: { x: { min: 0, max: 1, title: { display: true, text: "likelihood" } }, y: { title: { display: true, text: "extra cost against the baseline" } } } }),
  });
  document.body.dataset.charts = String(Object.keys(Chart.instances).length);
})();
