// SPDX-License-Identifier: GPL-2.0
/*
 * cr: POSIX message queues.
 *
 * A file of a queue (mq_open(3)) is saved with the queue's name,
 * attributes and permission bits, and its messages, read without being
 * received, in the order mq_receive(2) takes them.  A queue is a named,
 * lasting object of its IPC namespace, as a file is of its file system:
 * restart opens the queue of that name if there is one, as it is, and
 * makes it again with the image's messages if not, then removes what it
 * made if it fails.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/posix_mqueue.h>
#include <linux/sched.h>
#include <linux/slab.h>

/* mq_file_read() gives the messages as the image has them. */
static_assert(sizeof(struct cr_mq_msg) == sizeof(struct mq_msg_head) &&
	      MQ_MSG_ALIGN == CR_ALIGN);
static_assert(CR_MQ_MAXMSG_MAX == HARD_MSGMAX && CR_MQ_MSGSIZE_MAX == HARD_MSGSIZEMAX &&
	      CR_MQ_PRIO_MAX == MQ_PRIO_MAX && CR_MQ_NAME_MAX == NAME_MAX &&
	      CR_MQ_MSGSIZE_MIN == MIN_MSGSIZEMAX);

/* Reads of a queue that grows in between before checkpoint gives up. */
#define CR_MQ_READ_TRIES	8

/*
 * The messages of @file's queue, @st filled in by a mq_file_read() without
 * a buffer: *@msgs (kvmalloc'ed) holds @st->len bytes of them, @st again
 * filled in as they were read; -EFBIG beyond @max bytes.
 */
static int cr_mq_read(struct file *file, struct ipc_namespace *ns, struct mq_file_state *st,
		      u64 max, void **msgs)
{
	int tries, ret;

	*msgs = NULL;
	ret = st->len ? -E2BIG : 0;
	for (tries = 0; ret == -E2BIG && tries < CR_MQ_READ_TRIES; tries++) {
		if (st->len > max)
			return -EFBIG;
		*msgs = kvmalloc(st->len, GFP_KERNEL);
		if (!*msgs)
			return -ENOMEM;
		ret = mq_file_read(file, ns, st, *msgs, st->len);
		if (ret) {
			kvfree(*msgs);
			*msgs = NULL;
		}
	}
	/* still growing: as a file that changes while it is read */
	return ret == -E2BIG ? -EAGAIN : ret;
}

/*
 * The notification of the queue of @file (@st), in @q if the first file of
 * the queue (@mqueues) and the process registered is the leader of a
 * process of the tree; one of a process outside it is not the tree's.
 */
static int cr_mq_notify(struct cr_ctx *ctx, struct file *file, const struct mq_file_state *st,
			struct cr_objs *mqueues, struct cr_file_mqueue *q, unsigned int fd)
{
	struct cr_obj *obj;
	bool first;
	u32 i;

	q->notify = CR_MQ_NOTIFY_NONE;
	q->notify_task = 0;
	q->notify_signo = 0;
	q->notify_value = 0;
	obj = cr_obj_find_or_add(mqueues, file_inode(file), &first);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (!first || !st->notify_owner)
		return 0;
	/* compared with the live tgids of the tree: never dereferenced */
	for (i = 0; i < ctx->nr_procs; i++)
		if (task_tgid(ctx->procs[i].leader->task) == st->notify_owner)
			break;
	if (i == ctx->nr_procs) {
		pr_debug("fd %u (/%s): notification of a process outside the tree\n", fd,
			 st->name);
		return 0;
	}
	switch (st->notify.sigev_notify) {
	case SIGEV_NONE:
		q->notify = CR_MQ_NOTIFY_SILENT;
		break;
	case SIGEV_SIGNAL:
		q->notify = CR_MQ_NOTIFY_SIGNAL;
		q->notify_signo = st->notify.sigev_signo;
		q->notify_value = (unsigned long)st->notify.sigev_value.sival_ptr;
		break;
	default:
		return cr_refuse(ctx, -EOPNOTSUPP,
				 "fd %u (/%s): a message queue notifying by a thread (SIGEV_THREAD)",
				 fd, st->name);
	}
	q->notify_task = ctx->procs[i].leader - ctx->tasks;
	return 0;
}

/**
 * cr_write_mqueue() - write the file record of a file of a POSIX message queue
 * @ctx: checkpoint context, working on a task of the process that holds it
 * @file: the file
 * @r: its file record, objref set, with room for a struct cr_file_mqueue
 *	and a name
 * @fd: an fd of it, for messages
 * @inodes: the inodes whose contents the image holds: the first readable
 *	file of a queue carries its messages, the others none
 * @mqueues: the inodes of the queues saved: the first file of a queue
 *	carries the process of the tree registered for its notification
 *
 * Return: 0 or -errno: -EOPNOTSUPP for a queue of another IPC namespace
 * than the process's, one removed (mq_unlink(3)), one a process of the
 * tree is to be notified of by a thread (SIGEV_THREAD); -EFBIG for more
 * bytes of messages than the checkpoint's content limit; -EAGAIN if it
 * kept growing while read.
 */
