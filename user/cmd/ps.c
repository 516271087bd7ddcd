/*
 * ps: the processes, from the process server (its ps request: pid, ppid,
 * group, session, uid, threads, state, CPU time, resident size, name),
 * and with -e the kernel's threads too, named [name] as Linux shows
 * them (they have task ids, no pids: their PID column is "-").  Without
 * -e only the caller's session.  -o picks the columns: pid, ppid, pgid,
 * sid, uid, nlwp, s (or stat), time, rss, comm (or cmd, args).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nuthatch/sysinfo.h>

#include "nhproto.h"
#include "proto/proc.h"

enum col { PID, PPID, PGID, SID, UID, NLWP, STATE, TIME, RSS, COMM, NCOLS };

static const struct {
	const char *name, *head, *fmt;
} cols[NCOLS] = {
	[PID] = { "pid", "  PID", "%5s" }, [PPID] = { "ppid", " PPID", "%5s" },
	[PGID] = { "pgid", " PGID", "%5s" }, [SID] = { "sid", "  SID", "%5s" },
	[UID] = { "uid", "  UID", "%5s" }, [NLWP] = { "nlwp", "NLWP", "%4s" },
	[STATE] = { "s", "S", "%1s" }, [TIME] = { "time", "    TIME", "%8s" },
	[RSS] = { "rss", "  RSS", "%5s" }, [COMM] = { "comm", "CMD", "%s" },
};

static enum col show[NCOLS] = { PID, PPID, STATE, TIME, RSS, COMM };
static int nshow = 6;

static int usage(FILE *f, int status)
{
	fprintf(f, "Usage: ps [-e] [-o COLUMN[,COLUMN...]]\n"
		   "  -e, -A   every process and the kernel's threads (else this session's)\n"
		   "  -o LIST  columns: pid ppid pgid sid uid nlwp s time rss comm\n");
	return status;
}

static int column(const char *name)
{
	static const char *const also[][2] = { { "stat", "s" }, { "cmd", "comm" },
					        { "args", "comm" }, { "state", "s" } };

	for (size_t i = 0; i < sizeof(also) / sizeof(also[0]); i++)
		if (!strcmp(name, also[i][0]))
			name = also[i][1];
	for (int c = 0; c < NCOLS; c++)
		if (!strcmp(name, cols[c].name))
			return c;
	return -1;
}

static int parse_columns(char *list)
{
	nshow = 0;
	for (char *w = strtok(list, ", "); w; w = strtok(0, ", ")) {
		int c = column(w);

		if (c < 0 || nshow == NCOLS) {
			fprintf(stderr, "ps: unknown column '%s'\n", w);
			return -1;
		}
		show[nshow++] = (enum col)c;
	}
	return nshow ? 0 : -1;
}

/* One row: @v[c] is column c's text. */
static void row(char v[NCOLS][32])
{
	for (int i = 0; i < nshow; i++) {
		printf(i ? " " : "");
		printf(cols[show[i]].fmt, v[show[i]]);
	}
	printf("\n");
}

static void header(void)
{
	char v[NCOLS][32];

	for (int c = 0; c < NCOLS; c++)
		snprintf(v[c], sizeof(v[c]), "%s", cols[c].head);
	row(v);
}

static void hms(char *out, uint64_t ns)
{
	uint64_t s = ns / 1000000000ull;

	snprintf(out, 32, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600),
		 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
}

static void print_proc(const struct nh_ps *p)
{
	char v[NCOLS][32];

	snprintf(v[PID], 32, "%d", p->pid);
	snprintf(v[PPID], 32, "%d", p->ppid);
	snprintf(v[PGID], 32, "%d", p->pgid);
	snprintf(v[SID], 32, "%d", p->sid);
	snprintf(v[UID], 32, "%u", p->uid);
	snprintf(v[NLWP], 32, "%u", p->nthreads);
	snprintf(v[STATE], 32, "%c", p->state);
	hms(v[TIME], p->time_ns);
	snprintf(v[RSS], 32, "%llu", (unsigned long long)p->rss_pages * 4);
	snprintf(v[COMM], 32, "%.15s", p->name);
	row(v);
}

static void print_kthread(const struct nh_kthread *k)
{
	char v[NCOLS][32];

	for (int c = 0; c < NCOLS; c++)
		snprintf(v[c], 32, "-");
	snprintf(v[PPID], 32, "0");
	snprintf(v[NLWP], 32, "1");
	snprintf(v[STATE], 32, "%c", k->state);
	hms(v[TIME], k->time_ns);
	snprintf(v[RSS], 32, "0");
	snprintf(v[COMM], 32, "[%.15s]", k->name);
	row(v);
}

static int list_procs(int all)
{
	static struct nh_ps buf[4096 / sizeof(struct nh_ps)];
	int32_t after = 0, sid = getsid(0);
	size_t len;

	for (;;) {
		len = sizeof(buf);
		if (proc_ps(NH_PROC_HANDLE, after, buf, &len)) {
			fprintf(stderr, "ps: the process server did not answer\n");
			return 1;
		}
		if (!len)
			return 0;
		for (size_t i = 0; i < len / sizeof(buf[0]); i++)
			if (all || buf[i].sid == sid)
				print_proc(&buf[i]);
		after = buf[len / sizeof(buf[0]) - 1].pid;
	}
}

static int list_kthreads(void)
{
	static struct nh_kthread buf[NH_KTHREADS_MAX];
	size_t len = sizeof(buf);
	long r = proc_kthreads(NH_PROC_HANDLE, buf, &len);

	if (r) {
		fprintf(stderr, "ps: no list of the kernel's threads (%ld)\n", r);
		return 1;
	}
	for (size_t i = 0; i < len / sizeof(buf[0]); i++)
		print_kthread(&buf[i]);
	return 0;
}

int main(int argc, char **argv)
{
	int all = 0, c;

	if (argc == 2 && !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	while ((c = getopt(argc, argv, "eAo:")) != -1) {
		if (c == 'e' || c == 'A')
			all = 1;
		else if (c != 'o' || parse_columns(optarg))
			return usage(stderr, 1);
	}
	if (optind < argc)
		return usage(stderr, 1);
	header();
	if (all && list_kthreads())
		return 1;
	return list_procs(all);
}
