// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: checkpoint and restart of process trees (#14).
 *
 * checkpoint(pid) saves the whole tree rooted at pid; restart() makes the
 * caller its root (in place: its pid must be the saved root's) or creates
 * the root as a new child of the caller (CR_RESTART_CHILD), and creates
 * every other task itself, with its saved pid unless CR_RESTART_NEW_PIDS.
 *
 * The trees here are made of this program's own processes.  Each task
 * appends a record (struct rec) to a result file when it reaches its wait
 * point (phase 0) and again once woken after the restart (phase 1): its
 * pid, parent, process group, session and what it checked.  The wait point
 * is sigwaitinfo(SIGUSR2), or wait4() for a parent of a child that exits
 * after the restart; the test wakes each task with kill(saved pid,
 * SIGUSR2).  The test process is a child subreaper: a killed tree ends as
 * its zombies, which it reaps, so that the saved pids are free again.
 *
 * And Debian's gzip between two busybox stages in a `sh -c` pipeline,
 * frozen mid-run, killed, restarted: its output is an uninterrupted run's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "cr_child.h"
#include "../kselftest_harness.h"

#define DIR_		"/tmp/cr-tree"
#define RESULTS		DIR_ "/results"
#define NOBODY		65534

/* The roles of the tasks of the trees. */
enum role {
	/* the big tree: groups, sessions, an orphan, wait4(), exit_signal */
	ROOT,		/* a child subreaper; reaps them all */
	GRP,		/* leads a process group of its own ... */
	GRP_MEMBER,	/* ... with this child in it */
	SESS,		/* leads a session of its own ... */
	SESS_MEMBER,	/* ... with this child in it; pdeath_signal SIGHUP */
	ORPHAN,		/* its parent exited: a child of ROOT, the subreaper */
	WAITER,		/* in wait4() for WAITEE at checkpoint */
	WAITEE,		/* exits with 42 once woken */
	USR1_CHILD,	/* exit_signal SIGUSR1: ROOT waits for it with __WCLONE */
	/* the small tree: R -> C1 -> G, R -> C2 */
	R,
	C1,
	G,
	C2,
	V,		/* a vfork child of C1 */
	ZOMBIE,
	SH,		/* the pipeline's shell ... */
	STAGE,		/* ... and its three stages */
	NR_ROLES
};

static const char *const role_name[NR_ROLES] = {
	"root", "grp", "grp_member", "sess", "sess_member", "orphan", "waiter",
	"waitee", "usr1_child", "R", "C1", "G", "C2", "V", "zombie", "sh", "stage",
};

#define BIG_TREE	((1 << ROOT) | (1 << GRP) | (1 << GRP_MEMBER) | (1 << SESS) | \
			 (1 << SESS_MEMBER) | (1 << ORPHAN) | (1 << WAITER) | \
			 (1 << WAITEE) | (1 << USR1_CHILD))
#define SMALL_TREE	((1 << R) | (1 << C1) | (1 << G) | (1 << C2))

/* ROOT's phase 1 val: what it found once woken */
#define ROOT_USR1_STATUS	(1 << 0)	/* USR1_CHILD exited 7, seen by __WCLONE */
#define ROOT_USR1_SIGNAL	(1 << 1)	/* and SIGUSR1 came, not SIGCHLD */
#define ROOT_SUBREAPER		(1 << 2)	/* still a child subreaper */
#define ROOT_CHILDREN		(1 << 3)	/* its other 4 children exited with 0 */
#define ROOT_ALL		((1 << 4) - 1)

/* What a task says of itself, appended to RESULTS. */
struct rec {
	int role;
	int phase;		/* 0: at its wait point; 1: woken after restart */
	pid_t pid, ppid, pgid, sid;
	int uid;
	int val;		/* what its role checked */
	char why[64];		/* a self-check that failed, or "" */
};

/* --- in the tasks of the trees -------------------------------------------- */

