// Money stays a decimal string from the API to the screen: Intl formats
// the string itself (no float in between). Charts alone take numbers.

const formats = new Map<string, Intl.NumberFormat>();

function format(currency: string, compact: boolean): Intl.NumberFormat {
  const key = `${currency}:${compact}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(undefined, {
      style: "currency",
      currency,
      ...(compact ? { maximumFractionDigits: 0 } : {}),
    });
    formats.set(key, f);
  }
  return f;
}

/** "-1234.50" in GBP → "-£1,234.50". */
export function money(amount: string, currency: string, compact = false): string {
  return format(currency, compact).format(amount as unknown as number);
}

/** For plotting only. */
export function plotted(amount: string): number {
  return Number(amount);
}

export function percent(ratio: number, digits = 0): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** "2026-03" or "2026-03-01" → "Mar 2026". */
export function monthLabel(period: string): string {
  const [year, month] = period.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
}

export function dayLabel(day: string): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date)).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

/** "dining.coffee" → "Dining › Coffee". */
export function categoryLabel(id: string | null | undefined): string {
  if (!id) return "Uncategorized";
  return id
    .split(".")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).replaceAll("_", " "))
    .join(" › ");
}

/** The first day of the month `offset` months from `day`'s month (YYYY-MM-DD). */
export function monthStart(day: Date, offset = 0): string {
  const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + offset, 1));
  return d.toISOString().slice(0, 10);
}
