// SPDX-License-Identifier: GPL-2.0
/*
 * cr: record I/O over the image file.
 *
 * The image is a stream: written and read strictly in order with
 * kernel_write()/kernel_read(), so it works on regular files, pipes and
 * sockets alike.  Short counts are looped over; an interrupted transfer
 * fails with -EINTR (checkpoint and restart are not restartable).
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/uio.h>

static const char * const cr_rec_names[CR_REC_MAX] = {
	[CR_REC_HEAD]	= "head",
	[CR_REC_TAIL]	= "tail",
	[CR_REC_PAD]	= "pad",
	[CR_REC_TASK]	= "task",
	[CR_REC_CPU]	= "cpu",
	[CR_REC_FPU]	= "fpu",
	[CR_REC_MM]	= "mm",
	[CR_REC_VMA]	= "vma",
	[CR_REC_PAGES]	= "pages",
	[CR_REC_PAGE_DATA] = "page_data",
	[CR_REC_FILE]	= "file",
	[CR_REC_FD]	= "fd",
	[CR_REC_FS]	= "fs",
	[CR_REC_SIGNALS] = "signals",
	[CR_REC_PIPE]	= "pipe",
};

/**
 * cr_rec_name() - name of a record type, for messages
 * @type: record type
 *
 * Return: a static string, "unknown" for a type that has no name.
 */
const char *cr_rec_name(u32 type)
{
	if (type < CR_REC_MAX && cr_rec_names[type])
		return cr_rec_names[type];
	return "unknown";
}

/* Interrupted transfers cannot be restarted transparently: report EINTR. */
static int cr_io_err(ssize_t err)
{
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	}
	return err;
}

/**
 * cr_write() - write bytes to the image
 * @ctx: operation context
 * @buf: kernel buffer
 * @len: number of bytes
 *
 * Loops over short writes (pipes, sockets).
 *
 * Return: 0 on success, -EINTR if a signal interrupted the write, -EIO if
 * the file accepted no bytes, or the error of kernel_write() (-ENOSPC,
 * -EPIPE, -EAGAIN on a non-blocking file that is full, ...).
 */
int cr_write(struct cr_ctx *ctx, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = kernel_write(ctx->file, buf, len, ctx->ppos);

		if (n < 0)
			return cr_io_err(n);
		if (n == 0)
			return -EIO;
		buf += n;
		len -= n;
		ctx->offset += n;
	}
	return 0;
}

static const u8 cr_zeros[CR_ALIGN];

/**
 * cr_write_rec() - write one record: header, payload and padding
 * @ctx: operation context
 * @type: record type (enum cr_rec_type)
 * @payload: the payload, @len bytes
 * @len: payload length
 *
 * Return: 0 on success or the error of cr_write().
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
 * cr_write_page_data() - write the contents of @ctx->pages as one record
 * @ctx: checkpoint context; @ctx->pages holds @nr referenced pages
 * @nr: number of pages, at most CR_PAGES_MAX
 *
 * The payload starts at a page-aligned stream offset: a pad record comes
 * first when needed.  The pages go to the file with one vfs_iter_write()
 * per short count, straight from the page cache or anonymous memory: no
 * bounce buffer.
 *
 * Return: 0 on success or the error of writing.
 */
int cr_write_page_data(struct cr_ctx *ctx, unsigned int nr)
{
	struct cr_hdr hdr = { .type = CR_REC_PAGE_DATA, .len = nr * PAGE_SIZE };
	u64 misalign = (ctx->offset + sizeof(hdr)) % PAGE_SIZE;
	struct iov_iter iter;
	unsigned int i;
	int ret;

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
	for (i = 0; i < nr; i++)
		bvec_set_page(&ctx->bvec[i], ctx->pages[i], PAGE_SIZE, 0);
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

/**
 * cr_read() - read bytes from the image
 * @ctx: operation context
 * @buf: kernel buffer
 * @len: number of bytes
 *
 * Loops over short reads.
 *
 * Return: 0 on success; -ENODATA if the stream ended before the first
 * byte; -EBADMSG if it ended after some but not all of @len bytes;
 * -EINTR if a signal interrupted the read; or the error of kernel_read().
 */
int cr_read(struct cr_ctx *ctx, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = kernel_read(ctx->file, buf + done, len - done, ctx->ppos);

		if (n < 0)
			return cr_io_err(n);
		if (n == 0)
			return done ? -EBADMSG : -ENODATA;
		done += n;
		ctx->offset += n;
	}
	return 0;
}

