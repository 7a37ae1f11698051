// SPDX-License-Identifier: GPL-2.0
/*
 * cr: reading an image and restarting from it.
 *
 * The image is hostile input: every record is checked before it is used.
 * Restart is a transaction: records are parsed and validated, new state is
 * staged, and only once the tail has been read and checked is anything
 * committed to the caller.  Before the commit, an error returns a negative
 * errno and leaves the caller as it was.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

/* The first fields of every format version of the head. */
struct cr_head_prefix {
	__u64 magic;
	__u32 version;
};

static int cr_read_head(struct cr_ctx *ctx, int crid)
{
	struct cr_rec_head *head = &ctx->head;
	const size_t pre = sizeof(struct cr_head_prefix);
	struct cr_hdr hdr;
	int ret;

	/* Not cr_read_hdr(): anything but a head here is not a cr image. */
	ret = cr_read(ctx, &hdr, sizeof(hdr));
	if (ret)
		return ret;
	if (hdr.type != CR_REC_HEAD || hdr.len < pre) {
		pr_info_ratelimited("not a cr image: no head record\n");
		return -ENOEXEC;
	}
	/* Magic and version first, so another version is named as such. */
	ret = cr_read_body(ctx, head, pre);
	if (ret)
		return ret;
	if (head->magic != CR_HEAD_MAGIC) {
		pr_info_ratelimited("not a cr image: bad magic %#llx\n", head->magic);
		return -ENOEXEC;
	}
	if (head->version != CR_FORMAT_VERSION) {
		pr_info_ratelimited("image format version %u, this kernel reads %u\n",
				    head->version, CR_FORMAT_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (hdr.len != sizeof(*head)) {
		pr_info_ratelimited("head record: length %u, expected %zu\n",
				    hdr.len, sizeof(*head));
		return -EBADMSG;
	}
	ret = cr_read_body(ctx, (void *)head + pre, sizeof(*head) - pre);
	if (ret)
		return ret;
	ret = cr_read_end(ctx, &hdr);
	if (ret)
		return ret;

	head->release[sizeof(head->release) - 1] = '\0';
	pr_debug("image crid %llu from %s, arch %u, flags %#x\n",
		 head->crid, head->release, head->arch, head->flags);
	if (head->page_size != PAGE_SIZE) {
		pr_info_ratelimited("image page size %u, this kernel uses %lu\n",
				    head->page_size, PAGE_SIZE);
		return -ENOEXEC;
	}
	ret = cr_arch_check_head(head);
	if (ret)
		return ret;
	if (head->flags & ~CR_CHECKPOINT_FLAGS || head->__reserved) {
		pr_info_ratelimited("image has unknown flags %#x\n", head->flags);
		return -EBADMSG;
	}
	if (crid && head->crid != crid) {
		pr_info_ratelimited("image has crid %llu, restart asked for %d\n",
				    head->crid, crid);
		return -ESTALE;
	}
	ctx->crid = head->crid;
	return 0;
}

static int cr_bad_record(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	pr_info_ratelimited("unexpected %s record at offset %llu\n",
			    cr_rec_name(hdr->type), ctx->offset - sizeof(*hdr));
	return -EBADMSG;
}

static int cr_read_tail(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	u64 records = ctx->records;
	u64 offset = ctx->offset - sizeof(*hdr);
	struct cr_rec_tail tail;
	int ret;

	ret = cr_read_payload(ctx, hdr, &tail, sizeof(tail));
	if (ret)
		return ret;
	if (tail.magic != CR_TAIL_MAGIC) {
		pr_info_ratelimited("bad tail magic %#llx\n", tail.magic);
		return -EBADMSG;
	}
	if (tail.records != records || tail.offset != offset) {
		pr_info_ratelimited("tail says %llu records/%llu bytes, stream had %llu/%llu\n",
				    tail.records, tail.offset, records, offset);
		return -EBADMSG;
	}
	return 0;
}

static void cr_restart_free(struct cr_ctx *ctx)
{
	cr_free_task(ctx);
	cr_arch_free(ctx);
	cr_free_mm(ctx);
	cr_free_files(ctx);
	cr_free_signals(ctx);
	kvfree(ctx->buf);
	ctx->buf = NULL;
}

/* Everything before the point of no return: read, check, stage. */
static int cr_restart_stage(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	int ret;

	ret = cr_read_task(ctx, hdr);
	if (!ret)
		ret = cr_arch_read_cpu(ctx);
	if (!ret)
		ret = cr_arch_read_fpu(ctx);
	if (!ret)
		ret = cr_read_mm(ctx);
	if (!ret)
		ret = cr_read_files(ctx);
	if (!ret)
		ret = cr_read_signals(ctx);
	if (ret)
		return ret;
	ctx->buf = kvmalloc(CR_PAGES_MAX * PAGE_SIZE, GFP_KERNEL);
	return ctx->buf ? 0 : -ENOMEM;
}

/* Past the point of no return: replace the address space, fill it, commit. */
static int cr_restart_commit(struct cr_ctx *ctx, long *ax)
{
	struct cr_hdr hdr;
	int ret;

	ret = cr_restore_mm(ctx);
	while (!ret) {
		ret = cr_read_hdr(ctx, &hdr);
		if (ret)
			break;
		if (hdr.type == CR_REC_TAIL) {
			ret = cr_read_tail(ctx, &hdr);
			if (ret)
				break;
			ret = cr_restore_files(ctx);
			if (ret)
				break;
			cr_restore_task(ctx);
			ret = cr_restore_signals(ctx);
			if (ret)
				break;
			return cr_arch_restore(ctx, ax);
		}
		if (hdr.type == CR_REC_PAGES)
			ret = cr_read_pages(ctx, &hdr);
		else if (hdr.type == CR_REC_PAD)
			ret = cr_read_skip(ctx, &hdr);
		else
			ret = cr_bad_record(ctx, &hdr);
	}
	return ret;
}

/**
 * cr_restart() - restart the caller from the image in @ctx->file
 * @ctx: operation context, with the file set up
 * @crid: the crid the image must carry, or 0 for any
 *
 * Reads, checks and stages the task, cpu, fpu, mm, vma, file, fd, fs and
 * signals records (opening every file) while the caller is untouched; any error
 * there returns with the caller intact.  Then comes the point of no
 * return (see below).
 *
 * Return: on success the value the restored code finds in ax (restart()
 * returns it into the restored registers); otherwise a negative errno (see
 * sys_restart()), the caller unchanged, or killed past the point of no
 * return.
 */
long cr_restart(struct cr_ctx *ctx, int crid)
{
	struct cr_hdr hdr;
	long ax = 0;
	int ret;

	/* a caller that shares its address space cannot become anyone */
	ret = cr_check_caller_mm();
	if (!ret)
		ret = cr_read_head(ctx, crid);
	if (ret)
		goto out;
	do {
		ret = cr_read_hdr(ctx, &hdr);
		if (!ret && hdr.type == CR_REC_PAD)
			ret = cr_read_skip(ctx, &hdr);
	} while (!ret && hdr.type == CR_REC_PAD);
	if (ret)
		goto out;
	if (hdr.type == CR_REC_TAIL) {
		/* A valid image, but with no task in it there is nothing to become. */
		ret = cr_read_tail(ctx, &hdr);
		if (!ret) {
			pr_info_ratelimited("image %llu holds no task to restart\n", ctx->crid);
			ret = -EOPNOTSUPP;
		}
		goto out;
	}
	if (hdr.type != CR_REC_TASK) {
		ret = cr_bad_record(ctx, &hdr);
		goto out;
	}
	ret = cr_restart_stage(ctx, &hdr);
	if (ret)
		goto out;

	/*
	 * The point of no return.  From here on the caller's address space is
	 * torn down and rebuilt from the image as it streams by: a failure
	 * (a truncated or corrupt page record, a mapping that cannot be made)
	 * leaves nothing to return to, and the caller is killed.
	 */
	pr_debug("restart %llu: past the point of no return\n", ctx->crid);
	ret = cr_restart_commit(ctx, &ax);
	if (ret) {
		pr_info_ratelimited("restart %llu failed past the point of no return (%d): killed\n",
				    ctx->crid, ret);
		force_sig(SIGKILL);
	}
out:
	cr_restart_free(ctx);
	if (ret) {
		pr_debug("restart failed: %d at offset %llu\n", ret, ctx->offset);
		return ret;
	}
	pr_debug("restart %llu done: %llu records\n", ctx->crid, ctx->records);
	return ax;
}
