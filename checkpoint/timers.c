// SPDX-License-Identifier: GPL-2.0
/*
 * cr: POSIX timers (timer_create(2)) - the timer records.
 *
 * One record per timer, in increasing id order: its id, clock, sigevent,
 * remaining time and interval, overrun counts, and whether its signal is
 * pending.  A pending timer signal is the timer's own preallocated
 * sigqueue: the signals section leaves it out, and restart queues it again
 * as the timer's (posix_timer_restore()), so that its delivery re-arms an
 * interval timer and reports its overruns as it would have.
 *
 * Timers on the task's own clocks only: the four hrtimer clocks, and the
 * CPU clocks of the process and of the thread.  An alarm timer, a timer on
 * another process's CPU clock or on a dynamic clock, or one that signals
 * another thread, is refused at checkpoint.
 *
 * The timers are created past the point of no return, after the
 * restarter's own are deleted (cr_forget_caller()), and armed relative to
 * that moment for the time they had left.  Before it, every record is
 * checked as timer_create(2) and timer_settime(2) would check it, and their
 * number against RLIMIT_SIGPENDING, which each timer's sigqueue counts
 * against.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/posix-timers.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/time64.h>

/* What restart staged: the timer records, in id order. */
struct cr_timers_state {
	struct cr_rec_timer *timers;
	u32 nr;
	u32 cap;
};

#ifdef CONFIG_POSIX_TIMERS

