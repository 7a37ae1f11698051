// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the objects of a tree's own IPC namespace.
 *
 * A tree whose root is in another IPC namespace than the checkpointer
 * (a container's) is CR_TREE_IPCNS when restart can make that namespace
 * again (checkpoint/tree.c): its limits go in the tree record, and its
 * SysV message queues and semaphore sets in the records right after it.
 * A queue or a set is an object of the namespace, as a file is of a file
 * system: no task holds it, and it lives on when every task of the tree
 * is gone.  Checkpoint reads every queue, with its messages (without
 * receiving them), and every set, with its values, while the tree is
 * held.  Restart with CR_RESTART_IPCNS reads them before its point of no
 * return, and the root of the new namespace makes each again with its id,
 * key, mode, owner and contents, before it makes a child or sets the
 * namespace's limits.  The SEM_UNDO adjustments of the tree's processes
 * (checkpoint/sem.c) are on these sets, whose values hold what the
 * processes held: each process gets its adjustments back, nothing is
 * taken.  A restart in the namespace itself (without CR_RESTART_IPCNS)
 * checks the records and finds the objects where they are.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/msg_queue.h>
#include <linux/nsproxy.h>
#include <linux/sem_undo.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

/**
 * struct cr_ipc_obj - restart: the record of an object of the tree's IPC
 *	namespace
 * @rec: the record, checked
 * @len: its payload length
 * @type: CR_REC_MSG_QUEUE or CR_REC_SEM_SET
 */
struct cr_ipc_obj {
	void *rec;
	u32 len;
	u32 type;
};

/**
 * cr_ipcns_read_objects() - checkpoint: read the objects of the tree's IPC
 *	namespace
 * @ctx: checkpoint context, its tree held, with CR_TREE_IPCNS
 *
 * Reads its message queues and semaphore sets into @ctx for
 * cr_ipcns_write_objects().  An object the checkpointer may not read
 * (-EACCES), or a namespace whose objects hold more than the records can
 * (-EFBIG), makes the tree one that restarts only in that namespace: the
 * flag goes, with a message.
 *
 * Return: 0; -ENOMEM; -EAGAIN if a queue kept growing.
 */
int cr_ipcns_read_objects(struct cr_ctx *ctx)
{
	int nr;

	if (!ctx->ipc_ns)
		return 0;
	/* a queue's record is at most CR_REC_MAX_LEN */
	nr = msg_queues_read(ctx->ipc_ns, &ctx->msgq_state,
			     CR_REC_MAX_LEN - sizeof(struct cr_rec_msg_queue), CR_COLLECT_MAX);
	if (nr >= 0) {
		ctx->nr_msgq = nr;
		nr = sem_sets_read(ctx->ipc_ns, &ctx->sem_sets, CR_COLLECT_MAX);
		if (nr >= 0)
			ctx->nr_sem_sets = nr;
	}
	if (nr == -EACCES || nr == -EFBIG) {
		pr_debug("checkpoint: a SysV object it %s: restart needs its IPC namespace\n",
			 nr == -EACCES ? "may not read" : "cannot save");
		cr_ipcns_free(ctx);
		ctx->ipc_inum = 0;
		return 0;
	}
	return nr < 0 ? nr : 0;
}

static int cr_write_sem_set(struct cr_ctx *ctx, const struct sem_undo_set *s)
{
	struct cr_rec_sem_set *r;
	u32 len = sizeof(*r) + s->nsems * sizeof(u16);
	int ret;

	r = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	*r = (struct cr_rec_sem_set){
		.id = s->id,
		.key = s->key,
		.mode = s->mode,
		.uid = from_kuid_munged(current_user_ns(), s->uid),
		.gid = from_kgid_munged(current_user_ns(), s->gid),
		.nsems = s->nsems,
	};
	/* unsigned short: the values' own layout */
	BUILD_BUG_ON(sizeof(*s->vals) != sizeof(u16));
	memcpy(r + 1, s->vals, s->nsems * sizeof(u16));
	ret = cr_write_rec(ctx, CR_REC_SEM_SET, r, len);
	pr_debug("checkpoint: SysV semaphore set %d, key %#x: %d semaphores\n", s->id, s->key,
		 s->nsems);
	kvfree(r);
	return ret;
}

/**
 * cr_ipcns_write_objects() - checkpoint: the records of the objects of the
 *	tree's IPC namespace, after the tree record
 * @ctx: checkpoint context, after cr_ipcns_read_objects()
 *
 * One CR_REC_MSG_QUEUE per queue, then one CR_REC_SEM_SET per set, each
 * kind by increasing id.
 *
 * Return: 0, or as cr_write_rec().
 */
int cr_ipcns_write_objects(struct cr_ctx *ctx)
{
	struct msg_queue_state *q = ctx->msgq_state;
	struct cr_rec_msg_queue *r;
	int ret = 0;
	u32 i;

	for (i = 0; !ret && i < ctx->nr_msgq; i++) {
		r = kvmalloc(sizeof(*r) + q[i].len, GFP_KERNEL_ACCOUNT);
		if (!r)
			return -ENOMEM;
		*r = (struct cr_rec_msg_queue){
			.id = q[i].id,
			.key = q[i].key,
			.mode = q[i].mode,
			.uid = from_kuid_munged(current_user_ns(), q[i].uid),
			.gid = from_kgid_munged(current_user_ns(), q[i].gid),
			.nr_msgs = q[i].qnum,
			.qbytes = q[i].qbytes,
		};
		memcpy(r + 1, q[i].msgs, q[i].len);
		ret = cr_write_rec(ctx, CR_REC_MSG_QUEUE, r, sizeof(*r) + q[i].len);
		pr_debug("checkpoint: SysV message queue %d, key %#x: %lu messages, %zu bytes\n",
			 q[i].id, q[i].key, q[i].qnum, q[i].len);
		kvfree(r);
	}
	for (i = 0; !ret && i < ctx->nr_sem_sets; i++)
		ret = cr_write_sem_set(ctx, &ctx->sem_sets[i]);
	return ret;
}

/* Restart: check record @r of @type (@len bytes) after the one of id @prev. */
static const char *cr_ipcns_check(u32 type, const void *r, u32 len, s32 prev)
{
	if (type == CR_REC_MSG_QUEUE)
		return cr_check_msg_queue(r, len, prev);
	return cr_check_sem_set(r, len, prev);
}

/* Restart: may the caller give the object of record @o its owner and size? */
static int cr_ipcns_may_make(struct cr_ctx *ctx, const struct cr_ipc_obj *o)
{
	/* the first fields of both records */
	const struct cr_rec_msg_queue *q = o->rec;
	const struct cr_rec_sem_set *s = o->rec;
	const char *what = o->type == CR_REC_MSG_QUEUE ? "message queue" : "semaphore set";
	u32 uid = o->type == CR_REC_MSG_QUEUE ? q->uid : s->uid;
	u32 gid = o->type == CR_REC_MSG_QUEUE ? q->gid : s->gid;

	if (!uid_valid(make_kuid(current_user_ns(), uid)) ||
	    !gid_valid(make_kgid(current_user_ns(), gid)))
		return cr_reject(ctx, -EOVERFLOW, "SysV %s %d: owner %u:%u not mapped here",
				 what, q->id, uid, gid);
	if (o->type == CR_REC_MSG_QUEUE && q->qbytes > ctx->ipc.msgmnb &&
	    !capable(CAP_SYS_RESOURCE))
		return cr_reject(ctx, -EPERM,
				 "SysV message queue %d: over msgmnb needs CAP_SYS_RESOURCE",
				 q->id);
	return 0;
}

/**
 * cr_ipcns_read_records() - restart: read the records of the objects of
 *	the tree's IPC namespace, after the tree record
 * @ctx: restart context, its tree record read
 * @nr: how many the tree record says
 *
 * The message queues, then the semaphore sets, each kind by increasing
 * id.  Each is checked (cr_check_msg_queue(), cr_check_sem_set()) and
 * kept for the root of a new namespace (CR_RESTART_IPCNS), which must be
 * able to make it as it was: its owner mapped in the caller's user
 * namespace (-EOVERFLOW), a queue's size above the tree's msgmnb only with
 * CAP_SYS_RESOURCE, as msgctl(2) checks it (-EPERM).  All of them may take
 * CR_COLLECT_MAX bytes at most.
 *
 * Return: 0; -EBADMSG for a bad record; -EOVERFLOW; -EPERM; -ENOMEM.
 */
int cr_ipcns_read_records(struct cr_ctx *ctx, u32 nr)
{
	bool make = ctx->flags & CR_RESTART_IPCNS;
	u32 i, len, type = CR_REC_MSG_QUEUE;
	size_t total = 0;
	s32 prev = -1;
	const char *why;
	int next, ret;
	void *r;

	if (!nr)
		return 0;
	if (make) {
		ctx->ipc_objs = kvcalloc(nr, sizeof(*ctx->ipc_objs), GFP_KERNEL_ACCOUNT);
		if (!ctx->ipc_objs)
			return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		next = cr_next_type(ctx);
		if (next < 0)
			return next;
		/* the sets after the queues */
		if (next == CR_REC_SEM_SET && type == CR_REC_MSG_QUEUE) {
			type = CR_REC_SEM_SET;
			prev = -1;
		}
		r = cr_read_obj(ctx, type, &len);
		if (IS_ERR(r))
			return PTR_ERR(r);
		why = cr_ipcns_check(type, r, len, prev);
		total += len;
		if (!why && total > CR_COLLECT_MAX)
			why = "more than a checkpoint writes";
		if (why) {
			kvfree(r);
			return cr_reject(ctx, -EBADMSG, "IPC object record %u (%s): %s", i,
					 cr_rec_name(type), why);
		}
		/* both records start with the id */
		prev = ((const struct cr_rec_sem_set *)r)->id;
		if (!make) {
			kvfree(r);
			continue;
		}
		ctx->ipc_objs[ctx->nr_ipc_objs] = (struct cr_ipc_obj){
			.rec = r,
			.len = len,
			.type = type,
		};
		ret = cr_ipcns_may_make(ctx, &ctx->ipc_objs[ctx->nr_ipc_objs++]);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * cr_ipcns_sem_set() - restart: the semaphore set of the tree's IPC
 *	namespace with an id
 * @ctx: restart context, with CR_RESTART_IPCNS, after
 *	cr_ipcns_read_records()
 * @id: the id
 *
 * For the SEM_UNDO records of the tree's processes (checkpoint/sem.c),
 * which name sets the root makes again.
 *
 * Return: the set's record, or NULL if the namespace had no set @id.
 */
const struct cr_rec_sem_set *cr_ipcns_sem_set(struct cr_ctx *ctx, int id)
{
	u32 lo = 0, hi = ctx->nr_ipc_objs;

	/* the sets come last, by increasing id */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct cr_ipc_obj *o = &ctx->ipc_objs[mid];

		if (o->type == CR_REC_MSG_QUEUE ||
		    ((const struct cr_rec_sem_set *)o->rec)->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ctx->nr_ipc_objs && ((const struct cr_rec_sem_set *)
				      ctx->ipc_objs[lo].rec)->id == id)
		return ctx->ipc_objs[lo].rec;
	return NULL;
}

static int cr_make_msg_queue(struct ipc_namespace *ns, const struct cr_ipc_obj *o)
{
	const struct cr_rec_msg_queue *r = o->rec;
	struct msg_queue_state q = {
		.id = r->id,
		.key = r->key,
		.mode = r->mode,
		.uid = make_kuid(current_user_ns(), r->uid),
		.gid = make_kgid(current_user_ns(), r->gid),
		.qbytes = r->qbytes,
		.qnum = r->nr_msgs,
		.len = o->len - sizeof(*r),
		.msgs = (void *)(r + 1),
	};

	pr_debug("restart: SysV message queue %d, key %#x, %u messages\n", r->id, r->key,
		 r->nr_msgs);
	return msg_make_queue(ns, &q);
}

static int cr_make_sem_set(struct ipc_namespace *ns, const struct cr_ipc_obj *o)
{
	const struct cr_rec_sem_set *r = o->rec;
	struct sem_undo_set set = {
		.id = r->id,
		.key = r->key,
		.mode = r->mode,
		.nsems = r->nsems,
		.vals = (unsigned short *)(r + 1),
		.uid = make_kuid(current_user_ns(), r->uid),
		.gid = make_kgid(current_user_ns(), r->gid),
	};
	int ret;

	pr_debug("restart: SysV semaphore set %d, key %#x, %u semaphores\n", r->id, r->key,
		 r->nsems);
	ret = sem_make_set(ns, &set);
	if (ret >= 0 && !(uid_eq(set.uid, current_euid()) && gid_eq(set.gid, current_egid())))
		ret = sem_set_owner(ns, &set) ?: ret;
	return ret;
}

/**
 * cr_ipcns_make_objects() - restart: make the objects of the tree's IPC
 *	namespace in a new one
 * @ctx: restart context, past its point of no return
 *
 * Run by the root, made in a new IPC namespace (CR_RESTART_IPCNS), before
 * it makes a child and before it sets the namespace's limits: msgmni,
 * msgmax and kernel.sem, which may have been lowered below what the
 * objects hold, do not stop one from coming back, and msgmnb is the
 * tree's for the check of the sizes (cr_ipcns_read_records()).  The
 * records go once the objects are made.
 *
 * Return: 0, or as msg_make_queue(), sem_make_set() and sem_set_owner().
 */
int cr_ipcns_make_objects(struct cr_ctx *ctx)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	int ret = 0;
	u32 i;

	/* not the limits of a namespace of the caller's: the tree's are set next */
	WRITE_ONCE(ns->msg_ctlmni, CR_IPC_MNI);
	WRITE_ONCE(ns->msg_ctlmax, CR_IPC_INT_MAX);
	WRITE_ONCE(ns->msg_ctlmnb, ctx->ipc.msgmnb);
	WRITE_ONCE(ns->sem_ctls[0], CR_SEM_NSEMS_MAX);
	WRITE_ONCE(ns->sem_ctls[1], CR_IPC_INT_MAX);
	WRITE_ONCE(ns->sem_ctls[3], CR_IPC_MNI);
	for (i = 0; !ret && i < ctx->nr_ipc_objs; i++) {
		const struct cr_ipc_obj *o = &ctx->ipc_objs[i];
		/* both records start with the id */
		int id = ((const struct cr_rec_sem_set *)o->rec)->id;

		ret = o->type == CR_REC_MSG_QUEUE ? cr_make_msg_queue(ns, o) :
						    cr_make_sem_set(ns, o);
		/* the id's index is below IPCMNI: it is the id */
		if (ret >= 0 && ret != id)
			ret = -EINVAL;
		if (ret < 0)
			pr_info_ratelimited("restart: SysV %s %d: cannot make it again: %d\n",
					    cr_rec_name(o->type), id, ret);
		else
			ret = 0;
	}
	/* the records are the objects' now: no need to keep them while the pages come */
	cr_ipcns_free(ctx);
	return ret;
}

/**
 * cr_ipcns_free() - drop what checkpoint or restart kept of the tree's IPC
 *	namespace
 * @ctx: the context
 */
void cr_ipcns_free(struct cr_ctx *ctx)
{
	u32 i;

	if (ctx->restart) {
		for (i = 0; i < ctx->nr_ipc_objs; i++)
			kvfree(ctx->ipc_objs[i].rec);
		kvfree(ctx->ipc_objs);
		ctx->ipc_objs = NULL;
		ctx->nr_ipc_objs = 0;
		return;
	}
	msg_queues_free(ctx->msgq_state, ctx->nr_msgq);
	ctx->msgq_state = NULL;
	ctx->nr_msgq = 0;
	sem_undo_free(ctx->sem_sets, ctx->nr_sem_sets);
	ctx->sem_sets = NULL;
	ctx->nr_sem_sets = 0;
	if (ctx->ipc_ns)
		put_ipc_ns(ctx->ipc_ns);
	ctx->ipc_ns = NULL;
}
