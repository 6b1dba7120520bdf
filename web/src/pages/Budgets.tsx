// Budgets: a recommendation that meets a savings aim, explained line by
// line; an editor (amounts, rollover, groups — drag a category between
// groups or within one); this month's budget against what was spent; the
// budget alerts and proposed adjustments.
import { useEffect, useMemo, useState } from "react";
import {
  closestCorners,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";

import { useAlerts, useBudget, useBudgetStatus, useRecommendation, useSaveBudget } from "../api/hooks";
import { Async } from "../components/Async";
import { CategorySelect } from "../components/CategorySelect";
import { Chart, PALETTE } from "../charts/Chart";
import { dropLine, fromRecommendation, groupsOf, moveLine, toRequest, type EditLine } from "../data/budget";
import { categoryLabel, money, percent, plotted } from "../format";

export default function Budgets() {
  const budget = useBudget();
  const [lines, setLines] = useState<EditLine[] | null>(null);

  useEffect(() => {
    if (budget.data && lines === null) {
      setLines(budget.data.lines.map((l) => ({ category: l.category, amount: l.amount, rollover: l.rollover, group: l.group })));
    }
  }, [budget.data, lines]);

  return (
    <>
      <h1>Budgets</h1>
      <Recommend onUse={(recommended) => setLines(recommended)} />
      <Async query={budget}>
        {(b) => lines && <Editor lines={lines} setLines={setLines} currency={b.currency} />}
      </Async>
      <Status />
      <BudgetAlerts />
    </>
  );
}

function Recommend({ onUse }: { onUse(lines: EditLine[]): void }) {
  const [aim, setAim] = useState("");
  const [asked, setAsked] = useState<string | undefined>();
  const [open, setOpen] = useState(false);
  const query = useRecommendation(asked, open);
  return (
    <section className="card" aria-labelledby="recommend-title">
      <h2 id="recommend-title">Recommended budget</h2>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked(aim.trim() || undefined);
          setOpen(true);
        }}
      >
        <label>
          Save each month <input value={aim} onChange={(e) => setAim(e.target.value)} inputMode="decimal" placeholder="10% of income" size={10} />
        </label>
        <button type="submit">Recommend</button>
      </form>
      {open && (
        <Async query={query}>
          {(rec) => (
            <>
              <p role="status">
                {rec.feasible ? (
                  <>
                    Saves {money(rec.planned_saving, rec.currency)} of {money(rec.income, rec.currency)} income.
                  </>
                ) : (
                  <>
                    Saving {money(rec.savings_aim, rec.currency)} is out of reach: at most {money(rec.best_saving, rec.currency)} with every line at its
                    floor.
                  </>
                )}
              </p>
              <table className="compact" data-testid="recommendation">
                <caption className="visually-hidden">Recommended amount per category with the reason</caption>
                <thead>
                  <tr>
                    <th scope="col">Category</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {rec.lines.map((l) => (
                    <tr key={l.category}>
                      <th scope="row">{categoryLabel(l.category)}</th>
                      <td className="num">{money(l.amount, rec.currency)}</td>
                      <td className="small">{l.explanation}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button type="button" onClick={() => onUse(fromRecommendation(rec))}>
                Use this budget
              </button>
            </>
          )}
        </Async>
      )}
    </section>
  );
}

function Editor({ lines, setLines, currency }: { lines: EditLine[]; setLines(lines: EditLine[]): void; currency: string }) {
  const save = useSaveBudget();
  const [extraGroups, setExtraGroups] = useState<string[]>([]);
  const [newGroup, setNewGroup] = useState("");
  const [adding, setAdding] = useState("");
  const groups = groupsOf(lines, extraGroups.length ? extraGroups : lines.length ? [] : ["Essentials", "Flexible"]);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const total = useMemo(() => lines.reduce((sum, l) => sum + Math.round(Number(l.amount || 0) * 100), 0), [lines]);

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const target = String(over.id);
    setLines(dropLine(lines, String(active.id), target.startsWith("group:") ? { group: target.slice(6) } : { line: target }));
  };
  const update = (category: string, change: Partial<EditLine>) => setLines(lines.map((l) => (l.category === category ? { ...l, ...change } : l)));

  return (
    <section className="card" aria-labelledby="editor-title">
      <div className="page-head">
        <h2 id="editor-title">Your budget</h2>
        <span className="muted">{money((total / 100).toFixed(2), currency)} a month</span>
      </div>
      <p className="muted small">Drag a category by its handle to another group or place (or focus the handle and use the arrow keys).</p>
      <DndContext sensors={sensors} collisionDetection={closestCorners} onDragEnd={onDragEnd}>
        <div className="groups">
          {groups.map((group) => (
            <Group key={group} group={group} lines={lines.filter((l) => l.group === group)} groups={groups} update={update} remove={(c) => setLines(lines.filter((l) => l.category !== c))} move={(c, g) => setLines(moveLine(lines, c, g, null))} />
          ))}
        </div>
      </DndContext>
      <div className="toolbar">
        <label>
          New group <input value={newGroup} onChange={(e) => setNewGroup(e.target.value)} size={12} />
        </label>
        <button
          type="button"
          className="quiet"
          disabled={!newGroup.trim() || groups.includes(newGroup.trim())}
          onClick={() => {
            setExtraGroups([...extraGroups, newGroup.trim()]);
            setNewGroup("");
          }}
        >
          Add group
        </button>
        <CategorySelect label="Category to add" value={adding} allowEmpty="Add a category…" onChange={setAdding} />
        <button
          type="button"
          className="quiet"
          disabled={!adding || lines.some((l) => l.category === adding)}
          onClick={() => {
            setLines([...lines, { category: adding, amount: "0.00", rollover: false, group: groups[groups.length - 1] ?? "Flexible" }]);
            setAdding("");
          }}
        >
          Add line
        </button>
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => save.mutate(toRequest(lines))} disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save budget"}
        </button>
        {save.isSuccess && <span role="status">Saved.</span>}
        {save.isError && (
          <span className="error" role="alert">
            {save.error.message}
            {save.error.field ? ` (${save.error.field})` : ""}
          </span>
        )}
      </div>
    </section>
  );
}

