// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: POSIX message queues (#15).
 *
 * A child opens a queue twice (read-write non-blocking, and read-only),
 * queues messages of three priorities, an empty one and a full one, and
 * stops itself; it is checkpointed, killed and restarted (or, for the
 * reference run, only continued), then checks the queue's attributes and
 * permission bits and receives every message: the same messages in the
 * same order in both runs.  Restart made the queue again when it was gone,
 * and used the one of that name, as it was, when it was still there.  A
 * tree whose child is blocked in mq_receive(3) on a queue they share
 * gets the message its parent sends after the restart.  A process
 * registered for a queue's notification is registered again, with its
 * signal and value; a process outside the tree is not.  The messages go
 * with a readable file of a queue.
 *
 * And the errors: a queue of that name with other attributes (EEXIST),
 * another process registered for it (EBUSY), a damaged message (EBADMSG,
 * the queue restart made removed again), all with the caller intact; a
 * queue removed while open is refused at checkpoint; one larger than the
 * content limit is EFBIG.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_child.h"
#include "../kselftest_harness.h"

#define Q	"/cr-mq"
#define RESULT	"/tmp/cr-mq-result"
#define MSGSIZE	64
#define MAXMSG	8
#define NR	6

enum { MQ = 40, MQ_RD };

static const struct {
	unsigned int prio;
	const char *text;
} sent[NR] = {
	{ 1, "one, low" },
	{ 7, "two, high" },
	{ 1, "three, low again" },
	{ 0, "" },
	{ 7, "five, high again, after two" },
	{ 3, "six, sixty-four bytes long: the most a message of this queue has" },
};

/* The order mq_receive(3) takes them in: by priority, then as sent. */
static const int order[NR] = { 1, 4, 5, 0, 2, 3 };

struct mq_result {
	int bad;
	long maxmsg, msgsize, curmsgs, flags, rd_flags;
	unsigned int mode;
	int nr;
	unsigned int prio[NR + 1];
	char text[NR + 1][MSGSIZE + 1];
	long rd_left;		/* curmsgs seen through MQ_RD once MQ is empty */
	char after[16];		/* sent on MQ after, received on MQ_RD */
};

static void child(void)
{
	struct mq_attr attr = { .mq_maxmsg = MAXMSG, .mq_msgsize = MSGSIZE };
	struct mq_result r = { };
	int *bad = &r.bad, i;
	unsigned int prio;
	struct stat st;

	close_range(3, ~0U, 0);
	umask(022);
	if (FAILED(cr_move_fd(mq_open(Q, O_RDWR | O_CREAT | O_NONBLOCK, 0640, &attr), MQ) == 0) ||
	    FAILED(cr_move_fd(mq_open(Q, O_RDONLY), MQ_RD) == 0))
		goto out;
	for (i = 0; i < NR; i++)
		if (FAILED(mq_send(MQ, sent[i].text, strlen(sent[i].text), sent[i].prio) == 0))
			goto out;
	raise(SIGSTOP);

	if (FAILED(mq_getattr(MQ, &attr) == 0))
		goto out;
	r.maxmsg = attr.mq_maxmsg;
	r.msgsize = attr.mq_msgsize;
	r.curmsgs = attr.mq_curmsgs;
	r.flags = attr.mq_flags;
	if (FAILED(mq_getattr(MQ_RD, &attr) == 0) || FAILED(fstat(MQ, &st) == 0))
		goto out;
	r.rd_flags = attr.mq_flags;
	r.mode = st.st_mode & 07777;
	for (r.nr = 0; r.nr <= NR; r.nr++)
		if (mq_receive(MQ, r.text[r.nr], MSGSIZE, &r.prio[r.nr]) < 0)
			break;
	FAILED(errno == EAGAIN);
	/* one queue behind both fds */
	if (FAILED(mq_getattr(MQ_RD, &attr) == 0))
		goto out;
	r.rd_left = attr.mq_curmsgs;
	if (FAILED(mq_send(MQ, "after", 5, 2) == 0) ||
	    FAILED(mq_receive(MQ_RD, r.after, MSGSIZE, &prio) == 5 && prio == 2))
		goto out;
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

FIXTURE(mq) {
	int img;
};

FIXTURE_VARIANT(mq) {
	bool restart;
	bool unlink;	/* the queue removed before the restart: made again */
	bool take_one;	/* a message taken before the restart: the queue as it is now */
};

FIXTURE_VARIANT_ADD(mq, uninterrupted) {
	.restart = false,
};

FIXTURE_VARIANT_ADD(mq, made_again) {
	.restart = true,
	.unlink = true,
};

FIXTURE_VARIANT_ADD(mq, existing) {
	.restart = true,
	.take_one = true,
};

FIXTURE_SETUP(mq)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	mq_unlink(Q);
	unlink(RESULT);
}

