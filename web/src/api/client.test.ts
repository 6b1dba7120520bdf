import { beforeEach, describe, expect, it } from "vitest";

import { api, ApiError, setCsrfToken, withQuery } from "./client";
import { fakeApi } from "../test-utils";

describe("api client", () => {
  beforeEach(() => setCsrfToken("token-1"));

  it("sends the CSRF token on writes only", async () => {
    const seen = fakeApi(() => ({ body: { ok: true } }));
    await api("GET", "/v1/me");
    await api("PUT", "/v1/dashboard/layout", { widgets: [] });
    expect(seen[0].headers["X-CSRF-Token"]).toBeUndefined();
    expect(seen[1].headers["X-CSRF-Token"]).toBe("token-1");
    expect(seen[1].headers["Content-Type"]).toBe("application/json");
  });

  it("refreshes the session once on a 401 and retries with the new token", async () => {
    let expired = true;
    const seen = fakeApi((r) => {
      if (r.path === "/v1/auth/session/refresh") {
        expired = false;
        return { body: { csrf_token: "token-2" } };
      }
      return expired ? { status: 401, body: { code: "unauthenticated", message: "authentication required" } } : { body: { saved: true } };
    });
    expect(await api("POST", "/v1/goals", { name: "x" })).toEqual({ saved: true });
    expect(seen.map((r) => r.path)).toEqual(["/v1/goals", "/v1/auth/session/refresh", "/v1/goals"]);
    expect(seen[1].headers["X-Requested-With"]).toBeDefined();
    expect(seen[2].headers["X-CSRF-Token"]).toBe("token-2");
  });

  it("throws the API's error with its field", async () => {
    fakeApi(() => ({ status: 422, body: { code: "invalid_input", message: "must be after today", field: "target_date" } }));
    const error = await api("POST", "/v1/goals:check", {}).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, field: "target_date", message: "must be after today" });
  });

  it("leaves empty parameters out of the query", () => {
    expect(withQuery("/v1/insights", { kind: "", q: "dining", limit: 3, x: undefined })).toBe("/v1/insights?q=dining&limit=3");
  });
});
