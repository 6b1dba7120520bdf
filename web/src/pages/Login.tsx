// Sign-in: email and password; the session comes back as cookies.
import { useState, type FormEvent } from "react";

import { useSession } from "../session";
import { ApiError } from "../api/client";

export function Login() {
  const { signIn } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(form.get("email")), String(form.get("password")));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Finsight did not answer; try again.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <form onSubmit={submit} className="card login-card" aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Finsight</h1>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="hint">
          After <code>finsight demo</code>, sign in as <code>demo@finsight.local</code> with the password it printed.
        </p>
      </form>
    </main>
  );
}
