// SPDX-License-Identifier: GPL-2.0
/*
 * cr: writing an image.
 *
 * Checkpoint is read-only on its target: whatever fails, the target is left
 * as it was and the caller gets a negative errno.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/atomic.h>
#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

/* Checkpoint ids: positive, increasing, never reused while the system runs. */
static atomic64_t cr_crid_seq = ATOMIC64_INIT(0);

static int cr_write_head(struct cr_ctx *ctx)
{
	struct cr_rec_head *head = &ctx->head;

	memset(head, 0, sizeof(*head));
	head->magic = CR_HEAD_MAGIC;
	head->version = CR_FORMAT_VERSION;
	head->page_size = PAGE_SIZE;
	head->flags = ctx->flags;
	head->time = ktime_get_real_seconds();
	head->crid = ctx->crid;
	strscpy(head->release, utsname()->release, sizeof(head->release));
	cr_arch_fill_head(head);
	return cr_write_rec(ctx, CR_REC_HEAD, head, sizeof(*head));
}

static int cr_write_tail(struct cr_ctx *ctx)
{
	struct cr_rec_tail tail = {
		.magic = CR_TAIL_MAGIC,
		.records = ctx->records,
		.offset = ctx->offset,
	};

	return cr_write_rec(ctx, CR_REC_TAIL, &tail, sizeof(tail));
}

/**
 * cr_checkpoint() - write the image of @ctx->task to @ctx->file
 * @ctx: operation context, with the task and the file set up
 *
 * Return: the positive crid on success, or a negative errno.
 */
long cr_checkpoint(struct cr_ctx *ctx)
{
	int ret;

	/* crids are handed out as longs and compared against int in restart */
	ctx->crid = atomic64_inc_return(&cr_crid_seq) & INT_MAX;
	if (!ctx->crid)
		ctx->crid = atomic64_inc_return(&cr_crid_seq) & INT_MAX;

	ret = cr_write_head(ctx);
	if (ret)
		goto out;
	ret = cr_write_tail(ctx);
out:
	if (ret) {
		pr_debug("checkpoint failed: %d after %llu bytes\n", ret, ctx->offset);
		return ret;
	}
	pr_debug("checkpoint %llu: %llu records, %llu bytes\n",
		 ctx->crid, ctx->records, ctx->offset);
	return ctx->crid;
}
