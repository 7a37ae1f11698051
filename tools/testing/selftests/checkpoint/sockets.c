// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: unix sockets (#15).
 *
 * A child makes socket pairs of each type with bytes queued in both
 * directions (a stream partly read, datagrams of several sizes, an empty
 * one, seqpacket records), a pair with SO_PASSCRED, a pair shut down one
 * way, an end whose other end was closed with bytes left for it, and a
 * socket that is neither bound nor connected, a listening socket on an
 * abstract name, with options set; it stops
 * itself, is checkpointed, killed and restarted (or, for the reference
 * run, only continued), then reads everything back and writes what it
 * found to a result file: bytes in order, message boundaries, credentials
 * (the pid the restored sender has), SO_PEERCRED, options, shutdown state.
 *
 * Then a tree: a parent and its child, each holding one end of a stream
 * and of a datagram pair, each with messages queued from the other; after
 * restart each reads its peer's bytes with the peer's restored pid.
 *
 * Then INET sockets: TCP listeners (IPv4 and IPv6), bound and connected UDP
 * sockets, a fresh TCP socket: on their ports, with their options; UDP
 * datagrams queued, with their sources.  And Debian's busybox httpd,
 * restarted idle, serving again.
 *
 * And the errors: files in flight (SCM_RIGHTS), a connection not accepted
 * yet, a socket bound to a relative path whose file is gone, a datagram
 * queued with IP_PKTINFO, IP_RECVERR, a netlink socket and a TCP
 * connection closing are refused with EOPNOTSUPP and the
 * process runs on; an abstract name or a TCP port still taken fails
 * restart with EADDRINUSE, queued credentials the restarter could not send
 * itself and more bytes queued than it could queue fail it with EPERM,
 * before anything changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <linux/sockios.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "cr_child.h"
#include "cr_image.h"
#include "../kselftest_harness.h"

#define RESULT		"/tmp/cr-sockets-result"
#define RESULT_CHILD	"/tmp/cr-sockets-result-child"
#define BIG		100000	/* a datagram's bytes */

/* Where the child keeps its sockets, above the fds the C library uses. */
enum { S0 = 40, S1, D0, D1, Q0, Q1, P0, P1, H0, H1, O0, N0, L0, NR_FDS };

/* What the child finds in its sockets once continued. */
struct sock_result {
	int bad;		/* a step failed: its line */
	char s0[16];		/* what S0 reads: the rest of "hello world" */
	char s1[8];		/* what S1 reads: "back" */
	int s0_again;		/* errno of reading S0 once more: EAGAIN */
	int d_sizes[5];		/* the datagrams D0 reads, and -errno after them */
	int d_big_ok;		/* the big datagram's bytes are right */
	int q_sizes[3];		/* the records Q1 reads, and -errno after them */
	char q[4];		/* their bytes */
	int cred_pid_ok;	/* SCM_CREDENTIALS of P0's message: our pid, uid, gid */
	int cred_uid_ok;
	int peercred_ok;	/* SO_PEERCRED of P0: our pid */
	int passcred;		/* SO_PASSCRED of P0, P1 */
	int passcred1;
	int h_send;		/* errno of sending on H0 (shut for writing): EPIPE */
	int h_eof;		/* what reading H1 returns: 0 */
	int h1_send;		/* H1 still sends: 1 byte */
	char o[4];		/* what O0 reads: "bye", then 0 */
	int o_eof;
	int o_send;		/* errno of sending on O0: EPIPE */
	int n_type;		/* SO_TYPE of N0: SOCK_DGRAM */
	int n_pair_ok;		/* N0 connects to a new bound socket and sends */
	int d_sndbuf;		/* SO_SNDBUF, SO_RCVBUF of D0 as getsockopt reads them */
	int d_rcvbuf;
	int d_nonblock;		/* O_NONBLOCK of D0 */
	long s_rcvtimeo_ms;	/* SO_RCVTIMEO of S0 */
	int s1_peek_off;	/* SO_PEEK_OFF of S1 */
	int d1_rcvlowat;	/* SO_RCVLOWAT of S1 */
	int l_name_ok;		/* getsockname(L0): its abstract name */
	int l_accept_ok;	/* a new client connects to L0 and is accepted */
};

/* An abstract name for @tag and @pid in @sa: its length for bind(2). */
static socklen_t abstract(struct sockaddr_un *sa, const char *tag, pid_t pid)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return offsetof(struct sockaddr_un, sun_path) + 1 +
	       snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "cr-%s-%d", tag, pid);
}

static int pair_at(int type, int a, int b)
{
	int sv[2];

	if (socketpair(AF_UNIX, type, 0, sv))
		return -1;
	return cr_move_fd(sv[0], a) || cr_move_fd(sv[1], b) ? -1 : 0;
}

static int opt(int fd, int name)
{
	socklen_t len = sizeof(int);
	int v = -1;

	getsockopt(fd, SOL_SOCKET, name, &v, &len);
	return v;
}

/* Read one message of @fd with its credentials: its length, or -errno. */
static int recv_cred(int fd, char *buf, size_t len, struct ucred *uc)
{
	char ctl[CMSG_SPACE(sizeof(*uc))];
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	memset(uc, 0, sizeof(*uc));
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			memcpy(uc, CMSG_DATA(c), sizeof(*uc));
	return n;
}

static void fill(char *buf, int len, int seed)
{
	int i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(i * 7 + seed);
}

static void child(void)
{
	struct timeval tv = { 2, 500000 };
	static char big[BIG], got[BIG + 8];
	struct sock_result r = { };
	struct sockaddr_un sa;
	int *bad = &r.bad, one = 1, v, sv[2], i, srv, cl, ac;
	struct sockaddr_un lsa, got_sa;
	socklen_t len, lsa_len;
	struct ucred uc, pc;
	char c[8];

	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_IGN);
	/* a stream partly read, bytes both ways */
	if (FAILED(!pair_at(SOCK_STREAM, S0, S1)))
		goto out;
	if (FAILED(write(S1, "hello ", 6) == 6 && write(S1, "world", 5) == 5 &&
		   write(S0, "back", 4) == 4 && read(S0, c, 2) == 2))
		goto out;
	if (FAILED(!setsockopt(S0, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))))
		goto out;
	v = 1;
	if (FAILED(!setsockopt(S1, SOL_SOCKET, SO_PEEK_OFF, &v, sizeof(v))))
		goto out;
	v = 3;
	if (FAILED(!setsockopt(S1, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v))))
		goto out;
	/* datagrams: sizes kept, an empty one too */
	if (FAILED(!pair_at(SOCK_DGRAM, D0, D1)))
		goto out;
	v = 300000;
	if (FAILED(!setsockopt(D1, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v))))
		goto out;
	v = 65536;
	if (FAILED(!setsockopt(D0, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) &&
		   !setsockopt(D0, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v))))
		goto out;
	fill(big, BIG, 3);
	if (FAILED(send(D1, "a", 1, 0) == 1 && send(D1, "bb", 2, 0) == 2 &&
		   send(D1, "", 0, 0) == 0 && send(D1, big, BIG, 0) == BIG))
		goto out;
	if (FAILED(fcntl(D0, F_SETFL, O_NONBLOCK) == 0))
		goto out;
	/* seqpacket records */
	if (FAILED(!pair_at(SOCK_SEQPACKET, Q0, Q1)))
		goto out;
	if (FAILED(send(Q0, "x", 1, 0) == 1 && send(Q0, "yy", 2, 0) == 2))
		goto out;
	/* credentials */
	if (FAILED(!pair_at(SOCK_STREAM, P0, P1)))
		goto out;
	if (FAILED(!setsockopt(P0, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))))
		goto out;
	if (FAILED(write(P1, "cred", 4) == 4))
		goto out;
	/* shut down one way */
	if (FAILED(!pair_at(SOCK_STREAM, H0, H1) && !shutdown(H0, SHUT_WR)))
		goto out;
	/* an end whose other end is gone, with bytes left for it */
	if (FAILED(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv) && !cr_move_fd(sv[0], O0)))
		goto out;
	if (FAILED(write(sv[1], "bye", 3) == 3 && !close(sv[1])))
		goto out;
	/* neither bound nor connected */
	if (FAILED(!cr_move_fd(socket(AF_UNIX, SOCK_DGRAM, 0), N0)))
		goto out;
	/* listening on an abstract name */
	lsa_len = abstract(&lsa, "listen", getpid());
	if (FAILED(!cr_move_fd(socket(AF_UNIX, SOCK_STREAM, 0), L0) &&
		   !bind(L0, (void *)&lsa, lsa_len) && !listen(L0, 7)))
		goto out;

	raise(SIGSTOP);

	/* restarted, or continued */
	memset(r.s0, 0, sizeof(r.s0));
	if (FAILED(read(S0, r.s0, sizeof(r.s0) - 1) == 9))
		goto out;
	v = fcntl(S0, F_GETFL);
	fcntl(S0, F_SETFL, v | O_NONBLOCK);
	r.s0_again = read(S0, c, 1) < 0 ? errno : 0;
	len = sizeof(tv);
	if (FAILED(!getsockopt(S0, SOL_SOCKET, SO_RCVTIMEO, &tv, &len)))
		goto out;
	r.s_rcvtimeo_ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
	r.s1_peek_off = opt(S1, SO_PEEK_OFF);
	r.d1_rcvlowat = opt(S1, SO_RCVLOWAT);
	if (FAILED(read(S1, r.s1, 4) == 4))
		goto out;

	r.d_nonblock = fcntl(D0, F_GETFL) & O_NONBLOCK;
	r.d_sndbuf = opt(D0, SO_SNDBUF);
	r.d_rcvbuf = opt(D0, SO_RCVBUF);
	for (i = 0; i < 5; i++) {
		int n = recv(D0, got, sizeof(got), 0);

		r.d_sizes[i] = n < 0 ? -errno : n;
		if (n == BIG)
			r.d_big_ok = !memcmp(got, big, BIG);
		if (n < 0)
			break;
	}
	for (i = 0; i < 3; i++) {
		int n = recv(Q1, r.q + (i ? 1 : 0), 3, MSG_DONTWAIT);

		r.q_sizes[i] = n < 0 ? -errno : n;
		if (n < 0)
			break;
	}

	r.passcred = opt(P0, SO_PASSCRED);
	r.passcred1 = opt(P1, SO_PASSCRED);
	if (FAILED(recv_cred(P0, c, sizeof(c), &uc) == 4 && !memcmp(c, "cred", 4)))
		goto out;
	r.cred_pid_ok = uc.pid == getpid();
	r.cred_uid_ok = uc.uid == getuid() && uc.gid == getgid();
	len = sizeof(pc);
	if (FAILED(!getsockopt(P0, SOL_SOCKET, SO_PEERCRED, &pc, &len)))
		goto out;
	r.peercred_ok = pc.pid == getpid() && pc.uid == getuid();

	r.h_send = send(H0, "z", 1, MSG_NOSIGNAL) < 0 ? errno : 0;
	r.h_eof = read(H1, c, 1);
	r.h1_send = send(H1, "w", 1, MSG_NOSIGNAL);

	if (FAILED(read(O0, r.o, 3) == 3))
		goto out;
	r.o_eof = read(O0, c, 1);
	r.o_send = send(O0, "z", 1, MSG_NOSIGNAL) < 0 ? errno : 0;

	r.n_type = opt(N0, SO_TYPE);
	len = abstract(&sa, "server", getpid());
	srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	r.n_pair_ok = srv >= 0 && !bind(srv, (void *)&sa, len) &&
		      !connect(N0, (void *)&sa, len) && send(N0, "n", 1, 0) == 1 &&
		      recv(srv, c, 1, MSG_DONTWAIT) == 1 && c[0] == 'n';

	len = sizeof(got_sa);
	r.l_name_ok = !getsockname(L0, (void *)&got_sa, &len) && len == lsa_len &&
		      !memcmp(&got_sa, &lsa, len);
	cl = socket(AF_UNIX, SOCK_STREAM, 0);
	r.l_accept_ok = cl >= 0 && !connect(cl, (void *)&lsa, lsa_len) &&
			(ac = accept(L0, NULL, NULL)) >= 0 && write(cl, "L", 1) == 1 &&
			read(ac, c, 1) == 1 && c[0] == 'L';
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

