// SPDX-License-Identifier: GPL-2.0
/*
 * cr: sockets - the socket state of a file record and the socket queue
 * records after it.
 *
 * A unix socket of the tree is saved with its state and what it has queued
 * to be read, and made again by restart as the caller would make it:
 *
 * - unbound and unconnected (socket(2)): made again empty;
 * - one end of a connected pair whose other end the tree holds too
 *   (socketpair(2), both unbound): the first of the two file records makes
 *   the pair, the second takes the other end;
 * - one end of a pair whose other end was closed: made as a pair, then the
 *   other end is closed again;
 * - listening, with no connection waiting to be accepted.
 *
 * A socket bound to an abstract name (autobind(7) names too) or to an
 * absolute path is bound to it again; the socket file the killed original
 * left at that path is unlinked first, if no socket is bound to it.
 *
 * An INET or INET6 socket is saved with its addresses and the options
 * restart sets, and made again as the caller would with socket(2),
 * setsockopt(2), bind(2), listen(2) and connect(2): a TCP socket that is
 * not connected, or listening with no connection waiting; a UDP socket,
 * bound or connected, with no datagram queued.  TCP connections are
 * refused, as are multicast memberships and the IP options restart does
 * not set.
 *
 * What a socket has queued is read at checkpoint without being consumed
 * (the tree is frozen, its peer too), each message with its sender's
 * credentials; restart sends it again from the other end of the new pair,
 * one sendmsg(2) per message so that datagram boundaries stay, then gives
 * each message the credentials it had: uid and gid if the caller could
 * have sent them itself (SCM_CREDENTIALS's rule), the pid of the sending
 * process once the tree is made (0 for a sender outside the tree).
 *
 * A socket connected to a peer outside the tree is left to the restarter
 * under its key, as one end of a pipe is.  Refused with EOPNOTSUPP, by
 * name: other families, unix sockets bound to a relative path whose file is
 * gone (else saved with its absolute path), accept(2)ed sockets,
 * connections waiting to be accepted, files in flight
 * (SCM_RIGHTS), out-of-band data, socket filters, receive timestamps and
 * the options restart does not set.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/filter.h>
#include <linux/jiffies.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/workqueue.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/un.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/af_unix.h>
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>

/* The image's message header and bytes, padded, of @len bytes. */
static size_t cr_sock_msg_size(u32 len)
{
	return sizeof(struct cr_sock_msg) + ALIGN(len, CR_ALIGN);
}

/* ------------------------------------------------------------------------ */
/* checkpoint                                                               */
/* ------------------------------------------------------------------------ */

/* The task index of the tree's process whose tgid @pid is; CR_TREE_OUTSIDE. */
static u32 cr_sock_proc(struct cr_ctx *ctx, struct pid *pid)
{
	u32 i;

	for (i = 0; pid && i < ctx->nr_procs; i++)
		if (task_tgid(ctx->procs[i].leader->task) == pid)
			return ctx->procs[i].leader->idx;
	return CR_TREE_OUTSIDE;
}

/* Nanoseconds of a socket timeout in jiffies; 0 for none (or too far to say). */
static s64 cr_sock_timeo_ns(long timeo)
{
	if (timeo == MAX_SCHEDULE_TIMEOUT || timeo < 0 ||
	    timeo > S64_MAX / (NSEC_PER_SEC / HZ))
		return 0;
	return jiffies_to_nsecs(timeo);
}

/*
 * Take a reference to each buffer of @q, in order, into @arr if they are
 * at most @cap; their number either way.
 */
static u32 cr_snap_queue(struct sk_buff_head *q, struct sk_buff **arr, u32 cap)
{
	struct sk_buff *skb;
	u32 n = skb_queue_len(q);

	lockdep_assert_held(&q->lock);
	if (n > cap)
		return n;
	n = 0;
	skb_queue_walk(q, skb)
		arr[n++] = skb_get(skb);
	return n;
}

/* cr_snap_queue() of @q alone. */
static u32 cr_snap_one(struct sk_buff_head *q, struct sk_buff **arr, u32 cap)
{
	unsigned long irq;
	u32 n;

	spin_lock_irqsave(&q->lock, irq);
	n = cr_snap_queue(q, arr, cap);
	spin_unlock_irqrestore(&q->lock, irq);
	return n;
}

/*
 * cr_snap_queue() of @first then @q at once: UDP's reader queue, which
 * its reader takes from before the receive queue (its lock comes first,
 * as there), then the receive queue.
 */
static u32 cr_snap_two(struct sk_buff_head *first, struct sk_buff_head *q,
		       struct sk_buff **arr, u32 cap)
{
	unsigned long irq;
	u32 n;

	spin_lock_irqsave(&first->lock, irq);
	spin_lock(&q->lock);
	n = skb_queue_len(first) + skb_queue_len(q);
	if (n <= cap) {
		n = cr_snap_queue(first, arr, cap);
		n += cr_snap_queue(q, arr + n, cap - n);
	}
	spin_unlock(&q->lock);
	spin_unlock_irqrestore(&first->lock, irq);
	return n;
}

/*
 * Take a reference to each buffer @sk has queued to be read, in order:
 * those of @first (UDP's reader queue) if not NULL, then those of the
 * receive queue; *@skbs (kvfree'd by the caller), *@nr of them.
 */
static int cr_sock_snap(struct sock *sk, struct sk_buff_head *first, struct sk_buff ***skbs,
			u32 *nr)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff **arr = NULL;
	u32 n, cap = 0;

	for (;;) {
		u32 want = skb_queue_len_lockless(q) + 8 +
			   (first ? skb_queue_len_lockless(first) : 0);

		if (want > cap) {
			kvfree(arr);
			arr = kvmalloc_array(want, sizeof(*arr), GFP_KERNEL);
			if (!arr)
				return -ENOMEM;
			cap = want;
		}
		n = first ? cr_snap_two(first, q, arr, cap) : cr_snap_one(q, arr, cap);
		if (n <= cap)
			break;
	}
	*skbs = arr;
	*nr = n;
	return 0;
}

static void cr_sock_unsnap(struct sk_buff **skbs, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		kfree_skb(skbs[i]);
	kvfree(skbs);
}

/* A socket queue record being filled, written out when the next message does not fit. */
struct cr_sock_qw {
	struct cr_rec_sock_queue *q;
	size_t used;
};

static int cr_qw_start(struct cr_sock_qw *w, u32 objref)
{
	w->q = kvmalloc(CR_REC_MAX_LEN, GFP_KERNEL);
	if (!w->q)
		return -ENOMEM;
	w->q->objref = objref;
	w->q->nr = 0;
	w->used = 0;
	return 0;
}

/*
 * The next message, of @len bytes, zeroed but for its length and no
 * credentials; the record written out first if it is full.
 */
static struct cr_sock_msg *cr_qw_msg(struct cr_ctx *ctx, struct cr_sock_qw *w, u32 len)
{
	const size_t room = CR_REC_MAX_LEN - sizeof(*w->q);
	struct cr_sock_msg *m;
	int ret;

	if (w->used + cr_sock_msg_size(len) > room) {
		ret = cr_write_rec(ctx, CR_REC_SOCK_QUEUE, w->q, sizeof(*w->q) + w->used);
		if (ret)
			return ERR_PTR(ret);
		w->q->nr = 0;
		w->used = 0;
	}
	m = (struct cr_sock_msg *)((char *)(w->q + 1) + w->used);
	memset(m, 0, cr_sock_msg_size(len));
	m->len = len;
	m->uid = CR_SOCK_NO_ID;
	m->gid = CR_SOCK_NO_ID;
	m->sender = CR_TREE_OUTSIDE;
	w->used += cr_sock_msg_size(len);
	w->q->nr++;
	return m;
}

/* Write out what is left (@ret 0), and let the record go. */
static int cr_qw_end(struct cr_ctx *ctx, struct cr_sock_qw *w, int ret)
{
	if (!ret && w->q->nr)
		ret = cr_write_rec(ctx, CR_REC_SOCK_QUEUE, w->q, sizeof(*w->q) + w->used);
	kvfree(w->q);
	return ret;
}

/*
 * Add the messages of unix socket buffers @skbs (@nr of them) to @w:
 * stream buffers in pieces of at most CR_SOCK_MSG_MAX bytes, datagrams
 * whole, each with its sender's credentials.
 */
static int cr_qw_unix(struct cr_ctx *ctx, struct cr_sock_qw *w, struct sk_buff **skbs, u32 nr)
{
	struct cr_sock_msg *m;
	u32 i, off, len, left;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		struct sk_buff *skb = skbs[i];
		u32 skip = UNIXCB(skb).consumed;

		left = skb->len - skip;
		off = 0;
		do {
			len = min_t(u32, left, CR_SOCK_MSG_MAX);
			m = cr_qw_msg(ctx, w, len);
			if (IS_ERR(m)) {
				ret = PTR_ERR(m);
				break;
			}
			/* none while neither end had SO_PASSCRED */
			if (UNIXCB(skb).pid) {
				m->uid = from_kuid_munged(current_user_ns(), UNIXCB(skb).uid);
				m->gid = from_kgid_munged(current_user_ns(), UNIXCB(skb).gid);
			}
			m->sender = cr_sock_proc(ctx, UNIXCB(skb).pid);
			ret = skb_copy_bits(skb, skip + off, m + 1, len);
			off += len;
			left -= len;
		} while (left && !ret);
	}
	return ret;
}

/* Write the socket queue records of @skbs (@nr), the queue of the socket of file @objref. */
static int cr_write_sock_queue(struct cr_ctx *ctx, u32 objref, struct sk_buff **skbs, u32 nr)
{
	struct cr_sock_qw w;
	int ret;

	if (!nr)
		return 0;
	ret = cr_qw_start(&w, objref);
	if (ret)
		return ret;
	ret = cr_qw_unix(ctx, &w, skbs, nr);
	return cr_qw_end(ctx, &w, ret);
}

/* A connection not accept(2)ed yet of a unix listener, as it is saved. */
struct cr_unix_conn {
	struct sk_buff **skbs;	/* what its client sent, referenced */
	u32 nr;
	u32 pair;		/* its client's pair, 0 for a client that closed */
	u32 sender;		/* the connecting process's task index */
};

/*
 * Write the socket queue records of unix listener @objref's connections
 * not accept(2)ed yet (@conns, @nr of them): each a message with
 * CR_SOCK_MSG_CONN, then what its client sent.
 */
static int cr_write_unix_conns(struct cr_ctx *ctx, u32 objref, struct cr_unix_conn *conns,
			       u32 nr)
{
	struct cr_sock_msg *m;
	struct cr_sock_qw w;
	u32 i;
	int ret;

	if (!nr)
		return 0;
	ret = cr_qw_start(&w, objref);
	if (ret)
		return ret;
	for (i = 0; i < nr && !ret; i++) {
		m = cr_qw_msg(ctx, &w, 0);
		if (IS_ERR(m)) {
			ret = PTR_ERR(m);
			break;
		}
		m->flags = CR_SOCK_MSG_CONN;
		m->pair = conns[i].pair;
		m->sender = conns[i].sender;
		ret = cr_qw_unix(ctx, &w, conns[i].skbs, conns[i].nr);
	}
	return cr_qw_end(ctx, &w, ret);
}

/*
 * Write the socket queue records of the UDP datagrams @skbs (@nr of them,
 * queued on the socket of file @objref, IPv6 if @is6), each with its
 * source address and port.
 */
static int cr_write_udp_queue(struct cr_ctx *ctx, u32 objref, struct sk_buff **skbs, u32 nr,
			      bool is6)
{
	struct cr_sock_qw w;
	struct cr_sock_msg *m;
	u32 i;
	int ret;

	if (!nr)
		return 0;
	ret = cr_qw_start(&w, objref);
	if (ret)
		return ret;
	for (i = 0; i < nr && !ret; i++) {
		struct sk_buff *skb = skbs[i];

		m = cr_qw_msg(ctx, &w, skb->len);
		if (IS_ERR(m)) {
			ret = PTR_ERR(m);
			break;
		}
		m->port = ntohs(udp_hdr(skb)->source);
		if (skb->protocol == htons(ETH_P_IP) && is6)
			ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, (struct in6_addr *)m->addr);
		else if (skb->protocol == htons(ETH_P_IP))
			memcpy(m->addr, &ip_hdr(skb)->saddr, 4);
		else
			memcpy(m->addr, &ipv6_hdr(skb)->saddr, 16);
		ret = skb_copy_bits(skb, 0, m + 1, skb->len);
	}
	return cr_qw_end(ctx, &w, ret);
}

/*
 * Why the datagrams @skbs (@nr) queued on UDP socket @sk cannot be saved,
 * or NULL: one too long for a message, or from an IPv6 link-local address
 * (its interface is not kept).
 */
static const char *cr_udp_unsaved(struct sock *sk, struct sk_buff **skbs, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++) {
		if (skbs[i]->len > CR_SOCK_MSG_MAX)
			return "a UDP datagram larger than a message";
		if (skbs[i]->protocol == htons(ETH_P_IPV6) &&
		    ipv6_addr_type(&ipv6_hdr(skbs[i])->saddr) & IPV6_ADDR_LINKLOCAL)
			return "a UDP datagram queued from an IPv6 link-local address";
	}
	if (nr && (inet_cmsg_flags(inet_sk(sk)) ||
		   (sk->sk_family == AF_INET6 && inet6_sk(sk)->rxopt.all)))
		return "UDP datagrams queued with IP_PKTINFO or another IP receive option";
	return NULL;
}

