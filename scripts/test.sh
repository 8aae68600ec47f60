#!/usr/bin/env bash
# The whole test suite on a fresh machine: set up, build, run the Swift tests, then the
# conformance check against python-calamine on ../shared/fixtures/real-xlsx when it is present.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

swift build --build-tests
swift test --disable-xctest

fixtures=../shared/fixtures/real-xlsx
if [ -d "$fixtures" ]; then
    if ! python3 -c 'import python_calamine' 2>/dev/null; then
        python3 -m pip install --quiet --disable-pip-version-check python-calamine \
            || python3 -m pip install --quiet --disable-pip-version-check python-calamine
    fi
    IDBATCH="$(swift build --show-bin-path)/idbatch" python3 scripts/conformance.py "$fixtures"
else
    echo "conformance: $fixtures not present, skipped"
fi
