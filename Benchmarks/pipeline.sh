#!/usr/bin/env bash
# Release-mode benchmark of `idbatch run` (truora-checks) against `idbatch sandbox` in its own
# process, side by side with the asyncio + httpx script a capable user would write for the same
# job (Benchmarks/python/run_peer.py: one POST per row, poll, CSV out). For each size and latency:
# wall time, CPU time (user + sys of the client process alone), CPU per row and per provider
# request, peak RSS, and at 50 ms the share of the latency-bound ideal (2 requests a row,
# CONCURRENCY in flight). Then `run --dry-run`, `validate` and `convert` of one xlsx of the same size.
# MODES="truora-checks truora-batch" also runs the same rows as Truora batches of BATCH_SIZE
# (default 1000); its requests are the HTTP requests the sandbox answered.
#   bash Benchmarks/pipeline.sh [ROWS...]        (default: 100000)
#   LATENCIES="0 50" CONCURRENCY=64 PEER=1 DRY=1 bash Benchmarks/pipeline.sh 100000 1000000
#   MODES="truora-checks truora-batch" LATENCIES=50 PEER=0 DRY=0 bash Benchmarks/pipeline.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
python3 -c 'import httpx' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check httpx
swift build -c release --product idbatch
bin="$(swift build -c release --show-bin-path)/idbatch"
sizes=("${@:-100000}")
latencies=(${LATENCIES:-0 50})
concurrency=${CONCURRENCY:-64}
work="${BENCH_DIR:-bench-out}/pipeline"
mkdir -p "$work"
echo "machine: $(nproc) cores, $(uname -r); $(date -u +%FT%TZ); concurrency $concurrency"

# Runs a command under GNU time; prints "wall cpu rss_kib".
measure() {
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
        code=$?; [ $code -eq 2 ] || { echo "failed ($code): $*" >&2; tail -5 "$work/err.txt" >&2; return 1; }; }
    read -r wall user sys rss <"$work/time.txt"
    echo "$wall $(echo "$user + $sys" | bc -l) $rss"
}

start_sandbox() {  # LATENCY -> sets url, pid
    "$bin" sandbox --port 0 --speed 600 --latency "$1" >"$work/sandbox.txt" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do grep -q '^export TRUORA_BASE_URL=' "$work/sandbox.txt" && break; sleep 0.05; done
    url="$(sed -n 's/^export TRUORA_BASE_URL=//p' "$work/sandbox.txt")"
    key="$(sed -n 's/^export TRUORA_API_KEY=//p' "$work/sandbox.txt")"
}

row() {  # NAME ROWS LATENCY wall cpu rss requests [noideal]
    local ideal=""
    if [ "$3" != 0 ] && [ "${8:-}" != noideal ]; then
        ideal=$(echo "scale=1; 100 * ($7 * $3 / 1000 / $concurrency) / $4" | bc -l)%
    fi
    printf '%-22s %9s %5s ms %9.2f s %9.2f s %8.1f us/row %7.1f us/req %8.0f rows/s %7.0f MiB %s\n' \
        "$1" "$2" "$3" "$4" "$5" "$(echo "$5 * 1000000 / $2" | bc -l)" "$(echo "$5 * 1000000 / $7" | bc -l)" \
        "$(echo "$2 / $4" | bc -l)" "$(echo "$6 / 1024" | bc -l)" "$ideal"
}

for rows in "${sizes[@]}"; do
    input="$work/people-$rows.csv"
    [ -f "$input" ] || python3 Benchmarks/python/people.py "$rows" "$input"
    for latency in "${latencies[@]}"; do
        start_sandbox "$latency"
        for mode in ${MODES:-truora-checks}; do
            rm -rf "$work/state" "$work/report"
            mkdir -p "$work/report"
            read -r wall cpu rss < <(TRUORA_BASE_URL="$url" TRUORA_API_KEY="$key" measure "$bin" run "$input" \
                --country CO --provider "$mode" --batch-size "${BATCH_SIZE:-1000}" --concurrency "$concurrency" \
                --wait 1h --state "$work/state" --out "$work/report")
            grep -q "\"ok\" : $rows," "$work/report/people-$rows.summary.json" || { echo "not every row ok" >&2; exit 1; }
            requests=$(curl -s "$url/_sandbox/stats" | python3 -c "import json,sys; s=json.load(sys.stdin); \
print(sum(sum(v.values()) for v in s['requests'].values()))")
            if [ "$mode" = truora-checks ]; then
                row "idbatch run" "$rows" "$latency" "$wall" "$cpu" "$rss" "$requests"
            else
                row "idbatch run (batch)" "$rows" "$latency" "$wall" "$cpu" "$rss" "$requests" noideal
            fi
            curl -s -X POST "$url/_sandbox/reset" >/dev/null
        done
        if [ "${PEER:-1}" = 1 ]; then
            read -r wall cpu rss < <(measure python3 Benchmarks/python/run_peer.py "$input" "$work/peer.csv" "$url" \
                "$key" "$concurrency")
            requests=$(curl -s "$url/_sandbox/stats" | python3 -c "import json,sys; s=json.load(sys.stdin); \
print(sum(sum(v.values()) for k, v in s['requests'].items() if k.startswith(('POST /v1/checks', 'GET /v1/checks'))))")
            row "python asyncio+httpx" "$rows" "$latency" "$wall" "$cpu" "$rss" "$requests"
        fi
        kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    done
    if [ "${DRY:-1}" = 1 ]; then
        xlsx="$work/people-$rows.xlsx"
        [ -f "$xlsx" ] || "$bin" convert "$input" --to xlsx -o "$xlsx" >/dev/null 2>&1
        for job in "run --dry-run" "validate" "convert"; do
            case "$job" in
                "run --dry-run") args=(run "$xlsx" --country CO --dry-run --out "$work/dry") ;;
                validate) args=(validate "$xlsx" --country CO --out "$work/dry") ;;
                convert) args=(convert "$xlsx" --to csv -o "$work/dry/people.csv") ;;
            esac
            mkdir -p "$work/dry"
            read -r wall cpu rss < <(measure "$bin" "${args[@]}")
            printf '%-22s %9s xlsx %9.2f s %9.2f s %8.0f rows/s %7.0f MiB\n' "$job" "$rows" "$wall" "$cpu" \
                "$(echo "$rows / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
        done
    fi
done