/*
 * Write @len bytes at @data as socket queue records of socket @objref, in
 * messages of at most CR_SOCK_MSG_MAX bytes without credentials.
 */
static int cr_write_sock_bytes(struct cr_ctx *ctx, u32 objref, const u8 *data, u32 len)
{
	struct cr_sock_qw w;
	struct cr_sock_msg *m;
	u32 off, n;
	int ret;

	if (!len)
		return 0;
	ret = cr_qw_start(&w, objref);
	if (ret)
		return ret;
	for (off = 0; off < len && !ret; off += n) {
		n = min_t(u32, len - off, CR_SOCK_MSG_MAX);
		m = cr_qw_msg(ctx, &w, n);
		if (IS_ERR(m))
			ret = PTR_ERR(m);
		else
			memcpy(m + 1, data + off, n);
	}
	return cr_qw_end(ctx, &w, ret);
}

/*
 * Keep established TCP connection @sk quiet while it is saved: a filter
 * that drops every segment the peer sends from now on, before TCP sees
 * it, so that nothing is received and acknowledged after its state is
 * read (a byte acknowledged by the original and not in the image would
 * be lost: the peer never sends it again).  The peer sends what was
 * dropped again, to the original if it goes on (the filter is removed
 * after the checkpoint, cr_tcp_unquiet()) or to the restored connection.
 * The filter, or NULL if none could be set (one of the process's own:
 * the socket is refused anyway; no memory: the connection is saved
 * without it, as before).
 */
static struct sk_filter *cr_tcp_quiet(struct sock *sk)
{
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog_kern fprog = { .len = 1, .filter = &drop };
	struct sk_filter *fp;
	struct bpf_prog *prog;

	if (bpf_prog_create(&prog, &fprog))
		return NULL;
	fp = kmalloc(sizeof(*fp), GFP_KERNEL);
	if (!fp) {
		bpf_prog_destroy(prog);
		return NULL;
	}
	fp->prog = prog;
	refcount_set(&fp->refcnt, 1);
	lock_sock(sk);
	if (rcu_access_pointer(sk->sk_filter) || !sk_filter_charge(sk, fp)) {
		release_sock(sk);
		kfree(fp);
		bpf_prog_destroy(prog);
		return NULL;
	}
	/* sk_filter_charge() took a reference: the socket's is the one there */
	refcount_dec(&fp->refcnt);
	rcu_assign_pointer(sk->sk_filter, fp);
	/* what the backlog holds, queued before the filter, goes in now */
	release_sock(sk);
	return fp;
}

/*
 * Take the filter cr_tcp_quiet() set off @sk, if it is still there; not
 * off a connection held for the kill (in repair mode) if @held_keeps.
 */
static void cr_tcp_unquiet(struct sock *sk, struct sk_filter *fp, bool held_keeps)
{
	lock_sock(sk);
	if (!(held_keeps && tcp_sk(sk)->repair) &&
	    rcu_dereference_protected(sk->sk_filter, lockdep_sock_is_held(sk)) == fp) {
		RCU_INIT_POINTER(sk->sk_filter, NULL);
		sk_filter_uncharge(sk, fp);
	}
	release_sock(sk);
}

/*
 * Between the kill and the restart, a killed original's connection is held
 * (cr_tcp_hold()): its file, in repair mode with its drop filter, stays
 * hashed, so that what the peer sends meanwhile is dropped (it sends it
 * again) rather than answered with a reset.  The restart that makes the
 * connection again takes it over (cr_tcp_take_over()); one no restart takes
 * is closed, without a word, after kernel.cr.tcp_hold_secs.
 */
static unsigned int cr_tcp_hold_secs = 60;
static unsigned int cr_tcp_hold_max = 3600;
static LIST_HEAD(cr_tcp_holds);
static DEFINE_MUTEX(cr_tcp_holds_lock);

/**
 * struct cr_tcp_held - a killed original's TCP connection, held for its restart
 * @node: in cr_tcp_holds; empty once taken off (by whoever owns it then)
 * @file: the socket's file, referenced
 * @expire: closes it when no restart took it over in time
 */
struct cr_tcp_held {
	struct list_head node;
	struct file *file;
	struct delayed_work expire;
};

static struct ctl_table cr_sysctls[] = {
	{
		.procname	= "tcp_hold_secs",
		.data		= &cr_tcp_hold_secs,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &cr_tcp_hold_max,
	},
};

static int __init cr_socket_init(void)
{
	register_sysctl_init("kernel/cr", cr_sysctls);
	return 0;
}
late_initcall(cr_socket_init);

/* Take @h off the list: true if it was on it (the caller owns it then). */
static bool cr_tcp_unhold(struct cr_tcp_held *h)
{
	bool was;

	mutex_lock(&cr_tcp_holds_lock);
	was = !list_empty(&h->node);
	list_del_init(&h->node);
	mutex_unlock(&cr_tcp_holds_lock);
	return was;
}

static void cr_tcp_hold_expire(struct work_struct *work)
{
	struct cr_tcp_held *h = container_of(to_delayed_work(work), struct cr_tcp_held, expire);

	if (!cr_tcp_unhold(h))
		return;	/* taken over */
	pr_debug("a held TCP connection was not restarted in time: closed\n");
	fput(h->file);
	kfree(h);
}

/*
 * Hold @file, the socket of a connection in repair mode about to lose its
 * last fd to the kill, for its restart, if the checkpointer may repair it
 * (CAP_NET_ADMIN in its network namespace, as TCP_REPAIR asks) and holding
 * is on.  Without memory it closes at the kill, as it did before holds.
 */
static void cr_tcp_hold(struct sock *sk, struct file *file)
{
	unsigned int secs = READ_ONCE(cr_tcp_hold_secs);
	struct cr_tcp_held *h;

	if (!secs || !ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN))
		return;
	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return;
	h->file = get_file(file);
	INIT_DELAYED_WORK(&h->expire, cr_tcp_hold_expire);
	mutex_lock(&cr_tcp_holds_lock);
	list_add_tail(&h->node, &cr_tcp_holds);
	mutex_unlock(&cr_tcp_holds_lock);
	schedule_delayed_work(&h->expire, secs * HZ);
	pr_debug("TCP connection, port %u: held for %u s\n", inet_sk(sk)->inet_num, secs);
}

/* An INET address of @sk (@v6: sk_v6_*, else the IPv4 one) into @to. */
static void cr_inet_addr(u8 *to, const struct in6_addr *v6, __be32 v4, bool is6)
{
	memset(to, 0, 16);
	if (is6)
		memcpy(to, v6, 16);
	else
		memcpy(to, &v4, 4);
}

/* Is @sk, in @net, the connection @s saved? */
static bool cr_tcp_held_is(struct sock *sk, struct net *net, const struct cr_file_socket *s)
{
	struct inet_sock *inet = inet_sk(sk);
	bool is6 = sk->sk_family == AF_INET6;
	u8 laddr[16], raddr[16];

	if (!net_eq(sock_net(sk), net) || sk->sk_family != s->family ||
	    inet->inet_num != s->lport || ntohs(inet->inet_dport) != s->rport)
		return false;
	cr_inet_addr(laddr, &sk->sk_v6_rcv_saddr, inet->inet_rcv_saddr, is6);
	cr_inet_addr(raddr, &sk->sk_v6_daddr, inet->inet_daddr, is6);
	return !memcmp(laddr, s->laddr, 16) && !memcmp(raddr, s->raddr, 16);
}

/*
 * Take over the connection @s saved from its killed original, if it is
 * held: closed without a word (it is in repair mode), right before the
 * connection made again takes its place, so that its 4-tuple is free.
 */
static void cr_tcp_take_over(const struct cr_file_socket *s)
{
	struct net *net = current->nsproxy->net_ns;
	struct cr_tcp_held *h, *found = NULL;
	struct sock *sk;

	mutex_lock(&cr_tcp_holds_lock);
	list_for_each_entry(h, &cr_tcp_holds, node) {
		if (cr_tcp_held_is(sock_from_file(h->file)->sk, net, s)) {
			found = h;
			list_del_init(&h->node);
			break;
		}
	}
	mutex_unlock(&cr_tcp_holds_lock);
	if (!found)
		return;
	cancel_delayed_work_sync(&found->expire);
	sk = sock_from_file(found->file)->sk;
	lock_sock(sk);
	if (tcp_sk(sk)->repair)
		tcp_disconnect(sk, 0);
	release_sock(sk);
	fput(found->file);
	kfree(found);
	pr_debug("TCP connection, port %u: taken over from its original\n", s->lport);
}

/**
 * cr_hold_tcp() - let the TCP connections saved close without a word
 * @tcp: the connections cr_write_socket() saved
 * @files: the open files of the tree, with the number of its fds on each
 * @slack: references the tree's tasks may hold for a while (a call in
 *	progress in a multi-threaded process)
 *
 * Called before a successful checkpoint kills the tree
 * (CR_CHECKPOINT_KILL): each socket is put in repair mode, as TCP_REPAIR
 * does, so that closing it sends the peer neither a FIN nor a reset; the
 * connection lives on in its image.  A socket whose file has more
 * references than the tree and its checkpoint explain may be another
 * process's too (passed with SCM_RIGHTS): it is left as it is, and closes
 * as any would.
 *
 * Context: process context, may sleep; takes each socket's lock.
 */
void cr_hold_tcp(struct cr_objs *tcp, struct cr_objs *files, u32 slack)
{
	struct cr_obj *obj, *fobj;
	int bkt;

	hash_for_each(tcp->hash, bkt, obj, node) {
		struct sock *sk = obj->ptr;
		struct file *file = sk->sk_socket ? sk->sk_socket->file : NULL;

		fobj = file ? cr_obj_find(files, file) : NULL;
		/* the fds, the files table's reference, the tasks' calls */
		if (!fobj || file_count(file) > fobj->readers + 1 + slack) {
			pr_debug("a TCP connection shared outside the tree: not held\n");
			continue;
		}
		lock_sock(sk);
		tcp_sk(sk)->repair = 1;
		tcp_sk(sk)->repair_queue = TCP_NO_QUEUE;
		release_sock(sk);
		cr_tcp_hold(sk, file);
	}
}

/**
 * cr_put_tcp() - drop the references cr_write_socket() took
 * @tcp: the TCP connections it saved; the table is emptied by its owner
 *
 * A connection that goes on (no CR_CHECKPOINT_KILL, a failed checkpoint,
 * one shared outside the tree) hears its peer again: its drop filter is
 * taken off, and the peer sends what was dropped again.  One held for the
 * kill (in repair mode) keeps it until it is closed.
 *
 * Context: process context, may sleep; takes each socket's lock.
 */
void cr_put_tcp(struct cr_objs *tcp)
{
	struct cr_obj *obj;
	int bkt;

	hash_for_each(tcp->hash, bkt, obj, node) {
		struct sock *sk = obj->ptr;

		if (obj->aux)
			cr_tcp_unquiet(sk, obj->aux, true);
		sock_put(sk);
	}
}

/*
 * What @sk has that restart would not make again: refused by name (@fd is
 * the fd it was found on; @quiet the filter cr_tcp_quiet() set, not the
 * process's).
 */
static int cr_sock_unsaved(struct cr_ctx *ctx, struct sock *sk, struct socket *sock,
			   unsigned int fd, struct sk_filter *quiet)
{
	struct sk_filter *fp = rcu_access_pointer(sk->sk_filter);
	const char *what = NULL;

	if (fp && fp != quiet)
		what = "a socket filter (SO_ATTACH_FILTER)";
	else if (sock_flag(sk, SOCK_RCVTSTAMP) || READ_ONCE(sk->sk_tsflags))
		what = "receive timestamps (SO_TIMESTAMP*)";
	else if (READ_ONCE(sk->sk_mark) || READ_ONCE(sk->sk_priority))
		what = "SO_MARK or SO_PRIORITY";
	else if (test_bit(SOCK_PASSSEC, &sock->flags))
		what = "SO_PASSSEC";
	else if (sock_flag(sk, SOCK_RXQ_OVFL) || sock_flag(sk, SOCK_LINGER))
		what = "SO_RXQ_OVFL or SO_LINGER";
#if IS_ENABLED(CONFIG_AF_UNIX_OOB)
	/* a unix socket's own field: no other sock has it */
	else if (sk->sk_family == AF_UNIX && READ_ONCE(unix_sk(sk)->oob_skb))
		what = "out-of-band data (MSG_OOB)";
#endif
	if (!what)
		return 0;
	return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: a socket with %s", fd, what);
}

/* The pid SO_PEERCRED of @sk names. */
static u32 cr_sock_peer(struct cr_ctx *ctx, struct sock *sk)
{
	u32 idx;

	spin_lock(&sk->sk_peer_lock);
	idx = cr_sock_proc(ctx, sk->sk_peer_pid);
	spin_unlock(&sk->sk_peer_lock);
	return idx;
}

/*
 * The address of @sk, bound to a relative path: the absolute path of its
 * socket file, in @to (*@lenp bytes), so that restart binds it (or
 * connects to it) again whatever its cwd.
 * -EOPNOTSUPP if the file is gone or its path does not fit an address.
 */
