// Insights: the person's ranked insights as cards with the numbers behind
// them and what to do; accept, dismiss or snooze each; filter by kind and
// search.
import { useState } from "react";

import { useAnswerInsight, useInsights } from "../api/hooks";
import type { Insight } from "../api/types";
import { Async } from "../components/Async";
import { money, percent } from "../format";

const KINDS: [string, string][] = [
  ["", "All kinds"],
  ["category_spike", "Spending above usual"],
  ["price_increase", "Price rises"],
  ["new_recurring", "New recurring charges"],
  ["bill_shortfall", "Bills due"],
  ["unusual_transaction", "Unusual charges"],
  ["budget_at_risk", "Budgets at risk"],
  ["goal_off_track", "Goals off track"],
  ["savings_opportunity", "Savings opportunities"],
  ["income_change", "Income changes"],
];

export default function Insights() {
  const [kind, setKind] = useState("");
  const [search, setSearch] = useState("");
  const query = useInsights({ kind: kind || undefined, q: search || undefined, limit: 50 });

  return (
    <>
      <h1>Insights</h1>
      <form className="filters card" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. dining" />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Async query={query} empty={(items) => items.length === 0}>
        {(items) => (
          <div className="cards" data-testid="insights">
            {items.map((insight) => (
              <InsightCard key={insight.id} insight={insight} />
            ))}
          </div>
        )}
      </Async>
    </>
  );
}

function InsightCard({ insight }: { insight: Insight }) {
  const answer = useAnswerInsight();
  const answered = insight.answer ?? (answer.isSuccess ? answer.variables.response : null);
  return (
    <article className="card insight" aria-labelledby={`insight-${insight.id}`} data-kind={insight.kind}>
      <h2 id={`insight-${insight.id}`}>{insight.title}</h2>
      <p>{insight.body}</p>
      {insight.figures.length > 0 && (
        <dl className="figures">
          {insight.figures.map((f) => (
            <div key={f.name}>
              <dt>{f.name}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      )}
      <p className="action">
        <strong>What to do:</strong> {insight.action}
      </p>
      <p className="muted small">
        Worth about {money(insight.impact, insight.currency)} · {percent(insight.confidence)} confident
      </p>
      {answered ? (
        <p className="answered" role="status">
          {answered === "accept" ? "Accepted" : answered === "dismiss" ? "Dismissed" : "Snoozed for a week"}
        </p>
      ) : (
        <div className="row-actions">
          <button type="button" onClick={() => answer.mutate({ id: insight.id, response: "accept" })} disabled={answer.isPending}>
            Accept
          </button>
          <button type="button" className="quiet" onClick={() => answer.mutate({ id: insight.id, response: "snooze" })} disabled={answer.isPending}>
            Snooze
          </button>
          <button type="button" className="quiet" onClick={() => answer.mutate({ id: insight.id, response: "dismiss" })} disabled={answer.isPending}>
            Dismiss
          </button>
        </div>
      )}
      {answer.isError && (
        <p className="error" role="alert">
          {answer.error.message}
        </p>
      )}
    </article>
  );
}
