// SPDX-License-Identifier: GPL-2.0
/*
 * cr_bench - checkpoint and restart speed against dd on the same file
 * system, in the same run.
 *
 *   cr_bench [DIR] [--tree N] [--threads N] [--cow MiB] MiB...
 *
 * For each size: a child dirties that much anonymous memory and stops;
 * checkpoint(child) writes it to DIR/cr-bench.img (default /tmp, a tmpfs
 * in the VM); a new process restarts it and checks samples of the memory.
 * Then dd writes and reads the same number of bytes in the same place.
 * Prints MiB/s and the ratios of the times to dd's, and what summing the
 * image costs: XXH64 over its bytes in memory (cr_sum.h, the algorithm
 * checkpoint and restart run over the stream), as a share of each time;
 * and the most kernel memory each took, sampled every 2 ms from
 * /proc/meminfo (Slab, VmallocUsed) above what it was before.
 *
 * --tree N: a tree of N processes (a root, about sqrt(N) children, their
 * children), each asleep in sigwaitinfo(), frozen, checkpointed and killed
 * (CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL), restarted as a child with
 * its pids (CR_RESTART_CHILD), then woken to exit; --threads N: the same
 * with one process of N threads.  Prints the times and the cost per task
 * next to fork() + exit() + wait() (pthread_create() + exit + join for
 * threads) measured in the same run.
 *
 * --cow MiB: a process that dirtied MiB of anonymous memory and then
 * forked COW_KIDS children, each of which wrote a sixteenth of it: the
 * same, with the image size and the processes' summed Pss before the
 * checkpoint and once they are back (read before "all back" ends), next
 * to what the image would be without sharing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/futex.h>

#include "cr_test.h"
#include "cr_child.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The time XXH64 takes over the image at @path, mapped and read in first; -1 on error. */
static double sum_time(const char *path)
{
	volatile unsigned char sink = 0;
	struct cr_sum s;
	struct stat st;
	double t = -1;
	size_t i;
	int fd = open(path, O_RDONLY);
	unsigned char *p;

	if (fd < 0 || fstat(fd, &st))
		goto out;
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	for (i = 0; i < (size_t)st.st_size; i += 4096)
		sink += p[i];
	t = now();
	cr_sum_reset(&s, CR_SUM_SEED);
	cr_sum_update(&s, p, st.st_size);
	sink += cr_sum_digest(&s);
	t = now() - t;
	munmap(p, st.st_size);
out:
	if (fd >= 0)
		close(fd);
	return t;
}

/* The kernel memory /proc/meminfo reports, in KiB: Slab + VmallocUsed. */
static long kmem_kb(void)
{
	char line[128];
	long v, sum = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld", &v) == 1 || sscanf(line, "VmallocUsed: %ld", &v) == 1)
			sum += v;
	fclose(f);
	return sum;
}

/* A thread that keeps the peak of kmem_kb() until told to stop. */
struct kmem_peak {
	pthread_t thread;
	volatile int stop;
	long base;
	long peak;
};

static void *kmem_sample(void *arg)
{
	struct kmem_peak *k = arg;
	struct timespec t = { 0, 2 * 1000 * 1000 };
	long v;

	while (!k->stop) {
		v = kmem_kb();
		if (v > k->peak)
			k->peak = v;
		nanosleep(&t, NULL);
	}
	return NULL;
}

static void kmem_start(struct kmem_peak *k)
{
	k->stop = 0;
	k->base = kmem_kb();
	k->peak = k->base;
	if (pthread_create(&k->thread, NULL, kmem_sample, k))
		k->base = -1;
}

/* The peak above the base, in KiB; -1 if it could not be sampled. */
static long kmem_stop(struct kmem_peak *k)
{
	if (k->base < 0)
		return -1;
	k->stop = 1;
	pthread_join(k->thread, NULL);
	return k->peak - k->base;
}

static double run(const char *cmd)
{
	double t0 = now();

	if (system(cmd))
		fprintf(stderr, "cr_bench: %s failed\n", cmd);
	return now() - t0;
}

