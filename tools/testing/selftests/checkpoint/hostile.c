// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: crafted images against restart's file handling (#13).
 *
 * Each image is a real one, edited: records repeated (65537 pipe records;
 * FIFO records holding 1 MiB each), or a path changed to another of the
 * same length (so that no offset moves: "/bin//////busybox" names
 * /bin/busybox) - the executable's path to another program, to a FIFO or
 * to a terminal, a mapped file's or an open file's path to a FIFO.
 * Restart must refuse what the caller could not do itself, return an
 * errno promptly with the caller intact, never WARN, never block on what
 * the image names, and never be re-run on a half-read image.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define FIFO_NAME	"crfifo"
#define NOBODY		65534

struct image {
	char *buf;
	size_t len;
};

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

static long meminfo_kb(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	if (f)
		fclose(f);
	return v;
}

static int to_nobody(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

/* Wait for @pid up to @ms: its exit code, 1000 + signal, or -1 (then killed). */
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

/* A child's exit code 100 + errno: restart(2) returned that errno. */
static int is_errno(int r)
{
	return r > 100 && r < 256;
}

static const char *describe(int r)
{
	static char buf[64];

	if (r == -1)
		return "no end before the deadline (killed)";
	if (is_errno(r))
		snprintf(buf, sizeof(buf), "errno %s", strerrorname_np(r - 100) ?: "?");
	else if (r >= 1000)
		snprintf(buf, sizeof(buf), "signal %d", r - 1000);
	else
		snprintf(buf, sizeof(buf), "exit %d", r);
	return buf;
}

/* This program's path, as checkpoint writes it. */
static const char *self_exe(void)
{
	static char path[256];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = 0;
	return path;
}

/*
 * @dir + slashes + @name, of length @len: the same file as @dir/@name
 * with as many bytes as a path already in the image.  NULL if too short.
 */
static char *pad_path(const char *dir, const char *name, size_t len)
{
	size_t fixed = strlen(dir) + strlen(name);
	char *p;

	if (len < fixed + 1)
		return NULL;
	p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, dir, strlen(dir));
	memset(p + strlen(dir), '/', len - fixed);
	memcpy(p + len - strlen(name), name, strlen(name) + 1);
	return p;
}

/*
 * A self image: a child (as @uid when not 0) runs @before, checkpoints
 * itself into a tmpfile; restarted, it exits with @after's value.
 */
static int make_image(uid_t uid, int (*before)(void), int (*after)(void), struct image *im)
{
	int img = cr_tmpfile(), st;
	pid_t pid;

	if (img < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (uid && to_nobody())
			_exit(1);
		if (before && before())
			_exit(2);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		_exit(after ? after() : CR_RESTART_OK);
	}
	st = cr_wait(pid);
	if (st != CR_ORIG_OK || lseek(img, 0, SEEK_SET))
		return -1;
	im->buf = cr_read_all(img, &im->len);
	close(img);
	return im->buf ? 0 : -1;
}

/* Offset of the first record of @type, or 0 if none. */
static size_t find_rec(const struct image *im, unsigned int type)
{
	size_t off = 0;

	while (off + sizeof(struct cr_hdr) <= im->len) {
		const struct cr_hdr *h = (const void *)(im->buf + off);

		if (h->type == type)
			return off;
		if (h->type == CR_REC_TAIL)
			break;
		off += cr_rec_size(h->len);
	}
	return 0;
}

/*
 * Replace path @old by @new (the same length) in the first record of
 * @type that carries it: the mm record (executable), a vma record
 * (mapped file) or a file record.  0 or -1.
 */
