// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: SysV semaphore adjustments, semop(2) with SEM_UNDO (#15).
 *
 * A process that did semop(2) with SEM_UNDO holds what its exit will give
 * back: checkpoint saves, for each set it has an adjustment on, the set's
 * id, key, mode and size and each semaphore's value and adjustment.  The
 * set is the IPC namespace's, not the process's: when the original is
 * killed after the checkpoint its exit gives back what it held, and
 * restart takes it again - lowers each value by the adjustment, all or
 * nothing, without waiting - when the set is still there with its key and
 * size, or makes the set again with its id, key, mode and the image's
 * values when it is gone.  Either way the restored process has the
 * adjustments in its undo list again, and its own exit gives them back.
 * The tests read the values (GETALL) at each step: after the original's
 * exit, in the restored process, after its exit.
 *
 * The test makes a set of two semaphores at {1, 5}; a child takes 1 from
 * semaphore 0 and gives 2 to semaphore 1, both with SEM_UNDO ({0, 7}), and
 * checkpoints itself.  The same with a private set, with a tree whose
 * parent and child each hold a semaphore of one set, and with a process
 * whose second thread did the semop (threads share the undo list, as
 * pthreads do with CLONE_SYSVSEM): restored, the thread's exit gives
 * nothing back, the process's exit everything.
 *
 * And the errors, each before restart's point of no return, the caller
 * intact and the values as they were - as the failed restarter reads them
 * before it exits, since its exit would give back whatever restart left
 * in its undo list: the semaphore taken by another process meanwhile
 * (EAGAIN), another set at the id (EBUSY), the key held by another set
 * (EEXIST), no CAP_CHECKPOINT_RESTORE to make the set again with its id
 * (EPERM), no alter permission on the set (EACCES), a byte damaged later
 * in the image (EBADMSG: what restart took is given back, what it made is
 * removed).  An undo list with adjustments shared with another process
 * (clone(2) with CLONE_SYSVSEM) is refused at checkpoint (EOPNOTSUPP),
 * the processes going on as they were.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "cr_child.h"
#include "cr_image.h"
#include "../kselftest_harness.h"

#define NSEMS		2
#define MODE		0640
#define MARKER		"cr-sem-marker"	/* the comm of the processes saved */
#define VMAX		8		/* room for GETALL of any set made here */

/* The keys, one per test; each test's other key is its key + 1. */
#define KEY_HELD	0x5e3a10
#define KEY_MADE	0x5e3a20
#define KEY_TAKEN	0x5e3a30
#define KEY_ID		0x5e3a40
#define KEY_KEY		0x5e3a50
#define KEY_CAP		0x5e3a60
#define KEY_ACCES	0x5e3a70
#define KEY_DAMAGED	0x5e3a80
#define KEY_UNMADE	0x5e3a90
#define KEY_TREE	0x5e3aa0
#define KEY_THREAD	0x5e3ab0
#define KEY_CLONE	0x5e3ac0

static const key_t keys[] = {
	KEY_HELD, KEY_MADE, KEY_TAKEN, KEY_ID, KEY_KEY, KEY_CAP, KEY_ACCES,
	KEY_DAMAGED, KEY_UNMADE, KEY_TREE, KEY_THREAD, KEY_CLONE,
};

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* The set the processes saved hold, as the test made it (before fork). */
static int set_id;
static key_t set_key;

/* The values of set @id into @v (VMAX of room): 0, or -1. */
static int get_vals(int id, unsigned short *v)
{
	union semun arg = { .array = v };

	return semctl(id, 0, GETALL, arg);
}

static int set_vals(int id, unsigned short a, unsigned short b)
{
	unsigned short v[NSEMS] = { a, b };
	union semun arg = { .array = v };

	return semctl(id, 0, SETALL, arg);
}

static int stat_set(int id, struct semid_ds *ds)
{
	union semun arg = { .buf = ds };

	return semctl(id, 0, IPC_STAT, arg);
}

/* Are the two values of set @id @a and @b?  Says what they are if not. */
static bool vals_are(int id, unsigned short a, unsigned short b)
{
	unsigned short v[VMAX];

	if (get_vals(id, v)) {
		fprintf(stderr, "# GETALL of set %d: %m\n", id);
		return false;
	}
	if (v[0] == a && v[1] == b)
		return true;
	fprintf(stderr, "# set %d: values %u %u, not %u %u\n", id, v[0], v[1], a, b);
	return false;
}

static void remove_key(key_t key)
{
	int id = semget(key, 0, 0);

	if (id >= 0)
		semctl(id, 0, IPC_RMID);
}

static void remove_all_keys(void)
{
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(keys); i++) {
		remove_key(keys[i]);
		remove_key(keys[i] + 1);
	}
}

/* Have the next semget(2) that makes a set give @id (-1: any). */
static int next_id(int id)
{
	FILE *f = fopen("/proc/sys/kernel/sem_next_id", "w");
	int ok = f && fprintf(f, "%d\n", id) > 0;

	return f && !fclose(f) && ok ? 0 : -1;
}

/* Drop the capabilities of @caps (a bit each) from the effective set: 0, or -1. */
static int drop_caps(unsigned long long caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int cap;

	if (syscall(SYS_capget, &h, d))
		return -1;
	for (cap = 0; cap < 64; cap++)
		if (caps & (1ULL << cap))
			d[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d);
}

