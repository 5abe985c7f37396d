// The studio's analytics pages: the views over time and the retention curve as charts (uPlot,
// ~20 KB gzipped, canvas), drawn from the tables the server rendered, which stay below them for
// exact figures and for readers without scripts. Times are UTC, as the tables say.
import uPlot from "uplot";
import { byId } from "./_api";

const HEIGHT = 240;
const AXIS = { stroke: "#a8a8a8", grid: { stroke: "#2c2c30" }, ticks: { stroke: "#2c2c30" } };

/** A chart in `box` (shown once drawn), as wide as its box and redrawn to the new width on resize. */
function draw(box: HTMLElement, opts: Omit<uPlot.Options, "width" | "height">, data: uPlot.AlignedData) {
  box.hidden = false;
  const chart = new uPlot({ ...opts, width: box.clientWidth, height: HEIGHT }, data, box);
  let frame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => chart.setSize({ width: box.clientWidth, height: HEIGHT }));
  });
}

/** Views (left axis) and watch time in hours (right axis) per bucket, from the rows' data attributes. */
function viewsChart() {
  const box = byId("views-chart");
  const rows = [...document.querySelectorAll<HTMLTableRowElement>("#views-table tbody tr[data-t]")];
  if (!box || rows.length < 2) return;
  const t = rows.map((r) => Date.parse(r.dataset.t ?? "") / 1000);
  const views = rows.map((r) => Number(r.dataset.views));
  const watchHours = rows.map((r) => Number(r.dataset.watch) / 3600);
  draw(
    box,
    {
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      scales: { x: { time: true }, views: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        { label: "UTC" },
        { label: "Views", scale: "views", stroke: "#ff4e45", width: 2, value: (_u, v) => (v === null ? "—" : `${v}`) },
        {
          label: "Watch time (h)",
          scale: "hours",
          stroke: "#4da3ff",
          width: 2,
          value: (_u, v) => (v === null ? "—" : v.toFixed(2)),
        },
      ],
      axes: [
        AXIS,
        // Views are whole: no 0.2-view ticks on a quiet range.
        { ...AXIS, scale: "views", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 1e5, 1e6] },
        { ...AXIS, scale: "hours", side: 1, grid: { show: false } },
      ],
    },
    [t, views, watchHours],
  );
}

/** The share of viewers still watching at each percent of the video (the table holds every tenth). */
function retentionChart() {
  const box = byId("retention-chart");
  const table = byId("retention-table");
  if (!box || !table?.dataset.retention) return;
  const curve = JSON.parse(table.dataset.retention) as number[];
  draw(
    box,
    {
      scales: { x: { time: false }, y: { range: [0, 100] } },
      series: [
        { label: "Into the video", value: (_u, v) => (v === null ? "—" : `${v}%`) },
        {
          label: "Still watching",
          stroke: "#ff4e45",
          fill: "rgba(255, 78, 69, 0.15)",
          width: 2,
          value: (_u, v) => (v === null ? "—" : `${v.toFixed(1)}%`),
        },
      ],
      axes: [
        { ...AXIS, values: (_u, ticks) => ticks.map((v) => `${v}%`) },
        { ...AXIS, values: (_u, ticks) => ticks.map((v) => `${v}%`) },
      ],
    },
    [curve.map((_, i) => i), curve.map((share) => share * 100)],
  );
}

viewsChart();
retentionChart();
