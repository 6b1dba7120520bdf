"""The Python peers for issue 13's model benchmarks, on the same files the
Rust programs read: scikit-learn's IsolationForest (fit + score, same
trees and sample size, n_jobs=2) and statsforecast's AutoETS (fit +
forecast of every series, the last H points held out).

    python bench/models_peer.py iforest FILE [TREES] [SAMPLE]
    python bench/models_peer.py autoets FILE [H] [SEASON]
    python bench/models_peer.py make-iforest-data FILE [ROWS]
"""

import sys
import time

import numpy as np


def iforest(path, trees=100, sample=256):
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import roc_auc_score

    data = np.loadtxt(path, delimiter=",", skiprows=1)
    x, y = data[:, :-1], data[:, -1]
    start = time.perf_counter()
    forest = IsolationForest(n_estimators=trees, max_samples=sample, n_jobs=2, random_state=0)
    forest.fit(x)
    scores = -forest.score_samples(x)
    seconds = time.perf_counter() - start
    print(f"sklearn IsolationForest: {len(x)} rows x {x.shape[1]} features, {trees} trees, "
          f"sample {sample}: fit+score {seconds:.3f} s, ROC-AUC {roc_auc_score(y, scores):.4f}")


def autoets(path, h=12, season=12):
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    df = pd.read_csv(path, parse_dates=["date"]).rename(columns={"series_id": "unique_id", "date": "ds", "value": "y"})
    df = df.sort_values(["unique_id", "ds"])
    sizes = df.groupby("unique_id")["y"].transform("size")
    df = df[sizes > h + 3]
    df["n"] = df.groupby("unique_id").cumcount()
    df["len"] = df.groupby("unique_id")["y"].transform("size")
    train = df[df["n"] < df["len"] - h][["unique_id", "ds", "y"]]
    test = df[df["n"] >= df["len"] - h]
    sf = StatsForecast(models=[AutoETS(season_length=season)], freq="MS", n_jobs=2)
    # The first call compiles numba's kernels: time a warm run, as the
    # Rust side is compiled ahead of time too.
    sf.forecast(df=train[train["unique_id"] == train["unique_id"].iloc[0]], h=h)
    start = time.perf_counter()
    forecast = sf.forecast(df=train, h=h)
    seconds = time.perf_counter() - start
    forecast = forecast.reset_index() if "unique_id" not in forecast.columns else forecast
    merged = test.merge(forecast, on=["unique_id", "ds"])
    a, f = merged["y"].to_numpy(), merged["AutoETS"].to_numpy()
    denominator = np.abs(a) + np.abs(f)
    terms = np.where(denominator == 0, 0.0, 200.0 * np.abs(a - f) / np.where(denominator == 0, 1, denominator))
    merged["t"] = terms
    mean_smape = merged.groupby("unique_id")["t"].mean().mean()
    print(f"statsforecast AutoETS: {train['unique_id'].nunique()} series, h={h}, season {season}: "
          f"fit+forecast {seconds:.3f} s, sMAPE {mean_smape:.3f}")


def make_iforest_data(path, rows=200_000):
    rng = np.random.default_rng(0)
    features = 8
    normal = rng.normal(size=(rows, features))
    outliers = int(rows * 0.01)
    normal[:outliers] = rng.uniform(-6, 6, size=(outliers, features))
    labels = np.zeros(rows)
    labels[:outliers] = 1
    order = rng.permutation(rows)
    table = np.column_stack([normal[order], labels[order]])
    header = ",".join([f"f{i}" for i in range(features)] + ["label"])
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6f")


if __name__ == "__main__":
    command, path, *rest = sys.argv[1:]
    if command == "iforest":
        iforest(path, *map(int, rest))
    elif command == "autoets":
        autoets(path, *map(int, rest))
    elif command == "make-iforest-data":
        make_iforest_data(path, *map(int, rest))
    else:
        sys.exit(f"unknown command {command}")
