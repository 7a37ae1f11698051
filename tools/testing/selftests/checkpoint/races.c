// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: the target goes away, or runs, while its checkpoint is
 * blocked writing the image (#13).
 *
 * A process checkpoints its stopped child into a pipe it filled first, so
 * that checkpoint(2) blocks at a chosen point of the stream (in the head,
 * in the task, cpu or fpu record, in the pages).  Then the child is
 * killed, or continued and exits, calls execve() or forks; a second later
 * the pipe is drained.  checkpoint(2) must end with an errno (ESRCH,
 * EAGAIN, ...), never with an image of a process that is gone, and the
 * kernel must survive it: a panic on oops ends the VM.  And while the
 * checkpoint is stalled, readers of the child's /proc files must not wait
 * for its output to drain.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define PIPE_CAP	65536	/* a new pipe's capacity */
#define TARGET_MEM	(256 * 1024)

/* What the stopped child does when the checkpoint is blocked. */
enum action {
	KILLED,		/* SIGKILL */
	EXITS,		/* SIGCONT: it exits */
	EXECS,		/* SIGCONT: it calls execve() (of a program that exits) */
	FORKS,		/* SIGCONT: it forks a child, waits for it, exits */
};

/* Where checkpoint(2) blocks: a record of the stream, or in the pages. */
enum where { IN_HEAD, IN_TASK, IN_CPU, IN_FPU, IN_MM, IN_PAGES };

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

static int taint(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return atoi(buf);
}

/*
 * The state letter of @pid from /proc/PID/status, which, unlike
 * /proc/PID/stat, takes no lock an exec holds: 0 if it cannot be read.
 */
static char status_state(pid_t pid)
{
	char path[64], line[128];
	char state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			sscanf(line, "State: %c", &state);
	if (f)
		fclose(f);
	return state;
}

/* Wait until @pid is blocked in system call @nr (10 s at most). */
static int wait_in_syscall(pid_t pid, long nr)
{
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
		sleep_ms(20);
	}
	return -1;
}

/*
 * The stopped child: 256 KiB of data, no fd but 0-2.  Continued, it does
 * what @what says and exits with 0.
 */
static pid_t stopped_child(enum action what)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		char *p = malloc(TARGET_MEM);
		pid_t c;

		closefrom(3);
		if (!p)
			_exit(1);
		memset(p, 0x5a, TARGET_MEM);
		raise(SIGSTOP);
		switch (what) {
		case EXECS:
			execl("/bin/busybox", "true", NULL);
			_exit(2);
		case FORKS:
			c = fork();
			if (!c)
				_exit(0);
			waitpid(c, NULL, 0);
			_exit(0);
		default:
			_exit(0);
		}
	}
	if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

/* Record offsets of an image of a child like the others. */
struct layout {
	size_t off[IN_PAGES + 1];
};

static void note_rec(const struct cr_image_rec *rec, void *arg)
{
	const struct cr_hdr *h = &rec->hdr;
	size_t off = rec->off;
	struct layout *l = arg;
	static const unsigned int type[] = {
		[IN_HEAD] = CR_REC_HEAD, [IN_TASK] = CR_REC_TASK, [IN_CPU] = CR_REC_CPU,
		[IN_FPU] = CR_REC_FPU, [IN_MM] = CR_REC_MM, [IN_PAGES] = CR_REC_PAGE_DATA,
	};
	int i;

	for (i = 0; i <= IN_PAGES; i++)
		if (h->type == type[i] && !l->off[i] && (i == IN_HEAD || off))
			l->off[i] = off;
}

