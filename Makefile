# orgtrail: `make run` starts a server on 127.0.0.1:4566, `make test` runs every test.
# Both install what they need first (scripts/setup.sh).

JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all setup build asan fuzz-build test unit integration fuzz run bench bench-ingest bench-authorize bench-filters bench-detection format format-check check-layers clean

all: build

setup:
	@scripts/setup.sh

build: setup
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j $(JOBS)

# The test build: AddressSanitizer + UndefinedBehaviorSanitizer.
asan: setup
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DORGTRAIL_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)

fuzz-build: setup
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DORGTRAIL_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

test: build asan fuzz-build
	@scripts/setup.sh --test
	@$(MAKE) --no-print-directory format-check check-layers unit integration fuzz

unit:
	@ctest --test-dir build-asan --output-on-failure -j $(JOBS)

integration:
	@ORGTRAIL_BIN=build-asan/orgtrail scripts/integration.sh

fuzz:
	@scripts/fuzz.sh smoke

run: build
	@scripts/run.sh

bench: build
	@python3 bench/describe_trails.py

# Bulk ingestion with delivery, against rsyslog (installs Debian's rsyslog when missing).
bench-ingest: build
	@python3 bench/ingest.py

bench-authorize: build
	@python3 bench/authorize.py

bench-filters: build
	@python3 bench/filter_patterns.py

bench-detection: build
	@python3 bench/detection.py

C_SOURCES = git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c'

format:
	@clang-format -i $$($(C_SOURCES))

# Part of `make test`: every C file as .clang-format has it (`make format` fixes them).
format-check:
	@clang-format --dry-run -Werror $$($(C_SOURCES)) || \
	  { echo "format-check: run 'make format' and commit the result" >&2; exit 1; }

# Part of `make test`: includes follow src/LAYERS, no include cycles, no file over 1,000
# lines (the build's link check catches upward calls).
check-layers:
	@python3 tools/check_layers.py

clean:
	rm -rf build build-asan build-fuzz
