// SPDX-License-Identifier: GPL-2.0
/*
 * cr: records over the image file, and the messages that name them.
 *
 * The image is a stream: written and read strictly in order with
 * kernel_write()/kernel_read(), so it works on regular files, pipes and
 * sockets alike.  Short counts are looped over; an interrupted transfer
 * fails with -EINTR (checkpoint and restart are not restartable).
 *
 * Restart reads every record with cr_read_obj(), which checks its type
 * against the one expected and its length against the record table of
 * <linux/checkpoint_format.h>, and returns the payload: the callers never
 * see a header, a length or padding.  Pad records may stand between any two
 * records and are skipped.  The page stream has its own three calls:
 * cr_read_page_data() for the header of a page data record, then
 * cr_read_data() or cr_read_data_pages() for its contents.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uio.h>

/* Interrupted transfers cannot be restarted transparently: report EINTR. */
static int cr_io_err(ssize_t err)
{
	return cr_no_restart(err);
}

/* ------------------------------------------------------------------------ */
/* messages                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * cr_reject() - refuse the record being read, saying what and where
 * @ctx: restart context
 * @err: the negative errno to return
 * @fmt: why, printf-style
 *
 * Logs "restart: <type> record at offset <N>: <why> (<err>)" (ratelimited)
 * for the record cr_read_obj() or cr_next_type() last read.
 *
 * Context: any context that may printk.
 * Return: @err.
 */
int cr_reject(struct cr_ctx *ctx, int err, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info_ratelimited("restart: %s record at offset %llu: %pV (%d)\n",
			    cr_rec_name(ctx->hdr.type), ctx->rec_offset, &vaf, err);
	va_end(args);
	return err;
}

/**
 * cr_refuse() - refuse to checkpoint the target, saying why
 * @ctx: checkpoint context
 * @err: the negative errno to return
 * @fmt: why, printf-style
 *
 * Logs "checkpoint of pid <P> refused: <why>" (ratelimited), with the
 * pid of the task of the tree at fault (ctx->cur) if it is not the root.
 *
 * Context: any context that may printk.
 * Return: @err.
 */
int cr_refuse(struct cr_ctx *ctx, int err, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (ctx->cur && ctx->cur->idx)
		pr_info_ratelimited("checkpoint of pid %d refused: pid %d: %pV\n",
				    ctx->tasks[0].rec.pid, ctx->cur->rec.pid, &vaf);
	else
		pr_info_ratelimited("checkpoint of pid %d refused: %pV\n",
				    ctx->tasks ? ctx->tasks[0].rec.pid : 0, &vaf);
	va_end(args);
	return err;
}

/* ------------------------------------------------------------------------ */
/* writing                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Write bytes to the file, summed: 0, -EINTR, -EIO if nothing was taken, or
 * the file's error.
 */
