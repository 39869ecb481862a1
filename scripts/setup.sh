#!/usr/bin/env bash
# Installs what building and testing orgtrail needs, and only what is missing.
# Safe to run repeatedly; `make run` and `make test` call it first.
set -euo pipefail

debian_packages=(
    build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
    libmicrohttpd-dev libsqlite3-dev libssl-dev libjansson-dev
    libcurl4-openssl-dev libdeflate-dev libisal-dev libpcre2-dev libexpat1-dev
    libcmocka-dev libcbor-dev
    gdb  # tests/integration/test_signer.py probes the serving process with it
)

missing=()
for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    export DEBIAN_FRONTEND=noninteractive
    # Another apt (unattended upgrades, a parallel build) may hold the lock: wait for it.
    $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
    $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# Test-only clients: boto3 and the AWS CLI must already be on the machine (PyPI is not
# reachable from these machines); the AWS SDK for JavaScript v3 comes from npm, pinned
# by tests/js/package-lock.json.
if [ "${1:-}" = "--test" ]; then
    for tool in python3 aws node npm; do
        command -v "$tool" >/dev/null || { echo "setup: '$tool' is required for the tests" >&2; exit 1; }
    done
    python3 -c 'import boto3' || { echo "setup: python3 module boto3 is required for the tests" >&2; exit 1; }
    # npm ci again when the lock file changed since the last install (npm keeps a copy).
    if [ -f tests/js/package-lock.json ] && { [ ! -d tests/js/node_modules ] ||
        [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; }; then
        echo "setup: installing the AWS SDK for JavaScript v3 (npm ci)"
        (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
