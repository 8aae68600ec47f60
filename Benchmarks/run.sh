#!/usr/bin/env bash
# Release-mode benchmark of the spreadsheet layer against its peers and floors, in one run:
#   bash Benchmarks/run.sh [ROWS...]     (default: 100000 1000000)
# Installs python-calamine and XlsxWriter with pip, compiles the two C floor programs, builds
# idbatch and idbatch-bench in release mode, generates the person sheets under bench-out/ (kept
# between runs), and prints rows/s, seconds, peak RSS and the target ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
python3 -m pip install --quiet --disable-pip-version-check python-calamine XlsxWriter
swift build -c release --product idbatch
swift build -c release --product idbatch-bench
bins=$(swift build -c release --show-bin-path)
cc -O2 -o "$bins/read_floor" Benchmarks/c/read_floor.c $(pkg-config --cflags --libs libzip libxml-2.0)
cc -O2 -o "$bins/write_floor" Benchmarks/c/write_floor.c $(pkg-config --cflags --libs xlsxwriter)

mkdir -p bench-out
if [ $# -eq 0 ]; then set -- 100000 1000000; fi
python3 Benchmarks/python/bench.py "$bins" bench-out "$@"
