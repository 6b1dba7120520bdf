// Alerts: anomaly, budget and goal alerts, newest first, arriving live
// over server-sent events; for unusual charges, "this was me" / "not me"
// (which tunes the person's threshold).
import { useEffect } from "react";

import { useAlertFeedback, useAlerts } from "../api/hooks";
import type { Alert } from "../api/types";
import { Async } from "../components/Async";
import { useLiveAlerts } from "../live";
import { percent } from "../format";

export default function Alerts() {
  const query = useAlerts();
  const live = useLiveAlerts();
  const { markSeen } = live;
  useEffect(() => markSeen(), [markSeen, live.unseen]);
  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        <span className={`live ${live.connected ? "on" : ""}`} role="status">
          {live.connected ? "Live" : "Connecting…"}
        </span>
      </div>
      <Async query={query} empty={(a) => a.length === 0}>
        {(alerts) => (
          <ul className="plain alerts" data-testid="alerts" aria-live="polite">
            {alerts.map((alert) => (
              <AlertItem key={alert.id} alert={alert} fresh={live.arrived.includes(alert.id)} />
            ))}
          </ul>
        )}
      </Async>
    </>
  );
}

function AlertItem({ alert, fresh }: { alert: Alert; fresh: boolean }) {
  const feedback = useAlertFeedback();
  return (
    <li className={`card alert${fresh ? " fresh" : ""}`} data-kind={alert.kind}>
      <p>
        <span className="tag">{alert.kind}</span> {fresh && <span className="tag good">new</span>}{" "}
        <time dateTime={alert.created_at}>{new Date(alert.created_at).toLocaleString()}</time>
      </p>
      <ul className="reasons">
        {alert.reasons.map((r) => (
          <li key={r.reason}>{r.text}</li>
        ))}
      </ul>
      {alert.kind === "anomaly" && (
        <>
          <p className="muted small">Unusualness {percent(alert.score)} (you are alerted above {percent(alert.threshold)})</p>
          {alert.feedback ? (
            <p role="status">{alert.feedback === "me" ? "You said this was you." : "You said this was not you."}</p>
          ) : (
            <div className="row-actions">
              <button type="button" onClick={() => feedback.mutate({ id: alert.id, wasMe: true })} disabled={feedback.isPending}>
                This was me
              </button>
              <button type="button" className="danger" onClick={() => feedback.mutate({ id: alert.id, wasMe: false })} disabled={feedback.isPending}>
                Not me
              </button>
            </div>
          )}
        </>
      )}
      {feedback.isError && (
        <p className="error" role="alert">
          {feedback.error.message}
        </p>
      )}
    </li>
  );
}
