// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: checkpoint of another (stopped) process, what is refused,
 * and restart's error paths on either side of its point of no return.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <time.h>
#include <asm/ldt.h>

#include "cr_test.h"
#include "cr_child.h"
#include "../kselftest_harness.h"

#define ROUNDS	30000000UL

/*
 * Children append their result to this file, opened by path when they
 * are done.  Until then they hold no fd but 0-2 (fork_bare()): the
 * harness's pipes would be left to the restarter, which hands none in.
 */
#define RESULT	"/tmp/cr-result"

/* A 32-bit program that pauses forever (compat32.S, no libc) */
#define COMPAT32	"/usr/local/bin/compat32"

/* A computation whose result does not depend on when it is interrupted. */
static unsigned long compute(unsigned long rounds)
{
	volatile unsigned long x = 1;
	unsigned long i;

	for (i = 0; i < rounds; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL + (x >> 29);
	return x;
}

/* Stop @pid and wait until it is in the group stop. */
static int stop(pid_t pid)
{
	int status;

	if (kill(pid, SIGSTOP) || waitpid(pid, &status, WUNTRACED) != pid)
		return -1;
	return WIFSTOPPED(status) ? 0 : -1;
}

/* Results so far, in order; returns how many (at most @max). */
static int read_results(long *r, int max)
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

/* The computing child: appends its result and exits. */
static void computer(void)
{
	put_result(compute(ROUNDS));
	_exit(CR_RESTART_OK);
}

/* A child that only keeps fds 0-2. */
static pid_t fork_bare(void)
{
	pid_t pid = fork();

	if (!pid)
		closefrom(3);
	return pid;
}

/* A computer() child, stopped after running for @ms; -1 on failure. */
static pid_t stopped_computer(long ms)
{
	struct timespec ts = { 0, ms * 1000 * 1000 };
	pid_t pid;

	unlink(RESULT);
	pid = fork_bare();
	if (!pid)
		computer();
	if (pid < 0)
		return -1;
	nanosleep(&ts, NULL);
	if (stop(pid)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

TEST(stopped_target_restarts)
{
	unsigned long expect = compute(ROUNDS);
	int img = cr_tmpfile();
	long r[3];
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = stopped_computer(30);
	ASSERT_GT(pid, 0);
	ASSERT_GT(sys_checkpoint(pid, img, 0), 0) TH_LOG("checkpoint: %s", strerror(errno));

	/* still stopped, untouched: it runs on and gets the right answer */
	EXPECT_EQ('T', cr_proc_state(pid));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
	ASSERT_EQ(1, read_results(r, 3));
	EXPECT_EQ(expect, r[0]);

	/* the image, restarted in a fresh process, finishes the same way */
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(2, read_results(r, 3));
	EXPECT_EQ(expect, r[1]);
}

/* ckpt; kill -9; rstr: the process comes back after its original died. */
TEST(killed_target_restarts)
{
	unsigned long expect = compute(ROUNDS);
	int img = cr_tmpfile();
	long r[2];
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = stopped_computer(50);
	ASSERT_GT(pid, 0);
	ASSERT_GT(sys_checkpoint(pid, img, 0), 0);
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, cr_wait(pid));
	EXPECT_EQ(0, read_results(r, 2));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(1, read_results(r, 2));
	EXPECT_EQ(expect, r[0]);
}

/*
 * Stop signals sent to a process already stopped stay pending; SIGCONT
 * would flush them, and so does checkpoint: the image restarts and runs.
 */
TEST(stop_signals_pending)
{
	unsigned long expect = compute(ROUNDS);
	int img = cr_tmpfile();
	long r[2];
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = stopped_computer(50);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(0, kill(pid, SIGTSTP));
	ASSERT_EQ(0, kill(pid, SIGTTIN));
	ASSERT_GT(sys_checkpoint(pid, img, 0), 0);
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, cr_wait(pid));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(1, read_results(r, 2));
	EXPECT_EQ(expect, r[0]);
}

/* Stopped inside nanosleep(): the restarted process finishes the sleep. */
TEST(stopped_in_nanosleep)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int img = cr_tmpfile();
	pid_t pid;
	long r;

	ASSERT_GE(img, 0);
	unlink(RESULT);
	pid = fork_bare();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct timespec t = { 1, 0 }, t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = nanosleep(&t, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* 0 from nanosleep and at least the full second since t0 */
		r = r ? 1 : (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
		put_result(r);
		_exit(CR_RESTART_OK);
	}
	nanosleep(&ts, NULL);
	ASSERT_EQ(0, stop(pid));
	ASSERT_GT(sys_checkpoint(pid, img, 0), 0);
	kill(pid, SIGKILL);
	cr_wait(pid);
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(1, read_results(&r, 1));
	EXPECT_GE(r, 1000000000L);
}

/* As an unprivileged user: another user's process is off limits. */
TEST(eperm_unprivileged)
{
	int img = cr_tmpfile();
	pid_t root_pid, pid;

	ASSERT_GE(img, 0);
	if (getuid())
		SKIP(return, "needs root to switch uids");
	root_pid = fork();
	ASSERT_GE(root_pid, 0);
	if (!root_pid) {
		for (;;)
			pause();
	}
	ASSERT_EQ(0, stop(root_pid));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int status;
		pid_t mine;
		long r;

		if (setgid(65534) || setuid(65534))
			_exit(1);
		/* root's (stopped) process: no ptrace rights, no image */
		r = sys_checkpoint(root_pid, img, 0);
		if (r != -1 || errno != EPERM)
			_exit(2);
		/* pid 1: the same */
		r = sys_checkpoint(1, img, 0);
		if (r != -1 || errno != EPERM)
			_exit(3);
		/* but its own child, stopped, is fine */
		prctl(PR_SET_DUMPABLE, 1);
		mine = fork_bare();
		if (!mine) {
			/* stop only once the fds are closed */
			raise(SIGSTOP);
			for (;;)
				pause();
		}
		if (waitpid(mine, &status, WUNTRACED) != mine || !WIFSTOPPED(status))
			_exit(4);
		r = sys_checkpoint(mine, img, 0);
		kill(mine, SIGKILL);
		_exit(r > 0 ? 0 : 5);
	}
	EXPECT_EQ(0, cr_wait(pid));
	kill(root_pid, SIGKILL);
	cr_wait(root_pid);
}

