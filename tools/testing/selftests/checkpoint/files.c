// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: open files, fds, cwd and umask come back; what cannot is
 * refused; restart's errors about files leave the caller intact.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define DIR_	"/tmp/cr-files"

/* Restart @img in a child that first changes what it can: cwd, umask, fds. */
static int restart_elsewhere(int img)
{
	pid_t pid;

	lseek(img, 0, SEEK_SET);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (chdir("/"))
			_exit(99);
		umask(0);
		/* an fd of the restarter's own that must not leak through */
		if (dup2(img, 20) != 20)
			_exit(98);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	return cr_wait(pid);
}

#define CHECKPOINT_AND_RESTART(img, child) do {				\
		pid_t pid = fork();					\
		ASSERT_GE(pid, 0);					\
		if (!pid) {						\
			child;						\
		}							\
		ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));			\
		ASSERT_EQ(CR_RESTART_OK, restart_elsewhere(img));	\
	} while (0)

FIXTURE(files) {
	int img;
};

FIXTURE_SETUP(files)
{
	mkdir(DIR_, 0755);
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
}

FIXTURE_TEARDOWN(files)
{
	close(self->img);
}

static int make_file(const char *path, size_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	size_t i;

	for (i = 0; fd >= 0 && i < size; i++)
		if (write(fd, &"0123456789"[i % 10], 1) != 1)
			return -1;
	return fd < 0 ? -1 : close(fd);
}

TEST_F(files, offsets_and_flags)
{
	int img = self->img;

	ASSERT_EQ(0, make_file(DIR_ "/a", 1000));
	ASSERT_EQ(0, make_file(DIR_ "/b", 10));
	CHECKPOINT_AND_RESTART(img, ({
		int a = open(DIR_ "/a", O_RDWR), b, c;
		char ch;

		b = open(DIR_ "/b", O_WRONLY | O_APPEND);
		c = open(DIR_ "/a", O_RDONLY | O_NONBLOCK);
		if (a < 0 || b < 0 || c < 0 || lseek(a, 123, SEEK_SET) != 123 ||
		    lseek(c, 777, SEEK_SET) != 777)
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (lseek(a, 0, SEEK_CUR) != 123 || lseek(c, 0, SEEK_CUR) != 777)
			_exit(CR_RESTART_BAD);
		if ((fcntl(a, F_GETFL) & (O_ACCMODE | O_APPEND)) != O_RDWR ||
		    (fcntl(b, F_GETFL) & (O_ACCMODE | O_APPEND)) != (O_WRONLY | O_APPEND) ||
		    (fcntl(c, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) != (O_RDONLY | O_NONBLOCK))
			_exit(CR_RESTART_BAD + 1);
		/* reading goes on at the offset; appending appends */
		if (read(a, &ch, 1) != 1 || ch != '3' || read(c, &ch, 1) != 1 || ch != '7')
			_exit(CR_RESTART_BAD + 2);
		if (write(b, "x", 1) != 1 || lseek(b, 0, SEEK_CUR) != 11)
			_exit(CR_RESTART_BAD + 3);
		/* the file was not truncated */
		if (lseek(a, 0, SEEK_END) != 1000)
			_exit(CR_RESTART_BAD + 4);
		_exit(CR_RESTART_OK);
	}));
}

TEST_F(files, dup_shares_offset)
{
	int img = self->img;

	ASSERT_EQ(0, make_file(DIR_ "/d", 100));
	CHECKPOINT_AND_RESTART(img, ({
		int a = open(DIR_ "/d", O_RDONLY), b, c, e;

		b = dup(a);
		c = fcntl(a, F_DUPFD, 50);
		e = open(DIR_ "/d", O_RDONLY);	/* same file, its own offset */
		if (a < 0 || b < 0 || c != 50 || e < 0 || lseek(a, 5, SEEK_SET) != 5)
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (lseek(b, 0, SEEK_CUR) != 5 || lseek(c, 0, SEEK_CUR) != 5 ||
		    lseek(e, 0, SEEK_CUR) != 0)
			_exit(CR_RESTART_BAD);
		/* one open file behind a, b and 50: offsets move together */
		if (lseek(a, 42, SEEK_SET) != 42 || lseek(c, 0, SEEK_CUR) != 42 ||
		    lseek(e, 0, SEEK_CUR) != 0)
			_exit(CR_RESTART_BAD + 1);
		_exit(CR_RESTART_OK);
	}));
}

TEST_F(files, cloexec_cwd_umask_devnull_dir)
{
	int img = self->img;

	CHECKPOINT_AND_RESTART(img, ({
		int n = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int d = open(DIR_, O_RDONLY | O_DIRECTORY);
		char cwd[256];
		struct stat st;

		if (n < 0 || d < 0 || chdir(DIR_))
			_exit(1);
		umask(027);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (!(fcntl(n, F_GETFD) & FD_CLOEXEC) || (fcntl(d, F_GETFD) & FD_CLOEXEC))
			_exit(CR_RESTART_BAD);
		if (write(n, "hello", 5) != 5)
			_exit(CR_RESTART_BAD + 1);
		if (fstat(d, &st) || !S_ISDIR(st.st_mode))
			_exit(CR_RESTART_BAD + 2);
		if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, DIR_))
			_exit(CR_RESTART_BAD + 3);
		if (umask(0) != 027)
			_exit(CR_RESTART_BAD + 4);
		/* the restarter's fd 20 did not leak in */
		if (fcntl(20, F_GETFD) != -1 || errno != EBADF)
			_exit(CR_RESTART_BAD + 5);
		_exit(CR_RESTART_OK);
	}));
}