/* Append this task's record; opened by path each time: no fd is kept. */
static void report(int role, int phase, int val, const char *why)
{
	struct rec r = {
		.role = role, .phase = phase, .pid = getpid(), .ppid = getppid(),
		.pgid = getpgid(0), .sid = getsid(0), .uid = getuid(), .val = val,
	};
	int fd;

	snprintf(r.why, sizeof(r.why), "%s", why ? why : "");
	fd = open(RESULTS, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(90);
	close(fd);
}

/* The wait point: sigwaitinfo() for SIGUSR2, blocked in every task. */
static void wait_wake(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	while (sigwaitinfo(&s, NULL) != SIGUSR2)
		;
}

/* A leaf: report, wait, report, exit with @code. */
static void leaf(int role, int code)
{
	report(role, 0, 0, NULL);
	wait_wake();
	report(role, 1, 0, NULL);
	_exit(code);
}

/* Wait for the child @pid: 0 if it exited with 0, else 1. */
static int reap_ok(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			return 1;
	return !(WIFEXITED(status) && !WEXITSTATUS(status));
}

/*
 * Wait for every child: 0 if there was one and all exited with 0, else 1.
 * By no pid: after a restart with new pids the saved ones are stale.
 */
static int reap_all_ok(void)
{
	int status, n = 0, bad = 0;

	for (;;) {
		if (waitpid(-1, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n++;
		bad |= !(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	return !n || bad;
}

/* In a new task: /dev/null on fds 0-2, no other fd, SIGUSR2 blocked. */
static void task_init(void)
{
	int null = open("/dev/null", O_RDWR);
	sigset_t s;

	if (null < 0 || dup2(null, 0) || dup2(null, 1) != 1 || dup2(null, 2) != 2)
		_exit(91);
	closefrom(3);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	usr1_seen++;
}

/* Two processes of a group that GRP leads. */
static void grp(void)
{
	pid_t m;

	if (setpgid(0, 0))
		_exit(92);
	m = fork();
	if (!m)
		leaf(GRP_MEMBER, 0);
	report(GRP, 0, 0, NULL);
	wait_wake();
	report(GRP, 1, 0, reap_ok(m) ? "grp_member failed" : NULL);
	_exit(0);
}

/* Two processes of a session that SESS leads; SESS_MEMBER has a pdeath_signal. */
static void sess(void)
{
	pid_t m;

	if (setsid() < 0)
		_exit(92);
	m = fork();
	if (!m) {
		int sig = 0;

		if (prctl(PR_SET_PDEATHSIG, SIGHUP))
			_exit(93);
		report(SESS_MEMBER, 0, 0, NULL);
		wait_wake();
		prctl(PR_GET_PDEATHSIG, &sig);
		report(SESS_MEMBER, 1, sig, sig == SIGHUP ? NULL : "pdeath_signal lost");
		_exit(0);
	}
	report(SESS, 0, 0, NULL);
	wait_wake();
	report(SESS, 1, 0, reap_ok(m) ? "sess_member failed" : NULL);
	_exit(0);
}

/* WAITER sits in wait4() for WAITEE, which exits with 42 once woken. */
static void waiter(void)
{
	pid_t w = fork();
	int status = 0;

	if (!w)
		leaf(WAITEE, 42);
	report(WAITER, 0, 0, NULL);
	if (waitpid(w, &status, 0) != w)
		report(WAITER, 1, -1, "wait4 failed");
	else
		report(WAITER, 1, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		       WIFEXITED(status) && WEXITSTATUS(status) == 42 ? NULL :
		       "wrong status from wait4");
	_exit(0);
}

/*
 * The big tree, in ROOT (a child subreaper): GRP (and GRP_MEMBER), SESS
 * (and SESS_MEMBER), ORPHAN (whose parent exited at once), WAITER (and
 * WAITEE), USR1_CHILD (exit_signal SIGUSR1).
 */
static void big_tree(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	pid_t me = getpid(), mid, e, kids[4];
	int status, val = 0, bad = 0, i, sub = 0;

	task_init();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) || sigaction(SIGUSR1, &sa, NULL))
		_exit(92);
	kids[0] = fork();
	if (!kids[0])
		grp();
	kids[1] = fork();
	if (!kids[1])
		sess();
	kids[2] = fork();
	if (!kids[2])
		waiter();
	mid = fork();
	if (!mid) {
		/* the orphan: reparented to ROOT, the subreaper, when mid exits */
		if (!fork()) {
			for (i = 0; i < 10000 && getppid() != me; i++)
				cr_msleep(1);
			leaf(ORPHAN, 0);
		}
		_exit(0);
	}
	if (reap_ok(mid))
		_exit(94);
	/* a fork with exit_signal SIGUSR1 instead of SIGCHLD */
	e = syscall(SYS_clone, SIGUSR1, NULL, NULL, NULL, NULL);
	if (!e)
		leaf(USR1_CHILD, 7);
	if (e < 0)
		_exit(95);
	report(ROOT, 0, 0, NULL);
	wait_wake();

	if (waitpid(e, &status, __WCLONE) == e && WIFEXITED(status) && WEXITSTATUS(status) == 7)
		val |= ROOT_USR1_STATUS;
	if (usr1_seen)
		val |= ROOT_USR1_SIGNAL;
	if (!prctl(PR_GET_CHILD_SUBREAPER, &sub) && sub == 1)
		val |= ROOT_SUBREAPER;
	/* the orphan is a child too, by now */
	for (i = 0; i < 4; i++) {
		pid_t p = waitpid(-1, &status, __WALL);

		if (p < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	if (!bad && waitpid(-1, &status, __WALL | WNOHANG) < 0 && errno == ECHILD)
		val |= ROOT_CHILDREN;
	report(ROOT, 1, val, val == ROOT_ALL ? NULL : "root's checks failed");
	_exit(0);
}

/* Options of the small tree. */
struct small {
	const char *g_file;	/* G holds this file open (read-write) */
	bool g_mlock;		/* G has an mlocked page: refused */
	bool c1_vfork;		/* C1 is in vfork() for V, V waits */
	bool r_nobody;		/* R drops to nobody after forking C1 */
};

/*
 * The small tree, in R: R -> C1 -> G, R -> C2.  R's phase 1 val: how many
 * children it reaped, each having exited with 0.
 */
static void small_tree(const struct small *o)
{
	pid_t c1, c2;
	int status, n = 0;

	task_init();
	c1 = fork();
	if (!c1) {
		pid_t g = fork();

		if (!g) {
			if (o->g_file && open(o->g_file, O_RDWR) < 0)
				_exit(96);
			if (o->g_mlock) {
				char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

				if (p == MAP_FAILED || mlock(p, 4096))
					_exit(97);
			}
			leaf(G, 0);
		}
		if (o->c1_vfork && !vfork()) {
			report(V, 0, 0, NULL);
			wait_wake();
			report(V, 1, 0, NULL);
			_exit(0);
		}
		report(C1, 0, 0, NULL);
		/* with a vfork child, C1 goes on once V is woken and gone */
		if (!o->c1_vfork)
			wait_wake();
		report(C1, 1, 0, reap_all_ok() ? "G failed" : NULL);
		_exit(0);
	}
	if (o->r_nobody &&
	    (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
	     prctl(PR_SET_DUMPABLE, 1)))
		_exit(98);
	c2 = fork();
	if (!c2)
		leaf(C2, 0);
	report(R, 0, 0, NULL);
	wait_wake();
	/* a lone root, restarted from a CR_CHECKPOINT_ROOT_ONLY image, has none */
	while (waitpid(-1, &status, __WALL) > 0)
		if (WIFEXITED(status) && !WEXITSTATUS(status))
			n++;
	report(R, 1, n, NULL);
	_exit(0);
}

/* --- in the test ------------------------------------------------------------ */

/*
 * Wait up to @ms milliseconds until the tree of @root has @n processes,
 * each asleep in sigwaitinfo(): 0, or -1.
 */
static int tree_at_wait(pid_t root, int n, int ms)
{
	struct cr_proc_ids t[16];
	int i, got;

	for (; ms >= 0; ms -= 10) {
		got = cr_proc_tree(root, t, 16);
		for (i = 0; got == n && i < n; i++)
			if (cr_wait_syscall(t[i].pid, SYS_rt_sigtimedwait, 0))
				break;
		if (got == n && i == n)
			return 0;
		cr_msleep(10);
	}
	return -1;
}

static int read_recs(struct rec *r, int max)
{
	int fd = open(RESULTS, O_RDONLY), n;

	if (fd < 0)
		return 0;
	n = read(fd, r, max * sizeof(*r));
	close(fd);
	return n < 0 ? 0 : n / sizeof(*r);
}

/* The record of @role in @phase, with pid @pid if not 0; NULL if none. */
static const struct rec *find_rec(const struct rec *r, int n, int role, int phase, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].role == role && r[i].phase == phase && (!pid || r[i].pid == pid))
			return &r[i];
	return NULL;
}

/*
 * Wait up to 30 s until every role of @roles has its phase @phase record:
 * the records so far (at most @max) in @r, and how many, or -1.
 */
static int wait_recs(struct rec *r, int max, unsigned int roles, int phase)
{
	int n = 0, i, ms;

	for (ms = 0; ms < 30000; ms += 10) {
		unsigned int have = 0;

		n = read_recs(r, max);
		for (i = 0; i < n; i++)
			if (r[i].phase == phase)
				have |= 1U << r[i].role;
		if ((have & roles) == roles)
			return n;
		cr_msleep(10);
	}
	return -1;
}

/* The tasks of a tree, from their phase 0 records. */
struct tree {
	int n;
	int role[NR_ROLES];
	pid_t pid[NR_ROLES];
	struct cr_proc_ids ids[NR_ROLES];	/* /proc's view before the checkpoint */
	struct rec recs[4 * NR_ROLES];
	int nrecs;
	pid_t root;			/* the root, when its parent changes: */
	pid_t root_ppid;		/* its parent after the restart */
};

/* The pid of @role in @t, or 0. */
static pid_t pid_of(const struct tree *t, int role)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->role[i] == role)
			return t->pid[i];
	return 0;
}

/* The system call a task of @role waits in. */
static long wait_nr(int role)
{
	return role == WAITER ? SYS_wait4 : SYS_rt_sigtimedwait;
}

/*
 * Wait until every task of @roles is at its wait point: its phase 0
 * record written and asleep in its system call (wait4 for WAITER,
 * rt_sigtimedwait for the others).  Fills @t.
 */
static int tree_ready(struct __test_metadata *_metadata, struct tree *t, unsigned int roles)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->nrecs = wait_recs(t->recs, 4 * NR_ROLES, roles, 0);
	if (t->nrecs < 0) {
		TH_LOG("the tree did not reach its wait points");
		return -1;
	}
	for (i = 0; i < t->nrecs; i++) {
		const struct rec *r = &t->recs[i];

		if (r->phase || !(roles & (1U << r->role)))
			continue;
		t->role[t->n] = r->role;
		t->pid[t->n] = r->pid;
		if (cr_wait_syscall(r->pid, wait_nr(r->role), 10000)) {
			TH_LOG("%s (pid %d) is not in its system call", role_name[r->role], r->pid);
			return -1;
		}
		if (cr_proc_ids(r->pid, &t->ids[t->n]))
			return -1;
		t->n++;
	}
	return 0;
}

/* Start a fresh result file anyone may append to. */
static int fresh_results(void)
{
	int fd;

	mkdir(DIR_, 01777);
	chmod(DIR_, 01777);
	unlink(RESULTS);
	fd = open(RESULTS, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || fchmod(fd, 0666))
		return -1;
	close(fd);
	return 0;
}

