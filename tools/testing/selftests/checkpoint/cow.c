// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: pages shared copy-on-write after fork() (#14).
 *
 * P maps AREA bytes of private anonymous memory and fills every page, then
 * forks C; C forks G.  Each then writes some pages of its own and drops
 * others (MADV_DONTNEED), so that each process has pages it shares with
 * its parent, pages of its own, pages its parent has and it has not, and
 * the other way round.  The tree is checkpointed: the pages a child still
 * shares with its parent are saved once (the image is about AREA, not
 * three times it), and after the restart every process finds each page as
 * it was, and shares with its parent what it shared before.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "cr_child.h"
#include "cr_image.h"
#include "../kselftest_harness.h"

#define AREA		(16 << 20)
#define PAGE		4096
#define NPAGES		(AREA / PAGE)

enum role { P, C, G, NR_ROLES };

static const char *const role_name[NR_ROLES] = { "P", "C", "G" };

/* What a process tells the test once it is ready. */
struct hello {
	int role;
	pid_t pid;
};

/* The value of page @i written by @role; 0 before any fork. */
static unsigned long value(int role, unsigned long i)
{
	return (i * 2654435761UL) ^ (0x5a5a0000UL + role * 0x1111UL + 1);
}

/* Pages C drops (P keeps them), and pages P drops (C keeps them). */
static bool c_drops(unsigned long i)
{
	return i >= NPAGES - 64 && i < NPAGES - 32;
}

static bool p_drops(unsigned long i)
{
	return i >= NPAGES - 32;
}

/* The value page @i must have in @role's memory; 0 for a page it dropped. */
static unsigned long expect(int role, unsigned long i)
{
	switch (role) {
	case P:
		if (p_drops(i))
			return 0;
		return i % 4 == 2 ? value(P, i) : value(-1, i);
	case G:
		if (i % 8 == 3)
			return value(G, i);
		/* forked from C once C was done */
		__attribute__((fallthrough));
	default:
		if (c_drops(i))
			return 0;
		return i % 4 == 1 ? value(C, i) : value(-1, i);
	}
}

static void fill(char *area, int role, unsigned long i)
{
	unsigned long v = value(role, i);

	memset(area + i * PAGE, (int)(v & 0xff), PAGE);
	memcpy(area + i * PAGE, &v, sizeof(v));
}

/* Fill the pages @i of @area with @i % @mod == @rem as @role. */
static void fill_every(char *area, int role, unsigned long mod, unsigned long rem)
{
	unsigned long i;

	for (i = 0; i < NPAGES; i++)
		if (i % mod == rem)
			fill(area, role, i);
}

/* The pages of @area that are not as @role expects them. */
static int bad_pages(const char *area, int role)
{
	unsigned long i, v, want;
	int bad = 0;

	for (i = 0; i < NPAGES; i++) {
		want = expect(role, i);
		memcpy(&v, area + i * PAGE, sizeof(v));
		if (v != want || area[i * PAGE + PAGE / 2] != (char)(want & 0xff))
			bad++;
	}
	return bad;
}

/* Tell the test, then wait for SIGUSR2 (blocked since before the fork). */
static void ready_and_wait(int fd, int role)
{
	struct hello h = { role, getpid() };
	sigset_t set;
	int sig;

	if (write(fd, &h, sizeof(h)) != sizeof(h))
		_exit(90);
	close(fd);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	while (sigwait(&set, &sig))
		;
}

/*
 * The exit code of a process once woken: 1 if a page of its own is
 * wrong, 2 if its child's check failed.
 */
static int check_child(pid_t child)
{
	int status;

	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return 2;
	return WEXITSTATUS(status) ? 2 : 0;
}

