# The two entry points a new user needs: `make demo` and `make test`.
# Both install missing Debian packages, configure, build, and are safe to repeat.
BUILD ?= build
MAKEFLAGS += --no-print-directory
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all setup configure build test test-asan demo handout bench clean

all: build

setup:
	@./scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Everything built with AddressSanitizer + UndefinedBehaviorSanitizer (the
# `asan` preset in CMakePresets.json, into build-asan/) and the whole suite run
# there; any sanitizer report fails its test. ASAN_CTEST passes ctest options,
# e.g. ASAN_CTEST="-LE 'viewer|notebook|docs'" for the subset CI runs.
ASAN_CMAKE_FLAGS ?=
ASAN_CTEST ?=
test-asan: setup
	@cmake --preset asan $(ASAN_CMAKE_FLAGS) >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS) $(ASAN_CTEST)

demo: build
	@./scripts/demo.sh $(BUILD)

# For laptops that cannot build: executed notebooks with their outputs, the
# demo's traces and screenshots, the docs and the catalog, in one tarball.
handout: demo
	@./scripts/handout.sh $(BUILD)

bench: build
	@./$(BUILD)/bench/faultlab-bench

clean:
	rm -rf $(BUILD) build-asan out
