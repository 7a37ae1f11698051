// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: checkpoint(CR_CHECKPOINT_FREEZE) of a running process.
 *
 * The kernel freezes the target itself, as the cgroup v2 freezer does, for
 * the dump and thaws it after: no SIGSTOP, no stop its parent can see in
 * wait(2), a blocking system call interrupted and restarted transparently.
 * CR_CHECKPOINT_KILL kills it after a successful dump instead.  The image
 * restarts to the same result; the target left running is untouched.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define ROUNDS	40000000UL
#define RESULT	"/tmp/cr-freeze-result"

static unsigned long compute(unsigned long rounds)
{
	volatile unsigned long x = 1;
	unsigned long i;

	for (i = 0; i < rounds; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL + (x >> 29);
	return x;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

/* Results so far, in order; returns how many (at most @max). */
static int read_results(unsigned long *r, int max)
{
	int fd = open(RESULT, O_RDONLY), n;

	if (fd < 0)
		return 0;
	n = read(fd, r, max * sizeof(*r));
	close(fd);
	return n < 0 ? 0 : n / sizeof(*r);
}

static void put_result(unsigned long r)
{
	int fd = open(RESULT, O_WRONLY | O_CREAT | O_APPEND, 0600);

	if (fd < 0 || write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	close(fd);
}

/* A child computing, with only fds 0-2, that appends its result and exits. */
static pid_t computer(void)
{
	pid_t pid;

	unlink(RESULT);
	pid = fork();
	if (!pid) {
		closefrom(3);
		put_result(compute(ROUNDS));
		_exit(CR_RESTART_OK);
	}
	return pid;
}

/* No stop of @pid was ever reported to its parent. */
static int no_stop_seen(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WUNTRACED | WNOHANG) == 0;
}

TEST(frozen_runs_on)
{
	unsigned long expect = compute(ROUNDS), r[3];
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = computer();
	ASSERT_GT(pid, 0);
	sleep_ms(50);
	ASSERT_GT(sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE), 0)
		TH_LOG("checkpoint: %s", strerror(errno));
	/* thawed: it runs on, never stopped as its parent sees it */
	EXPECT_TRUE(no_stop_seen(pid));
	EXPECT_NE('T', cr_proc_state(pid));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
	ASSERT_EQ(1, read_results(r, 3));
	EXPECT_EQ(expect, r[0]);
	/* and the image finishes the same computation */
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(2, read_results(r, 3));
	EXPECT_EQ(expect, r[1]);
	close(img);
}

TEST(frozen_then_killed)
{
	unsigned long expect = compute(ROUNDS), r[3];
	int img = cr_tmpfile(), status;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = computer();
	ASSERT_GT(pid, 0);
	sleep_ms(50);
	ASSERT_GT(sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL), 0)
		TH_LOG("checkpoint: %s", strerror(errno));
	/* killed where it stood: no result of its own */
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(0, read_results(r, 3));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(1, read_results(r, 3));
	EXPECT_EQ(expect, r[0]);
	close(img);
}

/*
 * Frozen inside read(2) on an empty pipe: the call is interrupted for the
 * freeze and goes on once thawed, and gets what is written after; the
 * image, restarted with a pipe handed in for that end, does the same.
 */
TEST(frozen_in_read)
{
	int img = cr_tmpfile(), p[2], q[2];
	struct cr_inherit in = {};
	char key[64], buf[8];
	struct stat st;
	pid_t pid, rst;

	ASSERT_GE(img, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, fstat(p[0], &st));
	snprintf(key, sizeof(key), "pipe:[%lu]", (unsigned long)st.st_ino);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (dup2(p[0], 5) != 5)
			_exit(1);
		close_range(3, 4, 0);
		closefrom(6);
		if (read(5, buf, sizeof(buf)) != 5 || memcmp(buf, "hello", 5))
			_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}
	close(p[0]);
	sleep_ms(50);
	EXPECT_EQ('S', cr_proc_state(pid));
	ASSERT_GT(sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE), 0)
		TH_LOG("checkpoint: %s", strerror(errno));
	EXPECT_TRUE(no_stop_seen(pid));
	ASSERT_EQ(5, write(p[1], "hello", 5));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
	close(p[1]);

	ASSERT_EQ(0, pipe(q));
	in.fd = q[0];
	in.key = (unsigned long)key;
	rst = fork();
	ASSERT_GE(rst, 0);
	if (!rst) {
		close(q[1]);
		lseek(img, 0, SEEK_SET);
		sys_restart_inherit(0, img, &in, 1);
		_exit(100 + errno);
	}
	close(q[0]);
	ASSERT_EQ(5, write(q[1], "hello", 5));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(rst));
	close(q[1]);
	close(img);
}

/* A stopped target is dumped as a stopped one: the flag does not thaw it. */
TEST(stopped_stays_stopped)
{
	int img = cr_tmpfile(), status;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = computer();
	ASSERT_GT(pid, 0);
	sleep_ms(50);	/* past its closefrom() */
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_GT(sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE), 0)
		TH_LOG("checkpoint: %s", strerror(errno));
	EXPECT_EQ('T', cr_proc_state(pid));
	kill(pid, SIGKILL);
	cr_wait(pid);
	close(img);
}

/*
 * A vfork parent waits uninterruptibly for its child: it cannot reach the
 * freezer trap.  The checkpoint of it alone gives up (EBUSY); that of its
 * tree refuses the vfork child, which shares its memory (EOPNOTSUPP).
 * Both leave it as it was: it goes on once its child exits.
 */
TEST(unfreezable_busy)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		closefrom(3);
		if (!vfork()) {
			sleep_ms(4000);
			_exit(0);
		}
		_exit(CR_RESTART_OK);
	}
	sleep_ms(200);
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_ROOT_ONLY));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_TRUE(no_stop_seen(pid));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
	close(img);
}

/* A process the caller may not ptrace is not frozen either. */
TEST(unprivileged_no_freeze)
{
	int img = cr_tmpfile();
	unsigned long r[2];
	pid_t pid, nobody;

	ASSERT_GE(img, 0);
	if (getuid())
		SKIP(return, "needs root to switch uids");
	pid = computer();
	ASSERT_GT(pid, 0);
	nobody = fork();
	ASSERT_GE(nobody, 0);
	if (!nobody) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		if (sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE) != -1 || errno != EPERM)
			_exit(2);
		_exit(0);
	}
	EXPECT_EQ(0, cr_wait(nobody));
	/* it was never frozen: it computes to its end */
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
	EXPECT_EQ(1, read_results(r, 2));
	close(img);
}

/* Flags: kill needs another process; unknown bits are refused. */
TEST(flags)
{
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	EXPECT_EQ(-1, sys_checkpoint(0, img, CR_CHECKPOINT_KILL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_checkpoint(0, img, 1UL << 30));
	EXPECT_EQ(EINVAL, errno);
	close(img);
}

TEST_HARNESS_MAIN