/* Run @fn as uid/gid 65534 in a child; its exit code. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(90);
		_exit(fn(arg));
	}
	return pid < 0 ? -1 : cr_wait(pid);
}

static int nobody_checkpoints(void *arg)
{
	int img = cr_tmpfile();

	if (kill(*(pid_t *)arg, SIGSTOP))
		return 91;
	if (sys_checkpoint(*(pid_t *)arg, img, 0) != -1)
		return 92;
	return errno == EPERM ? 0 : 93;
}

/*
 * A setuid-root program run by nobody: nobody may signal it (its real uid)
 * but not checkpoint it (it could not ptrace it); root may.
 */
TEST(setuid_target)
{
	const char *prog = "/tmp/cr-suid-counter";
	char status[64], line[256];
	int img = cr_tmpfile(), euid = -1, st;
	FILE *f;
	pid_t pid;

	ASSERT_GE(img, 0);
	if (getuid())
		SKIP(return, "needs root to make a setuid program");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int in = open("/usr/local/bin/counter", O_RDONLY);
		int out = open(prog, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		char buf[65536];
		ssize_t n;

		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n)
				_exit(1);
		_exit(in < 0 || out < 0 || close(out) || chmod(prog, 04755));
	}
	ASSERT_EQ(0, cr_wait(pid));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		closefrom(3);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(1);
		execl(prog, prog, "100000", "100", NULL);
		_exit(2);
	}
	/* running setuid: euid 0, real uid nobody */
	snprintf(status, sizeof(status), "/proc/%d/status", pid);
	for (int i = 0; i < 100 && euid != 0; i++) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		f = fopen(status, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "Uid:", 4))
				sscanf(line, "Uid: %*d %d", &euid);
		if (f)
			fclose(f);
	}
	if (euid) {
		kill(pid, SIGKILL);
		cr_wait(pid);
		SKIP(return, "setuid did not take (nosuid /tmp?)");
	}
	EXPECT_EQ(0, as_nobody(nobody_checkpoints, &pid));
	/* root may: it could ptrace it (once nobody's SIGSTOP has stopped it) */
	ASSERT_EQ(pid, waitpid(pid, &st, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(st));
	EXPECT_GT(sys_checkpoint(pid, img, 0), 0) TH_LOG("%s", strerror(errno));
	kill(pid, SIGKILL);
	cr_wait(pid);
	unlink(prog);
}

