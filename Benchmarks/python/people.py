#!/usr/bin/env python3
"""Writes ROWS Colombian people as CSV for the run benchmark: distinct 10-digit cédulas ending in
0-6 (checks the sandbox completes), names, a date of birth, a +57 phone and a consent column.

usage: people.py ROWS OUT.csv
"""
import sys

rows, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="utf-8") as out:
    out.write("national_id,first_name,last_name,date_of_birth,phone_number,user_authorized\n")
    for i in range(rows):
        middle = (i * 7919 + 104729) % 100_000_000
        out.write(f"1{middle:08d}{i % 7},Ana María,Pérez Gómez,1980-{1 + i % 12:02d}-{1 + i % 28:02d},"
                  f"+5731{i % 100_000_000:08d},sí\n")