/* Where each record starts in the image of a stopped child; 0 or -1. */
static int model_layout(struct layout *l)
{
	int img = cr_tmpfile(), ret = -1;
	size_t len;
	struct cr_image im;
	char *buf;
	pid_t pid;

	memset(l, 0, sizeof(*l));
	pid = stopped_child(KILLED);
	if (img < 0 || pid < 0)
		return -1;
	if (sys_checkpoint(pid, img, 0) > 0 && !lseek(img, 0, SEEK_SET)) {
		buf = cr_read_all(img, &len);
		if (buf && cr_image_walk(&im, buf, len, note_rec, l) > 0 && l->off[IN_PAGES])
			ret = 0;
		free(buf);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(img);
	return ret;
}

/*
 * Room left in the pipe so that checkpoint blocks in record @w: what
 * comes before it fits, its header does not.  Small writes merge into the
 * last page of a pipe, so inside the first page this is exact.
 */
static size_t room_for(const struct layout *l, enum where w)
{
	if (w == IN_HEAD)
		return 0;
	if (w == IN_PAGES)
		return l->off[IN_PAGES] + 5 * 4096;
	return l->off[w] + 4;
}

/* Fill pipe @p (blocking) so that only @room bytes are free. */
static int fill_pipe(int p[2], size_t room)
{
	static char junk[4096];
	size_t left = PIPE_CAP - room;

	if (room > PIPE_CAP || fcntl(p[1], F_SETFL, O_NONBLOCK))
		return -1;
	while (left) {
		size_t n = left < sizeof(junk) ? left : sizeof(junk);

		if (write(p[1], junk, n) != (ssize_t)n)
			return -1;
		left -= n;
	}
	return fcntl(p[1], F_SETFL, 0);
}

/* Read @p0 to its end (or up to @ms); the bytes read, -1 on timeout. */
static long drain(int p0, long ms)
{
	static char buf[65536];
	long end = cr_now_ms() + ms, total = 0;
	struct pollfd pfd = { .fd = p0, .events = POLLIN };

	for (;;) {
		long left = end - cr_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		n = read(p0, buf, sizeof(buf));
		if (n <= 0)
			return total;
		total += n;
	}
}

/* Wait for @pid up to @ms: its exit code, 1000 + signal, or -1 (killed then). */
static int wait_deadline(pid_t pid, long ms)
{
	long end = cr_now_ms() + ms;
	int status;

	while (cr_now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
		if (r < 0)
			return -2;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Outcomes of a scenario besides the checkpointer's errno. */
#define R_SETUP		200	/* the set-up failed */
#define R_IMAGE		201	/* checkpoint succeeded: an image of what is gone */
#define R_HANG		202	/* checkpoint did not end after the drain */
#define R_TAINT		203	/* the kernel was tainted (a WARN) */

/*
 * Checkpoint a stopped child into a pipe with @room bytes free, from a
 * child of ours; once it blocks, do @what to the child, wait a second and
 * drain the pipe.  The checkpointer's errno, or an R_* outcome.
 */
static int scenario(size_t room, enum action what)
{
	int p[2], t0 = taint(), ret;
	pid_t target, ckpt;

	target = stopped_child(what);
	if (target < 0 || pipe(p) || fill_pipe(p, room))
		return R_SETUP;
	ckpt = fork();
	if (ckpt < 0)
		return R_SETUP;
	if (!ckpt) {
		long r;

		close(p[0]);
		r = sys_checkpoint(target, p[1], 0);
		_exit(r > 0 ? 0 : errno);
	}
	close(p[1]);
	if (wait_in_syscall(ckpt, __NR_checkpoint))
		return R_SETUP;
	sleep_ms(200);	/* written up to the point where it blocks */
	kill(target, what == KILLED ? SIGKILL : SIGCONT);
	sleep_ms(1000);
	drain(p[0], 20000);
	close(p[0]);
	ret = wait_deadline(ckpt, 10000);
	wait_deadline(target, 10000);
	if (ret < 0)
		return R_HANG;
	if (taint() != t0)
		return R_TAINT;
	return ret ? ret : R_IMAGE;
}

static int ok_errno(int e)
{
	return e == ESRCH || e == EAGAIN || e == EPIPE;
}

static const char *outcome(int r)
{
	switch (r) {
	case R_SETUP:
		return "set-up failed";
	case R_IMAGE:
		return "checkpoint succeeded";
	case R_HANG:
		return "checkpoint did not end";
	case R_TAINT:
		return "kernel tainted";
	}
	return strerror(r);
}

/* Block checkpoint(2) in @where, then do @what to its stopped target. */
static void race(struct __test_metadata *_metadata, enum where where, enum action what)
{
	struct layout l;
	int r;

	ASSERT_EQ(0, model_layout(&l));
	r = scenario(room_for(&l, where), what);
	ASSERT_NE(R_SETUP, r);
	TH_LOG("room %zu bytes: checkpoint ended with %s", room_for(&l, where), outcome(r));
	EXPECT_TRUE(ok_errno(r));
}

/* Killed while checkpoint blocks in the head: cr_write_task() next. */
TEST(killed_in_head)
{
	race(_metadata, IN_HEAD, KILLED);
}

/* ... in the task record: the registers are read next. */
TEST(killed_in_task)
{
	race(_metadata, IN_TASK, KILLED);
}

/* ... in the cpu record: the fpu state next. */
TEST(killed_in_cpu)
{
	race(_metadata, IN_CPU, KILLED);
}

/* ... in the fpu record: the mm and the files next. */
TEST(killed_in_fpu)
{
	race(_metadata, IN_FPU, KILLED);
}

/* ... in the mm record. */
TEST(killed_in_mm)
{
	race(_metadata, IN_MM, KILLED);
}

/* ... in the pages. */
TEST(killed_in_pages)
{
	race(_metadata, IN_PAGES, KILLED);
}

/* Continued, it exits on its own. */
TEST(exits_in_head)
{
	race(_metadata, IN_HEAD, EXITS);
}

TEST(exits_in_task)
{
	race(_metadata, IN_TASK, EXITS);
}

TEST(exits_in_pages)
{
	race(_metadata, IN_PAGES, EXITS);
}

/* Continued, it calls execve(): the exec waits for the checkpoint. */
TEST(execs_in_head)
{
	race(_metadata, IN_HEAD, EXECS);
}

TEST(execs_in_pages)
{
	race(_metadata, IN_PAGES, EXECS);
}

/* Continued, it forks a child and exits. */
TEST(forks_in_head)
{
	race(_metadata, IN_HEAD, FORKS);
}

TEST(forks_in_fpu)
{
	race(_metadata, IN_FPU, FORKS);
}

/* The same as uid 65534: a child of its own is all it needs. */
TEST(killed_in_head_unprivileged)
{
	int r;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs root to switch to uid 65534");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(R_SETUP);
		prctl(PR_SET_DUMPABLE, 1);
		_exit(scenario(0, KILLED));
	}
	r = cr_wait(pid);
	ASSERT_NE(R_SETUP, r);
	EXPECT_TRUE(ok_errno(r)) TH_LOG("checkpoint as nobody: %s", outcome(r));
}

/*
 * A stalled checkpoint and /proc: the stopped child is continued and
 * calls execve(), which waits for the checkpoint (exec_update_lock).  A
 * reader of /proc/CHILD/stat must not wait with it: it must be done
 * within a second while the checkpoint is still blocked.  Then the pipe
 * is drained and everything ends.
 */
TEST(proc_stat_while_stalled)
{
	int p[2], r, reader_rc, i;
	long t0, waited;
	pid_t target, ckpt, reader;
	char path[64];

	target = stopped_child(EXECS);
	ASSERT_GT(target, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, fill_pipe(p, 0));
	ckpt = fork();
	ASSERT_GE(ckpt, 0);
	if (!ckpt) {
		close(p[0]);
		_exit(sys_checkpoint(target, p[1], 0) > 0 ? 0 : errno);
	}
	close(p[1]);
	ASSERT_EQ(0, wait_in_syscall(ckpt, __NR_checkpoint));
	ASSERT_EQ(0, kill(target, SIGCONT));
	/* the exec is stuck once the child sleeps uninterruptibly */
	for (i = 0; i < 200 && status_state(target) != 'D'; i++)
		sleep_ms(10);
	TH_LOG("child state %c after SIGCONT", status_state(target));

	snprintf(path, sizeof(path), "/proc/%d/stat", target);
	t0 = cr_now_ms();
	reader = fork();
	ASSERT_GE(reader, 0);
	if (!reader) {
		char buf[512];
		int fd = open(path, O_RDONLY);

		_exit(fd >= 0 && read(fd, buf, sizeof(buf)) > 0 ? 0 : 1);
	}
	reader_rc = wait_deadline(reader, 1000);
	waited = cr_now_ms() - t0;
	/* the checkpoint is still blocked: nobody drained the pipe */
	EXPECT_EQ(0, waitpid(ckpt, NULL, WNOHANG));
	EXPECT_NE(-1, reader_rc) TH_LOG("reader of %s still blocked after %ld ms", path, waited);
	EXPECT_EQ(0, reader_rc > 0 ? reader_rc : 0);

	/* a second reader, to show it ends once the pipe is drained */
	if (reader_rc == -1) {
		reader = fork();
		ASSERT_GE(reader, 0);
		if (!reader) {
			char buf[512];
			int fd = open(path, O_RDONLY);

			_exit(fd >= 0 && read(fd, buf, sizeof(buf)) > 0 ? 0 : 1);
		}
		sleep_ms(500);
		t0 = cr_now_ms();
		drain(p[0], 20000);
		r = wait_deadline(reader, 10000);
		TH_LOG("second reader: %s %ld ms after the drain",
		       r == 0 ? "done" : "failed", cr_now_ms() - t0);
	} else {
		drain(p[0], 20000);
	}
	close(p[0]);
	r = wait_deadline(ckpt, 10000);
	EXPECT_TRUE(ok_errno(r)) TH_LOG("checkpoint: %s", outcome(r ? r : R_IMAGE));
	EXPECT_EQ(0, wait_deadline(target, 10000));
}

TEST_HARNESS_MAIN
