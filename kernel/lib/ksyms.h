/*
 * The kernel's own symbol table, for symbolized backtraces.  It is
 * generated at link time (tools/ksyms.py) from the first link's text
 * symbols and placed in rodata, after text, so adding it moves no
 * function; the build checks that both links agree on every text symbol.
 */
#ifndef NUTHATCH_KSYMS_H
#define NUTHATCH_KSYMS_H

#include <stdint.h>

/*
 * The function containing @addr: its name, with *offset set to addr minus
 * its start.  NULL when @addr is outside kernel text.
 */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);

/* The number of symbols in the table (0 in the first link). */
unsigned ksyms_count(void);

#endif