static int replace_path(struct image *im, unsigned int type, const char *old, const char *new)
{
	size_t fixed = type == CR_REC_MM ? sizeof(struct cr_rec_mm) :
		       type == CR_REC_VMA ? sizeof(struct cr_rec_vma) : sizeof(struct cr_rec_file);
	size_t off = 0, n = strlen(old) + 1;

	if (strlen(new) + 1 != n)
		return -1;
	while (off + sizeof(struct cr_hdr) <= im->len) {
		const struct cr_hdr *h = (const void *)(im->buf + off);
		char *path = im->buf + off + sizeof(*h) + fixed;

		if (h->type == CR_REC_TAIL)
			break;
		if (h->type == type && h->len == fixed + n && !memcmp(path, old, n)) {
			memcpy(path, new, n);
			return 0;
		}
		off += cr_rec_size(h->len);
	}
	return -1;
}

/* Write @im to a new tmpfile, at offset 0. */
static int image_file(const struct image *im)
{
	int fd = cr_tmpfile();

	/* changed on purpose: what restart must find is not the checksum */
	if (fd < 0 || cr_image_reseal(im->buf, im->len) ||
	    cr_write_all(fd, im->buf, im->len) || lseek(fd, 0, SEEK_SET))
		return -1;
	return fd;
}

/*
 * Insert @n records made by @make (each @size bytes in the stream) at
 * offset @at, and fix the tail's count and offset.
 */
static int insert_records(struct image *im, size_t at, long n, size_t size,
			  void (*make)(char *rec, long i))
{
	size_t add = n * size, tail_off;
	struct cr_rec_tail *tail;
	char *b;
	long i;

	b = malloc(im->len + add);
	if (!b)
		return -1;
	memcpy(b, im->buf, at);
	for (i = 0; i < n; i++)
		make(b + at + i * size, i);
	memcpy(b + at + add, im->buf + at, im->len - at);
	free(im->buf);
	im->buf = b;
	im->len += add;
	tail_off = find_rec(im, CR_REC_TAIL);
	if (!tail_off)
		return -1;
	tail = (void *)(im->buf + tail_off + sizeof(struct cr_hdr));
	tail->records += n;
	tail->offset = tail_off;
	return 0;
}

/* Where the files section starts: the first pipe, file, fd or fs record. */
static size_t files_start(const struct image *im)
{
	static const unsigned int types[] = { CR_REC_PIPE, CR_REC_FILE, CR_REC_FD, CR_REC_FS };
	size_t best = 0, off;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		off = find_rec(im, types[i]);
		if (off && (!best || off < best))
			best = off;
	}
	return best;
}

/* An empty FIFO pipe record, objref @i + 1. */
static void empty_fifo_rec(char *rec, long i)
{
	struct cr_hdr *h = (void *)rec;
	struct cr_rec_pipe *p = (void *)(h + 1);

	h->type = CR_REC_PIPE;
	h->len = sizeof(*p);
	p->objref = i + 1;
	p->size = 65536;
	p->len = 0;
	p->flags = CR_PIPE_FIFO;
}

/*
 * F4: 65537 pipe records.  Restart grows its pipe array by doubling with
 * krealloc: past 65536 entries of 48 bytes that is a 6 MiB kmalloc, which
 * WARNs.  Expected: an errno (EMFILE, ENOMEM, EBADMSG), no WARN (taint).
 */
TEST(many_pipe_records)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	struct image im;
	int fd, t0, r;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs root to raise RLIMIT_NOFILE");
	ASSERT_EQ(0, make_image(0, NULL, NULL, &im));
	ASSERT_EQ(0, insert_records(&im, files_start(&im), 65537,
				    cr_rec_size(sizeof(struct cr_rec_pipe)), empty_fifo_rec));
	fd = image_file(&im);
	ASSERT_GE(fd, 0);
	t0 = taint();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(1);
		sys_restart(0, fd, 0);
		_exit(100 + errno);
	}
	r = wait_deadline(pid, 60000);
	TH_LOG("restart: %s; taint %d -> %d", describe(r), t0, taint());
	EXPECT_TRUE(r == 100 + EMFILE || r == 100 + ENOMEM || r == 100 + EBADMSG);
	EXPECT_EQ(t0, taint()) TH_LOG("a WARN: see the console");
	close(fd);
	free(im.buf);
}

#define BIG_LEN		(CR_REC_MAX_LEN - sizeof(struct cr_rec_pipe))
#define BIG_RECS	256

