// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: the SysV message queues and semaphore sets of a tree's
 * own IPC namespace (#15).
 *
 * The root unshares its IPC namespace, makes queues there (keyed and
 * private, one with another owner and size, ids with a gap, messages of
 * many types and lengths, an empty one) and two semaphore sets (one with
 * another owner), and a child that holds a semaphore with SEM_UNDO and
 * waits in msgrcv(2) on the empty queue.  The tree is checkpointed and
 * killed from outside, which ends the namespace and its objects; restart
 * in a new IPC namespace (CR_RESTART_IPCNS) makes them again: same ids,
 * keys, modes, owners, sizes, values, and every message read back in
 * order, type and bytes equal; the child receives what the root sends
 * after restart, and its exit gives back what it held.  Limits lowered
 * below what the objects hold do not stop them.  Errors: a size above
 * msgmnb without CAP_SYS_RESOURCE (EPERM), damaged records (EBADMSG), an
 * owner not mapped (EOVERFLOW), two queues with one key (EEXIST, past the
 * point of no return): the caller intact each time.  A queue the
 * checkpointer may not read, or one over a record, leaves the tree one
 * that restarts only in its namespace.  And with programs we did not
 * write: util-linux's ipcmk makes the objects, its ipcs lists them alike
 * before and after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "cr_child.h"
#include "cr_image.h"
#include "../kselftest_harness.h"

#define RESULT		"/tmp/cr-ipcobjs-result"
#define KEY		0x5e5a9e0
#define NR_QUEUES	3
#define BIG		8500	/* longer than the default msgmax, 8192 */
#define HELLO_TYPE	42
#define NR_SETS		2
#define SEM_KEY		(KEY + 10)
#define IPCMK		"/usr/bin/ipcmk"
#define IPCS		"/usr/bin/ipcs"
#define IPCS_BEFORE	"/tmp/cr-ipcobjs-before"
#define IPCS_AFTER	"/tmp/cr-ipcobjs-after"

enum variant {
	V_PLAIN,	/* the queues, the namespace's limits as they were */
	V_LOWERED,	/* msgmni and msgmax lowered below what the queues hold */
	V_UNREADABLE,	/* a queue of another owner with mode 0 */
	V_OVER_RECORD,	/* a queue of 1.5 MiB */
};

struct msg_result {
	int bad;		/* a step failed: its line */
	int ids[NR_QUEUES];	/* the ids the root made */
	int sets[NR_SETS];	/* and of the semaphore sets */
	int queues_ok;		/* every queue, attributes and messages, as made */
	int sets_ok;		/* every set, attributes and values, as made and held */
	int undone;		/* the child's exit gave back what it held */
	int limits_ok;		/* msgmni and msgmax as set */
	int child_ok;		/* the child received what the root sent */
};

struct big_msg {
	long type;
	char text[BIG];
};

/* Queue @q's message @i: its type, length and bytes. */
static long msg_type(int q, int i)
{
	return i == 3 ? 0x7fffffffffffffffL : 1 + (i * 7 + q) % 5;
}

static size_t msg_len(int q, int i)
{
	if (q == 1 && i == 2)
		return BIG;
	return (i * 997 + q * 13) % 3000;
}

static void msg_fill(struct big_msg *m, int q, int i)
{
	size_t j;

	m->type = msg_type(q, i);
	for (j = 0; j < msg_len(q, i); j++)
		m->text[j] = (char)(q * 31 + i + j);
}

static int nr_msgs(int q)
{
	return q == 0 ? 20 : q == 1 ? 5 : 0;
}

static int put_sysctl(const char *path, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", val);
	return cr_sysctl_set(path, buf);
}

static long get_sysctl(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

/* Queue @q's attributes as the root made them. */
static void queue_attrs(int q, key_t *key, int *mode, uid_t *uid, unsigned long *qbytes)
{
	*key = q == 1 ? IPC_PRIVATE : KEY + q;
	*mode = q == 0 ? 0640 : q == 1 ? 0600 : 0666;
	*uid = q == 1 ? 1234 : 0;
	*qbytes = q == 0 ? 65536 : q == 1 ? 30000 : 16384;
}

/* Make queue @q with its messages: its id, or -1. */
static int make_queue(int q)
{
	struct big_msg *m = malloc(sizeof(*m));
	unsigned long qbytes;
	struct msqid_ds ds;
	key_t key;
	uid_t uid;
	int id, mode, i;

	queue_attrs(q, &key, &mode, &uid, &qbytes);
	id = msgget(key, IPC_CREAT | IPC_EXCL | mode);
	if (id < 0 || !m || msgctl(id, IPC_STAT, &ds))
		goto fail;
	ds.msg_qbytes = qbytes;
	ds.msg_perm.uid = uid;
	ds.msg_perm.gid = uid ? 5678 : 0;
	if (msgctl(id, IPC_SET, &ds))
		goto fail;
	for (i = 0; i < nr_msgs(q); i++) {
		msg_fill(m, q, i);
		if (msgsnd(id, m, msg_len(q, i), IPC_NOWAIT))
			goto fail;
	}
	free(m);
	return id;
fail:
	free(m);
	return -1;
}

/* Is queue @q, id @id, as make_queue() made it?  Its messages are read. */
static int queue_ok(int q, int id)
{
	struct big_msg *m = malloc(sizeof(*m)), *want = malloc(sizeof(*m));
	unsigned long qbytes, bytes = 0;
	struct msqid_ds ds;
	int mode, i, ok = 0;
	key_t key;
	uid_t uid;
	ssize_t n;

	queue_attrs(q, &key, &mode, &uid, &qbytes);
	for (i = 0; i < nr_msgs(q); i++)
		bytes += msg_len(q, i);
	if (!m || !want || msgctl(id, IPC_STAT, &ds))
		goto out;
	if (ds.msg_perm.__key != key || (ds.msg_perm.mode & 0777) != mode ||
	    ds.msg_perm.uid != uid || ds.msg_perm.gid != (uid ? 5678 : 0) ||
	    ds.msg_qbytes != qbytes || ds.msg_qnum != (unsigned long)nr_msgs(q) ||
	    ds.__msg_cbytes != bytes) {
		fprintf(stderr,
			"# queue %d: key %#x mode %o uid %u gid %u qbytes %lu qnum %lu cbytes %lu\n",
			q, ds.msg_perm.__key, ds.msg_perm.mode, ds.msg_perm.uid, ds.msg_perm.gid,
			ds.msg_qbytes, ds.msg_qnum, ds.__msg_cbytes);
		goto out;
	}
	for (i = 0; i < nr_msgs(q); i++) {
		n = msgrcv(id, m, BIG, 0, IPC_NOWAIT);
		msg_fill(want, q, i);
		if (n != (ssize_t)msg_len(q, i) || m->type != want->type ||
		    memcmp(m->text, want->text, n)) {
			fprintf(stderr, "# queue %d message %d: %zd bytes, type %ld\n", q, i, n,
				m->type);
			goto out;
		}
	}
	ok = msgrcv(id, m, BIG, 0, IPC_NOWAIT) < 0 && errno == ENOMSG;
out:
	free(m);
	free(want);
	return ok;
}

/* Set @q's attributes and values as the root makes it. */
static void set_attrs(int q, key_t *key, int *mode, uid_t *uid, int *nsems,
		      unsigned short *vals)
{
	static const unsigned short v0[] = { 5, 0, 32767 }, v1[] = { 1, 2 };

	*key = q ? IPC_PRIVATE : SEM_KEY;
	*mode = q ? 0600 : 0640;
	*uid = q ? 1234 : 0;
	*nsems = q ? 2 : 3;
	memcpy(vals, q ? v1 : v0, *nsems * sizeof(*vals));
}

/* Make set @q: its id, or -1. */
static int make_set(int q)
{
	unsigned short vals[3];
	struct semid_ds ds;
	int id, mode, nsems;
	key_t key;
	uid_t uid;

	set_attrs(q, &key, &mode, &uid, &nsems, vals);
	id = semget(key, nsems, IPC_CREAT | IPC_EXCL | mode);
	if (id < 0 || semctl(id, 0, SETALL, vals) || semctl(id, 0, IPC_STAT, &ds))
		return -1;
	ds.sem_perm.uid = uid;
	ds.sem_perm.gid = uid ? 5678 : 0;
	return semctl(id, 0, IPC_SET, &ds) ? -1 : id;
}

/* Is set @q, id @id, as make_set() made it, less @held on semaphore 0? */
static int set_ok(int q, int id, int held)
{
	unsigned short vals[3], want[3];
	struct semid_ds ds;
	int mode, nsems;
	key_t key;
	uid_t uid;

	set_attrs(q, &key, &mode, &uid, &nsems, want);
	want[0] -= held;
	if (semctl(id, 0, IPC_STAT, &ds) || semctl(id, 0, GETALL, vals))
		return 0;
	if (ds.sem_perm.__key != key || (ds.sem_perm.mode & 0777) != mode ||
	    ds.sem_perm.uid != uid || ds.sem_perm.gid != (uid ? 5678 : 0) ||
	    ds.sem_nsems != (unsigned long)nsems || memcmp(vals, want, nsems * sizeof(*vals))) {
		fprintf(stderr, "# set %d: key %#x mode %o uid %u nsems %lu vals %u %u\n", q,
			ds.sem_perm.__key, ds.sem_perm.mode, ds.sem_perm.uid, ds.sem_nsems,
			vals[0], vals[1]);
		return 0;
	}
	return 1;
}

/*
 * The root: an IPC namespace of its own with the queues and sets of @v, a
 * child holding 2 of set 0's semaphore 0 with SEM_UNDO, waiting in
 * msgrcv(2) on the empty queue; stops; going on, checks them.
 */
static void root_main(enum variant v)
{
	struct msg_result r = { };
	struct { long type; char text[8]; } hello = { HELLO_TYPE, "hello" };
	int *bad = &r.bad, q, gap, st;
	pid_t kid;

	close_range(3, ~0U, 0);
	if (FAILED(!unshare(CLONE_NEWIPC) &&
		   !put_sysctl("/proc/sys/kernel/msgmax", BIG)))
		goto out;
	for (q = 0; q < NR_QUEUES; q++) {
		r.ids[q] = make_queue(q);
		if (FAILED(r.ids[q] >= 0))
			goto out;
		/* a gap in the ids */
		gap = q ? -1 : msgget(IPC_PRIVATE, 0600);
		if (FAILED(!q ? gap >= 0 && !msgctl(gap, IPC_RMID, NULL) : 1))
			goto out;
	}
	for (q = 0; q < NR_SETS; q++) {
		r.sets[q] = make_set(q);
		if (FAILED(r.sets[q] >= 0))
			goto out;
	}
	if (v == V_LOWERED &&
	    FAILED(!put_sysctl("/proc/sys/kernel/msgmni", 1) &&
		   !put_sysctl("/proc/sys/kernel/msgmax", 10) &&
		   !cr_sysctl_set("/proc/sys/kernel/sem", "1 1 1 1")))
		goto out;
	if (v == V_UNREADABLE) {
		struct msqid_ds ds;

		if (FAILED(!msgctl(r.ids[1], IPC_STAT, &ds)))
			goto out;
		ds.msg_perm.mode = 0;
		if (FAILED(!msgctl(r.ids[1], IPC_SET, &ds)))
			goto out;
	}
	if (v == V_OVER_RECORD) {
		struct big_msg *m = calloc(1, sizeof(*m));
		int id = msgget(IPC_PRIVATE, 0600), i;
		struct msqid_ds ds;

		if (FAILED(m && id >= 0 && !msgctl(id, IPC_STAT, &ds)))
			goto out;
		ds.msg_qbytes = 2 << 20;
		if (FAILED(!msgctl(id, IPC_SET, &ds)))
			goto out;
		m->type = 1;
		for (i = 0; i < 1536 * 1024 / BIG; i++)
			if (FAILED(!msgsnd(id, m, BIG, IPC_NOWAIT)))
				goto out;
		free(m);
	}
	kid = fork();
	if (!kid) {
		struct sembuf take = { 0, -2, SEM_UNDO };
		struct big_msg *m = malloc(sizeof(*m));

		/* holds, and waits: the root sends once restarted */
		_exit(m && !semop(r.sets[0], &take, 1) &&
		      msgrcv(r.ids[2], m, BIG, HELLO_TYPE, 0) == 8 &&
		      !strcmp(m->text, "hello") ? 0 : 2);
	}
	if (FAILED(kid > 0 && !cr_wait_syscall(kid, __NR_msgrcv, 5000)))
		goto out;

	raise(SIGSTOP);

	for (q = 0, r.queues_ok = 1; q < 2; q++)
		r.queues_ok &= queue_ok(q, r.ids[q]);
	for (q = 0, r.sets_ok = 1; q < NR_SETS; q++)
		r.sets_ok &= set_ok(q, r.sets[q], q ? 0 : 2);
	r.limits_ok = v == V_LOWERED ?
		get_sysctl("/proc/sys/kernel/msgmni") == 1 &&
		get_sysctl("/proc/sys/kernel/msgmax") == 10 &&
		get_sysctl("/proc/sys/kernel/sem") == 1 :
		get_sysctl("/proc/sys/kernel/msgmax") == BIG;
	if (FAILED(!msgsnd(r.ids[2], &hello, 8, IPC_NOWAIT) && waitpid(kid, &st, 0) == kid))
		goto out;
	r.child_ok = WIFEXITED(st) && !WEXITSTATUS(st);
	/* its exit gave the 2 back */
	r.undone = set_ok(0, r.sets[0], 0);
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/* The tree of root_main(@v), checkpointed and killed into a new image. */
static int tree_image(enum variant v, pid_t *root)
{
	int img = cr_tmpfile();

	if (img < 0)
		return -1;
	*root = fork();
	if (*root < 0)
		return -1;
	if (!*root)
		root_main(v);
	if (cr_stop_wait(*root, 0)) {
		struct msg_result r;

		if (!cr_get_result(RESULT, &r, sizeof(r)))
			fprintf(stderr, "# the root failed at line %d\n", r.bad);
		return -1;
	}
	if (v == V_UNREADABLE) {
		/* a checkpointer without CAP_IPC_OWNER */
		pid_t pid = fork();

		if (!pid)
			_exit(cr_drop_cap(CAP_IPC_OWNER) ||
			      sys_checkpoint(*root, img, CR_CHECKPOINT_FREEZE |
					     CR_CHECKPOINT_KILL) <= 0);
		if (pid < 0 || cr_wait(pid))
			return -1;
	} else if (sys_checkpoint(*root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL) <= 0) {
		return -1;
	}
	if (cr_kill_descendants() || lseek(img, 0, SEEK_SET))
		return -1;
	return img;
}

/* cr_restart_errno(), and nothing of a tree it may have made is left. */
static int restart_errno(int img, unsigned long flags, int cap)
{
	int err = cr_restart_errno(img, flags, cap);

	return cr_kill_descendants() ? -1 : err;
}

static void check_restarted(struct __test_metadata *_metadata, int img, pid_t root,
			    enum variant v)
{
	struct msg_result r;

	ASSERT_EQ(root, sys_restart(0, img, CR_RESTART_CHILD | CR_RESTART_IPCNS))
		TH_LOG("restart: %s", strerror(errno));
	ASSERT_EQ(CR_RESTART_OK, cr_wait(root));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	EXPECT_EQ(0, r.bad) TH_LOG("the root failed at line %d", r.bad);
	EXPECT_EQ(1, r.queues_ok);
	EXPECT_EQ(1, r.sets_ok);
	EXPECT_EQ(1, r.limits_ok);
	EXPECT_EQ(1, r.child_ok);
	EXPECT_EQ(1, r.undone);
	/* the ids with a gap: not made anew in order */
	EXPECT_NE(r.ids[0] + 1, r.ids[1]);
	/* and none of them in the test's namespace */
	EXPECT_EQ(-1, msgget(KEY, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, semget(SEM_KEY, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	unlink(RESULT);
}

FIXTURE(ipcobjs) {
	pid_t root;
	int img;
};

FIXTURE_SETUP(ipcobjs)
{
	self->img = -1;
	if (getuid())
		SKIP(return, "needs root (CAP_SYS_ADMIN for an IPC namespace, pids kept)");
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	unlink(RESULT);
}

FIXTURE_TEARDOWN(ipcobjs)
{
	if (self->img >= 0)
		close(self->img);
	cr_kill_descendants();
	unlink(RESULT);
}

TEST_F(ipcobjs, queues_made_again)
{
	self->img = tree_image(V_PLAIN, &self->root);
	ASSERT_GE(self->img, 0);
	check_restarted(_metadata, self->img, self->root, V_PLAIN);
}

TEST_F(ipcobjs, limits_lowered_below_the_queues)
{
	self->img = tree_image(V_LOWERED, &self->root);
	ASSERT_GE(self->img, 0);
	check_restarted(_metadata, self->img, self->root, V_LOWERED);
}

/* A size above msgmnb needs CAP_SYS_RESOURCE, as msgctl(2) IPC_SET does. */
TEST_F(ipcobjs, size_needs_cap_sys_resource)
{
	self->img = tree_image(V_PLAIN, &self->root);
	ASSERT_GE(self->img, 0);
	EXPECT_EQ(EPERM, restart_errno(self->img, CR_RESTART_CHILD | CR_RESTART_IPCNS,
				       CAP_SYS_RESOURCE));
	/* and with it, the image restarts */
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	check_restarted(_metadata, self->img, self->root, V_PLAIN);
}

/* Queues the checkpointer may not read, or over a record: restarts only in its namespace. */
TEST_F(ipcobjs, unreadable_queue_not_saved)
{
	self->img = tree_image(V_UNREADABLE, &self->root);
	ASSERT_GE(self->img, 0);
	EXPECT_EQ(EINVAL, restart_errno(self->img, CR_RESTART_CHILD | CR_RESTART_IPCNS, -1));
	EXPECT_EQ(EOPNOTSUPP, restart_errno(self->img, CR_RESTART_CHILD, -1));
}

TEST_F(ipcobjs, queue_over_a_record_not_saved)
{
	self->img = tree_image(V_OVER_RECORD, &self->root);
	ASSERT_GE(self->img, 0);
	EXPECT_EQ(EINVAL, restart_errno(self->img, CR_RESTART_CHILD | CR_RESTART_IPCNS, -1));
}

/* Run @argv, its output appended to @path: its exit status, or -1. */
static int run_to(char *const argv[], const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600), st;
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = fork();
	if (!pid) {
		if (dup2(fd, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * The root of debian_ipcmk: util-linux's ipcmk makes two queues and a set
 * in an IPC namespace of its own; ipcs lists them before the stop and
 * after the restart, and the lists are equal.
 */
static void ipcmk_main(void)
{
	static char *const mkq[] = { IPCMK, "-Q", "-p", "0640", NULL };
	static char *const mkq2[] = { IPCMK, "-Q", NULL };
	static char *const mks[] = { IPCMK, "-S", "4", "-p", "0600", NULL };
	static char *const list[] = { IPCS, "-q", "-s", NULL };
	struct msg_result r = { };
	int *bad = &r.bad;
	char *before, *after;
	size_t blen, alen;

	close_range(3, ~0U, 0);
	if (FAILED(!unshare(CLONE_NEWIPC) && !run_to(mkq, "/dev/null") &&
		   !run_to(mkq2, "/dev/null") && !run_to(mks, "/dev/null") &&
		   !run_to(list, IPCS_BEFORE)))
		goto out;

	raise(SIGSTOP);

	if (FAILED(!run_to(list, IPCS_AFTER)))
		goto out;
	before = cr_slurp(IPCS_BEFORE, &blen);
	after = cr_slurp(IPCS_AFTER, &alen);
	/* three objects listed, the same way */
	r.queues_ok = before && after && blen == alen && !memcmp(before, after, blen) &&
		      strstr(before, "0x") && blen > 200;
	if (!r.queues_ok && before && after)
		fprintf(stderr, "# before:\n%.*s# after:\n%.*s", (int)blen, before, (int)alen,
			after);
	free(before);
	free(after);
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/* Objects made and listed by util-linux's ipcmk and ipcs, Debian's. */
TEST_F(ipcobjs, debian_ipcmk)
{
	struct msg_result r;

	if (access(IPCMK, X_OK) || access(IPCS, X_OK))
		SKIP(return, "no %s or %s", IPCMK, IPCS);
	unlink(IPCS_BEFORE);
	unlink(IPCS_AFTER);
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	self->root = fork();
	ASSERT_GE(self->root, 0);
	if (!self->root)
		ipcmk_main();
	ASSERT_EQ(0, cr_stop_wait(self->root, 0));
	ASSERT_LT(0, sys_checkpoint(self->root, self->img,
				    CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL));
	ASSERT_EQ(0, cr_kill_descendants());
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	/* a lone process: a new pid */
	self->root = sys_restart(0, self->img, CR_RESTART_CHILD | CR_RESTART_IPCNS);
	ASSERT_LT(0, self->root) TH_LOG("restart: %s", strerror(errno));
	ASSERT_EQ(CR_RESTART_OK, cr_wait(self->root));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	EXPECT_EQ(0, r.bad) TH_LOG("the root failed at line %d", r.bad);
	EXPECT_EQ(1, r.queues_ok);
	unlink(IPCS_BEFORE);
	unlink(IPCS_AFTER);
}

/* The image in memory, its tree, first two queue records, first set record, a SEM_UNDO record. */
struct msg_image {
	char *buf;
	size_t len;
	struct cr_rec_tree *tree;
	struct cr_rec_msg_queue *q[2];
	struct cr_rec_sem_set *set;
	struct cr_rec_sem_undo *undo;
};

static int load_image(int img, struct msg_image *m)
{
	size_t off;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	m->buf = cr_read_all(img, &m->len);
	if (!m->buf)
		return -1;
	off = cr_image_find(m->buf, m->len, CR_REC_TREE);
	m->tree = off ? (void *)(m->buf + off) : NULL;
	off = cr_image_find(m->buf, m->len, CR_REC_MSG_QUEUE);
	if (!m->tree || !off || m->tree->nr_ipc != NR_QUEUES + NR_SETS)
		return -1;
	m->q[0] = (void *)(m->buf + off);
	m->q[1] = (void *)(m->buf + off - sizeof(struct cr_hdr) +
			   cr_rec_size(((struct cr_hdr *)(m->buf + off) - 1)->len) +
			   sizeof(struct cr_hdr));
	off = cr_image_find(m->buf, m->len, CR_REC_SEM_SET);
	m->set = (void *)(m->buf + off);
	if (!off)
		return -1;
	off = cr_image_find(m->buf, m->len, CR_REC_SEM_UNDO);
	m->undo = (void *)(m->buf + off);
	return off ? 0 : -1;
}

/* The image of a tree with queues, damaged by @damage: restart fails with @err. */
static void damaged(struct __test_metadata *_metadata, pid_t root, int img,
		    void (*damage)(struct msg_image *m), int err)
{
	struct msg_image m;
	int ret;

	ASSERT_EQ(0, load_image(img, &m));
	damage(&m);
	ASSERT_EQ(0, cr_image_reseal(m.buf, m.len));
	ASSERT_EQ(m.len, pwrite(img, m.buf, m.len, 0));
	free(m.buf);
	ret = restart_errno(img, CR_RESTART_CHILD | CR_RESTART_IPCNS, -1);
	EXPECT_EQ(err, ret) TH_LOG("%s", strerror(ret));
	/* no restored root: its pid is free */
	EXPECT_EQ(-1, kill(root, 0));
}

static void zero_type(struct msg_image *m)
{
	((struct cr_msg *)(m->q[0] + 1))->type = 0;
}

static void same_id(struct msg_image *m)
{
	m->q[1]->id = m->q[0]->id;
}

static void more_than_there(struct msg_image *m)
{
	m->tree->nr_ipc = NR_QUEUES + NR_SETS + 1;
}

static void sem_value(struct msg_image *m)
{
	((__u16 *)(m->set + 1))[1] = 32768;
}

static void undo_on_another_set(struct msg_image *m)
{
	m->undo->id += 1000;
}

static void set_owner_unmapped(struct msg_image *m)
{
	m->set->gid = -1;
}

static void without_flag(struct msg_image *m)
{
	m->tree->flags &= ~CR_TREE_IPCNS;
	memset(&m->tree->ipc, 0, sizeof(m->tree->ipc));
}

static void unmapped_owner(struct msg_image *m)
{
	m->q[1]->uid = -1;
}

static void padding(struct msg_image *m)
{
	/* message 0 is empty: message 1 follows its head, 997 bytes and 3 of padding */
	struct cr_msg *msg = (struct cr_msg *)(m->q[0] + 1) + 1;

	((char *)(msg + 1))[msg->len] = 1;
}

static void same_key(struct msg_image *m)
{
	m->q[1]->key = m->q[0]->key;
}

TEST_F(ipcobjs, damaged_records)
{
	static const struct {
		void (*damage)(struct msg_image *m);
		int err;
	} cases[] = {
		{ zero_type, EBADMSG },
		{ same_id, EBADMSG },
		{ more_than_there, EBADMSG },
		{ without_flag, EBADMSG },
		{ padding, EBADMSG },
		{ sem_value, EBADMSG },
		{ undo_on_another_set, EBADMSG },
		{ unmapped_owner, EOVERFLOW },
		{ set_owner_unmapped, EOVERFLOW },
		/* past the point of no return: the root is killed, the caller told */
		{ same_key, EEXIST },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* a fresh image each time: pids are free again */
		self->img = tree_image(V_PLAIN, &self->root);
		ASSERT_GE(self->img, 0);
		TH_LOG("case %u", i);
		damaged(_metadata, self->root, self->img, cases[i].damage, cases[i].err);
		close(self->img);
		self->img = -1;
	}
}

TEST_HARNESS_MAIN
