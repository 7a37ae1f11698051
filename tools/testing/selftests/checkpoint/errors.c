// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: every argument error of checkpoint() and restart(), and
 * restart of broken images.  Each case expects its own documented errno.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

/* the head and the arch record, which every image starts with */
#define HEAD_SZ	(cr_rec_size(sizeof(struct cr_rec_head)) + cr_rec_size(sizeof(struct cr_rec_arch)))
#define TAIL_SZ	cr_rec_size(sizeof(struct cr_rec_tail))

static int tmpfile_rw(void)
{
	return open("/tmp", O_TMPFILE | O_RDWR, 0600);
}

/*
 * An image with a head, an arch record and a tail only: those of a real
 * checkpoint of the caller, then a tail that closes it.  Restart validates both and
 * refuses it (no task); each test breaks one thing in it.
 */
static char *make_image(size_t *len, long *crid)
{
	struct cr_hdr *th;
	struct cr_rec_tail *tail;
	int fd = tmpfile_rw();
	char *img = NULL, *full;
	size_t flen;

	if (fd < 0)
		return NULL;
	*crid = sys_checkpoint(0, fd, 0);
	if (*crid > 0 && lseek(fd, 0, SEEK_SET) == 0) {
		full = cr_read_all(fd, &flen);
		img = full ? calloc(1, HEAD_SZ + TAIL_SZ) : NULL;
		if (img && flen > HEAD_SZ) {
			memcpy(img, full, HEAD_SZ);
			th = (struct cr_hdr *)(img + HEAD_SZ);
			th->type = CR_REC_TAIL;
			th->len = sizeof(*tail);
			tail = (struct cr_rec_tail *)(th + 1);
			tail->magic = CR_TAIL_MAGIC;
			tail->records = 2;
			tail->offset = HEAD_SZ;
			*len = HEAD_SZ + TAIL_SZ;
			cr_image_reseal(img, *len);
		}
		free(full);
	}
	close(fd);
	return img;
}

/* restart() from a file holding @len bytes of @buf: 0 or the errno. */
static int restart_buf(const void *buf, size_t len, int crid)
{
	int fd = tmpfile_rw();
	long ret;

	if (fd < 0 || cr_write_all(fd, buf, len) || lseek(fd, 0, SEEK_SET))
		return -1;
	ret = sys_restart(crid, fd, 0);
	close(fd);
	return ret < 0 ? errno : 0;
}

static struct cr_rec_head *head_of(char *img)
{
	return (struct cr_rec_head *)(img + sizeof(struct cr_hdr));
}

static struct cr_rec_arch *arch_of(char *img)
{
	return (struct cr_rec_arch *)(img + cr_rec_size(sizeof(struct cr_rec_head)) +
				      sizeof(struct cr_hdr));
}

static struct cr_rec_tail *tail_of(char *img)
{
	return (struct cr_rec_tail *)(img + HEAD_SZ + sizeof(struct cr_hdr));
}

FIXTURE(image) {
	char *img;
	size_t len;
	long crid;
};

FIXTURE_SETUP(image)
{
	self->img = make_image(&self->len, &self->crid);
	ASSERT_NE(NULL, self->img);
	ASSERT_EQ(HEAD_SZ + TAIL_SZ, self->len);
}

FIXTURE_TEARDOWN(image)
{
	free(self->img);
}

/* --- checkpoint() arguments ---------------------------------------------- */

TEST(ckpt_unknown_flags)
{
	int fd = tmpfile_rw();

	ASSERT_GE(fd, 0);
	/* the lowest flag not defined */
	EXPECT_EQ(-1, sys_checkpoint(0, fd, (CR_CHECKPOINT_FLAGS + 1) & ~CR_CHECKPOINT_FLAGS));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_checkpoint(0, fd, 1UL << 63));
	EXPECT_EQ(EINVAL, errno);
	/* nothing was written */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_END));
	close(fd);
}