int cr_write_mqueue(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
		    unsigned int fd, struct cr_objs *inodes, struct cr_objs *mqueues)
{
	struct cr_file_mqueue *q = (struct cr_file_mqueue *)(r + 1);
	struct task_struct *t = ctx->cur->task;
	struct ipc_namespace *ns;
	struct mq_file_state st;
	void *msgs = NULL;
	struct cr_obj *obj;
	bool first;
	int ret;

	task_lock(t);
	ns = t->nsproxy ? t->nsproxy->ipc_ns : NULL;	/* compared, never used */
	task_unlock(t);
	ret = mq_file_read(file, ns, &st, NULL, 0);
	if (ret && ret != -E2BIG)
		return ret;
	if (!st.in_ns)
		return cr_refuse(ctx, -EOPNOTSUPP,
				 "fd %u (/%s): a message queue of another IPC namespace", fd,
				 st.name);
	if (st.unlinked)
		return cr_refuse(ctx, -EOPNOTSUPP,
				 "fd %u (/%s): a message queue removed (mq_unlink(3))",
				 fd, st.name);
	ret = cr_mq_notify(ctx, file, &st, mqueues, q, fd);
	if (ret)
		return ret;
	/* what the process could not receive is not its to save */
	first = false;
	if (file->f_mode & FMODE_READ) {
		obj = cr_obj_find_or_add(inodes, file_inode(file), &first);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
	}
	if (first) {
		ret = cr_mq_read(file, ns, &st, cr_content_max(ctx), &msgs);
		if (ret == -EFBIG)
			return cr_refuse(ctx, -EFBIG,
					 "fd %u (/%s): %zu bytes of messages, more than %llu (CR_CHECKPOINT_CONTENT())",
					 fd, st.name, st.len, cr_content_max(ctx));
		if (ret)
			return ret;
	}
	r->kind = CR_FILE_MQUEUE;
	r->flags = file->f_flags & (O_ACCMODE | O_NONBLOCK);
	r->mode = st.mode;
	q->maxmsg = st.attr.mq_maxmsg;
	q->msgsize = st.attr.mq_msgsize;
	q->nr_msgs = first ? st.attr.mq_curmsgs : 0;
	q->msgs_len = first ? st.len : 0;
	r->path_len = strlen(st.name) + 1;
	memcpy(q + 1, st.name, r->path_len);
	pr_debug("fd %u: message queue /%s, %u messages (%llu bytes) saved\n", fd, st.name,
		 q->nr_msgs, q->msgs_len);
	ret = cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + sizeof(*q) + r->path_len);
	if (!ret)
		ret = cr_write_file_data(ctx, r->objref, msgs, q->msgs_len);
	kvfree(msgs);
	return ret;
}

/*
 * The messages of a queue as they come in file data records: checked by
 * the format's own cr_mq_scan(), and the one it is in gathered in @m.
 */
struct cr_mq_cursor {
	struct cr_mq_scan scan;	/* where the check is */
	struct cr_mq_msg *m;	/* the message, its head and bytes as far as they came */
	size_t have;		/* those bytes */
};

/*
 * Take @len bytes at @p of the messages of a queue whose mq_msgsize is
 * @msgsize into @c, sending each message once whole to @file (NULL: only
 * checked).  What is wrong with them in *@why.
 */
static int cr_mq_take(struct cr_mq_cursor *c, const u8 *p, size_t len, u32 msgsize,
		      struct file *file, const char **why)
{
	struct cr_mq_scan *s = &c->scan;
	bool keep;
	size_t n;
	u32 nr;
	int ret;

	while (len) {
		/* as far as cr_mq_scan() goes in one step: head, bytes or padding */
		keep = s->body || !s->padding;	/* the padding alone is dropped */
		n = s->body ? s->body : s->padding ? s->padding : sizeof(s->head) - s->have;
		n = min(n, len);
		if (keep) {
			memcpy((u8 *)c->m + c->have, p, n);
			c->have += n;
		}
		nr = s->nr;
		*why = cr_mq_scan(s, p, n, msgsize);
		if (*why)
			return 0;
		p += n;
		len -= n;
		if (s->nr == nr)
			continue;
		if (file) {
			ret = mq_file_send(file, c->m->prio, c->m + 1, c->m->len);
			if (ret)
				return ret;
		}
		c->have = 0;
	}
	return 0;
}

