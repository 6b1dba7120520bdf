"""Metrics logged per second through a tracking server's REST API, by the
unchanged MLflow client: batches of 1,000 (`log_batch`) and single calls
(`log_metric`). The same script runs against Finsight and against
`mlflow server` (bench/mlflow_peer.sh runs both side by side).

MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN pick the server; prints one
line per mode: `<label> <mode> <metrics> metrics in <s> s: <rate> metrics/s`.
"""

import sys
import time

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric

label = sys.argv[1]
batches = int(sys.argv[2]) if len(sys.argv) > 2 else 20
singles = int(sys.argv[3]) if len(sys.argv) > 3 else 500

client = MlflowClient()
experiment = client.create_experiment(f"bench-{label}-{time.time_ns()}")
run = client.create_run(experiment)
run_id = run.info.run_id
now = int(time.time() * 1000)

started = time.perf_counter()
for b in range(batches):
    metrics = [Metric(f"m{k % 10}", float(k), now, b * 100 + k // 10) for k in range(1000)]
    client.log_batch(run_id, metrics=metrics)
seconds = time.perf_counter() - started
total = batches * 1000
print(f"{label} log_batch {total} metrics in {seconds:.2f} s: {total / seconds:.0f} metrics/s")

started = time.perf_counter()
for k in range(singles):
    client.log_metric(run_id, "single", float(k), step=k)
seconds = time.perf_counter() - started
print(f"{label} log_metric {singles} metrics in {seconds:.2f} s: {singles / seconds:.0f} metrics/s")

history = client.get_metric_history(run_id, "single")
assert len(history) == singles, len(history)
client.set_terminated(run_id)
