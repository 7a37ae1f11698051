/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr selftests: helpers for tests that stop a child, checkpoint it from
 * outside, kill it and restart the image: stopping, waiting for the
 * restarted process (by its comm), and a result file the child writes.
 */
#ifndef CR_CHILD_H
#define CR_CHILD_H

#include <signal.h>
#include <time.h>

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

#endif /* CR_CHILD_H */
