// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: faults on the output fd during checkpoint.  Each returns
 * its errno, promptly, and the stopped target runs on as if nothing had
 * happened.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define TARGET_MEM	(1 << 20)

/*
 * A target with 1 MiB of data, stopped; when continued it checks its data
 * and exits with CR_RESTART_OK.
 */
static pid_t stopped_target(void)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		unsigned char *p = malloc(TARGET_MEM);
		int i;

		closefrom(3);
		if (!p)
			_exit(1);
		for (i = 0; i < TARGET_MEM; i++)
			p[i] = i * 13;
		raise(SIGSTOP);
		for (i = 0; i < TARGET_MEM; i++)
			if (p[i] != (unsigned char)(i * 13))
				_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}
	if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

static int cont_and_wait(pid_t pid)
{
	kill(pid, SIGCONT);
	return cr_wait(pid);
}

TEST(enospc)
{
	pid_t pid;
	int fd;

	if (getuid())
		SKIP(return, "needs root to mount a tmpfs");
	mkdir("/tmp/cr-small", 0755);
	ASSERT_EQ(0, mount("tmpfs", "/tmp/cr-small", "tmpfs", 0, "size=64k"));
	fd = open("/tmp/cr-small/img", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	pid = stopped_target();
	ASSERT_GT(pid, 0);
	EXPECT_EQ(-1, sys_checkpoint(pid, fd, 0));
	EXPECT_EQ(ENOSPC, errno);
	close(fd);
	EXPECT_EQ(CR_RESTART_OK, cont_and_wait(pid));
	umount("/tmp/cr-small");
}

/* Nobody reads a non-blocking pipe: EAGAIN once it is full, no spinning. */
TEST(nonblocking_pipe_full)
{
	struct timespec t0, t1;
	int p[2];
	pid_t pid;

	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	pid = stopped_target();
	ASSERT_GT(pid, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-1, sys_checkpoint(pid, p[1], 0));
	EXPECT_EQ(EAGAIN, errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_LT(t1.tv_sec - t0.tv_sec, 10);
	EXPECT_EQ(CR_RESTART_OK, cont_and_wait(pid));
	close(p[0]);
	close(p[1]);
}

/*
 * The reader went away: EPIPE, and unlike write(2) no SIGPIPE to kill the
 * checkpointer (which has SIGPIPE's default action); a SIGPIPE that was
 * pending before stays pending.
 */
TEST(reader_gone)
{
	int p[2];
	pid_t pid, ckpt;

	ASSERT_EQ(0, pipe(p));
	close(p[0]);
	pid = stopped_target();
	ASSERT_GT(pid, 0);
	ckpt = fork();
	ASSERT_GE(ckpt, 0);
	if (!ckpt) {
		sigset_t set;

		signal(SIGPIPE, SIG_DFL);
		if (sys_checkpoint(pid, p[1], 0) != -1 || errno != EPIPE)
			_exit(1);
		if (sigpending(&set) || sigismember(&set, SIGPIPE))
			_exit(2);
		/* one of its own, blocked: still there after another EPIPE */
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGPIPE);
		if (sys_checkpoint(pid, p[1], 0) != -1 || errno != EPIPE)
			_exit(3);
		if (sigpending(&set) || !sigismember(&set, SIGPIPE))
			_exit(4);
		_exit(0);
	}
	EXPECT_EQ(0, cr_wait(ckpt));
	EXPECT_EQ(CR_RESTART_OK, cont_and_wait(pid));
	close(p[1]);
}

/* The target ran to its end before the dump: ESRCH. */
TEST(target_gone)
{
	int fd = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(fd, 0);
	pid = stopped_target();
	ASSERT_GT(pid, 0);
	EXPECT_EQ(CR_RESTART_OK, cont_and_wait(pid));
	EXPECT_EQ(-1, sys_checkpoint(pid, fd, 0));
	EXPECT_EQ(ESRCH, errno);
	close(fd);
}

/* Wait until @pid is blocked in system call @nr (10 s at most). */
static int wait_in_syscall(pid_t pid, long nr)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char path[64], buf[64];
	int i, fd, n;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 500; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			if (buf[0] >= '0' && buf[0] <= '9' && atol(buf) == nr)
				return 0;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void on_usr1(int sig)
{
}

enum mid_dump { CONTINUED, KILLED, INTERRUPTED };

/*
 * A checkpoint into a pipe nobody reads yet blocks once the pipe is full,
 * in the middle of the target's pages.  Then: the target is continued,
 * or killed, or the checkpointer gets a signal (its handler has
 * SA_RESTART: the call must fail, not start its image again).  Then the
 * pipe is drained.  The errno of the checkpointer, or -1.
 */
static int checkpoint_mid_dump(pid_t target, enum mid_dump what)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	char buf[65536];
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(p[0]);
		sigaction(SIGUSR1, &sa, NULL);
		if (sys_checkpoint(target, p[1], 0) > 0)
			_exit(0);
		_exit(errno);
	}
	close(p[1]);
	if (wait_in_syscall(pid, __NR_checkpoint))
		return -1;
	if (what == CONTINUED)
		kill(target, SIGCONT);
	else if (what == KILLED)
		kill(target, SIGKILL);
	else
		kill(pid, SIGUSR1);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Continued in the middle of its dump: EAGAIN; it runs on, intact. */
