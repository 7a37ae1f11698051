// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: inotify files (#15).
 *
 * A child makes two inotify files with watches (a directory, a file with
 * IN_ONESHOT, one with IN_EXCL_UNLINK, one removed again) and events
 * queued (a create, a rename with its cookie, the IN_IGNORED of the
 * removed watch), stops itself, is checkpointed, killed and restarted
 * (or, for the reference run, only continued); then it reads the events
 * queued, makes new ones and adds a watch, and writes what it saw to a
 * result file: both runs must see the same.  Debian's tail -f follows a
 * file across a checkpoint, kill and restart.
 *
 * And the errors: a watched directory gone at restart is ENOENT with the
 * caller intact; a watch on a deleted file is refused at checkpoint.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#define DIR_	"/tmp/cr-inotify"
#define RESULT	"/tmp/cr-inotify-result"
#define EV_MAX	8

enum { IN = 40, IN_DUP, IN2 };

struct ev {
	int wd;
	unsigned int mask;
	unsigned int cookie;
	char name[16];
};

/* What the child sees once continued. */
struct inotify_result {
	int bad;
	int wd_dir, wd_file, wd_gone, wd_new;	/* the descriptors, and a new one's */
	int nr_before;			/* events queued at checkpoint */
	struct ev before[EV_MAX];
	int nr_after;			/* events of what it did after */
	struct ev after[EV_MAX];
	int again;			/* errno of a read of an empty queue */
	int nonblock;			/* O_NONBLOCK of IN */
	unsigned int mask2;		/* IN2's watch mask, from its fdinfo */
	int nr2;			/* events on IN2 */
};

/* Read the events of @fd into @e (at most EV_MAX): how many, or -1. */
static int read_events(int fd, struct ev *e)
{
	char buf[4096] __attribute__((aligned(8)));
	struct inotify_event *ie;
	ssize_t len = read(fd, buf, sizeof(buf));
	int n = 0;
	char *p;

	if (len <= 0)
		return len < 0 && errno == EAGAIN ? 0 : -1;
	for (p = buf; p < buf + len && n < EV_MAX; p += sizeof(*ie) + ie->len, n++) {
		ie = (struct inotify_event *)p;
		e[n].wd = ie->wd;
		e[n].mask = ie->mask;
		e[n].cookie = ie->cookie;
		snprintf(e[n].name, sizeof(e[n].name), "%s", ie->len ? ie->name : "");
	}
	return n;
}

/* The mask of the (only) watch in /proc/self/fdinfo/@fd, or 0. */
static unsigned int fdinfo_mask(int fd)
{
	char path[64], *buf, *s;
	unsigned int mask = 0;
	size_t len;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	buf = cr_slurp(path, &len);
	if (!buf)
		return 0;
	s = memmem(buf, len, " mask:", 6);
	if (s && s + 6 < buf + len)
		mask = strtoul(s + 6, NULL, 16);
	free(buf);
	return mask;
}

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	return fd < 0 ? -1 : close(fd);
}