static int cr_unix_abs_addr(struct cr_ctx *ctx, struct sock *sk, unsigned int fd, u8 *to,
			    u32 *lenp)
{
	struct path path;
	char *buf, *p;
	int ret = 0;

	unix_state_lock(sk);
	path = unix_sk(sk)->path;	/* set before the address is published */
	path_get(&path);
	unix_state_unlock(sk);
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	p = buf ? NULL : ERR_PTR(-ENOMEM);
	/* a file still linked: its path, as the checkpointer sees it */
	if (buf && path.dentry && !d_unlinked(path.dentry))
		p = d_path(&path, buf, PATH_MAX);
	if (IS_ERR(p))
		ret = PTR_ERR(p);
	else if (!p || strlen(p) >= CR_UNIX_PATH_MAX)
		ret = cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd,
				"a unix socket bound to a relative path, its file gone or too deep");
	if (!ret) {
		*lenp = strlen(p) + 1;
		memcpy(to, p, *lenp);
		pr_debug("fd %u: a unix socket bound to a relative path, saved as %s\n", fd, p);
	}
	kfree(buf);
	path_put(&path);
	return ret;
}

/*
 * Is unix socket @sk, whose address is @addr, bound to it (hashed under
 * its name: bind(2), autobind), or an accept(2)ed socket that has its
 * listener's address (and is hashed as an unbound socket is)?
 */
static bool cr_unix_hashed(struct sock *sk, struct unix_address *addr)
{
	if (!addr->name->sun_path[0])
		return sk->sk_hash > UNIX_HASH_MOD;	/* unix_abstract_hash() */
	return !hlist_unhashed(&sk->sk_bind_node);	/* unix_insert_bsd_socket() */
}

/*
 * The name unix socket @sk (on fd @fd, or its peer's) is bound to, @addr,
 * into @to (*@lenp bytes): a relative path made absolute.
 */
static int cr_unix_name(struct cr_ctx *ctx, struct sock *sk, struct unix_address *addr,
			unsigned int fd, u8 *to, u32 *lenp)
{
	/* restart binds the same name from any cwd */
	if (addr->name->sun_path[0] && addr->name->sun_path[0] != '/')
		return cr_unix_abs_addr(ctx, sk, fd, to, lenp);
	*lenp = addr->len - offsetof(struct sockaddr_un, sun_path);
	memcpy(to, addr->name->sun_path, *lenp);
	return 0;
}

/*
 * Is @peer the server end of a connection not accept(2)ed yet on a
 * listener of the tree's (@held)?  Such an end has no socket until
 * accept(2) gives it one, and names its listener until then.
 */
static bool cr_unix_embryo(struct sock *peer, struct cr_objs *held)
{
	struct sock *l = READ_ONCE(unix_sk(peer)->listener);

	return !READ_ONCE(peer->sk_socket) && l && cr_obj_find(held, l);
}

/*
 * The state of unix socket @sk: made anew, one end of a pair (numbered in
 * @pairs; the client of a connection not accept(2)ed yet is one, its
 * server end the other), an orphan or listening; its address.  A
 * reference to its peer in *@peerp.  1 if its peer is not the tree's
 * (@held).
 */
static int cr_unix_state(struct cr_ctx *ctx, struct sock *sk, unsigned int fd,
			 struct cr_file_socket *s, struct cr_objs *held, struct cr_objs *pairs,
			 struct sock **peerp)
{
	struct unix_address *addr;
	bool listen, mutual = false;
	struct sock *peer;
	struct cr_obj *obj;
	bool added;
	int ret;

	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_DGRAM &&
	    sk->sk_type != SOCK_SEQPACKET)
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: a unix socket of type %u", fd,
				 sk->sk_type);
	unix_state_lock(sk);
	peer = unix_peer(sk);
	if (peer)
		sock_hold(peer);
	/* pairs with the release of unix_bind() and autobind */
	addr = smp_load_acquire(&unix_sk(sk)->addr);
	listen = READ_ONCE(sk->sk_state) == TCP_LISTEN;
	s->shutdown = READ_ONCE(sk->sk_shutdown);
	unix_state_unlock(sk);
	*peerp = peer;
	if (peer && !sock_flag(peer, SOCK_DEAD)) {
		unix_state_lock(peer);
		mutual = unix_peer(peer) == sk;
		unix_state_unlock(peer);
	}

	/* stable once published; an accept(2)ed socket shares its listener's */
	if (addr && !cr_unix_hashed(sk, addr)) {
		s->flags |= CR_SOCK_ACCEPTED;
		s->addr_len = addr->len - offsetof(struct sockaddr_un, sun_path);
		memcpy(s->addr, addr->name->sun_path, s->addr_len);
	} else if (addr) {
		ret = cr_unix_name(ctx, sk, addr, fd, s->addr, &s->addr_len);
		if (ret)
			return ret;
	}
	if (listen) {
		s->state = CR_SOCK_LISTEN;
		s->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	} else if (!peer) {
		s->state = CR_SOCK_NEW;
	} else if (sock_flag(peer, SOCK_DEAD)) {
		s->state = CR_SOCK_ORPHAN;
	} else if (sk->sk_type == SOCK_DGRAM && !mutual) {
		/* connected to a bound socket (a syslog daemon's): connected again by its name */
		addr = smp_load_acquire(&unix_sk(peer)->addr);
		if (!addr || !cr_unix_hashed(peer, addr))
			return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd,
					 "a unix datagram socket connected to a socket with no name");
		ret = cr_unix_name(ctx, peer, addr, fd, s->peer_addr, &s->peer_len);
		if (ret)
			return ret;
		s->state = CR_SOCK_NEW;
	} else if (!cr_obj_find(held, peer) && !cr_unix_embryo(peer, held)) {
		/* its peer is not the tree's: handed in, as one end of a pipe */
		return 1;
	} else if (!mutual) {
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd,
				 "a unix socket connected to a bound socket");
	} else if (s->flags & CR_SOCK_ACCEPTED && sk->sk_type == SOCK_DGRAM) {
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd,
				 "a unix datagram socket with another's address");
	} else {
		s->state = CR_SOCK_PAIR;
		if (!cr_obj_find(held, peer))
			s->flags |= CR_SOCK_PENDING;	/* its listener makes the other end */
		obj = cr_obj_find(pairs, sk);
		if (obj) {
			s->end = 1;
		} else {
			obj = cr_obj_find_or_add(pairs, peer, &added);
			if (IS_ERR(obj))
				return PTR_ERR(obj);
		}
		s->pair = obj->objref;
	}
	if (s->flags & CR_SOCK_ACCEPTED && s->state != CR_SOCK_PAIR && s->state != CR_SOCK_ORPHAN)
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd,
				 "an accept(2)ed unix socket with no peer");
	s->peer = cr_sock_peer(ctx, sk);
	return 0;
}

/*
 * Copy the bytes of sequence numbers [@from, @from + @len) that the
 * buffers of @skb hold into @buf (which @from starts).
 */
static void cr_tcp_copy(struct sk_buff *skb, u32 from, u32 len, u8 *buf)
{
	u32 seq = TCP_SKB_CB(skb)->seq, end = seq + skb->len, lo, hi;

	lo = after(from, seq) ? from : seq;
	hi = before(from + len, end) ? from + len : end;
	if (before(lo, hi))
		skb_copy_bits(skb, lo - seq, buf + (lo - from), hi - lo);
}

/*
 * An established TCP connection, its socket locked: its sequence numbers,
 * options and window as TCP repair reads them, and the bytes of its
 * receive queue (not read yet) then of its send queue (not acknowledged
 * yet) into *@datap.  NULL, or what it has that restart would not make.
 */
static const char *cr_tcp_state(struct sock *sk, struct cr_file_socket *s, void **datap)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;
	u32 inq, outq;
	u8 *data;

	if (tp->repair || tp->urg_data || inet_csk(sk)->icsk_ulp_ops ||
	    rcu_access_pointer(tp->fastopen_rsk))
		return "a TCP connection in repair, with urgent data, an ULP (kTLS) or fast open";
#ifdef CONFIG_TCP_MD5SIG
	if (rcu_access_pointer(tp->md5sig_info))
		return "a TCP connection with MD5 signatures";
#endif
#ifdef CONFIG_TCP_AO
	if (rcu_access_pointer(tp->ao_info))
		return "a TCP connection with TCP-AO";
#endif
	inq = tp->rcv_nxt - tp->copied_seq;
	outq = tp->write_seq - tp->snd_una;
	if ((u64)inq + outq > CR_SOCK_QUEUE_MAX)
		return "a TCP connection with more than 64 MiB queued";
	data = kvmalloc(inq + outq ?: 1, GFP_KERNEL);
	if (!data)
		return "a TCP connection whose queues do not fit in memory";
	skb_queue_walk(&sk->sk_receive_queue, skb)
		cr_tcp_copy(skb, tp->copied_seq, inq, data);
	for (skb = tcp_rtx_queue_head(sk); skb; skb = skb_rb_next(skb))
		cr_tcp_copy(skb, tp->snd_una, outq, data + inq);
	skb_queue_walk(&sk->sk_write_queue, skb)
		cr_tcp_copy(skb, tp->snd_una, outq, data + inq);
	*datap = data;
	s->queued = inq;
	s->outq = outq;
	s->snd_seq = tp->snd_una;
	s->rcv_seq = tp->copied_seq;
	s->mss = tp->rx_opt.mss_clamp;
	if (tp->rx_opt.sack_ok)
		s->tcp_flags |= CR_TCP_SACK;
	if (tp->rx_opt.wscale_ok) {
		s->tcp_flags |= CR_TCP_WSCALE;
		s->snd_wscale = tp->rx_opt.snd_wscale;
		s->rcv_wscale = tp->rx_opt.rcv_wscale;
	}
	if (tp->rx_opt.tstamp_ok) {
		s->tcp_flags |= CR_TCP_TSTAMP;
		/* as TCP_TIMESTAMP reads it: the clock, its microsecond bit */
		s->timestamp = (tcp_clock_ts(tp->tcp_usec_ts) + READ_ONCE(tp->tsoffset)) & ~1U;
		s->timestamp |= tp->tcp_usec_ts;
	}
	s->snd_wl1 = tp->snd_wl1;
	s->snd_wnd = tp->snd_wnd;
	s->max_window = tp->max_window;
	s->rcv_wnd = tp->rcv_wnd;
	s->rcv_wup = tp->rcv_wup;
	return NULL;
}

/*
 * The TCP options of @sk restart sets again (keepalive, timeouts, a
 * congestion control of its own, TCP_CORK...), into @s; NULL, or the
 * name of one it does not, refused.
 */
static const char *cr_tcp_opts(struct sock *sk, struct cr_file_socket *s)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_congestion_ops *ca;
	struct tcp_sock *tp = tcp_sk(sk);

	if (READ_ONCE(tp->rx_opt.user_mss) || READ_ONCE(icsk->icsk_syn_retries) ||
	    READ_ONCE(tp->linger2) || tp->thin_lto || tp->save_syn || tp->recvmsg_inq ||
	    READ_ONCE(tp->tcp_tx_delay) || tp->fastopen_connect || tp->fastopen_no_cookie ||
	    READ_ONCE(icsk->icsk_accept_queue.fastopenq.max_qlen))
		return "TCP_MAXSEG, TCP_SYNCNT, TCP_LINGER2, TCP_FASTOPEN or another TCP option";
	if (icsk->icsk_ulp_ops)
		return "an ULP (kTLS)";
	s->keepidle = READ_ONCE(tp->keepalive_time) / HZ;
	s->keepintvl = READ_ONCE(tp->keepalive_intvl) / HZ;
	s->keepcnt = READ_ONCE(tp->keepalive_probes);
	s->user_timeout = READ_ONCE(icsk->icsk_user_timeout);
	s->notsent_lowat = READ_ONCE(tp->notsent_lowat);
	if (READ_ONCE(icsk->icsk_accept_queue.rskq_defer_accept)) {
		int val, len = sizeof(val);

		/* in seconds, as setsockopt(2) takes it back */
		if (!do_tcp_getsockopt(sk, SOL_TCP, TCP_DEFER_ACCEPT, KERNEL_SOCKPTR(&val),
				       KERNEL_SOCKPTR(&len)))
			s->defer_accept = val;
	}
	if (tp->nonagle & TCP_NAGLE_CORK)
		s->inet_flags |= CR_INET_CORK;
	rcu_read_lock();
	ca = rcu_dereference(sock_net(sk)->ipv4.tcp_congestion_control);
	if (icsk->icsk_ca_ops != ca)
		strscpy(s->congestion, icsk->icsk_ca_ops->name, sizeof(s->congestion));
	rcu_read_unlock();
	return NULL;
}

/* IP-level flags restart does not set again: refused. */
#define CR_INET_UNSAVED	((IP_CMSG_ALL & ~IP_CMSG_PKTINFO) | BIT(INET_FLAGS_RECVERR) |	\
			 BIT(INET_FLAGS_RECVERR_RFC4884) | BIT(INET_FLAGS_FREEBIND) |	\
			 BIT(INET_FLAGS_TRANSPARENT) | BIT(INET_FLAGS_NODEFRAG) |	\
			 BIT(INET_FLAGS_BIND_ADDRESS_NO_PORT) | BIT(INET_FLAGS_DONTFRAG) |	\
			 BIT(INET_FLAGS_RECVERR6) | BIT(INET_FLAGS_RECVERR6_RFC4884))

