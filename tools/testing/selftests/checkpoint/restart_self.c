// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: a process checkpoints itself, a new process restarts the
 * image and checks what it finds - memory, registers, TLS, stack - against
 * what the original had.  The original scribbles over its state after the
 * checkpoint, so a restart that saw the live process would fail.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define PAGE	4096UL

static unsigned long pattern(unsigned long i, unsigned long seed)
{
	return (i * 0x9e3779b97f4a7c15UL) ^ seed;
}

/* Run @child in a process that checkpoints; then restart the image. */
#define RUN_AND_RESTART(img, child) do {				\
		pid_t pid = fork();					\
		ASSERT_GE(pid, 0);					\
		if (!pid) {						\
			child;						\
		}							\
		ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));			\
		ASSERT_EQ(CR_RESTART_OK, cr_restart_child(img));	\
	} while (0)

TEST(two_returns)
{
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	/* the original must see a crid, the restarted process 0 */
	RUN_AND_RESTART(img, ({
		long r = sys_checkpoint(0, img, 0);

		if (r < 0)
			_exit(CR_CKPT_FAILED);
		_exit(r > 0 ? CR_ORIG_OK : CR_RESTART_OK);
	}));
	/* and once more: an image restarts any number of times */
	ASSERT_EQ(CR_RESTART_OK, cr_restart_child(img));
}

TEST(heap_and_anon)
{
	const size_t n = 3 << 20;
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	RUN_AND_RESTART(img, ({
		unsigned long *heap = malloc(n), *anon, i;

		anon = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!heap || anon == MAP_FAILED)
			_exit(1);
		for (i = 0; i < n / sizeof(long); i++) {
			heap[i] = pattern(i, 1);
			anon[i] = pattern(i, 2);
		}
		if (cr_self_checkpoint(img)) {
			memset(heap, 0, n);
			memset(anon, 0, n);
			_exit(CR_ORIG_OK);
		}
		for (i = 0; i < n / sizeof(long); i++)
			if (heap[i] != pattern(i, 1) || anon[i] != pattern(i, 2))
				_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}));
}

static long image_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

/* 256 MiB mapped, 5 pages touched: the image holds those, not the rest. */
TEST(sparse_mapping)
{
	const size_t n = 256UL << 20;
	int img, ref = cr_tmpfile();
	long small, big;

	/* a reference image of a process that maps nothing extra */
	ASSERT_GE(ref, 0);
	RUN_AND_RESTART(ref, ({
		if (cr_self_checkpoint(ref))
			_exit(CR_ORIG_OK);
		_exit(CR_RESTART_OK);
	}));
	small = image_size(ref);
	close(ref);	/* only the image fd may be open in a checkpointed process */
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	RUN_AND_RESTART(img, ({
		char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		size_t off[] = { 0, PAGE, 77 * PAGE, n / 2, n - PAGE }, i;

		if (p == MAP_FAILED)
			_exit(1);
		for (i = 0; i < 5; i++)
			p[off[i] + 7] = 'a' + i;
		/* a read touches the zero page only: not saved */
		if (p[1000 * PAGE])
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		for (i = 0; i < 5; i++)
			if (p[off[i] + 7] != 'a' + i)
				_exit(CR_RESTART_BAD);
		if (p[1000 * PAGE] || p[3 * PAGE])
			_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}));
	big = image_size(img);
	/* 5 pages, a vma record and page-list overhead; never 256 MiB */
	EXPECT_GE(big, small + 5 * PAGE);
	EXPECT_LE(big, small + 5 * PAGE + 6 * 2 * PAGE);
}

TEST(mprotect_kept)
{
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	RUN_AND_RESTART(img, ({
		char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int fds[2];

		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x5a, 4 * PAGE);
		mprotect(p + PAGE, PAGE, PROT_READ);
		mprotect(p + 2 * PAGE, PAGE, PROT_NONE);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		/* a pipe made after restart, to make the kernel access the pages */
		if (pipe(fds))
			_exit(1);
		/* the kernel tells what it can access: write(2) from each page */
		if (write(fds[1], p, 1) != 1 || write(fds[1], p + PAGE, 1) != 1)
			_exit(CR_RESTART_BAD);
		if (write(fds[1], p + 2 * PAGE, 1) != -1 || errno != EFAULT)
			_exit(CR_RESTART_BAD);
		/* read(2) into the read-only page must fail too */
		if (read(fds[0], p + PAGE, 1) != -1 || errno != EFAULT)
			_exit(CR_RESTART_BAD);
		if (p[0] != 0x5a || p[PAGE] != 0x5a || p[3 * PAGE] != 0x5a)
			_exit(CR_RESTART_BAD);
		mprotect(p + 2 * PAGE, PAGE, PROT_READ);
		if (p[2 * PAGE] != 0x5a)
			_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}));
}

