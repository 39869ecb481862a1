#!/usr/bin/env bash
# Soak run of the crash tests: kill -9 `orgtrail serve` at random moments while clients
# call, ORGTRAIL_KILL_LOOPS times (default 20 here, 2 under `make test`), then check that
# every acknowledged call was delivered exactly once and no log file is torn.
# Usage: scripts/soak.sh [loops]     (ORGTRAIL_KILL_SEED fixes the random moments)
set -euo pipefail
cd "$(dirname "$0")/.."
export ORGTRAIL_BIN="$(realpath "${ORGTRAIL_BIN:-build-asan/orgtrail}")"
export ORGTRAIL_KILL_LOOPS="${1:-${ORGTRAIL_KILL_LOOPS:-20}}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=66}"
python3 -m unittest -v tests.integration.test_delivery.KillDeliveryTest