function Group({
  group,
  lines,
  groups,
  update,
  remove,
  move,
}: {
  group: string;
  lines: EditLine[];
  groups: string[];
  update(category: string, change: Partial<EditLine>): void;
  remove(category: string): void;
  move(category: string, group: string): void;
}) {
  const droppable = useDroppable({ id: `group:${group}` });
  return (
    <div ref={droppable.setNodeRef} className={`group${droppable.isOver ? " over" : ""}`} data-group={group}>
      <h3>{group}</h3>
      <SortableContext items={lines.map((l) => l.category)} strategy={verticalListSortingStrategy}>
        <ul className="plain lines">
          {lines.map((line) => (
            <Line key={line.category} line={line} groups={groups} update={update} remove={remove} move={move} />
          ))}
          {lines.length === 0 && <li className="muted small">Drop a category here</li>}
        </ul>
      </SortableContext>
    </div>
  );
}

function Line({
  line,
  groups,
  update,
  remove,
  move,
}: {
  line: EditLine;
  groups: string[];
  update(category: string, change: Partial<EditLine>): void;
  remove(category: string): void;
  move(category: string, group: string): void;
}) {
  const sortable = useSortable({ id: line.category });
  const name = categoryLabel(line.category);
  return (
    <li
      ref={sortable.setNodeRef}
      className={`line${sortable.isDragging ? " dragging" : ""}`}
      style={{ transform: CSS.Transform.toString(sortable.transform), transition: sortable.transition }}
      data-category={line.category}
    >
      <button type="button" className="icon handle" aria-label={`Drag ${name}`} {...sortable.attributes} {...sortable.listeners}>
        ⠿
      </button>
      <span className="line-name">{name}</span>
      <label>
        <span className="visually-hidden">Amount for {name}</span>
        <input value={line.amount} onChange={(e) => update(line.category, { amount: e.target.value })} inputMode="decimal" size={8} />
      </label>
      <label className="small">
        <input type="checkbox" checked={line.rollover} onChange={(e) => update(line.category, { rollover: e.target.checked })} /> roll over
      </label>
      <label>
        <span className="visually-hidden">Group of {name}</span>
        <select value={line.group} onChange={(e) => move(line.category, e.target.value)}>
          {groups.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="icon" aria-label={`Remove ${name}`} onClick={() => remove(line.category)}>
        ×
      </button>
    </li>
  );
}

function Status() {
  const query = useBudgetStatus();
  return (
    <section className="card" aria-labelledby="status-title">
      <h2 id="status-title">This month</h2>
      <Async query={query} empty={(s) => s.lines.length === 0}>
        {(status) => (
          <>
            <p>
              Spent {money(status.total_spent, status.currency)} of {money(status.total_available, status.currency)} on day {status.day} of{" "}
              {status.days_in_month}.
            </p>
            <Chart
              type="bar"
              currency={status.currency}
              height={Math.max(200, status.lines.length * 30)}
              horizontal
              description="Budget available against spent so far this month, per category"
              labels={status.lines.map((l) => categoryLabel(l.category))}
              datasets={[
                { label: "Available", data: status.lines.map((l) => plotted(l.available)), backgroundColor: PALETTE[0] },
                { label: "Spent", data: status.lines.map((l) => plotted(l.spent)), backgroundColor: PALETTE[3] },
              ]}
            />
            <ul className="plain" data-testid="budget-status">
              {status.lines
                .filter((l) => l.level !== "under" || l.projected_overrun)
                .map((l) => (
                  <li key={l.category} className={`level-${l.level}`}>
                    <strong>{categoryLabel(l.category)}</strong>: {percent(l.ratio)} spent
                    {l.projected_overrun && l.projected ? `, on pace for ${money(l.projected, status.currency)}` : ""}
                  </li>
                ))}
            </ul>
            {status.proposals.length > 0 && (
              <>
                <h3>Suggested changes</h3>
                <ul className="plain">
                  {status.proposals.map((p) => (
                    <li key={p.category}>
                      {categoryLabel(p.category)}: {money(p.current, status.currency)} → {money(p.proposed, status.currency)} — {p.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </Async>
    </section>
  );
}

function BudgetAlerts() {
  const query = useAlerts();
  return (
    <section className="card" aria-labelledby="budget-alerts-title">
      <h2 id="budget-alerts-title">Budget alerts</h2>
      <Async query={query} empty={(alerts) => !alerts.some((a) => a.kind === "budget")}>
        {(alerts) => (
          <ul className="plain">
            {alerts
              .filter((a) => a.kind === "budget")
              .slice(0, 10)
              .map((a) => (
                <li key={a.id}>{a.reasons[0]?.text}</li>
              ))}
          </ul>
        )}
      </Async>
    </section>
  );
}
