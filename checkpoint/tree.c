// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the tasks of an image - the tree record.
 *
 * Checkpoint saves the subtree its target roots: every process below it,
 * and every thread of each.  It takes them in breadth-first order, each
 * leader followed by its threads, holds them still (stopped by the user,
 * or frozen by the checkpoint the way the cgroup v2 freezer does) and
 * checks once every record is collected, and again at the end, that none
 * of them ran meanwhile.  No lock of a task is held across the collection:
 * a task that did not run cannot have changed.
 *
 * Restart makes the tasks: the caller is the root (or, with
 * CR_RESTART_CHILD, the root is a new child of the caller), and each task
 * made runs cr_task_main(), which makes its own children and, for a
 * leader, its threads, then restores itself from the context they share.
 * The page stream is read by each process in turn, in the order of the
 * tree; every task waits for every other before it returns to user space.
 * Past the point of no return a failure anywhere kills every task of the
 * tree.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/bsearch.h>
#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/ipc_namespace.h>
#include <linux/pid_namespace.h>
#include <linux/printk.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <linux/utsname.h>
#include <uapi/linux/wait.h>

/*
 * A tree whose root is in another UTS namespace than the checkpointer has
 * one of its own (CR_TREE_UTSNS): its names are saved, and every task of
 * the tree must be in it (cr_write_task()).
 */
static int cr_tree_uts(struct cr_ctx *ctx, struct task_struct *root)
{
	struct uts_namespace *ns = NULL;

	task_lock(root);
	if (root->nsproxy && root->nsproxy->uts_ns != current->nsproxy->uts_ns) {
		ns = root->nsproxy->uts_ns;
		get_uts_ns(ns);
	}
	task_unlock(root);
	if (!ns)
		return 0;
	down_read(&uts_sem);
	strscpy(ctx->nodename, ns->name.nodename, sizeof(ctx->nodename));
	strscpy(ctx->domainname, ns->name.domainname, sizeof(ctx->domainname));
	up_read(&uts_sem);
	ctx->uts_inum = ns->ns.inum;
	put_uts_ns(ns);
	return 0;
}

/*
 * A tree whose root is in another IPC namespace than the checkpointer has
 * one of its own.  If it holds no SysV segment and no POSIX message queue
 * (which are not saved yet) and its limits are in the ranges restart
 * takes, it is CR_TREE_IPCNS: its limits, its SysV message queues and
 * semaphore sets are saved (checkpoint/ipcns.c), every task of the tree
 * must be in it (cr_write_task()), and restart can make a new one
 * (CR_RESTART_IPCNS).  Otherwise the image restarts only in that
 * namespace, as before.
 */
static void cr_tree_ipc(struct cr_ctx *ctx, struct task_struct *root)
{
	struct ipc_namespace *ns = NULL;
	struct cr_ipc_limits *l = &ctx->ipc;
	unsigned int queues;
	int i, objects;

	task_lock(root);
	if (root->nsproxy && root->nsproxy->ipc_ns != current->nsproxy->ipc_ns)
		ns = get_ipc_ns(root->nsproxy->ipc_ns);
	task_unlock(root);
	if (!ns)
		return;
	/* queues and sets are saved: ns->ids[2] is IPC_SHM_IDS of ipc/util.h */
	objects = READ_ONCE(ns->ids[2].in_use);
	/* a segment removed while attached is no longer in use, but there */
	objects += READ_ONCE(ns->shm_tot) != 0;
#ifdef CONFIG_POSIX_MQUEUE
	spin_lock(&mq_lock);
	queues = ns->mq_queues_count;
	spin_unlock(&mq_lock);
#else
	queues = 0;
#endif
	*l = (struct cr_ipc_limits){
		.shmmax = READ_ONCE(ns->shm_ctlmax),
		.shmall = READ_ONCE(ns->shm_ctlall),
		.shmmni = READ_ONCE(ns->shm_ctlmni),
		.shm_rmid_forced = READ_ONCE(ns->shm_rmid_forced),
		.msgmax = READ_ONCE(ns->msg_ctlmax),
		.msgmnb = READ_ONCE(ns->msg_ctlmnb),
		.msgmni = READ_ONCE(ns->msg_ctlmni),
		.mq_queues_max = READ_ONCE(ns->mq_queues_max),
		.mq_msg_max = READ_ONCE(ns->mq_msg_max),
		.mq_msgsize_max = READ_ONCE(ns->mq_msgsize_max),
		.mq_msg_default = READ_ONCE(ns->mq_msg_default),
		.mq_msgsize_default = READ_ONCE(ns->mq_msgsize_default),
	};
	for (i = 0; i < 4; i++)
		l->sem[i] = READ_ONCE(ns->sem_ctls[i]);
	if (!objects && !queues && !cr_check_ipc_limits(l, true)) {
		ctx->ipc_inum = ns->ns.inum;
		ctx->ipc_ns = ns;
		return;
	}
	pr_debug("checkpoint: an IPC namespace with %d SysV segments, %u POSIX queues: restart needs it\n",
		 objects, queues);
	put_ipc_ns(ns);
}

/*
 * Restart, in the root of a new IPC namespace (CR_RESTART_IPCNS), before
 * it makes a child or runs: the tree's limits, checked with the record
 * (cr_check_ipc_limits()), as the sysctls would set them.
 */
static void cr_ipc_limits_set(struct ipc_namespace *ns, const struct cr_ipc_limits *l)
{
	int i;

	WRITE_ONCE(ns->shm_ctlmax, l->shmmax);
	WRITE_ONCE(ns->shm_ctlall, l->shmall);
	WRITE_ONCE(ns->shm_ctlmni, l->shmmni);
	WRITE_ONCE(ns->shm_rmid_forced, l->shm_rmid_forced);
	WRITE_ONCE(ns->msg_ctlmax, l->msgmax);
	WRITE_ONCE(ns->msg_ctlmnb, l->msgmnb);
	WRITE_ONCE(ns->msg_ctlmni, l->msgmni);
	for (i = 0; i < 4; i++)
		WRITE_ONCE(ns->sem_ctls[i], l->sem[i]);
	WRITE_ONCE(ns->mq_queues_max, l->mq_queues_max);
	WRITE_ONCE(ns->mq_msg_max, l->mq_msg_max);
	WRITE_ONCE(ns->mq_msgsize_max, l->mq_msgsize_max);
	WRITE_ONCE(ns->mq_msg_default, l->mq_msg_default);
	WRITE_ONCE(ns->mq_msgsize_default, l->mq_msgsize_default);
}

/*
 * Restart: a new IPC namespace (CR_RESTART_IPCNS) for a tree that had one
 * of its own, saved (CR_TREE_IPCNS), checked as soon as the tree record is
 * read: before the task records, which are refused in another namespace
 * without it.
 */
static int cr_check_ipcns(struct cr_ctx *ctx)
{
	if (!(ctx->flags & CR_RESTART_IPCNS))
		return 0;
	if (!(ctx->flags & CR_RESTART_CHILD) || !(ctx->tree_flags & CR_TREE_IPCNS)) {
		pr_info_ratelimited("restart: CR_RESTART_IPCNS needs CR_RESTART_CHILD and a tree whose own IPC namespace was saved\n");
		return -EINVAL;
	}
	if (!IS_ENABLED(CONFIG_IPC_NS)) {
		pr_info_ratelimited("restart: IPC namespaces not configured\n");
		return -EOPNOTSUPP;
	}
	if (!ns_capable(current_user_ns(), CAP_SYS_ADMIN)) {
		pr_info_ratelimited("restart: a new IPC namespace needs CAP_SYS_ADMIN\n");
		return -EPERM;
	}
	return 0;
}

