// Alerts as they happen: one EventSource on /v1/alerts/stream (the session
// cookie authenticates it) for the whole app; new alerts go to the top of
// the cached list and are counted until the Alerts page is seen.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";

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
    const source = new EventSource("/v1/alerts/stream");
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener("alert", (event) => {
      const alert = JSON.parse((event as MessageEvent).data) as Alert;
      client.setQueryData<Alert[]>(["alerts"], (alerts) =>
        alerts ? [alert, ...alerts.filter((a) => a.id !== alert.id)] : alerts,
      );
      if (alert.kind === "budget") client.invalidateQueries({ queryKey: ["budget-status"] });
      setArrived((ids) => [alert.id, ...ids]);
      setUnseen((n) => n + 1);
    });
    return () => source.close();
  }, [client]);

  return (
    <LiveContext.Provider value={{ connected, unseen, arrived, markSeen: () => setUnseen(0) }}>
      {children}
    </LiveContext.Provider>
  );
}

export const useLiveAlerts = () => useContext(LiveContext);