/*
 * F5: FIFO records with 1 MiB of bytes each, streamed through a pipe to
 * a restart by uid 65534, and the stream then stalls: the kernel keeps
 * every record's bytes until restart ends.  Expected: bounded (below
 * 64 MiB) memory pinned by an unprivileged restart.
 */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, fifo_records_pin_memory, 120)
{
	long free0, free1, free2, rss = -1;
	char line[128], path[64];
	size_t at, i;
	struct image im;
	int p[2], sync[2], r;
	pid_t feeder, rst;
	FILE *f;

	if (getuid())
		SKIP(return, "needs root to switch to uid 65534");
	ASSERT_EQ(0, make_image(NOBODY, NULL, NULL, &im));
	at = files_start(&im);
	ASSERT_GT(at, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(sync));
	free0 = meminfo_kb("MemFree:");

	rst = fork();
	ASSERT_GE(rst, 0);
	if (!rst) {
		close(p[1]);
		close(sync[0]);
		close(sync[1]);
		if (to_nobody())
			_exit(1);
		sys_restart(0, p[0], 0);
		_exit(100 + errno);
	}
	close(p[0]);
	feeder = fork();
	ASSERT_GE(feeder, 0);
	if (!feeder) {
		struct cr_hdr h = { CR_REC_PIPE, sizeof(struct cr_rec_pipe) + BIG_LEN };
		struct cr_rec_pipe pr = {
			.size = 1 << 20, .len = BIG_LEN, .flags = CR_PIPE_FIFO,
		};
		char *data = malloc(BIG_LEN);

		memset(data, 0x77, BIG_LEN);
		if (cr_write_all(p[1], im.buf, at))
			_exit(1);
		for (i = 0; i < BIG_RECS; i++) {
			pr.objref = i + 1;
			if (cr_write_all(p[1], &h, sizeof(h)) ||
			    cr_write_all(p[1], &pr, sizeof(pr)) ||
			    cr_write_all(p[1], data, BIG_LEN))
				_exit(2);
		}
		if (write(sync[1], "x", 1) != 1)
			_exit(3);
		/* the stream stalls here, open */
		pause();
		_exit(0);
	}
	close(p[1]);
	close(sync[1]);
	/* all written; or EOF: restart refused early and the feeder died of SIGPIPE */
	ASSERT_LE(0, read(sync[0], line, 1));
	sleep_ms(1000);	/* the restarter read what is in the pipe */
	free1 = meminfo_kb("MemFree:");
	snprintf(path, sizeof(path), "/proc/%d/status", rst);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			rss = atol(line + 6);
	if (f)
		fclose(f);
	kill(feeder, SIGKILL);
	waitpid(feeder, NULL, 0);
	r = wait_deadline(rst, 20000);
	sleep_ms(500);
	free2 = meminfo_kb("MemFree:");
	TH_LOG("%d FIFO records of 1 MiB: MemFree %ld -> %ld kB while restart waits",
	       BIG_RECS, free0, free1);
	TH_LOG("  %ld MiB held; the restarter's VmRSS %ld kB; MemFree %ld kB after it ended (%s)",
	       (free0 - free1) / 1024, rss, free2, describe(r));
	EXPECT_LT(free0 - free1, 64 * 1024);
	EXPECT_TRUE(is_errno(r));
	free(im.buf);
}

/* A restarted process that says whether its exe is /bin/busybox. */
static int exe_is_not_busybox(void)
{
	char path[256];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = 0;
	return strcmp(path, "/bin/busybox") ? CR_RESTART_OK : CR_RESTART_BAD;
}

/*
 * F7: uid 65534 restarts its own image with the executable's path changed
 * to /bin/busybox: /proc/self/exe of the restarted process names any
 * program the caller can open (upstream: CAP_CHECKPOINT_RESTORE for
 * PR_SET_MM_EXE_FILE).  Expected: EPERM, or the restarter's exe kept.
 */
