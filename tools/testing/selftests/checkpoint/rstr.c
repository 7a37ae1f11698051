// SPDX-License-Identifier: GPL-2.0
/*
 * rstr - restart a checkpointed process tree with restart(2).
 *
 *   rstr [-i FILE] [--crid N] [--inherit-fd N:KEY]... [-d | -s] [--new-pids] [--pidns]
 *        [--utsns] [--ipcns]
 *
 * Reads the image from FILE or standard input.  By default the kernel
 * creates the tree's root as a new child of rstr (CR_RESTART_CHILD): rstr
 * waits for it, forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and
 * SIGUSR2 to it, and exits with its status (killed by a signal, rstr
 * raises the same signal).  --detach prints the root's pid and exits at
 * once; --self restarts in place: rstr becomes the root (for an image of
 * one process, or when rstr's pid is the saved root's).  --new-pids gives
 * every task a new pid (CR_RESTART_NEW_PIDS).  --pidns restarts the tree
 * of a pid namespace's init as the init of a new pid namespace, with the
 * pids its tasks had there (CR_RESTART_PIDNS; not with --self).  --utsns
 * gives a tree checkpointed in a UTS namespace of its own a new one with
 * its host and domain names (CR_RESTART_UTSNS; not with --self).  --ipcns
 * gives a tree checkpointed in an IPC namespace of its own a new one with
 * its SysV message queues and limits (CR_RESTART_IPCNS; not with --self).  On failure
 * rstr explains why and exits with status 1.
 *
 * --inherit-fd N:KEY hands rstr's fd N to the restarted process in place of
 * the file whose path (or key, for one end of a pipe: "pipe:[INODE]") is
 * KEY: the other end of a pipe, or a log file moved elsewhere.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

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
	case EPERM:
		return "keeping the saved pids needs CAP_CHECKPOINT_RESTORE (try --new-pids), "
		       "a new pid or UTS namespace CAP_SYS_ADMIN; or a socket's queued "
		       "credentials or buffers are more than rstr may give (see dmesg)";
	case EOVERFLOW:
		return "a SysV message queue of the image has an owner this user namespace "
		       "does not map";
	case EBUSY:
		return "a saved pid is in use (try --new-pids), or with --self rstr's pid is "
		       "not the saved root's; or a FIFO of the image is not empty";
	case EOPNOTSUPP:
		return "the image holds state this kernel cannot restart yet, or its tree "
		       "has namespaces of its own (try --pidns, --utsns, --ipcns; see dmesg)";
	case EADDRINUSE:
		return "a socket's address or port is taken (does the original still run?)";
	case EINVAL:
		return "the input cannot take kernel reads (e.g. /dev/zero), this kernel "
		       "lacks a flag asked for (--detach, --new-pids), or the image is of a "
		       "pid namespace's tree (--pidns) or not (without it), or has no UTS "
		       "namespace of its own (--utsns), or no IPC namespace of its own that "
		       "could be saved (--ipcns)";
	case EBADF:
		return "the input is not open for reading, an --inherit-fd fd is not open, "
		       "or the image needs a file handed in (--inherit-fd; see dmesg)";
	case ENOENT:
		return "a file of the image is gone, or no file has an --inherit-fd key";
	}
	return NULL;
}

#define USAGE "usage: rstr [-i FILE] [--crid N] [--inherit-fd N:KEY]... " \
	      "[--detach | --self] [--new-pids] [--pidns] [--utsns] [--ipcns]\n"

/* The signals rstr passes on to the root it waits for. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, 0 };

static volatile pid_t root;

/*
 * Pass a signal on to the root, unless the terminal sent it: then it went
 * to the whole foreground process group, the root (in rstr's group) too.
 */
static void forward(int sig, siginfo_t *si, void *uc)
{
	if (si->si_code != SI_KERNEL && si->si_pid != root)
		kill(root, sig);
}

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

/*
 * Wait for the root and end as it did: its exit status, or killed by the
 * same signal (without a core dump of rstr's own).
 */
