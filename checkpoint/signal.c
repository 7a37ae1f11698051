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

struct cr_signals_state {
	struct cr_rec_signals rec;
	struct cr_siginfo *pending;
};

/*
 * Copy one pending list; returns how many entries it holds (all counted).
 * SIGKILL and SIGSTOP are never saved: a restarted process is neither
 * dying nor stopping.  Nor, for a stopped task, are the other stop signals:
 * restart continues it, and SIGCONT flushes them.
 */
static u32 cr_copy_pending(struct sigpending *list, bool shared, bool stopped,
			   struct cr_siginfo *out, u32 room)
{
	struct sigqueue *q;
	u32 n = 0;

	list_for_each_entry(q, &list->list, list) {
		int sig = q->info.si_signo;

		if (sig == SIGKILL || sig == SIGSTOP || (stopped && sig_kernel_stop(sig)))
			continue;
		if (n < room) {
			out[n].sig = sig;
			out[n].shared = shared;
			memcpy(out[n].info, &q->info, sizeof(out[n].info));
		}
		n++;
	}
	return n;
}

/**
 * cr_write_signals() - write the signals record of @ctx->task
 * @ctx: checkpoint context
 *
 * Return: 0; -EOPNOTSUPP for more than CR_MAX_PENDING pending signals;
 * -ESRCH if the task is exiting; -ENOMEM; or the error of writing.
 */
int cr_write_signals(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;
	struct sighand_struct *sighand;
	struct cr_rec_signals *r;
	struct cr_siginfo *pend;
	unsigned long flags;
	u32 room = 64, n;
	int i, ret;

	BUILD_BUG_ON(_NSIG != CR_NSIG || RLIM_NLIMITS != CR_RLIM_NLIMITS);
	BUILD_BUG_ON(sizeof(kernel_siginfo_t) != sizeof(pend->info));
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
	n = cr_copy_pending(&t->pending, false, t != current, pend, room);
	n += cr_copy_pending(&t->signal->shared_pending, true, t != current,
			     pend + min(n, room), room - min(n, room));
	unlock_task_sighand(t, &flags);
	if (n > room) {
		kfree(r);
		if (n > CR_MAX_PENDING) {
			pr_info_ratelimited("checkpoint of pid %d refused: %u pending signals\n",
					    task_pid_vnr(t), n);
			return -EOPNOTSUPP;
		}
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

		if (!itimer_get_task(t, i, &it)) {
			r->itimer[i].value_ns = timespec64_to_ns(&it.it_value);
			r->itimer[i].interval_ns = timespec64_to_ns(&it.it_interval);
		}
	}
#endif

	ret = cr_write_rec(ctx, CR_REC_SIGNALS, r, sizeof(*r) + n * sizeof(*pend));
	kfree(r);
	return ret;
}

