/*
 * picolibc's sys/stat.h, plus lstat, which it declares only for a few
 * other systems (lib/posix/file.c has it: there are no symbolic links
 * yet, so it is stat).
 */
#ifndef NUTHATCH_SYS_STAT_H
#define NUTHATCH_SYS_STAT_H

#include_next <sys/stat.h>

int lstat(const char *__restrict path, struct stat *__restrict st);

#endif
