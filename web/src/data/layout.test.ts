import { describe, expect, it } from "vitest";

import { add, missing, move, remove, resize } from "./layout";

const widgets = [
  { kind: "balances", width: 2, height: 1 },
  { kind: "health", width: 2, height: 1 },
  { kind: "forecast", width: 4, height: 2 },
];

describe("layout editing", () => {
  it("moves a widget to another place", () => {
    expect(move(widgets, 2, 0).map((w) => w.kind)).toEqual(["forecast", "balances", "health"]);
    expect(move(widgets, 0, 5)).toBe(widgets);
  });
  it("resizes within the grid", () => {
    expect(resize(widgets, "forecast", 1, 5).find((w) => w.kind === "forecast")).toEqual({ kind: "forecast", width: 4, height: 3 });
    expect(resize(widgets, "balances", -3, -3)[0]).toEqual({ kind: "balances", width: 1, height: 1 });
  });
  it("adds each kind once and removes", () => {
    expect(add(widgets, "health")).toBe(widgets);
    expect(add(widgets, "goals").at(-1)).toEqual({ kind: "goals", width: 2, height: 1 });
    expect(remove(widgets, "health").map((w) => w.kind)).toEqual(["balances", "forecast"]);
    expect(missing(widgets, ["balances", "goals", "alerts"])).toEqual(["goals", "alerts"]);
  });
});