#define CAP(c)		(1ULL << (c))
/* CAP_SYS_ADMIN implies CAP_CHECKPOINT_RESTORE */
#define NO_RESTORE_CAP	(CAP(CAP_CHECKPOINT_RESTORE) | CAP(CAP_SYS_ADMIN))

/*
 * In the restored process: the set as the image has it, held again - the
 * values {0, 7}, semaphore 0 not to be taken, its id, key, mode and size.
 */
static int check_held(void)
{
	struct sembuf take = { 0, -1, IPC_NOWAIT };
	struct semid_ds ds;

	if (!vals_are(set_id, 0, 7))
		return CR_RESTART_BAD;
	if (semop(set_id, &take, 1) != -1 || errno != EAGAIN) {
		fprintf(stderr, "# semaphore 0 could be taken: %m\n");
		return CR_RESTART_BAD + 1;
	}
	if (stat_set(set_id, &ds)) {
		fprintf(stderr, "# IPC_STAT of set %d: %m\n", set_id);
		return CR_RESTART_BAD + 2;
	}
	if (ds.sem_perm.__key != set_key || (ds.sem_perm.mode & 0777) != MODE ||
	    ds.sem_nsems != NSEMS) {
		fprintf(stderr, "# set %d: key %#x mode %#o nsems %lu\n", set_id,
			ds.sem_perm.__key, ds.sem_perm.mode, (unsigned long)ds.sem_nsems);
		return CR_RESTART_BAD + 3;
	}
	if (set_key != IPC_PRIVATE && semget(set_key, 0, 0) != set_id)
		return CR_RESTART_BAD + 4;
	return CR_RESTART_OK;
}

#define HELD_LEGEND	"21: values, 22: semaphore 0 free, 23: IPC_STAT, 24: key, mode or " \
			"nsems, 25: the key names another set"

/*
 * A child takes 1 from semaphore 0 of the set and gives 2 to semaphore 1,
 * both with SEM_UNDO, and checkpoints itself into @img; the original
 * exits, and its exit gives them back.  The restored process checks what
 * it holds (check_held()) and exits.  CR_ORIG_OK, or why not.
 */
static int image_holding(int img)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		struct sembuf hold[2] = { { 0, -1, SEM_UNDO }, { 1, 2, SEM_UNDO } };

		if (prctl(PR_SET_NAME, MARKER) || semop(set_id, hold, 2))
			_exit(1);
		if (!vals_are(set_id, 0, 7))
			_exit(2);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		_exit(check_held());
	}
	return cr_wait(pid);
}

/* What a restarter saw when restart(2) returned. */
struct look {
	int err;			/* restart's errno; -1: it restarted */
	int get;			/* 0, or the errno of GETALL of set_id */
	unsigned short val[VMAX];	/* the values of set_id */
};

/*
 * cr_restart_child() by a restarter without the capabilities @drop: the
 * restored process's exit code, or 100 + the errno of a restart that
 * failed.  A restarter whose restart failed reads the values of set_id
 * into *@lk before it exits: its exit would give back whatever restart
 * left in its undo list.
 */
static int restart_look(int img, unsigned long long drop, struct look *lk)
{
	int p[2];
	pid_t pid;

	memset(lk, 0, sizeof(*lk));
	lk->err = -1;
	if (lseek(img, 0, SEEK_SET) || pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct look me = { };

		close(p[0]);
		if (drop && drop_caps(drop))
			_exit(1);
		sys_restart(0, img, 0);
		me.err = errno;
		if (get_vals(set_id, me.val))
			me.get = errno;
		if (write(p[1], &me, sizeof(me)) != sizeof(me))
			_exit(2);
		_exit(100 + me.err);
	}
	close(p[1]);
	if (read(p[0], lk, sizeof(*lk)) != sizeof(*lk)) {
		memset(lk, 0, sizeof(*lk));
		lk->err = -1;
	}
	close(p[0]);
	return cr_wait(pid);
}

/* Did the failed restarter see values @a and @b? */
static bool look_is(const struct look *lk, unsigned short a, unsigned short b)
{
	if (lk->err < 0) {
		fprintf(stderr, "# the restart did not fail\n");
		return false;
	}
	if (lk->get) {
		fprintf(stderr, "# the restarter's GETALL: %s\n", strerror(lk->get));
		return false;
	}
	if (lk->val[0] == a && lk->val[1] == b)
		return true;
	fprintf(stderr, "# after the failed restart: values %u %u, not %u %u\n",
		lk->val[0], lk->val[1], a, b);
	return false;
}

/* Did the failed restarter find no set at set_id (nothing made)? */
static bool look_none(const struct look *lk)
{
	if (lk->err >= 0 && lk->get == EINVAL)
		return true;
	fprintf(stderr, "# after the failed restart: err %d, GETALL of the id: %s\n",
		lk->err, lk->get ? strerror(lk->get) : "a set is there");
	return false;
}

/* No set at @id. */
static bool id_free(int id)
{
	struct semid_ds ds;

	return stat_set(id, &ds) == -1 && errno == EINVAL;
}