FIXTURE(sockets) {
	int img;
};

FIXTURE_VARIANT(sockets) {
	bool restart;
};

FIXTURE_VARIANT_ADD(sockets, uninterrupted) {
	.restart = false,
};

FIXTURE_VARIANT_ADD(sockets, restarted) {
	.restart = true,
};

FIXTURE_SETUP(sockets)
{
	self->img = cr_tmpfile();
	ASSERT_GE(self->img, 0);
	unlink(RESULT);
}

FIXTURE_TEARDOWN(sockets)
{
	close(self->img);
	unlink(RESULT);
}

TEST_F_TIMEOUT(sockets, pairs, 60)
{
	struct sock_result r;

	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_STREQ("llo world", r.s0);
	EXPECT_EQ(EAGAIN, r.s0_again);
	EXPECT_EQ(0, memcmp(r.s1, "back", 4));
	EXPECT_EQ(2500, r.s_rcvtimeo_ms);
	EXPECT_EQ(1, r.s1_peek_off);
	EXPECT_EQ(3, r.d1_rcvlowat);
	EXPECT_EQ(1, r.d_sizes[0]);
	EXPECT_EQ(2, r.d_sizes[1]);
	EXPECT_EQ(0, r.d_sizes[2]);
	EXPECT_EQ(BIG, r.d_sizes[3]);
	EXPECT_EQ(-EAGAIN, r.d_sizes[4]);
	EXPECT_EQ(1, r.d_big_ok);
	EXPECT_EQ(O_NONBLOCK, r.d_nonblock);
	EXPECT_EQ(131072, r.d_sndbuf);
	EXPECT_EQ(131072, r.d_rcvbuf);
	EXPECT_EQ(1, r.q_sizes[0]);
	EXPECT_EQ(2, r.q_sizes[1]);
	EXPECT_EQ(-EAGAIN, r.q_sizes[2]);
	EXPECT_EQ(0, memcmp(r.q, "xyy", 3));
	EXPECT_EQ(1, r.passcred);
	EXPECT_EQ(0, r.passcred1);
	EXPECT_EQ(1, r.cred_pid_ok) TH_LOG("SCM_CREDENTIALS: not the restored sender's pid");
	EXPECT_EQ(1, r.cred_uid_ok);
	EXPECT_EQ(1, r.peercred_ok) TH_LOG("SO_PEERCRED: not the restored pid");
	EXPECT_EQ(EPIPE, r.h_send);
	EXPECT_EQ(0, r.h_eof);
	EXPECT_EQ(1, r.h1_send);
	EXPECT_EQ(0, memcmp(r.o, "bye", 3));
	EXPECT_EQ(0, r.o_eof);
	EXPECT_EQ(EPIPE, r.o_send);
	EXPECT_EQ(SOCK_DGRAM, r.n_type);
	EXPECT_EQ(1, r.n_pair_ok);
	EXPECT_EQ(1, r.l_name_ok);
	EXPECT_EQ(1, r.l_accept_ok);
}

/* What each process of the tree finds: its peer's bytes, with its pid. */
struct tree_result {
	int bad;
	int stream_ok;		/* "from P" or "from C", pid of the other */
	int dgram_ok;		/* two datagrams, each with the other's pid */
};

enum { T_S = 40, T_D };

/* Read what the other process (@peer) queued on T_S and T_D. */
static void tree_check(struct tree_result *r, pid_t peer, const char *want)
{
	struct ucred uc;
	char buf[32];
	int n;

	n = recv_cred(T_S, buf, sizeof(buf), &uc);
	r->stream_ok = n == (int)strlen(want) && !memcmp(buf, want, n) && uc.pid == peer;
	n = recv_cred(T_D, buf, sizeof(buf), &uc);
	r->dgram_ok = n == 1 && buf[0] == '1' && uc.pid == peer;
	n = recv_cred(T_D, buf, sizeof(buf), &uc);
	r->dgram_ok &= n == 2 && !memcmp(buf, "22", 2) && uc.pid == peer;
}

/* Queue @what on T_S and two datagrams on T_D. */
static int tree_send(const char *what)
{
	return write(T_S, what, 6) == 6 && send(T_D, "1", 1, 0) == 1 &&
	       send(T_D, "22", 2, 0) == 2 ? 0 : -1;
}

static void tree_root(void)
{
	struct tree_result r = { }, rc;
	int *bad = &r.bad, s[2], d[2], ready[2], go[2], i, one = 1;
	pid_t kid;
	char c;

	close_range(3, ~0U, 0);
	if (FAILED(!socketpair(AF_UNIX, SOCK_STREAM, 0, s) &&
		   !socketpair(AF_UNIX, SOCK_DGRAM, 0, d) && !pipe(ready) && !pipe(go)))
		goto out;
	/* credentials go with a message only while an end has SO_PASSCRED */
	for (i = 0; i < 2; i++)
		if (FAILED(!setsockopt(s[i], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) &&
			   !setsockopt(d[i], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))))
			goto out;
	kid = fork();
	if (!kid) {
		struct tree_result k = { };

		close(s[0]);
		close(d[0]);
		close(ready[0]);
		close(go[1]);
		if (cr_move_fd(s[1], T_S) || cr_move_fd(d[1], T_D) || tree_send("from C") ||
		    write(ready[1], "k", 1) != 1)
			_exit(1);
		/* until the parent, restarted or continued, says so */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		tree_check(&k, getppid(), "from P");
		cr_put_result(RESULT_CHILD, &k, sizeof(k));
		_exit(CR_RESTART_OK);
	}
	close(s[1]);
	close(d[1]);
	close(ready[1]);
	close(go[0]);
	if (FAILED(kid > 0 && !cr_move_fd(s[0], T_S) && !cr_move_fd(d[0], T_D)))
		goto out;
	if (FAILED(!tree_send("from P") && read(ready[0], &c, 1) == 1))
		goto out;

	raise(SIGSTOP);

	tree_check(&r, kid, "from C");
	if (FAILED(write(go[1], "g", 1) == 1))
		goto out;
	if (FAILED(cr_wait(kid) == CR_RESTART_OK))
		goto out;
	if (FAILED(!cr_get_result(RESULT_CHILD, &rc, sizeof(rc)) && !rc.bad &&
		   rc.stream_ok && rc.dgram_ok))
		goto out;
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/*
 * A pair between a parent and its child: each restored end reads what the
 * other process queued, with that process's pid in its credentials.
 */
TEST_F_TIMEOUT(sockets, tree, 60)
{
	struct tree_result r;

	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	unlink(RESULT_CHILD);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(CR_RESTART_OK, cr_tree_stop_and_go(self->img, variant->restart, tree_root))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("a process failed at line %d", r.bad);
	EXPECT_EQ(1, r.stream_ok);
	EXPECT_EQ(1, r.dgram_ok);
	unlink(RESULT_CHILD);
}

/* What the server and its client find in their accepted connections. */
struct acc_result {
	int bad;
	int a_read;		/* server: Aa reads "to-a", the client's */
	int a_name;		/* getsockname(Aa), (Ap), (Ag): their listeners' names */
	int p_name;
	int g_name;
	int o_bye;		/* Ao reads "bye" then end of file: its client closed */
	int g_free;		/* the name of Ag's closed listener is free to bind */
	int l_accepts;		/* La accepts a new client */
	int c_read;		/* client: Ca reads "to-c", the server's */
	int c_peer;		/* getpeername(Ca), (Cp): the listeners' names */
	int p_peer;
};

enum { A_LA = 40, A_LP, A_AA, A_AP, A_AO, A_AG, A_CG, A_CA = 50, A_CP };

/* Is the name of @fd (@peer: of its peer) the unix address @sa (@len)? */
static int name_is(int fd, int peer, const struct sockaddr_un *sa, socklen_t len)
{
	struct sockaddr_un got;
	socklen_t n = sizeof(got);

	if (peer ? getpeername(fd, (void *)&got, &n) : getsockname(fd, (void *)&got, &n))
		return 0;
	return n == len && !memcmp(&got, sa, len);
}

/* A stream socket connected to @sa (@len) at @fd, or -1. */
static int connect_at(const struct sockaddr_un *sa, socklen_t len, int fd)
{
	int c = socket(AF_UNIX, SOCK_STREAM, 0);

	if (c < 0 || connect(c, (const void *)sa, len) || cr_move_fd(c, fd))
		return -1;
	return fd;
}

static void acc_root(void)
{
	struct sockaddr_un la, lp = { .sun_family = AF_UNIX }, lg;
	socklen_t la_len, lp_len, lg_len;
	struct acc_result r = { }, rc;
	int *bad = &r.bad, ready[2], go[2], fd;
	char buf[8] = { };
	pid_t kid;

	close_range(3, ~0U, 0);
	la_len = abstract(&la, "acc", getpid());
	lg_len = abstract(&lg, "gone", getpid());
	snprintf(lp.sun_path, sizeof(lp.sun_path), "cr-acc-%d.sock", getpid());
	lp_len = offsetof(struct sockaddr_un, sun_path) + strlen(lp.sun_path) + 1;
	if (FAILED(!chdir("/tmp") && !pipe(ready) && !pipe(go)))
		goto out;
	unlink(lp.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !bind(fd, (void *)&la, la_len) && !listen(fd, 8) &&
		   !cr_move_fd(fd, A_LA)))
		goto out;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !bind(fd, (void *)&lp, lp_len) && !listen(fd, 8) &&
		   !cr_move_fd(fd, A_LP)))
		goto out;
	kid = fork();
	if (!kid) {
		struct acc_result k = { };

		close(ready[0]);
		close(go[1]);
		if (connect_at(&la, la_len, A_CA) < 0 || connect_at(&lp, lp_len, A_CP) < 0 ||
		    write(A_CA, "to-a", 4) != 4 || write(ready[1], "k", 1) != 1)
			_exit(1);
		if (read(go[0], buf, 1) != 1)
			_exit(1);
		k.c_read = read(A_CA, buf, sizeof(buf)) == 4 && !memcmp(buf, "to-c", 4);
		k.c_peer = name_is(A_CA, 1, &la, la_len);
		k.p_peer = name_is(A_CP, 1, &lp, lp_len);
		cr_put_result(RESULT_CHILD, &k, sizeof(k));
		_exit(CR_RESTART_OK);
	}
	close(ready[1]);
	close(go[0]);
	if (FAILED(kid > 0 && read(ready[0], buf, 1) == 1 &&
		   !cr_move_fd(accept(A_LA, NULL, NULL), A_AA) &&
		   !cr_move_fd(accept(A_LP, NULL, NULL), A_AP) && write(A_AA, "to-c", 4) == 4))
		goto out;
	/* an accepted socket whose client said bye and closed */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !connect(fd, (void *)&la, la_len) && write(fd, "bye", 3) == 3 &&
		   !close(fd) && !cr_move_fd(accept(A_LA, NULL, NULL), A_AO)))
		goto out;
	/* an accepted socket whose listener is closed: its name is free again */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !bind(fd, (void *)&lg, lg_len) && !listen(fd, 1) &&
		   connect_at(&lg, lg_len, A_CG) == A_CG &&
		   !cr_move_fd(accept(fd, NULL, NULL), A_AG) && !close(fd)))
		goto out;

	raise(SIGSTOP);

	memset(buf, 0, sizeof(buf));
	r.a_read = read(A_AA, buf, sizeof(buf)) == 4 && !memcmp(buf, "to-a", 4);
	r.a_name = name_is(A_AA, 0, &la, la_len);
	r.p_name = name_is(A_AP, 0, &lp, lp_len);
	r.g_name = name_is(A_AG, 0, &lg, lg_len);
	r.o_bye = read(A_AO, buf, sizeof(buf)) == 3 && !memcmp(buf, "bye", 3) &&
		  read(A_AO, buf, sizeof(buf)) == 0;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	r.g_free = fd >= 0 && !bind(fd, (void *)&lg, lg_len);
	close(fd);
	fd = connect_at(&la, la_len, 60);
	r.l_accepts = fd == 60 && accept(A_LA, NULL, NULL) >= 0;
	if (FAILED(write(go[1], "g", 1) == 1 && cr_wait(kid) == CR_RESTART_OK &&
		   !cr_get_result(RESULT_CHILD, &rc, sizeof(rc)) && !rc.bad))
		goto out;
	r.c_read = rc.c_read;
	r.c_peer = rc.c_peer;
	r.p_peer = rc.p_peer;
