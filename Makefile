# The two commands of the README. Both install what is missing first.
#   make demo   build release and run the main job end to end on embedded defaults
#   make test   build and run the test suites, then a short fuzz run of the decoders
#               (what CI runs; FUZZ_SECONDS per fuzz target, docs/fuzzing.md)
SWIFT ?= swift
FUZZ_SECONDS ?= 10

.PHONY: deps demo test build release clean-state

deps:
	@ops/install-deps --with-tools

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: release
	@ops/demo .build/release/m2grl

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@ops/smoke-broker .build/debug/m2grl
	@SWIFT=$(SWIFT) ops/fuzz ci $(FUZZ_SECONDS)