/* Its names and limits in tree record @r, and the flags. */
static void cr_tree_ns_rec(struct cr_ctx *ctx, struct cr_rec_tree *r)
{
	memset(r->nodename, 0, sizeof(r->nodename));
	memset(r->domainname, 0, sizeof(r->domainname));
	memset(&r->ipc, 0, sizeof(r->ipc));
	if (ctx->ipc_inum) {
		r->flags |= CR_TREE_IPCNS;
		r->ipc = ctx->ipc;
	}
	if (!ctx->uts_inum)
		return;
	r->flags |= CR_TREE_UTSNS;
	strscpy(r->nodename, ctx->nodename, sizeof(r->nodename));
	strscpy(r->domainname, ctx->domainname, sizeof(r->domainname));
}

/* A pid of the tree and the index of its task: sorted, for lookups. */
struct cr_pid_idx {
	pid_t pid;
	u32 idx;
};

static int cr_pid_cmp(const void *a, const void *b)
{
	const struct cr_pid_idx *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The index of the task of pid @pid in @map (@n long, sorted), or CR_TREE_OUTSIDE. */
static u32 cr_pid_find(const struct cr_pid_idx *map, u32 n, pid_t pid)
{
	struct cr_pid_idx key = { .pid = pid };
	const struct cr_pid_idx *hit;

	hit = bsearch(&key, map, n, sizeof(*map), cr_pid_cmp);
	return hit ? hit->idx : CR_TREE_OUTSIDE;
}

/* The pids (or @ns: nspids) of the tree, sorted; -EEXIST if one is there twice. */
static struct cr_pid_idx *cr_pid_map(struct cr_ctx *ctx, bool ns)
{
	struct cr_pid_idx *map;
	u32 i;

	map = kvmalloc_array(ctx->nr_tasks, sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < ctx->nr_tasks; i++) {
		map[i].pid = ns ? ctx->tasks[i].rec.nspid : ctx->tasks[i].rec.pid;
		map[i].idx = i;
	}
	sort(map, ctx->nr_tasks, sizeof(*map), cr_pid_cmp, NULL);
	for (i = 1; i < ctx->nr_tasks; i++) {
		if (map[i].pid == map[i - 1].pid) {
			kvfree(map);
			return ERR_PTR(-EEXIST);
		}
	}
	return map;
}

/* A process that ended, not waited for: no sections, no process of its own. */
static bool cr_tree_is_zombie(const struct cr_task *t)
{
	return t->rec.flags & CR_TREE_ZOMBIE;
}

/*
 * The processes of the tasks (ctx->tasks[].rec in tree order), and each
 * leader's list of child processes: ctx->procs, cr_task.proc,
 * cr_task.child and cr_task.sibling.
 */
static int cr_link_tree(struct cr_ctx *ctx)
{
	struct cr_task *last_child = NULL;
	u32 i, k = 0;

	ctx->procs = kvcalloc(ctx->nr_procs, sizeof(*ctx->procs), GFP_KERNEL_ACCOUNT);
	if (!ctx->procs)
		return -ENOMEM;
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct cr_task *t = &ctx->tasks[i];

		t->ctx = ctx;
		t->idx = i;
		t->child = CR_TREE_OUTSIDE;
		t->sibling = CR_TREE_OUTSIDE;
		if (cr_tree_is_zombie(t)) {
			/* no sections, no process of its own */
			t->proc = NULL;
			continue;
		}
		if (t->rec.leader == i) {
			struct cr_proc *p = &ctx->procs[k];

			p->idx = k++;
			p->leader = t;
		}
		t->proc = &ctx->procs[k - 1];
		t->proc->nr_threads++;
	}
	/* children in tree order: the walk makes them so at checkpoint */
	for (i = ctx->nr_tasks; i-- > 1; ) {
		struct cr_task *t = &ctx->tasks[i];

		if (t->rec.leader != i)
			continue;
		last_child = &ctx->tasks[t->rec.parent];
		t->sibling = last_child->child;
		last_child->child = i;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* checkpoint                                                               */
/* ------------------------------------------------------------------------ */

/* How long the tasks have to stop or reach the freezer trap. */
#define CR_FREEZE_TIMEOUT	(2 * HZ)

/* How many times the tree may grow while it is frozen before checkpoint gives up. */
#define CR_TREE_ROUNDS		8

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

/* Drop the tasks of a walk, thawing those the checkpoint froze. */
static void cr_put_tasks(struct cr_task *tasks, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		struct cr_task *t = &tasks[i];

		if (t->frozen)
			cr_freeze_task(t->task, false);
		if (t->stack)
			put_task_stack(t->task);
		put_task_struct(t->task);
		t->task = NULL;
		t->stack = false;
		t->frozen = false;
	}
}

/* One task of a walk: @t, of the process led by tasks[@leader]. */
static void cr_walk_one(struct cr_task *tasks, u32 n, struct task_struct *t, u32 leader,
			u32 parent)
{
	struct cr_task *e = &tasks[n];

	memset(e, 0, sizeof(*e));
	e->task = get_task_struct(t);
	e->idx = n;
	e->rec.pid = task_pid_vnr(t);
	e->rec.leader = leader;
	e->rec.parent = leader == n ? parent : leader;
	e->rec.exit_signal = leader == n ? t->exit_signal : -1;
	if (leader == n && t->exit_state == EXIT_ZOMBIE && thread_group_empty(t)) {
		/* what wait_task_zombie() would report */
		e->rec.flags = CR_TREE_ZOMBIE;
		e->rec.exit_code = (t->signal->flags & SIGNAL_GROUP_EXIT) ?
				   t->signal->group_exit_code : t->exit_code;
	}
	e->pgid = task_pgrp_vnr(t);
	e->sid = task_session_vnr(t);
}

/* Process @p, child of tasks[@parent], at the end of the walk: false if no room. */
static bool cr_walk_proc(struct cr_task *tasks, u32 *n, u32 room, struct task_struct *p,
			 u32 parent)
{
	u32 leader = *n;
	struct task_struct *t;

	if (*n + get_nr_threads(p) > room)
		return false;
	cr_walk_one(tasks, (*n)++, p, leader, parent);
	for_each_thread(p, t) {
		if (t == p)
			continue;
		if (*n == room)
			return false;
		cr_walk_one(tasks, (*n)++, t, leader, parent);
	}
	return true;
}

/*
 * Walk the subtree of @root into @tasks (room for @room): the processes in
 * breadth-first order, each leader followed by its threads; the root's
 * alone for @root_only.  Each task taken is referenced.
 *
 * Return: the number of tasks, or -E2BIG (nothing taken) if @room is short.
 */
static int cr_walk_tree(struct task_struct *root, struct cr_task *tasks, u32 room,
			bool root_only)
{
	struct task_struct *c;
	bool fits;
	u32 n = 0, i;

	read_lock(&tasklist_lock);
	fits = cr_walk_proc(tasks, &n, room, root->group_leader, CR_TREE_OUTSIDE);
	/* the children of each task in turn: a task's process is before theirs */
	for (i = 0; fits && !root_only && i < n; i++) {
		list_for_each_entry(c, &tasks[i].task->children, sibling) {
			fits = cr_walk_proc(tasks, &n, room, c, i);
			if (!fits)
				break;
		}
	}
	read_unlock(&tasklist_lock);
	if (!fits) {
		cr_put_tasks(tasks, n);
		return -E2BIG;
	}
	return n;
}

/* Walk the tree into a new array, growing it until the walk fits. */
static int cr_walk_alloc(struct task_struct *root, bool root_only, struct cr_task **tasksp)
{
	u32 room = 64;
	int n;

	for (;;) {
		struct cr_task *tasks = kvcalloc(room, sizeof(*tasks), GFP_KERNEL_ACCOUNT);

		if (!tasks)
			return -ENOMEM;
		n = cr_walk_tree(root, tasks, room, root_only);
		if (n != -E2BIG) {
			*tasksp = tasks;
			return n;
		}
		kvfree(tasks);
		if (room > CR_TREE_MAX)
			return -E2BIG;
		room *= 4;
	}
}

/* Are the walks @a and @b (@n tasks each) of the same tasks, in the same order? */
static bool cr_same_walk(const struct cr_task *a, const struct cr_task *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (a[i].task != b[i].task)
			return false;
	return true;
}

/* Take ctx->tasks as the tree: its processes and each one's links. */
static int cr_take_walk(struct cr_ctx *ctx, struct cr_task *tasks, u32 n)
{
	u32 i;

	ctx->tasks = tasks;
	ctx->nr_tasks = n;
	ctx->nr_procs = 0;
	for (i = 0; i < n; i++)
		ctx->nr_procs += tasks[i].rec.leader == i && !cr_tree_is_zombie(&tasks[i]);
	return cr_link_tree(ctx);
}

/*
 * Refuse what a task of the tree cannot be saved with, before it is held:
 * -EOPNOTSUPP, naming the task and why.
 */
static int cr_check_task_kind(struct cr_ctx *ctx, struct cr_task *t)
{
	struct task_struct *task = t->task;
	bool shared;

	ctx->cur = t;
	if (!t->rec.pid)
		return cr_refuse(ctx, -EOPNOTSUPP, "a task outside the caller's pid namespace");
	/*
	 * Its pids are saved as the caller sees them: a task of a tree that
	 * knows itself by other ones would come back with these.  A lone
	 * task comes back with a new pid anyway.
	 */
	if (ctx->pidns) {
		if (task_active_pid_ns(task) != ctx->pidns)
			return cr_refuse(ctx, -EOPNOTSUPP,
					 "in a pid namespace below the root's: not supported yet");
		t->rec.nspid = task_pid_nr_ns(task, ctx->pidns);
	} else if (ctx->nr_tasks > 1 && task_active_pid_ns(task) != task_active_pid_ns(current)) {
		return cr_refuse(ctx, -EOPNOTSUPP,
				 "in a pid namespace of its own, but not its init's tree");
	}
	if (cr_tree_is_zombie(t)) {
		/* its parent, held still, cannot wait for it meanwhile */
		if (!t->idx)
			return cr_refuse(ctx, -ESRCH, "a zombie");
		return ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS) ? 0 : -EPERM;
	}
	if (task->exit_state && thread_group_leader(task) && !thread_group_empty(task))
		return cr_refuse(ctx, -EOPNOTSUPP,
				 "its main thread ended, its other threads run: not supported yet");
	if (task->exit_state)
		return cr_refuse(ctx, -EAGAIN, "exiting");
	if (task->flags & PF_EXITING)
		return cr_refuse(ctx, -EAGAIN, "exiting");
	if (task->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER))
		return cr_refuse(ctx, -EOPNOTSUPP, "a kernel, io_uring or vhost worker thread");
	if (task->ptrace)
		return cr_refuse(ctx, -EOPNOTSUPP, "ptraced");
	if (READ_ONCE(task->vfork_done))
		return cr_refuse(ctx, -EOPNOTSUPP, "a vfork child whose parent waits");
	/* refused before it is waited for: the other process may be anywhere */
	task_lock(task);
	shared = task->mm && test_bit(MMF_MULTIPROCESS, &task->mm->flags);
	task_unlock(task);
	if (shared)
		return cr_refuse(ctx, -EOPNOTSUPP, "address space shared with another process");
	if (!ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS))
		return -EPERM;
	return 0;
}

