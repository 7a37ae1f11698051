// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: files without a name - memfds and deleted files - saved
 * with their bytes (#15).
 *
 * A child holds memfds - one with a name, bytes around a hole, a file
 * position and seals, one empty that allows sealing, one dup'd on two
 * fds - stops itself, is checkpointed, killed and restarted (or only
 * continued, the reference run), and checks them: bytes, size, name,
 * seals in force, position, permission bits, one file for both fds.
 * And a memfd larger than the checkpoint's content limit: EFBIG, the
 * process untouched; saved under a higher limit (CR_CHECKPOINT_CONTENT()).
 *
 * A file unlinked while open comes back unlinked, in the directory it was
 * in, with its bytes, size, permission bits, flags and position; with its
 * directory gone, restart fails before anything changes.
 *
 * Mapped ones: a memfd mapped shared with its fd kept (one object: a write
 * through either shows in the other), one whose fd was closed after
 * mmap() (the mapping alone holds it), one mapped private with a page
 * written (that page the process's own, the others still the file's), and
 * a deleted file mapped read-only with no fd left, as a shared library
 * replaced by an upgrade; a tree whose child shares a mapped memfd with
 * its parent and inherits a private mapping of another.  A writable
 * mapping of a memfd sealed against writes is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#define HOLE	(1 << 20)	/* the second bytes of the first memfd are past a hole */

enum { M_NAMED = 40, M_EMPTY, M_DUP };

/* The first failed step's line, or 0; exit code CR_RESTART_OK + 1 if any. */
static int bad;

static void check(bool ok, int line)
{
	if (!ok && !bad)
		bad = line;
}

#define CHECK(cond)	check((cond), __LINE__)

/* Is the target of /proc/self/fd/@fd @want? */
static bool link_is(int fd, const char *want)
{
	char path[64], buf[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, want);
}

static void child(void)
{
	char buf[16] = { };
	struct stat st;

	close_range(3, ~0U, 0);
	CHECK(!cr_move_fd(memfd_create("cr-named", MFD_ALLOW_SEALING), M_NAMED));
	CHECK(pwrite(M_NAMED, "head", 4, 0) == 4);
	CHECK(pwrite(M_NAMED, "tail", 4, HOLE) == 4);
	CHECK(lseek(M_NAMED, 2, SEEK_SET) == 2);
	CHECK(!fchmod(M_NAMED, 0640));
	CHECK(!fcntl(M_NAMED, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL));
	CHECK(!cr_move_fd(memfd_create("", MFD_ALLOW_SEALING), M_EMPTY));
	CHECK(!cr_move_fd(memfd_create("cr-dup", 0), M_DUP));
	CHECK(dup2(M_DUP, M_DUP + 1) == M_DUP + 1);
	CHECK(write(M_DUP, "abc", 3) == 3);
	if (bad)
		_exit(CR_RESTART_OK + 1);

	raise(SIGSTOP);

	/* the bytes, the hole, the size, the position */
	CHECK(read(M_NAMED, buf, 2) == 2 && !memcmp(buf, "ad", 2));
	CHECK(pread(M_NAMED, buf, 4, HOLE - 2) == 4 && !memcmp(buf, "\0\0ta", 4));
	CHECK(!fstat(M_NAMED, &st) && st.st_size == HOLE + 4 && (st.st_mode & 0777) == 0640);
	CHECK(link_is(M_NAMED, "/memfd:cr-named (deleted)"));
	/* the seals: no growing, no shrinking, no more seals; writing inside is fine */
	CHECK(fcntl(M_NAMED, F_GET_SEALS) == (F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL));
	CHECK(pwrite(M_NAMED, "x", 1, HOLE + 4) == -1 && errno == EPERM);
	CHECK(ftruncate(M_NAMED, 1) == -1 && errno == EPERM);
	CHECK(fcntl(M_NAMED, F_ADD_SEALS, F_SEAL_WRITE) == -1 && errno == EPERM);
	CHECK(pwrite(M_NAMED, "H", 1, 0) == 1);
	/* an empty one that still takes seals */
	CHECK(!fstat(M_EMPTY, &st) && st.st_size == 0 && fcntl(M_EMPTY, F_GET_SEALS) == 0);
	CHECK(!fcntl(M_EMPTY, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK(link_is(M_EMPTY, "/memfd: (deleted)"));
	/* one file on two fds: one position */
	CHECK(fcntl(M_DUP, F_GET_SEALS) == F_SEAL_SEAL);
	CHECK(lseek(M_DUP + 1, 0, SEEK_CUR) == 3 && lseek(M_DUP, 1, SEEK_SET) == 1 &&
	      read(M_DUP + 1, buf, 2) == 2 && !memcmp(buf, "bc", 2));
	_exit(bad ? CR_RESTART_OK + 100 + bad % 100 : CR_RESTART_OK);
}

FIXTURE(memfd) {
	int img;
};

FIXTURE_VARIANT(memfd) {
	bool restart;
};

FIXTURE_VARIANT_ADD(memfd, uninterrupted) {
	.restart = false,
};

FIXTURE_VARIANT_ADD(memfd, restarted) {
	.restart = true,
};

FIXTURE_SETUP(memfd)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
}

FIXTURE_TEARDOWN(memfd)
{
	close(self->img);
}

TEST_F_TIMEOUT(memfd, contents, 60)
{
	int st = cr_stop_and_go(self->img, variant->restart, child);

	ASSERT_NE(-1, st) TH_LOG("checkpoint or restart: %s", strerror(errno));
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("the child's check at line %% 100 = %d failed",
					    st - CR_RESTART_OK - 100);
}

/*
 * Larger than the content limit (CR_CONTENT_DEFAULT, or what
 * CR_CHECKPOINT_CONTENT() sets): EFBIG, and the process runs on
 * untouched; under a limit raised above it, saved and restarted with
 * its bytes past the default limit.  A limit above CR_CONTENT_MAX: EINVAL.
 */
TEST(too_large)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char c[2] = { };
		int fd;

		close_range(3, ~0U, 0);
		fd = memfd_create("big", 0);
		if (fd < 0 || ftruncate(fd, CR_CONTENT_DEFAULT + 4096) ||
		    pwrite(fd, "z", 1, 7) != 1 || pwrite(fd, "Z", 1, CR_CONTENT_DEFAULT + 5) != 1)
			_exit(1);
		raise(SIGSTOP);
		_exit(pread(fd, c, 1, 7) == 1 && pread(fd, c + 1, 1, CR_CONTENT_DEFAULT + 5) == 1 &&
		      !memcmp(c, "zZ", 2) ? CR_RESTART_OK : 2);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, 0));
	EXPECT_EQ(EFBIG, errno);
	/* 1 << 26 is the default: still too small */
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CR_CHECKPOINT_CONTENT(26)));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CR_CHECKPOINT_CONTENT(CR_CONTENT_MAX_SHIFT + 1)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_LT(0, sys_checkpoint(pid, img, CR_CHECKPOINT_CONTENT(27) | CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	EXPECT_EQ(128 + SIGKILL, cr_wait(pid));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	close(img);
}

/* A small limit: a 5000-byte memfd needs 1 << 13. */
TEST(content_limit)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char c = 0;
		int fd;

		close_range(3, ~0U, 0);
		fd = memfd_create("small", 0);
		if (fd < 0 || pwrite(fd, "s", 1, 4999) != 1)
			_exit(1);
		raise(SIGSTOP);
		_exit(pread(fd, &c, 1, 4999) == 1 && c == 's' ? CR_RESTART_OK : 2);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CR_CHECKPOINT_CONTENT(12)));
	EXPECT_EQ(EFBIG, errno);
	ASSERT_LT(0, sys_checkpoint(pid, img, CR_CHECKPOINT_CONTENT(13) | CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	EXPECT_EQ(128 + SIGKILL, cr_wait(pid));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	close(img);
}

#define DIR_	"/tmp/cr-deleted"
#define GONE	DIR_ "/gone"

#define PG	4096

/* Does /proc/self/maps have a mapping of @name at @addr? */
static bool mapped_as(const void *addr, const char *name)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;

	if (!f)
		return false;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, strlen(want)) && strstr(line, name);
	fclose(f);
	return found;
}

