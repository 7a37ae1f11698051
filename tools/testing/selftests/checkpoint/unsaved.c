// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: state cr does not save (#13), or saves since.
 *
 * A process holding state of some kind must either be checkpointed and
 * come back with it, or be refused at checkpoint with EOPNOTSUPP: never a
 * checkpoint that succeeds and silently drops the state, nor an image
 * that fails at restart.  Each test makes a child hold one kind (an fd
 * past 2, a mapping, a namespace, a filter...), checkpoint itself and,
 * restarted, check that the state is there.
 *
 * And restart's mmap-time checks: a mapping the restarter may not make
 * (RLIMIT_AS, PR_SET_MDWE) must be refused with an errno before the point
 * of no return, and restart must not write content into executable
 * memory for a caller that may not (MDWE).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/keyctl.h>
#include <linux/landlock.h>
#include <linux/membarrier.h>
#include <linux/mempolicy.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <mqueue.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_GET_MDWE			66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN	1
#endif
#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE		O_EXCL
#endif
#ifndef IOC_WATCH_QUEUE_SET_SIZE
#define IOC_WATCH_QUEUE_SET_SIZE	_IO('W', 0x60)	/* linux/watch_queue.h */
#endif
#ifndef SEGV_PKUERR
#define SEGV_PKUERR			4
#endif

#define FD		30	/* where a child keeps what it holds */
#define FD2		31
#define SHM_KEY		0xc0de13
#define MSG_KEY		0xc0de14
#define MQ_NAME		"/cr-unsaved-mq"
#define MNT		"/tmp/cr-unsaved-mnt"

/* Exit codes of the child besides CR_ORIG_OK, CR_RESTART_OK/BAD. */
#define REFUSED		40	/* checkpoint failed with EOPNOTSUPP */
#define CKPT_ERR	41	/* checkpoint failed with another errno */
#define NO_SUPPORT	42	/* this kernel or CPU has no such state: skip */
#define INSIDE_BAD	43	/* restarted inside its namespaces, without its state */

/* Keep @fd on fd @to, closing @fd. */
static int keep(int fd, int to)
{
	if (fd < 0 || dup2(fd, to) != to)
		return -1;
	close(fd);
	return 0;
}

/* Does readlink(/proc/self/fd/@fd) start with @prefix? */
static int fd_is(int fd, const char *prefix)
{
	char path[64], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	return !strncmp(link, prefix, strlen(prefix));
}

/*
 * Restart @img in a child that first runs @limit (if not NULL): the
 * restarted process's exit code, 100 + errno if restart(2) returned,
 * 1000 + a signal that killed it.
 */
static int restart_img(int img, int (*limit)(void))
{
	int status;
	pid_t pid;

	if (lseek(img, 0, SEEK_SET))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (limit && limit())
			_exit(1);
		sys_restart(0, img, 0);
		_exit(100 + errno);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

#define TIME_OFFSET	(10 * 86400)

/* Put the unshared time namespace's CLOCK_MONOTONIC TIME_OFFSET seconds ahead. */
static int time_offset(void)
{
	FILE *f = fopen("/proc/self/timens_offsets", "w");
	int ok = f && fprintf(f, "monotonic %d 0\n", TIME_OFFSET) > 0;

	return f && !fclose(f) && ok ? 0 : -1;
}

static const char *describe(int r)
{
	static char buf[64];

	if (r > 100 && r < 256)
		snprintf(buf, sizeof(buf), "restart failed: %s", strerrorname_np(r - 100) ?: "?");
	else if (r >= 1000)
		snprintf(buf, sizeof(buf), "killed by signal %d", r - 1000);
	else
		snprintf(buf, sizeof(buf), "restarted, exit %d", r);
	return buf;
}

/*
 * Run @before in a child, which checkpoints itself; restarted, it exits
 * with @after's value.  With @ns (CLONE_NEW* flags) the child first
 * unshares them; with CLONE_NEWPID its child, pid 1 there, is the one, and
 * with CLONE_NEWTIME its child, whose CLOCK_MONOTONIC is 10 days ahead.
 * Returns 0 when refused (EOPNOTSUPP) or restarted with its state;
 * otherwise a description of what happened in @why.
 *
 * With @ns the image is restarted twice: inside the namespaces, where it
 * must come back with its state, and from outside them, where restart
 * must refuse it (EOPNOTSUPP), the caller intact.
 */
static int kept_or_refused(int ns, int (*before)(void), int (*after)(void), char *why,
			   size_t wlen)
{
	int img = cr_tmpfile(), st, r;
	pid_t pid;

	if (img < 0)
		return snprintf(why, wlen, "no tmpfile"), -1;
	pid = fork();
	if (pid < 0)
		return snprintf(why, wlen, "fork"), -1;
	if (!pid) {
		long crid;

		if (ns && unshare(ns))
			_exit(NO_SUPPORT);
		/* a clock of its own, set before any process is in it */
		if (ns & CLONE_NEWTIME && time_offset())
			_exit(1);
		/* the namespaces of its children: the child is the one */
		if (ns & (CLONE_NEWPID | CLONE_NEWTIME)) {
			pid_t in = fork();

			if (in < 0)
				_exit(1);
			if (in) {
				st = cr_wait(in);
				_exit(st < 0 ? 1 : st);
			}
		}
		r = before();
		if (r)
			_exit(r == NO_SUPPORT ? NO_SUPPORT : 1);
		crid = sys_checkpoint(0, img, 0);
		if (crid < 0)
			_exit(errno == EOPNOTSUPP ? REFUSED : CKPT_ERR);
		if (crid > 0 && !ns)
			_exit(CR_ORIG_OK);
		if (crid > 0)
			_exit(restart_img(img, NULL) == CR_RESTART_OK ? CR_ORIG_OK : INSIDE_BAD);
		_exit(after());
	}
	st = cr_wait(pid);
	if (st == REFUSED)
		return 0;
	if (st == INSIDE_BAD)
		return snprintf(why, wlen, "restart inside the namespaces failed"), -1;
	if (ns && st == CR_ORIG_OK) {
		r = restart_img(img, NULL);
		close(img);
		if (r == 100 + EOPNOTSUPP)
			return 0;
		return snprintf(why, wlen, "restarted outside its namespaces: %s", describe(r)),
		       -1;
	}
	if (st == NO_SUPPORT)
		return 2;
	if (st != CR_ORIG_OK)
		return snprintf(why, wlen, "set-up or checkpoint failed: exit %d", st), -1;
	r = restart_img(img, NULL);
	close(img);
	if (r == CR_RESTART_OK)
		return 0;
	if (r > 100 && r < 256)
		snprintf(why, wlen, "checkpoint succeeded, restart failed: %s",
			 strerrorname_np(r - 100) ?: "?");
	else if (r >= CR_RESTART_BAD && r < CR_RESTART_BAD + 10)
		snprintf(why, wlen, "checkpoint succeeded, restarted without it (check %d)",
			 r - CR_RESTART_BAD);
	else
		snprintf(why, wlen, "checkpoint succeeded, restarted process: %s %d",
			 r >= 1000 ? "signal" : "exit", r >= 1000 ? r - 1000 : r);
	return -1;
}

static void kept_or_refused_test(struct __test_metadata *_metadata, int ns,
				 int (*before)(void), int (*after)(void))
{
	char why[160] = "";
	int r = kept_or_refused(ns, before, after, why, sizeof(why));

	if (r == 2)
		SKIP(return, "not supported here");
	EXPECT_EQ(0, r) TH_LOG("%s", why);
}

/* --- fds of kinds cr has no record for ---------------------------------- */

static int memfd_before(void)
{
	int fd = memfd_create("cr-memfd", 0);

	if (fd < 0 || write(fd, "hello", 5) != 5)
		return -1;
	return keep(fd, FD);
}

static int memfd_after(void)
{
	char buf[8];

	if (pread(FD, buf, 5, 0) != 5 || memcmp(buf, "hello", 5))
		return CR_RESTART_BAD;
	if (!fd_is(FD, "/memfd:cr-memfd"))
		return CR_RESTART_BAD + 1;
	return CR_RESTART_OK;
}

TEST(fd_memfd)
{
	kept_or_refused_test(_metadata, 0, memfd_before, memfd_after);
}

static char *memfd_map;

/*
 * A memfd sealed against writes (F_SEAL_FUTURE_WRITE), mapped shared and
 * read-only, its fd closed: the mapping may never become writable.
 */
static int memfd_map_before(void)
{
	int fd = memfd_create("cr-memfd-map", MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, 8192) || pwrite(fd, "sealed memfd", 13, 0) != 13 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_SEAL))
		return -1;
	memfd_map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (memfd_map == MAP_FAILED || memfd_map[0] != 's')
		return -1;
	/* the seal holds here */
	return mprotect(memfd_map, 8192, PROT_READ | PROT_WRITE) ? 0 : -1;
}

