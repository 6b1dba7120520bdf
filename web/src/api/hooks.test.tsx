import { describe, expect, it } from "vitest";
import { act, renderHook, waitFor } from "@testing-library/react";

import { useLayout, useMonthlyTotals, useSaveLayout } from "./hooks";
import { fakeApi, withQueries } from "../test-utils";

const standard = { widgets: [{ kind: "balances", width: 2, height: 1 }], saved_at: null };

describe("data hooks", () => {
  it("reads the layout and saves a new one", async () => {
    const seen = fakeApi((r) => {
      if (r.method === "GET") return { body: standard };
      return { body: { widgets: (r.body as { widgets: unknown[] }).widgets, saved_at: "2026-12-03T10:00:00Z" } };
    });
    const { wrapper, client } = withQueries();
    const { result } = renderHook(() => ({ layout: useLayout(), save: useSaveLayout() }), { wrapper });
    await waitFor(() => expect(result.current.layout.data).toEqual(standard));

    const next = [{ kind: "health", width: 4, height: 2 }];
    act(() => result.current.save.mutate(next));
    await waitFor(() => expect(client.getQueryData(["layout"])).toMatchObject({ widgets: next }));
    await waitFor(() => expect(result.current.layout.data?.saved_at).toBe("2026-12-03T10:00:00Z"));
    expect(seen.find((r) => r.method === "PUT")).toMatchObject({ path: "/v1/dashboard/layout", body: { widgets: next } });
  });

  it("rolls the layout back when the server refuses it", async () => {
    fakeApi((r) =>
      r.method === "GET" ? { body: standard } : { status: 422, body: { code: "invalid_input", message: "appears twice", field: "widgets[1].kind" } },
    );
    const { wrapper } = withQueries();
    const { result } = renderHook(() => ({ layout: useLayout(), save: useSaveLayout() }), { wrapper });
    await waitFor(() => expect(result.current.layout.data).toEqual(standard));
    act(() => result.current.save.mutate([{ kind: "x", width: 1, height: 1 }]));
    await waitFor(() => expect(result.current.save.isError).toBe(true));
    expect(result.current.layout.data).toEqual(standard);
    expect(result.current.save.error?.field).toBe("widgets[1].kind");
  });

  it("asks for the months it shows", async () => {
    const seen = fakeApi(() => ({ body: { totals: [] } }));
    const { wrapper } = withQueries();
    const { result } = renderHook(() => useMonthlyTotals(3, new Date(Date.UTC(2026, 11, 3))), { wrapper });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(seen[0].path).toBe("/v1/totals/monthly?from=2026-10-01&until=2027-01-01");
  });
});
