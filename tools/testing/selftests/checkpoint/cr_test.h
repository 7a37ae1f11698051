/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr selftests and tools: system call wrappers and helpers; images are read
 * with cr_image.h.
 */
#ifndef CR_TEST_H
#define CR_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/checkpoint.h>

#include "cr_image.h"

#ifndef __NR_checkpoint
#define __NR_checkpoint CR_NR_CHECKPOINT_X86_64
#endif
#ifndef __NR_restart
#define __NR_restart CR_NR_RESTART_X86_64
#endif

static inline long sys_checkpoint(pid_t pid, int fd, unsigned long flags)
{
	return syscall(__NR_checkpoint, pid, fd, flags);
}

static inline long sys_restart(int crid, int fd, unsigned long flags)
{
	return syscall(__NR_restart, crid, fd, flags, 0);
}

/*
 * restart(2) with any @flags; @args is read with CR_RESTART_ARGS.  With
 * CR_RESTART_CHILD it returns the pid of the tree's root, a new child.
 */
static inline long sys_restart_args(int crid, int fd, unsigned long flags,
				    const struct cr_restart_args *args)
{
	return syscall(__NR_restart, crid, fd, flags, args);
}

/* restart(2) with CR_RESTART_ARGS: hand in @nr files for keys. */
static inline long sys_restart_inherit(int crid, int fd, const struct cr_inherit *in,
				       unsigned int nr)
{
	struct cr_restart_args args = {
		.nr_inherit = nr,
		.inherit = (unsigned long)in,
	};

	return syscall(__NR_restart, crid, fd, CR_RESTART_ARGS, &args);
}

/* Write all of @buf to @fd; 0 or -1 with errno. */
static inline int cr_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read @fd to its end into a malloc'ed buffer; NULL on error. */
static inline void *cr_read_all(int fd, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t n;

		if (len == cap) {
			char *nbuf = realloc(buf, cap * 2);

			if (!nbuf)
				break;
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			*lenp = len;
			return buf;
		}
		len += n;
	}
	free(buf);
	return NULL;
}

/* The file at @path, whole, in a malloc'ed buffer; NULL on error. */
static inline char *cr_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = cr_read_all(fd, len);
	close(fd);
	return buf;
}

/* CLOCK_MONOTONIC in milliseconds. */
static inline long cr_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* An unnamed temporary file, read-write. */
static inline int cr_tmpfile(void)
{
	return open("/tmp", O_TMPFILE | O_RDWR, 0600);
}

/*
 * The state letter of @pid in /proc/PID/stat ('R', 'S', 'T', ...), or 0
 * if it cannot be read.
 */
static inline char cr_proc_state(pid_t pid)
{
	char path[32], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold anything */
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Wait up to 10 s until @pid is in state @state: 0, or -1 with errno
 * ESRCH (gone) or ETIMEDOUT.
 */
static inline int cr_wait_state(pid_t pid, char state)
{
	int i;

	for (i = 0; i < 1000; i++) {
		char now = cr_proc_state(pid);

		if (now == state)
			return 0;
		if (!now) {
			errno = ESRCH;
			return -1;
		}
		usleep(10000);
	}
	errno = ETIMEDOUT;
	return -1;
}

/*
 * Exit codes of test children: the original process after a successful
 * self checkpoint, and the restarted one after checking its state.
 */
#define CR_ORIG_OK	10
#define CR_RESTART_OK	20
#define CR_RESTART_BAD	21
#define CR_CKPT_FAILED	30

/*
 * Checkpoint the caller to @img: 1 in the original (which goes on), 0 in
 * the restarted process; exits with CR_CKPT_FAILED if checkpoint fails.
 */
static inline int cr_self_checkpoint(int img)
{
	long r = sys_checkpoint(0, img, 0);

	if (r < 0)
		_exit(CR_CKPT_FAILED);
	return r > 0;
}

/*
 * A restarter's status in words: 100 + errno if restart(2) returned, 128 +
 * a signal (cr_wait()), else the restarted process's exit code.
 */
static inline const char *cr_status(int st)
{
	static char buf[32];

	if (st > 100 && st < 128)
		snprintf(buf, sizeof(buf), "errno %d", st - 100);
	else if (st >= 128)
		snprintf(buf, sizeof(buf), "signal %d", st - 128);
	else
		snprintf(buf, sizeof(buf), "exit %d", st);
	return buf;
}

/* Wait for @pid: its exit code, or 128 + the signal that killed it. */
static inline int cr_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/*
 * Restart the image in @fd (from offset 0) in a new child and wait for
 * it: the restarted process's exit code, 128 + a signal, or 100 + the
 * errno of a restart() that returned.
 */
static inline int cr_restart_child(int fd)
{
	pid_t pid;

	if (lseek(fd, 0, SEEK_SET))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		sys_restart(0, fd, 0);
		_exit(100 + errno);
	}
	return cr_wait(pid);
}

#endif /* CR_TEST_H */
