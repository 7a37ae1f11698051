// SPDX-License-Identifier: GPL-2.0
/*
 * cr: signal state and resource limits - the signals record.
 *
 * Dispositions of all signals, the blocked mask, the alternate stack, the
 * pending signals (thread and process, with their siginfo), the interval
 * timers and the resource limits.  Restart checks every handler address and flag, never
 * raises a hard limit above what the caller could set, and queues the
 * pending signals again once the handlers and mask are in place.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/capability.h>
#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/posix-timers.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/signal.h>
#include <linux/signal_types.h>
#include <linux/slab.h>
#include <linux/time.h>

/* The signals record as read: its fixed part, then the pending signals. */
struct cr_signals_state {
	struct cr_rec_signals rec;
	struct cr_siginfo pending[];
};

static bool cr_pending_saved(int sig, bool stopped)
{
	return sig != SIGKILL && sig != SIGSTOP && !(stopped && sig_kernel_stop(sig));
}

/*
 * Copy one pending list; returns how many entries it holds (all counted).
 * SIGKILL and SIGSTOP are never saved: a restarted process is neither
 * dying nor stopping.  Nor, for a stopped task, are the other stop signals:
 * restart continues it, and SIGCONT flushes them.  A signal pending in
 * the mask with no queue entry (its sigqueue could not be allocated) is
 * saved with the siginfo the kernel would give it when dequeued (see
 * collect_signal()).  The signal of a POSIX timer is not saved here but in
 * the timer's record (checkpoint/timers.c).
 */
static u32 cr_copy_pending(struct sigpending *list, bool shared, bool stopped,
			   struct cr_siginfo *out, u32 room)
{
	sigset_t unqueued = list->signal;
	struct sigqueue *q;
	kernel_siginfo_t info;
	u32 n = 0;
	int sig;

	list_for_each_entry(q, &list->list, list) {
		sig = q->info.si_signo;
		if (sig > 0 && sig <= _NSIG)
			sigdelset(&unqueued, sig);
		/* a POSIX timer's own sigqueue: its timer record has it */
		if (q->flags & SIGQUEUE_PREALLOC && q->info.si_code == SI_TIMER)
			continue;
		if (!cr_pending_saved(sig, stopped))
			continue;
		if (n < room) {
			out[n].sig = sig;
			out[n].shared = shared;
			memcpy(out[n].info, &q->info, sizeof(out[n].info));
		}
		n++;
	}
	for (sig = 1; sig <= _NSIG; sig++) {
		if (!sigismember(&unqueued, sig) || !cr_pending_saved(sig, stopped))
			continue;
		if (n < room) {
			clear_siginfo(&info);
			info.si_signo = sig;
			info.si_code = SI_USER;
			out[n].sig = sig;
			out[n].shared = shared;
			memcpy(out[n].info, &info, sizeof(out[n].info));
		}
		n++;
	}
	return n;
}

/*
 * The signals record of @ctx->task: -EOPNOTSUPP for more than
 * CR_MAX_PENDING pending signals; -ESRCH if the task is exiting.
 */
