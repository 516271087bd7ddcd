/*
 * Reading the kernel command line (the DT's /chosen bootargs): words
 * separated by spaces, each "key" or "key=value".  Pure code, also built
 * for the host.
 */
#ifndef NUTHATCH_CMDLINE_H
#define NUTHATCH_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Find the last word "key" or "key=value" in @args.  On a hit copy the
 * value ("" for a bare key) into @out (NUL-terminated, truncated to @n)
 * and return true.
 */
bool cmdline_get(const char *args, const char *key, char *out, size_t n);

/* Does @name match the glob @pattern ('*' any run, '?' one character)? */
bool cmdline_glob(const char *pattern, const char *name);

/* Does @name match one of the comma-separated globs in @patterns? */
bool cmdline_glob_list(const char *patterns, const char *name);

#endif
