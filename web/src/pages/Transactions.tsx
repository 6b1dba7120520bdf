// Transactions: filter by date, account, category, amount and text; change
// a category inline (the owner's choice, which the categorizer learns
// from); the review queue of uncertain categorizations; recurring payments.
import { useState, type FormEvent } from "react";

import { useBalances, useRecurring, useReviewQueue, useSetCategory, useTransactions, type TransactionFilter } from "../api/hooks";
import { Async } from "../components/Async";
import { CategorySelect } from "../components/CategorySelect";
import { categoryLabel, dayLabel, money, percent } from "../format";

export default function Transactions() {
  const [filter, setFilter] = useState<TransactionFilter>({});
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useTransactions(filter, cursor);
  const balances = useBalances();
  const setCategory = useSetCategory();

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    setCursors([]);
    setFilter({
      from: text("from"),
      to: text("to"),
      account_id: text("account_id"),
      category: text("category"),
      min_amount: text("min_amount"),
      max_amount: text("max_amount"),
      q: text("q"),
    });
  };

  return (
    <>
      <h1>Transactions</h1>
      <form className="filters card" onSubmit={apply} aria-label="Filter transactions">
        <label>
          Search <input name="q" type="search" placeholder="Merchant or description" />
        </label>
        <label>
          From <input name="from" type="date" />
        </label>
        <label>
          To <input name="to" type="date" />
        </label>
        <label>
          Account
          <select name="account_id" defaultValue="">
            <option value="">All accounts</option>
            {balances.data?.map((b) => (
              <option key={b.account.id} value={b.account.id}>
                {b.account.name}
              </option>
            ))}
          </select>
        </label>
        <FilterCategory />
        <label>
          Min amount <input name="min_amount" inputMode="decimal" pattern="-?[0-9]+(\.[0-9]+)?" size={8} />
        </label>
        <label>
          Max amount <input name="max_amount" inputMode="decimal" pattern="-?[0-9]+(\.[0-9]+)?" size={8} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {setCategory.isError && (
        <p className="error" role="alert">
          Category not changed: {setCategory.error.message}
        </p>
      )}
      <Async query={page} empty={(p) => p.transactions.length === 0}>
        {(data) => (
          <div className="card table-wrap" tabIndex={0} role="region" aria-label="Transactions table">
            <table data-testid="transactions">
              <caption className="visually-hidden">Transactions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Description</th>
                  <th scope="col">Category</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.transactions.map((t) => (
                  <tr key={t.id}>
                    <td>{dayLabel(t.posted_on)}</td>
                    <td>
                      {t.merchant ?? t.description}
                      {t.merchant && <span className="muted small"> {t.description}</span>}
                    </td>
                    <td>
                      <CategorySelect
                        label={`Category of ${t.merchant ?? t.description} on ${t.posted_on}`}
                        value={t.category ?? ""}
                        disabled={setCategory.isPending}
                        onChange={(category) => category && setCategory.mutate({ id: t.id, category })}
                      />
                    </td>
                    <td className={`num ${t.amount.startsWith("-") ? "" : "positive"}`}>{money(t.amount, t.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="pager">
              <button type="button" className="quiet" disabled={!cursor} onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer
              </button>
              <button type="button" className="quiet" disabled={!data.next_cursor} onClick={() => data.next_cursor && setCursors([...cursors, data.next_cursor])}>
                Older
              </button>
            </div>
          </div>
        )}
      </Async>
      <ReviewQueue />
      <RecurringPayments />
    </>
  );
}

function FilterCategory() {
  const [value, setValue] = useState("");
  return (
    <label>
      Category
      <input type="hidden" name="category" value={value} />
      <CategorySelect label="Category filter" value={value} onChange={setValue} allowEmpty="All categories" />
    </label>
  );
}

function ReviewQueue() {
  const query = useReviewQueue();
  const setCategory = useSetCategory();
  return (
    <section className="card" aria-labelledby="review-title">
      <h2 id="review-title">To review</h2>
      <p className="muted small">Categories the model was unsure of. Confirming or correcting one teaches it.</p>
      <Async query={query} empty={(items) => items.length === 0}>
        {(items) => (
          <ul className="plain review" data-testid="review-queue">
            {items.map((entry) => (
              <li key={entry.transaction.id}>
                <span>
                  {dayLabel(entry.transaction.posted_on)} · {entry.transaction.merchant ?? entry.transaction.description} ·{" "}
                  {money(entry.transaction.amount, entry.transaction.currency)}
                </span>
                <span className="muted small">
                  suggested {categoryLabel(entry.suggested_category)} ({percent(entry.confidence)} sure)
                </span>
                <span className="row-actions">
                  <button type="button" onClick={() => setCategory.mutate({ id: entry.transaction.id, category: entry.suggested_category })}>
                    Confirm
                  </button>
                  <CategorySelect
                    label={`Correct the category of ${entry.transaction.merchant ?? entry.transaction.description}`}
                    value=""
                    allowEmpty="Correct to…"
                    onChange={(category) => category && setCategory.mutate({ id: entry.transaction.id, category })}
                  />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}

function RecurringPayments() {
  const query = useRecurring();
  return (
    <section className="card" aria-labelledby="recurring-title">
      <h2 id="recurring-title">Recurring payments</h2>
      <Async query={query} empty={(s) => s.length === 0}>
        {(series) => (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Recurring payments table">
            <table data-testid="recurring">
              <caption className="visually-hidden">Recurring payments with their next date and price changes</caption>
              <thead>
                <tr>
                  <th scope="col">Payee</th>
                  <th scope="col">Every</th>
                  <th scope="col">Next</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">Price changes</th>
                </tr>
              </thead>
              <tbody>
                {series.map((r) => (
                  <tr key={`${r.payee}-${r.account_id}-${r.first_date}`}>
                    <th scope="row">
                      {r.payee} {r.income && <span className="tag">income</span>}
                    </th>
                    <td>{r.cadence}</td>
                    <td>{r.status === "active" ? dayLabel(r.next_date) : r.status}</td>
                    <td className="num">{money(r.next_amount, r.currency)}</td>
                    <td>
                      {r.price_changes.length === 0
                        ? "—"
                        : r.price_changes.map((c) => `${dayLabel(c.date)}: ${money(c.from, r.currency)} → ${money(c.to, r.currency)}`).join("; ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </section>
  );
}
