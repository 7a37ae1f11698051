// SPDX-License-Identifier: GPL-2.0
/*
 * cr: inotify files.
 *
 * An inotify file is saved with its watches, the descriptor its next
 * inotify_add_watch(2) would return and the events queued on it (as
 * read(2) would return them, read without being consumed).  A watch names
 * an inode, not a path: checkpoint finds a path to it from the
 * checkpointer's root (a name of it in the dentry cache, under a mount of
 * the checkpointer's namespace that shows it) and checks that the path
 * leads back to it.  Restart makes the file again, looks each path up
 * before its point of no return, and once every file of the image is
 * open queues the events again, then adds each watch back with its own
 * descriptor, so that the restart's own opens are not seen.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/inotify.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>

/* A watch, staged: what it watches, looked up before the point of no return. */
struct cr_inotify_watch {
	struct path path;
	u32 mask;
	s32 wd;
};

/* An inotify file made again, its watches and events to add once all files are open. */
struct cr_inotify_stage {
	struct file *file;
	void *events;
	u64 events_len;
	struct cr_inotify_watch *watches;
	u32 nr_watches;
};

/**
 * struct cr_inotify_state - the inotify files restart made
 * @stages: one per file, in image order
 * @nr: number of @stages
 * @cap: room in @stages
 */
struct cr_inotify_state {
	struct cr_inotify_stage *stages;
	u32 nr;
	u32 cap;
};

static int cr_watch_cmp(const void *a, const void *b)
{
	const struct inotify_watch_info *x = a, *y = b;

	return x->wd < y->wd ? -1 : x->wd > y->wd;
}

/* The watches of @file by descriptor, each inode referenced: their number, or -errno. */
static int cr_inotify_watches(struct cr_ctx *ctx, struct file *file, unsigned int fd,
			      struct inotify_watch_info **wp, int *next_wd)
{
	struct inotify_watch_info *w;
	int max, n;

	for (max = 64;; max *= 2) {
		w = kvmalloc_array(max, sizeof(*w), GFP_KERNEL);
		if (!w)
			return -ENOMEM;
		n = inotify_file_watches(file, w, max, next_wd);
		if (n != -E2BIG || max >= CR_INOTIFY_WATCHES_MAX)
			break;
		kvfree(w);
	}
	if (n < 0) {
		kvfree(w);
		return n != -E2BIG ? n : cr_refuse(ctx, -EOPNOTSUPP,
						   "fd %u: an inotify file of more than %u watches",
						   fd, CR_INOTIFY_WATCHES_MAX);
	}
	sort(w, n, sizeof(*w), cr_watch_cmp, NULL);
	*wp = w;
	return n;
}