/* Does IPv6 socket @sk ask for ancillary data other than IPV6_RECVPKTINFO? */
static bool cr_inet6_rxopt(struct sock *sk)
{
	struct ipv6_pinfo *np = inet6_sk(sk);
	typeof(np->rxopt) rx = np->rxopt;

	rx.bits.rxinfo = 0;
	return rx.all;
}

/*
 * The state of INET socket @sk: a TCP socket unconnected or listening
 * with no connection waiting, a UDP socket bound or connected (its
 * datagrams are saved by the caller); its addresses and the options
 * restart sets.
 */
static int cr_inet_state(struct cr_ctx *ctx, struct sock *sk, unsigned int fd,
			 struct cr_file_socket *s, void **datap)
{
	bool is6 = sk->sk_family == AF_INET6, tcp = sk->sk_protocol == IPPROTO_TCP, pktinfo;
	struct inet_sock *inet = inet_sk(sk);
	const char *what = NULL;
	int state;

	if (!(sk->sk_type == SOCK_STREAM && tcp) &&
	    !(sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP))
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: an INET socket of type %u, protocol %u",
				 fd, sk->sk_type, sk->sk_protocol);
	lock_sock(sk);
	state = sk->sk_state;
	pktinfo = inet_test_bit(PKTINFO, sk) || (is6 && inet6_sk(sk)->rxopt.bits.rxinfo);
	if (tcp && state == TCP_LISTEN && (READ_ONCE(sk->sk_ack_backlog) ||
					   inet_csk_reqsk_queue_len(sk)))
		what = "a TCP listener with connections not accept(2)ed yet";
	else if (tcp && state == TCP_ESTABLISHED)
		what = cr_tcp_state(sk, s, datap);
	else if (tcp && state != TCP_LISTEN && state != TCP_CLOSE)
		what = "a TCP connection closing or opening";
	else if (!tcp && (udp_sk(sk)->udp_flags || udp_sk(sk)->pending ||
			  udp_sk(sk)->encap_type || udp_sk(sk)->gso_size))
		what = "UDP options (UDP_CORK, UDP_SEGMENT, UDP_GRO, encapsulation)";
	else if (rcu_access_pointer(inet->mc_list) ||
		 (is6 && rcu_access_pointer(inet6_sk(sk)->ipv6_mc_list)))
		what = "multicast memberships";
	else if (rcu_access_pointer(inet->inet_opt) || sk->sk_bound_dev_if ||
		 inet->tos || inet->uc_ttl != -1)
		what = "IP options, SO_BINDTODEVICE, IP_TOS or IP_TTL";
	else if (READ_ONCE(inet->inet_flags) & CR_INET_UNSAVED || (is6 && cr_inet6_rxopt(sk)))
		what = "IP receive options (IP_RECVERR, IP_RECVTTL...) or IP_FREEBIND";
	else if (tcp && pktinfo)
		what = "IP_PKTINFO on a TCP socket";
	if (!what && tcp)
		what = cr_tcp_opts(sk, s);
	if (!what) {
		s->state = state == TCP_LISTEN ? CR_SOCK_LISTEN :
			   tcp && state == TCP_ESTABLISHED ? CR_SOCK_TCP : CR_SOCK_NEW;
		s->backlog = state == TCP_LISTEN ? READ_ONCE(sk->sk_max_ack_backlog) : 0;
		s->protocol = sk->sk_protocol;
		if (inet->inet_num) {
			s->inet_flags |= CR_INET_BOUND;
			s->lport = inet->inet_num;
			cr_inet_addr(s->laddr, &sk->sk_v6_rcv_saddr, inet->inet_rcv_saddr, is6);
		}
		if (state == TCP_ESTABLISHED) {
			s->inet_flags |= CR_INET_CONNECTED;
			s->rport = ntohs(inet->inet_dport);
			cr_inet_addr(s->raddr, &sk->sk_v6_daddr, inet->inet_daddr, is6);
		}
		s->inet_flags |= (sk->sk_reuse ? CR_INET_REUSEADDR : 0) |
				 (sk->sk_reuseport ? CR_INET_REUSEPORT : 0) |
				 (sock_flag(sk, SOCK_BROADCAST) ? CR_INET_BROADCAST : 0) |
				 (sock_flag(sk, SOCK_KEEPOPEN) ? CR_INET_KEEPALIVE : 0) |
				 (is6 && sk->sk_ipv6only ? CR_INET_V6ONLY : 0) |
				 (pktinfo ? CR_INET_PKTINFO : 0);
		if (tcp && tcp_sk(sk)->nonagle & TCP_NAGLE_OFF)
			s->inet_flags |= CR_INET_NODELAY;
	}
	release_sock(sk);
	s->peer = CR_TREE_OUTSIDE;
	if (what) {
		kvfree(*datap);
		*datap = NULL;
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd, what);
	}
	return 0;
}

/*
 * Add the bytes unix socket buffers @skbs (@nr, of a socket of @type on
 * fd @fd) hold to *@queued: -EOPNOTSUPP for files in flight, -EFBIG for a
 * packet longer than a message.
 */
static int cr_unix_queued(struct cr_ctx *ctx, unsigned int fd, int type, struct sk_buff **skbs,
			  u32 nr, u64 *queued)
{
	u32 i;

	for (i = 0; i < nr; i++) {
		if (UNIXCB(skbs[i]).fp)
			return cr_refuse(ctx, -EOPNOTSUPP,
					 "fd %u: a unix socket with files in flight (SCM_RIGHTS)",
					 fd);
		if (type != SOCK_STREAM && skbs[i]->len > CR_SOCK_MSG_MAX)
			return cr_refuse(ctx, -EFBIG, "fd %u: a datagram of %u bytes queued",
					 fd, skbs[i]->len);
		*queued += skbs[i]->len - UNIXCB(skbs[i]).consumed;
	}
	return 0;
}

static void cr_unix_conns_put(struct cr_unix_conn *conns, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (conns[i].skbs)
			cr_sock_unsnap(conns[i].skbs, conns[i].nr);
	kvfree(conns);
}

/*
 * The connections not accept(2)ed yet of unix listener on fd @fd, whose
 * queue buffers are @skbs (@nr: each holds a connection's server end, its
 * memory charged to it), in *@connsp: each with the pair its client makes
 * with it (a socket of the tree's, @held; numbered in @pairs as any pair)
 * or 0 for a client that closed, and what its client sent (added to
 * @s->queued).  -EOPNOTSUPP for a client outside the tree (the connection
 * could not be made again), or what cr_unix_queued() refuses.
 */
static int cr_unix_conns(struct cr_ctx *ctx, unsigned int fd, struct sk_buff **skbs, u32 nr,
			 struct cr_objs *held, struct cr_objs *pairs, struct cr_file_socket *s,
			 struct cr_unix_conn **connsp)
{
	struct cr_unix_conn *conns;
	struct sock *e, *c;
	struct cr_obj *obj;
	int ret = 0;
	bool added;
	u32 i;

	if (!nr)
		return 0;
	conns = kvcalloc(nr, sizeof(*conns), GFP_KERNEL);
	if (!conns)
		return -ENOMEM;
	*connsp = conns;
	for (i = 0; i < nr && !ret; i++) {
		e = skbs[i]->sk;
		unix_state_lock(e);
		c = unix_peer(e);
		if (c)
			sock_hold(c);
		unix_state_unlock(e);
		if (c && !sock_flag(c, SOCK_DEAD) && !cr_obj_find(held, c)) {
			ret = cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd,
					"a unix connection not accept(2)ed yet from outside the tree");
		} else if (c && !sock_flag(c, SOCK_DEAD)) {
			/* its client's file record first (keyed by this end), or later */
			obj = cr_obj_find(pairs, e) ?: cr_obj_find_or_add(pairs, c, &added);
			ret = PTR_ERR_OR_ZERO(obj);
			if (!ret)
				conns[i].pair = obj->objref;
		}
		if (c)
			sock_put(c);
		if (ret)
			break;
		conns[i].sender = cr_sock_peer(ctx, e);
		ret = cr_sock_snap(e, NULL, &conns[i].skbs, &conns[i].nr) ?:
		      cr_unix_queued(ctx, fd, e->sk_type, conns[i].skbs, conns[i].nr, &s->queued);
	}
	pr_debug("fd %u: a unix listener with %u connections not accept(2)ed yet\n", fd, nr);
	return ret;
}

/**
 * cr_write_socket() - the file record of a socket, and what it has queued
 * @ctx: checkpoint context
 * @file: the socket's file
 * @r: its file record, objref filled; room for the socket state after it
 * @fd: the fd it was found on, for messages
 * @held: the sockets (struct sock) the tree's open files hold
 * @pairs: the pairs whose first end was written, keyed by the other end
 * @tcp: the TCP connections saved, each referenced (cr_hold_tcp())
 *
 * Context: process context, may sleep; the tree frozen; takes the
 * socket's locks briefly, none across image I/O.
 * Return: 0 with the records written; 1 if the socket is a unix socket
 * connected to a peer outside the tree (the caller leaves it to the
 * restarter under its key); -EOPNOTSUPP for a socket restart would not
 * make whole (the kernel log says why); -EFBIG for more than
 * CR_SOCK_QUEUE_MAX bytes queued; or the error of writing.
 */
int cr_write_socket(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
		    unsigned int fd, struct cr_objs *held, struct cr_objs *pairs,
		    struct cr_objs *tcp)
{
	struct cr_file_socket *s = (struct cr_file_socket *)(r + 1);
	struct socket *sock = sock_from_file(file);
	struct sock *sk = sock->sk, *peer = NULL;
	bool udp = sk->sk_family != AF_UNIX && sk->sk_protocol == IPPROTO_UDP;
	struct cr_unix_conn *conns = NULL;
	struct sk_filter *quiet = NULL;
	struct sk_buff **skbs = NULL;
	const char *why;
	u8 *data = NULL;
	u32 i, nr = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	/* no byte received and acknowledged once its state is read */
	if (sk->sk_family != AF_UNIX && sk->sk_protocol == IPPROTO_TCP &&
	    READ_ONCE(sk->sk_state) == TCP_ESTABLISHED)
		quiet = cr_tcp_quiet(sk);
	if (sk->sk_family == AF_UNIX)
		ret = cr_unix_state(ctx, sk, fd, s, held, pairs, &peer);
	else if (sk->sk_family == AF_INET || sk->sk_family == AF_INET6)
		ret = cr_inet_state(ctx, sk, fd, s, (void **)&data);
	else
		ret = cr_refuse(ctx, -EOPNOTSUPP, "fd %u: a socket of family %u: not supported yet",
				fd, sk->sk_family);
	if (!ret)
		ret = cr_sock_unsaved(ctx, sk, sock, fd, quiet);
	if (ret)
		goto out;

	s->family = sk->sk_family;
	s->type = sk->sk_type;
	s->flags |= (test_bit(SOCK_PASSCRED, &sock->flags) ? CR_SOCK_PASSCRED : 0) |
		   (test_bit(SOCK_PASSPIDFD, &sock->flags) ? CR_SOCK_PASSPIDFD : 0);
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK) {
		s->flags |= CR_SOCK_SNDBUF;
		s->sndbuf = READ_ONCE(sk->sk_sndbuf);
	}
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK) {
		s->flags |= CR_SOCK_RCVBUF;
		s->rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	}
	s->err = READ_ONCE(sk->sk_err);
	s->rcvlowat = READ_ONCE(sk->sk_rcvlowat) ?: 1;
	s->peek_off = READ_ONCE(sk->sk_peek_off);
	s->rcvtimeo_ns = cr_sock_timeo_ns(READ_ONCE(sk->sk_rcvtimeo));
	s->sndtimeo_ns = cr_sock_timeo_ns(READ_ONCE(sk->sk_sndtimeo));

	if (sk->sk_family == AF_UNIX || udp) {
		ret = cr_sock_snap(sk, udp ? &udp_sk(sk)->reader_queue : NULL, &skbs, &nr);
		if (ret)
			goto out;
	}
	why = udp ? cr_udp_unsaved(sk, skbs, nr) : NULL;
	if (why) {
		ret = cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd, why);
		goto out;
	}
	for (i = 0; udp && i < nr; i++)
		s->queued += skbs[i]->len;
	if (!udp && s->state == CR_SOCK_LISTEN)
		ret = cr_unix_conns(ctx, fd, skbs, nr, held, pairs, s, &conns);
	else if (!udp)
		ret = cr_unix_queued(ctx, fd, sk->sk_type, skbs, nr, &s->queued);
	if (ret)
		goto out;
	if (nr && !udp && s->state == CR_SOCK_NEW) {
		ret = cr_refuse(ctx, -EOPNOTSUPP, "fd %u: %s: not supported yet", fd,
				"datagrams queued on an unconnected socket");
		goto out;
	}
	if (s->queued > CR_SOCK_QUEUE_MAX) {
		ret = cr_refuse(ctx, -EFBIG, "fd %u: a socket with %llu bytes queued", fd,
				s->queued);
		goto out;
	}
	/* a connection: the kill that may follow closes it without a word */
	if (s->state == CR_SOCK_TCP) {
		bool added;
		struct cr_obj *obj = cr_obj_find_or_add(tcp, sk, &added);

		ret = PTR_ERR_OR_ZERO(obj);
		if (ret)
			goto out;
		if (added) {
			sock_hold(sk);
			obj->aux = quiet;	/* cr_put_tcp() takes it off */
			quiet = NULL;
		}
	}
	r->kind = CR_FILE_SOCKET;
	r->flags = O_RDWR | (file->f_flags & O_NONBLOCK);
	pr_debug("fd %u: socket, family %u, type %u, state %u, pair %u/%u, %u messages, %llu bytes\n",
		 fd, s->family, s->type, s->state, s->pair, s->end, nr, s->queued);
	ret = cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + sizeof(*s));
	if (!ret && udp)
		ret = cr_write_udp_queue(ctx, r->objref, skbs, nr, sk->sk_family == AF_INET6);
	else if (!ret && conns)
		ret = cr_write_unix_conns(ctx, r->objref, conns, nr);
	else if (!ret)
		ret = cr_write_sock_queue(ctx, r->objref, skbs, nr);
	if (!ret && data)
		ret = cr_write_sock_bytes(ctx, r->objref, data, s->queued);
	if (!ret && data)
		ret = cr_write_sock_bytes(ctx, r->objref, data + s->queued, s->outq);
