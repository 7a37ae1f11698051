// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: event files - eventfd, signalfd, timerfd - and epoll (#15).
 *
 * A child makes one of each kind with state in it, stops itself, is
 * checkpointed, killed and restarted (or, for the reference run, only
 * continued), then reads what its files hold and writes it to a result
 * file: the counters, the semaphore reads, the signal a signalfd takes,
 * the timers' clocks, time left, intervals, settime flags and the
 * expirations not read before the checkpoint.  And an epoll file with
 * its interest list, read through epoll_wait(2).
 *
 * And the errors: an alarm-clock timerfd restarted without CAP_WAKE_ALARM
 * is refused with EPERM before anything changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#define RESULT	"/tmp/cr-events-result"
#define SEC	1000000000LL
#define NO_ALARM	42	/* exit code: this machine has no alarm timers */

/* Where the child keeps its files, above the fds the C library uses. */
enum { EV_PLAIN = 40, EV_SEM, EV_DUP, SIG_FD, T_ONESHOT, T_FIRED, T_ABS, T_OFF };

/* What the child finds in its files once continued. */
struct events_result {
	int bad;			/* a step failed: its line */
	unsigned long long plain;	/* read of EV_PLAIN (5 + 2 written on EV_DUP) */
	int plain_again;		/* errno of a second read: EAGAIN */
	int sem_reads;			/* reads of 1 from EV_SEM before EAGAIN */
	int signo;			/* what SIG_FD reads */
	int sig_again;			/* errno of a second signalfd read */
	long long oneshot_left;		/* T_ONESHOT: ns left, interval */
	long long oneshot_interval;
	unsigned long long fired;	/* T_FIRED: expirations read at once */
	long long fired_left;
	long long abs_left;		/* T_ABS: ns left */
	int abs_flags;			/* its fdinfo "settime flags" */
	int abs_clock;			/* its fdinfo "clockid" */
	long long off_left;		/* T_OFF: ns left, 0 */
	int flags_plain;		/* fcntl(F_GETFL) of EV_PLAIN: O_NONBLOCK */
};

static long long ns_of(const struct timespec *ts)
{
	return ts->tv_sec * SEC + ts->tv_nsec;
}

static long long left_ns(int fd, long long *interval)
{
	struct itimerspec it;

	if (timerfd_gettime(fd, &it))
		return -1;
	if (interval)
		*interval = ns_of(&it.it_interval);
	return ns_of(&it.it_value);
}

/* A number after @key in /proc/self/fdinfo/@fd, or -1. */
static long fdinfo(int fd, const char *key, int base)
{
	char path[64], *buf, *s;
	size_t len;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	buf = cr_slurp(path, &len);
	s = buf ? strstr(buf, key) : NULL;
	if (s)
		v = strtol(s + strlen(key), NULL, base);
	free(buf);
	return v;
}

static void child(void)
{
	struct itimerspec hour = { .it_value = { 3600, 0 } };
	struct itimerspec fire = { { 3600, 0 }, { 0, 1000 } };
	struct itimerspec abs = { };
	struct events_result r = { };
	int *bad = &r.bad;
	struct signalfd_siginfo si;
	struct timespec now;
	unsigned long long v;
	sigset_t set;
	int i;

	/* nothing but the files made here (the image's fd is the test's) */
	close_range(3, ~0U, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 1);
	if (FAILED(!sigprocmask(SIG_BLOCK, &set, NULL)))
		goto out;
	if (FAILED(!cr_move_fd(eventfd(5, EFD_NONBLOCK), EV_PLAIN)))
		goto out;
	if (FAILED(!cr_move_fd(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK), EV_SEM)))
		goto out;
	if (FAILED(dup2(EV_PLAIN, EV_DUP) == EV_DUP))
		goto out;
	if (FAILED(!cr_move_fd(signalfd(-1, &set, SFD_NONBLOCK), SIG_FD)))
		goto out;
	if (FAILED(!kill(getpid(), SIGUSR1)))
		goto out;
	if (FAILED(!cr_move_fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), T_ONESHOT)))
		goto out;
	if (FAILED(!timerfd_settime(T_ONESHOT, 0, &hour, NULL)))
		goto out;
	/* fires once at once, then every hour: one expiration not read */
	if (FAILED(!cr_move_fd(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK), T_FIRED)))
		goto out;
	if (FAILED(!timerfd_settime(T_FIRED, 0, &fire, NULL)))
		goto out;
	if (FAILED(!cr_move_fd(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK), T_ABS)))
		goto out;
	if (FAILED(!clock_gettime(CLOCK_REALTIME, &now)))
		goto out;
	abs.it_value.tv_sec = now.tv_sec + 3600;
	if (FAILED(!timerfd_settime(T_ABS, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &abs,
				    NULL)))
		goto out;
	if (FAILED(!cr_move_fd(timerfd_create(CLOCK_MONOTONIC, 0), T_OFF)))
		goto out;
	for (i = 0; i < 100 && fdinfo(T_FIRED, "ticks: ", 10) != 1; i++)
		usleep(1000);
	if (FAILED(fdinfo(T_FIRED, "ticks: ", 10) == 1))
		goto out;

	raise(SIGSTOP);

	/* restarted, or continued */
	if (FAILED(write(EV_DUP, &(unsigned long long){ 2 }, 8) == 8))
		goto out;
	if (FAILED(read(EV_PLAIN, &r.plain, 8) == 8))
		goto out;
	r.plain_again = read(EV_PLAIN, &v, 8) < 0 ? errno : 0;
	r.flags_plain = fcntl(EV_PLAIN, F_GETFL) & O_NONBLOCK;
	while (r.sem_reads < 10 && read(EV_SEM, &v, 8) == 8 && v == 1)
		r.sem_reads++;
	if (read(SIG_FD, &si, sizeof(si)) == sizeof(si))
		r.signo = si.ssi_signo;
	r.sig_again = read(SIG_FD, &si, sizeof(si)) < 0 ? errno : 0;
	r.oneshot_left = left_ns(T_ONESHOT, &r.oneshot_interval);
	if (FAILED(read(T_FIRED, &r.fired, 8) == 8))
		goto out;
	r.fired_left = left_ns(T_FIRED, NULL);
	r.abs_left = left_ns(T_ABS, NULL);
	r.abs_flags = fdinfo(T_ABS, "settime flags: ", 8);
	r.abs_clock = fdinfo(T_ABS, "clockid: ", 10);
	r.off_left = left_ns(T_OFF, NULL);
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

