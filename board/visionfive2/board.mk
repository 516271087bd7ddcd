# StarFive VisionFive 2 (JH7110, harts 1-4 are U74 with Sv39; hart 0 is an
# S7 monitor core without an MMU).  Data only.  Booted by the board's own
# U-Boot from an SD card: make sdimage BOARD=visionfive2 (layout and the
# device tree on the card: sdcard.layout, *.dts here).
BOARD_NAME	:= StarFive VisionFive 2
# U-Boot's booti moves the Image to RAM base + text_offset.
LOAD_ADDR	:= 0x40200000
BOOTARGS	?=
