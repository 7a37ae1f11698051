// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the checkpoint(2) and restart(2) system calls.
 *
 * Both validate their arguments and the image file before any I/O, set up
 * a struct cr_ctx for the one operation and hand over to cr_checkpoint()
 * or cr_restart().
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>

/*
 * Set up @ctx for I/O on @file.  A stream (pipe, socket) has no position:
 * kernel_write()/kernel_read() get a NULL position, as write(2) does.
 */
static void cr_ctx_init(struct cr_ctx *ctx, struct file *file, unsigned long flags)
{
	ctx->file = file;
	ctx->flags = flags;
	if (!(file->f_mode & FMODE_STREAM)) {
		ctx->pos = file->f_pos;
		ctx->ppos = &ctx->pos;
	}
}

/* Publish the new position of a seekable image file, as write(2) does. */
static void cr_ctx_fini(struct cr_ctx *ctx)
{
	if (ctx->ppos)
		ctx->file->f_pos = ctx->pos;
	if (ctx->task)
		put_task_struct(ctx->task);
	kfree(ctx);
}

/*
 * Find the task to checkpoint: 0 or the caller's own pid is the caller.
 * Until external checkpoint lands, another existing process is refused.
 */
static struct task_struct *cr_find_task(pid_t pid)
{
	struct task_struct *task;

	if (!pid || pid == task_pid_vnr(current)) {
		get_task_struct(current);
		return current;
	}
	task = find_get_task_by_vpid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);
	put_task_struct(task);
	pr_info_ratelimited("checkpoint of another process (pid %d) is not supported yet\n", pid);
	return ERR_PTR(-EOPNOTSUPP);
}

/**
 * sys_checkpoint - write the state of a process to a file descriptor
 * @pid: the process; 0 or the caller's pid for the caller itself
 * @fd: a file descriptor open for writing: a regular file, pipe or socket
 * @flags: CR_CHECKPOINT_* flags (none defined yet)
 *
 * Return: a positive checkpoint id (crid) on success; -EINVAL for unknown
 * flags or a file that does not support kernel writes (e.g. /dev/null);
 * -EBADF if @fd is not open for writing; -ESRCH if no process has @pid;
 * -EOPNOTSUPP for a process other than the caller; -ENOMEM; or the error
 * of writing the image (-ENOSPC, -EPIPE, -EAGAIN, -EINTR, -EIO, ...).
 */
SYSCALL_DEFINE3(checkpoint, pid_t, pid, int, fd, unsigned long, flags)
{
	struct task_struct *task;
	struct cr_ctx *ctx;
	struct file *file;
	struct fd f;
	long ret;

	if (flags & ~CR_CHECKPOINT_FLAGS)
		return -EINVAL;

	f = fdget_pos(fd);
	file = fd_file(f);
	if (!file)
		return -EBADF;
	ret = -EBADF;
	if (!(file->f_mode & FMODE_WRITE))
		goto out_fd;
	/* kernel_write() refuses these; say so before writing anything. */
	ret = -EINVAL;
	if (!(file->f_mode & FMODE_CAN_WRITE) || !file->f_op->write_iter ||
	    file->f_op->write)
		goto out_fd;

	task = cr_find_task(pid);
	if (IS_ERR(task)) {
		ret = PTR_ERR(task);
		goto out_fd;
	}

	ret = -ENOMEM;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx) {
		put_task_struct(task);
		goto out_fd;
	}
	cr_ctx_init(ctx, file, flags);
	ctx->task = task;

	pr_debug("checkpoint pid %d to fd %d flags %#lx\n", task_pid_vnr(task), fd, flags);
	ret = cr_checkpoint(ctx);
	cr_ctx_fini(ctx);
out_fd:
	fdput_pos(f);
	return ret;
}

/**
 * sys_restart - turn the caller into a checkpointed process
 * @crid: the checkpoint id the image must carry, or 0 for any
 * @fd: a file descriptor open for reading: a regular file, pipe or socket
 * @flags: CR_RESTART_* flags (none defined yet)
 *
 * Return: does not return to the caller on success.  Otherwise -EINVAL for
 * unknown flags, a negative @crid or a file that does not support kernel
 * reads; -EBADF if @fd is not open for reading; -ENOMEM; -EINTR; or an
 * image error: -ENODATA (the stream ends before its tail), -EBADMSG
 * (truncated or malformed record), -ENOEXEC (not a cr image for this
 * machine), -EPROTONOSUPPORT (unknown format version), -ESTALE (@crid does
 * not match), -EOPNOTSUPP (valid image with nothing this kernel restarts).
 */
SYSCALL_DEFINE3(restart, int, crid, int, fd, unsigned long, flags)
{
	struct cr_ctx *ctx;
	struct file *file;
	struct fd f;
	long ret;

	if (flags & ~CR_RESTART_FLAGS || crid < 0)
		return -EINVAL;

	f = fdget_pos(fd);
	file = fd_file(f);
	if (!file)
		return -EBADF;
	ret = -EBADF;
	if (!(file->f_mode & FMODE_READ))
		goto out_fd;
	/* kernel_read() refuses these; say so before reading anything. */
	ret = -EINVAL;
	if (!(file->f_mode & FMODE_CAN_READ) || !file->f_op->read_iter ||
	    file->f_op->read)
		goto out_fd;

	ret = -ENOMEM;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		goto out_fd;
	cr_ctx_init(ctx, file, flags);

	pr_debug("restart crid %d from fd %d flags %#lx\n", crid, fd, flags);
	ret = cr_restart(ctx, crid);
	cr_ctx_fini(ctx);
out_fd:
	fdput_pos(f);
	return ret;
}
