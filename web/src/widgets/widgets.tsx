// The overview's widgets: each reads its own data through a hook and
// renders real figures; WIDGETS names them for the layout editor.
import { useMemo, type ReactNode } from "react";
import { Link } from "wouter";

import {
  useAlerts,
  useBalances,
  useBudgetStatus,
  useForecast,
  useGoals,
  useHealth,
  useInsights,
  useMonthlyTotals,
  useRecurring,
} from "../api/hooks";
import { Async } from "../components/Async";
import { Chart, PALETTE } from "../charts/Chart";
import { cashFlowByMonth, forecastRows, mainCurrency, spendingByCategory } from "../data/series";
import { categoryLabel, dayLabel, money, monthLabel, monthStart, percent, plotted } from "../format";

export const WIDGETS: Record<string, { title: string; render: () => ReactNode }> = {
  balances: { title: "Balances", render: () => <Balances /> },
  health: { title: "Financial health", render: () => <Health /> },
  cash_flow: { title: "Cash flow", render: () => <CashFlow /> },
  forecast: { title: "Spending forecast", render: () => <ForecastWidget /> },
  spending: { title: "Spending by category", render: () => <Spending /> },
  insights: { title: "Top insights", render: () => <TopInsights /> },
  budget: { title: "Budget this month", render: () => <BudgetWidget /> },
  goals: { title: "Goals", render: () => <GoalsWidget /> },
  alerts: { title: "Latest alerts", render: () => <AlertsWidget /> },
  recurring: { title: "Upcoming bills", render: () => <Upcoming /> },
};

