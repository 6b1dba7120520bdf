// The frame of every page: skip link, navigation (a bar on wide screens,
// a scrolling strip on phones), theme switch, sign-out, and the count of
// live alerts not yet seen.
import { useState, type ReactNode } from "react";
import { Link, useLocation } from "wouter";

import { useSession } from "../session";
import { useLiveAlerts } from "../live";
import { applyTheme, storedTheme, type Theme } from "../theme";

const PAGES = [
  ["/", "Overview"],
  ["/transactions", "Transactions"],
  ["/insights", "Insights"],
  ["/budgets", "Budgets"],
  ["/goals", "Goals"],
  ["/alerts", "Alerts"],
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const [location] = useLocation();
  const { signOut } = useSession();
  const { unseen } = useLiveAlerts();
  const [theme, setTheme] = useState<Theme>(storedTheme);

  const chooseTheme = (next: Theme) => {
    applyTheme(next);
    setTheme(next);
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand" aria-hidden="true">
          Finsight
        </span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={location === href ? "page" : undefined}>
                  {label}
                  {href === "/alerts" && unseen > 0 && (
                    <span className="badge" aria-label={`${unseen} new`}>
                      {unseen}
                    </span>
                  )}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-actions">
          <label className="theme">
            <span className="visually-hidden">Theme</span>
            <select value={theme} onChange={(e) => chooseTheme(e.target.value as Theme)}>
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <button type="button" className="quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
