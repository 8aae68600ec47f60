#!/usr/bin/env bash
# The main job on a fresh machine: set up, build, and run idbatch on the samples against the
# sandbox started in process (no credentials, no cost). Reports go to ./demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

swift build -c release --product idbatch
bin=$(swift build -c release --show-bin-path)/idbatch
rm -rf demo-out
mkdir -p demo-out
# The ledger of this demo lives beside its reports, so every demo starts afresh.
state=demo-out/.state

# Exit 2 is expected: the samples hold known bad rows, and their error files are the point.
run() { "$bin" run "$@" --sandbox --state "$state" --out demo-out || [ $? -eq 2 ]; }

echo "== idbatch doctor --sandbox (what a first real run would be checked for, against the sandbox)"
"$bin" doctor samples/personas-co.xlsx --provider trulioo --country CO --sandbox
echo "== idbatch run samples/personas-co.xlsx (truora-checks, sandbox)"
run samples/personas-co.xlsx --job samples/personas-co.job.yaml
echo "== idbatch run samples/pessoas-br-excel.csv (truora-checks, sandbox)"
run samples/pessoas-br-excel.csv --job samples/pessoas-br.job.yaml
echo "== idbatch run samples/personas-co.xlsx --provider trulioo --signed-url (Workflow Studio, sandbox)"
mkdir -p demo-out/trulioo
"$bin" run samples/personas-co.xlsx --provider trulioo --country CO --signed-url \
    --sandbox --state "$state" --out demo-out/trulioo || [ $? -eq 2 ]
echo "== idbatch run samples/personas-co.xlsx --provider truora-batch (Truora's batch upload, sandbox)"
mkdir -p demo-out/batch
"$bin" run samples/personas-co.xlsx --job samples/personas-co.job.yaml --provider truora-batch \
    --sandbox --state "$state" --out demo-out/batch || [ $? -eq 2 ]
echo "== idbatch run samples/personas-co.xlsx --job samples/verificacion-co.job.yaml (truora-di: a verification link per person, sandbox)"
mkdir -p demo-out/verificacion
# --wait: the sandbox's people finish their flows in ten seconds; real ones take days (collect later).
"$bin" run samples/personas-co.xlsx --job samples/verificacion-co.job.yaml --wait 30s \
    --sandbox --state "$state" --out demo-out/verificacion || [ $? -eq 2 ]
echo "== the same file again: the ledger resumes, nothing is sent twice"
run samples/personas-co.xlsx --job samples/personas-co.job.yaml
echo "demo: reports in demo-out/ (NAME.report.*, NAME.errors.*, NAME.summary.json)"