/* No set of @key. */
static bool key_free(key_t key)
{
	return semget(key, 0, 0) == -1 && errno == ENOENT;
}

/* The sets the test made, removed at teardown with the keys' sets. */
static int made[64], nr_made;

FIXTURE(sem) {
	int img;
};

FIXTURE_SETUP(sem)
{
	nr_made = 0;
	remove_all_keys();
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	/* a killed tree's orphans are the test's to reap */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
}

FIXTURE_TEARDOWN(sem)
{
	int i;

	cr_kill_descendants();
	for (i = 0; i < nr_made; i++)
		semctl(made[i], 0, IPC_RMID);
	remove_all_keys();
	next_id(-1);
	close(self->img);
}

/*
 * Make a set of NSEMS semaphores (@key, or private) at {@a, @b}, the one
 * the children hold: its id (also in set_id), or -1.
 */
static int make_set(key_t key, unsigned short a, unsigned short b)
{
	int id = semget(key, NSEMS, IPC_CREAT | IPC_EXCL | MODE);

	if (id < 0)
		return -1;
	if (nr_made < (int)ARRAY_SIZE(made))
		made[nr_made++] = id;
	if (set_vals(id, a, b))
		return -1;
	set_id = id;
	set_key = key;
	return id;
}

/* A sem_undo record of a set of NSEMS semaphores, as the image has it. */
struct undo_rec {
	struct cr_rec_sem_undo r;
	struct cr_sem sem[NSEMS];
};

/*
 * The sem_undo records of the image in @img into @u, at most @max: how
 * many, or -1 (a record of another size, or more than @max).
 */
static int undo_records(int img, struct undo_rec *u, int max)
{
	size_t len, off = 0;
	int n = 0;
	char *buf;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	buf = cr_read_all(img, &len);
	if (!buf)
		return -1;
	while (off + sizeof(struct cr_hdr) <= len) {
		const struct cr_hdr *h = (const void *)(buf + off);

		if (h->type == CR_REC_SEM_UNDO) {
			if (h->len != sizeof(*u) || n == max ||
			    off + sizeof(*h) + sizeof(*u) > len) {
				n = -1;
				break;
			}
			memcpy(&u[n++], buf + off + sizeof(*h), sizeof(*u));
		}
		if (h->type == CR_REC_TAIL)
			break;
		off += cr_rec_size(h->len);
	}
	free(buf);
	return n;
}

/*
 * Does @u save set @id of @key (mode MODE) with values @v0 and @v1 and
 * adjustments @a0 and @a1?  Says what it saves if not.
 */
static bool undo_is(const struct undo_rec *u, int id, key_t key, unsigned short v0, short a0,
		    unsigned short v1, short a1)
{
	if (u->r.id == id && u->r.key == key && u->r.mode == MODE && u->r.nsems == NSEMS &&
	    u->sem[0].val == v0 && u->sem[0].adj == a0 &&
	    u->sem[1].val == v1 && u->sem[1].adj == a1)
		return true;
	fprintf(stderr, "# sem_undo: id %d key %#x mode %#o nsems %u: %u/%d %u/%d\n",
		u->r.id, u->r.key, u->r.mode, u->r.nsems,
		u->sem[0].val, u->sem[0].adj, u->sem[1].val, u->sem[1].adj);
	fprintf(stderr, "# not id %d key %#x: %u/%d %u/%d\n", id, key, v0, a0, v1, a1);
	return false;
}

/*
 * The set still there: the restored process holds again what it held, and
 * its exit gives it back.
 */
