// Who is signed in: the browser session lives in HttpOnly cookies the page
// cannot read; the page learns only whether it is signed in and the CSRF
// token it must echo on writes.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";

import { api, refreshSession, setCsrfToken, ApiError } from "./api/client";

type State = "checking" | "signed-in" | "signed-out";

interface Session {
  state: State;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>("checking");
  const client = useQueryClient();

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const session = await api<{ csrf_token: string }>("GET", "/v1/auth/session");
        setCsrfToken(session.csrf_token);
        if (live) setState("signed-in");
      } catch {
        const refreshed = await refreshSession();
        if (live) setState(refreshed ? "signed-in" : "signed-out");
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const session = await api<{ csrf_token: string }>("POST", "/v1/auth/session", { email, password });
    setCsrfToken(session.csrf_token);
    client.clear();
    setState("signed-in");
  }, [client]);

  const signOut = useCallback(async () => {
    try {
      await api("DELETE", "/v1/auth/session");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    setCsrfToken(null);
    client.clear();
    setState("signed-out");
  }, [client]);

  return <SessionContext.Provider value={{ state, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
