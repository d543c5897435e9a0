# nslab — build, test, install.  See README.md.
PREFIX    ?= /usr/local
CC        ?= cc
PKGS      := libmnl libxml-2.0 libedit libpcap yaml-0.1
WARN      := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
             -Wmissing-prototypes -Wvla -fno-common
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARN) -D_GNU_SOURCE -Icore -Icore/gen
ifneq ($(WERROR),)
CFLAGS    += -Werror
endif
ifneq ($(SANITIZE),)
# undefined behaviour must fail the tests, not just print
CFLAGS    += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=address,undefined
# and they make the code several times slower: give every Check test case
# four times its timeout (a 4 s default once expired in CI this way)
export CK_TIMEOUT_MULTIPLIER ?= 4
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

GEN_SRC   := core/gen/schema_rng.c core/gen/netem_normal.c
CORE_SRC  := $(sort $(wildcard core/*.c)) $(GEN_SRC)
CORE_OBJ  := $(CORE_SRC:.c=.o)
TOOL_SRC  := $(sort $(wildcard tools/nslab*.c tools/cmd_*.c))
TOOL_OBJ  := $(TOOL_SRC:.c=.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c)) tests/tsuite.c
KERN_SRC  := $(sort $(wildcard tests/kernel/*.c)) tests/tsuite.c

PHONY_VM  := check-vm
.PHONY: all check check-unit check-kernel check-e2e soak analyze $(PHONY_VM) demo install clean deps fuzz bench bench-results format
all: nslab

core/gen/schema_rng.c: topologies/nslab.rng tools/embed.sh
	@mkdir -p core/gen
	sh tools/embed.sh lab_schema_rng < $< > $@.tmp && mv $@.tmp $@

tools/gen-normal-dist: tools/gen-normal-dist.c
	$(CC) -O2 -o $@ $< -lm

core/gen/netem_normal.c: tools/gen-normal-dist
	@mkdir -p core/gen
	./tools/gen-normal-dist > $@.tmp && mv $@.tmp $@

# Objects depend on the flags they were built with, so `make SANITIZE=1`
# after a plain build (or the reverse) rebuilds everything.
FLAGS_ID  := $(shell echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cksum | cut -d' ' -f1)
FLAGS_STAMP := .flags.$(FLAGS_ID)
$(FLAGS_STAMP):
	@rm -f .flags.*; touch $@

%.o: %.c $(FLAGS_STAMP)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

core/libnslab.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

nslab: $(TOOL_OBJ) core/libnslab.a
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJ) core/libnslab.a $(PKG_LIBS) -lm -lpthread

tests/unit/run: $(UNIT_SRC:.c=.o) core/libnslab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lm -lpthread

tests/kernel/run: $(KERN_SRC:.c=.o) core/libnslab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lm -lpthread

deps:
	@pkg-config --exists $(PKGS) check && \
	  ( for c in cc ip tc bridge iperf3 ping python3 setpriv bird birdc vtysh nft dot tcpdump; do \
	    command -v $$c >/dev/null || exit 1; done ) || ./tools/install-deps

# Unit tests need no root; kernel and e2e tests run only as root.
check: deps
	$(MAKE) nslab tests/unit/run tests/kernel/run
	./tests/unit/run
	@if [ "$$(id -u)" = 0 ]; then ./tests/kernel/run && ./tests/e2e/run-all; \
	 else echo "SKIP kernel and e2e tests: they need root (sudo make check)"; fi

check-unit: nslab tests/unit/run
	./tests/unit/run
check-kernel: tests/kernel/run
	./tests/kernel/run
check-e2e: nslab
	./tests/e2e/run-all

# The soak in full (make check runs it short): 4 labs x 50 cycles of
# up / exec / down with kill -9 at random points (tests/e2e/t-23-soak.sh).
SOAK_CYCLES ?= 50
soak: nslab
	@[ "$$(id -u)" = 0 ] || { echo "soak needs root (sudo make soak)"; exit 1; }
	SOAK_CYCLES=$(SOAK_CYCLES) E2E_TIMEOUT=900 ./tests/e2e/run-all t-23-soak

# The kernel and e2e suites again on Debian's stock kernels, under QEMU
# (tests/vm/README.md).  Root; the VMs use the binaries built here.
VM_KERNELS ?= 6.1 6.12
check-vm: deps
	@( for c in qemu-system-x86_64 cpio; do command -v $$c >/dev/null || exit 1; done; \
	   [ -x /bin/busybox ] ) || ./tools/install-deps
	$(MAKE) nslab tests/kernel/run
	@[ "$$(id -u)" = 0 ] || { echo "check-vm needs root (sudo make check-vm)"; exit 1; }
	./tests/vm/matrix $(VM_KERNELS)

demo: deps
	$(MAKE) nslab
	./tools/demo

fuzz:
	$(MAKE) -C tests/fuzz

# Static analysis: gcc's -fanalyzer and cppcheck over the library and the
# tool; any finding fails.  A false positive is silenced where it is, with a
# comment saying why (cppcheck: // cppcheck-suppress ID; gcc: a diagnostic
# pragma).  CI runs it (.ci/run).  -O0: at -O1 and above gcc 12 reports a
# realloc'd array stored through a variable index (resolve.c,
# node_add_iface) as leaked.
ANALYZE_SRC := $(CORE_SRC) $(TOOL_SRC)
CPPCHECK_FLAGS := -q --std=c11 --enable=warning,portability,performance \
	--error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
	-D_GNU_SOURCE -Icore -Icore/gen
analyze: $(GEN_SRC)
	@command -v cppcheck >/dev/null || ./tools/install-deps
	@rc=0; for f in $(ANALYZE_SRC); do \
	  gcc -std=gnu11 -D_GNU_SOURCE -Icore -Icore/gen $(PKG_CFLAGS) -O0 \
	    -fanalyzer -Werror -fdiagnostics-plain-output -c -o /dev/null $$f || rc=1; \
	done; [ $$rc = 0 ] && echo "gcc -fanalyzer: no findings"; \
	cppcheck $(CPPCHECK_FLAGS) $(ANALYZE_SRC) && echo "cppcheck: no findings" || rc=1; \
	exit $$rc

# MININET=1 installs Mininet to compare; BENCH_ONLY="1 9", BENCH_SKIP_10K=1
# and BENCH_RESULTS=FILE as tools/bench/run's header says.
bench: nslab
	./tools/bench/run

# One run's table and machine into tools/bench/RESULTS.md (a real run only).
bench-results: nslab
	BENCH_RESULTS=tools/bench/RESULTS.md ./tools/bench/run

install: nslab
	install -D -m 0755 nslab $(DESTDIR)$(PREFIX)/bin/nslab
	install -D -m 0644 tools/nslab.1 $(DESTDIR)$(PREFIX)/share/man/man1/nslab.1
	install -D -m 0644 topologies/nslab.rng $(DESTDIR)$(PREFIX)/share/nslab/nslab.rng
	install -D -m 0644 tools/nslab.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/nslab

format:
	clang-format -i core/*.c core/*.h tools/*.c tests/*/*.c

clean:
	rm -f .flags.* nslab core/*.o core/*.d core/libnslab.a core/gen/*.o core/gen/*.d $(GEN_SRC) \
	      tools/*.o tools/*.d tools/gen-normal-dist tests/*.o tests/*.d \
	      tests/unit/*.o tests/unit/*.d tests/unit/run tests/kernel/*.o tests/kernel/*.d tests/kernel/run

-include $(wildcard core/*.d core/gen/*.d tools/*.d tests/*.d tests/*/*.d)