TEST(target_continued_mid_dump)
{
	pid_t pid = stopped_target();

	ASSERT_GT(pid, 0);
	EXPECT_EQ(EAGAIN, checkpoint_mid_dump(pid, CONTINUED));
	EXPECT_EQ(CR_RESTART_OK, cr_wait(pid));
}

/* Killed in the middle of its dump: the checkpoint fails, nothing more. */
TEST(target_killed_mid_dump)
{
	pid_t pid = stopped_target();
	int err;

	ASSERT_GT(pid, 0);
	err = checkpoint_mid_dump(pid, KILLED);
	EXPECT_TRUE(err == EAGAIN || err == ESRCH) TH_LOG("errno %d", err);
	EXPECT_EQ(128 + SIGKILL, cr_wait(pid));
}

/* The checkpointer interrupted by a signal: EINTR, the target untouched. */
TEST(caller_interrupted)
{
	pid_t pid = stopped_target();

	ASSERT_GT(pid, 0);
	EXPECT_EQ(EINTR, checkpoint_mid_dump(pid, INTERRUPTED));
	EXPECT_EQ(CR_RESTART_OK, cont_and_wait(pid));
}

static long meminfo_kb(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	if (f)
		fclose(f);
	return v;
}

FIXTURE(cycles) {
};

FIXTURE_SETUP(cycles)
{
}

FIXTURE_TEARDOWN(cycles)
{
}

/*
 * Checkpoint and restart in a loop: slab and vmalloc use must not grow
 * with the number of cycles (kmemleak, on the debug kernel, scans after
 * the suite, and lockdep watches).  1000 cycles: minutes under TCG with
 * KASAN.
 */
TEST_F_TIMEOUT(cycles, no_growth, 1200)
{
	const int n = 1000;
	long slab0 = 0, vm0 = 0, slab1, vm1;
	int i, img;

	for (i = -20; i < n; i++) {
		pid_t pid;

		if (i == 0) {
			slab0 = meminfo_kb("Slab:");
			vm0 = meminfo_kb("VmallocUsed:");
		}
		img = cr_tmpfile();
		ASSERT_GE(img, 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			if (cr_self_checkpoint(img))
				_exit(CR_ORIG_OK);
			_exit(CR_RESTART_OK);
		}
		ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
		ASSERT_EQ(CR_RESTART_OK, cr_restart_child(img));
		close(img);
	}
	slab1 = meminfo_kb("Slab:");
	vm1 = meminfo_kb("VmallocUsed:");
	TH_LOG("%d cycles: slab %ld -> %ld kB, vmalloc %ld -> %ld kB", n, slab0, slab1, vm0, vm1);
	/* a leak of even 1 kB a cycle would show as 1000 kB */
	EXPECT_LT(slab1 - slab0, 1000);
	EXPECT_LT(vm1 - vm0, 1000);
}

TEST_HARNESS_MAIN
