#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer with AddressSanitizer) of one idbatch target.
#   bash scripts/fuzz.sh --list              the targets
#   bash scripts/fuzz.sh TARGET [SECONDS]    fuzz TARGET (default 1800 s), then merge what found
#                                            new coverage into Fuzz/corpus/TARGET (kept small)
# Seeds: Fuzz/corpus/TARGET, the test fixtures, samples/, and ../shared/fixtures/real-xlsx when
# present (read, never copied). A crash is written to Fuzz/crashes/TARGET-*; make it a fixture and
# a regression test (its file in Fuzz/corpus/TARGET is replayed by the tests). Not part of CI:
# replaying the corpus is (Tests/FuzzTargetsTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

if [ "${1:-}" = --list ]; then
    swift build --product idbatch-fuzz >/dev/null
    "$(swift build --show-bin-path)/idbatch-fuzz" --list
    exit 0
fi
target=${1:?usage: bash scripts/fuzz.sh --list | TARGET [SECONDS]}
seconds=${2:-1800}
[ -d "Fuzz/corpus/$target" ] || { echo "fuzz: no target '$target' (bash scripts/fuzz.sh --list)" >&2; exit 64; }

scratch=.build-fuzz
# Every Swift module (and the C of Yams) gets coverage counters and ASan, not only the executable
# (SwiftPM's --sanitize=fuzzer instruments the executable alone).
flags=(--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
       -Xswiftc -D -Xswiftc FUZZING -Xswiftc -parse-as-library)
swift build -c release --scratch-path "$scratch" --product idbatch-fuzz "${flags[@]}"
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path "${flags[@]}")/idbatch-fuzz"

work="$scratch/corpus-$target"
mkdir -p "$work" Fuzz/crashes
seeds=("Fuzz/corpus/$target")
dict=()
case "$target" in
    xlsx)
        dict=(-dict=Fuzz/xlsx.dict)
        seeds+=(Tests/SpreadsheetTests/Fixtures)
        [ -d ../shared/fixtures/real-xlsx ] && seeds+=(../shared/fixtures/real-xlsx)
        ;;
    csv) seeds+=(Tests/SpreadsheetTests/Fixtures samples) ;;
    jobfile) seeds+=(samples) ;;
esac
export IDBATCH_FUZZ_TARGET="$target"
started="$scratch/started-$target"
touch "$started"
# Each input gets 10 s and 2 GiB: more is a hang or a bomb, and a finding.
"$bin" "$work" "${seeds[@]}" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=1048576 -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$target-" 2>&1 | tee "$scratch/fuzz-$target.log" \
    | grep -E '^#[0-9]+ +(DONE|pulse)|stat::|ERROR|SUMMARY|Test unit written' || true
# The corpus in the repository is minimised again: the fewest inputs (old and new) that keep
# every feature reached.
minimal="$scratch/minimal-$target"
rm -rf "$minimal" && mkdir -p "$minimal"
# Named files (seeds written by hand, regression-* crashes) always stay; the hash-named ones are
# replaced by the smallest set that covers the same edges (set cover, hit counts ignored: the
# full feature set keeps thousands of files; the working corpus in $work keeps them for the next run).
if "$bin" -set_cover_merge=1 -use_counters=0 "$minimal" "Fuzz/corpus/$target" "$work" >/dev/null 2>&1 \
    && [ -n "$(ls "$minimal")" ]; then
    find "Fuzz/corpus/$target" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
    cp "$minimal"/* "Fuzz/corpus/$target"/
fi
# Large inputs stay out of the repository (the fixtures they mostly come from seed every run).
find "Fuzz/corpus/$target" -type f -size +12k ! -name 'regression-*' -delete
echo "fuzz: $target: corpus $(ls "Fuzz/corpus/$target" | wc -l) files; log $scratch/fuzz-$target.log"
# A slow unit is an input that took over 10 s once without failing: on a loaded machine often
# load, so it is named for replaying alone (idbatch-fuzz TARGET FILE) rather than failing the run.
slow=$(find Fuzz/crashes -name "$target-slow-unit-*" -newer "$started" 2>/dev/null)
if [ -n "$slow" ]; then echo "$slow"; echo "fuzz: $target: slow inputs to time alone (above)" >&2; fi
found=$(find Fuzz/crashes -name "$target-*" ! -name "$target-slow-unit-*" -newer "$started" 2>/dev/null)
if [ -n "$found" ]; then echo "$found"; echo "fuzz: $target: crashes found" >&2; exit 1; fi