out:
	if (quiet)
		cr_tcp_unquiet(sk, quiet, false);
	kvfree(data);
	if (conns)
		cr_unix_conns_put(conns, nr);
	if (skbs)
		cr_sock_unsnap(skbs, nr);
	if (peer)
		sock_put(peer);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* restart                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A pair made by its first file record: the other end until its own file
 * record takes it, and the first end's shutdown state, set once the other
 * end's queue is refilled (sending needs it open).
 */
struct cr_sock_pair {
	struct socket *first;	/* held by its file */
	struct socket *other;	/* ours until taken */
	u32 type;
	u32 shutdown;
	bool taken;
	bool pending;		/* a connection not accept(2)ed yet: a listener's
				 * queue record makes its server end, which has
				 * no file (first or other NULL)
				 */
};

/*
 * The pid a restored task gives: to a queued message it sent (@skb), or
 * to SO_PEERCRED of a socket (@sk); each referenced.
 */
struct cr_sock_fix {
	struct sk_buff *skb;
	struct sock *sk;
	u32 task;
};

/* A unix datagram socket to connect to a name once every socket is made. */
struct cr_sock_dconn {
	struct socket *sock;	/* held by its file */
	struct sockaddr_un sun;
	int len;
};

/* A TCP connection made in repair mode, referenced; @reuse: SO_REUSEADDR. */
struct cr_sock_tcp {
	struct sock *sk;
	bool reuse;
};

/**
 * struct cr_socks_state - the sockets restart made, for the whole tree
 * @pairs: the pairs, by number - 1
 * @nr_pairs: number of @pairs
 * @cap_pairs: room in @pairs
 * @fixes: the pids to give once the tasks are made
 * @nr_fixes: number of @fixes
 * @cap_fixes: room in @fixes
 * @tcp: the TCP connections made, in repair mode until the point of no
 *	return is past (a failed restart closes them without a word)
 * @nr_tcp: number of @tcp
 * @cap_tcp: room in @tcp
 * @tcp_live: they were taken out of repair mode
 * @dconns: the datagram sockets to connect to a name
 * @nr_dconns: number of @dconns
 * @cap_dconns: room in @dconns
 */
struct cr_socks_state {
	struct cr_sock_pair *pairs;
	u32 nr_pairs;
	u32 cap_pairs;
	struct cr_sock_fix *fixes;
	u32 nr_fixes;
	u32 cap_fixes;
	struct cr_sock_tcp *tcp;
	u32 nr_tcp;
	u32 cap_tcp;
	int tcp_live;
	struct cr_sock_dconn *dconns;
	u32 nr_dconns;
	u32 cap_dconns;
};

/* Room for @n more fixes. */
static int cr_socks_reserve(struct cr_socks_state *ss, u32 n)
{
	int ret = 0;

	while (!ret && ss->nr_fixes + n > ss->cap_fixes)
		ret = cr_grow((void **)&ss->fixes, ss->cap_fixes, &ss->cap_fixes,
			      sizeof(*ss->fixes));
	return ret;
}

/* Note a fix (room reserved); @skb or @sk gets a reference of its own. */
static void cr_sock_add_fix(struct cr_socks_state *ss, struct sk_buff *skb, struct sock *sk,
			    u32 task)
{
	struct cr_sock_fix *f = &ss->fixes[ss->nr_fixes++];

	f->skb = skb ? skb_get(skb) : NULL;
	if (sk)
		sock_hold(sk);
	f->sk = sk;
	f->task = task;
}

/* Two connected unix sockets of @type, as socketpair(2) makes them. */
static int cr_sock_pair(int type, struct socket **a, struct socket **b)
{
	int ret;

	ret = sock_create(AF_UNIX, type, 0, a);
	if (ret)
		return ret;
	ret = sock_create(AF_UNIX, type, 0, b);
	if (ret)
		goto out_a;
	ret = security_socket_socketpair(*a, *b);
	if (!ret)
		ret = (*a)->ops->socketpair(*a, *b);
	if (!ret)
		return 0;
	sock_release(*b);
out_a:
	sock_release(*a);
	return ret;
}

/* Could the caller send credentials @uid, @gid itself (scm_check_creds())? */
static bool cr_sock_creds_ok(kuid_t uid, kgid_t gid)
{
	const struct cred *cred = current_cred();

	if (!uid_valid(uid) || !gid_valid(gid))
		return false;
	return (uid_eq(uid, cred->uid) || uid_eq(uid, cred->euid) || uid_eq(uid, cred->suid) ||
		ns_capable(cred->user_ns, CAP_SETUID)) &&
	       (gid_eq(gid, cred->gid) || gid_eq(gid, cred->egid) || gid_eq(gid, cred->sgid) ||
		ns_capable(cred->user_ns, CAP_SETGID));
}

/*
 * Send message @m from @from to @to, then give the buffers it made its
 * credentials: uid and gid now, the pid when its sender is made.
 */
static int cr_sock_send(struct cr_ctx *ctx, struct cr_socks_state *ss, struct socket *from,
			struct sock *to, const struct cr_sock_msg *m)
{
	struct sk_buff_head *q = &to->sk_receive_queue;
	struct kvec kv = { .iov_base = (void *)(m + 1), .iov_len = m->len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	bool creds = m->uid != CR_SOCK_NO_ID || m->gid != CR_SOCK_NO_ID;
	kuid_t uid = creds ? make_kuid(current_user_ns(), m->uid) : INVALID_UID;
	kgid_t gid = creds ? make_kgid(current_user_ns(), m->gid) : INVALID_GID;
	u32 before = skb_queue_len(q), n;
	struct sk_buff *skb;
	unsigned long irq;
	struct pid *pid;
	int ret;

	if (creds && !cr_sock_creds_ok(uid, gid))
		return cr_reject(ctx, -EPERM,
				 "a queued message from uid %u gid %u: not the caller's",
				 m->uid, m->gid);
	ret = kernel_sendmsg(from, &msg, &kv, 1, m->len);
	if (ret != m->len)
		return cr_reject(ctx, ret < 0 ? ret : -ENOBUFS,
				 "cannot queue a message of %u bytes again: %d", m->len, ret);
	if (m->sender != CR_TREE_OUTSIDE && (m->sender >= ctx->nr_tasks || !creds))
		return cr_reject(ctx, -EBADMSG, "a queued message from task %u of %u%s",
				 m->sender, ctx->nr_tasks, creds ? "" : " without credentials");
	/* nobody else holds either end yet: the new buffers are the last ones */
	n = skb_queue_len(q) - before;
	ret = m->sender == CR_TREE_OUTSIDE ? 0 : cr_socks_reserve(ss, n);
	if (ret)
		return ret;
	spin_lock_irqsave(&q->lock, irq);
	skb_queue_reverse_walk(q, skb) {
		if (!n--)
			break;
		UNIXCB(skb).uid = uid;
		UNIXCB(skb).gid = gid;
		pid = UNIXCB(skb).pid;
		UNIXCB(skb).pid = NULL;
		put_pid(pid);
		if (m->sender != CR_TREE_OUTSIDE)
			cr_sock_add_fix(ss, skb, NULL, m->sender);
	}
	spin_unlock_irqrestore(&q->lock, irq);
	return 0;
}

/* What one message of a socket's queue becomes: a send, a TCP queue's bytes, a datagram. */
struct cr_sock_sink {
	int (*put)(struct cr_ctx *ctx, struct cr_sock_sink *sink, const struct cr_sock_msg *m);
	const struct cr_rec_file *r;	/* the socket's file record */
};

/*
 * Read the socket queue records after file record @sink->r, each checked
 * by itself (messages of @kind) and together (they hold the socket's
 * @total bytes exactly, -EBADMSG otherwise), and hand each message to
 * @sink->put() in order.
 */
static int cr_sock_queue_each(struct cr_ctx *ctx, struct cr_sock_sink *sink, int kind, u64 total)
{
	struct cr_rec_sock_queue *q;
	u32 objref = sink->r->objref;
	const char *why, *p;
	u64 left = total;
	int ret = 0;
	u32 len, i;

	while (!ret && cr_next_type(ctx) == CR_REC_SOCK_QUEUE) {
		q = cr_read_obj(ctx, CR_REC_SOCK_QUEUE, &len);
		if (IS_ERR(q))
			return PTR_ERR(q);
		why = cr_check_sock_queue(q, len, objref, kind, &left);
		if (why)
			ret = cr_reject(ctx, -EBADMSG, "%s", why);
		p = (const char *)(q + 1);
		for (i = 0; !ret && i < q->nr; i++) {
			const struct cr_sock_msg *m = (const struct cr_sock_msg *)p;

			ret = sink->put(ctx, sink, m);
			p += cr_sock_msg_size(m->len);
		}
		kvfree(q);
	}
	if (!ret && left)
		ret = cr_reject(ctx, -EBADMSG, "socket %u: %llu queued bytes missing", objref,
				left);
	return ret;
}

/* A unix socket's messages, sent from the other end of its pair. */
struct cr_unix_sink {
	struct cr_sock_sink sink;
	struct cr_socks_state *ss;
	struct socket *from;
	struct socket *to;
};

static int cr_unix_put(struct cr_ctx *ctx, struct cr_sock_sink *sink, const struct cr_sock_msg *m)
{
	struct cr_unix_sink *u = container_of(sink, struct cr_unix_sink, sink);

	if (!u->from)
		return cr_reject(ctx, -EBADMSG, "socket queue: on a socket that cannot have one");
	return cr_sock_send(ctx, u->ss, u->from, u->to->sk, m);
}

/*
 * Put back the messages of the socket queue records after file record @r
 * into @to, sent from @from; the sender may send whatever the image holds
 * meanwhile (its buffer limit is the original's, set later).
 */
static int cr_sock_refill(struct cr_ctx *ctx, struct cr_socks_state *ss,
			  const struct cr_rec_file *r, struct socket *to, struct socket *from)
{
	const struct cr_file_socket *s = (const struct cr_file_socket *)(r + 1);
	struct cr_unix_sink u = { { cr_unix_put, r }, ss, from, to };
	struct sock *sk = from ? from->sk : NULL;
	int sndbuf = sk ? READ_ONCE(sk->sk_sndbuf) : 0, err = 0, ret;

	/* no more than the caller could have queued itself */
	if (s->queued > 2ULL * READ_ONCE(sysctl_wmem_max) &&
	    !ns_capable(sock_net(to->sk)->user_ns, CAP_NET_ADMIN))
		return cr_reject(ctx, -EPERM,
				 "socket %u: %llu bytes queued, above net.core.wmem_max",
				 r->objref, s->queued);
	/* the sender's own pending error (a pair's first end's, set) would fail its sends */
	if (sk) {
		WRITE_ONCE(sk->sk_sndbuf, INT_MAX / 2);
		err = xchg(&sk->sk_err, 0);
	}
	ret = cr_sock_queue_each(ctx, &u.sink, cr_sock_queue_kind(s), s->queued);
	if (sk) {
		WRITE_ONCE(sk->sk_sndbuf, sndbuf);
		WRITE_ONCE(sk->sk_err, err);
	}
	return ret;
}

/* Set a buffer size as setsockopt(2) would, forced only with CAP_NET_ADMIN. */
static int cr_sock_buf(struct cr_ctx *ctx, struct socket *sock, int opt, int force, u32 want,
		       int *now)
{
	int val = want / 2, ret;

	ret = sock_setsockopt(sock, SOL_SOCKET, opt, KERNEL_SOCKPTR(&val), sizeof(val));
	if (!ret && READ_ONCE(*now) != want)
		ret = sock_setsockopt(sock, SOL_SOCKET, force, KERNEL_SOCKPTR(&val), sizeof(val));
	if (!ret && READ_ONCE(*now) != want)
		ret = -EINVAL;
	if (ret)
		cr_reject(ctx, ret, "cannot set a socket buffer of %u bytes", want);
	return ret;
}

/* The options of socket state @s: buffer sizes, flags, timeouts, error. */
static int cr_sock_set(struct cr_ctx *ctx, struct socket *sock, const struct cr_file_socket *s)
{
	struct sock *sk = sock->sk;
	int ret = 0;

	if (s->flags & CR_SOCK_SNDBUF)
		ret = cr_sock_buf(ctx, sock, SO_SNDBUF, SO_SNDBUFFORCE, s->sndbuf, &sk->sk_sndbuf);
	if (!ret && s->flags & CR_SOCK_RCVBUF)
		ret = cr_sock_buf(ctx, sock, SO_RCVBUF, SO_RCVBUFFORCE, s->rcvbuf, &sk->sk_rcvbuf);
	if (ret)
		return ret;
	assign_bit(SOCK_PASSCRED, &sock->flags, s->flags & CR_SOCK_PASSCRED);
	assign_bit(SOCK_PASSPIDFD, &sock->flags, s->flags & CR_SOCK_PASSPIDFD);
	WRITE_ONCE(sk->sk_rcvlowat, s->rcvlowat);
	WRITE_ONCE(sk->sk_peek_off, s->peek_off);
	WRITE_ONCE(sk->sk_rcvtimeo, s->rcvtimeo_ns ? nsecs_to_jiffies(s->rcvtimeo_ns) :
			MAX_SCHEDULE_TIMEOUT);
	WRITE_ONCE(sk->sk_sndtimeo, s->sndtimeo_ns ? nsecs_to_jiffies(s->sndtimeo_ns) :
			MAX_SCHEDULE_TIMEOUT);
	WRITE_ONCE(sk->sk_err, s->err);
	return 0;
}

static void cr_sock_shutdown(struct socket *sock, u32 shutdown)
{
	unix_state_lock(sock->sk);
	WRITE_ONCE(sock->sk->sk_shutdown, shutdown);
	unix_state_unlock(sock->sk);
}

/*
 * Shut down the client of a connection not accept(2)ed yet as it was, as
 * shutdown(2) does: its server end, which has no record of its own, sees
 * it too.
 */
static void cr_sock_shutdown_pending(struct socket *sock, u32 shutdown)
{
	/* RCV_SHUTDOWN, SEND_SHUTDOWN, both: SHUT_RD, SHUT_WR, SHUT_RDWR */
	if (shutdown)
		kernel_sock_shutdown(sock, shutdown - 1);
}

/*
 * SO_PEERCRED of @sk names the restored process @peer (a task index) once
 * it is made (no process for CR_TREE_OUTSIDE).
 */
static int cr_sock_peercred(struct cr_ctx *ctx, struct cr_socks_state *ss, struct sock *sk,
			    u32 peer)
{
	struct pid *pid;
	int ret;

	spin_lock(&sk->sk_peer_lock);
	pid = sk->sk_peer_pid;
	sk->sk_peer_pid = NULL;
	spin_unlock(&sk->sk_peer_lock);
	put_pid(pid);
	if (peer == CR_TREE_OUTSIDE)
		return 0;
	if (peer >= ctx->nr_tasks)
		return cr_reject(ctx, -EBADMSG, "a socket's peer is task %u of %u", peer,
				 ctx->nr_tasks);
	ret = cr_socks_reserve(ss, 1);
	if (!ret)
		cr_sock_add_fix(ss, NULL, sk, peer);
	return ret;
}

/*
 * Is a socket bound to the socket file at @sun (@len)?  A datagram
 * socket's connect(2) asks without a word to it: refused if none is, the
 * wrong type for a stream socket, done for a datagram one.
 */
static bool cr_unix_bound(struct sockaddr_un *sun, int len)
{
	struct socket *probe;
	int ret;

	if (sock_create(AF_UNIX, SOCK_DGRAM, 0, &probe))
		return true;
	ret = kernel_connect(probe, (struct sockaddr *)sun, len, 0);
	sock_release(probe);
	return ret != -ECONNREFUSED;
}

/*
 * The socket file at @sun's path, if no socket is bound to it any more
 * (the original's, left when it was killed), unlinked as the caller
 * would; -EADDRINUSE for anything else there.  No socket can be bound to
 * that file meanwhile: bind(2) makes a file of its own.
 */
static int cr_unix_unlink_stale(struct sockaddr_un *sun, int len)
{
	struct path file, parent;
	struct dentry *d;
	int ret;

	if (cr_unix_bound(sun, len))
		return -EADDRINUSE;
	/* write access to the mount first, then the directory's lock, as unlink(2) */
	ret = kern_path(sun->sun_path, 0, &file);
	if (ret)
		return ret;
	ret = mnt_want_write(file.mnt);
	if (ret)
		goto out;
	d = kern_path_locked(sun->sun_path, &parent);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out_write;
	}
	ret = -EADDRINUSE;
	if (d_is_positive(d) && S_ISSOCK(d_inode(d)->i_mode) && parent.mnt == file.mnt)
		ret = vfs_unlink(mnt_idmap(parent.mnt), d_inode(parent.dentry), d, NULL);
	dput(d);
	inode_unlock(d_inode(parent.dentry));
	path_put(&parent);
out_write:
	mnt_drop_write(file.mnt);
out:
	path_put(&file);
	return ret;
}

