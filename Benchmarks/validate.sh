#!/usr/bin/env bash
# Release-mode benchmark of idbatch validate (rows/s, peak RSS) beside a plain read and a Python script:
#   bash Benchmarks/validate.sh [ROWS]     (default 1000000; data kept under bench-out/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
swift build -c release --product idbatch
python3 Benchmarks/python/validate_bench.py "$(swift build -c release --show-bin-path)" bench-out "${1:-1000000}"