FIXTURE(events) {
	int img;
};

FIXTURE_VARIANT(events) {
	bool restart;
};

FIXTURE_VARIANT_ADD(events, uninterrupted) {
	.restart = false,
};

FIXTURE_VARIANT_ADD(events, restarted) {
	.restart = true,
};

FIXTURE_SETUP(events)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	unlink(RESULT);
}

FIXTURE_TEARDOWN(events)
{
	close(self->img);
	unlink(RESULT);
}

TEST_F_TIMEOUT(events, state, 60)
{
	struct events_result r;

	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(7, r.plain);
	EXPECT_EQ(EAGAIN, r.plain_again);
	EXPECT_EQ(O_NONBLOCK, r.flags_plain);
	EXPECT_EQ(3, r.sem_reads);
	EXPECT_EQ(SIGUSR1, r.signo);
	EXPECT_EQ(EAGAIN, r.sig_again);
	EXPECT_LT(3000 * SEC, r.oneshot_left);
	EXPECT_GE(3600 * SEC, r.oneshot_left);
	EXPECT_EQ(0, r.oneshot_interval);
	EXPECT_EQ(1, r.fired) TH_LOG("expirations not read before the checkpoint");
	EXPECT_LT(3000 * SEC, r.fired_left);
	EXPECT_LT(3000 * SEC, r.abs_left);
	EXPECT_GE(3600 * SEC, r.abs_left);
	EXPECT_EQ(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, r.abs_flags);
	EXPECT_EQ(CLOCK_REALTIME, r.abs_clock);
	EXPECT_EQ(0, r.off_left);
}

/* What the child finds in its epoll files once continued. */
struct epoll_result {
	int bad;
	unsigned long long first_data;	/* the one event at once: the readable pipe's */
	int again_eexist;		/* adding the pipe again: EEXIST */
	unsigned long long after_write;	/* the eventfd's, once written */
	unsigned long long rearmed;	/* the one-shot pipe's, once re-armed */
	unsigned long long nested;	/* what the epoll file watching it says */
};

enum { EP = 40, EP2, P_RD, P_WR, Q_RD, Q_WR, E_FD };

/* The data of the only event of @ep now, or 0 (none, or more than one). */
static unsigned long long one_event(int ep)
{
	struct epoll_event ev[4];

	return epoll_wait(ep, ev, 4, 0) == 1 ? ev[0].data.u64 : 0;
}

