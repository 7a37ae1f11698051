// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: a process stopped inside a blocking system call and
 * restarted goes on by the kernel's rules, as if it had been continued:
 * with no handled signal the call goes on (nanosleep for the time it had
 * left); a handled signal pending at checkpoint runs its handler at
 * restart, and the call then restarts or fails with EINTR per SA_RESTART
 * and per call (pause, poll and nanosleep always fail with EINTR).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define RESULT	"/tmp/cr-syscalls-result"
#define SLEEP_S	30

enum call { READ, POLL, POLL_TIMEOUT, PAUSE, FUTEX, NANOSLEEP };

/* What the restarted child reports. */
struct result {
	long ret;
	int err;
	int usr1;	/* SIGUSR1 handler runs */
	int usr2;
	long rem_ns;	/* nanosleep: the time it had left when interrupted */
};

static volatile sig_atomic_t usr1, usr2;
static int pipe_w;
static int futex_word;

static void on_usr1(int sig)
{
	usr1++;
}

/* Completes a blocked read or futex wait once the call is restarted. */
static void on_usr2(int sig)
{
	usr2++;
	futex_word = 1;
	if (write(pipe_w, "x", 1) != 1)
		_exit(2);
}

static void put_result(const struct result *r)
{
	int fd = open(RESULT, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, r, sizeof(*r)) != sizeof(*r))
		_exit(1);
	close(fd);
}

static int get_result(struct result *r)
{
	int fd = open(RESULT, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, r, sizeof(*r));
	close(fd);
	return n == sizeof(*r) ? 0 : -1;
}

/* The child: blocks in @call with both signal handlers set. */
static void __attribute__((noreturn)) blocker(enum call call, int sa_restart)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timespec ts = { SLEEP_S, 0 }, rem = { 0, 0 };
	struct pollfd pfd;
	struct result r = {};
	int p[2];
	char c;

	closefrom(3);
	if (pipe(p))
		_exit(1);
	pipe_w = p[1];
	sa.sa_flags = sa_restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	pfd.fd = p[0];
	pfd.events = POLLIN;

	switch (call) {
	case READ:
		r.ret = read(p[0], &c, 1);
		break;
	case POLL:
		r.ret = poll(&pfd, 1, -1);
		break;
	case POLL_TIMEOUT:
		r.ret = poll(&pfd, 1, SLEEP_S * 1000);
		break;
	case PAUSE:
		r.ret = pause();
		break;
	case FUTEX:
		r.ret = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		break;
	case NANOSLEEP:
		r.ret = nanosleep(&ts, &rem);
		break;
	}
	r.err = r.ret < 0 ? errno : 0;
	r.usr1 = usr1;
	r.usr2 = usr2;
	r.rem_ns = rem.tv_sec * 1000000000L + rem.tv_nsec;
	put_result(&r);
	_exit(CR_RESTART_OK);
}

FIXTURE(interrupted) {
	int img;
};

FIXTURE_VARIANT(interrupted) {
	enum call call;
	int pending;		/* SIGUSR1 sent while stopped */
	int sa_restart;		/* its handler has SA_RESTART */
	int blocks;		/* still blocked after restart, until SIGUSR2 */
	long ret;
	int err;
};

/* read(2) on a pipe: -ERESTARTSYS */
FIXTURE_VARIANT_ADD(interrupted, read_goes_on) {
	.call = READ, .blocks = 1, .ret = 1,
};

FIXTURE_VARIANT_ADD(interrupted, read_handler_sa_restart) {
	.call = READ, .pending = 1, .sa_restart = 1, .blocks = 1, .ret = 1,
};

FIXTURE_VARIANT_ADD(interrupted, read_handler_eintr) {
	.call = READ, .pending = 1, .ret = -1, .err = EINTR,
};

/* poll(2) without timeout: -ERESTARTNOHAND: EINTR whenever a handler runs */
FIXTURE_VARIANT_ADD(interrupted, poll_goes_on) {
	.call = POLL, .blocks = 1, .ret = -1, .err = EINTR,
};

FIXTURE_VARIANT_ADD(interrupted, poll_handler_eintr) {
	.call = POLL, .pending = 1, .sa_restart = 1, .ret = -1, .err = EINTR,
};

