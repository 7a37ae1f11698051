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
#include <linux/landlock.h>
#include <linux/mempolicy.h>
#include <linux/personality.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/cpuset.h>
#include <linux/cred.h>
#include <linux/nospec.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_ns.h>
#include <linux/prctl.h>
#include <linux/sched/prio.h>
#include <linux/seccomp.h>
#include <linux/security.h>
#include <linux/ipc_namespace.h>
#include <linux/mnt_namespace.h>
#include <linux/time_namespace.h>
#include <linux/utsname.h>
#include <net/net_namespace.h>
#include <uapi/linux/sched/types.h>
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
 * (it learns which from cr_task.restart_block).
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

/*
 * Keys the task keeps in keyrings of its own (keyctl(2)'s thread and
 * process keyrings), or a key it is instantiating for request_key(2):
 * part of its credentials, which restart gives anew (the session keyring
 * is the restarter's, as the rest of the credentials are).
 */
static bool cr_own_keyrings(struct task_struct *t)
{
#ifdef CONFIG_KEYS
	const struct cred *cred;
	bool own;

	rcu_read_lock();
	cred = __task_cred(t);
	own = cred->thread_keyring || cred->process_keyring || cred->request_key_auth;
	rcu_read_unlock();
	return own;
#else
	return false;
#endif
}

/*
 * State of the task cr does not save, refused loudly rather than dropped:
 * a seccomp filter, a Landlock sandbox (restart gives the restarter's
 * credentials, which would lift it), keyrings of its own, io_uring, a
 * real-time or deadline policy, speculation controls set by prctl.
 */
static int cr_refuse_task(struct cr_ctx *ctx, struct task_struct *t)
{
	int which;

#ifdef CONFIG_SECCOMP
	if (t->seccomp.mode != SECCOMP_MODE_DISABLED)
		return cr_refuse(ctx, -EOPNOTSUPP, "under seccomp (mode %d)", t->seccomp.mode);
#endif
	if (landlock_task_restricted(t))
		return cr_refuse(ctx, -EOPNOTSUPP, "sandboxed by Landlock");
	if (cr_own_keyrings(t))
		return cr_refuse(ctx, -EOPNOTSUPP, "a thread or process keyring (keyctl)");
#ifdef CONFIG_IO_URING
	if (t->io_uring)
		return cr_refuse(ctx, -EOPNOTSUPP, "uses io_uring");
#endif
	/* its pid, 1, is given back in a new pid namespace: the root's tree alone */
	if (is_child_reaper(task_pid(t)) && task_active_pid_ns(t) != &init_pid_ns &&
	    task_active_pid_ns(t) != ctx->pidns)
		return cr_refuse(ctx, -EOPNOTSUPP, "the init of a pid namespace");
	if (t->policy != SCHED_NORMAL && t->policy != SCHED_BATCH && t->policy != SCHED_IDLE)
		return cr_refuse(ctx, -EOPNOTSUPP, "scheduling policy %u", t->policy);
	for (which = PR_SPEC_STORE_BYPASS; which <= PR_SPEC_INDIRECT_BRANCH; which++)
		if (arch_prctl_spec_ctrl_get(t, which) & (PR_SPEC_DISABLE | PR_SPEC_FORCE_DISABLE))
			return cr_refuse(ctx, -EOPNOTSUPP, "speculation control %d disabled",
					 which);
	return 0;
}