static int bench(const char *dir, long mib)
{
	size_t len = (size_t)mib << 20, i;
	double tc, tr, tw, trd, ts;
	struct kmem_peak k;
	long kc, kr;
	char img[256], dd[256], cmd[600];
	unsigned long *p;
	int fd, status;
	long crid;
	pid_t pid;

	snprintf(img, sizeof(img), "%s/cr-bench.img", dir);
	snprintf(dd, sizeof(dd), "%s/cr-bench.dd", dir);
	pid = fork();
	if (!pid) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		for (i = 0; i < len / sizeof(*p); i++)
			p[i] = i * 2654435761UL + 1;
		raise(SIGSTOP);
		/* restarted: check a sample of every 64th page */
		for (i = 0; i < len / sizeof(*p); i += 512 * 64)
			if (p[i] != i * 2654435761UL + 1)
				_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;

	fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	kmem_start(&k);
	tc = now();
	crid = sys_checkpoint(pid, fd, 0);
	tc = now() - tc;
	kc = kmem_stop(&k);
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (crid <= 0) {
		perror("checkpoint");
		return -1;
	}

	ts = sum_time(img);
	kmem_start(&k);
	tr = now();
	pid = fork();
	if (!pid) {
		fd = open(img, O_RDONLY);
		sys_restart(0, fd, 0);
		_exit(100 + errno);
	}
	status = cr_wait(pid);
	tr = now() - tr;
	kr = kmem_stop(&k);
	if (status) {
		fprintf(stderr, "cr_bench: restart of %ld MiB ended with %d\n", mib, status);
		return -1;
	}
	unlink(img);

	snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of=%s bs=1048576 count=%ld 2>/dev/null",
		 dd, mib);
	tw = run(cmd);
	snprintf(cmd, sizeof(cmd), "dd if=%s of=/dev/null bs=1048576 2>/dev/null", dd);
	trd = run(cmd);
	unlink(dd);

	printf("%6ld MiB | checkpoint %7.0f MiB/s  dd write %7.0f MiB/s  ratio %.2f | "
	       "restart %7.0f MiB/s  dd read %7.0f MiB/s  ratio %.2f | "
	       "sum %5.0f ms: %4.1f%% of checkpoint, %4.1f%% of restart | "
	       "kernel memory peak (slab + vmalloc): checkpoint +%ld KiB, restart +%ld KiB\n",
	       mib, mib / tc, mib / tw, tc / tw, mib / tr, mib / trd, tr / trd,
	       ts * 1000, ts < 0 ? -1 : 100 * ts / tc, ts < 0 ? -1 : 100 * ts / tr, kc, kr);
	return 0;
}

/* --- trees and threads ------------------------------------------------------ */

#define BENCH_MAX_TASKS	1024

/* Wait for SIGUSR2, blocked since the tree was made. */
static void bench_wait(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	while (sigwaitinfo(&s, NULL) != SIGUSR2)
		;
}

/*
 * fork() with SIGUSR2 blocked in the child, which bench_wait() waits for,
 * and no fd but 0-2: 0 in the child, its pid (or -1) in the parent.
 */
static pid_t fork_blocked(void)
{
	sigset_t s;
	pid_t pid;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	pid = fork();
	if (!pid) {
		closefrom(3);
		return 0;
	}
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	return pid;
}

/*
 * A process of the tree with @n processes in its subtree (itself
 * included), @fan children at most: makes them (each a node of the same
 * kind), waits, wakes them, reaps them, exits.
 */
static void tree_node(int n, int fan)
{
	pid_t kids[BENCH_MAX_TASKS];
	int nk = 0, left = n - 1, i;

	while (left > 0 && nk < fan) {
		int sub = (left + (fan - nk) - 1) / (fan - nk);
		pid_t pid = fork();

		if (pid < 0)
			_exit(1);
		if (!pid) {
			/* a node of its own, with @sub processes */
			nk = 0;
			left = sub - 1;
			continue;
		}
		kids[nk++] = pid;
		left -= sub;
	}
	bench_wait();
	for (i = 0; i < nk; i++)
		kill(kids[i], SIGUSR2);
	for (i = 0; i < nk; i++)
		if (cr_wait(kids[i]))
			_exit(1);
	_exit(0);
}

