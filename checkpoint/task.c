// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the task record - comm, personality and the user pointers the kernel
 * keeps for a task (clear_child_tid, robust futex list, rseq).
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/futex.h>
#include <linux/personality.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/rseq.h>

/* Personality flags a restarted task may carry: no MMAP_PAGE_ZERO. */
#define CR_PERSONALITY_OK	(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC | \
				 ADDR_COMPAT_LAYOUT | UNAME26)

/* The original struct rseq, the smallest area rseq(2) registers. */
#define CR_RSEQ_MIN_LEN		32

struct cr_task_state {
	struct cr_rec_task rec;
};

/**
 * cr_write_task() - write the task record of @ctx->task
 * @ctx: checkpoint context
 *
 * Return: 0 or the error of writing.
 */
int cr_write_task(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;
	struct cr_rec_task rec = {};

	BUILD_BUG_ON(sizeof(rec.comm) != TASK_COMM_LEN);
	get_task_comm(rec.comm, t);
	rec.personality = t->personality;
	rec.clear_child_tid = (unsigned long)t->clear_child_tid;
#ifdef CONFIG_FUTEX
	rec.robust_list = (unsigned long)t->robust_list;
	if (t->robust_list)
		rec.robust_list_len = sizeof(*t->robust_list);
#endif
#ifdef CONFIG_RSEQ
	rec.rseq = (unsigned long)t->rseq;
	rec.rseq_len = t->rseq_len;
	rec.rseq_sig = t->rseq_sig;
#endif
	return cr_write_rec(ctx, CR_REC_TASK, &rec, sizeof(rec));
}

/**
 * cr_read_task() - read and check the task record
 * @ctx: restart context
 * @hdr: its header, already read
 *
 * Return: 0; -EBADMSG for a personality or a user pointer restart would
 * not set (kernel addresses, a misaligned rseq area, a wrong robust list
 * size); -ENOMEM; or the error of reading.
 */
int cr_read_task(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	struct cr_rec_task *rec;
	int ret;

	ctx->ts = kzalloc(sizeof(*ctx->ts), GFP_KERNEL);
	if (!ctx->ts)
		return -ENOMEM;
	rec = &ctx->ts->rec;
	ret = cr_read_payload(ctx, hdr, rec, sizeof(*rec));
	if (ret)
		return ret;
	rec->comm[sizeof(rec->comm) - 1] = '\0';
	ret = -EBADMSG;
	if (rec->__reserved || (rec->personality & ~CR_PERSONALITY_OK) != PER_LINUX) {
		pr_info_ratelimited("task record: personality %#x refused\n", rec->personality);
		return ret;
	}
	if (rec->clear_child_tid >= TASK_SIZE || rec->robust_list >= TASK_SIZE ||
	    rec->rseq >= TASK_SIZE)
		goto bad;
#ifdef CONFIG_FUTEX
	if (rec->robust_list && rec->robust_list_len != sizeof(struct robust_list_head))
		goto bad;
#endif
	if (rec->rseq && (!IS_ENABLED(CONFIG_RSEQ) ||
			  !IS_ALIGNED(rec->rseq, __alignof__(struct rseq)) ||
			  rec->rseq_len < CR_RSEQ_MIN_LEN || rec->rseq_len > PAGE_SIZE))
		goto bad;
	return 0;
bad:
	pr_info_ratelimited("task record: bad user pointer\n");
	return ret;
}

/**
 * cr_restore_task() - make the staged task record current's
 * @ctx: restart context, past the point of no return
 */
void cr_restore_task(struct cr_ctx *ctx)
{
	const struct cr_rec_task *rec = &ctx->ts->rec;
	struct task_struct *t = current;

	set_task_comm(t, rec->comm);
	t->personality = rec->personality;
	t->clear_child_tid = (int __user *)(unsigned long)rec->clear_child_tid;
#ifdef CONFIG_FUTEX
	t->robust_list = (struct robust_list_head __user *)(unsigned long)rec->robust_list;
#endif
#ifdef CONFIG_RSEQ
	t->rseq = (struct rseq __user *)(unsigned long)rec->rseq;
	t->rseq_len = rec->rseq_len;
	t->rseq_sig = rec->rseq_sig;
	/* the cpu id fields are written on the way back to user space */
	if (t->rseq)
		rseq_set_notify_resume(t);
#endif
}

/**
 * cr_free_task() - free the staged task record
 * @ctx: restart context
 */
void cr_free_task(struct cr_ctx *ctx)
{
	kfree(ctx->ts);
	ctx->ts = NULL;
}
