// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: the image stream.  checkpoint() writes a head and a tail to
 * a regular file, a pipe and a socket; the test parses them back through
 * the uapi header and checks every field.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

static void check_records(struct __test_metadata *_metadata, const char *img, size_t len);

/* Check an image of the caller made by checkpoint(). */
static void check_image(struct __test_metadata *_metadata,
			const char *img, size_t len, long crid)
{
	const size_t head_sz = cr_rec_size(sizeof(struct cr_rec_head));
	const struct cr_hdr *hdr = (const void *)img;
	const struct cr_rec_head *head = (const void *)(hdr + 1);
	const struct cr_hdr *ahdr = (const void *)(img + head_sz);
	const struct cr_rec_arch *arch = (const void *)(ahdr + 1);
	struct utsname u;

	ASSERT_GE(len, head_sz + cr_rec_size(sizeof(struct cr_rec_tail)));
	EXPECT_EQ(CR_REC_HEAD, hdr->type);
	ASSERT_EQ(sizeof(*head), hdr->len);
	EXPECT_EQ(CR_HEAD_MAGIC, head->magic);
	EXPECT_EQ(CR_FORMAT_VERSION, head->version);
	EXPECT_EQ(CR_ARCH_X86_64, head->arch);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), head->page_size);
	EXPECT_EQ(0, head->flags);
	EXPECT_EQ(crid, head->crid);
	EXPECT_LE(head->time, time(NULL));
	EXPECT_GE(head->time + 60, time(NULL));
	/* the arch record: FP, SSE and the XSAVE header at least, 512 + 64 bytes */
	ASSERT_GE(len, head_sz + cr_rec_size(sizeof(*arch)));
	EXPECT_EQ(CR_REC_ARCH, ahdr->type);
	ASSERT_EQ(sizeof(*arch), ahdr->len);
	EXPECT_GE(arch->xstate_size, 576);
	EXPECT_EQ(3, arch->xfeatures & 3);
	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, head->release);
	check_records(_metadata, img, len);
}

/*
 * The head, the arch record, every section of cr_section_info() in its
 * order, pages, the tail; every record valid, as the image reader checks
 * them.
 */
static void check_records(struct __test_metadata *_metadata, const char *img, size_t len)
{
	struct cr_rec_tail tail = {};
	__u64 off = 0, end = 0;
	__u32 last = 0, type;
	struct cr_image im;
	long n = 0, data = 0;
	int ret, sec = -1, sections = 0, s;

	cr_image_open_mem(&im, img, len, CR_IMAGE_CHECK);
	while ((ret = cr_image_next(&im)) == CR_IMAGE_REC) {
		type = im.rec.hdr.type;
		if (n < 2) {
			EXPECT_EQ(n ? CR_REC_ARCH : CR_REC_HEAD, type) TH_LOG("record %ld", n);
		}
		for (s = 0; s < CR_SEC_MAX; s++)
			if (cr_section_info(s)->records & CR_REC_BIT(type))
				break;
		if (s < CR_SEC_MAX) {
			EXPECT_GE(s, sec) TH_LOG("%s record %ld", cr_rec_name(type), n);
			sections += s != sec;
			sec = s;
		}
		if (type == CR_REC_PAGE_DATA) {
			/* page contents start page aligned in the stream */
			EXPECT_EQ(0, (im.rec.off + sizeof(struct cr_hdr)) % sysconf(_SC_PAGESIZE));
			EXPECT_EQ(CR_REC_PAGES, last);
			data += im.rec.hdr.len;
		}
		if (type == CR_REC_TAIL) {
			memcpy(&tail, im.rec.payload, sizeof(tail));
			off = im.rec.off;
			end = im.off;
			continue;
		}
		if (type != CR_REC_PAD)
			last = type;
		n++;
	}
	cr_image_close(&im);
	ASSERT_EQ(CR_IMAGE_END, ret) TH_LOG("offset %llu: %s", (unsigned long long)im.why_off,
					    im.why);
	/* every section but two empty ones: the child has no POSIX timer, no SEM_UNDO */
	EXPECT_EQ(CR_SEC_MAX - 2, sections);
	EXPECT_EQ(CR_TAIL_MAGIC, tail.magic);
	EXPECT_EQ(n, tail.records);
	EXPECT_EQ(off, tail.offset);
	EXPECT_EQ(end, len);
	/* the stack and data pages at least */
	EXPECT_GE(data, 2 * sysconf(_SC_PAGESIZE));
}

TEST(to_regular_file)
{
	char path[] = "/tmp/cr-stream-XXXXXX";
	size_t len;
	char *img;
	long crid;
	off_t end;
	int fd;

	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	unlink(path);
	crid = sys_checkpoint(0, fd, 0);
	ASSERT_GT(crid, 0) TH_LOG("checkpoint: %s", strerror(errno));
	/* the file position moved past the image, as after write(2) */
	end = lseek(fd, 0, SEEK_CUR);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	img = cr_read_all(fd, &len);
	ASSERT_NE(NULL, img);
	EXPECT_EQ(end, len);
	check_image(_metadata, img, len, crid);
	free(img);
	close(fd);
}

