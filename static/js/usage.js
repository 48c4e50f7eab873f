// The Usage page's charts (uPlot, vendored in static/vendor/uplot). The data is the
// report the page was rendered with (json_script "usage-data"). Each chart's uPlot
// instance is kept in window.usageCharts for the page's browser test.
(function () {
  "use strict";
  const COLORS = {
    spend: "#4f8cff",
    completed: "#3fbf7f",
    failed: "#ff5c6c",
    cancelled: "#c0a040",
    other: "#9aa4b2",
    models: "#b07cff",
    success: "#3fbf7f",
  };
  const AXIS = { stroke: "#9aa4b2", grid: { stroke: "rgba(154,164,178,0.15)" }, ticks: { stroke: "rgba(154,164,178,0.3)" } };

  function width(el) {
    return Math.max(240, Math.floor(el.getBoundingClientRect().width));
  }

  function draw(id, opts, data) {
    const el = document.getElementById(id);
    const chart = new uPlot({ width: width(el), height: 220, legend: { show: true }, ...opts }, data, el);
    window.usageCharts[id.replace("chart-", "")] = chart;
    return chart;
  }

  function start() {
    const data = JSON.parse(document.getElementById("usage-data").textContent);
    window.usageCharts = {};
    // Noon UTC of each day, in seconds: uPlot's time axis.
    const xs = data.days.map((d) => Date.parse(d + "T12:00:00Z") / 1000);
    const bars = uPlot.paths.bars({ size: [0.7, 40] });
    const timeAxes = [AXIS, { ...AXIS, size: 50 }];
    // Half a day either side, so the first and last bars are whole; counts from zero.
    const days = {
      x: { time: true, range: () => [xs[0] - 43200, xs[xs.length - 1] + 43200] },
      y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] },
    };

    draw("chart-spend", {
      scales: days,
      axes: timeAxes,
      series: [{}, { label: "credits", stroke: COLORS.spend, fill: COLORS.spend + "66", paths: bars, points: { show: false } }],
    }, [xs, data.spend]);

    draw("chart-status", {
      scales: days,
      axes: timeAxes,
      series: [
        {},
        { label: "completed", stroke: COLORS.completed, width: 2 },
        { label: "failed", stroke: COLORS.failed, width: 2 },
        { label: "cancelled", stroke: COLORS.cancelled, width: 2 },
        { label: "other", stroke: COLORS.other, width: 2 },
      ],
    }, [xs, data.status.completed, data.status.failed, data.status.cancelled, data.other]);

    const names = data.models;
    draw("chart-models", {
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(0.5, names.length - 0.5)] },
        y: days.y,
      },
      axes: [
        { ...AXIS, values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) && names[t] ? names[t] : "")) },
        { ...AXIS, size: 50 },
      ],
      series: [{ label: "model", value: (u, i) => (i == null ? "" : names[i] || "") },
        { label: "credits", stroke: COLORS.models, fill: COLORS.models + "99", paths: bars, points: { show: false } }],
    }, [names.map((_, i) => i), data.model_spend]);

    draw("chart-success", {
      axes: [AXIS, { ...AXIS, size: 50, values: (u, ticks) => ticks.map((t) => Math.round(t * 100) + " %") }],
      scales: { x: days.x, y: { range: [0, 1] } },
      series: [{}, { label: "success", stroke: COLORS.success, width: 2,
        // Days with nothing finished have no rate: the line joins the days that do.
        spanGaps: true, points: { show: true, size: 7, fill: COLORS.success },
        value: (u, v) => (v == null ? "–" : (v * 100).toFixed(1) + " %") }],
    }, [xs, data.success]);

    window.addEventListener("resize", () => {
      for (const [name, chart] of Object.entries(window.usageCharts)) {
        chart.setSize({ width: width(document.getElementById("chart-" + name)), height: 220 });
      }
    });
    document.body.dataset.usageReady = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
