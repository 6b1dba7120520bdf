#!/usr/bin/env bash
# Installs the Feast peer (feast[redis] from PyPI) into a venv and prints
# the FEAST_PYTHON to pass to `cargo run --release -p finsight-bench --bin
# features -- --part redis`.
set -euo pipefail
venv="${FEAST_VENV:-target/feast-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "feast[redis]"
fi
echo "$venv/bin/python"
