# Kiln build. `make run` and `make test` are the two commands the README
# promises; both install what they need first.

CC      ?= gcc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wno-unused-parameter -Werror
CPPFLAGS := -Isrc -Ibuild/gen -D_GNU_SOURCE -MMD -MP
ALL_CFLAGS := -std=c11 $(WARN) $(CFLAGS) -pthread
URING_LIBS := $(shell pkg-config --libs liburing 2>/dev/null || echo -luring)
LDLIBS  := $(URING_LIBS) -ljson-c -pthread

SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

SRCS     := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS     := $(SRCS:%.c=build/obj/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=build/obj/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=build/asan/%.o)

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TESTS     := $(TEST_SRCS:tests/unit/%.c=build/tests/%)

GEN := build/gen/dsdt_aml.h

# libFuzzer targets: clang, with the library built again for coverage.
FUZZ_CFLAGS := -std=c11 -g -O1 -w -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS   := $(LIB_SRCS:%.c=build/fuzz-obj/%.o)
FUZZERS     := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20

.PHONY: all deps guest run test unit fuzz integration bench clean soft-diff-long
# Keep the sanitizer objects between runs: they are not throwaway intermediates.
.SECONDARY:
all: build/kiln

deps:
	@tools/install-deps.sh

build/kiln: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: %.c | $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Unit tests build the library again with AddressSanitizer and UBSan: the
# guest-facing parsers must never read outside their buffers.
build/asan/%.o: %.c | $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SANITIZE) -c -o $@ $<

build/tests/%: tests/unit/%.c $(ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(SANITIZE) -o $@ $< \
		$(filter build/tests/support/%.o,$^) $(ASAN_OBJS) -lcmocka $(LDLIBS)

# Code some unit tests share (tests/unit/NAME.c without the test_ prefix).
build/tests/support/%.o: tests/unit/%.c | $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(SANITIZE) -c -o $@ $<

# The virtio driver side (tests/unit/virtio_drv.h): transport registers, rings.
VIRTIO_DRV_TESTS := test_virtio_pci test_virtio_pci_state test_virtio_net \
	test_virtio_net_state test_virtio_blk test_virtio_blk_io test_virtio_console \
	test_virtio_console_state
$(VIRTIO_DRV_TESTS:%=build/tests/%): build/tests/support/virtio_drv.o

build/fuzz-obj/%.o: %.c | $(GEN)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

# A short run of every fuzzer (longer: make fuzz FUZZ_SECONDS=3600).
fuzz: $(FUZZERS) guest
	@tools/make-fuzz-seeds.sh build/fuzz/seeds
	@for f in $(FUZZERS); do \
		mkdir -p build/fuzz/corpus/$$(basename $$f); \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/ build/fuzz/corpus/$$(basename $$f) \
			build/fuzz/seeds >build/fuzz/last.log 2>&1 || \
			{ tail -40 build/fuzz/last.log; echo "fuzz: $$f FAILED"; exit 1; }; \
		grep -E "^(Done|stat::number_of_executed_units)" build/fuzz/last.log; \
	done

# The DSDT is ASL compiled by acpica-tools' iasl into a C array. iasl names
# the array AmlCode[] or <prefix>_aml_code[] depending on its version; accept
# either.
build/gen/dsdt_aml.h: src/arch/x86/dsdt.asl
	@mkdir -p build/gen
	iasl -p build/gen/dsdt -tc $< > build/gen/iasl.log 2>&1 || (cat build/gen/iasl.log; exit 1)
	sed -e 's/^unsigned char [A-Za-z0-9_]*\[\]/static const unsigned char dsdt_aml[]/' build/gen/dsdt.hex > $@.tmp
	grep -q 'static const unsigned char dsdt_aml\[\]' $@.tmp && mv $@.tmp $@

# build-guest.sh checks its own inputs' dates and returns at once when the
# guest is up to date, so it always runs.
guest:
	@tools/build-guest.sh build/guest

run: deps
	$(MAKE) build/kiln guest
	tools/run-default-guest.sh

unit: $(TESTS)
	@tools/run-unit-tests.sh $(TESTS)

# The software CPU against this machine's CPU, many more cases than `make
# unit` runs (SOFT_DIFF_CASES per instruction template, SOFT_DIFF_SEED).
soft-diff-long: build/tests/test_soft_native
	SOFT_DIFF_CASES=$${SOFT_DIFF_CASES:-3000} SOFT_DIFF_SEED=$${SOFT_DIFF_SEED:-$$(date +%s)} \
		build/tests/test_soft_native

integration: build/kiln guest cpu-tests
	tests/integration/run.sh

test: deps
	$(MAKE) guest
	$(MAKE) unit
	$(MAKE) fuzz
	$(MAKE) integration

bench: build/kiln guest
	bench/boot

# Micro-benchmark of the software CPU's MMU (not part of make test).
.PHONY: bench-soft-mmu
bench-soft-mmu: build/bench/soft_mmu
	build/bench/soft_mmu

build/bench/soft_mmu: bench/soft_mmu.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# Kiln's virtio-blk data path against the host's io_uring, no guest (not
# part of make test): make bench-blk-path BLK_PATH_FILE=/path/on/the/disk
.PHONY: bench-blk-path
BLK_PATH_FILE ?= build/bench/blk_path.img
bench-blk-path: build/bench/blk_path
	build/bench/blk_path $(BLK_PATH_FILE) 32 5 3 read
	build/bench/blk_path $(BLK_PATH_FILE) 32 5 3 write
	build/bench/blk_path $(BLK_PATH_FILE) 1 5 3 read

build/bench/blk_path: bench/blk_path.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

clean:
	rm -rf build

include tests/cpu/cpu.mk

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(TESTS:=.d) $(FUZZ_OBJS:.o=.d) $(FUZZERS:=.d) \
	$(wildcard build/tests/support/*.d)
