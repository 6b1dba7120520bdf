#!/usr/bin/env bash
# Issue 13's model benchmarks side by side with their Python peers, in one
# run, on the same files: isolation forest fit + score (scikit-learn,
# n_jobs=2) and AutoETS fit + forecast over generated monthly spending
# series (statsforecast, n_jobs=2).
#
#   bash bench/models_peer.sh [ROWS] [USERS]
#
# Installs scikit-learn, statsforecast and pandas into target/models-venv
# when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-200000}"
users="${2:-200}"
venv=target/models-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sklearn, statsforecast" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q scikit-learn statsforecast pandas
fi
cargo build --release -q -p finsight-bench --bin iforest --bin autoets
cargo build --release -q -p finsight-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== isolation forest: $rows rows, 8 features, 1% outliers"
"$venv/bin/python" bench/models_peer.py make-iforest-data "$work/iforest.csv" "$rows"
target/release/iforest "$work/iforest.csv" 100 256
"$venv/bin/python" bench/models_peer.py iforest "$work/iforest.csv" 100 256

echo "== AutoETS: generated monthly spending, $users people x 36 months, last 12 held out"
target/release/finsight forecast synthetic --users "$users" --months 36 --output "$work/monthly.csv"
target/release/autoets "$work/monthly.csv" 12 12
"$venv/bin/python" bench/models_peer.py autoets "$work/monthly.csv" 12 12
