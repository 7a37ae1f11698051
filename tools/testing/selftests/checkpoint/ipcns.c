// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: a tree with an IPC namespace of its own (#15).
 *
 * Every container has one.  The root unshares its IPC namespace, sets its
 * limits (kernel.msgmnb, kernel.sem, fs.mqueue.msg_max) and makes a child
 * there; the tree is checkpointed and killed from outside, then restarted
 * in a new IPC namespace (CR_RESTART_IPCNS): both processes are in one
 * namespace that is not the restarter's, with the limits they had, and a
 * semaphore set the root makes there is not the restarter's.  Without
 * CR_RESTART_IPCNS restart refuses the tree (EOPNOTSUPP); the flag without
 * CR_RESTART_CHILD is EINVAL.  A namespace that holds a SysV segment is
 * not saved yet: its tree restarts only in it, and the flag is EINVAL.  An
 * image that says its namespace had no semaphore set but holds a SEM_UNDO
 * record is refused (EBADMSG).  The caller is intact each time.  (Message
 * queues and semaphore sets of the namespace: ipcobjs.c.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "cr_child.h"
#include "cr_image.h"
#include "../kselftest_harness.h"

#define RESULT		"/tmp/cr-ipcns-result"
#define KEY		0x1bc0de
#define MSGMNB		"12345"
#define SEM		"100\t2000\t50\t64"
#define MSG_MAX		"77"

struct ipc_result {
	int bad;		/* a step failed: its line */
	int limits_ok;		/* the root's limits are the saved ones */
	int own_ns;		/* the root's namespace is not the test's */
	int set_made;		/* the root made a set with KEY there */
	int child_ok;		/* the child: the root's namespace */
};

static char test_ns[64];

/* Does sysctl @path read @val (whitespace as the kernel writes it)? */
static int sysctl_is(const char *path, const char *val)
{
	size_t len;
	char *buf = cr_slurp(path, &len);
	int same;

	if (!buf)
		return 0;
	/* one line: its newline ends the string */
	same = len && buf[len - 1] == '\n';
	if (same) {
		buf[len - 1] = '\0';
		same = !strcmp(buf, val);
	}
	if (!same)
		fprintf(stderr, "# %s: \"%.*s\", not \"%s\"\n", path, (int)len, buf, val);
	free(buf);
	return same;
}

static int limits_ok(void)
{
	return sysctl_is("/proc/sys/kernel/msgmnb", MSGMNB) &&
	       sysctl_is("/proc/sys/kernel/sem", SEM) &&
	       sysctl_is("/proc/sys/fs/mqueue/msg_max", MSG_MAX);
}

/*
 * The root: an IPC namespace of its own with its limits (and a set in it
 * if @with_set: a SysV segment, not saved yet), a child in it; stops;
 * going on, checks and reports.
 */
static void root_main(int with_set)
{
	struct ipc_result r = { };
	int *bad = &r.bad, go[2], st;
	char mine[64], kids[64];
	pid_t kid;
	char c;

	close_range(3, ~0U, 0);
	if (FAILED(!unshare(CLONE_NEWIPC) &&
		   !cr_sysctl_set("/proc/sys/kernel/msgmnb", MSGMNB) &&
		   !cr_sysctl_set("/proc/sys/kernel/sem", "100 2000 50 64") &&
		   !cr_sysctl_set("/proc/sys/fs/mqueue/msg_max", MSG_MAX) && !pipe(go)))
		goto out;
	if (with_set && FAILED(shmget(KEY + 1, 4096, IPC_CREAT | 0600) >= 0))
		goto out;
	kid = fork();
	if (!kid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* in the root's namespace */
		_exit(!cr_ns_of(getpid(), "ipc", mine, sizeof(mine)) &&
		      !cr_ns_of(getppid(), "ipc", kids, sizeof(kids)) &&
		      !strcmp(mine, kids) ? 0 : 2);
	}
	close(go[0]);
	if (FAILED(kid > 0))
		goto out;

	raise(SIGSTOP);

	r.limits_ok = limits_ok();
	r.own_ns = !cr_ns_of(getpid(), "ipc", mine, sizeof(mine)) && strcmp(mine, test_ns);
	r.set_made = semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0600) >= 0;
	if (FAILED(write(go[1], "g", 1) == 1 && waitpid(kid, &st, 0) == kid))
		goto out;
	r.child_ok = WIFEXITED(st) && !WEXITSTATUS(st);
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/* The tree of root_main(@with_set), checkpointed and killed into a new image. */
static int tree_image(int with_set, pid_t *root)
{
	int img = cr_tmpfile();

	if (img < 0)
		return -1;
	*root = fork();
	if (*root < 0)
		return -1;
	if (!*root)
		root_main(with_set);
	if (cr_stop_wait(*root, 0) ||
	    sys_checkpoint(*root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL) <= 0 ||
	    cr_kill_descendants() || lseek(img, 0, SEEK_SET))
		return -1;
	return img;
}

TEST(own_ipc_namespace)
{
	struct ipc_result r;
	pid_t root;
	int img;

	if (getuid())
		SKIP(return, "needs root (CAP_SYS_ADMIN for an IPC namespace, pids kept)");
	ASSERT_EQ(0, cr_ns_of(getpid(), "ipc", test_ns, sizeof(test_ns)));
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	unlink(RESULT);
	img = tree_image(0, &root);
	ASSERT_GE(img, 0);

	/* without a new IPC namespace: refused, the caller intact */
	EXPECT_EQ(-1, sys_restart(0, img, CR_RESTART_CHILD));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* in place: the flag needs CR_RESTART_CHILD */
	EXPECT_EQ(EINVAL, cr_restart_errno(img, CR_RESTART_IPCNS, -1));

	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	ASSERT_EQ(root, sys_restart(0, img, CR_RESTART_CHILD | CR_RESTART_IPCNS))
		TH_LOG("restart: %s", strerror(errno));
	ASSERT_EQ(CR_RESTART_OK, cr_wait(root));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	EXPECT_EQ(0, r.bad) TH_LOG("the root failed at line %d", r.bad);
	EXPECT_EQ(1, r.limits_ok);
	EXPECT_EQ(1, r.own_ns);
	EXPECT_EQ(1, r.set_made);
	EXPECT_EQ(1, r.child_ok);
	/* the test's namespace: its limits and no set of the tree's */
	EXPECT_FALSE(sysctl_is("/proc/sys/kernel/msgmnb", MSGMNB));
	EXPECT_EQ(-1, semget(KEY, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	unlink(RESULT);
	close(img);
}

/* A namespace with a SysV segment is not saved yet: the flag is EINVAL. */
TEST(ipc_namespace_with_objects)
{
	pid_t root;
	int img;

	if (getuid())
		SKIP(return, "needs root (CAP_SYS_ADMIN for an IPC namespace, pids kept)");
	ASSERT_EQ(0, cr_ns_of(getpid(), "ipc", test_ns, sizeof(test_ns)));
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	img = tree_image(1, &root);
	ASSERT_GE(img, 0);
	EXPECT_EQ(EINVAL, cr_restart_errno(img, CR_RESTART_CHILD | CR_RESTART_IPCNS, -1));
	EXPECT_EQ(EOPNOTSUPP, cr_restart_errno(img, CR_RESTART_CHILD, -1));
	unlink(RESULT);
	close(img);
}

/*
 * A hostile image: a process holding a semaphore of the test's namespace
 * with SEM_UNDO, its tree record made to say its IPC namespace was its own
 * and empty.  Restarted in a new IPC namespace, the set is an object that
 * namespace cannot have: EBADMSG, the set untouched.
 */
TEST(ipc_object_of_an_empty_namespace)
{
	struct sembuf take = { 0, -1, SEM_UNDO };
	unsigned short one = 1;
	struct cr_rec_tree *tree;
	size_t len, off;
	int img, id, st;
	char *buf;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs root (CAP_SYS_ADMIN for an IPC namespace)");
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	id = semget(KEY + 2, 1, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, semctl(id, 0, SETALL, &one));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (semop(id, &take, 1))
			_exit(1);
		_exit(cr_self_checkpoint(img) ? CR_ORIG_OK : CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	off = cr_image_find(buf, len, CR_REC_TREE);
	ASSERT_NE(0, off);
	ASSERT_NE(0, cr_image_find(buf, len, CR_REC_SEM_UNDO));
	tree = (void *)(buf + off);
	tree->flags |= CR_TREE_IPCNS;
	tree->ipc.mq_msg_max = 10;
	tree->ipc.mq_msg_default = 10;
	tree->ipc.mq_msgsize_max = 8192;
	tree->ipc.mq_msgsize_default = 8192;
	ASSERT_EQ(0, cr_image_reseal(buf, len));
	ASSERT_EQ(len, pwrite(img, buf, len, 0));
	free(buf);
	st = cr_restart_errno(img, CR_RESTART_CHILD | CR_RESTART_IPCNS, -1);
	EXPECT_EQ(EBADMSG, st) TH_LOG("%s", strerror(st));
	/* nothing taken: the value is back at 1 since the original exited */
	EXPECT_EQ(1, semctl(id, 0, GETVAL));
	EXPECT_EQ(0, semctl(id, 0, IPC_RMID));
	close(img);
}

TEST_HARNESS_MAIN
