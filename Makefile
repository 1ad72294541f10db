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
OBJ	 := $(BUILD)/obj
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

.PHONY: all deps deps-check demo test test-unit test-integration format format-check FORCE \
	fuzz bench bench-servers bench-loadgen bench-tracer bench-guest-tracer bench-profile static clean
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
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)
LIBHERD  := $(BUILD)/libherd.a

$(LIBHERD): $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- servers/: herdsrv, every server model in one binary --------------------
SRV_MAIN := servers/herdsrv.c
SRV_SRCS := $(filter-out $(SRV_MAIN),$(wildcard servers/*.c))
SRV_OBJS := $(SRV_SRCS:%.c=$(OBJ)/%.o)
LIBSRV	 := $(BUILD)/libsrv.a

$(LIBSRV): $(SRV_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/herdsrv: $(OBJ)/servers/herdsrv.o $(LIBSRV) $(LIBHERD)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_SRV)

PROGS := $(BUILD)/herdsrv

# herdsrv and lib/ keep frame pointers, leaf functions too, so that the profiler's
# user stacks (walked by frame pointer in the kernel) are whole (README: profiling).
$(SRV_OBJS) $(OBJ)/servers/herdsrv.o $(LIB_OBJS): override CFLAGS += -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer

# ---- bpf/: the tracer's kernel programs, skeleton and loader -----------------
# vmlinux.h comes from the running kernel's BTF; CO-RE relocates the programs to
# whichever kernel loads them.
VMLINUX	 := $(BUILD)/bpf/vmlinux.h
BPF_ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
# Every bpf/NAME.bpf.c is one BPF object with its skeleton, NAME.skel.h, whose
# functions are named NAME_bpf__open() ...: the tracer (herd) and the probes
# attached only when asked for, each loaded by its own loader in bpf/; an object
# split in parts keeps them in bpf/NAME/ (bpf/herd/: herd.bpf.c's).
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BPF_SKEL := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
.SECONDARY: $(BPF_OBJS)

$(VMLINUX):
	@mkdir -p $(@D)
	@echo "  BTF     $@"
	$(Q)test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux: this kernel has no BTF" >&2; exit 1; }
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c >$@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard bpf/*/*.h) $(VMLINUX)
	@echo "  BPF     $@"
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD)/bpf -Ibpf \
		-Wall -Wno-unused-function -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)bpftool gen skeleton $< name $*_bpf >$@.tmp && mv $@.tmp $@

# ---- loadgen/: herdload, the load generator ----------------------------------
LOAD_MAIN := loadgen/herdload.c
LOADGEN_SRCS := $(filter-out $(LOAD_MAIN),$(wildcard loadgen/*.c))
LOADGEN_OBJS := $(LOADGEN_SRCS:%.c=$(OBJ)/%.o)
LIBLOAD	 := $(BUILD)/libload.a
LDLIBS_LOAD := -ljansson -lm -lpthread

$(LIBLOAD): $(LOADGEN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/herdload: $(OBJ)/loadgen/herdload.o $(LIBLOAD) $(LIBHERD)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_LOAD)

PROGS += $(BUILD)/herdload

# ---- herdlab/: the commands on top, in rooms by job (session/, metrics/, report/, kernels/)
# Headers are named by their room: #include "metrics/join.h".
# The tracer's loader is every bpf/*.c but the kernel side (trace.c, kfeatures.c, procseed.c).
TRACE_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(filter-out %.bpf.c,$(wildcard bpf/*.c)))
HL_MAIN	  := herdlab/herdlab.c
HL_SRCS	  := $(filter-out $(HL_MAIN),$(wildcard herdlab/*.c herdlab/*/*.c))
HL_OBJS	  := $(HL_SRCS:%.c=$(OBJ)/%.o)
LIBHL	  := $(BUILD)/libherdlab.a
LDLIBS_HL := -lbpf -lelf -lz -ljansson -lm

$(TRACE_OBJS) $(HL_OBJS) $(OBJ)/herdlab/herdlab.o: CPPFLAGS += -Ibpf -I$(BUILD)/bpf -Iherdlab

# The version (git describe) lives in one object, rebuilt whenever it changes.
HERDLAB_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(OBJ)/herdlab/version.o: CPPFLAGS += -DHERDLAB_VERSION='"$(HERDLAB_VERSION)"'
$(OBJ)/herdlab/version.o: $(BUILD)/version.stamp
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(HERDLAB_VERSION)' | cmp -s - $@ || echo '$(HERDLAB_VERSION)' >$@
FORCE:
# Only the loaders in bpf/ include skeletons.
$(TRACE_OBJS): $(BPF_SKEL)