/* The image starts at the current offset and does not truncate the file. */
TEST(to_regular_file_at_offset)
{
	char path[] = "/tmp/cr-stream-XXXXXX";
	static const char pre[] = "0123456789abcdef";
	size_t len;
	char *img;
	long crid;
	int fd;

	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	unlink(path);
	ASSERT_EQ(0, cr_write_all(fd, pre, sizeof(pre)));
	crid = sys_checkpoint(0, fd, 0);
	ASSERT_GT(crid, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	img = cr_read_all(fd, &len);
	ASSERT_NE(NULL, img);
	ASSERT_GT(len, sizeof(pre));
	EXPECT_EQ(0, memcmp(img, pre, sizeof(pre)));
	check_image(_metadata, img + sizeof(pre), len - sizeof(pre), crid);
	free(img);
	close(fd);
}

/*
 * Checkpoint into the write end of @fds while a child drains the read end
 * into a file; returns the image.  The test process holds no other fd
 * than the image's: open files are not saved yet, so others are refused.
 */
static char *checkpoint_via(struct __test_metadata *_metadata, int fds[2],
			    long *crid, size_t *len)
{
	char path[64];
	char *img = NULL;
	int out, status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		char buf[4096];
		ssize_t n;

		snprintf(path, sizeof(path), "/tmp/cr-drain-%d", getpid());
		out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		close(fds[1]);
		while ((n = read(fds[0], buf, sizeof(buf))) > 0)
			if (cr_write_all(out, buf, n))
				_exit(2);
		_exit(n < 0);
	}
	close(fds[0]);
	*crid = sys_checkpoint(0, fds[1], 0);
	close(fds[1]);
	waitpid(pid, &status, 0);
	if (*crid <= 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return NULL;
	snprintf(path, sizeof(path), "/tmp/cr-drain-%d", pid);
	out = open(path, O_RDONLY);
	if (out >= 0) {
		img = cr_read_all(out, len);
		close(out);
	}
	unlink(path);
	return img;
}

TEST(to_pipe)
{
	int fds[2];
	size_t len;
	char *img;
	long crid;

	ASSERT_EQ(0, pipe(fds));
	img = checkpoint_via(_metadata, fds, &crid, &len);
	ASSERT_NE(NULL, img) TH_LOG("crid %ld: %s", crid, strerror(errno));
	check_image(_metadata, img, len, crid);
	free(img);
}

/* A pipe one page big: the writer must loop over short writes. */
TEST(to_small_pipe)
{
	int fds[2];
	size_t len;
	char *img;
	long crid;

	ASSERT_EQ(0, pipe(fds));
	ASSERT_GT(fcntl(fds[1], F_SETPIPE_SZ, 4096), 0);
	img = checkpoint_via(_metadata, fds, &crid, &len);
	ASSERT_NE(NULL, img);
	check_image(_metadata, img, len, crid);
	free(img);
}

TEST(to_socketpair)
{
	int fds[2];
	size_t len;
	char *img;
	long crid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, fds));
	img = checkpoint_via(_metadata, fds, &crid, &len);
	ASSERT_NE(NULL, img);
	check_image(_metadata, img, len, crid);
	free(img);
}

TEST(own_pid)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);

	ASSERT_GE(fd, 0);
	EXPECT_GT(sys_checkpoint(getpid(), fd, 0), 0);
	close(fd);
}

TEST(crid_increases)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	long a, b, c;

	ASSERT_GE(fd, 0);
	a = sys_checkpoint(0, fd, 0);
	b = sys_checkpoint(0, fd, 0);
	c = sys_checkpoint(getpid(), fd, 0);
	EXPECT_GT(a, 0);
	EXPECT_GT(b, a);
	EXPECT_GT(c, b);
	close(fd);
}

struct kscan {
	long words;
	long hits;
	unsigned long first;
};

/* Every 64-bit word of every record that may hold an address. */
static void scan_kernel_addresses(const struct cr_image_rec *rec, void *arg)
{
	const unsigned long *w = rec->payload;
	struct kscan *k = arg;
	size_t i;

	/*
	 * Page contents are user memory; the tree record is 32-bit pids and
	 * indexes only, where an index outside the tree (0xffffffff) next to
	 * index 0 looks like a kernel address.
	 */
	if (rec->hdr.type == CR_REC_PAGE_DATA || rec->hdr.type == CR_REC_TREE)
		return;
	for (i = 0; i < rec->hdr.len / sizeof(*w); i++, k->words++) {
		/* x86_64 kernel space, less the -errno / -1 values at its top */
		if (w[i] >= 0xffff800000000000UL && w[i] < 0xfffffffffffff000UL) {
			if (!k->hits++)
				k->first = w[i];
		}
	}
}

/* No kernel address ever reaches an image. */
TEST(no_kernel_addresses)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600), p[2];
	struct kscan k = {};
	struct cr_image im;
	size_t len;
	char *img;

	ASSERT_GE(fd, 0);
	/* some state with kernel objects behind it: a file, a pipe with data */
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(5, write(p[1], "hello", 5));
	ASSERT_GT(sys_checkpoint(0, fd, 0), 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	img = cr_read_all(fd, &len);
	ASSERT_NE(NULL, img);
	ASSERT_GT(cr_image_walk(&im, img, len, scan_kernel_addresses, &k), 0) TH_LOG("%s", im.why);
	EXPECT_GT(k.words, 100);
	EXPECT_EQ(0, k.hits) TH_LOG("%ld kernel-looking words, the first %#lx", k.hits, k.first);
	free(img);
}

TEST_HARNESS_MAIN