/* Wait up to 60 s until the tree of @root has @n processes, all asleep in sigwaitinfo(). */
static int tree_waiting(pid_t root, int n, pid_t *pids)
{
	struct cr_proc_ids *t = malloc(BENCH_MAX_TASKS * sizeof(*t));
	int ms, i, got = 0;

	for (ms = 0; t && ms < 60000; ms += 10) {
		got = cr_proc_tree(root, t, BENCH_MAX_TASKS);
		for (i = 0; got == n && i < n; i++)
			if (cr_wait_syscall(t[i].pid, SYS_rt_sigtimedwait, 0))
				break;
		if (got == n && i == n)
			break;
		cr_msleep(10);
	}
	for (i = 0; i < got && pids; i++)
		pids[i] = t[i].pid;
	free(t);
	return got == n && ms < 60000 ? 0 : -1;
}

/* fork() + _exit() + waitpid() of @n processes, one after another: seconds. */
static double fork_exit(int n)
{
	double t0 = now();
	int i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (!pid)
			_exit(0);
		if (pid < 0 || cr_wait(pid))
			return -1;
	}
	return now() - t0;
}

/* The size of the last image ckpt_restart() wrote. */
static long long bench_img_bytes;

/*
 * Checkpoint the running tree of @root (@n tasks, pids or tids @pids) to
 * @img with CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL, and restart it as a
 * child: the times of the checkpoint, of restart() and until every task
 * is back at its wait point (@back() says), in seconds.  0, or -1.
 */