/*
 * Wake each task of @t that waits for SIGUSR2 by its saved pid (WAITER
 * waits for its child): how many kill() refused.
 */
static int wake_all(const struct tree *t)
{
	int i, bad = 0;

	for (i = 0; i < t->n; i++)
		if (t->role[i] != WAITER)
			bad += kill(t->pid[i], SIGUSR2) != 0;
	return bad;
}

/*
 * Checkpoint the tree rooted at @root with @flags (CR_CHECKPOINT_KILL
 * among them) into a new image, and wait until every task of @t is gone
 * (reaped here, the subreaper).  The image, or -1.
 */
static int checkpoint_kill(struct __test_metadata *_metadata, const struct tree *t, pid_t root,
			   unsigned long flags)
{
	int img = cr_tmpfile(), left;
	long crid;

	if (img < 0)
		return -1;
	crid = sys_checkpoint(root, img, flags);
	if (crid <= 0) {
		TH_LOG("checkpoint of the tree of %d: %s", root, strerror(errno));
		close(img);
		return -1;
	}
	left = cr_wait_gone(t->pid, t->n, 10000);
	if (left) {
		int i;

		for (i = 0; i < t->n; i++)
			if (!cr_pid_free(t->pid[i]))
				TH_LOG("%s (pid %d) survived CR_CHECKPOINT_KILL",
				       role_name[t->role[i]], t->pid[i]);
		TH_LOG("%d of %d tasks of the tree survived CR_CHECKPOINT_KILL", left, t->n);
		close(img);
		return -1;
	}
	return img;
}

/*
 * Restart @img, pids kept: in place, in a child forked with the saved
 * root's pid, or with CR_RESTART_CHILD by the test itself.  The root's
 * pid (a child of the test), or -1.
 */
static pid_t restart_tree(struct __test_metadata *_metadata, int img, pid_t root, bool child)
{
	long ret;

	if (!child)
		return cr_restart_as(root, img, 0);
	if (lseek(img, 0, SEEK_SET))
		return -1;
	ret = sys_restart(0, img, CR_RESTART_CHILD);
	if (ret < 0)
		TH_LOG("restart(CR_RESTART_CHILD): %s", strerror(errno));
	return ret;
}

/*
 * After a restart with pids kept: every task of @t is back, with its
 * parent, group and session as /proc showed them before, at its wait
 * point; each is woken by its pid.  0, or -1.
 */
static int check_back_and_wake(struct __test_metadata *_metadata, const struct tree *t)
{
	int i, bad = 0;

	if (cr_wait_exist(t->pid, t->n, 10000)) {
		for (i = 0; i < t->n; i++)
			if (cr_pid_free(t->pid[i]))
				TH_LOG("%s (pid %d) is not back after the restart",
				       role_name[t->role[i]], t->pid[i]);
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		struct cr_proc_ids now;
		char path[32];

		/*
		 * Its signal state restored, a SIGUSR2 now is not lost.  In
		 * place, the test did not wait for restart(2) to end: a task
		 * exists before it joins its group, but is at its wait point
		 * only once the tree is whole.
		 */
		if (cr_wait_syscall(t->pid[i], wait_nr(t->role[i]), 10000)) {
			TH_LOG("%s (pid %d) is not back at its wait point",
			       role_name[t->role[i]], t->pid[i]);
			bad++;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%d", t->pid[i]);
		if (access(path, F_OK) || cr_proc_ids(t->pid[i], &now)) {
			TH_LOG("%s: no %s", role_name[t->role[i]], path);
			bad++;
			continue;
		}
		if (now.ppid != t->ids[i].ppid || now.pgid != t->ids[i].pgid ||
		    now.sid != t->ids[i].sid || now.threads != t->ids[i].threads) {
			TH_LOG("%s (pid %d): ppid %d pgid %d sid %d threads %d, was %d %d %d %d",
			       role_name[t->role[i]], t->pid[i], now.ppid, now.pgid, now.sid,
			       now.threads, t->ids[i].ppid, t->ids[i].pgid, t->ids[i].sid,
			       t->ids[i].threads);
			bad++;
		}
	}
	if (wake_all(t)) {
		TH_LOG("kill() by a saved pid failed: %s", strerror(errno));
		bad++;
	}
	return bad ? -1 : 0;
}

/*
 * The phase 1 record of every task of @t, with the pid, parent, group and
 * session of its phase 0 record (pids kept) and no failed self-check: how
 * many are wrong.
 */
static int check_after(struct __test_metadata *_metadata, const struct tree *t)
{
	struct rec r[4 * NR_ROLES];
	int n = read_recs(r, 4 * NR_ROLES), i, bad = 0;
	pid_t ppid;

	for (i = 0; i < t->n; i++) {
		const struct rec *a = find_rec(r, n, t->role[i], 0, t->pid[i]);
		const struct rec *b = find_rec(r, n, t->role[i], 1, t->pid[i]);
		const char *name = role_name[t->role[i]];

		if (!a || !b) {
			TH_LOG("%s (pid %d): no report after the restart", name, t->pid[i]);
			bad++;
			continue;
		}
		ppid = t->root && t->pid[i] == t->root ? t->root_ppid : a->ppid;
		if (b->ppid != ppid || a->pgid != b->pgid || a->sid != b->sid) {
			TH_LOG("%s: getppid/getpgid/getsid %d/%d/%d, want %d/%d/%d", name,
			       b->ppid, b->pgid, b->sid, ppid, a->pgid, a->sid);
			bad++;
		}
		if (b->why[0]) {
			TH_LOG("%s: %s (val %#x)", name, b->why, b->val);
			bad++;
		}
	}
	return bad;
}

/* Set-up and clean-up shared by the fixtures. */
static void common_setup(struct __test_metadata *_metadata)
{
	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, fresh_results());
}

static void common_teardown(void)
{
	cr_kill_descendants();
}

/*
 * The big tree, restarted in place (a child forked with the root's pid)
 * or as a child of the caller (CR_RESTART_CHILD); and not checkpointed
 * at all, the reference the tests' own checks must pass.
 */
enum how { UNINTERRUPTED, IN_PLACE, CHILD };

FIXTURE(tree) {
};

FIXTURE_VARIANT(tree) {
	enum how how;
};

FIXTURE_VARIANT_ADD(tree, uninterrupted) {
	.how = UNINTERRUPTED,
};

FIXTURE_VARIANT_ADD(tree, in_place) {
	.how = IN_PLACE,
};

FIXTURE_VARIANT_ADD(tree, child) {
	.how = CHILD,
};

FIXTURE_SETUP(tree)
{
	common_setup(_metadata);
}

FIXTURE_TEARDOWN(tree)
{
	common_teardown();
}

/*
 * Every task comes back with its pid, parent, process group and session,
 * is in /proc and takes a signal by its saved pid; WAITER's wait4() gets
 * WAITEE's status; USR1_CHILD's exit is signalled with SIGUSR1; the
 * subreaper flag and SESS_MEMBER's pdeath_signal are kept.
 */