static void mapped_child(void)
{
	char *shared, *alone, *priv, *lib, buf[8] = { };
	int fd;

	close_range(3, ~0U, 0);
	/* shared, its fd kept */
	CHECK(!cr_move_fd(memfd_create("cr-shared", 0), M_NAMED));
	CHECK(!ftruncate(M_NAMED, 3 * PG));
	shared = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, M_NAMED, 0);
	CHECK(shared != MAP_FAILED);
	if (shared != MAP_FAILED)
		memcpy(shared + PG, "shared", 6);
	/* shared, the fd closed: only the mapping holds it */
	fd = memfd_create("cr-alone", 0);
	CHECK(fd >= 0 && !ftruncate(fd, 2 * PG));
	alone = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(alone != MAP_FAILED && !close(fd));
	if (alone != MAP_FAILED)
		memcpy(alone + PG + 100, "alone", 5);
	/* private, one page written: copied on write */
	CHECK(!cr_move_fd(memfd_create("cr-private", 0), M_EMPTY));
	CHECK(pwrite(M_EMPTY, "file0", 5, 0) == 5 && pwrite(M_EMPTY, "file1", 5, PG) == 5);
	priv = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, M_EMPTY, 0);
	CHECK(priv != MAP_FAILED);
	if (priv != MAP_FAILED)
		memcpy(priv, "cow", 3);
	/* a deleted file mapped, no fd left: a replaced library */
	fd = open(DIR_ "/lib.so", O_RDWR | O_CREAT | O_TRUNC, 0755);
	CHECK(fd >= 0 && pwrite(fd, "ELF?", 4, PG) == 4 && !ftruncate(fd, 2 * PG));
	lib = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(lib != MAP_FAILED && !close(fd) && !unlink(DIR_ "/lib.so"));
	if (bad || shared == MAP_FAILED || alone == MAP_FAILED || priv == MAP_FAILED ||
	    lib == MAP_FAILED)
		_exit(CR_RESTART_OK + 1);

	raise(SIGSTOP);

	/* one object behind the fd and the mapping */
	CHECK(!memcmp(shared + PG, "shared", 6));
	CHECK(pread(M_NAMED, buf, 6, PG) == 6 && !memcmp(buf, "shared", 6));
	CHECK(pwrite(M_NAMED, "by fd", 5, 2 * PG) == 5 && !memcmp(shared + 2 * PG, "by fd", 5));
	memcpy(shared, "by map", 6);
	CHECK(pread(M_NAMED, buf, 6, 0) == 6 && !memcmp(buf, "by map", 6));
	CHECK(mapped_as(shared, "/memfd:cr-shared (deleted)"));
	CHECK(!memcmp(alone + PG + 100, "alone", 5) && mapped_as(alone, "/memfd:cr-alone"));
	memcpy(alone, "still", 5);
	CHECK(!memcmp(alone, "still", 5));
	/* the written page is the process's, the other one still the file's */
	CHECK(!memcmp(priv, "cowe0", 5) && !memcmp(priv + PG, "file1", 5));
	CHECK(pread(M_EMPTY, buf, 5, 0) == 5 && !memcmp(buf, "file0", 5));
	CHECK(pwrite(M_EMPTY, "new", 3, PG) == 3 && !memcmp(priv + PG, "newe1", 5));
	CHECK(!memcmp(lib + PG, "ELF?", 4) && lib[0] == 0 && mapped_as(lib, "(deleted)"));
	_exit(bad ? CR_RESTART_OK + 100 + bad % 100 : CR_RESTART_OK);
}

