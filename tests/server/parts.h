/*
 * What the test server's catalogue parts (the other tests/server files) share with
 * server.c: the EXPECT check, the child stack and the fork-like start of a
 * task in a copy-on-write clone of the server's space, and the parts'
 * test functions for the catalogue.
 */
#ifndef TESTS_SERVER_PARTS_H
#define TESTS_SERVER_PARTS_H

#include <stdint.h>

/* Prints "# expected: what" when !ok; returns ok. */
int expect(int ok, const char *what);
#define EXPECT(c) (ok &= expect((c), #c))

/* Until task @t is in @state (NH_TASK_*: a blocked call, receive or wait
 * is SLEEPING); 0 if it never got there in about two seconds. */
int wait_state(long t, uint32_t state);

/* The stack fork_like's children run on (each clone has its own copy). */
extern char child_stack[8192];

long tp_now(void);

/* A task in a fresh clone of our space, running @fn(@a0). */
long fork_like(void (*fn)(long), long a0, uint32_t flags);

/* echo.c: the echo server (servers/proto/echo.tbl), a child's body
 * taking its endpoint; echo_child answers labels outside the table with
 * the raw echo, echo_strict_child with -NH_ENOSYS and refuses a sender
 * with badge ECHO_BAD_BADGE. */
#define ECHO_BAD_BADGE	666
void echo_child(long ep);
void echo_strict_child(long ep);
uint8_t echo_pat(uint64_t i, uint64_t label);	/* the byte at @i of a buffer sent with @label */

int ipc_reply_regs_show_the_blocked_caller(void);
int ipc_exit_events_overtake_queued_callers(void);

/* process.c */
int proc_fork_wait_and_exit_status(void);
int proc_wait_nohang_options_and_echild(void);
int proc_exec_runs_a_program_in_the_child(void);
int proc_exec_errors_leave_the_caller_as_it_was(void);
int proc_exec_refuses_a_corpus_of_corrupt_elfs(void);
int proc_faults_end_the_child_with_a_signal(void);
int proc_orphans_go_to_init_which_reaps_them(void);
int proc_thousand_forks_get_unique_pids(void);
int proc_hundred_children_exit_at_once(void);
int proc_waitpid_by_process_group(void);
int proc_sessions_and_groups_follow_posix(void);
int proc_server_refuses_garbage(void);
int proc_vfork_holds_the_parent_until_exec_or_exit(void);
int proc_ordinary_processes_lack_server_powers(void);
int proc_waitid_reports_siginfo_and_wnowait_keeps_the_zombie(void);
int proc_pids_wrap_at_pid_max_and_run_out(void);
int proc_exec_runs_scripts_through_their_interpreter(void);
int proc_an_interrupted_wait_reaps_nothing(void);
int proc_kill_ends_processes_with_the_signal(void);

int thread_pthreads_share_memory_with_their_own_tids(void);
int thread_clone_tid_words_and_bad_flags(void);
int thread_clone_makes_processes_too(void);
int thread_exit_fault_and_exec_end_every_thread(void);
int thread_the_leader_may_end_first(void);
int thread_forks_race_the_end_of_their_process(void);

int posix_clocks_and_sleeps(void);
int posix_times_and_rusage_count_children(void);
int posix_sysconf_and_uname(void);

int posix_differential_programs(void);

/* files.c: the file server */
int fs_files_of_the_initramfs(void);
int fs_descriptor_tables_across_fork_and_exec(void);
int fs_pipes_end_of_file_epipe_and_killed_callers(void);
int fs_ten_mib_through_a_three_stage_pipeline(void);
int fs_devices_and_the_working_directory(void);
int fs_file_server_refuses_garbage(void);
int fs_tmp_files_directories_and_their_pages(void);
int fs_exec_through_the_file_server(void);
int fs_large_reads_come_from_a_mapping(void);
int fs_pipe_ring_header_garbage(void);
/* ... and their leak check, for procfs.c: the file server's counts. */
struct fs_counts {
	uint32_t clients, tables, files, pipes, waits;
};
struct fs_counts fs_now(void);
int fs_back(const struct fs_counts *before);

/* procfs.c: /proc, the file server's with the process server's facts. */
int procfs_files_in_linux_formats(void);
int procfs_many_processes_threads_and_garbage(void);

/* console.c: the console server and the kernel's handover. */
int con_terminal_attributes_and_requests(void);
int con_reads_that_must_not_wait(void);
int con_garbage_and_the_kernels_handover(void);

/* commands.c: the programs in /bin. */
int cmd_every_program_helps_and_refuses_bad_options(void);
int cmd_ps_lists_processes_and_kernel_threads(void);

/* spawn.c: a program as a bare task (no pid), a thread in our memory:
 * a task handle with READ, CONTROL and GRANT, or -NH_E* (ENOENT, ENOEXEC, E2BIG,
 * ENOMEM, ENOSPC; EINVAL for a bad entry or stack). */
/* Map the initramfs archive the bare programs are read from, for good
 * (libserver's archive.h); 0 or -NH_E*. */
long ts_archive_open(void);
long ts_spawn(const char *path, const char *const argv[], const char *const envp[]);
long ts_thread(void (*entry)(long), void *sp, long arg);

/* process.c's helpers, for thread.c: the process server's table (for
 * leak checks), a forked child running fn(arg) to _exit, a status check. */
struct proc_table {
	uint32_t procs, zombies, pids, waiters;
};
struct proc_table proc_table_now(void);
int proc_table_back(const struct proc_table *before);
int proc_spawn_child(int (*fn)(long), long arg);
int proc_exited_with(int status, int code);

/* proto.c */
int proto_stubs_typed_round_trips(void);
int proto_stub_reply_with_a_handle(void);
int libserver_deferred_reply_answered_later(void);
int libserver_refuses_garbage_and_keeps_serving(void);
int proto_regs_stub_refuses_bad_replies(void);

/* ipc.c */
int ipc_round_trips_at_size_limits(void);
int ipc_badges_cannot_be_forged(void);
int ipc_grants_reduce_rights(void);
int ipc_deferred_replies_out_of_order(void);
int ipc_server_death_and_last_receiver(void);
int ipc_storm_of_callers(void);
int ipc_fault_events_resume_regs_kill(void);
int ipc_exit_events_carry_the_record(void);
int ipc_abort_and_restart(void);
int ipc_garbage_refused(void);
int ipc_new_registers_abandon_a_waiting_call(void);
int ipc_fast_path_keeps_registers(void);
int ipc_blocked_tasks_move_harts(void);
int ipc_waiting_receiver_takes_its_new_space(void);
int ipc_queued_call_answered_fast(void);
int ipc_fast_path_with_bound_notification(void);
int ipc_chaos(void);

#endif