static int memfd_map_after(void)
{
	if (strcmp(memfd_map, "sealed memfd")) {
		fprintf(stderr, "# restarted: the memfd mapping holds \"%.12s\"\n", memfd_map);
		return CR_RESTART_BAD;
	}
	if (!mprotect(memfd_map, 8192, PROT_READ | PROT_WRITE)) {
		fprintf(stderr, "# restarted: the sealed memfd mapping became writable\n");
		return CR_RESTART_BAD + 1;
	}
	return CR_RESTART_OK;
}

TEST(memfd_mapped_sealed)
{
	kept_or_refused_test(_metadata, 0, memfd_map_before, memfd_map_after);
}

static char *shared;

/*
 * A shared anonymous mapping written by a child only: the pages are in
 * the mapping's shmem object, but not in this process's page tables.
 */
static int shared_before(void)
{
	pid_t pid;

	shared = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -1;
	pid = fork();
	if (!pid) {
		memcpy(shared + 4096, "written by a child", 19);
		_exit(0);
	}
	return cr_wait(pid);
}

static int shared_after(void)
{
	if (strcmp(shared + 4096, "written by a child")) {
		fprintf(stderr, "# restarted: the shared page holds \"%.18s\"\n", shared + 4096);
		return CR_RESTART_BAD;
	}
	return CR_RESTART_OK;
}

/* Shared anonymous memory this process never touched: its content. */
TEST(anon_shared_untouched)
{
	kept_or_refused_test(_metadata, 0, shared_before, shared_after);
}

static char *shm;
static int shm_id;

static int shm_before(void)
{
	shm_id = shmget(SHM_KEY, 4096, IPC_CREAT | 0600);
	if (shm_id < 0)
		return -1;
	shm = shmat(shm_id, NULL, 0);
	if (shm == (void *)-1)
		return -1;
	memcpy(shm, "sysv", 5);
	return 0;
}

static int shm_after(void)
{
	struct shmid_ds ds;

	if (strcmp(shm, "sysv"))
		return CR_RESTART_BAD;
	/* attached to the segment again, not to a copy */
	if (shmctl(shm_id, IPC_STAT, &ds) || ds.shm_nattch != 1)
		return CR_RESTART_BAD + 1;
	return CR_RESTART_OK;
}

TEST(sysv_shm_attached)
{
	int id;

	kept_or_refused_test(_metadata, 0, shm_before, shm_after);
	id = shmget(SHM_KEY, 0, 0);
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
}

#define SEM_KEY		0xc0de15

static int sem_undo_before(void)
{
	struct sembuf up = { .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO };
	int id = semget(SEM_KEY, 1, IPC_CREAT | 0600);

	/* undone when the process exits: state of the process, not of the set */
	return id < 0 || semop(id, &up, 1) ? -1 : 0;
}

static int sem_undo_after(void)
{
	int id = semget(SEM_KEY, 0, 0);

	/* its original's exit gave the 1 back; the restored process holds it again */
	return id >= 0 && semctl(id, 0, GETVAL) == 1 ? CR_RESTART_OK : CR_RESTART_BAD;
}

/* SEM_UNDO: the adjustments exit makes are kept (sysvsem.c), not dropped. */
TEST(sysv_sem_undo)
{
	int id;

	kept_or_refused_test(_metadata, 0, sem_undo_before, sem_undo_after);
	id = semget(SEM_KEY, 0, 0);
	if (id >= 0)
		semctl(id, 0, IPC_RMID);
}

static int pidfd_before(void)
{
	return keep(syscall(SYS_pidfd_open, getppid(), 0), FD);
}

static int pidfd_after(void)
{
	/* the test process, still there */
	if (syscall(SYS_pidfd_send_signal, FD, 0, NULL, 0))
		return CR_RESTART_BAD;
	return CR_RESTART_OK;
}

TEST(fd_pidfd)
{
	kept_or_refused_test(_metadata, 0, pidfd_before, pidfd_after);
}

static int uring_before(void)
{
	struct io_uring_params p = {};
	int fd = syscall(SYS_io_uring_setup, 4, &p);

	if (fd < 0)
		return errno == ENOSYS ? NO_SUPPORT : -1;
	return keep(fd, FD);
}

static int uring_after(void)
{
	return fd_is(FD, "anon_inode:[io_uring]") ? CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_io_uring)
{
	kept_or_refused_test(_metadata, 0, uring_before, uring_after);
}

static int uffd_before(void)
{
	int fd = syscall(SYS_userfaultfd, 0);

	if (fd < 0)
		return errno == ENOSYS ? NO_SUPPORT : -1;
	return keep(fd, FD);
}

static int uffd_after(void)
{
	return fd_is(FD, "anon_inode:[userfaultfd]") ? CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_userfaultfd)
{
	kept_or_refused_test(_metadata, 0, uffd_before, uffd_after);
}

static int inotify_before(void)
{
	int fd = inotify_init1(IN_NONBLOCK);

	mkdir("/tmp/cr-unsaved-dir", 0755);
	if (fd < 0 || inotify_add_watch(fd, "/tmp/cr-unsaved-dir", IN_CREATE) < 0)
		return -1;
	return keep(fd, FD);
}

static int inotify_after(void)
{
	char buf[512];
	int fd = open("/tmp/cr-unsaved-dir/x", O_CREAT | O_WRONLY, 0600);

	close(fd);
	unlink("/tmp/cr-unsaved-dir/x");
	return read(FD, buf, sizeof(buf)) > 0 ? CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_inotify)
{
	kept_or_refused_test(_metadata, 0, inotify_before, inotify_after);
}

static int fanotify_before(void)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);

	if (fd < 0)
		return errno == ENOSYS || errno == EPERM ? NO_SUPPORT : -1;
	return keep(fd, FD);
}

static int fanotify_after(void)
{
	return fd_is(FD, "anon_inode:[fanotify]") ? CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_fanotify)
{
	kept_or_refused_test(_metadata, 0, fanotify_before, fanotify_after);
}

static int eventfd_before(void)
{
	return keep(eventfd(5, EFD_NONBLOCK), FD);
}

static int eventfd_after(void)
{
	uint64_t v = 0;

	return read(FD, &v, sizeof(v)) == sizeof(v) && v == 5 ? CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_eventfd)
{
	kept_or_refused_test(_metadata, 0, eventfd_before, eventfd_after);
}

static int epoll_before(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int p[2], ep = epoll_create1(0);

	if (ep < 0 || pipe(p) || write(p[1], "x", 1) != 1)
		return -1;
	ev.data.fd = p[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev))
		return -1;
	return keep(ep, FD);
}

