# TinyTorch Lab. Two commands matter (see README):
#   make serve   install what is missing, build the release pkg/, serve the site on 127.0.0.1:8000
#   make test    install what is missing, then run every test (native, browser, page tests)
# `make test-quick` runs every suite's cheap form natively and in headless chromium;
# `make suites ARGS=…` runs suites from the command line; `make bench` runs the benchmarks.

PORT ?= 8000

.PHONY: serve test test-quick suites setup build test-native test-browser test-pages bench clean

serve: build
	@echo "TinyTorch Lab on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	python3 -m http.server $(PORT) --bind 127.0.0.1

test: setup
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

build: setup
	bash scripts/build.sh

test-native:
	cargo test -j2

test-browser: setup
	PATH="$(CURDIR)/tools/node_modules/.bin:$$PATH" wasm-pack test --headless --chrome --mode no-install

test-pages: build
	node tests/pages/run.mjs

# Smoke tests (every suite's cheap form), natively and in headless chromium: a few minutes warm.
test-quick: build
	cargo run --release --quiet --bin suites -- --quick
	node tests/pages/quick.mjs

# The suites from the command line, e.g. make suites ARGS="gradient_flow --fault 1:flip_sign --long"
suites:
	cargo run --release --quiet --bin suites -- $(ARGS)

bench: build
	bash scripts/bench.sh

clean:
	cargo clean
	rm -rf pkg pkg-relaxed .test-artifacts