FIXTURE_TEARDOWN(mq)
{
	close(self->img);
	mq_unlink(Q);
	unlink(RESULT);
}

/*
 * The queue's attributes, permission bits and messages come back, in the
 * order mq_receive(3) takes them, with their priorities; both fds name
 * one queue.
 */
TEST_F_TIMEOUT(mq, state, 60)
{
	struct mq_result r;
	char buf[MSGSIZE + 1];
	int i, first = 0;
	pid_t pid;
	mqd_t q;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		child();
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	if (!variant->restart) {
		ASSERT_EQ(0, kill(pid, SIGCONT));
		ASSERT_EQ(CR_RESTART_OK, cr_wait(pid));
	} else {
		ASSERT_GT(cr_checkpoint_kill(pid, self->img), 0)
			TH_LOG("checkpoint: %s", strerror(errno));
		if (variant->unlink)
			ASSERT_EQ(0, mq_unlink(Q));
		if (variant->take_one) {
			q = mq_open(Q, O_RDONLY);
			ASSERT_GE(q, 0);
			ASSERT_EQ(strlen(sent[1].text), mq_receive(q, buf, MSGSIZE, NULL));
			mq_close(q);
			first = 1;
		}
		ASSERT_EQ(CR_RESTART_OK, cr_restart_child(self->img))
			TH_LOG("restart: %s", strerror(errno));
	}
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(MAXMSG, r.maxmsg);
	EXPECT_EQ(MSGSIZE, r.msgsize);
	EXPECT_EQ(NR - first, r.curmsgs);
	EXPECT_EQ(O_NONBLOCK, r.flags);
	EXPECT_EQ(0, r.rd_flags);
	EXPECT_EQ(0640, r.mode);
	ASSERT_EQ(NR - first, r.nr);
	for (i = first; i < NR; i++) {
		EXPECT_EQ(sent[order[i]].prio, r.prio[i - first]) TH_LOG("message %d", i);
		EXPECT_STREQ(sent[order[i]].text, r.text[i - first]);
	}
	EXPECT_EQ(0, r.rd_left);
	EXPECT_STREQ("after", r.after);
}

/*
 * Its child blocked in mq_receive(3) on the queue they share, the root
 * sends once going on: the child takes the message.
 */
static void tree_root(void)
{
	struct mq_attr attr = { .mq_maxmsg = MAXMSG, .mq_msgsize = MSGSIZE };
	mqd_t q;
	pid_t pid;

	close_range(3, ~0U, 0);
	q = mq_open(Q, O_RDWR | O_CREAT, 0600, &attr);
	if (q < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(2);
	if (!pid) {
		char buf[MSGSIZE];
		unsigned int prio;

		_exit(mq_receive(q, buf, MSGSIZE, &prio) == 4 && prio == 5 &&
		      !memcmp(buf, "wake", 4) ? 0 : 3);
	}
	if (cr_wait_state(pid, 'S'))
		_exit(4);
	raise(SIGSTOP);
	if (mq_send(q, "wake", 4, 5))
		_exit(5);
	_exit(cr_wait(pid) ? 6 : CR_RESTART_OK);
}

TEST_F_TIMEOUT(mq, tree_receiver_blocked, 60)
{
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	EXPECT_EQ(CR_RESTART_OK, cr_tree_stop_and_go(self->img, variant->restart, tree_root))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	cr_kill_descendants();
}

/* A child that opens @Q with @attr, queues @nr messages of @len bytes and stops. */
static pid_t queue_child(long maxmsg, long msgsize, int nr, size_t len)
{
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	pid_t pid = fork();
	char buf[8192];
	int i;

	if (pid)
		return pid;
	close_range(3, ~0U, 0);
	memset(buf, 'm', sizeof(buf));
	if (cr_move_fd(mq_open(Q, O_RDWR | O_CREAT, 0600, &attr), MQ))
		_exit(1);
	for (i = 0; i < nr; i++)
		if (mq_send(MQ, buf, len, 1))
			_exit(2);
	raise(SIGSTOP);
	_exit(mq_receive(MQ, buf, sizeof(buf), NULL) == (ssize_t)len ? CR_RESTART_OK : 3);
}

/*
 * A queue of that name with other attributes at restart: EEXIST, the
 * caller intact and the queue as it was; with it gone, the image restarts.
 */
TEST(other_attributes)
{
	struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 16 };
	int img = cr_tmpfile();
	pid_t pid;
	mqd_t q;

	ASSERT_GE(img, 0);
	mq_unlink(Q);
	pid = queue_child(MAXMSG, MSGSIZE, 1, 10);
	ASSERT_GE(pid, 0);
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
	ASSERT_EQ(0, mq_unlink(Q));
	q = mq_open(Q, O_RDWR | O_CREAT, 0600, &attr);
	ASSERT_GE(q, 0);
	ASSERT_EQ(0, mq_send(q, "mine", 4, 0));
	EXPECT_EQ(100 + EEXIST, cr_restart_child(img));
	ASSERT_EQ(0, mq_getattr(q, &attr));
	EXPECT_EQ(2, attr.mq_maxmsg);
	EXPECT_EQ(1, attr.mq_curmsgs);
	mq_close(q);
	ASSERT_EQ(0, mq_unlink(Q));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	mq_unlink(Q);
	close(img);
}

