# Candor build. Sources are found by folder, so adding a file needs no edit here:
#   <lib>/*.c            -> build/libcandor.a     (lib = common crypto rlp mpt consensus evm attest gov cluster dvn api,
#                                                  src minus main.c)
#   src/main.c           -> build/candor
#   tests/test_*.c       -> build/tests/test_*     unit tests     (run by `make test`)
#   tests/conformance/*.c-> build/tests/conf_*     official vectors (`make conformance`, part of `make test`)
#   tests/fuzz/fuzz_*.c  -> build/fuzz/fuzz_*      libFuzzer targets (`make fuzz`, clang)
#   bench/bench_*.c      -> build/bench/bench_*    benchmarks (`make bench`)
# `make check` builds all of it again under ASan+UBSan in build/check and runs the tests.

CC       ?= cc
BUILD    ?= build
OPT      ?= -O3
SAN      ?=
CFLAGS_BASE := -std=c11 -g -Wall -Wextra -Werror -Wshadow -Wvla -D_GNU_SOURCE -I. -MMD -MP
CFLAGS   := $(CFLAGS_BASE) $(OPT) $(SAN) $(EXTRA_CFLAGS)
LDFLAGS  := $(SAN) $(EXTRA_LDFLAGS)
LDLIBS   := -lsecp256k1 -lssl -lcrypto -lcurl -ljson-c -lgmp -lleveldb -lmicrohttpd -lsnappy -lcbor -lpthread -lm

LIB_DIRS := common crypto rlp mpt consensus evm attest gov cluster dvn api
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)) $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SUPPORT_SRC := $(wildcard tests/support/*.c)
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)

TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
CONF_SRC := $(wildcard tests/conformance/*.c)
CONF_BIN := $(CONF_SRC:tests/conformance/%.c=$(BUILD)/tests/conf_%)
BENCH_SRC := $(wildcard bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

DEPS_STAMP := build/.deps-ok

.SECONDARY:
.PHONY: all deps test unit conformance conformance-full check bench fuzz fuzz-run clean demo
all: $(BUILD)/candor

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p build
	@sh scripts/deps.sh
	@touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libcandor.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/candor: $(BUILD)/obj/src/main.o $(BUILD)/libcandor.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libcandor.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(SUPPORT_OBJ) $(BUILD)/libcandor.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(BUILD)/libcandor.a $(LDLIBS)

$(BUILD)/tests/conf_%: $(BUILD)/obj/tests/conformance/%.o $(SUPPORT_OBJ) $(BUILD)/libcandor.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(BUILD)/libcandor.a $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(SUPPORT_OBJ) $(BUILD)/libcandor.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(BUILD)/libcandor.a $(LDLIBS)

# `make test`: unit tests, conformance runners (quick mode: CANDOR_CONFORMANCE=quick lets long
# suites run a representative part; `make conformance-full` runs everything), then the
# end-to-end suite (E2E= leaves it out, as `make check` does: it reruns only the C tests).
E2E ?= tests/e2e/suite.sh
# The BLS binaries run a second time with the portable (non-ADX) field path forced, so both
# paths are tested on machines with ADX (scripts/bls_portable.sh): small wrapper scripts.
PORTABLE_TEST := $(BUILD)/tests/test_bls_portable
PORTABLE_CONF := $(BUILD)/tests/conf_bls_portable
$(BUILD)/tests/%_portable: $(BUILD)/tests/% scripts/bls_portable.sh
	printf '#!/bin/sh\nexec sh "%s" "%s" "$$@"\n' "$(abspath scripts/bls_portable.sh)" "$(abspath $<)" > $@
	chmod +x $@

test: $(BUILD)/candor $(TEST_BIN) $(CONF_BIN) $(PORTABLE_TEST) $(PORTABLE_CONF)
	@CANDOR_CONFORMANCE=$${CANDOR_CONFORMANCE:-quick} CANDOR_BIN=$(BUILD)/candor sh scripts/run_tests.sh $(TEST_BIN) $(PORTABLE_TEST) $(CONF_BIN) $(PORTABLE_CONF) $(E2E)

unit: $(BUILD)/candor $(TEST_BIN) $(PORTABLE_TEST)
	@CANDOR_BIN=$(BUILD)/candor sh scripts/run_tests.sh $(TEST_BIN) $(PORTABLE_TEST)

conformance: $(CONF_BIN) $(PORTABLE_CONF)
	@CANDOR_CONFORMANCE=$${CANDOR_CONFORMANCE:-quick} sh scripts/run_tests.sh $(CONF_BIN) $(PORTABLE_CONF)

conformance-full: $(CONF_BIN)
	@CANDOR_CONFORMANCE=full sh scripts/run_tests.sh $(CONF_BIN)

check:
	$(MAKE) BUILD=build/check CC=clang OPT=-O1 E2E= \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" test

# C benchmarks, then the figures that need the live service against the local chain
# (/call latency and upstream round trips, resident memory; tests/e2e/run.mjs --bench).
bench: $(BENCH_BIN) $(BUILD)/candor
	@for b in $(BENCH_BIN); do ./$$b || exit 1; done
	@if command -v node >/dev/null 2>&1; then CANDOR_BIN=$(BUILD)/candor sh tests/e2e/run.sh --bench; \
	  else echo "service figures skipped: node/npm not installed"; fi

# libFuzzer targets: clang, ASan+UBSan, the library built again with the same flags.
FUZZ_BUILD := build/fuzz
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
fuzz: | $(DEPS_STAMP)
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang OPT=-O1 SAN="$(FUZZ_FLAGS)" $(FUZZ_BUILD)/libcandor.a
	@mkdir -p $(FUZZ_BUILD)/bin
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "clang $$f -> $(FUZZ_BUILD)/bin/$$n"; \
	  clang $(CFLAGS_BASE) -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	    -o $(FUZZ_BUILD)/bin/$$n $$f $(FUZZ_BUILD)/libcandor.a $(LDLIBS) || exit 1; done

# make fuzz-run FUZZ=fuzz_rlp SECONDS=600
fuzz-run: fuzz
	@mkdir -p build/fuzz/corpus/$(FUZZ)
	./$(FUZZ_BUILD)/bin/$(FUZZ) -max_total_time=$(or $(SECONDS),60) -print_final_stats=1 \
	  build/fuzz/corpus/$(FUZZ) $(wildcard tests/fuzz/corpus/$(FUZZ))

demo: $(BUILD)/candor
	sh scripts/demo.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# End-to-end test of `candor serve` against a local anvil + signed beacon chain (tests/e2e/;
# needs node and npm; installs the pinned JS tooling from the lock file). Also the last part of `make test`.
.PHONY: e2e e2e-selfcheck
e2e: $(BUILD)/candor
	CANDOR_BIN=$(BUILD)/candor sh tests/e2e/run.sh

e2e-selfcheck:
	sh tests/e2e/run.sh --selfcheck
