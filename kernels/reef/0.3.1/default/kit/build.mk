# build.mk — builds a reef app (build model "module"): the app's C files
# are compiled freestanding for i386 against the kit's headers and linked
# with libreef.a (the C library and reef_start) into build/app.elf, an
# ELF32 executable that the reef kernel loads at boot.  The kernel image
# is not rebuilt.  The app's Makefile sets what it needs and includes this:
#
#     KIT ?= .reef
#     include $(KIT)/build.mk
#
# Inputs (docs/kernel-interface.md §5): KIT (default .reef), CC (default
# gcc; make's built-in "cc" counts as unset), SRCS (default every *.c of
# the app directory), CFLAGS_APP (after ours).  Targets: all (default)
# builds build/app.elf; clean removes build/.
# Variant: default (kit of reef 0.3.1).

KIT ?= .reef
ifeq ($(origin CC),default)
CC := gcc
endif
SRCS ?= $(wildcard *.c)
CFLAGS_APP ?=

REEF_GCC_INCLUDE := $(shell $(CC) -m32 -print-file-name=include)
REEF_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-builtin \
	-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-fnon-call-exceptions -nostdinc -isystem $(KIT)/include \
	-isystem $(REEF_GCC_INCLUDE) -ffile-prefix-map=$(CURDIR)=. -Wall -O2
REEF_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-n \
	-Wl,-T,$(KIT)/app.ld
REEF_OBJS := $(patsubst %.c,build/%.o,$(SRCS))

all: build/app.elf

build/app.elf: $(REEF_OBJS) $(KIT)/lib/libreef.a $(KIT)/app.ld
	$(CC) $(REEF_LDFLAGS) -o $@ $(REEF_OBJS) $(KIT)/lib/libreef.a -lgcc

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(REEF_CFLAGS) $(CFLAGS_APP) -MMD -MP -c -o $@ $<

clean:
	rm -rf build

-include $(REEF_OBJS:.o=.d)
.PHONY: all clean
