// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: process attributes after restart.
 *
 * A process sets one attribute - non-dumpable, nice 7, oom_score_adj 321,
 * a timer slack, a parent-death signal, an affinity to one CPU,
 * no_new_privs, child subreaper, THP disabled, memory-deny-write-execute
 * (PR_SET_MDWE), a personality flag, a seccomp filter that fails getppid()
 * with EPERM - stops itself, is checkpointed, killed and restarted, and
 * reads it back: one test per attribute.  A seccomp filter or strict
 * mode must come back in force, or the checkpoint be refused with
 * EOPNOTSUPP.
 *
 * And three corners of the signal and register state: a pending signal
 * recorded only in the bitmask (its siginfo could not be allocated), RT
 * signals queued before RLIMIT_SIGPENDING was lowered to 0, and a user
 * rax in [-516, -512] in a process stopped outside any system call (it
 * must come back unchanged, with no system call restarted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_MDWE_REFUSE_EXEC_GAIN	(1UL << 0)
#define PR_GET_MDWE			66
#endif

#define RESULT	"/tmp/cr-attrs-result"
#define GO	"/tmp/cr-attrs-go"

enum attr {
	DUMPABLE, NICE, OOM_SCORE_ADJ, TIMERSLACK, PDEATHSIG, AFFINITY, NO_NEW_PRIVS,
	CHILD_SUBREAPER, THP_DISABLE, MDWE, PERSONALITY, SECCOMP_FILTER,
};

struct attr_result {
	int set_err;		/* errno of setting it */
	long before, after;	/* read back before the stop and after restart */
};

static long read_oom_score_adj(void)
{
	char buf[32] = "";
	int fd = open("/proc/self/oom_score_adj", O_RDONLY);
	long n;

	if (fd < 0)
		return -10000;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -10000;
}

static int write_oom_score_adj(int v)
{
	char buf[32];
	int fd = open("/proc/self/oom_score_adj", O_WRONLY), n, ret;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d", v);
	ret = write(fd, buf, n) == n ? 0 : -1;
	close(fd);
	return ret;
}

/* getppid() fails with EPERM; everything else is allowed. */
static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };

	/* root needs no no_new_privs: keep it out of this test */
	if (getuid() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int set_attr(enum attr a)
{
	cpu_set_t cpus;

	switch (a) {
	case DUMPABLE:
		return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	case NICE:
		return setpriority(PRIO_PROCESS, 0, 7);
	case OOM_SCORE_ADJ:
		return write_oom_score_adj(321);
	case TIMERSLACK:
		return prctl(PR_SET_TIMERSLACK, 123456, 0, 0, 0);
	case PDEATHSIG:
		return prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
	case AFFINITY:
		CPU_ZERO(&cpus);
		CPU_SET(1, &cpus);
		return sched_setaffinity(0, sizeof(cpus), &cpus);
	case NO_NEW_PRIVS:
		return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	case CHILD_SUBREAPER:
		return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	case THP_DISABLE:
		return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	case MDWE:
		return prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0);
	case PERSONALITY:
		return personality(PER_LINUX | ADDR_NO_RANDOMIZE) < 0 ? -1 : 0;
	case SECCOMP_FILTER:
		return install_filter();
	}
	return -1;
}

static long get_attr(enum attr a)
{
	cpu_set_t cpus;
	long v = 0;
	int i;

	errno = 0;
	switch (a) {
	case DUMPABLE:
		return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	case NICE:
		return getpriority(PRIO_PROCESS, 0);
	case OOM_SCORE_ADJ:
		return read_oom_score_adj();
	case TIMERSLACK:
		return prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	case PDEATHSIG:
		i = -1;
		prctl(PR_GET_PDEATHSIG, &i, 0, 0, 0);
		return i;
	case AFFINITY:
		if (sched_getaffinity(0, sizeof(cpus), &cpus))
			return -1;
		for (i = 0; i < 64; i++)
			if (CPU_ISSET(i, &cpus))
				v |= 1L << i;
		return v;
	case NO_NEW_PRIVS:
		return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	case CHILD_SUBREAPER:
		i = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &i, 0, 0, 0);
		return i;
	case THP_DISABLE:
		return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	case MDWE:
		return prctl(PR_GET_MDWE, 0, 0, 0, 0);
	case PERSONALITY:
		return personality(0xffffffff);
	case SECCOMP_FILTER:
		/* -EPERM while the filter is in force */
		return syscall(SYS_getppid) < 0 ? -errno : 0;
	}
	return -1;
}