/* Bind @sock to the address of @s, and listen as it did. */
static int cr_sock_bind(struct cr_ctx *ctx, struct socket *sock, const struct cr_file_socket *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int len = offsetof(struct sockaddr_un, sun_path) + s->addr_len, ret = 0;
	struct unix_address *addr;

	/* accepted: its listener's name, not bound, as unix_stream_connect() gives it */
	if (s->flags & CR_SOCK_ACCEPTED) {
		addr = kzalloc(struct_size(addr, name, 1), GFP_KERNEL_ACCOUNT);
		if (!addr)
			return -ENOMEM;
		refcount_set(&addr->refcnt, 1);
		addr->len = len;
		addr->name->sun_family = AF_UNIX;
		memcpy(addr->name->sun_path, s->addr, s->addr_len);
		/* pairs with the acquire of unix_getname(); freed with the socket */
		smp_store_release(&unix_sk(sock->sk)->addr, addr);
		return 0;
	}
	if (s->addr_len) {
		memcpy(sun.sun_path, s->addr, s->addr_len);
		ret = kernel_bind(sock, (struct sockaddr *)&sun, len);
		/* a path: the killed original's socket file may still be there */
		if (ret == -EADDRINUSE && s->addr[0] && !cr_unix_unlink_stale(&sun, len))
			ret = kernel_bind(sock, (struct sockaddr *)&sun, len);
		if (ret)
			return cr_reject(ctx, ret, "cannot bind a unix socket to %s%.*s again",
					 s->addr[0] ? "" : "@", (int)s->addr_len - 1,
					 s->addr + !s->addr[0]);
	}
	if (s->state == CR_SOCK_LISTEN)
		ret = kernel_listen(sock, s->backlog);
	return ret;
}

/*
 * A unix listener's connections not accept(2)ed yet, made again: each
 * client connects to the listener as connect(2) does, which queues the
 * connection's server end on it, then sends it what the original's had
 * queued.
 */
struct cr_conn_sink {
	struct cr_sock_sink sink;
	struct cr_socks_state *ss;
	struct socket *listener;
	struct sockaddr_storage addr;	/* the listener's */
	int addr_len;
	struct socket *client;		/* of the connection being refilled */
	struct sock *server;		/* its server end, referenced */
	u32 pair;			/* its pair's number, 0 if @client is ours */
	int sndbuf;
	int err;
};

/* Done with the connection being refilled: its client closed or shut down as it was. */
static void cr_conn_end(struct cr_conn_sink *c)
{
	struct sock *sk = c->client ? c->client->sk : NULL;

	if (!sk)
		return;
	WRITE_ONCE(sk->sk_sndbuf, c->sndbuf);
	WRITE_ONCE(sk->sk_err, c->err);
	if (!c->pair)
		sock_release(c->client);	/* a client that closed */
	else if (c->ss->pairs[c->pair - 1].first == c->client)
		cr_sock_shutdown_pending(c->client, c->ss->pairs[c->pair - 1].shutdown);
	sock_put(c->server);
	c->client = NULL;
	c->server = NULL;
	c->pair = 0;
}

/*
 * The client of the connection that starts at message @m: the end of
 * pair @m->pair its file record made (the client came first), or a new
 * socket, the pair's first end (the other end's file record takes it) or
 * ours only (@m->pair 0: a client that closed).
 */
static struct socket *cr_conn_client(struct cr_ctx *ctx, struct cr_conn_sink *c,
				     const struct cr_sock_msg *m)
{
	struct cr_socks_state *ss = c->ss;
	int type = c->listener->sk->sk_type;
	struct cr_sock_pair *pair;
	struct socket *client;
	int ret;

	if (m->pair && m->pair <= ss->nr_pairs) {
		pair = &ss->pairs[m->pair - 1];
		if (!pair->pending || pair->taken || !pair->first || pair->type != type)
			return ERR_PTR(cr_reject(ctx, -EBADMSG,
						 "a connection of pair %u, not a pending client's",
						 m->pair));
		pair->taken = true;
		return pair->first;
	}
	if (m->pair && m->pair != ss->nr_pairs + 1)
		return ERR_PTR(cr_reject(ctx, -EBADMSG, "socket pair %u out of sequence",
					 m->pair));
	if (m->pair) {
		ret = cr_grow((void **)&ss->pairs, ss->nr_pairs, &ss->cap_pairs,
			      sizeof(*ss->pairs));
		if (ret)
			return ERR_PTR(ret);
	}
	ret = sock_create(AF_UNIX, type, 0, &client);
	if (ret)
		return ERR_PTR(cr_reject(ctx, ret, "cannot make a unix socket"));
	if (m->pair)
		ss->pairs[ss->nr_pairs++] = (struct cr_sock_pair){ .other = client, .type = type,
								   .pending = true };
	return client;
}

/* A connection starts at message @m: its client connects to the listener. */
static int cr_conn_begin(struct cr_ctx *ctx, struct cr_conn_sink *c, const struct cr_sock_msg *m)
{
	struct socket *client;
	struct sock *server;
	int ret;

	cr_conn_end(c);
	client = cr_conn_client(ctx, c, m);
	if (IS_ERR(client))
		return PTR_ERR(client);
	c->client = m->pair ? NULL : client;	/* ours to release from here */
	/* never waits: a full backlog fails (the image has more than it took) */
	ret = kernel_connect(client, (struct sockaddr *)&c->addr, c->addr_len, O_NONBLOCK);
	if (ret)
		return cr_reject(ctx, ret, "cannot connect to a unix listener again");
	unix_state_lock(client->sk);
	server = unix_peer(client->sk);
	if (server)
		sock_hold(server);
	unix_state_unlock(client->sk);
	/* its name taken meanwhile by another listener: not ours */
	if (!server || READ_ONCE(unix_sk(server)->listener) != c->listener->sk) {
		if (server)
			sock_put(server);
		return cr_reject(ctx, -EADDRINUSE, "a unix listener's name is another's");
	}
	c->client = client;
	c->server = server;
	c->pair = m->pair;
	/* what it had queued, whatever its buffer limit; its pending error set after */
	c->sndbuf = READ_ONCE(client->sk->sk_sndbuf);
	c->err = xchg(&client->sk->sk_err, 0);
	WRITE_ONCE(client->sk->sk_sndbuf, INT_MAX / 2);
	return cr_sock_peercred(ctx, c->ss, server, m->sender);
}

static int cr_conn_put(struct cr_ctx *ctx, struct cr_sock_sink *sink, const struct cr_sock_msg *m)
{
	struct cr_conn_sink *c = container_of(sink, struct cr_conn_sink, sink);

	if (m->flags & CR_SOCK_MSG_CONN)
		return cr_conn_begin(ctx, c, m);
	if (!c->server)
		return cr_reject(ctx, -EBADMSG,
				 "socket queue: a listener's message before a connection");
	return cr_sock_send(ctx, c->ss, c->client, c->server, m);
}

/*
 * Make the connections not accept(2)ed yet of unix listener @sock again,
 * from the socket queue records after its file record @r, in order.
 */
static int cr_conns_refill(struct cr_ctx *ctx, struct cr_socks_state *ss,
			   const struct cr_rec_file *r, struct socket *sock)
{
	const struct cr_file_socket *s = (const struct cr_file_socket *)(r + 1);
	struct cr_conn_sink c = { { cr_conn_put, r }, ss, sock };
	int ret;

	if (cr_next_type(ctx) != CR_REC_SOCK_QUEUE)
		return 0;
	if (s->queued > 2ULL * READ_ONCE(sysctl_wmem_max) &&
	    !ns_capable(sock_net(sock->sk)->user_ns, CAP_NET_ADMIN))
		return cr_reject(ctx, -EPERM,
				 "socket %u: %llu bytes queued, above net.core.wmem_max",
				 r->objref, s->queued);
	ret = kernel_getsockname(sock, (struct sockaddr *)&c.addr);
	if (ret < 0)
		return ret;
	c.addr_len = ret;
	ret = cr_sock_queue_each(ctx, &c.sink, cr_sock_queue_kind(s), s->queued);
	if (ret && c.client && !c.pair)
		sock_release(c.client);
	else
		cr_conn_end(&c);
	if (ret && c.server)
		sock_put(c.server);
	return ret;
}

/* Note that @sock connects to @s->peer_addr once every socket is made. */
static int cr_sock_dconn_note(struct cr_socks_state *ss, struct socket *sock,
			      const struct cr_file_socket *s)
{
	struct cr_sock_dconn *d;
	int ret;

	ret = cr_grow((void **)&ss->dconns, ss->nr_dconns, &ss->cap_dconns, sizeof(*ss->dconns));
	if (ret)
		return ret;
	d = &ss->dconns[ss->nr_dconns++];
	memset(&d->sun, 0, sizeof(d->sun));
	d->sock = sock;
	d->sun.sun_family = AF_UNIX;
	memcpy(d->sun.sun_path, s->peer_addr, s->peer_len);
	d->len = offsetof(struct sockaddr_un, sun_path) + s->peer_len;
	return 0;
}