/* Is @t stopped (group stop) and off its CPU?  Its switch count then. */
static unsigned long cr_stopped(struct task_struct *t)
{
	if (!task_is_stopped(t))
		return 0;
	return wait_task_inactive(t, __TASK_STOPPED);
}

/*
 * Wait until every task of the tree is stopped or, for those it froze,
 * asleep in the freezer trap, and off its CPU: -EBUSY after
 * CR_FREEZE_TIMEOUT (an uninterruptible sleep: a vfork parent, a stuck
 * filesystem; or, without CR_CHECKPOINT_FREEZE, a task not stopped),
 * -ESRCH if one exits, -EINTR if the caller is killed.
 */
static int cr_wait_still(struct cr_ctx *ctx)
{
	unsigned long deadline = jiffies + CR_FREEZE_TIMEOUT;
	u32 i = 0;

	while (i < ctx->nr_tasks) {
		struct cr_task *t = &ctx->tasks[i];
		struct task_struct *task = t->task;

		ctx->cur = t;
		if (cr_tree_is_zombie(t)) {
			i++;
			continue;
		}
		if (!t->frozen)
			t->nvcsw = cr_stopped(task);
		else if (cr_task_frozen(task))
			t->nvcsw = wait_task_inactive(task, TASK_INTERRUPTIBLE);
		else
			t->nvcsw = 0;
		if (t->nvcsw) {
			i++;
			continue;
		}
		if ((task->flags & PF_EXITING) || task->exit_state)
			return cr_refuse(ctx, -ESRCH, "exited while the tree was stopped");
		if (fatal_signal_pending(current))
			return -EINTR;
		/* a group stop on its way: wait for it */
		if (!t->frozen && !(READ_ONCE(task->jobctl) & JOBCTL_STOP_PENDING))
			return cr_refuse(ctx, -EBUSY,
					 "not stopped (SIGSTOP it first, or CR_CHECKPOINT_FREEZE)");
		if (time_after(jiffies, deadline))
			return cr_refuse(ctx, -EBUSY, "not %s within %u ms",
					 t->frozen ? "frozen" : "stopped",
					 jiffies_to_msecs(CR_FREEZE_TIMEOUT));
		schedule_timeout_uninterruptible(1);
	}
	ctx->cur = NULL;
	return 0;
}

/*
 * The walk of a frozen or stopped tree: with CR_CHECKPOINT_FREEZE, every
 * task not stopped is frozen, and the tree walked again until no fork
 * escaped the freeze (a fork under way when it began).
 */