static int cr_timer_cmp(const void *a, const void *b)
{
	const struct posix_timer_state *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static u32 cr_clamp_int(s64 v)
{
	return clamp_t(s64, v, 0, INT_MAX);
}

/*
 * The record of one timer of @task, or -EOPNOTSUPP for a timer cr cannot
 * bring back.
 */
static int cr_timer_rec(struct cr_ctx *ctx, struct task_struct *t,
			const struct posix_timer_state *st, struct cr_rec_timer *r)
{
	bool stopped = t != current;
	int sig = st->signo;

	memset(r, 0, sizeof(*r));
	r->id = st->id;
	switch (st->clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		r->clock = st->clock;
		break;
	default:
		/* a CPU clock: CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_WHICH, the pid above */
		if (st->clock >= 0 || (st->clock & CLOCKFD_MASK) == CLOCKFD)
			return cr_refuse(ctx, -EOPNOTSUPP, "POSIX timer %d on clock %d",
					 st->id, st->clock);
		if (st->clock_pid != (CPUCLOCK_PERTHREAD(st->clock) ? task_pid_vnr(t) :
				      task_tgid_vnr(t)))
			return cr_refuse(ctx, -EOPNOTSUPP,
					 "POSIX timer %d on the CPU clock of another task",
					 st->id);
		r->clock = CR_TIMER_CLOCK_CPU | (st->clock & CLOCKFD_MASK);
	}
	r->notify = st->notify;
	if (st->notify == (SIGEV_SIGNAL | SIGEV_THREAD_ID) && st->target != task_pid_vnr(t))
		return cr_refuse(ctx, -EOPNOTSUPP, "POSIX timer %d signals another thread",
				 st->id);
	r->signo = st->signo;
	r->value = (unsigned long)st->value.sival_ptr;
	r->value_ns = timespec64_to_ns(&st->spec.it_value);
	r->interval_ns = timespec64_to_ns(&st->spec.it_interval);
	r->overrun = cr_clamp_int(st->overrun_last);
	r->expired = cr_clamp_int(st->overrun + 1);
	/*
	 * The signal, as the signals record keeps pending signals: never
	 * SIGKILL or SIGSTOP, nor for a stopped task the stop signals, which
	 * the SIGCONT that continues it would discard.  An interval timer
	 * waiting for such a signal runs on instead, as after its delivery.
	 */
	if (st->queued && sig != SIGKILL && sig != SIGSTOP && !(stopped && sig_kernel_stop(sig))) {
		r->flags |= CR_TIMER_PENDING;
		r->sig_overrun = cr_clamp_int(st->sig_overrun);
		if (st->requeue)
			r->flags |= CR_TIMER_REARM;
	}
	return 0;
}

/* The timer records of @t's process, in id order. */
static int cr_write_timers(struct cr_ctx *ctx, struct cr_task *t)
{
	struct posix_timer_state *st = NULL;
	struct cr_rec_timer r, prev;
	int nr, room = 0, i, ret = 0;
	const char *why;

	for (;;) {
		nr = posix_timers_save(t->task, st, room);
		if (nr <= room)
			break;
		kvfree(st);
		room = nr;
		st = kvmalloc_array(room, sizeof(*st), GFP_KERNEL_ACCOUNT);
		if (!st)
			return -ENOMEM;
	}
	if (nr < 0) {
		ret = nr;	/* -ESRCH: exiting */
		goto out;
	}
	sort(st, nr, sizeof(*st), cr_timer_cmp, NULL);
	for (i = 0; i < nr; i++) {
		ret = cr_timer_rec(ctx, t->task, &st[i], &r);
		if (ret)
			break;
		why = cr_check_timer(&r, i ? &prev : NULL);
		if (why) {
			ret = cr_refuse(ctx, -EOPNOTSUPP, "POSIX timer %u restart would refuse: %s",
					r.id, why);
			break;
		}
		ret = cr_write_rec(ctx, CR_REC_TIMER, &r, sizeof(r));
		if (ret)
			break;
		prev = r;
	}
out:
	kvfree(st);
	return ret;
}

/* The timer as posix_timer_restore() takes it. */
static void cr_timer_state(const struct cr_rec_timer *r, struct posix_timer_state *st)
{
	memset(st, 0, sizeof(*st));
	st->id = r->id;
	if (r->clock & CR_TIMER_CLOCK_CPU)
		st->clock = make_process_cpuclock(0, r->clock & ~CR_TIMER_CLOCK_CPU);
	else
		st->clock = r->clock;
	st->notify = r->notify;
	st->signo = r->signo;
	st->value.sival_ptr = (void __user *)(unsigned long)r->value;
	st->spec.it_value = ns_to_timespec64(r->value_ns);
	st->spec.it_interval = ns_to_timespec64(r->interval_ns);
	st->overrun = (s64)r->expired - 1;
	st->overrun_last = r->overrun;
	st->sig_overrun = r->sig_overrun;
	st->queued = r->flags & CR_TIMER_PENDING;
	st->requeue = r->flags & CR_TIMER_REARM;
}

#else /* !CONFIG_POSIX_TIMERS: no timer to save, none to restore */

static int cr_write_timers(struct cr_ctx *ctx, struct cr_task *t)
{
	return 0;
}

#endif

/* Make room for one more timer record. */
static int cr_timers_grow(struct cr_timers_state *ts)
{
	u32 cap = ts->cap ? 2 * ts->cap : 16;
	void *p;

	if (ts->nr < ts->cap)
		return 0;
	p = kvrealloc(ts->timers, array_size(cap, sizeof(*ts->timers)), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	ts->timers = p;
	ts->cap = cap;
	return 0;
}

/*
 * Read and check the timer records: ids in increasing order, known clocks
 * and notifications, signals timer_create(2) accepts, times within
 * KTIME_MAX; no more timers than RLIMIT_SIGPENDING lets the caller create.
 */
static int cr_read_timers(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_timers_state *ts;
	struct cr_rec_timer *r;
	const char *why;
	int type, ret;

	ts = kzalloc(sizeof(*ts), GFP_KERNEL);
	if (!ts)
		return -ENOMEM;
	t->proc->tms = ts;
	while ((type = cr_next_type(ctx)) == CR_REC_TIMER) {
		r = cr_read_obj(ctx, CR_REC_TIMER, NULL);
		if (IS_ERR(r))
			return PTR_ERR(r);
		why = cr_check_timer(r, ts->nr ? &ts->timers[ts->nr - 1] : NULL);
		if (why)
			ret = cr_reject(ctx, -EBADMSG, "%s", why);
		else if (!IS_ENABLED(CONFIG_POSIX_TIMERS))
			ret = cr_reject(ctx, -EOPNOTSUPP, "POSIX timers not configured");
		else if (ts->nr >= task_rlimit(current, RLIMIT_SIGPENDING))
			ret = cr_reject(ctx, -EAGAIN, "more than RLIMIT_SIGPENDING (%lu) timers",
					task_rlimit(current, RLIMIT_SIGPENDING));
		else
			ret = cr_timers_grow(ts);
		if (!ret)
			ts->timers[ts->nr++] = *r;
		kvfree(r);
		if (ret)
			return ret;
	}
	/* the end of the stream is the next section's to report */
	return type < 0 && type != -ENODATA ? type : 0;
}

/*
 * Create the staged timers, the restarter's own being gone, and queue
 * their pending signals.  Before the signals section: a pending signal the
 * image ignores (blocked, with SIG_IGN or a default action of ignore) is
 * then discarded when that disposition is installed, as sigaction(2)
 * discards it, and an interval timer waiting for it stays stopped, as it
 * would after that sigaction(2) in the original process.
 */
static int cr_restore_timers(struct cr_ctx *ctx, struct cr_task *t)
{
#ifdef CONFIG_POSIX_TIMERS
	struct cr_timers_state *ts = t->proc->tms;
	struct posix_timer_state st;
	u32 i;
	int ret;

	for (i = 0; i < ts->nr; i++) {
		cr_timer_state(&ts->timers[i], &st);
		ret = posix_timer_restore(&st);
		if (ret) {
			pr_info_ratelimited("restart %llu: POSIX timer %d: %d\n", ctx->crid,
					    st.id, ret);
			return ret;
		}
	}
#endif
	return 0;
}

static void cr_free_timers(struct cr_ctx *ctx, struct cr_task *t)
{
	if (!t || !t->proc->tms)
		return;
	kvfree(t->proc->tms->timers);
	kfree(t->proc->tms);
	t->proc->tms = NULL;
}

/* POSIX timers, with their pending signals. */
const struct cr_section cr_timers_section = {
	.name		= "timers",
	.scope		= CR_SCOPE_PROC,
	.write		= cr_write_timers,
	.read		= cr_read_timers,
	.restore	= cr_restore_timers,
	.free		= cr_free_timers,
};