/* In a child: @img on fd @to, /dev/null on 0-2, and no other fd. */
static int keep_only(int img, int to)
{
	int null = open("/dev/null", O_RDWR);

	/* fds 0-2 that anyone may reopen, for restarts by nobody */
	if (null < 0 || dup2(null, 0) || dup2(null, 1) != 1 || dup2(null, 2) != 2)
		return -1;
	if (dup2(img, to) != to)
		return -1;
	close_range(3, to - 1, 0);
	close_range(to + 1, ~0U, 0);
	return 0;
}

static int nobody_restarts(void *arg)
{
	int img = *(int *)arg;

	if (lseek(img, 0, SEEK_SET))
		return 91;
	sys_restart(0, img, 0);
	return 100 + errno;
}

/*
 * Root's image restarted by nobody: the process has nobody's uid and no
 * capability; a file only root may read cannot be mapped (EACCES, the
 * caller intact).
 */
TEST(restart_keeps_caller_creds)
{
	int img = cr_tmpfile(), secret_img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	ASSERT_GE(secret_img, 0);
	if (getuid())
		SKIP(return, "needs root");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2];

		if (keep_only(img, 10) || cr_self_checkpoint(10))
			_exit(CR_ORIG_OK);
		if (syscall(SYS_capget, &h, d))
			_exit(CR_RESTART_BAD);
		if (getuid() != 65534 || geteuid() != 65534 || getgid() != 65534 ||
		    d[0].effective || d[0].permitted || d[1].effective || d[1].permitted)
			_exit(CR_RESTART_BAD + 1);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	EXPECT_EQ(CR_RESTART_OK, as_nobody(nobody_restarts, &img));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd;

		if (keep_only(secret_img, 10))
			_exit(1);
		fd = open("/tmp/cr-secret", O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 4096) ||
		    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			_exit(1);
		close(fd);
		if (cr_self_checkpoint(10))
			_exit(CR_ORIG_OK);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	EXPECT_EQ(100 + EACCES, as_nobody(nobody_restarts, &secret_img));
	/* root may */
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(secret_img));
	unlink("/tmp/cr-secret");
}

static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* Refusals leave the process running; each has its errno. */
TEST(refuse_threads)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		pthread_t t;

		if (pthread_create(&t, NULL, idle_thread, NULL))
			_exit(1);
		if (sys_checkpoint(0, img, 0) != -1 || errno != EOPNOTSUPP)
			_exit(2);
		/* restart() with a second thread: the address space is shared */
		if (sys_restart(0, img, 0) != -1 || errno != EBUSY)
			_exit(3);
		_exit(0);
	}
	EXPECT_EQ(0, cr_wait(pid));
}

static int vm_sharer(void *arg)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		pause();
	return 0;
}

/* Its address space shared with another process (CLONE_VM): refused. */
TEST(refuse_shared_mm)
{
	int img = cr_tmpfile(), status, n;
	struct cr_proc_ids t[4];
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		static char stack[65536];

		if (clone(vm_sharer, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	/* not before the sharer exists (seen under load: a lone process, saved) */
	for (n = 0; n < 1000 && cr_proc_tree(pid, t, 4) != 2; n++)
		cr_msleep(10);
	ASSERT_EQ(2, cr_proc_tree(pid, t, 4));
	ASSERT_EQ(0, stop(pid));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* untouched: it still runs */
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	kill(pid, SIGKILL);
	cr_wait(pid);
}

TEST(refuse_ptraced)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(1);
		_exit(sys_checkpoint(0, img, 0) == -1 && errno == EOPNOTSUPP ? 0 : 2);
	}
	EXPECT_EQ(0, cr_wait(pid));
}

TEST(refuse_mlocked)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || mlock(p, 4096))
			_exit(1);
		if (sys_checkpoint(0, img, 0) != -1 || errno != EOPNOTSUPP)
			_exit(2);
		munlock(p, 4096);
		_exit(sys_checkpoint(0, img, 0) > 0 ? 0 : 3);
	}
	EXPECT_EQ(0, cr_wait(pid));
}

