import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import type { UseQueryResult } from "@tanstack/react-query";

import { Async } from "./Async";
import { ApiError } from "../api/client";

const query = (state: Partial<UseQueryResult<number[]>>) => state as UseQueryResult<number[]>;

describe("Async", () => {
  it("says when it is loading, failed, empty, or shows the data", () => {
    const { rerender } = render(<Async query={query({ isPending: true })}>{() => "data"}</Async>);
    expect(screen.getByRole("status").textContent).toBe("Loading…");
    rerender(
      <Async query={query({ isPending: false, isError: true, error: new ApiError(500, "internal", "internal error") as never })}>{() => "data"}</Async>,
    );
    expect(screen.getByRole("alert").textContent).toBe("internal error");
    rerender(
      <Async query={query({ isPending: false, isError: false, data: [] })} empty={(d) => d.length === 0}>
        {() => "data"}
      </Async>,
    );
    expect(screen.getByText("Nothing here yet.")).toBeTruthy();
    rerender(<Async query={query({ isPending: false, isError: false, data: [1, 2] })}>{(d) => `${d.length} items`}</Async>);
    expect(screen.getByText("2 items")).toBeTruthy();
  });
});
