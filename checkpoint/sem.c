// SPDX-License-Identifier: GPL-2.0
/*
 * cr: SysV semaphore adjustments (semop(2) with SEM_UNDO).
 *
 * A process that takes a semaphore with SEM_UNDO holds it until it gives
 * it back, or until it exits: its exit adds its adjustment back to the
 * value.  A semaphore set is an object of the IPC namespace, as a file is
 * of a file system; what belongs to the process is its adjustments.  So
 * checkpoint saves, for each process, the sets on which it has an
 * adjustment that is not zero, with the set's id, key, mode and values.
 *
 * The original is killed after the checkpoint, as a rule, and its exit
 * gives back what it held.  Restart, before its point of no return, takes
 * it again for the restored process, from the set of the restarter's IPC
 * namespace with that id, key and size: each value lowered by the
 * adjustment, all or nothing, without waiting (EAGAIN if another process
 * took it meanwhile).  If the set is gone, restart makes it again with its
 * id (CAP_CHECKPOINT_RESTORE), key, mode and the image's values, which
 * hold what the tree held.  Past the point of no return each restored
 * process gets its adjustments, so that its exit undoes them again.  A
 * restart that fails gives back what it took and removes what it made.
 *
 * Threads share their adjustments (CLONE_SYSVSEM): they are saved once,
 * for the process; a thread with its own, or a list shared with another
 * process, is refused.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/checkpoint.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sem.h>
#include <linux/sem_undo.h>
#include <linux/slab.h>
#include <linux/sort.h>

/*
 * What restart did with a set a process has adjustments on.  The first
 * two are set before the point of no return; past it the process's
 * restore and a failure's release race for a held set, and one wins.
 */
enum cr_sem_step {
	CR_SEM_STAGED,		/* read: nothing done yet */
	CR_SEM_MADE,		/* made with the image's values: nothing to take */
	CR_SEM_HELD,		/* its hold taken again: given back if restart fails */
	CR_SEM_GIVEN,		/* the restored process has the adjustments */
	CR_SEM_RELEASED,	/* the hold given back: restart failed */
};

/**
 * struct cr_sem_set - restart: a set a process has adjustments on
 * @set: its id, key, mode, size and values, and the adjustments
 * @step: enum cr_sem_step
 */
struct cr_sem_set {
	struct sem_undo_set set;
	atomic_t step;
};

/**
 * struct cr_sem_state - restart: a process's staged adjustments
 * @sets: the sets, @nr of them, in the image's (increasing id) order
 * @nr: their number
 * @cap: the room of @sets
 */
struct cr_sem_state {
	struct cr_sem_set *sets;
	u32 nr;
	u32 cap;
};

/* The tasks of @t's process other than those sharing @list: none with adjustments. */
static int cr_sem_threads(struct cr_ctx *ctx, struct cr_task *t, const void *list,
			  int *sharing)
{
	u32 i;

	*sharing = 0;
	for (i = 0; i < t->proc->nr_threads; i++) {
		struct task_struct *th = ctx->tasks[t->idx + i].task;

		if (!th)
			continue;
		if (READ_ONCE(th->sysvsem.undo_list) == list)
			(*sharing)++;
		else if (sem_undo_pending(th))
			return cr_refuse(ctx, -EOPNOTSUPP,
					 "a thread with SysV semaphore adjustments (SEM_UNDO) of its own");
	}
	return 0;
}

static int cr_write_sem_set(struct cr_ctx *ctx, const struct sem_undo_set *s)
{
	struct cr_rec_sem_undo *r;
	struct cr_sem *sem;
	u32 len = sizeof(*r) + s->nsems * sizeof(*sem);
	int i, ret;

	r = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	*r = (struct cr_rec_sem_undo){
		.id = s->id,
		.key = s->key,
		.mode = s->mode,
		.nsems = s->nsems,
	};
	sem = (struct cr_sem *)(r + 1);
	for (i = 0; i < s->nsems; i++)
		sem[i] = (struct cr_sem){ .val = s->vals[i], .adj = s->adj[i] };
	ret = cr_write_rec(ctx, CR_REC_SEM_UNDO, r, len);
	kvfree(r);
	return ret;
}