/*
 * The messages of message queue file record @r (@q) from its file data
 * records: sent to @file, the queue made for it, or with @file NULL only
 * checked.
 */
static int cr_mq_fill(struct cr_ctx *ctx, struct file *file, const struct cr_rec_file *r,
		      const struct cr_file_mqueue *q)
{
	struct cr_mq_cursor c = { };
	struct cr_rec_file_data *d;
	const char *why = NULL;
	u64 next = 0;
	int ret = 0;
	u32 len;

	if (!q->msgs_len)
		return 0;
	c.m = kvmalloc(sizeof(*c.m) + ALIGN(q->msgsize, CR_ALIGN), GFP_KERNEL_ACCOUNT);
	if (!c.m)
		return -ENOMEM;
	while (!ret && !why && next < q->msgs_len) {
		d = cr_read_obj(ctx, CR_REC_FILE_DATA, &len);
		if (IS_ERR(d)) {
			ret = PTR_ERR(d);
			break;
		}
		why = cr_check_file_data(d, len, r->objref, next, q->msgs_len);
		if (!why && d->offset != next)
			why = "message queue: a gap in its messages";
		if (!why) {
			next += len - sizeof(*d);
			ret = cr_mq_take(&c, (const u8 *)(d + 1), len - sizeof(*d), q->msgsize,
					 file, &why);
		}
		kvfree(d);
		cond_resched();
	}
	if (!ret && !why && (c.scan.have || c.scan.body || c.scan.padding ||
			     c.scan.nr != q->nr_msgs))
		why = "message queue: a message cut short, or not as many as it says";
	kvfree(c.m);
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	if (ret)
		return cr_reject(ctx, ret, "cannot queue message %u again", c.scan.nr + 1);
	return 0;
}

/* Remember @file, of a queue restart made, to remove it if restart fails. */
static int cr_mq_made(struct cr_ctx *ctx, struct file *file)
{
	int ret;

	ret = cr_grow((void **)&ctx->mq_made, ctx->nr_mq_made, &ctx->cap_mq_made,
		      sizeof(*ctx->mq_made));
	if (!ret)
		ctx->mq_made[ctx->nr_mq_made++] = get_file(file);
	return ret;
}

/*
 * Stage the notification of file record @q's queue, @file, for the process
 * whose leader's task index it names, once made: -EBADMSG for a task that
 * leads none, -EBUSY if a process is registered now.
 */
static int cr_mq_stage_notify(struct cr_ctx *ctx, struct file *file,
			      const struct cr_file_mqueue *q, const char *name)
{
	struct cr_mq_notify *n;
	struct mq_file_state st;
	int ret;

	if (q->notify == CR_MQ_NOTIFY_NONE)
		return 0;
	if (q->notify_task >= ctx->nr_tasks || !ctx->tasks[q->notify_task].proc ||
	    ctx->tasks[q->notify_task].proc->leader != &ctx->tasks[q->notify_task])
		return cr_reject(ctx, -EBADMSG, "message queue /%s: notification of no process",
				 name);
	ret = mq_file_read(file, current->nsproxy->ipc_ns, &st, NULL, 0);
	if (ret && ret != -E2BIG)
		return ret;
	if (st.notify_owner)
		return cr_reject(ctx, -EBUSY,
				 "message queue /%s: another process is registered for its notification",
				 name);
	ret = cr_grow((void **)&ctx->mq_notify, ctx->nr_mq_notify, &ctx->cap_mq_notify,
		      sizeof(*ctx->mq_notify));
	if (ret)
		return ret;
	n = &ctx->mq_notify[ctx->nr_mq_notify++];
	memset(n, 0, sizeof(*n));
	n->file = get_file(file);
	n->task = q->notify_task;
	n->ev.sigev_notify = q->notify == CR_MQ_NOTIFY_SIGNAL ? SIGEV_SIGNAL : SIGEV_NONE;
	n->ev.sigev_signo = q->notify_signo;
	n->ev.sigev_value.sival_ptr = (void __user *)(unsigned long)q->notify_value;
	return 0;
}

/**
 * cr_restore_mq_notify() - register a restored process for the queues it was
 * @ctx: restart context, past the point of no return
 * @t: the leader of the process, current
 *
 * Return: 0, or -errno (-EBUSY: another process registered meanwhile).
 */
int cr_restore_mq_notify(struct cr_ctx *ctx, struct cr_task *t)
{
	u32 i;
	int ret;

	for (i = 0; i < ctx->nr_mq_notify; i++) {
		if (&ctx->tasks[ctx->mq_notify[i].task] != t)
			continue;
		ret = mq_file_notify(ctx->mq_notify[i].file, &ctx->mq_notify[i].ev);
		pr_debug("message queue /%pd: notification of task %u registered again: %d\n",
			 ctx->mq_notify[i].file->f_path.dentry, ctx->mq_notify[i].task, ret);
		if (ret)
			return ret;
	}
	return 0;
}

