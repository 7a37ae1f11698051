// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: SysV shared memory segments a process has attached (#15).
 *
 * A segment lives in the IPC namespace, not in the process: restart
 * attaches the one with the saved id if it is still there with its key and
 * size (its contents are its own, as a shared file's are), and otherwise
 * makes it again with its id, key, size and mode and the saved contents.
 * A segment removed while attached comes back removed.  What restart
 * cannot do is refused before its point of no return, the caller intact:
 * the key or the id held by another segment, no CAP_CHECKPOINT_RESTORE
 * to choose the id.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "cr_image.h"
#include "../kselftest_harness.h"

#define KEY		0xc0de51
#define SIZE		(3 * 4096 + 100)	/* not a whole number of pages */
#define MODE		0640

static int seg_id;
static unsigned char *seg;

static unsigned char byte(size_t i)
{
	return (unsigned char)(i * 13 + i / 4096);
}

/* Make the segment (@key, or private), attach it, fill it. */
static int make_attached(key_t key)
{
	size_t i;

	seg_id = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | MODE);
	if (seg_id < 0)
		return -1;
	seg = shmat(seg_id, NULL, 0);
	if (seg == (void *)-1)
		return -1;
	for (i = 0; i < SIZE; i++)
		seg[i] = byte(i);
	return 0;
}

/* In the restarted process: its contents, id, key, size, mode, attach. */
static int check_restored(key_t key, int removed)
{
	struct shmid_ds ds;
	size_t i;

	for (i = 0; i < SIZE; i++)
		if (seg[i] != byte(i)) {
			fprintf(stderr, "# byte %zu: %u, not %u\n", i, seg[i], byte(i));
			return CR_RESTART_BAD;
		}
	if (shmctl(seg_id, IPC_STAT, &ds)) {
		fprintf(stderr, "# IPC_STAT of id %d: %m\n", seg_id);
		return CR_RESTART_BAD + 1;
	}
	if (ds.shm_segsz != SIZE || ds.shm_perm.__key != (removed ? IPC_PRIVATE : key) ||
	    (ds.shm_perm.mode & 0777) != MODE || ds.shm_nattch != 1 ||
	    !(ds.shm_perm.mode & SHM_DEST) != !removed) {
		fprintf(stderr, "# segment: size %zu key %#x mode %#o nattch %lu\n",
			ds.shm_segsz, ds.shm_perm.__key, ds.shm_perm.mode, ds.shm_nattch);
		return CR_RESTART_BAD + 2;
	}
	/* shared with whoever attaches it: a write shows through another attach */
	if (!removed) {
		unsigned char *other = shmat(seg_id, NULL, SHM_RDONLY);

		seg[SIZE - 1] ^= 0xff;
		if (other == (void *)-1 || other[SIZE - 1] != seg[SIZE - 1])
			return CR_RESTART_BAD + 3;
		shmdt(other);
		seg[SIZE - 1] ^= 0xff;
	}
	return CR_RESTART_OK;
}

/*
 * A child makes the segment (removed while attached with @removed) and
 * checkpoints itself into the returned image; the original exits.
 */
static int image_with_segment(key_t key, int removed)
{
	int img = cr_tmpfile();
	pid_t pid;

	if (img < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (make_attached(key) || (removed && shmctl(seg_id, IPC_RMID, NULL)))
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		_exit(check_restored(key, removed));
	}
	return cr_wait(pid) == CR_ORIG_OK ? img : -1;
}

/* The id the image's segment had: the child's copy of seg_id, from the parent's view. */
static int saved_id(key_t key)
{
	return shmget(key, 0, 0);
}

static void remove_key(key_t key)
{
	int id = shmget(key, 0, 0);

	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
}

/* Does the tools' reader (crinspect's) take the image whole?  0, or -1 and why. */
static int image_reads(int img)
{
	struct cr_image im;
	int ret;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	cr_image_open_fd(&im, img, CR_IMAGE_CHECK);
	while ((ret = cr_image_next(&im)) == CR_IMAGE_REC)
		;
	if (ret != CR_IMAGE_END)
		fprintf(stderr, "# image: offset %llu: %s\n", (unsigned long long)im.why_off,
			im.why);
	cr_image_close(&im);
	return ret == CR_IMAGE_END ? 0 : -1;
}