# A static archive links the first definition of a name it finds: two objects defining
# one function would call the wrong one silently. Refuse the archive instead.
$(LIBHL): $(HL_OBJS) $(TRACE_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
	$(Q)dups=$$(nm -g --defined-only $@ | awk 'NF == 3 { print $$3 }' | sort | uniq -d); \
		[ -z "$$dups" ] || { echo "$@: defined twice: $$dups" >&2; rm -f $@; exit 1; }

$(BUILD)/herdlab: $(OBJ)/herdlab/herdlab.o $(LIBHL) $(LIBHERD)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_HL)

PROGS += $(BUILD)/herdlab

# ---- make static: the three programs linked statically (libbpf.a, libelf.a, libz.a),
# to run inside a guest kernel's minimal initramfs (herdlab kernels).
STATIC := $(BUILD)/static
static: deps-check
	$(Q)$(MAKE) --no-print-directory $(STATIC)/herdlab $(STATIC)/herdsrv $(STATIC)/herdload
$(STATIC)/herdlab: $(OBJ)/herdlab/herdlab.o $(LIBHL) $(LIBHERD)
	@mkdir -p $(@D)
	@echo "  LD      $@ (static)"
	$(Q)$(CC) -static $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_HL) 2>&1 | grep -v -e 'Using .get' -e 'in function' || true
	$(Q)test -x $@
$(STATIC)/herdsrv: $(OBJ)/servers/herdsrv.o $(LIBSRV) $(LIBHERD)
	@mkdir -p $(@D)
	@echo "  LD      $@ (static)"
	$(Q)$(CC) -static $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_SRV) 2>&1 | grep -v -e 'Using .get' -e 'in function' || true
	$(Q)test -x $@
$(STATIC)/herdload: $(OBJ)/loadgen/herdload.o $(LIBLOAD) $(LIBHERD)
	@mkdir -p $(@D)
	@echo "  LD      $@ (static)"
	$(Q)$(CC) -static $(CFLAGS) $(LDFLAGS) -o $@ $^ -ljansson -lm -lpthread 2>&1 | grep -v -e 'Using .get' -e 'in function' || true
	$(Q)test -x $@

# ---- compile rule ------------------------------------------------------------
$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(DEPFLAGS) -c -o $@ $<

all: deps-check
	$(Q)$(MAKE) --no-print-directory build-all
.PHONY: build-all
build-all: $(PROGS)
# herdlab kernels boots guests with the static programs: they are built with the rest.
build-all: $(STATIC)/herdlab $(STATIC)/herdsrv $(STATIC)/herdload

# ---- tests -------------------------------------------------------------------
# A unit test may #include the .c it tests to reach static functions. Each links
# only the floor it tests: lib/, servers/, loadgen/ or herdlab/ (with lib/ below).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SRV  := $(BUILD)/tests/test_conn $(BUILD)/tests/test_files
UNIT_LOAD := $(filter $(BUILD)/tests/test_load_%,$(UNIT_BINS))
UNIT_HL	  := $(addprefix $(BUILD)/tests/test_,compare join kernels metrics profile report \
	       statistics study waits)
UNIT_LIB  := $(filter-out $(UNIT_SRV) $(UNIT_LOAD) $(UNIT_HL),$(UNIT_BINS))

define unit_link
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CPPFLAGS) -Iservers -Iloadgen -Ibpf -Iherdlab $(CFLAGS) $(WARNINGS) \
		-Wno-missing-prototypes $(DEPFLAGS) -o $@ $< $(filter %.a,$^) -lcmocka $(1)
endef
$(UNIT_LIB): $(BUILD)/tests/%: tests/unit/%.c $(LIBHERD)
	$(call unit_link,-ljansson -lm)
$(UNIT_SRV): $(BUILD)/tests/%: tests/unit/%.c $(LIBSRV) $(LIBHERD)
	$(call unit_link,$(LDLIBS_SRV))
$(UNIT_LOAD): $(BUILD)/tests/%: tests/unit/%.c $(LIBLOAD) $(LIBHERD)
	$(call unit_link,$(LDLIBS_LOAD))
$(UNIT_HL): $(BUILD)/tests/%: tests/unit/%.c $(LIBHL) $(LIBHERD)
	$(call unit_link,$(LDLIBS_HL))

build-all: $(UNIT_BINS)

