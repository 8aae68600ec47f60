#!/usr/bin/env bash
# The main job on a fresh machine: set up, build, and run idbatch on the samples.
# Until the run pipeline lands this is `inspect`, `validate` and `convert`; outputs go to ./demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

swift build -c release --product idbatch
bin=$(swift build -c release --show-bin-path)/idbatch
mkdir -p demo-out

for sample in samples/personas-co.xlsx samples/pessoas-br-excel.csv; do
    echo "== idbatch inspect $sample"
    "$bin" inspect "$sample"
done
# validate exits 2 because the samples hold known bad rows; their error files are the point.
for job in personas-co.xlsx:personas-co pessoas-br-excel.csv:pessoas-br; do
    echo "== idbatch validate samples/${job%%:*}"
    "$bin" validate "samples/${job%%:*}" --job "samples/${job##*:}.job.yaml" --out demo-out || [ $? -eq 2 ]
done
"$bin" template --provider truora-checks --country CO --type person -o demo-out/plantilla-co.xlsx
"$bin" convert samples/personas-co.xlsx --to csv -o demo-out/personas-co.csv
"$bin" convert samples/pessoas-br-excel.csv --to xlsx -o demo-out/pessoas-br.xlsx
echo "demo: outputs in demo-out/"
