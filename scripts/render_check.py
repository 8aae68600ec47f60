#!/usr/bin/env python3
"""Looks at an xlsx as a person would: renders it through LibreOffice to PDF and PNG, and reads
it with openpyxl. Prints one JSON object:

  cells_cut   how many '###' (a number or date too wide for its column) the rendered text holds
  marked      {"B3": "the note", ...}: cells of the first sheet drawn with a fill, with their note
  notes       {"A1": "the note", ...}: every cell of the first sheet that has a note
  header      the coordinates of the first sheet's header cells
  dates       {"F2": "dd/mm/yyyy", ...}: the first sheet's date cells and their number format
  frozen      the first sheet's freeze pane ("A2" for a frozen header), autofilter its range
  pdf, png    where the rendering went (in --out)

Usage: render_check.py FILE.xlsx --out DIR
"""
import argparse, json, os, subprocess, sys

import openpyxl


def render(path, out):
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", out, path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    stem = os.path.splitext(os.path.basename(path))[0]
    pdf = os.path.join(out, stem + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], check=True, capture_output=True,
                          timeout=60).stdout.decode("utf-8", "replace")
    png = os.path.join(out, stem)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, png], check=True, timeout=60)
    return pdf, png + "-1.png", text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--out", required=True)
    parser.add_argument("--no-render", action="store_true", help="openpyxl only (no LibreOffice)")
    args = parser.parse_args()
    book = openpyxl.load_workbook(args.file)
    sheet = book.worksheets[0]
    marked, notes, dates = {}, {}, {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.is_date:
                dates[cell.coordinate] = cell.number_format
            fill = cell.fill
            filled = fill is not None and fill.fill_type == "solid" and cell.row > 1
            note = cell.comment.text if cell.comment else None
            if filled:
                marked[cell.coordinate] = note
            if note is not None:
                notes[cell.coordinate] = note
    header = [c.coordinate for c in next(sheet.iter_rows(min_row=1, max_row=1)) if c.value not in (None, "")]
    result = {"marked": marked, "notes": notes, "header": header, "dates": dates, "frozen": sheet.freeze_panes,
              "autofilter": sheet.auto_filter.ref,
              "widths": {k: v.width for k, v in sheet.column_dimensions.items() if v.width}}
    if not args.no_render:
        pdf, png, text = render(args.file, args.out)
        result.update({"cells_cut": text.count("###"), "pdf": pdf, "png": png, "text": text})
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
