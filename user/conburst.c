/*
 * conburst: four processes each write 50 lines of 300 copies of their
 * own letter to standard output at once, one write(2) per line; the
 * console suite (tools/testsuite.py) checks that no line mixes letters:
 * the console server writes every write whole.
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS	4
#define LINES	50
#define WIDTH	300

static void writer(char letter)
{
	char line[WIDTH + 1];

	memset(line, letter, WIDTH);
	line[WIDTH] = '\n';
	for (int i = 0; i < LINES; i++)
		if (write(1, line, sizeof(line)) != (ssize_t)sizeof(line))
			_exit(1);
	_exit(0);
}

int main(void)
{
	int status, bad = 0;

	for (int i = 0; i < WRITERS; i++)
		if (fork() == 0)
			writer((char)('A' + i));
	for (int i = 0; i < WRITERS; i++)
		bad |= wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status);
	return bad;
}
