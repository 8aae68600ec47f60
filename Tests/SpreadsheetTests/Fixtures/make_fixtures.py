#!/usr/bin/env python3
"""Writes the Spreadsheet test fixtures. Run once; the outputs are committed.

Files named openpyxl-*.xlsx are written by openpyxl, libreoffice-*.xlsx by LibreOffice headless
(`soffice --convert-to xlsx`), bad-*.xlsx / *.csv are small hand-made cases for one problem each.
Needs: pip install openpyxl msoffcrypto-tool; apt install libreoffice-calc-nogui.
"""
import datetime
import io
import os
import shutil
import subprocess
import tempfile
import random
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


PEOPLE = [
    ("Tipo de documento", "Número de documento", "Nombres", "Apellidos", "Fecha de nacimiento", "Celular", "Autorizado"),
    ("CC", 1020304050, "José Ñandú", "Pérez Gómez", datetime.date(1985, 3, 14), "+573001234567", True),
    ("CE", "0012345", "Maria da Conceição", "Araújo", datetime.date(1990, 12, 1), "+5511987654321", False),
    ("PA", "AB123456", "Zoë", "O'Brien", datetime.date(2001, 1, 31), "=cmd|' /C calc'!A0", True),
]


def openpyxl_people():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Personas"
    for row in PEOPLE:
        ws.append(row)
    for cell in ws["E"][1:]:
        cell.number_format = "dd/mm/yyyy"
    ws["H1"] = "Monto"
    ws["H2"] = 1234.5
    ws["H3"] = 0.1
    ws["H4"] = -7
    ws["I1"] = "Largo"
    ws["I2"] = 12345678901234567890  # an ID Excel would lose digits of
    hidden = wb.create_sheet("Oculta")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "secret"
    second = wb.create_sheet("Segunda")
    second["A1"] = "x"
    second["C5"] = "sparse"
    wb.save(path("openpyxl-people.xlsx"))


def openpyxl_times():
    """Time-of-day and elapsed-time formats as Excel users type them; Excel shows the row as
    16:00, 04:05:30 PM, 250:10:10, 2024-03-01 08:30 and 18:00 (a time format hides the day)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["hora", "hora_ampm", "duracion", "duracion_propia", "fecha_hora", "hora_con_dia"])
    ws.append([datetime.time(16, 0), datetime.time(16, 5, 30), datetime.timedelta(hours=250, minutes=10, seconds=10),
               datetime.timedelta(hours=30), datetime.datetime(2024, 3, 1, 8, 30), 1.75])
    for cell, code in zip(ws[2], ["h:mm", "hh:mm:ss AM/PM", "[h]:mm:ss", "[hh]:mm", "yyyy-mm-dd hh:mm", "h:mm"]):
        cell.number_format = code
    wb.save(path("openpyxl-times.xlsx"))


def libreoffice_people():
    if not shutil.which("soffice"):
        print("soffice missing: libreoffice fixture not regenerated")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = os.path.join(tmp, "libreoffice-people.csv")
        with open(csv_path, "w", encoding="utf-8") as f:
            f.write("CPF;Nome;Sobrenome;Data de nascimento;Telefone\n")
            f.write("39053344705;João;Conceição;1980-07-15;+5511912345678\n")
            f.write("00000000191;Ana;Lima;1975-02-28;+5521998765432\n")
            f.write("231.002.999-00;Pedro;Álvares Cabral;2000-02-29;11 3333-4444\n")
        subprocess.run(["soffice", "--headless", "--infilter=CSV:59,34,76,1,1/2/2/2/3/5/4/2/5/2", "--convert-to", "xlsx",
                        "--outdir", tmp, csv_path], check=True, capture_output=True)
        shutil.copy(os.path.join(tmp, "libreoffice-people.xlsx"), path("libreoffice-people.xlsx"))


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}<sheets>{sheets}</sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="&quot;Day&quot; 0"/><numFmt numFmtId="166" formatCode="[$-409]yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="49"/></cellXfs></styleSheet>"""


def handmade(name, sheet, shared=None, date1904=False, extra=None, workbook=None, sheets=None, prefix_ns=False):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        sheets = sheets if sheets is not None else '<sheet name="Hoja1" sheetId="1" r:id="rId1"/>'
        z.writestr("xl/workbook.xml", workbook or WORKBOOK.format(pr=pr, sheets=sheets))
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/styles.xml", STYLES)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        if sheet is not None:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
        for k, v in (extra or {}).items():
            z.writestr(k, v)


SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def good_handmade():
    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">'
              '<si><t>plain</t></si>'
              '<si><r><rPr><b/></rPr><t>rich</t></r><r><t xml:space="preserve"> text</t></r></si>'
              '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>'
              '<si><t>line_x000D_break_x005F_x0041_</t></si></sst>')
    sheet = (SHEET_HEAD + '<dimension ref="A1:A1"/><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
             '<row r="2"><c r="A2"><v>42</v></c><c r="B2"><v>-3.5</v></c><c r="C2"><v>1.23456789012346E+18</v></c><c r="D2"><v>1E-05</v></c><c r="E2"><v>0.30000000000000004</v></c></row>'
             '<row r="3"><c r="A3" s="1"><v>45292</v></c><c r="B3" s="2"><v>32950</v></c><c r="C3" s="4"><v>45292.75</v></c><c r="D3" s="3"><v>7</v></c><c r="E3" s="1"><v>60</v></c><c r="F3" s="1"><v>59</v></c></row>'
             '<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="b"><v>0</v></c><c r="C4" t="e"><v>#N/A</v></c><c r="D4" t="str"><f>A2*2</f><v>84</v></c><c r="E4" t="inlineStr"><is><t><![CDATA[in <line>]]></t></is></c></row>'
             '<row><c><v>1</v></c><c><v>2</v></c><c r="E5"><v>5</v></c></row>'
             '<row r="8"><c r="B8" s="5" t="s"><v>0</v></c></row>'
             '</sheetData></worksheet>')
    handmade("handmade-cells.xlsx", sheet, shared)
    # The 1904 date system: serial 0 is 1904-01-01.
    handmade("handmade-1904.xlsx", SHEET_HEAD + '<sheetData><row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>43830</v></c></row></sheetData></worksheet>',
             date1904=True)
    # Elements under a namespace prefix, a lying dimension and 10,000 rows.
    rows = "".join(f'<x:row r="{i}"><x:c r="A{i}"><x:v>{i}</x:v></x:c></x:row>' for i in range(1, 10001))
    handmade("handmade-prefixed-10k.xlsx",
             '<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:A1"/><x:sheetData>'
             + rows + "</x:sheetData></x:worksheet>")
    # Strict OOXML namespaces and absolute targets.
    strict_rels = WORKBOOK_RELS.replace("http://schemas.openxmlformats.org/officeDocument/2006/relationships/", "http://purl.oclc.org/ooxml/officeDocument/relationships/")
    strict_rels = strict_rels.replace('Target="worksheets/sheet1.xml"', 'Target="/xl/worksheets/sheet1.xml"')
    with zipfile.ZipFile(path("handmade-strict.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS.replace("http://schemas.openxmlformats.org/officeDocument/2006/relationships/", "http://purl.oclc.org/ooxml/officeDocument/relationships/"))
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships"><sheets><sheet name="Strict" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", strict_rels)
        z.writestr("xl/styles.xml", STYLES.replace("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"))
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><si><t>estricto</t></si></sst>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45292</v></c></row></sheetData></worksheet>')


def bad_inputs():
    ok_sheet = SHEET_HEAD + '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    with open(path("bad-empty.xlsx"), "wb"):
        pass
    with open(path("bad-empty.csv"), "wb"):
        pass
    with open(path("bad-not-zip.xlsx"), "w") as f:
        f.write("nombre,cedula\nAna,123\n")
    handmade("bad-doctype.xlsx", ok_sheet, workbook='<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="&lol2;" sheetId="1" r:id="rId1"/></sheets></workbook>')
    handmade("bad-xxe.xlsx", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + ok_sheet[ok_sheet.index("?>") + 2:].replace("<v>1</v>", "<v>&xxe;</v>"))
    handmade("bad-malformed.xlsx", SHEET_HEAD + '<sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData></worksheet>')
    handmade("bad-missing-sheet.xlsx", None)
    handmade("bad-no-sheets.xlsx", ok_sheet, sheets="")
    with open(path("openpyxl-people.xlsx"), "rb") as f:
        data = f.read()
    with open(path("bad-truncated.xlsx"), "wb") as f:
        f.write(data[: len(data) // 2])
    # A zip bomb: 64 MiB of zeros in one part (about 64 KiB compressed).
    with zipfile.ZipFile(path("bad-bomb.xlsx"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK.format(pr="", sheets='<sheet name="Hoja1" sheetId="1" r:id="rId1"/>'))
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + "<sheetData>" + " " * (64 << 20) + "</sheetData></worksheet>")
    handmade("bad-many-entries.xlsx", ok_sheet, extra={f"xl/media/pad{i}.bin": "" for i in range(1001)})
    handmade("bad-duplicate-names.xlsx", ok_sheet, extra={"xl/Workbook.xml": "<x/>"})
    # A password-protected workbook: the OOXML package inside an encrypted compound file.
    try:
        import msoffcrypto
        from msoffcrypto.format.ooxml import OOXMLFile

        out = io.BytesIO()
        with open(path("openpyxl-people.xlsx"), "rb") as f:
            OOXMLFile(f).encrypt("secreto", out)
        with open(path("bad-encrypted.xlsx"), "wb") as f:
            f.write(out.getvalue())
    except Exception as error:  # keep the committed file
        print("encrypted fixture not regenerated:", error)


def late_damage():
    # Damage 3,000 rows into a sheet (past the reader's first batches): the rows before it are read.
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 3001))
    handmade("bad-malformed-late.xlsx", SHEET_HEAD + "<sheetData>" + rows
             + '<row r="3001"><c r="A3001"><v>1</v></row></sheetData></worksheet>')
    # A cell pointing past the end of the shared strings, in the second row.
    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<si><t>uno</t></si></sst>')
    handmade("bad-shared-index.xlsx", SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
             '<row r="2"><c r="A2" t="s"><v>5</v></c></row></sheetData></worksheet>', shared)


def expansion():
    sst = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    # One shared string of 1 MiB used by 2,000 cells: a 2 GiB sheet from a file of some 30 KiB. A
    # letter in every 128 keeps the string compressible only to about 2%, past the zip-bomb guard.
    rng = random.Random(7)
    text = "".join("A" * 127 + rng.choice("BCDEFGHIJK") for _ in range(8192))
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(1, 2001))
    handmade("bad-long-string.xlsx", SHEET_HEAD + "<sheetData>" + rows + "</sheetData></worksheet>",
             sst + "<si><t>" + text + "</t></si></sst>")
    # Under Excel's 32,767 characters per cell, but used in 20,000 rows of people that would pass
    # validation: 640 MB of text from about 2 MB of sheet XML.
    strings = ["nota", "national_id", "first_name", "last_name", "user_authorized", "Ana", "Pérez", "sí",
               "x" * 32_000]
    header = "".join(f'<c t="s"><v>{i}</v></c>' for i in (1, 2, 3, 4, 0))
    rows = "".join(f'<row><c><v>1{(i * 7919) % 100_000_000:08d}{i % 7}</v></c><c t="s"><v>5</v></c>'
                   f'<c t="s"><v>6</v></c><c t="s"><v>7</v></c><c t="s"><v>8</v></c></row>'
                   for i in range(20_000))
    handmade("bad-repeated-string.xlsx", SHEET_HEAD + "<sheetData><row>" + header + "</row>" + rows
             + "</sheetData></worksheet>", sst + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
    # Two cells, at XFD1 and XFD1048576: a CSV padded to the widest row would hold 17 billion cells.
    handmade("bad-far-corners.xlsx", SHEET_HEAD + '<sheetData><row r="1"><c r="XFD1"><v>1</v></c></row>'
             '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>')


def csv_files():
    # Excel "CSV (delimitado por comas)" in a Spanish locale: ';' and Windows-1252, CRLF.
    text = "Cédula;Nombre;Teléfono\r\n0012345;Ñusta Peña;+51 987654321\r\n98765432;José Müller;+51 912345678\r\n"
    with open(path("excel-es-1252.csv"), "wb") as f:
        f.write(text.encode("cp1252"))
    # "Unicode Text": UTF-16LE with a BOM, tab-delimited.
    with open(path("excel-utf16.csv"), "wb") as f:
        f.write(b"\xff\xfe" + "CPF\tNome\r\n39053344705\tJoão 😀\r\n".encode("utf-16-le"))
    # RFC 4180 corners: quotes, doubled quotes, newline inside quotes, CR-only endings, a ragged row, a BOM.
    with open(path("rfc4180.csv"), "wb") as f:
        f.write('\ufeffid,name,note\r"1","Ana ""la"" Pérez","line one\nline two"\r2,Bo,\r3,Cy\r'.encode("utf-8"))
    with open(path("unterminated.csv"), "wb") as f:
        f.write(b'id,name\n1,"Ana\n2,Bo\n')
    with open(path("pipes.csv"), "wb") as f:
        f.write(b"a|b|c\n1|2|3\n4|5|6\n")


if __name__ == "__main__":
    openpyxl_people()
    openpyxl_times()
    libreoffice_people()
    good_handmade()
    bad_inputs()
    late_damage()
    expansion()
    csv_files()
    print("fixtures written to", HERE)
