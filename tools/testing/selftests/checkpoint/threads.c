// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: checkpoint and restart of multi-threaded processes (#14).
 *
 * A pthread program whose threads each set up state of their own - a
 * __thread value, a blocked mask, an alternate signal stack, a comm, a
 * thread-directed signal left pending (pthread_sigqueue() while blocked),
 * a value in an SSE register across a futex wait - and wait at known
 * points: the main thread in sigwaitinfo(), one thread in
 * pthread_cond_wait(), one holding a robust mutex, the others in a futex
 * wait.  Stopped, checkpointed, killed, restarted in place (a child forked
 * with the saved pid): each thread checks itself once woken, with its tid,
 * and the holder of the robust mutex exits holding it: the next locker
 * gets EOWNERDEAD.  An uninterrupted run makes the same checks first.
 *
 * And Debian's xz with two worker threads, frozen mid-run, killed,
 * restarted as a child: its output is an uninterrupted run's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/futex.h>

#include "cr_test.h"
#include "cr_child.h"
#include "../kselftest_harness.h"

#define NT		4		/* worker threads; thread 0 is main */
#define COND_THREAD	2		/* in pthread_cond_wait() */
#define ROBUST_THREAD	3		/* holds the robust mutex, exits with it */
#define RESULT		"/tmp/cr-threads-result"
#define ALT_SIZE	(64 * 1024)

#define SIG_WAKE	SIGUSR2			/* the test wakes main with it */
#define SIG_SHARED	(SIGRTMIN + 10)		/* process-wide, pending */
#define SIG_OWN(i)	(SIGRTMIN + (i))	/* directed at thread i, pending */
#define SIG_MARK(i)	(SIGRTMIN + 15 + (i))	/* blocked in thread i only */

/* What a thread set up, and what its checks found. */
struct thr {
	pthread_t th;
	pid_t tid;
	int *tls_addr;
	sigset_t mask;
	stack_t alt;
	char name[16];
	unsigned long xmm_in, xmm_out;
	int rseq;
	char why[160];
};

static struct thr thr[NT + 1];
static __thread int tls_val;
static __thread void *volatile handler_frame;	/* the handler writes it */
static int go, ready;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int cond_flag;
static pthread_mutex_t robust;

static long futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/*
 * Wait in FUTEX_WAIT until *@word is not 0, with @v in %xmm8 all along
 * (the kernel keeps it across system calls): what %xmm8 holds after.
 */
static unsigned long wait_go_xmm(int *word, unsigned long v)
{
	unsigned long out;

	asm volatile("movq %[v], %%xmm8\n"
		     "1:\n\t"
		     "cmpl $0, (%[w])\n\t"
		     "jne 2f\n\t"
		     "movq %[w], %%rdi\n\t"
		     "movl %[op], %%esi\n\t"
		     "xorl %%edx, %%edx\n\t"
		     "xorl %%r10d, %%r10d\n\t"
		     "movl %[nr], %%eax\n\t"
		     "syscall\n\t"
		     "jmp 1b\n"
		     "2:\n\t"
		     "movq %%xmm8, %[out]\n\t"
		     : [out] "=r" (out)
		     : [w] "r" (word), [v] "r" (v), [op] "i" (FUTEX_WAIT_PRIVATE),
		       [nr] "i" (SYS_futex)
		     : "rax", "rdi", "rsi", "rdx", "r10", "rcx", "r11", "xmm8", "memory", "cc");
	return out;
}

/*
 * Whether glibc's rseq area of this thread is registered: registering it
 * again fails with EBUSY if it is.  1 yes, 0 no, -1 not known.
 */
static int rseq_registered(void)
{
	void *area;

	if (!__rseq_size)
		return -1;
	area = (char *)__builtin_thread_pointer() + __rseq_offset;
	/* glibc registers 32 bytes (its later versions report less in __rseq_size) */
	if (!syscall(SYS_rseq, area, 32, 0, RSEQ_SIG))
		return 0;
	if (errno == EINVAL && !syscall(SYS_rseq, area, __rseq_size, 0, RSEQ_SIG))
		return 0;
	return errno == EBUSY ? 1 : -1;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	handler_frame = __builtin_frame_address(0);
}