static int epoll_after(void)
{
	struct epoll_event ev;

	return epoll_wait(FD, &ev, 1, 0) == 1 ? CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_epoll)
{
	kept_or_refused_test(_metadata, 0, epoll_before, epoll_after);
}

static int timerfd_before(void)
{
	struct itimerspec it = { .it_value = { 3600, 0 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);

	if (fd < 0 || timerfd_settime(fd, 0, &it, NULL))
		return -1;
	return keep(fd, FD);
}

static int timerfd_after(void)
{
	struct itimerspec it;

	return !timerfd_gettime(FD, &it) && it.it_value.tv_sec > 3000 ? CR_RESTART_OK :
									 CR_RESTART_BAD;
}

TEST(fd_timerfd)
{
	kept_or_refused_test(_metadata, 0, timerfd_before, timerfd_after);
}

static int signalfd_before(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return keep(signalfd(-1, &set, SFD_NONBLOCK), FD);
}

static int signalfd_after(void)
{
	struct signalfd_siginfo si;

	raise(SIGUSR2);
	return read(FD, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR2 ?
	       CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_signalfd)
{
	kept_or_refused_test(_metadata, 0, signalfd_before, signalfd_after);
}

static int socket_before(void)
{
	int s[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s))
		return -1;
	return keep(s[0], FD) || keep(s[1], FD2);
}

static int socket_after(void)
{
	char c;

	return write(FD, "s", 1) == 1 && read(FD2, &c, 1) == 1 && c == 's' ?
	       CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_socket)
{
	kept_or_refused_test(_metadata, 0, socket_before, socket_after);
}

static int mq_before(void)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	mqd_t q;

	mq_unlink(MQ_NAME);
	q = mq_open(MQ_NAME, O_CREAT | O_RDWR | O_NONBLOCK, 0600, &attr);
	if (q < 0)
		return errno == ENOSYS ? NO_SUPPORT : -1;
	if (mq_send(q, "queued", 7, 1))
		return -1;
	return keep(q, FD);
}

static int mq_after(void)
{
	char buf[16];

	return mq_receive(FD, buf, sizeof(buf), NULL) == 7 && !strcmp(buf, "queued") ?
	       CR_RESTART_OK : CR_RESTART_BAD;
}

TEST(fd_mqueue)
{
	kept_or_refused_test(_metadata, 0, mq_before, mq_after);
	mq_unlink(MQ_NAME);
}

#define MQ_DIR	"/dev/mqueue"

/* The queue of fd_mqueue, reachable by a path: /dev/mqueue mounted, as systemd does. */
static int mq_mounted_before(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	int r;

	mkdir(MQ_DIR, 0755);
	if (mount("mqueue", MQ_DIR, "mqueue", 0, NULL) && errno != EBUSY)
		return errno == ENODEV ? NO_SUPPORT : -1;
	r = mq_before();
	if (r)
		return r;
	/* a process of the tree is told when a message arrives */
	return mq_notify(FD, &sev);
}

static int mq_mounted_after(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };

	/* still registered: EBUSY */
	if (!mq_notify(FD, &sev) || errno != EBUSY)
		return CR_RESTART_BAD;
	return mq_after();
}

/* With /dev/mqueue mounted, and a notification registered (mq_notify(3)). */
TEST(fd_mqueue_mounted)
{
	kept_or_refused_test(_metadata, 0, mq_mounted_before, mq_mounted_after);
	mq_unlink(MQ_NAME);
	umount(MQ_DIR);
}

/* --- namespaces ----------------------------------------------------------- */

static ino_t ns_ino[8];

static ino_t ns_of(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &st) ? 0 : st.st_ino;
}

static const char * const ns_names[] = { "uts", "ipc", "net", "mnt", "pid", "user" };

static int ns_save(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ns_names); i++)
		ns_ino[i] = ns_of(ns_names[i]);
	return 0;
}

/* Back in each namespace it was in. */
static int ns_after(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (ns_of(ns_names[i]) != ns_ino[i])
			return CR_RESTART_BAD + i;
	return CR_RESTART_OK;
}

static int uts_before(void)
{
	if (sethostname("cr-elsewhere", 12))
		return -1;
	return ns_save();
}

static int uts_after(void)
{
	struct utsname u;

	if (uname(&u) || strcmp(u.nodename, "cr-elsewhere"))
		return CR_RESTART_BAD + 9;
	return ns_after();
}

TEST(uts_namespace)
{
	if (getuid())
		SKIP(return, "needs root");
	kept_or_refused_test(_metadata, CLONE_NEWUTS, uts_before, uts_after);
}

static int ipc_before(void)
{
	if (msgget(MSG_KEY, IPC_CREAT | 0600) < 0)
		return -1;
	return ns_save();
}

static int ipc_after(void)
{
	if (msgget(MSG_KEY, 0) < 0)
		return CR_RESTART_BAD + 9;
	return ns_after();
}

TEST(ipc_namespace)
{
	if (getuid())
		SKIP(return, "needs root");
	kept_or_refused_test(_metadata, CLONE_NEWIPC, ipc_before, ipc_after);
}

TEST(net_namespace)
{
	if (getuid())
		SKIP(return, "needs root");
	kept_or_refused_test(_metadata, CLONE_NEWNET, ns_save, ns_after);
}

static int mnt_before(void)
{
	int fd;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", MNT, "tmpfs", 0, "size=64k"))
		return -1;
	fd = open(MNT "/marker", O_CREAT | O_WRONLY, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return ns_save();
}

static int mnt_after(void)
{
	if (access(MNT "/marker", F_OK))
		return CR_RESTART_BAD + 9;
	return ns_after();
}

TEST(mount_namespace)
{
	if (getuid())
		SKIP(return, "needs root");
	mkdir(MNT, 0755);
	kept_or_refused_test(_metadata, CLONE_NEWNS, mnt_before, mnt_after);
}

static int pid1_after(void)
{
	if (getpid() != 1)
		return CR_RESTART_BAD + 9;
	return ns_after();
}

TEST(pid_namespace)
{
	if (getuid())
		SKIP(return, "needs root");
	kept_or_refused_test(_metadata, CLONE_NEWPID, ns_save, pid1_after);
}

static ino_t time_ino;

static int time_before(void)
{
	struct timespec ts;

	time_ino = ns_of("time");
	if (time_ino != ns_of("time_for_children") ||
	    clock_gettime(CLOCK_MONOTONIC, &ts) || ts.tv_sec < TIME_OFFSET)
		return -1;
	return ns_save();
}

static int time_after(void)
{
	struct timespec ts;

	if (ns_of("time") != time_ino)
		return CR_RESTART_BAD + 8;
	/* its clock, 10 days ahead of the VM's few seconds of uptime */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) || ts.tv_sec < TIME_OFFSET)
		return CR_RESTART_BAD + 9;
	return ns_after();
}

/* A time namespace of its own (CONFIG_TIME_NS), with a clock offset. */
TEST(time_namespace)
{
	if (getuid())
		SKIP(return, "needs root");
	if (!ns_of("time"))
		SKIP(return, "no time namespaces");
	kept_or_refused_test(_metadata, CLONE_NEWTIME, time_before, time_after);
}

TEST(user_namespace)
{
	kept_or_refused_test(_metadata, CLONE_NEWUSER, ns_save, ns_after);
}

/* --- mappings, keys, filters --------------------------------------------- */

static char *wipe;

static int wipe_before(void)
{
	wipe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (wipe == MAP_FAILED)
		return -1;
	memset(wipe, 0xab, 4096);
	return madvise(wipe, 4096, MADV_WIPEONFORK);
}

