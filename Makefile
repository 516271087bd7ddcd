# Nuthatch top-level build.
#
#   make            build/Image (one Image for every board) and build/nuthatch.elf
#   make run        boot it in QEMU (board qemu-virt, 4 harts, 512 MiB)
#   make debug      the same, halted, with a gdb stub on :1234 (tools/gdbinit)
#   make test       every test: host unit tests, a short fuzz run, QEMU boots
#   make fuzz       the device-tree fuzzer for FUZZ_SECONDS (default 60)
#   make sdimage    build/$(BOARD)/sdcard.img, a card U-Boot boots (BOARD=visionfive2)
#   make check      the layering check (kernel/LAYERS, tools/layers.py) and
#                   that docs/DESIGN.md's system-call table is current
#   make docs       regenerate that table from syscalls.tbl
#   make V=1 ...    print the commands instead of one line per step
#
# CROSS_COMPILE selects the RISC-V toolchain, as in Linux.

.DEFAULT_GOAL	:= all

CROSS_COMPILE	?= riscv64-unknown-elf-
BOARD		?= qemu-virt
BUILD		?= build
SHARED		?= ../shared
HOSTCC		?= clang
# DEBUG=1 (the default, what make test boots) adds the lock-order checker;
# make bench measures a DEBUG=0 build in $(BUILD)/release.
DEBUG		?= 1
# TESTS=0: a build without the test-only system calls (syscalls.tbl [test]).
TESTS		?= 1
PYTHON		?= python3

# One line per step, as kbuild prints them; V=1 shows the commands.
ifeq ($(V),1)
Q		:=
say		= @true
else
Q		:= @
say		= @printf '  %-7s %s\n' '$(1)' '$(2)'
endif
tgt		= $(patsubst %.c.o,%.o,$(patsubst %.S.o,%.o,$(@:$(BUILD)/%=%)))

CC		:= $(CROSS_COMPILE)gcc
OBJCOPY		:= $(CROSS_COMPILE)objcopy
NM		:= $(CROSS_COMPILE)nm

include board/$(BOARD)/board.mk

OPENSBI_DIR	?= /usr/lib/riscv64-linux-gnu/opensbi/generic
QEMU		?= qemu-system-riscv64

# The kernel never touches FP registers: compile for rv64imac, link against
# the rv64imac/lp64 libgcc (the _zicsr_zifencei suffix would pick lp64d).
KARCH		:= -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
KCFLAGS		:= $(KARCH) -std=gnu11 -O2 -g -ffreestanding \
		   -fno-stack-protector -fno-pie -fno-omit-frame-pointer \
		   -fno-common -ffunction-sections -fdata-sections \
		   -Wall -Wextra -Werror -Wno-unused-parameter \
		   -Ikernel -Ikernel/uapi -I$(BUILD)/gen -MMD -MP -DNH_DEBUG=$(DEBUG) -DNH_TESTS=$(TESTS)
KLDFLAGS	:= -march=rv64imac -mabi=lp64 -nostdlib -static -no-pie \
		   -Wl,-T,boot/kernel.ld -Wl,--gc-sections -Wl,--build-id=none

# Every kernel folder (docs/DESIGN.md has the map; tools/layers.py checks
# which way its includes go).
KDIRS		:= kernel/lib kernel/arch/riscv kernel/core kernel/mm kernel/sched \
		   kernel/obj kernel/ipc kernel/dev kernel/sys kernel/entry \
		   kernel/debug kernel/debug/tests kernel/init