static void child(void)
{
	struct inotify_result r = { };
	int *bad = &r.bad, fd;
	struct ev e2[EV_MAX];

	close_range(3, ~0U, 0);
	if (FAILED(cr_move_fd(inotify_init1(IN_NONBLOCK), IN) == 0) ||
	    FAILED(dup2(IN, IN_DUP) == IN_DUP) ||
	    FAILED(cr_move_fd(inotify_init1(0), IN2) == 0))
		goto out;
	r.wd_dir = inotify_add_watch(IN, DIR_, IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO);
	r.wd_file = inotify_add_watch(IN, DIR_ "/f", IN_MODIFY | IN_ONESHOT);
	r.wd_gone = inotify_add_watch(IN, DIR_ "/sub", IN_ALL_EVENTS);
	if (FAILED(r.wd_dir > 0 && r.wd_file > 0 && r.wd_gone > 0) ||
	    FAILED(inotify_add_watch(IN2, DIR_ "/sub", IN_ATTRIB | IN_EXCL_UNLINK) > 0) ||
	    FAILED(inotify_rm_watch(IN, r.wd_gone) == 0) ||
	    FAILED(touch(DIR_ "/a") == 0) ||
	    FAILED(rename(DIR_ "/a", DIR_ "/b") == 0))
		goto out;
	raise(SIGSTOP);

	/* what was queued, in order, then nothing more */
	r.nr_before = read_events(IN_DUP, r.before);
	r.again = read(IN, &fd, sizeof(fd)) < 0 ? errno : 0;
	r.nonblock = fcntl(IN, F_GETFL) & O_NONBLOCK;
	/* the watches: a write (one shot: then IN_IGNORED), another, a create */
	fd = open(DIR_ "/f", O_WRONLY);
	if (FAILED(fd >= 0 && write(fd, "x", 1) == 1 && write(fd, "y", 1) == 1) ||
	    FAILED(close(fd) == 0 && touch(DIR_ "/c") == 0))
		goto out;
	r.nr_after = read_events(IN, r.after);
	/* the descriptor a new watch gets: after the last given out */
	r.wd_new = inotify_add_watch(IN, DIR_ "/sub", IN_DELETE);
	r.mask2 = fdinfo_mask(IN2);
	if (FAILED(chmod(DIR_ "/sub", 0700) == 0))
		goto out;
	fcntl(IN2, F_SETFL, O_NONBLOCK);
	r.nr2 = read_events(IN2, e2);
	FAILED(r.nr2 == 1 && e2[0].mask == (IN_ATTRIB | IN_ISDIR));
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

FIXTURE(inotify) {
	int img;
};

FIXTURE_VARIANT(inotify) {
	bool restart;
};

FIXTURE_VARIANT_ADD(inotify, uninterrupted) {
	.restart = false,
};

FIXTURE_VARIANT_ADD(inotify, restarted) {
	.restart = true,
};

static void clean(void)
{
	unlink(DIR_ "/f");
	unlink(DIR_ "/a");
	unlink(DIR_ "/b");
	unlink(DIR_ "/c");
	rmdir(DIR_ "/sub");
	rmdir(DIR_);
	unlink(RESULT);
}

FIXTURE_SETUP(inotify)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	clean();
	ASSERT_EQ(0, mkdir(DIR_, 0755));
	ASSERT_EQ(0, mkdir(DIR_ "/sub", 0755));
	ASSERT_EQ(0, touch(DIR_ "/f"));
}

FIXTURE_TEARDOWN(inotify)
{
	close(self->img);
	clean();
}

static void expect_ev(struct __test_metadata *_metadata, const struct ev *e, int wd,
		      unsigned int mask, const char *name)
{
	EXPECT_EQ(wd, e->wd);
	EXPECT_EQ(mask, e->mask) TH_LOG("event of wd %d, %s", e->wd, e->name);
	EXPECT_STREQ(name, e->name);
}

/*
 * The watches, their descriptors and masks, and the events queued come
 * back: the same events in the same order (the rename's cookie pairing
 * its halves), a one-shot watch that fires once, the descriptor of the
 * next watch as in the uninterrupted run.
 */
TEST_F_TIMEOUT(inotify, state, 60)
{
	struct inotify_result r;

	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(1, r.wd_dir);
	EXPECT_EQ(2, r.wd_file);
	EXPECT_EQ(3, r.wd_gone);
	ASSERT_EQ(4, r.nr_before);
	expect_ev(_metadata, &r.before[0], r.wd_gone, IN_IGNORED, "");
	expect_ev(_metadata, &r.before[1], r.wd_dir, IN_CREATE, "a");
	expect_ev(_metadata, &r.before[2], r.wd_dir, IN_MOVED_FROM, "a");
	expect_ev(_metadata, &r.before[3], r.wd_dir, IN_MOVED_TO, "b");
	EXPECT_NE(0, r.before[2].cookie);
	EXPECT_EQ(r.before[2].cookie, r.before[3].cookie);
	EXPECT_EQ(EAGAIN, r.again);
	EXPECT_EQ(O_NONBLOCK, r.nonblock);
	ASSERT_EQ(3, r.nr_after);
	expect_ev(_metadata, &r.after[0], r.wd_file, IN_MODIFY, "");
	expect_ev(_metadata, &r.after[1], r.wd_file, IN_IGNORED, "");
	expect_ev(_metadata, &r.after[2], r.wd_dir, IN_CREATE, "c");
	EXPECT_EQ(4, r.wd_new);
	EXPECT_EQ(IN_ATTRIB | IN_EXCL_UNLINK, r.mask2);
	EXPECT_EQ(1, r.nr2);
}