out:
	unlink(lp.sun_path);
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/*
 * A server and its client, in a parent and its child: the accept(2)ed
 * sockets have their listeners' names (abstract, a relative path), the
 * client's peer names too; bytes queued both ways are read; one whose
 * client closed reads its last bytes then the end; one whose listener was
 * closed keeps the name without holding it.
 */
TEST_F_TIMEOUT(sockets, accepted, 60)
{
	struct acc_result r;

	if (getuid())
		SKIP(return, "needs root (pids are kept: CAP_CHECKPOINT_RESTORE)");
	unlink(RESULT_CHILD);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(CR_RESTART_OK, cr_tree_stop_and_go(self->img, variant->restart, acc_root))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("a process failed at line %d", r.bad);
	EXPECT_EQ(1, r.a_read);
	EXPECT_EQ(1, r.a_name);
	EXPECT_EQ(1, r.p_name) TH_LOG("an accepted socket's relative name");
	EXPECT_EQ(1, r.g_name);
	EXPECT_EQ(1, r.o_bye);
	EXPECT_EQ(1, r.g_free) TH_LOG("the closed listener's name is held");
	EXPECT_EQ(1, r.l_accepts);
	EXPECT_EQ(1, r.c_read);
	EXPECT_EQ(1, r.c_peer);
	EXPECT_EQ(1, r.p_peer);
	unlink(RESULT_CHILD);
}

/* The pending test's fds: a client before its listener, listeners, clients after. */
enum { W_C0 = 40, W_L = 45, W_LQ, W_C1, W_C3, W_CQ, W_A0, W_A1, W_A2, W_A3, W_AQ, W_N };

/* What the pending test's child finds once continued. */
struct pend_result {
	int bad;
	int order;		/* accept(2) gives the connections in their order */
	int a0_eof;		/* C0's bytes, then the end (C0 shut for writing) */
	int a1_both;		/* C1's bytes; a reply reaches C1 */
	int a2_bye;		/* the closed client's bytes, then the end */
	int a3_eof;		/* C3 sent nothing and shut down: the end; a reply reaches it */
	int q_packets;		/* the seqpacket client's two packets, whole */
	int peercred;		/* SO_PEERCRED of an accepted one: our pid */
	int none_left;		/* no other connection waits */
	int c0_name;		/* C0's peer: the listener's name */
};

/* Read exactly @want from @fd, then the end if @eof: 1 if so. */
static int reads(int fd, const char *want, int eof)
{
	char buf[32] = { };
	size_t n = strlen(want);

	if (n && (read(fd, buf, sizeof(buf)) != (ssize_t)n || memcmp(buf, want, n)))
		return 0;
	return !eof || read(fd, buf, sizeof(buf)) == 0;
}

/*
 * Connections not accept(2)ed yet, on a stream listener: C0's (its client
 * made before the listener: its fd is lower), C1's, one whose client
 * closed, C3's (nothing sent, shut down); and on a seqpacket one, two
 * packets.  Once continued, each is accepted in its order with its bytes.
 */
static void pending_child(void)
{
	struct timeval tv = { 2, 0 };	/* a missing end fails, not waits */
	struct sockaddr_un sa, sq, got;
	struct pend_result r = { };
	int *bad = &r.bad, fd, i;
	socklen_t len, qlen, n;
	struct ucred uc;
	char tag[4];

	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_IGN);
	len = abstract(&sa, "pend", getpid());
	qlen = abstract(&sq, "pendq", getpid());
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, W_C0)))
		goto out;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !bind(fd, (void *)&sa, len) && !listen(fd, 8) &&
		   !cr_move_fd(fd, W_L)))
		goto out;
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (FAILED(fd >= 0 && !bind(fd, (void *)&sq, qlen) && !listen(fd, 8) &&
		   !cr_move_fd(fd, W_LQ)))
		goto out;
	if (FAILED(!connect(W_C0, (void *)&sa, len) && write(W_C0, "zero", 4) == 4 &&
		   !shutdown(W_C0, SHUT_WR)))
		goto out;
	if (FAILED(connect_at(&sa, len, W_C1) == W_C1 && write(W_C1, "one", 3) == 3))
		goto out;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !connect(fd, (void *)&sa, len) && write(fd, "bye", 3) == 3 &&
		   !close(fd)))
		goto out;
	if (FAILED(connect_at(&sa, len, W_C3) == W_C3 && !shutdown(W_C3, SHUT_WR)))
		goto out;
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (FAILED(fd >= 0 && !connect(fd, (void *)&sq, qlen) && send(fd, "p", 1, 0) == 1 &&
		   send(fd, "qq", 2, 0) == 2 && !cr_move_fd(fd, W_CQ)))
		goto out;

	raise(SIGSTOP);

	/* one missing fails, not waits */
	if (FAILED(!fcntl(W_L, F_SETFL, O_NONBLOCK) && !fcntl(W_LQ, F_SETFL, O_NONBLOCK)))
		goto out;
	for (i = W_A0; i <= W_A3; i++)
		if (FAILED(!cr_move_fd(accept(W_L, NULL, NULL), i)))
			goto out;
	if (FAILED(!cr_move_fd(accept(W_LQ, NULL, NULL), W_AQ)))
		goto out;
	for (i = W_C0; i <= W_AQ; i++)
		setsockopt(i, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r.a0_eof = reads(W_A0, "zero", 1);
	r.a1_both = reads(W_A1, "one", 0) && write(W_A1, "r1", 2) == 2 && reads(W_C1, "r1", 0);
	r.a2_bye = reads(W_A2, "bye", 1);
	r.a3_eof = reads(W_A3, "", 1) && write(W_A3, "r3", 2) == 2 && reads(W_C3, "r3", 0);
	memset(tag, 0, sizeof(tag));
	r.q_packets = recv(W_AQ, tag, sizeof(tag), 0) == 1 && tag[0] == 'p' &&
		      recv(W_AQ, tag, sizeof(tag), 0) == 2 && !memcmp(tag, "qq", 2);
	r.order = r.a0_eof && r.a1_both && r.a2_bye && r.a3_eof;
	n = sizeof(uc);
	r.peercred = !getsockopt(W_A1, SOL_SOCKET, SO_PEERCRED, &uc, &n) &&
		     uc.pid == getpid();
	r.none_left = accept(W_L, NULL, NULL) == -1 && errno == EAGAIN;
	n = sizeof(got);
	r.c0_name = !getpeername(W_C0, (void *)&got, &n) && n == len && !memcmp(&got, &sa, len);
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/*
 * A unix listener's connections not accept(2)ed yet come back in their
 * order, each with what its client sent and its client's state, whether
 * the client's file record comes before the listener's or after, or the
 * client closed.
 */
TEST_F_TIMEOUT(sockets, pending, 60)
{
	struct pend_result r;

	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, pending_child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(1, r.a0_eof) TH_LOG("the client before its listener");
	EXPECT_EQ(1, r.a1_both);
	EXPECT_EQ(1, r.a2_bye) TH_LOG("the client that closed");
	EXPECT_EQ(1, r.a3_eof);
	EXPECT_EQ(1, r.order);
	EXPECT_EQ(1, r.q_packets);
	EXPECT_EQ(1, r.peercred);
	EXPECT_EQ(1, r.none_left);
	EXPECT_EQ(1, r.c0_name);
}

/* The dgram_named test's fds: servers and the clients connected to them. */
enum { G_SA = 40, G_CA, G_SP, G_CP, G_CO, G_N };

/* What the dgram_named child finds once continued. */
struct dgram_result {
	int bad;
	int abstract_ok;	/* its client sends to the abstract server, names it */
	int path_ok;		/* likewise, the server bound to a relative path */
	int out_sent;		/* it sends to the test's server */
};

/* Does @fd's peer have the name @sa (@len), and does @srv get @msg sent on @fd? */
static int dgram_to(int fd, int srv, const struct sockaddr_un *sa, socklen_t len,
		    const char *msg)
{
	char buf[16] = { };

	return name_is(fd, 1, sa, len) && send(fd, msg, strlen(msg), 0) == (ssize_t)strlen(msg) &&
	       recv(srv, buf, sizeof(buf), MSG_DONTWAIT) == (ssize_t)strlen(msg) &&
	       !strcmp(buf, msg);
}

static pid_t dgram_test_pid;

/*
 * Datagram sockets connected (connect(2)) to bound sockets that are not
 * connected back, as a syslog client to /dev/log: to an abstract name and
 * a relative path in the tree, to the test's abstract name outside it.
 */
static void dgram_child(void)
{
	struct sockaddr_un sa, sp = { .sun_family = AF_UNIX }, so, abs;
	struct dgram_result r = { };
	socklen_t la, lp, lo, labs;
	int *bad = &r.bad, fd;

	close_range(3, ~0U, 0);
	la = abstract(&sa, "dsrv", getpid());
	lo = abstract(&so, "dout", dgram_test_pid);
	snprintf(sp.sun_path, sizeof(sp.sun_path), "cr-dgram-%d", getpid());
	lp = offsetof(struct sockaddr_un, sun_path) + strlen(sp.sun_path) + 1;
	abs = sp;
	snprintf(abs.sun_path, sizeof(abs.sun_path), "/tmp/cr-dgram-%d", getpid());
	labs = offsetof(struct sockaddr_un, sun_path) + strlen(abs.sun_path) + 1;
	if (FAILED(!chdir("/tmp")))
		goto out;
	unlink(sp.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !bind(fd, (void *)&sa, la) && !cr_move_fd(fd, G_SA)))
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !connect(fd, (void *)&sa, la) && !cr_move_fd(fd, G_CA)))
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !bind(fd, (void *)&sp, lp) && !cr_move_fd(fd, G_SP)))
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !connect(fd, (void *)&sp, lp) && !cr_move_fd(fd, G_CP)))
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !connect(fd, (void *)&so, lo) && !cr_move_fd(fd, G_CO) &&
		   send(G_CO, "pre", 3, 0) == 3))
		goto out;

	raise(SIGSTOP);

	r.abstract_ok = dgram_to(G_CA, G_SA, &sa, la, "a");
	/* restart connects it to the absolute path of the server's socket file */
	r.path_ok = dgram_to(G_CP, G_SP, &sp, lp, "p") || dgram_to(G_CP, G_SP, &abs, labs, "p");
	r.out_sent = send(G_CO, "out", 3, 0) == 3;
out:
	unlink(sp.sun_path);
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/*
 * A datagram socket connected to a bound socket, in the tree or outside
 * (a syslog client's): connected again by the name.  Before, one whose
 * server was outside was left to the restarter (restart failed without
 * --inherit-fd), one whose server was inside was refused.
 */
