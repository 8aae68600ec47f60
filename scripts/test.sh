#!/usr/bin/env bash
# The whole test suite on a fresh machine: set up, build, run the Swift tests, then the
# conformance check against python-calamine on ../shared/fixtures/real-xlsx when it is present.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

# The look of the files people open (scripts/render_check.py): LibreOffice renders them, poppler
# reads the rendering, openpyxl reads fills and notes.
look=(libreoffice-calc-nogui poppler-utils)
missing=()
for package in "${look[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if ((${#missing[@]})) && [ "$(id -u)" -eq 0 ]; then
    echo "test: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || echo "test: ${missing[*]} not installed; the rendering checks are skipped" >&2
fi
python3 -c 'import openpyxl' 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check openpyxl \
    || echo "test: openpyxl not installed; the error-file look checks are skipped" >&2

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