static int cr_check_signals(struct cr_rec_signals *r, const struct cr_siginfo *pend)
{
	const u64 top = TASK_SIZE;
	u32 i;

	for (i = 0; i < CR_NSIG; i++) {
		const struct cr_sigaction *a = &r->action[i];

		if ((a->handler > 1 && a->handler >= top) || a->restorer >= top ||
		    a->flags & ~(u64)UAPI_SA_FLAGS)
			return -EBADMSG;
		/* SIGKILL and SIGSTOP cannot be caught or ignored */
		if ((i + 1 == SIGKILL || i + 1 == SIGSTOP) && (a->handler || a->flags))
			return -EBADMSG;
	}
	if (r->sas_flags == SS_DISABLE) {
		if (r->sas_sp || r->sas_size)
			return -EBADMSG;
	} else if (r->sas_flags & ~SS_AUTODISARM || r->sas_size < MINSIGSTKSZ ||
		   r->sas_sp >= top || r->sas_size > top - r->sas_sp) {
		return -EBADMSG;
	}
	for (i = 0; i < 3; i++)
		if (r->itimer[i].value_ns > KTIME_MAX || r->itimer[i].interval_ns > KTIME_MAX)
			return -EBADMSG;
	for (i = 0; i < r->nr_pending; i++) {
		const kernel_siginfo_t *info = (const void *)pend[i].info;

		if (!pend[i].sig || pend[i].sig > CR_NSIG || pend[i].shared > 1 ||
		    pend[i].sig == SIGKILL || pend[i].sig == SIGSTOP ||
		    info->si_signo != pend[i].sig)
			return -EBADMSG;
	}
	return 0;
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
		if (r->rlim[i].cur > r->rlim[i].max)
			return -EBADMSG;
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

/**
 * cr_read_signals() - read and check the signals record
 * @ctx: restart context
 *
 * Return: 0; -EBADMSG for a handler or altstack outside user space,
 * unknown flags, a caught SIGKILL/SIGSTOP, a bad pending signal, a timer
 * beyond KTIME_MAX or an rlimit with cur > max; the LSM's error for an rlimit; -ENOMEM; or a read
 * error.
 */
int cr_read_signals(struct cr_ctx *ctx)
{
	struct cr_signals_state *ss;
	struct cr_hdr hdr;
	size_t size;
	int ret;

	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return -ENOMEM;
	ctx->ss = ss;
	ret = cr_read_hdr(ctx, &hdr);
	if (ret)
		return ret == -ENODATA ? -EBADMSG : ret;
	if (hdr.type != CR_REC_SIGNALS)
		return -EBADMSG;
	ret = cr_read_fixed(ctx, &hdr, &ss->rec, sizeof(ss->rec));
	if (ret)
		return ret;
	if (ss->rec.nr_pending > CR_MAX_PENDING ||
	    hdr.len != sizeof(ss->rec) + ss->rec.nr_pending * sizeof(*ss->pending))
		return -EBADMSG;
	size = ss->rec.nr_pending * sizeof(*ss->pending);
	if (size) {
		ss->pending = kmalloc(size, GFP_KERNEL);
		if (!ss->pending)
			return -ENOMEM;
		ret = cr_read_body(ctx, ss->pending, size);
		if (ret)
			return ret;
	}
	ret = cr_read_end(ctx, &hdr);
	if (!ret)
		ret = cr_check_signals(&ss->rec, ss->pending);
	if (!ret)
		ret = cr_stage_rlimits(&ss->rec);
	if (ret)
		pr_info_ratelimited("signals record rejected: %d\n", ret);
	return ret;
}

/**
 * cr_restore_signals() - install the staged signal state and rlimits
 * @ctx: restart context, past the point of no return
 *
 * Handlers first, then the mask, then the pending signals, so that those
 * are delivered by the restored rules on the way back to user space.
 *
 * Return: 0 or a negative errno (the caller is then killed).
 */
int cr_restore_signals(struct cr_ctx *ctx)
{
	struct cr_signals_state *ss = ctx->ss;
	struct cr_rec_signals *r = &ss->rec;
	struct k_sigaction ka;
	unsigned long flags;
	sigset_t blocked;
	u32 i;
	int ret;

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
	set_current_blocked(&blocked);

	current->sas_ss_sp = r->sas_sp;
	current->sas_ss_size = r->sas_size;
	current->sas_ss_flags = r->sas_flags;

	task_lock(current->group_leader);
	for (i = 0; i < CR_RLIM_NLIMITS; i++) {
		current->signal->rlim[i].rlim_cur = r->rlim[i].cur;
		current->signal->rlim[i].rlim_max = r->rlim[i].max;
	}
	task_unlock(current->group_leader);
	if (r->rlim[RLIMIT_CPU].cur != RLIM_INFINITY)
		update_rlimit_cpu(current, r->rlim[RLIMIT_CPU].cur);
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

	if (!lock_task_sighand(current, &flags))
		return -ESRCH;
	for (i = 0; i < r->nr_pending; i++) {
		kernel_siginfo_t info;

		memcpy(&info, ss->pending[i].info, sizeof(info));
		send_signal_locked(ss->pending[i].sig, &info, current,
				   ss->pending[i].shared ? PIDTYPE_TGID : PIDTYPE_PID);
	}
	unlock_task_sighand(current, &flags);
	return 0;
}

/**
 * cr_free_signals() - free the staged signal state
 * @ctx: restart context
 */
void cr_free_signals(struct cr_ctx *ctx)
{
	if (!ctx->ss)
		return;
	kfree(ctx->ss->pending);
	kfree(ctx->ss);
	ctx->ss = NULL;
}
