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
#include <linux/printk.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/syscalls.h>

/*
 * A context for I/O on @file: checkpoint writes it (@mode FMODE_WRITE),
 * restart reads it (FMODE_READ).  -EBADF if @file is not open that way,
 * -EINVAL if kernel_write()/kernel_read() would refuse it (e.g. /dev/null):
 * both said before any I/O.  A stream (pipe, socket) has no position: the
 * I/O gets a NULL position, as write(2) does.
 */
static struct cr_ctx *cr_ctx_new(struct file *file, fmode_t mode, unsigned long flags)
{
	const struct file_operations *fop = file->f_op;
	struct cr_ctx *ctx;
	bool kernel_io;

	if (!(file->f_mode & mode))
		return ERR_PTR(-EBADF);
	if (mode == FMODE_WRITE)
		kernel_io = (file->f_mode & FMODE_CAN_WRITE) && fop->write_iter && !fop->write;
	else
		kernel_io = (file->f_mode & FMODE_CAN_READ) && fop->read_iter && !fop->read;
	if (!kernel_io)
		return ERR_PTR(-EINVAL);
	if (!cr_tables_ok)
		return ERR_PTR(-EOPNOTSUPP);	/* see cr_sections_check() */

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	/* a reference of our own: restart closes every fd of the caller */
	ctx->file = get_file(file);
	ctx->flags = flags;
	ctx->restart = mode == FMODE_READ;
	xxh64_reset(&ctx->sum, CR_SUM_SEED);
	kref_init(&ctx->ref);
	spin_lock_init(&ctx->lock);
	init_waitqueue_head(&ctx->wait);
	ctx->limits.task_size = TASK_SIZE;
	ctx->limits.page_size = PAGE_SIZE;
	if (!(file->f_mode & FMODE_STREAM)) {
		ctx->pos = file->f_pos;
		ctx->ppos = &ctx->pos;
	}
	return ctx;
}

/**
 * cr_ctx_release() - free a context once its last user is gone
 * @ref: its reference count
 *
 * The system call holds one reference; each task a restart makes holds
 * another until it returns to user space (or dies).
 */
void cr_ctx_release(struct kref *ref)
{
	struct cr_ctx *ctx = container_of(ref, struct cr_ctx, ref);

	cr_free_tree(ctx);
	cr_free_mqueues(ctx);
	kvfree(ctx->stash);
	kvfree(ctx->buf);
	fput(ctx->file);
	cr_put_inherit(ctx);
	kfree(ctx);
}

/*
 * Publish the new position of a seekable image file, as write(2) does;
 * drop the call's reference.
 */
static void cr_ctx_fini(struct cr_ctx *ctx)
{
	if (ctx->ppos)
		ctx->file->f_pos = ctx->pos;
	kref_put(&ctx->ref, cr_ctx_release);
}

/* Is SIGPIPE pending for current, for the thread or the process? */
static bool cr_sigpipe_pending(void)
{
	unsigned long flags;
	bool ret;

	if (!lock_task_sighand(current, &flags))
		return false;
	ret = sigismember(&current->pending.signal, SIGPIPE) ||
	      sigismember(&current->signal->shared_pending.signal, SIGPIPE);
	unlock_task_sighand(current, &flags);
	return ret;
}

/*
 * A pipe or socket whose reader went away raises SIGPIPE as well as
 * failing the write with -EPIPE.  checkpoint(2) is not write(2): it
 * reports -EPIPE only.  SIGPIPE is blocked while it runs (a fatal signal
 * would doom the caller the moment it is sent), and the one it caused is
 * taken back here.
 */
static void cr_drop_sigpipe(void)
{
	kernel_siginfo_t info;
	enum pid_type type;
	unsigned long flags;
	sigset_t mask;

	siginitsetinv(&mask, sigmask(SIGPIPE));
	if (!lock_task_sighand(current, &flags))
		return;
	dequeue_signal(&mask, &info, &type);
	recalc_sigpending();
	unlock_task_sighand(current, &flags);
}

/**
 * sys_checkpoint - write the state of a process to a file descriptor
 * @pid: the process; 0 or the caller's pid for the caller itself
 * @fd: a file descriptor open for writing: a regular file, pipe or socket
 * @flags: CR_CHECKPOINT_* flags
 *
 * Return: a positive checkpoint id (crid) on success; -EINVAL for unknown
 * flags, a content limit above 1 << CR_CONTENT_MAX_SHIFT, or a file that
 * does not support kernel writes (e.g. /dev/null);
 * -EBADF if @fd is not open for writing; -ESRCH if no process has @pid;
 * -EPERM without ptrace-attach rights over it; -EBUSY if it is not
 * stopped; -EAGAIN if it ran or changed during the dump; -EOPNOTSUPP for
 * state cr cannot save yet (threads, ptrace, LDT, special mappings: the
 * kernel log says which); -EFBIG for a memfd or deleted file larger than
 * the content limit; -ENOMEM; or the error of writing the image
 * (-ENOSPC, -EPIPE, -EAGAIN, -EINTR, -EIO, ...).  -EPIPE comes without
 * the SIGPIPE write(2) would raise.
 *
 * Context: process context; may sleep as long as @fd blocks.
 */
