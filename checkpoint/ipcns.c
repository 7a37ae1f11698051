// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the objects of a tree's own IPC namespace.
 *
 * A tree whose root is in another IPC namespace than the checkpointer
 * (a container's) is CR_TREE_IPCNS when restart can make that namespace
 * again (checkpoint/tree.c): its limits go in the tree record, and its
 * SysV message queues in the records right after it.  A message queue is
 * an object of the namespace, as a file is of a file system: no task holds
 * it, and it lives on when every task of the tree is gone.  Checkpoint
 * reads every queue while the tree is held, with its messages, without
 * receiving them.  Restart with CR_RESTART_IPCNS reads them before its
 * point of no return, and the root of the new namespace makes each again
 * with its id, key, mode, owner, size and messages, before it makes a
 * child or sets the namespace's limits.  A restart in the namespace itself
 * (without CR_RESTART_IPCNS) checks the records and finds the queues where
 * they are.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/msg_queue.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

/**
 * struct cr_ipc_obj - restart: the record of an object of the tree's IPC
 *	namespace
 * @rec: the record, checked
 * @len: its payload length
 */
struct cr_ipc_obj {
	void *rec;
	u32 len;
};

/**
 * cr_ipcns_read_objects() - checkpoint: read the objects of the tree's IPC
 *	namespace
 * @ctx: checkpoint context, its tree held, with CR_TREE_IPCNS
 *
 * Reads its message queues into @ctx for cr_ipcns_write_objects().  A
 * queue the checkpointer may not read (-EACCES), or a namespace whose
 * queues hold more than the records can (-EFBIG), makes the tree one
 * that restarts only in that namespace: the flag goes, with a message.
 *
 * Return: 0; -ENOMEM; -EAGAIN if a queue kept growing.
 */
int cr_ipcns_read_objects(struct cr_ctx *ctx)
{
	struct msg_queue_state *q;
	int nr;

	if (!ctx->ipc_ns)
		return 0;
	/* a queue's record is at most CR_REC_MAX_LEN */
	nr = msg_queues_read(ctx->ipc_ns, &q, CR_REC_MAX_LEN - sizeof(struct cr_rec_msg_queue),
			     CR_COLLECT_MAX);
	if (nr == -EACCES || nr == -EFBIG) {
		pr_debug("checkpoint: a SysV message queue it %s: restart needs its IPC namespace\n",
			 nr == -EACCES ? "may not read" : "cannot save, over 1 MiB");
		ctx->ipc_inum = 0;
		put_ipc_ns(ctx->ipc_ns);
		ctx->ipc_ns = NULL;
		return 0;
	}
	if (nr < 0)
		return nr;
	ctx->msgq_state = q;
	ctx->nr_msgq = nr;
	return 0;
}

/**
 * cr_ipcns_write_objects() - checkpoint: the records of the objects of the
 *	tree's IPC namespace, after the tree record
 * @ctx: checkpoint context, after cr_ipcns_read_objects()
 *
 * One CR_REC_MSG_QUEUE per queue, by increasing id.
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
	return ret;
}

/**
 * cr_ipcns_read_records() - restart: read the records of the objects of
 *	the tree's IPC namespace, after the tree record
 * @ctx: restart context, its tree record read
 * @nr: how many the tree record says
 *
 * Each is checked (cr_check_msg_queue()) and kept for the root of a new
 * namespace (CR_RESTART_IPCNS), which must be able to make it as it was:
 * its owner mapped in the caller's user namespace (-EOVERFLOW), a size
 * above the tree's msgmnb only with CAP_SYS_RESOURCE, as msgctl(2) checks
 * it (-EPERM).  All of them may take CR_COLLECT_MAX bytes at most.
 *
 * Return: 0; -EBADMSG for a bad record; -EOVERFLOW; -EPERM; -ENOMEM.
 */
int cr_ipcns_read_records(struct cr_ctx *ctx, u32 nr)
{
	bool make = ctx->flags & CR_RESTART_IPCNS;
	struct cr_rec_msg_queue *r;
	size_t total = 0;
	s32 prev = -1;
	const char *why;
	u32 i, len;

	if (!nr)
		return 0;
	if (make) {
		ctx->msgq = kvcalloc(nr, sizeof(*ctx->msgq), GFP_KERNEL_ACCOUNT);
		if (!ctx->msgq)
			return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		r = cr_read_obj(ctx, CR_REC_MSG_QUEUE, &len);
		if (IS_ERR(r))
			return PTR_ERR(r);
		why = cr_check_msg_queue(r, len, prev);
		total += len;
		if (!why && total > CR_COLLECT_MAX)
			why = "more than a checkpoint writes";
		if (why) {
			kvfree(r);
			return cr_reject(ctx, -EBADMSG, "SysV message queue record %u: %s", i, why);
		}
		prev = r->id;
		if (!make) {
			kvfree(r);
			continue;
		}
		ctx->msgq[ctx->nr_msgq++] = (struct cr_ipc_obj){ .rec = r, .len = len };
		if (!uid_valid(make_kuid(current_user_ns(), r->uid)) ||
		    !gid_valid(make_kgid(current_user_ns(), r->gid)))
			return cr_reject(ctx, -EOVERFLOW,
					 "SysV message queue %d: owner %u:%u not mapped here",
					 r->id, r->uid, r->gid);
		if (r->qbytes > ctx->ipc.msgmnb && !capable(CAP_SYS_RESOURCE))
			return cr_reject(ctx, -EPERM,
					 "SysV message queue %d: over msgmnb needs CAP_SYS_RESOURCE",
					 r->id);
	}
	return 0;
}

/**
 * cr_ipcns_make_objects() - restart: make the objects of the tree's IPC
 *	namespace in a new one
 * @ctx: restart context, past its point of no return
 *
 * Run by the root, made in a new IPC namespace (CR_RESTART_IPCNS), before
 * it makes a child and before it sets the namespace's limits: kernel.msgmni
 * and msgmax, which may have been lowered below what the queues hold, do
 * not stop a queue from coming back, and msgmnb is the tree's for the
 * check of the sizes (cr_ipcns_read_records()).
 *
 * Return: 0, or as msg_make_queue().
 */
int cr_ipcns_make_objects(struct cr_ctx *ctx)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	int ret = 0;
	u32 i;

	/* not the limits of a namespace of the caller's: they are set next */
	WRITE_ONCE(ns->msg_ctlmni, CR_IPC_MNI);
	WRITE_ONCE(ns->msg_ctlmax, CR_IPC_INT_MAX);
	WRITE_ONCE(ns->msg_ctlmnb, ctx->ipc.msgmnb);
	for (i = 0; !ret && i < ctx->nr_msgq; i++) {
		const struct cr_rec_msg_queue *r = ctx->msgq[i].rec;
		struct msg_queue_state q = {
			.id = r->id,
			.key = r->key,
			.mode = r->mode,
			.uid = make_kuid(current_user_ns(), r->uid),
			.gid = make_kgid(current_user_ns(), r->gid),
			.qbytes = r->qbytes,
			.qnum = r->nr_msgs,
			.len = ctx->msgq[i].len - sizeof(*r),
			.msgs = (void *)(r + 1),
		};

		ret = msg_make_queue(ns, &q);
		/* the id's index is below IPCMNI: it is the id */
		if (ret >= 0 && ret != r->id)
			ret = -EINVAL;
		if (ret < 0) {
			pr_info_ratelimited("restart: SysV message queue %d: cannot make it again: %d\n",
					    r->id, ret);
			break;
		}
		ret = 0;
		pr_debug("restart: made SysV message queue %d, key %#x, %u messages\n", r->id,
			 r->key, r->nr_msgs);
	}
	/* the records are the queues' now: no need to keep them while the pages come */
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
		for (i = 0; i < ctx->nr_msgq; i++)
			kvfree(ctx->msgq[i].rec);
		kvfree(ctx->msgq);
		ctx->msgq = NULL;
	} else {
		msg_queues_free(ctx->msgq_state, ctx->nr_msgq);
		ctx->msgq_state = NULL;
		if (ctx->ipc_ns)
			put_ipc_ns(ctx->ipc_ns);
		ctx->ipc_ns = NULL;
	}
	ctx->nr_msgq = 0;
}
