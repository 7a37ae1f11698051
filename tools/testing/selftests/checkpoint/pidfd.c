// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: pidfds of tasks of the tree (#15).
 *
 * A root holds a pidfd of its child (non-blocking) and one of itself, the
 * child a pidfd of its parent; the tree is checkpointed, killed and
 * restarted (or, for the reference run, continued).  Each pidfd names the
 * restored task: fdinfo's Pid, a signal sent through it, the child's exit
 * seen through poll(2) and waitid(P_PIDFD).
 *
 * And the errors: a pidfd of a process outside the tree, and an epoll
 * file watching a pidfd, are refused with EOPNOTSUPP; the process runs on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#define RESULT	"/tmp/cr-pidfd-result"

#ifndef P_PIDFD
#define P_PIDFD	3
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK	O_NONBLOCK
#endif

enum { KID_FD = 40, SELF_FD, PARENT_FD };

struct pidfd_result {
	int bad;		/* a step failed: its line */
	int kid_pid_ok;		/* fdinfo Pid of KID_FD: the child's pid */
	int self_pid_ok;	/* of SELF_FD: the root's */
	int nonblock;		/* O_NONBLOCK of KID_FD */
	int signal_ok;		/* SIGUSR1 through KID_FD reached the child */
	int exit_seen;		/* KID_FD readable once the child ended */
	int waitid_ok;		/* waitid(P_PIDFD, KID_FD) reaped it, status 7 */
};

static int pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

/* The pid in /proc/self/fdinfo/@fd ("Pid:"), or -1. */
static pid_t fdinfo_pid(int fd)
{
	char path[64], *buf, *s;
	pid_t pid = -1;
	size_t len;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	buf = cr_slurp(path, &len);
	s = buf ? strstr(buf, "Pid:") : NULL;
	if (s)
		pid = strtol(s + 4, NULL, 10);
	free(buf);
	return pid;
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = 1;
}

static void root_main(void)
{
	struct pidfd_result r = { };
	int *bad = &r.bad, go[2], done[2];
	struct pollfd pfd;
	siginfo_t si = { };
	pid_t kid;
	char c;

	close_range(3, ~0U, 0);
	signal(SIGUSR1, on_usr1);
	if (FAILED(!pipe(go) && !pipe(done)))
		goto out;
	kid = fork();
	if (!kid) {
		close(go[1]);
		close(done[0]);
		if (cr_move_fd(pidfd_open(getppid(), 0), PARENT_FD))
			_exit(1);
		/* until the root, restarted or continued, says so */
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		if (!got_usr1 || fdinfo_pid(PARENT_FD) != getppid())
			_exit(2);
		_exit(7);
	}
	close(go[0]);
	close(done[1]);
	if (FAILED(kid > 0 && !cr_move_fd(pidfd_open(kid, PIDFD_NONBLOCK), KID_FD) &&
		   !cr_move_fd(pidfd_open(getpid(), 0), SELF_FD)))
		goto out;

	raise(SIGSTOP);

	r.kid_pid_ok = fdinfo_pid(KID_FD) == kid;
	r.self_pid_ok = fdinfo_pid(SELF_FD) == getpid();
	r.nonblock = !!(fcntl(KID_FD, F_GETFL) & O_NONBLOCK);
	r.signal_ok = !syscall(SYS_pidfd_send_signal, KID_FD, SIGUSR1, NULL, 0);
	if (FAILED(write(go[1], "g", 1) == 1))
		goto out;
	pfd.fd = KID_FD;
	pfd.events = POLLIN;
	r.exit_seen = poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN);
	r.waitid_ok = !waitid(P_PIDFD, KID_FD, &si, WEXITED) && si.si_pid == kid &&
		      si.si_code == CLD_EXITED && si.si_status == 7;
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

FIXTURE(pidfd) {
	int img;
};

FIXTURE_VARIANT(pidfd) {
	bool restart;
};

FIXTURE_VARIANT_ADD(pidfd, uninterrupted) {
	.restart = false,
};

FIXTURE_VARIANT_ADD(pidfd, restarted) {
	.restart = true,
};

FIXTURE_SETUP(pidfd)
{
	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	unlink(RESULT);
}

FIXTURE_TEARDOWN(pidfd)
{
	cr_kill_descendants();
	close(self->img);
	unlink(RESULT);
}

TEST_F_TIMEOUT(pidfd, in_tree, 60)
{
	struct pidfd_result r;

	ASSERT_EQ(CR_RESTART_OK, cr_tree_stop_and_go(self->img, variant->restart, root_main))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the root failed at line %d", r.bad);
	EXPECT_EQ(1, r.kid_pid_ok);
	EXPECT_EQ(1, r.self_pid_ok);
	EXPECT_EQ(1, r.nonblock);
	EXPECT_EQ(1, r.signal_ok);
	EXPECT_EQ(1, r.exit_seen);
	EXPECT_EQ(1, r.waitid_ok) TH_LOG("the child did not end as it should (status 7)");
}

/*
 * A pidfd on an fd above the process's soft RLIMIT_NOFILE (lowered after
 * it was opened, as a process may): restart makes it, then sets the
 * limit.  It used to install the pidfd after the limit, past the point of
 * no return, and the restarted process was killed (replace_fd(): EBADF).
 */
static void high_child(void)
{
	struct rlimit rl;

	close_range(3, ~0U, 0);
	if (cr_move_fd(pidfd_open(getpid(), 0), 50) || getrlimit(RLIMIT_NOFILE, &rl))
		_exit(1);
	rl.rlim_cur = 20;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		_exit(1);
	raise(SIGSTOP);
	if (fdinfo_pid(50) != getpid())
		_exit(CR_RESTART_BAD);
	_exit(!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur == 20 ? CR_RESTART_OK :
	      CR_RESTART_BAD + 1);
}

TEST(above_lowered_nofile)
{
	int img = cr_tmpfile(), r;

	ASSERT_GE(img, 0);
	r = cr_stop_and_go(img, true, high_child);
	EXPECT_EQ(CR_RESTART_OK, r) TH_LOG("restarted: %d", r);
	close(img);
}

/* A pidfd of a process outside the tree, or watched by epoll: refused. */
TEST(refused)
{
	int img = cr_tmpfile(), what;
	pid_t pid, test = getpid();

	ASSERT_GE(img, 0);
	for (what = 0; what < 2; what++) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			struct epoll_event ev = { .events = EPOLLIN };

			close_range(3, ~0U, 0);
			if (cr_move_fd(pidfd_open(what ? getpid() : test, 0), 40))
				_exit(1);
			if (what && (cr_move_fd(epoll_create1(0), 41) ||
				     epoll_ctl(41, EPOLL_CTL_ADD, 40, &ev)))
				_exit(1);
			raise(SIGSTOP);
			_exit(0);
		}
		EXPECT_EQ(0, cr_refused(pid, img))
			TH_LOG("case %d: 1 saved, 2 another errno, 3 did not stop or end", what);
	}
	close(img);
}

TEST_HARNESS_MAIN