/* The segment still there: attached again, as it is. */
TEST(segment_still_there)
{
	int img, r;

	remove_key(KEY);
	img = image_with_segment(KEY, 0);
	ASSERT_GE(img, 0);
	EXPECT_EQ(0, image_reads(img));
	r = cr_restart_child(img);
	EXPECT_EQ(CR_RESTART_OK, r);
	remove_key(KEY);
	close(img);
}

/* The segment gone: made again with its id, key, size, mode and contents. */
TEST(segment_made_again)
{
	int img, id, r;

	remove_key(KEY);
	img = image_with_segment(KEY, 0);
	ASSERT_GE(img, 0);
	id = saved_id(KEY);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	r = cr_restart_child(img);
	EXPECT_EQ(CR_RESTART_OK, r);
	/* and it is a segment of the namespace, as before: there after the exit */
	EXPECT_EQ(id, saved_id(KEY));
	remove_key(KEY);
	close(img);
}

/* A private segment (IPC_PRIVATE), gone: made again with its id. */
TEST(private_segment_made_again)
{
	int img, r;

	img = image_with_segment(IPC_PRIVATE, 0);
	ASSERT_GE(img, 0);
	/* the original's exit left it there, unnamed: the test cannot find it */
	r = cr_restart_child(img);
	EXPECT_EQ(CR_RESTART_OK, r);
	close(img);
}

/*
 * Removed while attached (IPC_RMID): the original's exit destroyed it; it
 * comes back with its contents, removed again.
 */
TEST(removed_segment)
{
	int img, r;

	img = image_with_segment(KEY, 1);
	ASSERT_GE(img, 0);
	ASSERT_LT(saved_id(KEY), 0);
	r = cr_restart_child(img);
	EXPECT_EQ(CR_RESTART_OK, r);
	/* gone with the restarted process's detach */
	EXPECT_LT(saved_id(KEY), 0);
	close(img);
}

#define READY	(SIZE - 3)	/* the child is there */
#define GO	(SIZE - 2)	/* the test's word to the restarted tree */

/*
 * A parent and its child attached to one segment: checkpointed and killed,
 * the segment removed; restarted, both attach the one segment made again,
 * which the test attaches by its key too.
 */
TEST(shared_by_a_tree)
{
	int img = cr_tmpfile(), i, id;
	unsigned char *mine;
	struct shmid_ds ds;
	pid_t root, back;

	remove_key(KEY);
	ASSERT_GE(img, 0);
	root = fork();
	ASSERT_GE(root, 0);
	if (!root) {
		pid_t child;

		if (make_attached(KEY))
			_exit(1);
		child = fork();
		if (child < 0)
			_exit(1);
		if (!child) {
			seg[READY] = 1;
			while (seg[GO] != 0x5a)
				usleep(1000);
			_exit(seg[0] == byte(0) ? 0 : 1);
		}
		_exit(cr_wait(child) == 0 ? CR_RESTART_OK : CR_RESTART_BAD);
	}
	for (i = 0; i < 1000 && saved_id(KEY) < 0; i++)
		usleep(10000);
	mine = shmat(saved_id(KEY), NULL, SHM_RDONLY);
	ASSERT_NE((void *)-1, mine);
	for (i = 0; i < 1000 && mine[READY] != 1; i++)
		usleep(10000);
	ASSERT_EQ(1, mine[READY]);
	ASSERT_LT(0, sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(128 + SIGKILL, cr_wait(root));
	shmdt(mine);
	id = saved_id(KEY);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	/* gone once the killed child, which detaches as it goes, is */
	for (i = 0; i < 1000 && !shmctl(id, IPC_STAT, &ds); i++)
		usleep(10000);
	ASSERT_EQ(-1, shmctl(id, IPC_STAT, &ds));

	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	back = sys_restart(0, img, CR_RESTART_CHILD);
	ASSERT_EQ(root, back) TH_LOG("restart: %s", strerror(errno));
	mine = shmat(saved_id(KEY), NULL, 0);
	ASSERT_NE((void *)-1, mine);
	EXPECT_EQ(byte(SIZE / 2), mine[SIZE / 2]);
	mine[GO] = 0x5a;
	EXPECT_EQ(CR_RESTART_OK, cr_wait(root));
	shmdt(mine);
	remove_key(KEY);
	close(img);
}

/* The key taken by another segment: EEXIST, the caller intact. */
TEST(key_taken)
{
	int img, id, other, r;

	remove_key(KEY);
	img = image_with_segment(KEY, 0);
	ASSERT_GE(img, 0);
	id = saved_id(KEY);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	/* the same key, another id */
	other = shmget(KEY, 4096, IPC_CREAT | 0600);
	ASSERT_GE(other, 0);
	ASSERT_NE(id, other);
	r = cr_restart_child(img);
	EXPECT_EQ(100 + EEXIST, r);
	EXPECT_EQ(other, saved_id(KEY));
	/* and nothing left behind: the id is free again */
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, NULL));
	shmctl(other, IPC_RMID, NULL);
	close(img);
}