static int wipe_after(void)
{
	pid_t pid;

	if ((unsigned char)wipe[0] != 0xab)
		return CR_RESTART_BAD;
	pid = fork();
	if (!pid)
		_exit(wipe[0] == 0 && wipe[4095] == 0 ? 0 : 1);
	return cr_wait(pid) == 0 ? CR_RESTART_OK : CR_RESTART_BAD + 1;
}

/* MADV_WIPEONFORK: after restart a child must still see zeros. */
TEST(madv_wipeonfork)
{
	kept_or_refused_test(_metadata, 0, wipe_before, wipe_after);
}

/* The VmFlags of the mapping holding @addr, from /proc/self/smaps. */
static int vm_flags(void *addr, char *out, size_t len)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[256];
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	out[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, "VmFlags:", 8))
			snprintf(out, len, "%s", line + 8);
	}
	if (f)
		fclose(f);
	return out[0] ? 0 : -1;
}

static const int advice[] = { MADV_RANDOM, MADV_SEQUENTIAL, MADV_DONTDUMP, MADV_DONTFORK,
			      MADV_HUGEPAGE, MADV_NOHUGEPAGE };
static char *adv_map[ARRAY_SIZE(advice)];
static char adv_flags[ARRAY_SIZE(advice)][256];

static int advice_before(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(advice); i++) {
		/* a gap between them, so they never merge */
		adv_map[i] = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (adv_map[i] == MAP_FAILED || munmap(adv_map[i] + 4096, 8192))
			return -1;
		adv_map[i][0] = 1;
		if (madvise(adv_map[i], 4096, advice[i]) ||
		    vm_flags(adv_map[i], adv_flags[i], sizeof(adv_flags[i])))
			return -1;
	}
	return 0;
}

static int advice_after(void)
{
	char now[256];
	unsigned int i;

	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(advice); i++) {
		if (vm_flags(adv_map[i], now, sizeof(now)) || strcmp(now, adv_flags[i])) {
			/* on the restarter's stderr, so in the test's output */
			fprintf(stderr, "# madvise %d: VmFlags %.*s -> %.*s\n", advice[i],
				(int)strcspn(adv_flags[i], "\n"), adv_flags[i],
				(int)strcspn(now, "\n"), now);
			if (!bad)
				bad = CR_RESTART_BAD + i;
		}
	}
	return bad ? bad : CR_RESTART_OK;
}

/*
 * madvise() flags of mappings (smaps VmFlags): RANDOM, SEQUENTIAL, DONTDUMP,
 * DONTFORK, HUGEPAGE, NOHUGEPAGE
 */
TEST(madvise_flags)
{
	kept_or_refused_test(_metadata, 0, advice_before, advice_after);
}

#define HUGE_SZ	(2UL << 20)	/* a huge page */

/* A field of the smaps entry of the mapping holding @addr, in kB; -1 if none. */
static long smaps_kb(void *addr, const char *field)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	long kb = -1, v;
	char line[256];
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, field, strlen(field)) &&
			 sscanf(line + strlen(field), " %ld", &v) == 1)
			kb = v;
	}
	if (f)
		fclose(f);
	return kb;
}

static unsigned char *thp;

static unsigned char thp_byte(size_t i)
{
	return (unsigned char)(i / 4096 * 7 + i % 251);
}

/* Two huge pages, filled, in a mapping with MADV_HUGEPAGE. */
static int thp_before(void)
{
	unsigned char *m = mmap(NULL, 3 * HUGE_SZ, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (m == MAP_FAILED)
		return -1;
	thp = (unsigned char *)(((unsigned long)m + HUGE_SZ - 1) & ~(HUGE_SZ - 1));
	if (madvise(thp, 2 * HUGE_SZ, MADV_HUGEPAGE))
		return -1;
	for (i = 0; i < 2 * HUGE_SZ; i++)
		thp[i] = thp_byte(i);
	/* nothing to save as a huge page, else: the test would prove nothing */
	return smaps_kb(thp, "AnonHugePages:") >= 2048 ? 0 : -1;
}

static int thp_after(void)
{
	char flags[256];
	size_t i;

	for (i = 0; i < 2 * HUGE_SZ; i++)
		if (thp[i] != thp_byte(i))
			return CR_RESTART_BAD;
	if (vm_flags(thp, flags, sizeof(flags)) || !strstr(flags, " hg"))
		return CR_RESTART_BAD + 1;
	return CR_RESTART_OK;
}

/*
 * Transparent huge pages (MADV_HUGEPAGE) are saved, not refused: every
 * byte comes back (as small pages), and the mapping keeps its advice.
 */
TEST(thp_saved)
{
	int img = cr_tmpfile(), st;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		long crid;

		if (thp_before())
			_exit(1);
		crid = sys_checkpoint(0, img, 0);
		if (crid < 0)
			_exit(errno == EOPNOTSUPP ? REFUSED : CKPT_ERR);
		_exit(crid > 0 ? CR_ORIG_OK : thp_after());
	}
	st = cr_wait(pid);
	ASSERT_EQ(CR_ORIG_OK, st) TH_LOG("%s", st == REFUSED ? "refused" :
					st == 1 ? "no huge page to save" : "checkpoint failed");
	st = restart_img(img, NULL);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("%s", describe(st));
	close(img);
}

static char *htlb;

/* Write @val to vm.nr_hugepages: 0, or -1. */
static int nr_hugepages(const char *val)
{
	int fd = open("/proc/sys/vm/nr_hugepages", O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static int htlb_before(void)
{
	if (nr_hugepages("2"))
		return -1;
	htlb = mmap(NULL, HUGE_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (htlb == MAP_FAILED)
		return -1;
	memset(htlb, 0x5a, HUGE_SZ);
	return 0;
}

static int htlb_after(void)
{
	char flags[256];

	if (vm_flags(htlb, flags, sizeof(flags)) || !strstr(flags, " ht"))
		return CR_RESTART_BAD;
	return htlb[0] == 0x5a && htlb[HUGE_SZ - 1] == 0x5a ? CR_RESTART_OK : CR_RESTART_BAD + 1;
}

static int htlb_fd_before(void)
{
	int fd;

	if (nr_hugepages("2"))
		return -1;
	fd = memfd_create("cr-huge", MFD_HUGETLB);
	if (fd < 0 || ftruncate(fd, HUGE_SZ))
		return -1;
	return keep(fd, 40);
}

static int htlb_fd_after(void)
{
	struct stat st;

	return !fstat(40, &st) && st.st_blksize == HUGE_SZ ? CR_RESTART_OK : CR_RESTART_BAD;
}

/* A hugetlb mapping, a hugetlb memfd: kept as they were, or refused. */
TEST(hugetlb)
{
	if (getuid())
		SKIP(return, "needs root (vm.nr_hugepages)");
	kept_or_refused_test(_metadata, 0, htlb_before, htlb_after);
	kept_or_refused_test(_metadata, 0, htlb_fd_before, htlb_fd_after);
	EXPECT_EQ(0, nr_hugepages("0"));
}

static char *pk_page;
static int pk_key = -1;
static sigjmp_buf pk_jmp;
static volatile int pk_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	pk_code = si->si_code;
	siglongjmp(pk_jmp, 1);
}

/* Does reading @p fault with SEGV_PKUERR? */
static int pkey_denied(volatile char *p)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	int denied = 0;

	sigaction(SIGSEGV, &sa, &old);
	pk_code = 0;
	if (!sigsetjmp(pk_jmp, 1))
		(void)p[0];
	else
		denied = pk_code == SEGV_PKUERR;
	sigaction(SIGSEGV, &old, NULL);
	return denied;
}

static int cpu_has(const char *flag)
{
	char line[4096], word[64];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	snprintf(word, sizeof(word), " %s", flag);
	while (f && !found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			char *p = strstr(line, word);

			found = p && (p[strlen(word)] == ' ' || p[strlen(word)] == '\n');
		}
	if (f)
		fclose(f);
	return found;
}

static int pkey_before(void)
{
	pk_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pk_page == MAP_FAILED)
		return -1;
	pk_page[0] = 'k';
	pk_key = syscall(SYS_pkey_alloc, 0, PKEY_DISABLE_ACCESS);
	if (pk_key < 0)
		return NO_SUPPORT;
	if (syscall(SYS_pkey_mprotect, pk_page, 4096, PROT_READ | PROT_WRITE, pk_key))
		return -1;
	/* the key works here */
	return pkey_denied(pk_page) ? 0 : NO_SUPPORT;
}

