/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr selftests and tools: system call wrappers and image helpers.
 */
#ifndef CR_TEST_H
#define CR_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/checkpoint.h>

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
	return syscall(__NR_restart, crid, fd, flags);
}

/* Bytes a record of payload length @len takes in the stream. */
static inline size_t cr_rec_size(size_t len)
{
	return sizeof(struct cr_hdr) + ((len + CR_ALIGN - 1) & ~(size_t)(CR_ALIGN - 1));
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

#endif /* CR_TEST_H */
