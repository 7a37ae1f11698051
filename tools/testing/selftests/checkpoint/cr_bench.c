// SPDX-License-Identifier: GPL-2.0
/*
 * cr_bench - checkpoint and restart speed against dd on the same file
 * system, in the same run.
 *
 *   cr_bench [DIR] MiB...
 *
 * For each size: a child dirties that much anonymous memory and stops;
 * checkpoint(child) writes it to DIR/cr-bench.img (default /tmp, a tmpfs
 * in the VM); a new process restarts it and checks samples of the memory.
 * Then dd writes and reads the same number of bytes in the same place.
 * Prints MiB/s and the ratios of the times to dd's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cr_test.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double run(const char *cmd)
{
	double t0 = now();

	if (system(cmd))
		fprintf(stderr, "cr_bench: %s failed\n", cmd);
	return now() - t0;
}

static int bench(const char *dir, long mib)
{
	size_t len = (size_t)mib << 20, i;
	double tc, tr, tw, trd;
	char img[256], dd[256], cmd[600];
	unsigned long *p;
	int fd, status;
	long crid;
	pid_t pid;

	snprintf(img, sizeof(img), "%s/cr-bench.img", dir);
	snprintf(dd, sizeof(dd), "%s/cr-bench.dd", dir);
	pid = fork();
	if (!pid) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		for (i = 0; i < len / sizeof(*p); i++)
			p[i] = i * 2654435761UL + 1;
		raise(SIGSTOP);
		/* restarted: check a sample of every 64th page */
		for (i = 0; i < len / sizeof(*p); i += 512 * 64)
			if (p[i] != i * 2654435761UL + 1)
				_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;

	fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	tc = now();
	crid = sys_checkpoint(pid, fd, 0);
	tc = now() - tc;
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (crid <= 0) {
		perror("checkpoint");
		return -1;
	}

	tr = now();
	pid = fork();
	if (!pid) {
		fd = open(img, O_RDONLY);
		sys_restart(0, fd, 0);
		_exit(100 + errno);
	}
	status = cr_wait(pid);
	tr = now() - tr;
	if (status) {
		fprintf(stderr, "cr_bench: restart of %ld MiB ended with %d\n", mib, status);
		return -1;
	}
	unlink(img);

	snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of=%s bs=1048576 count=%ld 2>/dev/null",
		 dd, mib);
	tw = run(cmd);
	snprintf(cmd, sizeof(cmd), "dd if=%s of=/dev/null bs=1048576 2>/dev/null", dd);
	trd = run(cmd);
	unlink(dd);

	printf("%6ld MiB | checkpoint %7.0f MiB/s  dd write %7.0f MiB/s  ratio %.2f | "
	       "restart %7.0f MiB/s  dd read %7.0f MiB/s  ratio %.2f\n",
	       mib, mib / tc, mib / tw, tc / tw, mib / tr, mib / trd, tr / trd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	int i = 1, ret = 0;

	if (argc > 1 && argv[1][0] == '/')
		dir = argv[i++];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("cr_bench: %s, time ratios are cr / dd (lower is better)\n", dir);
	for (; i < argc; i++)
		if (bench(dir, atol(argv[i])))
			ret = 1;
	return ret;
}
