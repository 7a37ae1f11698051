// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt - checkpoint a process with checkpoint(2).
 *
 *   ckpt [-o FILE] [--stop|--freeze] [--cont|--kill] [--root-only]
 *        [--content-max SIZE] PID
 *
 * Writes the image of the process tree rooted at PID (every descendant and
 * every thread; PID alone with --root-only) to FILE or standard output and
 * prints the checkpoint id on standard error.  PID 0 is ckpt itself.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_test.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ckpt [-o FILE] [--stop|--freeze] [--cont|--kill] [--root-only]\n"
		"            [--content-max SIZE] PID\n"
		"  -o, --output FILE  write the image to FILE (default: stdout)\n"
		"  -s, --stop         stop PID with SIGSTOP and wait for it first\n"
		"  -f, --freeze       let the kernel freeze PID for the checkpoint and\n"
		"                     thaw it after, unseen by its parent (no SIGSTOP)\n"
		"  -c, --cont         continue PID after a successful checkpoint\n"
		"  -k, --kill         kill PID after a successful checkpoint, before\n"
		"                     it runs again\n"
		"  -r, --root-only    PID (and its threads) alone, not its descendants\n"
		"  -m, --content-max SIZE\n"
		"                     save the bytes of memfds and deleted files up to\n"
		"                     SIZE each (K, M, G suffixes; rounded up to a power\n"
		"                     of two, at most 1G; default 64M), refuse larger\n");
}

/* The CR_CHECKPOINT_CONTENT() shift for at least @arg bytes, or -1. */
static int content_shift(const char *arg)
{
	static const char units[] = "KMG";
	const char *unit;
	unsigned long long size;
	char *end;
	int shift = 1;

	size = strtoull(arg, &end, 10);
	if (end == arg)
		return -1;
	unit = *end ? strchr(units, *end) : NULL;
	if (unit) {
		if (size > CR_CONTENT_MAX)
			return -1;
		size <<= 10 * (unit - units + 1);
		end++;
	}
	if (*end || !size || size > CR_CONTENT_MAX)
		return -1;
	while ((1ULL << shift) < size)
		shift++;
	return shift;
}

static const char *hint(int err)
{
	switch (err) {
	case ENOSYS:
		return "this kernel has no checkpoint(2) (CONFIG_CHECKPOINT=n)";
	case EOPNOTSUPP:
		return "a process of the tree holds something not supported yet: see dmesg";
	case EPERM:
		return "you may not ptrace this process";
	case EBUSY:
		return "a process of the tree is running: stop them all, or freeze the tree "
		       "(--freeze; --stop stops PID only)";
	case ESRCH:
		return "no such process";
	case EINVAL:
		return "the output cannot take kernel writes (e.g. /dev/null)";
	case EFBIG:
		return "a memfd or deleted file is larger than --content-max: see dmesg";
	case EBADF:
		return "the output is not open for writing";
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "stop", no_argument, NULL, 's' },
		{ "freeze", no_argument, NULL, 'f' },
		{ "cont", no_argument, NULL, 'c' },
		{ "kill", no_argument, NULL, 'k' },
		{ "root-only", no_argument, NULL, 'r' },
		{ "content-max", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *out = NULL;
	int stop = 0, after = 0, fd = 1, c, shift;
	unsigned long flags = 0;
	char *end;
	long pid, crid;

	while ((c = getopt_long(argc, argv, "o:sfckrm:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			stop = 1;
			break;
		case 'f':
			flags |= CR_CHECKPOINT_FREEZE;
			break;
		case 'r':
			flags |= CR_CHECKPOINT_ROOT_ONLY;
			break;
		case 'm':
			shift = content_shift(optarg);
			if (shift < 0) {
				fprintf(stderr, "ckpt: --content-max: a size from 1 to 1G\n");
				return 2;
			}
			flags &= ~CR_CHECKPOINT_CONTENT_MASK;
			flags |= CR_CHECKPOINT_CONTENT(shift);
			break;
		case 'c':
		case 'k':
			if (after && after != c) {
				fprintf(stderr, "ckpt: --cont and --kill exclude each other\n");
				return 2;
			}
			after = c;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (stop && (flags & CR_CHECKPOINT_FREEZE)) {
		fprintf(stderr, "ckpt: --stop and --freeze exclude each other\n");
		return 2;
	}
	/* the kernel kills it where it stands, frozen or stopped */
	if (after == 'k') {
		flags |= CR_CHECKPOINT_KILL;
		after = 0;
	}
	pid = strtol(argv[optind], &end, 10);
	if (*end || pid < 0) {
		fprintf(stderr, "ckpt: bad pid '%s'\n", argv[optind]);
		return 2;
	}
	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "ckpt: %s: %s\n", out, strerror(errno));
			return 1;
		}
	} else if (isatty(1)) {
		fprintf(stderr,
			"ckpt: refusing to write an image to a terminal; use -o or a redirect\n");
		return 2;
	}
	if (stop && pid) {
		if (kill(pid, SIGSTOP) || cr_wait_state(pid, 'T')) {
			fprintf(stderr, "ckpt: cannot stop %ld: %s\n", pid, strerror(errno));
			return 1;
		}
	}

	crid = sys_checkpoint(pid, fd, flags);
	if (crid < 0) {
		int err = errno;
		const char *h = hint(err);

		fprintf(stderr, "ckpt: checkpoint of %ld failed: %s%s%s\n", pid,
			strerror(err), h ? ": " : "", h ? h : "");
		if (out)
			unlink(out);
		return 1;
	}
	if (fd != 1 && close(fd)) {
		fprintf(stderr, "ckpt: %s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(stderr, "ckpt: pid %ld checkpointed, crid %ld\n", pid, crid);
	if (after && pid && kill(pid, after == 'c' ? SIGCONT : SIGKILL)) {
		fprintf(stderr, "ckpt: cannot signal %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	return 0;
}
