// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: the checksums of an image (#16).  One bit flipped where
 * every other check of restart lets it through - a byte of the command
 * name, a byte of the process's memory - must not restart a process: the
 * sum record catches a change before the pages while the caller is still
 * intact (EBADMSG), the tail one in the pages past the point of no return
 * (the caller is killed).  The same change with the checksums made again
 * restarts, and the process sees it: without the checksum it would have
 * gone by unnoticed.  The user-space reader finds both changes too.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define PAGE	4096UL
#define NPAGES	16
#define COMM	"cr-sum-test"

static unsigned long pattern(unsigned long i)
{
	return i * 0x9e3779b97f4a7c15UL + 3;
}

/* Exit codes of the restarted process beyond cr_test.h's. */
#define COMM_CHANGED	22

FIXTURE(sum) {
	unsigned long *mem;	/* mapped before the fork: the same address in the child */
	char *img;
	size_t len;
};

FIXTURE_SETUP(sum)
{
	int fd = cr_tmpfile();
	unsigned long i;
	pid_t pid;

	ASSERT_GE(fd, 0);
	self->mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char comm[16] = "";

		for (i = 0; i < NPAGES * PAGE / sizeof(long); i++)
			self->mem[i] = pattern(i);
		if (prctl(PR_SET_NAME, COMM))
			_exit(1);
		if (cr_self_checkpoint(fd)) {
			memset(self->mem, 0, NPAGES * PAGE);
			_exit(CR_ORIG_OK);
		}
		for (i = 0; i < NPAGES * PAGE / sizeof(long); i++)
			if (self->mem[i] != pattern(i))
				_exit(CR_RESTART_BAD);
		if (prctl(PR_GET_NAME, comm))
			_exit(1);
		_exit(strcmp(comm, COMM) ? COMM_CHANGED : CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	self->img = cr_read_all(fd, &self->len);
	ASSERT_NE(NULL, self->img);
	close(fd);
}

FIXTURE_TEARDOWN(sum)
{
	free(self->img);
	munmap(self->mem, NPAGES * PAGE);
}

/* The offset of the first record of @type, or 0. */
static size_t find_rec(const char *img, size_t len, unsigned int type)
{
	size_t off = 0;
	struct cr_hdr h;

	while (off + sizeof(h) <= len) {
		memcpy(&h, img + off, sizeof(h));
		if (h.type == type)
			return off;
		off += cr_rec_size(h.len);
	}
	return 0;
}

/* The image offset of the byte the process had at @addr, or 0. */
static size_t find_page_byte(const char *img, size_t len, unsigned long addr)
{
	size_t off = 0, data;
	struct cr_rec_pages r;
	struct cr_hdr h;
	__u64 a;
	__u32 i;

	while (off + sizeof(h) <= len) {
		memcpy(&h, img + off, sizeof(h));
		if (h.type == CR_REC_TAIL)
			break;
		if (h.type == CR_REC_PAGES) {
			memcpy(&r, img + off + sizeof(h), sizeof(r));
			/* the page data record follows, after a pad record or not */
			data = off + cr_rec_size(h.len);
			data = find_rec(img + data, len - data, CR_REC_PAGE_DATA) + data;
			for (i = 0; !(r.flags & CR_PAGES_F_PARENT) && i < r.nr; i++) {
				memcpy(&a, img + off + sizeof(h) + sizeof(r) + i * 8, 8);
				if (a == (addr & ~(PAGE - 1)))
					return data + sizeof(h) + i * PAGE + addr % PAGE;
			}
		}
		off += cr_rec_size(h.len);
	}
	return 0;
}

/* Restart @len bytes of @img in a child: see cr_restart_child(). */
static int restart_img(const char *img, size_t len)
{
	int fd = cr_tmpfile(), r;

	if (fd < 0 || cr_write_all(fd, img, len))
		return -1;
	r = cr_restart_child(fd);
	close(fd);
	return r;
}

/* What the user-space reader says of @img: NULL for a valid image. */
static const char *reader_says(const char *img, size_t len)
{
	static struct cr_image im;

	return cr_image_walk(&im, img, len, NULL, NULL) < 0 ? im.why : NULL;
}

TEST_F(sum, unchanged)
{
	EXPECT_EQ(NULL, reader_says(self->img, self->len));
	EXPECT_EQ(CR_RESTART_OK, restart_img(self->img, self->len));
}

/* A byte of the task record's name: every check but the checksum lets it by. */
TEST_F(sum, metadata_bit_flipped)
{
	size_t task = find_rec(self->img, self->len, CR_REC_TASK);
	const char *why;

	ASSERT_NE(0, task);
	ASSERT_EQ(0, memcmp(self->img + task + sizeof(struct cr_hdr), COMM, strlen(COMM)));
	self->img[task + sizeof(struct cr_hdr) + 3] ^= 0x01;	/* "cr-rum-test" */
	why = reader_says(self->img, self->len);
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "sum record: checksum mismatch")) TH_LOG("%s", why);
	/* refused before the point of no return: the caller goes on */
	EXPECT_EQ(100 + EBADMSG, restart_img(self->img, self->len));
	/* the same change, sealed again, restarts: it would have gone unseen */
	ASSERT_EQ(0, cr_image_reseal(self->img, self->len));
	EXPECT_EQ(NULL, reader_says(self->img, self->len));
	EXPECT_EQ(COMM_CHANGED, restart_img(self->img, self->len));
}

/* A byte of the memory: found at the tail, the caller killed. */
TEST_F(sum, page_bit_flipped)
{
	unsigned long addr = (unsigned long)self->mem + 5 * PAGE + 123;
	size_t at = find_page_byte(self->img, self->len, addr);
	const char *why;

	ASSERT_NE(0, at);
	self->img[at] ^= 0x10;
	why = reader_says(self->img, self->len);
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "tail record: checksum mismatch")) TH_LOG("%s", why);
	EXPECT_EQ(128 + SIGKILL, restart_img(self->img, self->len));
	ASSERT_EQ(0, cr_image_reseal(self->img, self->len));
	EXPECT_EQ(CR_RESTART_BAD, restart_img(self->img, self->len));
}

/* The checksums themselves changed: the sum record's, then the tail's. */
TEST_F(sum, sums_changed)
{
	size_t s = find_rec(self->img, self->len, CR_REC_SUM);
	size_t t = find_rec(self->img, self->len, CR_REC_TAIL);
	const size_t hdr = sizeof(struct cr_hdr);

	ASSERT_NE(0, s);
	ASSERT_NE(0, t);
	self->img[s + hdr + offsetof(struct cr_rec_sum, sum)] ^= 0x80;
	EXPECT_EQ(100 + EBADMSG, restart_img(self->img, self->len));
	self->img[s + hdr + offsetof(struct cr_rec_sum, sum)] ^= 0x80;
	self->img[t + hdr + offsetof(struct cr_rec_tail, sum) + 7] ^= 0x01;
	EXPECT_EQ(128 + SIGKILL, restart_img(self->img, self->len));
	/* and no sum record at all: the page stream is not where it may start */
	memcpy(self->img + s, &(struct cr_hdr){ CR_REC_PAD, sizeof(struct cr_rec_sum) }, hdr);
	memset(self->img + s + hdr, 0, sizeof(struct cr_rec_sum));
	ASSERT_EQ(0, cr_image_reseal(self->img, self->len));
	EXPECT_EQ(100 + EBADMSG, restart_img(self->img, self->len));
}

TEST_HARNESS_MAIN
