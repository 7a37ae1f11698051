// SPDX-License-Identifier: GPL-2.0
/*
 * rstr - become a checkpointed process with restart(2).
 *
 *   rstr [-i FILE] [--crid N]
 *
 * Reads the image from FILE or standard input.  On success rstr is gone:
 * the restarted process runs in its place.  On failure it explains why and
 * exits with status 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>

#include "cr_test.h"

static const char *hint(int err)
{
	switch (err) {
	case ENOSYS:
		return "this kernel has no restart(2) (CONFIG_CHECKPOINT=n)";
	case ENODATA:
		return "the image ends before its tail: empty or cut short";
	case EBADMSG:
		return "the image is truncated or corrupt: see dmesg for the record";
	case ENOEXEC:
		return "not a cr image for this machine (magic, arch, page size, CPU features)";
	case EPROTONOSUPPORT:
		return "the image was written in another format version";
	case ESTALE:
		return "the image has another checkpoint id than --crid";
	case EOPNOTSUPP:
		return "the image holds state this kernel cannot restart yet";
	case EINVAL:
		return "the input cannot take kernel reads (e.g. /dev/zero)";
	case EBADF:
		return "the input is not open for reading";
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "crid", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *in = NULL, *h;
	int fd = 0, crid = 0, c, err;

	while ((c = getopt_long(argc, argv, "i:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			in = optarg;
			break;
		case 'c':
			crid = atoi(optarg);
			break;
		case 'h':
			printf("usage: rstr [-i FILE] [--crid N]\n");
			return 0;
		default:
			fprintf(stderr, "usage: rstr [-i FILE] [--crid N]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: rstr [-i FILE] [--crid N]\n");
		return 2;
	}
	if (in) {
		fd = open(in, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "rstr: %s: %s\n", in, strerror(errno));
			return 1;
		}
	}
	sys_restart(crid, fd, 0);
	err = errno;
	h = hint(err);
	fprintf(stderr, "rstr: restart failed: %s%s%s\n", strerror(err),
		h ? ": " : "", h ? h : "");
	return 1;
}
