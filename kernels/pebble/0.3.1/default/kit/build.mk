# build.mk — builds a pebble app (build model "link"): the app's C files
# are compiled freestanding for i386 against the kit's headers and linked
# with libpebble.a into one multiboot image, build/net.elf.  The app's
# Makefile sets what it needs and includes this file:
#
#     KIT ?= .pebble
#     include $(KIT)/build.mk
#
# Inputs (docs/kernel-interface.md §5):
#   KIT         the kit directory, default .pebble; every kit path below is
#               under $(KIT), so a kit works wherever it is copied
#   CC          the compiler, default gcc (make's built-in "cc" counts as
#               unset; a CC from the command line or environment is kept)
#   SRCS        the app's C files, default every *.c of the app directory
#   CFLAGS_APP  extra compiler flags, after ours (so -O3 or -std=c99 win)
# Targets: all (the default) builds build/net.elf; clean removes build/.
# Variant: default (kit of pebble 0.3.1).

KIT ?= .pebble
ifeq ($(origin CC),default)
CC := gcc
endif
SRCS ?= $(wildcard *.c)
CFLAGS_APP ?=

# -fnon-call-exceptions keeps a faulting instruction where the source has
# it (gcc would turn 1 / x into a comparison), so pebble reports the fault.
PEBBLE_GCC_INCLUDE := $(shell $(CC) -m32 -print-file-name=include)
PEBBLE_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-builtin \
	-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-fnon-call-exceptions -nostdinc -isystem $(KIT)/include \
	-isystem $(PEBBLE_GCC_INCLUDE) -ffile-prefix-map=$(CURDIR)=. -Wall -O2
PEBBLE_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-n \
	-Wl,-T,$(KIT)/link.ld
PEBBLE_OBJS := $(patsubst %.c,build/%.o,$(SRCS))

all: build/net.elf

build/net.elf: $(PEBBLE_OBJS) $(KIT)/lib/libpebble.a $(KIT)/link.ld
	$(CC) $(PEBBLE_LDFLAGS) -o $@ $(PEBBLE_OBJS) $(KIT)/lib/libpebble.a -lgcc

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(PEBBLE_CFLAGS) $(CFLAGS_APP) -MMD -MP -c -o $@ $<

clean:
	rm -rf build

-include $(PEBBLE_OBJS:.o=.d)
.PHONY: all clean
