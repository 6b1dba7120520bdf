import { describe, expect, it } from "vitest";

import { cashFlowByMonth, cents, forecastRows, fromCents, mainCurrency, spendingByCategory } from "./series";
import type { Forecast, MonthTotal } from "../api/types";

const total = (month: string, category: string, amount: string, currency = "GBP", count = 1): MonthTotal => ({
  month,
  category,
  total: amount,
  currency,
  count,
});

describe("cents", () => {
  it("reads decimal strings exactly", () => {
    expect(cents("-12.5")).toBe(-1250);
    expect(cents("0.07")).toBe(7);
    expect(cents("1234")).toBe(123400);
    expect(fromCents(-1250)).toBe("-12.50");
    expect(fromCents(5)).toBe("0.05");
  });
  it("adds 0.1 + 0.2 without float error", () => {
    expect(fromCents(cents("0.1") + cents("0.2"))).toBe("0.30");
  });
});

describe("cash flow", () => {
  const totals = [
    total("2026-01", "income.salary", "3000.00"),
    total("2026-01", "groceries", "-420.10"),
    total("2026-01", "dining.coffee", "-30.05"),
    total("2026-01", "transfers.savings", "-500.00"),
    total("2026-02", "income.salary", "3000.00"),
    total("2026-02", "groceries", "-380.00"),
    total("2026-02", "groceries", "-99.00", "EUR"),
  ];
  it("sums income and spending per month, transfers and other currencies left out", () => {
    expect(cashFlowByMonth(totals, "GBP")).toEqual([
      { month: "2026-01", income: "3000.00", spending: "450.15", net: "2549.85" },
      { month: "2026-02", income: "3000.00", spending: "380.00", net: "2620.00" },
    ]);
  });
  it("ranks categories by spending with shares", () => {
    const rows = spendingByCategory(totals, "GBP", ["2026-01", "2026-02"]);
    expect(rows.map((r) => [r.category, r.amount])).toEqual([
      ["groceries", "800.10"],
      ["dining", "30.05"],
    ]);
    expect(rows[0].share + rows[1].share).toBeCloseTo(1);
  });
  it("finds the main currency by count", () => {
    expect(mainCurrency([...totals, total("2026-02", "x", "-1", "EUR", 40)])).toBe("EUR");
  });
});

describe("forecast rows", () => {
  const forecast: Forecast = {
    currency: "GBP",
    granularity: "monthly",
    series: [
      {
        category: "total",
        weights: [],
        history: [
          { period: "2026-01", amount: "100.00" },
          { period: "2026-02", amount: "120.00" },
        ],
        forecast: [{ period: "2026-03", point: "110.00", lo80: "90.00", hi80: "130.00", lo95: "80.00", hi95: "140.00" }],
      },
    ],
  };
  it("puts the forecast after the history and joins the bands to the last actual", () => {
    const rows = forecastRows(forecast)!;
    expect(rows.labels).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(rows.actual).toEqual([100, 120, null]);
    expect(rows.point).toEqual([null, 120, 110]);
    expect(rows.lo95).toEqual([null, 120, 80]);
    expect(rows.hi80).toEqual([null, 120, 130]);
  });
});