TEST_F_TIMEOUT(tree, ids, 120)
{
	struct tree t;
	pid_t root, back;
	const struct rec *r;
	int img;

	root = fork();
	ASSERT_GE(root, 0);
	if (!root)
		big_tree();
	ASSERT_EQ(0, tree_ready(_metadata, &t, BIG_TREE));
	ASSERT_EQ(9, t.n);
	/* the tree is what it should be before anything is done to it */
	r = find_rec(t.recs, t.nrecs, GRP_MEMBER, 0, 0);
	ASSERT_TRUE(r && r->pgid == pid_of(&t, GRP) && pid_of(&t, GRP) != getpgid(0));
	r = find_rec(t.recs, t.nrecs, SESS_MEMBER, 0, 0);
	ASSERT_TRUE(r && r->sid == pid_of(&t, SESS) && r->pgid == pid_of(&t, SESS));
	r = find_rec(t.recs, t.nrecs, ORPHAN, 0, 0);
	ASSERT_TRUE(r && r->ppid == root);

	if (variant->how != UNINTERRUPTED) {
		img = checkpoint_kill(_metadata, &t, root,
				      CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL);
		ASSERT_GE(img, 0);
		back = restart_tree(_metadata, img, root, variant->how == CHILD);
		ASSERT_EQ(root, back);
		close(img);
	}
	ASSERT_EQ(0, check_back_and_wake(_metadata, &t));
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
	EXPECT_EQ(0, check_after(_metadata, &t));
	t.nrecs = read_recs(t.recs, 4 * NR_ROLES);
	r = find_rec(t.recs, t.nrecs, WAITER, 1, 0);
	EXPECT_TRUE(r && r->val == 42) TH_LOG("wait4() in WAITER: %d", r ? r->val : -1);
	r = find_rec(t.recs, t.nrecs, ROOT, 1, 0);
	EXPECT_TRUE(r && r->val == ROOT_ALL)
		TH_LOG("root's checks: %#x of %#x", r ? r->val : 0, ROOT_ALL);
}

/*
 * A zombie child of R at checkpoint comes back a zombie, with its pid, and
 * R reaps it with its status after the restart.
 */
TEST_F_TIMEOUT(tree, zombie, 120)
{
	struct tree t;
	struct cr_proc_ids z;
	pid_t root, zpid;
	const struct rec *r;
	int img, pfd[2], i;

	ASSERT_EQ(0, pipe(pfd));
	root = fork();
	ASSERT_GE(root, 0);
	if (!root) {
		pid_t c, zz;
		int status, val = 0;

		close(pfd[0]);
		zz = fork();
		if (!zz)
			_exit(5);
		if (write(pfd[1], &zz, sizeof(zz)) != sizeof(zz))
			_exit(99);
		task_init();
		c = fork();
		if (!c)
			leaf(C2, 0);
		report(R, 0, 0, NULL);
		wait_wake();
		if (waitpid(zz, &status, WNOHANG) == zz && WIFEXITED(status))
			val = WEXITSTATUS(status);
		report(R, 1, val, val == 5 ? NULL : "the zombie's status is lost");
		_exit(reap_ok(c));
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(zpid), read(pfd[0], &zpid, sizeof(zpid)));
	close(pfd[0]);
	ASSERT_EQ(0, tree_ready(_metadata, &t, (1 << R) | (1 << C2)));
	ASSERT_EQ(0, cr_wait_state(zpid, 'Z'));
	t.role[t.n] = ZOMBIE;
	t.pid[t.n] = zpid;
	ASSERT_EQ(0, cr_proc_ids(zpid, &t.ids[t.n]));
	t.n++;

	if (variant->how != UNINTERRUPTED) {
		img = checkpoint_kill(_metadata, &t, root,
				      CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL);
		ASSERT_GE(img, 0);
		ASSERT_EQ(root, restart_tree(_metadata, img, root, variant->how == CHILD));
		close(img);
	}
	/* in place, the test does not wait for restart(2) to make it */
	for (i = 0; i < 1000 && cr_pid_free(zpid); i++)
		cr_msleep(10);
	ASSERT_EQ(0, cr_wait_state(zpid, 'Z')) TH_LOG("pid %d is not a zombie again", zpid);
	ASSERT_EQ(0, cr_proc_ids(zpid, &z));
	EXPECT_EQ(root, z.ppid);
	t.n--;	/* the zombie is not woken: it has no record */
	ASSERT_EQ(0, check_back_and_wake(_metadata, &t));
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
	EXPECT_EQ(0, check_after(_metadata, &t));
	t.nrecs = read_recs(t.recs, 4 * NR_ROLES);
	r = find_rec(t.recs, t.nrecs, R, 1, 0);
	EXPECT_TRUE(r && r->val == 5) TH_LOG("status of the zombie: %d", r ? r->val : -1);
}

/* The small tree, started with @o; R's pid. */
static pid_t start_small(const struct small *o)
{
	pid_t root = fork();

	if (!root)
		small_tree(o);
	return root;
}

#define SMALL_N	4

/* R's phase 1 record says it reaped @n children that exited with 0. */
static int root_reaped(struct __test_metadata *_metadata, pid_t pid, int n)
{
	struct rec r[4 * NR_ROLES];
	int nr = read_recs(r, 4 * NR_ROLES);
	const struct rec *b = find_rec(r, nr, R, 1, pid);

	if (!b || b->val != n) {
		TH_LOG("R (pid %d) after the wake: %d children reaped, want %d", pid,
		       b ? b->val : -1, n);
		return -1;
	}
	return 0;
}

/*
 * A checkpoint that is refused leaves the tree as it was: no task frozen,
 * stopped or killed; woken, each finishes its work.  @stopped: R was
 * stopped by the test, and is continued first.
 */
static void untouched(struct __test_metadata *_metadata, const struct tree *t, pid_t root,
		      bool stopped)
{
	int i;

	for (i = 0; i < t->n; i++) {
		/* thawed, a task is back in its wait in a moment */
		if (stopped && t->pid[i] == root) {
			EXPECT_EQ('T', cr_proc_state(t->pid[i]));
		} else {
			EXPECT_EQ(0, cr_wait_syscall(t->pid[i], wait_nr(t->role[i]), 10000))
				TH_LOG("%s (pid %d) after the refused checkpoint: state %c",
				       role_name[t->role[i]], t->pid[i], cr_proc_state(t->pid[i]));
		}
	}
	if (stopped)
		kill(root, SIGCONT);
	EXPECT_EQ(0, wake_all(t));
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
	EXPECT_EQ(0, check_after(_metadata, t));
}

/*
 * checkpoint(@root, @flags) must fail with @err (or @err2, if not 0):
 * 0, or -1 (logged).
 */
static int refused(struct __test_metadata *_metadata, pid_t root, int img, unsigned long flags,
		   int err, int err2)
{
	long ret = sys_checkpoint(root, img, flags);
	int e = errno;

	if (ret != -1) {
		TH_LOG("the checkpoint was not refused: crid %ld", ret);
		return -1;
	}
	if (e != err && (!err2 || e != err2)) {
		TH_LOG("the checkpoint was refused with %s, not %s%s%s", strerror(e),
		       strerror(err), err2 ? " or " : "", err2 ? strerror(err2) : "");
		return -1;
	}
	return 0;
}

/* Checkpoints a tree refuses, or saves in part. */
FIXTURE(refuse) {
};

FIXTURE_SETUP(refuse)
{
	common_setup(_metadata);
}

FIXTURE_TEARDOWN(refuse)
{
	common_teardown();
}

/* A ptraced task in the tree: EOPNOTSUPP, the tree untouched. */
TEST_F_TIMEOUT(refuse, ptraced, 120)
{
	struct small o = {};
	int img = cr_tmpfile(), p[2];
	struct tree t;
	pid_t root, tracer, g;
	char c;

	ASSERT_GE(img, 0);
	ASSERT_EQ(0, pipe(p));
	root = start_small(&o);
	ASSERT_GE(root, 0);
	ASSERT_EQ(0, tree_ready(_metadata, &t, SMALL_TREE));
	g = pid_of(&t, G);
	tracer = fork();
	ASSERT_GE(tracer, 0);
	if (!tracer) {
		close(p[0]);
		if (ptrace(PTRACE_SEIZE, g, NULL, NULL))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1)) TH_LOG("PTRACE_SEIZE failed");
	close(p[0]);

	ASSERT_EQ(0, refused(_metadata, root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL,
			     EOPNOTSUPP, 0));
	/* the tracer gone, G is traced no more */
	kill(tracer, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, cr_wait(tracer));
	untouched(_metadata, &t, root, false);
	EXPECT_EQ(0, root_reaped(_metadata, root, 2));
	close(img);
}