TEST_F_TIMEOUT(sockets, dgram_named, 60)
{
	struct dgram_result r;
	struct sockaddr_un so;
	socklen_t lo;
	char buf[8] = { };
	int srv;

	dgram_test_pid = getpid();
	lo = abstract(&so, "dout", dgram_test_pid);
	srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_GE(srv, 0);
	ASSERT_EQ(0, bind(srv, (void *)&so, lo));
	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, dgram_child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(1, r.abstract_ok);
	EXPECT_EQ(1, r.path_ok);
	EXPECT_EQ(1, r.out_sent);
	EXPECT_EQ(3, recv(srv, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_STREQ("pre", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(3, recv(srv, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_STREQ("out", buf);
	close(srv);
}

/*
 * Restart fails before the point of no return when the name a datagram
 * socket was connected to has no socket now (ECONNREFUSED), and succeeds
 * once one is bound to it again.
 */
TEST(dgram_named_gone)
{
	struct sockaddr_un so;
	int img = cr_tmpfile(), srv;
	socklen_t lo;
	pid_t pid;

	ASSERT_GE(img, 0);
	lo = abstract(&so, "dgone", getpid());
	srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_GE(srv, 0);
	ASSERT_EQ(0, bind(srv, (void *)&so, lo));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd;

		close_range(3, ~0U, 0);
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (fd < 0 || connect(fd, (void *)&so, lo) || cr_move_fd(fd, 40))
			_exit(1);
		raise(SIGSTOP);
		_exit(send(40, "x", 1, 0) == 1 ? 0 : 2);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, cr_checkpoint_kill(pid, img)) TH_LOG("checkpoint: %s", strerror(errno));
	close(srv);
	EXPECT_EQ(100 + ECONNREFUSED, cr_restart_child(img))
		TH_LOG("restart did not fail with ECONNREFUSED");
	srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_GE(srv, 0);
	ASSERT_EQ(0, bind(srv, (void *)&so, lo));
	EXPECT_EQ(0, cr_restart_child(img));
	close(srv);
	close(img);
}

enum { R_RIGHTS, R_PENDING, R_PATH, R_UDP_PKTINFO, R_RECVERR, R_NETLINK, R_NR };

/* A child that makes what @what says, stops, and exits 0 once continued. */
static void refused_child(int what)
{
	struct sockaddr_un sa;
	socklen_t len;
	int sv[2], fd = -1;

	close_range(3, ~0U, 0);
	switch (what) {
	case R_RIGHTS: {	/* a file in flight */
		char ctl[CMSG_SPACE(sizeof(int))] = { };
		struct iovec iov = { "f", 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				    .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || cr_move_fd(sv[0], 40) ||
		    cr_move_fd(sv[1], 41))
			_exit(1);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &(int){ 41 }, sizeof(int));
		if (sendmsg(41, &m, 0) != 1)
			_exit(1);
		break;
	}
	case R_PENDING: {	/* a connection not accepted yet from outside (the test) */
		struct pollfd p = { .events = POLLIN };

		len = abstract(&sa, "pending", getpid());
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (void *)&sa, len) || listen(fd, 4) || cr_move_fd(fd, 40))
			_exit(1);
		p.fd = 40;
		if (poll(&p, 1, 5000) != 1)
			_exit(1);
		break;
	}
	case R_PATH:		/* bound to a relative path, its file unlinked */
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "cr-sock-%d", getpid());
		if (chdir("/tmp"))
			_exit(1);
		unlink(sa.sun_path);
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) || cr_move_fd(fd, 40))
			_exit(1);
		unlink(sa.sun_path);
		break;
	case R_UDP_PKTINFO: {	/* a datagram queued with its IP_PKTINFO */
		struct sockaddr_in in = { .sin_family = AF_INET };
		int one = 1;

		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(in);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
		    bind(fd, (void *)&in, len) || getsockname(fd, (void *)&in, &len) ||
		    sendto(fd, "q", 1, 0, (void *)&in, len) != 1 || cr_move_fd(fd, 40))
			_exit(1);
		break;
	}
	case R_RECVERR: {	/* IP_RECVERR, not saved */
		int one = 1;

		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) ||
		    cr_move_fd(fd, 40))
			_exit(1);
		break;
	}
	default:		/* netlink */
		fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		if (fd < 0 || cr_move_fd(fd, 40))
			_exit(1);
		break;
	}
	raise(SIGSTOP);
	_exit(0);
}

/* Connect to refused_child(R_PENDING)'s listener, once @pid made it: the fd, or -1. */
static int pending_from_outside(pid_t pid)
{
	struct sockaddr_un sa;
	socklen_t len = abstract(&sa, "pending", pid);
	int fd, i;

	for (i = 0; i < 400; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && !connect(fd, (void *)&sa, len))
			return fd;
		close(fd);
		cr_msleep(5);
	}
	return -1;
}

/*
 * What restart would not make whole is refused with EOPNOTSUPP, and the
 * process runs on.
 */
TEST(refused)
{
	int img = cr_tmpfile(), what, cl;
	pid_t pid;

	ASSERT_GE(img, 0);
	for (what = 0; what < R_NR; what++) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid)
			refused_child(what);
		cl = what == R_PENDING ? pending_from_outside(pid) : -1;
		EXPECT_EQ(0, cr_refused(pid, img))
			TH_LOG("case %d: 1 saved, 2 another errno, 3 did not stop or end", what);
		if (cl >= 0)
			close(cl);
	}
	close(img);
}

/*
 * A listening socket whose name is still taken (the original runs on):
 * restart fails with EADDRINUSE before anything changes; the original
 * gone, the same image restarts.
 */
TEST(address_in_use)
{
	int img = cr_tmpfile();
	struct sockaddr_un sa;
	socklen_t len;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd;

		close_range(3, ~0U, 0);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		len = abstract(&sa, "inuse", getpid());
		if (fd < 0 || bind(fd, (void *)&sa, len) || listen(fd, 1) || cr_move_fd(fd, 40))
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, sys_checkpoint(pid, img, 0)) TH_LOG("checkpoint: %s", strerror(errno));
	EXPECT_EQ(100 + EADDRINUSE, cr_restart_child(img))
		TH_LOG("restart did not fail with EADDRINUSE");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(0, cr_restart_child(img));
	close(img);
}

/* A unix socket of @type bound to @path (replaced), moved to @at: 0, or -1. */
static int bound_at(int type, const char *path, int at)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	return fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) || cr_move_fd(fd, at) ? -1 : 0;
}

static void path_child(const char *lpath, const char *dpath)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX }, got;
	socklen_t len = sizeof(got);
	int cl, ac, ok;
	char c = 0;

	close_range(3, ~0U, 0);
	if (bound_at(SOCK_STREAM, lpath, 40) || listen(40, 3) || bound_at(SOCK_DGRAM, dpath, 41))
		_exit(1);
	raise(SIGSTOP);
	/* its name, a client by path, a datagram by path */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", lpath);
	ok = !getsockname(40, (void *)&got, &len) && !strcmp(got.sun_path, lpath);
	cl = socket(AF_UNIX, SOCK_STREAM, 0);
	ok = ok && cl >= 0 && !connect(cl, (void *)&sa, sizeof(sa)) &&
	     (ac = accept(40, NULL, NULL)) >= 0 && write(cl, "p", 1) == 1 &&
	     read(ac, &c, 1) == 1 && c == 'p';
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", dpath);
	cl = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok = ok && cl >= 0 && sendto(cl, "d", 1, 0, (void *)&sa, sizeof(sa)) == 1 &&
	     recv(41, &c, 1, MSG_DONTWAIT) == 1 && c == 'd';
	_exit(ok ? CR_RESTART_OK : 2);
}

#define RELDIR	"/tmp/cr-reldir"

/*
 * Bound to a relative path from RELDIR, stopped; then its name is the
 * absolute one and clients find it by the relative one from its cwd.
 */
static void relative_child(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX }, got;
	socklen_t len = sizeof(got);
	int fd, cl, ac;

	close_range(3, ~0U, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "rel.sock");
	unlink(RELDIR "/rel.sock");
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (chdir(RELDIR) || fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) || listen(fd, 4) ||
	    cr_move_fd(fd, 40))
		_exit(1);

	raise(SIGSTOP);

	if (getsockname(40, (void *)&got, &len) || strcmp(got.sun_path, RELDIR "/rel.sock"))
		_exit(2);
	cl = socket(AF_UNIX, SOCK_STREAM, 0);
	if (cl < 0 || connect(cl, (void *)&sa, sizeof(sa)))
		_exit(3);
	ac = accept(40, NULL, NULL);
	if (ac < 0 || write(cl, "r", 1) != 1 || read(ac, &sa, 1) != 1)
		_exit(4);
	_exit(CR_RESTART_OK);
}

/* A listener bound to a relative path comes back bound to its absolute one. */
TEST(relative_path_bound)
{
	int img = cr_tmpfile(), st;

	ASSERT_GE(img, 0);
	mkdir(RELDIR, 0755);
	st = cr_stop_and_go(img, true, relative_child);
	EXPECT_EQ(CR_RESTART_OK, st) TH_LOG("checkpoint or restart: %s (%d)", strerror(errno),
					    st);
	unlink(RELDIR "/rel.sock");
	rmdir(RELDIR);
	close(img);
}

/*
 * Unix sockets bound to paths (a listener, a datagram server): the
 * killed original's socket files are unlinked and bound again, clients
 * find them by path.  While the original lives, or with another file at
 * the path, restart fails with EADDRINUSE and the file stays.
 */
TEST(path_bound)
{
	char lpath[64], dpath[64];
	int img = cr_tmpfile(), fd;
	struct stat st;
	pid_t pid;

	ASSERT_GE(img, 0);
	snprintf(lpath, sizeof(lpath), "/tmp/cr-lsock-%d", getpid());
	snprintf(dpath, sizeof(dpath), "/tmp/cr-dsock-%d", getpid());
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		path_child(lpath, dpath);
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, sys_checkpoint(pid, img, 0)) TH_LOG("checkpoint: %s", strerror(errno));
	/* the original still bound: taken */
	EXPECT_EQ(100 + EADDRINUSE, cr_restart_child(img))
		TH_LOG("the original lives: not EADDRINUSE");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	/* its socket files are left: restart takes the paths back */
	ASSERT_EQ(0, stat(lpath, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	/* a regular file where the datagram server was: left alone */
	unlink(dpath);
	fd = open(dpath, O_CREAT | O_WRONLY, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(100 + EADDRINUSE, cr_restart_child(img));
	EXPECT_EQ(0, stat(dpath, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	unlink(lpath);
	unlink(dpath);
	close(img);
}

/* Give the first queued message of the image another uid. */
static void other_uid(const struct cr_image_rec *rec, void *arg)
{
	int *done = arg;

	if (rec->hdr.type == CR_REC_SOCK_QUEUE && !*done) {
		const struct cr_rec_sock_queue *q = rec->payload;
		struct cr_sock_msg *m = (void *)(q + 1);

		m->uid = 4242;
		*done = 1;
	}
}

static void cred_child(void)
{
	int sv[2], one = 1;

	close_range(3, ~0U, 0);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || cr_move_fd(sv[0], 40) ||
	    cr_move_fd(sv[1], 41) ||
	    setsockopt(40, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) ||
	    send(41, "m", 1, 0) != 1)
		_exit(1);
	raise(SIGSTOP);
	_exit(0);
}

/*
 * A queued message whose credentials the restarter could not send itself
 * (another uid, no CAP_SETUID): EPERM, and the restarter goes on as it
 * was.  With CAP_SETUID the same image restarts.
 */
TEST(foreign_credentials)
{
	int img = cr_tmpfile(), bad, done = 0, status;
	struct cr_image im;
	size_t len;
	char *buf;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		cred_child();
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, cr_checkpoint_kill(pid, img)) TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	ASSERT_LT(0, cr_image_walk(&im, buf, len, other_uid, &done)) TH_LOG("%s", im.why);
	ASSERT_EQ(1, done);
	ASSERT_EQ(0, cr_image_reseal(buf, len));
	bad = cr_tmpfile();
	ASSERT_GE(bad, 0);
	ASSERT_EQ(0, cr_write_all(bad, buf, len));
	free(buf);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (cr_drop_cap(CAP_SETUID) || cr_drop_cap(CAP_SETGID))
			_exit(1);
		if (lseek(bad, 0, SEEK_SET))
			_exit(1);
		if (sys_restart(0, bad, 0) != -1)
			_exit(2);
		_exit(errno == EPERM ? 0 : 3);
	}
	ASSERT_EQ(0, waitpid(pid, &status, 0) == pid ? 0 : -1);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("1: capset, 2: restarted, 3: another errno");
	if (!getuid())
		EXPECT_EQ(0, cr_restart_child(bad));
	close(bad);
	close(img);
}

/* Give the first socket of a pair in the image a pending error. */
static void pair_error(const struct cr_image_rec *rec, void *arg)
{
	int *done = arg;

	if (rec->hdr.type == CR_REC_FILE && !*done) {
		const struct cr_rec_file *f = rec->payload;
		struct cr_file_socket *so = (void *)(f + 1);

		if (f->kind == CR_FILE_SOCKET && so->state == CR_SOCK_PAIR && !so->end) {
			so->err = ECONNRESET;
			*done = 1;
		}
	}
}

/* A datagram pair, "x" queued on its second end from its first. */
static void error_child(void)
{
	int sv[2], err = -1;
	socklen_t len = sizeof(err);
	char c = 0;

	close_range(3, ~0U, 0);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || cr_move_fd(sv[0], 40) ||
	    cr_move_fd(sv[1], 41) || send(40, "x", 1, 0) != 1)
		_exit(1);
	raise(SIGSTOP);
	/* restarted: the error it was given once, then none; the datagram */
	if (getsockopt(40, SOL_SOCKET, SO_ERROR, &err, &len) || err != ECONNRESET)
		_exit(2);
	if (getsockopt(40, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		_exit(3);
	_exit(recv(41, &c, 1, MSG_DONTWAIT) == 1 && c == 'x' ? CR_RESTART_OK : 4);
}

/*
 * The first end of a pair with a pending error (SO_ERROR) in the image
 * restarts: its error does not fail the refill of the other end, sent
 * from it (found by the fuzzer: restart returned -3388).
 */
TEST(pair_pending_error)
{
	int img = cr_tmpfile(), bad, done = 0;
	struct cr_image im;
	size_t len;
	char *buf;
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		error_child();
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, cr_checkpoint_kill(pid, img)) TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	ASSERT_NE(NULL, buf);
	ASSERT_LT(0, cr_image_walk(&im, buf, len, pair_error, &done)) TH_LOG("%s", im.why);
	ASSERT_EQ(1, done);
	ASSERT_EQ(0, cr_image_reseal(buf, len));
	bad = cr_tmpfile();
	ASSERT_GE(bad, 0);
	ASSERT_EQ(0, cr_write_all(bad, buf, len));
	free(buf);
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(bad))
		TH_LOG("1: setup, 2: no error, 3: error twice, 4: datagram lost; or failed");
	close(bad);
	close(img);
}