FIXTURE(attr) {
	int img;
};

FIXTURE_VARIANT(attr) {
	enum attr attr;
	long expect;
	int may_refuse;		/* checkpoint may refuse it with EOPNOTSUPP */
};

FIXTURE_VARIANT_ADD(attr, dumpable) { .attr = DUMPABLE, .expect = 0 };
FIXTURE_VARIANT_ADD(attr, nice) { .attr = NICE, .expect = 7 };
FIXTURE_VARIANT_ADD(attr, oom_score_adj) { .attr = OOM_SCORE_ADJ, .expect = 321 };
FIXTURE_VARIANT_ADD(attr, timerslack) { .attr = TIMERSLACK, .expect = 123456 };
FIXTURE_VARIANT_ADD(attr, pdeathsig) { .attr = PDEATHSIG, .expect = SIGUSR2 };
FIXTURE_VARIANT_ADD(attr, affinity) { .attr = AFFINITY, .expect = 0x2 };
FIXTURE_VARIANT_ADD(attr, no_new_privs) { .attr = NO_NEW_PRIVS, .expect = 1 };
FIXTURE_VARIANT_ADD(attr, child_subreaper) { .attr = CHILD_SUBREAPER, .expect = 1 };
FIXTURE_VARIANT_ADD(attr, thp_disable) { .attr = THP_DISABLE, .expect = 1 };
FIXTURE_VARIANT_ADD(attr, mdwe) { .attr = MDWE, .expect = PR_MDWE_REFUSE_EXEC_GAIN };
FIXTURE_VARIANT_ADD(attr, personality) {
	.attr = PERSONALITY, .expect = PER_LINUX | ADDR_NO_RANDOMIZE,
};

FIXTURE_VARIANT_ADD(attr, seccomp_filter) {
	.attr = SECCOMP_FILTER, .expect = -EPERM, .may_refuse = 1,
};

FIXTURE_SETUP(attr)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	unlink(RESULT);
}

FIXTURE_TEARDOWN(attr)
{
	close(self->img);
	unlink(RESULT);
}

TEST_F_TIMEOUT(attr, restored, 30)
{
	struct attr_result r = {};
	pid_t pid;
	int ret;

	if (variant->attr == AFFINITY) {
		cpu_set_t cpus;

		if (sched_getaffinity(0, sizeof(cpus), &cpus) || !CPU_ISSET(1, &cpus) ||
		    CPU_COUNT(&cpus) < 2)
			SKIP(return, "needs CPUs 0 and 1 (%d online)",
			     (int)sysconf(_SC_NPROCESSORS_ONLN));
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		closefrom(3);
		if (set_attr(variant->attr)) {
			r.set_err = errno ?: EINVAL;
			cr_put_result(RESULT, &r, sizeof(r));
			_exit(2);
		}
		r.before = get_attr(variant->attr);
		raise(SIGSTOP);
		r.after = get_attr(variant->attr);
		cr_put_result(RESULT, &r, sizeof(r));
		_exit(CR_RESTART_OK);
	}
	if (cr_stop_wait(pid, 0)) {
		ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
		SKIP(return, "cannot set it: %s", strerror(r.set_err));
	}
	if (cr_checkpoint_kill(pid, self->img) < 0) {
		ASSERT_EQ(EOPNOTSUPP, errno) TH_LOG("checkpoint: %s", strerror(errno));
		ASSERT_TRUE(variant->may_refuse);
		TH_LOG("checkpoint refused (EOPNOTSUPP)");
		return;
	}
	ret = cr_restart_child(self->img);
	ASSERT_EQ(CR_RESTART_OK, ret) TH_LOG("restarted process ended with %d", ret);
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(variant->expect, r.before);
	EXPECT_EQ(variant->expect, r.after)
		TH_LOG("after restart %ld (%#lx), expected %ld (%#lx) as before checkpoint",
		       r.after, r.after, variant->expect, variant->expect);
}