/* A pipe partly read: the rest comes back, the pipe still works. */
TEST_F(files, pipe_partly_read)
{
	int img = self->img;

	CHECKPOINT_AND_RESTART(img, ({
		char in[1000], out[1000];
		int p[2], i, w;

		for (i = 0; i < 1000; i++)
			in[i] = i * 7;
		if (pipe(p) || write(p[1], in, 1000) != 1000 || read(p[0], out, 300) != 300)
			_exit(1);
		w = dup(p[1]);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (read(p[0], out, sizeof(out)) != 700 || memcmp(out, in + 300, 700))
			_exit(CR_RESTART_BAD);
		/* both write fds are the one write end */
		if (write(w, "xyz", 3) != 3 || write(p[1], "!", 1) != 1 ||
		    read(p[0], out, 4) != 4 || memcmp(out, "xyz!", 4))
			_exit(CR_RESTART_BAD + 1);
		_exit(CR_RESTART_OK);
	}));
}

/* A full non-blocking pipe: still full, the bytes intact, then empty. */
TEST_F(files, pipe_full_nonblocking)
{
	int img = self->img;

	CHECKPOINT_AND_RESTART(img, ({
		static char buf[1 << 17];
		int p[2], i;
		ssize_t n, total = 0;

		if (pipe2(p, O_NONBLOCK))
			_exit(1);
		for (i = 0; i < (int)sizeof(buf); i++)
			buf[i] = i ^ (i >> 8);
		while ((n = write(p[1], buf + total, 4096)) > 0)
			total += n;
		if (errno != EAGAIN || total < 4096)
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (write(p[1], "x", 1) != -1 || errno != EAGAIN)
			_exit(CR_RESTART_BAD);
		for (i = 0; i < total; i += n) {
			static char got[4096];

			n = read(p[0], got, sizeof(got));
			if (n <= 0 || memcmp(got, buf + i, n))
				_exit(CR_RESTART_BAD + 1);
		}
		if (read(p[0], buf, 1) != -1 || errno != EAGAIN)
			_exit(CR_RESTART_BAD + 2);
		_exit(CR_RESTART_OK);
	}));
}