SYSCALL_DEFINE3(checkpoint, pid_t, pid, int, fd, unsigned long, flags)
{
	struct cr_ctx *ctx;
	sigset_t blocked;
	bool sigpipe;
	struct fd f;
	long ret;

	if (flags & ~CR_CHECKPOINT_FLAGS ||
	    (flags & CR_CHECKPOINT_CONTENT_MASK) >> CR_CHECKPOINT_CONTENT_SHIFT >
	    CR_CONTENT_MAX_SHIFT)
		return -EINVAL;

	f = fdget_pos(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = cr_ctx_new(fd_file(f), FMODE_WRITE, flags);
	ret = PTR_ERR(ctx);
	if (IS_ERR(ctx))
		goto out_fd;

	pr_debug("checkpoint pid %d to fd %d flags %#lx\n", pid, fd, flags);
	sigpipe = cr_sigpipe_pending();
	ctx->blocked = current->blocked;
	blocked = ctx->blocked;
	sigaddset(&blocked, SIGPIPE);
	set_current_blocked(&blocked);
	ret = cr_checkpoint(ctx, pid);
	if (ret == -EPIPE && !sigpipe)
		cr_drop_sigpipe();
	set_current_blocked(&ctx->blocked);
	cr_ctx_fini(ctx);
out_fd:
	fdput_pos(f);
	return ret;
}

/**
 * sys_restart - turn the caller into a checkpointed process
 * @crid: the checkpoint id the image must carry, or 0 for any
 * @fd: a file descriptor open for reading: a regular file, pipe or socket
 * @flags: CR_RESTART_* flags
 * @args: with CR_RESTART_ARGS, more arguments: the files the restarter
 *	hands in (struct cr_restart_args); ignored otherwise
 *
 * Return: does not return to the caller on success.  Otherwise -EINVAL for
 * unknown flags, a negative @crid or a file that does not support kernel
 * reads; -EBADF if @fd is not open for reading; -ENOMEM; -EINTR; or an
 * image error: -ENODATA (the stream ends before its tail), -EBADMSG
 * (truncated or malformed record), -ENOEXEC (not a cr image for this
 * machine), -EPROTONOSUPPORT (unknown format version), -ESTALE (@crid does
 * not match), -EOPNOTSUPP (valid image with nothing this kernel restarts);
 * -EBUSY if the caller shares its address space, or a FIFO with bytes
 * to put back is not empty; -EPERM for a mapping below mmap_min_addr or a
 * sealed mapping of the caller; the error of opening a file the image maps
 * or holds open (-ENOENT, -EACCES, -ETXTBSY), -ESTALE if its path now
 * names another kind of file, -ESPIPE if its position cannot be restored,
 * -EMFILE for fds beyond RLIMIT_NOFILE.  With @args: -EFAULT, -EINVAL
 * (too many files, a bad or repeated key), -EBADF (a handed-in fd the
 * caller does not have; or an fd past 2 the image leaves to the restarter
 * and none was handed in), -ENOENT (a key no file of the image has).
 * Past the point of no return a failure kills the caller with SIGKILL.
 *
 * Context: process context; may sleep as long as @fd blocks.  Every
 * signal but SIGKILL waits until the restarted process is whole.
 */
SYSCALL_DEFINE4(restart, int, crid, int, fd, unsigned long, flags,
		const struct cr_restart_args __user *, args)
{
	struct cr_ctx *ctx;
	struct fd f;
	long ret;

	if (flags & ~CR_RESTART_FLAGS || crid < 0)
		return -EINVAL;

	f = fdget_pos(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = cr_ctx_new(fd_file(f), FMODE_READ, flags);
	ret = PTR_ERR(ctx);
	if (IS_ERR(ctx))
		goto out_fd;

	pr_debug("restart crid %d from fd %d flags %#lx\n", crid, fd, flags);
	ret = 0;
	if (flags & CR_RESTART_ARGS)
		ret = cr_get_inherit(ctx, args);
	if (!ret)
		ret = cr_restart(ctx, crid);
	cr_ctx_fini(ctx);
out_fd:
	fdput_pos(f);
	return ret;
}