/* The ProtectionKey of the mapping holding @addr (smaps), or -1. */
static int pkey_of(void *addr)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0, key = -1;
	char line[128];

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, "ProtectionKey:", 14))
			key = atoi(line + 14);
	}
	if (f)
		fclose(f);
	return key;
}

static int pkey_after(void)
{
	int denied = pkey_denied(pk_page), key = pkey_of(pk_page), freed;

	/* the key still allocated: it can be freed */
	freed = !syscall(SYS_pkey_free, pk_key);
	fprintf(stderr, "# restarted: page %s, ProtectionKey %d (was %d), pkey_free(%d) %s\n",
		denied ? "denied" : "readable", key, pk_key, pk_key, freed ? "ok" : "failed");
	/* the page still under its key, access still denied */
	if (!denied)
		return CR_RESTART_BAD;
	if (key != pk_key)
		return CR_RESTART_BAD + 1;
	if (!freed)
		return CR_RESTART_BAD + 2;
	return CR_RESTART_OK;
}

/* Protection keys: a page under a key that denies access. */
TEST(pkey_page)
{
	if (!cpu_has("pku") || !cpu_has("ospke"))
		SKIP(return, "no pku/ospke in /proc/cpuinfo");
	kept_or_refused_test(_metadata, 0, pkey_before, pkey_after);
}

static int seccomp_before(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return errno == EINVAL || errno == ENOSYS ? NO_SUPPORT : -1;
	return syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : -1;
}

static int seccomp_after(void)
{
	/* the filter still denies getppid() */
	if (syscall(SYS_getppid) != -1 || errno != EPERM)
		return CR_RESTART_BAD;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return CR_RESTART_BAD + 1;
	return CR_RESTART_OK;
}

/* A seccomp filter (and no_new_privs). */
TEST(seccomp_filter)
{
	kept_or_refused_test(_metadata, 0, seccomp_before, seccomp_after);
}

static int pkt_before(void)
{
	int p[2];

	if (pipe2(p, O_DIRECT) || write(p[1], "abc", 3) != 3 || write(p[1], "defgh", 5) != 5)
		return -1;
	return keep(p[0], FD) || keep(p[1], FD2);
}

static int pkt_after(void)
{
	char buf[64];
	ssize_t n = read(FD, buf, sizeof(buf));

	/* each write one packet: one read each */
	if (n != 3) {
		fprintf(stderr, "# restarted: first read of the packet pipe: %zd bytes\n", n);
		return CR_RESTART_BAD;
	}
	if (read(FD, buf, sizeof(buf)) != 5)
		return CR_RESTART_BAD;
	if (!(fcntl(FD2, F_GETFL) & O_DIRECT))
		return CR_RESTART_BAD + 1;
	if (write(FD2, "xy", 2) != 2 || write(FD2, "z", 1) != 1 ||
	    read(FD, buf, sizeof(buf)) != 2 || read(FD, buf, sizeof(buf)) != 1)
		return CR_RESTART_BAD + 2;
	return CR_RESTART_OK;
}

/* A packet-mode pipe (O_DIRECT): message boundaries of buffered and new writes. */
TEST(packet_pipe)
{
	kept_or_refused_test(_metadata, 0, pkt_before, pkt_after);
}

static int notif_before(void)
{
	int p[2];

	if (pipe2(p, O_NOTIFICATION_PIPE))
		return errno == EINVAL || errno == ENOPKG ? NO_SUPPORT : -1;
	if (ioctl(p[0], IOC_WATCH_QUEUE_SET_SIZE, 16))
		return -1;
	return keep(p[0], FD) || keep(p[1], FD2);
}

static int notif_after(void)
{
	ssize_t n = write(FD2, "x", 1);

	/* a notification pipe takes no write(2) */
	if (n != -1 || errno != EXDEV) {
		fprintf(stderr, "# restarted: write(2) to the notification pipe: %zd\n", n);
		return CR_RESTART_BAD;
	}
	return CR_RESTART_OK;
}

/* A notification pipe (O_NOTIFICATION_PIPE, CONFIG_WATCH_QUEUE). */
TEST(notification_pipe)
{
	kept_or_refused_test(_metadata, 0, notif_before, notif_after);
}

/* --- registrations, sandboxes, secret memory ------------------------------ */

#define MB_REGS	(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED | \
		 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | \
		 MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED)

static int membarrier_before(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) ||
	    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) ||
	    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0))
		return errno == EINVAL || errno == ENOSYS ? NO_SUPPORT : -1;
	return syscall(SYS_membarrier, MEMBARRIER_CMD_GET_REGISTRATIONS, 0, 0) == MB_REGS ? 0 : -1;
}

static int membarrier_after(void)
{
	long regs = syscall(SYS_membarrier, MEMBARRIER_CMD_GET_REGISTRATIONS, 0, 0);

	if (regs != MB_REGS) {
		fprintf(stderr, "# restarted: membarrier registrations %#lx\n", regs);
		return CR_RESTART_BAD;
	}
	/* EPERM when not registered */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) ||
	    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) ||
	    syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0))
		return CR_RESTART_BAD + 1;
	return CR_RESTART_OK;
}

/* membarrier(2) registrations of the mm (userspace RCU, managed runtimes). */
TEST(membarrier_registered)
{
	kept_or_refused_test(_metadata, 0, membarrier_before, membarrier_after);
}

static int landlock_before(void)
{
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_WRITE_FILE,
	};
	int fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);

	if (fd < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? NO_SUPPORT : -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_landlock_restrict_self, fd, 0))
		return -1;
	close(fd);
	/* no file may be opened for writing now */
	return open("/tmp/cr-unsaved-landlock", O_WRONLY | O_CREAT, 0600) == -1 &&
	       errno == EACCES ? 0 : -1;
}

static int landlock_after(void)
{
	int fd = open("/tmp/cr-unsaved-landlock", O_WRONLY | O_CREAT, 0600);

	if (fd >= 0) {
		close(fd);
		unlink("/tmp/cr-unsaved-landlock");
		return CR_RESTART_BAD;
	}
	return CR_RESTART_OK;
}

/* A Landlock sandbox (part of the credentials, which restart gives anew). */
TEST(landlock_sandbox)
{
	kept_or_refused_test(_metadata, 0, landlock_before, landlock_after);
}

/* --- keyrings (keyctl(2)), part of the credentials ---------------------- */

/* Add a key "cr-key" with payload "secret" to @keyring. */
static int key_add(int keyring)
{
	if (syscall(SYS_add_key, "user", "cr-key", "secret", 6, keyring) < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? NO_SUPPORT : -1;
	return 0;
}

/* Is "cr-key" with its payload in @keyring? */
static int key_found(int keyring)
{
	char buf[16];
	long id = syscall(SYS_keyctl, KEYCTL_SEARCH, keyring, "user", "cr-key", 0);

	if (id < 0)
		return CR_RESTART_BAD;
	if (syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf)) != 6 ||
	    memcmp(buf, "secret", 6))
		return CR_RESTART_BAD + 1;
	return CR_RESTART_OK;
}

