// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: a pipe is one object with any number of open files (#13).
 *
 * pipe(2) gives two open files; opening /proc/self/fd/N of either end
 * gives more, each with its own flags (O_NONBLOCK on one and not on the
 * other), and dup() shares one of them between fds.  A named FIFO opened
 * several times is the same.  After restart every fd must work on the one
 * pipe, the buffered bytes must be intact, each open file must have its
 * flags, and dup'd fds must still share one open file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define FIFO	"/tmp/cr-pipes-fifo"
#define NDATA	3000

/*
 * Restart @img in a fresh child: the restarted process's exit code,
 * 100 + errno if restart(2) returned, 1000 + a signal that killed it.
 */
static int restart(int img)
{
	int status;
	pid_t pid;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

static const char *describe(int r)
{
	static char buf[64];

	if (r > 100 && r < 256)
		snprintf(buf, sizeof(buf), "restart failed: %s", strerrorname_np(r - 100) ?: "?");
	else if (r >= 1000)
		snprintf(buf, sizeof(buf), "killed by signal %d", r - 1000);
	else
		snprintf(buf, sizeof(buf), "restarted, exit %d", r);
	return buf;
}

/* Reopen fd @fd through /proc/self/fd with @flags: a new open file. */
static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags);
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static int nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : !!(fl & O_NONBLOCK);
}

static char data[NDATA];

static void fill_data(void)
{
	int i;

	for (i = 0; i < NDATA; i++)
		data[i] = i * 11 + 3;
}

/*
 * Check the pipe of fds @r (blocking read), @rn (its own open file,
 * O_NONBLOCK, read), @rd (dup of @r), @w (write), @w2 (its own open file,
 * write), @rw (O_RDWR open file) after restart; @expect bytes of data
 * buffered.  0 or the number of the first check that failed.
 */
static int check_pipe(int r, int rn, int rd, int w, int w2, int rw, int expect)
{
	static char buf[NDATA + 16];
	ino_t ino = ino_of(r);
	int n = 0, got;

	/* one pipe behind every fd */
	if (!ino || ino_of(rn) != ino || ino_of(rd) != ino || ino_of(w) != ino ||
	    ino_of(w2) != ino || (rw >= 0 && ino_of(rw) != ino))
		return 1;
	/* each open file its flags; the dup shares r's */
	if (nonblock(r) != 0 || nonblock(rn) != 1 || nonblock(rd) != 0 || nonblock(w) != 0 ||
	    nonblock(w2) != 0)
		return 2;
	if ((fcntl(rn, F_GETFL) & O_ACCMODE) != O_RDONLY ||
	    (fcntl(w2, F_GETFL) & O_ACCMODE) != O_WRONLY ||
	    (rw >= 0 && (fcntl(rw, F_GETFL) & O_ACCMODE) != O_RDWR))
		return 3;
	/* the buffered bytes, through the non-blocking open file */
	while (n < expect) {
		got = read(rn, buf + n, sizeof(buf) - n);
		if (got <= 0)
			return 4;
		n += got;
	}
	if (memcmp(buf, data + NDATA - expect, expect))
		return 5;
	if (read(rn, buf, 1) != -1 || errno != EAGAIN)
		return 6;
	/* every writer reaches every reader */
	if (write(w, "a", 1) != 1 || write(w2, "b", 1) != 1 ||
	    (rw >= 0 && write(rw, "c", 1) != 1))
		return 7;
	if (read(rd, buf, 1) != 1 || buf[0] != 'a' || read(r, buf, 1) != 1 || buf[0] != 'b')
		return 8;
	if (rw >= 0 && (read(rw, buf, 1) != 1 || buf[0] != 'c'))
		return 9;
	/* r and its dup share one open file: its flags move together */
	if (fcntl(rd, F_SETFL, O_NONBLOCK) || nonblock(r) != 1 || nonblock(rn) != 1)
		return 10;
	if (fcntl(r, F_SETFL, 0) || nonblock(rd) != 0 || nonblock(rn) != 1)
		return 11;
	return 0;
}

/*
 * A pipe with five open files: pipe(2)'s two, a non-blocking reader and
 * a writer reopened through /proc/self/fd, and a read-write one; plus a
 * dup of the first reader.  Data buffered, partly read.
 */
