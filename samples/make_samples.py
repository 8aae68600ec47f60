#!/usr/bin/env python3
"""Writes the sample inputs in samples/ (committed). Needs openpyxl.

personas-co.xlsx     a Colombian onboarding sheet as people fill it in Excel (Spanish headers with
                     notes and marks, a document-type column, IDs as numbers and as text, day-first
                     dates as dates and as text, phones with and without +57), with known bad rows.
pessoas-br-excel.csv a Brazilian list saved by Excel in a Portuguese locale: ';'-delimited,
                     Windows-1252, CRLF, CPFs with and without punctuation, some with lost zeros.
"""
import datetime
import os

from openpyxl import Workbook
from openpyxl.comments import Comment

HERE = os.path.dirname(os.path.abspath(__file__))

COLOMBIA = [
    # tipo, número (int = typed as a number), nombres, primer apellido, segundo apellido, fecha nac., celular, correo, autoriza
    ("CC", 1020304050, "Juan Carlos", "Rodríguez", "Gómez", datetime.date(1985, 3, 14), "+573001234567", "jc.rodriguez@example.co", "Sí"),
    ("C.C.", "52.123.456", "María José", "Pérez", "Ñáñez", "14/07/1990", "3109876543", "mjperez@example.co", "Sí"),
    ("CE", "0345678", "Ana Lucía", "Fernández", "", datetime.date(1978, 11, 2), "+57 315 555 0101", "", "Sí"),
    ("PPT", "5123456", "Yorman José", "Rangel", "Pérez", "01/02/1999", "3201112233", "yrangel@example.com", "Sí"),
    ("CC", 79865432, "Luis Alberto", "Martínez", "Ospina", datetime.date(1969, 5, 30), "+573174445566", "", "Sí"),
    ("Pasaporte", "AB1234567", "Emily", "O'Connor", "", datetime.date(1992, 8, 21), "+14155550123", "emily@example.com", "Sí"),
    ("CC", 1234567890123456789, "Carlos", "Díaz", "Vega", datetime.date(1988, 2, 29), "+573005556677", "", "Sí"),  # 19-digit number: Excel lost digits
    ("CC", "12a45678", "Pedro", "Suárez", "", "31/02/1980", "3001230000", "", "Sí"),  # letters in a cédula; 31 February
    ("NIT", "900.123.456-7", "Tiendas El Éxito S.A.S.", "", "", "", "+576012345678", "", "Sí"),
    ("CC", 1098765432, "Sofía", "Herrera", "Castaño", datetime.date(2001, 12, 25), "+573012223344", "", "No"),  # no consent
    ("XX", "123456", "Desconocido", "Tipo", "", datetime.date(1970, 1, 1), "", "", "Sí"),  # unknown document type
    ("CC", "", "Sin", "Documento", "", datetime.date(1990, 1, 1), "", "", "Sí"),  # missing ID
]


def colombia():
    wb = Workbook()
    ws = wb.active
    ws.title = "Personas"
    header = ["Tipo de documento*", "Número de documento*", "Nombres*", "Primer apellido*", "Segundo apellido",
              "F. Nac. (dd/mm/aaaa)", "Celular", "Correo electrónico (opcional)", "Autoriza tratamiento de datos"]
    ws.append(header)
    ws["B1"].comment = Comment("Sin puntos ni espacios", "RRHH")
    for row in COLOMBIA:
        ws.append(list(row))
    for cell in ws["F"][1:]:
        if isinstance(cell.value, datetime.date):
            cell.number_format = "dd/mm/yyyy"
    ws.column_dimensions["B"].width = 22
    notes = wb.create_sheet("Instrucciones")
    notes["A1"] = "Diligencie una fila por persona. Los campos con * son obligatorios."
    wb.save(os.path.join(HERE, "personas-co.xlsx"))


BRAZIL = [
    ("390.533.447-05", "João", "da Silva", "15/07/1980", "(11) 91234-5678", "São Paulo", "SP"),
    ("52998224725", "Ana Beatriz", "Conceição", "28/02/1975", "+55 21 99876-5432", "Rio de Janeiro", "RJ"),
    ("6789012345", "Mário", "Araújo", "03/10/1969", "31 3333-4444", "Belo Horizonte", "MG"),  # lost its leading zero (06789012345)
    ("231.002.999-00", "Pedro", "Álvares Cabral", "22/04/1990", "", "Salvador", "BA"),  # bad check digits
    ("111.111.111-11", "Teste", "Repetido", "01/01/2000", "", "Curitiba", "PR"),  # all-same digits
    ("16.727.230/0001-97", "Padaria Pão de Açúcar Ltda", "", "", "(61) 3222-1111", "Brasília", "DF"),  # a CNPJ
]


def brazil():
    lines = ["CPF;Nome;Sobrenome;Data de nascimento;Telefone;Cidade;UF"]
    lines += [";".join(row) for row in BRAZIL]
    with open(os.path.join(HERE, "pessoas-br-excel.csv"), "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n").encode("cp1252"))


if __name__ == "__main__":
    colombia()
    brazil()