/* State cr refuses (an mlocked page) in a grandchild: EOPNOTSUPP, untouched. */
TEST_F_TIMEOUT(refuse, refused_grandchild, 120)
{
	struct small o = { .g_mlock = true };
	int img = cr_tmpfile();
	struct tree t;
	pid_t root;

	ASSERT_GE(img, 0);
	root = start_small(&o);
	ASSERT_GE(root, 0);
	ASSERT_EQ(0, tree_ready(_metadata, &t, SMALL_TREE));
	ASSERT_EQ(0, refused(_metadata, root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL,
			     EOPNOTSUPP, 0));
	untouched(_metadata, &t, root, false);
	EXPECT_EQ(0, root_reaped(_metadata, root, 2));
	close(img);
}

/*
 * A vfork child in flight (C1 waits in vfork() for V): the tree cannot be
 * saved (EOPNOTSUPP; or EBUSY, C1 cannot be frozen), and is untouched.
 */
TEST_F_TIMEOUT(refuse, vfork_in_flight, 120)
{
	struct small o = { .c1_vfork = true };
	int img = cr_tmpfile();
	struct tree t;
	pid_t root;

	ASSERT_GE(img, 0);
	root = start_small(&o);
	ASSERT_GE(root, 0);
	/* C1 reports only once V is gone */
	ASSERT_EQ(0, tree_ready(_metadata, &t, (1 << R) | (1 << G) | (1 << C2) | (1 << V)));
	ASSERT_EQ(0, refused(_metadata, root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL,
			     EOPNOTSUPP, EBUSY));
	untouched(_metadata, &t, root, false);
	close(img);
}

/*
 * R stopped, its children running, no CR_CHECKPOINT_FREEZE: EBUSY, and R
 * stays stopped.
 */
TEST_F_TIMEOUT(refuse, running_child, 120)
{
	struct small o = {};
	int img = cr_tmpfile();
	struct tree t;
	pid_t root;

	ASSERT_GE(img, 0);
	root = start_small(&o);
	ASSERT_GE(root, 0);
	ASSERT_EQ(0, tree_ready(_metadata, &t, SMALL_TREE));
	ASSERT_EQ(0, cr_stop_wait(root, 1));
	ASSERT_EQ(0, refused(_metadata, root, img, CR_CHECKPOINT_KILL, EBUSY, 0));
	untouched(_metadata, &t, root, true);
	EXPECT_EQ(0, root_reaped(_metadata, root, 2));
	close(img);
}

/*
 * The checkpointer must be allowed to ptrace every task: R and C2 are
 * nobody's, C1 and G root's; nobody gets EPERM, and nothing is frozen.
 */
TEST_F_TIMEOUT(refuse, eperm_one_task, 120)
{
	struct small o = { .r_nobody = true };
	int img = cr_tmpfile();
	struct tree t;
	pid_t root, ck;

	ASSERT_GE(img, 0);
	root = start_small(&o);
	ASSERT_GE(root, 0);
	ASSERT_EQ(0, tree_ready(_metadata, &t, SMALL_TREE));
	ck = fork();
	ASSERT_GE(ck, 0);
	if (!ck) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(1);
		if (sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL) != -1)
			_exit(2);
		_exit(errno == EPERM ? 0 : 3);
	}
	ASSERT_EQ(0, cr_wait(ck)) TH_LOG("2: nobody checkpointed root's tasks; 3: not EPERM");
	untouched(_metadata, &t, root, false);
	EXPECT_EQ(0, root_reaped(_metadata, root, 2));
	close(img);
}

/*
 * A pid namespace of its own: an init (pid 1 there) with a child, made by
 * OUTER, which stays in the test's namespace.  The init's pid as the test
 * sees it goes to @p once both are in pause().
 */