TEST(ckpt_bad_fd)
{
	EXPECT_EQ(-1, sys_checkpoint(0, -1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, sys_checkpoint(0, 1000000, 0));
	EXPECT_EQ(EBADF, errno);
}

TEST(ckpt_closed_fd)
{
	int fd = tmpfile_rw();

	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(-1, sys_checkpoint(0, fd, 0));
	EXPECT_EQ(EBADF, errno);
}

TEST(ckpt_read_only_fd)
{
	int fd = open("/proc/self/status", O_RDONLY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, sys_checkpoint(0, fd, 0));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

TEST(ckpt_pipe_read_end)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, sys_checkpoint(0, fds[0], 0));
	EXPECT_EQ(EBADF, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(ckpt_o_path_fd)
{
	int fd = open("/tmp", O_PATH);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, sys_checkpoint(0, fd, 0));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

/* /dev/null has both ->write and ->write_iter: no kernel writes. */
TEST(ckpt_dev_null)
{
	int fd = open("/dev/null", O_WRONLY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, sys_checkpoint(0, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(ckpt_missing_pid)
{
	int fd = tmpfile_rw(), status;
	pid_t pid;

	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(-1, sys_checkpoint(pid, fd, 0));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(-1, sys_checkpoint(-1, fd, 0));
	EXPECT_EQ(ESRCH, errno);
	close(fd);
}

/* A running target is refused: it must be stopped first. */
TEST(ckpt_running_target_busy)
{
	int fd = tmpfile_rw(), status;
	pid_t pid;

	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		for (;;)
			pause();
	}
	EXPECT_EQ(-1, sys_checkpoint(pid, fd, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_END));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fd);
}

/* --- restart() arguments ------------------------------------------------- */

TEST_F(image, rst_unknown_flags)
{
	int fd = tmpfile_rw();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, cr_write_all(fd, self->img, self->len));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(-1, sys_restart(0, fd, CR_RESTART_FLAGS + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_restart(0, fd, 1UL << 63));
	EXPECT_EQ(EINVAL, errno);
	/* arguments it cannot read */
	EXPECT_EQ(-1, syscall(__NR_restart, 0, fd, CR_RESTART_ARGS, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* nothing was read */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_CUR));
	close(fd);
}

TEST(rst_negative_crid)
{
	int fd = tmpfile_rw();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, sys_restart(-1, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(rst_bad_fd)
{
	EXPECT_EQ(-1, sys_restart(0, -1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, sys_restart(0, 1000000, 0));
	EXPECT_EQ(EBADF, errno);
}

TEST(rst_write_only_fd)
{
	int fd = open("/tmp/cr-wronly", O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, sys_restart(0, fd, 0));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	unlink("/tmp/cr-wronly");
}

TEST(rst_pipe_write_end)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-1, sys_restart(0, fds[1], 0));
	EXPECT_EQ(EBADF, errno);
	close(fds[0]);
	close(fds[1]);
}

/* /dev/zero has both ->read and ->read_iter: no kernel reads. */
TEST(rst_dev_zero)
{
	int fd = open("/dev/zero", O_RDONLY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, sys_restart(0, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* --- restart() of broken images ----------------------------------------- */

TEST(rst_empty)
{
	EXPECT_EQ(ENODATA, restart_buf("", 0, 0));
}

TEST(rst_empty_pipe)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	close(fds[1]);
	EXPECT_EQ(-1, sys_restart(0, fds[0], 0));
	EXPECT_EQ(ENODATA, errno);
	close(fds[0]);
}

TEST_F(image, rst_truncated_head)
{
	EXPECT_EQ(EBADMSG, restart_buf(self->img, 4, 0));
	EXPECT_EQ(EBADMSG, restart_buf(self->img, sizeof(struct cr_hdr) + 20, 0));
	EXPECT_EQ(EBADMSG, restart_buf(self->img, HEAD_SZ - 1, 0));
}

/* Every cut: at a record boundary the tail is missing, else truncated. */
TEST_F(image, rst_truncated_everywhere)
{
	size_t cut;

	for (cut = 0; cut < self->len; cut++) {
		int want = (cut == 0 || cut == HEAD_SZ) ? ENODATA : EBADMSG;

		ASSERT_EQ(want, restart_buf(self->img, cut, 0))
			TH_LOG("cut at %zu", cut);
	}
}

TEST_F(image, rst_missing_tail)
{
	EXPECT_EQ(ENODATA, restart_buf(self->img, HEAD_SZ, 0));
}

TEST_F(image, rst_bad_magic)
{
	head_of(self->img)->magic ^= 1;
	EXPECT_EQ(ENOEXEC, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_not_a_head)
{
	((struct cr_hdr *)self->img)->type = CR_REC_TAIL;
	EXPECT_EQ(ENOEXEC, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_wrong_version)
{
	head_of(self->img)->version = CR_FORMAT_VERSION + 1;
	EXPECT_EQ(EPROTONOSUPPORT, restart_buf(self->img, self->len, 0));
	head_of(self->img)->version = 0;
	EXPECT_EQ(EPROTONOSUPPORT, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_wrong_arch)
{
	head_of(self->img)->arch = 2;
	EXPECT_EQ(ENOEXEC, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_wrong_page_size)
{
	head_of(self->img)->page_size = 65536;
	EXPECT_EQ(ENOEXEC, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_xfeatures_missing)
{
	/* a component this CPU lacks, at a place that would be valid */
	arch_of(self->img)->xfeatures |= 1ULL << 62;
	arch_of(self->img)->comp[62].offset = 576;
	arch_of(self->img)->comp[62].size = 8;
	EXPECT_EQ(ENOEXEC, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_unknown_image_flags)
{
	head_of(self->img)->flags = 0x80;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_head_length)
{
	((struct cr_hdr *)self->img)->len -= 8;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_crid_mismatch)
{
	EXPECT_EQ(ESTALE, restart_buf(self->img, self->len, self->crid + 1));
}

TEST_F(image, rst_bad_tail_magic)
{
	tail_of(self->img)->magic ^= 1;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_bad_tail_count)
{
	tail_of(self->img)->records = 3;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_bad_tail_offset)
{
	tail_of(self->img)->offset += 8;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_unknown_record)
{
	struct cr_hdr *hdr = (struct cr_hdr *)(self->img + HEAD_SZ);

	hdr->type = CR_REC_MAX;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
	hdr->type = 0;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_huge_record)
{
	struct cr_hdr *hdr = (struct cr_hdr *)(self->img + HEAD_SZ);

	hdr->len = 0xffffffff;
	EXPECT_EQ(EBADMSG, restart_buf(self->img, self->len, 0));
}

TEST_F(image, rst_nonzero_padding)
{
	struct cr_hdr *hdr = (struct cr_hdr *)(self->img + HEAD_SZ);
	char *img2 = malloc(self->len + 16);

	ASSERT_NE(NULL, img2);
	/* insert a pad record with 3 payload bytes: 5 bytes of padding */
	memcpy(img2, self->img, HEAD_SZ);
	((struct cr_hdr *)(img2 + HEAD_SZ))->type = CR_REC_PAD;
	((struct cr_hdr *)(img2 + HEAD_SZ))->len = 3;
	memset(img2 + HEAD_SZ + 8, 0, 8);
	memcpy(img2 + HEAD_SZ + 16, hdr, TAIL_SZ);
	((struct cr_rec_tail *)(img2 + HEAD_SZ + 24))->records = 3;
	((struct cr_rec_tail *)(img2 + HEAD_SZ + 24))->offset = HEAD_SZ + 16;
	ASSERT_EQ(0, cr_image_reseal(img2, self->len + 16));
	/* well-formed: the image is valid but holds no task */
	EXPECT_EQ(EOPNOTSUPP, restart_buf(img2, self->len + 16, 0));
	img2[HEAD_SZ + 8 + 5] = 1;
	EXPECT_EQ(EBADMSG, restart_buf(img2, self->len + 16, 0));
	img2[HEAD_SZ + 8 + 5] = 0;
	img2[HEAD_SZ + 8 + 1] = 1;
	EXPECT_EQ(EBADMSG, restart_buf(img2, self->len + 16, 0));
	free(img2);
}

TEST(rst_garbage)
{
	char buf[4096];
	unsigned int seed = 12345;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rand_r(&seed);
	EXPECT_EQ(ENOEXEC, restart_buf(buf, sizeof(buf), 0));
}

/* A valid image with no task records: refused, not pretended. */
TEST_F(image, rst_valid_without_task)
{
	EXPECT_EQ(EOPNOTSUPP, restart_buf(self->img, self->len, 0));
	EXPECT_EQ(EOPNOTSUPP, restart_buf(self->img, self->len, self->crid));
}

/* The same through a pipe: restart reads streams in order. */
TEST_F(image, rst_from_pipe)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, cr_write_all(fds[1], self->img, self->len));
	close(fds[1]);
	EXPECT_EQ(-1, sys_restart(0, fds[0], 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fds[0]);
}

TEST_HARNESS_MAIN