/* What the child finds in its INET sockets once continued. */
struct inet_result {
	int bad;
	int t4_port_ok;		/* getsockname(T4): the port it had */
	int t4_accept_ok;	/* a client connects, is accepted, bytes go through */
	int t4_nodelay;		/* TCP_NODELAY, SO_REUSEADDR of T4 */
	int t4_reuse;
	int t6;			/* 1 if ::1 was there: then the same of T6 */
	int t6_accept_ok;
	int t6_v6only;
	int u_ok;		/* C sends to U: U reads it from C's port */
	int c_peer_ok;		/* getpeername(C): U's address */
	int n_type;		/* SO_TYPE of N: SOCK_STREAM, unbound: port 0 */
	int n_port;
};

enum { T4 = 40, T6, U, C, N };

static int port_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (peer ? getpeername(fd, (void *)&ss, &len) : getsockname(fd, (void *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
					       ((struct sockaddr_in *)&ss)->sin_port);
}

/* Connect a new client to listener @l on @sa, accept, pass a byte: 1 if all went. */
static int accept_ok(int l, const struct sockaddr *sa, socklen_t len)
{
	int cl = socket(sa->sa_family, SOCK_STREAM, 0), ac = -1, ok;
	char c = 0;

	ok = cl >= 0 && !connect(cl, sa, len) && (ac = accept(l, NULL, NULL)) >= 0 &&
	     write(cl, "t", 1) == 1 && read(ac, &c, 1) == 1 && c == 't';
	close(cl);
	close(ac);
	return ok;
}

static void inet_child(void)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in u4 = { .sin_family = AF_INET }, from;
	struct inet_result r = { };
	int *bad = &r.bad, one = 1, p4, p6 = 0, pu, pc, fd;
	socklen_t len;
	char c;

	close_range(3, ~0U, 0);
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	u4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, T4) &&
		   !setsockopt(T4, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
		   !setsockopt(T4, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) &&
		   !bind(T4, (void *)&a4, sizeof(a4)) && !listen(T4, 5)))
		goto out;
	p4 = port_of(T4, 0);
	a4.sin_port = htons(p4);
	/* ::1 only where IPv6 is up */
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd >= 0 && !setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) &&
	    !bind(fd, (void *)&a6, sizeof(a6))) {
		r.t6 = 1;
		if (FAILED(!cr_move_fd(fd, T6) && !listen(T6, 5)))
			goto out;
		p6 = port_of(T6, 0);
		a6.sin6_port = htons(p6);
	} else if (fd >= 0) {
		close(fd);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, U) && !bind(U, (void *)&u4, sizeof(u4))))
		goto out;
	pu = port_of(U, 0);
	u4.sin_port = htons(pu);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, C) && !connect(C, (void *)&u4, sizeof(u4))))
		goto out;
	pc = port_of(C, 0);
	if (FAILED(!cr_move_fd(socket(AF_INET, SOCK_STREAM, 0), N)))
		goto out;

	raise(SIGSTOP);

	r.t4_port_ok = port_of(T4, 0) == p4;
	r.t4_accept_ok = accept_ok(T4, (void *)&a4, sizeof(a4));
	r.t4_nodelay = opt(T4, SO_REUSEADDR);
	len = sizeof(r.t4_nodelay);
	getsockopt(T4, IPPROTO_TCP, TCP_NODELAY, &r.t4_nodelay, &len);
	r.t4_reuse = opt(T4, SO_REUSEADDR);
	if (r.t6) {
		r.t6_accept_ok = port_of(T6, 0) == p6 && accept_ok(T6, (void *)&a6, sizeof(a6));
		len = sizeof(r.t6_v6only);
		getsockopt(T6, IPPROTO_IPV6, IPV6_V6ONLY, &r.t6_v6only, &len);
	}
	len = sizeof(from);
	r.u_ok = port_of(C, 0) == pc && send(C, "u", 1, 0) == 1 &&
		 recvfrom(U, &c, 1, 0, (void *)&from, &len) == 1 && c == 'u' &&
		 ntohs(from.sin_port) == pc;
	r.c_peer_ok = port_of(C, 1) == pu;
	r.n_type = opt(N, SO_TYPE);
	r.n_port = port_of(N, 0);
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/*
 * TCP listeners on 127.0.0.1 and ::1, a bound and a connected UDP socket
 * and a fresh TCP socket come back on their ports with their options:
 * new clients are accepted, datagrams go from the connected to the bound.
 */
TEST_F_TIMEOUT(sockets, inet, 60)
{
	struct inet_result r;

	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, inet_child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(1, r.t4_port_ok);
	EXPECT_EQ(1, r.t4_accept_ok);
	EXPECT_EQ(1, r.t4_nodelay);
	EXPECT_EQ(1, r.t4_reuse);
	if (r.t6) {
		EXPECT_EQ(1, r.t6_accept_ok);
		EXPECT_EQ(1, r.t6_v6only);
	} else {
		TH_LOG("no ::1 here: IPv6 left out");
	}
	EXPECT_EQ(1, r.u_ok);
	EXPECT_EQ(1, r.c_peer_ok);
	EXPECT_EQ(SOCK_STREAM, r.n_type);
	EXPECT_EQ(0, r.n_port);
}

/* What the child's TCP sockets say of their options once continued. */
struct tcpopt_result {
	int bad;
	int idle, intvl, cnt, utimeo, lowat;	/* the client's */
	int cork;				/* the accepted socket's TCP_CORK */
	int defer;				/* the listener's TCP_DEFER_ACCEPT */
	int defer_c;				/* the client's, set before it connected */
	char ca_set[16];	/* the congestion control set on the client ("": none other) */
	char ca[16];		/* the client's */
	int echo_ok;		/* the connection carries bytes both ways, the cork pulled */
};

enum { TL = 40, TC, TA };

static int tcp_opt(int fd, int name)
{
	socklen_t len = sizeof(int);
	int v = -1;

	getsockopt(fd, IPPROTO_TCP, name, &v, &len);
	return v;
}

static int tcp_set(int fd, int name, int v)
{
	return setsockopt(fd, IPPROTO_TCP, name, &v, sizeof(v));
}

/* A congestion control of this kernel other than @dflt, in @ca; "" if none. */
static void other_ca(char *ca, size_t len, const char *dflt)
{
	char buf[256], *t;
	int fd = open("/proc/sys/net/ipv4/tcp_available_congestion_control", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	ca[0] = '\0';
	for (t = strtok(buf, "\n "); t; t = strtok(NULL, "\n ")) {
		if (strcmp(t, dflt)) {
			snprintf(ca, len, "%s", t);
			break;
		}
	}
}

static void tcpopt_child(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct tcpopt_result r = { };
	int *bad = &r.bad, one = 1, fd;
	socklen_t len = sizeof(r.ca);
	char dflt[16], c = 0;

	close_range(3, ~0U, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, TL) &&
		   !getsockopt(TL, IPPROTO_TCP, TCP_CONGESTION, dflt, &len)))
		goto out;
	other_ca(r.ca_set, sizeof(r.ca_set), dflt);
	len = sizeof(a);
	/* as servers do: its port is the accepted connection's too */
	if (FAILED(!setsockopt(TL, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
		   !tcp_set(TL, TCP_DEFER_ACCEPT, 5) && !bind(TL, (void *)&a, sizeof(a)) &&
		   !listen(TL, 4) && !getsockname(TL, (void *)&a, &len)))
		goto out;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, TC) &&
		   !setsockopt(TC, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) &&
		   !tcp_set(TC, TCP_KEEPIDLE, 300) && !tcp_set(TC, TCP_KEEPINTVL, 30) &&
		   !tcp_set(TC, TCP_KEEPCNT, 5) && !tcp_set(TC, TCP_USER_TIMEOUT, 12345) &&
		   !tcp_set(TC, TCP_NOTSENT_LOWAT, 4096) && !tcp_set(TC, TCP_DEFER_ACCEPT, 5)))
		goto out;
	if (FAILED(!r.ca_set[0] || !setsockopt(TC, IPPROTO_TCP, TCP_CONGESTION, r.ca_set,
					       strlen(r.ca_set))))
		goto out;
	/* TCP_DEFER_ACCEPT: accepted once a byte came */
	if (FAILED(!connect(TC, (void *)&a, sizeof(a)) && write(TC, "x", 1) == 1 &&
		   !cr_move_fd(accept(TL, NULL, NULL), TA) && read(TA, &c, 1) == 1 &&
		   !tcp_set(TA, TCP_CORK, 1)))
		goto out;

	raise(SIGSTOP);

	r.idle = tcp_opt(TC, TCP_KEEPIDLE);
	r.intvl = tcp_opt(TC, TCP_KEEPINTVL);
	r.cnt = tcp_opt(TC, TCP_KEEPCNT);
	r.utimeo = tcp_opt(TC, TCP_USER_TIMEOUT);
	r.lowat = tcp_opt(TC, TCP_NOTSENT_LOWAT);
	r.cork = tcp_opt(TA, TCP_CORK);
	r.defer = tcp_opt(TL, TCP_DEFER_ACCEPT);
	r.defer_c = tcp_opt(TC, TCP_DEFER_ACCEPT);
	len = sizeof(r.ca);
	getsockopt(TC, IPPROTO_TCP, TCP_CONGESTION, r.ca, &len);
	r.echo_ok = write(TC, "y", 1) == 1 && read(TA, &c, 1) == 1 && c == 'y' &&
		    write(TA, "z", 1) == 1 && !tcp_set(TA, TCP_CORK, 0) &&
		    read(TC, &c, 1) == 1 && c == 'z';
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/*
 * TCP options a server sets come back: keepalive times, a user timeout,
 * the not-sent low mark, a congestion control other than the default on
 * a connection, TCP_CORK on its other end, TCP_DEFER_ACCEPT on the
 * listener.
 */
