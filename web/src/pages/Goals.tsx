// Goals: a wizard (what and how much → by when → Finsight's check: can the
// free cash flow carry it, the monthly amount, the chance, a date that
// works) that saves the goal; each goal's progress with milestones, chance
// of success and strategies; a celebration when one is reached, with
// what to aim for next.
import { useState, type FormEvent } from "react";

import { checkGoal, useContribute, useCreateGoal, useGoals, useHealth, useProjection } from "../api/hooks";
import { ApiError } from "../api/client";
import type { Goal, GoalRequest, Projection } from "../api/types";
import { Async } from "../components/Async";
import { dayLabel, money, percent } from "../format";

export default function Goals() {
  const goals = useGoals();
  const [celebrating, setCelebrating] = useState<Goal | null>(null);
  return (
    <>
      <h1>Goals</h1>
      {celebrating && <Celebration goal={celebrating} onClose={() => setCelebrating(null)} />}
      <Wizard />
      <Async query={goals} empty={(g) => g.length === 0}>
        {(items) => (
          <div className="cards" data-testid="goals">
            {items.map((goal) => (
              <GoalCard key={goal.id} goal={goal} onReached={setCelebrating} />
            ))}
          </div>
        )}
      </Async>
    </>
  );
}

type Step = "what" | "when" | "check";

function Wizard() {
  const [step, setStep] = useState<Step>("what");
  const [draft, setDraft] = useState<GoalRequest>({ name: "", target: "", target_date: "", saved: "" });
  const [check, setCheck] = useState<Projection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = useCreateGoal();

  const request = (d: GoalRequest): GoalRequest => ({ ...d, saved: d.saved?.trim() ? d.saved.trim() : undefined });
  const runCheck = async (d: GoalRequest) => {
    setError(null);
    try {
      setCheck(await checkGoal(request(d)));
      setStep("check");
    } catch (e) {
      setError(e instanceof ApiError ? `${e.field ? `${e.field}: ` : ""}${e.message}` : String(e));
    }
  };
  const next = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (step === "what") setStep("when");
    else void runCheck(draft);
  };
  const restart = () => {
    setStep("what");
    setDraft({ name: "", target: "", target_date: "", saved: "" });
    setCheck(null);
    create.reset();
  };

  return (
    <section className="card wizard" aria-labelledby="wizard-title">
      <h2 id="wizard-title">New goal</h2>
      <ol className="steps" aria-label="Steps">
        {(["what", "when", "check"] as Step[]).map((s, i) => (
          <li key={s} aria-current={step === s ? "step" : undefined}>
            {i + 1}. {s === "what" ? "What" : s === "when" ? "When" : "Check"}
          </li>
        ))}
      </ol>
      {create.isSuccess ? (
        <div role="status">
          <p>
            Saved “{create.data.goal.name}”. Put aside {money(create.data.required_monthly, create.data.goal.currency)} a month to reach it.
          </p>
          <button type="button" onClick={restart}>
            Another goal
          </button>
        </div>
      ) : step === "check" && check ? (
        <CheckResult
          check={check}
          onBack={() => setStep("when")}
          onUseDate={(date) => {
            const d = { ...draft, target_date: date };
            setDraft(d);
            void runCheck(d);
          }}
          onSave={() => create.mutate(request(draft))}
          saving={create.isPending}
        />
      ) : (
        <form onSubmit={next}>
          {step === "what" ? (
            <>
              <label>
                Goal name <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="Holiday in Portugal" />
              </label>
              <label>
                Amount <input required inputMode="decimal" pattern="[0-9]+(\.[0-9]{1,2})?" value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.target.value })} />
              </label>
              <label>
                Already saved <input inputMode="decimal" pattern="[0-9]+(\.[0-9]{1,2})?" value={draft.saved ?? ""} onChange={(e) => setDraft({ ...draft, saved: e.target.value })} placeholder="0" />
              </label>
              <button type="submit">Next</button>
            </>
          ) : (
            <>
              <label>
                Reach it by <input required type="date" value={draft.target_date} onChange={(e) => setDraft({ ...draft, target_date: e.target.value })} />
              </label>
              <div className="row-actions">
                <button type="button" className="quiet" onClick={() => setStep("what")}>
                  Back
                </button>
                <button type="submit">Check it</button>
              </div>
            </>
          )}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
      {create.isError && (
        <p className="error" role="alert">
          {create.error.message}
        </p>
      )}
    </section>
  );
}

