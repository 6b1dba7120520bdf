// How every widget and page shows loading, failure and empty data.
import type { ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";

export function Async<T>({
  query,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  empty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <p className="muted" role="status">Loading…</p>;
  if (query.isError) return <p className="error" role="alert">{query.error.message}</p>;
  if (empty?.(query.data)) return <p className="muted">Nothing here yet.</p>;
  return <>{children(query.data)}</>;
}