# Small programs the integration tests drive servers with.
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/tools/%)
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIBHERD)
	@mkdir -p $(@D)
	@echo "  TOOL    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -Wno-missing-prototypes $(DEPFLAGS) -o $@ $< $(LIBHERD) \
		-ljansson -lm -lz

build-all: $(TOOL_BINS)

test: deps-check
	$(Q)$(MAKE) --no-print-directory build-all
	$(Q)tests/run.sh all

test-unit: build-all
	$(Q)tests/run.sh unit

test-integration: build-all
	$(Q)tests/run.sh integration

# ---- fuzzing: libFuzzer (clang) on the HTTP parsers and the run directory's readers --
# `make fuzz` runs every fuzzer for FUZZ_SECONDS each, from its seeds (tests/fuzz/):
# http_fuzz (lib/http.c), csv_fuzz (requests.csv, connections.csv, tasks.csv and
# their join) and runjson_fuzz (run.json through every report and comparison).
FUZZ_SECONDS ?= 180
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_HL	     := -Ibpf -I$(BUILD)/bpf -Iherdlab
FUZZ_CSV_SRCS := herdlab/metrics/csv.c herdlab/metrics/csv_tables.c herdlab/metrics/join.c \
		 herdlab/metrics/records.c lib/files.c lib/hist.c lib/path.c lib/vec.c
FUZZ_RUN_SRCS := $(wildcard herdlab/report/*.c) $(wildcard herdlab/metrics/*.c) herdlab/profile/buckets.c \
		 $(wildcard herdlab/causes/*.c) herdlab/session/rundir.c herdlab/session/netstat.c $(LIB_SRCS)
FUZZERS := $(BUILD)/fuzz/http_fuzz $(BUILD)/fuzz/csv_fuzz $(BUILD)/fuzz/runjson_fuzz

$(BUILD)/fuzz/http_fuzz: tests/fuzz/http_fuzz.c lib/http.c lib/http.h
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) $(FUZZ_CFLAGS) -o $@ tests/fuzz/http_fuzz.c lib/http.c
$(BUILD)/fuzz/csv_fuzz: tests/fuzz/csv_fuzz.c $(FUZZ_CSV_SRCS) $(VMLINUX)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) $(FUZZ_HL) $(FUZZ_CFLAGS) -o $@ tests/fuzz/csv_fuzz.c \
		$(FUZZ_CSV_SRCS)
$(BUILD)/fuzz/runjson_fuzz: tests/fuzz/runjson_fuzz.c $(FUZZ_RUN_SRCS) $(VMLINUX)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(CPPFLAGS) $(FUZZ_HL) $(FUZZ_CFLAGS) -o $@ tests/fuzz/runjson_fuzz.c \
		$(filter-out herdlab/report/cmd_%.c,$(FUZZ_RUN_SRCS)) -ljansson -luring -lm -lpthread

fuzz: deps-check $(FUZZERS)
	@mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/csv_corpus $(BUILD)/fuzz/runjson_corpus
	$(BUILD)/fuzz/http_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=12000 -dict=tests/fuzz/http.dict \
		$(BUILD)/fuzz/corpus tests/fuzz/seeds
	$(BUILD)/fuzz/csv_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -dict=tests/fuzz/csv.dict \
		$(BUILD)/fuzz/csv_corpus tests/fuzz/csv_seeds
	$(BUILD)/fuzz/runjson_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
		-dict=tests/fuzz/runjson.dict $(BUILD)/fuzz/runjson_corpus tests/fuzz/runjson_seeds

# ---- benchmarks (results go to reports/bench/) -------------------------------
bench: bench-servers bench-loadgen bench-tracer
bench-servers: all
	$(Q)scripts/bench_servers.sh
bench-loadgen: all
	$(Q)scripts/bench_loadgen.sh
bench-tracer: all
	$(Q)scripts/bench_tracer.sh
# the tracer's two paths inside a qemu guest (this host refuses fexit): not in `bench`
bench-guest-tracer: all
	$(Q)scripts/bench_guest_tracer.sh
bench-profile: all
	$(Q)scripts/bench_profile.sh

# ---- the study: the source documents' experiments into reports/study/ -----------
# The full study (about 30 minutes on 2 CPUs); `herdlab study --quick` is the CI's.
study: all
	$(Q)$(BUILD)/herdlab study --out reports/study

# ---- the demo ----------------------------------------------------------------
demo: all
	$(Q)$(MAKE) --no-print-directory $(BUILD)/tests/tools/jsonget
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
