/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr: in-kernel checkpoint/restart - internal interfaces.
 */
#ifndef _LINUX_CHECKPOINT_H
#define _LINUX_CHECKPOINT_H

#include <linux/types.h>
#include <uapi/linux/checkpoint.h>

struct file;
struct task_struct;

/**
 * struct cr_ctx - state of one checkpoint or restart operation
 * @file:	the image file (output for checkpoint, input for restart)
 * @ppos:	position to pass to kernel_write/kernel_read: &@pos for a
 *		seekable file, NULL for a stream (pipe, socket)
 * @pos:	file position while the operation runs; copied back to
 *		@file->f_pos at the end for seekable files
 * @offset:	bytes written or read so far: the stream offset, counted from
 *		the first byte of the head
 * @records:	records written or read so far
 * @flags:	the flags argument of the system call
 * @crid:	checkpoint id (written to or read from the head)
 * @task:	the task being checkpointed (referenced), or NULL
 * @head:	the head of the image (restart: as read; checkpoint: as written)
 */
struct cr_ctx {
	struct file *file;
	loff_t *ppos;
	loff_t pos;
	u64 offset;
	u64 records;
	unsigned long flags;
	u64 crid;
	struct task_struct *task;
	struct cr_rec_head head;
};

/* The two operations (checkpoint/checkpoint.c, checkpoint/restart.c). */
long cr_checkpoint(struct cr_ctx *ctx);
long cr_restart(struct cr_ctx *ctx, int crid);

/* Record I/O (checkpoint/io.c). */
int cr_write(struct cr_ctx *ctx, const void *buf, size_t len);
int cr_write_rec(struct cr_ctx *ctx, u32 type, const void *payload, u32 len);
int cr_read(struct cr_ctx *ctx, void *buf, size_t len);
int cr_read_hdr(struct cr_ctx *ctx, struct cr_hdr *hdr);
int cr_read_end(struct cr_ctx *ctx, const struct cr_hdr *hdr);
int cr_read_payload(struct cr_ctx *ctx, const struct cr_hdr *hdr, void *buf, u32 size);
int cr_read_rec(struct cr_ctx *ctx, u32 type, void *payload, u32 len);

const char *cr_rec_name(u32 type);

/*
 * Architecture interface.  Generic code never touches registers or other
 * arch state; an architecture that selects HAVE_ARCH_CHECKPOINT provides
 * these in arch/<arch>/checkpoint/.
 */

void cr_arch_fill_head(struct cr_rec_head *head);
int cr_arch_check_head(const struct cr_rec_head *head);

#endif /* _LINUX_CHECKPOINT_H */
