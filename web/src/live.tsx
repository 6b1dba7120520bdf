// Alerts as they happen: one EventSource on /v1/alerts/stream (the session
// cookie authenticates it) for the whole app, reopened after a session
// refresh when the server refuses it; new alerts go to the top of the
// cached list and are counted until the Alerts page is seen.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";

import { refreshSession } from "./api/client";
import type { Alert } from "./api/types";

interface Live {
  connected: boolean;
  unseen: number;
  arrived: string[];
  markSeen(): void;
}

const LiveContext = createContext<Live>({ connected: false, unseen: 0, arrived: [], markSeen() {} });

export function LiveAlertsProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [arrived, setArrived] = useState<string[]>([]);
  const [unseen, setUnseen] = useState(0);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      source = new EventSource("/v1/alerts/stream");
      source.onopen = () => setConnected(true);
      source.onerror = () => {
        setConnected(false);
        // The browser retries a dropped stream by itself, but not one the
        // server refused (an access token that expired): refresh the
        // session, then open a new one.
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          retry = setTimeout(() => void refreshSession().then((ok) => ok && !stopped && connect()), 2000);
        }
      };
      source.addEventListener("alert", (event) => {
        const alert = JSON.parse((event as MessageEvent).data) as Alert;
        client.setQueryData<Alert[]>(["alerts"], (alerts) =>
          alerts ? [alert, ...alerts.filter((a) => a.id !== alert.id)] : alerts,
        );
        if (alert.kind === "budget") client.invalidateQueries({ queryKey: ["budget-status"] });
        setArrived((ids) => [alert.id, ...ids]);
        setUnseen((n) => n + 1);
      });
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [client]);

  return (
    <LiveContext.Provider value={{ connected, unseen, arrived, markSeen: () => setUnseen(0) }}>
      {children}
    </LiveContext.Provider>
  );
}

export const useLiveAlerts = () => useContext(LiveContext);