/* A file mapped shared by the child and the test: a go flag and a ready flag. */
static volatile int *map_go(void)
{
	int fd = open(GO, O_RDWR | O_CREAT, 0600);
	void *p;

	if (fd < 0 || ftruncate(fd, 4096))
		return NULL;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int wait_ready(volatile int *go)
{
	int i;

	for (i = 0; i < 1000 && !go[1]; i++)
		cr_msleep(10);
	return go[1] ? 0 : -1;
}

/*
 * Strict mode: after restart, getppid() must kill the process (SIGKILL),
 * or the checkpoint must be refused.  The child spins on a shared file
 * mapping (no system call) until the test lets it go.
 */
TEST(seccomp_strict)
{
	int img = cr_tmpfile(), status;
	volatile int *go;
	pid_t pid;

	ASSERT_GE(img, 0);
	unlink(GO);
	go = map_go();
	ASSERT_NE(NULL, go);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		closefrom(3);
		prctl(PR_SET_NAME, "crstrict");
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0))
			_exit(2);
		go[1] = 1;
		while (!go[0])
			;
		syscall(SYS_getppid);
		syscall(SYS_exit, CR_RESTART_OK);
	}
	if (wait_ready(go)) {
		ASSERT_EQ(2, cr_wait(pid));
		SKIP(return, "no seccomp strict mode");
	}
	cr_msleep(50);
	ASSERT_EQ(0, cr_stop_wait(pid, 1));
	if (cr_checkpoint_kill(pid, img) < 0) {
		ASSERT_EQ(EOPNOTSUPP, errno) TH_LOG("checkpoint: %s", strerror(errno));
		TH_LOG("checkpoint refused (EOPNOTSUPP)");
		return;
	}
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	if (cr_wait_restarted(pid, "crstrict", 10000, &status) != 1) {
		go[0] = 1;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	}
	if (WIFEXITED(status))
		TH_LOG("the restarted process called getppid() and exited with %d%s",
		       WEXITSTATUS(status), WEXITSTATUS(status) == CR_RESTART_OK ?
		       ": not in strict mode" : "");
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	close(img);
	unlink(GO);
}

/*
 * A legacy signal whose siginfo could not be allocated (RLIMIT_SIGPENDING
 * 0, sigqueue's si_code < 0) is pending in the bitmask only.
 */
TEST(pending_bitmask_only)
{
	struct {
		int before, after;
	} r = {};
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	unlink(RESULT);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct rlimit old, none;
		union sigval v = { .sival_int = 5 };
		sigset_t set;

		closefrom(3);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		getrlimit(RLIMIT_SIGPENDING, &old);
		none = old;
		none.rlim_cur = 0;
		if (setrlimit(RLIMIT_SIGPENDING, &none) || sigqueue(getpid(), SIGUSR1, v) ||
		    setrlimit(RLIMIT_SIGPENDING, &old))
			_exit(2);
		sigpending(&set);
		r.before = sigismember(&set, SIGUSR1);
		raise(SIGSTOP);
		sigpending(&set);
		r.after = sigismember(&set, SIGUSR1);
		cr_put_result(RESULT, &r, sizeof(r));
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0) TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(1, r.before);
	EXPECT_EQ(1, r.after) TH_LOG("the pending SIGUSR1 is gone after restart");
	close(img);
	unlink(RESULT);
}

/*
 * Two SIGRTMIN queued (blocked), then RLIMIT_SIGPENDING lowered to 0: the
 * limit applies to new signals, not to those already queued.
 */