/* The namespaces a task record names, as /proc/PID/ns/ has them. */
static const struct proc_ns_operations *const cr_ns_ops[CR_NS_MAX] = {
#ifdef CONFIG_UTS_NS
	[CR_NS_UTS]		= &utsns_operations,
#endif
#ifdef CONFIG_IPC_NS
	[CR_NS_IPC]		= &ipcns_operations,
#endif
	[CR_NS_MNT]		= &mntns_operations,
#ifdef CONFIG_NET_NS
	[CR_NS_NET]		= &netns_operations,
#endif
#ifdef CONFIG_PID_NS
	[CR_NS_PID]		= &pidns_operations,
	[CR_NS_PID_CHILDREN]	= &pidns_for_children_operations,
#endif
#ifdef CONFIG_USER_NS
	[CR_NS_USER]		= &userns_operations,
#endif
#ifdef CONFIG_CGROUPS
	[CR_NS_CGROUP]		= &cgroupns_operations,
#endif
#ifdef CONFIG_TIME_NS
	[CR_NS_TIME]		= &timens_operations,
	[CR_NS_TIME_CHILDREN]	= &timens_for_children_operations,
#endif
};

/*
 * The inode number of each namespace of @t, and which are the initial
 * ones: -ESRCH if @t is exiting.
 */
static int cr_task_ns(struct task_struct *t, u32 *inum, u32 *init)
{
	struct ns_common *ns, *first;
	int i;

	*init = 0;
	for (i = 0; i < CR_NS_MAX; i++) {
		inum[i] = 0;
		if (!cr_ns_ops[i])
			continue;
		ns = cr_ns_ops[i]->get(t);
		if (!ns)
			return -ESRCH;
		first = cr_ns_ops[i]->get(&init_task);
		inum[i] = ns->inum;
		if (ns == first)
			*init |= 1U << i;
		if (first)
			cr_ns_ops[i]->put(first);
		cr_ns_ops[i]->put(ns);
	}
	return 0;
}

/*
 * The restarted task lives in its restarter's namespaces: they must be the
 * task's own, or initial ones where the task's were (another machine).
 */
static int cr_check_ns(struct cr_ctx *ctx, const struct cr_rec_task *rec)
{
	u32 inum[CR_NS_MAX], init;
	int i, ret;

	ret = cr_task_ns(current, inum, &init);
	if (ret)
		return ret;
	for (i = 0; i < CR_NS_MAX; i++) {
		bool same = (rec->ns_init & BIT(i)) ? init & BIT(i) :
			    !(init & BIT(i)) && inum[i] == rec->ns_inum[i];

		/* a pid namespace's tree: its own, made again (CR_RESTART_PIDNS) */
		if ((i == CR_NS_PID || i == CR_NS_PID_CHILDREN) &&
		    (ctx->tree_flags & CR_TREE_PIDNS))
			continue;
		/* an IPC namespace of the tree's own, made again: every task in it */
		if (i == CR_NS_IPC && (ctx->tree_flags & CR_TREE_IPCNS) &&
		    (ctx->flags & CR_RESTART_IPCNS)) {
			if (!ctx->ipc_inum)
				ctx->ipc_inum = rec->ns_inum[i];
			if (rec->ns_inum[i] != ctx->ipc_inum)
				return cr_reject(ctx, -EBADMSG,
						 "a task in another IPC namespace than the root's");
			continue;
		}
		/* a UTS namespace of the tree's own, made again: every task in it */
		if (i == CR_NS_UTS && (ctx->tree_flags & CR_TREE_UTSNS) &&
		    (ctx->flags & CR_RESTART_UTSNS)) {
			if (!ctx->uts_inum)
				ctx->uts_inum = rec->ns_inum[i];
			if (rec->ns_inum[i] != ctx->uts_inum)
				return cr_reject(ctx, -EBADMSG,
						 "a task in another UTS namespace than the root's");
			continue;
		}

		if (!same)
			return cr_reject(ctx, -EOPNOTSUPP,
					 "the task was in another %s namespace than the restarter",
					 cr_ns_ops[i]->name);
	}
	return 0;
}

/**
 * cr_mempolicy_rec() - the record of a NUMA memory policy
 * @pol: the policy (NULL: the default), held stable by its owner's lock
 * @rec: filled in
 *
 * The nodes are those get_mempolicy(2) returns: as given, for a policy with
 * MPOL_F_STATIC_NODES or MPOL_F_RELATIVE_NODES, else the ones in use.
 *
 * Context: any; takes no lock, so that it may be called under a spinlock.
 * Return: NULL, or why restart could not set it again: the caller refuses.
 */
