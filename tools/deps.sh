#!/usr/bin/env bash
# Install the Debian packages Nuthatch builds and tests with.
#
# Idempotent and fast when everything is present (one dpkg-query).  As
# root it installs what is missing with apt-get; otherwise it prints the
# exact apt-get line to run and fails.  --quiet: say nothing when all is
# present.  CROSS_COMPILE users with their own toolchain still need the
# rest (QEMU, OpenSBI, dtc, libfdt, clang...).
set -euo pipefail

PACKAGES=(
	gcc-riscv64-unknown-elf	# the cross compiler (CROSS_COMPILE default)
	picolibc-riscv64-unknown-elf	# the C library for user programs
	qemu-system-misc	# qemu-system-riscv64
	opensbi			# fw_dynamic.bin, fw_jump.bin
	u-boot-qemu		# U-Boot for QEMU boots through booti
	u-boot-tools		# mkimage
	device-tree-compiler	# dtc
	libfdt-dev		# host cross-checks of the DT parser
	clang			# host tests under sanitizers, libFuzzer
	libclang-rt-14-dev	# the sanitizer and fuzzer runtimes
	gdb-multiarch		# make debug
	cpio			# initramfs
	mtools			# SD-card images without mounting
	dosfstools		# mkfs.vfat
	gdisk			# sgdisk
	python3			# the test harness
	make
)

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

missing=()
status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
for p in "${PACKAGES[@]}"; do
	if ! grep -q "^$p ii" <<<"$status"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	[ $quiet -eq 1 ] || echo "deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; as root, run:" >&2
	echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