/* Append a complaint to @t->why. */
static void bad(struct thr *t, const char *what)
{
	size_t n = strlen(t->why);

	snprintf(t->why + n, sizeof(t->why) - n, "%s%s", n ? ", " : "", what);
}

/* The state thread @i sets up: its comm, TLS, alternate stack, mask. */
static void setup(int i)
{
	struct thr *t = &thr[i];
	sigset_t m;

	snprintf(t->name, sizeof(t->name), "crthr-%d", i);
	prctl(PR_SET_NAME, t->name);
	tls_val = 1000 + i;
	t->tls_addr = &tls_val;
	t->tid = gettid();
	t->alt.ss_size = ALT_SIZE + i * 4096;
	t->alt.ss_sp = malloc(t->alt.ss_size);
	t->alt.ss_flags = 0;
	if (!t->alt.ss_sp || sigaltstack(&t->alt, NULL))
		bad(t, "sigaltstack failed");
	sigemptyset(&m);
	sigaddset(&m, SIG_WAKE);
	sigaddset(&m, SIG_SHARED);
	sigaddset(&m, SIG_OWN(i));
	sigaddset(&m, SIG_MARK(i));
	if (i == 0) {
		int j;

		for (j = 1; j <= NT; j++)
			sigaddset(&m, SIG_OWN(j));
	}
	pthread_sigmask(SIG_SETMASK, &m, NULL);
	t->mask = m;
	t->rseq = rseq_registered();
}

/* The checks of thread @i, once woken; into thr[i].why. */
static void check(int i)
{
	struct timespec zero = {};
	struct thr *t = &thr[i];
	char name[16] = "";
	sigset_t cur, pend, one;
	siginfo_t si;
	stack_t alt;
	int s, j;

	if (gettid() != t->tid)
		bad(t, "tid changed");
	if (tls_val != 1000 + i || &tls_val != t->tls_addr)
		bad(t, "TLS lost");
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	for (s = 1; s < NSIG; s++) {
		if (sigismember(&cur, s) != sigismember(&t->mask, s)) {
			bad(t, "blocked mask changed");
			break;
		}
	}
	if (sigaltstack(NULL, &alt) || alt.ss_sp != t->alt.ss_sp ||
	    alt.ss_size != t->alt.ss_size || alt.ss_flags)
		bad(t, "sigaltstack changed");
	handler_frame = NULL;
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	if ((char *)handler_frame < (char *)t->alt.ss_sp ||
	    (char *)handler_frame >= (char *)t->alt.ss_sp + t->alt.ss_size)
		bad(t, "handler not on its alternate stack");
	prctl(PR_GET_NAME, name);
	if (strcmp(name, t->name))
		bad(t, "comm changed");
	if (t->rseq == 1 && rseq_registered() != 1)
		bad(t, "rseq area unregistered");

	sigpending(&pend);
	if (!sigismember(&pend, SIG_SHARED))
		bad(t, "process-wide pending signal lost");
	for (j = 1; j <= NT && i; j++) {
		int want = j == i;

		if (sigismember(&pend, SIG_OWN(j)) != want) {
			bad(t, want ? "its pending signal lost" : "another's pending signal");
			break;
		}
	}
	if (i) {
		sigemptyset(&one);
		sigaddset(&one, SIG_OWN(i));
		if (sigtimedwait(&one, &si, &zero) != SIG_OWN(i) || si.si_code != SI_QUEUE ||
		    si.si_value.sival_int != 100 + i || si.si_pid != getpid())
			bad(t, "its pending signal's siginfo changed");
	}
	if (i && i != COND_THREAD && t->xmm_out != t->xmm_in)
		bad(t, "%xmm8 changed");
}

static void *worker(void *arg)
{
	int i = (long)arg;

	setup(i);
	if (i == ROBUST_THREAD && pthread_mutex_lock(&robust))
		bad(&thr[i], "robust lock failed");
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	futex(&ready, FUTEX_WAKE_PRIVATE, 1);
	if (i == COND_THREAD) {
		pthread_mutex_lock(&cm);
		while (!cond_flag)
			pthread_cond_wait(&cv, &cm);
		pthread_mutex_unlock(&cm);
	} else {
		thr[i].xmm_in = 0x0101010101010101UL * (0x10 + i);
		thr[i].xmm_out = wait_go_xmm(&go, thr[i].xmm_in);
	}
	check(i);
	/* ROBUST_THREAD exits holding the robust mutex */
	return NULL;
}

