// Pure shaping of API answers into what the charts and tables draw.
// Amounts are added in integer cents (the API's decimal strings), so sums
// are exact; only the finished figures become numbers for plotting.
import type { Forecast, MonthTotal } from "../api/types";

/** "-12.5" → -1250 (hundredths; the API gives at most the currency's places). */
export function cents(amount: string): number {
  const negative = amount.trim().startsWith("-");
  const [whole, fraction = ""] = amount.trim().replace(/^[-+]/, "").split(".");
  const value = Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
  return negative ? -value : value;
}

/** -1250 → "-12.50". */
export function fromCents(value: number): string {
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

const root = (category: string) => category.split(".")[0];
const isFlow = (category: string) => root(category) !== "transfers";

/** The currency most of the totals are in. */
export function mainCurrency(totals: MonthTotal[]): string | undefined {
  const counts = new Map<string, number>();
  for (const t of totals) counts.set(t.currency, (counts.get(t.currency) ?? 0) + t.count);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export interface MonthFlow {
  month: string;
  income: string;
  spending: string;
  net: string;
}

/** Income and spending per month (transfers left out), oldest first. */
export function cashFlowByMonth(totals: MonthTotal[], currency: string): MonthFlow[] {
  const months = new Map<string, { income: number; spending: number }>();
  for (const t of totals) {
    if (t.currency !== currency || !isFlow(t.category)) continue;
    const m = months.get(t.month) ?? { income: 0, spending: 0 };
    const value = cents(t.total);
    if (root(t.category) === "income") m.income += value;
    else m.spending -= value;
    months.set(t.month, m);
  }
  return [...months.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, m]) => ({
      month,
      income: fromCents(m.income),
      spending: fromCents(m.spending),
      net: fromCents(m.income - m.spending),
    }));
}

export interface CategorySpend {
  category: string;
  amount: string;
  share: number;
}

/** Spending per top-level category over the given months, largest first. */
export function spendingByCategory(totals: MonthTotal[], currency: string, months: string[]): CategorySpend[] {
  const wanted = new Set(months);
  const sums = new Map<string, number>();
  for (const t of totals) {
    if (t.currency !== currency || !wanted.has(t.month)) continue;
    const r = root(t.category);
    if (r === "income" || r === "transfers") continue;
    sums.set(r, (sums.get(r) ?? 0) - cents(t.total));
  }
  const positive = [...sums.entries()].filter(([, v]) => v > 0);
  const all = positive.reduce((s, [, v]) => s + v, 0);
  return positive
    .sort((a, b) => b[1] - a[1])
    .map(([category, v]) => ({ category, amount: fromCents(v), share: all ? v / all : 0 }));
}

export interface ForecastRows {
  labels: string[];
  actual: (number | null)[];
  point: (number | null)[];
  lo80: (number | null)[];
  hi80: (number | null)[];
  lo95: (number | null)[];
  hi95: (number | null)[];
}

/** History then forecast of one series, on one axis, with its bands. */
export function forecastRows(forecast: Forecast, category = "total", historyPeriods = 12): ForecastRows | undefined {
  const series = forecast.series.find((s) => s.category === category) ?? forecast.series[0];
  if (!series) return undefined;
  const history = series.history.slice(-historyPeriods);
  const n = history.length;
  const pad = (k: number) => Array<number | null>(k).fill(null);
  const last = n ? Number(history[n - 1].amount) : null;
  // The bands start at the last actual period so they join the line.
  const join = (values: number[]) => [...pad(Math.max(n - 1, 0)), ...(n ? [last] : []), ...values];
  return {
    labels: [...history.map((h) => h.period), ...series.forecast.map((p) => p.period)],
    actual: [...history.map((h) => Number(h.amount)), ...pad(series.forecast.length)],
    point: join(series.forecast.map((p) => Number(p.point))),
    lo80: join(series.forecast.map((p) => Number(p.lo80))),
    hi80: join(series.forecast.map((p) => Number(p.hi80))),
    lo95: join(series.forecast.map((p) => Number(p.lo95))),
    hi95: join(series.forecast.map((p) => Number(p.hi95))),
  };
}