static pid_t start_pidns(int p[2], pid_t *init)
{
	char buf[1 + sizeof(pid_t)];
	pid_t outer = fork();
	int st;

	if (outer)
		return outer;
	/* no file of the test's: the pipe's end alone, on fd 3 */
	if (dup2(p[1], 3) != 3)
		_exit(1);
	closefrom(4);
	p[1] = 3;
	if (unshare(CLONE_NEWPID))
		_exit(1);
	*init = fork();
	if (!*init) {
		/* pid 1 here: a child, then wait */
		if (getpid() != 1 || fork() == 0) {
			for (;;)
				pause();
		}
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	/* tagged: the init's "x" may come before or after it */
	buf[0] = 'p';
	memcpy(buf + 1, init, sizeof(*init));
	if (write(p[1], buf, sizeof(buf)) != sizeof(buf))
		_exit(1);
	waitpid(*init, &st, 0);
	_exit(0);
}

/* Wait for start_pidns(): the init's pid, or -1. */
static pid_t pidns_ready(int p[2])
{
	char buf[2 + sizeof(pid_t)];
	pid_t init = -1;
	size_t n = 0;
	ssize_t k;

	close(p[1]);
	/* "x" and "p" + pid, atomic writes in either order */
	while (n < sizeof(buf) && (k = read(p[0], buf + n, sizeof(buf) - n)) > 0)
		n += k;
	if (n == sizeof(buf))
		memcpy(&init, buf + (buf[0] == 'x' ? 2 : 1), sizeof(init));
	close(p[0]);
	return init;
}

/* The pids of @pid, from the outermost namespace in (NSpid): how many. */
static int nspids(pid_t pid, pid_t *ids, int max)
{
	char path[64], buf[4096], *l;
	int fd, n = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = 0;
	l = strstr(buf, "\nNSpid:");
	if (!l)
		return 0;
	for (l += 8; n < max && *l && *l != '\n'; ) {
		char *end;
		long v = strtol(l, &end, 10);

		if (end == l)
			break;
		ids[n++] = v;
		l = end;
	}
	return n;
}

/*
 * A task of the tree in a pid namespace below the root's (OUTER's init and
 * its child): its tasks know themselves by pids the image would not keep,
 * so the checkpoint is refused (EOPNOTSUPP) and the tree left running.
 */
TEST_F_TIMEOUT(refuse, own_pid_ns, 60)
{
	int img = cr_tmpfile(), p[2];
	pid_t outer, init;

	ASSERT_GE(img, 0);
	ASSERT_EQ(0, pipe(p));
	outer = start_pidns(p, &init);
	ASSERT_GE(outer, 0);
	init = pidns_ready(p);
	ASSERT_GT(init, 0);
	EXPECT_EQ(-1, sys_checkpoint(outer, img, CR_CHECKPOINT_FREEZE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(0, cr_wait_syscall(init, SYS_pause, 10000))
		TH_LOG("the init is not back in pause()");
	/* the namespace dies with its init */
	kill(init, SIGKILL);
	EXPECT_EQ(0, cr_wait(outer));
	close(img);
}

/*
 * The tree of a pid namespace's init (CR_TREE_PIDNS), frozen and killed:
 * restarted without CR_RESTART_PIDNS it is refused (EINVAL); with it, the
 * init is the init of a new pid namespace (pid 1 there) and its child has
 * its pid there again (2), both back in pause().
 */
TEST_F_TIMEOUT(refuse, pidns_restart, 60)
{
	int img = cr_tmpfile(), p[2];
	pid_t outer, init, ids[4], kid;
	struct cr_proc_ids tasks[4];
	long root;

	ASSERT_GE(img, 0);
	ASSERT_EQ(0, pipe(p));
	outer = start_pidns(p, &init);
	ASSERT_GE(outer, 0);
	init = pidns_ready(p);
	ASSERT_GT(init, 0);
	ASSERT_GT(sys_checkpoint(init, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL), 0)
		TH_LOG("checkpoint of a pid namespace's init: %s", strerror(errno));
	EXPECT_EQ(0, cr_wait(outer));

	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	EXPECT_EQ(-1, sys_restart(0, img, CR_RESTART_CHILD));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	root = sys_restart(0, img, CR_RESTART_CHILD | CR_RESTART_PIDNS);
	ASSERT_GT(root, 0) TH_LOG("restart(CR_RESTART_PIDNS): %s", strerror(errno));
	EXPECT_EQ(2, nspids(root, ids, 4));
	EXPECT_EQ(1, ids[1]) TH_LOG("the init is pid %d in its namespace", ids[1]);
	EXPECT_EQ(0, cr_wait_syscall(root, SYS_pause, 10000));
	/* its child */
	ASSERT_EQ(2, cr_proc_tree(root, tasks, 4));
	kid = tasks[0].pid == root ? tasks[1].pid : tasks[0].pid;
	EXPECT_EQ(2, nspids(kid, ids, 4));
	EXPECT_EQ(2, ids[1]) TH_LOG("its child is pid %d in the namespace", ids[1]);
	EXPECT_EQ(0, cr_wait_syscall(kid, SYS_pause, 10000));
	kill(root, SIGKILL);
	cr_wait(root);
	close(img);
}

/*
 * CR_CHECKPOINT_ROOT_ONLY: the root alone, as before #14.  The tree runs
 * on; the image restarts, with any pid, as a lone root without children.
 */
TEST_F_TIMEOUT(refuse, root_only, 120)
{
	struct small o = {};
	int img = cr_tmpfile();
	struct tree t;
	struct cr_proc_ids kids[8];
	pid_t root, lone;

	ASSERT_GE(img, 0);
	root = start_small(&o);
	ASSERT_GE(root, 0);
	ASSERT_EQ(0, tree_ready(_metadata, &t, SMALL_TREE));
	ASSERT_GT(sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_ROOT_ONLY), 0)
		TH_LOG("checkpoint(CR_CHECKPOINT_ROOT_ONLY): %s", strerror(errno));
	/* the original tree is thawed and whole */
	untouched(_metadata, &t, root, false);
	EXPECT_EQ(0, root_reaped(_metadata, root, 2));

	/* in place, in a process whose pid is not the root's */
	lone = cr_restart_as(0, img, 0);
	ASSERT_GT(lone, 0);
	ASSERT_EQ(0, cr_wait_syscall(lone, SYS_rt_sigtimedwait, 10000))
		TH_LOG("the lone root did not come back to its wait point");
	EXPECT_EQ(1, cr_proc_tree(lone, kids, 8)) TH_LOG("the lone root has children");
	ASSERT_EQ(0, kill(lone, SIGUSR2));
	EXPECT_EQ(0, cr_wait_ms(lone, 30000));
	EXPECT_EQ(0, root_reaped(_metadata, lone, 0));
	close(img);
}

/* restart() of trees: what fails, and how. */
FIXTURE(restart_err) {
};

FIXTURE_SETUP(restart_err)
{
	common_setup(_metadata);
}

FIXTURE_TEARDOWN(restart_err)
{
	common_teardown();
}

/* The small tree, at its wait points, checkpointed and killed: the image. */
static int small_image(struct __test_metadata *_metadata, struct tree *t, const struct small *o)
{
	pid_t root = start_small(o);

	if (root < 0 || tree_ready(_metadata, t, SMALL_TREE) || t->n != SMALL_N)
		return -1;
	return checkpoint_kill(_metadata, t, root, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL);
}

/*
 * restart(CR_RESTART_CHILD) of @img, which must fail: its errno (logged),
 * or 0 if it did not fail.
 */
static int restart_child_fails(struct __test_metadata *_metadata, int img)
{
	long ret;
	int e;

	if (lseek(img, 0, SEEK_SET))
		return 0;
	ret = sys_restart(0, img, CR_RESTART_CHILD);
	e = errno;
	if (ret >= 0) {
		TH_LOG("restart(CR_RESTART_CHILD) did not fail: root %ld", ret);
		return 0;
	}
	TH_LOG("restart(CR_RESTART_CHILD): %s", strerror(e));
	return e;
}

/* No task of @t exists (but @except, if not 0), and as many user tasks as @before. */
static int none_created(struct __test_metadata *_metadata, const struct tree *t, int before,
			pid_t except)
{
	int i, bad = 0, now = cr_user_tasks();

	for (i = 0; i < t->n; i++) {
		if (t->pid[i] != except && !cr_pid_free(t->pid[i])) {
			TH_LOG("%s: pid %d exists", role_name[t->role[i]], t->pid[i]);
			bad++;
		}
	}
	if (now != before) {
		TH_LOG("%d user tasks, %d before the restart", now, before);
		bad++;
	}
	return bad;
}

/* Restart @img with CR_RESTART_CHILD, pids kept, then wake and check the tree. */
static void restart_and_finish(struct __test_metadata *_metadata, const struct tree *t, int img)
{
	pid_t root = pid_of(t, R);

	ASSERT_EQ(root, restart_tree(_metadata, img, root, true));
	ASSERT_EQ(0, check_back_and_wake(_metadata, t));
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
	EXPECT_EQ(0, check_after(_metadata, t));
	EXPECT_EQ(0, root_reaped(_metadata, root, 2));
}

/*
 * A file G holds is gone: ENOENT, in place and as a child; the caller
 * intact, no task created.  Put back, the image restarts.
 */
TEST_F_TIMEOUT(restart_err, file_gone, 120)
{
	struct small o = { .g_file = DIR_ "/held" };
	struct tree t;
	int img, fd, before;

	fd = open(o.g_file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	img = small_image(_metadata, &t, &o);
	ASSERT_GE(img, 0);
	ASSERT_EQ(0, unlink(o.g_file));
	before = cr_user_tasks();
	EXPECT_EQ(ENOENT, restart_child_fails(_metadata, img));
	EXPECT_EQ(0, none_created(_metadata, &t, before, 0));
	EXPECT_EQ(100 + ENOENT, cr_wait_ms(cr_restart_as(pid_of(&t, R), img, 0), 30000));
	EXPECT_EQ(0, none_created(_metadata, &t, before, 0));

	fd = open(o.g_file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	restart_and_finish(_metadata, &t, img);
	close(img);
}

/*
 * G's pid is taken (a process forked with it): EBUSY before anything is
 * created, in place and as a child.  Freed, the image restarts.
 */
TEST_F_TIMEOUT(restart_err, pid_taken, 120)
{
	struct small o = {};
	struct tree t;
	int img, before;
	pid_t squat;

	img = small_image(_metadata, &t, &o);
	ASSERT_GE(img, 0);
	squat = cr_fork_pid(pid_of(&t, G));
	ASSERT_GE(squat, 0);
	if (!squat) {
		for (;;)
			pause();
	}
	ASSERT_EQ(pid_of(&t, G), squat);
	before = cr_user_tasks();
	EXPECT_EQ(EBUSY, restart_child_fails(_metadata, img));
	/* G's pid is the squatter's */
	EXPECT_EQ(0, none_created(_metadata, &t, before, squat));
	EXPECT_EQ(100 + EBUSY, cr_wait_ms(cr_restart_as(pid_of(&t, R), img, 0), 30000));
	EXPECT_EQ(0, none_created(_metadata, &t, before, squat));

	kill(squat, SIGKILL);
	ASSERT_EQ(128 + SIGKILL, cr_wait(squat));
	restart_and_finish(_metadata, &t, img);
	close(img);
}

/* In place, for more than one task, the caller's pid must be the root's. */
TEST_F_TIMEOUT(restart_err, caller_not_root, 120)
{
	struct small o = {};
	struct tree t;
	int img, before, st;

	img = small_image(_metadata, &t, &o);
	ASSERT_GE(img, 0);
	before = cr_user_tasks();
	st = cr_wait_ms(cr_restart_as(0, img, 0), 20000);
	EXPECT_EQ(100 + EBUSY, st)
		TH_LOG("in place in pid != root's: %s",
		       st < 0 ? "it restarted (killed after 20 s)" : "");
	EXPECT_EQ(0, none_created(_metadata, &t, before, 0));
	restart_and_finish(_metadata, &t, img);
	close(img);
}

/*
 * nobody's restarter, with @flags (CR_RESTART_NEW_PIDS or not; with
 * CR_RESTART_CHILD it waits for the root): in a process group of its own,
 * deaf to SIGUSR2, with which it wakes the tree once restarted; exits with
 * the root's status, or 100 + errno.
 */
static int nobody_restarts(int img, unsigned long flags)
{
	sigset_t s;
	long root;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) || setpgid(0, 0))
		return 1;
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	if (lseek(img, 0, SEEK_SET))
		return 2;
	root = sys_restart(0, img, flags);
	if (root < 0)
		return 100 + errno;
	if (!(flags & CR_RESTART_CHILD))
		return 3;	/* in place: not reached */
	if (tree_at_wait(root, SMALL_N, 10000))
		return 4;
	kill(0, SIGUSR2);
	return cr_wait(root);
}

static pid_t fork_nobody(int img, unsigned long flags)
{
	pid_t pid = fork();

	if (!pid)
		_exit(nobody_restarts(img, flags));
	return pid;
}

/*
 * With new pids: the phase 1 records of the small tree say every task is
 * nobody's, in the group @pgid, with the tree's shape: R's parent is
 * @parent (0: any), C1 and C2 R's children, G C1's.
 */
static int check_new_pids(struct __test_metadata *_metadata, pid_t parent, pid_t pgid)
{
	struct rec r[4 * NR_ROLES];
	int n = read_recs(r, 4 * NR_ROLES), i, bad = 0;
	const struct rec *b[NR_ROLES] = {};

	for (i = 0; i < n; i++)
		if (r[i].phase == 1 && r[i].uid == NOBODY)
			b[r[i].role] = &r[i];
	for (i = R; i <= C2; i++) {
		if (!b[i]) {
			TH_LOG("%s: no report as nobody after the restart", role_name[i]);
			return -1;
		}
		if (b[i]->pgid != pgid) {
			TH_LOG("%s: in group %d, not the restarter's %d", role_name[i],
			       b[i]->pgid, pgid);
			bad++;
		}
	}
	if (parent && b[R]->ppid != parent) {
		TH_LOG("R's parent %d, not %d", b[R]->ppid, parent);
		bad++;
	}
	if (b[C1]->ppid != b[R]->pid || b[C2]->ppid != b[R]->pid || b[G]->ppid != b[C1]->pid) {
		TH_LOG("R %d, C1 %d (ppid %d), C2 %d (ppid %d), G %d (ppid %d)",
		       b[R]->pid, b[C1]->pid, b[C1]->ppid, b[C2]->pid, b[C2]->ppid,
		       b[G]->pid, b[G]->ppid);
		bad++;
	}
	if (b[R]->val != 2) {
		TH_LOG("R reaped %d children", b[R]->val);
		bad++;
	}
	return bad;
}

/*
 * Keeping pids needs CAP_CHECKPOINT_RESTORE: nobody gets EPERM, as a
 * child and in place (even in the root's pid), no task created; with
 * CR_RESTART_NEW_PIDS nobody restarts the tree, with its shape.
 */
TEST_F_TIMEOUT(restart_err, no_privilege, 120)
{
	struct small o = {};
	struct tree t;
	int img, before, st;
	pid_t pid;

	img = small_image(_metadata, &t, &o);
	ASSERT_GE(img, 0);
	before = cr_user_tasks();
	pid = fork_nobody(img, CR_RESTART_CHILD);
	ASSERT_GE(pid, 0);
	EXPECT_EQ(100 + EPERM, cr_wait_ms(pid, 30000));
	EXPECT_EQ(0, none_created(_metadata, &t, before, 0));
	pid = cr_fork_pid(pid_of(&t, R));
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(nobody_restarts(img, 0));
	EXPECT_EQ(100 + EPERM, cr_wait_ms(pid, 30000));
	EXPECT_EQ(0, none_created(_metadata, &t, before, 0));

	/* new pids, as a child: the restarter waits for the root */
	ASSERT_EQ(0, fresh_results());
	pid = fork_nobody(img, CR_RESTART_CHILD | CR_RESTART_NEW_PIDS);
	ASSERT_GE(pid, 0);
	st = cr_wait_ms(pid, 60000);
	EXPECT_EQ(0, st)
		TH_LOG("restart(CR_RESTART_CHILD | CR_RESTART_NEW_PIDS) as nobody: %s",
		       st > 100 ? strerror(st - 100) :
		       "the tree failed (4: not at its wait points)");
	EXPECT_EQ(0, check_new_pids(_metadata, pid, pid));

	/* new pids, in place: the restarter becomes R, the test wakes its group */
	ASSERT_EQ(0, fresh_results());
	pid = fork_nobody(img, CR_RESTART_NEW_PIDS);
	ASSERT_GE(pid, 0);
	if (!tree_at_wait(pid, SMALL_N, 10000))
		kill(-pid, SIGUSR2);
	st = cr_wait_ms(pid, 60000);
	EXPECT_EQ(0, st) TH_LOG("restart(CR_RESTART_NEW_PIDS) in place as nobody: %d", st);
	EXPECT_EQ(0, check_new_pids(_metadata, getpid(), pid));
	close(img);
}

/* The offset and length of the last page data record of an image. */
static int last_page_data(const char *buf, size_t len, size_t *off, size_t *plen)
{
	struct cr_image im;
	int ret;

	*off = 0;
	cr_image_open_mem(&im, buf, len, CR_IMAGE_FRAMES);
	while ((ret = cr_image_next(&im)) == CR_IMAGE_REC) {
		if (im.rec.hdr.type == CR_REC_PAGE_DATA) {
			*off = im.rec.off;
			*plen = im.rec.hdr.len;
		}
	}
	cr_image_close(&im);
	return *off ? 0 : -1;
}

/*
 * Wait up to 10 s, without reaping anything, until no task of @t exists:
 * 0, or how many are left.
 */
static int all_dead(const struct tree *t)
{
	int ms, i, left = t->n;

	for (ms = 0; ms < 10000 && left; ms += 10) {
		for (i = 0, left = 0; i < t->n; i++)
			left += !cr_pid_free(t->pid[i]);
		if (left)
			cr_msleep(10);
	}
	return left;
}

/*
 * The image cut in the middle of the page data of the last process: the
 * restart fails (past the point of no return, or before it if the kernel
 * reads that far first) and no task of the tree survives; with
 * CR_RESTART_CHILD restart() returns an error and the caller has no child
 * to reap.
 */
TEST_F_TIMEOUT(restart_err, fails_past_ponr, 120)
{
	struct small o = {};
	struct tree t;
	size_t len, off, plen;
	int img, cut, st, err;
	char *buf;

	img = small_image(_metadata, &t, &o);
	ASSERT_GE(img, 0);
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, last_page_data(buf, len, &off, &plen));
	cut = cr_tmpfile();
	ASSERT_GE(cut, 0);
	ASSERT_EQ(0, cr_write_all(cut, buf, off + sizeof(struct cr_hdr) + plen / 2));

	err = restart_child_fails(_metadata, cut);
	EXPECT_NE(0, err);
	EXPECT_NE(EINVAL, err);
	EXPECT_EQ(0, all_dead(&t));
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(ECHILD, errno) TH_LOG("the caller has a child to reap");

	/*
	 * in place: the caller is killed (or gets the error before the
	 * point); the others, orphaned, may end as zombies of the test
	 */
	st = cr_wait_ms(cr_restart_as(pid_of(&t, R), cut, 0), 30000);
	EXPECT_TRUE(st == 128 + SIGKILL || st == 100 + EBADMSG || st == 100 + ENODATA)
		TH_LOG("in place: %d", st);
	EXPECT_EQ(0, cr_wait_gone(t.pid, t.n, 10000));
	free(buf);
	close(cut);
	close(img);
}

/* rstr(1) of #14: the tree's parent by default, --detach, --self. */
FIXTURE(rstr) {
};

FIXTURE_SETUP(rstr)
{
	common_setup(_metadata);
}

FIXTURE_TEARDOWN(rstr)
{
	common_teardown();
}

/* rstr -i IMG [OPT], its stdout on @out if not -1: its pid. */
static pid_t run_rstr(int img, const char *opt, int out)
{
	pid_t pid = fork();

	if (!pid) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", img);
		if (out >= 0 && dup2(out, 1) != 1)
			_exit(126);
		execlp("rstr", "rstr", "-i", path, opt, NULL);
		_exit(127);
	}
	return pid;
}

