// Editing the overview's layout: pure steps over the widget list, each
// keeping it valid for the server (kinds once, sizes within the grid).
import type { Widget } from "../api/types";

export const GRID_COLUMNS = 4;
export const MAX_ROWS = 3;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

export function move(widgets: Widget[], from: number, to: number): Widget[] {
  if (from === to || from < 0 || to < 0 || from >= widgets.length || to >= widgets.length) return widgets;
  const next = [...widgets];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved);
  return next;
}

export function resize(widgets: Widget[], kind: string, columns: number, rows: number): Widget[] {
  return widgets.map((w) =>
    w.kind === kind
      ? { ...w, width: clamp(w.width + columns, 1, GRID_COLUMNS), height: clamp(w.height + rows, 1, MAX_ROWS) }
      : w,
  );
}

export function remove(widgets: Widget[], kind: string): Widget[] {
  return widgets.filter((w) => w.kind !== kind);
}

export function add(widgets: Widget[], kind: string): Widget[] {
  if (widgets.some((w) => w.kind === kind)) return widgets;
  return [...widgets, { kind, width: 2, height: 1 }];
}

/** Kinds not on the overview yet, in `all`'s order. */
export function missing(widgets: Widget[], all: string[]): string[] {
  return all.filter((kind) => !widgets.some((w) => w.kind === kind));
}
