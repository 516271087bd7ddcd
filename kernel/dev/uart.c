/*
 * The UART driver table: which ops serve which DT-described UART kind.
 */
#include "dev/uart.h"

const struct uart_ops *uart_ops_for(enum plat_uart_kind kind)
{
	switch (kind) {
	case PLAT_UART_NS16550A:
	case PLAT_UART_DW_APB:
		return &uart_8250_ops;
	case PLAT_UART_SIFIVE:
		return &uart_sifive_ops;
	default:
		return 0;
	}
}
