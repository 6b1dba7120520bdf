#!/usr/bin/env bash
# Tracking throughput side by side: the same MLflow client script
# (bench/mlflow_tracking.py) against `finsight serve` and against a real
# `mlflow server` with its SQLite backend, on this machine, in one run.
#
#   bash bench/mlflow_peer.sh [BATCHES] [SINGLES]
#
# Installs mlflow (the full package, for its server) into target/mlflow-venv
# when missing, builds the release binary, and cleans up what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
batches="${1:-20}"
singles="${2:-500}"
venv=target/mlflow-venv
if [ ! -x "$venv/bin/mlflow" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q mlflow
fi
cargo build --release -q -p finsight-cli
work=$(mktemp -d)
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
pids=()
trap cleanup EXIT

# MLflow's own server, SQLite backend store.
"$venv/bin/mlflow" server --backend-store-uri "sqlite:///$work/mlflow.db" \
  --default-artifact-root "$work/artifacts" --host 127.0.0.1 --port 15000 \
  >"$work/mlflow.log" 2>&1 &
pids+=($!)

# Finsight on its embedded SQLite store, one tenant, an API key; the
# per-client rate limit raised so it measures the server, not the limiter.
bin=target/release/finsight
tenant=$("$bin" --data-dir "$work/finsight" tenants create --name bench | grep -oE '[0-9a-f-]{36}' | head -1)
key=$("$bin" --data-dir "$work/finsight" api-keys create --tenant "$tenant" --name bench | grep -oE 'fsk_[0-9a-f]+')
FINSIGHT__SERVER__RATE_LIMIT_PER_SECOND=1000000 FINSIGHT__SERVER__RATE_LIMIT_BURST=1000000 \
  FINSIGHT__LOG__FILTER=warn "$bin" --data-dir "$work/finsight" serve --listen 127.0.0.1:15001 \
  >"$work/finsight.log" 2>&1 &
pids+=($!)

for port in 15000 15001; do
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
done

MLFLOW_TRACKING_URI=http://127.0.0.1:15001 MLFLOW_TRACKING_TOKEN="$key" \
  "$venv/bin/python" bench/mlflow_tracking.py finsight "$batches" "$singles"
# Finsight's own time per request (its Prometheus histogram), apart from
# the Python client's.
curl -s http://127.0.0.1:15001/metrics | awk '
  /finsight_http_request_duration_seconds_(sum|count)/ && /runs\/log-(batch|metric)/ {
    match($0, /runs\/log-[a-z]+/); route = substr($0, RSTART, RLENGTH)
    if ($0 ~ /_sum/) sum[route] = $NF; else count[route] = $NF
  }
  END { for (r in sum) printf "finsight server-side %s: %.2f ms per request (%d requests)\n", r, 1000 * sum[r] / count[r], count[r] }'
MLFLOW_TRACKING_URI=http://127.0.0.1:15000 \
  "$venv/bin/python" bench/mlflow_tracking.py mlflow "$batches" "$singles"