static int cr_sem_cmp(const void *a, const void *b)
{
	const struct sem_undo_set *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Checkpoint: a record per set the process has adjustments on, by increasing id. */
static int cr_write_sem_undo(struct cr_ctx *ctx, struct cr_task *t)
{
	const void *list = READ_ONCE(t->task->sysvsem.undo_list);
	struct sem_undo_set *sets;
	int nr, users, sharing, i, ret;

	ret = cr_sem_threads(ctx, t, list, &sharing);
	if (ret)
		return ret;
	nr = sem_undo_read(t->task, &sets, &users);
	if (nr <= 0)
		return nr;
	ret = -EOPNOTSUPP;
	if (users > sharing) {
		cr_refuse(ctx, ret,
			  "SysV semaphore adjustments (SEM_UNDO) shared with another process (CLONE_SYSVSEM)");
		goto out;
	}
	if (nr > CR_SEM_UNDO_MAX) {
		cr_refuse(ctx, ret, "SysV semaphore adjustments on %d sets, at most %u", nr,
			  CR_SEM_UNDO_MAX);
		goto out;
	}
	/* in id order, as restart checks */
	sort(sets, nr, sizeof(*sets), cr_sem_cmp, NULL);
	for (i = 0, ret = 0; i < nr && !ret; i++) {
		pr_debug("checkpoint: pid %d: SEM_UNDO on set %d, %d semaphores\n",
			 task_pid_nr(t->task), sets[i].id, sets[i].nsems);
		ret = cr_write_sem_set(ctx, &sets[i]);
	}
out:
	sem_undo_free(sets, nr);
	return ret;
}

/*
 * Where @id is, or goes, in the sorted ids of the sets this restart made
 * (ctx->sem_made): a binary search, for an image may hold millions of
 * records.
 */
static u32 cr_sem_made_pos(struct cr_ctx *ctx, int id, bool *found)
{
	u32 lo = 0, hi = ctx->nr_sem_made;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ctx->sem_made[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < ctx->nr_sem_made && ctx->sem_made[lo] == id;
	return lo;
}

/* Remember that this restart made the set of @id (not there yet). */
static int cr_sem_made_add(struct cr_ctx *ctx, int id)
{
	bool found;
	u32 pos = cr_sem_made_pos(ctx, id, &found);
	int *made;

	if (ctx->nr_sem_made == ctx->cap_sem_made) {
		made = krealloc_array(ctx->sem_made, ctx->cap_sem_made ? 2 * ctx->cap_sem_made : 8,
				      sizeof(*made), GFP_KERNEL);
		if (!made)
			return -ENOMEM;
		ctx->sem_made = made;
		ctx->cap_sem_made = ctx->cap_sem_made ? 2 * ctx->cap_sem_made : 8;
	}
	memmove(&ctx->sem_made[pos + 1], &ctx->sem_made[pos],
		(ctx->nr_sem_made - pos) * sizeof(*ctx->sem_made));
	ctx->sem_made[pos] = id;
	ctx->nr_sem_made++;
	return 0;
}

/*
 * Restart, before the point of no return: hold again what the process
 * held on the set of that id, or make the set again.
 */
static int cr_sem_stage(struct cr_ctx *ctx, struct cr_sem_set *s)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	int id = s->set.id, ret;
	bool made;

	/*
	 * The tree's IPC namespace, made again: the root makes the set with
	 * the values it had, which hold what the process held.
	 */
	if (ctx->flags & CR_RESTART_IPCNS) {
		const struct cr_rec_sem_set *set = cr_ipcns_sem_set(ctx, id);

		if (!set || set->key != s->set.key || set->nsems != s->set.nsems)
			return cr_reject(ctx, -EBADMSG,
					 "SysV semaphore set %d: not one of its IPC namespace", id);
		atomic_set(&s->step, CR_SEM_MADE);
		return 0;
	}
	cr_sem_made_pos(ctx, id, &made);
	if (made) {
		atomic_set(&s->step, CR_SEM_MADE);
		return 0;
	}
	ret = sem_undo_take(ns, &s->set, false);
	if (!ret) {
		atomic_set(&s->step, CR_SEM_HELD);
		return 0;
	}
	switch (ret) {
	case -EINVAL:
	case -EIDRM:
		break;	/* gone: made again below */
	case -EBUSY:
		return cr_reject(ctx, ret, "SysV semaphore set %d: the id is another set's", id);
	case -EAGAIN:
		return cr_reject(ctx, ret,
				 "SysV semaphore set %d: taken meanwhile, the process cannot hold it again",
				 id);
	default:
		return cr_reject(ctx, ret, "SysV semaphore set %d: cannot hold it again", id);
	}
	if (!checkpoint_restore_ns_capable(ns->user_ns))
		return cr_reject(ctx, -EPERM,
				 "SysV semaphore set %d: to make it with its id needs CAP_CHECKPOINT_RESTORE",
				 id);
	ret = sem_make_set(ns, &s->set);
	if (ret < 0)
		return cr_reject(ctx, ret, "SysV semaphore set %d (key %#x): cannot make it", id,
				 s->set.key);
	atomic_set(&s->step, CR_SEM_MADE);
	/* known at once: cr_unmake_sems() removes it if anything fails */
	ret = cr_sem_made_add(ctx, id);
	if (ret) {
		sem_remove_set(ns, id);
		return ret;
	}
	pr_debug("restart %llu: made SysV semaphore set %d\n", ctx->crid, id);
	return 0;
}

/* Stage one record into @s: its copy of the set and the adjustments. */
static int cr_sem_fill(struct cr_sem_set *s, const struct cr_rec_sem_undo *r)
{
	const struct cr_sem *sem = (const struct cr_sem *)(r + 1);
	u32 i;

	s->set = (struct sem_undo_set){
		.id = r->id,
		.key = r->key,
		.mode = r->mode,
		.nsems = r->nsems,
	};
	s->set.vals = kvmalloc_array(r->nsems, sizeof(*s->set.vals), GFP_KERNEL_ACCOUNT);
	s->set.adj = kvmalloc_array(r->nsems, sizeof(*s->set.adj), GFP_KERNEL_ACCOUNT);
	if (!s->set.vals || !s->set.adj)
		return -ENOMEM;
	for (i = 0; i < r->nsems; i++) {
		s->set.vals[i] = sem[i].val;
		s->set.adj[i] = sem[i].adj;
	}
	return 0;
}

/* Room for one more record in @ss, doubling. */
static int cr_sem_grow(struct cr_sem_state *ss)
{
	struct cr_sem_set *sets;
	u32 cap = ss->cap ? 2 * ss->cap : 8;

	if (ss->nr < ss->cap)
		return 0;
	sets = krealloc_array(ss->sets, cap, sizeof(*sets), GFP_KERNEL);
	if (!sets)
		return -ENOMEM;
	ss->sets = sets;
	ss->cap = cap;
	return 0;
}

static int cr_read_sem_undo(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_sem_state *ss;
	struct cr_rec_sem_undo *r;
	struct cr_sem_set *sets;
	const char *why;
	int type, ret;
	u32 len;

	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return -ENOMEM;
	t->proc->sem = ss;
	while ((type = cr_next_type(ctx)) == CR_REC_SEM_UNDO) {
		r = cr_read_obj(ctx, CR_REC_SEM_UNDO, &len);
		if (IS_ERR(r))
			return PTR_ERR(r);
		why = cr_check_sem_undo(r, len, ss->nr ? ss->sets[ss->nr - 1].set.id : -1);
		if (why) {
			ret = cr_reject(ctx, -EBADMSG, "%s", why);
		} else if (!IS_ENABLED(CONFIG_SYSVIPC)) {
			ret = cr_reject(ctx, -EOPNOTSUPP, "SysV IPC not configured");
		} else if (ss->nr >= CR_SEM_UNDO_MAX) {
			ret = cr_reject(ctx, -EBADMSG, "more than %u sets", CR_SEM_UNDO_MAX);
		} else {
			ret = cr_sem_grow(ss);
			if (!ret) {
				sets = &ss->sets[ss->nr++];
				memset(sets, 0, sizeof(*sets));
				ret = cr_sem_fill(sets, r) ?: cr_sem_stage(ctx, sets);
			}
		}
		kvfree(r);
		if (ret)
			return ret;
	}
	/* the end of the stream is the next section's to report */
	return type < 0 && type != -ENODATA ? type : 0;
}

/*
 * Past the point of no return, in the restored process: its adjustments,
 * for its exit to undo.  A set removed meanwhile took the hold with it.
 */
static int cr_restore_sem_undo(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_sem_state *ss = t->proc->sem;
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	u32 i;
	int ret;

	for (i = 0; ss && i < ss->nr; i++) {
		struct cr_sem_set *s = &ss->sets[i];

		if (atomic_read(&s->step) != CR_SEM_MADE &&
		    atomic_cmpxchg(&s->step, CR_SEM_HELD, CR_SEM_GIVEN) != CR_SEM_HELD)
			return -EINTR;	/* released: the restart failed */
		ret = sem_undo_add(ns, &s->set);
		if (ret == -EINVAL || ret == -EIDRM) {
			pr_debug("restart %llu: SysV semaphore set %d removed meanwhile\n",
				 ctx->crid, s->set.id);
			continue;
		}
		if (ret) {
			pr_info_ratelimited("restart %llu: SEM_UNDO on SysV semaphore set %d: %d\n",
					    ctx->crid, s->set.id, ret);
			return ret;
		}
	}
	return 0;
}

/**
 * cr_unmake_sems() - undo what restart did to semaphore sets, as it fails
 * @ctx: restart context
 *
 * Gives back the holds no restored process took over (each process that
 * did gives them back as it dies), then removes the sets restart made,
 * with whatever adjustments they carry.  A restart may fail before it
 * knows the processes (a bad tree record): then there is nothing to undo.
 *
 * Context: the caller of restart(2), in its IPC namespace.
 */
void cr_unmake_sems(struct cr_ctx *ctx)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	u32 i, j;
	int ret;

	if (!ctx->procs)
		return;
	for (i = 0; i < ctx->nr_procs; i++) {
		struct cr_sem_state *ss = ctx->procs[i].sem;

		for (j = 0; ss && j < ss->nr; j++) {
			struct cr_sem_set *s = &ss->sets[j];

			if (atomic_cmpxchg(&s->step, CR_SEM_HELD, CR_SEM_RELEASED) != CR_SEM_HELD)
				continue;
			ret = sem_undo_take(ns, &s->set, true);
			if (ret)
				pr_debug("restart %llu: giving back SysV semaphore set %d: %d\n",
					 ctx->crid, s->set.id, ret);
		}
	}
	/* with whatever adjustments the processes got on them */
	for (i = 0; i < ctx->nr_sem_made; i++) {
		ret = sem_remove_set(ns, ctx->sem_made[i]);
		pr_debug("restart %llu: removing SysV semaphore set %d: %d\n", ctx->crid,
			 ctx->sem_made[i], ret);
	}
	ctx->nr_sem_made = 0;
}

static void cr_free_sem_undo(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_sem_state *ss = t ? t->proc->sem : NULL;
	u32 i;

	kfree(ctx->sem_made);
	ctx->sem_made = NULL;
	ctx->nr_sem_made = 0;
	ctx->cap_sem_made = 0;
	if (!ss)
		return;
	for (i = 0; i < ss->nr; i++) {
		kvfree(ss->sets[i].set.vals);
		kvfree(ss->sets[i].set.adj);
	}
	kfree(ss->sets);
	kfree(ss);
	t->proc->sem = NULL;
}

/* SysV semaphore adjustments, with their sets. */
const struct cr_section cr_sem_undo_section = {
	.name		= "sem_undo",
	.scope		= CR_SCOPE_PROC,
	.write		= cr_write_sem_undo,
	.read		= cr_read_sem_undo,
	.restore	= cr_restore_sem_undo,
	.free		= cr_free_sem_undo,
};
