"""Logs a run and registers a model with the unchanged MLflow client.

Run against `finsight serve` (or any MLflow tracking server):
  MLFLOW_TRACKING_URI=http://127.0.0.1:8080 MLFLOW_TRACKING_TOKEN=fsk_... python mlflow_client.py
Prints the run id; exits non-zero if anything read back differs from
what was logged.
"""

import sys

import mlflow
from mlflow import MlflowClient

EXPERIMENT = sys.argv[1] if len(sys.argv) > 1 else "analyst-notebook"

mlflow.set_experiment(EXPERIMENT)
with mlflow.start_run(run_name="logistic-baseline") as run:
    mlflow.log_param("learning_rate", 0.3)
    mlflow.log_params({"epochs": 12, "features": "char-3-4grams"})
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.log_metrics({"accuracy": 0.97, "macro_f1": 0.93})
    mlflow.set_tag("team", "categorization")
    mlflow.set_tags({"dataset": "synthetic-24m"})
run_id = run.info.run_id

client = MlflowClient()
fetched = client.get_run(run_id)
assert fetched.data.params["learning_rate"] == "0.3", fetched.data.params
assert fetched.data.metrics["loss"] == 0.2, fetched.data.metrics
assert fetched.data.tags["team"] == "categorization", fetched.data.tags
assert fetched.info.status == "FINISHED", fetched.info
history = client.get_metric_history(run_id, "loss")
assert [m.step for m in history] == [0, 1, 2, 3, 4], history

experiment = client.get_experiment_by_name(EXPERIMENT)
runs = client.search_runs([experiment.experiment_id])
assert run_id in [r.info.run_id for r in runs], runs
assert EXPERIMENT in [e.name for e in client.search_experiments()]

name = f"{EXPERIMENT}-model"
client.create_registered_model(name)
version = client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
assert version.version == "1", version
client.set_registered_model_alias(name, "challenger", version.version)
assert client.get_model_version_by_alias(name, "challenger").version == "1"
assert client.get_registered_model(name).aliases == {"challenger": "1"}
found = client.search_model_versions(f"name='{name}'")
assert [v.version for v in found] == ["1"], found
client.delete_registered_model_alias(name, "challenger")
assert client.get_registered_model(name).aliases == {}
assert name in [m.name for m in client.search_registered_models()]

print(run_id)
