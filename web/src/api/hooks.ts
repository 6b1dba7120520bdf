// Data hooks: one per thing a page shows, cached and shared by
// react-query, each reading one API route; mutations refresh what they
// change.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, withQuery } from "./client";
import type {
  Alert,
  Balance,
  Budget,
  BudgetLineRequest,
  BudgetStatus,
  Category,
  Forecast,
  Goal,
  GoalRequest,
  Health,
  Insight,
  Layout,
  Me,
  MonthTotal,
  Projection,
  Recommendation,
  Recurring,
  ReviewEntry,
  TransactionList,
  Widget,
} from "./types";
import { monthStart } from "../format";

export const useMe = () => useQuery({ queryKey: ["me"], queryFn: () => api<Me>("GET", "/v1/me") });

export const useBalances = () =>
  useQuery({ queryKey: ["balances"], queryFn: async () => (await api<{ items: Balance[] }>("GET", "/v1/balances")).items });

/** Totals per month and category over the last `months` months (this one included). */
export function useMonthlyTotals(months: number, today = new Date()) {
  const from = monthStart(today, -(months - 1));
  const until = monthStart(today, 1);
  return useQuery({
    queryKey: ["totals", from, until],
    queryFn: async () => (await api<{ totals: MonthTotal[] }>("GET", withQuery("/v1/totals/monthly", { from, until }))).totals,
  });
}

export const useForecast = (category: string, horizon = 6) =>
  useQuery({
    queryKey: ["forecast", category, horizon],
    queryFn: () => api<Forecast>("GET", withQuery("/v1/forecasts", { category, horizon })),
    staleTime: 5 * 60_000,
  });

export const useInsights = (filter: { kind?: string; q?: string; limit?: number } = {}) =>
  useQuery({
    queryKey: ["insights", filter],
    queryFn: async () => (await api<{ items: Insight[] }>("GET", withQuery("/v1/insights", filter))).items,
  });

export const useHealth = () => useQuery({ queryKey: ["health"], queryFn: () => api<Health>("GET", "/v1/financial-health") });

export const useCategories = () =>
  useQuery({
    queryKey: ["categories"],
    queryFn: async () => (await api<{ categories: Category[] }>("GET", "/v1/categories")).categories,
    staleTime: Infinity,
  });

export interface TransactionFilter {
  from?: string;
  to?: string;
  account_id?: string;
  category?: string;
  min_amount?: string;
  max_amount?: string;
  q?: string;
}

export const useTransactions = (filter: TransactionFilter, cursor?: string) =>
  useQuery({
    queryKey: ["transactions", filter, cursor],
    queryFn: () => api<TransactionList>("GET", withQuery("/v1/transactions", { ...filter, cursor, limit: 100 })),
    placeholderData: (previous) => previous,
  });

export const useReviewQueue = () =>
  useQuery({
    queryKey: ["review-queue"],
    queryFn: async () => (await api<{ items: ReviewEntry[] }>("GET", withQuery("/v1/review-queue", { limit: 20 }))).items,
  });

export const useRecurring = () =>
  useQuery({ queryKey: ["recurring"], queryFn: async () => (await api<{ series: Recurring[] }>("GET", "/v1/recurring")).series });

export const useBudget = () => useQuery({ queryKey: ["budget"], queryFn: () => api<Budget>("GET", "/v1/budgets") });

export const useBudgetStatus = () =>
  useQuery({ queryKey: ["budget-status"], queryFn: () => api<BudgetStatus>("GET", "/v1/budgets/status") });

export const useRecommendation = (savingsAim: string | undefined, enabled: boolean) =>
  useQuery({
    queryKey: ["recommendation", savingsAim],
    queryFn: () => api<Recommendation>("GET", withQuery("/v1/budgets/recommendation", { savings_aim: savingsAim })),
    enabled,
  });

export const useGoals = () => useQuery({ queryKey: ["goals"], queryFn: async () => (await api<{ items: Goal[] }>("GET", "/v1/goals")).items });

export const useProjection = (goalId: string | undefined) =>
  useQuery({
    queryKey: ["projection", goalId],
    queryFn: () => api<Projection>("GET", `/v1/goals/${goalId}/projection`),
    enabled: Boolean(goalId),
  });

export const useAlerts = () =>
  useQuery({ queryKey: ["alerts"], queryFn: async () => (await api<{ items: Alert[] }>("GET", withQuery("/v1/alerts", { limit: 50 }))).items });

export const useLayout = () => useQuery({ queryKey: ["layout"], queryFn: () => api<Layout>("GET", "/v1/dashboard/layout") });

export function useSaveLayout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (widgets: Widget[]) => api<Layout>("PUT", "/v1/dashboard/layout", { widgets }),
    onMutate: (widgets) => {
      const previous = client.getQueryData<Layout>(["layout"]);
      client.setQueryData<Layout>(["layout"], { widgets, saved_at: previous?.saved_at });
      return { previous };
    },
    onError: (_error, _widgets, context) => client.setQueryData(["layout"], context?.previous),
    onSuccess: (layout) => client.setQueryData(["layout"], layout),
  });
}

export function useSetCategory() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, category }: { id: string; category: string }) => api("PATCH", `/v1/transactions/${id}`, { category }),
    onSuccess: () => {
      for (const key of ["transactions", "review-queue", "totals", "budget-status"]) client.invalidateQueries({ queryKey: [key] });
    },
  });
}

export function useAnswerInsight() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, response }: { id: string; response: "accept" | "dismiss" | "snooze" }) =>
      api("POST", `/v1/insights/${id}/feedback`, response === "snooze" ? { response, snooze_days: 7 } : { response }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["insights"] }),
  });
}

export function useSaveBudget() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (lines: BudgetLineRequest[]) => api<Budget>("PUT", "/v1/budgets", { lines }),
    onSuccess: (budget) => {
      client.setQueryData(["budget"], budget);
      client.invalidateQueries({ queryKey: ["budget-status"] });
    },
  });
}

export function useCreateGoal() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (goal: GoalRequest) => api<Projection>("POST", "/v1/goals", goal),
    onSuccess: () => client.invalidateQueries({ queryKey: ["goals"] }),
  });
}

export const checkGoal = (goal: GoalRequest) => api<Projection>("POST", "/v1/goals:check", goal);

export function useContribute() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, amount }: { id: string; amount: string }) => api<Goal>("POST", `/v1/goals/${id}/contributions`, { amount }),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["goals"] });
      client.invalidateQueries({ queryKey: ["projection"] });
    },
  });
}

export function useAlertFeedback() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, wasMe }: { id: string; wasMe: boolean }) => api<Alert>("POST", `/v1/alerts/${id}/feedback`, { was_me: wasMe }),
    onSuccess: (alert) =>
      client.setQueryData<Alert[]>(["alerts"], (alerts) => alerts?.map((a) => (a.id === alert.id ? alert : a))),
  });
}

declare module "@tanstack/react-query" {
  interface Register {
    defaultError: import("./client").ApiError;
  }
}