TEST(pending_rt_with_sigpending_limit_0)
{
	struct {
		int got, value;
		struct rlimit rl;
	} r = {};
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	unlink(RESULT);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		union sigval v = { .sival_int = 9 };
		struct timespec zero = { 0, 0 };
		struct rlimit rl;
		sigset_t set;
		siginfo_t si;

		closefrom(3);
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (sigqueue(getpid(), SIGRTMIN, v) || sigqueue(getpid(), SIGRTMIN, v))
			_exit(2);
		getrlimit(RLIMIT_SIGPENDING, &rl);
		rl.rlim_cur = 0;
		if (setrlimit(RLIMIT_SIGPENDING, &rl))
			_exit(2);
		raise(SIGSTOP);
		while (sigtimedwait(&set, &si, &zero) == SIGRTMIN) {
			r.got++;
			r.value = si.si_value.sival_int;
		}
		getrlimit(RLIMIT_SIGPENDING, &r.rl);
		cr_put_result(RESULT, &r, sizeof(r));
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0) TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	EXPECT_EQ(0, r.rl.rlim_cur);
	EXPECT_EQ(2, r.got) TH_LOG("%d of the 2 queued SIGRTMIN after restart", r.got);
	if (r.got)
		EXPECT_EQ(9, r.value);
	close(img);
	unlink(RESULT);
}

/*
 * A user rax in [-516, -512] - the -ERESTART* codes and -ENOIOCTLCMD -
 * held in a tight loop (no system call) when SIGSTOP comes: after restart
 * rax is the same and no system call restart was applied.
 */
FIXTURE(user_rax) {
	int img;
	volatile int *go;
};

FIXTURE_VARIANT(user_rax) {
	long rax;
};

FIXTURE_VARIANT_ADD(user_rax, erestartsys) { .rax = -512 };
FIXTURE_VARIANT_ADD(user_rax, erestartnointr) { .rax = -513 };
FIXTURE_VARIANT_ADD(user_rax, erestartnohand) { .rax = -514 };
FIXTURE_VARIANT_ADD(user_rax, enoioctlcmd) { .rax = -515 };
FIXTURE_VARIANT_ADD(user_rax, erestart_restartblock) { .rax = -516 };
FIXTURE_VARIANT_ADD(user_rax, minus_511) { .rax = -511 };

FIXTURE_SETUP(user_rax)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	unlink(GO);
	unlink(RESULT);
	self->go = map_go();
	ASSERT_NE(NULL, self->go);
}

FIXTURE_TEARDOWN(user_rax)
{
	close(self->img);
	unlink(GO);
	unlink(RESULT);
}

TEST_F_TIMEOUT(user_rax, kept, 30)
{
	volatile int *go = self->go;
	long rax;
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		long v = variant->rax;

		closefrom(3);
		prctl(PR_SET_NAME, "crrax");
		asm volatile("mov %[v], %%rax\n\t"
			     "movl $1, 4(%[m])\n\t"
			     "1: cmpl $0, (%[m])\n\t"
			     "je 1b\n\t"
			     "mov %%rax, %[v]\n\t"
			     : [v] "+r" (v)
			     : [m] "r" (go)
			     : "rax", "memory", "cc");
		cr_put_result(RESULT, &v, sizeof(v));
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(0, wait_ready(go));
	cr_msleep(50);
	ASSERT_EQ(0, cr_stop_wait(pid, 1));
	ASSERT_GT(cr_checkpoint_kill(pid, self->img), 0) TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		sys_restart(0, self->img, 0);
		_exit(100 + errno);
	}
	if (cr_wait_restarted(pid, "crrax", 10000, &status) != 1) {
		go[0] = 1;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) > 100)
		TH_LOG("restart of a process with rax %ld: restart() failed: %s",
		       variant->rax, strerror(WEXITSTATUS(status) - 100));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("killed by signal %d", WTERMSIG(status));
	ASSERT_EQ(CR_RESTART_OK, WEXITSTATUS(status));
	ASSERT_EQ(0, cr_get_result(RESULT, &rax, sizeof(rax)));
	EXPECT_EQ(variant->rax, rax);
}

TEST_HARNESS_MAIN