/* A process with an LDT: refused (selectors into it cannot be encoded). */
TEST(refuse_ldt)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct user_desc d = {
			.entry_number = 0, .base_addr = 0, .limit = 0xfff,
			.seg_32bit = 1, .contents = 0, .limit_in_pages = 1,
		};

		if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)))
			_exit(errno == ENOSYS ? 4 : 1);
		_exit(sys_checkpoint(0, img, 0) == -1 && errno == EOPNOTSUPP ? 0 : 2);
	}
	EXPECT_EQ(0, cr_wait(pid));
}

/*
 * A child that gets some x86 state with @on (0, or errno), checkpoints
 * itself (refused: EOPNOTSUPP), drops the state with @off and checkpoints
 * itself again (saved).  0; 4 when the kernel has no such state (skip).
 */
static int refused_until_dropped(int img, int (*on)(void), int (*off)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		int err = on();

		if (err)
			_exit(err == ENOSYS || err == EINVAL ? 4 : 1);
		if (sys_checkpoint(0, img, 0) != -1 || errno != EOPNOTSUPP)
			_exit(2);
		if (off())
			_exit(1);
		_exit(sys_checkpoint(0, img, 0) > 0 ? 0 : 3);
	}
	return cr_wait(pid);
}

static int ioperm_on(void)
{
	return syscall(SYS_ioperm, 0x80, 1, 1) ? errno : 0;
}

static int ioperm_off(void)
{
	return syscall(SYS_ioperm, 0x80, 1, 0);
}

static int iopl_on(void)
{
	return syscall(SYS_iopl, 3) ? errno : 0;
}

static int iopl_off(void)
{
	return syscall(SYS_iopl, 0);
}

static int tsc_on(void)
{
	return prctl(PR_SET_TSC, PR_TSC_SIGSEGV) ? errno : 0;
}

static int tsc_off(void)
{
	return prctl(PR_SET_TSC, PR_TSC_ENABLE);
}

/* I/O port access (ioperm(2), iopl(2)) is not saved: refused. */
TEST(refuse_ioperm)
{
	int img = cr_tmpfile(), r;

	ASSERT_GE(img, 0);
	r = refused_until_dropped(img, ioperm_on, ioperm_off);
	if (r == 4)
		SKIP(return, "no ioperm(2) here");
	EXPECT_EQ(0, r);
	r = refused_until_dropped(img, iopl_on, iopl_off);
	if (r == 4)
		SKIP(return, "no iopl(2) here");
	EXPECT_EQ(0, r);
}

/* RDTSC made to fault (PR_SET_TSC) is not saved: refused. */
TEST(refuse_tsc_faulting)
{
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	EXPECT_EQ(0, refused_until_dropped(img, tsc_on, tsc_off));
}

/*
 * A 64-bit process running 32-bit code (a far jump to the 32-bit user
 * code segment, as Wine and some JITs do): refused, and left running.
 * The 32-bit code sets a flag and loops; it lives below 4 GiB.
 */
TEST(refuse_32bit_mode)
{
	unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_SHARED | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	volatile unsigned int *flag;
	int img = cr_tmpfile(), status, n;
	unsigned int addr, addr32;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, page);
	addr32 = (unsigned long)page;
	ASSERT_GE(img, 0);
	flag = (volatile unsigned int *)(page + 256);
	addr = (unsigned long)flag;
	/* movl $1, (addr); jmp . */
	page[0] = 0xc7;
	page[1] = 0x05;
	memcpy(page + 2, &addr, 4);
	memcpy(page + 6, "\x01\x00\x00\x00\xeb\xfe", 6);
	/* the far pointer: offset, then selector */
	memcpy(page + 128, &addr32, 4);
	memcpy(page + 132, "\x23\x00", 2);
	pid = fork();
	ASSERT_GE(pid, 0);
	/*
	 * A far jump, not a far return: QEMU's TCG reads the stack of an
	 * lret to another code segment as a supervisor access, which SMAP
	 * faults (a kernel oops on a user instruction).
	 */
	if (!pid)
		asm volatile("ljmpl *(%0)" : : "r"(page + 128));
	if (!pid)
		_exit(1);	/* not reached */
	for (n = 0; n < 1000 && !*flag; n++)
		cr_msleep(10);
	ASSERT_EQ(1, *flag);
	ASSERT_EQ(0, stop(pid));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* untouched: it still runs */
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	kill(pid, SIGKILL);
	cr_wait(pid);
}

