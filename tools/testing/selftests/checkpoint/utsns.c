// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: a tree with a UTS namespace of its own (#15).
 *
 * The root unshares its UTS namespace, names it, and makes a child there;
 * the tree is checkpointed and killed from outside, then restarted in a
 * new UTS namespace (CR_RESTART_UTSNS): both processes find the host and
 * domain names they had, in one namespace that is not the restarter's,
 * whose names stay as they were.  Without CR_RESTART_UTSNS restart
 * refuses the tree (EOPNOTSUPP), and the flag without CR_RESTART_CHILD is
 * EINVAL; the caller is intact each time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#define RESULT		"/tmp/cr-utsns-result"
#define HOST		"cr-uts-host"
#define DOMAIN		"cr-uts-domain"

struct uts_result {
	int bad;		/* a step failed: its line */
	int names_ok;		/* the root's names are the saved ones */
	int own_ns;		/* the root's namespace is not the test's */
	int child_ok;		/* the child: the same names, the root's namespace */
};

static char test_ns[64];

static int names_ok(void)
{
	struct utsname u;

	return !uname(&u) && !strcmp(u.nodename, HOST) && !strcmp(u.domainname, DOMAIN);
}

static void root_main(void)
{
	struct uts_result r = { };
	int *bad = &r.bad, go[2], st;
	char mine[64], kids[64];
	pid_t kid;
	char c;

	close_range(3, ~0U, 0);
	if (FAILED(!unshare(CLONE_NEWUTS) && !sethostname(HOST, strlen(HOST)) &&
		   !setdomainname(DOMAIN, strlen(DOMAIN)) && !pipe(go)))
		goto out;
	kid = fork();
	if (!kid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* in the root's namespace, with its names */
		_exit(names_ok() && !cr_ns_of(getpid(), "uts", mine, sizeof(mine)) &&
		      !cr_ns_of(getppid(), "uts", kids, sizeof(kids)) &&
		      !strcmp(mine, kids) ? 0 : 2);
	}
	close(go[0]);
	if (FAILED(kid > 0))
		goto out;

	raise(SIGSTOP);

	r.names_ok = names_ok();
	r.own_ns = !cr_ns_of(getpid(), "uts", mine, sizeof(mine)) && strcmp(mine, test_ns);
	if (FAILED(write(go[1], "g", 1) == 1 && waitpid(kid, &st, 0) == kid))
		goto out;
	r.child_ok = WIFEXITED(st) && !WEXITSTATUS(st);
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

TEST(own_uts_namespace)
{
	struct utsname before, after;
	struct uts_result r;
	int img, status;
	pid_t root, pid;

	if (getuid())
		SKIP(return, "needs root (CAP_SYS_ADMIN for a UTS namespace, pids kept)");
	ASSERT_EQ(0, cr_ns_of(getpid(), "uts", test_ns, sizeof(test_ns)));
	ASSERT_EQ(0, uname(&before));
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	unlink(RESULT);
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	root = fork();
	ASSERT_GE(root, 0);
	if (!root)
		root_main();
	ASSERT_EQ(0, cr_stop_wait(root, 0));
	ASSERT_LT(0, sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, cr_kill_descendants());

	/* without a new UTS namespace: refused, the caller intact */
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	EXPECT_EQ(-1, sys_restart(0, img, CR_RESTART_CHILD));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* in place: the flag needs CR_RESTART_CHILD */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (lseek(img, 0, SEEK_SET))
			_exit(1);
		sys_restart(0, img, CR_RESTART_UTSNS);
		_exit(errno == EINVAL ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("CR_RESTART_UTSNS in place: not EINVAL");

	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	ASSERT_EQ(root, sys_restart(0, img, CR_RESTART_CHILD | CR_RESTART_UTSNS))
		TH_LOG("restart: %s", strerror(errno));
	ASSERT_EQ(CR_RESTART_OK, cr_wait(root));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	EXPECT_EQ(0, r.bad) TH_LOG("the root failed at line %d", r.bad);
	EXPECT_EQ(1, r.names_ok);
	EXPECT_EQ(1, r.own_ns);
	EXPECT_EQ(1, r.child_ok);
	ASSERT_EQ(0, uname(&after));
	EXPECT_STREQ(before.nodename, after.nodename);
	EXPECT_STREQ(before.domainname, after.domainname);
	unlink(RESULT);
	close(img);
}

TEST_HARNESS_MAIN