const char *cr_mempolicy_rec(const struct mempolicy *pol, struct cr_mempolicy *rec)
{
	memset(rec, 0, sizeof(*rec));
#ifdef CONFIG_NUMA
	if (pol) {
		const nodemask_t *nodes =
			pol->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES) ?
			&pol->w.user_nodemask : &pol->nodes;
		int node;

		if (pol->home_node != NUMA_NO_NODE)
			return "a memory policy with a home node (set_mempolicy_home_node)";
		rec->mode = pol->mode;
		rec->flags = pol->flags & MPOL_MODE_FLAGS;
		if (pol->mode == MPOL_LOCAL)
			return NULL;
		for_each_node_mask(node, *nodes) {
			if (node >= CR_MPOL_NODES)
				return "a memory policy naming a node past 255";
			rec->nodes[node / 64] |= 1ULL << (node % 64);
		}
	}
#endif
	return NULL;
}

/**
 * cr_mempolicy_nodes() - the nodes of a memory policy of an image
 * @rec: the policy, checked with cr_check_mempolicy()
 * @nodes: its nodes, as set_mempolicy(2) and mbind(2) take them
 *
 * Return: -EINVAL if it names a node past this kernel's MAX_NUMNODES, else 0.
 */
int cr_mempolicy_nodes(const struct cr_mempolicy *rec, nodemask_t *nodes)
{
	int node;

	nodes_clear(*nodes);
	for (node = 0; node < CR_MPOL_NODES; node++) {
		if (!(rec->nodes[node / 64] & (1ULL << (node % 64))))
			continue;
		if (node >= MAX_NUMNODES)
			return -EINVAL;
		node_set(node, *nodes);
	}
	return 0;
}

/**
 * cr_stage_mempolicy() - may current take a memory policy of an image?
 * @ctx: restart context
 * @rec: the policy, checked with cr_check_mempolicy()
 *
 * A policy current could not take is refused before the point of no return,
 * with the errno set_mempolicy(2) would return: one that names a node this
 * kernel cannot have, or none of those current may allocate from (but with
 * MPOL_F_RELATIVE_NODES, which maps its nodes onto those).
 *
 * Return: 0; -EINVAL; -EOPNOTSUPP on a kernel without NUMA.
 */
int cr_stage_mempolicy(struct cr_ctx *ctx, const struct cr_mempolicy *rec)
{
	nodemask_t nodes, allowed;

	if (rec->mode == CR_MPOL_DEFAULT)
		return 0;
	if (!IS_ENABLED(CONFIG_NUMA))
		return cr_reject(ctx, -EOPNOTSUPP, "a memory policy, on a kernel without NUMA");
	if (cr_mempolicy_nodes(rec, &nodes))
		return cr_reject(ctx, -EINVAL, "a memory policy naming a node past this kernel's");
	if (rec->mode == CR_MPOL_LOCAL)
		return 0;
	nodes_and(allowed, cpuset_current_mems_allowed, node_states[N_MEMORY]);
	if (rec->flags & CR_MPOL_F_RELATIVE_NODES ? nodes_empty(allowed) :
	    !nodes_intersects(nodes, allowed))
		return cr_reject(ctx, -EINVAL,
				 "a memory policy with none of the nodes the caller may use");
	return 0;
}