/* Have the next shmget(2) give @id. */
static int next_id(int id)
{
	FILE *f = fopen("/proc/sys/kernel/shm_next_id", "w");
	int ok = f && fprintf(f, "%d\n", id) > 0;

	return f && !fclose(f) && ok ? 0 : -1;
}

/* The id another segment's, of another key: EBUSY, the caller intact. */
TEST(id_taken)
{
	int img, id, other, r;

	remove_key(KEY);
	img = image_with_segment(KEY, 0);
	ASSERT_GE(img, 0);
	id = saved_id(KEY);
	/* another key at that id (kernel.shm_next_id: CONFIG_CHECKPOINT_RESTORE) */
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	if (next_id(id))
		SKIP(return, "no kernel.shm_next_id");
	other = shmget(KEY + 1, SIZE, IPC_CREAT | 0600);
	ASSERT_GE(other, 0);
	if (other != id) {
		shmctl(other, IPC_RMID, NULL);
		SKIP(return, "the namespace gave another id");
	}
	r = cr_restart_child(img);
	EXPECT_EQ(100 + EBUSY, r);
	shmctl(other, IPC_RMID, NULL);
	close(img);
}

/*
 * The segment attached twice, writable then read-only (below it: the
 * read-only one comes first in the image), and made read-only (0400)
 * since.  A restarter without CAP_IPC_OWNER may attach it read-only but
 * not writable: EACCES before the point of no return, not a kill after.
 */
TEST(every_attach_checked)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct shmid_ds ds;
	int img = cr_tmpfile(), st;
	pid_t pid;

	remove_key(KEY);
	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (make_attached(KEY) || shmat(seg_id, NULL, SHM_RDONLY) == (void *)-1 ||
		    shmctl(seg_id, IPC_STAT, &ds))
			_exit(1);
		ds.shm_perm.mode = 0400;
		if (shmctl(seg_id, IPC_SET, &ds))
			_exit(1);
		_exit(cr_self_checkpoint(img) ? CR_ORIG_OK : CR_RESTART_OK);
	}
	ASSERT_EQ(CR_ORIG_OK, cr_wait(pid));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (syscall(SYS_capget, &h, d))
			_exit(1);
		d[CAP_IPC_OWNER / 32].effective &= ~(1U << (CAP_IPC_OWNER % 32));
		if (syscall(SYS_capset, &h, d))
			_exit(1);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	st = cr_wait(pid);
	EXPECT_EQ(100 + EACCES, st);
	remove_key(KEY);
	close(img);
}

/* Drop CAP_CHECKPOINT_RESTORE and CAP_SYS_ADMIN (which implies it) from the effective set. */
static int drop_cap_checkpoint_restore(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_CHECKPOINT_RESTORE / 32].effective &= ~(1U << (CAP_CHECKPOINT_RESTORE % 32));
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d);
}

