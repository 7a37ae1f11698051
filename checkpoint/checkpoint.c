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

static int cr_write_tail(struct cr_ctx *ctx)
{
	struct cr_rec_tail tail = {
		.magic = CR_TAIL_MAGIC,
		.records = ctx->records,
		.offset = ctx->offset,
	};

	return cr_write_rec(ctx, CR_REC_TAIL, &tail, sizeof(tail));
}

/*
 * Pin the target and check it may and can be checkpointed.  Another
 * process must be ptrace-attachable by the caller and stopped (group stop)
 * and off its CPU, so that its registers and memory hold still; its exec
 * is held off with exec_update_lock until cr_unlock_target(), which comes
 * before the first write to the image.  Its stack (its user registers)
 * and its mm stay pinned until cr_release_target(), whatever it does
 * meanwhile: continued, killed, reaped, exec'ed.
 */
static int cr_get_target(struct cr_ctx *ctx, pid_t pid)
{
	struct task_struct *t;
	int ret;

	if (!pid || pid == task_pid_vnr(current)) {
		t = current;
		get_task_struct(t);
	} else {
		t = find_get_task_by_vpid(pid);
		if (!t)
			return -ESRCH;
	}
	ctx->task = t;
	if (!try_get_task_stack(t))
		return -ESRCH;
	ctx->stack = true;
	if (t != current) {
		ret = down_read_killable(&t->signal->exec_update_lock);
		if (ret)
			return ret;
		ctx->locked = true;
		if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
			return -EPERM;
		if ((t->flags & PF_EXITING) || t->exit_state)
			return -ESRCH;
		if (!task_is_stopped(t))
			return cr_refuse(ctx, -EBUSY, "not stopped (SIGSTOP it first)");
		ctx->nvcsw = wait_task_inactive(t, __TASK_STOPPED);
		if (!ctx->nvcsw)
			return cr_refuse(ctx, -EBUSY, "not stopped");
	}
	if (get_nr_threads(t) != 1)
		return cr_refuse(ctx, -EOPNOTSUPP, "more than one thread");
	if (t->ptrace)
		return cr_refuse(ctx, -EOPNOTSUPP, "ptraced");
	ctx->mm = get_task_mm(t);
	if (!ctx->mm)
		return -ESRCH;
	/* another process (CLONE_VM, vfork) could change its memory meanwhile */
	if (test_bit(MMF_MULTIPROCESS, &ctx->mm->flags))
		return cr_refuse(ctx, -EOPNOTSUPP, "address space shared with another process");
	return cr_arch_check_task(ctx, t);
}

/* The target must not have run nor changed state while it was dumped. */
static int cr_check_still_frozen(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;

	if (t == current)
		return 0;
	if (!task_is_stopped(t) || wait_task_inactive(t, __TASK_STOPPED) != ctx->nvcsw)
		return cr_refuse(ctx, -EAGAIN, "it ran during the checkpoint");
	return 0;
}

/* Let the target exec again: done before any write that can block. */
static void cr_unlock_target(struct cr_ctx *ctx)
{
	if (ctx->locked)
		up_read(&ctx->task->signal->exec_update_lock);
	ctx->locked = false;
}

static void cr_release_target(struct cr_ctx *ctx)
{
	unsigned int i;

	cr_unlock_target(ctx);
	for (i = 0; i < cr_nr_sections; i++)
		cr_sections[i]->free(ctx);
	if (ctx->mm)
		mmput(ctx->mm);
	if (ctx->stack)
		put_task_stack(ctx->task);
	if (ctx->task)
		put_task_struct(ctx->task);
	kfree(ctx->pages);
	kfree(ctx->bvec);
	kvfree(ctx->collect);
}

/**
 * cr_checkpoint() - write the image of a process to @ctx->file
 * @ctx: operation context, with the file set up
 * @pid: the process: 0 or the caller's pid for the caller itself
 *
 * Writes the head and the arch record, every section in the order of
 * cr_sections[], the pages and the tail.  The target is only read:
 * whatever fails, it is left as it was.
 *
 * Every record but the pages is collected in memory first, with the
 * target held still and its exec held off, and written once the target's
 * locks are dropped: a write to the image may block for as long as its
 * reader likes (a full pipe), and whatever the target does meanwhile
 * (continues, dies, execs) no lock of it is held, nothing of it is read
 * but the pinned mm, and the dump ends with -EAGAIN or -ESRCH.
 *
 * Context: process context, may sleep; takes and releases the target's
 * exec_update_lock (see cr_get_target()), never across a write.
 * Return: the positive crid on success, or a negative errno.
 */
long cr_checkpoint(struct cr_ctx *ctx, pid_t pid)
{
	unsigned int i;
	int ret;

	ret = cr_get_target(ctx, pid);
	if (ret)
		goto out;

	/* crids are handed out as longs and compared against int in restart */
	ctx->crid = atomic64_inc_return(&cr_crid_seq) & INT_MAX;
	if (!ctx->crid)
		ctx->crid = atomic64_inc_return(&cr_crid_seq) & INT_MAX;

	ctx->collecting = true;
	ret = cr_write_head(ctx);
	for (i = 0; !ret && i < cr_nr_sections; i++)
		ret = cr_sections[i]->write(ctx);
	ctx->collecting = false;
	cr_unlock_target(ctx);
	if (!ret)
		ret = cr_write_collected(ctx);
	if (!ret)
		ret = cr_write_pages(ctx);
	if (!ret)
		ret = cr_check_still_frozen(ctx);
	if (!ret)
		ret = cr_write_tail(ctx);
out:
	cr_release_target(ctx);
	if (ret) {
		ret = cr_no_restart(ret);
		pr_debug("checkpoint failed: %d after %llu bytes\n", ret, ctx->offset);
		return ret;
	}
	pr_debug("checkpoint %llu: %llu records, %llu bytes\n",
		 ctx->crid, ctx->records, ctx->offset);
	return ctx->crid;
}
