// One chart: Chart.js (loaded with the first chart, in its own chunk)
// drawing into a canvas that screen readers read as an image with a
// description; tooltips and a legend always, zoom and pan on time series.
import { useEffect, useRef } from "react";
import type { ChartConfiguration, ChartDataset } from "chart.js";

import { isDark } from "../theme";

export interface ChartProps {
  type: "bar" | "line";
  labels: string[];
  datasets: ChartDataset<"bar" | "line", (number | null)[]>[];
  /** What the chart shows, for screen readers. */
  description: string;
  currency?: string;
  horizontal?: boolean;
  stacked?: boolean;
  zoom?: boolean;
  height?: number;
}

export const PALETTE = ["#0f766e", "#b45309", "#4f46e5", "#be123c", "#0369a1", "#65a30d", "#a21caf", "#475569"];

export function Chart({ type, labels, datasets, description, currency, horizontal, stacked, zoom, height = 240 }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    void import("./chartjs").then(({ Chart: ChartJs }) => {
      if (cancelled || !canvas.current) return;
      const text = isDark() ? "#cbd5e1" : "#334155";
      const grid = isDark() ? "rgba(148,163,184,0.2)" : "rgba(71,85,105,0.15)";
      const money = currency
        ? new Intl.NumberFormat(undefined, { style: "currency", currency, maximumFractionDigits: 0 })
        : undefined;
      const valueAxis = horizontal ? "x" : "y";
      const config: ChartConfiguration<"bar" | "line", (number | null)[], string> = {
        type,
        data: { labels, datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          indexAxis: horizontal ? "y" : "x",
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { stacked, ticks: { color: text }, grid: { color: grid } },
            y: { stacked, ticks: { color: text }, grid: { color: grid } },
            [valueAxis]: {
              stacked,
              ticks: { color: text, callback: (v: string | number) => (money ? money.format(Number(v)) : v) },
              grid: { color: grid },
            },
          },
          plugins: {
            legend: { labels: { color: text, filter: (item) => !item.text.startsWith("_") } },
            tooltip: {
              filter: (item) => !item.dataset.label?.startsWith("_"),
              callbacks: money
                ? { label: (item) => `${item.dataset.label}: ${money.format(Number(item.raw))}` }
                : {},
            },
            zoom: zoom
              ? {
                  zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: "x" },
                  pan: { enabled: true, mode: "x" },
                }
              : undefined,
          },
        },
      };
      chart = new ChartJs(canvas.current, config);
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [type, labels, datasets, currency, horizontal, stacked, zoom]);

  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={description} />
    </div>
  );
}