/* To make a segment with its id takes CAP_CHECKPOINT_RESTORE: EPERM, the caller intact. */
TEST(no_cap_to_choose_the_id)
{
	int img, r, st;
	pid_t pid;

	remove_key(KEY);
	img = image_with_segment(KEY, 0);
	ASSERT_GE(img, 0);
	ASSERT_EQ(0, shmctl(saved_id(KEY), IPC_RMID, NULL));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (drop_cap_checkpoint_restore())
			_exit(1);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	st = cr_wait(pid);
	EXPECT_EQ(100 + EPERM, st);
	EXPECT_LT(saved_id(KEY), 0);
	/* with it, the same image restarts */
	r = cr_restart_child(img);
	EXPECT_EQ(CR_RESTART_OK, r);
	remove_key(KEY);
	close(img);
}

/*
 * The segment record edited, the image sealed again: each edit refused
 * before the point of no return (EBADMSG), the caller intact, no segment
 * made.
 */
TEST(hostile_segment_record)
{
	static const char *const what[] = {
		"size of another mapping", "mode beyond 0777", "unknown flag",
		"another object", "removed with a key", "reserved", "negative id",
	};
	struct cr_rec_sysv_shm r0, r;
	size_t len, off;
	int img, i, fd, st;
	char *buf;

	remove_key(KEY);
	img = image_with_segment(KEY, 0);
	ASSERT_GE(img, 0);
	ASSERT_EQ(0, shmctl(saved_id(KEY), IPC_RMID, NULL));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	off = cr_image_find(buf, len, CR_REC_SYSV_SHM);
	ASSERT_NE(0, off);
	memcpy(&r0, buf + off, sizeof(r0));
	for (i = 0; i < (int)ARRAY_SIZE(what); i++) {
		r = r0;
		switch (i) {
		case 0:
			r.size += 4096;
			break;
		case 1:
			r.mode = 01777;
			break;
		case 2:
			r.flags = 2;
			break;
		case 3:
			r.shm++;
			break;
		case 4:
			r.flags = CR_SYSV_SHM_REMOVED;
			break;
		case 5:
			r.__reserved = 1;
			break;
		default:
			r.id = -1;
		}
		memcpy(buf + off, &r, sizeof(r));
		fd = cr_tmpfile();
		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, cr_image_reseal(buf, len));
		ASSERT_EQ(0, cr_write_all(fd, buf, len));
		st = cr_restart_child(fd);
		EXPECT_EQ(100 + EBADMSG, st) TH_LOG("%s: %d", what[i], st);
		EXPECT_LT(saved_id(KEY), 0) TH_LOG("%s: a segment left behind", what[i]);
		close(fd);
	}
	/* the image itself restarts */
	memcpy(buf + off, &r0, sizeof(r0));
	fd = cr_tmpfile();
	ASSERT_EQ(0, cr_image_reseal(buf, len));
	ASSERT_EQ(0, cr_write_all(fd, buf, len));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(fd));
	remove_key(KEY);
	free(buf);
	close(fd);
	close(img);
}

static int refused(void (*setup)(void))
{
	int img = cr_tmpfile();
	pid_t pid;

	pid = fork();
	if (!pid) {
		if (make_attached(KEY))
			_exit(1);
		setup();
		_exit(sys_checkpoint(0, img, 0) < 0 && errno == EOPNOTSUPP ? 0 : 2);
	}
	return cr_wait(pid);
}

static void attach_in_part(void)
{
	munmap(seg, 4096);
}

/* A segment mapped in part (munmap of a piece of it): refused. */
TEST(attached_in_part_refused)
{
	remove_key(KEY);
	EXPECT_EQ(0, refused(attach_in_part));
	remove_key(KEY);
}

static void lock_segment(void)
{
	shmctl(seg_id, SHM_LOCK, NULL);
}

/* A segment locked in memory (SHM_LOCK): refused. */
TEST(locked_refused)
{
	remove_key(KEY);
	EXPECT_EQ(0, refused(lock_segment));
	remove_key(KEY);
}

TEST_HARNESS_MAIN
