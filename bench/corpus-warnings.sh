#!/usr/bin/env bash
# Prints `wick verify` output for every unit directory of the corpus, paths relative to it:
# the checked-in docs/corpus-warnings.txt, compared by the test suite.
set -uo pipefail
corpus=${1:?usage: bench/corpus-warnings.sh CORPUS_DIR}
wick="$(cd "$(dirname "$0")/.." && pwd)/.build/debug/wick"
cd "$corpus"
for dir in $(find units -mindepth 2 -maxdepth 2 -type d | sort); do
  "$wick" verify --no-host-checks "$dir"
done
