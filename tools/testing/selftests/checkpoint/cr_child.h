/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr selftests: helpers for tests that stop a child, checkpoint it from
 * outside, kill it and restart the image: stopping, waiting for the
 * restarted process (by its comm), and a result file the child writes.
 */
#ifndef CR_CHILD_H
#define CR_CHILD_H

#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <linux/capability.h>
#include <linux/sched.h>	/* struct clone_args */

#include "cr_test.h"

/*
 * Wait until @pid is in a group stop, after sending it SIGSTOP if @send
 * (0 when it stops itself): 0, or -1 if it exited or did not stop.
 */
static inline int cr_stop_wait(pid_t pid, int send)
{
	int status;

	if (send && kill(pid, SIGSTOP))
		return -1;
	if (waitpid(pid, &status, WUNTRACED) != pid)
		return -1;
	return WIFSTOPPED(status) ? 0 : -1;
}

/*
 * Checkpoint the stopped @pid to @img, then kill it with SIGKILL and reap
 * it: the crid, or -1 with errno of checkpoint(2) (the child is killed
 * either way).
 */
static inline long cr_checkpoint_kill(pid_t pid, int img)
{
	long ret = sys_checkpoint(pid, img, 0);
	int err = errno;

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	errno = err;
	return ret;
}

/* /proc/@pid/ns/@name (its namespace of that kind, "ipc:[N]") into @buf: 0, or -1. */
static inline int cr_ns_of(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	n = readlink(path, buf, len - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The comm of @pid into @buf (newline stripped): 0, or -1. */
static inline int cr_proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/*
 * Wait up to @ms milliseconds until @pid carries the comm @name (a
 * restarted process takes its comm back at the end of restart): 0, or -1
 * (gone, or still another name).
 */
static inline int cr_wait_comm(pid_t pid, const char *name, int ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	char comm[32];
	int i;

	for (i = 0; i < ms / 5; i++) {
		if (cr_proc_comm(pid, comm, sizeof(comm)))
			return -1;
		if (!strcmp(comm, name))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/*
 * Wait up to @ms milliseconds for @pid (a child) to be restarted - to
 * carry the comm @name - or to end: 0 restarted, 1 ended (its wait status
 * in *@status, reaped), -1 neither.
 */
static inline int cr_wait_restarted(pid_t pid, const char *name, int ms, int *status)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	char comm[32];
	int i;

	for (i = 0; i < ms / 5; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		if (!cr_proc_comm(pid, comm, sizeof(comm)) && !strcmp(comm, name))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Sleep @ms milliseconds. */
static inline void cr_msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * A child that checks many steps notes the line of the first that failed
 * in *@bad: true if @ok is false.  FAILED(cond) in a function with an
 * int *bad.
 */
static inline bool cr_failed(int *bad, bool ok, int line)
{
	if (!ok && !*bad)
		*bad = line;
	return !ok;
}

#define FAILED(cond)	cr_failed(bad, (cond), __LINE__)

/* Write @len bytes of @buf to the file @path (replaced); _exit(1) on error. */
static inline void cr_put_result(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		_exit(1);
	close(fd);
}

/* Read exactly @len bytes of the file @path into @buf: 0, or -1. */
static inline int cr_get_result(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * Process trees and threads (#14).  A test that checkpoints a tree makes
 * itself a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)): every task of
 * a killed tree ends as its child and is reaped there, so the saved pids
 * are free again before the restart.
 */

/* What /proc/PID/stat says of a process (or, by its tid, of a thread). */
struct cr_proc_ids {
	pid_t pid;
	pid_t ppid;
	pid_t pgid;
	pid_t sid;
	int threads;
	char state;
};

/* /proc/@pid/stat into @t: 0, or -1 (no such task). */
static inline int cr_proc_ids(pid_t pid, struct cr_proc_ids *t)
{
	char path[32], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold anything */
	if (!p || p[1] != ' ')
		return -1;
	t->pid = pid;
	if (sscanf(p + 2, "%c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %d",
		   &t->state, &t->ppid, &t->pgid, &t->sid, &t->threads) != 5)
		return -1;
	return 0;
}

/*
 * Every process of /proc into @t (at most @max): how many, or -1.  Kernel
 * threads (kthreadd and its children) are left out.
 */
static inline int cr_proc_all(struct cr_proc_ids *t, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < max) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || cr_proc_ids(pid, &t[n]))
			continue;
		if (pid == 2 || t[n].ppid == 2)
			continue;
		n++;
	}
	closedir(d);
	return n;
}

#define CR_PROC_MAX	4096

/*
 * The processes of the tree rooted at @root (@root first, then its
 * descendants, parents before children) into @t, at most @max: how many
 * (0 if @root is gone), or -1.
 */
static inline int cr_proc_tree(pid_t root, struct cr_proc_ids *t, int max)
{
	struct cr_proc_ids *all = malloc(CR_PROC_MAX * sizeof(*all));
	int nall, n = 0, i, j;

	if (!all)
		return -1;
	nall = cr_proc_all(all, CR_PROC_MAX);
	for (i = 0; i < nall && n < max; i++)
		if (all[i].pid == root)
			t[n++] = all[i];
	for (i = 0; i < n; i++)
		for (j = 0; j < nall && n < max; j++)
			if (all[j].ppid == t[i].pid && all[j].pid != root)
				t[n++] = all[j];
	free(all);
	return nall < 0 ? -1 : n;
}

/* The user tasks (threads included) that exist now, or -1. */
static inline int cr_user_tasks(void)
{
	struct cr_proc_ids *all = malloc(CR_PROC_MAX * sizeof(*all));
	int n, i, sum = 0;

	if (!all)
		return -1;
	n = cr_proc_all(all, CR_PROC_MAX);
	for (i = 0; i < n; i++)
		sum += all[i].threads;
	free(all);
	return n < 0 ? -1 : sum;
}

/* No task has pid (or tid) @pid, not even a zombie. */
static inline int cr_pid_free(pid_t pid)
{
	return kill(pid, 0) && errno == ESRCH;
}

/*
 * Wait up to @ms milliseconds until the @n pids of @pids are free,
 * reaping every child of the caller that ends meanwhile: 0, or the
 * number of pids still taken.
 */
static inline int cr_wait_gone(const pid_t *pids, int n, int ms)
{
	int i, left = n;

	for (; ms >= 0; ms -= 10) {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		for (i = 0, left = 0; i < n; i++)
			left += !cr_pid_free(pids[i]);
		if (!left)
			return 0;
		cr_msleep(10);
	}
	return left;
}

/*
 * Wait up to @ms milliseconds until each of the @n pids (or tids) of
 * @pids is a live task: 0, or the number still missing.
 */
static inline int cr_wait_exist(const pid_t *pids, int n, int ms)
{
	struct cr_proc_ids t;
	int i, left = n;

	for (; ms >= 0; ms -= 10) {
		for (i = 0, left = 0; i < n; i++)
			left += cr_proc_ids(pids[i], &t) || t.state == 'Z' || t.state == 'X';
		if (!left)
			return 0;
		cr_msleep(10);
	}
	return left;
}

/*
 * Wait up to @ms milliseconds until task @tid sleeps in the system call
 * @nr (/proc/TID/syscall; only asleep, if the caller may not read that):
 * 0, or -1.
 */
static inline int cr_wait_syscall(pid_t tid, long nr, int ms)
{
	char path[48], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", tid);
	for (; ms >= 0; ms -= 10) {
		fd = open(path, O_RDONLY);
		if (fd < 0 && errno == EACCES) {
			if (cr_proc_state(tid) == 'S')
				return 0;
			cr_msleep(10);
			continue;
		}
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (buf[0] >= '0' && buf[0] <= '9' && atol(buf) == nr &&
			    cr_proc_state(tid) == 'S')
				return 0;
		}
		cr_msleep(10);
	}
	return -1;
}

/*
 * fork(), with pid @pid in the child (clone3() with set_tid: needs
 * CAP_CHECKPOINT_RESTORE).  The child's C library still has the parent's
 * tid cached: it may make system calls, not pthread calls.
 */
static inline pid_t cr_fork_pid(pid_t pid)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (unsigned long)&pid,
		.set_tid_size = 1,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

/*
 * Restart the image in @fd (from offset 0) in place, with @flags, in a new
 * child with pid @pid (any pid if 0): the child's pid; it exits with 100 +
 * the errno of a restart() that returned.
 */
static inline pid_t cr_restart_as(pid_t pid, int fd, unsigned long flags)
{
	pid_t child;

	if (lseek(fd, 0, SEEK_SET))
		return -1;
	child = pid ? cr_fork_pid(pid) : fork();
	if (!child) {
		sys_restart(0, fd, flags);
		_exit(100 + errno);
	}
	return child;
}

/*
 * Wait up to @ms milliseconds for the child @pid: its exit code, 128 + the
 * signal that killed it, or -1 (ETIMEDOUT: then it is killed and reaped).
 */
static inline int cr_wait_ms(pid_t pid, int ms)
{
	int status;

	for (; ms >= 0; ms -= 10) {
		pid_t r = waitpid(pid, &status, WNOHANG | __WALL);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
		if (r < 0)
			return -1;
		cr_msleep(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, __WALL);
	errno = ETIMEDOUT;
	return -1;
}

/* Move @fd to @at (closing @fd): 0, or -1. */
static inline int cr_move_fd(int fd, int at)
{
	return dup2(fd, at) == at && close(fd) == 0 ? 0 : -1;
}

/*
 * Run @child in a new process: it stops itself, then checks what it holds
 * and exits.  Once it is stopped, checkpoint it to @img, kill it and
 * restart the image in another new process (@restart), or only let it go
 * on: the exit code of the process that checks, or -1 (errno of what
 * failed before).
 */
static inline int cr_stop_and_go(int img, bool restart, void (*child)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		child();	/* exits */
	if (cr_stop_wait(pid, 0))
		return -1;
	if (!restart)
		return kill(pid, SIGCONT) ? -1 : cr_wait(pid);
	if (cr_checkpoint_kill(pid, img) <= 0)
		return -1;
	return cr_restart_child(img);
}

/*
 * @pid, stopped (or stopping itself), is refused by checkpoint(2) into
 * @img with EOPNOTSUPP, then continued and waited for: 0 if it was
 * refused and then exited 0; 1 if it was saved, 2 another errno, 3 it
 * did not stop or end well.
 */
static inline int cr_refused(pid_t pid, int img)
{
	int ret = 0;

	if (cr_stop_wait(pid, 0))
		return 3;
	if (sys_checkpoint(pid, img, 0) != -1)
		ret = 1;
	else if (errno != EOPNOTSUPP)
		ret = 2;
	if (kill(pid, SIGCONT) || cr_wait(pid))
		ret = ret ?: 3;
	return ret;
}

/*
 * Kill every descendant of the caller and reap its children, for up to
 * 10 s: 0, or the number of processes left.
 */
static inline int cr_kill_descendants(void)
{
	struct cr_proc_ids t[256];
	pid_t pids[256];
	int n, i, round;

	for (round = 0; round < 1000; round++) {
		n = cr_proc_tree(getpid(), t, 256);
		for (i = 1; i < n; i++) {
			kill(t[i].pid, SIGKILL);
			pids[i - 1] = t[i].pid;
		}
		if (n <= 1)
			return 0;
		if (!cr_wait_gone(pids, n - 1, 10))
			return 0;
	}
	return n - 1;
}

/*
 * cr_stop_and_go() for a tree: run @root in a new process, which makes its
 * children and stops itself.  Once it is stopped, freeze, checkpoint and
 * kill the tree into @img, reap what is left of it and restart the tree as
 * the caller's child with its pids (@restart), or only let the root go on:
 * the root's exit code, or -1 (errno of what failed before).  The caller
 * is a child subreaper, so that the tree's orphans are its own to reap.
 */
static inline int cr_tree_stop_and_go(int img, bool restart, void (*root)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		root();	/* exits */
	if (cr_stop_wait(pid, 0))
		return -1;
	if (!restart)
		return kill(pid, SIGCONT) ? -1 : cr_wait(pid);
	if (sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL) <= 0 ||
	    cr_kill_descendants() || lseek(img, 0, SEEK_SET) ||
	    sys_restart(0, img, CR_RESTART_CHILD) != pid)
		return -1;
	return cr_wait(pid);
}

/* Write @val to sysctl file @path: 0, or -1 with errno. */
static inline int cr_sysctl_set(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

/* Drop capability @cap from the effective set: 0, or -1. */
static inline int cr_drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

/*
 * restart(2) of @img with @flags in a child, less capability @cap if it
 * is not -1: the errno it failed with, 0 if it did not fail, -1 if the
 * child did not exit.
 */
static inline int cr_restart_errno(int img, unsigned long flags, int cap)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if ((cap >= 0 && cr_drop_cap(cap)) || lseek(img, 0, SEEK_SET))
			_exit(255);
		_exit(sys_restart(0, img, flags) < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* CR_CHILD_H */