static int cr_write_file(struct cr_ctx *ctx, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = kernel_write(ctx->file, buf, len, ctx->ppos);

		if (n < 0)
			return cr_io_err(n);
		if (n == 0)
			return -EIO;
		xxh64_update(&ctx->sum, buf, n);
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Keep bytes for cr_write_collected(), charged to the caller's memory
 * cgroup: -ENOMEM, or -EOPNOTSUPP past CR_COLLECT_MAX.
 */
static int cr_collect(struct cr_ctx *ctx, const void *buf, size_t len)
{
	if (len > ctx->collect_cap - ctx->collect_len) {
		size_t cap = max3(2 * ctx->collect_cap, ctx->collect_len + len, (size_t)SZ_64K);
		void *p;

		if (cap > CR_COLLECT_MAX)
			return cr_refuse(ctx, -EOPNOTSUPP,
					 "more than %u MiB of records besides the pages",
					 CR_COLLECT_MAX >> 20);
		p = kvrealloc(ctx->collect, cap, GFP_KERNEL_ACCOUNT);
		if (!p)
			return -ENOMEM;
		ctx->collect = p;
		ctx->collect_cap = cap;
	}
	memcpy(ctx->collect + ctx->collect_len, buf, len);
	ctx->collect_len += len;
	return 0;
}

/* Write bytes to the image, or keep them while the records are collected. */
static int cr_write(struct cr_ctx *ctx, const void *buf, size_t len)
{
	int ret;

	if (ctx->collecting)
		ret = cr_collect(ctx, buf, len);
	else
		ret = cr_write_file(ctx, buf, len);
	if (!ret)
		ctx->offset += len;
	return ret;
}

/**
 * cr_write_collected() - write what was collected to the image
 * @ctx: checkpoint context, no longer collecting
 *
 * Context: may sleep as long as the image file blocks; the caller holds
 * no lock of the target.
 * Return: 0 or the error of writing (see cr_write_rec()).
 */
int cr_write_collected(struct cr_ctx *ctx)
{
	int ret;

	if (WARN_ON_ONCE(ctx->collecting))
		return -EINVAL;
	ret = cr_write_file(ctx, ctx->collect, ctx->collect_len);
	kvfree(ctx->collect);
	ctx->collect = NULL;
	ctx->collect_len = 0;
	ctx->collect_cap = 0;
	return ret;
}

static const u8 cr_zeros[CR_ALIGN];

/**
 * cr_write_rec() - write one record: header, payload and padding
 * @ctx: checkpoint context
 * @type: record type (enum cr_rec_type)
 * @payload: the payload, @len bytes
 * @len: payload length
 *
 * Context: may sleep as long as the image file blocks; the caller holds
 * no lock of the target.
 * Return: 0; -EINTR if a signal interrupted the write; -EIO if the file
 * took no bytes; or the error of kernel_write() (-ENOSPC, -EPIPE, -EAGAIN
 * on a full non-blocking file, ...).
 */
int cr_write_rec(struct cr_ctx *ctx, u32 type, const void *payload, u32 len)
{
	struct cr_hdr hdr = { .type = type, .len = len };
	size_t pad = ALIGN(len, CR_ALIGN) - len;
	int ret;

	pr_debug("write %s len %u at %llu\n", cr_rec_name(type), len, ctx->offset);
	ret = cr_write(ctx, &hdr, sizeof(hdr));
	if (!ret)
		ret = cr_write(ctx, payload, len);
	if (!ret)
		ret = cr_write(ctx, cr_zeros, pad);
	if (!ret)
		ctx->records++;
	return ret;
}

/**
 * cr_write_page_data() - write the contents of pages as one record
 * @ctx: checkpoint context
 * @pages: @nr referenced pages, part of @ctx->pages
 * @nr: number of pages, at most CR_PAGES_MAX
 *
 * The payload starts at a page-aligned stream offset: a pad record comes
 * first when needed.  The pages go to the file with one vfs_iter_write()
 * per short count, straight from the page cache or anonymous memory: no
 * bounce buffer.  They are summed first: what the pages hold must not
 * change until they are written (the tasks are held still; pages of shared
 * memory are copies, see cr_pin_shmem_chunk()).
 *
 * Context: may sleep; the caller holds no lock of the target.
 * Return: 0 or the error of writing (see cr_write_rec()).
 */
int cr_write_page_data(struct cr_ctx *ctx, struct page **pages, unsigned int nr)
{
	struct cr_hdr hdr = { .type = CR_REC_PAGE_DATA, .len = nr * PAGE_SIZE };
	u64 misalign = (ctx->offset + sizeof(hdr)) % PAGE_SIZE;
	struct iov_iter iter;
	unsigned int i;
	int ret;

	if (WARN_ON_ONCE(ctx->collecting))
		return -EINVAL;
	if (misalign) {
		/* a pad record: its own header, then zeros up to the boundary */
		u32 len = (2 * PAGE_SIZE - misalign - sizeof(hdr)) % PAGE_SIZE;
		struct cr_hdr pad = { .type = CR_REC_PAD, .len = len };

		ret = cr_write(ctx, &pad, sizeof(pad));
		while (!ret && len) {
			u32 n = min_t(u32, len, PAGE_SIZE);

			ret = cr_write(ctx, page_address(ZERO_PAGE(0)), n);
			len -= n;
		}
		if (ret)
			return ret;
		ctx->records++;
	}
	ret = cr_write(ctx, &hdr, sizeof(hdr));
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		void *addr = kmap_local_page(pages[i]);

		xxh64_update(&ctx->sum, addr, PAGE_SIZE);
		kunmap_local(addr);
		bvec_set_page(&ctx->bvec[i], pages[i], PAGE_SIZE, 0);
	}
	iov_iter_bvec(&iter, ITER_SOURCE, ctx->bvec, nr, hdr.len);
	while (iov_iter_count(&iter)) {
		ssize_t n = vfs_iter_write(ctx->file, &iter, ctx->ppos, 0);

		if (n < 0)
			return cr_io_err(n);
		if (n == 0)
			return -EIO;
		ctx->offset += n;
	}
	ctx->records++;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* reading                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Read bytes from the image, summed: 0; -ENODATA if the stream ended before
 * the first byte, -EBADMSG after some but not all; -EINTR; or the file's
 * error.
 */
static int cr_read(struct cr_ctx *ctx, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = kernel_read(ctx->file, buf + done, len - done, ctx->ppos);

		if (n < 0)
			return cr_io_err(n);
		if (n == 0)
			return done ? -EBADMSG : -ENODATA;
		xxh64_update(&ctx->sum, buf + done, n);
		done += n;
		ctx->offset += n;
	}
	return 0;
}

