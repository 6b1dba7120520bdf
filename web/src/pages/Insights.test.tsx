import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";

import Insights from "./Insights";
import { fakeApi, withQueries } from "../test-utils";

const insight = {
  id: "5b8f0c2e-0000-4000-8000-000000000001",
  kind: "category_spike",
  title: "Dining 40% above usual",
  body: "You spent 420.00 on dining this month against a usual 300.00.",
  action: "Set a dining budget",
  impact: "120.00",
  currency: "GBP",
  confidence: 0.8,
  expected_rate: 0.5,
  score: 1.2,
  figures: [{ name: "this month", value: "420.00" }],
  answer: null,
};

describe("Insights page", () => {
  it("shows each insight's numbers and records an accept", async () => {
    const seen = fakeApi((r) => {
      if (r.path.startsWith("/v1/insights?")) return { body: { items: [insight] } };
      if (r.path.endsWith("/feedback")) return { body: { insight_id: insight.id, response: "accept" } };
      return undefined;
    });
    const { wrapper: Wrapper } = withQueries();
    render(
      <Wrapper>
        <Insights />
      </Wrapper>,
    );
    expect(await screen.findByRole("heading", { name: insight.title })).toBeTruthy();
    expect(screen.getByText("420.00")).toBeTruthy();
    expect(screen.getByText(/Worth about £120\.00/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Accept" }));
    await waitFor(() => expect(seen.some((r) => r.method === "POST")).toBe(true));
    expect(seen.find((r) => r.method === "POST")).toMatchObject({
      path: `/v1/insights/${insight.id}/feedback`,
      body: { response: "accept" },
    });
    expect(await screen.findByText("Accepted")).toBeTruthy();
  });

  it("passes the search and kind to the API", async () => {
    const seen = fakeApi(() => ({ body: { items: [] } }));
    const { wrapper: Wrapper } = withQueries();
    render(
      <Wrapper>
        <Insights />
      </Wrapper>,
    );
    fireEvent.change(screen.getByLabelText("Kind"), { target: { value: "price_increase" } });
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "netflix" } });
    await waitFor(() => expect(seen.some((r) => r.path.includes("kind=price_increase") && r.path.includes("q=netflix"))).toBe(true));
  });
});