/**
 * cr_read_body() - read bytes inside a record
 * @ctx: operation context
 * @buf: kernel buffer
 * @len: number of bytes
 *
 * As cr_read(), but the stream may not end here: the record is truncated.
 *
 * Return: 0 on success; -EBADMSG if the stream ends first; or the error of
 * cr_read().
 */
int cr_read_body(struct cr_ctx *ctx, void *buf, size_t len)
{
	int ret = cr_read(ctx, buf, len);

	return ret == -ENODATA ? -EBADMSG : ret;
}

/**
 * cr_read_fixed() - read the fixed part of a variable-length record
 * @ctx: operation context
 * @hdr: the record's header, from cr_read_hdr()
 * @buf: where to store the fixed part
 * @size: its size; what follows it in the record is the caller's to read
 *
 * Return: 0 on success; -EBADMSG if the record is shorter than @size or
 * the stream ends inside it; or the error of cr_read().
 */
int cr_read_fixed(struct cr_ctx *ctx, const struct cr_hdr *hdr, void *buf, u32 size)
{
	if (hdr->len < size) {
		pr_info_ratelimited("%s record: length %u, at least %u expected\n",
				    cr_rec_name(hdr->type), hdr->len, size);
		return -EBADMSG;
	}
	return cr_read_body(ctx, buf, size);
}

/**
 * cr_read_user() - read bytes from the image straight into user memory
 * @ctx: restart context, with the restarted address space current
 * @addr: user address, mapped writable
 * @len: number of bytes
 *
 * One copy, as read(2) does, the pages faulted in as they are written.
 *
 * Return: 0 on success; -EBADMSG if the stream ends first; -EINTR; or the
 * error of vfs_read() (-EFAULT for an address that is not writable).
 */
int cr_read_user(struct cr_ctx *ctx, unsigned long addr, size_t len)
{
	while (len) {
		ssize_t n = vfs_read(ctx->file, (char __user *)addr, len, ctx->ppos);

		if (n < 0)
			return cr_io_err(n);
		if (n == 0)
			return -EBADMSG;
		addr += n;
		len -= n;
		ctx->offset += n;
	}
	return 0;
}

/**
 * cr_read_hdr() - read the header of the next record
 * @ctx: operation context
 * @hdr: where to store it
 *
 * Checks the type is known and the length is within CR_REC_MAX_LEN.
 *
 * Return: 0 on success; -ENODATA if the stream ended cleanly before this
 * record; -EBADMSG for a truncated, unknown or oversized record; or the
 * error of cr_read().
 */
int cr_read_hdr(struct cr_ctx *ctx, struct cr_hdr *hdr)
{
	u64 at = ctx->offset;
	int ret;

	ret = cr_read(ctx, hdr, sizeof(*hdr));
	if (ret)
		return ret;
	pr_debug("read %s len %u at %llu\n", cr_rec_name(hdr->type), hdr->len, at);
	if (!hdr->type || hdr->type >= CR_REC_MAX) {
		pr_info_ratelimited("bad record type %u at offset %llu\n", hdr->type, at);
		return -EBADMSG;
	}
	if (hdr->len > CR_REC_MAX_LEN) {
		pr_info_ratelimited("%s record at offset %llu too long (%u)\n",
				    cr_rec_name(hdr->type), at, hdr->len);
		return -EBADMSG;
	}
	return 0;
}

/**
 * cr_read_end() - finish reading a record: consume and check its padding
 * @ctx: operation context
 * @hdr: the record's header
 *
 * To be called once the @hdr->len payload bytes have been consumed.
 *
 * Return: 0 on success; -EBADMSG if the padding is missing or not zero.
 */