/* A 32-bit program (ia32 emulation): refused, and left running. */
TEST(refuse_compat_process)
{
	int img = cr_tmpfile(), status, n;
	char exe[64], path[32];
	pid_t pid;

	ASSERT_GE(img, 0);
	if (access(COMPAT32, X_OK))
		SKIP(return, "no " COMPAT32);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		execl(COMPAT32, COMPAT32, NULL);
		_exit(errno == ENOEXEC ? 4 : 1);
	}
	/* not before it runs the 32-bit program */
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	for (n = 0; n < 1000; n++) {
		ssize_t len = readlink(path, exe, sizeof(exe) - 1);

		if (len > 0) {
			exe[len] = 0;
			if (!strcmp(exe, COMPAT32))
				break;
		}
		cr_msleep(10);
	}
	if (waitpid(pid, &status, WNOHANG) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 4)
		SKIP(return, "no ia32 emulation in this kernel");
	ASSERT_LT(n, 1000);
	ASSERT_EQ(0, stop(pid));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	kill(pid, SIGKILL);
	cr_wait(pid);
}

/* A mapping of a file that was deleted cannot be reopened: refused. */
/*
 * A mapped file unlinked from the name it was opened by but linked under
 * another: its bytes are not saved (the other name's file changes with
 * it), and it cannot be reopened by its path.
 */
TEST(refuse_mapping_unlinked_but_linked)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd = open("/tmp/cr-deleted", O_RDWR | O_CREAT | O_TRUNC, 0600);
		char *p;

		if (fd < 0 || ftruncate(fd, 4096) || link("/tmp/cr-deleted", "/tmp/cr-linked"))
			_exit(1);
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		unlink("/tmp/cr-deleted");
		if (p == MAP_FAILED)
			_exit(1);
		if (sys_checkpoint(0, img, 0) != -1 || errno != EOPNOTSUPP)
			_exit(2);
		unlink("/tmp/cr-linked");
		munmap(p, 4096);
		_exit(sys_checkpoint(0, img, 0) > 0 ? 0 : 3);
	}
	EXPECT_EQ(0, cr_wait(pid));
}

/* Self image of a child that maps @path (when not NULL) and exits. */
static int image_mapping(const char *path)
{
	int img = cr_tmpfile();
	pid_t pid;

	pid = fork();
	if (!pid) {
		if (path) {
			int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

			if (fd < 0 || ftruncate(fd, 8192) ||
			    mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
				_exit(1);
			close(fd);
		}
		if (sys_checkpoint(0, img, 0) < 0)
			_exit(CR_CKPT_FAILED);
		_exit(CR_ORIG_OK);
	}
	return cr_wait(pid) == CR_ORIG_OK ? img : -1;
}

#define READ_LEN	(8 << 20)

static volatile int reading;
static pid_t read_target;
static char *read_buf;
static volatile int reads;

/* Read the target's memory over and over, as a debugger or monitor would. */
static void *vm_reader(void *arg)
{
	char *dst = malloc(READ_LEN), path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", read_target);
	fd = open(path, O_RDONLY);
	while (dst && fd >= 0 && reading)
		if (pread(fd, dst, READ_LEN, (unsigned long)read_buf) > 0)
			reads++;
	if (fd >= 0)
		close(fd);
	free(dst);
	return arg;
}

/*
 * Another process reading the caller's memory (/proc/PID/mem, or
 * /proc/PID/stat, process_vm_readv(2): each holds a reference to the
 * address space for a while) does not share it: restart goes on.  On two CPUs
 * restart failed with EBUSY, "the caller's address space is shared", when
 * the test's own read of /proc/PID/stat met it.
 */
TEST(restart_while_read)
{
	int img = image_mapping(NULL), go[2], i, n, st;
	pthread_t t;
	char c = 0;

	ASSERT_GE(img, 0);
	read_buf = mmap(NULL, READ_LEN, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, read_buf);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, pipe(go));
		read_target = fork();
		ASSERT_GE(read_target, 0);
		if (!read_target) {
			close(go[1]);
			if (read(go[0], &c, 1) != 1 || lseek(img, 0, SEEK_SET))
				_exit(1);
			sys_restart(0, img, 0);
			_exit(100 + errno);
		}
		close(go[0]);
		reading = 1;
		reads = 0;
		ASSERT_EQ(0, pthread_create(&t, NULL, vm_reader, NULL));
		/* the reader at work, or this tests nothing */
		for (n = 0; n < 500 && !reads; n++)
			cr_msleep(10);
		ASSERT_LT(n, 500);
		ASSERT_EQ(1, write(go[1], &c, 1));
		close(go[1]);
		st = cr_wait(read_target);
		reading = 0;
		pthread_join(t, NULL);
		EXPECT_EQ(CR_ORIG_OK, st) TH_LOG("round %d: %s", i, cr_status(st));
	}
	munmap(read_buf, READ_LEN);
	close(img);
}