/* What cannot be saved is refused past fd 2; each process runs on. */
TEST_F(files, refuse_unsupported_fds)
{
	int img = self->img;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (!pid) {
		int s, e, fd;

		/* a unix socket pair is saved now: a netlink socket is not */
		s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		if (s < 0)
			_exit(1);
		if (sys_checkpoint(0, img, 0) != -1 || errno != EOPNOTSUPP)
			_exit(3);
		close(s);
		/* inotify is saved now: fanotify is not */
		e = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
		if (e < 0 || sys_checkpoint(0, img, 0) != -1 || errno != EOPNOTSUPP)
			_exit(4);
		close(e);
		/* a deleted file is saved with its bytes: not one linked elsewhere */
		fd = open(DIR_ "/gone", O_RDWR | O_CREAT, 0600);
		if (fd < 0 || link(DIR_ "/gone", DIR_ "/other") || unlink(DIR_ "/gone") ||
		    sys_checkpoint(0, img, 0) != -1 || errno != EOPNOTSUPP)
			_exit(5);
		unlink(DIR_ "/other");
		close(fd);
		_exit(sys_checkpoint(0, img, 0) > 0 ? 0 : 6);
	}
	EXPECT_EQ(0, cr_wait(pid));
}

/* Restart errors about files: each returns, the caller intact. */
TEST_F(files, restart_file_errors)
{
	int img = self->img, status, p[2];
	pid_t pid;

	ASSERT_EQ(0, make_file(DIR_ "/e", 100));
	/* its read end stays here: the pipe's peer is elsewhere */
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd = open(DIR_ "/e", O_RDONLY);

		/* fd 1 a pipe whose reader is elsewhere: cr leaves it to the restarter */
		if (fd < 0 || dup2(p[1], 1) != 1)
			_exit(1);
		close(p[0]);
		close(p[1]);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	close(p[0]);
	close(p[1]);

	/* a directory now where the file was */
	ASSERT_EQ(0, unlink(DIR_ "/e"));
	ASSERT_EQ(0, mkdir(DIR_ "/e", 0755));
	EXPECT_EQ(100 + ESTALE, cr_restart_child(img));
	ASSERT_EQ(0, rmdir(DIR_ "/e"));
	/* nothing there */
	EXPECT_EQ(100 + ENOENT, cr_restart_child(img));
	/* back again: fine */
	ASSERT_EQ(0, make_file(DIR_ "/e", 100));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));

	/* fd 1 is left to the restarter: a restarter without one */
	lseek(img, 0, SEEK_SET);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int r;

		close(1);
		r = sys_restart(0, img, 0);
		_exit(r == -1 && errno == EBADF ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Restart @img in a child with @in handed in; 100 + errno or its exit code. */
static int restart_inherit(int img, const struct cr_inherit *in, unsigned int nr)
{
	pid_t pid;

	lseek(img, 0, SEEK_SET);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		sys_restart_inherit(0, img, in, nr);
		_exit(100 + errno);
	}
	return cr_wait(pid);
}

/*
 * One end of a pipe, its peer elsewhere: saved under its key; restart
 * needs a file handed in for it, and the process then reads what the
 * restarter's side writes.
 */