static int ckpt_restart(const char *what, pid_t root, const pid_t *pids, int n, const char *img,
			int (*back)(pid_t root, int n), double *tc, double *tr, double *tb)
{
	double t0;
	int fd;
	long ret;

	fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	t0 = now();
	ret = sys_checkpoint(root, fd, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL);
	*tc = now() - t0;
	bench_img_bytes = lseek(fd, 0, SEEK_END);
	if (ret <= 0) {
		fprintf(stderr, "cr_bench: %s: checkpoint: %s\n", what, strerror(errno));
		close(fd);
		kill(root, SIGKILL);
		cr_kill_descendants();
		return -1;
	}
	if (cr_wait_gone(pids, n, 30000)) {
		fprintf(stderr, "cr_bench: %s: tasks survived CR_CHECKPOINT_KILL\n", what);
		close(fd);
		cr_kill_descendants();
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	t0 = now();
	ret = sys_restart(0, fd, CR_RESTART_CHILD);
	*tr = now() - t0;
	close(fd);
	unlink(img);
	if (ret != root) {
		fprintf(stderr, "cr_bench: %s: restart: %s\n", what,
			ret < 0 ? strerror(errno) : "another root pid");
		cr_kill_descendants();
		return -1;
	}
	if (back(root, n)) {
		fprintf(stderr, "cr_bench: %s: not all back at their wait points\n", what);
		cr_kill_descendants();
		return -1;
	}
	*tb = now() - t0;
	kill(root, SIGUSR2);
	if (cr_wait(root)) {
		fprintf(stderr, "cr_bench: %s: the restarted root failed\n", what);
		return -1;
	}
	return 0;
}

static int tree_back(pid_t root, int n)
{
	return tree_waiting(root, n, NULL);
}

static int bench_tree(const char *dir, int n)
{
	pid_t pids[BENCH_MAX_TASKS], root;
	double tc, tr, tb, tf;
	char img[256], what[64];
	int fan = 1;

	while (fan * fan < n - 1)
		fan++;
	snprintf(img, sizeof(img), "%s/cr-bench-tree.img", dir);
	snprintf(what, sizeof(what), "tree of %d processes", n);
	tf = fork_exit(n);
	root = fork_blocked();
	if (!root)
		tree_node(n, fan);
	if (root < 0 || tree_waiting(root, n, pids)) {
		fprintf(stderr, "cr_bench: %s: not made\n", what);
		cr_kill_descendants();
		return -1;
	}
	if (ckpt_restart(what, root, pids, n, img, tree_back, &tc, &tr, &tb))
		return -1;
	printf("%s | checkpoint %7.1f ms %6.2f ms/process | restart %7.1f ms, all back %7.1f ms "
	       "%6.2f ms/process | fork+exit+wait %6.2f ms/process\n", what, tc * 1e3,
	       tc * 1e3 / n, tr * 1e3, tb * 1e3, tb * 1e3 / n, tf * 1e3 / n);
	return 0;
}

static int go;

static void *bench_thread(void *arg)
{
	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return arg;
}

static void *nothing(void *arg)
{
	return arg;
}

/* One process of @n threads: all but main in a futex wait; main waits for SIGUSR2. */
static void threads_proc(int n)
{
	pthread_t th[BENCH_MAX_TASKS];
	int i;

	for (i = 1; i < n; i++)
		if (pthread_create(&th[i], NULL, bench_thread, NULL))
			_exit(1);
	bench_wait();
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	for (i = 1; i < n; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

/* Wait up to 60 s until @pid has @n threads, each asleep in its wait. */
static int threads_waiting(pid_t pid, int n)
{
	struct cr_proc_ids ids;
	char path[64];
	int ms, ok = 0;

	for (ms = 0; ms < 60000 && !ok; ms += 10) {
		ok = !cr_proc_ids(pid, &ids) && ids.threads == n &&
		     !cr_wait_syscall(pid, SYS_rt_sigtimedwait, 0);
		if (!ok)
			cr_msleep(10);
	}
	/* every thread but main in its futex wait */
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (ok) {
		DIR *d = opendir(path);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.' && atoi(e->d_name) != pid &&
			    cr_wait_syscall(atoi(e->d_name), SYS_futex, 10000))
				ok = 0;
		if (d)
			closedir(d);
	}
	return ok ? 0 : -1;
}

/* ckpt_restart() counts the process's pid alone: its threads are these. */
static int bench_nthreads;

static int threads_back(pid_t pid, int n)
{
	return threads_waiting(pid, bench_nthreads);
}

static int bench_threads(const char *dir, int n)
{
	pthread_t th[BENCH_MAX_TASKS];
	double tc, tr, tb, tf, t0;
	char img[256], what[64];
	pid_t pid;
	int i;

	snprintf(img, sizeof(img), "%s/cr-bench-threads.img", dir);
	snprintf(what, sizeof(what), "process of %d threads", n);
	t0 = now();
	for (i = 1; i < n; i++) {
		if (pthread_create(&th[i], NULL, nothing, NULL))
			return -1;
		pthread_join(th[i], NULL);
	}
	tf = now() - t0;
	pid = fork_blocked();
	if (!pid)
		threads_proc(n);
	if (pid < 0 || threads_waiting(pid, n)) {
		fprintf(stderr, "cr_bench: %s: not made\n", what);
		cr_kill_descendants();
		return -1;
	}
	/* the tids die with the process: its pid stands for them */
	bench_nthreads = n;
	if (ckpt_restart(what, pid, &pid, 1, img, threads_back, &tc, &tr, &tb))
		return -1;
	printf("%s | checkpoint %7.1f ms %6.2f ms/thread | restart %7.1f ms, all back %7.1f ms "
	       "%6.2f ms/thread | pthread_create+exit+join %6.3f ms/thread\n", what, tc * 1e3,
	       tc * 1e3 / n, tr * 1e3, tb * 1e3, tb * 1e3 / n, tf * 1e3 / (n - 1));
	return 0;
}

/* --- copy-on-write after fork() --------------------------------------------- */

#define COW_KIDS	3

/* --cow: @mib MiB dirtied, then COW_KIDS children that write a sixteenth each. */
static void cow_proc(long mib)
{
	size_t len = (size_t)mib << 20;
	pid_t kids[COW_KIDS];
	char *p;
	int i;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 1, len);
	for (i = 0; i < COW_KIDS; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			_exit(1);
		if (!kids[i]) {
			memset(p + i * (len / 16), 2 + i, len / 16);
			bench_wait();
			_exit(p[len - 1] != 1 || p[i * (len / 16)] != 2 + i);
		}
	}
	bench_wait();
	for (i = 0; i < COW_KIDS; i++)
		kill(kids[i], SIGUSR2);
	for (i = 0; i < COW_KIDS; i++)
		if (cr_wait(kids[i]))
			_exit(1);
	_exit(p[0] != 1);
}

/* The summed Pss of the tree of @root (@n processes), in kB; -1 if unknown. */
static long cow_pss(pid_t root, int n)
{
	pid_t pids[COW_KIDS + 1];
	char path[48], *buf, *s;
	long kb = 0;
	size_t len;
	int i;

	if (tree_waiting(root, n, pids))
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pids[i]);
		buf = cr_slurp(path, &len);
		s = buf ? strstr(buf, "\nPss:") : NULL;
		if (!s) {
			free(buf);
			return -1;
		}
		kb += atol(s + 5);
		free(buf);
	}
	return kb;
}

