#!/usr/bin/env python3
"""The peer of `idbatch run --provider truora-checks`: the asyncio + httpx script a capable user
would write for the same job. Reads the CSV, sends one POST /v1/checks per row with at most
CONCURRENCY in flight, then polls every check (GET /v1/checks/ID, the same concurrency, a second
between rounds) until it is completed or in error, and writes a CSV with the check id, status and
score of every row. No validation, no ledger, no resume: the least a script can do.

usage: run_peer.py INPUT.csv OUTPUT.csv BASE_URL API_KEY [CONCURRENCY]
"""
import asyncio
import csv
import sys

import httpx


async def main(source, target, base, key, concurrency):
    with open(source, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Truora-API-Key": key}
    gate = asyncio.Semaphore(concurrency)
    results = [None] * len(rows)
    async with httpx.AsyncClient(base_url=base, limits=limits, headers=headers, timeout=30) as client:
        async def create(index, row):
            form = {"country": "CO", "type": "person", "user_authorized": "true"}
            for name in ("national_id", "first_name", "last_name", "date_of_birth", "phone_number"):
                if row.get(name):
                    form[name] = row[name]
            async with gate:
                for attempt in range(5):
                    response = await client.post("/v1/checks", data=form)
                    if response.status_code in (429, 502, 503, 504):
                        await asyncio.sleep(min(8, 0.5 * 2 ** attempt))
                        continue
                    break
            check = response.json().get("check", {})
            results[index] = [check.get("check_id", ""), check.get("status", "error"), check.get("score", "")]

        await asyncio.gather(*(create(i, row) for i, row in enumerate(rows)))

        async def poll(index):
            async with gate:
                response = await client.get(f"/v1/checks/{results[index][0]}")
            check = response.json().get("check", {})
            results[index] = [check.get("check_id", ""), check.get("status", ""), check.get("score", "")]

        while True:
            running = [i for i, r in enumerate(results) if r[0] and r[1] not in ("completed", "error")]
            if not running:
                break
            await asyncio.sleep(1)
            await asyncio.gather(*(poll(i) for i in running))
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(rows[0].keys()) + ["check_id", "check_status", "score"] if rows else [])
        for row, result in zip(rows, results):
            writer.writerow(list(row.values()) + result)


if __name__ == "__main__":
    concurrency = int(sys.argv[5]) if len(sys.argv) > 5 else 64
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], concurrency))
