// SPDX-License-Identifier: GPL-2.0
/*
 * rstr - become a checkpointed process with restart(2).
 *
 *   rstr [-i FILE] [--crid N] [--inherit-fd N:KEY]...
 *
 * Reads the image from FILE or standard input.  On success rstr is gone:
 * the restarted process runs in its place.  On failure it explains why and
 * exits with status 1.
 *
 * --inherit-fd N:KEY hands rstr's fd N to the restarted process in place of
 * the file whose path (or key, for one end of a pipe: "pipe:[INODE]") is
 * KEY: the other end of a pipe, or a log file moved elsewhere.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
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
		return "the image has another checkpoint id than --crid, or a path of the image "
		       "now names another kind of file (see dmesg)";
	case EBUSY:
		return "rstr shares its memory, or a FIFO of the image is not empty";
	case EOPNOTSUPP:
		return "the image holds state this kernel cannot restart yet";
	case EINVAL:
		return "the input cannot take kernel reads (e.g. /dev/zero)";
	case EBADF:
		return "the input is not open for reading, an --inherit-fd fd is not open, "
		       "or the image needs a file handed in (--inherit-fd; see dmesg)";
	case ENOENT:
		return "a file of the image is gone, or no file has an --inherit-fd key";
	}
	return NULL;
}

#define USAGE "usage: rstr [-i FILE] [--crid N] [--inherit-fd N:KEY]...\n"

/* "N:KEY" into @in; 0, or -1 if it is not that. */
static int parse_inherit(const char *arg, struct cr_inherit *in)
{
	char *end;
	long fd;

	errno = 0;
	fd = strtol(arg, &end, 10);
	if (errno || end == arg || *end != ':' || !end[1] || fd < 0 || fd > INT_MAX)
		return -1;
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->key = (unsigned long)(end + 1);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "crid", required_argument, NULL, 'c' },
		{ "inherit-fd", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static struct cr_inherit inherit[CR_INHERIT_MAX];
	const char *in = NULL, *h;
	int fd = 0, crid = 0, c, err;
	unsigned int nr = 0;

	while ((c = getopt_long(argc, argv, "i:c:I:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			in = optarg;
			break;
		case 'c':
			crid = atoi(optarg);
			break;
		case 'I':
			if (nr == CR_INHERIT_MAX || parse_inherit(optarg, &inherit[nr])) {
				fprintf(stderr, "rstr: --inherit-fd %s: want N:KEY (at most %d)\n",
					optarg, CR_INHERIT_MAX);
				return 2;
			}
			nr++;
			break;
		case 'h':
			printf(USAGE);
			return 0;
		default:
			fprintf(stderr, USAGE);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, USAGE);
		return 2;
	}
	if (in) {
		fd = open(in, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "rstr: %s: %s\n", in, strerror(errno));
			return 1;
		}
	}
	if (nr)
		sys_restart_inherit(crid, fd, inherit, nr);
	else
		sys_restart(crid, fd, 0);
	err = errno;
	h = hint(err);
	fprintf(stderr, "rstr: restart failed: %s%s%s\n", strerror(err),
		h ? ": " : "", h ? h : "");
	return 1;
}