/* The Pss once the restarted tree is back, before it is woken. */
static long cow_after;

static int cow_back(pid_t root, int n)
{
	if (tree_waiting(root, n, NULL))
		return -1;
	cow_after = cow_pss(root, n);
	return 0;
}

static int bench_cow(const char *dir, long mib)
{
	pid_t pids[COW_KIDS + 1], root;
	int n = COW_KIDS + 1;
	double tc, tr, tb;
	char img[256], what[64];
	long before;

	snprintf(img, sizeof(img), "%s/cr-bench-cow.img", dir);
	snprintf(what, sizeof(what), "%ld MiB shared by %d processes", mib, n);
	root = fork_blocked();
	if (!root)
		cow_proc(mib);
	before = root > 0 ? cow_pss(root, n) : -1;
	if (root < 0 || tree_waiting(root, n, pids)) {
		fprintf(stderr, "cr_bench: %s: not made\n", what);
		cr_kill_descendants();
		return -1;
	}
	if (ckpt_restart(what, root, pids, n, img, cow_back, &tc, &tr, &tb))
		return -1;
	printf("%s | image %lld MiB (each page once: %ld, per process: %ld) | checkpoint %7.1f ms"
	       " | restart %7.1f ms, all back %7.1f ms | Pss %ld MiB before, %ld MiB after\n",
	       what, bench_img_bytes >> 20, mib + (n - 1) * mib / 16, mib * n, tc * 1e3,
	       tr * 1e3, tb * 1e3, before >> 10, cow_after >> 10);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	int i = 1, ret = 0, tree = 0, threads = 0;
	long cow = 0;

	if (argc > 1 && argv[1][0] == '/')
		dir = argv[i++];
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--tree")) {
			tree = atoi(argv[i + 1]);
		} else if (!strcmp(argv[i], "--threads")) {
			threads = atoi(argv[i + 1]);
		} else if (!strcmp(argv[i], "--cow")) {
			cow = atol(argv[i + 1]);
		} else {
			fprintf(stderr,
				"usage: cr_bench [DIR] [--tree N] [--threads N] [--cow MiB] MiB...\n");
			return 2;
		}
	}
	if (tree < 0 || tree > BENCH_MAX_TASKS || threads < 0 || threads > BENCH_MAX_TASKS) {
		fprintf(stderr, "cr_bench: at most %d tasks\n", BENCH_MAX_TASKS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the killed trees end as our children: their pids are free again */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	printf("cr_bench: %s, time ratios are cr / dd (lower is better)\n", dir);
	for (; i < argc; i++)
		if (bench(dir, atol(argv[i])))
			ret = 1;
	if (tree > 1 && bench_tree(dir, tree))
		ret = 1;
	if (threads > 1 && bench_threads(dir, threads))
		ret = 1;
	if (cow > 0 && bench_cow(dir, cow))
		ret = 1;
	return ret;
}