/* Run @child in a new process with fds 0-2 only, no queue @Q yet: its pid. */
static pid_t spawn(int (*child)(void))
{
	pid_t pid;

	mq_unlink(Q);
	pid = fork();
	if (!pid) {
		close_range(3, ~0U, 0);
		_exit(child());
	}
	return pid;
}

static const char damaged[] = "a message to damage";

static int damaged_child(void)
{
	if (cr_move_fd(mq_open(Q, O_RDWR | O_CREAT, 0600, NULL), MQ) ||
	    mq_send(MQ, damaged, sizeof(damaged), 0))
		return 1;
	raise(SIGSTOP);
	return CR_RESTART_OK;
}

/*
 * A message's bytes damaged in the image: the checksum before the point of
 * no return fails the restart (EBADMSG), the caller intact, and the queue
 * it had made is removed again.
 */
TEST(damaged_message_unmade)
{
	int img = cr_tmpfile();
	char *buf, *at;
	size_t len;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = spawn(damaged_child);
	ASSERT_GE(pid, 0);
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
	ASSERT_EQ(0, mq_unlink(Q));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	at = memmem(buf, len, damaged, sizeof(damaged));
	ASSERT_NE(NULL, at);
	at[2] ^= 0x20;
	ASSERT_EQ(len, pwrite(img, buf, len, 0));
	free(buf);
	EXPECT_EQ(100 + EBADMSG, cr_restart_child(img));
	EXPECT_EQ(-1, mq_open(Q, O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
	close(img);
}

/*
 * A queue open write-only on fd 40, then read-only on fd 41, two messages
 * queued: restarted (the queue removed before), both come back, read from
 * fd 41.  With only the write-only fd (@wronly_alone), the image holds
 * no message: the queue is made again empty.
 */
static bool wronly_alone;

static int wronly_child(void)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	char buf[16];

	if (cr_move_fd(mq_open(Q, O_WRONLY | O_CREAT, 0600, &attr), MQ) ||
	    (!wronly_alone && cr_move_fd(mq_open(Q, O_RDONLY | O_NONBLOCK), MQ_RD)) ||
	    mq_send(MQ, "first", 5, 0) || mq_send(MQ, "second", 6, 0))
		return 1;
	raise(SIGSTOP);
	if (mq_getattr(MQ, &attr) || attr.mq_curmsgs != (wronly_alone ? 0 : 2))
		return 2;
	if (wronly_alone)
		return CR_RESTART_OK;
	return mq_receive(MQ_RD, buf, sizeof(buf), NULL) == 5 && !memcmp(buf, "first", 5) &&
	       mq_receive(MQ_RD, buf, sizeof(buf), NULL) == 6 && !memcmp(buf, "second", 6) ?
	       CR_RESTART_OK : 3;
}

/*
 * What a process can only send is not its to save: the messages of a
 * queue go with a readable file of it, whichever comes first.
 */
TEST(write_only)
{
	int img = cr_tmpfile(), alone;
	pid_t pid;

	ASSERT_GE(img, 0);
	for (alone = 0; alone < 2; alone++) {
		wronly_alone = alone;
		ASSERT_EQ(0, ftruncate(img, 0));
		ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
		pid = spawn(wronly_child);
		ASSERT_GE(pid, 0);
		ASSERT_EQ(0, cr_stop_wait(pid, 0));
		ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
		ASSERT_EQ(0, mq_unlink(Q));
		EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img)) TH_LOG("alone: %d", alone);
		mq_unlink(Q);
	}
	close(img);
}

/* Queue a message and remove the queue while open, then stop. */
static int removed_child(void)
{
	char buf[8192];

	if (cr_move_fd(mq_open(Q, O_RDWR | O_CREAT, 0600, NULL), MQ) ||
	    mq_send(MQ, "kept", 4, 0) || mq_unlink(Q))
		return 1;
	raise(SIGSTOP);
	return mq_receive(MQ, buf, sizeof(buf), NULL) == 4 ? 0 : 2;
}