/* Keep the phase 0 records only, for another restart of the same image. */
static int drop_after(void)
{
	struct rec r[4 * NR_ROLES];
	int n = read_recs(r, 4 * NR_ROLES), i, fd, ret = 0;

	fd = open(RESULTS, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!r[i].phase && write(fd, &r[i], sizeof(r[i])) != sizeof(r[i]))
			ret = -1;
	close(fd);
	return ret;
}

/* @t's idea of R's parent: @ppid, before and after. */
static void root_parent(struct tree *t, pid_t ppid)
{
	int i;

	t->root = pid_of(t, R);
	t->root_ppid = ppid;
	for (i = 0; i < t->n; i++)
		if (t->role[i] == R)
			t->ids[i].ppid = ppid;
}

/*
 * rstr restarts the small tree as its child, waits for R and exits with
 * its status; --detach prints R's pid and leaves it (to the test, the
 * subreaper); --self in R's pid becomes R; a SIGTERM rstr gets goes on to
 * R, which it kills, and then kills rstr.
 */
TEST_F_TIMEOUT(rstr, modes, 180)
{
	struct small o = {};
	struct tree t;
	char buf[32] = "";
	int img, p[2], i;
	pid_t rp, root, test = getpid();

	img = small_image(_metadata, &t, &o);
	ASSERT_GE(img, 0);
	root = pid_of(&t, R);

	/* the default: rstr is R's parent, and exits with R's status */
	rp = run_rstr(img, NULL, -1);
	ASSERT_GT(rp, 0);
	root_parent(&t, rp);
	ASSERT_EQ(0, check_back_and_wake(_metadata, &t));
	EXPECT_EQ(0, cr_wait_ms(rp, 60000));
	EXPECT_EQ(0, check_after(_metadata, &t));
	EXPECT_EQ(0, root_reaped(_metadata, root, 2));

	/* --detach: R's pid on rstr's stdout, and R left to run */
	ASSERT_EQ(0, drop_after());
	ASSERT_EQ(0, pipe(p));
	rp = run_rstr(img, "--detach", p[1]);
	ASSERT_GT(rp, 0);
	close(p[1]);
	ASSERT_GT(read(p[0], buf, sizeof(buf) - 1), 0);
	close(p[0]);
	EXPECT_EQ(root, atoi(buf));
	EXPECT_EQ(0, cr_wait_ms(rp, 30000));
	root_parent(&t, test);
	ASSERT_EQ(0, check_back_and_wake(_metadata, &t));
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
	EXPECT_EQ(0, check_after(_metadata, &t));

	/* --self, in R's pid: rstr becomes R */
	ASSERT_EQ(0, drop_after());
	rp = cr_fork_pid(root);
	ASSERT_GE(rp, 0);
	if (!rp) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", img);
		execlp("rstr", "rstr", "--self", "-i", path, NULL);
		_exit(127);
	}
	ASSERT_EQ(root, rp);
	ASSERT_EQ(0, check_back_and_wake(_metadata, &t));
	EXPECT_EQ(0, cr_wait_ms(root, 60000));
	EXPECT_EQ(0, check_after(_metadata, &t));

	/* SIGTERM to rstr goes to R: R dies of it, and rstr with it */
	rp = run_rstr(img, NULL, -1);
	ASSERT_GT(rp, 0);
	root_parent(&t, rp);
	/* rstr may not have made them yet */
	ASSERT_EQ(0, cr_wait_exist(t.pid, t.n, 10000));
	for (i = 0; i < t.n; i++)
		ASSERT_EQ(0, cr_wait_syscall(t.pid[i], SYS_rt_sigtimedwait, 10000));
	ASSERT_EQ(0, kill(rp, SIGTERM));
	EXPECT_EQ(128 + SIGTERM, cr_wait_ms(rp, 30000));
	EXPECT_EQ(0, cr_wait_gone(&root, 1, 10000)) TH_LOG("R survived its SIGTERM");
	close(img);
}

