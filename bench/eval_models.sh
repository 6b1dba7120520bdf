#!/usr/bin/env bash
# The models' held-out evaluations, as recorded in bench/RESULTS.md:
# the categorizer on generated bank exports (their categories are the
# truth) and on HomeBank's example file, and recurring detection on
# generated people. Time-ordered splits; the baselines beside the models.
#
#   bash bench/eval_models.sh [HOMEBANK_CSV]
set -euo pipefail
cd "$(dirname "$0")/.."
homebank="${1:-../shared/data/homebank_example.csv}"
cargo build --release -q -p finsight-cli
bin=target/release/finsight
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --users 200 --months 24 --end-month 2026-11 --seed 42 --out "$work/synth" >/dev/null
first=$(ls "$work"/synth/[0-9]*.csv | head -1)
{ head -1 "$first"; for f in "$work"/synth/[0-9]*.csv; do tail -n +2 "$f"; done; } >"$work/labelled.csv"
echo "== categorizer, generated exports (date, description, amount, MCC; 200 users x 24 months)"
"$bin" eval categorizer --data "$work/labelled.csv"
if [ -f "$homebank" ]; then
  echo "== categorizer, HomeBank example (payee as merchant, memo as description)"
  "$bin" eval categorizer --data "$homebank"
fi
echo "== recurring payments, generated people (200 users x 18 months)"
"$bin" eval recurring --users 200 --months 18 --seed 42
