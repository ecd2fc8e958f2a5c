# The two entry points a new user needs: `make demo` and `make test`.
# Both install missing Debian packages, configure, build, and are safe to repeat.
BUILD ?= build
MAKEFLAGS += --no-print-directory
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all setup configure build test demo handout bench fuzz clean

all: build

setup:
	@./scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

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
	rm -rf $(BUILD) build-fuzz out