TEST(exe_path_any_program)
{
	struct image im;
	char *fake;
	int fd, r;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs root to switch to uid 65534");
	ASSERT_EQ(0, make_image(NOBODY, NULL, exe_is_not_busybox, &im));
	fake = pad_path("/bin", "busybox", strlen(self_exe()));
	ASSERT_NE(NULL, fake);
	ASSERT_EQ(0, replace_path(&im, CR_REC_MM, self_exe(), fake));
	fd = image_file(&im);
	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (to_nobody())
			_exit(1);
		sys_restart(0, fd, 0);
		_exit(100 + errno);
	}
	r = wait_deadline(pid, 10000);
	EXPECT_TRUE(r == CR_RESTART_OK || r == 100 + EPERM)
		TH_LOG("exe %s: %s%s", fake, describe(r),
		       r == CR_RESTART_BAD ? " (/proc/self/exe is /bin/busybox)" : "");
	close(fd);
	free(im.buf);
}

/* The fifo, at a path as long as this program's. */
static char *make_fifo(void)
{
	char *fifo = pad_path("/tmp", FIFO_NAME, strlen(self_exe()));

	if (!fifo)
		return NULL;
	unlink(fifo);
	if (mkfifo(fifo, 0666) || chmod(fifo, 0666))
		return NULL;
	return fifo;
}

/* Keep this program open on fd 30 (a file record with its path). */
static int open_self(void)
{
	int fd = open(self_exe(), O_RDONLY);

	if (fd < 0 || dup2(fd, 30) != 30)
		return -1;
	close(fd);
	return 0;
}

/*
 * Restart @im (path @old of a @type record replaced by a FIFO) in a child
 * as uid 65534; it must return an errno within 3 s.  The outcome.
 */
static int restart_onto_fifo(unsigned int type)
{
	struct image im;
	char *fifo;
	int fd, r;
	pid_t pid;

	if (make_image(NOBODY, type == CR_REC_FILE ? open_self : NULL, NULL, &im))
		return -3;
	fifo = make_fifo();
	if (!fifo || replace_path(&im, type, self_exe(), fifo))
		return -3;
	fd = image_file(&im);
	if (fd < 0)
		return -3;
	pid = fork();
	if (pid < 0)
		return -3;
	if (!pid) {
		if (to_nobody())
			_exit(1);
		sys_restart(0, fd, 0);
		_exit(100 + errno);
	}
	r = wait_deadline(pid, 3000);
	close(fd);
	unlink(fifo);
	free(fifo);
	free(im.buf);
	return r;
}

/* F8: the executable's path names a FIFO: restart must not open it and wait. */
TEST(exe_path_fifo)
{
	int r;

	if (getuid())
		SKIP(return, "needs root to switch to uid 65534");
	r = restart_onto_fifo(CR_REC_MM);
	ASSERT_NE(-3, r);
	EXPECT_TRUE(is_errno(r)) TH_LOG("restart: %s", describe(r));
}

/* F8: a mapped file's path names a FIFO. */
TEST(vma_path_fifo)
{
	int r;

	if (getuid())
		SKIP(return, "needs root to switch to uid 65534");
	r = restart_onto_fifo(CR_REC_VMA);
	ASSERT_NE(-3, r);
	EXPECT_TRUE(is_errno(r)) TH_LOG("restart: %s", describe(r));
}

/* F8: a regular file's path (fd 30) now names a FIFO. */
TEST(file_path_fifo)
{
	int r;

	if (getuid())
		SKIP(return, "needs root to switch to uid 65534");
	r = restart_onto_fifo(CR_REC_FILE);
	ASSERT_NE(-3, r);
	EXPECT_TRUE(is_errno(r)) TH_LOG("restart: %s", describe(r));
}

/* A pty's slave, with devpts mounted if it is not; its path, or NULL. */
static const char *pty_slave(int *master)
{
	if (access("/dev/pts/ptmx", F_OK)) {
		mkdir("/dev/pts", 0755);
		if (mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666"))
			return NULL;
	}
	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) || unlockpt(*master))
		return NULL;
	return ptsname(*master);
}

