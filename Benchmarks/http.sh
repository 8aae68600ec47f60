#!/usr/bin/env bash
# Release-mode benchmark of Truora create-check through TruoraClient against the sandbox:
# requests/s, latency percentiles and CPU per request at concurrency 1, 16 and 64 with 0 and 50 ms
# added latency. Each setting runs twice: with the sandbox in the same process (CPU is client plus
# sandbox), and with `idbatch sandbox` in its own process (CPU is the client's alone).
#   bash Benchmarks/http.sh [SECONDS]     (default 5 per setting)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product idbatch
swift build -c release --product idbatch-bench
bin="$(swift build -c release --show-bin-path)"
seconds="${1:-5}"
echo "machine: $(nproc) cores, $(uname -r); $(date -u +%FT%TZ)"
for latency in 0 50; do
    for concurrency in 1 16 64; do
        "$bin/idbatch-bench" create-checks --concurrency "$concurrency" --latency "$latency" --seconds "$seconds"
        out="$(mktemp)"
        "$bin/idbatch" sandbox --port 0 --speed 1 --latency "$latency" >"$out" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do grep -q '^export TRUORA_BASE_URL=' "$out" && break; sleep 0.05; done
        url="$(sed -n 's/^export TRUORA_BASE_URL=//p' "$out")"
        "$bin/idbatch-bench" create-checks --concurrency "$concurrency" --latency "$latency" --seconds "$seconds" --url "$url"
        kill -TERM "$pid"; wait "$pid" || true
        rm -f "$out"
    done
done