static int cr_walk_still(struct cr_ctx *ctx, struct task_struct *root, bool root_only)
{
	bool freeze = ctx->flags & CR_CHECKPOINT_FREEZE;
	struct cr_task *tasks, *again;
	int n, m, ret, round;
	u32 i;

	n = cr_walk_alloc(root, root_only, &tasks);
	if (n < 0)
		return n == -E2BIG ? cr_refuse(ctx, -EOPNOTSUPP, "more than %u tasks",
						 CR_TREE_MAX) : n;
	ret = cr_take_walk(ctx, tasks, n);
	for (i = 0; !ret && i < ctx->nr_tasks; i++)
		ret = cr_check_task_kind(ctx, &tasks[i]);
	for (round = 0; !ret; round++) {
		if (freeze) {
			for (i = 0; i < ctx->nr_tasks; i++) {
				struct cr_task *t = &ctx->tasks[i];

				if (!t->frozen && !cr_tree_is_zombie(t) &&
				    !task_is_stopped(t->task)) {
					cr_freeze_task(t->task, true);
					t->frozen = true;
					ctx->frozen = true;
				}
			}
		}
		ret = cr_wait_still(ctx);
		if (ret || !freeze)
			break;
		/* did a fork get through?  Its child is in a new walk. */
		m = cr_walk_alloc(root, root_only, &again);
		if (m < 0) {
			ret = m == -E2BIG ? cr_refuse(ctx, -EOPNOTSUPP, "more than %u tasks",
						      CR_TREE_MAX) : m;
			break;
		}
		if (m == ctx->nr_tasks && cr_same_walk(ctx->tasks, again, m)) {
			cr_put_tasks(again, m);
			kvfree(again);
			break;
		}
		if (round == CR_TREE_ROUNDS) {
			cr_put_tasks(again, m);
			kvfree(again);
			ret = cr_refuse(ctx, -EAGAIN, "still forking after %u rounds of freezing",
					round);
			break;
		}
		/* keep what is frozen frozen: the new walk takes over */
		for (i = 0; i < m; i++) {
			u32 j;

			for (j = 0; j < ctx->nr_tasks; j++) {
				if (ctx->tasks[j].task == again[i].task && ctx->tasks[j].frozen) {
					again[i].frozen = true;
					ctx->tasks[j].frozen = false;
				}
			}
		}
		cr_put_tasks(ctx->tasks, ctx->nr_tasks);
		kvfree(ctx->tasks);
		kvfree(ctx->procs);
		ctx->procs = NULL;
		ret = cr_take_walk(ctx, again, m);
		for (i = 0; !ret && i < ctx->nr_tasks; i++)
			ret = cr_check_task_kind(ctx, &again[i]);
	}
	return ret;
}

/*
 * The process groups and sessions of the tree, as indexes: a group or
 * session whose leader is not in the tree is outside, and all outside
 * ones must be the same (restart puts them in the restarter's).  The
 * whole tree must then be one restart can rebuild (cr_check_tree()).
 */
static int cr_tree_groups(struct cr_ctx *ctx)
{
	pid_t out_pgid = 0, out_sid = 0;
	struct cr_pid_idx *map;
	const char *why = NULL;
	struct cr_rec_tree r;
	struct cr_tree_task *recs;
	u32 i;
	int ret = 0;

	map = cr_pid_map(ctx, false);
	if (IS_ERR(map))
		return PTR_ERR(map);
	recs = kvmalloc_array(ctx->nr_tasks, sizeof(*recs), GFP_KERNEL);
	if (!recs) {
		kvfree(map);
		return -ENOMEM;
	}
	for (i = 0; i < ctx->nr_tasks && !ret; i++) {
		struct cr_task *t = &ctx->tasks[i];

		ctx->cur = t;
		t->rec.pgrp = cr_pid_find(map, ctx->nr_tasks, t->pgid);
		t->rec.session = cr_pid_find(map, ctx->nr_tasks, t->sid);
		if (t->rec.pgrp == CR_TREE_OUTSIDE) {
			if (out_pgid && out_pgid != t->pgid)
				ret = cr_refuse(ctx, -EOPNOTSUPP,
						"in process group %d, outside the tree like %d",
						t->pgid, out_pgid);
			out_pgid = t->pgid;
		}
		if (t->rec.session == CR_TREE_OUTSIDE) {
			if (out_sid && out_sid != t->sid)
				ret = cr_refuse(ctx, -EOPNOTSUPP,
						"in session %d, outside the tree like %d",
						t->sid, out_sid);
			out_sid = t->sid;
		}
		recs[i] = t->rec;
	}
	r.nr_tasks = ctx->nr_tasks;
	r.nr_procs = ctx->nr_procs;
	r.flags = ctx->pidns ? CR_TREE_PIDNS : 0;
	r.nr_ipc = 0;
	cr_tree_ns_rec(ctx, &r);
	for (i = 0; i < ctx->nr_tasks && !ret && !why; i++)
		why = cr_check_tree(&r, sizeof(r) + ctx->nr_tasks * sizeof(*recs), recs, i);
	if (why) {
		ctx->cur = &ctx->tasks[i - 1];
		ret = cr_refuse(ctx, -EOPNOTSUPP, "a tree restart could not rebuild: %s", why);
	}
	kvfree(recs);
	kvfree(map);
	return ret;
}

/*
 * Hold every task still, then check it again: its stack (its user
 * registers) pinned, its switch count noted; each process's mm taken.  A
 * task is checked for permission again once it is held: it may have run a
 * set-user-ID program before.
 */
static int cr_hold_tree(struct cr_ctx *ctx)
{
	u32 i;
	int ret;

	for (i = 0; i < ctx->nr_procs; i++) {
		struct cr_proc *p = &ctx->procs[i];

		ctx->cur = p->leader;
		p->mm = get_task_mm(p->leader->task);
		if (!p->mm)
			return -ESRCH;
		/* another process (CLONE_VM, vfork) could change its memory meanwhile */
		if (test_bit(MMF_MULTIPROCESS, &p->mm->flags))
			return cr_refuse(ctx, -EOPNOTSUPP,
					 "address space shared with another process");
	}
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct cr_task *t = &ctx->tasks[i];

		ctx->cur = t;
		if (cr_tree_is_zombie(t))
			continue;
		if (!try_get_task_stack(t->task))
			return -ESRCH;
		t->stack = true;
		if (!ptrace_may_access(t->task, PTRACE_MODE_ATTACH_REALCREDS))
			return -EPERM;
		ret = cr_arch_check_task(ctx, t);
		if (ret)
			return ret;
	}
	ctx->cur = NULL;
	return 0;
}

/**
 * cr_get_tree() - find, hold and check the tasks to checkpoint
 * @ctx: checkpoint context
 * @pid: the root: 0 or the caller's pid for the caller itself
 *
 * The caller itself is saved alone (its process, which must have one
 * thread); another process with its subtree, or alone with
 * CR_CHECKPOINT_ROOT_ONLY.  Every task must be ptrace-attachable by the
 * caller and stopped, or frozen by the checkpoint (CR_CHECKPOINT_FREEZE).
 *
 * Context: process context, may sleep; holds no lock when it returns.
 * Return: 0, or a negative errno (cr_put_tree() must be called either way).
 */
