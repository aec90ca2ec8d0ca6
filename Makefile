# Diver — build, test, demo, install.  Plain GNU make; see README.md.
.SUFFIXES:
.SECONDARY:

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/diver
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MODULEFILEDIR ?= $(PREFIX)/share/modulefiles
VERSION := 0.1.0
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CC = gcc

# `make SAN=1` builds with AddressSanitizer and UBSan (make check does).
SAN ?=
BUILD ?= build

PKGS := libarchive libzstd libcurl jansson libcmark-gfm openssl libvirt
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libcurl, libvirt, openssl and libarchive: headers only; lib/fetch.c opens
# libcurl when a download starts, diver/backend_libvirt.c libvirt when a
# dive uses it, lib/crypto.c libcrypto at the first hash or key,
# lib/tarball.c libarchive at the first archive
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(filter-out libcurl libvirt openssl libarchive,$(PKGS)) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT := -O2 -g
ifeq ($(SAN),1)
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
       -fno-sanitize-recover=undefined
# ASan's xdr interceptors look up the real functions when the program
# starts, so libvirt (and its libtirpc) must be loaded then, not by dlopen
PKG_LIBS += -Wl,--no-as-needed $(shell $(PKG_CONFIG) --libs libvirt 2>/dev/null)
endif
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(OPT) -MMD -MP \
	-Ilib $(PKG_CFLAGS) -DDIVER_DATADIR='"$(DATADIR)"' $(CFLAGS)
ALL_LDFLAGS := $(OPT) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lpthread -ldl

LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBDIVER := $(BUILD)/libdiver.a

TOOLS := catalog-gen bundler diver
BINS := $(TOOLS:%=$(BUILD)/bin/%)
tool_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard $(1)/*.c)))

UNIT_SRCS := $(sort $(wildcard tests/unit/*_test.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check demo install install-modulefile uninstall clean deps tests bench fuzz fuzzers
all: $(BINS)

# `make V=1` shows the commands.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBDIVER): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)ar rcsD $@ $(LIB_OBJS)

.SECONDEXPANSION:
$(BUILD)/bin/%: $$(call tool_objs,%) $(LIBDIVER)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(call tool_objs,$*) $(LIBDIVER) $(LIBS)

$(BUILD)/tests/%_test: $(BUILD)/obj/tests/unit/%_test.o $(BUILD)/obj/tests/unit/harness.o $(LIBDIVER)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/obj/tests/unit/harness.o $(LIBDIVER) $(LIBS)

# tests/unit/diver_NAME_test.c tests diver/NAME.c (pure logic of the client),
# with the other diver/ objects a line below names for it
$(BUILD)/tests/diver_%_test: $(BUILD)/obj/tests/unit/diver_%_test.o $(BUILD)/obj/diver/%.o $(BUILD)/obj/tests/unit/harness.o $(LIBDIVER)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(filter $(BUILD)/obj/diver/%.o,$^) $(BUILD)/obj/tests/unit/harness.o $(LIBDIVER) $(LIBS)
$(BUILD)/tests/diver_pump_test: $(BUILD)/obj/diver/console.o $(BUILD)/obj/diver/relay.o

tests: $(BINS) $(UNIT_BINS)

# `make fuzz`: libFuzzer harnesses (clang, ASan+UBSan) for the manifest
# parser and the bundle reader, FUZZ_TIME seconds each (make check: 60).
FUZZ_TIME ?= 60
FUZZ_OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/*_fuzz.c))

fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang OPT="$(FUZZ_OPT)" fuzzers
	tests/fuzz/run build/fuzz $(FUZZ_TIME)

fuzzers: $(FUZZ_BINS)

$(BUILD)/fuzz/%_fuzz: $(BUILD)/obj/tests/fuzz/%_fuzz.o $(LIBDIVER)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIBDIVER) $(LIBS)

deps:
	scripts/install-deps

# The test suite: sanitizer build in build/san, then every unit and shell test.
check: deps
	$(MAKE) BUILD=build/san SAN=1 tests
	DIVER_BUILD=build/san DIVER_MAKEFLAGS=SAN=1 tests/run

demo: deps all
	scripts/demo

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/
	cp -R site-templates $(DESTDIR)$(DATADIR)/
	for m in docs/man/*.1; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man1/; done; true
	for m in docs/man/*.5; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man5/; done; true
	install -d $(DESTDIR)$(BASHCOMPDIR)
	for t in $(TOOLS); do install -m 0644 scripts/completion.bash $(DESTDIR)$(BASHCOMPDIR)/$$t; done

# For sites with Environment Modules or Lmod: `module load diver`.
install-modulefile:
	install -d $(DESTDIR)$(MODULEFILEDIR)/diver
	scripts/modulefile $(PREFIX) $(VERSION) >$(DESTDIR)$(MODULEFILEDIR)/diver/$(VERSION)

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(TOOLS:%=$(DESTDIR)$(BASHCOMPDIR)/%)
	rm -f $(DESTDIR)$(MANDIR)/man1/diver.1 $(DESTDIR)$(MANDIR)/man1/bundler.1 \
		$(DESTDIR)$(MANDIR)/man1/catalog-gen.1 $(DESTDIR)$(MANDIR)/man5/diver-formats.5
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build tests/out

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
