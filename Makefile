# The two commands: `make run` (server on SQLite) and `make test` (whole suite, SQLite then PostgreSQL).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT_FLAGS ?=

.PHONY: run test setup build build-tests release bench clean

run: setup build
	.build/debug/parley serve

test: setup build-tests
	scripts/test.sh

setup:
	@scripts/setup.sh

build:
	swift build $(SWIFT_FLAGS) --product parley

build-tests:
	swift build $(SWIFT_FLAGS) --build-tests

release: setup
	swift build -c release --product parley

bench: release
	.build/release/parley bench

clean:
	rm -rf .build