TEST(pipe_five_open_files)
{
	int img = cr_tmpfile(), status;
	pid_t pid;

	ASSERT_GE(img, 0);
	fill_data();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int p[2], rn, rd, w2, rw, bad;
		char skip[100];

		if (pipe(p) || write(p[1], data, 100) != 100 || read(p[0], skip, 100) != 100)
			_exit(1);
		rn = reopen(p[0], O_RDONLY | O_NONBLOCK);
		w2 = reopen(p[1], O_WRONLY);
		rw = reopen(p[0], O_RDWR);
		rd = dup(p[0]);
		if (rn < 0 || w2 < 0 || rw < 0 || rd < 0 || write(w2, data, NDATA) != NDATA ||
		    read(p[0], skip, 100) != 100)
			_exit(2);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		bad = check_pipe(p[0], rn, rd, p[1], w2, rw, NDATA - 100);
		_exit(bad ? CR_RESTART_BAD + bad : CR_RESTART_OK);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(CR_ORIG_OK, WEXITSTATUS(status));
	status = restart(img);
	EXPECT_EQ(CR_RESTART_OK, status)
		TH_LOG("%s", describe(status));
	close(img);
}

/* Four open files (no read-write one): the same, two per end. */
TEST(pipe_two_files_per_end)
{
	int img = cr_tmpfile(), status;
	pid_t pid;

	ASSERT_GE(img, 0);
	fill_data();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int p[2], rn, rd, w2, bad;

		if (pipe(p))
			_exit(1);
		rn = reopen(p[0], O_RDONLY | O_NONBLOCK);
		w2 = reopen(p[1], O_WRONLY);
		rd = dup(p[0]);
		if (rn < 0 || w2 < 0 || rd < 0 || write(p[1], data, NDATA) != NDATA)
			_exit(2);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		bad = check_pipe(p[0], rn, rd, p[1], w2, -1, NDATA);
		_exit(bad ? CR_RESTART_BAD + bad : CR_RESTART_OK);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(CR_ORIG_OK, WEXITSTATUS(status));
	status = restart(img);
	EXPECT_EQ(CR_RESTART_OK, status)
		TH_LOG("%s", describe(status));
	close(img);
}

/*
 * The read end only, twice: a pipe whose write end went away (EOF after
 * the buffered bytes) held by two open files.  Its bytes must come back
 * and then EOF, on both.
 */
TEST(pipe_reader_twice_no_writer)
{
	int img = cr_tmpfile(), status;
	pid_t pid;

	ASSERT_GE(img, 0);
	fill_data();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char buf[NDATA];
		int p[2], rn;

		if (pipe(p))
			_exit(1);
		rn = reopen(p[0], O_RDONLY | O_NONBLOCK);
		if (rn < 0 || write(p[1], data, NDATA) != NDATA)
			_exit(2);
		close(p[1]);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (read(rn, buf, 1000) != 1000 || memcmp(buf, data, 1000))
			_exit(CR_RESTART_BAD);
		if (read(p[0], buf, NDATA) != NDATA - 1000 ||
		    memcmp(buf, data + 1000, NDATA - 1000))
			_exit(CR_RESTART_BAD + 1);
		/* no writer: EOF on both */
		if (read(p[0], buf, 1) != 0 || read(rn, buf, 1) != 0)
			_exit(CR_RESTART_BAD + 2);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(CR_ORIG_OK, WEXITSTATUS(status));
	status = restart(img);
	EXPECT_EQ(CR_RESTART_OK, status)
		TH_LOG("%s", describe(status));
	close(img);
}

/*
 * A named FIFO opened four times (non-blocking reader, blocking reader,
 * writer, read-write) and dup'd: the same checks.
 */
TEST(fifo_four_opens)
{
	int img = cr_tmpfile(), status;
	pid_t pid;

	ASSERT_GE(img, 0);
	fill_data();
	unlink(FIFO);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int rn, r, w, rw, rd, bad;

		rn = open(FIFO, O_RDONLY | O_NONBLOCK);
		rw = open(FIFO, O_RDWR);
		r = open(FIFO, O_RDONLY);
		w = open(FIFO, O_WRONLY);
		rd = dup(r);
		if (rn < 0 || rw < 0 || r < 0 || w < 0 || rd < 0 ||
		    write(w, data, NDATA) != NDATA)
			_exit(2);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		/* a second writer of its own: the one open file w is */
		bad = check_pipe(r, rn, rd, w, w, rw, NDATA);
		_exit(bad ? CR_RESTART_BAD + bad : CR_RESTART_OK);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(CR_ORIG_OK, WEXITSTATUS(status));
	status = restart(img);
	EXPECT_EQ(CR_RESTART_OK, status)
		TH_LOG("%s", describe(status));
	close(img);
	unlink(FIFO);
}

TEST_HARNESS_MAIN
