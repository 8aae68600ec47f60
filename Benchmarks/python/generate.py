#!/usr/bin/env python3
"""Generates a realistic person sheet as xlsx (written the way Excel writes it: every string in
the shared-strings table, dates as styled serials) and the same rows as UTF-8 CSV.

Columns (14): tipo_documento, numero_documento (a number), documento_texto (text, leading zeros),
nombres, primer_apellido, segundo_apellido, fecha_nacimiento (date-formatted), celular (text with
+57 on most rows, a bare number where Excel ate the +), correo, direccion, ciudad, pais, monto
(decimal), nota (free text, mostly stock phrases). Text IDs and emails are distinct per row,
phones and addresses nearly so: a 1M-row sheet holds about 3.5 million distinct shared strings,
in the order the sheet first uses them, as Excel writes them.

usage: generate.py ROWS OUT.xlsx OUT.csv
"""
import csv
import random
import sys
import zipfile

NAMES = ["José", "María", "Juan Carlos", "Ana Lucía", "Luis", "Sofía", "João", "Conceição", "Ñusta", "Andrés",
         "Valentina", "Mateo", "Camila", "Sebastián", "Isabella", "Martín", "Lucía", "Tomás", "Gabriela", "Joaquín"]
SURNAMES = ["Rodríguez", "Gómez", "Pérez", "Ñáñez", "Fernández", "González", "Martínez", "Araújo", "da Silva",
            "López", "Díaz", "Muñoz", "Rojas", "Castaño", "Suárez", "Álvarez", "Peña", "Ramírez", "Torres", "Vargas"]
CITIES = ["Bogotá", "Medellín", "Cali", "Santiago", "Valparaíso", "São Paulo", "Rio de Janeiro", "Lima", "Arequipa",
          "Ciudad de México", "Guadalajara", "San José", "Barranquilla", "Cusco", "Concepción"]
COUNTRIES = ["CO", "CL", "BR", "PE", "MX", "CR"]
TYPES = ["CC", "CE", "PPT", "PA", "DNI", "RUT", "CPF"]
NOTES = ["Verificado", "Pendiente de documento", "Cliente preferencial", "Revisar dirección", "Sin observaciones",
         "Llamar antes de visitar", "Documento vencido", "Autorizó el tratamiento de datos", "Nuevo ingreso", ""]
HEADER = ["tipo_documento", "numero_documento", "documento_texto", "nombres", "primer_apellido", "segundo_apellido",
          "fecha_nacimiento", "celular", "correo", "direccion", "ciudad", "pais", "monto", "nota"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def col(i):
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]


def rows(n):
    rnd = random.Random(7)
    for i in range(n):
        number = 1_000_000_000 + rnd.randrange(0, 8_999_999_999)
        yield [
            TYPES[i % len(TYPES)],
            number,
            f"{rnd.randrange(0, 99_999_999):08d}-{i % 10}",
            NAMES[rnd.randrange(len(NAMES))],
            SURNAMES[rnd.randrange(len(SURNAMES))],
            SURNAMES[rnd.randrange(len(SURNAMES))],
            20000 + rnd.randrange(0, 20000),  # a date serial (1954..2009)
            (f"+57 3{rnd.randrange(0, 99):02d} {rnd.randrange(0, 9_999_999):07d}" if i % 5 else
             3_000_000_000 + rnd.randrange(0, 999_999_999)),
            f"persona{i}@correo{i % 97}.example.com",
            f"Calle {rnd.randrange(1, 200)} # {rnd.randrange(1, 99)}-{rnd.randrange(1, 99)}",
            CITIES[rnd.randrange(len(CITIES))],
            COUNTRIES[i % len(COUNTRIES)],
            round(rnd.random() * 100000, 2),
            (f"Cliente {i}: verificar antes del día {i % 28 + 1}" if i % 10 == 0 else NOTES[rnd.randrange(len(NOTES))]),
        ]


def main():
    n, xlsx_path, csv_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    index = {}
    strings = []

    def sst(s):
        k = index.get(s)
        if k is None:
            k = index[s] = len(strings)
            strings.append(s)
        return k

    with zipfile.ZipFile(xlsx_path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z, \
            open(csv_path, "w", newline="", encoding="utf-8") as cf:
        writer = csv.writer(cf)
        writer.writerow(HEADER)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:N%d"/><sheetData>' % (n + 1)]
            out.append('<row r="1">' + "".join(f'<c r="{col(j)}1" t="s"><v>{sst(h)}</v></c>' for j, h in enumerate(HEADER)) + "</row>")
            for r, row in enumerate(rows(n), start=2):
                writer.writerow(row)
                cells = []
                for j, v in enumerate(row):
                    ref = f"{col(j)}{r}"
                    if j == 6:
                        cells.append(f'<c r="{ref}" s="1"><v>{v}</v></c>')
                    elif isinstance(v, (int, float)):
                        cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}" t="s"><v>{sst(v)}</v></c>')
                out.append(f'<row r="{r}" spans="1:14">' + "".join(cells) + "</row>")
                if len(out) >= 5000:
                    sheet.write("".join(out).encode())
                    out = []
            out.append("</sheetData></worksheet>")
            sheet.write("".join(out).encode())
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n * 11}" uniqueCount="{len(strings)}">'.encode())
            for k in range(0, len(strings), 10000):
                f.write("".join(f"<si><t>{esc(s)}</t></si>" for s in strings[k:k + 10000]).encode())
            f.write(b"</sst>")
        z.writestr("xl/styles.xml", '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Personas" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                   '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
    print(f"generated {n} rows, {len(strings)} distinct shared strings")


if __name__ == "__main__":
    main()