int cr_get_tree(struct cr_ctx *ctx, pid_t pid)
{
	struct task_struct *root;
	struct cr_task *self;
	int ret;

	if (!pid || pid == task_pid_vnr(current) || pid == task_tgid_vnr(current)) {
		/* frozen already; killing itself it would not return the crid */
		if (ctx->flags & (CR_CHECKPOINT_KILL | CR_CHECKPOINT_FREEZE))
			return -EINVAL;
		self = kvcalloc(1, sizeof(*self), GFP_KERNEL_ACCOUNT);
		if (!self)
			return -ENOMEM;
		cr_walk_one(self, 0, current, 0, CR_TREE_OUTSIDE);
		ret = cr_take_walk(ctx, self, 1);
		if (!ret)
			ret = cr_check_task_kind(ctx, ctx->tasks);
		if (!ret && get_nr_threads(current) != 1)
			ret = cr_refuse(ctx, -EOPNOTSUPP,
					"checkpoint of itself with more than one thread");
		if (!ret)
			ret = cr_hold_tree(ctx);
		return ret ?: cr_tree_groups(ctx);
	}
	root = find_get_task_by_vpid(pid);
	if (!root)
		return -ESRCH;
	/*
	 * The init of a pid namespace of its own: its tree is saved with the
	 * pids its tasks have there too (CR_TREE_PIDNS).  The namespace lives
	 * as long as its init, which the walk references.
	 */
	rcu_read_lock();
	if (task_active_pid_ns(root) != task_active_pid_ns(current) &&
	    task_active_pid_ns(root)->child_reaper == root->group_leader)
		ctx->pidns = task_active_pid_ns(root);
	rcu_read_unlock();
	/* no freezing a process the caller may not checkpoint */
	ret = ptrace_may_access(root, PTRACE_MODE_ATTACH_REALCREDS) ? 0 : -EPERM;
	if (!ret)
		ret = cr_tree_uts(ctx, root);
	if (!ret)
		cr_tree_ipc(ctx, root);
	if (!ret)
		ret = cr_walk_still(ctx, root, ctx->flags & CR_CHECKPOINT_ROOT_ONLY);
	put_task_struct(root);
	if (!ret)
		ret = cr_hold_tree(ctx);
	if (!ret)
		ret = cr_tree_groups(ctx);
	if (!ret)
		pr_debug("checkpoint of pid %d: %u tasks in %u processes\n", pid,
			 ctx->nr_tasks, ctx->nr_procs);
	return ret;
}

/**
 * cr_check_tree_still() - did every task of the tree stay still?
 * @ctx: checkpoint context, its tree held by cr_get_tree()
 *
 * A stopped task must still be stopped and have switched no more; a task
 * the checkpoint froze must still be in the freezer trap (a signal queued
 * may wake it there without it running user code).
 *
 * Return: 0, or -EAGAIN (logged) if one ran.
 */
int cr_check_tree_still(struct cr_ctx *ctx)
{
	u32 i;

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct cr_task *t = &ctx->tasks[i];
		struct task_struct *task = t->task;

		if (task == current || cr_tree_is_zombie(t))
			continue;
		ctx->cur = t;
		if (t->frozen) {
			if (!cr_task_frozen(task) || task->exit_state)
				return cr_refuse(ctx, -EAGAIN,
						 "it left the freezer trap during the checkpoint");
		} else if (cr_stopped(task) != t->nvcsw) {
			return cr_refuse(ctx, -EAGAIN, "it ran during the checkpoint");
		}
	}
	ctx->cur = NULL;
	return 0;
}

/**
 * cr_put_tree() - let the tasks of a checkpoint go
 * @ctx: checkpoint context
 * @dumped: the image was written whole
 *
 * After a successful dump with CR_CHECKPOINT_KILL every process of the
 * tree is killed where it stands, frozen or stopped, never to run again;
 * the tasks the checkpoint froze are thawed otherwise.
 */
void cr_put_tree(struct cr_ctx *ctx, bool dumped)
{
	u32 i;

	if (!ctx->tasks)
		return;
	if (dumped && (ctx->flags & CR_CHECKPOINT_KILL)) {
		cr_files_before_kill(ctx);
		for (i = 0; i < ctx->nr_procs; i++) {
			struct task_struct *task = ctx->procs[i].leader->task;

			if (task != current)
				do_send_sig_info(SIGKILL, SEND_SIG_PRIV, task, PIDTYPE_TGID);
		}
		/* killed, not thawed: none runs user code again */
		for (i = 0; i < ctx->nr_tasks; i++)
			ctx->tasks[i].frozen = false;
	}
	for (i = 0; i < ctx->nr_procs; i++)
		if (ctx->procs[i].mm)
			mmput(ctx->procs[i].mm);
	cr_put_tasks(ctx->tasks, ctx->nr_tasks);
}

/**
 * cr_write_tree() - write the tree record
 * @ctx: checkpoint context, its tree held
 *
 * Return: 0 or a negative errno.
 */
int cr_write_tree(struct cr_ctx *ctx)
{
	struct cr_tree_task *tasks;
	struct cr_rec_tree *r;
	size_t len = sizeof(*r) + ctx->nr_tasks * sizeof(*tasks);
	u32 i;
	int ret;

	/* the objects of its IPC namespace first: they may take the flag away */
	ret = cr_ipcns_read_objects(ctx);
	if (ret)
		return ret;
	r = kvmalloc(len, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->nr_tasks = ctx->nr_tasks;
	r->nr_procs = ctx->nr_procs;
	r->flags = ctx->pidns ? CR_TREE_PIDNS : 0;
	r->nr_ipc = ctx->nr_msgq + ctx->nr_sem_sets;
	cr_tree_ns_rec(ctx, r);
	tasks = (struct cr_tree_task *)(r + 1);
	for (i = 0; i < ctx->nr_tasks; i++)
		tasks[i] = ctx->tasks[i].rec;
	ret = cr_write_rec(ctx, CR_REC_TREE, r, len);
	kvfree(r);
	return ret ?: cr_ipcns_write_objects(ctx);
}

/* ------------------------------------------------------------------------ */
/* restart: before the point of no return                                   */
/* ------------------------------------------------------------------------ */

/**
 * cr_read_tree() - read and check the tree record
 * @ctx: restart context, after the arch record
 *
 * Return: 0; -EBADMSG for a tree that is not one; -ENOMEM.
 */
int cr_read_tree(struct cr_ctx *ctx)
{
	struct cr_tree_task *recs;
	struct cr_pid_idx *map;
	struct cr_rec_tree *r;
	const char *why;
	u32 len, i, procs = 0;
	int ret;

	r = cr_read_obj(ctx, CR_REC_TREE, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	recs = (struct cr_tree_task *)(r + 1);
	why = cr_check_tree(r, len, NULL, 0);
	for (i = 0; !why && i < r->nr_tasks; i++) {
		why = cr_check_tree(r, len, recs, i);
		procs += cr_tree_is_proc(recs, i);
	}
	if (!why && procs != r->nr_procs)
		why = "nr_procs is not the number of processes";
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "task %u: %s", i ? i - 1 : 0, why);
		goto out;
	}
	ret = -ENOMEM;
	ctx->tasks = kvcalloc(r->nr_tasks, sizeof(*ctx->tasks), GFP_KERNEL_ACCOUNT);
	if (!ctx->tasks)
		goto out;
	ctx->nr_tasks = r->nr_tasks;
	ctx->nr_procs = r->nr_procs;
	ctx->tree_flags = r->flags;
	ctx->ipc = r->ipc;
	memcpy(ctx->nodename, r->nodename, sizeof(ctx->nodename));
	memcpy(ctx->domainname, r->domainname, sizeof(ctx->domainname));
	for (i = 0; i < r->nr_tasks; i++)
		ctx->tasks[i].rec = recs[i];
	for (i = 0; i < (r->flags & CR_TREE_PIDNS ? 2 : 1); i++) {
		map = cr_pid_map(ctx, i);
		if (IS_ERR(map)) {
			ret = PTR_ERR(map);
			if (ret == -EEXIST)
				ret = cr_reject(ctx, -EBADMSG, "a pid twice");
			goto out;
		}
		kvfree(map);
	}
	ret = cr_link_tree(ctx) ?: cr_check_ipcns(ctx) ?: cr_ipcns_read_records(ctx, r->nr_ipc);
	pr_debug("restart %llu: %u tasks in %u processes\n", ctx->crid, ctx->nr_tasks,
		 ctx->nr_procs);
out:
	kvfree(r);
	return ret;
}