TEST_F_TIMEOUT(memfd, mapped, 60)
{
	int st;

	mkdir(DIR_, 0700);
	st = cr_stop_and_go(self->img, variant->restart, mapped_child);
	ASSERT_NE(-1, st) TH_LOG("checkpoint or restart: %s", strerror(errno));
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("the child's check at line %% 100 = %d failed",
					    st - CR_RESTART_OK - 100);
	rmdir(DIR_);
}

/*
 * A parent and its child: a memfd mapped shared (no fd left) both write to,
 * and one mapped private, a page of which the parent wrote before the
 * fork (shared copy-on-write) and the child writes after.
 */
static void tree_root(void)
{
	char *s, *p, c;
	int go[2], fd, st;
	pid_t kid;

	close_range(3, ~0U, 0);
	fd = memfd_create("cr-tree-shared", 0);
	CHECK(fd >= 0 && !ftruncate(fd, 2 * PG));
	s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED && !close(fd));
	fd = memfd_create("cr-tree-private", 0);
	CHECK(fd >= 0 && pwrite(fd, "file", 4, 0) == 4);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED && !close(fd) && !pipe(go));
	if (bad || s == MAP_FAILED || p == MAP_FAILED)
		_exit(CR_RESTART_OK + 1);
	memcpy(p, "parent", 6);
	kid = fork();
	if (!kid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || memcmp(s, "before", 6) || memcmp(p, "parent", 6))
			_exit(1);
		memcpy(s + PG, "kid", 3);
		memcpy(p, "kid's!", 6);
		_exit(0);
	}
	CHECK(kid > 0);
	memcpy(s, "before", 6);

	raise(SIGSTOP);

	CHECK(write(go[1], "g", 1) == 1);
	CHECK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && !WEXITSTATUS(st));
	/* the child's write to the shared one is seen; its copy is its own */
	CHECK(!memcmp(s + PG, "kid", 3) && !memcmp(p, "parent", 6));
	_exit(bad ? CR_RESTART_OK + 100 + bad % 100 : CR_RESTART_OK);
}