/* Read bytes inside a record: the stream may not end here. */
static int cr_read_body(struct cr_ctx *ctx, void *buf, size_t len)
{
	int ret = cr_read(ctx, buf, len);

	if (ret == -ENODATA)
		return cr_reject(ctx, -EBADMSG, "the stream ends inside it");
	return ret;
}

/* Consume the padding after a payload of @len bytes: it must be zeros. */
static int cr_read_pad(struct cr_ctx *ctx, u32 len)
{
	size_t pad = ALIGN(len, CR_ALIGN) - len;
	u8 buf[CR_ALIGN];
	int ret;

	ret = cr_read_body(ctx, buf, pad);
	if (ret)
		return ret;
	if (memchr_inv(buf, 0, pad))
		return cr_reject(ctx, -EBADMSG, "non-zero padding");
	ctx->records++;
	return 0;
}

/* Consume a pad record's payload and padding: all zeros. */
static int cr_skip_pad(struct cr_ctx *ctx)
{
	u32 left = ctx->hdr.len;
	u8 buf[64];
	int ret;

	while (left) {
		u32 n = min_t(u32, left, sizeof(buf));

		ret = cr_read_body(ctx, buf, n);
		if (ret)
			return ret;
		if (memchr_inv(buf, 0, n))
			return cr_reject(ctx, -EBADMSG, "non-zero bytes");
		left -= n;
	}
	return cr_read_pad(ctx, ctx->hdr.len);
}

/**
 * cr_next_type() - the type of the next record, pad records skipped
 * @ctx: restart context
 *
 * Reads the next record's header (once: cr_read_obj() then takes that
 * record) and checks that its type is known and its length within the
 * record table's bound for the type.
 *
 * Context: may sleep as long as the image file blocks.
 * Return: the type; -ENODATA if the stream ended cleanly before it;
 * -EBADMSG for a truncated, unknown or oversized record; -EINTR; or the
 * error of reading.
 */
int cr_next_type(struct cr_ctx *ctx)
{
	const struct cr_rec_info *info;
	int ret;

	while (!ctx->peeked) {
		ctx->rec_offset = ctx->offset;
		ctx->rec_sum = xxh64_digest(&ctx->sum);
		ret = cr_read(ctx, &ctx->hdr, sizeof(ctx->hdr));
		if (ret)
			return ret;
		pr_debug("read %s len %u at %llu\n", cr_rec_name(ctx->hdr.type), ctx->hdr.len,
			 ctx->rec_offset);
		info = cr_rec_info(ctx->hdr.type);
		if (!info)
			return cr_reject(ctx, -EBADMSG, "unknown type %u", ctx->hdr.type);
		if (ctx->hdr.len > info->max)
			return cr_reject(ctx, -EBADMSG, "length %u, at most %u", ctx->hdr.len,
					 info->max);
		if (ctx->hdr.type != CR_REC_PAD) {
			ctx->peeked = true;
			break;
		}
		ret = cr_skip_pad(ctx);
		if (ret)
			return ret;
	}
	return ctx->hdr.type;
}

