// The pages, each loaded when first visited (code-split), behind the
// sign-in, inside the shell (navigation, theme, live alerts).
import { lazy, Suspense } from "react";
import { Route, Switch } from "wouter";

import { SessionProvider, useSession } from "./session";
import { Shell } from "./components/Shell";
import { LiveAlertsProvider } from "./live";
import { Login } from "./pages/Login";

const Overview = lazy(() => import("./pages/Overview"));
const Transactions = lazy(() => import("./pages/Transactions"));
const Insights = lazy(() => import("./pages/Insights"));
const Budgets = lazy(() => import("./pages/Budgets"));
const Goals = lazy(() => import("./pages/Goals"));
const Alerts = lazy(() => import("./pages/Alerts"));

function Pages() {
  const { state } = useSession();
  if (state === "checking") return <p className="loading" role="status">Loading…</p>;
  if (state === "signed-out") return <Login />;
  return (
    <LiveAlertsProvider>
      <Shell>
        <Suspense fallback={<p className="loading" role="status">Loading…</p>}>
          <Switch>
            <Route path="/" component={Overview} />
            <Route path="/transactions" component={Transactions} />
            <Route path="/insights" component={Insights} />
            <Route path="/budgets" component={Budgets} />
            <Route path="/goals" component={Goals} />
            <Route path="/alerts" component={Alerts} />
            <Route>
              <h1>Not found</h1>
              <p>There is no such page.</p>
            </Route>
          </Switch>
        </Suspense>
      </Shell>
    </LiveAlertsProvider>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Pages />
    </SessionProvider>
  );
}