static int add(int ep, int fd, unsigned int events, unsigned long long data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void epoll_child(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 0x44 };
	struct epoll_result er = { };
	int p[2], q[2], *bad = &er.bad;
	char c;

	close_range(3, ~0U, 0);
	if (FAILED(!pipe(p) && !cr_move_fd(p[0], P_RD) && !cr_move_fd(p[1], P_WR)))
		goto out;
	if (FAILED(!pipe(q) && !cr_move_fd(q[0], Q_RD) && !cr_move_fd(q[1], Q_WR)))
		goto out;
	if (FAILED(!cr_move_fd(eventfd(0, EFD_NONBLOCK), E_FD)))
		goto out;
	if (FAILED(!cr_move_fd(epoll_create1(0), EP) &&
		   !cr_move_fd(epoll_create1(EPOLL_CLOEXEC), EP2)))
		goto out;
	if (FAILED(!add(EP, P_RD, EPOLLIN, 0x11)))
		goto out;
	if (FAILED(!add(EP, E_FD, EPOLLIN | EPOLLET, 0x22)))
		goto out;
	if (FAILED(!add(EP, Q_RD, EPOLLIN | EPOLLONESHOT, 0x44)))
		goto out;
	if (FAILED(!add(EP2, EP, EPOLLIN, 0x55)))
		goto out;
	/* the one-shot item fires once, then is disarmed though readable */
	if (FAILED(write(Q_WR, "q", 1) == 1 && one_event(EP) == 0x44))
		goto out;
	if (FAILED(write(P_WR, "p", 1) == 1))
		goto out;

	raise(SIGSTOP);

	er.first_data = one_event(EP);
	er.again_eexist = add(EP, P_RD, EPOLLIN, 0) ? errno : 0;
	if (FAILED(read(P_RD, &c, 1) == 1))
		goto out;
	if (FAILED(write(E_FD, &(unsigned long long){ 1 }, 8) == 8))
		goto out;
	er.after_write = one_event(EP);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 0x44;
	if (FAILED(!epoll_ctl(EP, EPOLL_CTL_MOD, Q_RD, &ev)))
		goto out;
	er.nested = one_event(EP2);
	er.rearmed = one_event(EP);
out:
	cr_put_result(RESULT, &er, sizeof(er));
	_exit(CR_RESTART_OK);
}

/*
 * An epoll file comes back with its interest list: the ready pipe is
 * reported at once, an edge-triggered eventfd once written, a one-shot
 * item that fired stays disarmed until re-armed, and an epoll file
 * watching it sees it ready.
 */
TEST_F_TIMEOUT(events, epoll_set, 60)
{
	struct epoll_result er;

	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, epoll_child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &er, sizeof(er)));
	ASSERT_EQ(0, er.bad) TH_LOG("the child failed at line %d", er.bad);
	EXPECT_EQ(0x11, er.first_data);
	EXPECT_EQ(EEXIST, er.again_eexist);
	EXPECT_EQ(0x22, er.after_write);
	EXPECT_EQ(0x55, er.nested);
	EXPECT_EQ(0x44, er.rearmed);
}

/*
 * An epoll item whose fd was closed while its file lives on (restart adds
 * items back by fd): refused with EOPNOTSUPP, and the process runs on.
 */
TEST(epoll_closed_fd_refused)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int p[2];

		close_range(3, ~0U, 0);
		if (pipe(p) || cr_move_fd(p[0], P_RD) || cr_move_fd(epoll_create1(0), EP) ||
		    add(EP, P_RD, EPOLLIN, 1) || dup2(P_RD, Q_RD) != Q_RD || close(P_RD))
			_exit(1);
		raise(SIGSTOP);
		/* still watched, through the file Q_RD holds */
		_exit(write(p[1], "x", 1) == 1 && one_event(EP) == 1 ? CR_RESTART_OK : 2);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
	close(img);
}

/* Drop CAP_WAKE_ALARM from the effective set: 0, or -1. */
static int drop_wake_alarm(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_WAKE_ALARM / 32].effective &= ~(1U << (CAP_WAKE_ALARM % 32));
	return syscall(SYS_capset, &h, d);
}

/*
 * An alarm-clock timerfd, restarted by a caller without CAP_WAKE_ALARM:
 * EPERM, and the caller goes on as it was.
 */
TEST(alarm_needs_cap)
{
	int img = cr_tmpfile(), status;
	pid_t pid;

	ASSERT_GE(img, 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd;

		close_range(3, ~0U, 0);
		fd = timerfd_create(CLOCK_BOOTTIME_ALARM, 0);
		if (fd < 0)
			_exit(errno == EINVAL || errno == ENODEV || errno == EOPNOTSUPP ?
			      NO_ALARM : 1);
		raise(SIGSTOP);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(0, waitpid(pid, &status, WUNTRACED) == pid ? 0 : -1);
	if (WIFEXITED(status) && WEXITSTATUS(status) == NO_ALARM)
		SKIP(close(img); return, "no alarm timers on this machine");
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		long ret;

		if (drop_wake_alarm() || lseek(img, 0, SEEK_SET))
			_exit(2);
		ret = sys_restart(0, img, 0);
		/* still here, whole */
		_exit(ret == -1 && errno == EPERM ? 0 : 3);
	}
	EXPECT_EQ(0, cr_wait(pid));
	/* with the capability it restarts */
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	close(img);
}

TEST_HARNESS_MAIN
