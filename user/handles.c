/*
 * A helper of the handle tests (USRT0012): the test server installs into
 * this program's empty table a handle to the program itself (number 1,
 * READ) and then one to a spawned /bin/hello (number 2, READ only).
 * Checks what those handles allow and exits 0, or the number of the first
 * check that failed.  Handle 1 is never closed: the kernel must still
 * free a task holding a handle to itself.
 */
#include <nuthatch/errno.h>

#include "nhtest.h"
#include "nuthatch.h"

#define WAIT_MS		5000

int main(void)
{
	struct nh_handle_info info;
	struct nh_exit e;
	int ms = 0;

	while (nh_handle_info(2, &info) == -NH_EBADF && ms++ < WAIT_MS)
		nh_sleep_ns(1000000);
	if (ms > WAIT_MS)
		return 1;
	if (info.type != NH_OBJ_TASK || info.rights != NH_RIGHT_READ)
		return 2;
	if (nh_task_wait(1, &e) != -NH_EDEADLK)	/* itself */
		return 3;
	if (nh_handle_dup(2, NH_RIGHT_READ) != -NH_EACCES)	/* no GRANT */
		return 4;
	if (nh_handle_install(1, 2, NH_RIGHT_READ) != -NH_EACCES)	/* no CONTROL */
		return 5;
	if (nh_task_wait(2, &e) != 0 || e.reason != NH_EXIT_NORMAL || e.code != 7)
		return 6;
	if (nh_handle_close(2) != 0 || nh_handle_info(2, &info) != -NH_EBADF)
		return 7;
	return 0;
}
