# The front door. Every target runs unattended (no stdin) on a fresh Debian machine; `make test`
# is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

BUILD_DIR ?= build/release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
STOCHOS := $(BUILD_DIR)/stochos
# Our source folders (those that exist yet), for `make format`.
SOURCE_DIRS := $(wildcard graph autodiff rewrite backends distributions transforms model infer diagnostics \
                 io lang cli include tests bench)

.PHONY: all deps configure build test run bench validate docs format format-check clean

all: build

deps:
	scripts/install-deps

# Configure once; afterwards Ninja re-runs CMake itself when a CMakeLists.txt changes. CMake
# picks up ccache as the compiler launcher when it is installed.
configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS); \
	fi

build: configure
	ninja -C $(BUILD_DIR) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)

# The main job: sample eight schools with NUTS (4 chains), progress bars, the summary table.
run: build
	$(STOCHOS) sample examples/eight_schools.stoch --data examples/eight_schools.data.json

# Samples every reference posterior (../shared/validation, ../shared/posteriordb) and compares
# it with its reference; writes docs/validation.md.
VALIDATION_DIRS ?= ../shared/validation ../shared/posteriordb
validate: build
	scripts/validate $(STOCHOS) --markdown docs/validation-table.md $(VALIDATION_DIRS)

bench: build
	@found=0; \
	for b in $$(find $(BUILD_DIR)/bench -maxdepth 1 -type f -executable 2>/dev/null | sort); do \
	  found=1; echo "== $$b"; "$$b"; \
	done; \
	if [ $$found -eq 0 ]; then echo "bench: no benchmark programs built yet"; fi

# Renders the figures of docs/ (Graphviz sources in docs/figures/*.dot) to SVG; the SVGs are
# committed, so a reader needs no Graphviz. Needs only `dot` (Debian's graphviz), not a build.
FIGURES := $(wildcard docs/figures/*.dot)
docs:
	@command -v dot >/dev/null || scripts/install-deps
	@for f in $(FIGURES); do \
	  echo "dot -Tsvg $$f -o $${f%.dot}.svg"; dot -Tsvg "$$f" -o "$${f%.dot}.svg"; \
	done

format:
	find $(SOURCE_DIRS) -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0 | xargs -0 -r clang-format -i

format-check:
	find $(SOURCE_DIRS) -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0 \
	  | xargs -0 -r clang-format --dry-run -Werror

# Removes only what this Makefile builds; other build folders under build/ are left alone.
clean:
	rm -rf $(BUILD_DIR)