static int key_thread_before(void)
{
	return key_add(KEY_SPEC_THREAD_KEYRING);
}

static int key_thread_after(void)
{
	return key_found(KEY_SPEC_THREAD_KEYRING);
}

static int key_process_before(void)
{
	return key_add(KEY_SPEC_PROCESS_KEYRING);
}

static int key_process_after(void)
{
	return key_found(KEY_SPEC_PROCESS_KEYRING);
}

/* A key in the thread's or the process's own keyring. */
TEST(keyring_thread)
{
	kept_or_refused_test(_metadata, 0, key_thread_before, key_thread_after);
}

TEST(keyring_process)
{
	kept_or_refused_test(_metadata, 0, key_process_before, key_process_after);
}

static char *secret;

static int secretmem_before(void)
{
	int fd = syscall(SYS_memfd_secret, 0);

	if (fd < 0)
		return errno == ENOSYS ? NO_SUPPORT : -1;
	return ftruncate(fd, 4096) ?: keep(fd, FD);
}

static int secretmem_after(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, FD, 0);

	return p != MAP_FAILED && fd_is(FD, "/secretmem") ? CR_RESTART_OK : CR_RESTART_BAD;
}

/* memfd_secret(2): an fd of memory the kernel cannot read. */
TEST(secretmem)
{
	kept_or_refused_test(_metadata, 0, secretmem_before, secretmem_after);
}

static int secretmem_map_before(void)
{
	int r = secretmem_before();

	if (r)
		return r;
	secret = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, FD, 0);
	if (secret == MAP_FAILED)
		return -1;
	memcpy(secret, "secret", 7);
	return close(FD);
}

static int secretmem_map_after(void)
{
	return strcmp(secret, "secret") ? CR_RESTART_BAD : CR_RESTART_OK;
}

/* A mapping of it, its fd closed. */
TEST(secretmem_mapped)
{
	kept_or_refused_test(_metadata, 0, secretmem_map_before, secretmem_map_after);
}

/* --- NUMA memory policies, names of anonymous memory, KSM ---------------- */

#define NODE_BITS	1024	/* a mask as long as any kernel's MAX_NUMNODES */

/* get_mempolicy(2) of the task (@addr NULL) or of the mapping at @addr. */
static int policy_of(void *addr, int *mode, unsigned long *mask)
{
	memset(mask, 0, NODE_BITS / 8);
	return syscall(SYS_get_mempolicy, mode, mask, NODE_BITS, addr, addr ? MPOL_F_ADDR : 0);
}

/* Is the policy at @addr (the task's if NULL) @mode with the nodes @nodes? */
static int policy_is(void *addr, int mode, unsigned long nodes, const char *what)
{
	unsigned long mask[NODE_BITS / 64];
	int now, i;

	if (policy_of(addr, &now, mask))
		return -1;
	for (i = 1; i < NODE_BITS / 64; i++)
		if (mask[i])
			break;
	if (now == mode && mask[0] == nodes && i == NODE_BITS / 64)
		return 0;
	fprintf(stderr, "# %s: policy %#x nodes %#lx, not %#x nodes %#lx\n", what, now,
		mask[0], mode, nodes);
	return -1;
}

static int set_policy(int mode, unsigned long nodes)
{
	if (!syscall(SYS_set_mempolicy, mode, &nodes, 64))
		return 0;
	return errno == ENOSYS ? NO_SUPPORT : -1;
}

/* Node 0 and node 3, which this machine need not have, as given. */
#define TASK_POLICY	(MPOL_INTERLEAVE | MPOL_F_STATIC_NODES)
#define TASK_NODES	0x9UL

static int task_policy_before(void)
{
	return set_policy(TASK_POLICY, TASK_NODES);
}

static int task_policy_after(void)
{
	char *p = malloc(1 << 20);

	if (policy_is(NULL, TASK_POLICY, TASK_NODES, "task"))
		return CR_RESTART_BAD;
	/* and memory comes from it */
	if (!p)
		return CR_RESTART_BAD + 1;
	memset(p, 1, 1 << 20);
	free(p);
	return CR_RESTART_OK;
}

/* set_mempolicy(2): the policy of the task (numactl --interleave). */
TEST(mempolicy_task)
{
	kept_or_refused_test(_metadata, 0, task_policy_before, task_policy_after);
}

/* Mappings with their own policies, one of them only in part. */
static const struct {
	int mode;
	unsigned long nodes;	/* as given to mbind(2) */
	unsigned long seen;	/* as get_mempolicy(2) returns them */
} vma_pol[] = {
	{ MPOL_BIND, 0x1, 0x1 },
	{ MPOL_PREFERRED | MPOL_F_RELATIVE_NODES, 0x2, 0x2 },
	{ MPOL_INTERLEAVE, 0x1, 0x1 },
	{ MPOL_LOCAL, 0, 0 },
	{ MPOL_PREFERRED_MANY, 0x1, 0x1 },
	{ MPOL_DEFAULT, 0, 0 },
};

static char *pol_map[ARRAY_SIZE(vma_pol)];

static int vma_policy_before(void)
{
	unsigned int i;

	if (set_policy(MPOL_PREFERRED, 0x1))
		return NO_SUPPORT;
	for (i = 0; i < ARRAY_SIZE(vma_pol); i++) {
		unsigned long nodes = vma_pol[i].nodes;

		/* a gap after each; the policy on the first of its three pages */
		pol_map[i] = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (pol_map[i] == MAP_FAILED || munmap(pol_map[i] + 3 * 4096, 4096))
			return -1;
		if (vma_pol[i].mode != MPOL_DEFAULT &&
		    syscall(SYS_mbind, pol_map[i], 4096, vma_pol[i].mode, &nodes, 64, 0))
			return -1;
		pol_map[i][0] = 1;
		pol_map[i][4096] = 2;
	}
	return 0;
}

static int vma_policy_after(void)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(vma_pol); i++) {
		if (pol_map[i][0] != 1 || pol_map[i][4096] != 2)
			return CR_RESTART_BAD;
		if (policy_is(pol_map[i], vma_pol[i].mode, vma_pol[i].seen, "mapping") ||
		    policy_is(pol_map[i] + 4096, MPOL_DEFAULT, 0, "its rest"))
			bad = CR_RESTART_BAD + 1;
	}
	return bad ?: policy_is(NULL, MPOL_PREFERRED, 0x1, "task") ? CR_RESTART_BAD + 2 :
	       CR_RESTART_OK;
}

/* mbind(2): the policies of mappings, and the task's beside them. */
TEST(mempolicy_mappings)
{
	kept_or_refused_test(_metadata, 0, vma_policy_before, vma_policy_after);
}

#define PLACED_PAGES	16

/* The node of the page at @p (move_pages(2) without moving), or -1. */
static int node_of(void *p)
{
	void *pages[1] = { p };
	int status = -1;

	if (syscall(SYS_move_pages, 0, 1, pages, NULL, &status, 0))
		return -1;
	return status;
}

static char *placed[2];

