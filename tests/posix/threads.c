/* pthreads: create and join, a mutex-guarded counter, thread ids, errno
 * per thread, exit from a thread ending the process. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "posixtest.h"

#define N 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static pid_t pids[N];
static int errno_ok[N];

static void *work(void *arg)
{
	long i = (long)arg;

	pids[i] = getpid();
	errno = 40 + (int)i;
	for (int k = 0; k < 10000; k++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	errno_ok[i] = errno == 40 + (int)i;
	return (void *)(i + 100);
}

static void *ends_all(void *arg)
{
	(void)arg;
	exit(6);
}

int main(void)
{
	pthread_t t[N];
	void *ret;
	int status = 0;
	pid_t pid;

	for (long i = 0; i < N; i++)
		pthread_create(&t[i], 0, work, (void *)i);
	for (long i = 0; i < N; i++) {
		pthread_join(t[i], &ret);
		printf("thread %ld returned %ld, same pid %d, errno kept %d\n", i, (long)ret,
		       pids[i] == getpid(), errno_ok[i]);
	}
	printf("counter %ld\n", counter);
	printf("join of itself: %s\n", errname(pthread_join(pthread_self(), &ret)));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pthread_t x;

		pthread_create(&x, 0, ends_all, 0);
		for (;;)
			usleep(100000);
	}
	waitpid(pid, &status, 0);
	printf("exit in a thread: %s\n", status_words(status));
	return 0;
}
