// SPDX-License-Identifier: GPL-2.0
/*
 * cr: reading an image and restarting from it.
 *
 * The image is hostile input: every record is checked before it is used.
 * Restart is a transaction: every section of every task is read, checked
 * and staged while the caller is untouched; then comes the point of no
 * return, past which the tasks are made and restore themselves, each
 * process reads its pages into its new address space in turn, and the
 * tail is checked (checkpoint/tree.c).  Before it, an error returns a
 * negative errno and leaves the caller as it was, with no task made; past
 * it, an error kills every task of the tree.
 *
 * Every signal but SIGKILL is blocked while restart(2) runs: a signal that
 * arrives meanwhile neither interrupts the reading of the image nor acts
 * on dispositions that are not yet the restored ones.  It stays pending,
 * and is delivered by the restored handlers and mask when restart(2)
 * returns.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/mm.h>
#include <linux/posix-timers.h>
#include <linux/sched/task.h>
#include <linux/syscall_user_dispatch.h>
#include <linux/printk.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

/* The head and the arch record: is this image for this kernel and machine? */
static int cr_read_head(struct cr_ctx *ctx, int crid)
{
	struct cr_rec_head *head = &ctx->head;
	struct cr_rec_arch *machine;
	const char *why;
	int ret;

	ret = cr_read_head_rec(ctx, head);
	if (ret)
		return ret;
	head->release[sizeof(head->release) - 1] = '\0';
	pr_debug("image crid %llu from %s, arch %u, flags %#x\n",
		 head->crid, head->release, head->arch, head->flags);
	if (head->page_size != PAGE_SIZE)
		return cr_reject(ctx, -ENOEXEC, "page size %u, this kernel uses %lu",
				 head->page_size, PAGE_SIZE);
	if (head->arch != CR_ARCH_THIS)
		return cr_reject(ctx, -ENOEXEC, "arch %u, this kernel runs arch %u",
				 head->arch, CR_ARCH_THIS);
	why = cr_check_head(head);
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	if (crid && head->crid != crid)
		return cr_reject(ctx, -ESTALE, "crid %llu, restart asked for %d",
				 head->crid, crid);
	ctx->crid = head->crid;

	machine = cr_read_obj(ctx, CR_REC_ARCH, NULL);
	if (IS_ERR(machine))
		return PTR_ERR(machine);
	ctx->machine = *machine;
	kvfree(machine);
	return cr_arch_check_machine(ctx);
}

/**
 * cr_read_tail() - read the tail and check it against the stream
 * @ctx: restart context, the page stream read
 *
 * Its record count, offset and checksum must be the stream's: a page
 * changed in the image is found here, past the point of no return.
 *
 * Return: 0, or -EBADMSG (logged) for a tail that does not match.
 */
int cr_read_tail(struct cr_ctx *ctx)
{
	u64 records = ctx->records;
	struct cr_rec_tail *tail;
	const char *why;

	tail = cr_read_obj(ctx, CR_REC_TAIL, NULL);
	if (IS_ERR(tail))
		return PTR_ERR(tail);
	why = cr_check_tail(tail, records, ctx->rec_offset, ctx->rec_sum);
	if (why)
		cr_reject(ctx, -EBADMSG, "%s: %llu records at %llu, the stream had %llu at %llu",
			  why, tail->records, tail->offset, records, ctx->rec_offset);
	kvfree(tail);
	return why ? -EBADMSG : 0;
}

/*
 * The caller's POSIX timers and their queued signals, before the image's
 * are created (the timers section): the CPU timers queued on the thread,
 * then every timer.  lock_task_sighand() cannot fail for current.
 */
static void cr_forget_timers(void)
{
#ifdef CONFIG_POSIX_TIMERS
	unsigned long flags;

	if (lock_task_sighand(current, &flags)) {
		posix_cpu_timers_exit(current);
		unlock_task_sighand(current, &flags);
	}
	exit_itimers(current);
	flush_itimer_signals();
#endif
}

/**
 * cr_forget_caller() - drop what exec drops of the old program
 * @process: current is a leader about to restore its process, not a thread
 *
 * begin_new_exec() is the model, before anything of the image is installed:
 * requests of io_uring, robust futexes (read in the old address space),
 * POSIX timers and their signals (a process's), syscall user dispatch,
 * LAM and CPUID faulting.
 */
void cr_forget_caller(bool process)
{
	io_uring_task_cancel();
	futex_exec_release(current);
	if (process)
		cr_forget_timers();
	clear_syscall_work_syscall_user_dispatch(current);
	arch_setup_new_exec();
}

/* Read and stage the sections of @scope for @t, in table order. */
static int cr_read_scope(struct cr_ctx *ctx, struct cr_task *t, u32 scope)
{
	unsigned int i;
	int ret = 0;

	ctx->cur = t;
	for (i = 0; !ret && i < cr_nr_sections; i++)
		if (cr_sections[i]->scope == scope)
			ret = cr_sections[i]->read(ctx, t);
	return ret;
}