static void tree(int fd)
{
	char *area;
	pid_t c, g;
	int ret;

	area = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		_exit(91);
	/* THP may be configured out; 4 KiB pages either way */
	madvise(area, AREA, MADV_NOHUGEPAGE);
	fill_every(area, -1, 1, 0);
	c = fork();
	if (c < 0)
		_exit(92);
	if (!c) {
		fill_every(area, C, 4, 1);
		if (madvise(area + (NPAGES - 64) * PAGE, 32 * PAGE, MADV_DONTNEED))
			_exit(93);
		g = fork();
		if (g < 0)
			_exit(92);
		if (!g) {
			fill_every(area, G, 8, 3);
			ready_and_wait(fd, G);
			_exit(bad_pages(area, G) ? 1 : 0);
		}
		ready_and_wait(fd, C);
		ret = bad_pages(area, C) ? 1 : 0;
		_exit(ret | check_child(g));
	}
	fill_every(area, P, 4, 2);
	if (madvise(area + (NPAGES - 32) * PAGE, 32 * PAGE, MADV_DONTNEED))
		_exit(93);
	ready_and_wait(fd, P);
	ret = bad_pages(area, P) ? 1 : 0;
	_exit(ret | check_child(c));
}

/* The kB of /proc/PID/smaps_rollup's Shared_Clean and Shared_Dirty, or -1. */
static long shared_kb(pid_t pid)
{
	char path[48], *buf, *s;
	long kb = 0;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	buf = cr_slurp(path, &len);
	if (!buf)
		return -1;
	for (s = buf; (s = strstr(s, "Shared_")); s++)
		if (!strncmp(s, "Shared_Clean:", 13) || !strncmp(s, "Shared_Dirty:", 13))
			kb += atol(s + 13);
	free(buf);
	return kb;
}

/*
 * The pages records of the image in @img, by process (P, C, G in tree
 * order): the pages saved with their data, and the parent's.  0, or -1.
 */
static int count_pages(struct __test_metadata *_metadata, int img, long *own, long *kept)
{
	const struct cr_rec_pages *r;
	struct cr_image im;
	int ret;

	memset(own, 0, NR_ROLES * sizeof(*own));
	memset(kept, 0, NR_ROLES * sizeof(*kept));
	if (lseek(img, 0, SEEK_SET))
		return -1;
	cr_image_open_fd(&im, img, CR_IMAGE_CHECK);
	while ((ret = cr_image_next(&im)) == CR_IMAGE_REC) {
		if (im.rec.hdr.type != CR_REC_PAGES)
			continue;
		r = im.rec.payload;
		if (r->proc >= NR_ROLES)
			break;
		if (r->flags & CR_PAGES_F_PARENT)
			kept[r->proc] += r->nr;
		else
			own[r->proc] += r->nr;
	}
	if (ret != CR_IMAGE_END)
		TH_LOG("the image does not read back: %s at %llu", im.why,
		       (unsigned long long)im.why_off);
	cr_image_close(&im);
	return ret == CR_IMAGE_END ? 0 : -1;
}

enum how { UNINTERRUPTED, IN_PLACE, CHILD };

FIXTURE(cow) {
	pid_t pid[NR_ROLES];
};

FIXTURE_VARIANT(cow) {
	enum how how;
};

FIXTURE_VARIANT_ADD(cow, uninterrupted) {
	.how = UNINTERRUPTED,
};

FIXTURE_VARIANT_ADD(cow, in_place) {
	.how = IN_PLACE,
};

FIXTURE_VARIANT_ADD(cow, child) {
	.how = CHILD,
};

/*
 * Start the tree of @body with SIGUSR2 blocked; once its @n processes are
 * ready, P's pid.
 */
