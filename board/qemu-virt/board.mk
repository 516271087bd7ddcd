# QEMU virt: the default board.  Data only: how to start it and what the
# loader does.  The kernel learns everything else from the device tree.
BOARD_NAME	:= QEMU virt
QEMU_MACHINE	:= virt
QEMU_SMP	?= 4
QEMU_MEM	?= 512M
# OpenSBI (fw_dynamic) and U-Boot's booti both place the Image at RAM base
# + text_offset: 0x80000000 + 0x200000.
LOAD_ADDR	:= 0x80200000
BOOTARGS	?=
