// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: restart inside cgroup v2 limits, as in a container.
 *
 * The memory restart fills is charged to the memory cgroup of the
 * restarted process, as its page faults would have charged it; a restart
 * past memory.max fails or is killed, cleanly and soon (never a hang nor
 * a splat); a tree restart past pids.max fails with the caller intact.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "cr_child.h"
#include "../kselftest_harness.h"

#define CG		"/sys/fs/cgroup"
#define CG_TEST		CG "/cr-test"
#define MIB		(1UL << 20)
#define DIRTY_MIB	16	/* what the image's process dirtied */
#define NO_CG		77	/* exit code: no cgroup v2 or no such controller */

static int cg_write(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY), ret = -1;

	if (fd < 0)
		return -1;
	if (write(fd, val, strlen(val)) == (ssize_t)strlen(val))
		ret = 0;
	close(fd);
	return ret;
}

static long cg_read(const char *file)
{
	char buf[64] = "";
	int fd = open(file, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	return !strncmp(buf, "max", 3) ? LONG_MAX : atol(buf);
}

/* Mount cgroup v2, enable @controllers below the root, make CG_TEST. */
static int cg_setup(const char *controllers)
{
	mkdir(CG, 0755);
	if (mount("cgroup2", CG, "cgroup2", 0, NULL) && errno != EBUSY)
		return -1;
	if (cg_write(CG "/cgroup.subtree_control", controllers))
		return -1;
	if (mkdir(CG_TEST, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

/* Is CG_TEST empty of processes? */
static int cg_empty(void)
{
	char buf[16];
	int fd = open(CG_TEST "/cgroup.procs", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	if (fd >= 0)
		close(fd);
	return n == 0;
}

/* Set @file of CG_TEST to @val. */
static int cg_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), CG_TEST "/%s", file);
	return cg_write(path, val);
}

static long cg_get(const char *file)
{
	char path[128];

	snprintf(path, sizeof(path), CG_TEST "/%s", file);
	return cg_read(path);
}

/* Reap our zombies until CG_TEST holds no task (up to 5 s): pids.current. */
static long cg_reap(void)
{
	int i;

	for (i = 0; i < 500 && cg_get("pids.current"); i++) {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		cr_msleep(10);
	}
	return cg_get("pids.current");
}

/*
 * An image of a process that dirtied DIRTY_MIB; restarted, it checks its
 * memory and that CG_TEST was charged for it, and exits CR_RESTART_OK.
 */
static int dirty_image(void)
{
	int img = cr_tmpfile();
	pid_t pid;

	if (img < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		size_t len = DIRTY_MIB * MIB, i;
		unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		for (i = 0; i < len; i += 4096)
			p[i] = i / 4096 * 7 + 1;
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		for (i = 0; i < len; i += 4096)
			if (p[i] != (unsigned char)(i / 4096 * 7 + 1))
				_exit(CR_RESTART_BAD);
		/* charged where a fault would have charged it */
		if (cg_get("memory.current") < (long)len)
			_exit(CR_RESTART_BAD + 1);
		_exit(CR_RESTART_OK);
	}
	return cr_wait(pid) == CR_ORIG_OK ? img : -1;
}

/*
 * With CR_RESTART_CHILD, the restarter waits until CG_TEST holds this
 * many tasks (the tree is back: it never exits), then exits CR_RESTART_OK;
 * 0: it waits for the root to exit.
 */
static long tree_tasks;

/*
 * Restart @img in a new child that first enters CG_TEST, with @flags:
 * the restarted process's exit code, 100 + errno if restart(2) returned,
 * 128 + a signal; -1 if it did not end within 60 s.
 */
static int restart_in_cg(int img, unsigned long flags)
{
	int st;
	pid_t pid;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		long r;

		if (cg_set("cgroup.procs", "0"))
			_exit(NO_CG);
		r = sys_restart(0, img, flags);
		if (r < 0)
			_exit(100 + errno);
		/* CR_RESTART_CHILD: the root is our child */
		if (tree_tasks) {
			for (st = 0; st < 1000 && cg_get("pids.current") != tree_tasks; st++)
				cr_msleep(10);
			_exit(st < 1000 ? CR_RESTART_OK : CR_RESTART_BAD);
		}
		st = cr_wait(r);
		_exit(st < 0 ? 1 : st);
	}
	st = cr_wait_ms(pid, 60000);
	return st;
}

FIXTURE(memcg) {
	int img;
};

FIXTURE_SETUP(memcg)
{
	self->img = -1;
	if (getuid())
		SKIP(return, "needs root");
	if (cg_setup("+memory"))
		SKIP(return, "no cgroup v2 memory controller");
	ASSERT_EQ(0, cg_set("memory.max", "max"));
	self->img = dirty_image();
	ASSERT_GE(self->img, 0);
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->img >= 0)
		close(self->img);
	rmdir(CG_TEST);
}