TEST_F_TIMEOUT(sockets, tcp_options, 60)
{
	struct tcpopt_result r;
	pid_t pid;

	if (!variant->restart) {
		ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, false, tcpopt_child));
	} else {
		/* killed by the checkpoint: its connection closes silently, held */
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid)
			tcpopt_child();
		ASSERT_EQ(0, cr_stop_wait(pid, 0));
		ASSERT_LT(0, sys_checkpoint(pid, self->img, CR_CHECKPOINT_KILL))
			TH_LOG("checkpoint: %s", strerror(errno));
		ASSERT_EQ(128 + SIGKILL, cr_wait(pid));
		ASSERT_EQ(CR_RESTART_OK, cr_restart_child(self->img));
	}
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(300, r.idle);
	EXPECT_EQ(30, r.intvl);
	EXPECT_EQ(5, r.cnt);
	EXPECT_EQ(12345, r.utimeo);
	EXPECT_EQ(4096, r.lowat);
	EXPECT_EQ(1, r.cork);
	/* 5 s is 3 retransmissions, which read back as 1 + 2 + 4 s */
	EXPECT_EQ(7, r.defer);
	EXPECT_EQ(7, r.defer_c);
	if (r.ca_set[0]) {
		EXPECT_STREQ(r.ca_set, r.ca);
	} else {
		TH_LOG("one congestion control here: TCP_CONGESTION left out");
	}
	EXPECT_EQ(1, r.echo_ok);
}

/* A TCP option restart would not set again (TCP_SYNCNT): refused, the process intact. */
TEST(tcp_option_refused)
{
	int img = cr_tmpfile();
	pid_t pid;

	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close_range(3, ~0U, 0);
		if (cr_move_fd(socket(AF_INET, SOCK_STREAM, 0), 40) || tcp_set(40, TCP_SYNCNT, 3))
			_exit(1);
		raise(SIGSTOP);
		_exit(tcp_opt(40, TCP_SYNCNT) == 3 ? 0 : 2);
	}
	EXPECT_EQ(0, cr_refused(pid, img));
	close(img);
}

/* What the child finds in its UDP sockets once continued. */
struct udp_result {
	int bad;
	int inq;		/* SIOCINQ of U4: the first datagram's size */
	int sizes[5];		/* the datagrams U4 reads, then -errno */
	int bytes_ok;		/* their bytes are what was sent */
	int from_ok[4];		/* each from the port and address that sent it */
	int v6;			/* 1 if ::1 was there: U6 then has a datagram from it */
	int sizes6[3];		/* the datagrams U6 (dual-stack) reads, then -errno */
	int from6_ok[2];	/* from 127.0.0.1 (v4-mapped), then from ::1 */
	int pktinfo;		/* IP_PKTINFO of P4, IPV6_RECVPKTINFO of P6 */
	int pktinfo6;
	int pktinfo_cmsg;	/* a datagram to P4 after restart comes with its IP_PKTINFO */
	int after_ok;		/* U4 still receives */
};

enum { U4 = 40, U6, S4A, S4B, S6, P4, P6 };

/* Read one datagram of @fd (nonblocking): its size or -errno, its source in @from. */
static int udp_read(int fd, char *buf, size_t size, struct sockaddr_in6 *from)
{
	socklen_t len = sizeof(*from);
	ssize_t n;

	memset(from, 0, sizeof(*from));
	n = recvfrom(fd, buf, size, MSG_DONTWAIT, (void *)from, &len);
	return n < 0 ? -errno : n;
}

static int from4_is(const struct sockaddr_in6 *from, int port)
{
	const struct sockaddr_in *in = (const void *)from;

	return in->sin_family == AF_INET && ntohs(in->sin_port) == port &&
	       in->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
}

static int from6_is(const struct sockaddr_in6 *from, int port, const struct in6_addr *addr)
{
	return from->sin6_family == AF_INET6 && ntohs(from->sin6_port) == port &&
	       !memcmp(&from->sin6_addr, addr, sizeof(*addr));
}

static void udp_child(void)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 }, lo6 = a6, from;
	struct in6_addr mapped = { .s6_addr = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 } };
	struct udp_result r = { };
	int *bad = &r.bad, one = 1, pa, pb, p6 = 0, i, fd;
	static char big[60000], buf[65536];
	socklen_t len;

	close_range(3, ~0U, 0);
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = i * 7;
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lo6.sin6_addr = in6addr_loopback;
	/* U4 on 127.0.0.1: datagrams from two senders, one empty, one big */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, U4) && !bind(U4, (void *)&a4, sizeof(a4))))
		goto out;
	a4.sin_port = htons(port_of(U4, 0));
	if (FAILED(!cr_move_fd(socket(AF_INET, SOCK_DGRAM, 0), S4A) &&
		   !cr_move_fd(socket(AF_INET, SOCK_DGRAM, 0), S4B) &&
		   !connect(S4A, (void *)&a4, sizeof(a4))))
		goto out;
	if (FAILED(send(S4A, "one", 3, 0) == 3 &&
		   sendto(S4B, "", 0, 0, (void *)&a4, sizeof(a4)) == 0 &&
		   send(S4A, big, sizeof(big), 0) == sizeof(big) &&
		   sendto(S4B, "four", 4, 0, (void *)&a4, sizeof(a4)) == 4))
		goto out;
	pa = port_of(S4A, 0);
	pb = port_of(S4B, 0);
	/* U6 on :: (both stacks): a datagram from 127.0.0.1, one from ::1 if up */
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, U6) && !bind(U6, (void *)&a6, sizeof(a6))))
		goto out;
	a4.sin_port = htons(port_of(U6, 0));
	lo6.sin6_port = a4.sin_port;
	if (FAILED(sendto(S4B, "v4", 2, 0, (void *)&a4, sizeof(a4)) == 2))
		goto out;
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd >= 0 && !cr_move_fd(fd, S6) &&
	    sendto(S6, "v6", 2, 0, (void *)&lo6, sizeof(lo6)) == 2) {
		r.v6 = 1;
		p6 = port_of(S6, 0);
	}
	/* P4, P6: IP_PKTINFO, IPV6_RECVPKTINFO, nothing queued */
	a4.sin_port = 0;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, P4) &&
		   !setsockopt(P4, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) &&
		   !bind(P4, (void *)&a4, sizeof(a4))))
		goto out;
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (FAILED(fd >= 0 && !cr_move_fd(fd, P6) &&
		   !setsockopt(P6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))))
		goto out;
	cr_msleep(50);	/* loopback delivers in softirq: let every datagram land */

	raise(SIGSTOP);

	if (FAILED(!ioctl(U4, SIOCINQ, &r.inq)))
		goto out;
	r.sizes[0] = udp_read(U4, buf, sizeof(buf), &from);
	r.from_ok[0] = from4_is(&from, pa);
	r.bytes_ok = !memcmp(buf, "one", 3);
	r.sizes[1] = udp_read(U4, buf, sizeof(buf), &from);
	r.from_ok[1] = from4_is(&from, pb);
	r.sizes[2] = udp_read(U4, buf, sizeof(buf), &from);
	r.from_ok[2] = from4_is(&from, pa);
	r.bytes_ok &= !memcmp(buf, big, sizeof(big));
	r.sizes[3] = udp_read(U4, buf, sizeof(buf), &from);
	r.from_ok[3] = from4_is(&from, pb);
	r.bytes_ok &= !memcmp(buf, "four", 4);
	r.sizes[4] = udp_read(U4, buf, sizeof(buf), &from);
	if (FAILED(send(S4A, "x", 1, 0) == 1))
		goto out;
	cr_msleep(20);
	r.after_ok = udp_read(U4, buf, sizeof(buf), &from) == 1 && buf[0] == 'x' &&
		     from4_is(&from, pa);
	r.sizes6[0] = udp_read(U6, buf, sizeof(buf), &from);
	r.from6_ok[0] = from6_is(&from, pb, &mapped) && !memcmp(buf, "v4", 2);
	r.sizes6[1] = udp_read(U6, buf, sizeof(buf), &from);
	if (r.v6) {
		r.from6_ok[1] = from6_is(&from, p6, &in6addr_loopback) && !memcmp(buf, "v6", 2);
		r.sizes6[2] = udp_read(U6, buf, sizeof(buf), &from);
	}
	len = sizeof(r.pktinfo);
	getsockopt(P4, IPPROTO_IP, IP_PKTINFO, &r.pktinfo, &len);
	len = sizeof(r.pktinfo6);
	getsockopt(P6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &r.pktinfo6, &len);
	{
		char ctl[256];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				    .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c;

		a4.sin_port = htons(port_of(P4, 0));
		if (FAILED(sendto(S4B, "p", 1, 0, (void *)&a4, sizeof(a4)) == 1))
			goto out;
		cr_msleep(20);
		if (FAILED(recvmsg(P4, &m, MSG_DONTWAIT) == 1))
			goto out;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			r.pktinfo_cmsg |= c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO;
	}
out:
	cr_put_result(RESULT, &r, sizeof(r));
	_exit(CR_RESTART_OK);
}

/*
 * UDP datagrams queued at checkpoint are read after restart, in order,
 * with their bytes, sizes (an empty one, a 60000-byte one) and sources
 * (two senders; an IPv4 sender to a dual-stack IPv6 socket, v4-mapped;
 * ::1); nothing more; IP_PKTINFO and IPV6_RECVPKTINFO are kept.
 */
TEST_F_TIMEOUT(sockets, udp_queued, 60)
{
	struct udp_result r;
	int i, ok = 0;

	ASSERT_EQ(CR_RESTART_OK, cr_stop_and_go(self->img, variant->restart, udp_child))
		TH_LOG("checkpoint or restart: %s", strerror(errno));
	ASSERT_EQ(0, cr_get_result(RESULT, &r, sizeof(r)));
	ASSERT_EQ(0, r.bad) TH_LOG("the child failed at line %d", r.bad);
	EXPECT_EQ(3, r.inq);
	EXPECT_EQ(3, r.sizes[0]);
	EXPECT_EQ(0, r.sizes[1]);
	EXPECT_EQ(60000, r.sizes[2]);
	EXPECT_EQ(4, r.sizes[3]);
	EXPECT_EQ(-EAGAIN, r.sizes[4]);
	EXPECT_EQ(1, r.bytes_ok);
	for (i = 0; i < 4; i++)
		ok |= r.from_ok[i] << i;
	EXPECT_EQ(0xf, ok) TH_LOG("bit N clear: datagram N came from another source");
	EXPECT_EQ(2, r.sizes6[0]);
	EXPECT_EQ(1, r.from6_ok[0]);
	if (r.v6) {
		EXPECT_EQ(2, r.sizes6[1]);
		EXPECT_EQ(1, r.from6_ok[1]);
		EXPECT_EQ(-EAGAIN, r.sizes6[2]);
	} else {
		EXPECT_EQ(-EAGAIN, r.sizes6[1]);
		TH_LOG("no ::1 here: IPv6 left out");
	}
	EXPECT_EQ(1, r.pktinfo);
	EXPECT_EQ(1, r.pktinfo6);
	EXPECT_EQ(1, r.pktinfo_cmsg);
	EXPECT_EQ(1, r.after_ok);
}

/*
 * A TCP port still taken (the original listens on): EADDRINUSE, and the
 * restarter goes on; a TCP connection closing is refused at checkpoint.
 */
TEST(tcp_errors)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int img = cr_tmpfile(), l, cl, ac;
	socklen_t len = sizeof(a);
	pid_t pid;

	ASSERT_GE(img, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close_range(3, ~0U, 0);
		l = socket(AF_INET, SOCK_STREAM, 0);
		if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) || cr_move_fd(l, 40))
			_exit(1);
		raise(SIGSTOP);
		/* then a connection of its own */
		if (getsockname(40, (void *)&a, &len))
			_exit(1);
		cl = socket(AF_INET, SOCK_STREAM, 0);
		if (cl < 0 || connect(cl, (void *)&a, sizeof(a)))
			_exit(1);
		ac = accept(40, NULL, NULL);
		/* closing: its FIN sent */
		if (ac < 0 || cr_move_fd(cl, 41) || cr_move_fd(ac, 42) || shutdown(41, SHUT_WR))
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, sys_checkpoint(pid, img, 0)) TH_LOG("checkpoint: %s", strerror(errno));
	EXPECT_EQ(100 + EADDRINUSE, cr_restart_child(img))
		TH_LOG("restart did not fail with EADDRINUSE");
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(0, cr_refused(pid, img));
	close(img);
}