/* Did this restart make the queue of @file? */
static bool cr_mq_made_here(struct cr_ctx *ctx, struct file *file)
{
	u32 i;

	for (i = 0; i < ctx->nr_mq_made; i++)
		if (file_inode(ctx->mq_made[i]) == file_inode(file))
			return true;
	return false;
}

/**
 * cr_make_mqueue() - open the POSIX message queue of a file record again
 * @ctx: restart context, before the point of no return
 * @r: the file record, checked, its file data records next
 *
 * Opens the queue of its name in the caller's IPC namespace, as the caller,
 * as it is; or makes it with the record's attributes and permission bits
 * and queues its messages again.
 *
 * Return: the file, or ERR_PTR: -EEXIST if the queue of that name has
 * other attributes, -EBADMSG for a bad message, or an error of mq_open(2)
 * or mq_send(3).
 */
struct file *cr_make_mqueue(struct cr_ctx *ctx, const struct cr_rec_file *r)
{
	const struct cr_file_mqueue *q = (const struct cr_file_mqueue *)(r + 1);
	struct mq_attr attr = { .mq_maxmsg = q->maxmsg, .mq_msgsize = q->msgsize };
	const char *name = cr_file_path(r);
	struct mq_file_state st;
	struct file *file;
	bool created;
	int ret = 0;

	/* the tree's IPC namespace, made again, had no queue (CR_TREE_IPCNS) */
	if (ctx->flags & CR_RESTART_IPCNS)
		return ERR_PTR(cr_reject(ctx, -EBADMSG,
					 "a POSIX queue of an IPC namespace that had none"));

	file = mq_file_open(name, r->flags, r->mode, &attr, &created);
	if (IS_ERR(file)) {
		cr_reject(ctx, PTR_ERR(file), "cannot open or make message queue /%s", name);
		return file;
	}
	if (created) {
		pr_debug("message queue /%s made again: %u messages\n", name, q->nr_msgs);
		ret = cr_mq_made(ctx, file);
		if (ret)
			mq_file_unlink(file);
	}
	/* made by an earlier file record: its messages may be this one's */
	if (created || cr_mq_made_here(ctx, file)) {
		ret = ret ?: cr_mq_fill(ctx, file, r, q);
		goto out;
	}
	ret = mq_file_read(file, current->nsproxy->ipc_ns, &st, NULL, 0);
	if (ret == -E2BIG)
		ret = 0;
	if (!ret && (st.attr.mq_maxmsg != q->maxmsg || st.attr.mq_msgsize != q->msgsize))
		ret = cr_reject(ctx, -EEXIST,
				"message queue /%s exists, of %ld messages of %ld bytes, not %u of %u",
				name, st.attr.mq_maxmsg, st.attr.mq_msgsize, q->maxmsg, q->msgsize);
	pr_debug("message queue /%s: the existing one, %ld messages\n", name,
		 st.attr.mq_curmsgs);
	/* its own messages: the image's are checked and dropped */
	if (!ret)
		ret = cr_mq_fill(ctx, NULL, r, q);
out:
	ret = ret ?: cr_mq_stage_notify(ctx, file, q, name);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

/**
 * cr_unmake_mqueues() - remove the POSIX message queues a failed restart made
 * @ctx: restart context
 *
 * Context: the restarter, in its IPC namespace; may sleep.
 */
void cr_unmake_mqueues(struct cr_ctx *ctx)
{
	u32 i;
	int ret;

	for (i = 0; i < ctx->nr_mq_made; i++) {
		ret = mq_file_unlink(ctx->mq_made[i]);
		pr_debug("message queue /%pd made, removed again: %d\n",
			 ctx->mq_made[i]->f_path.dentry, ret);
	}
	cr_free_mqueues(ctx);
}

/**
 * cr_free_mqueues() - drop the files of the queues a restart made, and of
 *	those it registers processes for
 * @ctx: restart context
 */
void cr_free_mqueues(struct cr_ctx *ctx)
{
	u32 i;

	for (i = 0; i < ctx->nr_mq_made; i++)
		fput(ctx->mq_made[i]);
	kvfree(ctx->mq_made);
	ctx->mq_made = NULL;
	ctx->nr_mq_made = 0;
	ctx->cap_mq_made = 0;
	for (i = 0; i < ctx->nr_mq_notify; i++)
		fput(ctx->mq_notify[i].file);
	kvfree(ctx->mq_notify);
	ctx->mq_notify = NULL;
	ctx->nr_mq_notify = 0;
	ctx->cap_mq_notify = 0;
}