int cr_read_end(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	size_t pad = ALIGN(hdr->len, CR_ALIGN) - hdr->len;
	u8 buf[CR_ALIGN];
	int ret;

	ret = cr_read_body(ctx, buf, pad);
	if (ret)
		return ret;
	if (memchr_inv(buf, 0, pad)) {
		pr_info_ratelimited("%s record: non-zero padding\n", cr_rec_name(hdr->type));
		return -EBADMSG;
	}
	ctx->records++;
	return 0;
}

/**
 * cr_read_skip() - consume a record whose payload must be zeros (padding)
 * @ctx: operation context
 * @hdr: the record's header
 *
 * Return: 0 on success; -EBADMSG for non-zero bytes or a truncated record;
 * or the error of cr_read().
 */
int cr_read_skip(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	u8 buf[64];
	u32 left = hdr->len;
	int ret;

	while (left) {
		u32 n = min_t(u32, left, sizeof(buf));

		ret = cr_read_body(ctx, buf, n);
		if (ret)
			return ret;
		if (memchr_inv(buf, 0, n)) {
			pr_info_ratelimited("pad record with non-zero bytes\n");
			return -EBADMSG;
		}
		left -= n;
	}
	return cr_read_end(ctx, hdr);
}

/**
 * cr_read_string() - read a NUL-terminated string from a record's payload
 * @ctx: operation context
 * @len: its length in the stream, NUL included, as the record says
 * @max: the largest acceptable @len
 *
 * Return: the string (kfree() it), or ERR_PTR(-EBADMSG) for a length out
 * of 1..@max, a missing NUL or a NUL inside, or another read error.
 */
char *cr_read_string(struct cr_ctx *ctx, u32 len, u32 max)
{
	char *s;
	int ret;

	if (!len || len > max)
		return ERR_PTR(-EBADMSG);
	s = kmalloc(len, GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	ret = cr_read_body(ctx, s, len);
	if (ret) {
		kfree(s);
		return ERR_PTR(ret);
	}
	if (strnlen(s, len) != len - 1) {
		pr_info_ratelimited("string of %u bytes is not NUL terminated\n", len);
		kfree(s);
		return ERR_PTR(-EBADMSG);
	}
	return s;
}

/**
 * cr_read_payload() - read the payload of a fixed-size record
 * @ctx: operation context
 * @hdr: the record's header, from cr_read_hdr()
 * @buf: where to store the payload
 * @size: the payload size this record type has in this format version
 *
 * Return: 0 on success; -EBADMSG if @hdr->len is not @size or the stream
 * ends inside the record; or the error of cr_read().
 */
int cr_read_payload(struct cr_ctx *ctx, const struct cr_hdr *hdr, void *buf, u32 size)
{
	int ret;

	if (hdr->len != size) {
		pr_info_ratelimited("%s record: length %u, expected %u\n",
				    cr_rec_name(hdr->type), hdr->len, size);
		return -EBADMSG;
	}
	ret = cr_read_body(ctx, buf, size);
	if (ret)
		return ret;
	return cr_read_end(ctx, hdr);
}

/**
 * cr_read_rec() - read a whole fixed-size record of an expected type
 * @ctx: operation context
 * @type: the type the next record must have
 * @payload: where to store the payload
 * @len: the payload size
 *
 * Return: 0 on success; -EBADMSG if the next record has another type or
 * length; or the error of cr_read_hdr()/cr_read_payload().
 */
int cr_read_rec(struct cr_ctx *ctx, u32 type, void *payload, u32 len)
{
	struct cr_hdr hdr;
	int ret;

	ret = cr_read_hdr(ctx, &hdr);
	if (ret)
		return ret;
	if (hdr.type != type) {
		pr_info_ratelimited("expected %s record, found %s\n",
				    cr_rec_name(type), cr_rec_name(hdr.type));
		return -EBADMSG;
	}
	return cr_read_payload(ctx, &hdr, payload, len);
}