#define WWW	"/tmp/cr-www"
#define PAGE	"restarted and serving\n"

/* GET /index.html from 127.0.0.1:@port: 1 if the page came, 0 if not, -1 no connection. */
static int http_get(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	const char *req = "GET /index.html HTTP/1.0\r\n\r\n";
	char buf[4096];
	size_t n = 0;
	ssize_t k;
	int fd, ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	ok = write(fd, req, strlen(req)) == (ssize_t)strlen(req);
	while (ok && n < sizeof(buf) - 1 && (k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += k;
	buf[n] = '\0';
	close(fd);
	return ok && strstr(buf, " 200 ") && strstr(buf, PAGE);
}

/* Wait up to 10 s until http_get() connects: its result. */
static int http_wait(int port)
{
	int i, r = -1;

	for (i = 0; i < 1000 && r < 0; i++) {
		r = http_get(port);
		if (r < 0)
			cr_msleep(10);
	}
	return r;
}

/* Exec busybox with @argv, its stdio on /dev/null: its pid, or -1. */
static pid_t busybox(char *const argv[])
{
	pid_t pid = fork();
	int fd;

	if (!pid) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		closefrom(3);
		execv("/bin/busybox", argv);
		_exit(127);
	}
	return pid;
}

/* Debian's busybox httpd serving WWW/index.html on 127.0.0.1:@port: its pid, or -1. */
static pid_t httpd_start(int port)
{
	char port_arg[32];
	char *const argv[] = { "httpd", "-f", "-p", port_arg, "-h", WWW, NULL };
	int fd;

	mkdir(WWW, 0755);
	fd = open(WWW "/index.html", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, PAGE, strlen(PAGE)) != (ssize_t)strlen(PAGE) || close(fd))
		return -1;
	snprintf(port_arg, sizeof(port_arg), "127.0.0.1:%d", port);
	return busybox(argv);
}

/*
 * Debian's busybox httpd, a real server: it serves a page, is checkpointed
 * idle (its listening socket), killed, restarted, and serves the page
 * again from the same port, forking a child per request as before.
 */
TEST(busybox_httpd)
{
	int img = cr_tmpfile(), port = 20000 + getpid() % 20000, i;
	struct cr_proc_ids t[4];
	pid_t pid, back;

	ASSERT_GE(img, 0);
	pid = httpd_start(port);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(1, http_wait(port)) TH_LOG("busybox httpd does not serve");
	/* idle: the child that served the request is gone */
	for (i = 0; i < 1000 && cr_proc_tree(pid, t, 4) != 1; i++)
		cr_msleep(10);
	ASSERT_EQ(1, cr_proc_tree(pid, t, 4));
	ASSERT_EQ(0, cr_stop_wait(pid, 1));
	ASSERT_LT(0, cr_checkpoint_kill(pid, img)) TH_LOG("checkpoint: %s", strerror(errno));
	back = cr_restart_as(0, img, 0);
	ASSERT_GT(back, 0);
	EXPECT_EQ(1, http_wait(port)) TH_LOG("the restarted httpd does not serve");
	EXPECT_EQ(1, http_get(port));
	kill(back, SIGKILL);
	waitpid(back, NULL, 0);
	unlink(WWW "/index.html");
	rmdir(WWW);
	close(img);
}

#define SYSLOG_FILE	"/tmp/cr-syslog.log"
#define SYSLOG_ACTION_READ		2
#define SYSLOG_ACTION_SIZE_UNREAD	9

static char out_of_klog[1 << 16];

/* Does SYSLOG_FILE hold @what within 10 s? */
static int syslog_has(const char *what)
{
	static char buf[1 << 16];
	int i, fd;
	ssize_t n;

	for (i = 0; i < 1000; i++) {
		fd = open(SYSLOG_FILE, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (strstr(buf, what))
			return 1;
		cr_msleep(10);
	}
	return 0;
}

/*
 * Debian's busybox klogd, a real syslog client: connected to busybox
 * syslogd's /dev/log (a datagram socket outside the tree), it is
 * checkpointed, killed and restarted, and a kernel message written after
 * reaches the log file through its socket, connected again by the name.
 */
TEST(busybox_klogd_syslog)
{
	static char * const syslogd[] = { "syslogd", "-n", "-O", SYSLOG_FILE, NULL };
	static char * const klogd[] = { "klogd", "-n", NULL };
	int img = cr_tmpfile(), kmsg, i;
	pid_t slog, klog, back;

	if (getuid())
		SKIP(return, "needs root (/dev/log, klogctl)");
	ASSERT_GE(img, 0);
	unlink(SYSLOG_FILE);
	unlink("/dev/log");
	slog = busybox(syslogd);
	ASSERT_GT(slog, 0);
	for (i = 0; i < 500 && access("/dev/log", F_OK); i++)
		cr_msleep(10);
	/* klogd reads what syslog(2) readers have not: only what comes next */
	while (klogctl(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0) > 0 &&
	       klogctl(SYSLOG_ACTION_READ, (char *)out_of_klog, sizeof(out_of_klog)) > 0)
		;
	klog = busybox(klogd);
	ASSERT_GT(klog, 0);
	kmsg = open("/dev/kmsg", O_WRONLY);
	ASSERT_GE(kmsg, 0);
	/* until klogd has sent to syslogd: its socket is connected */
	ASSERT_LT(0, write(kmsg, "cr-klogd-before\n", 16));
	EXPECT_EQ(1, syslog_has("cr-klogd-before")) TH_LOG("klogd does not log");
	ASSERT_EQ(0, cr_stop_wait(klog, 1));
	ASSERT_LT(0, cr_checkpoint_kill(klog, img)) TH_LOG("checkpoint: %s", strerror(errno));
	back = cr_restart_as(0, img, 0);
	ASSERT_GT(back, 0);
	ASSERT_LT(0, write(kmsg, "cr-klogd-after\n", 15));
	EXPECT_EQ(1, syslog_has("cr-klogd-after")) TH_LOG("the restarted klogd does not log");
	kill(back, SIGKILL);
	waitpid(back, NULL, 0);
	kill(slog, SIGKILL);
	waitpid(slog, NULL, 0);
	close(kmsg);
	close(img);
	unlink(SYSLOG_FILE);
}

/*
 * The same httpd checkpointed while it serves: a client sent half a
 * request, the child httpd forked for it waits for the rest on the
 * accepted connection; the tree is frozen, checkpointed, killed and
 * restarted with its pids, then the client sends the rest and gets the
 * page, once, on the same connection, and the server serves new ones.
 */
TEST(busybox_httpd_serving)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int img = cr_tmpfile(), c, port = 20000 + (getpid() + 7) % 20000, i, unacked;
	const char *half = "GET /index.html HTTP/1.0\r\n";
	struct cr_proc_ids t[4];
	char buf[4096], *reply;
	size_t n = 0;
	ssize_t k;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs root (TCP repair, pids kept)");
	ASSERT_GE(img, 0);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	pid = httpd_start(port);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(1, http_wait(port)) TH_LOG("busybox httpd does not serve");
	for (i = 0; i < 1000 && cr_proc_tree(pid, t, 4) != 1; i++)
		cr_msleep(10);
	/* half a request: a child takes the connection and waits for the rest */
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, connect(c, (void *)&a, sizeof(a)));
	ASSERT_EQ((ssize_t)strlen(half), write(c, half, strlen(half)));
	for (i = 0; i < 1000 && cr_proc_tree(pid, t, 4) != 2; i++)
		cr_msleep(10);
	ASSERT_EQ(2, cr_proc_tree(pid, t, 4)) TH_LOG("no child took the connection");
	/* acknowledged: no retransmission while no socket holds it */
	for (i = 0; i < 400; i++) {
		ASSERT_EQ(0, ioctl(c, SIOCOUTQ, &unacked));
		if (!unacked)
			break;
		cr_msleep(5);
	}
	cr_msleep(200);	/* the child is in its read of the rest */
	ASSERT_LT(0, sys_checkpoint(pid, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, cr_kill_descendants());
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	ASSERT_EQ(pid, sys_restart(0, img, CR_RESTART_CHILD)) TH_LOG("restart: %s",
								     strerror(errno));
	/* the rest of the request, on the same connection: the page, once */
	ASSERT_EQ(2, write(c, "\r\n", 2));
	while (n < sizeof(buf) - 1 && (k = read(c, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += k;
	buf[n] = '\0';
	EXPECT_NE(NULL, strstr(buf, " 200 ")) TH_LOG("reply: \"%s\" (%s)", buf, strerror(errno));
	EXPECT_NE(NULL, strstr(buf, PAGE));
	reply = strstr(buf, "HTTP/1.");
	if (reply)
		EXPECT_EQ(NULL, strstr(reply + 1, "HTTP/1.")) TH_LOG("two replies");
	close(c);
	EXPECT_EQ(1, http_get(port)) TH_LOG("the restarted httpd does not serve new clients");
	kill(pid, SIGKILL);
	EXPECT_EQ(0, cr_kill_descendants());
	unlink(WWW "/index.html");
	rmdir(WWW);
	close(img);
}

#define TCP_IN	70000	/* bytes the peer sends before the checkpoint, unread */

/* Read exactly @len bytes of @fd: 0, or -1. */
static int read_full(int fd, void *buf, size_t len)
{
	size_t n = 0;
	ssize_t k;

	while (n < len && (k = read(fd, (char *)buf + n, len - n)) > 0)
		n += k;
	return n == len ? 0 : -1;
}

/*
 * The child: connected to the test's listener on fd 40, it sends "before"
 * and stops with TCP_IN bytes from the peer unread; continued or
 * restarted, it reads them, sends back their sum, then echoes the peer's
 * next message.
 */
static const char *tcp_child_file;	/* a file tcp_child() also opens, on fd 41 */

static void tcp_child(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	static unsigned char in[TCP_IN];
	unsigned long sum = 0;
	char msg[16], reply[32];
	int fd, i;

	close_range(3, ~0U, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&a, sizeof(a)) || cr_move_fd(fd, 40) ||
	    write(40, "before", 6) != 6)
		_exit(1);
	if (tcp_child_file && cr_move_fd(open(tcp_child_file, O_RDONLY), 41))
		_exit(1);
	/* until the peer's bytes are all here, then stop */
	for (i = 0; i < 1000; i++) {
		int n = 0;

		if (ioctl(40, FIONREAD, &n) || n >= TCP_IN)
			break;
		cr_msleep(5);
	}
	raise(SIGSTOP);
	if (read_full(40, in, TCP_IN))
		_exit(2);
	for (i = 0; i < TCP_IN; i++)
		sum += in[i];
	snprintf(reply, sizeof(reply), "sum %lu;", sum);
	if (write(40, reply, strlen(reply)) != (ssize_t)strlen(reply) ||
	    read_full(40, msg, 5) || write(40, msg, 5) != 5)
		_exit(3);
	_exit(0);
}

/*
 * A TCP connection to a peer outside the tree (the test) survives a
 * checkpoint with CR_CHECKPOINT_KILL and a restart: the bytes the peer
 * sent before are read after, the child's replies come once, in order,
 * and the peer never sees a reset, even when it sends while the child is
 * gone (round 2: the killed original's connection is held, what the peer
 * sends is dropped, and it sends it again to the restored one).  And for
 * reference, the same run continued instead (round 0).
 */
TEST(tcp_connection)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static unsigned char out[TCP_IN];
	char got[64], want[64];
	socklen_t len = sizeof(a);
	int img, l, c, round, i, status;
	unsigned long sum = 0;
	pid_t pid, back;

	if (getuid())
		SKIP(return, "needs CAP_NET_ADMIN (TCP repair)");
	for (i = 0; i < TCP_IN; i++) {
		out[i] = (unsigned char)(i * 13 + 7);
		sum += out[i];
	}
	snprintf(want, sizeof(want), "beforesum %lu;hello", sum);
	for (round = 0; round < 3; round++) {
		img = cr_tmpfile();
		ASSERT_GE(img, 0);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = 0;
		l = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_GE(l, 0);
		ASSERT_EQ(0, bind(l, (void *)&a, sizeof(a)));
		ASSERT_EQ(0, listen(l, 1));
		ASSERT_EQ(0, getsockname(l, (void *)&a, &len));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid)
			tcp_child(ntohs(a.sin_port));
		c = accept(l, NULL, NULL);
		ASSERT_GE(c, 0);
		ASSERT_EQ(0, cr_write_all(c, out, TCP_IN));
		ASSERT_EQ(0, cr_stop_wait(pid, 0));
		/*
		 * every byte acknowledged first (the child's delayed ACK): a
		 * retransmission while no socket holds the connection would
		 * be answered with a reset
		 */
		for (i = 0; i < 400; i++) {
			int unacked = 0;

			ASSERT_EQ(0, ioctl(c, SIOCOUTQ, &unacked));
			if (!unacked)
				break;
			cr_msleep(5);
		}
		back = pid;
		if (round) {
			ASSERT_LT(0, sys_checkpoint(pid, img, CR_CHECKPOINT_KILL))
				TH_LOG("checkpoint: %s", strerror(errno));
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			if (round == 2) {
				/* to the held connection: dropped, sent again */
				ASSERT_EQ(5, write(c, "hello", 5));
				cr_msleep(300);
			}
			back = cr_restart_as(0, img, 0);
			ASSERT_GT(back, 0);
		} else {
			ASSERT_EQ(0, kill(pid, SIGCONT));
		}
		memset(got, 0, sizeof(got));
		EXPECT_EQ(0, read_full(c, got, strlen(want) - 5))
			TH_LOG("round %d: got \"%s\" (%s)", round, got, strerror(errno));
		if (round != 2)
			ASSERT_EQ(5, write(c, "hello", 5))
				TH_LOG("round %d: %s", round, strerror(errno));
		EXPECT_EQ(0, read_full(c, got + strlen(want) - 5, 5))
			TH_LOG("round %d: got \"%s\" (%s)", round, got, strerror(errno));
		EXPECT_STREQ(want, got);
		EXPECT_EQ(0, cr_wait(back)) TH_LOG("round %d: the child failed", round);
		/* then the end of the stream, no reset */
		EXPECT_EQ(0, read(c, got, 1)) TH_LOG("round %d: %s", round, strerror(errno));
		close(c);
		close(l);
		close(img);
	}
}

