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

/* Personality flags a restarted task may carry: no MMAP_PAGE_ZERO. */
#define CR_PERSONALITY_OK	(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC | \
				 ADDR_COMPAT_LAYOUT | UNAME26)

/* The original struct rseq, the smallest area rseq(2) registers. */
#define CR_RSEQ_MIN_LEN		32

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

/**
 * cr_task_restart_block() - is @t stopped in a call cr resumes symbolically?
 * @t: a stopped task (or current)
 *
 * A task stopped inside a relative nanosleep() or clock_nanosleep() has
 * -ERESTART_RESTARTBLOCK in its registers and a restart block that goes on
 * sleeping until a point in time: the task record saves the time left.
 * Other restart blocks (poll, futex or CPU-clock sleeps with a timeout)
 * hold kernel state cr does not save; the arch code has those calls
 * re-executed whole instead.
 *
 * Return: true if the task record of @t carries its restart block.
 */
bool cr_task_restart_block(struct task_struct *t)
{
	const struct restart_block *rb = &t->restart_block;
	struct pt_regs *regs = task_pt_regs(t);
	ktime_t now;

	return syscall_get_nr(t, regs) >= 0 &&
	       syscall_get_error(t, regs) == -ERESTART_RESTARTBLOCK &&
	       hrtimer_nanosleep_interrupted(rb) && rb->nanosleep.type != TT_COMPAT &&
	       cr_clock_now(rb->nanosleep.clockid, &now);
}

/**
 * cr_restart_block_staged() - does the staged task record resume a call?
 * @ctx: restart context, after cr_read_task()
 *
 * Return: true if the task record carries a restart block, so that a cpu
 * record may say -ERESTART_RESTARTBLOCK.
 */
bool cr_restart_block_staged(struct cr_ctx *ctx)
{
	return ctx->ts && ctx->ts->rec.restart_fn != CR_RESTART_FN_NONE;
}

/**
 * cr_write_task() - write the task record of @ctx->task
 * @ctx: checkpoint context
 *
 * Return: 0 or the error of writing.
 */
int cr_write_task(struct cr_ctx *ctx)
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
	return cr_write_rec(ctx, CR_REC_TASK, &rec, sizeof(rec));
}

/**
 * cr_read_task() - read and check the task record
 * @ctx: restart context
 * @hdr: its header, already read
 *
 * Return: 0; -EBADMSG for a personality or a user pointer restart would
 * not set (kernel addresses, a misaligned rseq area, a wrong robust list
 * size); -ENOMEM; or the error of reading.
 */
int cr_read_task(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	struct cr_rec_task *rec;
	int ret;

	ctx->ts = kzalloc(sizeof(*ctx->ts), GFP_KERNEL);
	if (!ctx->ts)
		return -ENOMEM;
	rec = &ctx->ts->rec;
	ret = cr_read_payload(ctx, hdr, rec, sizeof(*rec));
	if (ret)
		return ret;
	rec->comm[sizeof(rec->comm) - 1] = '\0';
	ret = -EBADMSG;
	if (rec->__reserved || (rec->personality & ~CR_PERSONALITY_OK) != PER_LINUX) {
		pr_info_ratelimited("task record: personality %#x refused\n", rec->personality);
		return ret;
	}
	if (rec->clear_child_tid >= TASK_SIZE || rec->robust_list >= TASK_SIZE ||
	    rec->rseq >= TASK_SIZE)
		goto bad;
#ifdef CONFIG_FUTEX
	if (rec->robust_list && rec->robust_list_len != sizeof(struct robust_list_head))
		goto bad;
#endif
	if (rec->restart_fn == CR_RESTART_FN_NONE) {
		if (rec->restart_clockid || rec->restart_ns || rec->restart_rmtp)
			goto bad_restart;
	} else {
		ktime_t now;

		/* restart adds restart_ns to the clock's time: keep it sane */
		if (rec->restart_fn != CR_RESTART_FN_NANOSLEEP ||
		    !cr_clock_now(rec->restart_clockid, &now) ||
		    rec->restart_ns > KTIME_MAX / 2 || rec->restart_rmtp >= TASK_SIZE)
			goto bad_restart;
	}
	if (rec->rseq && (!IS_ENABLED(CONFIG_RSEQ) ||
			  !IS_ALIGNED(rec->rseq, __alignof__(struct rseq)) ||
			  rec->rseq_len < CR_RSEQ_MIN_LEN || rec->rseq_len > PAGE_SIZE))
		goto bad;
	return 0;
bad:
	pr_info_ratelimited("task record: bad user pointer\n");
	return ret;
bad_restart:
	pr_info_ratelimited("task record: bad restart block\n");
	return ret;
}

/**
 * cr_restore_task() - make the staged task record current's
 * @ctx: restart context, past the point of no return
 */
void cr_restore_task(struct cr_ctx *ctx)
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
}

/**
 * cr_free_task() - free the staged task record
 * @ctx: restart context
 */
void cr_free_task(struct cr_ctx *ctx)
{
	kfree(ctx->ts);
	ctx->ts = NULL;
}
