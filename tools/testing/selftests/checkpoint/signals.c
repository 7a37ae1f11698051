// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: signal state and resource limits come back - handlers run
 * on the restored alternate stack with the restored mask, blocked and
 * pending signals (with their siginfo) are delivered after restart, and a
 * restart never raises a hard limit above its caller's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

static char altstack[65536];
static volatile int usr1_ran, usr1_on_altstack, usr1_mask_ok;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	char here;
	sigset_t cur;

	usr1_ran = 1;
	usr1_on_altstack = &here >= altstack && &here < altstack + sizeof(altstack);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	/* sa_mask had SIGWINCH; SIGUSR1 itself is blocked in its handler */
	usr1_mask_ok = sigismember(&cur, SIGWINCH) && sigismember(&cur, SIGUSR1);
}

TEST(signal_state_restored)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
		struct sigaction sa = { .sa_sigaction = on_usr1,
					.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART };
		union sigval v = { .sival_int = 42 };
		struct rlimit rl = { 100, 200 };
		sigset_t set, pend;
		siginfo_t si;

		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, SIGWINCH);
		if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, NULL) ||
		    signal(SIGHUP, SIG_IGN) == SIG_ERR || setrlimit(RLIMIT_NOFILE, &rl))
			_exit(1);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigaddset(&set, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &set, NULL);
		/* pending: a thread-private SIGUSR2, a process-wide SIGRTMIN */
		if (syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2) ||
		    sigqueue(getpid(), SIGRTMIN, v))
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);

		/* dispositions */
		if (sigaction(SIGUSR1, NULL, &sa) || sa.sa_sigaction != on_usr1 ||
		    !(sa.sa_flags & SA_ONSTACK) || !sigismember(&sa.sa_mask, SIGWINCH))
			_exit(CR_RESTART_BAD);
		if (sigaction(SIGHUP, NULL, &sa) || sa.sa_handler != SIG_IGN)
			_exit(CR_RESTART_BAD + 1);
		/* mask and pending */
		sigprocmask(SIG_BLOCK, NULL, &set);
		if (!sigismember(&set, SIGUSR2) || !sigismember(&set, SIGRTMIN) ||
		    sigismember(&set, SIGUSR1))
			_exit(CR_RESTART_BAD + 2);
		if (sigpending(&pend) || !sigismember(&pend, SIGUSR2) ||
		    !sigismember(&pend, SIGRTMIN))
			_exit(CR_RESTART_BAD + 3);
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		if (sigwaitinfo(&set, &si) != SIGRTMIN || si.si_value.sival_int != 42 ||
		    si.si_code != SI_QUEUE)
			_exit(CR_RESTART_BAD + 4);
		/* the handler runs on the restored altstack with its mask */
		raise(SIGUSR1);
		if (!usr1_ran || !usr1_on_altstack || !usr1_mask_ok)
			_exit(CR_RESTART_BAD + 5);
		/* rlimits */
		if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur != 100 || rl.rlim_max != 200)
			_exit(CR_RESTART_BAD + 6);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));

	/* a restarter with other settings */
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct rlimit rl = { 1024, 4096 };

		signal(SIGUSR1, SIG_IGN);
		signal(SIGHUP, SIG_DFL);
		setrlimit(RLIMIT_NOFILE, &rl);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
}

static long ms_of(const struct timeval *tv)
{
	return tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

/* Interval timers keep ticking from restart; the restarter's are gone. */
TEST(itimers_restored)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct itimerval real = { { 1, 0 }, { 30, 0 } }, virt = { { 0, 0 }, { 20, 0 } };
		struct itimerval got;

		signal(SIGALRM, SIG_IGN);
		signal(SIGVTALRM, SIG_IGN);
		if (setitimer(ITIMER_REAL, &real, NULL) || setitimer(ITIMER_VIRTUAL, &virt, NULL))
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (getitimer(ITIMER_REAL, &got) || ms_of(&got.it_interval) != 1000 ||
		    ms_of(&got.it_value) <= 0 || ms_of(&got.it_value) > 30000)
			_exit(CR_RESTART_BAD);
		/* setitimer() adds a tick to the CPU timers: 20 s + 1 tick at most */
		if (getitimer(ITIMER_VIRTUAL, &got) || ms_of(&got.it_interval) != 0 ||
		    ms_of(&got.it_value) <= 0 || ms_of(&got.it_value) > 20000 + 10)
			_exit(CR_RESTART_BAD + 1);
		/* the restarter's ITIMER_PROF is not inherited */
		if (getitimer(ITIMER_PROF, &got) || got.it_value.tv_sec || got.it_value.tv_usec)
			_exit(CR_RESTART_BAD + 2);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct itimerval prof = { { 0, 0 }, { 50, 0 } };

		signal(SIGPROF, SIG_IGN);
		setitimer(ITIMER_PROF, &prof, NULL);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
}

/* An unprivileged restart cannot raise a hard limit: it is clamped. */
TEST(rlimit_never_raised)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	if (getuid())
		SKIP(return, "needs root to switch uids");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct rlimit rl = { 1024, 4096 };
		int null = open("/dev/null", O_RDWR);

		/* fds any user can reopen */
		if (null < 0 || dup2(null, 0) || dup2(null, 1) != 1 || dup2(null, 2) != 2)
			_exit(1);
		close(null);
		if (setrlimit(RLIMIT_NOFILE, &rl) || setgid(65534) || setuid(65534))
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (getrlimit(RLIMIT_NOFILE, &rl))
			_exit(CR_RESTART_BAD);
		_exit(rl.rlim_max == 512 && rl.rlim_cur == 512 ? CR_RESTART_OK :
		      CR_RESTART_BAD + 1);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct rlimit rl = { 256, 512 };

		if (setgid(65534) || setuid(65534) || setrlimit(RLIMIT_NOFILE, &rl))
			_exit(1);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
}

TEST_HARNESS_MAIN
