#!/usr/bin/env bash
# The dashboard's size and speed: the gzipped bundle, and the overview's
# time to interactive in headless Chromium for the demo person (24 months
# of data) against a release `finsight serve` on localhost.
# Usage: bench/dashboard.sh [users] [loads]      (defaults: 50 users, 15 loads)
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-50}"
loads="${2:-15}"
cargo build --release -p finsight-cli
node bench/dashboard_bundle.mjs

work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export FINSIGHT__LOG__FILTER=warn
target/release/finsight --data-dir "$work/data" demo --no-serve --users "$users" --seed 7 >"$work/demo.out"
target/release/finsight --data-dir "$work/data" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
address="$(sed -n 's|.*http://||p' "$work/serve.out" | head -1)"
transactions="$(grep -o '[0-9]* new transactions' "$work/demo.out" | head -1)"
echo "demo: $users users x 24 months ($transactions)"
node bench/dashboard_tti.mjs "http://$address" "$loads"
