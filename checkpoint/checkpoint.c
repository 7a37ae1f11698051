// SPDX-License-Identifier: GPL-2.0
/*
 * cr: writing an image.
 *
 * Checkpoint is read-only on its tasks: whatever fails, they are left as
 * they were and the caller gets a negative errno.  Finding and holding the
 * tasks is checkpoint/tree.c's.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/atomic.h>
#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

/* Checkpoint ids: positive, increasing, never reused while the system runs. */
static atomic64_t cr_crid_seq = ATOMIC64_INIT(0);

/* The head, then the arch record: the machine the image was taken on. */
static int cr_write_head(struct cr_ctx *ctx)
{
	struct cr_rec_head *head = &ctx->head;
	int ret;

	memset(head, 0, sizeof(*head));
	head->magic = CR_HEAD_MAGIC;
	head->version = CR_FORMAT_VERSION;
	head->arch = CR_ARCH_THIS;
	head->page_size = PAGE_SIZE;
	head->flags = ctx->flags;
	head->time = ktime_get_real_seconds();
	head->crid = ctx->crid;
	strscpy(head->release, utsname()->release, sizeof(head->release));
	ret = cr_write_rec(ctx, CR_REC_HEAD, head, sizeof(*head));
	if (ret)
		return ret;
	memset(&ctx->machine, 0, sizeof(ctx->machine));
	cr_arch_fill_machine(&ctx->machine);
	return cr_write_rec(ctx, CR_REC_ARCH, &ctx->machine, sizeof(ctx->machine));
}

/* The checksum of what is written so far, once the sections are, in the sum record. */
static int cr_write_sum(struct cr_ctx *ctx)
{
	struct cr_rec_sum sum = {
		.offset = ctx->offset,
		.sum = xxh64_digest(&ctx->sum),
	};

	return cr_write_rec(ctx, CR_REC_SUM, &sum, sizeof(sum));
}

static int cr_write_tail(struct cr_ctx *ctx)
{
	struct cr_rec_tail tail = {
		.magic = CR_TAIL_MAGIC,
		.records = ctx->records,
		.offset = ctx->offset,
		.sum = xxh64_digest(&ctx->sum),
	};

	return cr_write_rec(ctx, CR_REC_TAIL, &tail, sizeof(tail));
}

/* Write the sections of @scope of task @t, in table order. */
static int cr_write_scope(struct cr_ctx *ctx, struct cr_task *t, u32 scope)
{
	unsigned int i;
	int ret = 0;

	ctx->cur = t;
	for (i = 0; !ret && i < cr_nr_sections; i++)
		if (cr_sections[i]->scope == scope)
			ret = cr_sections[i]->write(ctx, t);
	return ret;
}

/* Drop what the sections and the tree left in @ctx. */
static void cr_checkpoint_free(struct cr_ctx *ctx)
{
	cr_free_tree(ctx);
	kfree(ctx->pages);
	kfree(ctx->bvec);
	kvfree(ctx->collect);
}

/**
 * cr_checkpoint() - write the image of a process tree to @ctx->file
 * @ctx: operation context, with the file set up
 * @pid: the root: 0 or the caller's pid for the caller itself
 *
 * Writes the head, the arch record and the tree record, then for each
 * process of the tree its sections and those of each of its tasks in the
 * order of cr_sections[], the sum record, the pages process by process,
 * and the tail.  The tasks are only read: whatever fails, they are left as
 * they were (thawed if the checkpoint froze them).
 *
 * Every record but the pages is collected in memory first, with the tasks
 * held still, and written once they are checked to have stayed still: a
 * write to the image may block for as long as its reader likes (a full
 * pipe), and whatever the tasks do meanwhile (continue, die, exec) no lock
 * of them is held, nothing of them is read but their pinned mms, and the
 * dump ends with -EAGAIN or -ESRCH.
 *
 * Context: process context, may sleep; holds no lock of the tasks across
 * a write.
 * Return: the positive crid on success, or a negative errno.
 */
long cr_checkpoint(struct cr_ctx *ctx, pid_t pid)
{
	unsigned int i, j;
	int ret;

	ret = cr_get_tree(ctx, pid);
	if (ret)
		goto out;

	/* crids are handed out as longs and compared against int in restart */
	ctx->crid = atomic64_inc_return(&cr_crid_seq) & INT_MAX;
	if (!ctx->crid)
		ctx->crid = atomic64_inc_return(&cr_crid_seq) & INT_MAX;

	ctx->collecting = true;
	ret = cr_write_head(ctx);
	if (!ret)
		ret = cr_write_tree(ctx);
	for (i = 0; !ret && i < ctx->nr_procs; i++) {
		struct cr_proc *p = &ctx->procs[i];

		ret = cr_write_scope(ctx, p->leader, CR_SCOPE_PROC);
		for (j = 0; !ret && j < p->nr_threads; j++)
			ret = cr_write_scope(ctx, &ctx->tasks[p->leader->idx + j], CR_SCOPE_TASK);
	}
	ctx->collecting = false;
	/* nothing written if a task ran while its state was read */
	if (!ret)
		ret = cr_check_tree_still(ctx);
	if (!ret)
		ret = cr_write_collected(ctx);
	if (!ret)
		ret = cr_write_sum(ctx);
	for (i = 0; !ret && i < ctx->nr_procs; i++) {
		ctx->cur = ctx->procs[i].leader;
		ret = cr_write_pages(ctx, &ctx->procs[i]);
	}
	ctx->cur = NULL;
	if (!ret)
		ret = cr_check_tree_still(ctx);
	if (!ret)
		ret = cr_write_tail(ctx);
out:
	cr_put_tree(ctx, !ret);
	cr_checkpoint_free(ctx);
	if (ret) {
		ret = cr_no_restart(ret);
		pr_debug("checkpoint failed: %d after %llu bytes\n", ret, ctx->offset);
		return ret;
	}
	pr_debug("checkpoint %llu: %u tasks, %llu records, %llu bytes\n",
		 ctx->crid, ctx->nr_tasks, ctx->records, ctx->offset);
	return ctx->crid;
}