/*
 * Register for a notification (mq_notify(3)) by SIGUSR1 with a value, and
 * stop; then still registered (EBUSY for another), the first message to
 * the empty queue brings the signal with its value.
 */
static int notify_child(void)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR1,
		.sigev_value.sival_int = 4242,
	};
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (cr_move_fd(mq_open(Q, O_RDWR | O_CREAT, 0600, NULL), MQ) || mq_notify(MQ, &sev))
		return 1;
	raise(SIGSTOP);
	sev.sigev_notify = SIGEV_NONE;
	if (!mq_notify(MQ, &sev) || errno != EBUSY)
		return 2;
	if (mq_send(MQ, "n", 1, 0) || sigwaitinfo(&set, &si) != SIGUSR1)
		return 3;
	return si.si_code == SI_MESGQ && si.si_value.sival_int == 4242 ? CR_RESTART_OK : 4;
}

/*
 * The process registered for a queue's notification is registered again,
 * with its signal and value, whether the queue is made again or not.
 */
TEST(notify)
{
	int img = cr_tmpfile(), gone;
	pid_t pid;

	ASSERT_GE(img, 0);
	for (gone = 0; gone < 2; gone++) {
		ASSERT_EQ(0, ftruncate(img, 0));
		ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
		pid = spawn(notify_child);
		ASSERT_GE(pid, 0);
		ASSERT_EQ(0, cr_stop_wait(pid, 0));
		ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
		if (gone)
			ASSERT_EQ(0, mq_unlink(Q));
		EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img)) TH_LOG("queue gone: %d", gone);
		mq_unlink(Q);
	}
	close(img);
}

/*
 * Another process registered for the queue at restart: EBUSY, the caller
 * intact, and that process's registration stays.
 */
TEST(notify_taken)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	int img = cr_tmpfile();
	pid_t pid;
	mqd_t q;

	ASSERT_GE(img, 0);
	pid = spawn(notify_child);
	ASSERT_GE(pid, 0);
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
	q = mq_open(Q, O_RDONLY);
	ASSERT_GE(q, 0);
	ASSERT_EQ(0, mq_notify(q, &none));
	EXPECT_EQ(100 + EBUSY, cr_restart_child(img));
	EXPECT_EQ(-1, mq_notify(q, &none));
	EXPECT_EQ(EBUSY, errno);
	mq_close(q);
	mq_unlink(Q);
	close(img);
}

/* Hold the queue, stop; then register for its notification. */
static int outsider_child(void)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };

	if (cr_move_fd(mq_open(Q, O_RDWR | O_CREAT, 0600, NULL), MQ))
		return 1;
	raise(SIGSTOP);
	return mq_notify(MQ, &none) ? 2 : CR_RESTART_OK;
}

/*
 * A process outside the tree registered when the image is made: not the
 * tree's, not saved: the restarted process is not registered.
 */
TEST(notify_outsider)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	int img = cr_tmpfile();
	pid_t pid;
	mqd_t q;

	ASSERT_GE(img, 0);
	pid = spawn(outsider_child);
	ASSERT_GE(pid, 0);
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	q = mq_open(Q, O_RDONLY);
	ASSERT_GE(q, 0);
	ASSERT_EQ(0, mq_notify(q, &none));
	ASSERT_GT(cr_checkpoint_kill(pid, img), 0);
	ASSERT_EQ(0, mq_notify(q, NULL));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	mq_close(q);
	mq_unlink(Q);
	close(img);
}

/* @child's queue is refused at checkpoint, and it runs on as it was. */
static void expect_refused(struct __test_metadata *_metadata, int (*child)(void))
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = spawn(child);
	ASSERT_GE(pid, 0);
	EXPECT_EQ(0, cr_refused(pid, img));
	mq_unlink(Q);
	close(img);
}

/* A queue removed while open (restart could not name it). */
TEST(removed_refused)
{
	expect_refused(_metadata, removed_child);
}

/*
 * Ten messages of 4000 bytes, more than a content limit of 1 << 15:
 * EFBIG and the process runs on; saved under 1 << 16, and restarted.
 */
TEST(content_limit)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	mq_unlink(Q);
	pid = queue_child(10, 4000, 10, 4000);
	ASSERT_GE(pid, 0);
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CR_CHECKPOINT_CONTENT(15)));
	EXPECT_EQ(EFBIG, errno);
	ASSERT_LT(0, sys_checkpoint(pid, img, CR_CHECKPOINT_CONTENT(16) | CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	EXPECT_EQ(128 + SIGKILL, cr_wait(pid));
	ASSERT_EQ(0, mq_unlink(Q));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	mq_unlink(Q);
	close(img);
}

TEST_HARNESS_MAIN
