#!/usr/bin/env python3
"""Runs every benchmark job and its peers on the same files in one run and prints rows/s, seconds
and peak RSS (the child's ru_maxrss from wait4), then the ratios the targets are stated in.

usage: bench.py BIN_DIR WORK_DIR ROWS [ROWS...]   (run.sh prepares BIN_DIR and the tools)
"""
import os
import statistics
import subprocess
import sys
import time

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
# BENCH_JOBS="xlsx to CSV,CSV read" runs only those jobs (and the ratios they give).
ONLY = [j.strip() for j in os.environ.get("BENCH_JOBS", "").split(",") if j.strip()]


def run_once(cmd):
    """Wall seconds and peak RSS (MiB) of one run.

    Peak RSS comes from GNU time (%M): a child forked from this Python process would report
    Python's own RSS as its floor.
    """
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return elapsed, int(err.strip().splitlines()[-1]) / 1024


def measure_group(cmds):
    """Runs the commands of one job in turn, REPEATS rounds, so that the machine's drift (these
    are shared VMs) touches every tool alike; returns median seconds and max peak MiB for each."""
    samples = [[] for _ in cmds]
    for _ in range(REPEATS):
        for k, cmd in enumerate(cmds):
            samples[k].append(run_once(cmd))
    return [(statistics.median(t for t, _ in runs), max(m for _, m in runs)) for runs in samples]


def main():
    bins, work, sizes = sys.argv[1], sys.argv[2], [int(a) for a in sys.argv[3:]]
    idbatch, bench = os.path.join(bins, "idbatch"), os.path.join(bins, "idbatch-bench")
    floor_read, floor_write = os.path.join(bins, "read_floor"), os.path.join(bins, "write_floor")
    peers = [sys.executable, os.path.join(os.path.dirname(__file__), "peers.py")]
    gen = [sys.executable, os.path.join(os.path.dirname(__file__), "generate.py")]
    print(f"benchmark: median of {REPEATS} interleaved runs each, release build, {os.cpu_count()} cores")
    summary = []
    for n in sizes:
        xlsx, csv_in = os.path.join(work, f"people-{n}.xlsx"), os.path.join(work, f"people-{n}.csv")
        if not (os.path.exists(xlsx) and os.path.exists(csv_in)):
            subprocess.run(gen + [str(n), xlsx, csv_in], check=True)
        print(f"\n== {n:,} rows (xlsx {os.path.getsize(xlsx) / 2**20:.0f} MiB, csv {os.path.getsize(csv_in) / 2**20:.0f} MiB)")
        out = lambda name: os.path.join(work, name)
        jobs = [
            ("xlsx to CSV", "idbatch convert", [idbatch, "convert", xlsx, "--to", "csv", "-o", out("o1.csv")]),
            ("xlsx to CSV", "python-calamine", peers + ["calamine-to-csv", xlsx, out("o2.csv")]),
            ("xlsx to CSV", "C read floor", [floor_read, xlsx]),
            ("xlsx to CSV", "C read floor, pull", [floor_read, "--pull", xlsx]),
            ("CSV read", "idbatch reader", [bench, "csv-read", csv_in]),
            ("CSV read", "python csv", peers + ["csv-read", csv_in]),
            ("xlsx write", "idbatch XLSXWriter", [bench, "xlsx-write", out("w1.xlsx"), str(n)]),
            ("xlsx write", "XlsxWriter", peers + ["xlsxwriter", out("w2.xlsx"), str(n)]),
            ("xlsx write", "C libxlsxwriter floor", [floor_write, out("w3.xlsx"), str(n)]),
            ("CSV write", "idbatch CSVWriter", [bench, "csv-write", out("w4.csv"), str(n)]),
            ("CSV write", "python csv", peers + ["csv-write", out("w5.csv"), str(n)]),
        ]
        if ONLY:
            jobs = [j for j in jobs if j[0] in ONLY]
        results = {}
        print(f"{'job':<12} {'tool':<24} {'seconds':>8} {'rows/s':>12} {'peak MiB':>9}")
        for job in dict.fromkeys(job for job, _, _ in jobs):
            group = [(tool, cmd) for j, tool, cmd in jobs if j == job]
            for (tool, _), (seconds, peak) in zip(group, measure_group([cmd for _, cmd in group])):
                results[(job, tool)] = (seconds, peak)
                print(f"{job:<12} {tool:<24} {seconds:8.2f} {n / seconds:12,.0f} {peak:9.1f}", flush=True)
        t = lambda job, tool: results[(job, tool)][0]
        ratio_formulas = [
            ("xlsx to CSV: speed vs python-calamine (target >= 3x)", lambda: t("xlsx to CSV", "python-calamine") / t("xlsx to CSV", "idbatch convert")),
            ("xlsx to CSV: time vs C read floor (target <= 1.3x)", lambda: t("xlsx to CSV", "idbatch convert") / t("xlsx to CSV", "C read floor")),
            ("xlsx to CSV: time vs C read floor, pull parser (no target)", lambda: t("xlsx to CSV", "idbatch convert") / t("xlsx to CSV", "C read floor, pull")),
            ("xlsx to CSV: peak MiB (target <= 150 at 1M rows)", lambda: results[("xlsx to CSV", "idbatch convert")][1]),
            ("CSV read: speed vs python csv (target >= 3x)", lambda: t("CSV read", "python csv") / t("CSV read", "idbatch reader")),
            ("xlsx write: speed vs XlsxWriter (target >= 4x)", lambda: t("xlsx write", "XlsxWriter") / t("xlsx write", "idbatch XLSXWriter")),
            ("xlsx write: time vs C libxlsxwriter (target <= 1.2x)", lambda: t("xlsx write", "idbatch XLSXWriter") / t("xlsx write", "C libxlsxwriter floor")),
            ("CSV write: speed vs python csv", lambda: t("CSV write", "python csv") / t("CSV write", "idbatch CSVWriter")),
        ]
        ratios = []
        for label, formula in ratio_formulas:
            try:
                ratios.append((label, formula()))
            except KeyError:
                pass  # a job left out with BENCH_JOBS
        for label, value in ratios:
            print(f"  {label}: {value:.2f}")
        summary.append((n, ratios))
    for f in os.listdir(work):
        if f.startswith(("o", "w")) and not f.startswith("people"):
            os.remove(os.path.join(work, f))


if __name__ == "__main__":
    main()
