#!/usr/bin/env python3
"""Release-mode benchmark of `idbatch validate`: rows/s and peak RSS on a generated Brazilian CSV
(valid CPFs with punctuation, day-first dates, phones, a consent column; 1% bad rows), side by side
with reading the same file alone (`idbatch inspect`, the floor validate builds on) and a plain
Python csv + python-stdnum-style check loop as the script people write by hand.

    python3 Benchmarks/python/validate_bench.py BIN_DIR OUT_DIR ROWS
"""
import os
import random
import subprocess
import sys
import time


def cpf(rng):
    d = [rng.randint(0, 9) for _ in range(9)]
    s = sum(d[i] * (10 - i) for i in range(9))
    d1 = (11 - s % 11) % 11 % 10
    s = sum(d[i] * (11 - i) for i in range(9)) + 2 * d1
    d2 = (11 - s % 11) % 11 % 10
    return "".join(map(str, d)) + str(d1) + str(d2)


def generate(path, rows):
    if os.path.exists(path):
        return
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as f:
        f.write("CPF;Nome;Sobrenome;Data de nascimento;Telefone;Cidade;UF;Autoriza\n")
        for i in range(rows):
            c = cpf(rng)
            if i % 100 == 99:
                c = c[:-1] + str((int(c[-1]) + 1) % 10)  # a bad check digit
            f.write(f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]};Nome{i};Sobrenome{i};"
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2005)};"
                    f"+55 11 9{rng.randint(10000000, 99999999)};São Paulo;SP;sim\n")


def python_script(path):
    """What an ad-hoc script does: csv module, strip punctuation, CPF check digits, dd/mm/yyyy."""
    import csv
    failed = 0
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        next(reader)
        for row in reader:
            digits = [int(c) for c in row[0] if c.isdigit()]
            ok = len(digits) == 11
            if ok:
                s = sum(digits[i] * (10 - i) for i in range(9))
                d1 = (11 - s % 11) % 11 % 10
                s = sum(digits[i] * (11 - i) for i in range(9)) + 2 * d1
                ok = d1 == digits[9] and (11 - s % 11) % 11 % 10 == digits[10]
            day, month, year = row[3].split("/")
            ok = ok and 1 <= int(month) <= 12
            failed += not ok
    return failed


def timed(command):
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    rss_kib = int(result.stderr.strip().splitlines()[-1])
    return seconds, rss_kib / 1024


def main():
    bins, out, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"validate-br-{rows}.csv")
    generate(path, rows)
    idbatch = os.path.join(bins, "idbatch")
    job = os.path.join(out, "validate-br.job.yaml")
    with open(job, "w") as f:
        f.write("version: 1\nprovider: truora-checks\ncountry: BR\ntype: person\n")
    results = {}
    for run in range(3):
        for name, command in [
            ("validate", [idbatch, "validate", path, "--job", job, "--out", out]),
            ("read only (inspect)", [idbatch, "inspect", path, "--rows", "0"]),
            ("python csv + CPF loop", [sys.executable, __file__, "--script", path]),
        ]:
            results.setdefault(name, []).append(timed(command))
    print(f"{rows} rows, {os.path.getsize(path) / 2**20:.0f} MiB, median of 3 (interleaved)")
    for name, runs in results.items():
        seconds = sorted(r[0] for r in runs)[1]
        rss = sorted(r[1] for r in runs)[1]
        print(f"  {name:24s} {seconds:7.2f} s  {rows / seconds:12,.0f} rows/s  peak {rss:6.0f} MiB")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--script":
        python_script(sys.argv[2])
    else:
        main()
