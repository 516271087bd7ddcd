# Host builds of the kernel's pure code: dtinfo, the unit tests and the
# fuzzer.  Included by the top-level Makefile, which provides BUILD (build),
# SHARED (../shared) and HOSTCC (clang).
#
#   make build/host/dtinfo     print what the kernel reads from a DTB
#   make host-test             run every host test binary (KTAP)
#   make fuzz [FUZZ_SECONDS=n] fuzz platform_parse (default 60 s)
#                              and the cpio reader (seeds: GNU cpio)
#                              and elf_check (seeds: test_elf --corpus)
#   make fuzz-ci               the same for 10 s
#
# Objects go to $(BUILD)/host/{san,fuzz}/, the fuzzing corpus and any
# crash artifacts to $(BUILD)/fuzz/; nothing is written into the sources.

FUZZ_SECONDS ?= 60
HOST_DIR := $(BUILD)/host
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-iquote kernel -Ikernel/uapi -MMD -MP
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_FUZZ := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
HOST_FIXTURES := $(SHARED)/fixtures/dtb tests/fixtures/dtb

HOST_PLAT_SRCS := kernel/lib/fdt.c kernel/lib/platform.c kernel/lib/fmt.c
HOST_PLAT_SAN := $(HOST_PLAT_SRCS:%.c=$(HOST_DIR)/san/%.o)
HOST_PLAT_FUZZ := $(HOST_PLAT_SRCS:%.c=$(HOST_DIR)/fuzz/%.o)
HOST_TP_SRCS := tests/host/test_platform.c tests/host/hostile.c \
	tests/host/ref_platform.c tests/host/fdt_why.c

$(HOST_DIR)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(tgt))
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -c $< -o $@

$(HOST_DIR)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$(tgt))
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_FUZZ) -c $< -o $@

$(HOST_DIR)/dtinfo: $(HOST_DIR)/san/tools/dtinfo.o $(HOST_PLAT_SAN)
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

$(HOST_DIR)/test_fmt: $(HOST_DIR)/san/tests/host/test_fmt.o \
		$(HOST_DIR)/san/kernel/lib/fmt.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

$(HOST_DIR)/test_framepool: $(HOST_DIR)/san/tests/host/test_framepool.o \
		$(HOST_DIR)/san/kernel/lib/framepool.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

$(HOST_DIR)/test_platform: $(HOST_TP_SRCS:%.c=$(HOST_DIR)/san/%.o) \
		$(HOST_PLAT_SAN)
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -lfdt -o $@

$(HOST_DIR)/fuzz_platform: $(HOST_DIR)/fuzz/tests/host/fuzz_platform.o \
		$(HOST_PLAT_FUZZ)
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) -fsanitize=fuzzer,address,undefined $^ -o $@

HOST_TESTS := $(HOST_DIR)/test_fmt $(HOST_DIR)/test_platform \
	$(HOST_DIR)/test_framepool

# The initramfs reader (kernel/lib/cpio.c).
$(HOST_DIR)/test_cpio: $(HOST_DIR)/san/tests/host/test_cpio.o \
		$(HOST_DIR)/san/kernel/lib/cpio.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

$(HOST_DIR)/fuzz_cpio: $(HOST_DIR)/fuzz/tests/host/fuzz_cpio.o \
		$(HOST_DIR)/fuzz/kernel/lib/cpio.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) -fsanitize=fuzzer,address,undefined $^ -o $@

HOST_TESTS += $(HOST_DIR)/test_cpio

# The ELF executable checker (kernel/lib/elf.c).
$(HOST_DIR)/test_elf: $(HOST_DIR)/san/tests/host/test_elf.o \
		$(HOST_DIR)/san/kernel/lib/elf.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

$(HOST_DIR)/fuzz_elf: $(HOST_DIR)/fuzz/tests/host/fuzz_elf.o \
		$(HOST_DIR)/fuzz/kernel/lib/elf.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) -fsanitize=fuzzer,address,undefined $^ -o $@

HOST_TESTS += $(HOST_DIR)/test_elf
HOST_TESTS += $(HOST_DIR)/test_asid
HOST_TESTS += $(HOST_DIR)/test_pid

# The process server's pid bitmap: user-space code, but plain C.
$(HOST_DIR)/san/tests/host/test_pid.o $(HOST_DIR)/san/servers/proc/pid.o: \
	HOST_CFLAGS += -iquote servers/proc -iquote servers/libserver -iquote lib