/**
 * cr_check_made() - can restart make the tree's tasks as the image has them?
 * @ctx: restart context, every section staged
 *
 * Tasks keep their pids unless CR_RESTART_NEW_PIDS: for an image of more
 * than one task that needs CAP_CHECKPOINT_RESTORE over the caller's pid
 * namespace (-EPERM), every pid free there (-EBUSY) and, unless the root
 * is made too (CR_RESTART_CHILD), the root's pid the caller's (-EBUSY).
 * A root that leads its session or its group must be able to become that
 * (-EPERM): the caller may not lead a group to start a session, nor a
 * session to start a group.
 *
 * Return: 0 or a negative errno, logged.
 */
int cr_check_made(struct cr_ctx *ctx)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	bool child = ctx->flags & CR_RESTART_CHILD;
	bool pidns = ctx->flags & CR_RESTART_PIDNS;
	bool utsns = ctx->flags & CR_RESTART_UTSNS;
	const struct cr_tree_task *root = &ctx->tasks[0].rec;
	u32 i;

	if (utsns && (!child || !(ctx->tree_flags & CR_TREE_UTSNS))) {
		pr_info_ratelimited("restart: CR_RESTART_UTSNS needs CR_RESTART_CHILD and a tree with a UTS namespace of its own\n");
		return -EINVAL;
	}
	if (utsns && !ns_capable(current_user_ns(), CAP_SYS_ADMIN)) {
		pr_info_ratelimited("restart: a new UTS namespace needs CAP_SYS_ADMIN\n");
		return -EPERM;
	}

	if (ns != current->nsproxy->pid_ns_for_children && (child || ctx->nr_tasks > 1)) {
		pr_info_ratelimited("restart: the caller's children go to another pid namespace\n");
		return -EOPNOTSUPP;
	}
	ctx->new_pids = (ctx->flags & CR_RESTART_NEW_PIDS) || ctx->nr_tasks == 1;
	if (pidns && (!child || !(ctx->tree_flags & CR_TREE_PIDNS))) {
		pr_info_ratelimited("restart: CR_RESTART_PIDNS needs CR_RESTART_CHILD and a pid namespace's tree\n");
		return -EINVAL;
	}
	if (!pidns && (ctx->tree_flags & CR_TREE_PIDNS) && !(ctx->flags & CR_RESTART_NEW_PIDS)) {
		pr_info_ratelimited("restart: a pid namespace's tree keeps its pids with CR_RESTART_PIDNS only\n");
		return -EINVAL;
	}
	if (pidns) {
		/* what clone(CLONE_NEWPID) and clone3()'s set_tid there ask */
		if (!ns_capable(current_user_ns(), CAP_SYS_ADMIN) ||
		    (!ctx->new_pids && !checkpoint_restore_ns_capable(current_user_ns()))) {
			pr_info_ratelimited("restart: a new pid namespace needs CAP_SYS_ADMIN (and pids CAP_CHECKPOINT_RESTORE)\n");
			return -EPERM;
		}
	} else if (!ctx->new_pids) {
		if (!checkpoint_restore_ns_capable(ns->user_ns)) {
			pr_info_ratelimited("restart: keeping pids needs CAP_CHECKPOINT_RESTORE\n");
			return -EPERM;
		}
		if (!child && root->pid != task_pid_vnr(current)) {
			pr_info_ratelimited("restart: the root's pid is %d, the caller's %d\n",
					    root->pid, task_pid_vnr(current));
			return -EBUSY;
		}
		rcu_read_lock();
		for (i = child ? 0 : 1; i < ctx->nr_tasks; i++)
			if (find_pid_ns(ctx->tasks[i].rec.pid, ns))
				break;
		rcu_read_unlock();
		if (i < ctx->nr_tasks) {
			pr_info_ratelimited("restart: pid %d is taken\n", ctx->tasks[i].rec.pid);
			return -EBUSY;
		}
	}
	if (!child) {
		bool group_leader = task_pgrp(current) == task_pid(current);
		bool session_leader = task_session(current) == task_pid(current);

		if ((root->session == 0 && group_leader && !session_leader) ||
		    (root->pgrp == 0 && root->session != 0 && current->signal->leader)) {
			pr_info_ratelimited("restart: the caller cannot lead the root's session or group\n");
			return -EPERM;
		}
	}
	ctx->outside_pgrp = get_pid(task_pgrp(current));
	return 0;
}

/* ------------------------------------------------------------------------ */
/* restart: past the point of no return                                     */
/* ------------------------------------------------------------------------ */

/**
 * cr_tree_fail() - past the point of no return, something failed
 * @ctx: restart context
 * @err: what (a negative errno)
 * @t: the task that failed
 *
 * Every task made so far is killed, and those to come are not made; the
 * caller too, unless the root is its child (CR_RESTART_CHILD).
 */
void cr_tree_fail(struct cr_ctx *ctx, int err, struct cr_task *t)
{
	u32 i;

	spin_lock(&ctx->lock);
	if (!ctx->failed) {
		ctx->failed = err;
		pr_info_ratelimited("restart %llu failed past the point of no return in pid %d (%d): killed\n",
				    ctx->crid, t ? t->rec.pid : 0, err);
	}
	for (i = 0; i < ctx->nr_tasks; i++)
		if (ctx->tasks[i].task)
			send_sig_info(SIGKILL, SEND_SIG_PRIV, ctx->tasks[i].task);
	spin_unlock(&ctx->lock);
	wake_up_all(&ctx->wait);
}

/* Wait for @cond, or for the tree to fail; killable. */
#define cr_tree_wait(ctx, cond)							\
	({									\
		struct cr_ctx *__ctx = (ctx);					\
		int __ret = wait_event_killable(__ctx->wait,			\
						(cond) || READ_ONCE(__ctx->failed)); \
		__ret ?: READ_ONCE(__ctx->failed);				\
	})

/* Has every task of the tree registered? */
static bool cr_all_made(struct cr_ctx *ctx)
{
	u32 i;

	for (i = 0; i < ctx->nr_tasks; i++)
		if (!READ_ONCE(ctx->tasks[i].task))
			return false;
	return true;
}

/* The value ax gets on the way out, after ret_from_fork() zeroed it. */
struct cr_retval {
	struct callback_head work;
	long ax;
};

static void cr_put_retval(struct callback_head *head)
{
	struct cr_retval *rv = container_of(head, struct cr_retval, work);

	task_pt_regs(current)->ax = rv->ax;
	kfree(rv);
}

static int cr_task_main(void *arg);

/*
 * Make the task for @c: a process (a child of the caller, or of the task
 * that runs this, as the image says) or, for a thread, a thread of the
 * caller's process.  It runs cr_task_main() once it is made, and is known
 * in @c->task once it registered.
 */