/*
 * The sum record after the sections: whatever the checks of the records let
 * through, a changed byte up to here leaves the caller untouched.
 */
static int cr_read_sum(struct cr_ctx *ctx)
{
	struct cr_rec_sum *sum;
	const char *why;

	sum = cr_read_obj(ctx, CR_REC_SUM, NULL);
	if (IS_ERR(sum))
		return PTR_ERR(sum);
	why = cr_check_sum(sum, ctx->rec_offset, ctx->rec_sum);
	if (why)
		cr_reject(ctx, -EBADMSG, "%s: %#llx at %llu, the stream's is %#llx at %llu", why,
			  sum->sum, sum->offset, ctx->rec_sum, ctx->rec_offset);
	kvfree(sum);
	return why ? -EBADMSG : 0;
}

/* Every section of every process and task, staged while the caller is untouched. */
static int cr_read_sections(struct cr_ctx *ctx)
{
	unsigned int i, j;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_procs; i++) {
		struct cr_proc *p = &ctx->procs[i];

		ret = cr_read_scope(ctx, p->leader, CR_SCOPE_PROC);
		for (j = 0; !ret && j < p->nr_threads; j++)
			ret = cr_read_scope(ctx, &ctx->tasks[p->leader->idx + j], CR_SCOPE_TASK);
	}
	ctx->cur = NULL;
	return ret;
}

/**
 * cr_restart() - restart the caller, and the tree, from the image in @ctx->file
 * @ctx: operation context, with the file set up
 * @crid: the crid the image must carry, or 0 for any
 *
 * Reads the head, the arch and the tree record, then reads, checks and
 * stages every section of every task (opening every file) and checks the
 * checksum of all that (the sum record) while the caller is untouched;
 * any error there returns with the caller intact and no task made.  Then
 * comes the point of no return (see cr_restart_tree()).
 *
 * Context: process context, may sleep; the caller must not share its
 * address space unless it makes the root as its child
 * (CR_RESTART_CHILD).  Blocks every signal but SIGKILL while it runs.
 * Return: on success the value the restored code finds in ax (restart()
 * returns it into the restored registers), or with CR_RESTART_CHILD the
 * root's pid; otherwise a negative errno (see sys_restart()), the caller
 * unchanged, or killed past the point of no return unless it made the
 * root.
 */
long cr_restart(struct cr_ctx *ctx, int crid)
{
	bool child = ctx->flags & CR_RESTART_CHILD;
	sigset_t all;
	long ret;

	/* a caller that shares its address space cannot become anyone */
	ret = child ? 0 : cr_check_caller_mm() ?: cr_arch_check_caller();
	if (ret)
		return ret;

	ctx->blocked = current->blocked;
	siginitsetinv(&all, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&all);

	ret = cr_read_head(ctx, crid);
	if (!ret)
		ret = cr_next_type(ctx);
	if (ret == CR_REC_TAIL) {
		/* A valid image, but with no task in it there is nothing to become. */
		ret = cr_read_tail(ctx);
		if (!ret)
			ret = cr_reject(ctx, -EOPNOTSUPP, "the image holds no task to restart");
	} else if (ret > 0) {
		ret = cr_read_tree(ctx);
	}
	if (!ret)
		ret = cr_read_sections(ctx);
	if (!ret)
		ret = cr_read_sum(ctx);
	if (!ret)
		ret = cr_stage_mapped(ctx);
	if (!ret)
		ret = cr_check_made(ctx);
	if (!ret) {
		ctx->buf = kvmalloc(CR_PAGES_MAX * PAGE_SIZE, GFP_KERNEL);
		if (!ctx->buf)
			ret = -ENOMEM;
	}
	if (ret) {
		set_current_blocked(&ctx->blocked);
		goto out;
	}

	/*
	 * The point of no return.  From here on the tasks are made and each
	 * replaces its state with the image's, its address space torn down
	 * and rebuilt as the stream goes by: a failure (a truncated or
	 * corrupt page record, a mapping that cannot be made) leaves nothing
	 * to return to, and every task of the tree is killed.
	 */
	pr_debug("restart %llu: past the point of no return\n", ctx->crid);
	ret = cr_restart_tree(ctx);
	if (ret < 0 && child)
		set_current_blocked(&ctx->blocked);
	if (!ret && !child) {
		/* may be an -ERESTART* code: the signal code deals with it */
		pr_debug("restart %llu done: %llu records\n", ctx->crid, ctx->records);
		return ctx->tasks[0].retval;
	}
out:
	if (ret < 0) {
		/* the SysV segments and message queues it made go: no process has them now */
		cr_unmake_shm(ctx);
		cr_unmake_mqueues(ctx);
		/* and the semaphores it took are given back, the sets it made removed */
		cr_unmake_sems(ctx);
		/* an open interrupted must not have restart(2) run again */
		ret = cr_no_restart(ret);
		pr_debug("restart failed: %ld at offset %llu\n", ret, ctx->offset);
		return ret;
	}
	pr_debug("restart %llu done: %llu records\n", ctx->crid, ctx->records);
	return ret;
}
