# The two entry points a new user needs: `make demo` and `make test`.
# Both install missing Debian packages, configure, build, and are safe to repeat.
BUILD ?= build
MAKEFLAGS += --no-print-directory
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all setup configure build test test-asan demo handout bench fuzz clean

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
# there; any sanitizer report fails its test. For a subset (.ci/run runs one):
# ASAN_TARGETS limits what is built, ASAN_CTEST passes ctest options such as
# -R or -LE 'viewer|notebook|docs', ASAN_CMAKE_FLAGS adds configure options.
ASAN_CMAKE_FLAGS ?=
ASAN_TARGETS ?=
ASAN_CTEST ?=
test-asan: setup
	@cmake --preset asan $(ASAN_CMAKE_FLAGS) >/dev/null
	@cmake --build --preset asan -j $(JOBS) $(if $(ASAN_TARGETS),--target $(ASAN_TARGETS))
	@ctest --preset asan -j $(JOBS) $(ASAN_CTEST)

demo: build
	@./scripts/demo.sh $(BUILD)

# For laptops that cannot build: executed notebooks with their outputs, the
# demo's traces and screenshots, the docs and the catalog, in one tarball.
handout: demo
	@./scripts/handout.sh $(BUILD)

bench: build
	@./$(BUILD)/bench/faultlab-bench

# libFuzzer targets (clang, ASan + UBSan, in build-fuzz/), FUZZ_SECONDS each;
# findings land in out/fuzz/<target>/ (README: Fuzzing).
FUZZ_SECONDS ?= 60
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) ./scripts/fuzz.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz out