TEST_F_TIMEOUT(memfd, mapped_tree, 60)
{
	int st;

	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	st = cr_tree_stop_and_go(self->img, variant->restart, tree_root);
	ASSERT_NE(-1, st) TH_LOG("checkpoint or restart: %s", strerror(errno));
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("the root's check at line %% 100 = %d failed",
					    st - CR_RESTART_OK - 100);
}

/* A writable shared mapping of a memfd sealed against writes: refused. */
TEST(mapped_sealed)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char *p;
		int fd;

		close_range(3, ~0U, 0);
		fd = memfd_create("cr-sealed", MFD_ALLOW_SEALING);
		if (fd < 0 || ftruncate(fd, PG))
			_exit(1);
		p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED || fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE))
			_exit(1);
		raise(SIGSTOP);
		*p = 1;
		_exit(0);
	}
	EXPECT_EQ(0, cr_refused(pid, img));
	close(img);
}

/* Unlinked while open, O_RDWR | O_APPEND, with bytes around a hole. */
static void deleted_child(const char *path)
{
	char buf[8] = { };
	struct stat st;

	close_range(3, ~0U, 0);
	CHECK(cr_move_fd(open(path, O_RDWR | O_CREAT | O_APPEND, 0600), M_NAMED) == 0);
	CHECK(pwrite(M_NAMED, "start", 5, 0) == 5 && ftruncate(M_NAMED, HOLE) == 0);
	CHECK(write(M_NAMED, "end", 3) == 3 && lseek(M_NAMED, 3, SEEK_SET) == 3);
	CHECK(!fchmod(M_NAMED, 0604));
	CHECK(!unlink(path));
	if (bad)
		_exit(CR_RESTART_OK + 1);

	raise(SIGSTOP);

	CHECK(!fstat(M_NAMED, &st) && st.st_size == HOLE + 3 && st.st_nlink == 0 &&
	      (st.st_mode & 07777) == 0604);
	CHECK(read(M_NAMED, buf, 2) == 2 && !memcmp(buf, "rt", 2));
	CHECK(pread(M_NAMED, buf, 5, HOLE - 2) == 5 && !memcmp(buf, "\0\0end", 5));
	/* O_APPEND kept: the write goes to the end */
	CHECK(write(M_NAMED, "!", 1) == 1 && pread(M_NAMED, buf, 1, HOLE + 3) == 1 &&
	      buf[0] == '!');
	_exit(bad ? CR_RESTART_OK + 100 + bad % 100 : CR_RESTART_OK);
}

static void deleted_gone(void)
{
	deleted_child(GONE);
}

TEST_F_TIMEOUT(memfd, deleted_file, 60)
{
	int st;

	mkdir(DIR_, 0700);
	st = cr_stop_and_go(self->img, variant->restart, deleted_gone);
	ASSERT_NE(-1, st) TH_LOG("checkpoint or restart: %s", strerror(errno));
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("the child's check at line %% 100 = %d failed",
					    st - CR_RESTART_OK - 100);
	rmdir(DIR_);
}

/* Its directory gone at restart: ENOENT before the point of no return. */
TEST(deleted_dir_gone)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	ASSERT_EQ(0, mkdir(DIR_, 0700));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		deleted_child(GONE);
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
	ASSERT_EQ(0, rmdir(DIR_));
	/* the restarter gets the errno and goes on */
	EXPECT_EQ(100 + ENOENT, cr_restart_child(img));
	close(img);
}

TEST_HARNESS_MAIN
