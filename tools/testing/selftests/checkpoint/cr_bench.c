// SPDX-License-Identifier: GPL-2.0
/*
 * cr_bench - checkpoint and restart speed against dd on the same file
 * system, in the same run.
 *
 *   cr_bench [DIR] [--criu] [--shapes] [--tree N] [--threads N] [--cow MiB] MiB...
 *
 * For each size: a child dirties that much anonymous memory and stops;
 * checkpoint(child) writes it to DIR/cr-bench.img (default /tmp, a tmpfs
 * in the VM); a new process restarts it and checks samples of the memory.
 * Then dd writes and reads the same number of bytes in the same place.
 * Prints MiB/s and the ratios of the times to dd's, and what summing the
 * image costs: XXH64 over its bytes in memory (cr_sum.h, the algorithm
 * checkpoint and restart run over the stream), as a share of each time;
 * and the most kernel memory each took, sampled every 2 ms from
 * /proc/meminfo (Slab, VmallocUsed) above what it was before, in a second
 * checkpoint and restart of its own (the sampling thread slows what it
 * samples: 4 MiB took 2.5 times as long beside it).
 *
 * --criu: for each size, CRIU's dump and restore of the same memory in
 * the same run (criu on the PATH; `make bench` gives it a kernel with what
 * it needs): a child like the one above but running (in pause(), in a
 * session of its own, /dev/null on fds 0-2), dumped into DIR/criu-img
 * (`criu dump`, which kills it), restored (`criu restore -d`, which
 * returns once it runs; it ends as our child), then told to check its
 * memory and exit.  Prints a line of milliseconds as in #16's table: dd
 * write, dd read, criu dump, criu restore, cr checkpoint, cr restart, and
 * the ratios.
 *
 * --shapes: the same for processes of other shapes, in milliseconds, with
 * CRIU's beside if --criu: 4 MiB dense; the same 4 MiB dirty over a 64 GiB
 * mapping (a page every 64 MiB: #16 wants it to cost what dense costs);
 * 1000 one-page mappings; 10000 fds, each its own open of /dev/null.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/futex.h>

#include "cr_test.h"
#include "cr_child.h"
#include "../kselftest.h"

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

/* --- CRIU side by side -------------------------------------------------- */

static volatile sig_atomic_t criu_go;

static void criu_on_usr1(int sig)
{
	criu_go = 1;
}

/* Wait up to 60 s for @path to exist. */
static int wait_file(const char *path)
{
	struct stat st;
	int i;

	for (i = 0; i < 6000; i++) {
		if (!stat(path, &st))
			return 0;
		cr_msleep(10);
	}
	return -1;
}

/*
 * What a benchmarked process holds: made by @make (@arg: its size), checked
 * by @check once restored (0 if right).
 */
struct shape {
	const char *name;
	long arg;
	int (*make)(long arg);
	int (*check)(long arg);
};

static unsigned long *dense_mem;

/* @mib MiB of anonymous memory, every word written. */
static int dense_make(long mib)
{
	size_t len = (size_t)mib << 20, i;

	dense_mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dense_mem == MAP_FAILED)
		return -1;
	for (i = 0; i < len / sizeof(*dense_mem); i++)
		dense_mem[i] = i * 2654435761UL + 1;
	return 0;
}

/* A sample: every 64th page. */
static int dense_check(long mib)
{
	size_t len = (size_t)mib << 20, i;

	for (i = 0; i < len / sizeof(*dense_mem); i += 512 * 64)
		if (dense_mem[i] != i * 2654435761UL + 1)
			return -1;
	return 0;
}

/* The process CRIU dumps: see --criu above.  Exits 0 if it came back right. */
static void criu_child(const char *ready, const struct shape *sh)
{
	struct sigaction sa = { .sa_handler = criu_on_usr1 };
	int fd;

	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(2);
	if (fd > 2)
		close(fd);
	sigaction(SIGUSR1, &sa, NULL);
	if (sh->make(sh->arg))
		_exit(2);
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || close(fd))
		_exit(2);
	while (!criu_go)
		pause();
	_exit(sh->check(sh->arg) ? 3 : 0);
}

/*
 * CRIU's dump and restore of a process of shape @sh in @dir: their times
 * in *@td and *@tr (seconds); -1 if either failed or it came back wrong.
 */