KSRC		:= $(filter-out kernel/arch/riscv/asm-offsets.c,\
		   $(wildcard boot/*.S $(foreach d,$(KDIRS),$(d)/*.c $(d)/*.S)))
KOBJ		:= $(patsubst %,$(BUILD)/%.o,$(KSRC)) $(BUILD)/gen/sysent.c.o

# One syscall list generates the numbers, the handlers' prototypes, the
# dispatch thunks, the user stubs and their prototypes (and, by make docs,
# the table in docs/DESIGN.md).
SYSCALL_TBL	:= kernel/uapi/nuthatch/syscalls.tbl
GEN_SYS		:= $(BUILD)/gen/nuthatch/sysno.h $(BUILD)/gen/sys/sysproto.h $(BUILD)/gen/sysent.c \
		   $(BUILD)/gen/usys.S $(BUILD)/gen/nuthatch/usys.h

$(GEN_SYS) &: $(SYSCALL_TBL) tools/gensyscalls.py tools/abi.py
	@mkdir -p $(BUILD)/gen/nuthatch $(BUILD)/gen/sys
	$(call say,GEN,$(tgt))
	$(Q)$(PYTHON) tools/gensyscalls.py $(SYSCALL_TBL) --header $(BUILD)/gen/nuthatch/sysno.h \
		--proto $(BUILD)/gen/sys/sysproto.h --table $(BUILD)/gen/sysent.c \
		--stubs $(BUILD)/gen/usys.S --user $(BUILD)/gen/nuthatch/usys.h

# The system-call table in docs/DESIGN.md is generated too; make check
# fails while it is stale.
docs: $(SYSCALL_TBL) tools/gensyscalls.py
	$(call say,GEN,docs/DESIGN.md)
	$(Q)$(PYTHON) tools/gensyscalls.py $(SYSCALL_TBL) --doc docs/DESIGN.md

$(BUILD)/gen/sysent.c.o: $(BUILD)/gen/sysent.c
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(KCFLAGS) -Ikernel -c $< -o $@

# Every kernel object may include the generated numbers.
$(patsubst %,$(BUILD)/%.o,$(KSRC)): | $(BUILD)/gen/nuthatch/sysno.h

# The offsets assembly uses, measured from the C structs: asm-offsets.c
# compiled to assembly, its "->NAME value" markers turned into #defines.
ASM_OFFSETS	:= $(BUILD)/gen/arch/riscv/asm-offsets.h

$(ASM_OFFSETS): kernel/arch/riscv/asm-offsets.c | $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,GEN,$(tgt))
	$(Q)$(CC) $(KCFLAGS) -MT $@ -MF $@.d -S $< -o $@.s
	$(Q){ echo "/* Generated from kernel/arch/riscv/asm-offsets.c: do not edit. */"; \
	  echo "#ifndef NUTHATCH_ASM_OFFSETS_H"; echo "#define NUTHATCH_ASM_OFFSETS_H"; \
	  sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Z0-9_]*\) \([0-9]*\)"$$/#define \1 \2/p' $@.s; \
	  echo "#endif"; } > $@.tmp
	$(Q)test "$$(grep -c '^#define [A-Z0-9_]* [0-9]' $@.tmp)" -eq "$$(grep -c '"->' $@.s)" || \
	  { echo "asm-offsets: a marker did not become a #define" >&2; exit 1; }
	$(Q)mv $@.tmp $@

-include $(ASM_OFFSETS).d

$(filter %.S.o,$(patsubst %,$(BUILD)/%.o,$(KSRC))): $(ASM_OFFSETS)

all: $(BUILD)/Image $(BUILD)/initramfs.cpio