static int cr_make(struct cr_ctx *ctx, struct cr_task *c)
{
	bool thread = c->rec.leader != c->idx, pidns = ctx->flags & CR_RESTART_PIDNS;
	/* in a new pid namespace, the pid there: the level of the maker's children */
	pid_t tid = pidns ? c->rec.nspid : c->rec.pid;
	/* the root of a new pid namespace is its init, pid 1 there */
	bool keep = !ctx->new_pids && !(pidns && !c->idx);
	struct kernel_clone_args args = {
		.flags = thread ? CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				  CLONE_THREAD | CLONE_SYSVSEM | CLONE_UNTRACED :
				  CLONE_UNTRACED | (pidns && !c->idx ? CLONE_NEWPID : 0) |
				  (ctx->flags & CR_RESTART_UTSNS && !c->idx ? CLONE_NEWUTS : 0) |
				  (ctx->flags & CR_RESTART_IPCNS && !c->idx ? CLONE_NEWIPC : 0),
		.exit_signal = thread ? 0 : c->rec.exit_signal,
		.fn = cr_task_main,
		.fn_arg = c,
		.set_tid = keep ? &tid : NULL,
		.set_tid_size = keep ? 1 : 0,
	};
	pid_t pid;

	kref_get(&ctx->ref);
	pid = kernel_clone(&args);
	if (pid < 0) {
		kref_put(&ctx->ref, cr_ctx_release);
		return pid;
	}
	c->made = pid;
	return cr_tree_wait(ctx, READ_ONCE(c->task));
}

/* Wait for the zombie @z, a child of current, to end, and let wait(2) see it. */
static int cr_settle_zombie(struct cr_ctx *ctx, struct cr_task *z)
{
	struct task_struct *task = z->task;

	/* it ends at once: no waitqueue of ctx tells, so poll */
	while (!READ_ONCE(task->exit_state)) {
		if (READ_ONCE(ctx->failed))
			return READ_ONCE(ctx->failed);
		if (schedule_timeout_killable(1) && fatal_signal_pending(current))
			return -EINTR;
	}
	write_lock_irq(&tasklist_lock);
	task->exit_signal = z->rec.exit_signal;
	write_unlock_irq(&tasklist_lock);
	atomic_inc(&ctx->nr_done);
	wake_up_all(&ctx->wait);
	return 0;
}

/* The child processes of @t, as the image has them. */
static int cr_make_children(struct cr_ctx *ctx, struct cr_task *t)
{
	u32 i;
	int ret = 0;

	for (i = t->child; !ret && i != CR_TREE_OUTSIDE; i = ctx->tasks[i].sibling)
		ret = cr_make(ctx, &ctx->tasks[i]);
	return ret;
}

/* Then its zombies, each gone as soon as it is in its group. */
static int cr_settle_zombies(struct cr_ctx *ctx, struct cr_task *t)
{
	u32 i;
	int ret = 0;

	for (i = t->child; !ret && i != CR_TREE_OUTSIDE; i = ctx->tasks[i].sibling)
		if (cr_tree_is_zombie(&ctx->tasks[i]))
			ret = cr_settle_zombie(ctx, &ctx->tasks[i]);
	return ret;
}

static int cr_make_threads(struct cr_ctx *ctx, struct cr_task *t)
{
	u32 i;
	int ret = 0;

	for (i = 1; !ret && i < t->proc->nr_threads; i++)
		ret = cr_make(ctx, &ctx->tasks[t->idx + i]);
	return ret;
}

/* Restore the sections of @scope for @t that are @early or not, in table order. */
static int cr_restore_scope(struct cr_ctx *ctx, struct cr_task *t, u32 scope, bool early)
{
	unsigned int i;
	int ret;

	for (i = 0; i < cr_nr_sections; i++) {
		if (cr_sections[i]->scope != scope || cr_sections[i]->early != early)
			continue;
		ret = cr_sections[i]->restore(ctx, t);
		if (ret) {
			pr_info_ratelimited("restart %llu: restoring the %s section of pid %d failed: %d\n",
					    ctx->crid, cr_sections[i]->name, t->rec.pid, ret);
			return ret;
		}
	}
	return 0;
}

