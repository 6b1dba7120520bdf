// The budget editor's lines: grouped, ordered, moved between groups by
// drag-and-drop, and turned into the request the server takes.
import type { BudgetLineRequest, Recommendation } from "../api/types";

export interface EditLine {
  category: string;
  amount: string;
  rollover: boolean;
  group: string;
}

/** Group names in the order they first appear. */
export function groupsOf(lines: EditLine[], extra: string[] = []): string[] {
  return [...new Set([...lines.map((l) => l.group), ...extra])];
}

/**
 * Moves `category` into `group`, before `before` (a category of that
 * group) or at the group's end.
 */
export function moveLine(lines: EditLine[], category: string, group: string, before: string | null): EditLine[] {
  const line = lines.find((l) => l.category === category);
  if (!line) return lines;
  const rest = lines.filter((l) => l.category !== category);
  const moved = { ...line, group };
  let at = before ? rest.findIndex((l) => l.category === before) : -1;
  if (at < 0) {
    const lastOfGroup = rest.map((l) => l.group).lastIndexOf(group);
    at = lastOfGroup < 0 ? rest.length : lastOfGroup + 1;
  }
  return [...rest.slice(0, at), moved, ...rest.slice(at)];
}

/**
 * Where a drag ends: on another line or on a group. Within its own group
 * the line takes the place of the one it was dropped on (before it when
 * moving up, after it when moving down); in another group it goes before
 * that line, or at the group's end when dropped on the group itself.
 */
export function dropLine(lines: EditLine[], category: string, target: { line: string } | { group: string }): EditLine[] {
  if ("group" in target) return moveLine(lines, category, target.group, null);
  const from = lines.findIndex((l) => l.category === category);
  const to = lines.findIndex((l) => l.category === target.line);
  if (from < 0 || to < 0 || from === to) return lines;
  if (lines[from].group === lines[to].group) {
    const next = [...lines];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved);
    return next;
  }
  return moveLine(lines, category, lines[to].group, target.line);
}

/** What PUT /v1/budgets takes: positions counted within each group. */
export function toRequest(lines: EditLine[]): BudgetLineRequest[] {
  const seen = new Map<string, number>();
  return lines.map((l) => {
    const position = seen.get(l.group) ?? 0;
    seen.set(l.group, position + 1);
    return { category: l.category, amount: l.amount, rollover: l.rollover, group: l.group, position };
  });
}

/** A recommendation as editable lines: essentials first, then the rest. */
export function fromRecommendation(recommendation: Recommendation): EditLine[] {
  const lines = recommendation.lines.map((l) => ({
    category: l.category,
    amount: l.amount,
    rollover: l.flexibility !== "essential",
    group: l.flexibility === "essential" ? "Essentials" : "Flexible",
  }));
  return [...lines.filter((l) => l.group === "Essentials"), ...lines.filter((l) => l.group !== "Essentials")];
}
