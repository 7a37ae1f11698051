// SPDX-License-Identifier: GPL-2.0
/*
 * cr: signal state and resource limits - the signals and sigstate records.
 *
 * A process's: dispositions of all signals, the signals pending for the
 * whole process, the interval timers, the resource limits, the OOM score
 * adjustment and the subreaper flag (the signals record).  A thread's:
 * its blocked and saved masks, its alternate stack and the signals pending
 * for it alone (the sigstate record).  Restart checks every handler
 * address and flag, never raises a hard limit above what the caller could
 * set, and queues the pending signals again once the handlers are in
 * place; every signal stays blocked until the tree is whole.
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

/* The sigstate record as read: its fixed part, then the pending signals. */
struct cr_sigstate {
	struct cr_rec_sigstate rec;
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
 * Copy the pending signals of @t (the process's for @shared, else its own)
 * into a new buffer after @head bytes, growing it until they fit: *@outp,
 * their number returned.  -EOPNOTSUPP for more than
 * CR_MAX_PENDING; -ESRCH if the task is exiting.
 */
static int cr_get_pending(struct cr_ctx *ctx, struct task_struct *t, bool shared,
			  void **outp, size_t head)
{
	struct sigpending *list;
	unsigned long flags;
	void *buf;
	u32 room = 16, n;

	for (;;) {
		buf = kzalloc(head + room * sizeof(struct cr_siginfo), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		if (!lock_task_sighand(t, &flags)) {
			kfree(buf);
			return -ESRCH;	/* exiting */
		}
		list = shared ? &t->signal->shared_pending : &t->pending;
		n = cr_copy_pending(list, shared, t != current, buf + head, room);
		unlock_task_sighand(t, &flags);
		if (n <= room)
			break;
		kfree(buf);
		if (n > CR_MAX_PENDING)
			return cr_refuse(ctx, -EOPNOTSUPP, "%u pending signals", n);
		room = n;
	}
	*outp = buf;
	return n;
}

/*
 * The signals record of @ct's process: -EOPNOTSUPP for more than
 * CR_MAX_PENDING pending signals; -ESRCH if it is exiting.
 */
static int cr_write_signals(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct task_struct *t = ct->task;
	struct sighand_struct *sighand;
	struct cr_rec_signals *r;
	struct cr_siginfo *pend;
	unsigned long flags;
	const char *why;
	void *buf;
	int i, n, ret;

	n = cr_get_pending(ctx, t, true, &buf, sizeof(*r));
	if (n < 0)
		return n;
	r = buf;
	pend = (struct cr_siginfo *)(r + 1);
	r->nr_pending = n;
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
	r->oom_score_adj = t->signal->oom_score_adj;
	if (t->signal->is_child_subreaper)
		r->flags |= CR_SIGNALS_SUBREAPER;
	unlock_task_sighand(t, &flags);

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

/* The sigstate record of @ct: its masks, its alternate stack, its own pending signals. */
static int cr_write_sigstate(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct task_struct *t = ct->task;
	struct cr_rec_sigstate *r;
	struct cr_siginfo *pend;
	unsigned long flags;
	const char *why;
	void *buf;
	int n, ret;

	n = cr_get_pending(ctx, t, false, &buf, sizeof(*r));
	if (n < 0)
		return n;
	r = buf;
	pend = (struct cr_siginfo *)(r + 1);
	r->nr_pending = n;
	if (!lock_task_sighand(t, &flags)) {
		kfree(r);
		return -ESRCH;
	}
	/* the caller's own mask without the SIGPIPE checkpoint(2) blocks */
	r->blocked = (t == current ? ctx->blocked : t->blocked).sig[0];
	/* stopped inside sigsuspend() and the like: the mask it restores */
	if (t != current && test_tsk_restore_sigmask(t)) {
		r->flags |= CR_SIGSTATE_SAVED_MASK;
		r->saved_blocked = t->saved_sigmask.sig[0];
	}
	unlock_task_sighand(t, &flags);
	if (t->sas_ss_flags & SS_DISABLE || !t->sas_ss_size) {
		r->sas_flags = SS_DISABLE;
	} else {
		r->sas_sp = t->sas_ss_sp;
		r->sas_size = t->sas_ss_size;
		r->sas_flags = t->sas_ss_flags & SS_AUTODISARM;
	}
	why = cr_check_sigstate(r, sizeof(*r) + n * sizeof(*pend), pend, &ctx->limits);
	if (why)
		ret = cr_refuse(ctx, -EOPNOTSUPP, "signal state restart would refuse: %s", why);
	else
		ret = cr_write_rec(ctx, CR_REC_SIGSTATE, r, sizeof(*r) + n * sizeof(*pend));
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
 * Read and check the signals record: a handler outside user space, unknown
 * flags, a caught SIGKILL/SIGSTOP, a bad pending signal, a timer beyond
 * KTIME_MAX or an rlimit with cur > max are refused; the LSM has its say
 * on the rlimits.
 */
static int cr_read_signals(struct cr_ctx *ctx, struct cr_task *t)
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
	t->proc->ss = ss;
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

/* Queue pending signals again, for the process (@type PIDTYPE_TGID) or current alone. */
static int cr_queue_pending(const struct cr_siginfo *pend, u32 nr, enum pid_type type)
{
	unsigned long flags;
	u32 i;
	int ret = 0;

	if (!lock_task_sighand(current, &flags))
		return -ESRCH;
	for (i = 0; !ret && i < nr; i++) {
		kernel_siginfo_t info;

		memcpy(&info, pend[i].info, sizeof(info));
		ret = send_signal_locked(pend[i].sig, &info, current, type);
	}
	unlock_task_sighand(current, &flags);
	return ret;
}

/*
 * Install the staged signal state and rlimits of the process: handlers,
 * the signals pending for the process, rlimits, interval timers.  Every
 * signal stays blocked until the tree is whole: the pending ones are
 * delivered by the restored rules on the way back to user space.
 */
static int cr_restore_signals(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_signals_state *ss = t->proc->ss;
	struct cr_rec_signals *r = &ss->rec;
	struct k_sigaction ka;
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

	/*
	 * The pending signals, before the rlimits: they were queued under the
	 * process's limits, and a lower RLIMIT_SIGPENDING it set since must
	 * not drop them.
	 */
	ret = cr_queue_pending(ss->pending, r->nr_pending, PIDTYPE_TGID);
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

static void cr_free_signals(struct cr_ctx *ctx, struct cr_task *t)
{
	if (!t)
		return;
	kvfree(t->proc->ss);
	t->proc->ss = NULL;
}

/* Dispositions, process-wide pending signals, interval timers, rlimits. */
const struct cr_section cr_signals_section = {
	.name		= "signals",
	.scope		= CR_SCOPE_PROC,
	.write		= cr_write_signals,
	.read		= cr_read_signals,
	.restore	= cr_restore_signals,
	.free		= cr_free_signals,
};

/* Read and check a thread's sigstate record: its alternate stack, its pending signals. */
static int cr_read_sigstate(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_rec_sigstate *r;
	const char *why;
	u32 len;

	BUILD_BUG_ON(offsetof(struct cr_sigstate, rec));
	r = cr_read_obj(ctx, CR_REC_SIGSTATE, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	t->sig = container_of(r, struct cr_sigstate, rec);
	why = cr_check_sigstate(r, len, t->sig->pending, &ctx->limits);
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	if (r->nr_pending > task_rlimit(current, RLIMIT_SIGPENDING))
		return cr_reject(ctx, -EAGAIN, "%u pending signals, RLIMIT_SIGPENDING is %lu",
				 r->nr_pending, task_rlimit(current, RLIMIT_SIGPENDING));
	return 0;
}

/*
 * Install a thread's staged signal state: its alternate stack and its own
 * pending signals; its blocked mask goes to t->blocked, set on its way
 * out, when the tree is whole; a saved mask is restored on the way out,
 * or saved in a handler's frame.
 */
static int cr_restore_sigstate(struct cr_ctx *ctx, struct cr_task *t)
{
	const struct cr_rec_sigstate *r = &t->sig->rec;

	t->blocked.sig[0] = r->blocked;
	if (r->flags & CR_SIGSTATE_SAVED_MASK) {
		current->saved_sigmask.sig[0] = r->saved_blocked;
		sigdelsetmask(&current->saved_sigmask, sigmask(SIGKILL) | sigmask(SIGSTOP));
		set_restore_sigmask();
		t->notify = true;
	}
	current->sas_ss_sp = r->sas_sp;
	current->sas_ss_size = r->sas_size;
	current->sas_ss_flags = r->sas_flags;
	return cr_queue_pending(t->sig->pending, r->nr_pending, PIDTYPE_PID);
}

static void cr_free_sigstate(struct cr_ctx *ctx, struct cr_task *t)
{
	if (!t)
		return;
	kvfree(t->sig);
	t->sig = NULL;
}

/* A thread's masks, alternate stack and pending signals. */
const struct cr_section cr_sigstate_section = {
	.name		= "sigstate",
	.scope		= CR_SCOPE_TASK,
	.write		= cr_write_sigstate,
	.read		= cr_read_sigstate,
	.restore	= cr_restore_sigstate,
	.free		= cr_free_sigstate,
};