/* The events queued on @file, as read(2) returns them: their length, or -errno. */
static ssize_t cr_inotify_events(struct cr_ctx *ctx, struct file *file, unsigned int fd,
				 void **eventsp)
{
	size_t size;
	ssize_t len;
	void *buf;

	for (size = 4096;; size *= 2) {
		buf = kvmalloc(size, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		len = inotify_file_events(file, buf, size);
		if (len != -E2BIG || size >= CR_INOTIFY_EVENTS_MAX)
			break;
		kvfree(buf);
	}
	if (len < 0) {
		kvfree(buf);
		return len != -E2BIG ? len : cr_refuse(ctx, -EOPNOTSUPP,
						       "fd %u: an inotify file with more than %u bytes of events queued",
						       fd, CR_INOTIFY_EVENTS_MAX);
	}
	*eventsp = buf;
	return len;
}

/* Naming an inode: what cr_inotify_mnt() looks for, and what it found. */
struct cr_inotify_name {
	struct inode *inode;
	struct dentry *alias;
	struct path root;
	char *buf;
	char *path;
};

/*
 * @mnt, a copy of a mount of the caller's namespace: if it shows @n's
 * alias, its path from the caller's root, if that path leads to the inode.
 */
static int cr_inotify_mnt(struct vfsmount *mnt, void *arg)
{
	struct cr_inotify_name *n = arg;
	struct path p = { .mnt = mnt, .dentry = n->alias };
	struct path found;
	bool same;
	char *s;

	if (mnt->mnt_sb != n->inode->i_sb)
		return 0;
	s = __d_path(&p, &n->root, n->buf, PATH_MAX);
	if (IS_ERR_OR_NULL(s) || kern_path(s, 0, &found))
		return 0;
	same = d_inode(found.dentry) == n->inode;
	path_put(&found);
	if (!same)
		return 0;
	n->path = s;
	return 1;
}

/*
 * The path of the inode of watch @w, from the caller's root, in @n->buf:
 * NULL if none of the mounts of @tree (the caller's, copied) shows a name
 * of it that leads back to it.
 */
static const char *cr_inotify_path(struct vfsmount *tree, struct cr_inotify_name *n,
				   const struct inotify_watch_info *w)
{
	n->inode = w->inode;
	n->alias = d_find_alias(w->inode);
	n->path = NULL;
	if (!n->alias)
		return NULL;
	iterate_mounts(cr_inotify_mnt, n, tree);
	dput(n->alias);
	return n->path;
}

/*
 * The records of the watches @w (@nr of them) of inotify file @objref, on
 * fd @fd: each with its path.
 */
static int cr_write_watches(struct cr_ctx *ctx, u32 objref, unsigned int fd,
			    const struct inotify_watch_info *w, int nr)
{
	struct cr_inotify_name n = {};
	struct cr_rec_inotify *r;
	struct vfsmount *tree;
	const char *path;
	int i, ret = 0;

	r = kmalloc(sizeof(*r) + PATH_MAX, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	get_fs_root(current->fs, &n.root);
	tree = collect_mounts(&n.root);
	path_put(&n.root);
	if (IS_ERR(tree)) {
		ret = PTR_ERR(tree);
		goto out;
	}
	n.root.mnt = tree;
	n.root.dentry = tree->mnt_root;
	n.buf = (char *)(r + 1);
	for (i = 0; i < nr && !ret; i++) {
		path = cr_inotify_path(tree, &n, &w[i]);
		if (!path) {
			ret = cr_refuse(ctx, -EOPNOTSUPP,
					"fd %u: inotify watch %d on inode %lu: deleted, or no path to it",
					fd, w[i].wd, w[i].inode->i_ino);
			break;
		}
		r->objref = objref;
		r->wd = w[i].wd;
		r->mask = w[i].mask;
		r->path_len = strlen(path) + 1;
		memmove(r + 1, path, r->path_len);
		pr_debug("fd %u: inotify watch %d on %s, mask %#x\n", fd, r->wd,
			 (char *)(r + 1), r->mask);
		ret = cr_write_rec(ctx, CR_REC_INOTIFY, r, sizeof(*r) + r->path_len);
	}
	drop_collected_mounts(tree);
out:
	kfree(r);
	return ret;
}

/**
 * cr_write_inotify() - write the records of an inotify file
 * @ctx: checkpoint context
 * @file: the inotify file
 * @r: its file record, objref set, with room for a struct cr_file_inotify
 * @fd: an fd of it, for messages
 *
 * The file record, the queued events in file data records, then a record
 * per watch.  The watches and events are copied under the file's locks
 * and written after they are let go.
 *
 * Context: process context, may sleep; holds no lock of the target.
 * Return: 0, -EOPNOTSUPP for a watch cr cannot name a path for (a deleted
 * file, a file of a mount the checkpointer does not see) or too many
 * watches or events, or the errno of a write.
 */
int cr_write_inotify(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
		     unsigned int fd)
{
	struct cr_file_inotify *n = (struct cr_file_inotify *)(r + 1);
	struct inotify_watch_info *w;
	void *events = NULL;
	int nr, next_wd, i;
	ssize_t len;
	int ret;

	nr = cr_inotify_watches(ctx, file, fd, &w, &next_wd);
	if (nr < 0)
		return nr;
	len = cr_inotify_events(ctx, file, fd, &events);
	if (len < 0) {
		ret = len;
		goto out;
	}
	r->kind = CR_FILE_INOTIFY;
	r->flags = file->f_flags & O_NONBLOCK;
	n->nr_watches = nr;
	n->next_wd = next_wd;
	n->events_len = len;
	pr_debug("fd %u: inotify, %d watches, %zd bytes of events, next wd %d\n", fd, nr, len,
		 next_wd);
	ret = cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + sizeof(*n));
	if (!ret)
		ret = cr_write_file_data(ctx, r->objref, events, len);
	if (!ret && nr)
		ret = cr_write_watches(ctx, r->objref, fd, w, nr);
out:
	for (i = 0; i < nr; i++)
		iput(w[i].inode);
	kvfree(w);
	kvfree(events);
	return ret;
}

/* The events of inotify file @objref, @len bytes in its file data records. */
static int cr_read_events(struct cr_ctx *ctx, u32 objref, u64 len, void **eventsp)
{
	struct cr_rec_file_data *d;
	const char *why;
	void *events;
	u32 rlen;
	u64 next;

	if (!len)
		return 0;
	events = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!events)
		return -ENOMEM;
	*eventsp = events;
	for (next = 0; next < len; next += rlen - sizeof(*d)) {
		d = cr_read_obj(ctx, CR_REC_FILE_DATA, &rlen);
		if (IS_ERR(d))
			return PTR_ERR(d);
		why = cr_check_file_data(d, rlen, objref, next, len);
		if (!why && d->offset != next)
			why = "inotify events: a gap";
		if (!why)
			memcpy(events + next, d + 1, rlen - sizeof(*d));
		kvfree(d);
		if (why)
			return cr_reject(ctx, -EBADMSG, "%s", why);
	}
	why = cr_check_inotify_events(events, len);
	return why ? cr_reject(ctx, -EBADMSG, "%s", why) : 0;
}