/* Restored memory is charged to the restarted process's cgroup. */
TEST_F(memcg, charged)
{
	int st = restart_in_cg(self->img, 0);

	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s", cr_status(st));
	/* the same inside a restart that makes a child */
	st = restart_in_cg(self->img, CR_RESTART_CHILD);
	EXPECT_EQ(CR_RESTART_OK, st);
}

/*
 * memory.max below what the image holds: the memory cgroup's OOM killer
 * kills the restarting process, or restart fails with ENOMEM; either
 * soon, and the cgroup is empty afterwards.  Then, the limit lifted, the
 * same image restarts.
 */
TEST_F(memcg, over_limit)
{
	char max[32];
	int st;

	snprintf(max, sizeof(max), "%lu", DIRTY_MIB * MIB / 4);
	ASSERT_EQ(0, cg_set("memory.max", max));
	st = restart_in_cg(self->img, 0);
	EXPECT_TRUE(st == 128 + SIGKILL || st == 100 + ENOMEM)
		TH_LOG("restart over memory.max: %s", cr_status(st));
	EXPECT_TRUE(cg_empty());
	ASSERT_EQ(0, cg_set("memory.max", "max"));
	EXPECT_EQ(CR_RESTART_OK, restart_in_cg(self->img, 0));
}

/* A tree of a root and three children. */
static int tree_image(void)
{
	int img = cr_tmpfile(), i;
	struct cr_proc_ids t[8];
	pid_t root;

	if (img < 0)
		return -1;
	root = fork();
	if (root < 0)
		return -1;
	if (!root) {
		for (i = 0; i < 3; i++) {
			pid_t c = fork();

			if (c < 0)
				_exit(1);
			if (!c)
				for (;;)
					pause();
		}
		for (;;)
			pause();
	}
	/* its children there */
	for (i = 0; i < 1000 && cr_proc_tree(root, t, 8) < 4; i++)
		cr_msleep(10);
	if (sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL) <= 0) {
		kill(root, SIGKILL);
		cr_wait(root);
		return -1;
	}
	cr_wait(root);
	return img;
}

FIXTURE(pids) {
	int img;
};

FIXTURE_SETUP(pids)
{
	self->img = -1;
	if (getuid())
		SKIP(return, "needs root");
	if (cg_setup("+pids"))
		SKIP(return, "no cgroup v2 pids controller");
	/* the tree restarted ends as our children */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, cg_set("pids.max", "max"));
	self->img = tree_image();
	ASSERT_GE(self->img, 0);
}

FIXTURE_TEARDOWN(pids)
{
	if (self->img >= 0)
		close(self->img);
	cg_set("cgroup.kill", "1");
	cr_kill_descendants();
	rmdir(CG_TEST);
}

/*
 * pids.max lets the caller make the root but not its three children:
 * restart fails with the caller intact (EAGAIN, as fork(2) would), no task
 * of the tree is left; in place, the caller is killed; with room for them
 * it succeeds.
 */
TEST_F(pids, over_limit)
{
	int st;

	ASSERT_EQ(0, cg_set("pids.max", "3"));
	st = restart_in_cg(self->img, CR_RESTART_CHILD | CR_RESTART_NEW_PIDS);
	EXPECT_EQ(100 + EAGAIN, st) TH_LOG("%s", cr_status(st));
	/* the root made and killed ends as our zombie */
	EXPECT_EQ(0, cg_reap());
	/*
	 * In place, the caller is the root and its children are made past
	 * the point of no return: killed, cleanly, nothing left
	 */
	st = restart_in_cg(self->img, CR_RESTART_NEW_PIDS);
	EXPECT_EQ(128 + SIGKILL, st) TH_LOG("%s", cr_status(st));
	EXPECT_EQ(0, cg_reap());
	/* room for the caller and the four: back */
	ASSERT_EQ(0, cg_set("pids.max", "5"));
	tree_tasks = 5;
	st = restart_in_cg(self->img, CR_RESTART_CHILD | CR_RESTART_NEW_PIDS);
	tree_tasks = 0;
	EXPECT_EQ(CR_RESTART_OK, st);
}

TEST_HARNESS_MAIN