/* A mapping bound to each node, its pages there (numa=fake=2 in the VM). */
static int placed_before(void)
{
	int n, i;

	if (access("/sys/devices/system/node/node1", F_OK))
		return NO_SUPPORT;
	for (n = 0; n < 2; n++) {
		unsigned long node = 1UL << n;

		placed[n] = mmap(NULL, PLACED_PAGES * 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (placed[n] == MAP_FAILED ||
		    syscall(SYS_mbind, placed[n], PLACED_PAGES * 4096, MPOL_BIND, &node, 64, 0))
			return -1;
		for (i = 0; i < PLACED_PAGES; i++) {
			placed[n][i * 4096] = n + 1;
			if (node_of(placed[n] + i * 4096) != n)
				return errno == ENOSYS ? NO_SUPPORT : -1;
		}
	}
	return 0;
}

static int placed_after(void)
{
	int n, i, bad = 0;

	for (n = 0; n < 2; n++)
		for (i = 0; i < PLACED_PAGES; i++) {
			if (placed[n][i * 4096] != n + 1)
				return CR_RESTART_BAD;
			if (node_of(placed[n] + i * 4096) != n && !bad++)
				fprintf(stderr, "# page %d bound to node %d: on node %d\n", i, n,
					node_of(placed[n] + i * 4096));
		}
	return bad ? CR_RESTART_BAD + 1 : CR_RESTART_OK;
}

/* The restored pages of a bound mapping are on its node, as a fault puts them. */
TEST(mempolicy_pages_placed)
{
	kept_or_refused_test(_metadata, 0, placed_before, placed_after);
}

static int refused_after(void)
{
	return CR_RESTART_BAD;
}

/* Expect a checkpoint of the state @before makes to be refused. */
static void refused_test(struct __test_metadata *_metadata, int (*before)(void))
{
	kept_or_refused_test(_metadata, 0, before, refused_after);
}

static int shm_policy_before(void)
{
	unsigned long node0 = 1;
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (syscall(SYS_mbind, p, 4096, MPOL_BIND, &node0, 64, 0))
		return errno == ENOSYS ? NO_SUPPORT : -1;
	/* the policy is the shared memory object's: it outlives the mapping */
	return munmap(p, 4096);
}

/* mbind(2) on shared memory gives the object a policy: refused. */
TEST(mempolicy_shared_refused)
{
	refused_test(_metadata, shm_policy_before);
}

#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node	450
#endif

static int home_node_before(void)
{
	unsigned long node0 = 1;
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (syscall(SYS_mbind, p, 4096, MPOL_BIND, &node0, 64, 0) ||
	    syscall(SYS_set_mempolicy_home_node, p, 4096, 0, 0))
		return errno == ENOSYS ? NO_SUPPORT : -1;
	return 0;
}

/* set_mempolicy_home_node(2): refused. */
TEST(mempolicy_home_node_refused)
{
	refused_test(_metadata, home_node_before);
}

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

/* The name /proc/self/maps gives the mapping at @addr, "" if none. */
static int maps_name(void *addr, char *out, size_t len)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[512];
	int n, found = -1;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &n) < 2 ||
		    a < lo || a >= hi)
			continue;
		snprintf(out, len, "%.*s", (int)strcspn(line + n, "\n"), line + n);
		found = 0;
	}
	if (f)
		fclose(f);
	return found;
}

static const char *const anon_names[] = {
	"cr heap", "cr-shared", "",
	/* the longest name there is, 79 characters */
	"cr-0123456789012345678901234567890123456789012345678901234567890123456789012345",
};

static char *named[ARRAY_SIZE(anon_names)];
static char named_maps[ARRAY_SIZE(anon_names)][128];

static int anon_name_before(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(anon_names); i++) {
		int shared = i == 1 ? MAP_SHARED : MAP_PRIVATE;

		named[i] = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
				shared | MAP_ANONYMOUS, -1, 0);
		if (named[i] == MAP_FAILED || munmap(named[i] + 2 * 4096, 4096))
			return -1;
		named[i][0] = 'a' + i;
		if (anon_names[i][0] &&
		    prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, named[i], 4096, anon_names[i]))
			return errno == EINVAL ? NO_SUPPORT : -1;
		if (maps_name(named[i], named_maps[i], sizeof(named_maps[i])))
			return -1;
	}
	/* the name shows, or this tests nothing */
	return strstr(named_maps[0], "cr heap") ? 0 : -1;
}

static int anon_name_after(void)
{
	char now[128], rest[128];
	unsigned int i;
	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(anon_names); i++) {
		if (named[i][0] != 'a' + (int)i)
			return CR_RESTART_BAD;
		if (maps_name(named[i], now, sizeof(now)) || strcmp(now, named_maps[i]) ||
		    maps_name(named[i] + 4096, rest, sizeof(rest)) || strstr(rest, "cr")) {
			fprintf(stderr, "# mapping %u: \"%s\", was \"%s\"\n", i, now,
				named_maps[i]);
			bad = CR_RESTART_BAD + 1;
		}
	}
	return bad ?: CR_RESTART_OK;
}

/* PR_SET_VMA_ANON_NAME: the names of anonymous mappings, private and shared. */
TEST(anon_vma_names)
{
	kept_or_refused_test(_metadata, 0, anon_name_before, anon_name_after);
}

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE	67
#define PR_GET_MEMORY_MERGE	68
#endif

static char *mergeable;

static int ksm_before(void)
{
	char flags[256];

	mergeable = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mergeable == MAP_FAILED || munmap(mergeable + 2 * 4096, 4096))
		return -1;
	if (madvise(mergeable, 4096, MADV_MERGEABLE))
		return errno == EINVAL ? NO_SUPPORT : -1;
	return vm_flags(mergeable, flags, sizeof(flags)) || !strstr(flags, " mg") ? -1 : 0;
}

static int ksm_after(void)
{
	char flags[256];

	if (vm_flags(mergeable, flags, sizeof(flags)) || !strstr(flags, " mg"))
		return CR_RESTART_BAD;
	if (vm_flags(mergeable + 4096, flags, sizeof(flags)) || strstr(flags, " mg"))
		return CR_RESTART_BAD + 1;
	return prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0) == 0 ? CR_RESTART_OK : CR_RESTART_BAD + 2;
}

/* MADV_MERGEABLE: pages KSM may merge. */
TEST(ksm_mergeable)
{
	kept_or_refused_test(_metadata, 0, ksm_before, ksm_after);
}

static int merge_any_before(void)
{
	if (prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0))
		return errno == EINVAL ? NO_SUPPORT : -1;
	mergeable = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mergeable == MAP_FAILED || munmap(mergeable + 2 * 4096, 4096))
		return -1;
	/* all but this page */
	return madvise(mergeable + 4096, 4096, MADV_UNMERGEABLE);
}

static int merge_any_after(void)
{
	char flags[256];
	char *p;

	if (prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0) != 1)
		return CR_RESTART_BAD;
	if (vm_flags(mergeable, flags, sizeof(flags)) || !strstr(flags, " mg"))
		return CR_RESTART_BAD + 1;
	if (vm_flags(mergeable + 4096, flags, sizeof(flags)) || strstr(flags, " mg"))
		return CR_RESTART_BAD + 2;
	/* new mappings are mergeable too (read-only: it merges with no neighbour) */
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || vm_flags(p, flags, sizeof(flags)) || !strstr(flags, " mg"))
		return CR_RESTART_BAD + 3;
	return CR_RESTART_OK;
}

/* PR_SET_MEMORY_MERGE: the whole process is KSM's. */
TEST(ksm_merge_any)
{
	kept_or_refused_test(_metadata, 0, merge_any_before, merge_any_after);
}

/* --- restart's mmap-time checks (F15) and MDWE (F6) ---------------------- */

#define BIG	(64 << 20)

/* Self image of a child that ran @before; -1 on failure. */
static int image_of(int (*before)(void), int (*after)(void))
{
	int img = cr_tmpfile();
	pid_t pid;

	if (img < 0)
		return -1;
	pid = fork();
	if (!pid) {
		if (before())
			_exit(1);
		if (cr_self_checkpoint(img))
			_exit(CR_ORIG_OK);
		_exit(after());
	}
	return cr_wait(pid) == CR_ORIG_OK ? img : -1;
}

static int ok_after(void)
{
	return CR_RESTART_OK;
}

