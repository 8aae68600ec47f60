#!/usr/bin/env python3
"""Conformance check: idbatch convert against python-calamine on real workbooks.

For every .xlsx in a folder (default ../shared/fixtures/real-xlsx), runs
`idbatch convert FILE --to csv --no-bom` on the sheet idbatch picks and compares every cell with
what python-calamine reads from the same sheet. A workbook calamine cannot read must be refused by
idbatch with exit 65 and a message, never misread and never crash.

Comparison rules (the documented differences, nothing else):
- calamine's floats compare numerically (idbatch prints at most 15 significant digits, as Excel does);
- booleans are TRUE/FALSE in idbatch;
- dates are ISO text in idbatch; calamine's date/datetime/time values compare by their ISO form,
  a datetime at midnight equalling a plain date;
- idbatch's CSV neutralises text starting with = + - @ tab CR by prefixing a quote;
- trailing empty cells and rows are ignored.

Prints one line per workbook and a closing line "N passed, N failed".
"""
import csv
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}


def calamine_rows(path, sheet):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    data = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return data


def norm_calamine(value):
    if value is None:
        return ("empty", "")
    if isinstance(value, bool):
        return ("text", "TRUE" if value else "FALSE")
    if isinstance(value, int):
        return ("text", str(value))
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e21:
            return ("text", str(int(value)))
        return ("float", value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return ("date", value.date().isoformat(), value.strftime("%Y-%m-%dT%H:%M:%S"))
        return ("date", value.strftime("%Y-%m-%dT%H:%M:%S"))
    if isinstance(value, datetime.date):
        return ("date", value.isoformat())
    if isinstance(value, datetime.time):
        return ("date", value.strftime("%H:%M:%S"))
    if isinstance(value, datetime.timedelta):
        return ("duration", value.total_seconds())
    text = str(value)
    if text.startswith(TRIGGERS):
        text = "'" + text
    return ("text", text)


def same(expected, actual):
    kind = expected[0]
    if kind == "empty":
        # python-calamine's to_python() drops error cells; idbatch shows them as Excel does.
        return actual == "" or actual in EXCEL_ERRORS
    if kind == "text":
        return actual == expected[1]
    if kind == "float":
        try:
            x = float(actual)
        except ValueError:
            return False
        return math.isclose(x, expected[1], rel_tol=1e-14, abs_tol=1e-300)
    if kind == "date":
        return actual in expected[1:]
    if kind == "duration":
        # Elapsed-time formats ([h]:mm:ss): idbatch shows them as Excel does, hours past 24.
        hours, rest = divmod(round(expected[1]), 3600)
        return actual == f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return False


def trim(rows):
    rows = [list(r) for r in rows]
    for r in rows:
        while r and (r[-1] is None or r[-1] == ""):
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/fixtures/real-xlsx")
    binary = os.environ.get("IDBATCH", os.path.join(os.path.dirname(__file__), "../.build/debug/idbatch"))
    if not os.path.isdir(folder):
        print(f"conformance: {folder} not present, skipped")
        return 0
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".xlsx"):
                continue
            path = os.path.join(folder, name)
            out = os.path.join(tmp, name + ".csv")
            inspect = subprocess.run([binary, "inspect", path, "--json", "--rows", "0"], capture_output=True, text=True)
            try:
                from python_calamine import CalamineWorkbook

                CalamineWorkbook.from_path(path)
                calamine_ok = True
            except Exception as error:  # calamine refuses the file
                calamine_ok = False
                calamine_error = str(error).splitlines()[0][:80]
            if not calamine_ok or inspect.returncode != 0:
                if inspect.returncode == 65 and inspect.stderr.startswith("idbatch: error:"):
                    if calamine_ok:
                        # calamine reads it but idbatch refuses it: only acceptable when calamine gets nothing out.
                        try:
                            names = CalamineWorkbook.from_path(path).sheet_names
                            rows = sum(len(trim(calamine_rows(path, s))) for s in names)
                        except Exception:
                            rows = 0
                        if rows:
                            print(f"FAIL {name}: refused ({inspect.stderr.strip()}) but calamine reads {rows} rows")
                            failed += 1
                            continue
                    print(f"ok   {name}: refused with exit 65 ({'calamine: ' + calamine_error if not calamine_ok else 'calamine reads no rows'})")
                    passed += 1
                else:
                    print(f"FAIL {name}: calamine {'fails' if not calamine_ok else 'reads it'}, idbatch exit {inspect.returncode}: {inspect.stderr.strip()[:200]}")
                    failed += 1
                continue
            sheet = json.loads(inspect.stdout)["sheet"]
            result = subprocess.run([binary, "convert", path, "--to", "csv", "--no-bom", "-o", out], capture_output=True, text=True)
            if result.returncode != 0:
                print(f"FAIL {name}: convert exit {result.returncode}: {result.stderr.strip()[:200]}")
                failed += 1
                continue
            with open(out, newline="", encoding="utf-8") as handle:
                ours = trim(list(csv.reader(handle)))
            theirs = trim(calamine_rows(path, sheet))
            problems = []
            for r in range(max(len(ours), len(theirs))):
                a = ours[r] if r < len(ours) else []
                e = theirs[r] if r < len(theirs) else []
                for c in range(max(len(a), len(e))):
                    expected = norm_calamine(e[c] if c < len(e) else None)
                    actual = a[c] if c < len(a) else ""
                    if not same(expected, actual):
                        problems.append(f"R{r + 1}C{c + 1}: idbatch {actual!r}, calamine {(e[c] if c < len(e) else None)!r}")
            if problems:
                print(f"FAIL {name} (sheet {sheet!r}): {len(problems)} cells differ; " + "; ".join(problems[:4]))
                failed += 1
            else:
                print(f"ok   {name} (sheet {sheet!r}): {len(ours)} rows")
                passed += 1
    print(f"conformance: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