function Balances() {
  const query = useBalances();
  return (
    <Async query={query} empty={(b) => b.length === 0}>
      {(balances) => (
        <table className="compact">
          <caption className="visually-hidden">Balance of each account</caption>
          <tbody>
            {balances.map((b) => (
              <tr key={b.account.id}>
                <th scope="row">
                  {b.account.name}
                  <span className="muted small"> {b.account.kind.replace("_", " ")}</span>
                </th>
                <td className={`num ${b.balance.startsWith("-") ? "negative" : ""}`}>{money(b.balance, b.account.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Async>
  );
}

function Health() {
  const query = useHealth();
  return (
    <Async query={query}>
      {(health) => (
        <div className="health">
          <p className="score">
            <strong data-testid="health-score">{health.score}</strong>
            <span className="muted">/100 · {health.band}</span>
          </p>
          <ul className="drivers">
            {health.indicators.map((i) => (
              <li key={i.key}>
                <span>{i.name}</span>
                <meter min={0} max={100} value={i.score} aria-label={`${i.name}: ${i.score} of 100`} />
                <span className="muted small">{i.display}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Async>
  );
}

function CashFlow() {
  const query = useMonthlyTotals(24);
  const shaped = useMemo(() => {
    if (!query.data) return undefined;
    const currency = mainCurrency(query.data) ?? "USD";
    return { currency, months: cashFlowByMonth(query.data, currency) };
  }, [query.data]);
  return (
    <Async query={query} empty={(t) => t.length === 0}>
      {() =>
        shaped && (
          <Chart
            type="bar"
            zoom
            currency={shaped.currency}
            description={`Income and spending per month over ${shaped.months.length} months`}
            labels={shaped.months.map((m) => monthLabel(m.month))}
            datasets={[
              { label: "Income", data: shaped.months.map((m) => plotted(m.income)), backgroundColor: PALETTE[0] },
              { label: "Spending", data: shaped.months.map((m) => plotted(m.spending)), backgroundColor: PALETTE[1] },
            ]}
          />
        )
      }
    </Async>
  );
}

function Spending() {
  // The same answer the cash-flow widget reads (one request for both).
  const query = useMonthlyTotals(24);
  const rows = useMemo(() => {
    if (!query.data) return [];
    const currency = mainCurrency(query.data) ?? "USD";
    const thisMonth = monthStart(new Date()).slice(0, 7);
    const months = [...new Set(query.data.map((t) => t.month))].filter((m) => m < thisMonth).sort().slice(-2);
    return spendingByCategory(query.data, currency, months).map((r) => ({ ...r, currency }));
  }, [query.data]);
  return (
    <Async query={query} empty={() => rows.length === 0}>
      {() => (
        <>
          <Chart
            type="bar"
            horizontal
            currency={rows[0]?.currency}
            height={Math.max(160, rows.length * 26)}
            description="Spending per category over the last two complete months"
            labels={rows.map((r) => categoryLabel(r.category))}
            datasets={[{ label: "Spent", data: rows.map((r) => plotted(r.amount)), backgroundColor: PALETTE[2] }]}
          />
          <p className="muted small">
            Largest: {categoryLabel(rows[0]?.category)} {rows[0] && money(rows[0].amount, rows[0].currency)} ({percent(rows[0]?.share ?? 0)})
          </p>
        </>
      )}
    </Async>
  );
}

function ForecastWidget() {
  const query = useForecast("total", 6);
  const rows = useMemo(() => (query.data ? forecastRows(query.data) : undefined), [query.data]);
  return (
    <Async query={query} empty={() => !rows}>
      {(forecast) =>
        rows && (
          <Chart
            type="line"
            zoom
            currency={forecast.currency}
            description="Monthly spending: the last year and the forecast for the next six months with 80% and 95% intervals"
            labels={rows.labels.map(monthLabel)}
            datasets={[
              { label: "_hi95", data: rows.hi95, borderWidth: 0, pointRadius: 0, fill: false },
              { label: "95% interval", data: rows.lo95, borderWidth: 0, pointRadius: 0, fill: "-1", backgroundColor: "rgba(79,70,229,0.15)" },
              { label: "_hi80", data: rows.hi80, borderWidth: 0, pointRadius: 0, fill: false },
              { label: "80% interval", data: rows.lo80, borderWidth: 0, pointRadius: 0, fill: "-1", backgroundColor: "rgba(79,70,229,0.3)" },
              { label: "Spent", data: rows.actual, borderColor: PALETTE[1], backgroundColor: PALETTE[1], pointRadius: 2 },
              { label: "Forecast", data: rows.point, borderColor: PALETTE[2], backgroundColor: PALETTE[2], borderDash: [6, 4], pointRadius: 2 },
            ]}
          />
        )
      }
    </Async>
  );
}

function TopInsights() {
  const query = useInsights({ limit: 3 });
  return (
    <Async query={query} empty={(items) => items.length === 0}>
      {(items) => (
        <ul className="plain">
          {items.map((i) => (
            <li key={i.id}>
              <strong>{i.title}</strong>
              <p className="small">{i.action}</p>
            </li>
          ))}
          <li>
            <Link href="/insights">All insights</Link>
          </li>
        </ul>
      )}
    </Async>
  );
}

function BudgetWidget() {
  const query = useBudgetStatus();
  return (
    <Async query={query} empty={(s) => s.lines.length === 0}>
      {(status) => (
        <>
          <p>
            {money(status.total_spent, status.currency)} of {money(status.total_available, status.currency)} · day {status.day} of {status.days_in_month}
          </p>
          <ul className="plain">
            {status.lines.slice(0, 5).map((l) => (
              <li key={l.category} className={`level-${l.level}`}>
                <span>{categoryLabel(l.category)}</span>
                <meter min={0} max={1} low={0.8} high={0.99} optimum={0} value={Math.min(l.ratio, 1)} aria-label={`${categoryLabel(l.category)}: ${percent(l.ratio)} spent`} />
                <span className="small">{percent(l.ratio)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Async>
  );
}

function GoalsWidget() {
  const query = useGoals();
  return (
    <Async query={query} empty={(g) => g.length === 0}>
      {(goals) => (
        <ul className="plain">
          {goals.map((g) => (
            <li key={g.id}>
              <span>{g.name}</span>
              <progress max={1} value={g.progress} aria-label={`${g.name}: ${percent(g.progress)} saved`} />
              <span className="small">
                {money(g.saved, g.currency)} of {money(g.target, g.currency)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Async>
  );
}

function AlertsWidget() {
  const query = useAlerts();
  return (
    <Async query={query} empty={(a) => a.length === 0}>
      {(alerts) => (
        <ul className="plain">
          {alerts.slice(0, 4).map((a) => (
            <li key={a.id}>
              <span className="tag">{a.kind}</span> {a.reasons[0]?.text ?? "Unusual activity"}
            </li>
          ))}
        </ul>
      )}
    </Async>
  );
}

function Upcoming() {
  const query = useRecurring();
  const next = useMemo(
    () =>
      (query.data ?? [])
        .filter((r) => !r.income && r.status !== "ended")
        .sort((a, b) => a.next_date.localeCompare(b.next_date))
        .slice(0, 6),
    [query.data],
  );
  return (
    <Async query={query} empty={() => next.length === 0}>
      {() => (
        <table className="compact">
          <caption className="visually-hidden">Next recurring payments</caption>
          <tbody>
            {next.map((r) => (
              <tr key={`${r.payee}-${r.account_id}`}>
                <th scope="row">{r.payee}</th>
                <td>{dayLabel(r.next_date)}</td>
                <td className="num">{money(r.next_amount, r.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Async>
  );
}
