# Schreibstube — the two commands: `make run` and `make test`. Everything else is a step of them.
# Both work on a fresh Debian 12 machine (as root, or with sudo): they install what they need.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The cargo build cache lives outside the clone, so CI reruns and fresh clones reuse it.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/schreibstube/target
# Build llama.cpp (and our Rust) for this CPU's SIMD (AVX-512 where present): the crate's default
# flags cost ~20 % of prompt speed. One set of flags for app, tests and bench = one build.
export RUSTFLAGS ?= -C target-cpu=native
export PATH := $(HOME)/.cargo/bin:$(PATH)
# Tests run with a throw-away HOME (scripts/with-keyring.sh); cargo and rustup stay where they are.
export CARGO_HOME ?= $(HOME)/.cargo
export RUSTUP_HOME ?= $(HOME)/.rustup

BIN := $(CARGO_TARGET_DIR)/release
APP := $(BIN)/schreibstube
CLI := $(BIN)/schreibstube-cli
MODEL := models/gemma-3-270m-q4_k_m.gguf

.PHONY: help setup setup-system setup-ui setup-model setup-e2e ui build run test test-rust test-ui test-e2e test-no-network bench bench-documents fuzz clean

help:
	@echo "make run    – set up (apt, npm, model), build and start Schreibstube"
	@echo "make test   – set up and run all tests (engine, CLI, UI, end-to-end with axe-core)"
	@echo "make bench  – engine vs. C++ reference on the same llama.cpp, and document extraction (not part of test)"
	@echo "make bench-documents – only the document figures (pages/s, OCR s/page, peak memory), in seconds"
	@echo "make fuzz   – every document reader under cargo-fuzz, FUZZ_SECONDS=30 each (not part of test)"

## Setup: idempotent, fast when everything is there.
setup: setup-system setup-ui setup-model

setup-system:
	@scripts/setup-system.sh

# npm ci only when the lockfile changed since the last install.
setup-ui: ui/node_modules/.install-stamp
ui/node_modules/.install-stamp: ui/package-lock.json ui/package.json
	cd ui && npm ci --no-audit --no-fund
	touch $@

setup-model:
	@scripts/fetch-model.sh

setup-e2e: setup
	@scripts/setup-e2e.sh

## Build
ui: setup-ui
	cd ui && npm run build

build: setup ui
	cargo build --release --workspace --locked

## Run: the window where there is a display, else the engine on a German sample in the terminal.
run: build
	@if [[ -n "$${DISPLAY:-}" || -n "$${WAYLAND_DISPLAY:-}" ]]; then \
		exec "$(APP)"; \
	else \
		echo "Kein Bildschirm gefunden (DISPLAY/WAYLAND_DISPLAY leer): Schreibstube zeigt stattdessen das Sprachmodell im Terminal mit einem Beispieltext."; \
		"$(CLI)" generate --max-tokens 80 --seed 1 --prompt "$$(cat assets/samples/eingangsbestaetigung.txt)"; \
	fi

## Tests: all real — the default model, the real webview.
test: setup-e2e build test-rust test-ui test-e2e test-no-network

# Inside a private D-Bus session with an unlocked gnome-keyring: the store's key tests use the real
# Secret Service, never a mock.
test-rust:
	scripts/with-keyring.sh cargo test --release --workspace --locked

test-ui: setup-ui
	cd ui && npm test

test-e2e: build
	tests/e2e/run.sh "$(APP)" tests/e2e/out

# The CLI's main flows and the app's start inside a network namespace without interfaces and
# under strace: no AF_INET/AF_INET6 socket at all.
test-no-network: build
	tests/no-network.sh "$(CLI)" "$(APP)"

## Benchmark: engine vs. a C++ program on the same vendored llama.cpp (see bench/README.md).
bench: build
	bench/run.sh

# Document extraction only (crates/bench/src/bin/documents.rs): needs no model and no UI.
bench-documents: setup-system
	cargo build --release --workspace --locked --bin schreibstube-bench-documents
	bench/run.sh --documents-only

## Fuzzing: cargo-fuzz on the crate schreibstube-documents (fuzz/, its own workspace), seeded from
## the test fixtures. FUZZ_SECONDS per target (default 30), FUZZ_TARGETS to pick some.
fuzz: setup-system
	fuzz/run.sh

clean:
	rm -rf ui/dist tests/e2e/out bench/out fuzz/corpus fuzz/artifacts fuzz/seeds