/* with a timeout: a restart block cr does not save, re-executed whole */
FIXTURE_VARIANT_ADD(interrupted, poll_timeout_goes_on) {
	.call = POLL_TIMEOUT, .blocks = 1, .ret = -1, .err = EINTR,
};

FIXTURE_VARIANT_ADD(interrupted, poll_timeout_handler_eintr) {
	.call = POLL_TIMEOUT, .pending = 1, .sa_restart = 1, .ret = -1, .err = EINTR,
};

/* pause(2): -ERESTARTNOHAND */
FIXTURE_VARIANT_ADD(interrupted, pause_goes_on) {
	.call = PAUSE, .blocks = 1, .ret = -1, .err = EINTR,
};

FIXTURE_VARIANT_ADD(interrupted, pause_handler_eintr) {
	.call = PAUSE, .pending = 1, .sa_restart = 1, .ret = -1, .err = EINTR,
};

/* FUTEX_WAIT without timeout: -ERESTARTSYS; restarted, it sees the new word */
FIXTURE_VARIANT_ADD(interrupted, futex_goes_on) {
	.call = FUTEX, .blocks = 1, .ret = -1, .err = EAGAIN,
};

FIXTURE_VARIANT_ADD(interrupted, futex_handler_sa_restart) {
	.call = FUTEX, .pending = 1, .sa_restart = 1, .blocks = 1, .ret = -1, .err = EAGAIN,
};

FIXTURE_VARIANT_ADD(interrupted, futex_handler_eintr) {
	.call = FUTEX, .pending = 1, .ret = -1, .err = EINTR,
};

/* nanosleep(2): -ERESTART_RESTARTBLOCK, resumed for the time it had left */
FIXTURE_VARIANT_ADD(interrupted, nanosleep_goes_on) {
	.call = NANOSLEEP, .blocks = 1, .ret = -1, .err = EINTR,
};

FIXTURE_VARIANT_ADD(interrupted, nanosleep_handler_eintr) {
	.call = NANOSLEEP, .pending = 1, .sa_restart = 1, .ret = -1, .err = EINTR,
};

FIXTURE_SETUP(interrupted)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	unlink(RESULT);
}

FIXTURE_TEARDOWN(interrupted)
{
	close(self->img);
	unlink(RESULT);
}

TEST_F(interrupted, restart)
{
	/* long enough for the child to block, and for nanosleep to lose 2 s */
	struct timespec ts = { variant->call == NANOSLEEP ? 2 : 0, 300 * 1000 * 1000 };
	struct timespec settle = { 0, 500 * 1000 * 1000 };
	struct result r;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		blocker(variant->call, variant->sa_restart);
	nanosleep(&ts, NULL);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	if (variant->pending)
		ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_GT(sys_checkpoint(pid, self->img, 0), 0) TH_LOG("checkpoint: %s", strerror(errno));
	kill(pid, SIGKILL);
	ASSERT_EQ(128 + SIGKILL, cr_wait(pid));
	ASSERT_NE(0, get_result(&r));

	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		sys_restart(0, self->img, 0);
		_exit(100 + errno);
	}
	nanosleep(&settle, NULL);
	if (variant->blocks) {
		/* the call goes on: the process is still inside it */
		EXPECT_EQ(0, waitpid(pid, &status, WNOHANG)) TH_LOG("the call returned at restart");
		ASSERT_EQ(0, kill(pid, SIGUSR2));
	}
	ASSERT_EQ(CR_RESTART_OK, cr_wait(pid));
	ASSERT_EQ(0, get_result(&r));
	EXPECT_EQ(variant->ret, r.ret);
	EXPECT_EQ(variant->err, r.err) TH_LOG("errno %d (%s)", r.err, strerror(r.err));
	EXPECT_EQ(variant->pending, r.usr1);
	if (variant->blocks)
		EXPECT_EQ(1, r.usr2);
	if (variant->call == NANOSLEEP) {
		/*
		 * Stopped after >= 2 s of 30: it had < 28.x s left, and sleeps
		 * on from there (re-executed whole, it would have ~29.5 s).
		 */
		EXPECT_LT(r.rem_ns, (SLEEP_S - 1) * 1000000000L);
		EXPECT_GT(r.rem_ns, (SLEEP_S - 10) * 1000000000L);
	}
}

TEST_HARNESS_MAIN
