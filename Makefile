# protosweep — build, test, benchmark, install.
#
#   make                 bin/protosweep, bin/protostat
#   make check           every test (cmocka units + command-line tests)
#   make check-asan      the same tests under AddressSanitizer + UBSan (build-asan/)
#   make check-slurm     the real single-node SLURM cluster test (root only)
#   make test            deps + check + check-asan + check-slurm  (what .ci/run runs)
#   make bench           timings (never part of the tests)
#   make reproduce       the paper's grid -> results/paper.h5 (+ report)
#   make deps            install the Debian packages of data/debian-packages.txt
#   make install         PREFIX=/usr/local DESTDIR=
#
# CFLAGS / LDFLAGS are yours; the flags the build needs are kept separately.
# NO_OMP=1 builds without OpenMP.  Never add -ffast-math: NaN checks rely on IEEE.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
BUILD   ?= build
BINDIR  ?= bin
PYTHON  ?= /usr/bin/python3

PKGS      := hdf5 gsl libconfig
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) openblas 2>/dev/null)
# GSL's .pc links its reference CBLAS; OpenBLAS provides CBLAS instead.
PKG_LIBS  := $(filter-out -lgslcblas,$(shell pkg-config --libs $(PKGS) openblas 2>/dev/null))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# -fopenmp-simd honours `#pragma omp simd` (elementwise loops, no reductions,
# so the bits do not change) with or without OpenMP threads.
ifeq ($(NO_OMP),1)
OMPFLAGS := -fopenmp-simd
else
OMPFLAGS := -fopenmp
endif

ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Iinclude -I$(BUILD) \
              $(PKG_CFLAGS) $(OMPFLAGS) $(CFLAGS)
ALL_LIBS   := $(PKG_LIBS) -lm

LIB_SRC   := $(filter-out src/protosweep.c,$(wildcard src/*.c))
STAT_SRC  := $(filter-out analysis/protostat.c,$(wildcard analysis/*.c analysis/stats/*.c))
TEST_SRC  := $(wildcard tests/test_*.c)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/default_config.o
STAT_OBJ  := $(STAT_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIBPS     := $(BUILD)/libprotosweep.a
LIBSTAT   := $(BUILD)/libprotostat.a

.PHONY: all check check-asan check-slurm test bench reproduce deps install clean
all: $(BINDIR)/protosweep $(BINDIR)/protostat

$(BUILD)/%.o: %.c $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The paper's grid is embedded so that `protosweep run` works with no file at hand.
$(BUILD)/default_config.c: data/paper.cfg scripts/embed.sh
	@mkdir -p $(BUILD)
	sh scripts/embed.sh ps_default_config $< > $@
$(BUILD)/default_config.o: $(BUILD)/default_config.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBPS): $(LIB_OBJ)
	ar rcs $@ $^
$(LIBSTAT): $(STAT_OBJ)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(BINDIR)/protosweep: $(BUILD)/src/protosweep.o $(LIBPS)
	@mkdir -p $(BINDIR)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(ALL_LIBS) -o $@
$(BINDIR)/protostat: $(BUILD)/analysis/protostat.o $(LIBSTAT) $(LIBPS)
	@mkdir -p $(BINDIR)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(ALL_LIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(LIBSTAT) $(LIBPS) $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $< $(LIBSTAT) $(LIBPS) $(CMOCKA_LIBS) $(ALL_LIBS) -o $@

check: all $(TEST_BIN)
	PYTHON=$(PYTHON) sh tests/run_all.sh $(BUILD) $(BINDIR)

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-asan:
	$(MAKE) BUILD=build-asan BINDIR=build-asan/bin CFLAGS="$(ASAN_FLAGS)" \
	        LDFLAGS="-fsanitize=address,undefined" check

check-slurm: all
	sh tests/slurm/run.sh $(BINDIR)

test: deps
	$(MAKE) check
	$(MAKE) check-asan
	$(MAKE) check-slurm

$(BUILD)/bench: tests/bench/bench.c $(LIBPS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(ALL_LIBS) -o $@
bench: all $(BUILD)/bench
	PYTHON=$(PYTHON) sh tests/bench/run.sh $(BUILD) $(BINDIR)

reproduce:
	sh scripts/deps.sh build run
	$(MAKE) all
	@mkdir -p results
	$(BINDIR)/protosweep run -o results/paper.h5    # the embedded default: the paper's grid
	$(BINDIR)/protosweep run data/tau_sweep.cfg -o results/tau_sweep.h5
	$(BINDIR)/protostat report results/paper.h5 results/tau_sweep.h5 -o results/report

deps:
	sh scripts/deps.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/protosweep
	install -m 755 $(BINDIR)/protosweep $(BINDIR)/protostat $(DESTDIR)$(PREFIX)/bin/
	install -m 644 data/*.cfg $(DESTDIR)$(PREFIX)/share/protosweep/
	install -d $(DESTDIR)$(PREFIX)/share/protosweep/paper_tables
	install -m 644 data/paper_tables/*.csv data/paper_tables/README.md \
	        $(DESTDIR)$(PREFIX)/share/protosweep/paper_tables/

clean:
	rm -rf build build-asan bin