static pid_t start(struct __test_metadata *_metadata, pid_t *pid, void (*body)(int fd), int n)
{
	struct hello h;
	sigset_t set, old;
	int fds[2], got = 0, i;
	pid_t p;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	if (pipe(fds) || sigprocmask(SIG_BLOCK, &set, &old))
		return -1;
	p = fork();
	if (!p) {
		close(fds[0]);
		body(fds[1]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[1]);
	while (got < n && read(fds[0], &h, sizeof(h)) == sizeof(h))
		if (h.role >= 0 && h.role < n) {
			pid[h.role] = h.pid;
			got++;
		}
	close(fds[0]);
	if (got != n) {
		TH_LOG("%d of %d processes of the tree are ready", got, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (cr_wait_syscall(pid[i], SYS_rt_sigtimedwait, 10000)) {
			TH_LOG("%s (pid %d) is not at its wait point", role_name[i], pid[i]);
			return -1;
		}
	return p;
}

FIXTURE_SETUP(cow)
{
	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
}

FIXTURE_TEARDOWN(cow)
{
	cr_kill_descendants();
}

/*
 * Each process finds its memory as it was, and C and G share with their
 * parents what they shared before; the image holds each shared page once.
 */
TEST_F_TIMEOUT(cow, shared_after_fork, 300)
{
	long before[NR_ROLES], after[NR_ROLES], own[NR_ROLES], kept[NR_ROLES];
	struct stat st;
	pid_t root, back;
	int img, i;

	root = start(_metadata, self->pid, tree, NR_ROLES);
	ASSERT_GT(root, 0);
	for (i = 0; i < NR_ROLES; i++)
		before[i] = shared_kb(self->pid[i]);
	/* the pages C and G share with their parents, more than a quarter of AREA */
	ASSERT_LT(AREA / 4 / 1024, before[C]);
	ASSERT_LT(AREA / 4 / 1024, before[G]);

	if (variant->how != UNINTERRUPTED) {
		img = cr_tmpfile();
		ASSERT_GE(img, 0);
		ASSERT_LT(0, sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL))
			TH_LOG("checkpoint: %s", strerror(errno));
		ASSERT_EQ(0, cr_wait_gone(self->pid, NR_ROLES, 10000));
		ASSERT_EQ(0, fstat(img, &st));
		/*
		 * P's AREA, half of it C's own (C wrote a quarter, P another),
		 * an eighth G's: not three times AREA
		 */
		TH_LOG("image: %lld KiB for three processes of %d KiB each",
		       (long long)st.st_size / 1024, AREA / 1024);
		EXPECT_GT(AREA + AREA / 2 + AREA / 8 + AREA / 16, st.st_size);
		ASSERT_EQ(0, count_pages(_metadata, img, own, kept));
		for (i = 0; i < NR_ROLES; i++)
			TH_LOG("%s: %ld pages saved, %ld its parent's", role_name[i], own[i],
			       kept[i]);
		/* C shares its untouched pages with P, G nearly all of C's */
		EXPECT_LT(NPAGES / 4, kept[C]);
		EXPECT_LT(NPAGES / 2, kept[G]);
		EXPECT_EQ(0, kept[P]);
		if (variant->how == CHILD) {
			ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
			back = sys_restart(0, img, CR_RESTART_CHILD);
		} else {
			back = cr_restart_as(root, img, 0);
		}
		ASSERT_EQ(root, back) TH_LOG("restart: %s", strerror(errno));
		close(img);
		ASSERT_EQ(0, cr_wait_exist(self->pid, NR_ROLES, 10000));
		for (i = 0; i < NR_ROLES; i++)
			ASSERT_EQ(0, cr_wait_syscall(self->pid[i], SYS_rt_sigtimedwait, 10000));
	}
	for (i = 0; i < NR_ROLES; i++) {
		after[i] = shared_kb(self->pid[i]);
		TH_LOG("%s shares %ld kB, %ld kB before", role_name[i], after[i], before[i]);
		EXPECT_LE(before[i] * 9 / 10, after[i]);
	}
	for (i = 0; i < NR_ROLES; i++)
		ASSERT_EQ(0, kill(self->pid[i], SIGUSR2));
	/* 0: every page of the three as expected */
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
}

/*
 * A mapping marked inherited in the root, which has no parent in the
 * image, is refused before anything is created: EBADMSG, caller intact.
 */
TEST_F_TIMEOUT(cow, inherit_without_parent, 300)
{
	struct cr_image im;
	size_t len, off = 0;
	struct cr_rec_vma v;
	pid_t root;
	char *buf;
	int img, bad, i;

	root = start(_metadata, self->pid, tree, NR_ROLES);
	ASSERT_GT(root, 0);
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	ASSERT_LT(0, sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL));
	ASSERT_EQ(0, cr_wait_gone(self->pid, NR_ROLES, 10000));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	/* the root's first anonymous vma */
	cr_image_open_mem(&im, buf, len, CR_IMAGE_FRAMES);
	while (!off && cr_image_next(&im) == CR_IMAGE_REC) {
		if (im.rec.hdr.type != CR_REC_VMA)
			continue;
		memcpy(&v, im.rec.payload, sizeof(v));
		if (v.kind == CR_VMA_ANON_PRIVATE)
			off = im.rec.off + sizeof(struct cr_hdr);
	}
	cr_image_close(&im);
	ASSERT_NE(0, off);
	v.flags |= CR_VMA_F_INHERIT;
	memcpy(buf + off, &v, sizeof(v));
	bad = cr_tmpfile();
	ASSERT_GE(bad, 0);
	ASSERT_EQ(0, cr_write_all(bad, buf, len));
	ASSERT_EQ(0, lseek(bad, 0, SEEK_SET));

	EXPECT_EQ(-1, sys_restart(0, bad, CR_RESTART_CHILD));
	EXPECT_EQ(EBADMSG, errno);
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(ECHILD, errno) TH_LOG("restart left a child");
	for (i = 0; i < NR_ROLES; i++)
		EXPECT_TRUE(cr_pid_free(self->pid[i]));

	/* the image as it was restarts, and its pages check themselves */
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	ASSERT_EQ(root, sys_restart(0, img, CR_RESTART_CHILD));
	for (i = 0; i < NR_ROLES; i++) {
		ASSERT_EQ(0, cr_wait_syscall(self->pid[i], SYS_rt_sigtimedwait, 10000));
		ASSERT_EQ(0, kill(self->pid[i], SIGUSR2));
	}
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
	free(buf);
	close(bad);
	close(img);
}

/*
 * P turns on PR_SET_MDWE after forking C: after the restart P has it and C,
 * made from the restored P, does not, and maps writable code as before.
 * Exit codes: 1 MDWE is not as it was, 2 C's check failed.
 */
static void mdwe_tree(int fd)
{
	pid_t c = fork();
	void *p;

	if (c < 0)
		_exit(92);
	if (!c) {
		ready_and_wait(fd, C);
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		_exit(prctl(PR_GET_MDWE, 0, 0, 0, 0) != 0 || p == MAP_FAILED);
	}
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0))
		_exit(93);
	ready_and_wait(fd, P);
	_exit((prctl(PR_GET_MDWE, 0, 0, 0, 0) != PR_MDWE_REFUSE_EXEC_GAIN) | check_child(c));
}

TEST_F_TIMEOUT(cow, mdwe_after_fork, 120)
{
	pid_t root, back;
	int img, i;

	root = start(_metadata, self->pid, mdwe_tree, 2);
	ASSERT_GT(root, 0);
	if (variant->how != UNINTERRUPTED) {
		img = cr_tmpfile();
		ASSERT_GE(img, 0);
		ASSERT_LT(0, sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL));
		ASSERT_EQ(0, cr_wait_gone(self->pid, 2, 10000));
		ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
		back = variant->how == CHILD ? sys_restart(0, img, CR_RESTART_CHILD) :
		       cr_restart_as(root, img, 0);
		ASSERT_EQ(root, back) TH_LOG("restart: %s", strerror(errno));
		close(img);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, cr_wait_syscall(self->pid[i], SYS_rt_sigtimedwait, 10000));
		ASSERT_EQ(0, kill(self->pid[i], SIGUSR2));
	}
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
}

TEST_HARNESS_MAIN