/* Nice value, policy, timer slack, parent-death signal, affinity, flags. */
static void cr_save_attrs(struct task_struct *t, struct cr_rec_task *rec)
{
	unsigned long flags;
	cpumask_var_t mask;
	int cpu;

	rec->nice = task_nice(t);
	rec->sched_policy = t->policy;
	rec->timer_slack_ns = t->timer_slack_ns;
	rec->default_timer_slack_ns = t->default_timer_slack_ns;
	rec->pdeath_signal = t->pdeath_signal;
	if (task_no_new_privs(t))
		rec->task_flags |= CR_TASK_NO_NEW_PRIVS;
	/* as sched_getaffinity(2) has it */
	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	raw_spin_lock_irqsave(&t->pi_lock, flags);
	cpumask_and(mask, &t->cpus_mask, cpu_active_mask);
	raw_spin_unlock_irqrestore(&t->pi_lock, flags);
	for_each_cpu(cpu, mask)
		if (cpu < CR_CPUS_WORDS * 64)
			rec->cpus[cpu / 64] |= 1ULL << (cpu % 64);
	free_cpumask_var(mask);
}

/* Its NUMA memory policy, as get_mempolicy(2) has it; -EOPNOTSUPP if restart could not set it. */
static int cr_save_task_mempolicy(struct cr_ctx *ctx, struct task_struct *t,
				  struct cr_rec_task *rec)
{
	const char *why = NULL;

#ifdef CONFIG_NUMA
	task_lock(t);
	why = cr_mempolicy_rec(t->mempolicy, &rec->mempolicy);
	task_unlock(t);
#endif
	return why ? cr_refuse(ctx, -EOPNOTSUPP, "%s", why) : 0;
}

/* The task record of @ct; sets its restart_block for the arch. */
static int cr_write_task(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct task_struct *t = ct->task;
	struct cr_rec_task rec = {};
	const char *why;
	int ret;

	ret = cr_refuse_task(ctx, t);
	if (ret)
		return ret;
	if (nr_cpu_ids > CR_CPUS_WORDS * 64)
		return cr_refuse(ctx, -EOPNOTSUPP, "more than %d CPUs", CR_CPUS_WORDS * 64);
	cr_save_attrs(t, &rec);
	ret = cr_save_task_mempolicy(ctx, t, &rec);
	if (ret)
		return ret;
	ret = cr_task_ns(t, rec.ns_inum, &rec.ns_init);
	/* a tree with a UTS namespace of its own is all in it */
	if (!ret && ctx->uts_inum && rec.ns_inum[CR_NS_UTS] != ctx->uts_inum)
		ret = cr_refuse(ctx, -EOPNOTSUPP, "in another UTS namespace than the root");
	/* and with an IPC namespace of its own */
	if (!ret && ctx->ipc_inum && rec.ns_inum[CR_NS_IPC] != ctx->ipc_inum)
		ret = cr_refuse(ctx, -EOPNOTSUPP, "in another IPC namespace than the root");
	if (ret)
		return ret;
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
	ct->restart_block = rec.restart_fn != CR_RESTART_FN_NONE;
	/* what restart would refuse is refused now (a personality, say) */
	why = cr_check_task(&rec, &ctx->limits);
	if (why)
		return cr_refuse(ctx, -EOPNOTSUPP, "task state restart would refuse: %s", why);
	return cr_write_rec(ctx, CR_REC_TASK, &rec, sizeof(rec));
}

/* The CPUs of a task record's affinity the caller may run on. */
static void cr_task_cpus(const struct cr_rec_task *rec, struct cpumask *mask)
{
	unsigned int cpu;

	cpumask_clear(mask);
	for (cpu = 0; cpu < min_t(unsigned int, nr_cpu_ids, CR_CPUS_WORDS * 64); cpu++)
		if (rec->cpus[cpu / 64] & (1ULL << (cpu % 64)))
			cpumask_set_cpu(cpu, mask);
}

/*
 * What the caller may give itself, checked before the point of no return:
 * a nice value below its own as setpriority(2) would allow it, an
 * affinity with a CPU it may run on.  A restarted task never gets more
 * than its restarter could take.
 */