static int big_before(void)
{
	char *p = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	p[0] = 1;
	return 0;
}

static int low_rlimit_as(void)
{
	struct rlimit rl = { 32 << 20, 32 << 20 };

	return setrlimit(RLIMIT_AS, &rl);
}

/*
 * The image maps 64 MiB; the restarter's RLIMIT_AS is 32 MiB.  Expected:
 * ENOMEM returned, the caller intact, not a SIGKILL past the point of no
 * return.
 */
TEST(rlimit_as_refused_early)
{
	int img = image_of(big_before, ok_after), r;

	ASSERT_GE(img, 0);
	r = restart_img(img, low_rlimit_as);
	EXPECT_EQ(100 + ENOMEM, r) TH_LOG("restart under RLIMIT_AS: %s", describe(r));
	close(img);
}

static int wx_before(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	p[0] = 1;
	return 0;
}

static int mdwe(void)
{
	return prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0);
}

/*
 * The image has a writable and executable mapping; the restarter has
 * PR_SET_MDWE, which refuses one.  Expected: an errno (EACCES, EPERM)
 * before the point of no return, not a SIGKILL.
 */
TEST(mdwe_wx_refused_early)
{
	int img = image_of(wx_before, ok_after), r;

	ASSERT_GE(img, 0);
	r = restart_img(img, mdwe);
	EXPECT_TRUE(r == 100 + EACCES || r == 100 + EPERM)
		TH_LOG("restart under MDWE: %s", describe(r));
	close(img);
}

/* mov $42, %eax; ret */
static const unsigned char code42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
static char *code_page;

static int code_before(void)
{
	code_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code_page == MAP_FAILED)
		return -1;
	memcpy(code_page, code42, sizeof(code42));
	return mprotect(code_page, 4096, PROT_READ | PROT_EXEC);
}

/* 42: ran the image's code under MDWE; 43: MDWE was dropped */
static int code_after(void)
{
	int (*fn)(void) = (int (*)(void))code_page;

	if (prctl(PR_GET_MDWE, 0, 0, 0, 0) != PR_MDWE_REFUSE_EXEC_GAIN)
		return 43;
	return fn();
}

/*
 * F6: restart writes the image's bytes into an executable mapping
 * (FOLL_FORCE), for a restarter under PR_SET_MDWE, which may not make
 * memory executable with contents of its choice.  Expected: refused
 * (EPERM, EACCES).
 */
TEST(mdwe_exec_content)
{
	int img = image_of(code_before, code_after), r;

	ASSERT_GE(img, 0);
	r = restart_img(img, mdwe);
	EXPECT_TRUE(r == 100 + EACCES || r == 100 + EPERM)
		TH_LOG("restart under MDWE: %s", r == 42 ? "ran code from the image (42)" :
		       r == 43 ? "MDWE dropped" : describe(r));
	close(img);
}

/* --- a shared mapping of a file opened read-only ------------------------ */

#define RO_FILE	"/tmp/cr-unsaved-ro"

static char *ro_map;

/* The permissions /proc/self/maps gives the mapping at @addr ("r--s"). */
static int maps_perms(void *addr, char *out)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[512], perms[5];
	int found = -1;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && a >= lo && a < hi) {
			memcpy(out, perms, 5);
			found = 0;
		}
	if (f)
		fclose(f);
	return found;
}

static int ro_shared_before(void)
{
	int fd = open(RO_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char perms[5];

	if (fd < 0 || write(fd, "shared", 6) != 6 || close(fd))
		return -1;
	fd = open(RO_FILE, O_RDONLY);
	if (fd < 0)
		return -1;
	ro_map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (ro_map == MAP_FAILED || maps_perms(ro_map, perms) || strcmp(perms, "r--s"))
		return -1;
	/* a shared mapping of a read-only file never becomes writable */
	return mprotect(ro_map, 4096, PROT_READ | PROT_WRITE) == -1 && errno == EACCES ? 0 : -1;
}

static int ro_shared_after(void)
{
	char perms[5];
	int fd;

	if (memcmp(ro_map, "shared", 6))
		return CR_RESTART_BAD;
	if (maps_perms(ro_map, perms) || strcmp(perms, "r--s"))
		return CR_RESTART_BAD + 1;
	if (mprotect(ro_map, 4096, PROT_READ | PROT_WRITE) != -1 || errno != EACCES)
		return CR_RESTART_BAD + 2;
	/* and it still shares the file's pages */
	fd = open(RO_FILE, O_WRONLY);
	if (fd < 0 || pwrite(fd, "SHARED", 6, 0) != 6)
		return CR_RESTART_BAD + 3;
	close(fd);
	return memcmp(ro_map, "SHARED", 6) ? CR_RESTART_BAD + 4 : CR_RESTART_OK;
}

/*
 * MAP_SHARED of a file opened read-only: the kernel drops VM_SHARED and
 * VM_MAYWRITE but it is still a shared mapping ("r--s"), which
 * mprotect(2) may never make writable.
 */
TEST(file_shared_read_only)
{
	kept_or_refused_test(_metadata, 0, ro_shared_before, ro_shared_after);
	unlink(RO_FILE);
}

/* --- audit: syscall contexts, login uid and session -------------------- */

/* Enable or disable audit (AUDIT_SET): 0, NO_SUPPORT, or -1. */
static int audit_enable(int on)
{
	struct {
		struct nlmsghdr nh;
		struct audit_status s;
	} req = {
		.nh = {
			.nlmsg_len = sizeof(req), .nlmsg_type = AUDIT_SET,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		},
		.s = { .mask = AUDIT_STATUS_ENABLED, .enabled = on },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT), ret = -1;

	if (fd < 0)
		return errno == EPROTONOSUPPORT ? NO_SUPPORT : -1;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) == sizeof(req) &&
	    recv(fd, &ack, sizeof(ack), 0) >= (ssize_t)sizeof(ack.nh) &&
	    ack.nh.nlmsg_type == NLMSG_ERROR && !ack.err.error)
		ret = 0;
	close(fd);
	return ret;
}

static char callers_loginuid[16], callers_session[16];

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static int audit_before(void)
{
	char buf[16];
	int fd = open("/proc/self/loginuid", O_WRONLY);

	/* a login of its own: loginuid 4242, a new session id */
	if (fd < 0)
		return errno == ENOENT ? NO_SUPPORT : -1;
	if (write(fd, "4242", 4) != 4)
		return -1;
	close(fd);
	return read_small("/proc/self/loginuid", buf, sizeof(buf)) || strcmp(buf, "4242");
}

static int audit_after(void)
{
	char uid[16], session[16];

	if (read_small("/proc/self/loginuid", uid, sizeof(uid)) ||
	    read_small("/proc/self/sessionid", session, sizeof(session)))
		return CR_RESTART_BAD;
	/* the restarter's, as its credentials are (usage.rst) */
	if (strcmp(uid, callers_loginuid) || strcmp(session, callers_session))
		return CR_RESTART_BAD + 1;
	return CR_RESTART_OK;
}

/*
 * With audit on, every syscall (restart's too, and those the restarted
 * tasks were in) runs with an audit context; the login uid and session
 * are the restarter's.
 */
TEST(audit_login)
{
	int r = audit_enable(1);

	if (r == NO_SUPPORT)
		SKIP(return, "no audit");
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, read_small("/proc/self/loginuid", callers_loginuid,
				sizeof(callers_loginuid)));
	ASSERT_EQ(0, read_small("/proc/self/sessionid", callers_session,
				sizeof(callers_session)));
	kept_or_refused_test(_metadata, 0, audit_before, audit_after);
	EXPECT_EQ(0, audit_enable(0));
}

TEST_HARNESS_MAIN