/*
 * The program: threads set up and wait; main queues their signals and
 * waits for SIG_WAKE; then everyone checks; main writes one line per
 * thread to RESULT and exits with CR_RESTART_OK if all is well.
 */
static void threads_main(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	pthread_mutexattr_t ma;
	struct timespec zero = {};
	int i, n, fd, ok = 1;
	union sigval val;
	sigset_t wake;
	siginfo_t si;
	char line[256];

	closefrom(3);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(1);
	setup(0);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	for (i = 1; i <= NT; i++)
		if (pthread_create(&thr[i].th, NULL, worker, (void *)(long)i))
			_exit(2);
	while ((n = __atomic_load_n(&ready, __ATOMIC_SEQ_CST)) < NT)
		futex(&ready, FUTEX_WAIT_PRIVATE, n);
	for (i = 1; i <= NT; i++) {
		val.sival_int = 100 + i;
		if (pthread_sigqueue(thr[i].th, SIG_OWN(i), val))
			_exit(3);
	}
	val.sival_int = 77;
	if (sigqueue(getpid(), SIG_SHARED, val))
		_exit(4);

	sigemptyset(&wake);
	sigaddset(&wake, SIG_WAKE);
	while (sigwaitinfo(&wake, NULL) != SIG_WAKE)
		;

	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	futex(&go, FUTEX_WAKE_PRIVATE, INT_MAX);
	pthread_mutex_lock(&cm);
	cond_flag = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&cm);
	for (i = 1; i <= NT; i++)
		pthread_join(thr[i].th, NULL);
	check(0);
	if (pthread_mutex_lock(&robust) != EOWNERDEAD)
		bad(&thr[0], "no EOWNERDEAD from the robust mutex its holder died with");
	else
		pthread_mutex_consistent(&robust);
	pthread_mutex_unlock(&robust);
	sigemptyset(&wake);
	sigaddset(&wake, SIG_SHARED);
	if (sigtimedwait(&wake, &si, &zero) != SIG_SHARED || si.si_value.sival_int != 77)
		bad(&thr[0], "process-wide signal's siginfo changed");

	fd = open(RESULT, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	for (i = 0; i <= NT; i++) {
		n = snprintf(line, sizeof(line), "thread %d (tid %d): %s\n", i, thr[i].tid,
			     thr[i].why[0] ? thr[i].why : "ok");
		if (fd < 0 || write(fd, line, n) != n)
			_exit(5);
		ok &= !thr[i].why[0];
	}
	close(fd);
	_exit(ok ? CR_RESTART_OK : CR_RESTART_BAD);
}

/* The tids of @pid into @tids (at most @max), sorted: how many. */
static int tids_of(pid_t pid, pid_t *tids, int max)
{
	char path[32];
	struct dirent *e;
	int n = 0, i, j;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			tids[n++] = atoi(e->d_name);
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
			pid_t x = tids[j];

			tids[j] = tids[j - 1];
			tids[j - 1] = x;
		}
	return n;
}

/*
 * Wait until the program's NT + 1 threads are at their wait points: main
 * in rt_sigtimedwait, the others in futex.  Their tids, sorted, into
 * @tids; 0 or -1.
 */
static int threads_ready(pid_t pid, pid_t *tids)
{
	int i, ms;

	for (ms = 0; ms < 30000; ms += 10) {
		if (tids_of(pid, tids, NT + 2) == NT + 1)
			break;
		cr_msleep(10);
	}
	if (tids_of(pid, tids, NT + 2) != NT + 1)
		return -1;
	for (i = 0; i <= NT; i++)
		if (cr_wait_syscall(tids[i], tids[i] == pid ? SYS_rt_sigtimedwait : SYS_futex,
				    20000))
			return -1;
	return 0;
}

static void show_result(struct __test_metadata *_metadata)
{
	char buf[2048];
	int fd = open(RESULT, O_RDONLY), n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		TH_LOG("%s", buf);
	}
}

FIXTURE(threads) {
};

FIXTURE_SETUP(threads)
{
	if (getuid())
		SKIP(return, "needs root (tids are kept: CAP_CHECKPOINT_RESTORE)");
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	unlink(RESULT);
}

FIXTURE_TEARDOWN(threads)
{
	cr_kill_descendants();
}

