# build.mk — how an app is built for pebble (build model "link"): the app's
# C files are compiled freestanding for i386 and linked with libpebble.a
# into one multiboot image, build/net.elf.  Included by the app's Makefile;
# every path is relative to $(KIT), so the kit works wherever it is copied.
#
#   KIT         the kit directory (default .pebble)
#   CC          the compiler (default gcc; diver sets the kernel's toolchain)
#   SRCS        the app's C files (default: every *.c here)
#   CFLAGS_APP  extra compiler flags
KIT ?= .pebble
ifeq ($(origin CC),default)
CC := gcc
endif
SRCS ?= $(wildcard *.c)

PEBBLE_INCLUDE := $(shell $(CC) -m32 -print-file-name=include)
PEBBLE_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pie -fno-pic \
	-fno-stack-protector -fno-builtin -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(PEBBLE_INCLUDE) -I$(KIT)/include \
	-ffile-prefix-map=$(CURDIR)=. -O2 -g -Wall
PEBBLE_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-u,_start -T $(KIT)/link.ld
PEBBLE_OBJS := $(SRCS:%.c=build/%.o)

all: build/net.elf

build/%.o: %.c $(wildcard *.h)
	@mkdir -p $(@D)
	$(CC) $(PEBBLE_CFLAGS) $(CFLAGS_APP) -c -o $@ $<

build/net.elf: $(PEBBLE_OBJS) $(KIT)/lib/libpebble.a $(KIT)/link.ld
	$(CC) $(PEBBLE_LDFLAGS) -o $@ $(PEBBLE_OBJS) $(KIT)/lib/libpebble.a -lgcc

clean:
	rm -rf build

.PHONY: all clean