static int wait_root(void)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t s;
	int status;

	while (waitpid(root, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "rstr: waiting for %d: %s\n", root, strerror(errno));
			return 1;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (!WIFSIGNALED(status))
		return 1;
	setrlimit(RLIMIT_CORE, &no_core);
	signal(WTERMSIG(status), SIG_DFL);
	sigemptyset(&s);
	sigaddset(&s, WTERMSIG(status));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "crid", required_argument, NULL, 'c' },
		{ "inherit-fd", required_argument, NULL, 'I' },
		{ "detach", no_argument, NULL, 'd' },
		{ "self", no_argument, NULL, 's' },
		{ "new-pids", no_argument, NULL, 'n' },
		{ "pidns", no_argument, NULL, 'p' },
		{ "utsns", no_argument, NULL, 'u' },
		{ "ipcns", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static struct cr_inherit inherit[CR_INHERIT_MAX];
	struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct cr_restart_args args = {};
	int fd = 0, crid = 0, c, err, detach = 0, self = 0;
	unsigned long flags = CR_RESTART_CHILD;
	const char *in = NULL, *h;
	unsigned int nr = 0, i;
	sigset_t fwd, old;
	long ret;

	while ((c = getopt_long(argc, argv, "i:c:I:dsnpuPh", opts, NULL)) != -1) {
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
		case 'd':
			detach = 1;
			break;
		case 's':
			self = 1;
			break;
		case 'n':
			flags |= CR_RESTART_NEW_PIDS;
			break;
		case 'p':
			flags |= CR_RESTART_PIDNS;
			break;
		case 'u':
			flags |= CR_RESTART_UTSNS;
			break;
		case 'P':
			flags |= CR_RESTART_IPCNS;
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
	if (detach && self) {
		fprintf(stderr, "rstr: --detach and --self exclude each other\n");
		return 2;
	}
	if (self && (flags & (CR_RESTART_PIDNS | CR_RESTART_UTSNS | CR_RESTART_IPCNS))) {
		fprintf(stderr,
			"rstr: --self and --pidns, --utsns or --ipcns exclude each other\n");
		return 2;
	}
	if (in) {
		fd = open(in, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "rstr: %s: %s\n", in, strerror(errno));
			return 1;
		}
	}
	if (nr) {
		flags |= CR_RESTART_ARGS;
		args.nr_inherit = nr;
		args.inherit = (unsigned long)inherit;
	}
	if (self)
		flags &= ~CR_RESTART_CHILD;

	/* the root's: a signal that comes meanwhile waits for its pid */
	sigemptyset(&fwd);
	for (i = 0; forwarded[i]; i++)
		sigaddset(&fwd, forwarded[i]);
	/* with SIGCHLD ignored the root would be reaped unseen */
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_BLOCK, NULL, &old);
	if (flags & CR_RESTART_CHILD)
		sigprocmask(SIG_BLOCK, &fwd, NULL);

	ret = sys_restart_args(crid, fd, flags, &args);
	err = errno;
	/*
	 * A kernel without CR_RESTART_CHILD (before process trees) refuses the
	 * flag before it reads anything: restart in place there, as --self.
	 */
	if (ret < 0 && err == EINVAL && (flags & CR_RESTART_CHILD) && !detach &&
	    !(flags & CR_RESTART_NEW_PIDS) &&
	    sys_restart_args(0, -1, CR_RESTART_CHILD, NULL) < 0 && errno == EINVAL) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		ret = sys_restart_args(crid, fd, flags & ~CR_RESTART_CHILD, &args);
		err = errno;
	}
	if (ret < 0) {
		h = hint(err);
		fprintf(stderr, "rstr: restart failed: %s%s%s\n", strerror(err),
			h ? ": " : "", h ? h : "");
		return 1;
	}
	/* in place (--self) restart() does not return; as a child, the root's pid */
	root = ret;
	if (detach) {
		printf("%d\n", root);
		return 0;
	}
	if (fd)
		close(fd);
	for (i = 0; forwarded[i]; i++)
		sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return wait_root();
}
