# TinyTorch Lab. Two commands matter (see README):
#   make serve   install what is missing, build the release pkg/, serve the site on 127.0.0.1:8000
#   make test    install what is missing, then run every test (native, browser, page tests)
# `make bench` runs the benchmarks (not part of `make test`).

PORT ?= 8000

.PHONY: serve test setup build test-native test-browser test-pages bench clean

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

bench: build
	bash scripts/bench.sh

clean:
	cargo clean
	rm -rf pkg pkg-relaxed .test-artifacts