TEST_F_TIMEOUT(threads, state, 180)
{
	pid_t tids[NT + 2], back[NT + 2], pid;
	char comm[NT + 1][32], now[32];
	int img = cr_tmpfile(), i, st;

	ASSERT_GE(img, 0);
	/* uninterrupted: the checks hold */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		threads_main();
	ASSERT_EQ(0, threads_ready(pid, tids));
	ASSERT_EQ(0, kill(pid, SIG_WAKE));
	st = cr_wait_ms(pid, 60000);
	if (st != CR_RESTART_OK)
		show_result(_metadata);
	ASSERT_EQ(CR_RESTART_OK, st) TH_LOG("the uninterrupted run fails its own checks");
	unlink(RESULT);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		threads_main();
	ASSERT_EQ(0, threads_ready(pid, tids));
	for (i = 0; i <= NT; i++) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tids[i]);
		fd = open(path, O_RDONLY);
		ASSERT_GE(fd, 0);
		memset(comm[i], 0, sizeof(comm[i]));
		ASSERT_GT(read(fd, comm[i], sizeof(comm[i]) - 1), 0);
		close(fd);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 1));
	ASSERT_GT(sys_checkpoint(pid, img, CR_CHECKPOINT_KILL), 0)
		TH_LOG("checkpoint of %d threads: %s", NT + 1, strerror(errno));
	ASSERT_EQ(128 + SIGKILL, cr_wait(pid));
	ASSERT_EQ(0, cr_wait_gone(tids, NT + 1, 10000));

	ASSERT_EQ(pid, cr_restart_as(pid, img, 0));
	ASSERT_EQ(0, cr_wait_exist(tids, NT + 1, 10000)) TH_LOG("a thread is not back");
	ASSERT_EQ(NT + 1, tids_of(pid, back, NT + 2));
	for (i = 0; i <= NT; i++) {
		char path[64];
		int fd;

		EXPECT_EQ(tids[i], back[i]);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tids[i]);
		fd = open(path, O_RDONLY);
		ASSERT_GE(fd, 0);
		memset(now, 0, sizeof(now));
		ASSERT_GT(read(fd, now, sizeof(now) - 1), 0);
		close(fd);
		EXPECT_STREQ(comm[i], now);
	}
	/* back at their wait points, then woken */
	EXPECT_EQ(0, threads_ready(pid, back));
	ASSERT_EQ(0, kill(pid, SIG_WAKE));
	st = cr_wait_ms(pid, 60000);
	show_result(_metadata);
	EXPECT_EQ(CR_RESTART_OK, st);
	close(img);
}