static int cr_stage_attrs(struct cr_ctx *ctx, const struct cr_rec_task *rec)
{
	cpumask_var_t mask, allowed;
	int ret = 0;

	ret = cr_stage_mempolicy(ctx, &rec->mempolicy);
	if (ret)
		return ret;
	if (rec->nice < task_nice(current) && !can_nice(current, rec->nice))
		return cr_reject(ctx, -EPERM, "nice %d below the restarter's %d", rec->nice,
				 task_nice(current));
	ret = security_task_setnice(current, rec->nice);
	if (ret)
		return cr_reject(ctx, ret, "nice %d refused by the LSM", rec->nice);
	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	if (!alloc_cpumask_var(&allowed, GFP_KERNEL)) {
		free_cpumask_var(mask);
		return -ENOMEM;
	}
	cr_task_cpus(rec, mask);
	cpuset_cpus_allowed(current, allowed);
	if (!cpumask_intersects(mask, allowed))
		ret = cr_reject(ctx, -EINVAL, "no CPU of the affinity is allowed to the caller");
	free_cpumask_var(allowed);
	free_cpumask_var(mask);
	return ret;
}

/* Make the attributes of the task record current's; see cr_stage_attrs(). */
static int cr_restore_attrs(const struct cr_rec_task *rec)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = rec->sched_policy,
		.sched_nice = rec->nice,
	};
	cpumask_var_t mask;
	int ret;

	ret = sched_setattr(current, &attr);
	if (ret)
		return ret;
#ifdef CONFIG_NUMA
	{
		nodemask_t nodes;

		/* staged: fails for want of memory only; the restarter's own goes */
		ret = cr_mempolicy_nodes(&rec->mempolicy, &nodes) ?:
		      mempolicy_set_current(rec->mempolicy.mode | rec->mempolicy.flags, &nodes);
		if (ret)
			return ret;
	}
#endif
	current->timer_slack_ns = rec->timer_slack_ns;
	current->default_timer_slack_ns = rec->default_timer_slack_ns;
	current->pdeath_signal = rec->pdeath_signal;
	/* never unset: it only takes privileges away */
	if (rec->task_flags & CR_TASK_NO_NEW_PRIVS)
		task_set_no_new_privs(current);
	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	cr_task_cpus(rec, mask);
	ret = sched_setaffinity(0, mask);
	free_cpumask_var(mask);
	return ret;
}

/*
 * Read and check the task record: a personality or a user pointer restart
 * would not set (kernel addresses, a misaligned rseq area, a wrong robust
 * list size, a restart block that does not add up) is refused.
 */
static int cr_read_task(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct cr_rec_task *rec;
	const char *why;

	BUILD_BUG_ON(offsetof(struct cr_task_state, rec));
	rec = cr_read_obj(ctx, CR_REC_TASK, NULL);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	ct->ts = (struct cr_task_state *)rec;
	rec->comm[sizeof(rec->comm) - 1] = '\0';
	why = cr_check_task(rec, &ctx->limits);
	if (!why && rec->rseq && !IS_ENABLED(CONFIG_RSEQ))
		why = "rseq without CONFIG_RSEQ";
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	ct->restart_block = rec->restart_fn != CR_RESTART_FN_NONE;
	return cr_check_ns(ctx, rec) ?: cr_stage_attrs(ctx, rec);
}

/* Make the staged task record current's. */
static int cr_restore_task(struct cr_ctx *ctx, struct cr_task *ct)
{
	const struct cr_rec_task *rec = &ct->ts->rec;
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
	return cr_restore_attrs(rec);
}

static void cr_free_task(struct cr_ctx *ctx, struct cr_task *ct)
{
	if (!ct)
		return;
	kvfree(ct->ts);
	ct->ts = NULL;
}

/* Comm, personality, the user pointers of the task, its restart block. */
const struct cr_section cr_task_section = {
	.name		= "task",
	.scope		= CR_SCOPE_TASK,
	.write		= cr_write_task,
	.read		= cr_read_task,
	.restore	= cr_restore_task,
	.free		= cr_free_task,
};
