#!/usr/bin/env bash
# Runs every libFuzzer target of wick-fuzz for SECONDS each (default 300), after replaying the
# seeds and past findings (Tests/fuzz). New corpus entries stay in .build-fuzz/corpus; a crash is
# written to .build-fuzz/findings and fails the run: copy it into Tests/fuzz/seeds/TARGET once fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
binary=.build-fuzz/debug/wick-fuzz
targets=(unit-file control-request notify environment-file command-line)
[ -x "$binary" ] || { echo "build it first: make fuzz-build"; exit 2; }
mkdir -p .build-fuzz/findings
for target in "${targets[@]}"; do
  corpus=.build-fuzz/corpus/$target
  mkdir -p "$corpus"
  echo "== $target: ${seconds}s"
  WICK_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
    -artifact_prefix=".build-fuzz/findings/$target-" -print_final_stats=1 "$corpus" "Tests/fuzz/seeds/$target" 2>&1 \
    | grep -E '^(#[0-9]+\s+DONE|Done|stat::number_of_executed_units|==[0-9]+==|SUMMARY|.*Fatal error|.*crash-)' || true
  if ls .build-fuzz/findings/"$target"-* >/dev/null 2>&1; then
    echo "fuzz: $target found a crash: $(ls .build-fuzz/findings/"$target"-*)"
    exit 1
  fi
done
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
