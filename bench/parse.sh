#!/usr/bin/env bash
# Prints how many unit files per second wick parses (lex, type, validate), over every unit
# directory of the Debian corpus. Usage: bench/parse.sh CORPUS_DIR [ROUNDS]
set -euo pipefail
corpus=${1:?usage: bench/parse.sh CORPUS_DIR [ROUNDS]}
rounds=${2:-200}
dirs=$(find "$corpus/units" -mindepth 2 -maxdepth 2 -type d | sort)
exec "$(dirname "$0")/../.build/release/wick-parse-bench" --rounds "$rounds" $dirs
