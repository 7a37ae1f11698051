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

/* How long a task has to reach the freezer trap: a D-state sleep does not. */
#define CR_FREEZE_TIMEOUT	(2 * HZ)

/*
 * Freeze or thaw @t the way the cgroup v2 freezer does: a job-control trap
 * (JOBCTL_TRAP_FREEZE) in which it sleeps in get_signal(), unseen by
 * wait(2) and deaf to SIGCONT; a blocking system call it is in is
 * interrupted, and restarted by the signal code once it is thawed.  A
 * cgroup freezing meanwhile keeps it frozen (see cgroup_leave_frozen()).
 */
static void cr_freeze_task(struct task_struct *t, bool freeze)
{
	unsigned long flags;

	if (!lock_task_sighand(t, &flags))
		return;
	if (freeze) {
		t->jobctl |= JOBCTL_TRAP_FREEZE;
		signal_wake_up(t, false);
	} else {
		t->jobctl &= ~JOBCTL_TRAP_FREEZE;
		wake_up_process(t);
	}
	unlock_task_sighand(t, &flags);
}

static bool cr_task_frozen(struct task_struct *t)
{
#ifdef CONFIG_CGROUPS
	/* a bit-field, written by the task itself in cgroup_enter_frozen() */
	return t->frozen && (READ_ONCE(t->jobctl) & JOBCTL_TRAP_FREEZE) &&
	       !(t->flags & PF_EXITING);
#else
	return false;
#endif
}

/*
 * CR_CHECKPOINT_FREEZE: freeze @t and wait until it sleeps in the trap,
 * off its CPU.  -EBUSY if it does not within CR_FREEZE_TIMEOUT (an
 * uninterruptible sleep: a vfork parent, a stuck filesystem), -ESRCH if
 * it exits, -EINTR if the caller is killed; it is thawed again then.
 */
static int cr_freeze_target(struct cr_ctx *ctx, struct task_struct *t)
{
	unsigned long deadline = jiffies + CR_FREEZE_TIMEOUT;

	if (!IS_ENABLED(CONFIG_CGROUPS))
		return cr_refuse(ctx, -EOPNOTSUPP, "freezing needs CONFIG_CGROUPS");
	cr_freeze_task(t, true);
	ctx->frozen = true;
	for (;;) {
		if (cr_task_frozen(t)) {
			ctx->nvcsw = wait_task_inactive(t, TASK_INTERRUPTIBLE);
			if (ctx->nvcsw)
				return 0;
		}
		if ((t->flags & PF_EXITING) || t->exit_state)
			return -ESRCH;
		if (fatal_signal_pending(current))
			return -EINTR;
		if (time_after(jiffies, deadline))
			return cr_refuse(ctx, -EBUSY, "not frozen within %u ms",
					 jiffies_to_msecs(CR_FREEZE_TIMEOUT));
		schedule_timeout_uninterruptible(1);
	}
}

/*
 * Pin the target and check it may and can be checkpointed.  Another
 * process must be ptrace-attachable by the caller and stopped (group stop)
 * or frozen by the checkpoint itself (CR_CHECKPOINT_FREEZE), and off its
 * CPU, so that its registers and memory hold still; its exec is held off
 * with exec_update_lock until cr_unlock_target(), which comes before the
 * first write to the image.  Its stack (its user registers) and its mm
 * stay pinned until cr_release_target(), whatever it does meanwhile:
 * continued, killed, reaped, exec'ed.
 */
static int cr_get_target(struct cr_ctx *ctx, pid_t pid)
{
	struct task_struct *t;
	int ret;

	if (!pid || pid == task_pid_vnr(current)) {
		/* frozen already; killing itself it would not return the crid */
		if (ctx->flags & CR_CHECKPOINT_KILL)
			return -EINVAL;
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
		/* no freezing a process the caller may not checkpoint */
		if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
			return -EPERM;
		if ((ctx->flags & CR_CHECKPOINT_FREEZE) && !task_is_stopped(t)) {
			ret = cr_freeze_target(ctx, t);
			if (ret)
				return ret;
		}
		ret = down_read_killable(&t->signal->exec_update_lock);
		if (ret)
			return ret;
		ctx->locked = true;
		/* again, with exec held off: it may have run a set-user-ID program */
		if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
			return -EPERM;
		if ((t->flags & PF_EXITING) || t->exit_state)
			return -ESRCH;
		if (ctx->frozen) {
			if (!cr_task_frozen(t))
				return cr_refuse(ctx, -EAGAIN, "thawed before its dump began");
		} else if (!task_is_stopped(t)) {
			return cr_refuse(ctx, -EBUSY,
					 "not stopped (SIGSTOP it first, or CR_CHECKPOINT_FREEZE)");
		} else {
			ctx->nvcsw = wait_task_inactive(t, __TASK_STOPPED);
			if (!ctx->nvcsw)
				return cr_refuse(ctx, -EBUSY, "not stopped");
		}
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

/*
 * The target must not have run nor changed state while it was dumped.  A
 * task frozen by the checkpoint may have been woken in its trap (a signal
 * queued) without running user code: it is still in it.
 */
static int cr_check_still_frozen(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;

	if (t == current)
		return 0;
	if (ctx->frozen) {
		if (!cr_task_frozen(t) || t->exit_state)
			return cr_refuse(ctx, -EAGAIN,
					 "it left the freezer trap during the checkpoint");
		return 0;
	}
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

/*
 * Done with the target: after a successful dump with CR_CHECKPOINT_KILL it
 * is killed where it stands, frozen or stopped, never to run again; a task
 * the checkpoint froze is thawed otherwise.
 */
static void cr_release_target(struct cr_ctx *ctx, bool dumped)
{
	unsigned int i;

	cr_unlock_target(ctx);
	if (ctx->task && ctx->task != current) {
		if (dumped && (ctx->flags & CR_CHECKPOINT_KILL))
			send_sig_info(SIGKILL, SEND_SIG_PRIV, ctx->task);
		else if (ctx->frozen)
			cr_freeze_task(ctx->task, false);
	}
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
	cr_release_target(ctx, !ret);
	if (ret) {
		ret = cr_no_restart(ret);
		pr_debug("checkpoint failed: %d after %llu bytes\n", ret, ctx->offset);
		return ret;
	}
	pr_debug("checkpoint %llu: %llu records, %llu bytes\n",
		 ctx->crid, ctx->records, ctx->offset);
	return ctx->crid;
}