static int bench_criu(const char *dir, const struct shape *sh, double *td, double *tr)
{
	char imgs[256], ready[256], cmd[700];
	int status, ret = -1;
	pid_t pid;

	snprintf(imgs, sizeof(imgs), "%s/criu-img", dir);
	snprintf(ready, sizeof(ready), "%s/criu-ready", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir %s", imgs, imgs);
	unlink(ready);
	if (system(cmd))
		return -1;
	pid = fork();
	if (!pid)
		criu_child(ready, sh);
	if (pid < 0 || wait_file(ready))
		goto out;
	snprintf(cmd, sizeof(cmd), "criu dump -t %d -D %s -o dump.log", pid, imgs);
	*td = now();
	status = system(cmd);
	*td = now() - *td;
	/* dumped, then killed by criu: reaped, its pid free for the restore */
	if (status || waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status)) {
		fprintf(stderr, "cr_bench: criu dump of %s %ld failed; its log:\n",
			sh->name, sh->arg);
		snprintf(cmd, sizeof(cmd), "grep -E 'Error|Warn' %s/dump.log | tail -5 >&2", imgs);
		status = system(cmd);
		goto out;
	}
	snprintf(cmd, sizeof(cmd), "criu restore -d -D %s -o restore.log", imgs);
	*tr = now();
	status = system(cmd);
	*tr = now() - *tr;
	/* criu is gone: the restored process is ours (a child subreaper) */
	if (status || kill(pid, SIGUSR1) || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "cr_bench: criu restore of %s %ld failed; its log:\n",
			sh->name, sh->arg);
		snprintf(cmd, sizeof(cmd), "grep -E 'Error|Warn' %s/restore.log | tail -5 >&2",
			 imgs);
		status = system(cmd);
		goto out;
	}
	ret = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", imgs);
	if (system(cmd))
		ret = -1;
out:
	if (ret && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	unlink(ready);
	return ret;
}

static bool bench_with_criu;

/*
 * Checkpoint (stopped, CR_CHECKPOINT_KILL's way: killed after) and restart
 * a process of shape @sh, through the image @img, which is kept if @keep:
 * the times in *@tc and *@tr.  With @kc and @kr, the kernel memory peak
 * of each too (kmem_start(): its sampling thread slows what it samples,
 * so times and memory come from runs of their own).
 */
static int cr_once(const char *img, const struct shape *sh, double *tc, double *tr,
		   long *kc, long *kr, bool keep)
{
	struct kmem_peak k;
	int fd, status;
	long crid;
	pid_t pid;

	pid = fork();
	if (!pid) {
		if (sh->make(sh->arg))
			_exit(2);
		raise(SIGSTOP);
		/* restarted: check it */
		_exit(sh->check(sh->arg) ? 3 : 0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;
	fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (kc)
		kmem_start(&k);
	*tc = now();
	crid = sys_checkpoint(pid, fd, 0);
	*tc = now() - *tc;
	if (kc)
		*kc = kmem_stop(&k);
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (crid <= 0) {
		perror("checkpoint");
		return -1;
	}
	if (kr)
		kmem_start(&k);
	*tr = now();
	pid = fork();
	if (!pid) {
		fd = open(img, O_RDONLY);
		sys_restart(0, fd, 0);
		_exit(100 + errno);
	}
	status = cr_wait(pid);
	*tr = now() - *tr;
	if (kr)
		*kr = kmem_stop(&k);
	if (!keep)
		unlink(img);
	if (status) {
		fprintf(stderr, "cr_bench: restart of %s %ld ended with %d\n", sh->name, sh->arg,
			status);
		return -1;
	}
	return 0;
}

static int bench(const char *dir, long mib)
{
	struct shape sh = { "dense", mib, dense_make, dense_check };
	double tc, tr, tw, trd, ts, t;
	char img[256], dd[256], cmd[600];
	long kc, kr;

	snprintf(img, sizeof(img), "%s/cr-bench.img", dir);
	snprintf(dd, sizeof(dd), "%s/cr-bench.dd", dir);
	if (cr_once(img, &sh, &tc, &tr, NULL, NULL, true))
		return -1;
	ts = sum_time(img);
	unlink(img);
	if (cr_once(img, &sh, &t, &t, &kc, &kr, false))
		return -1;

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
	if (bench_with_criu) {
		double td, tcr;

		if (bench_criu(dir, &sh, &td, &tcr))
			return -1;
		printf("%6ld MiB | ms: dd write %6.0f  dd read %6.0f  criu dump %6.0f  "
		       "criu restore %6.0f  cr ckpt %6.0f  cr rstr %6.0f | "
		       "cr ckpt / criu dump %.2f  cr rstr / criu restore %.2f  "
		       "cr rstr / dd read %.2f\n",
		       mib, tw * 1000, trd * 1000, td * 1000, tcr * 1000, tc * 1000, tr * 1000,
		       tc / td, tr / tcr, tr / trd);
	}
	return 0;
}

/* --- shapes: sparse memory, many mappings, many fds ------------------------ */

#define SPARSE_STEP	(64UL << 20)	/* a dirty page every 64 MiB */

static char *sparse_mem;

/* @gib GiB reserved, a page dirtied every SPARSE_STEP (4 MiB in all over 64 GiB). */
static int sparse_make(long gib)
{
	size_t len = (size_t)gib << 30, off;

	sparse_mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sparse_mem == MAP_FAILED)
		return -1;
	for (off = 0; off < len; off += SPARSE_STEP)
		memset(sparse_mem + off, (int)(off / SPARSE_STEP) | 1, 4096);
	return 0;
}

static int sparse_check(long gib)
{
	size_t len = (size_t)gib << 30, off;

	for (off = 0; off < len; off += SPARSE_STEP)
		if (sparse_mem[off + 4095] != (char)((off / SPARSE_STEP) | 1) ||
		    sparse_mem[off + 4096] != 0)
			return -1;
	return 0;
}

static char *vmas_mem;

/* @n one-page mappings: pages written, every other one then made read-only. */
static int vmas_make(long n)
{
	long i;

	vmas_mem = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vmas_mem == MAP_FAILED)
		return -1;
	for (i = 0; i < n; i++)
		vmas_mem[i * 4096] = (char)(i | 1);
	for (i = 1; i < n; i += 2)
		if (mprotect(vmas_mem + i * 4096, 4096, PROT_READ))
			return -1;
	return 0;
}