/* Take the next record, which must be of @type: its header is then consumed. */
static int cr_take(struct cr_ctx *ctx, u32 type)
{
	int ret = cr_next_type(ctx);

	if (ret == -ENODATA) {
		ctx->hdr.type = type;
		ctx->rec_offset = ctx->offset;
		return cr_reject(ctx, -EBADMSG, "expected, but the stream ends");
	}
	if (ret < 0)
		return ret;
	if (ret != type)
		return cr_reject(ctx, -EBADMSG, "unexpected: a %s record was expected",
				 cr_rec_name(type));
	ctx->peeked = false;
	return 0;
}

/**
 * cr_read_obj() - read the next record, which must be of @type
 * @ctx: restart context
 * @type: the type it must have
 * @lenp: where to store its payload length, or NULL for a record type of
 *	fixed length
 *
 * Checks the type and the length against the record table (at least the
 * fixed part, at most the type's bound; exactly the fixed part for a
 * record of fixed length), reads the payload and checks the padding.
 *
 * Context: may sleep as long as the image file blocks.
 * Return: the payload (kvfree() it; at least the type's fixed part long),
 * or ERR_PTR(): -EBADMSG for a missing, truncated or malformed record,
 * -ENOMEM, -EINTR or the error of reading.
 */
void *cr_read_obj(struct cr_ctx *ctx, u32 type, u32 *lenp)
{
	const struct cr_rec_info *info = cr_rec_info(type);
	u32 len;
	void *buf;
	int ret;

	ret = cr_take(ctx, type);
	if (ret)
		return ERR_PTR(ret);
	len = ctx->hdr.len;
	if (len < info->size || (!lenp && len != info->size)) {
		ret = cr_reject(ctx, -EBADMSG, "length %u, %s %u expected", len,
				lenp ? "at least" : "exactly", info->size);
		return ERR_PTR(ret);
	}
	buf = kvmalloc(max_t(u32, len, 1), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	ret = cr_read_body(ctx, buf, len);
	if (!ret)
		ret = cr_read_pad(ctx, len);
	if (ret) {
		kvfree(buf);
		return ERR_PTR(ret);
	}
	if (lenp)
		*lenp = len;
	return buf;
}

/**
 * cr_read_head_rec() - read the first record, which must be the head
 * @ctx: restart context
 * @head: where to store it
 *
 * Magic and version are read first, so that an image of another format
 * version is named as such whatever the size of its head.
 *
 * Context: may sleep as long as the image file blocks.
 * Return: 0; -ENOEXEC if the stream does not start with a cr head;
 * -EPROTONOSUPPORT for another format version; -EBADMSG for a head of
 * the wrong length; -ENODATA for an empty stream; or the error of reading.
 */
int cr_read_head_rec(struct cr_ctx *ctx, struct cr_rec_head *head)
{
	const size_t pre = offsetofend(struct cr_rec_head, version);
	int ret;

	ctx->rec_offset = ctx->offset;
	ret = cr_read(ctx, &ctx->hdr, sizeof(ctx->hdr));
	if (ret)
		return ret;
	if (ctx->hdr.type != CR_REC_HEAD || ctx->hdr.len < pre)
		return cr_reject(ctx, -ENOEXEC, "not a cr image: no head");
	ret = cr_read_body(ctx, head, pre);
	if (ret)
		return ret;
	if (head->magic != CR_HEAD_MAGIC)
		return cr_reject(ctx, -ENOEXEC, "not a cr image: bad magic %#llx", head->magic);
	if (head->version != CR_FORMAT_VERSION)
		return cr_reject(ctx, -EPROTONOSUPPORT, "format version %u, this kernel reads %u",
				 head->version, CR_FORMAT_VERSION);
	if (ctx->hdr.len != sizeof(*head))
		return cr_reject(ctx, -EBADMSG, "length %u, expected %zu", ctx->hdr.len,
				 sizeof(*head));
	ret = cr_read_body(ctx, (void *)head + pre, sizeof(*head) - pre);
	if (!ret)
		ret = cr_read_pad(ctx, sizeof(*head));
	return ret;
}

/**
 * cr_read_page_data() - take the header of a page data record
 * @ctx: restart context
 * @len: the payload length it must have
 *
 * Its payload must start at a page-aligned stream offset; read it with
 * cr_read_data() and cr_read_data_pages(), @len bytes in all.
 *
 * Context: may sleep as long as the image file blocks.
 * Return: 0; -EBADMSG for another record, another length or a misaligned
 * payload; or the error of reading.
 */
int cr_read_page_data(struct cr_ctx *ctx, u32 len)
{
	int ret;

	ret = cr_take(ctx, CR_REC_PAGE_DATA);
	if (ret)
		return ret;
	if (ctx->hdr.len != len || !IS_ALIGNED(len, CR_ALIGN))
		return cr_reject(ctx, -EBADMSG, "length %u, the pages record lists %u bytes",
				 ctx->hdr.len, len);
	if (ctx->offset % PAGE_SIZE)
		return cr_reject(ctx, -EBADMSG, "payload at offset %llu is not page aligned",
				 ctx->offset);
	ctx->data_left = len;
	ctx->records++;
	return 0;
}

/* Account for @len bytes of the page data record being read. */
static int cr_data_take(struct cr_ctx *ctx, size_t len)
{
	if (WARN_ON_ONCE(len > ctx->data_left))
		return -EBADMSG;
	ctx->data_left -= len;
	return 0;
}

/**
 * cr_read_data() - read page data into a kernel buffer
 * @ctx: restart context, inside a page data record
 * @buf: kernel buffer
 * @len: number of bytes, within what is left of the record
 *
 * Context: may sleep as long as the image file blocks.
 * Return: 0; -EBADMSG if the stream ends first; -EINTR; or the error of
 * reading.
 */
int cr_read_data(struct cr_ctx *ctx, void *buf, size_t len)
{
	return cr_data_take(ctx, len) ?: cr_read_body(ctx, buf, len);
}

/**
 * cr_read_data_pages() - read page data into whole pages
 * @ctx: restart context, inside a page data record
 * @bv: @nr bio_vecs, a page each
 * @nr: how many, within what is left of the record
 *
 * One copy from the image into pages no one maps yet, through the image
 * file's read_iter (cr_ctx_new() checked it has one).
 *
 * Context: may sleep as long as the image file blocks.
 * Return: 0; -EBADMSG if the stream ends first; -EINTR; or the error of
 * reading.
 */
int cr_read_data_pages(struct cr_ctx *ctx, struct bio_vec *bv, unsigned int nr)
{
	size_t len = (size_t)nr << PAGE_SHIFT;
	struct iov_iter iter;
	int ret = cr_data_take(ctx, len);
	unsigned int i;

	iov_iter_bvec(&iter, ITER_DEST, bv, nr, len);
	while (!ret && iov_iter_count(&iter)) {
		ssize_t n = vfs_iter_read(ctx->file, &iter, ctx->ppos, 0);

		if (n < 0)
			return cr_io_err(n);
		if (n == 0)
			return cr_reject(ctx, -EBADMSG, "the stream ends inside it");
		ctx->offset += n;
	}
	for (i = 0; !ret && i < nr; i++) {
		void *addr = bvec_kmap_local(&bv[i]);

		xxh64_update(&ctx->sum, addr, PAGE_SIZE);
		kunmap_local(addr);
	}
	return ret;
}