/*
 * A restart that fails before the point of no return (a file of the image
 * is gone) after it took the connection over leaves it held: what the
 * peer sends meanwhile is dropped, not answered with a reset, and the
 * next restart, the file back, gets it.
 */
TEST(tcp_held_after_failed_restart)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int img, l, c, i, status, fd;
	static unsigned char out[TCP_IN];
	unsigned long sum = 0;
	char path[64], got[64], want[64];
	socklen_t len = sizeof(a);
	pid_t pid, back;

	if (getuid())
		SKIP(return, "needs CAP_NET_ADMIN (TCP repair)");
	for (i = 0; i < TCP_IN; i++) {
		out[i] = (unsigned char)(i * 7 + 1);
		sum += out[i];
	}
	snprintf(want, sizeof(want), "sum %lu;hello", sum);
	snprintf(path, sizeof(path), "/tmp/cr-held-%d", getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	tcp_child_file = path;
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(l, 0);
	ASSERT_EQ(0, bind(l, (void *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(l, 1));
	ASSERT_EQ(0, getsockname(l, (void *)&a, &len));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		tcp_child(ntohs(a.sin_port));
	tcp_child_file = NULL;
	c = accept(l, NULL, NULL);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, cr_write_all(c, out, TCP_IN));
	ASSERT_EQ(0, read_full(c, got, 6));	/* "before" */
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, sys_checkpoint(pid, img, CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(100 + ENOENT, cr_restart_child(img)) TH_LOG("the restart did not fail");
	/* to the connection the failed restart left: dropped, sent again */
	ASSERT_EQ(5, write(c, "hello", 5));
	cr_msleep(300);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	back = cr_restart_as(0, img, 0);
	ASSERT_GT(back, 0);
	memset(got, 0, sizeof(got));
	EXPECT_EQ(0, read_full(c, got, strlen(want) - 5))
		TH_LOG("got \"%s\" (%s)", got, strerror(errno));
	EXPECT_EQ(0, read_full(c, got + strlen(want) - 5, 5))
		TH_LOG("got \"%s\" (%s)", got, strerror(errno));
	EXPECT_STREQ(want, got);
	EXPECT_EQ(0, cr_wait(back));
	EXPECT_EQ(0, read(c, got, 1)) TH_LOG("%s", strerror(errno));
	unlink(path);
	close(c);
	close(l);
	close(img);
}

#define HOLD_SECS	"/proc/sys/kernel/cr/tcp_hold_secs"

/*
 * A held connection no restart takes over is closed after
 * kernel.cr.tcp_hold_secs: what the peer sends then is answered with a
 * reset (and before, it was not: the first probe, in the hold).  Values
 * out of 0..3600 are refused.
 */
TEST(tcp_hold_expires)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static unsigned char out[TCP_IN];
	socklen_t len = sizeof(a);
	int img, l, c, status, i;
	struct pollfd pfd;
	char old[16] = "", before[8], x;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs CAP_NET_ADMIN (TCP repair)");
	i = open(HOLD_SECS, O_RDONLY);
	ASSERT_GE(i, 0);
	ASSERT_LT(0, read(i, old, sizeof(old) - 1));
	close(i);
	EXPECT_EQ(-1, cr_sysctl_set(HOLD_SECS, "3601"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, cr_sysctl_set(HOLD_SECS, "-1"));
	ASSERT_EQ(0, cr_sysctl_set(HOLD_SECS, "2"));
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(l, 0);
	ASSERT_EQ(0, bind(l, (void *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(l, 1));
	ASSERT_EQ(0, getsockname(l, (void *)&a, &len));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		tcp_child(ntohs(a.sin_port));
	c = accept(l, NULL, NULL);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, cr_write_all(c, out, TCP_IN));
	ASSERT_EQ(0, read_full(c, before, 6));
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	EXPECT_LT(0, sys_checkpoint(pid, img, CR_CHECKPOINT_KILL))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* held: a segment now is dropped, no reset */
	EXPECT_EQ(1, write(c, "x", 1));
	pfd = (struct pollfd){ .fd = c, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 500)) TH_LOG("revents %#x", pfd.revents);
	/* then no longer: a reset */
	cr_msleep(2000);
	EXPECT_EQ(1, write(c, "y", 1));
	EXPECT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_EQ(-1, read(c, &x, 1));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(0, cr_sysctl_set(HOLD_SECS, old));
	close(c);
	close(l);
	close(img);
}

#define HUGE	(3 << 20)	/* bytes queued: several socket queue records */

static void huge_child(void)
{
	static char buf[HUGE], got[HUGE];
	int sv[2], v = HUGE * 2;
	size_t n = 0;
	ssize_t k;

	close_range(3, ~0U, 0);
	fill(buf, HUGE, 5);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || cr_move_fd(sv[0], 40) ||
	    cr_move_fd(sv[1], 41) || setsockopt(41, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) ||
	    fcntl(41, F_SETFL, O_NONBLOCK))
		_exit(1);
	while (n < HUGE && (k = write(41, buf + n, HUGE - n)) > 0)
		n += k;
	if (n != HUGE)
		_exit(2);
	raise(SIGSTOP);
	for (n = 0; n < HUGE && (k = read(40, got + n, HUGE - n)) > 0; n += k)
		;
	_exit(n == HUGE && !memcmp(buf, got, HUGE) ? CR_RESTART_OK : 3);
}

/*
 * The peer sends while the checkpoint runs, after the connection's state
 * was read (the checkpoint blocks writing its image into a pipe nobody
 * reads yet): those bytes must not be acknowledged by the original and
 * lost.  They are dropped instead, and the peer sends them again; the
 * restored child echoes "hello" whole.  A reset (a retransmission that
 * came between the kill and the restart: nothing holds the connection
 * then) is loud and allowed; silence is not.
 */
TEST(tcp_sent_during_checkpoint)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static unsigned char out[TCP_IN];
	struct pollfd pfd = { .events = POLLIN };
	socklen_t len = sizeof(a);
	int img, l, c, p[2], i, status, n, reset = 0;
	char got[64] = { }, want[64];
	static char buf[65536];
	unsigned long sum = 0;
	pid_t pid, ck, back;

	if (getuid())
		SKIP(return, "needs CAP_NET_ADMIN (TCP repair)");
	for (i = 0; i < TCP_IN; i++) {
		out[i] = (unsigned char)(i * 13 + 7);
		sum += out[i];
	}
	snprintf(want, sizeof(want), "beforesum %lu;", sum);
	img = cr_tmpfile();
	ASSERT_GE(img, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(l, 0);
	ASSERT_EQ(0, bind(l, (void *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(l, 1));
	ASSERT_EQ(0, getsockname(l, (void *)&a, &len));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		tcp_child(ntohs(a.sin_port));
	c = accept(l, NULL, NULL);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, cr_write_all(c, out, TCP_IN));
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(65536, fcntl(p[0], F_SETPIPE_SZ, 65536));
	ck = fork();
	ASSERT_GE(ck, 0);
	if (!ck) {
		close(p[0]);
		_exit(sys_checkpoint(pid, p[1], CR_CHECKPOINT_KILL) > 0 ? 0 : 1);
	}
	close(p[1]);
	/* its 70000 queued bytes fill the pipe: it waits, the state read */
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, ioctl(p[0], FIONREAD, &n));
		if (n >= 65536)
			break;
		cr_msleep(5);
	}
	ASSERT_GE(n, 65536) TH_LOG("the checkpoint did not fill the pipe");
	ASSERT_EQ(2, write(c, "he", 2));
	/* long enough for the original to acknowledge them (a delayed ACK) */
	cr_msleep(300);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		ASSERT_EQ(0, cr_write_all(img, buf, n));
	close(p[0]);
	ASSERT_EQ(0, cr_wait(ck)) TH_LOG("the checkpoint failed");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	back = cr_restart_as(0, img, 0);
	ASSERT_GT(back, 0);
	/* its sum of the bytes before, then "he" (sent again) and "llo" echoed */
	ASSERT_EQ(0, read_full(c, got, strlen(want)));
	EXPECT_STREQ(want, got);
	ASSERT_EQ(3, write(c, "llo", 3));
	memset(got, 0, sizeof(got));
	for (n = 0; n < 5; ) {
		ssize_t k;

		pfd.fd = c;
		if (poll(&pfd, 1, 5000) != 1)
			break;
		k = read(c, got + n, 5 - n);
		reset = k < 0 && errno == ECONNRESET;
		if (k <= 0)
			break;
		n += k;
	}
	if (reset) {
		TH_LOG("reset: a retransmission came between the kill and the restart");
	} else {
		EXPECT_EQ(5, n) TH_LOG("silence: the bytes sent during the checkpoint were lost");
		EXPECT_STREQ("hello", got);
		EXPECT_EQ(0, cr_wait(back));
	}
	kill(back, SIGKILL);
	close(c);
	close(l);
	close(img);
}

/*
 * Megabytes queued on a stream (SO_SNDBUFFORCE): every byte back in order
 * across several socket queue records; without CAP_NET_ADMIN, more than
 * the restarter could queue itself is refused with EPERM.
 */
TEST(huge_queue)
{
	int img = cr_tmpfile(), status;
	pid_t pid;

	if (getuid())
		SKIP(return, "needs CAP_NET_ADMIN for SO_SNDBUFFORCE");
	ASSERT_GE(img, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		huge_child();
	ASSERT_EQ(0, cr_stop_wait(pid, 0));
	ASSERT_LT(0, cr_checkpoint_kill(pid, img)) TH_LOG("checkpoint: %s", strerror(errno));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (cr_drop_cap(CAP_NET_ADMIN) || lseek(img, 0, SEEK_SET))
			_exit(1);
		sys_restart(0, img, 0);
		_exit(errno == EPERM ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("restart without CAP_NET_ADMIN: not EPERM");
	EXPECT_EQ(CR_RESTART_OK, cr_restart_child(img));
	close(img);
}

TEST_HARNESS_MAIN
