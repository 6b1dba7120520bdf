// Helpers for component and hook tests: a fake API behind fetch that
// records every request, and a fresh query cache per render.
import type { ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { vi } from "vitest";

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Route = (request: Recorded) => { status?: number; body?: unknown } | undefined;

/** Stubs fetch with `route`; answers 404 for what it does not know. */
export function fakeApi(route: Route): Recorded[] {
  const seen: Recorded[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const request: Recorded = {
        method: init.method ?? "GET",
        path: input,
        headers: (init.headers as Record<string, string>) ?? {},
        body: init.body ? JSON.parse(String(init.body)) : undefined,
      };
      seen.push(request);
      const answer = route(request) ?? { status: 404, body: { code: "not_found", message: "no such route" } };
      const status = answer.status ?? 200;
      return new Response(status === 204 ? null : JSON.stringify(answer.body ?? {}), {
        status,
        headers: { "content-type": "application/json" },
      });
    }),
  );
  return seen;
}

export function withQueries() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return {
    client,
    wrapper: ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>,
  };
}
