// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: a signal that reaches a process while restart(2) is
 * still loading it.  A process with 16 MiB of dirty memory and a handler
 * for the signal that counts its runs is checkpointed; the image is fed to
 * restart through a pipe by a slow producer, and the signal (SIGTERM,
 * SIGALRM, SIGTSTP, SIGCHLD, SIGUSR1) is sent to the restarting process
 * past restart's point of no return: at the first pages, in the middle of
 * the pages, before the tail.  Whatever the restarter's own disposition,
 * the signal must neither kill nor stop the half-built process nor be
 * lost: after restart the restored handler runs, once, and the memory is
 * intact.  SIGKILL still kills.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#define RESULT	"/tmp/cr-restart-signals-result"
#define COMM	"crload"
#define MEM	(16UL << 20)
#define CHUNK	(256 << 10)
#define CHUNK_MS	10
/* the report signal: the child writes its result and exits */
#define REPORT	SIGUSR2

enum point { PAGES_START, PAGES_MID, BEFORE_TAIL };

struct result {
	int hits;	/* runs of the handler */
	int code;	/* si_code of the last run */
	long bad;	/* pages that did not come back */
};

static volatile int hits, code, report;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	hits++;
	code = si->si_code;
}

static void on_report(int sig)
{
	report = 1;
}

static unsigned long pattern(unsigned long i)
{
	return i * 0x9e3779b97f4a7c15UL + 1;
}