static int cr_write_signals(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;
	struct sighand_struct *sighand;
	struct cr_rec_signals *r;
	struct cr_siginfo *pend;
	unsigned long flags;
	const char *why;
	u32 room = 64, n;
	int i, ret;

again:
	r = kzalloc(sizeof(*r) + room * sizeof(*pend), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	pend = (struct cr_siginfo *)(r + 1);

	sighand = lock_task_sighand(t, &flags);
	if (!sighand) {
		kfree(r);
		return -ESRCH;	/* exiting */
	}
	for (i = 0; i < CR_NSIG; i++) {
		const struct sigaction *sa = &sighand->action[i].sa;

		r->action[i].handler = (unsigned long)sa->sa_handler;
		r->action[i].flags = sa->sa_flags;
		r->action[i].restorer = (unsigned long)sa->sa_restorer;
		r->action[i].mask = sa->sa_mask.sig[0];
	}
	/* the caller's own mask without the SIGPIPE checkpoint(2) blocks */
	r->blocked = (t == current ? ctx->blocked : t->blocked).sig[0];
	r->oom_score_adj = t->signal->oom_score_adj;
	if (t->signal->is_child_subreaper)
		r->flags |= CR_SIGNALS_SUBREAPER;
	/* stopped inside sigsuspend() and the like: the mask it restores */
	if (t != current && test_tsk_restore_sigmask(t)) {
		r->flags |= CR_SIGNALS_SAVED_MASK;
		r->saved_blocked = t->saved_sigmask.sig[0];
	}
	n = cr_copy_pending(&t->pending, false, t != current, pend, room);
	n += cr_copy_pending(&t->signal->shared_pending, true, t != current,
			     pend + min(n, room), room - min(n, room));
	unlock_task_sighand(t, &flags);
	if (n > room) {
		kfree(r);
		if (n > CR_MAX_PENDING)
			return cr_refuse(ctx, -EOPNOTSUPP, "%u pending signals", n);
		room = n;
		goto again;
	}
	r->nr_pending = n;

	if (t->sas_ss_flags & SS_DISABLE || !t->sas_ss_size) {
		r->sas_flags = SS_DISABLE;
	} else {
		r->sas_sp = t->sas_ss_sp;
		r->sas_size = t->sas_ss_size;
		r->sas_flags = t->sas_ss_flags & SS_AUTODISARM;
	}
	task_lock(t->group_leader);
	for (i = 0; i < CR_RLIM_NLIMITS; i++) {
		r->rlim[i].cur = t->signal->rlim[i].rlim_cur;
		r->rlim[i].max = t->signal->rlim[i].rlim_max;
	}
	task_unlock(t->group_leader);
#ifdef CONFIG_POSIX_TIMERS
	for (i = 0; i < 3; i++) {
		struct itimerspec64 it;

		ret = itimer_get_task(t, i, &it);
		if (ret)
			goto out;	/* -ESRCH: reaped meanwhile */
		r->itimer[i].value_ns = timespec64_to_ns(&it.it_value);
		r->itimer[i].interval_ns = timespec64_to_ns(&it.it_interval);
	}
#endif

	/* what restart would refuse is refused now (a handler of the 32-bit ABI) */
	why = cr_check_signals(r, sizeof(*r) + n * sizeof(*pend), pend, &ctx->limits);
	if (why) {
		ret = cr_refuse(ctx, -EOPNOTSUPP, "signal state restart would refuse: %s", why);
		goto out;
	}
	ret = cr_write_rec(ctx, CR_REC_SIGNALS, r, sizeof(*r) + n * sizeof(*pend));
out:
	kfree(r);
	return ret;
}

/*
 * Resource limits as the caller may set them: a hard limit above the
 * caller's is lowered to it unless the caller has CAP_SYS_RESOURCE (as
 * setrlimit(2) would refuse it), and the LSM has its say.
 */
static int cr_stage_rlimits(struct cr_rec_signals *r)
{
	struct rlimit old, new;
	int i, ret;

	for (i = 0; i < CR_RLIM_NLIMITS; i++) {
		task_lock(current->group_leader);
		old = current->signal->rlim[i];
		task_unlock(current->group_leader);
		new.rlim_max = r->rlim[i].max;
		new.rlim_cur = r->rlim[i].cur;
		if (new.rlim_max > old.rlim_max && !capable(CAP_SYS_RESOURCE)) {
			pr_info_ratelimited("rlimit %d: hard limit %llu kept at the caller's %lu\n",
					    i, r->rlim[i].max, old.rlim_max);
			new.rlim_max = old.rlim_max;
			new.rlim_cur = min(new.rlim_cur, new.rlim_max);
		}
		if (i == RLIMIT_NOFILE && new.rlim_max > sysctl_nr_open) {
			new.rlim_max = sysctl_nr_open;
			new.rlim_cur = min(new.rlim_cur, new.rlim_max);
		}
		ret = security_task_setrlimit(current, i, &new);
		if (ret)
			return ret;
		r->rlim[i].cur = new.rlim_cur;
		r->rlim[i].max = new.rlim_max;
	}
	return 0;
}

/*
 * Read and check the signals record: a handler or altstack outside user
 * space, unknown flags, a caught SIGKILL/SIGSTOP, a bad pending signal, a
 * timer beyond KTIME_MAX or an rlimit with cur > max are refused; the LSM
 * has its say on the rlimits.
 */
static int cr_read_signals(struct cr_ctx *ctx)
{
	struct cr_signals_state *ss;
	struct cr_rec_signals *r;
	const char *why;
	u32 len;
	int ret;

	BUILD_BUG_ON(offsetof(struct cr_signals_state, rec));
	r = cr_read_obj(ctx, CR_REC_SIGNALS, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	ss = container_of(r, struct cr_signals_state, rec);
	ctx->ss = ss;
	why = cr_check_signals(r, len, ss->pending, &ctx->limits);
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	ret = cr_stage_rlimits(r);
	if (ret)
		return cr_reject(ctx, ret, "an rlimit refused by the LSM");
	if (r->nr_pending > task_rlimit(current, RLIMIT_SIGPENDING))
		return cr_reject(ctx, -EAGAIN, "%u pending signals, RLIMIT_SIGPENDING is %lu",
				 r->nr_pending, task_rlimit(current, RLIMIT_SIGPENDING));
	/* as a write to /proc/PID/oom_score_adj */
	if (r->oom_score_adj < current->signal->oom_score_adj_min &&
	    !capable(CAP_SYS_RESOURCE))
		return cr_reject(ctx, -EACCES, "oom_score_adj %d below the restarter's minimum %d",
				 r->oom_score_adj, current->signal->oom_score_adj_min);
	return 0;
}

/*
 * Install the staged signal state and rlimits: handlers, altstack, timers,
 * then the pending signals.  The blocked mask goes to ctx->blocked, which
 * restart(2) sets on its way out, when the process is whole: until then
 * every signal stays blocked, so that the ones pending are delivered by
 * the restored rules on the way back to user space.
 */
static int cr_restore_signals(struct cr_ctx *ctx)
{
	struct cr_signals_state *ss = ctx->ss;
	struct cr_rec_signals *r = &ss->rec;
	struct k_sigaction ka;
	unsigned long flags;
	sigset_t blocked;
	u32 i;
	int ret = 0;

	for (i = 0; i < CR_NSIG; i++) {
		if (i + 1 == SIGKILL || i + 1 == SIGSTOP)
			continue;
		memset(&ka, 0, sizeof(ka));
		ka.sa.sa_handler = (__sighandler_t)(unsigned long)r->action[i].handler;
		ka.sa.sa_flags = r->action[i].flags;
		ka.sa.sa_restorer = (__sigrestore_t)(unsigned long)r->action[i].restorer;
		ka.sa.sa_mask.sig[0] = r->action[i].mask;
		ret = do_sigaction(i + 1, &ka, NULL);
		if (ret)
			return ret;
	}
	blocked.sig[0] = r->blocked;
	ctx->blocked = blocked;
	if (r->flags & CR_SIGNALS_SAVED_MASK) {
		/* restored on the way out, or saved in a handler's frame */
		current->saved_sigmask.sig[0] = r->saved_blocked;
		sigdelsetmask(&current->saved_sigmask, sigmask(SIGKILL) | sigmask(SIGSTOP));
		set_restore_sigmask();
		ctx->notify = true;
	}

	current->sas_ss_sp = r->sas_sp;
	current->sas_ss_size = r->sas_size;
	current->sas_ss_flags = r->sas_flags;

	/*
	 * The pending signals, before the rlimits: they were queued under the
	 * process's limits, and a lower RLIMIT_SIGPENDING it set since must
	 * not drop them.  Blocked until restart(2) returns.
	 */
	if (!lock_task_sighand(current, &flags))
		return -ESRCH;
	for (i = 0; !ret && i < r->nr_pending; i++) {
		kernel_siginfo_t info;

		memcpy(&info, ss->pending[i].info, sizeof(info));
		ret = send_signal_locked(ss->pending[i].sig, &info, current,
					 ss->pending[i].shared ? PIDTYPE_TGID : PIDTYPE_PID);
	}
	unlock_task_sighand(current, &flags);
	if (ret)
		return ret;

	task_lock(current->group_leader);
	for (i = 0; i < CR_RLIM_NLIMITS; i++) {
		current->signal->rlim[i].rlim_cur = r->rlim[i].cur;
		current->signal->rlim[i].rlim_max = r->rlim[i].max;
	}
	task_unlock(current->group_leader);
	if (r->rlim[RLIMIT_CPU].cur != RLIM_INFINITY)
		update_rlimit_cpu(current, r->rlim[RLIMIT_CPU].cur);
	current->signal->oom_score_adj = r->oom_score_adj;
	if (r->flags & CR_SIGNALS_SUBREAPER) {
		current->signal->is_child_subreaper = true;
		current->signal->has_child_subreaper = true;
	}
#ifdef CONFIG_POSIX_TIMERS
	for (i = 0; i < 3; i++) {
		struct itimerspec64 it = {
			.it_value = ns_to_timespec64(r->itimer[i].value_ns),
			.it_interval = ns_to_timespec64(r->itimer[i].interval_ns),
		};

		/* also disarms a timer of the restarter's */
		ret = itimer_set_current(i, &it);
		if (ret)
			return ret;
	}
#endif
	return 0;
}

static void cr_free_signals(struct cr_ctx *ctx)
{
	kvfree(ctx->ss);
	ctx->ss = NULL;
}

/* Dispositions, mask, altstack, pending signals, interval timers, rlimits. */
const struct cr_section cr_signals_section = {
	.name		= "signals",
	.write		= cr_write_signals,
	.read		= cr_read_signals,
	.restore	= cr_restore_signals,
	.free		= cr_free_signals,
};