$(BUILD)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(call say,AS,$(tgt))
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Runs before the MMU is on, at the load address: no jump tables (they hold
# absolute addresses) and no calls the compiler invents.
$(BUILD)/kernel/arch/riscv/early.c.o: KCFLAGS += -fno-jump-tables \
	-fno-tree-loop-distribute-patterns

# The compiler must not turn the loops of memset/memcpy into calls to them.
$(BUILD)/kernel/lib/string.c.o: KCFLAGS += -fno-tree-loop-distribute-patterns

# Two links: the first with an empty symbol table, the second with the
# table generated from the first.  The table sits in rodata, after text, so
# no function moves; ksyms.py --compare proves it.
$(BUILD)/ksyms0.S: tools/ksyms.py
	@mkdir -p $(dir $@)
	$(call say,KSYMS,$(tgt))
	$(Q)$(PYTHON) tools/ksyms.py --empty > $@

$(BUILD)/ksyms.S: $(BUILD)/nuthatch.pass1.elf tools/ksyms.py
	$(call say,KSYMS,$(tgt))
	$(Q)$(PYTHON) tools/ksyms.py --nm $(NM) $< > $@

$(BUILD)/%.S.o: $(BUILD)/%.S
	$(call say,AS,$(tgt))
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/nuthatch.pass1.elf: $(KOBJ) $(BUILD)/ksyms0.S.o boot/kernel.ld
	$(call say,LD,$(tgt))
	$(Q)$(CC) $(KLDFLAGS) $(KOBJ) $(BUILD)/ksyms0.S.o -lgcc -o $@

$(BUILD)/nuthatch.elf: $(BUILD)/nuthatch.pass1.elf $(BUILD)/ksyms.S.o
	$(call say,LD,$(tgt))
	$(Q)$(CC) $(KLDFLAGS) $(KOBJ) $(BUILD)/ksyms.S.o -lgcc -o $@
	@$(PYTHON) tools/ksyms.py --nm $(NM) --compare $< $@
	@$(PYTHON) tools/imagecheck.py --elf $@ --nm $(NM)

$(BUILD)/Image: $(BUILD)/nuthatch.elf
	$(call say,OBJCOPY,$(tgt))
	$(Q)$(OBJCOPY) -O binary $< $@
	@$(PYTHON) tools/imagecheck.py --image $@

-include $(KOBJ:.o=.d)

# ---- user space: lib/ (the runtime picolibc lacks) and programs ----------
# User programs use FP (rv64imafdc/lp64d); picolibc supplies the C library.
UARCH		:= -march=rv64imafdc -mabi=lp64d
# picolibc's release build: the same library made for speed (its default
# is made for size: memset and memcpy a byte at a time, 4 instructions a
# byte; the release ones go a word at a time).
PICOLIBC	:= --specs=picolibc.specs --picolibc-buildtype=release
UCFLAGS		:= $(PICOLIBC) $(UARCH) -O2 -g -std=gnu11 \
		   -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
		   -Ilib/include -Ilib -Ikernel/uapi -I$(BUILD)/gen -MMD -MP
ULDFLAGS	:= $(PICOLIBC) $(UARCH) -nostartfiles -static \
		   -T lib/user.ld -Wl,--gc-sections -Wl,--build-id=none
ULIBOBJ		:= $(BUILD)/lib/crt0.S.o $(BUILD)/lib/start.c.o $(BUILD)/lib/mman.c.o \
		   $(BUILD)/lib/ipc.S.o $(BUILD)/lib/usys.S.o $(BUILD)/lib/posix/process.c.o \
		   $(BUILD)/lib/posix/vfork.S.o $(BUILD)/lib/posix/clone.S.o \
		   $(BUILD)/lib/posix/pthread.c.o $(BUILD)/lib/posix/mutex.c.o \
		   $(BUILD)/lib/posix/time.c.o $(BUILD)/lib/posix/system.c.o \
		   $(BUILD)/lib/posix/file.c.o $(BUILD)/lib/posix/dir.c.o \
		   $(BUILD)/lib/posix/tty.c.o $(BUILD)/lib/posix/pipe.c.o \
		   $(BUILD)/lib/posix/mapped.c.o
UPROGS		:= $(patsubst user/%.c,$(BUILD)/user/%,$(wildcard user/*.c)) \
		   $(BUILD)/user/testserver
# The programs people use (/bin/NAME, one file each) and the shell.
CMDS		:= $(patsubst user/cmd/%.c,$(BUILD)/user/cmd/%,$(wildcard user/cmd/*.c))
SH_OBJS		:= $(patsubst user/sh/%.c,$(BUILD)/user/sh/%.o,$(wildcard user/sh/*.c))
SH		:= $(BUILD)/user/sh/sh

$(BUILD)/lib/%.c.o: lib/%.c $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/lib/%.S.o: lib/%.S $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/lib/usys.S.o: $(BUILD)/gen/usys.S
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/user/%.o: user/%.c $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/user/testserver.o: tests/server/server.c $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

# The test server's other catalogue parts: tests/server/*.c but server.c.
TSERVER_PARTS	:= $(patsubst tests/server/%.c,$(BUILD)/user/testserver-%.o,\
		     $(filter-out tests/server/server.c,$(wildcard tests/server/*.c)))

$(BUILD)/user/testserver-%.o: tests/server/%.c $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -Itests/server -c $< -o $@

# The differential programs (tests/posix): plain POSIX C, built for
# Nuthatch into /bin/posix and for the host into $(BUILD)/host/posix;
# tools/testsuite.py compares what they print.
POSIX_NAMES	:= $(patsubst tests/posix/%.c,%,$(wildcard tests/posix/*.c))
POSIX_PROGS	:= $(patsubst %,$(BUILD)/posix/%,$(POSIX_NAMES))
POSIX_HOST	:= $(patsubst %,$(BUILD)/host/posix/%,$(POSIX_NAMES))

$(BUILD)/user/testserver-differential.o: CFLAGS_DIFF := -DPOSIX_PROGS='"$(POSIX_NAMES)"'
$(BUILD)/user/testserver-differential.o: tests/server/differential.c $(BUILD)/gen/nuthatch/sysno.h Makefile
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -Itests/server $(CFLAGS_DIFF) -c $< -o $@

$(BUILD)/posix/%.o: tests/posix/%.c tests/posix/posixtest.h $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/posix/%: $(BUILD)/posix/%.o $(ULIBOBJ) lib/user.ld
	$(call say,LD,$(tgt))
	$(Q)$(CC) $(ULDFLAGS) $< $(ULIBOBJ) -o $@

$(BUILD)/host/posix/%: tests/posix/%.c tests/posix/posixtest.h
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(tgt))
	$(Q)$(HOSTCC) -O1 -g -std=gnu11 -D_GNU_SOURCE -Wall -Werror -pthread $< -o $@

$(POSIX_PROGS): $(PROTO_CLIENT)

$(BUILD)/user/testserver: $(BUILD)/user/testserver.o $(TSERVER_PARTS) $(ULIBOBJ) lib/user.ld
	$(call say,LD,$(tgt))
	$(Q)$(CC) $(ULDFLAGS) $(BUILD)/user/testserver.o $(TSERVER_PARTS) $(ULIBOBJ) -o $@

$(BUILD)/user/%: $(BUILD)/user/%.o $(ULIBOBJ) lib/user.ld
	$(call say,LD,$(tgt))
	$(Q)$(CC) $(ULDFLAGS) $< $(ULIBOBJ) -o $@

$(SH): $(SH_OBJS) $(ULIBOBJ) lib/user.ld
	$(call say,LD,$(tgt))
	$(Q)$(CC) $(ULDFLAGS) $(SH_OBJS) $(ULIBOBJ) -o $@
$(CMDS) $(SH): $(PROTO_CLIENT)

# ---- server protocols and libserver -----------------------------------------
# servers/proto/NAME.tbl -> build/gen/proto/ (tools/genproto.py): NAME.h
# (labels, layouts), NAME_client.c (stubs, linked into every program with
# lib/proto.c), NAME_server.{h,c} (handlers' prototypes, dispatch table,
# in libserver.a with servers/libserver/).  Kept to this block: the
# lists above get the new objects appended, their rules extra
# prerequisites.
PROTO_NAMES	:= $(basename $(notdir $(wildcard servers/proto/*.tbl)))
PROTO_HDRS	:= $(foreach p,$(PROTO_NAMES),$(BUILD)/gen/proto/$(p).h $(BUILD)/gen/proto/$(p)_server.h)
PROTO_CLIENT	:= $(BUILD)/lib/proto.c.o $(PROTO_NAMES:%=$(BUILD)/proto/%_client.o)
LIBSERVER	:= $(BUILD)/servers/libserver.a
LIBSERVER_OBJ	:= $(BUILD)/servers/libserver/server.o $(BUILD)/servers/libserver/image.o \
		   $(BUILD)/servers/libserver/kernel-elf.o $(BUILD)/servers/libserver/archive.o \
		   $(BUILD)/servers/libserver/kernel-cpio.o $(BUILD)/servers/libserver/pool.o \
		   $(BUILD)/servers/libserver/warm.o \
		   $(PROTO_NAMES:%=$(BUILD)/proto/%_server.o)
PROTO_CFLAGS	:= -Iservers -Iservers/libserver
AR		:= $(CROSS_COMPILE)ar
STRIP		:= $(CROSS_COMPILE)strip	# the initramfs's copies: exec reads less

$(BUILD)/gen/proto/%.h $(BUILD)/gen/proto/%_client.c $(BUILD)/gen/proto/%_server.h \
$(BUILD)/gen/proto/%_server.c: servers/proto/%.tbl tools/genproto.py tools/abi.py
	@mkdir -p $(dir $@)
	$(call say,GEN,$(tgt))
	$(Q)$(PYTHON) tools/genproto.py $< --out $(BUILD)/gen/proto

$(BUILD)/proto/%.o: $(BUILD)/gen/proto/%.c $(PROTO_HDRS) $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) $(PROTO_CFLAGS) -c $< -o $@

$(BUILD)/servers/libserver/%.o: servers/libserver/%.c $(PROTO_HDRS) $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) $(PROTO_CFLAGS) -Ikernel -c $< -o $@

# libserver's image builder links the kernel's ELF checker (kernel/lib/elf.c:
# freestanding C).
$(BUILD)/servers/libserver/kernel-elf.o: kernel/lib/elf.c
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -Ikernel -c $< -o $@

# ... and its cpio reader (kernel/lib/cpio.c), for the archive (archive.c).
$(BUILD)/servers/libserver/kernel-cpio.o: kernel/lib/cpio.c
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -Ikernel -c $< -o $@

$(LIBSERVER): $(LIBSERVER_OBJ)
	$(call say,AR,$(tgt))
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/lib/proto.c.o $(BUILD)/lib/posix/process.c.o $(BUILD)/lib/posix/file.c.o \
$(BUILD)/lib/posix/dir.c.o $(BUILD)/lib/posix/tty.c.o $(BUILD)/lib/posix/pipe.c.o \
$(BUILD)/lib/posix/mapped.c.o: $(PROTO_HDRS)
$(TSERVER_PARTS): UCFLAGS += $(PROTO_CFLAGS)
$(TSERVER_PARTS) $(BUILD)/user/testserver.o: | $(PROTO_HDRS)
ULIBOBJ		+= $(PROTO_CLIENT)
TSERVER_PARTS	+= $(LIBSERVER)
$(UPROGS): $(PROTO_CLIENT)
$(BUILD)/user/testserver: $(LIBSERVER)

# The servers every boot starts: /sbin/proc (the process server, the
# kernel's first user task), /sbin/console (the console server) and
# /sbin/fs (the file server), which proc starts, and /sbin/init (pid 1).
# A server is every .c of its folder linked with libserver; the console
# server also links the kernel's UART drivers (freestanding C).
SERVERS		:= proc fs console
SERVER_EXTRA_console := $(BUILD)/servers/console/kernel-uart_8250.o \
		   $(BUILD)/servers/console/kernel-uart_sifive.o
SERVER_OBJS	= $(patsubst servers/$(1)/%.c,$(BUILD)/servers/$(1)/%.o,$(wildcard servers/$(1)/*.c)) \
		  $(SERVER_EXTRA_$(1))

$(BUILD)/servers/console/kernel-%.o: kernel/dev/%.c $(BUILD)/gen/nuthatch/sysno.h
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -Ikernel -c $< -o $@
SPROGS		:= $(foreach s,$(SERVERS),$(BUILD)/servers/$(s)/$(s)) $(BUILD)/servers/init/init

$(BUILD)/servers/%.o: servers/%.c $(BUILD)/gen/nuthatch/sysno.h | $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) $(PROTO_CFLAGS) -Ikernel -c $< -o $@

define SERVER_LINK
$(BUILD)/servers/$(1)/$(1): $(call SERVER_OBJS,$(1)) $(LIBSERVER) $(ULIBOBJ) lib/user.ld
	$$(call say,LD,$$(tgt))
	$$(Q)$$(CC) $$(ULDFLAGS) $(call SERVER_OBJS,$(1)) $$(LIBSERVER) $$(ULIBOBJ) -o $$@
endef
$(foreach s,$(SERVERS),$(eval $(call SERVER_LINK,$(s))))

$(BUILD)/servers/init/init.o: servers/init/init.c $(BUILD)/gen/nuthatch/sysno.h | $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$(tgt))
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/servers/init/init: $(BUILD)/servers/init/init.o $(ULIBOBJ) lib/user.ld
	$(call say,LD,$(tgt))
	$(Q)$(CC) $(ULDFLAGS) $< $(ULIBOBJ) -o $@

-include $(patsubst %.o,%.d,$(foreach s,$(SERVERS),$(call SERVER_OBJS,$(s)))) $(BUILD)/servers/init/init.d

# The initramfs: the servers under /sbin, every user program under /bin.
# /lib/corrupt/NNN: corrupt executables exec must refuse (tools/mkcorrupt.py;
# build/corrupt-index.txt names each one's defect).
$(BUILD)/initramfs.cpio: $(UPROGS) $(CMDS) $(SH) $(SPROGS) $(POSIX_PROGS) $(POSIX_HOST) tools/mkinitramfs tools/mkinitramfs.py tools/mkcorrupt.py
	@rm -rf $(BUILD)/initramfs && mkdir -p $(BUILD)/initramfs/bin/posix $(BUILD)/initramfs/sbin
	$(Q)cp $(UPROGS) $(CMDS) $(SH) $(BUILD)/initramfs/bin/
	$(Q)cp $(POSIX_PROGS) $(BUILD)/initramfs/bin/posix/
	$(Q)cp $(SPROGS) $(BUILD)/initramfs/sbin/
	$(Q)$(STRIP) --strip-all $$(find $(BUILD)/initramfs/bin $(BUILD)/initramfs/sbin -type f)
	$(Q)head -c 1000 $(BUILD)/user/hello > $(BUILD)/initramfs/bin/corrupt
	$(Q)mkdir -p $(BUILD)/initramfs/etc && : > $(BUILD)/initramfs/etc/empty
	$(Q)printf '#!/bin/argvis one two  \n' > $(BUILD)/initramfs/bin/script
	$(Q)printf '#! /bin/script\n' > $(BUILD)/initramfs/bin/script2
	$(Q)printf '#!/bin/script-loop\n' > $(BUILD)/initramfs/bin/script-loop
	$(Q)printf '#!/bin/nonesuch\n' > $(BUILD)/initramfs/bin/script-missing
	$(Q)printf '#!   \n' > $(BUILD)/initramfs/bin/script-empty
	$(Q)printf '#!/bin/argvis' > $(BUILD)/initramfs/bin/script-cut
	$(Q){ printf '#!/bin/argvis '; head -c 300 /dev/zero | tr '\0' x; echo; } \
		> $(BUILD)/initramfs/bin/script-long
	$(Q){ printf '#!/bin/'; head -c 300 /dev/zero | tr '\0' x; echo; } \
		> $(BUILD)/initramfs/bin/script-longname
	$(Q)$(PYTHON) tools/mkcorrupt.py $(BUILD)/user/hello $(BUILD)/initramfs/lib/corrupt \
		--index $(BUILD)/corrupt-index.txt
	$(Q)chmod 755 $(BUILD)/initramfs/bin/corrupt $(BUILD)/initramfs/bin/script* \
		$(BUILD)/initramfs/lib/corrupt/*	# exec needs an x bit (EACCES else)
	$(call say,CPIO,$(tgt))
	$(Q)tools/mkinitramfs $@ $(BUILD)/initramfs

-include $(PROTO_CLIENT:.o=.d) $(LIBSERVER_OBJ:.o=.d) $(patsubst %.o,%.d,$(filter %.o,$(TSERVER_PARTS)))

-include $(ULIBOBJ:.o=.d) $(UPROGS:=.d) $(CMDS:=.d) $(SH_OBJS:.o=.d)
-include tests/host/host.mk

# ---- boot media --------------------------------------------------------------
# The card's layout and the fdt it names are board data (sdcard.layout); a
# board that names an fdt ships its own DTS, compiled here.
SD_LAYOUT	:= board/$(BOARD)/sdcard.layout
SD_FDT		:= $(shell awk '$$1 == "fdt" { print $$2 }' $(SD_LAYOUT) 2>/dev/null)
SD_DTB		:= $(if $(SD_FDT),$(BUILD)/$(BOARD)/$(SD_FDT))
DTC		?= dtc

ifneq ($(SD_DTB),)
$(SD_DTB): board/$(BOARD)/$(basename $(notdir $(SD_FDT))).dts
	@mkdir -p $(dir $@)
	$(call say,DTC,$(tgt))
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
endif

$(BUILD)/$(BOARD)/sdcard.img: $(BUILD)/Image $(SD_LAYOUT) $(SD_DTB) tools/sdimage.py
	@mkdir -p $(dir $@)
	$(call say,SDIMAGE,$(tgt))
	$(Q)$(PYTHON) tools/sdimage.py --layout $(SD_LAYOUT) --image $(BUILD)/Image \
		$(if $(SD_DTB),--dtb $(SD_DTB)) --append "$(BOOTARGS)" --out $@
	$(Q)$(PYTHON) tools/sdimage.py --layout $(SD_LAYOUT) --check $@
	@echo "sdimage: $@ (write it to a card with dd: see README.md)"

sdimage: deps $(BUILD)/$(BOARD)/sdcard.img

# ---- running -------------------------------------------------------------
# make run INIT=/bin/PROG: init starts PROG instead of the shell.
RUN_BOOTARGS	= $(strip $(BOOTARGS) $(if $(INIT),init=$(INIT)))
QEMU_RUN_ARGS	= -M $(QEMU_MACHINE) -smp $(QEMU_SMP) -m $(QEMU_MEM) -nographic \
		  -bios $(OPENSBI_DIR)/fw_dynamic.bin -kernel $(BUILD)/Image \
		  -initrd $(BUILD)/initramfs.cpio -append "$(RUN_BOOTARGS)"

deps:
	@bash tools/deps.sh --quiet

run: deps all
	$(QEMU) $(QEMU_RUN_ARGS)

debug: deps all
	@echo "gdb stub on :1234; in another terminal: gdb-multiarch -x tools/gdbinit"
	$(QEMU) $(QEMU_RUN_ARGS) -s -S

# ---- testing ---------------------------------------------------------------
test: deps all
	$(PYTHON) tools/testsuite.py --build $(BUILD) --shared $(SHARED)

bench: deps
	$(MAKE) --no-print-directory BUILD=$(BUILD)/release DEBUG=0 $(BUILD)/release/Image \
		$(BUILD)/release/initramfs.cpio
	$(PYTHON) tools/bench.py $(BUILD)/release/Image

clean:
	rm -rf $(BUILD)

check:
	$(Q)$(PYTHON) tools/gensyscalls.py $(SYSCALL_TBL) --check-doc docs/DESIGN.md
	$(Q)$(PYTHON) tools/layers.py

.PHONY: all deps run debug test bench clean sdimage check docs
# Keep intermediate objects (and keep make quiet after the test summary).
.SECONDARY:
