// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: the mask a call with a temporary signal mask saves
 * comes back.  A process blocks SIGHUP and SIGTERM (0x4001) and waits in
 * rt_sigsuspend, ppoll, pselect6, epoll_pwait, epoll_pwait2 or
 * io_pgetevents with only SIGHUP blocked (0x1); it is stopped inside the
 * call, checkpointed, killed and restarted, and SIGTERM comes (pending at
 * checkpoint, or sent after restart).  Its handler must run once, its
 * frame must restore 0x4001, and every return from the call must find
 * 0x4001 blocked again - as after SIGCONT, where TIF_RESTORE_SIGMASK puts
 * saved_sigmask back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <linux/aio_abi.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef SYS_io_pgetevents
#define SYS_io_pgetevents 333
#endif

#define RESULT	"/tmp/cr-sigmask-result"
#define COMM	"crmask"
#define MAXRET	4

/* The kernel's sigset_t on x86_64: one word. */
#define ORIG_MASK	((1UL << (SIGHUP - 1)) | (1UL << (SIGTERM - 1)))
#define TEMP_MASK	(1UL << (SIGHUP - 1))

enum call { SIGSUSPEND, PPOLL, PSELECT6, EPOLL_PWAIT, EPOLL_PWAIT2, IO_PGETEVENTS };

struct result {
	int setup_err;		/* errno of a setup call that failed */
	int nret;		/* returns from the call */
	long ret[MAXRET];
	int err[MAXRET];
	unsigned long mask[MAXRET];	/* blocked right after each return */
	int term;		/* SIGTERM handler runs */
	unsigned long uc_mask;	/* the mask its frame restores */
};

/* pselect6's sixth argument and io_pgetevents' struct __aio_sigset */
struct kmask_arg {
	const unsigned long *mask;
	size_t size;
};

static volatile int term;
static volatile unsigned long uc_mask;

static void on_term(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;

	term++;
	memcpy((void *)&uc_mask, &uc->uc_sigmask, sizeof(uc_mask));
}

static unsigned long blocked_now(void)
{
	unsigned long m = 0;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, sizeof(m));
	return m;
}

static long do_call(enum call call, aio_context_t aio)
{
	static const unsigned long tmp = TEMP_MASK;
	struct kmask_arg arg = { &tmp, sizeof(tmp) };
	struct epoll_event ev;
	struct io_event ioev;

	switch (call) {
	case SIGSUSPEND:
		return syscall(SYS_rt_sigsuspend, &tmp, sizeof(tmp));
	case PPOLL:
		return syscall(SYS_ppoll, NULL, 0, NULL, &tmp, sizeof(tmp));
	case PSELECT6:
		return syscall(SYS_pselect6, 0, NULL, NULL, NULL, NULL, &arg);
	case EPOLL_PWAIT:
		/* fd 0 is an epoll instance with nothing in it */
		return syscall(SYS_epoll_pwait, 0, &ev, 1, -1, &tmp, sizeof(tmp));
	case EPOLL_PWAIT2:
		return syscall(SYS_epoll_pwait2, 0, &ev, 1, NULL, &tmp, sizeof(tmp));
	case IO_PGETEVENTS:
		return syscall(SYS_io_pgetevents, aio, 1, 1, &ioev, NULL, &arg);
	}
	return -1;
}

/* fd 0 becomes an empty epoll instance (an fd 0-2 cr leaves to the restarter). */
static int epoll_on_fd0(void)
{
	int ep = epoll_create1(0);

	if (ep < 0 || dup2(ep, 0))
		return -1;
	close(ep);
	return 0;
}

static int uses_epoll(enum call call)
{
	return call == EPOLL_PWAIT || call == EPOLL_PWAIT2;
}

static void __attribute__((noreturn)) waiter(enum call call)
{
	struct sigaction sa = { .sa_sigaction = on_term, .sa_flags = SA_SIGINFO };
	unsigned long orig = ORIG_MASK;
	struct result r = {};
	aio_context_t aio = 0;

	closefrom(3);
	unlink(RESULT);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) ||
	    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &orig, NULL, sizeof(orig)))
		_exit(1);
	if ((uses_epoll(call) && epoll_on_fd0()) ||
	    (call == IO_PGETEVENTS && syscall(SYS_io_setup, 1, &aio))) {
		r.setup_err = errno;
		cr_put_result(RESULT, &r, sizeof(r));
		_exit(2);
	}
	prctl(PR_SET_NAME, COMM);
	while (r.nret < MAXRET && !term) {
		r.ret[r.nret] = do_call(call, aio);
		r.err[r.nret] = r.ret[r.nret] < 0 ? errno : 0;
		r.mask[r.nret] = blocked_now();
		r.nret++;
	}
	r.term = term;
	r.uc_mask = uc_mask;
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

FIXTURE(sigmask) {
	int img;
};

FIXTURE_VARIANT(sigmask) {
	enum call call;
	int pending;	/* SIGTERM sent while stopped, before checkpoint */
};

FIXTURE_VARIANT_ADD(sigmask, sigsuspend) { .call = SIGSUSPEND };
FIXTURE_VARIANT_ADD(sigmask, sigsuspend_pending) { .call = SIGSUSPEND, .pending = 1 };
FIXTURE_VARIANT_ADD(sigmask, ppoll) { .call = PPOLL };
FIXTURE_VARIANT_ADD(sigmask, ppoll_pending) { .call = PPOLL, .pending = 1 };
FIXTURE_VARIANT_ADD(sigmask, pselect6) { .call = PSELECT6 };
FIXTURE_VARIANT_ADD(sigmask, pselect6_pending) { .call = PSELECT6, .pending = 1 };
FIXTURE_VARIANT_ADD(sigmask, epoll_pwait) { .call = EPOLL_PWAIT };
FIXTURE_VARIANT_ADD(sigmask, epoll_pwait_pending) { .call = EPOLL_PWAIT, .pending = 1 };
FIXTURE_VARIANT_ADD(sigmask, epoll_pwait2) { .call = EPOLL_PWAIT2 };
FIXTURE_VARIANT_ADD(sigmask, epoll_pwait2_pending) { .call = EPOLL_PWAIT2, .pending = 1 };
FIXTURE_VARIANT_ADD(sigmask, io_pgetevents) { .call = IO_PGETEVENTS };
FIXTURE_VARIANT_ADD(sigmask, io_pgetevents_pending) { .call = IO_PGETEVENTS, .pending = 1 };

FIXTURE_SETUP(sigmask)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	unlink(RESULT);
}

FIXTURE_TEARDOWN(sigmask)
{
	close(self->img);
	unlink(RESULT);
}

TEST_F_TIMEOUT(sigmask, restart, 30)
{
	struct result r;
	int i, status = 0;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		waiter(variant->call);
	/* in the call: named, and asleep */
	if (cr_wait_comm(pid, COMM, 10000)) {
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
		if (r.setup_err == ENOSYS)
			SKIP(return, "no epoll or aio in this kernel");
		ASSERT_EQ(0, r.setup_err) TH_LOG("setup: %s", strerror(r.setup_err));
	}
	ASSERT_EQ(0, cr_wait_state(pid, 'S'));
	cr_msleep(200);
	ASSERT_EQ(0, cr_stop_wait(pid, 1));
	if (variant->pending)
		ASSERT_EQ(0, kill(pid, SIGTERM));
	if (cr_checkpoint_kill(pid, self->img) < 0) {
		if (errno == EOPNOTSUPP && variant->call == IO_PGETEVENTS)
			SKIP(return, "checkpoint refused (EOPNOTSUPP): the aio ring mapping");
		ASSERT_TRUE(0) TH_LOG("checkpoint: %s", strerror(errno));
	}

	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* the restarter's fd 0 stands for the child's epoll fd 0 */
		if (uses_epoll(variant->call) && epoll_on_fd0())
			_exit(3);
		sys_restart(0, self->img, 0);
		_exit(100 + errno);
	}
	if (!variant->pending) {
		/* restarted, and back in the call */
		ASSERT_EQ(0, cr_wait_restarted(pid, COMM, 10000, &status))
			TH_LOG("restart did not finish (status %#x)", status);
		ASSERT_EQ(0, cr_wait_state(pid, 'S'));
		cr_msleep(200);
		ASSERT_EQ(0, kill(pid, SIGTERM));
	}
	ASSERT_EQ(CR_RESTART_OK, cr_wait(pid));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));

	EXPECT_EQ(1, r.term) TH_LOG("SIGTERM handler ran %d times", r.term);
	EXPECT_EQ(ORIG_MASK, r.uc_mask)
		TH_LOG("the handler's frame restores blocked %#lx, expected %#lx",
		       r.uc_mask, ORIG_MASK);
	for (i = 0; i < r.nret; i++) {
		EXPECT_EQ(ORIG_MASK, r.mask[i])
			TH_LOG("return %d of the call (%ld, errno %d): blocked %#lx, expected %#lx",
			       i + 1, r.ret[i], r.err[i], r.mask[i], ORIG_MASK);
	}
	ASSERT_GE(r.nret, 1);
	EXPECT_EQ(-1, r.ret[r.nret - 1]);
	EXPECT_EQ(EINTR, r.err[r.nret - 1]);
}

TEST_HARNESS_MAIN