/*
 * F8: the executable's path names a terminal.  A restarter that leads a
 * session without a controlling terminal must not get one from restart
 * (opened without O_NOCTTY, then found not to be a regular file).
 */
TEST(exe_path_tty)
{
	const char *slave;
	struct image im;
	char *fake;
	int master, fd, r;
	pid_t pid;

	slave = pty_slave(&master);
	if (!slave)
		SKIP(return, "no pty");
	ASSERT_EQ(0, make_image(0, NULL, NULL, &im));
	/* "/dev/pts/N" with slashes added */
	fake = pad_path("/dev", slave + 4, strlen(self_exe()));
	ASSERT_NE(NULL, fake);
	ASSERT_EQ(0, replace_path(&im, CR_REC_MM, self_exe(), fake));
	fd = image_file(&im);
	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int e, tty;

		if (setsid() < 0)
			_exit(1);
		/* no controlling terminal now */
		if (open("/dev/tty", O_RDONLY) >= 0)
			_exit(2);
		sys_restart(0, fd, 0);
		e = errno;
		tty = open("/dev/tty", O_RDONLY);
		/* 3: restart made the terminal ours */
		_exit(tty >= 0 ? 3 : 100 + e);
	}
	r = wait_deadline(pid, 10000);
	EXPECT_TRUE(is_errno(r))
		TH_LOG("exe %s: %s%s", fake, describe(r),
		       r == 3 ? " (the restarter got it as its controlling terminal)" : "");
	close(fd);
	close(master);
	free(im.buf);
}

static volatile int handled;

static void on_usr1(int sig)
{
	handled++;
}

/*
 * F12: a file record's path names a FIFO, so its open blocks; the
 * restarter gets a signal whose handler has SA_RESTART (or a SIGSTOP and
 * a SIGCONT: job control, no handler).  The open fails with -ERESTARTSYS
 * and restart(2) is run again on the rest of the image.  Expected: EINTR
 * (restart cannot be restarted: its image is half read), or an errno of
 * the FIFO refused without blocking; never the errno of a second run.
 */
static int interrupted_open(int stop)
{
	struct image im;
	char *fifo;
	int fd, r;
	pid_t pid;

	if (make_image(0, open_self, NULL, &im))
		return -3;
	fifo = make_fifo();
	if (!fifo || replace_path(&im, CR_REC_FILE, self_exe(), fifo))
		return -3;
	fd = image_file(&im);
	if (fd < 0)
		return -3;
	pid = fork();
	if (pid < 0)
		return -3;
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
		long ret;

		sigaction(SIGUSR1, &sa, NULL);
		ret = sys_restart(0, fd, 0);
		/* 90: the handler ran, yet restart went on and returned this */
		_exit(ret == -1 ? 100 + errno : 90);
	}
	sleep_ms(1000);
	if (stop) {
		kill(pid, SIGSTOP);
		sleep_ms(200);
		kill(pid, SIGCONT);
	} else {
		kill(pid, SIGUSR1);
	}
	r = wait_deadline(pid, 3000);
	close(fd);
	unlink(fifo);
	free(fifo);
	free(im.buf);
	return r;
}

static int ok_interrupted(int r)
{
	return r == 100 + EINTR || r == 100 + EACCES || r == 100 + ESTALE || r == 100 + ENXIO;
}

TEST(open_interrupted_sa_restart)
{
	int r = interrupted_open(0);

	ASSERT_NE(-3, r);
	EXPECT_TRUE(ok_interrupted(r)) TH_LOG("restart after SIGUSR1 (SA_RESTART): %s",
					      describe(r));
}

TEST(open_interrupted_stop_cont)
{
	int r = interrupted_open(1);

	ASSERT_NE(-3, r);
	EXPECT_TRUE(ok_interrupted(r)) TH_LOG("restart after SIGSTOP, SIGCONT: %s",
					      describe(r));
}

TEST_HARNESS_MAIN