$(HOST_DIR)/test_pid: $(HOST_DIR)/san/tests/host/test_pid.o \
		$(HOST_DIR)/san/servers/proc/pid.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

$(HOST_DIR)/test_asid: $(HOST_DIR)/san/tests/host/test_asid.o \
		$(HOST_DIR)/san/kernel/lib/asid.o
	$(call say,HOSTLD,$(tgt))
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

.PHONY: host-build host-test fuzz fuzz-ci
# What tools/testsuite.py needs: every test binary and dtinfo.
host-build: $(HOST_TESTS) $(HOST_DIR)/dtinfo

host-test: $(HOST_TESTS)
	@rc=0; \
	$(HOST_DIR)/test_fmt || rc=1; \
	$(HOST_DIR)/test_platform $(HOST_FIXTURES) || rc=1; \
	$(HOST_DIR)/test_framepool $(HOST_FIXTURES) || rc=1; \
	$(HOST_DIR)/test_cpio $(HOST_FIXTURES) || rc=1; \
	$(HOST_DIR)/test_elf || rc=1; \
	$(HOST_DIR)/test_asid || rc=1; \
	$(HOST_DIR)/test_pid || rc=1; \
	exit $$rc

fuzz: $(HOST_DIR)/fuzz_platform
	rm -rf $(BUILD)/fuzz/corpus
	mkdir -p $(BUILD)/fuzz/corpus
	for d in $(HOST_FIXTURES); do \
		for f in $$d/*.dtb; do [ -f "$$f" ] && cp "$$f" $(BUILD)/fuzz/corpus/; done; \
	done; true
	$(HOST_DIR)/fuzz_platform -max_total_time=$(FUZZ_SECONDS) \
		-max_len=65536 -artifact_prefix=$(BUILD)/fuzz/ \
		$(BUILD)/fuzz/corpus

# Seeds: the programs test_elf builds with the cross compiler (if any)
# and its hand-made headers.
.PHONY: fuzz-elf
fuzz: fuzz-elf
fuzz-elf: $(HOST_DIR)/fuzz_elf $(HOST_DIR)/test_elf
	rm -rf $(BUILD)/fuzz/elf-corpus
	mkdir -p $(BUILD)/fuzz/elf-corpus
	$(HOST_DIR)/test_elf --corpus $(BUILD)/fuzz/elf-corpus
	$(HOST_DIR)/fuzz_elf -max_total_time=$(FUZZ_SECONDS) \
		-max_len=65536 -artifact_prefix=$(BUILD)/fuzz/elf- \
		$(BUILD)/fuzz/elf-corpus

# Seeds: a small tree (files, a directory, a symlink, a hard link)
# archived by GNU cpio whole and as regular files only.
CPIO_SEED_DIR := $(BUILD)/fuzz/cpio-src
CPIO_CORPUS := $(BUILD)/fuzz/cpio-corpus
.PHONY: fuzz-cpio
fuzz: fuzz-cpio
fuzz-cpio: $(HOST_DIR)/fuzz_cpio
	rm -rf $(CPIO_SEED_DIR) $(CPIO_CORPUS)
	mkdir -p $(CPIO_SEED_DIR)/bin $(CPIO_SEED_DIR)/etc $(CPIO_CORPUS)
	printf '#!/bin/sh\necho hi\n' > $(CPIO_SEED_DIR)/bin/init
	printf 'Nuthatch\n' > $(CPIO_SEED_DIR)/etc/motd
	ln -s init $(CPIO_SEED_DIR)/bin/sh
	ln $(CPIO_SEED_DIR)/etc/motd $(CPIO_SEED_DIR)/etc/issue
	cd $(CPIO_SEED_DIR) && find . | LC_ALL=C sort | \
		cpio -o -H newc --quiet > $(abspath $(CPIO_CORPUS))/tree.cpio
	cd $(CPIO_SEED_DIR) && find . -type f | LC_ALL=C sort | \
		cpio -o -H newc --quiet > $(abspath $(CPIO_CORPUS))/files.cpio
	$(HOST_DIR)/fuzz_cpio -max_total_time=$(FUZZ_SECONDS) \
		-max_len=8192 -artifact_prefix=$(BUILD)/fuzz/cpio- \
		$(CPIO_CORPUS)

fuzz-ci: FUZZ_SECONDS = 10
fuzz-ci: fuzz

-include $(shell find $(HOST_DIR) -name '*.d' 2>/dev/null)
