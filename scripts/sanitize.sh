#!/usr/bin/env bash
# The whole test suite under a sanitizer: AddressSanitizer (memory errors and leaks in the C
# libraries' glue and the readers' unsafe pointers) or ThreadSanitizer (the xlsx reader's inflate,
# parse and shared-string threads, the CSV prefetcher, abandoned readers, the sandbox under
# concurrent clients). Each sanitizer builds into its own folder (.build-address, .build-thread),
# so the ordinary build is left alone. Not part of CI: a clean sanitized build takes ~15 minutes
# on two cores.
#   bash scripts/sanitize.sh address|thread [swift test arguments, e.g. --filter XLSXReaderTests]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

kind=${1:-}
case "$kind" in
    address | thread) shift ;;
    *) echo "usage: bash scripts/sanitize.sh address|thread [swift test arguments]" >&2; exit 64 ;;
esac
scratch=".build-$kind"
# Leaks are reported at exit; halt_on_error makes the first finding fail the run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
swift build --build-tests --sanitize="$kind" --scratch-path "$scratch"
# The end-to-end tests run the binary built with the same sanitizer.
export IDBATCH_BINARY="$(swift build --sanitize="$kind" --scratch-path "$scratch" --show-bin-path)/idbatch"
swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" --disable-xctest "$@"