static int vmas_check(long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (vmas_mem[i * 4096] != (char)(i | 1))
			return -1;
	return 0;
}

/* @n fds, each its own open of /dev/null, from fd 100 up. */
static int fds_make(long n)
{
	struct rlimit rl = { n + 200, n + 200 };
	long i;
	int fd;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	for (i = 0; i < n; i++) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0 || dup2(fd, 100 + i) != 100 + i || close(fd))
			return -1;
	}
	return 0;
}

static int fds_check(long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (fcntl(100 + i, F_GETFD) < 0)
			return -1;
	return 0;
}

/* Sparse memory, many mappings, many fds: cr and (--criu) CRIU, in ms. */
static int bench_shapes(const char *dir)
{
	static const struct shape shapes[] = {
		{ "dense MiB", 4, dense_make, dense_check },
		{ "sparse GiB (4 MiB dirty)", 64, sparse_make, sparse_check },
		{ "vmas", 1000, vmas_make, vmas_check },
		{ "fds", 10000, fds_make, fds_check },
	};
	double tc, tr, td = 0, tcr = 0;
	unsigned int i;
	char img[256];

	snprintf(img, sizeof(img), "%s/cr-bench.img", dir);
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		const struct shape *sh = &shapes[i];

		if (cr_once(img, sh, &tc, &tr, NULL, NULL, false) ||
		    (bench_with_criu && bench_criu(dir, sh, &td, &tcr)))
			return -1;
		printf("%6ld %-24s | ms: cr ckpt %6.0f  cr rstr %6.0f", sh->arg, sh->name,
		       tc * 1000, tr * 1000);
		if (bench_with_criu)
			printf("  criu dump %6.0f  criu restore %6.0f | "
			       "cr ckpt / criu dump %.2f  cr rstr / criu restore %.2f",
			       td * 1000, tcr * 1000, tc / td, tr / tcr);
		printf("\n");
	}
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
	bool shapes = false;
	long cow = 0;

	if (argc > 1 && argv[1][0] == '/')
		dir = argv[i++];
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--criu")) {
			bench_with_criu = true;
		} else if (!strcmp(argv[i], "--shapes")) {
			shapes = true;
		} else if (!strcmp(argv[i], "--tree") && val) {
			tree = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--threads") && val) {
			threads = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--cow") && val) {
			cow = atol(argv[++i]);
		} else {
			fprintf(stderr, "usage: cr_bench [DIR] [--criu] [--shapes] [--tree N] "
				"[--threads N] [--cow MiB] MiB...\n");
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
	/* a first checkpoint and restart, not counted: the first is slower by half */
	if (i < argc || shapes) {
		struct shape warm = { "warm-up", 4, dense_make, dense_check };
		char img[256];
		double t;

		snprintf(img, sizeof(img), "%s/cr-bench.img", dir);
		if (cr_once(img, &warm, &t, &t, NULL, NULL, false))
			ret = 1;
	}
	for (; i < argc; i++)
		if (bench(dir, atol(argv[i])))
			ret = 1;
	if (shapes && bench_shapes(dir))
		ret = 1;
	if (tree > 1 && bench_tree(dir, tree))
		ret = 1;
	if (threads > 1 && bench_threads(dir, threads))
		ret = 1;
	if (cow > 0 && bench_cow(dir, cow))
		ret = 1;
	return ret;
}
