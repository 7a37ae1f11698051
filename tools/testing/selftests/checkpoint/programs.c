// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: whole programs, checkpointed mid-run by another process,
 * killed, restarted in a fresh process: their output must be what an
 * uninterrupted run prints.  counter_dyn is dynamically linked (ld.so and
 * libc mapped from files); bc is Debian's, with its libraries.
 *
 * The output goes to an unlinked file, which checkpoint cannot save by
 * path: it leaves such an fd 0-2 to the restarter, which hands in its
 * own, here /dev/null and the output file.  interrupted_run_files() uses
 * named files instead, reopened by restart itself.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

/* Run @argv with stdin from @in (or /dev/null) and stdout to @out. */
static pid_t spawn(char *const argv[], const char *in, int out)
{
	pid_t pid = fork();

	if (!pid) {
		int fd = open(in ? in : "/dev/null", O_RDONLY);

		if (fd < 0 || dup2(fd, 0) < 0 || dup2(out, 1) < 0)
			_exit(126);
		closefrom(3);	/* a checkpointed process may hold fds 0-2 only */
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Restart @img with fd 0 /dev/null and fd 1 @out; the exit code. */
static int restart_to(int img, int out)
{
	pid_t pid;

	lseek(img, 0, SEEK_SET);
	pid = fork();
	if (!pid) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0 || dup2(fd, 0) < 0 || dup2(out, 1) < 0)
			_exit(126);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	return cr_wait(pid);
}

static char *slurp(int fd, size_t *len)
{
	lseek(fd, 0, SEEK_SET);
	return cr_read_all(fd, len);
}

/*
 * Run @argv uninterrupted, then again: stop it at 40% of the time the
 * first run took, checkpoint, kill, restart.  The output of the second
 * run, before and after restart, must equal the reference.
 */
static void interrupted_run(struct __test_metadata *_metadata, char *const argv[],
			    const char *in)
{
	struct timespec ts;
	long t0, ms;
	int ref = cr_tmpfile(), out = cr_tmpfile(), img = cr_tmpfile(), status;
	char *a, *b;
	size_t la, lb;
	pid_t pid;

	ASSERT_GE(ref, 0);
	ASSERT_GE(out, 0);
	ASSERT_GE(img, 0);
	t0 = cr_now_ms();
	pid = spawn(argv, in, ref);
	ASSERT_EQ(0, cr_wait(pid));
	ms = (cr_now_ms() - t0) * 4 / 10;
	TH_LOG("%s: %ld ms uninterrupted, checkpointed after %ld ms", argv[0], ms * 10 / 4, ms);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;

	pid = spawn(argv, in, out);
	nanosleep(&ts, NULL);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("%s ended before it was stopped", argv[0]);
	ASSERT_GT(sys_checkpoint(pid, img, 0), 0) TH_LOG("checkpoint: %s", strerror(errno));
	kill(pid, SIGKILL);
	ASSERT_EQ(128 + SIGKILL, cr_wait(pid));
	ASSERT_EQ(0, restart_to(img, out));

	a = slurp(ref, &la);
	b = slurp(out, &lb);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_GT(la, 0);
	EXPECT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(a, b, la < lb ? la : lb));
	free(a);
	free(b);
}

/*
 * The same with named files on fds 0 and 1: the restarted process reopens
 * them itself, at their offsets, and finishes the output file.
 */
static void interrupted_run_files(struct __test_metadata *_metadata, char *const argv[],
				  const char *in, const char *ref, const char *out)
{
	int img = cr_tmpfile(), fd, status;
	struct timespec ts;
	long t0, ms;
	size_t la, lb;
	char *a, *b;
	pid_t pid;

	ASSERT_GE(img, 0);
	fd = open(ref, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	t0 = cr_now_ms();
	pid = spawn(argv, in, fd);
	close(fd);
	ASSERT_EQ(0, cr_wait(pid));
	ms = (cr_now_ms() - t0) * 4 / 10;
	TH_LOG("%s: %ld ms uninterrupted, checkpointed after %ld ms", argv[0], ms * 10 / 4, ms);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;

	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	pid = spawn(argv, in, fd);
	close(fd);
	nanosleep(&ts, NULL);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("%s ended before it was stopped", argv[0]);
	ASSERT_GT(sys_checkpoint(pid, img, 0), 0) TH_LOG("checkpoint: %s", strerror(errno));
	kill(pid, SIGKILL);
	ASSERT_EQ(128 + SIGKILL, cr_wait(pid));
	EXPECT_EQ(0, cr_restart_child(img));

	fd = open(ref, O_RDONLY);
	a = cr_read_all(fd, &la);
	close(fd);
	fd = open(out, O_RDONLY);
	b = cr_read_all(fd, &lb);
	close(fd);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_GT(la, 0);
	EXPECT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(a, b, la < lb ? la : lb));
	free(a);
	free(b);
}

TEST(counter_static)
{
	char *const argv[] = { "/usr/local/bin/counter", "12", "40", NULL };

	interrupted_run(_metadata, argv, NULL);
}

TEST(counter_dynamic)
{
	char *const argv[] = { "/usr/local/bin/counter_dyn", "12", "40", NULL };

	interrupted_run(_metadata, argv, NULL);
}

/* Debian's bc computing pi to 800 digits. */
TEST(debian_bc)
{
	static char *const argv[] = { "/usr/bin/bc", "-l", NULL };
	static const char prog[] = "scale=800; 4*a(1)\n";
	int fd;

	if (access(argv[0], X_OK))
		SKIP(return, "no /usr/bin/bc in this VM");
	fd = open("/tmp/cr-bc.in", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, cr_write_all(fd, prog, strlen(prog)));
	close(fd);
	interrupted_run(_metadata, argv, "/tmp/cr-bc.in");
}

/* Debian's gzip compressing 6 MiB from one file into another. */
TEST(debian_gzip_file_to_file)
{
	char *const argv[] = { "/usr/bin/gzip", "-c", "-6", NULL };
	unsigned int seed = 1;
	char line[80];
	int fd, i, j;

	if (access(argv[0], X_OK))
		SKIP(return, "no /usr/bin/gzip in this VM");
	fd = open("/tmp/cr-gz.in", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	/* text-like data: compressible, not trivially */
	for (i = 0; i < (6 << 20) / (int)sizeof(line); i++) {
		for (j = 0; j < (int)sizeof(line) - 1; j++)
			line[j] = 'a' + rand_r(&seed) % 12;
		line[sizeof(line) - 1] = '\n';
		ASSERT_EQ(0, cr_write_all(fd, line, sizeof(line)));
	}
	close(fd);
	interrupted_run_files(_metadata, argv, "/tmp/cr-gz.in", "/tmp/cr-gz.ref", "/tmp/cr-gz.out");
	unlink("/tmp/cr-gz.in");
	unlink("/tmp/cr-gz.ref");
	unlink("/tmp/cr-gz.out");
}

TEST_HARNESS_MAIN