/*
 * restart(2) in place from a process whose address space another process
 * runs in: from a vfork child (its parent waits in it), and from a
 * process with a CLONE_VM sibling: EBUSY, the caller intact.  Once the
 * sibling is gone, the same process restarts.
 */
TEST(restart_vm_shared)
{
	int img = image_mapping(NULL), st;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = vfork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		lseek(img, 0, SEEK_SET);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	EXPECT_EQ(100 + EBUSY, cr_wait(pid));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		static char stack[65536];
		pid_t sib = clone(vm_sharer, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);

		if (sib < 0 || lseek(img, 0, SEEK_SET))
			_exit(1);
		if (sys_restart(0, img, 0) != -1 || errno != EBUSY)
			_exit(2);
		kill(sib, SIGKILL);
		if (waitpid(sib, NULL, 0) != sib || lseek(img, 0, SEEK_SET))
			_exit(1);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	st = cr_wait(pid);
	EXPECT_EQ(CR_ORIG_OK, st) TH_LOG("%s", cr_status(st));
	close(img);
}

/* A mapped file that is gone: refused before the point of no return. */
TEST(restart_missing_file)
{
	int img = image_mapping("/tmp/cr-mapped");

	ASSERT_GE(img, 0);
	ASSERT_EQ(0, unlink("/tmp/cr-mapped"));
	EXPECT_EQ(100 + ENOENT, cr_restart_child(img));
}

/*
 * Truncated images: inside the records read before the point of no return
 * the caller gets EBADMSG and is intact; inside the page records it is
 * killed.  Never anything else.
 */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

/* a hundred restarts: minutes on a KASAN kernel under TCG */
TEST_F_TIMEOUT(slow, restart_truncated, 240)
{
	int img = image_mapping(NULL), cut_fd;
	size_t len, off, mm_end = 0;
	int before = 0, after = 0;
	struct cr_image im;
	char *buf;

	ASSERT_GE(img, 0);
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	/* everything before the first pages record is read before the point of no return */
	cr_image_open_mem(&im, buf, len, CR_IMAGE_CHECK);
	while (cr_image_next(&im) == CR_IMAGE_REC) {
		if (im.rec.hdr.type == CR_REC_PAGES || im.rec.hdr.type == CR_REC_TAIL) {
			mm_end = im.rec.off;
			break;
		}
	}
	cr_image_close(&im);
	ASSERT_GT(mm_end, 0) TH_LOG("%s", im.why);
	for (off = 1; off < len; off += off < mm_end ? 29 : 4093) {
		int r;

		cut_fd = cr_tmpfile();
		ASSERT_GE(cut_fd, 0);
		ASSERT_EQ(0, cr_write_all(cut_fd, buf, off));
		r = cr_restart_child(cut_fd);
		close(cut_fd);
		if (off < mm_end) {
			ASSERT_TRUE(r == 100 + EBADMSG || r == 100 + ENODATA)
				TH_LOG("cut at %zu: %d", off, r);
			before++;
		} else {
			ASSERT_EQ(128 + SIGKILL, r) TH_LOG("cut at %zu", off);
			after++;
		}
	}
	TH_LOG("%d cuts before the point of no return, %d after", before, after);
	free(buf);
}

TEST_HARNESS_MAIN