/*
 * A busybox `sh -c` pipeline, seq | Debian's gzip | cat > file, frozen
 * mid-run with its four processes, killed, restarted as a child of the
 * test: the file is an uninterrupted run's, byte for byte.
 */
#define PIPELINE	"seq 1 300000 | /usr/bin/gzip -c -n -6 | cat > %s"

FIXTURE(pipeline) {
};

FIXTURE_SETUP(pipeline)
{
	common_setup(_metadata);
}

FIXTURE_TEARDOWN(pipeline)
{
	common_teardown();
	unlink(DIR_ "/pipe.ref");
	unlink(DIR_ "/pipe.out");
}

static pid_t spawn_pipeline(const char *out)
{
	char cmd[256];
	pid_t pid;

	snprintf(cmd, sizeof(cmd), PIPELINE, out);
	pid = fork();
	if (!pid) {
		task_init();
		execl("/bin/sh", "sh", "-c", cmd, NULL);
		_exit(127);
	}
	return pid;
}

TEST_F_TIMEOUT(pipeline, gzip, 300)
{
	struct cr_proc_ids procs[8];
	struct tree t = {};
	size_t la, lb;
	char *a, *b;
	long t0, ms;
	pid_t sh;
	int img, n, i;

	if (access("/usr/bin/gzip", X_OK))
		SKIP(return, "no /usr/bin/gzip in this VM");
	t0 = cr_now_ms();
	sh = spawn_pipeline(DIR_ "/pipe.ref");
	ASSERT_EQ(0, cr_wait_ms(sh, 120000));
	ms = (cr_now_ms() - t0) * 4 / 10;
	TH_LOG("%ld ms uninterrupted, frozen after %ld ms", ms * 10 / 4, ms);

	sh = spawn_pipeline(DIR_ "/pipe.out");
	cr_msleep(ms);
	/* sh and its three stages; seq may have finished */
	n = cr_proc_tree(sh, procs, 8);
	TH_LOG("the pipeline has %d processes at the checkpoint", n);
	ASSERT_GE(n, 3);
	for (i = 0; i < n; i++) {
		t.role[i] = i ? STAGE : SH;
		t.pid[i] = procs[i].pid;
	}
	t.n = n;
	img = checkpoint_kill(_metadata, &t, sh, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL);
	ASSERT_GE(img, 0);
	ASSERT_EQ(sh, restart_tree(_metadata, img, sh, true));
	EXPECT_EQ(0, cr_wait_ms(sh, 120000));

	a = cr_slurp(DIR_ "/pipe.ref", &la);
	b = cr_slurp(DIR_ "/pipe.out", &lb);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_GT(la, 0);
	EXPECT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(a, b, la < lb ? la : lb));
	free(a);
	free(b);
	close(img);
}

TEST_HARNESS_MAIN