static void __attribute__((noreturn)) loader(int sig)
{
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct result r = {};
	unsigned long *mem, i, n = MEM / sizeof(*mem);

	closefrom(3);
	sigemptyset(&sa.sa_mask);
	if (sig != SIGKILL && sigaction(sig, &sa, NULL))
		_exit(1);
	if (signal(REPORT, on_report) == SIG_ERR)
		_exit(1);
	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(1);
	for (i = 0; i < n; i++)
		mem[i] = pattern(i);
	prctl(PR_SET_NAME, COMM);
	while (!report)
		pause();
	for (i = 0; i < n; i += 512)
		if (mem[i] != pattern(i))
			r.bad++;
	r.hits = hits;
	r.code = code;
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

struct offsets {
	size_t ponr;	/* the first record after the signals record */
	size_t tail;
	int after_signals;
};

static void find_offsets(const struct cr_image_rec *rec, void *arg)
{
	const struct cr_hdr *h = &rec->hdr;
	size_t off = rec->off;
	struct offsets *o = arg;

	if (o->after_signals && !o->ponr)
		o->ponr = off;
	if (h->type == CR_REC_SIGNALS)
		o->after_signals = 1;
	if (h->type == CR_REC_TAIL)
		o->tail = off;
}

/* Wait until the reader took every byte of the pipe (and a little more). */
static void drained(int fd)
{
	int i, n = 0;

	for (i = 0; i < 2000; i++) {
		if (ioctl(fd, FIONREAD, &n) || !n)
			break;
		cr_msleep(1);
	}
	cr_msleep(20);
}

FIXTURE(loading) {
	int img;
	char *buf;
};

FIXTURE_VARIANT(loading) {
	int sig;
	enum point point;
};

FIXTURE_VARIANT_ADD(loading, sigterm_pages_start) { .sig = SIGTERM, .point = PAGES_START };
FIXTURE_VARIANT_ADD(loading, sigterm_pages_mid) { .sig = SIGTERM, .point = PAGES_MID };
FIXTURE_VARIANT_ADD(loading, sigterm_before_tail) { .sig = SIGTERM, .point = BEFORE_TAIL };
FIXTURE_VARIANT_ADD(loading, sigalrm_pages_mid) { .sig = SIGALRM, .point = PAGES_MID };
FIXTURE_VARIANT_ADD(loading, sigtstp_pages_mid) { .sig = SIGTSTP, .point = PAGES_MID };
FIXTURE_VARIANT_ADD(loading, sigchld_pages_mid) { .sig = SIGCHLD, .point = PAGES_MID };
FIXTURE_VARIANT_ADD(loading, sigusr1_pages_mid) { .sig = SIGUSR1, .point = PAGES_MID };
FIXTURE_VARIANT_ADD(loading, sigusr1_before_tail) { .sig = SIGUSR1, .point = BEFORE_TAIL };
FIXTURE_VARIANT_ADD(loading, sigkill_pages_mid) { .sig = SIGKILL, .point = PAGES_MID };

FIXTURE_SETUP(loading)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	self->buf = NULL;
	unlink(RESULT);
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(loading)
{
	close(self->img);
	free(self->buf);
	unlink(RESULT);
}

TEST_F_TIMEOUT(loading, signal_while_loading, 40)
{
	struct offsets o = {};
	struct cr_image im;
	size_t len, off = 0, point;
	struct result r;
	int p[2], status, sent = 0, ended;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		loader(variant->sig);
	ASSERT_EQ(0, cr_wait_comm(pid, COMM, 20000));
	ASSERT_EQ(0, cr_wait_state(pid, 'S'));
	ASSERT_EQ(0, cr_stop_wait(pid, 1));
	ASSERT_GT(cr_checkpoint_kill(pid, self->img), 0) TH_LOG("checkpoint: %s", strerror(errno));

	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	self->buf = cr_read_all(self->img, &len);
	ASSERT_NE(NULL, self->buf);
	ASSERT_GT(cr_image_walk(&im, self->buf, len, find_offsets, &o), 0);
	ASSERT_GT(o.ponr, 0);
	ASSERT_GT(o.tail, o.ponr + MEM / 2);
	switch (variant->point) {
	case PAGES_START:
		point = o.ponr + (512 << 10);
		break;
	case PAGES_MID:
		point = o.ponr + (o.tail - o.ponr) / 2;
		break;
	default:
		point = o.tail;
		break;
	}

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* a plain restarter: default dispositions, nothing blocked */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(variant->sig, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(p[1]);
		sys_restart(0, p[0], 0);
		_exit(100 + errno);
	}
	close(p[0]);

	/* the slow producer; the signal once the restarter took @point bytes */
	while (off < len) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;

		if (!sent && off + n > point)
			n = point - off;
		if (!sent && off == point) {
			drained(p[1]);
			ASSERT_EQ(0, kill(pid, variant->sig));
			sent = 1;
			continue;
		}
		if (cr_write_all(p[1], self->buf + off, n))
			break;	/* the restarter is gone */
		off += n;
		cr_msleep(CHUNK_MS);
	}
	close(p[1]);
	EXPECT_TRUE(sent);

	if (variant->sig == SIGKILL) {
		int ms;

		/*
		 * It dies inside restart(2), past the point of no return: its
		 * comm is already back then, so wait for its end, not its comm.
		 */
		for (ended = 0, ms = 0; !ended && ms < 10000; ms += 5) {
			ended = waitpid(pid, &status, WNOHANG) == pid;
			if (!ended)
				cr_msleep(5);
		}
		if (!ended) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		ASSERT_EQ(1, ended) TH_LOG("SIGKILL did not kill the restarting process");
		ASSERT_TRUE(WIFSIGNALED(status));
		EXPECT_EQ(SIGKILL, WTERMSIG(status));
		return;
	}
	ended = cr_wait_restarted(pid, COMM, 10000, &status);
	if (ended == 1) {
		if (WIFSIGNALED(status))
			TH_LOG("signal %d sent at offset %zu of %zu: restarter killed by %d",
			       variant->sig, point, len, WTERMSIG(status));
		else
			TH_LOG("signal %d sent at offset %zu of %zu: restart exited with %d",
			       variant->sig, point, len, WEXITSTATUS(status));
		ASSERT_EQ(0, ended);
	}
	if (ended < 0) {
		TH_LOG("signal %d sent at offset %zu of %zu: not restarted after 10 s (state %c)",
		       variant->sig, point, len, cr_proc_state(pid));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ASSERT_EQ(0, ended);
	}
	cr_msleep(300);
	ASSERT_EQ(0, kill(pid, REPORT));
	ASSERT_EQ(CR_RESTART_OK, cr_wait(pid));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	EXPECT_EQ(1, r.hits) TH_LOG("the restored handler of signal %d ran %d times",
				    variant->sig, r.hits);
	EXPECT_EQ(SI_USER, r.code);
	EXPECT_EQ(0, r.bad);
}

TEST_HARNESS_MAIN
