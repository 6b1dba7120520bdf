import { describe, expect, it } from "vitest";

import { dropLine, fromRecommendation, groupsOf, moveLine, toRequest, type EditLine } from "./budget";

const lines: EditLine[] = [
  { category: "housing", amount: "1200.00", rollover: false, group: "Essentials" },
  { category: "groceries", amount: "400.00", rollover: false, group: "Essentials" },
  { category: "dining", amount: "150.00", rollover: true, group: "Flexible" },
  { category: "shopping", amount: "100.00", rollover: true, group: "Flexible" },
];

describe("budget editor", () => {
  it("moves a line into another group before a line", () => {
    const moved = moveLine(lines, "groceries", "Flexible", "shopping");
    expect(moved.map((l) => `${l.group}:${l.category}`)).toEqual([
      "Essentials:housing",
      "Flexible:dining",
      "Flexible:groceries",
      "Flexible:shopping",
    ]);
  });
  it("moves a line to the end of a group, or of an empty new one", () => {
    expect(moveLine(lines, "dining", "Essentials", null).map((l) => l.category)).toEqual(["housing", "groceries", "dining", "shopping"]);
    expect(moveLine(lines, "dining", "Fun", null).at(-1)).toEqual({ ...lines[2], group: "Fun" });
  });
  it("drops within a group onto the target's place, and across groups before it", () => {
    const order = (ls: EditLine[]) => ls.map((l) => `${l.group}:${l.category}`);
    expect(order(dropLine(lines, "housing", { line: "groceries" }))).toEqual([
      "Essentials:groceries",
      "Essentials:housing",
      "Flexible:dining",
      "Flexible:shopping",
    ]);
    expect(order(dropLine(lines, "shopping", { line: "dining" })).slice(2)).toEqual(["Flexible:shopping", "Flexible:dining"]);
    expect(order(dropLine(lines, "dining", { line: "groceries" })).slice(0, 3)).toEqual([
      "Essentials:housing",
      "Essentials:dining",
      "Essentials:groceries",
    ]);
    expect(order(dropLine(lines, "housing", { group: "Flexible" })).at(-1)).toBe("Flexible:housing");
  });
  it("numbers positions within each group", () => {
    expect(toRequest(lines).map((l) => [l.group, l.position])).toEqual([
      ["Essentials", 0],
      ["Essentials", 1],
      ["Flexible", 0],
      ["Flexible", 1],
    ]);
    expect(groupsOf(lines, ["Fun"])).toEqual(["Essentials", "Flexible", "Fun"]);
  });
  it("takes a recommendation with essentials first", () => {
    const rec = fromRecommendation({
      best_saving: "0",
      currency: "GBP",
      feasible: true,
      income: "3000.00",
      planned_saving: "300.00",
      savings_aim: "300.00",
      total: "2700.00",
      lines: [
        { category: "dining", amount: "200.00", change_percent: -10, explanation: "", flexibility: "discretionary", median: "220.00", need: "220.00" },
        { category: "housing", amount: "1200.00", change_percent: 0, explanation: "", flexibility: "essential", median: "1200.00", need: "1200.00" },
      ],
    });
    expect(rec.map((l) => [l.group, l.category, l.rollover])).toEqual([
      ["Essentials", "housing", false],
      ["Flexible", "dining", true],
    ]);
  });
});