TEST_F(files, pipe_one_end_inherit)
{
	int img = self->img, p[2], status;
	struct cr_inherit in[2] = {};
	char key[64], other[64];
	struct stat st;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, fstat(p[0], &st));
	snprintf(key, sizeof(key), "pipe:[%lu]", (unsigned long)st.st_ino);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char buf[8];

		close(p[1]);
		if (dup2(p[0], 5) != 5)
			_exit(1);
		close(p[0]);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (read(5, buf, sizeof(buf)) != 5 || memcmp(buf, "hello", 5))
			_exit(CR_RESTART_BAD);
		/* and EOF once the restarter's side closes it */
		if (read(5, buf, sizeof(buf)) != 0)
			_exit(CR_RESTART_BAD + 1);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));

	/* nothing handed in: fd 5 cannot be restored */
	EXPECT_EQ(100 + EBADF, cr_restart_child(img));
	/* the argument checks: each returns, the caller intact */
	in[0].fd = p[0];
	in[0].key = (unsigned long)"pipe:[1]";
	EXPECT_EQ(100 + EBADF, restart_inherit(img, in, 1));
	in[0].key = (unsigned long)"";
	EXPECT_EQ(100 + EINVAL, restart_inherit(img, in, 1));
	in[0].key = 16;
	EXPECT_EQ(100 + EFAULT, restart_inherit(img, in, 1));
	in[0].key = (unsigned long)key;
	in[0].__reserved = 1;
	EXPECT_EQ(100 + EINVAL, restart_inherit(img, in, 1));
	in[0].__reserved = 0;
	in[1] = in[0];
	EXPECT_EQ(100 + EINVAL, restart_inherit(img, in, 2));
	snprintf(other, sizeof(other), "/nonexistent");
	in[1].key = (unsigned long)other;
	EXPECT_EQ(100 + ENOENT, restart_inherit(img, in, 2));
	EXPECT_EQ(100 + EINVAL, restart_inherit(img, in, CR_INHERIT_MAX + 1));
	in[0].fd = 999;
	EXPECT_EQ(100 + EBADF, restart_inherit(img, in, 1));
	in[0].fd = p[0];

	/* handed in: the restarted process reads from the restarter's pipe */
	lseek(img, 0, SEEK_SET);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(p[1]);
		sys_restart_inherit(0, img, in, 1);
		_exit(100 + errno);
	}
	ASSERT_EQ(5, write(p[1], "hello", 5));
	close(p[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(CR_RESTART_OK, WEXITSTATUS(status));
	close(p[0]);

	/* the same with rstr --inherit-fd 4:KEY, from a new pipe at fd 4 */
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, fstat(p[0], &st));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char img_path[64], arg[80];

		snprintf(img_path, sizeof(img_path), "/proc/self/fd/%d", img);
		snprintf(arg, sizeof(arg), "4:%s", key);
		close(p[1]);
		if (dup2(p[0], 4) != 4)
			_exit(1);
		execlp("rstr", "rstr", "-i", img_path, "--inherit-fd", arg, NULL);
		_exit(2);
	}
	close(p[0]);
	ASSERT_EQ(5, write(p[1], "hello", 5));
	close(p[1]);
	/* the key is the image's pipe, whatever pipe the restarter has */
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
}