/* A line "Name:   N kB" of /proc/self/status, in kB; -1 if missing. */
static long status_kb(const char *name)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ':')
			kb = strtol(line + strlen(name) + 1, NULL, 10);
	fclose(f);
	return kb;
}

/*
 * Restart maps the pages it reads as a fault would (cr_fill_run()): they
 * must be ordinary anonymous memory after it.  Counted in RssAnon (and
 * uncounted when unmapped: a wrong counter is "BUG: Bad rss-counter" at
 * exit), copied on write after a fork(), moved by mremap(), dropped by
 * MADV_DONTNEED; a read-only page stays read-only.
 */
TEST(restored_pages_are_anonymous)
{
	const size_t n = 4 << 20;
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	RUN_AND_RESTART(img, ({
		unsigned long *p, *q, i;
		long before, after;
		int fds[2], status;
		pid_t pid;

		p = mmap(NULL, n + PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		for (i = 0; i < (n + PAGE) / sizeof(long); i++)
			p[i] = pattern(i, 5);
		q = p + n / sizeof(long);
		if (mprotect(q, PAGE, PROT_READ))
			_exit(1);
		if (cr_self_checkpoint(img)) {
			memset(p, 0, n);
			_exit(CR_ORIG_OK);
		}
		before = status_kb("RssAnon");
		if (before < (long)(n >> 10))
			_exit(CR_RESTART_BAD);
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (!pid) {
			/* the child's writes are its own */
			for (i = 0; i < n / sizeof(long); i++)
				p[i] = ~pattern(i, 5);
			_exit(q[3] == pattern(n / sizeof(long) + 3, 5) ? 0 : 1);
		}
		if (waitpid(pid, &status, 0) != pid || status)
			_exit(CR_RESTART_BAD);
		for (i = 0; i < (n + PAGE) / sizeof(long); i++)
			if (p[i] != pattern(i, 5))
				_exit(CR_RESTART_BAD);
		/* the read-only page: the kernel may not write into it */
		if (pipe(fds) || write(fds[1], "x", 1) != 1)
			_exit(1);
		if (read(fds[0], q, 1) != -1 || errno != EFAULT)
			_exit(CR_RESTART_BAD);
		/* moved, then half of it dropped and half unmapped */
		q = mmap(NULL, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			_exit(1);
		q = mremap(p, n, n, MREMAP_MAYMOVE | MREMAP_FIXED, q);
		if (q == MAP_FAILED || q[n / sizeof(long) - 1] != pattern(n / sizeof(long) - 1, 5))
			_exit(CR_RESTART_BAD);
		if (madvise(q, n / 4, MADV_DONTNEED) || q[0] || q[n / 8 / sizeof(long)])
			_exit(CR_RESTART_BAD);
		if (munmap((char *)q + n / 4, n / 4))
			_exit(1);
		after = status_kb("RssAnon");
		if (after > before - (long)(n >> 12))
			_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}));
}

static int data_var = 1234;
static long bss_var;
static __thread long tls_var = 99;

TEST(data_bss_tls)
{
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	RUN_AND_RESTART(img, ({
		data_var = 4321;
		bss_var = 0x1122334455667788L;
		tls_var = -5;
		if (cr_self_checkpoint(img)) {
			data_var = 0;
			bss_var = 0;
			tls_var = 0;
			_exit(CR_ORIG_OK);
		}
		_exit(data_var == 4321 && bss_var == 0x1122334455667788L && tls_var == -5 ?
		      CR_RESTART_OK : CR_RESTART_BAD);
	}));
}

/* Recursion 2000 frames deep with a value in each frame. */
static int deep(int img, int depth, unsigned long *sum)
{
	volatile unsigned long frame[32];
	int i, r;

	for (i = 0; i < 32; i++)
		frame[i] = pattern(depth * 32 + i, 3);
	if (depth)
		r = deep(img, depth - 1, sum);
	else
		r = cr_self_checkpoint(img);
	for (i = 0; i < 32; i++)
		*sum += frame[i] == pattern(depth * 32 + i, 3);
	return r;
}

TEST(deep_stack)
{
	int img = cr_tmpfile();

	ASSERT_GE(img, 0);
	RUN_AND_RESTART(img, ({
		unsigned long sum = 0;

		if (deep(img, 2000, &sum))
			_exit(CR_ORIG_OK);
		_exit(sum == 2001 * 32 ? CR_RESTART_OK : CR_RESTART_BAD);
	}));
}

/*
 * Registers held across checkpoint(): asm loads patterns into
 * r12-r15, rbx, ymm0-15, the x87 stack top and MXCSR, makes the
 * system call and stores them back.  The restarted process comes back to
 * the instruction after the syscall with whatever restart loaded.
 */
struct regs_out {
	unsigned long gp[6];
	unsigned char vec[16][32];
	double st0;
	unsigned int mxcsr;
};

static long regs_syscall(int img, const unsigned char (*vin)[32], struct regs_out *o, int avx)
{
	long ret;

	if (avx)
		asm volatile("vmovdqu 0(%[v]), %%ymm0\n\tvmovdqu 32(%[v]), %%ymm1\n\t"
			     "vmovdqu 64(%[v]), %%ymm2\n\tvmovdqu 96(%[v]), %%ymm3\n\t"
			     "vmovdqu 128(%[v]), %%ymm4\n\tvmovdqu 160(%[v]), %%ymm5\n\t"
			     "vmovdqu 192(%[v]), %%ymm6\n\tvmovdqu 224(%[v]), %%ymm7\n\t"
			     "vmovdqu 256(%[v]), %%ymm8\n\tvmovdqu 288(%[v]), %%ymm9\n\t"
			     "vmovdqu 320(%[v]), %%ymm10\n\tvmovdqu 352(%[v]), %%ymm11\n\t"
			     "vmovdqu 384(%[v]), %%ymm12\n\tvmovdqu 416(%[v]), %%ymm13\n\t"
			     "vmovdqu 448(%[v]), %%ymm14\n\tvmovdqu 480(%[v]), %%ymm15\n\t"
			     : : [v] "r" (vin) : "memory", "xmm0", "xmm1", "xmm2", "xmm3",
			       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
			       "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	asm volatile("mov $0x1111111111111111, %%r12\n\t"
		     "mov $0x2222222222222222, %%r13\n\t"
		     "mov $0x3333333333333333, %%r14\n\t"
		     "mov $0x4444444444444444, %%r15\n\t"
		     "mov $0x5555555555555555, %%rbx\n\t"
		     "fldpi\n\t"
		     "ldmxcsr %[mx]\n\t"
		     "syscall\n\t"
		     "stmxcsr 568(%[o])\n\t"
		     "fstpl 560(%[o])\n\t"
		     "mov %%r12, 0(%[o])\n\tmov %%r13, 8(%[o])\n\t"
		     "mov %%r14, 16(%[o])\n\tmov %%r15, 24(%[o])\n\t"
		     "mov %%rbx, 32(%[o])\n\t"
		     : "=a" (ret)
		     : "0" ((long)__NR_checkpoint), "D" (0L), "S" ((long)img), "d" (0L),
		       [o] "r" (o),
		       [mx] "m" (*(const unsigned int[]){ 0x7f80 | 0x6000 })
		     : "rcx", "r11", "r12", "r13", "r14", "r15", "rbx", "memory", "cc");
	if (avx)
		asm volatile("vmovdqu %%ymm0, 48(%[o])\n\tvmovdqu %%ymm1, 80(%[o])\n\t"
			     "vmovdqu %%ymm2, 112(%[o])\n\tvmovdqu %%ymm3, 144(%[o])\n\t"
			     "vmovdqu %%ymm4, 176(%[o])\n\tvmovdqu %%ymm5, 208(%[o])\n\t"
			     "vmovdqu %%ymm6, 240(%[o])\n\tvmovdqu %%ymm7, 272(%[o])\n\t"
			     "vmovdqu %%ymm8, 304(%[o])\n\tvmovdqu %%ymm9, 336(%[o])\n\t"
			     "vmovdqu %%ymm10, 368(%[o])\n\tvmovdqu %%ymm11, 400(%[o])\n\t"
			     "vmovdqu %%ymm12, 432(%[o])\n\tvmovdqu %%ymm13, 464(%[o])\n\t"
			     "vmovdqu %%ymm14, 496(%[o])\n\tvmovdqu %%ymm15, 528(%[o])\n\t"
			     : : [o] "r" (o) : "memory");
	return ret;
}

TEST(registers_fpu_avx)
{
	static unsigned char vin[16][32];
	int avx = __builtin_cpu_supports("avx");
	int img = cr_tmpfile(), i, j;

	ASSERT_GE(img, 0);
	_Static_assert(__builtin_offsetof(struct regs_out, vec) == 48, "layout");
	_Static_assert(__builtin_offsetof(struct regs_out, st0) == 560, "layout");
	TH_LOG("AVX %s", avx ? "available: ymm0-15 checked" : "missing: GPRs, x87, MXCSR only");
	for (i = 0; i < 16; i++)
		for (j = 0; j < 32; j++)
			vin[i][j] = i * 37 + j * 11 + 1;
	RUN_AND_RESTART(img, ({
		struct regs_out o;
		long r;

		memset(&o, 0, sizeof(o));
		r = regs_syscall(img, vin, &o, avx);
		if (r < 0)
			_exit(CR_CKPT_FAILED);
		if (r > 0)
			_exit(CR_ORIG_OK);
		if (o.gp[0] != 0x1111111111111111UL || o.gp[3] != 0x4444444444444444UL ||
		    o.gp[4] != 0x5555555555555555UL)
			_exit(CR_RESTART_BAD);
		if (o.st0 != 3.14159265358979323846 || (o.mxcsr & 0xffbf) != 0x7f80)
			_exit(CR_RESTART_BAD + 1);
		if (avx && memcmp(o.vec, vin, sizeof(vin)))
			_exit(CR_RESTART_BAD + 2);
		_exit(CR_RESTART_OK);
	}));
}

struct page_count {
	unsigned long start, end;
	long in_range;
};

static void count_pages(const struct cr_image_rec *r, void *arg)
{
	const struct cr_rec_pages *rec = r->payload;
	const __u64 *addr = (const __u64 *)(rec + 1);
	struct page_count *pc = arg;
	__u32 i;

	if (r->hdr.type != CR_REC_PAGES)
		return;
	for (i = 0; i < rec->nr; i++)
		pc->in_range += addr[i] >= pc->start && addr[i] < pc->end;
}

/*
 * A private file mapping, every page read, two written: the image holds
 * those two pages only; the restarted process sees the file's contents in
 * the others and its own writes in the two.
 */
TEST(private_file_cow_only)
{
	const size_t n = 64 * PAGE;
	struct page_count pc = {};
	struct cr_image im;
	int img, fd, i;
	char *buf, *map;
	size_t len;
	pid_t pid;

	buf = malloc(n);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < (int)n; i++)
		buf[i] = i * 7 + i / PAGE;
	fd = open("/tmp/cr-private", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, cr_write_all(fd, buf, n));
	map = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	close(fd);
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		volatile char sum = 0;

		for (i = 0; i < (int)n; i += PAGE)
			sum += map[i];
		map[5 * PAGE + 1] = 'x';
		map[40 * PAGE + 2] = 'y';
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		buf[5 * PAGE + 1] = 'x';
		buf[40 * PAGE + 2] = 'y';
		_exit(memcmp(map, buf, n) ? CR_RESTART_BAD : CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	ASSERT_EQ(CR_RESTART_OK, cr_restart_child(img));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	free(buf);
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	pc.start = (unsigned long)map;
	pc.end = pc.start + n;
	ASSERT_GT(cr_image_walk(&im, buf, len, count_pages, &pc), 0) TH_LOG("%s", im.why);
	EXPECT_EQ(2, pc.in_range);
	free(buf);
	unlink("/tmp/cr-private");
}

static void on_usr1(int sig)
{
}

/*
 * The restarted process has the image's signal state, none of its
 * restarter's: a handler, an ignored signal and an alternate stack set by
 * the restarter are all gone.
 */
TEST(restarter_signal_state_replaced)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct sigaction sa;
		stack_t ss;

		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		if (sigaction(SIGUSR1, NULL, &sa) || sa.sa_handler != SIG_DFL)
			_exit(CR_RESTART_BAD);
		if (sigaction(SIGUSR2, NULL, &sa) || sa.sa_handler != SIG_DFL)
			_exit(CR_RESTART_BAD + 1);
		if (sigaltstack(NULL, &ss) || !(ss.ss_flags & SS_DISABLE))
			_exit(CR_RESTART_BAD + 2);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		static char stack[16384];
		stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };

		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, SIG_IGN);
		if (sigaltstack(&ss, NULL))
			_exit(1);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
}

TEST(image_parses)
{
	int img = cr_tmpfile();
	struct cr_image im;
	size_t len;
	char *buf;

	ASSERT_GE(img, 0);
	RUN_AND_RESTART(img, ({
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		_exit(CR_RESTART_OK);
	}));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	EXPECT_GT(cr_image_walk(&im, buf, len, NULL, NULL), 6) TH_LOG("%s", im.why);
	free(buf);
}

TEST_HARNESS_MAIN
