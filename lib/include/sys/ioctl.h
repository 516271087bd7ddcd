/*
 * ioctl and the terminal requests the console server answers (Linux's
 * numbers), and FIONREAD, which the file server answers for pipes and
 * files.  Every other request, and every other descriptor, gives ENOTTY.
 */
#ifndef NH_SYS_IOCTL_H
#define NH_SYS_IOCTL_H

#include <sys/termios.h>

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TCFLSH		0x540B
#define TIOCSCTTY	0x540E
#define TIOCGPGRP	0x540F
#define TIOCSPGRP	0x5410
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414
#define TIOCNOTTY	0x5422
#define TIOCGSID	0x5429
#define FIONREAD	0x541B	/* bytes ready to read: a pipe's, a file's past the offset */

int ioctl(int fd, unsigned long request, ...);

#endif