/* A TCP socket option of an int, as setsockopt(2) sets it. */
static int cr_tcp_int(struct socket *sock, int opt, int val)
{
	return sock->ops->setsockopt(sock, SOL_TCP, opt, KERNEL_SOCKPTR(&val), sizeof(val));
}

/*
 * The TCP options cr_tcp_opts() saved, set as setsockopt(2) would as the
 * caller (-EPERM for a congestion control it may not use, -ENOENT for one
 * this kernel does not have).
 */
static int cr_tcp_set_opts(struct socket *sock, const struct cr_file_socket *s)
{
	int ret = 0;

	if (s->keepidle)
		ret = tcp_sock_set_keepidle(sock->sk, s->keepidle);
	if (!ret && s->keepintvl)
		ret = tcp_sock_set_keepintvl(sock->sk, s->keepintvl);
	if (!ret && s->keepcnt)
		ret = tcp_sock_set_keepcnt(sock->sk, s->keepcnt);
	if (!ret && s->user_timeout)
		ret = tcp_sock_set_user_timeout(sock->sk, s->user_timeout);
	if (!ret && s->notsent_lowat)
		ret = cr_tcp_int(sock, TCP_NOTSENT_LOWAT, s->notsent_lowat);
	if (!ret && s->defer_accept)
		ret = cr_tcp_int(sock, TCP_DEFER_ACCEPT, s->defer_accept);
	if (!ret && s->inet_flags & CR_INET_CORK)
		tcp_sock_set_cork(sock->sk, true);
	if (!ret && s->congestion[0]) {
		char name[CR_TCP_CA_NAME_MAX];

		strscpy(name, s->congestion, sizeof(name));
		ret = sock->ops->setsockopt(sock, SOL_TCP, TCP_CONGESTION, KERNEL_SOCKPTR(name),
					    strlen(name));
	}
	return ret;
}

/* The options the connection negotiated and its timestamp clock, repaired. */
static int cr_tcp_options(struct socket *sock, const struct cr_file_socket *s)
{
	struct tcp_repair_opt opts[4];
	int n = 0, ret;

	opts[n].opt_code = TCPOPT_MSS;
	opts[n++].opt_val = s->mss;
	if (s->tcp_flags & CR_TCP_WSCALE) {
		opts[n].opt_code = TCPOPT_WINDOW;
		opts[n++].opt_val = s->snd_wscale | (s->rcv_wscale << 16);
	}
	if (s->tcp_flags & CR_TCP_SACK) {
		opts[n].opt_code = TCPOPT_SACK_PERM;
		opts[n++].opt_val = 0;
	}
	if (s->tcp_flags & CR_TCP_TSTAMP) {
		opts[n].opt_code = TCPOPT_TIMESTAMP;
		opts[n++].opt_val = 0;
	}
	ret = sock->ops->setsockopt(sock, SOL_TCP, TCP_REPAIR_OPTIONS, KERNEL_SOCKPTR(opts),
				    n * sizeof(opts[0]));
	if (!ret && s->tcp_flags & CR_TCP_TSTAMP)
		ret = cr_tcp_int(sock, TCP_TIMESTAMP, s->timestamp);
	return ret;
}

/*
 * Put @len bytes at @buf into the repaired connection @sock's queue
 * @queue (TCP_RECV_QUEUE: received, not read; TCP_SEND_QUEUE: sent, not
 * acknowledged, retransmitted once repair is over), as TCP repair does.
 */
static int cr_tcp_queue(struct socket *sock, int queue, const void *buf, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec kv;
	int ret;

	ret = cr_tcp_int(sock, TCP_REPAIR_QUEUE, queue);
	while (!ret && len) {
		kv.iov_base = (void *)buf;
		kv.iov_len = len;
		ret = kernel_sendmsg(sock, &msg, &kv, 1, len);
		if (ret <= 0)
			return ret ?: -ENOBUFS;
		buf += ret;
		len -= ret;
		ret = 0;
	}
	return ret;
}

/* A repaired TCP connection's bytes: its receive queue's, then its send queue's. */
struct cr_tcp_sink {
	struct cr_sock_sink sink;
	struct socket *sock;
	u64 queued;	/* the receive queue's bytes */
	u64 done;	/* the bytes put so far */
};

static int cr_tcp_put(struct cr_ctx *ctx, struct cr_sock_sink *sink, const struct cr_sock_msg *m)
{
	struct cr_tcp_sink *t = container_of(sink, struct cr_tcp_sink, sink);
	bool recv = t->done < t->queued;

	if (recv && t->done + m->len > t->queued)
		return cr_reject(ctx, -EBADMSG, "socket %u: a message across its two queues",
				 sink->r->objref);
	t->done += m->len;
	return cr_tcp_queue(t->sock, recv ? TCP_RECV_QUEUE : TCP_SEND_QUEUE, m + 1, m->len);
}

/*
 * The queues of a repaired TCP connection, from the socket queue records
 * after file record @r: its receive queue's @queued bytes, then its send
 * queue's @outq; the buffer limits lifted meanwhile.
 */
static int cr_tcp_refill(struct cr_ctx *ctx, const struct cr_rec_file *r, struct socket *sock)
{
	const struct cr_file_socket *s = (const struct cr_file_socket *)(r + 1);
	int sndbuf = READ_ONCE(sock->sk->sk_sndbuf), rcvbuf = READ_ONCE(sock->sk->sk_rcvbuf);
	struct cr_tcp_sink t = { { cr_tcp_put, r }, sock, s->queued, 0 };
	int ret;

	WRITE_ONCE(sock->sk->sk_sndbuf, INT_MAX / 2);
	WRITE_ONCE(sock->sk->sk_rcvbuf, INT_MAX / 2);
	ret = cr_sock_queue_each(ctx, &t.sink, CR_QUEUE_STREAM, s->queued + s->outq);
	WRITE_ONCE(sock->sk->sk_sndbuf, sndbuf);
	WRITE_ONCE(sock->sk->sk_rcvbuf, rcvbuf);
	return ret;
}

/*
 * Queue datagram @m on UDP socket @sk (of state @s) as if it had just
 * arrived from its source: an skb with the IP and UDP headers recvmsg(2)
 * reads the source from, its checksum already verified.
 */
static int cr_udp_queue(struct sock *sk, const struct cr_file_socket *s,
			const struct cr_sock_msg *m)
{
	const struct in6_addr *from = (const struct in6_addr *)m->addr;
	bool v4 = s->family == AF_INET || ipv6_addr_v4mapped(from);
	unsigned int hlen = sizeof(struct udphdr) +
			    (v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));
	struct sk_buff *skb;
	struct udphdr *uh;
	int ret;

	if (m->len > U16_MAX - hlen)
		return -EBADMSG;
	skb = alloc_skb(hlen + m->len, GFP_KERNEL_ACCOUNT);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, hlen);
	skb_put_data(skb, m + 1, m->len);
	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = htons(m->port);
	uh->dest = inet_sk(sk)->inet_sport;
	uh->len = htons(sizeof(*uh) + m->len);
	uh->check = 0;
	if (v4) {
		struct iphdr *iph = skb_push(skb, sizeof(*iph));

		memset(iph, 0, sizeof(*iph));
		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->ttl = 64;
		iph->protocol = IPPROTO_UDP;
		iph->tot_len = htons(hlen + m->len);
		memcpy(&iph->saddr, s->family == AF_INET ? m->addr : m->addr + 12, 4);
		iph->daddr = inet_sk(sk)->inet_rcv_saddr;
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6 = skb_push(skb, sizeof(*ip6));

		memset(ip6, 0, sizeof(*ip6));
		ip6->version = 6;
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		ip6->payload_len = uh->len;
		ip6->saddr = *from;
		ip6->daddr = sk->sk_v6_rcv_saddr;
		skb->protocol = htons(ETH_P_IPV6);
	}
	skb_reset_network_header(skb);
	__skb_pull(skb, hlen);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	/* as the receive path, in softirq: the queue's lock is taken there too */
	local_bh_disable();
	ret = __udp_enqueue_schedule_skb(sk, skb);
	local_bh_enable();
	if (ret)
		kfree_skb(skb);
	return ret;
}

/* A UDP socket's datagrams, queued as if they had just arrived. */
struct cr_udp_sink {
	struct cr_sock_sink sink;
	struct sock *sk;
};

static int cr_udp_put(struct cr_ctx *ctx, struct cr_sock_sink *sink, const struct cr_sock_msg *m)
{
	struct cr_udp_sink *u = container_of(sink, struct cr_udp_sink, sink);
	const struct cr_file_socket *s = (const struct cr_file_socket *)(sink->r + 1);
	int ret = cr_udp_queue(u->sk, s, m);

	return ret ? cr_reject(ctx, ret, "socket %u: a datagram not queued", sink->r->objref) : 0;
}

/*
 * The datagrams of a UDP socket, from the socket queue records after file
 * record @r, in order; its receive buffer limit lifted meanwhile (the
 * original's is set later).
 */
static int cr_udp_refill(struct cr_ctx *ctx, const struct cr_rec_file *r, struct socket *sock)
{
	const struct cr_file_socket *s = (const struct cr_file_socket *)(r + 1);
	struct cr_udp_sink u = { { cr_udp_put, r }, sock->sk };
	int rcvbuf = READ_ONCE(sock->sk->sk_rcvbuf), ret;

	/* no more than its owner could have let in */
	if (s->queued > 2ULL * READ_ONCE(sysctl_rmem_max) &&
	    !ns_capable(sock_net(sock->sk)->user_ns, CAP_NET_ADMIN))
		return cr_reject(ctx, -EPERM,
				 "socket %u: %llu bytes queued, above net.core.rmem_max",
				 r->objref, s->queued);
	WRITE_ONCE(sock->sk->sk_rcvbuf, INT_MAX / 2);
	ret = cr_sock_queue_each(ctx, &u.sink, cr_sock_queue_kind(s), s->queued);
	WRITE_ONCE(sock->sk->sk_rcvbuf, rcvbuf);
	return ret;
}

/*
 * Its window; it stays in repair mode until the point of no return is
 * past (cr_restore_socks()): a restart that fails before closes it
 * without a word to the peer.
 */
static int cr_tcp_window(struct socket *sock, const struct cr_file_socket *s)
{
	struct tcp_repair_window w = {
		.snd_wl1 = s->snd_wl1,
		.snd_wnd = s->snd_wnd,
		.max_window = s->max_window,
		.rcv_wnd = s->rcv_wnd,
		.rcv_wup = s->rcv_wup,
	};

	return sock->ops->setsockopt(sock, SOL_TCP, TCP_REPAIR_WINDOW, KERNEL_SOCKPTR(&w),
				     sizeof(w));
}

/* Note a connection made, to take it out of repair mode past the point of no return. */
static int cr_tcp_note(struct cr_socks_state *ss, struct sock *sk, bool reuse)
{
	int ret = cr_grow((void **)&ss->tcp, ss->nr_tcp, &ss->cap_tcp, sizeof(*ss->tcp));

	if (ret)
		return ret;
	sock_hold(sk);
	ss->tcp[ss->nr_tcp].sk = sk;
	ss->tcp[ss->nr_tcp++].reuse = reuse;
	return 0;
}

/* An INET address and port of the image as a sockaddr: its length. */
static int cr_inet_sockaddr(struct sockaddr_storage *ss, u16 family, const u8 *addr, u16 port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	memcpy(&sin->sin_addr, addr, 4);
	return sizeof(*sin);
}

/*
 * An INET socket made again as the caller: its options, then bound,
 * listening or connected as it was (-EADDRINUSE, -EADDRNOTAVAIL before
 * the point of no return when the address is taken or not here).
 */
static struct socket *cr_inet_make(struct cr_ctx *ctx, const struct cr_file_socket *s)
{
	struct sockaddr_storage sa;
	struct socket *sock;
	const char *step;
	int ret, len;

