// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the task record - comm, personality, the user pointers the kernel
 * keeps for a task (clear_child_tid, robust futex list, rseq) and the
 * restart block of an interrupted nanosleep, by what it does.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/futex.h>
#include <linux/hrtimer.h>
#include <linux/personality.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/rseq.h>
#include <asm/syscall.h>

struct cr_task_state {
	struct cr_rec_task rec;
};

/* The time now on a clock a nanosleep's restart block may use. */
static bool cr_clock_now(clockid_t clockid, ktime_t *now)
{
	switch (clockid) {
	case CLOCK_MONOTONIC:
		*now = ktime_get();
		return true;
	case CLOCK_REALTIME:
		*now = ktime_get_real();
		return true;
	case CLOCK_BOOTTIME:
		*now = ktime_get_boottime();
		return true;
	case CLOCK_TAI:
		*now = ktime_get_clocktai();
		return true;
	}
	return false;
}

/*
 * Is @t stopped in a call cr resumes symbolically?  A task stopped inside
 * a relative nanosleep() or clock_nanosleep() has -ERESTART_RESTARTBLOCK
 * in its registers and a restart block that goes on sleeping until a point
 * in time: the task record saves the time left.  Other restart blocks
 * (poll, futex or CPU-clock sleeps with a timeout) hold kernel state cr
 * does not save; the arch code has those calls re-executed whole instead
 * (it learns which from ctx->restart_block).
 */
static bool cr_task_restart_block(struct task_struct *t)
{
	const struct restart_block *rb = &t->restart_block;
	struct pt_regs *regs = task_pt_regs(t);
	ktime_t now;

	return syscall_get_nr(t, regs) >= 0 &&
	       syscall_get_error(t, regs) == -ERESTART_RESTARTBLOCK &&
	       hrtimer_nanosleep_interrupted(rb) && rb->nanosleep.type != TT_COMPAT &&
	       cr_clock_now(rb->nanosleep.clockid, &now);
}

/* The task record of @ctx->task; sets ctx->restart_block for the arch. */
static int cr_write_task(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;
	struct cr_rec_task rec = {};

	BUILD_BUG_ON(sizeof(rec.comm) != TASK_COMM_LEN);
	get_task_comm(rec.comm, t);
	rec.personality = t->personality;
	rec.clear_child_tid = (unsigned long)t->clear_child_tid;
#ifdef CONFIG_FUTEX
	rec.robust_list = (unsigned long)t->robust_list;
	if (t->robust_list)
		rec.robust_list_len = sizeof(*t->robust_list);
#endif
#ifdef CONFIG_RSEQ
	rec.rseq = (unsigned long)t->rseq;
	rec.rseq_len = t->rseq_len;
	rec.rseq_sig = t->rseq_sig;
#endif
	if (t != current && cr_task_restart_block(t)) {
		const struct restart_block *rb = &t->restart_block;
		ktime_t now;

		cr_clock_now(rb->nanosleep.clockid, &now);
		rec.restart_fn = CR_RESTART_FN_NANOSLEEP;
		rec.restart_clockid = rb->nanosleep.clockid;
		rec.restart_ns = max_t(s64, rb->nanosleep.expires - now, 0);
		if (rb->nanosleep.type == TT_NATIVE)
			rec.restart_rmtp = (unsigned long)rb->nanosleep.rmtp;
		pr_debug("pid %d: in a nanosleep, %llu ns left\n", task_pid_vnr(t),
			 rec.restart_ns);
	}
	ctx->restart_block = rec.restart_fn != CR_RESTART_FN_NONE;
	return cr_write_rec(ctx, CR_REC_TASK, &rec, sizeof(rec));
}

/*
 * Read and check the task record: a personality or a user pointer restart
 * would not set (kernel addresses, a misaligned rseq area, a wrong robust
 * list size, a restart block that does not add up) is refused.
 */
static int cr_read_task(struct cr_ctx *ctx)
{
	struct cr_rec_task *rec;
	const char *why;

	BUILD_BUG_ON(offsetof(struct cr_task_state, rec));
	rec = cr_read_obj(ctx, CR_REC_TASK, NULL);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	ctx->ts = (struct cr_task_state *)rec;
	rec->comm[sizeof(rec->comm) - 1] = '\0';
	why = cr_check_task(rec, &ctx->limits);
	if (!why && rec->rseq && !IS_ENABLED(CONFIG_RSEQ))
		why = "rseq without CONFIG_RSEQ";
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	ctx->restart_block = rec->restart_fn != CR_RESTART_FN_NONE;
	return 0;
}

/* Make the staged task record current's. */
static int cr_restore_task(struct cr_ctx *ctx)
{
	const struct cr_rec_task *rec = &ctx->ts->rec;
	struct task_struct *t = current;

	set_task_comm(t, rec->comm);
	t->personality = rec->personality;
	t->clear_child_tid = (int __user *)(unsigned long)rec->clear_child_tid;
#ifdef CONFIG_FUTEX
	t->robust_list = (struct robust_list_head __user *)(unsigned long)rec->robust_list;
#endif
#ifdef CONFIG_RSEQ
	t->rseq = (struct rseq __user *)(unsigned long)rec->rseq;
	t->rseq_len = rec->rseq_len;
	t->rseq_sig = rec->rseq_sig;
	/* the cpu id fields are written on the way back to user space */
	if (t->rseq)
		rseq_set_notify_resume(t);
#endif
	if (rec->restart_fn == CR_RESTART_FN_NANOSLEEP) {
		ktime_t now;

		cr_clock_now(rec->restart_clockid, &now);
		hrtimer_nanosleep_resume(rec->restart_clockid, ktime_add_ns(now, rec->restart_ns),
					 (void __user *)(unsigned long)rec->restart_rmtp);
	} else {
		t->restart_block.fn = do_no_restart_syscall;
	}
	return 0;
}

static void cr_free_task(struct cr_ctx *ctx)
{
	kvfree(ctx->ts);
	ctx->ts = NULL;
}

/* Comm, personality, the user pointers of the task, its restart block. */
const struct cr_section cr_task_section = {
	.name		= "task",
	.write		= cr_write_task,
	.read		= cr_read_task,
	.restore	= cr_restore_task,
	.free		= cr_free_task,
};