TEST_F(sem, held_again)
{
	struct undo_rec u[4];
	int id, st;

	id = make_set(KEY_HELD, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	/* the original's exit gave back what it held */
	EXPECT_TRUE(vals_are(id, 1, 5));
	/* the image has it: the values at checkpoint, the adjustments exit makes */
	ASSERT_EQ(1, undo_records(self->img, u, 4));
	EXPECT_TRUE(undo_is(&u[0], id, KEY_HELD, 0, 1, 7, -2));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/*
 * The set gone: made again with its id, key, mode, size and the values it
 * had at checkpoint, held; the restored process's exit gives them back,
 * and the set stays, the namespace's.
 */
TEST_F(sem, made_again)
{
	int id, st;

	id = make_set(KEY_MADE, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	EXPECT_TRUE(vals_are(id, 1, 5));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_EQ(id, semget(KEY_MADE, 0, 0));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/* A private set (IPC_PRIVATE), gone: made again with its id. */
TEST_F(sem, private_made_again)
{
	struct undo_rec u[4];
	int id, st;

	id = make_set(IPC_PRIVATE, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	EXPECT_TRUE(vals_are(id, 1, 5));
	ASSERT_EQ(1, undo_records(self->img, u, 4));
	EXPECT_TRUE(undo_is(&u[0], id, IPC_PRIVATE, 0, 1, 7, -2));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/*
 * Semaphore 0 taken by another process meanwhile: restart does not wait,
 * it fails with EAGAIN, the values as they were (semaphore 1's not raised,
 * or lowered back); given back, the image restarts.
 */
TEST_F(sem, taken_meanwhile)
{
	struct sembuf take = { 0, -1, 0 }, give = { 0, 1, 0 };
	struct look lk;
	int id, st;

	id = make_set(KEY_TAKEN, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	ASSERT_TRUE(vals_are(id, 1, 5));
	ASSERT_EQ(0, semop(id, &take, 1));
	st = restart_look(self->img, 0, &lk);
	EXPECT_EQ(100 + EAGAIN, st) TH_LOG("%s", cr_status(st));
	EXPECT_TRUE(look_is(&lk, 0, 5));
	EXPECT_TRUE(vals_are(id, 0, 5));

	ASSERT_EQ(0, semop(id, &give, 1));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/*
 * Another set at the id - of another key, or of the key but three
 * semaphores: EBUSY, the caller intact, that set untouched and no set
 * made.
 */
TEST_F(sem, another_set_with_the_id)
{
	unsigned short three[VMAX] = { 3, 4, 6 };
	union semun arg = { .array = three };
	struct look lk;
	int id, other, st;

	id = make_set(KEY_ID, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	/* kernel.sem_next_id: CONFIG_CHECKPOINT_RESTORE */
	if (next_id(id))
		SKIP(return, "no kernel.sem_next_id");
	other = semget(KEY_ID + 1, NSEMS, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_GE(other, 0);
	if (other != id)
		SKIP(return, "the namespace gave another id");
	ASSERT_EQ(0, set_vals(other, 3, 4));
	st = restart_look(self->img, 0, &lk);
	EXPECT_EQ(100 + EBUSY, st) TH_LOG("another key: %s", cr_status(st));
	EXPECT_TRUE(look_is(&lk, 3, 4));
	EXPECT_TRUE(vals_are(other, 3, 4));
	EXPECT_TRUE(key_free(KEY_ID));
	ASSERT_EQ(0, semctl(other, 0, IPC_RMID));

	ASSERT_EQ(0, next_id(id));
	other = semget(KEY_ID, NSEMS + 1, IPC_CREAT | IPC_EXCL | MODE);
	ASSERT_EQ(id, other);
	ASSERT_EQ(0, semctl(other, 0, SETALL, arg));
	st = restart_look(self->img, 0, &lk);
	EXPECT_EQ(100 + EBUSY, st) TH_LOG("three semaphores: %s", cr_status(st));
	EXPECT_TRUE(look_is(&lk, 3, 4));
	memset(three, 0, sizeof(three));
	ASSERT_EQ(0, semctl(other, 0, GETALL, arg));
	EXPECT_EQ(3, three[0]);
	EXPECT_EQ(4, three[1]);
	EXPECT_EQ(6, three[2]);
}

/*
 * The set gone and its key another set's: EEXIST, the caller intact,
 * nothing made at the id; with the key free again the image restarts.
 */
TEST_F(sem, key_taken)
{
	struct look lk;
	int id, other, st;

	id = make_set(KEY_KEY, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	other = semget(KEY_KEY, NSEMS, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_GE(other, 0);
	ASSERT_NE(id, other);
	ASSERT_EQ(0, set_vals(other, 3, 4));
	st = restart_look(self->img, 0, &lk);
	EXPECT_EQ(100 + EEXIST, st) TH_LOG("%s", cr_status(st));
	EXPECT_TRUE(look_none(&lk));
	EXPECT_TRUE(id_free(id));
	EXPECT_EQ(other, semget(KEY_KEY, 0, 0));
	EXPECT_TRUE(vals_are(other, 3, 4));

	ASSERT_EQ(0, semctl(other, 0, IPC_RMID));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/*
 * Taking the set again needs no privilege; making it again with its id
 * takes CAP_CHECKPOINT_RESTORE: EPERM without, the caller intact, nothing
 * made; with it, the image restarts.
 */
TEST_F(sem, no_cap_to_make_again)
{
	struct look lk;
	int id, st;

	id = make_set(KEY_CAP, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	st = restart_look(self->img, NO_RESTORE_CAP, &lk);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("the set there: %s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));

	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	st = restart_look(self->img, NO_RESTORE_CAP, &lk);
	EXPECT_EQ(100 + EPERM, st) TH_LOG("the set gone: %s", cr_status(st));
	EXPECT_TRUE(look_none(&lk));
	EXPECT_TRUE(key_free(KEY_CAP));

	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("with the capability: %s", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/* Set the permission bits of set @id. */
static int set_mode(int id, unsigned int mode)
{
	union semun arg;
	struct semid_ds ds;

	if (stat_set(id, &ds))
		return -1;
	ds.sem_perm.mode = mode;
	arg.buf = &ds;
	return semctl(id, 0, IPC_SET, arg);
}

/*
 * The set made read-only (0440) since: a restarter without CAP_IPC_OWNER
 * may not alter it, as semop(2) may not: EACCES, the values untouched;
 * writable again, the same restarter restarts the image.
 */
TEST_F(sem, no_alter_permission)
{
	struct look lk;
	int id, st;

	id = make_set(KEY_ACCES, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	ASSERT_EQ(0, set_mode(id, 0440));
	st = restart_look(self->img, CAP(CAP_IPC_OWNER), &lk);
	EXPECT_EQ(100 + EACCES, st) TH_LOG("%s", cr_status(st));
	EXPECT_TRUE(look_is(&lk, 1, 5));
	EXPECT_TRUE(vals_are(id, 1, 5));

	ASSERT_EQ(0, set_mode(id, MODE));
	st = restart_look(self->img, CAP(CAP_IPC_OWNER), &lk);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/*
 * Flip a byte of the comm (MARKER) in the task record of the image in
 * @img: a byte the sum record's checksum covers, after the sem_undo
 * record, that no other check refuses.  Flipped twice, the image is whole
 * again.  0, or -1 (also if the image has no sem_undo record before its
 * task record).
 */
static int flip_comm(int img)
{
	size_t len, undo, task, sum;
	char flipped[sizeof(MARKER)];
	const struct cr_hdr *h;
	char *buf, *at;
	int ret = -1;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	buf = cr_read_all(img, &len);
	if (!buf)
		return -1;
	undo = cr_image_find(buf, len, CR_REC_SEM_UNDO);
	task = cr_image_find(buf, len, CR_REC_TASK);
	sum = cr_image_find(buf, len, CR_REC_SUM);
	if (!undo || !task || !sum || undo > task || task > sum)
		goto out;
	h = (const void *)(buf + task - sizeof(*h));
	memcpy(flipped, MARKER, sizeof(MARKER));
	flipped[3] ^= 0x20;	/* "cr-Sem-marker" */
	/* damage it, or mend what an earlier call damaged */
	at = memmem(buf + task, h->len, MARKER, strlen(MARKER)) ?:
	     memmem(buf + task, h->len, flipped, strlen(flipped));
	if (!at)
		goto out;
	at[3] ^= 0x20;
	if (pwrite(img, buf, len, 0) == (ssize_t)len)
		ret = 0;
out:
	free(buf);
	return ret;
}

/*
 * A byte of the image damaged after the sem_undo record: the checksum
 * fails the restart (EBADMSG) before its point of no return, and what it
 * had taken is given back: the values exactly as before, in the failed
 * restarter and after its exit.  Mended, the image restarts.
 */
TEST_F(sem, damaged_image_releases)
{
	struct look lk;
	int id, st;

	id = make_set(KEY_DAMAGED, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	ASSERT_EQ(0, flip_comm(self->img));
	st = restart_look(self->img, 0, &lk);
	EXPECT_EQ(100 + EBADMSG, st) TH_LOG("%s", cr_status(st));
	EXPECT_TRUE(look_is(&lk, 1, 5));
	EXPECT_TRUE(vals_are(id, 1, 5));

	ASSERT_EQ(0, flip_comm(self->img));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/*
 * The same with the set gone: the set restart had made is removed again.
 * Mended, the image restarts and makes it.
 */
TEST_F(sem, damaged_image_unmakes)
{
	struct look lk;
	int id, st;

	id = make_set(KEY_UNMADE, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(CR_ORIG_OK, image_holding(self->img));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	ASSERT_EQ(0, flip_comm(self->img));
	st = restart_look(self->img, 0, &lk);
	EXPECT_EQ(100 + EBADMSG, st) TH_LOG("%s", cr_status(st));
	EXPECT_TRUE(look_none(&lk));
	EXPECT_TRUE(key_free(KEY_UNMADE));
	EXPECT_TRUE(id_free(id));

	ASSERT_EQ(0, flip_comm(self->img));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s (" HELD_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
}

/*
 * In a process of the tree: the set at {0, 0}, and semaphore @sem, which
 * it holds, not to be taken.  0, or why not.
 */
static int tree_check(int sem)
{
	struct sembuf take = { sem, -1, IPC_NOWAIT };

	if (!vals_are(set_id, 0, 0))
		return 1;
	if (semop(set_id, &take, 1) != -1 || errno != EAGAIN)
		return 2;
	return 0;
}

#define TREE_LEGEND	"1: semop, 2: fork, 3: the child's hold not seen, 21/22: the " \
			"root's values/semaphore 0, 23: wake, 24: values after the child's " \
			"exit, 40 + the child's exit (41/42: its values/semaphore 1, 43: its " \
			"semop), 50: the child killed"

/*
 * The root of the tree takes semaphore 0 with SEM_UNDO, its child
 * semaphore 1; the child waits for SIGUSR2, the root stops itself.  Once
 * going on, each checks the set and what it holds; the child's exit gives
 * back semaphore 1 only, the root's semaphore 0.
 */
static void tree_root(void)
{
	struct sembuf mine = { 0, -1, SEM_UNDO };
	sigset_t s;
	pid_t child;
	int i, st;

	close_range(3, ~0U, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	if (prctl(PR_SET_NAME, MARKER) || semop(set_id, &mine, 1))
		_exit(1);
	child = fork();
	if (child < 0)
		_exit(2);
	if (!child) {
		struct sembuf its = { 1, -1, SEM_UNDO };

		if (semop(set_id, &its, 1))
			_exit(3);
		while (sigwaitinfo(&s, NULL) != SIGUSR2)
			;
		_exit(tree_check(1));
	}
	for (i = 0; i < 1000 && semctl(set_id, 1, GETVAL) != 0; i++)
		usleep(10000);
	if (semctl(set_id, 1, GETVAL) != 0)
		_exit(3);
	raise(SIGSTOP);

	st = tree_check(0);
	if (st)
		_exit(CR_RESTART_BAD + st - 1);
	if (kill(child, SIGUSR2))
		_exit(CR_RESTART_BAD + 2);
	st = cr_wait(child);
	if (st)
		_exit(st < 10 ? 40 + st : 50);
	/* the child's exit gave back its semaphore, not the root's */
	_exit(vals_are(set_id, 0, 1) ? CR_RESTART_OK : CR_RESTART_BAD + 3);
}

/**
 * struct held - a program that holds semaphores of a set, stopped
 * @key: the set's key
 * @made: the values the test makes the set with
 * @held: the values while the program holds them
 * @main: the program: it holds them and stops itself
 * @nr: the sem_undo records its image has, one per process
 * @rec: each: the values and the adjustments it carries
 * @legend: what @main's exit codes mean
 */
struct held {
	key_t key;
	unsigned short made[NSEMS];
	unsigned short held[NSEMS];
	void (*main)(void);
	int nr;
	struct cr_sem rec[2][NSEMS];
	const char *legend;
};

/*
 * Make @h's set, run @h->main until it stops holding it, checkpoint it
 * into @img and kill it (its exits give back what it held): its pid, or
 * -1.  The set's id in *@id.
 */
static pid_t held_image(struct __test_metadata *_metadata, int img, const struct held *h,
			int *id)
{
	pid_t pid;

	*id = make_set(h->key, h->made[0], h->made[1]);
	if (*id < 0 || ftruncate(img, 0) || lseek(img, 0, SEEK_SET))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		h->main();
	if (cr_stop_wait(pid, 0) || !vals_are(*id, h->held[0], h->held[1]))
		return -1;
	if (sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL) <= 0) {
		TH_LOG("checkpoint: %s", strerror(errno));
		return -1;
	}
	if (cr_kill_descendants())
		return -1;
	/* the exits gave back what the processes held */
	EXPECT_TRUE(vals_are(*id, h->made[0], h->made[1]));
	return pid;
}

/*
 * @h's program only continued (@how 0), or checkpointed, killed and
 * restarted with the set still there (1) or made again (2): it checks
 * what it holds as it goes on, and its exit gives it back.
 */
static void held_run(struct __test_metadata *_metadata, int img, int how, const struct held *h)
{
	struct undo_rec u[4];
	pid_t pid, back;
	int id, st, n, i;

	if (!how) {
		id = make_set(h->key, h->made[0], h->made[1]);
		ASSERT_GE(id, 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid)
			h->main();
		ASSERT_EQ(0, cr_stop_wait(pid, 0));
		ASSERT_TRUE(vals_are(id, h->held[0], h->held[1]));
		ASSERT_EQ(0, kill(pid, SIGCONT));
	} else {
		pid = held_image(_metadata, img, h, &id);
		ASSERT_LT(0, pid);
		/* a record for each process, the root's first */
		n = undo_records(img, u, 4);
		EXPECT_EQ(h->nr, n);
		for (i = 0; n == h->nr && i < n; i++)
			EXPECT_TRUE(undo_is(&u[i], id, h->key, h->rec[i][0].val, h->rec[i][0].adj,
					    h->rec[i][1].val, h->rec[i][1].adj));
		if (how == 2)
			ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
		ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
		back = sys_restart(0, img, CR_RESTART_CHILD);
		ASSERT_EQ(pid, back) TH_LOG("restart: %s", strerror(errno));
	}
	st = cr_wait(pid);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("how %d: %s (%s)", how, cr_status(st), h->legend);
	EXPECT_TRUE(vals_are(id, h->made[0], h->made[1])) TH_LOG("how %d", how);
	EXPECT_EQ(0, semctl(id, 0, IPC_RMID));
}

/* The tree: the root holds semaphore 0, its child semaphore 1. */
static const struct held tree_held = {
	.key = KEY_TREE,
	.made = { 1, 1 },
	.held = { 0, 0 },
	.main = tree_root,
	.nr = 2,
	.rec = { { { 0, 1 }, { 0, 0 } }, { { 0, 0 }, { 0, 1 } } },
	.legend = TREE_LEGEND,
};

/*
 * A parent and its child, both of the tree, each holding a semaphore of
 * one set ({1, 1} -> {0, 0}): checkpointed and killed, the values are
 * {1, 1} again; restarted, each holds its semaphore again, and each exit
 * gives back its own.  An uninterrupted run makes the same checks first.
 */
TEST_F_TIMEOUT(sem, shared_by_a_tree, 60)
{
	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	held_run(_metadata, self->img, 0, &tree_held);
	held_run(_metadata, self->img, 1, &tree_held);
}

/* The same with the set removed before the restart: made once, at {0, 0}. */
TEST_F_TIMEOUT(sem, tree_made_again, 60)
{
	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	held_run(_metadata, self->img, 2, &tree_held);
}

#define MANY	20

/*
 * A process holding semaphores of MANY private sets, made in an order
 * that is not their ids' (each second one removed and made again): a
 * record for each, in increasing id order, and every hold taken again.
 */
TEST_F(sem, many_sets)
{
	struct sembuf take = { 0, -1, SEM_UNDO };
	int ids[MANY], i, st, n;
	struct undo_rec u[MANY];
	pid_t pid;

	for (i = 0; i < MANY; i++) {
		ids[i] = make_set(IPC_PRIVATE, 1, 5);
		ASSERT_GE(ids[i], 0);
	}
	for (i = 0; i < MANY; i += 2) {
		ASSERT_EQ(0, semctl(ids[i], 0, IPC_RMID));
		ids[i] = make_set(IPC_PRIVATE, 1, 5);
		ASSERT_GE(ids[i], 0);
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		for (i = 0; i < MANY; i++)
			if (semop(ids[i], &take, 1))
				_exit(1);
		if (cr_self_checkpoint(self->img))
			_exit(CR_ORIG_OK);
		for (i = 0; i < MANY; i++)
			if (semctl(ids[i], 0, GETVAL) != 0)
				_exit(CR_RESTART_BAD);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	n = undo_records(self->img, u, MANY);
	ASSERT_EQ(MANY, n);
	for (i = 1; i < n; i++)
		EXPECT_LT(u[i - 1].r.id, u[i].r.id);
	for (i = 0; i < MANY; i++)
		EXPECT_TRUE(vals_are(ids[i], 1, 5));
	st = cr_restart_child(self->img);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s", cr_status(st));
	for (i = 0; i < MANY; i++)
		EXPECT_TRUE(vals_are(ids[i], 1, 5));
}

/*
 * A hostile tree record, two tasks with one pid: restart fails with
 * EBADMSG before it knows the processes (the tree is read first), and its
 * undoing of what it did to semaphores, which walks the processes, must
 * cope with none.  Found by fuzz.c on the debug kernel: a NULL dereference.
 */
TEST_F_TIMEOUT(sem, tree_record_pid_twice, 60)
{
	struct cr_tree_task *tasks;
	size_t len, tree;
	char *buf;
	int id;

	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	ASSERT_LT(0, held_image(_metadata, self->img, &tree_held, &id));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	buf = cr_read_all(self->img, &len);
	ASSERT_NE(NULL, buf);
	tree = cr_image_find(buf, len, CR_REC_TREE);
	ASSERT_NE(0, tree);
	ASSERT_EQ(2, ((struct cr_rec_tree *)(buf + tree))->nr_tasks);
	tasks = (void *)(buf + tree + sizeof(struct cr_rec_tree));
	tasks[1].pid = tasks[0].pid;
	ASSERT_EQ(0, cr_image_reseal(buf, len));
	ASSERT_EQ(len, pwrite(self->img, buf, len, 0));
	free(buf);
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	EXPECT_EQ(-1, sys_restart(0, self->img, CR_RESTART_CHILD));
	EXPECT_EQ(EBADMSG, errno);
	EXPECT_TRUE(vals_are(id, 1, 1));
	EXPECT_EQ(0, semctl(id, 0, IPC_RMID));
}

/* The holder thread's state: 1 holds, -1 its semop failed; 2 the word to end. */
static int thr_state;

static void *holder(void *arg)
{
	struct sembuf hold[2] = { { 0, -1, SEM_UNDO }, { 1, 2, SEM_UNDO } };

	if (semop(set_id, hold, 2)) {
		__atomic_store_n(&thr_state, -1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	__atomic_store_n(&thr_state, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&thr_state, __ATOMIC_SEQ_CST) != 2)
		usleep(1000);
	return NULL;
}

#define THREAD_LEGEND	"1: pthread_create, 2: the thread's semop, 3: pthread_join, " \
			"26: values after the thread's exit; " HELD_LEGEND

/*
 * A second thread holds the set (-1 on semaphore 0, +2 on semaphore 1,
 * with SEM_UNDO), the main thread stops the process.  Going on, the main
 * thread checks the set, lets the thread end and checks that its exit
 * gave nothing back: the undo list is the process's.
 */
static void thread_main(void)
{
	pthread_t t;
	int r;

	close_range(3, ~0U, 0);
	if (prctl(PR_SET_NAME, MARKER) || pthread_create(&t, NULL, holder, NULL))
		_exit(1);
	while (!(r = __atomic_load_n(&thr_state, __ATOMIC_SEQ_CST)))
		usleep(1000);
	if (r != 1)
		_exit(2);
	raise(SIGSTOP);

	r = check_held();
	if (r != CR_RESTART_OK)
		_exit(r);
	__atomic_store_n(&thr_state, 2, __ATOMIC_SEQ_CST);
	if (pthread_join(t, NULL))
		_exit(3);
	_exit(vals_are(set_id, 0, 7) ? CR_RESTART_OK : CR_RESTART_BAD + 5);
}

/* The process whose second thread holds the set: saved once, for the process. */
static const struct held thread_held = {
	.key = KEY_THREAD,
	.made = { 1, 5 },
	.held = { 0, 7 },
	.main = thread_main,
	.nr = 1,
	.rec = { { { 0, 1 }, { 7, -2 } } },
	.legend = THREAD_LEGEND,
};

/*
 * The adjustments of a thread are its process's, saved once: continued,
 * then restarted with the set there, then with the set made again.
 */
TEST_F_TIMEOUT(sem, threads, 60)
{
	if (getuid())
		SKIP(return, "needs root (tids are kept: CAP_CHECKPOINT_RESTORE)");
	held_run(_metadata, self->img, 0, &thread_held);
	held_run(_metadata, self->img, 1, &thread_held);
	held_run(_metadata, self->img, 2, &thread_held);
}

#define CLONE_LEGEND	"1: clone, 2: write, 3: Q's exit (its value), 4: the value " \
			"after Q's exit"

/*
 * P, with only fds 0-2 and @w, makes Q with clone(2) and @flags; Q takes
 * semaphore 0 with SEM_UNDO if @hold and stops itself; P writes Q's pid to
 * @w and stops too.  Continued, Q checks the value and exits; P reaps it
 * and checks the value again: with CLONE_SYSVSEM P still holds what Q took
 * (a shared list is given back with its last process), without it Q's
 * exit gave it back.
 */
static void clone_parent(int w, unsigned long flags, bool hold)
{
	struct sembuf take = { 0, -1, SEM_UNDO };
	pid_t q;

	close_range(3, w - 1, 0);
	close_range(w + 1, ~0U, 0);
	q = syscall(SYS_clone, flags, 0, NULL, NULL, 0);
	if (q < 0)
		_exit(1);
	if (!q) {
		/* not a fork(): the C library's view of it is P's; system calls only */
		close(w);
		if (hold && semop(set_id, &take, 1))
			_exit(1);
		kill(syscall(SYS_getpid), SIGSTOP);
		_exit(semctl(set_id, 0, GETVAL) == !hold ? 0 : 2);
	}
	if (write(w, &q, sizeof(q)) != sizeof(q))
		_exit(2);
	close(w);
	raise(SIGSTOP);
	if (cr_wait(q))
		_exit(3);
	_exit(semctl(set_id, 0, GETVAL) == !(hold && (flags & CLONE_SYSVSEM)) ? 0 : 4);
}

/*
 * P and Q as clone_parent() makes them, both stopped: checkpoint of Q, of
 * P alone and of P with Q fails with @want (or succeeds if 0), and leaves
 * both as they were; continued, they end well and the set is {1, 5}.
 */
static void clone_run(struct __test_metadata *_metadata, int img, unsigned long flags,
		      bool hold, int want)
{
	static const char *const what[] = { "Q", "P alone", "P and Q" };
	int p[2], id, i, st;
	pid_t pp, q;

	id = make_set(KEY_CLONE, 1, 5);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(p));
	pp = fork();
	ASSERT_GE(pp, 0);
	if (!pp) {
		close(p[0]);
		clone_parent(p[1], flags, hold);
	}
	close(p[1]);
	ASSERT_EQ((ssize_t)sizeof(q), read(p[0], &q, sizeof(q)));
	close(p[0]);
	ASSERT_EQ(0, cr_stop_wait(pp, 0));
	ASSERT_EQ(0, cr_wait_state(q, 'T'));
	ASSERT_TRUE(vals_are(id, hold ? 0 : 1, 5));
	for (i = 0; i < 3; i++) {
		long r;
		int err;

		ASSERT_EQ(0, ftruncate(img, 0));
		ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
		r = sys_checkpoint(i ? pp : q, img, i == 1 ? CR_CHECKPOINT_ROOT_ONLY : 0);
		err = errno;
		if (want) {
			EXPECT_EQ(-1, r) TH_LOG("%s: saved", what[i]);
			EXPECT_EQ(want, err) TH_LOG("%s: %s", what[i], strerror(err));
		} else {
			EXPECT_LT(0, r) TH_LOG("%s: %s", what[i], strerror(err));
		}
		/* untouched */
		EXPECT_EQ('T', cr_proc_state(q)) TH_LOG("%s", what[i]);
		EXPECT_EQ('T', cr_proc_state(pp)) TH_LOG("%s", what[i]);
		EXPECT_TRUE(vals_are(id, hold ? 0 : 1, 5)) TH_LOG("%s", what[i]);
	}
	ASSERT_EQ(0, kill(q, SIGCONT));
	ASSERT_EQ(0, kill(pp, SIGCONT));
	st = cr_wait(pp);
	EXPECT_EQ(0, st) TH_LOG("%s (" CLONE_LEGEND ")", cr_status(st));
	EXPECT_TRUE(vals_are(id, 1, 5));
	EXPECT_EQ(0, semctl(id, 0, IPC_RMID));
}

/*
 * An undo list with an adjustment, shared by two processes (clone(2) with
 * CLONE_SYSVSEM, not a thread): refused (EOPNOTSUPP), whether Q, P or both
 * are saved, and both go on as they were.
 */
TEST_F(sem, clone_sysvsem_refused)
{
	clone_run(_metadata, self->img, CLONE_SYSVSEM | SIGCHLD, true, EOPNOTSUPP);
}

/* Shared, but without an adjustment: nothing to save, saved. */
TEST_F(sem, clone_sysvsem_empty_saved)
{
	clone_run(_metadata, self->img, CLONE_SYSVSEM | SIGCHLD, false, 0);
}

/* The same clone(2) without CLONE_SYSVSEM: Q's own list, saved. */
TEST_F(sem, clone_own_list_saved)
{
	clone_run(_metadata, self->img, SIGCHLD, true, 0);
}

TEST_HARNESS_MAIN