/* A watched directory gone at restart: ENOENT, the caller intact. */
TEST(watched_dir_gone)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	clean();
	ASSERT_EQ(0, mkdir(DIR_, 0755));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close_range(3, ~0U, 0);
		if (cr_move_fd(inotify_init1(0), IN) || inotify_add_watch(IN, DIR_, IN_CREATE) != 1)
			_exit(1);
		raise(SIGSTOP);
		_exit(CR_RESTART_OK);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
	ASSERT_EQ(0, rmdir(DIR_));
	EXPECT_EQ(100 + ENOENT, cr_restart_child(img));
	/* and with it back, it restarts */
	ASSERT_EQ(0, mkdir(DIR_, 0755));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	rmdir(DIR_);
	close(img);
}

/*
 * A watch on a file unlinked while open (restart could not name it):
 * refused with EOPNOTSUPP, and the process runs on, still watching.
 */
TEST(deleted_file_refused)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	clean();
	ASSERT_EQ(0, mkdir(DIR_, 0755));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct ev e[EV_MAX];
		int fd;

		close_range(3, ~0U, 0);
		fd = open(DIR_ "/gone", O_RDWR | O_CREAT, 0600);
		if (fd < 0 || cr_move_fd(inotify_init1(IN_NONBLOCK), IN) ||
		    inotify_add_watch(IN, DIR_ "/gone", IN_MODIFY) != 1 || unlink(DIR_ "/gone"))
			_exit(1);
		read_events(IN, e);
		raise(SIGSTOP);
		_exit(write(fd, "x", 1) == 1 && read_events(IN, e) == 1 && e[0].mask == IN_MODIFY ?
		      0 : 2);
	}
	EXPECT_EQ(0, cr_refused(pid, img));
	rmdir(DIR_);
	close(img);
}

/* Run Debian's @argv with stdin /dev/null, stdout to the file @out. */
static pid_t spawn(char *const argv[], const char *out)
{
	pid_t pid = fork();

	if (!pid) {
		int in = open("/dev/null", O_RDONLY);
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || fd < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0)
			_exit(126);
		closefrom(3);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Wait up to @ms for the file @path to hold @text: 0, or -1. */
static int wait_text(const char *path, const char *text, int ms)
{
	char *buf;
	size_t len;
	int i, found;

	for (i = 0; i < ms / 20; i++) {
		buf = cr_slurp(path, &len);
		found = buf && memmem(buf, len, text, strlen(text));
		free(buf);
		if (found)
			return 0;
		cr_msleep(20);
	}
	return -1;
}

/*
 * Debian's tail -f (coreutils, which follows with inotify) blocked in
 * read(2) on its inotify file: checkpointed, killed and restarted, it
 * prints what is appended after, once.
 */
TEST(debian_tail_follow)
{
	char *const argv[] = { "/usr/bin/tail", "-f", "-n", "+1", DIR_ "/log", NULL };
	int img = cr_tmpfile(), fd;
	char *buf;
	size_t len;
	pid_t pid;

	ASSERT_GE(img, 0);
	if (access(argv[0], X_OK))
		SKIP(return, "no /usr/bin/tail in this VM");
	clean();
	ASSERT_EQ(0, mkdir(DIR_, 0755));
	fd = open(DIR_ "/log", O_WRONLY | O_CREAT | O_APPEND, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(7, write(fd, "before\n", 7));
	pid = spawn(argv, DIR_ "/out");
	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, wait_text(DIR_ "/out", "before\n", 10000));
	/* blocked in its read(2) of the inotify file by now */
	ASSERT_EQ(0, cr_wait_state(pid, 'S'));
	ASSERT_EQ(0, cr_stop_wait(pid, 1));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0) TH_LOG("checkpoint: %s", strerror(errno));

	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	ASSERT_EQ(0, cr_wait_comm(pid, "tail", 10000));
	ASSERT_EQ(6, write(fd, "after\n", 6));
	EXPECT_EQ(0, wait_text(DIR_ "/out", "after\n", 10000));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, cr_wait(pid));
	buf = cr_slurp(DIR_ "/out", &len);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(13, len);
	EXPECT_EQ(0, memcmp(buf, "before\nafter\n", len < 13 ? len : 13));
	free(buf);
	close(fd);
	unlink(DIR_ "/log");
	unlink(DIR_ "/out");
	rmdir(DIR_);
	close(img);
}

TEST_HARNESS_MAIN