function CheckResult({
  check,
  onBack,
  onUseDate,
  onSave,
  saving,
}: {
  check: Projection;
  onBack(): void;
  onUseDate(date: string): void;
  onSave(): void;
  saving: boolean;
}) {
  const currency = check.goal.currency;
  return (
    <div className="check" data-testid="goal-check">
      <p className={check.feasible ? "good" : "warn"} role="status">
        {check.feasible ? "Within reach." : "Out of reach by that date."} It needs {money(check.required_monthly, currency)} a month for{" "}
        {check.months_left} months; your free cash flow is about {money(check.free_cash_flow, currency)} a month.
      </p>
      <p>
        Chance of reaching it: <strong>{percent(check.probability)}</strong>
      </p>
      {check.suggested_date && (
        <p>
          A date that works: {dayLabel(check.suggested_date)}{" "}
          <button type="button" className="quiet" onClick={() => onUseDate(check.suggested_date!)}>
            Use this date
          </button>
        </p>
      )}
      {check.suggested_target && Number(check.suggested_target) > 0 && <p>Or aim for {money(check.suggested_target, currency)} by your date.</p>}
      <Strategies projection={check} />
      <div className="row-actions">
        <button type="button" className="quiet" onClick={onBack}>
          Back
        </button>
        <button type="button" onClick={onSave} disabled={saving}>
          {saving ? "Saving…" : "Save goal"}
        </button>
      </div>
    </div>
  );
}

function Strategies({ projection }: { projection: Projection }) {
  if (projection.strategies.length === 0) return null;
  return (
    <>
      <h3>Ways to get there</h3>
      <ul className="plain">
        {projection.strategies.map((s) => (
          <li key={s.category}>{s.explanation}</li>
        ))}
      </ul>
    </>
  );
}

function GoalCard({ goal, onReached }: { goal: Goal; onReached(goal: Goal): void }) {
  const [open, setOpen] = useState(false);
  const projection = useProjection(open ? goal.id : undefined);
  const contribute = useContribute();
  const [amount, setAmount] = useState("");
  const reached = goal.progress >= 1;
  return (
    <article className="card goal" aria-labelledby={`goal-${goal.id}`}>
      <h2 id={`goal-${goal.id}`}>
        {goal.name} {reached && <span className="tag good">reached</span>}
      </h2>
      <p>
        {money(goal.saved, goal.currency)} of {money(goal.target, goal.currency)} by {dayLabel(goal.target_date)}
      </p>
      <progress max={1} value={Math.min(goal.progress, 1)} aria-label={`${goal.name}: ${percent(goal.progress)} saved`} />
      <ol className="milestones" aria-label="Milestones">
        {goal.milestones.map((m) => (
          <li key={m.percent} className={m.reached ? "reached" : ""}>
            {m.percent}% {m.reached ? "✓" : ""}
          </li>
        ))}
      </ol>
      {!reached && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            contribute.mutate(
              { id: goal.id, amount },
              {
                onSuccess: (updated) => {
                  setAmount("");
                  if (updated.progress >= 1) onReached(updated);
                },
              },
            );
          }}
        >
          <label>
            Add money <input value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="decimal" size={8} required />
          </label>
          <button type="submit" disabled={contribute.isPending}>
            Add
          </button>
        </form>
      )}
      {contribute.isError && (
        <p className="error" role="alert">
          {contribute.error.message}
        </p>
      )}
      <button type="button" className="quiet" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "Hide the outlook" : "Outlook"}
      </button>
      {open && (
        <Async query={projection}>
          {(p) => (
            <div className="check">
              <p>
                Chance of success: <strong>{percent(p.probability)}</strong> · needs {money(p.required_monthly, goal.currency)} a month (
                {p.feasible ? "within" : "beyond"} your free cash flow of {money(p.free_cash_flow, goal.currency)})
              </p>
              {p.suggested_date && <p>On your current cash flow: {dayLabel(p.suggested_date)}.</p>}
              <Strategies projection={p} />
            </div>
          )}
        </Async>
      )}
    </article>
  );
}

function Celebration({ goal, onClose }: { goal: Goal; onClose(): void }) {
  const health = useHealth();
  const fund = health.data?.emergency_fund;
  const suggestions: string[] = [];
  if (fund && fund.coverage < 1) {
    suggestions.push(`An emergency fund of ${money(fund.recommended, health.data!.currency)} (you have ${percent(fund.coverage)} of it)`);
  }
  suggestions.push(`Keep saving the same each month: another ${money(goal.target, goal.currency)} goal`);
  if (health.data) {
    const weakest = [...health.data.indicators].sort((a, b) => a.score - b.score)[0];
    if (weakest) suggestions.push(`${weakest.name}: ${weakest.improve}`);
  }
  return (
    <section className="card celebration" role="status" aria-labelledby="celebrate-title">
      <div className="confetti" aria-hidden="true">
        {Array.from({ length: 24 }, (_, i) => (
          <span key={i} style={{ left: `${(i * 37) % 100}%`, animationDelay: `${(i % 6) * 0.15}s` }} />
        ))}
      </div>
      <h2 id="celebrate-title">You reached “{goal.name}”!</h2>
      <p>
        {money(goal.saved, goal.currency)} saved. What next?
      </p>
      <ul>
        {suggestions.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </section>
  );
}
