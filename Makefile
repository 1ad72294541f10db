# herdlab - one non-recursive Makefile for every program, test and benchmark.
#
#   make            build everything into build/
#   make demo       the main job on defaults (see README.md)
#   make test       unit + integration tests, ending in "N passed, N failed"
#   make deps       install the Debian packages herdlab needs (as root)
#
# The layout follows DESIGN.md: lib/ (shared code) at the bottom, servers/,
# loadgen/ and bpf/ above it, herdlab's own commands on top.

BUILD	 ?= build
CC	 ?= gcc
CLANG	 ?= clang
CFLAGS	 ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	    -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -Ilib
DEPFLAGS  = -MMD -MP
LDLIBS_SRV := -luring -ljansson -lpthread -lm

Q := $(if $(V),,@)
export BUILD

.PHONY: all deps deps-check demo test test-unit test-integration format format-check \
	fuzz bench bench-servers clean
.DEFAULT_GOAL := all

# ---- set-up ---------------------------------------------------------------
# Every entry point checks the Debian packages first (a fast dpkg query);
# scripts/deps.sh installs what is missing when run as root.
deps:
	$(Q)scripts/deps.sh install
deps-check:
	$(Q)scripts/deps.sh ensure

# ---- lib/: shared code, one static library ---------------------------------
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBHERD  := $(BUILD)/libherd.a

$(LIBHERD): $(LIB_OBJS)
	$(Q)ar rcs $@ $^

# ---- servers/: herdsrv, every server model in one binary --------------------
SRV_MAIN := servers/herdsrv.c
SRV_SRCS := $(filter-out $(SRV_MAIN),$(wildcard servers/*.c))
SRV_OBJS := $(SRV_SRCS:%.c=$(BUILD)/%.o)
LIBSRV	 := $(BUILD)/libsrv.a

$(LIBSRV): $(SRV_OBJS)
	$(Q)ar rcs $@ $^

$(BUILD)/herdsrv: $(BUILD)/servers/herdsrv.o $(LIBSRV) $(LIBHERD)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_SRV)

PROGS := $(BUILD)/herdsrv

# ---- compile rule ------------------------------------------------------------
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(DEPFLAGS) -c -o $@ $<

all: deps-check
	$(Q)$(MAKE) --no-print-directory build-all
.PHONY: build-all
build-all: $(PROGS)

# ---- tests -------------------------------------------------------------------
# A unit test may #include the .c it tests to reach static functions.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/unit/%.c $(LIBSRV) $(LIBHERD)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CPPFLAGS) -Iservers $(CFLAGS) $(WARNINGS) -Wno-missing-prototypes $(DEPFLAGS) \
		-o $@ $< $(LIBSRV) $(LIBHERD) -lcmocka $(LDLIBS_SRV)

build-all: $(UNIT_BINS)

# Small programs the integration tests drive servers with.
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/tools/%)
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIBHERD)
	@mkdir -p $(@D)
	@echo "  TOOL    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -Wno-missing-prototypes $(DEPFLAGS) -o $@ $< $(LIBHERD) \
		-ljansson -lm

build-all: $(TOOL_BINS)

test: deps-check
	$(Q)$(MAKE) --no-print-directory build-all
	$(Q)tests/run.sh all

test-unit: build-all
	$(Q)tests/run.sh unit

test-integration: build-all
	$(Q)tests/run.sh integration

# ---- fuzzing: libFuzzer (clang) on the HTTP parsers --------------------------
FUZZ_SECONDS ?= 180
$(BUILD)/fuzz/http_fuzz: tests/fuzz/http_fuzz.c lib/http.c lib/http.h
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ \
		tests/fuzz/http_fuzz.c lib/http.c

fuzz: deps-check $(BUILD)/fuzz/http_fuzz
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/http_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=12000 -dict=tests/fuzz/http.dict \
		$(BUILD)/fuzz/corpus tests/fuzz/seeds

# ---- benchmarks (results go to reports/bench/) -------------------------------
bench: bench-servers
bench-servers: all
	$(Q)scripts/bench_servers.sh

# ---- the demo ----------------------------------------------------------------
demo: all
	$(Q)scripts/demo.sh

# ---- style -------------------------------------------------------------------
C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	$(Q)clang-format -i $(C_SOURCES)
format-check:
	$(Q)clang-format --dry-run --Werror $(C_SOURCES) && echo "format-check: clean"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