/* Run @argv with stdin from @in and stdout to @out, both by path. */
static pid_t spawn(char *const argv[], const char *in, const char *out)
{
	pid_t pid = fork();

	if (!pid) {
		int i = open(in, O_RDONLY);
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int n = open("/dev/null", O_WRONLY);

		if (i < 0 || o < 0 || n < 0 || dup2(i, 0) || dup2(o, 1) != 1 || dup2(n, 2) != 2)
			_exit(126);
		closefrom(3);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

#define XZ_IN	"/tmp/cr-xz.in"
#define XZ_REF	"/tmp/cr-xz.ref"
#define XZ_OUT	"/tmp/cr-xz.out"

/*
 * Debian's xz compressing 4 MiB with two worker threads (-T2, blocks of
 * 512 KiB), frozen at 40% of an uninterrupted run's time, checkpointed,
 * killed, restarted as a child of the test with its pid and tids.
 */
TEST_F_TIMEOUT(threads, debian_xz, 600)
{
	char *const argv[] = { "/usr/bin/xz", "-T2", "--block-size=512KiB", "-3", "-c", NULL };
	struct cr_proc_ids ids;
	unsigned int seed = 1;
	pid_t pid, tids[8];
	char line[80], *a, *b;
	int fd, i, j, img, nt;
	size_t la, lb;
	long t0, ms;

	if (access(argv[0], X_OK))
		SKIP(return, "no /usr/bin/xz in this VM");
	fd = open(XZ_IN, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	for (i = 0; i < (4 << 20) / (int)sizeof(line); i++) {
		for (j = 0; j < (int)sizeof(line) - 1; j++)
			line[j] = 'a' + rand_r(&seed) % 12;
		line[sizeof(line) - 1] = '\n';
		ASSERT_EQ(0, cr_write_all(fd, line, sizeof(line)));
	}
	close(fd);

	t0 = cr_now_ms();
	pid = spawn(argv, XZ_IN, XZ_REF);
	ASSERT_EQ(0, cr_wait_ms(pid, 300000));
	ms = (cr_now_ms() - t0) * 4 / 10;
	TH_LOG("xz: %ld ms uninterrupted, frozen after %ld ms", ms * 10 / 4, ms);

	pid = spawn(argv, XZ_IN, XZ_OUT);
	ASSERT_GT(pid, 0);
	cr_msleep(ms);
	ASSERT_EQ(0, cr_proc_ids(pid, &ids));
	nt = tids_of(pid, tids, 8);
	ASSERT_GE(nt, 3) TH_LOG("xz runs %d threads at the checkpoint, not 3", nt);
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	ASSERT_GT(sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL), 0)
		TH_LOG("checkpoint of xz (%d threads): %s", nt, strerror(errno));
	ASSERT_EQ(128 + SIGKILL, cr_wait(pid));
	ASSERT_EQ(0, cr_wait_gone(tids, nt, 10000));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	ASSERT_EQ(pid, sys_restart(0, img, CR_RESTART_CHILD))
		TH_LOG("restart(CR_RESTART_CHILD): %s", strerror(errno));
	EXPECT_EQ(0, cr_wait_ms(pid, 300000));

	a = cr_slurp(XZ_REF, &la);
	b = cr_slurp(XZ_OUT, &lb);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_GT(la, 0);
	EXPECT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(a, b, la < lb ? la : lb));
	free(a);
	free(b);
	close(img);
	unlink(XZ_IN);
	unlink(XZ_REF);
	unlink(XZ_OUT);
}

/* A thread that waits for SIGUSR2, then returns. */
static void *usr2_waiter(void *arg)
{
	sigset_t s;
	int sig;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	if (arg && unshare(CLONE_FILES))
		return (void *)1;
	sigwait(&s, &sig);
	return NULL;
}

/*
 * What a multi-threaded process cannot do or be: checkpoint itself
 * (EOPNOTSUPP), restart in place over itself (EBUSY: its address space is
 * shared), be checkpointed with a thread that has an fd table of its own
 * (EOPNOTSUPP, and it runs on untouched).
 */
TEST(refusals)
{
	int img = cr_tmpfile(), status;
	pthread_t th;
	sigset_t s;
	pid_t pid;

	ASSERT_GE(img, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	ASSERT_EQ(0, pthread_sigmask(SIG_BLOCK, &s, NULL));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int e1, e2, n;
		long r;

		if (pthread_create(&th, NULL, usr2_waiter, NULL))
			_exit(1);
		r = sys_checkpoint(0, img, 0);
		e1 = r == -1 ? errno : 0;
		if (lseek(img, 0, SEEK_SET))
			_exit(1);
		r = sys_restart(0, img, 0);
		e2 = r == -1 ? errno : 0;
		pthread_kill(th, SIGUSR2);
		pthread_join(th, NULL);
		n = (e1 == EOPNOTSUPP) + (e2 == EBUSY);
		_exit(n == 2 ? 0 : 10 + e1 % 10 * 10 + e2 % 10);
	}
	EXPECT_EQ(0, cr_wait(pid)) TH_LOG("self checkpoint / restart over a thread");

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		void *ret;

		if (pthread_create(&th, NULL, usr2_waiter, (void *)1))
			_exit(1);
		sigwait(&s, &status);
		pthread_kill(th, SIGUSR2);
		pthread_join(th, &ret);
		_exit(ret ? 1 : CR_RESTART_OK);
	}
	/* wait for the second thread */
	for (status = 0; status < 1000; status++) {
		struct cr_proc_ids ids;

		if (!cr_proc_ids(pid, &ids) && ids.threads == 2)
			break;
		cr_msleep(10);
	}
	cr_msleep(100);
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/*
	 * untouched: it still answers; to its main thread, which may not be
	 * back in sigwait() from the freezer's trap yet while the other one is
	 */
	EXPECT_EQ(0, syscall(SYS_tgkill, pid, pid, SIGUSR2));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
	close(img);
}

TEST_HARNESS_MAIN