/* A log file moved away: the restarter hands in another for its path. */
TEST_F(files, inherit_replaces_path)
{
	int img = self->img, fd;
	struct cr_inherit in = { .key = (unsigned long)DIR_ "/log" };
	char buf[8];

	ASSERT_EQ(0, make_file(DIR_ "/log", 0));
	CHECKPOINT_AND_RESTART(img, ({
		int fd = open(DIR_ "/log", O_WRONLY | O_APPEND);

		if (fd < 0 || dup2(fd, 7) != 7 || write(7, "a", 1) != 1)
			_exit(1);
		close(fd);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (write(7, "b", 1) != 1 || (fcntl(7, F_GETFL) & O_ACCMODE) == O_RDONLY)
			_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}));
	ASSERT_EQ(0, unlink(DIR_ "/log"));
	EXPECT_EQ(100 + ENOENT, cr_restart_child(img));
	fd = open(DIR_ "/log2", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	ASSERT_GE(fd, 0);
	in.fd = fd;
	EXPECT_EQ(CR_RESTART_OK, restart_inherit(img, &in, 1));
	close(fd);
	fd = open(DIR_ "/log2", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('b', buf[0]);
	close(fd);
	unlink(DIR_ "/log2");
}

/* A named FIFO: reopened by path, its ends' flags and its bytes back. */
TEST_F(files, fifo_by_path)
{
	int img = self->img, fd;

	unlink(DIR_ "/fifo");
	ASSERT_EQ(0, mkfifo(DIR_ "/fifo", 0600));
	CHECKPOINT_AND_RESTART(img, ({
		int r = open(DIR_ "/fifo", O_RDONLY | O_NONBLOCK);
		int w = open(DIR_ "/fifo", O_WRONLY);
		char c, buf[8];

		if (r < 0 || w < 0 || write(w, "abc", 3) != 3 || read(r, &c, 1) != 1 || c != 'a')
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if ((fcntl(r, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) != (O_RDONLY | O_NONBLOCK) ||
		    (fcntl(w, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) != O_WRONLY)
			_exit(CR_RESTART_BAD);
		if (read(r, buf, sizeof(buf)) != 2 || memcmp(buf, "bc", 2))
			_exit(CR_RESTART_BAD + 1);
		if (write(w, "xyz", 3) != 3 || read(r, buf, sizeof(buf)) != 3 ||
		    memcmp(buf, "xyz", 3))
			_exit(CR_RESTART_BAD + 2);
		/* a writer, nothing to read; then no writer: EOF */
		if (read(r, buf, 1) != -1 || errno != EAGAIN)
			_exit(CR_RESTART_BAD + 3);
		close(w);
		if (read(r, buf, 1) != 0)
			_exit(CR_RESTART_BAD + 4);
		_exit(CR_RESTART_OK);
	}));

	/* someone else holds it with bytes in it: they would mix */
	fd = open(DIR_ "/fifo", O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(2, write(fd, "zz", 2));
	EXPECT_EQ(100 + EBUSY, cr_restart_child(img));
	close(fd);
	/* a regular file where it was; then nothing */
	ASSERT_EQ(0, unlink(DIR_ "/fifo"));
	ASSERT_EQ(0, make_file(DIR_ "/fifo", 10));
	EXPECT_EQ(100 + ESTALE, cr_restart_child(img));
	ASSERT_EQ(0, unlink(DIR_ "/fifo"));
	EXPECT_EQ(100 + ENOENT, cr_restart_child(img));
	/* back again: fine */
	ASSERT_EQ(0, mkfifo(DIR_ "/fifo", 0600));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	unlink(DIR_ "/fifo");
}

/*
 * A process that raised its RLIMIT_NOFILE (8192, above the restarter's
 * 1024 and hard 4096), holds fd 5000, then lowered its soft limit to 2000,
 * below that fd: restarted by a caller that may raise its own limit, it
 * has fd 5000 and its limits; a caller without CAP_SYS_RESOURCE, whose
 * hard limit is below 5001, gets EMFILE and goes on.
 */
TEST_F(files, high_fd_and_nofile)
{
	struct rlimit mine, big = { 8192, 8192 }, low = { 2000, 8192 };
	int img = self->img, status;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs root (raises RLIMIT_NOFILE above its hard limit)");
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &mine));
	ASSERT_LT(mine.rlim_max, 5001) TH_LOG("the caller's hard limit is already high");
	ASSERT_EQ(0, make_file(DIR_ "/h", 10));
	CHECKPOINT_AND_RESTART(img, ({
		struct rlimit now;
		int fd = open(DIR_ "/h", O_RDONLY);

		if (fd < 0 || setrlimit(RLIMIT_NOFILE, &big) || dup2(fd, 5000) != 5000 ||
		    close(fd) || lseek(5000, 3, SEEK_SET) != 3 || setrlimit(RLIMIT_NOFILE, &low))
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (lseek(5000, 0, SEEK_CUR) != 3)
			_exit(CR_RESTART_BAD);
		if (getrlimit(RLIMIT_NOFILE, &now) || now.rlim_cur != 2000 ||
		    now.rlim_max != 8192)
			_exit(CR_RESTART_BAD + 1);
		_exit(CR_RESTART_OK);
	}));
	/* without CAP_SYS_RESOURCE, the caller's hard limit (below 5001) holds */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2];

		if (syscall(SYS_capget, &h, d))
			_exit(1);
		d[CAP_SYS_RESOURCE / 32].effective &= ~(1U << (CAP_SYS_RESOURCE % 32));
		if (syscall(SYS_capset, &h, d) || lseek(img, 0, SEEK_SET))
			_exit(1);
		if (sys_restart(0, img, 0) != -1)
			_exit(2);
		_exit(errno == EMFILE && fcntl(img, F_GETFD) >= 0 ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("1: setup, 2: restarted, 3: another errno");
}

TEST_HARNESS_MAIN
