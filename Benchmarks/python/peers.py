#!/usr/bin/env python3
"""The Python peers, each a small program doing the same job as the idbatch path it is compared with.

  peers.py calamine-to-csv IN.xlsx OUT.csv   python-calamine reads the sheet, csv writes it
  peers.py csv-read IN.csv                   Python's csv module reads every row
  peers.py xlsxwriter OUT.xlsx ROWS          XlsxWriter (constant_memory) writes the report rows
  peers.py csv-write OUT.csv ROWS            Python's csv module writes the report rows
"""
import csv
import sys


def report_rows(n):
    for r in range(1, n + 1):
        yield [r * 1.5 + c if c % 4 == 3 else f"valor {r}-{c} José Peña" for c in range(16)]


def main():
    job = sys.argv[1]
    if job == "calamine-to-csv":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(sys.argv[2])
        sheet = wb.get_sheet_by_index(0)
        with open(sys.argv[3], "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            for row in sheet.iter_rows():
                writer.writerow(row)
    elif job == "csv-read":
        count = 0
        with open(sys.argv[2], newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                count += len(row)
    elif job == "xlsxwriter":
        import xlsxwriter

        wb = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
        ws = wb.add_worksheet("Informe")
        bold = wb.add_format({"bold": True})
        ws.write_row(0, 0, [f"columna_{c}" for c in range(16)], bold)
        for r, row in enumerate(report_rows(int(sys.argv[3])), start=1):
            for c, v in enumerate(row):
                if isinstance(v, float):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, v)
        wb.close()
    elif job == "csv-write":
        with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([f"columna_{c}" for c in range(16)])
            for row in report_rows(int(sys.argv[3])):
                writer.writerow(row)
    else:
        sys.exit(f"unknown job {job}")


if __name__ == "__main__":
    main()
