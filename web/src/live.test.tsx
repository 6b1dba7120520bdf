import { afterEach, describe, expect, it, vi } from "vitest";
import { act, render, screen } from "@testing-library/react";

import { LiveAlertsProvider, useLiveAlerts } from "./live";
import { fakeApi, withQueries } from "./test-utils";

class FakeEventSource {
  static CLOSED = 2;
  static made: FakeEventSource[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, (event: MessageEvent) => void>();
  constructor(readonly url: string) {
    FakeEventSource.made.push(this);
  }
  addEventListener(name: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(name, listener);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
}

function Probe() {
  const live = useLiveAlerts();
  return (
    <p>
      {live.connected ? "live" : "offline"} {live.unseen} new
    </p>
  );
}

describe("live alerts", () => {
  afterEach(() => {
    FakeEventSource.made = [];
    vi.useRealTimers();
  });

  it("counts alerts as they arrive and reopens a refused stream after a refresh", async () => {
    vi.useFakeTimers();
    vi.stubGlobal("EventSource", FakeEventSource);
    const seen = fakeApi((r) => (r.path === "/v1/auth/session/refresh" ? { body: { csrf_token: "t" } } : undefined));
    const { wrapper: Wrapper } = withQueries();
    render(
      <Wrapper>
        <LiveAlertsProvider>
          <Probe />
        </LiveAlertsProvider>
      </Wrapper>,
    );
    const first = FakeEventSource.made[0];
    expect(first.url).toBe("/v1/alerts/stream");
    act(() => first.onopen?.());
    act(() =>
      first.listeners.get("alert")?.(new MessageEvent("alert", { data: JSON.stringify({ id: "a1", kind: "anomaly", reasons: [] }) })),
    );
    expect(screen.getByText("live 1 new")).toBeTruthy();

    first.readyState = FakeEventSource.CLOSED;
    act(() => first.onerror?.());
    expect(screen.getByText("offline 1 new")).toBeTruthy();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2500);
    });
    expect(seen.map((r) => r.path)).toContain("/v1/auth/session/refresh");
    expect(FakeEventSource.made).toHaveLength(2);
  });
});
