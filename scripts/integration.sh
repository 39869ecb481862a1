#!/usr/bin/env bash
# Runs the integration tests: Python (boto3 + AWS CLI) and JavaScript (AWS SDK v3), each
# against its own freshly started `orgtrail serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORGTRAIL_BIN="${ORGTRAIL_BIN:-build-asan/orgtrail}"
export ORGTRAIL_BIN="$(realpath "$ORGTRAIL_BIN")"
# Sanitizer reports make the server exit non-zero, which the harness turns into failures.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=66}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=67}"
python3 -m unittest discover -s tests/integration -p 'test_*.py' -t . "$@"
if [ -d tests/js/node_modules ]; then
    node --test tests/js/
fi