/* A session leader of the image, a leader or a zombie, starts its session before its children. */
static int cr_join_session(struct cr_task *t)
{
	int ret;

	if (t->rec.session == t->idx && task_session(current) != task_pid(current)) {
		ret = ksys_setsid();
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * The process group of @t, a leader or a zombie, in its session: it joins
 * its group once the group's leader made it (or makes it, leading it).
 * Its children, born in the group it had, join their own.
 */
static int cr_join_group(struct cr_ctx *ctx, struct cr_task *t)
{
	u32 g = t->rec.pgrp;
	pid_t pgid;
	int ret;

	if (g != CR_TREE_OUTSIDE && g != t->idx) {
		/* pairs with the release below, in the group's leader */
		ret = cr_tree_wait(ctx, smp_load_acquire(&ctx->tasks[g].grouped));
		if (ret)
			return ret;
	}
	/* the caller's group, which a new pid namespace does not see */
	rcu_read_lock();
	pgid = g != CR_TREE_OUTSIDE ? task_pid_vnr(ctx->tasks[g].task) :
	       task_pgrp(current) == ctx->outside_pgrp ? task_pgrp_vnr(current) :
	       pid_vnr(ctx->outside_pgrp) ?: -ESRCH;
	rcu_read_unlock();
	if (pgid < 0)
		return pgid;
	if (task_pgrp_vnr(current) != pgid) {
		ret = ksys_setpgid(0, pgid);
		if (ret)
			return ret;
	}
	/* in its group, before a member reads grouped and joins it */
	smp_store_release(&t->grouped, true);
	wake_up_all(&ctx->wait);
	return 0;
}

/*
 * A zombie of the image, made by its parent: it ends as soon as it is in
 * its session and group, with its saved status, and no signal to its
 * parent (exit_signal 0); its parent then gives it its exit_signal back
 * (cr_settle_zombie()), so that wait(2) finds it as before.
 */
static void cr_zombie_run(struct cr_ctx *ctx, struct cr_task *t)
{
	int ret = cr_join_session(t), code = t->rec.exit_code;

	if (!ret)
		ret = cr_join_group(ctx, t);
	if (ret) {
		cr_tree_fail(ctx, ret, t);
		return;
	}
	write_lock_irq(&tasklist_lock);
	current->exit_signal = 0;
	write_unlock_irq(&tasklist_lock);
	kref_put(&ctx->ref, cr_ctx_release);
	do_exit(code);
}

/*
 * A leader's turn at the image: its pages; the last reads the tail.
 */
static int cr_proc_turn(struct cr_ctx *ctx, struct cr_proc *p)
{
	int ret;

	ret = cr_tree_wait(ctx, READ_ONCE(ctx->turn) == p->idx);
	if (ret)
		return ret;
	ret = cr_restore_pages(ctx, p);
	if (!ret && p->idx == ctx->nr_procs - 1)
		ret = cr_read_tail(ctx);
	if (ret)
		return ret;
	/* the stream read so far, before the next process reads on */
	smp_store_release(&ctx->turn, p->idx + 1);
	wake_up_all(&ctx->wait);
	return 0;
}

/*
 * Restore task @t in its own context: make its children (and a leader its
 * threads), restore its sections, read its process's pages in turn, and
 * wait for every task of the tree.
 */
static int cr_task_run(struct cr_ctx *ctx, struct cr_task *t)
{
	bool leader = t->proc->leader == t;
	int ret = 0;

	cr_forget_caller(leader);
	/* the root of a new UTS namespace names it first: its children are born in it */
	if (!t->idx && ctx->flags & CR_RESTART_UTSNS) {
		down_write(&uts_sem);
		strscpy(utsname()->nodename, ctx->nodename, sizeof(utsname()->nodename));
		strscpy(utsname()->domainname, ctx->domainname, sizeof(utsname()->domainname));
		up_write(&uts_sem);
		uts_proc_notify(UTS_PROC_HOSTNAME);
		uts_proc_notify(UTS_PROC_DOMAINNAME);
	}
	/* and of a new IPC namespace, its objects and limits, before anyone uses it */
	if (!t->idx && ctx->flags & CR_RESTART_IPCNS) {
		ret = cr_ipcns_make_objects(ctx);
		cr_ipc_limits_set(current->nsproxy->ipc_ns, &ctx->ipc);
	}
	if (ret)
		goto fail;
	/*
	 * A leader starts its session, restores its address space and reads
	 * its pages, then makes its child processes: each is born in that
	 * session as a copy of it, keeps the mappings it inherits with the
	 * pages they still share (CR_VMA_F_INHERIT) and replaces the rest.
	 * Only then does it join its process group, which may wait for a
	 * leader made later, and restore its other sections.  Its threads
	 * come once its process is restored, and share it.
	 */
	if (leader) {
		ret = cr_join_session(t);
		if (!ret)
			ret = cr_restore_scope(ctx, t, CR_SCOPE_PROC, true);
		if (!ret)
			ret = cr_proc_turn(ctx, t->proc);
	}
	if (!ret)
		ret = cr_make_children(ctx, t);
	if (!ret && leader)
		ret = cr_join_group(ctx, t);
	if (!ret && leader)
		ret = cr_restore_scope(ctx, t, CR_SCOPE_PROC, false);
	if (!ret && leader)
		ret = cr_make_threads(ctx, t);
	if (!ret)
		ret = cr_settle_zombies(ctx, t);
	if (!ret)
		ret = cr_restore_scope(ctx, t, CR_SCOPE_TASK, false);
	/* pidfds once every task they may name is made, before any runs */
	if (!ret && leader && cr_has_pidfds(ctx, t)) {
		ret = cr_tree_wait(ctx, cr_all_made(ctx));
		if (!ret)
			ret = cr_restore_pidfds(ctx, t);
	}
	if (!ret) {
		atomic_inc(&ctx->nr_done);
		wake_up_all(&ctx->wait);
		ret = cr_tree_wait(ctx, atomic_read(&ctx->nr_done) == ctx->nr_tasks);
	}
fail:
	if (ret)
		cr_tree_fail(ctx, ret, t);
	return ret;
}

/* Whole: the restored mask, and the signals pending meanwhile. */
static void cr_task_whole(struct cr_task *t)
{
	set_current_blocked(&t->blocked);
	if (t->notify)
		set_notify_signal(current);
}

/* A task restart made: restore it, then return to user space where it stopped. */
static int cr_task_main(void *arg)
{
	struct cr_task *t = arg;
	struct cr_ctx *ctx = t->ctx;
	struct cr_retval *rv;
	bool failed;

	spin_lock(&ctx->lock);
	t->task = get_task_struct(current);
	/* a failure before it registered: it dies with the others */
	failed = ctx->failed;
	if (failed)
		send_sig_info(SIGKILL, SEND_SIG_PRIV, current);
	spin_unlock(&ctx->lock);
	wake_up_all(&ctx->wait);

	if (!failed && cr_tree_is_zombie(t)) {
		cr_zombie_run(ctx, t);
	} else if (!failed && !cr_task_run(ctx, t)) {
		/* ret_from_fork() zeroes ax after this: put it back on the way out */
		rv = kmalloc(sizeof(*rv), GFP_KERNEL);
		if (rv) {
			rv->ax = t->retval;
			init_task_work(&rv->work, cr_put_retval);
			if (task_work_add(current, &rv->work, TWA_SIGNAL)) {
				kfree(rv);
				rv = NULL;
			}
		}
		if (rv)
			cr_task_whole(t);
		else
			cr_tree_fail(ctx, -ENOMEM, t);
	}
	kref_put(&ctx->ref, cr_ctx_release);
	/* killed if anything failed: it never gets to user space */
	return 0;
}

/*
 * CR_RESTART_CHILD, the tree killed: the root is the caller's child, reaped
 * here, not left behind; and so is every process of the tree that its
 * death makes the caller's (a child subreaper's).  Parents come before
 * their children in the tree, so each is reparented before it is waited
 * for; a process that is not the caller's is left to its new parent.
 */
static void cr_reap_tree(struct cr_ctx *ctx)
{
	u32 i;

	for (i = 0; i < ctx->nr_tasks; i++) {
		const struct cr_task *t = &ctx->tasks[i];

		if (t->rec.leader == i && t->made)
			kernel_wait4(t->made, NULL, __WALL, NULL);
	}
}

/**
 * cr_restart_tree() - make and restore every task of the tree
 * @ctx: restart context, past the point of no return
 *
 * The caller is the root, or with CR_RESTART_CHILD makes the root as its
 * child and waits until the tree is whole.
 *
 * Context: process context, every signal but SIGKILL blocked.
 * Return: the root's pid (CR_RESTART_CHILD) or 0 (the caller is the root:
 * its restored registers get the root's retval in ax); or a negative
 * errno, every task of the tree killed (and the caller with them, unless
 * it made the root).
 */
long cr_restart_tree(struct cr_ctx *ctx)
{
	struct cr_task *root = &ctx->tasks[0];
	int ret;

	if (!(ctx->flags & CR_RESTART_CHILD)) {
		/* known, so that a failure anywhere in the tree kills it too */
		spin_lock(&ctx->lock);
		root->task = get_task_struct(current);
		spin_unlock(&ctx->lock);
		ret = cr_task_run(ctx, root);
		if (ret)
			return ret;
		cr_task_whole(root);
		return 0;
	}
	ret = cr_make(ctx, root);
	if (!ret)
		ret = cr_tree_wait(ctx, atomic_read(&ctx->nr_done) == ctx->nr_tasks);
	if (ret) {
		cr_tree_fail(ctx, ret, NULL);
		cr_reap_tree(ctx);
		return ret;
	}
	set_current_blocked(&ctx->blocked);
	return task_pid_vnr(root->task);
}

/**
 * cr_free_tree() - drop the tasks of a restart or a checkpoint context
 * @ctx: the context, its last reference gone
 */
void cr_free_tree(struct cr_ctx *ctx)
{
	unsigned int i, j;

	for (i = 0; ctx->tasks && i < ctx->nr_tasks; i++) {
		struct cr_task *t = &ctx->tasks[i];

		for (j = 0; j < cr_nr_sections; j++) {
			const struct cr_section *s = cr_sections[j];

			if (t->proc && (s->scope == CR_SCOPE_TASK || t->proc->leader == t))
				s->free(ctx, t);
		}
		if (t->task)
			put_task_struct(t->task);
	}
	for (j = 0; j < cr_nr_sections; j++)
		cr_sections[j]->free(ctx, NULL);
	kvfree(ctx->tasks);
	kvfree(ctx->procs);
	ctx->tasks = NULL;
	ctx->procs = NULL;
	put_pid(ctx->outside_pgrp);
	ctx->outside_pgrp = NULL;
	cr_ipcns_free(ctx);
}