/* The watch records of inotify file @objref, each path looked up, into @s. */
static int cr_read_watches(struct cr_ctx *ctx, u32 objref, u32 nr, struct cr_inotify_stage *s)
{
	struct cr_inotify_watch *w;
	struct cr_rec_inotify *r;
	const char *why, *path;
	s32 prev = 0;
	u32 len;
	int ret;

	if (!nr)
		return 0;
	s->watches = kvcalloc(nr, sizeof(*s->watches), GFP_KERNEL);
	if (!s->watches)
		return -ENOMEM;
	while (s->nr_watches < nr) {
		r = cr_read_obj(ctx, CR_REC_INOTIFY, &len);
		if (IS_ERR(r))
			return PTR_ERR(r);
		path = (const char *)(r + 1);
		why = cr_check_inotify(r, len, objref, prev);
		if (!why)
			why = cr_check_string(path, r->path_len, CR_PATH_MAX);
		if (why) {
			kvfree(r);
			return cr_reject(ctx, -EBADMSG, "%s", why);
		}
		w = &s->watches[s->nr_watches];
		ret = kern_path(path, 0, &w->path);
		if (ret) {
			cr_reject(ctx, ret, "inotify watch %d: cannot find %s", r->wd, path);
			kvfree(r);
			return ret;
		}
		w->mask = r->mask;
		w->wd = r->wd;
		prev = r->wd;
		s->nr_watches++;
		kvfree(r);
	}
	return 0;
}

/**
 * cr_make_inotify() - make an inotify file again
 * @ctx: restart context
 * @r: its file record, checked
 *
 * Reads the records that follow the file record (its events, its
 * watches) and looks up the path of each watch, as the caller; the events
 * and watches are added by cr_restore_inotify().
 *
 * Context: process context, may sleep; before the point of no return.
 * Return: the file, or an error pointer: -EBADMSG for a bad record,
 * the errno of a path lookup (-ENOENT...), -EMFILE past the caller's
 * inotify instances, -ENOMEM.
 */
struct file *cr_make_inotify(struct cr_ctx *ctx, const struct cr_rec_file *r)
{
	const struct cr_file_inotify *n = (const struct cr_file_inotify *)(r + 1);
	struct cr_inotify_state *st = ctx->inotify;
	struct cr_inotify_stage *s;
	struct file *file;
	int ret;

	if (!st) {
		st = kzalloc(sizeof(*st), GFP_KERNEL);
		if (!st)
			return ERR_PTR(-ENOMEM);
		ctx->inotify = st;
	}
	ret = cr_grow((void **)&st->stages, st->nr, &st->cap, sizeof(*st->stages));
	if (ret)
		return ERR_PTR(ret);
	file = inotify_file_create(r->flags & O_NONBLOCK, n->next_wd);
	if (IS_ERR(file)) {
		cr_reject(ctx, PTR_ERR(file), "cannot make inotify file %u again", r->objref);
		return file;
	}
	s = &st->stages[st->nr++];
	memset(s, 0, sizeof(*s));
	s->file = get_file(file);
	s->events_len = n->events_len;
	ret = cr_read_events(ctx, r->objref, n->events_len, &s->events);
	if (!ret)
		ret = cr_read_watches(ctx, r->objref, n->nr_watches, s);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

/**
 * cr_restore_inotify() - queue the events and add the watches of the
 *	inotify files restart made
 * @ctx: restart context, every file of the image open
 *
 * The events first, then the watches, each with its descriptor, as
 * inotify_add_watch(2) would add it as the caller (read permission on
 * what it watches).
 *
 * Context: process context, may sleep; before the point of no return.
 * Return: 0, or the errno of a watch that cannot be added (-EACCES,
 * -EEXIST if two watches of a file now find the same inode, -ENOSPC past
 * the caller's fs.inotify.max_user_watches), -ENOMEM.
 */
int cr_restore_inotify(struct cr_ctx *ctx)
{
	struct cr_inotify_state *st = ctx->inotify;
	const struct cr_inotify_event *ev;
	struct cr_inotify_stage *s;
	struct cr_inotify_watch *w;
	u32 i, j;
	u64 off;
	int ret;

	for (i = 0; st && i < st->nr; i++) {
		s = &st->stages[i];
		/* checked by cr_check_inotify_events() */
		for (off = 0; off < s->events_len; off += sizeof(*ev) + ev->len) {
			ev = s->events + off;
			ret = inotify_file_queue(s->file, (const struct inotify_event *)ev);
			if (ret)
				return ret;
		}
		for (j = 0; j < s->nr_watches; j++) {
			w = &s->watches[j];
			ret = inotify_file_add_watch(s->file, &w->path, w->mask, w->wd);
			if (ret)
				return cr_reject(ctx, ret, "inotify watch %d on %pd: cannot add it",
						 w->wd, w->path.dentry);
		}
	}
	return 0;
}

/**
 * cr_free_inotify() - drop what restart staged of inotify files
 * @ctx: restart context
 */
void cr_free_inotify(struct cr_ctx *ctx)
{
	struct cr_inotify_state *st = ctx->inotify;
	struct cr_inotify_stage *s;
	u32 i, j;

	if (!st)
		return;
	for (i = 0; i < st->nr; i++) {
		s = &st->stages[i];
		for (j = 0; j < s->nr_watches; j++)
			path_put(&s->watches[j].path);
		kvfree(s->watches);
		kvfree(s->events);
		fput(s->file);
	}
	kvfree(st->stages);
	kfree(st);
	ctx->inotify = NULL;
}