	ret = sock_create(s->family, s->type, s->protocol, &sock);
	if (ret)
		return ERR_PTR(cr_reject(ctx, ret, "cannot make an INET socket"));
	step = "set its options";
	if (s->inet_flags & CR_INET_REUSEADDR)
		sock_set_reuseaddr(sock->sk);
	if (s->inet_flags & CR_INET_REUSEPORT)
		sock_set_reuseport(sock->sk);
	if (s->inet_flags & CR_INET_KEEPALIVE)
		sock_set_keepalive(sock->sk);
	if (s->inet_flags & CR_INET_BROADCAST)
		sock_valbool_flag(sock->sk, SOCK_BROADCAST, 1);
	if (s->inet_flags & CR_INET_NODELAY)
		tcp_sock_set_nodelay(sock->sk);
	if (s->inet_flags & CR_INET_PKTINFO && s->family == AF_INET)
		ip_sock_set_pktinfo(sock->sk);
	if (IS_ENABLED(CONFIG_IPV6) && s->inet_flags & CR_INET_PKTINFO && s->family == AF_INET6)
		ip6_sock_set_recvpktinfo(sock->sk);
	ret = 0;
	if (IS_ENABLED(CONFIG_IPV6) && s->inet_flags & CR_INET_V6ONLY)
		ret = ip6_sock_set_v6only(sock->sk);
	if (!ret && s->protocol == IPPROTO_TCP)
		ret = cr_tcp_set_opts(sock, s);
	/* a connection: repair mode, its queues' first sequence numbers */
	if (!ret && s->state == CR_SOCK_TCP) {
		step = "repair it (TCP_REPAIR needs CAP_NET_ADMIN)";
		ret = cr_tcp_int(sock, TCP_REPAIR, TCP_REPAIR_ON) ?:
		      cr_tcp_int(sock, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) ?:
		      cr_tcp_int(sock, TCP_QUEUE_SEQ, s->rcv_seq) ?:
		      cr_tcp_int(sock, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) ?:
		      cr_tcp_int(sock, TCP_QUEUE_SEQ, s->snd_seq);
	}
	if (!ret && s->inet_flags & CR_INET_BOUND) {
		step = "bind it";
		len = cr_inet_sockaddr(&sa, s->family, s->laddr, s->lport);
		ret = kernel_bind(sock, (struct sockaddr *)&sa, len);
	}
	if (!ret && s->state == CR_SOCK_LISTEN) {
		step = "listen";
		ret = kernel_listen(sock, s->backlog);
	}
	if (!ret && s->inet_flags & CR_INET_CONNECTED) {
		step = "connect it";
		if (s->state == CR_SOCK_TCP)
			cr_tcp_take_over(s);
		len = cr_inet_sockaddr(&sa, s->family, s->raddr, s->rport);
		ret = kernel_connect(sock, (struct sockaddr *)&sa, len, 0);
	}
	if (!ret && s->state == CR_SOCK_TCP) {
		step = "set its TCP options";
		ret = cr_tcp_options(sock, s);
	}
	if (ret) {
		sock_release(sock);
		return ERR_PTR(cr_reject(ctx, ret, "INET socket, port %u: cannot %s again",
					 s->lport, step));
	}
	return sock;
}

/* Make the socket of file record @r (its state checked), its queue refilled. */
static struct socket *cr_sock_make(struct cr_ctx *ctx, struct cr_socks_state *ss,
				   const struct cr_rec_file *r)
{
	const struct cr_file_socket *s = (const struct cr_file_socket *)(r + 1);
	struct socket *sock = NULL, *other = NULL;
	struct cr_sock_pair *pair = NULL;
	int ret;

	if (s->family != AF_UNIX) {
		sock = cr_inet_make(ctx, s);
		if (IS_ERR(sock))
			return sock;
		ret = s->state == CR_SOCK_TCP ? cr_tcp_refill(ctx, r, sock) :
		      s->protocol == IPPROTO_UDP ? cr_udp_refill(ctx, r, sock) : 0;
		if (!ret)
			ret = cr_sock_set(ctx, sock, s);
		if (!ret && s->state == CR_SOCK_TCP) {
			ret = cr_tcp_window(sock, s);
			if (ret)
				cr_reject(ctx, ret,
					  "TCP connection, port %u: cannot repair its window",
					  s->lport);
			else
				ret = cr_tcp_note(ss, sock->sk,
						  s->inet_flags & CR_INET_REUSEADDR);
		}
		if (ret) {
			sock_release(sock);
			return ERR_PTR(ret);
		}
		return sock;
	}
	if (s->state == CR_SOCK_PAIR && s->end) {
		pair = s->pair <= ss->nr_pairs ? &ss->pairs[s->pair - 1] : NULL;
		/* a pending pair's first end is its listener's, with no file */
		if (!pair || pair->taken || pair->type != s->type ||
		    pair->pending != !!(s->flags & CR_SOCK_PENDING) ||
		    !pair->first != pair->pending) {
			ret = cr_reject(ctx, -EBADMSG, "socket %u: the other end of no pair %u",
					r->objref, s->pair);
			return ERR_PTR(ret);
		}
		sock = pair->other;
		pair->other = NULL;
		pair->taken = true;
		other = pair->first;
	} else if (s->state == CR_SOCK_PAIR) {
		if (s->pair != ss->nr_pairs + 1)
			return ERR_PTR(cr_reject(ctx, -EBADMSG, "socket pair %u out of sequence",
						 s->pair));
		ret = cr_grow((void **)&ss->pairs, ss->nr_pairs, &ss->cap_pairs,
			      sizeof(*ss->pairs));
		if (ret)
			return ERR_PTR(ret);
	}
	if (!sock) {
		/* a pending pair's other end: made when its listener connects this one */
		ret = s->state == CR_SOCK_NEW || s->state == CR_SOCK_LISTEN ||
		      s->flags & CR_SOCK_PENDING ?
		      sock_create(AF_UNIX, s->type, 0, &sock) :
		      cr_sock_pair(s->type, &sock, &other);
		if (ret)
			return ERR_PTR(cr_reject(ctx, ret, "cannot make a unix socket"));
	}
	if (s->state == CR_SOCK_PAIR && !s->end) {
		pair = &ss->pairs[ss->nr_pairs++];
		*pair = (struct cr_sock_pair){ .first = sock, .other = other, .type = s->type,
					       .shutdown = s->shutdown,
					       .pending = s->flags & CR_SOCK_PENDING };
	}
	ret = cr_sock_bind(ctx, sock, s);
	if (!ret && s->peer_len)
		ret = cr_sock_dconn_note(ss, sock, s);
	if (!ret && s->state == CR_SOCK_LISTEN)
		ret = cr_conns_refill(ctx, ss, r, sock);
	else if (!ret)
		ret = cr_sock_refill(ctx, ss, r, sock, other);
	if (s->state == CR_SOCK_ORPHAN)
		sock_release(other);	/* closed again: this end sees it */
	if (!ret)
		ret = cr_sock_set(ctx, sock, s);
	if (!ret)
		ret = cr_sock_peercred(ctx, ss, sock->sk, s->peer);
	if (ret) {
		if (pair && !s->end)
			pair->first = NULL;
		sock_release(sock);
		return ERR_PTR(ret);
	}
	if (s->flags & CR_SOCK_PENDING && s->end)
		cr_sock_shutdown_pending(sock, s->shutdown);
	else if (s->state != CR_SOCK_PAIR || s->end)
		cr_sock_shutdown(sock, s->shutdown);
	if (s->state == CR_SOCK_PAIR && s->end && pair->first)
		cr_sock_shutdown(pair->first, pair->shutdown);
	return sock;
}

/**
 * cr_make_socket() - make the socket of a socket file record again
 * @ctx: restart context
 * @r: the file record, checked by cr_check_file(); its queue records are
 *	read here
 *
 * Context: process context, may sleep; before the point of no return.
 * Return: the socket's file, or ERR_PTR(): -EBADMSG for a pair's end out
 * of order or queue records that disagree with the record, -EPERM for
 * credentials or a buffer size the caller could not give, or the error of
 * making the socket or queueing a message.
 */
struct file *cr_make_socket(struct cr_ctx *ctx, const struct cr_rec_file *r)
{
	struct cr_socks_state *ss = ctx->socks;
	struct socket *sock;
	struct file *file;

	if (!ss) {
		ss = kzalloc(sizeof(*ss), GFP_KERNEL_ACCOUNT);
		if (!ss)
			return ERR_PTR(-ENOMEM);
		ctx->socks = ss;
	}
	sock = cr_sock_make(ctx, ss, r);
	if (IS_ERR(sock))
		return ERR_CAST(sock);
	/* releases @sock if it fails */
	file = sock_alloc_file(sock, r->flags & O_NONBLOCK, NULL);
	if (IS_ERR(file) && ss->nr_pairs && ss->pairs[ss->nr_pairs - 1].first == sock)
		ss->pairs[ss->nr_pairs - 1].first = NULL;
	return file;
}

/**
 * cr_check_socks() - every socket pair of the image has both its ends;
 *	connect the datagram sockets connected to a name again
 * @ctx: restart context, every file record read
 *
 * A unix datagram socket connected to a bound socket (of the tree, made
 * by now, or another's: a syslog daemon's) connects to its name as
 * connect(2) does.
 *
 * Return: 0, -EBADMSG for a pair whose other end no file record took, or
 * the error of connecting (-ECONNREFUSED: no socket has the name now).
 */
int cr_check_socks(struct cr_ctx *ctx)
{
	struct cr_socks_state *ss = ctx->socks;
	struct cr_sock_dconn *d;
	int ret;
	u32 i;

	for (i = 0; ss && i < ss->nr_pairs; i++)
		if (!ss->pairs[i].taken)
			return cr_reject(ctx, -EBADMSG, "socket pair %u with one end", i + 1);
	for (i = 0; ss && i < ss->nr_dconns; i++) {
		d = &ss->dconns[i];
		ret = kernel_connect(d->sock, (struct sockaddr *)&d->sun, d->len, 0);
		if (ret)
			return cr_reject(ctx, ret,
					 "cannot connect a unix datagram socket to %s%.*s again",
					 d->sun.sun_path[0] ? "" : "@",
					 d->len - (int)offsetof(struct sockaddr_un, sun_path) - 1,
					 d->sun.sun_path + !d->sun.sun_path[0]);
	}
	return 0;
}

/**
 * cr_restore_socks() - give the pid of the calling task's process to what
 *	names it; take the TCP connections out of repair mode
 * @ctx: restart context, past the point of no return
 * @t: the calling task, a process's leader, made
 *
 * The queued messages its process sent, and SO_PEERCRED of the sockets
 * that name it, get its pid.  Each is written by one task only, before
 * any task returns to user space.  The first process here takes the TCP
 * connections made out of repair mode: a window probe tells each peer
 * the connection is back.
 *
 * Context: process context, in @t.
 * Return: 0, or the error of leaving repair mode (the restart fails).
 */
int cr_restore_socks(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_socks_state *ss = ctx->socks;
	struct cr_sock_fix *f;
	struct pid *old;
	u32 i;
	int ret;

	/* the first process here takes every connection out of repair mode */
	if (ss && ss->nr_tcp && !xchg(&ss->tcp_live, 1)) {
		for (i = 0; i < ss->nr_tcp; i++) {
			struct socket *sock = ss->tcp[i].sk->sk_socket;

			ret = sock ? cr_tcp_int(sock, TCP_REPAIR, TCP_REPAIR_OFF) : -EBADF;
			if (ret)
				return ret;
			/* repair forced, then dropped, address reuse */
			if (ss->tcp[i].reuse)
				sock_set_reuseaddr(sock->sk);
		}
	}

	for (i = 0; ss && i < ss->nr_fixes; i++) {
		f = &ss->fixes[i];
		if (f->task != t->idx)
			continue;
		if (f->skb) {
			old = UNIXCB(f->skb).pid;
			UNIXCB(f->skb).pid = get_pid(task_tgid(current));
		} else {
			spin_lock(&f->sk->sk_peer_lock);
			old = f->sk->sk_peer_pid;
			f->sk->sk_peer_pid = get_pid(task_tgid(current));
			spin_unlock(&f->sk->sk_peer_lock);
		}
		put_pid(old);
	}
	return 0;
}

/*
 * Hold TCP connection @sk, made in repair mode by a restart that failed
 * before taking it out, as cr_hold_tcp() holds a killed original's: its
 * file (the image's objects still reference it) kept, with a drop filter,
 * for the next restart to take over; not closed, then answered with a
 * reset, as it would be without.
 */
static void cr_tcp_rehold(struct sock *sk)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);

	if (!sock || !sock->file || !tcp_sk(sk)->repair || !cr_tcp_quiet(sk))
		return;
	cr_tcp_hold(sk, sock->file);
}

/**
 * cr_free_socks() - drop what restart kept of the sockets it made
 * @ctx: restart context
 *
 * The TCP connections of a restart that failed before they were taken
 * out of repair mode are held for the next one (cr_tcp_rehold()).  Called
 * while the image's objects still reference the sockets' files.
 */
void cr_free_socks(struct cr_ctx *ctx)
{
	struct cr_socks_state *ss = ctx->socks;
	u32 i;

	if (!ss)
		return;
	for (i = 0; i < ss->nr_pairs; i++)
		if (ss->pairs[i].other)
			sock_release(ss->pairs[i].other);
	kvfree(ss->pairs);
	for (i = 0; i < ss->nr_fixes; i++) {
		if (ss->fixes[i].skb)
			kfree_skb(ss->fixes[i].skb);
		if (ss->fixes[i].sk)
			sock_put(ss->fixes[i].sk);
	}
	kvfree(ss->fixes);
	for (i = 0; i < ss->nr_tcp; i++) {
		/* a failed restart leaves each connection held, as the kill left it */
		if (!ss->tcp_live)
			cr_tcp_rehold(ss->tcp[i].sk);
		sock_put(ss->tcp[i].sk);
	}
	kvfree(ss->tcp);
	kvfree(ss->dconns);
	kfree(ss);
	ctx->socks = NULL;
}

/**
 * cr_tcp_connection() - is @file an established TCP connection?
 * @file: an open file
 *
 * Return: true for an INET or INET6 TCP socket in TCP_ESTABLISHED.
 */
bool cr_tcp_connection(struct file *file)
{
	struct socket *sock = sock_from_file(file);
	struct sock *sk = sock ? sock->sk : NULL;

	return sk && (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) &&
	       sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP &&
	       READ_ONCE(sk->sk_state) == TCP_ESTABLISHED;
}
