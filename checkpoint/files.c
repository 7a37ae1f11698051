// SPDX-License-Identifier: GPL-2.0
/*
 * cr: open files, the fd table, cwd and umask - file, fd and fs records.
 *
 * Files are saved by reference: a path, open flags and a position, and
 * reopened by path at restart, as the caller (so a restarted process never
 * opens what its restarter could not).  A file open on several fds is one
 * object with an object reference; restart opens it once and installs it
 * on each fd, so offsets move together again.
 *
 * Regular files, directories, character devices and named FIFOs are saved
 * by path, and pipes whose both ends the process holds; FIFOs and pipes
 * with the bytes buffered in them (read without consuming them).  One end
 * of a pipe, and an fd 0-2 of another kind (a socket to the parent,
 * typically), are left to the restarter under a key ("pipe:[1234]"): it
 * hands in a file of its own for the key, or for fds 0-2 restart uses its
 * own fd of that number.  A restarter may also hand in a file for any
 * other file record's path (not for the executable, mapped files or the
 * cwd).  Event files (eventfd, signalfd, timerfd), epoll and inotify
 * files (notify.c) are saved with their state and made again, memfds and
 * deleted files above fd 2 with their bytes, sockets by socket.c.  Any
 * other fd of another kind (other anonymous inodes) is refused with
 * EOPNOTSUPP.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/eventfd.h>
#include <linux/eventpoll.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/inotify.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pidfs.h>
#include <uapi/linux/pidfd.h>
#include <linux/pipe_fs_i.h>
#include <linux/posix_mqueue.h>
#include <linux/namei.h>
#include <linux/memfd.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/secretmem.h>
#include <linux/shmem_fs.h>
#include <linux/signalfd.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/timerfd.h>

/* The highest fd that may be left to the restarter. */
#define CR_FD_INHERIT_MAX	2

/**
 * cr_grow() - make room for one more element in an array
 * @arr: the array, reallocated (kvrealloc) when full
 * @nr: the elements used
 * @cap: its room, doubled (16 at first) when full
 * @size: the size of an element
 *
 * Return: 0, or -ENOMEM with the array as it was.
 */
int cr_grow(void **arr, u32 nr, u32 *cap, size_t size)
{
	u32 n = *cap ? 2 * *cap : 16;
	void *p;

	if (nr < *cap)
		return 0;
	p = kvrealloc(*arr, array_size(n, size), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* checkpoint                                                               */
/* ------------------------------------------------------------------------ */

/**
 * cr_obj_find() - look an object up in an object table
 * @o: the table
 * @ptr: the object
 *
 * Return: its entry, or NULL.
 */
struct cr_obj *cr_obj_find(struct cr_objs *o, void *ptr)
{
	struct cr_obj *obj;

	hash_for_each_possible(o->hash, obj, node, (unsigned long)ptr)
		if (obj->ptr == ptr)
			return obj;
	return NULL;
}

/**
 * cr_obj_find_or_add() - look an object up, or add it with the next objref
 * @o: the table
 * @ptr: the object
 * @added: set to whether it was added
 *
 * Return: its entry, or ERR_PTR(-ENOMEM).
 */
struct cr_obj *cr_obj_find_or_add(struct cr_objs *o, void *ptr, bool *added)
{
	struct cr_obj *obj = cr_obj_find(o, ptr);

	*added = false;
	if (obj)
		return obj;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->ptr = ptr;
	obj->objref = ++o->nr;
	hash_add(o->hash, &obj->node, (unsigned long)ptr);
	*added = true;
	return obj;
}

/* Empty the table; @put: its objects are files it holds a reference to. */
static void cr_objs_free(struct cr_objs *o, bool put)
{
	struct hlist_node *tmp;
	struct cr_obj *obj;
	int bkt;

	hash_for_each_safe(o->hash, bkt, tmp, obj, node) {
		hash_del(&obj->node);
		if (put)
			fput(obj->ptr);
		kfree(obj);
	}
}

/* The fd of the file record of a file no fd has yet, which a mapping numbered. */
#define CR_FD_MAPPED	UINT_MAX

/* How messages name the holder of a file: "fd N", or "a mapping" for CR_FD_MAPPED. */
static const char *cr_fd_where(unsigned int fd, char *buf, size_t len)
{
	if (fd == CR_FD_MAPPED)
		return "a mapping";
	snprintf(buf, len, "fd %u", fd);
	return buf;
}

/* The object tables of a checkpoint, shared by the processes of the tree. */
struct cr_files_ckpt {
	struct cr_objs objs;	/* open files, with their objrefs */
	struct cr_objs held;	/* pipes, with the tree's open files on them; sockets */
	struct cr_objs pipes;	/* pipes with a pipe record, with their objrefs */
	struct cr_objs seen;	/* open files counted in @held */
	struct cr_objs memfds;	/* the inodes of the memfds and deleted files saved,
				 * and of the message queues saved with their messages
				 */
	struct cr_objs mqueues;	/* the inodes of the message queues saved */
	struct cr_objs pairs;	/* socket pairs with one end saved, by the other end */
	struct cr_objs tcp;	/* TCP connections saved, their socks referenced */
	struct cr_obj **mapped;	/* numbered by a mapping, not yet written */
	u32 nr_mapped;
	u32 cap_mapped;
};

/*
 * How many of the open files that read and that write each pipe the
 * process of @t holds (a file on several fds, or of several processes,
 * counts once, as in pipe->readers), and which sockets it holds: one walk
 * over the fds of each process, before any file record is written.
 */
static int cr_pipes_held(struct task_struct *t, struct cr_objs *held, struct cr_objs *files,
			 struct file *image)
{
	struct pipe_inode_info *pipe;
	struct cr_obj *obj, *seen;
	bool added, first;
	unsigned int fd;
	struct file *f;
	int ret = 0;

	for (fd = 0; !ret; fd++) {
		rcu_read_lock();
		f = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!f)
			break;
		pipe = get_pipe_info(f, false);
		/* the image's socket is not saved: its peer is handed in */
		if (sock_from_file(f) && f != image) {
			obj = cr_obj_find_or_add(held, sock_from_file(f)->sk, &added);
			ret = PTR_ERR_OR_ZERO(obj);
		} else if (pipe && file_inode(f)->i_sb->s_magic == PIPEFS_MAGIC) {
			seen = cr_obj_find_or_add(files, f, &first);
			obj = IS_ERR(seen) ? seen : cr_obj_find_or_add(held, pipe, &added);
			ret = PTR_ERR_OR_ZERO(obj);
			if (!ret && first) {
				obj->readers += !!(f->f_mode & FMODE_READ);
				obj->writers += !!(f->f_mode & FMODE_WRITE);
			}
		}
		fput(f);
		cond_resched();
	}
	return ret;
}

/*
 * Is every open file of @pipe one of the tree's?  Then it is the tree's
 * own pipe, restored whole; otherwise its peer is elsewhere and the
 * restarter hands in the tree's ends.
 */
static bool cr_pipe_all_held(struct pipe_inode_info *pipe, const struct cr_obj *obj)
{
	bool all;

	pipe_lock(pipe);
	all = obj && obj->readers == pipe->readers && obj->writers == pipe->writers;
	pipe_unlock(pipe);
	return all;
}

/*
 * Write the pipe record: capacity and the buffered bytes, left in place,
 * and in packet mode where each packet ends.
 */
static int cr_write_pipe(struct cr_ctx *ctx, struct pipe_inode_info *pipe, u32 objref,
			 u32 flags)
{
	struct cr_rec_pipe *r;
	unsigned int tail, head, nr = 0;
	size_t size, room, len = 0;
	bool packets = false;
	u32 *packet;
	char *data;
	int ret = 0;

	size = (size_t)pipe->max_usage << PAGE_SHIFT;
	room = ALIGN(pipe->max_usage * sizeof(u32), CR_ALIGN);
	if (sizeof(*r) + room + size > CR_REC_MAX_LEN)
		return cr_refuse(ctx, -EOPNOTSUPP, "a pipe of %zu bytes", size);
	r = kvzalloc(sizeof(*r) + room + size, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	packet = (u32 *)(r + 1);
	data = (char *)(r + 1) + room;
	pipe_lock(pipe);
	head = pipe->head;
	for (tail = pipe->tail; tail != head && !ret; tail++) {
		struct pipe_buffer *buf = pipe_buf(pipe, tail);

		ret = pipe_buf_confirm(pipe, buf);
		if (!ret && (len + buf->len > size || nr == pipe->max_usage))
			ret = -EAGAIN;
		if (!ret) {
			memcpy_from_page(data + len, buf->page, buf->offset, buf->len);
			len += buf->len;
			packet[nr++] = buf->len;
			packets |= buf->flags & PIPE_BUF_FLAG_PACKET;
		}
	}
	pipe_unlock(pipe);
	if (!ret) {
		r->objref = objref;
		r->size = size;
		r->len = len;
		r->flags = flags;
		r->nr_packets = packets ? nr : 0;
		/* the bytes right after the packet lengths there are */
		room = cr_pipe_packets_len(r);
		memmove((char *)(r + 1) + room, data, len);
		ret = cr_write_rec(ctx, CR_REC_PIPE, r, sizeof(*r) + room + len);
	}
	kvfree(r);
	return ret;
}

/**
 * cr_reachable() - does @path lead to the file @file is open on?
 * @file: an open file
 * @path: its path, as file_path() gives it
 *
 * A memfd, a SysV shm segment, a pidfd or a file of a filesystem the
 * checkpointer cannot see has a path that leads nowhere, or elsewhere:
 * restart could not reopen it.
 *
 * Context: process context, may sleep; takes no lock of the target.
 * Return: true if @path, looked up from the caller's root, is @file's.
 */
bool cr_reachable(struct file *file, const char *path)
{
	struct path p;
	bool same;

	if (kern_path(path, 0, &p))
		return false;
	same = d_inode(p.dentry) == file_inode(file);
	path_put(&p);
	return same;
}

static u32 cr_file_kind(struct file *file)
{
	umode_t mode = file_inode(file)->i_mode;

	if (S_ISREG(mode))
		return CR_FILE_REG;
	if (S_ISDIR(mode))
		return CR_FILE_DIR;
	if (S_ISCHR(mode))
		return CR_FILE_CHR;
	/* pipe(2) pipes live on pipefs; named FIFOs anywhere else */
	if (S_ISFIFO(mode) && get_pipe_info(file, false))
		return file_inode(file)->i_sb->s_magic == PIPEFS_MAGIC ? CR_FILE_PIPE :
									 CR_FILE_FIFO;
	return 0;
}

/*
 * Name @pipe in file record @r by its objref, writing its pipe record
 * (with @flags) the first time a file record names it.
 */
static int cr_add_pipe(struct cr_ctx *ctx, struct pipe_inode_info *pipe, struct cr_objs *pipes,
		       u32 flags, struct cr_rec_file *r)
{
	struct cr_obj *obj;
	bool added;

	obj = cr_obj_find_or_add(pipes, pipe, &added);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	r->pipe = obj->objref;
	return added ? cr_write_pipe(ctx, pipe, obj->objref, flags) : 0;
}

/*
 * The kind and state of @file if it is an event file (eventfd, signalfd,
 * timerfd); 0 if it is not.
 */
static u32 cr_event_file(struct file *file, struct cr_file_event *e)
{
	struct itimerspec64 t;
	unsigned int eflags;
	sigset_t mask;
	int flags;

	memset(e, 0, sizeof(*e));
	if (!eventfd_file_get(file, &e->count, &eflags)) {
		e->flags = eflags & EFD_SEMAPHORE ? CR_EVENT_SEMAPHORE : 0;
		return CR_FILE_EVENTFD;
	}
	if (!signalfd_file_get(file, &mask)) {
		/* _NSIG is 64 here: one word */
		BUILD_BUG_ON(_NSIG_WORDS * _NSIG_BPW != 64);
		e->mask = mask.sig[0];
		return CR_FILE_SIGNALFD;
	}
	if (timerfd_file_get(file, &t, &e->clockid, &flags, &e->count))
		return 0;
	e->value_ns = timespec64_to_ns(&t.it_value);
	e->interval_ns = timespec64_to_ns(&t.it_interval);
	if (flags & TFD_TIMER_ABSTIME) {
		e->flags |= CR_EVENT_ABSTIME;
		/* a wall-clock deadline stays one: the others are kept as time left */
		if (e->value_ns && (e->clockid == CLOCK_REALTIME ||
				    e->clockid == CLOCK_REALTIME_ALARM))
			e->value_ns += ktime_get_real_ns();
	}
	if (flags & TFD_TIMER_CANCEL_ON_SET)
		e->flags |= CR_EVENT_CANCEL_ON_SET;
	return CR_FILE_TIMERFD;
}

/*
 * A memfd: a shmem file memfd_create(2) made, its dentry of no directory
 * (IS_ROOT(), as alloc_file_pseudo() makes it) and named "memfd:NAME".
 */
static bool cr_is_memfd(struct file *file)
{
	return shmem_file(file) && IS_ROOT(file->f_path.dentry) &&
	       !strncmp(file->f_path.dentry->d_name.name, "memfd:", 6);
}

/**
 * cr_file_unnamed() - is @file a memfd or a deleted regular file?
 * @file: an open file
 *
 * Such a file cannot be opened again by a path: the image holds its bytes
 * (cr_write_memfd(), cr_write_deleted()).
 *
 * Return: true for a memfd or a regular file unlinked while open.
 */
bool cr_file_unnamed(struct file *file)
{
	return cr_is_memfd(file) ||
	       (S_ISREG(file_inode(file)->i_mode) && d_unlinked(file->f_path.dentry));
}

/*
 * The bytes of @file, a memfd or a deleted file of @size bytes, in file data
 * records after its file record (objref @objref): read through
 * kernel_read() at an offset of ours (the target's file position stays),
 * all-zero chunks left out.
 */
static int cr_write_content(struct cr_ctx *ctx, struct file *file, u32 objref, loff_t size)
{
	struct cr_rec_file_data *d;
	loff_t pos, off;
	ssize_t got = 0;
	int ret = 0;

	d = kvmalloc(sizeof(*d) + CR_FILE_DATA_MAX, GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	for (pos = 0; !ret && pos < size; pos += got) {
		off = pos;
		got = kernel_read(file, d + 1, min_t(loff_t, size - pos, CR_FILE_DATA_MAX), &off);
		if (got <= 0) {
			ret = got;	/* 0: it shrank meanwhile; the rest reads as zeros */
			break;
		}
		if (!memchr_inv(d + 1, 0, got))
			continue;
		d->objref = objref;
		d->__reserved = 0;
		d->offset = pos;
		ret = cr_write_rec(ctx, CR_REC_FILE_DATA, d, sizeof(*d) + got);
		cond_resched();
	}
	kvfree(d);
	return ret;
}

/**
 * cr_write_file_data() - write bytes of a file in file data records
 * @ctx: checkpoint context
 * @objref: the file's, whose record was just written
 * @data: the bytes: an inotify file's events, a message queue's messages
 * @len: how many, 0 for none
 *
 * Return: 0 or -errno.
 */
int cr_write_file_data(struct cr_ctx *ctx, u32 objref, const void *data, size_t len)
{
	struct cr_rec_file_data *d;
	size_t off, chunk;
	int ret = 0;

	if (!len)
		return 0;
	d = kvmalloc(sizeof(*d) + min_t(size_t, len, CR_FILE_DATA_MAX), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	for (off = 0; !ret && off < len; off += chunk) {
		chunk = min_t(size_t, len - off, CR_FILE_DATA_MAX);
		d->objref = objref;
		d->__reserved = 0;
		d->offset = off;
		memcpy(d + 1, data + off, chunk);
		ret = cr_write_rec(ctx, CR_REC_FILE_DATA, d, sizeof(*d) + chunk);
		cond_resched();
	}
	kvfree(d);
	return ret;
}

/**
 * cr_content_max() - the most bytes of a file the checkpoint saves
 * @ctx: checkpoint context
 *
 * Return: CR_CONTENT_DEFAULT, or what CR_CHECKPOINT_CONTENT() said.
 */
u64 cr_content_max(struct cr_ctx *ctx)
{
	unsigned long shift = (ctx->flags & CR_CHECKPOINT_CONTENT_MASK) >>
			      CR_CHECKPOINT_CONTENT_SHIFT;

	return shift ? 1ULL << shift : CR_CONTENT_DEFAULT;
}

/*
 * May the bytes of @file, @name on fd @fd, go in the image?  One file
 * object per inode (another open, through /proc/PID/fd/N, would come back
 * as another file), readable, at most cr_content_max() bytes (-EFBIG): its
 * size, read once, in @m.
 */
static int cr_check_content(struct cr_ctx *ctx, struct file *file, unsigned int fd,
			    const char *name, struct cr_objs *inodes, struct cr_file_content *m)
{
	struct inode *inode = file_inode(file);
	loff_t size = i_size_read(inode);
	struct cr_obj *obj;
	char buf[16];
	bool added;

	obj = cr_obj_find_or_add(inodes, inode, &added);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (!added || !(file->f_mode & FMODE_READ))
		return cr_refuse(ctx, -EOPNOTSUPP,
				 "%s (%s): opened twice, or write-only: not supported",
				 cr_fd_where(fd, buf, sizeof(buf)), name);
	if (size > cr_content_max(ctx))
		return cr_refuse(ctx, -EFBIG,
				 "%s (%s): %lld bytes, more than %llu (CR_CHECKPOINT_CONTENT())",
				 cr_fd_where(fd, buf, sizeof(buf)), name, size,
				 cr_content_max(ctx));
	m->size = size;
	m->seals = 0;
	m->__reserved = 0;
	return 0;
}

/* The file record of the memfd @file, then its bytes. */
static int cr_write_memfd(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
			  unsigned int fd, struct cr_objs *inodes)
{
	const char *name = file->f_path.dentry->d_name.name;
	struct cr_file_content *m = (struct cr_file_content *)(r + 1);
	struct inode *inode = file_inode(file);
	long seals;
	int ret;

	ret = cr_check_content(ctx, file, fd, name, inodes, m);
	if (ret)
		return ret;
	seals = memfd_fcntl(file, F_GET_SEALS, 0);
	if (seals < 0)
		return seals;
	name += 6;	/* "memfd:" */
	r->kind = CR_FILE_MEMFD;
	r->flags = file->f_flags & CR_FILE_FLAGS;
	r->mode = inode->i_mode & 0777;
	r->pos = file->f_pos;
	m->seals = seals;
	r->path_len = strnlen(name, CR_MEMFD_NAME_MAX) + 1;
	memcpy(m + 1, name, r->path_len - 1);
	((char *)(m + 1))[r->path_len - 1] = '\0';
	ret = cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + sizeof(*m) + r->path_len);
	return ret ?: cr_write_content(ctx, file, r->objref, m->size);
}

/*
 * The file record of @file, a regular file unlinked while open and linked
 * nowhere else, with the path it had, then its bytes.
 */
static int cr_write_deleted(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
			    unsigned int fd, struct cr_objs *inodes)
{
	struct cr_file_content *m = (struct cr_file_content *)(r + 1);
	char *end, *path = (char *)(m + 1);
	struct inode *inode = file_inode(file);
	char buf[16];
	int ret;

	/* d_path() says "PATH (deleted)"; the buffer has PATH_MAX after r */
	end = d_path(&file->f_path, path, PATH_MAX - sizeof(*m));
	if (IS_ERR(end))
		return PTR_ERR(end);
	memmove(path, end, strlen(end) + 1);
	end = strstr(path, " (deleted)");
	if (end && !end[10])
		*end = '\0';
	if (inode->i_nlink)
		return cr_refuse(ctx, -EOPNOTSUPP,
				 "%s (%s): unlinked here, linked elsewhere: not supported",
				 cr_fd_where(fd, buf, sizeof(buf)), path);
	ret = cr_check_content(ctx, file, fd, path, inodes, m);
	if (ret)
		return ret;
	r->kind = CR_FILE_DELETED;
	r->flags = file->f_flags & CR_FILE_FLAGS;
	r->mode = inode->i_mode & 07777;
	r->pos = file->f_pos;
	r->path_len = strlen(path) + 1;
	pr_debug("%s: %s, deleted: %llu bytes saved\n", cr_fd_where(fd, buf, sizeof(buf)), path,
		 m->size);
	ret = cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + sizeof(*m) + r->path_len);
	return ret ?: cr_write_content(ctx, file, r->objref, m->size);
}

/*
 * A pidfd: the task of the tree it names (a leader, or any task for a
 * PIDFD_THREAD one); one of a task outside the tree, or of one gone, is
 * refused.
 */
static int cr_write_pidfd(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
			  unsigned int fd, struct pid *pid)
{
	struct cr_file_pidfd *p = (struct cr_file_pidfd *)(r + 1);
	bool thread = file->f_flags & PIDFD_THREAD;
	u32 i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct cr_task *t = &ctx->tasks[i];

		if (thread ? task_pid(t->task) == pid :
			     t->proc && t->proc->leader == t && task_tgid(t->task) == pid)
			break;
	}
	if (i == ctx->nr_tasks)
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: a pidfd of %s", fd,
				 pid_has_task(pid, thread ? PIDTYPE_PID : PIDTYPE_TGID) ?
				 "a task outside the tree" : "a task that ended");
	p->task = i;
	p->flags = thread ? CR_PIDFD_THREAD : 0;
	r->kind = CR_FILE_PIDFD;
	r->flags = O_RDWR | (file->f_flags & O_NONBLOCK);
	pr_debug("fd %u: pidfd of task %u\n", fd, i);
	return cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + sizeof(*p));
}

static int cr_write_file(struct cr_ctx *ctx, struct file *file, u32 objref, unsigned int fd,
			 struct cr_files_ckpt *fc, char *buf)
{
	struct cr_rec_file *r = (struct cr_rec_file *)buf;
	struct cr_objs *held = &fc->held, *pipes = &fc->pipes, *memfds = &fc->memfds;
	char *path;
	u32 len = 0;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->objref = objref;
	if (!IS_ERR(pidfd_pid(file)))
		return cr_write_pidfd(ctx, file, r, fd, pidfd_pid(file));
	if (is_inotify_file(file))
		return cr_write_inotify(ctx, file, r, fd);
	/* before the deleted files: a queue removed is a regular file unlinked */
	if (is_mq_file(file))
		return cr_write_mqueue(ctx, file, r, fd, memfds, &fc->mqueues);
	/* memory the kernel itself may not read */
	if (secretmem_mapping(file->f_mapping))
		return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: a memfd_secret(2) file", fd);
	r->kind = cr_event_file(file, (struct cr_file_event *)(r + 1));
	if (r->kind || is_epoll_file(file)) {
		len = r->kind ? sizeof(struct cr_file_event) : 0;
		if (!r->kind)
			r->kind = CR_FILE_EPOLL;	/* its items after the fd records */
		r->flags = file->f_flags & (O_ACCMODE | O_NONBLOCK);
		pr_debug("fd %u: %s\n", fd, cr_file_kind_name(r->kind));
		return cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + len);
	}
	/* on fds 0-2, left to the restarter as before: stdout into a deleted file */
	if (fd > CR_FD_INHERIT_MAX && cr_is_memfd(file))
		return cr_write_memfd(ctx, file, r, fd, memfds);
	if (fd > CR_FD_INHERIT_MAX && S_ISREG(file_inode(file)->i_mode) &&
	    d_unlinked(file->f_path.dentry))
		return cr_write_deleted(ctx, file, r, fd, memfds);
	/*
	 * a socket on fds 0-2 is left to the restarter, as before, but for a
	 * TCP connection: no restarter can hand one in (an inetd-style
	 * server's connection on its stdin and stdout)
	 */
	if (sock_from_file(file) && (fd > CR_FD_INHERIT_MAX || cr_tcp_connection(file))) {
		ret = cr_write_socket(ctx, file, r, fd, held, &fc->pairs, &fc->tcp);
		if (ret <= 0)
			return ret;
		/* connected to a peer outside the tree: handed in */
		r->kind = CR_FILE_INHERIT;
		ret = 0;
	} else {
		r->kind = cr_file_kind(file);
	}
	if (r->kind && r->kind != CR_FILE_PIPE && d_unlinked(file->f_path.dentry))
		r->kind = 0;
	if (r->kind == CR_FILE_PIPE) {
		struct pipe_inode_info *pipe = get_pipe_info(file, false);
		struct cr_obj *obj = cr_obj_find(held, pipe);

#ifdef CONFIG_WATCH_QUEUE
		if (pipe->watch_queue)
			return cr_refuse(ctx, -EOPNOTSUPP, "fd %u: a notification pipe", fd);
#endif
		/* every open file of it is the task's: a pipe of its own */
		if (cr_pipe_all_held(pipe, obj))
			ret = cr_add_pipe(ctx, pipe, pipes, 0, r);
		else
			r->kind = CR_FILE_INHERIT;	/* one end: handed in */
		if (ret)
			return ret;
	} else if (r->kind == CR_FILE_FIFO) {
		ret = cr_add_pipe(ctx, get_pipe_info(file, false), pipes, CR_PIPE_FIFO, r);
		if (ret)
			return ret;
	}
	if (r->kind == CR_FILE_PIPE) {
		/* O_DIRECT: packet mode */
		r->flags = file->f_flags & (O_ACCMODE | O_NONBLOCK | O_DIRECT);
		goto write;
	}

	path = file_path(file, buf + sizeof(*r), PATH_MAX);
	/* restart opens it by its path: a memfd, SysV shm, a pidfd cannot be */
	if (r->kind && r->kind != CR_FILE_INHERIT && (IS_ERR(path) || !cr_reachable(file, path)))
		r->kind = 0;
	if (!r->kind) {
		if (fd > CR_FD_INHERIT_MAX)
			return cr_refuse(ctx, -EOPNOTSUPP,
					 "fd %u (%s): not supported yet (not reachable by its path)",
					 fd, IS_ERR(path) ? "?" : path);
		r->kind = CR_FILE_INHERIT;
	}
	if (IS_ERR(path))
		return PTR_ERR(path);
	len = strlen(path) + 1;
	memmove(buf + sizeof(*r), path, len);
	if (r->kind == CR_FILE_INHERIT) {
		pr_debug("fd %u (%s) is left to the restarter\n", fd, buf + sizeof(*r));
		goto write;
	}
	r->flags = file->f_flags & CR_FILE_FLAGS;
	r->mode = file_inode(file)->i_mode;
	if (r->kind != CR_FILE_FIFO)
		r->pos = file->f_pos;
write:
	r->path_len = len;
	return cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + len);
}

static int cr_epoll_item_cmp(const void *a, const void *b)
{
	const struct epoll_item *x = a, *y = b;

	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/* The items of the epoll file @file, referenced, by fd: their number, or -errno. */
static int cr_epoll_items(struct cr_ctx *ctx, struct file *file, unsigned int fd,
			  struct epoll_item **itemsp)
{
	struct epoll_item *items;
	int max, n;

	for (max = 64;; max *= 2) {
		items = kvmalloc_array(max, sizeof(*items), GFP_KERNEL);
		if (!items)
			return -ENOMEM;
		n = epoll_file_items(file, items, max);
		if (n != -E2BIG || max >= CR_EPOLL_MAX)
			break;
		kvfree(items);
	}
	if (n < 0) {
		kvfree(items);
		return n != -E2BIG ? n : cr_refuse(ctx, -EOPNOTSUPP,
						   "fd %u: an epoll file of more than %u items",
						   fd, CR_EPOLL_MAX);
	}
	sort(items, n, sizeof(*items), cr_epoll_item_cmp, NULL);
	*itemsp = items;
	return n;
}

/*
 * The interest list of the epoll file @file (objref @objref, on fd @fd)
 * that the process of @t holds: each item must watch the file its fd
 * holds in @t, as epoll_ctl(2) added it, for restart to add it again by
 * fd.  The items are copied under the epoll file's mutex, and written
 * after it is let go.
 */
static int cr_write_epoll(struct cr_ctx *ctx, struct task_struct *t, struct cr_files_ckpt *fc,
			  struct file *file, u32 objref, unsigned int fd)
{
	struct epoll_item *items;
	struct cr_epoll_item *it;
	struct cr_rec_epoll *r;
	struct cr_obj *obj;
	struct file *now;
	int n, i, ret = 0;

	n = cr_epoll_items(ctx, file, fd, &items);
	if (n < 0)
		return n;
	r = kvzalloc(sizeof(*r) + n * sizeof(*it), GFP_KERNEL);
	if (!r) {
		ret = -ENOMEM;
		goto out;
	}
	r->objref = objref;
	r->nr = n;
	it = (struct cr_epoll_item *)(r + 1);
	for (i = 0; i < n && !ret; i++) {
		now = items[i].fd >= 0 ? fget_task(t, items[i].fd) : NULL;
		obj = now == items[i].file ? cr_obj_find(&fc->objs, now) : NULL;
		if (now)
			fput(now);
		if (!obj) {
			ret = cr_refuse(ctx, -EOPNOTSUPP,
					"fd %u: an epoll file watches fd %d, which no longer holds the file it was added with",
					fd, items[i].fd);
			break;
		}
		/* restart makes pidfds after the epoll items are back */
		if (!IS_ERR(pidfd_pid(items[i].file))) {
			ret = cr_refuse(ctx, -EOPNOTSUPP,
					"fd %u: an epoll file watches a pidfd (fd %d): not supported yet",
					fd, items[i].fd);
			break;
		}
		it[i].fd = items[i].fd;
		it[i].objref = obj->objref;
		it[i].events = (__force u32)items[i].event.events;
		it[i].data = items[i].event.data;
	}
	if (!ret)
		ret = cr_write_rec(ctx, CR_REC_EPOLL, r, sizeof(*r) + n * sizeof(*it));
	kvfree(r);
out:
	for (i = 0; i < n; i++)
		fput(items[i].file);
	kvfree(items);
	return ret;
}

static bool cr_fd_cloexec(struct task_struct *t, unsigned int fd)
{
	struct files_struct *files;
	bool ret = false;

	task_lock(t);
	files = t->files;
	if (files) {
		rcu_read_lock();
		ret = close_on_exec(fd, files);
		rcu_read_unlock();
	}
	task_unlock(t);
	return ret;
}

/* The object tables of a checkpoint, made when the first process's files are written. */
static struct cr_files_ckpt *cr_files_ckpt(struct cr_ctx *ctx)
{
	struct cr_files_ckpt *fc = ctx->files;
	u32 i;
	int ret = 0;

	if (fc)
		return fc;
	fc = kzalloc(sizeof(*fc), GFP_KERNEL);
	if (!fc)
		return ERR_PTR(-ENOMEM);
	hash_init(fc->objs.hash);
	hash_init(fc->held.hash);
	hash_init(fc->pipes.hash);
	hash_init(fc->seen.hash);
	hash_init(fc->memfds.hash);
	hash_init(fc->mqueues.hash);
	hash_init(fc->pairs.hash);
	hash_init(fc->tcp.hash);
	ctx->files = fc;
	for (i = 0; !ret && i < ctx->nr_procs; i++)
		ret = cr_pipes_held(ctx->procs[i].leader->task, &fc->held, &fc->seen,
				    ctx->procs[i].leader->task == current ? ctx->file : NULL);
	return ret ? ERR_PTR(ret) : fc;
}

/*
 * The threads of @t's process must share its fd table and fs context, and
 * no other process may: each is saved once, with the process.
 */
static int cr_check_files_shared(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_proc *p = t->proc;
	struct files_struct *files;
	struct fs_struct *fs;
	int ret = 0;
	u32 i;

	task_lock(t->task);
	files = t->task->files;
	fs = t->task->fs;
	if (!files || !fs)
		ret = -ESRCH;
	else if (atomic_read(&files->count) > p->nr_threads)
		ret = cr_refuse(ctx, -EOPNOTSUPP, "fd table shared with another process");
	else if (READ_ONCE(fs->users) > p->nr_threads)
		ret = cr_refuse(ctx, -EOPNOTSUPP, "cwd and umask shared with another process");
	task_unlock(t->task);
	for (i = 1; !ret && i < p->nr_threads; i++) {
		struct task_struct *th = ctx->tasks[t->idx + i].task;

		task_lock(th);
		if (th->files != files || th->fs != fs)
			ret = cr_refuse(ctx, -EOPNOTSUPP,
					"a thread with an fd table or cwd of its own (unshare)");
		task_unlock(th);
	}
	return ret;
}

/**
 * cr_files_map_obj() - the file object of a memfd or deleted file mapped
 * @ctx: checkpoint context, writing the mm section of a process
 * @file: the file of one of its mappings (cr_file_unnamed())
 * @objref: where to store its objref
 *
 * The first time the tree meets @file it is numbered as the next file
 * object, and its file record, with its bytes and no fd, is written first
 * in the files section of the process (which follows its mm section).
 *
 * Context: may sleep.
 * Return: 0 or -ENOMEM.
 */
int cr_files_map_obj(struct cr_ctx *ctx, struct file *file, u32 *objref)
{
	struct cr_files_ckpt *fc = cr_files_ckpt(ctx);
	struct cr_obj *obj;
	bool added;
	int ret;

	if (IS_ERR(fc))
		return PTR_ERR(fc);
	ret = cr_grow((void **)&fc->mapped, fc->nr_mapped, &fc->cap_mapped,
		      sizeof(*fc->mapped));
	if (ret)
		return ret;
	obj = cr_obj_find_or_add(&fc->objs, file, &added);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (added) {
		get_file(file);	/* the table's, as for an fd's file */
		fc->mapped[fc->nr_mapped++] = obj;
	}
	*objref = obj->objref;
	return 0;
}

/*
 * The pipe, file, fd and fs records of @t's process: first the file records
 * of the memfds and deleted files its mappings numbered, then its fds.  An
 * open file, a pipe is one object of the whole tree, saved once: processes
 * that share it get it back shared.  The image file of a self checkpoint
 * is not saved: its fd is closed in the restarted process.  -EOPNOTSUPP
 * for an fd past 2 that cr cannot save (sockets and anonymous inodes of
 * other kinds, a deleted file linked elsewhere: the kernel log says which).
 */
static int cr_write_files(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct task_struct *t = ct->task;
	struct {
		struct cr_obj *obj;
		unsigned int fd;
	} *epolls = NULL;
	u32 i, nr_epolls = 0, cap_epolls = 0;
	struct cr_files_ckpt *fc;
	struct cr_rec_fs *fs;
	struct path pwd;
	unsigned int fd;
	struct file *file;
	/* a file record and its path, or the fs record and its path */
	size_t size = sizeof(struct cr_rec_file) + PATH_MAX;
	char *buf, *p;
	int ret;

	fc = cr_files_ckpt(ctx);
	if (IS_ERR(fc))
		return PTR_ERR(fc);
	ret = cr_check_files_shared(ctx, ct);
	if (ret)
		return ret;
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* the files the process's mappings numbered, in their order */
	for (i = 0; !ret && i < fc->nr_mapped; i++)
		ret = cr_write_file(ctx, fc->mapped[i]->ptr, fc->mapped[i]->objref, CR_FD_MAPPED,
				    fc, buf);
	fc->nr_mapped = 0;
	for (fd = 0; !ret; fd++) {
		struct cr_rec_fd rec = { };
		struct cr_obj *obj;
		bool added;

		rcu_read_lock();
		file = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!file)
			break;
		if (t == current && file == ctx->file) {
			fput(file);
			continue;
		}
		obj = cr_obj_find_or_add(&fc->objs, file, &added);
		ret = PTR_ERR_OR_ZERO(obj);
		if (!ret && added) {
			get_file(file);	/* the table's: no other file takes its address */
			ret = cr_write_file(ctx, file, obj->objref, fd, fc, buf);
			/* an epoll file first seen here: its items once all fds are */
			if (!ret && is_epoll_file(file)) {
				ret = cr_grow((void **)&epolls, nr_epolls, &cap_epolls,
					      sizeof(*epolls));
				if (!ret) {
					epolls[nr_epolls].fd = fd;
					epolls[nr_epolls++].obj = obj;
				}
			}
		}
		if (!ret) {
			obj->readers++;	/* the tree's fds on it, for cr_hold_tcp() */
			rec.fd = fd;
			rec.objref = obj->objref;
			rec.flags = cr_fd_cloexec(t, fd) ? CR_FD_CLOEXEC : 0;
			ret = cr_write_rec(ctx, CR_REC_FD, &rec, sizeof(rec));
		}
		fput(file);
		cond_resched();
	}
	for (i = 0; !ret && i < nr_epolls; i++)
		ret = cr_write_epoll(ctx, t, fc, epolls[i].obj->ptr, epolls[i].obj->objref,
				     epolls[i].fd);
	if (ret)
		goto out;

	/* cwd and umask */
	task_lock(t);
	if (!t->fs) {
		task_unlock(t);
		ret = -ESRCH;
		goto out;
	}
	get_fs_pwd(t->fs, &pwd);
	fs = (struct cr_rec_fs *)buf;
	fs->umask = t->fs->umask;
	task_unlock(t);
	p = d_path(&pwd, buf + sizeof(*fs), PATH_MAX);
	path_put(&pwd);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		goto out;
	}
	fs->cwd_len = strlen(p) + 1;
	memmove(buf + sizeof(*fs), p, fs->cwd_len);
	ret = cr_write_rec(ctx, CR_REC_FS, fs, sizeof(*fs) + fs->cwd_len);
out:
	kvfree(epolls);
	kfree(buf);
	return ret;
}

/**
 * cr_files_before_kill() - ready the files of a checkpointed tree for its
 *	kill (CR_CHECKPOINT_KILL)
 * @ctx: checkpoint context, the image written whole
 *
 * Its TCP connections close without a word to their peers (cr_hold_tcp()).
 */
void cr_files_before_kill(struct cr_ctx *ctx)
{
	struct cr_files_ckpt *fc = ctx->files;

	if (fc && !ctx->restart)
		cr_hold_tcp(&fc->tcp, &fc->objs, ctx->nr_tasks);
}

/* Drop the object tables of a checkpoint. */
static void cr_free_files_ckpt(struct cr_files_ckpt *fc)
{
	cr_objs_free(&fc->objs, true);
	cr_objs_free(&fc->held, false);
	cr_objs_free(&fc->pipes, false);
	cr_objs_free(&fc->seen, false);
	cr_objs_free(&fc->memfds, false);
	cr_objs_free(&fc->mqueues, false);
	cr_objs_free(&fc->pairs, false);
	cr_put_tcp(&fc->tcp);
	cr_objs_free(&fc->tcp, false);
	kfree(fc->mapped);
	kfree(fc);
}

/* ------------------------------------------------------------------------ */
/* restart                                                                  */
/* ------------------------------------------------------------------------ */

struct cr_fd_stage {
	u32 fd;
	u32 flags;
	struct file *file;	/* a reference of its own */
};

/*
 * A pipe made by restart, each of its file records a new open file of it;
 * or the bytes of a named FIFO, put back when its first file record opens
 * it.
 */
struct cr_pipe_stage {
	struct file *end[2];	/* the files it was made with, until restart ends */
	bool fifo;
	struct cr_rec_pipe *rec;	/* FIFO: its record, bytes included, until put back */
	struct file *keeper;	/* FIFO: opened read-write, so that no open blocks */
};

/**
 * struct cr_inherit_ent - a file the restarter handed in
 * @file: its file (a reference of our own)
 * @key: the path or key of the file records it stands for
 * @used: a file record matched it
 */
struct cr_inherit_ent {
	struct file *file;
	char *key;
	bool used;
};

/**
 * struct cr_files_state - the objects restart stages, for the whole tree
 * @pipes: the pipes, made and refilled, indexed by objref - 1
 * @nr_pipes: number of @pipes
 * @cap_pipes: room in @pipes
 * @objs: the file objects, opened, indexed by objref - 1
 * @nr_objs: number of @objs; an object left to the restarter is NULL
 *	until its first fd record names the restarter's fd
 * @cap_objs: room in @objs
 * @kinds: the kind (CR_FILE_*) of each of @objs
 * @cap_kinds: room in @kinds
 * @fifo_bytes: the bytes of a FIFO kept until its file record opens it:
 *	those of one FIFO at most
 * @pidfds: the pidfds of the image, made once every task is
 * @nr_pidfds: number of @pidfds
 * @cap_pidfds: room in @pidfds
 * @pidfd_lock: taken to make a pidfd, by whichever process first needs it
 */
struct cr_files_state {
	struct cr_pidfd_stage *pidfds;
	u32 nr_pidfds;
	u32 cap_pidfds;
	struct mutex pidfd_lock;	/* makes each of @pidfds once */
	struct cr_pipe_stage *pipes;
	u32 nr_pipes;
	u32 cap_pipes;
	struct file **objs;
	u32 nr_objs;
	u32 cap_objs;
	u32 *kinds;
	u32 cap_kinds;
	size_t fifo_bytes;
};

/*
 * A pidfd of the image: the file its fds hold until every task is made
 * (a pidfd of the restarter, never seen by user space), then the pidfd of
 * the restored task.
 */
struct cr_pidfd_stage {
	struct file *placeholder;
	struct file *file;
	u32 task;
	u32 flags;
};

/* An epoll file's items, added back once the fd table is in place. */
struct cr_epoll_stage {
	u32 epfd;
	u32 nr;
	struct cr_epoll_item *items;
};

/**
 * struct cr_fdt_state - a process's fd table and fs context, staged
 * @fds: the fds, in increasing order
 * @nr_fds: number of @fds
 * @cap_fds: room in @fds
 * @epolls: the epoll files whose items this process adds back
 * @nr_epolls: number of @epolls
 * @cap_epolls: room in @epolls
 * @prev_fd: the last fd record read
 * @cwd: the working directory
 * @umask: the umask
 */
struct cr_fdt_state {
	struct cr_fd_stage *fds;
	u32 nr_fds;
	u32 cap_fds;
	struct cr_epoll_stage *epolls;
	u32 nr_epolls;
	u32 cap_epolls;
	struct cr_rec_fd prev_fd;
	struct path cwd;
	u32 umask;
};

/*
 * The fds a process of the caller's may have: below its hard RLIMIT_NOFILE,
 * which it may raise its own limit to, or any with CAP_SYS_RESOURCE; below
 * fs.nr_open.
 */
static unsigned long cr_nofile_max(void)
{
	unsigned long max = READ_ONCE(sysctl_nr_open);

	return capable(CAP_SYS_RESOURCE) ? max : min(max, rlimit_max(RLIMIT_NOFILE));
}

/* No more objects staged than the caller may have fds, in each process. */
static bool cr_too_many_objs(struct cr_ctx *ctx, struct cr_files_state *fs)
{
	return fs->nr_pipes + fs->nr_objs >= cr_nofile_max() * ctx->nr_procs;
}

/**
 * cr_open_kind() - open a path as the caller, if it names a file of a type
 * @path: the path
 * @flags: open flags; O_NOCTTY and O_NONBLOCK are added (see
 *	cr_set_flags())
 * @type: the type it must have: S_IFREG, S_IFDIR, S_IFCHR, S_IFIFO
 *
 * The type is checked before anything is opened and again after: a FIFO
 * or a device where a regular file was is never opened, so that the open
 * neither blocks, nor has a device's side effects, nor gives the caller a
 * controlling terminal.
 *
 * Context: process context, may sleep; before the point of no return.
 * Return: the file, ERR_PTR(-ESTALE) if the path names a file of another
 * type, or the error of the lookup or the open.
 */
struct file *cr_open_kind(const char *path, int flags, umode_t type)
{
	struct file *file;
	struct path p;
	int ret;

	ret = kern_path(path, flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW, &p);
	if (ret)
		return ERR_PTR(ret);
	ret = (d_inode(p.dentry)->i_mode & S_IFMT) == type ? 0 : -ESTALE;
	path_put(&p);
	if (ret)
		return ERR_PTR(ret);
	file = filp_open(path, flags | O_NOCTTY | O_NONBLOCK | O_LARGEFILE, 0);
	if (!IS_ERR(file) && (file_inode(file)->i_mode & S_IFMT) != type) {
		fput(file);
		file = ERR_PTR(-ESTALE);
	}
	return file;
}

/*
 * Give @file the flags of @mask that @flags has, as fcntl(F_SETFL) does:
 * O_NONBLOCK (the file was opened non-blocking so as not to wait), O_DIRECT
 * (a pipe's packet mode, which open refuses).
 */
static void cr_set_flags(struct file *file, u32 mask, u32 flags)
{
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~mask) | (flags & mask);
	spin_unlock(&file->f_lock);
}

/*
 * Put the bytes of pipe record @r into its pipe through @file, which
 * writes it: empty and non-blocking, all of it goes in at once or it
 * fails; in packet mode one write per packet, as O_DIRECT writes made
 * them.
 */
static int cr_refill_pipe(struct file *file, const struct cr_rec_pipe *r)
{
	const u32 *packet = (const u32 *)(r + 1);
	const char *data = (const char *)(r + 1) + cr_pipe_packets_len(r);
	unsigned int i, n = r->nr_packets ?: 1;
	unsigned int saved = file->f_flags;
	size_t off = 0;
	loff_t pos = 0;
	int ret = 0;

	if (r->nr_packets)
		cr_set_flags(file, O_DIRECT, O_DIRECT);
	for (i = 0; !ret && i < n && off < r->len; i++) {
		size_t len = r->nr_packets ? packet[i] : r->len;
		ssize_t got = kernel_write(file, data + off, len, &pos);

		if (got != len)
			ret = got < 0 ? got : -EIO;
		off += len;
	}
	cr_set_flags(file, O_DIRECT, saved);
	return ret;
}

/* Make the pipe of a pipe record, sized and refilled, before its files. */
static int cr_read_pipe(struct cr_ctx *ctx)
{
	struct cr_files_state *fs = ctx->files;
	struct cr_pipe_stage *ps;
	struct cr_rec_pipe *r;
	const char *why;
	long got;
	u32 len;
	int ret;

	r = cr_read_obj(ctx, CR_REC_PIPE, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	why = cr_check_pipe(r, len, fs->nr_pipes + 1, &ctx->limits);
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "%s", why);
		goto out;
	}
	ret = -EMFILE;
	if (cr_too_many_objs(ctx, fs))
		goto out;
	ret = cr_grow((void **)&fs->pipes, fs->nr_pipes, &fs->cap_pipes, sizeof(*fs->pipes));
	if (ret)
		goto out;
	ps = &fs->pipes[fs->nr_pipes];
	memset(ps, 0, sizeof(*ps));
	if (r->flags & CR_PIPE_FIFO) {
		/*
		 * The FIFO is opened by path by the file record that follows:
		 * the record is kept until then (charged, one FIFO at a time).
		 */
		ret = -EBADMSG;
		if (fs->fifo_bytes) {
			cr_reject(ctx, ret, "the FIFO before has no file record yet");
			goto out;
		}
		fs->nr_pipes++;
		ps->fifo = true;
		ps->rec = r;
		fs->fifo_bytes = len;
		return 0;
	}
	ret = create_pipe_files(ps->end, O_NONBLOCK);
	if (ret)
		goto out;
	fs->nr_pipes++;
	/* the size as fcntl(F_SETPIPE_SZ) allows it to the caller */
	got = pipe_fcntl(ps->end[1], F_SETPIPE_SZ, r->size);
	ret = got;
	if (got < 0)
		goto out;
	if (got < r->len) {
		ret = cr_reject(ctx, -EBADMSG, "%u bytes for a pipe of %ld", r->len, got);
		goto out;
	}
	ret = cr_refill_pipe(ps->end[1], r);
out:
	kvfree(r);
	return ret;
}

/*
 * A pipe end's file record: a new open file of the pipe, with its own
 * flags, as an open of /proc/self/fd/N makes one.  The two files the pipe
 * was made with keep it until restart ends.
 */
static int cr_open_pipe_file(struct cr_ctx *ctx, const struct cr_rec_file *r,
			     struct file **filep)
{
	struct cr_files_state *fs = ctx->files;
	struct file *file;

	if (r->pipe > fs->nr_pipes || fs->pipes[r->pipe - 1].fifo)
		return cr_reject(ctx, -EBADMSG, "pipe %u names no pipe record", r->pipe);
	file = dentry_open(&fs->pipes[r->pipe - 1].end[0]->f_path,
			   (r->flags & O_ACCMODE) | O_NONBLOCK, current_cred());
	if (IS_ERR(file))
		return cr_reject(ctx, PTR_ERR(file), "cannot open pipe %u", r->pipe);
	cr_set_flags(file, O_NONBLOCK | O_DIRECT, r->flags);
	*filep = file;
	return 0;
}

/* The bytes of a FIFO are put back, or not wanted: no longer held. */
static void cr_drop_fifo_data(struct cr_files_state *fs, struct cr_pipe_stage *ps)
{
	if (!ps->rec)
		return;
	kvfree(ps->rec);
	ps->rec = NULL;
	fs->fifo_bytes = 0;
}

/*
 * Open a named FIFO by path.  The first open of it is read-write, as the
 * caller (who needs read and write permission for it), so that opening
 * either end never blocks and the saved bytes can be put back (the caller
 * checked that r->pipe names the FIFO's pipe record); it is kept
 * until restart ends.  The FIFO must be empty if there are bytes to put
 * back: someone else holds it open otherwise (-EBUSY).
 */
static int cr_open_fifo(struct cr_files_state *fs, const struct cr_rec_file *r, const char *path,
			struct file **filep)
{
	struct cr_pipe_stage *ps = &fs->pipes[r->pipe - 1];
	const struct cr_rec_pipe *rec = ps->rec;
	struct file *file;
	long got;
	int ret;

	if (!ps->keeper) {
		struct pipe_inode_info *pipe;
		bool empty;

		file = cr_open_kind(path, O_RDWR, S_IFIFO);
		if (IS_ERR(file))
			return PTR_ERR(file);
		ps->keeper = file;
		pipe = get_pipe_info(file, false);
		if (!pipe)
			return -ESTALE;
		pipe_lock(pipe);
		empty = pipe_empty(pipe->head, pipe->tail);
		pipe_unlock(pipe);
		/* not empty: someone else holds it */
		if (rec && rec->len && !empty)
			return -EBUSY;
		if (rec) {
			got = pipe_fcntl(file, F_SETPIPE_SZ, rec->size);
			if (got < 0)
				return got;
			if (got < rec->len)
				return -EBADMSG;
			ret = cr_refill_pipe(file, rec);
			if (ret)
				return ret;
			cr_drop_fifo_data(fs, ps);
		}
	}
	file = cr_open_kind(path, r->flags & ~O_DIRECT, S_IFIFO);
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (file_inode(file) != file_inode(ps->keeper)) {
		fput(file);
		return -ESTALE;
	}
	cr_set_flags(file, O_NONBLOCK | O_DIRECT, r->flags);
	*filep = file;
	return 0;
}

/* A file the restarter handed in for @key, or NULL. */
static struct file *cr_inherited(struct cr_ctx *ctx, const char *key)
{
	u32 i;

	for (i = 0; i < ctx->nr_inherit; i++) {
		if (!strcmp(ctx->inherit[i].key, key)) {
			ctx->inherit[i].used = true;
			return get_file(ctx->inherit[i].file);
		}
	}
	return NULL;
}

/*
 * Make an event file again with its state, as the caller would with
 * eventfd(2), signalfd(2), timerfd_create(2) and timerfd_settime(2): an
 * alarm clock needs CAP_WAKE_ALARM (-EPERM).  A timer on a monotonic or
 * boot-time clock is armed for the time it had left.
 */
static struct file *cr_make_event(const struct cr_rec_file *r, const struct cr_file_event *e)
{
	int nonblock = r->flags & O_NONBLOCK, flags = 0, ret;
	struct itimerspec64 t;
	struct file *file;
	sigset_t mask;

	switch (r->kind) {
	case CR_FILE_EVENTFD:
		return eventfd_file_create(e->count, nonblock |
					   (e->flags & CR_EVENT_SEMAPHORE ? EFD_SEMAPHORE : 0));
	case CR_FILE_SIGNALFD:
		siginitset(&mask, e->mask);
		return signalfd_file_create(mask, nonblock);
	}
	file = timerfd_file_create(e->clockid, nonblock);
	if (IS_ERR(file))
		return file;
	t.it_value = ns_to_timespec64(e->value_ns);
	t.it_interval = ns_to_timespec64(e->interval_ns);
	if (e->flags & CR_EVENT_ABSTIME &&
	    (e->clockid == CLOCK_REALTIME || e->clockid == CLOCK_REALTIME_ALARM))
		flags |= TFD_TIMER_ABSTIME;
	if (e->flags & CR_EVENT_CANCEL_ON_SET)
		flags |= TFD_TIMER_CANCEL_ON_SET;
	ret = timerfd_file_set(file, flags, &t, e->count);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

/*
 * The file data records of @file, a memfd or deleted file (objref @objref,
 * of @size bytes), right after its file record: written where they go;
 * checked and dropped for a file the restarter handed in (@file NULL).
 */
static int cr_read_file_data(struct cr_ctx *ctx, struct file *file, u32 objref, u64 size)
{
	struct cr_rec_file_data *d;
	ssize_t n, want;
	const char *why;
	u64 next = 0;
	loff_t pos;
	u32 len;

	while (cr_next_type(ctx) == CR_REC_FILE_DATA) {
		d = cr_read_obj(ctx, CR_REC_FILE_DATA, &len);
		if (IS_ERR(d))
			return PTR_ERR(d);
		why = cr_check_file_data(d, len, objref, next, size);
		if (why) {
			kvfree(d);
			return cr_reject(ctx, -EBADMSG, "%s", why);
		}
		pos = d->offset;
		want = len - sizeof(*d);
		n = file ? kernel_write(file, d + 1, want, &pos) : want;
		next = d->offset + want;
		kvfree(d);
		if (n != want)
			return n < 0 ? n : -EIO;
	}
	return 0;
}

/* Its permission bits as chmod(2) sets them, whatever the umask made them. */
static int cr_chmod(struct file *file, umode_t mode)
{
	struct dentry *dentry = file->f_path.dentry;
	struct iattr ia = {
		.ia_valid = ATTR_MODE | ATTR_CTIME,
		.ia_mode = mode | S_IFREG,
	};
	int ret;

	ret = mnt_want_write_file(file);
	if (ret)
		return ret;
	inode_lock(d_inode(dentry));
	ret = notify_change(file_mnt_idmap(file), dentry, &ia, NULL);
	inode_unlock(d_inode(dentry));
	mnt_drop_write_file(file);
	return ret;
}

/*
 * Fill @file, made empty and read-write for the memfd or deleted file of
 * record @r: its bytes from the file data records, its size (a zero byte
 * written last where the bytes end before it: no permission to check, as
 * truncate(2) would), then its permission bits.
 */
static int cr_fill_content(struct cr_ctx *ctx, struct file *file, const struct cr_rec_file *r)
{
	const struct cr_file_content *m = (const struct cr_file_content *)(r + 1);
	loff_t pos = m->size - 1;
	int ret;

	ret = cr_read_file_data(ctx, file, r->objref, m->size);
	if (!ret && m->size > i_size_read(file_inode(file)) &&
	    kernel_write(file, "", 1, &pos) != 1)
		ret = -EIO;
	return ret ?: cr_chmod(file, r->mode);
}

/*
 * A memfd made again, as memfd_create(2) makes one, filled, then sealed
 * as it was.
 */
static struct file *cr_make_memfd(struct cr_ctx *ctx, const struct cr_rec_file *r)
{
	const struct cr_file_content *m = (const struct cr_file_content *)(r + 1);
	struct inode *inode;
	struct file *file;
	char *name;
	int ret;

	name = kasprintf(GFP_KERNEL, "memfd:%s", cr_file_path(r));
	if (!name)
		return ERR_PTR(-ENOMEM);
	file = shmem_file_setup(name, 0, VM_NORESERVE);
	kfree(name);
	if (IS_ERR(file))
		return file;
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | FMODE_ATOMIC_POS;
	file->f_flags |= O_LARGEFILE;
	ret = cr_fill_content(ctx, file, r);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	inode = file_inode(file);
	inode_lock(inode);
	SHMEM_I(inode)->seals = m->seals;
	inode_unlock(inode);
	cr_set_flags(file, O_APPEND, r->flags);
	return file;
}

/*
 * A deleted file made again: an unlinked file in the directory it was in
 * (O_TMPFILE, as the caller), filled, then opened with its flags.
 */
static struct file *cr_make_deleted(struct cr_ctx *ctx, const struct cr_rec_file *r)
{
	const char *path = cr_file_path(r);
	struct file *tmp, *file;
	char *dir, *slash;
	int ret;

	dir = kstrdup(path, GFP_KERNEL);
	if (!dir)
		return ERR_PTR(-ENOMEM);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';	/* "/name": the root */
	tmp = slash ? filp_open(dir, O_TMPFILE | O_RDWR, 0600) : ERR_PTR(-ENOENT);
	kfree(dir);
	if (IS_ERR(tmp))
		return ERR_PTR(cr_reject(ctx, PTR_ERR(tmp),
					 "deleted file %s: no unlinked file in its directory",
					 path));
	ret = cr_fill_content(ctx, tmp, r);
	file = ret ? ERR_PTR(ret) : dentry_open(&tmp->f_path, r->flags & ~(O_CREAT | O_EXCL |
						O_TRUNC | O_NOCTTY), current_cred());
	fput(tmp);
	return file;
}

/*
 * A pidfd of task @p->task: staged as a pidfd of the caller until that
 * task is made (cr_restore_pidfds()).
 */
static struct file *cr_stage_pidfd(struct cr_ctx *ctx, const struct cr_rec_file *r)
{
	const struct cr_file_pidfd *p = (const struct cr_file_pidfd *)(r + 1);
	struct cr_files_state *fs = ctx->files;
	struct cr_pidfd_stage *ps;
	struct file *file;
	int ret;

	if (p->task >= ctx->nr_tasks ||
	    (!(p->flags & CR_PIDFD_THREAD) && ctx->tasks[p->task].rec.leader != p->task))
		return ERR_PTR(cr_reject(ctx, -EBADMSG, "a pidfd of task %u: no such %s", p->task,
					 p->flags & CR_PIDFD_THREAD ? "task" : "process"));
	ret = cr_grow((void **)&fs->pidfds, fs->nr_pidfds, &fs->cap_pidfds, sizeof(*fs->pidfds));
	if (ret)
		return ERR_PTR(ret);
	file = pidfs_alloc_file(task_tgid(current), O_RDWR);
	if (IS_ERR(file))
		return file;
	ps = &fs->pidfds[fs->nr_pidfds++];
	ps->placeholder = get_file(file);
	ps->file = NULL;
	ps->task = p->task;
	ps->flags = r->flags & O_NONBLOCK ? PIDFD_NONBLOCK : 0;
	if (p->flags & CR_PIDFD_THREAD)
		ps->flags |= PIDFD_THREAD;
	return file;
}

/**
 * cr_has_pidfds() - does the process of @t hold a pidfd of the image?
 * @ctx: restart context
 * @t: a process's leader
 *
 * Return: true if cr_restore_pidfds() has work for it.
 */
bool cr_has_pidfds(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_files_state *fs = ctx->files;
	struct cr_fdt_state *fdt = t->proc->fdt;
	u32 i, j;

	for (i = 0; fs && fdt && i < fdt->nr_fds; i++)
		for (j = 0; j < fs->nr_pidfds; j++)
			if (fdt->fds[i].file == fs->pidfds[j].placeholder)
				return true;
	return false;
}

/*
 * replace_fd() of @fd, a slot the fd table already holds, whatever the
 * process's RLIMIT_NOFILE is by now: the image's limits are set before
 * the pidfds are made, and may be below fds the process had (it may lower
 * its limit below them).  The limit is the image's again after.
 */
static int cr_replace_high_fd(unsigned int fd, struct file *file, unsigned int flags)
{
	struct rlimit *rl = &current->signal->rlim[RLIMIT_NOFILE], was;
	int ret;

	task_lock(current->group_leader);
	was = *rl;
	if (fd >= rl->rlim_cur) {
		rl->rlim_cur = fd + 1;
		rl->rlim_max = max(rl->rlim_max, rl->rlim_cur);
	}
	task_unlock(current->group_leader);
	ret = replace_fd(fd, file, flags);
	task_lock(current->group_leader);
	*rl = was;
	task_unlock(current->group_leader);
	return ret;
}

/**
 * cr_restore_pidfds() - put the pidfds of the image in the fd table
 * @ctx: restart context, past the point of no return, every task made
 * @t: the calling task, a process's leader, its threads made
 *
 * Each fd that holds a pidfd of the image gets the pidfd of the restored
 * task, made once for the tree (fds and processes that shared one share
 * it again), before any task returns to user space.
 *
 * Context: process context, in @t.
 * Return: 0 or a negative errno (the restart then fails).
 */
int cr_restore_pidfds(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_files_state *fs = ctx->files;
	struct cr_fdt_state *fdt = t->proc->fdt;
	struct cr_pidfd_stage *ps;
	struct task_struct *task;
	struct file *file;
	u32 i, j;
	int ret;

	for (i = 0; fs && fdt && i < fdt->nr_fds; i++) {
		for (j = 0; j < fs->nr_pidfds; j++)
			if (fdt->fds[i].file == fs->pidfds[j].placeholder)
				break;
		if (j == fs->nr_pidfds)
			continue;
		ps = &fs->pidfds[j];
		mutex_lock(&fs->pidfd_lock);
		file = ps->file;
		if (!file) {
			task = ctx->tasks[ps->task].task;
			file = pidfs_alloc_file(ps->flags & PIDFD_THREAD ? task_pid(task) :
						task_tgid(task), O_RDWR | ps->flags);
			if (!IS_ERR(file))
				ps->file = file;
		}
		mutex_unlock(&fs->pidfd_lock);
		if (IS_ERR(file))
			return PTR_ERR(file);
		ret = cr_replace_high_fd(fdt->fds[i].fd, file,
					 fdt->fds[i].flags & CR_FD_CLOEXEC ? O_CLOEXEC : 0);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * The files restart makes anew, as the caller: memfds, deleted files,
 * epoll files (empty: their items come back with the fd table), sockets
 * and event files.
 */
static struct file *cr_make_file(struct cr_ctx *ctx, const struct cr_rec_file *r)
{
	struct file *file;

	switch (r->kind) {
	case CR_FILE_MEMFD:
		return cr_make_memfd(ctx, r);
	case CR_FILE_DELETED:
		return cr_make_deleted(ctx, r);
	case CR_FILE_EPOLL:
		return epoll_file_create(0);
	case CR_FILE_SOCKET:
		return cr_make_socket(ctx, r);
	case CR_FILE_PIDFD:
		return cr_stage_pidfd(ctx, r);
	case CR_FILE_INOTIFY:
		return cr_make_inotify(ctx, r);
	case CR_FILE_MQUEUE:
		return cr_make_mqueue(ctx, r);
	}
	file = cr_make_event(r, (const struct cr_file_event *)(r + 1));
	if (IS_ERR(file))
		cr_reject(ctx, PTR_ERR(file), "cannot make the %s again",
			  cr_file_kind_name(r->kind));
	return file;
}

/*
 * A file record: reopen its path (or take the end of its pipe, or the
 * file the restarter handed in for it), as the caller.
 */
static int cr_read_file(struct cr_ctx *ctx)
{
	struct cr_files_state *fs = ctx->files;
	struct cr_rec_file *r;
	struct file *file = NULL;
	const char *why, *path;
	umode_t type;
	u32 len;
	int ret;

	r = cr_read_obj(ctx, CR_REC_FILE, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	path = cr_file_path(r);
	why = cr_check_file(r, len, fs->nr_objs + 1);
	if (!why && r->path_len)
		why = cr_check_string(path, r->path_len, CR_PATH_MAX);
	/* a FIFO's pipe record comes first, whether or not a file is handed in */
	if (!why && r->kind == CR_FILE_FIFO &&
	    (r->pipe > fs->nr_pipes || !fs->pipes[r->pipe - 1].fifo))
		why = "FIFO without its pipe record";
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "%s", why);
		goto out;
	}
	ret = -EMFILE;
	if (cr_too_many_objs(ctx, fs))
		goto out;
	ret = cr_grow((void **)&fs->objs, fs->nr_objs, &fs->cap_objs, sizeof(*fs->objs));
	if (!ret)
		ret = cr_grow((void **)&fs->kinds, fs->nr_objs, &fs->cap_kinds,
			      sizeof(*fs->kinds));
	if (ret)
		goto out;

	if (r->kind == CR_FILE_PIPE) {
		ret = cr_open_pipe_file(ctx, r, &file);
		goto done;
	}
	/* made anew, no path to hand a file in for */
	if (r->kind == CR_FILE_MEMFD || r->kind == CR_FILE_EPOLL || r->kind == CR_FILE_SOCKET ||
	    r->kind == CR_FILE_PIDFD || r->kind == CR_FILE_INOTIFY || r->kind == CR_FILE_MQUEUE ||
	    cr_file_is_event(r->kind))
		goto make;
	file = cr_inherited(ctx, path);
	if (file) {
		/* handed in by the restarter: used as it is, bytes and all */
		pr_debug("file %u (%s): the restarter's\n", r->objref, path);
		if (r->kind == CR_FILE_FIFO)
			cr_drop_fifo_data(fs, &fs->pipes[r->pipe - 1]);
		if (r->kind == CR_FILE_DELETED)
			ret = cr_read_file_data(ctx, NULL, r->objref,
						((const struct cr_file_content *)(r + 1))->size);
		goto done;
	}
	if (r->kind == CR_FILE_DELETED)
		goto make;
	if (r->kind == CR_FILE_INHERIT) {
		/* for fds 0-2 the restarter's own fd stands in: see cr_read_fd() */
		pr_debug("file %u (%s) is left to the restarter\n", r->objref, path);
		goto done;
	}
	if (r->kind == CR_FILE_FIFO) {
		ret = cr_open_fifo(fs, r, path, &file);
		if (ret)
			cr_reject(ctx, ret, "cannot reopen FIFO %s", path);
		goto done;
	}
	type = r->kind == CR_FILE_DIR ? S_IFDIR : r->kind == CR_FILE_CHR ? S_IFCHR : S_IFREG;
	file = cr_open_kind(path, r->flags, type);
	if (IS_ERR(file)) {
		ret = cr_reject(ctx, PTR_ERR(file), "cannot reopen %s%s", path,
				PTR_ERR(file) == -ESTALE ? ": another kind of file now" : "");
		file = NULL;
		goto out;
	}
	goto opened;
make:
	file = cr_make_file(ctx, r);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		file = NULL;
		goto out;
	}
opened:
	cr_set_flags(file, O_NONBLOCK, r->flags);
	if (r->pos && !(r->flags & O_PATH) && vfs_llseek(file, r->pos, SEEK_SET) != r->pos)
		ret = cr_reject(ctx, -ESPIPE, "cannot seek %s to %lld", path, r->pos);
done:
	if (!ret) {
		fs->kinds[fs->nr_objs] = r->kind;
		fs->objs[fs->nr_objs++] = file;
		file = NULL;
	}
	if (file)
		fput(file);
out:
	kvfree(r);
	return ret;
}

/**
 * cr_files_obj() - the staged file object a mapping names
 * @ctx: restart context, every section read
 * @objref: the objref of a vma record
 *
 * Return: a reference to the memfd or deleted file staged as @objref, or
 * ERR_PTR(-EBADMSG) if there is none, or it is of another kind.
 */
struct file *cr_files_obj(struct cr_ctx *ctx, u32 objref)
{
	struct cr_files_state *fs = ctx->files;
	u32 kind;

	if (!fs || !objref || objref > fs->nr_objs || !fs->objs[objref - 1])
		return ERR_PTR(-EBADMSG);
	kind = fs->kinds[objref - 1];
	if (kind != CR_FILE_MEMFD && kind != CR_FILE_DELETED)
		return ERR_PTR(-EBADMSG);
	return get_file(fs->objs[objref - 1]);
}

/* The staged fd @fd of @fdt, or NULL. */
static struct cr_fd_stage *cr_staged_fd(struct cr_fdt_state *fdt, u32 fd)
{
	u32 lo = 0, hi = fdt->nr_fds, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fdt->fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < fdt->nr_fds && fdt->fds[lo].fd == fd ? &fdt->fds[lo] : NULL;
}

/*
 * An epoll record, after the fd records of its process: the epoll file
 * must be one, on an fd of the process, and each item's fd must hold the
 * item's file there, for epoll_ctl(2) to add it back by fd.
 */
static int cr_read_epoll(struct cr_ctx *ctx, struct cr_fdt_state *fdt)
{
	struct cr_files_state *fs = ctx->files;
	struct cr_epoll_stage *es;
	struct cr_epoll_item *it;
	struct cr_fd_stage *fd;
	struct cr_rec_epoll *r;
	const char *why;
	u32 i, len;
	int ret;

	r = cr_read_obj(ctx, CR_REC_EPOLL, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	it = (struct cr_epoll_item *)(r + 1);
	why = cr_check_epoll(r, len, fs->nr_objs);
	if (!why && fs->kinds[r->objref - 1] != CR_FILE_EPOLL)
		why = "its file is no epoll file";
	for (i = 0; !why && i < fdt->nr_fds; i++)
		if (fdt->fds[i].file == fs->objs[r->objref - 1])
			break;
	if (!why && i == fdt->nr_fds)
		why = "its epoll file is on no fd of the process";
	ret = cr_grow((void **)&fdt->epolls, fdt->nr_epolls, &fdt->cap_epolls,
		      sizeof(*fdt->epolls));
	if (ret)
		goto out;
	es = &fdt->epolls[fdt->nr_epolls];
	es->epfd = why ? 0 : fdt->fds[i].fd;
	for (i = 0; !why && i < r->nr; i++) {
		fd = cr_staged_fd(fdt, it[i].fd);
		if (!fd || fd->file != fs->objs[it[i].objref - 1])
			why = "an item's fd does not hold its file";
	}
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "epoll file %u: %s", r->objref, why);
		goto out;
	}
	es->nr = r->nr;
	es->items = kvmalloc_array(r->nr ?: 1, sizeof(*it), GFP_KERNEL_ACCOUNT);
	if (!es->items) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(es->items, it, r->nr * sizeof(*it));
	fdt->nr_epolls++;
out:
	kvfree(r);
	return ret;
}

/* An fd record: the fd and the file object it refers to. */
static int cr_read_fd(struct cr_ctx *ctx, struct cr_fdt_state *fdt)
{
	struct cr_files_state *fs = ctx->files;
	struct cr_rec_fd *r;
	struct cr_fd_stage *fds;
	const char *why;
	int ret;

	r = cr_read_obj(ctx, CR_REC_FD, NULL);
	if (IS_ERR(r))
		return PTR_ERR(r);
	why = cr_check_fd(r, fs->nr_objs, fdt->nr_fds ? &fdt->prev_fd : NULL);
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "fd %u: %s", r->fd, why);
		goto out;
	}
	if (r->fd >= cr_nofile_max()) {
		ret = cr_reject(ctx, -EMFILE, "fd %u is beyond the caller's hard RLIMIT_NOFILE",
				r->fd);
		goto out;
	}
	ret = cr_grow((void **)&fdt->fds, fdt->nr_fds, &fdt->cap_fds, sizeof(*fdt->fds));
	if (ret)
		goto out;
	if (!fs->objs[r->objref - 1]) {
		/* left to the restarter: its own fd of this number stands in */
		if (r->fd <= CR_FD_INHERIT_MAX)
			fs->objs[r->objref - 1] = fget(r->fd);
		if (!fs->objs[r->objref - 1]) {
			ret = cr_reject(ctx, -EBADF,
					"fd %u is left to the restarter, which handed in none",
					r->fd);
			goto out;
		}
	}
	fds = &fdt->fds[fdt->nr_fds++];
	fds->fd = r->fd;
	fds->flags = r->flags;
	fds->file = get_file(fs->objs[r->objref - 1]);
	fdt->prev_fd = *r;
out:
	kvfree(r);
	return ret;
}

/* The fs record: umask and working directory, which must be one the caller may enter. */
static int cr_read_fs(struct cr_ctx *ctx, struct cr_fdt_state *fs)
{
	struct cr_rec_fs *r;
	const char *why, *path;
	u32 len;
	int ret;

	r = cr_read_obj(ctx, CR_REC_FS, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	path = (const char *)(r + 1);
	why = cr_check_fs(r, len) ?: cr_check_string(path, r->cwd_len, CR_PATH_MAX);
	if (why) {
		ret = cr_reject(ctx, -EBADMSG, "%s", why);
		goto out;
	}
	ret = kern_path(path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &fs->cwd);
	if (!ret) {
		ret = path_permission(&fs->cwd, MAY_EXEC | MAY_CHDIR);
		if (ret) {
			path_put(&fs->cwd);
			fs->cwd.dentry = NULL;
		}
	}
	if (ret)
		cr_reject(ctx, ret, "cannot change to directory %s", path);
	else
		fs->umask = r->umask;
out:
	kvfree(r);
	return ret;
}

/* Every file the restarter handed in must stand for something. */
static int cr_check_inherit(struct cr_ctx *ctx)
{
	u32 i;

	for (i = 0; i < ctx->nr_inherit; i++)
		if (!ctx->inherit[i].used)
			return cr_reject(ctx, -ENOENT, "no file of the image has the key %s",
					 ctx->inherit[i].key);
	return 0;
}

/*
 * The pipe, file and fd records, up to the fs record.  Every file is
 * reopened now, before the point of no return.  -EBADF if an fd is left
 * to the restarter and it has none; -EMFILE for an fd beyond
 * RLIMIT_NOFILE or more open files and pipes than it allows; -ESTALE if a
 * path now names another kind of file; -ESPIPE if the position cannot be
 * restored; -EBUSY for a FIFO that must get its bytes back but is not
 * empty; -ENOENT for a handed-in key no file record has; the error of
 * opening a file or the working directory (-ENOENT, -EACCES, ...).
 */
static int cr_read_files(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_fdt_state *fdt;
	int type, ret = 0;

	if (!ctx->files) {
		struct cr_files_state *fst = kzalloc(sizeof(*fst), GFP_KERNEL);

		if (!fst)
			return -ENOMEM;
		mutex_init(&fst->pidfd_lock);
		ctx->files = fst;
	}
	fdt = kzalloc(sizeof(*fdt), GFP_KERNEL);
	if (!fdt)
		return -ENOMEM;
	t->proc->fdt = fdt;
	while (!ret) {
		type = cr_next_type(ctx);
		switch (type) {
		case CR_REC_FS:
			ret = cr_read_fs(ctx, fdt);
			/* the last process read: every file handed in was taken */
			if (!ret && t->proc->idx == ctx->nr_procs - 1)
				ret = cr_check_inherit(ctx) ?: cr_check_socks(ctx) ?:
				      cr_restore_inotify(ctx);
			return ret;
		case CR_REC_FILE:
			ret = cr_read_file(ctx);
			break;
		case CR_REC_PIPE:
			ret = cr_read_pipe(ctx);
			break;
		case CR_REC_FD:
			ret = cr_read_fd(ctx, fdt);
			break;
		case CR_REC_EPOLL:
			ret = cr_read_epoll(ctx, fdt);
			break;
		default:
			if (type < 0 && type != -ENODATA)
				return type;
			/* cr_read_obj() says what came instead */
			ret = PTR_ERR_OR_ZERO(cr_read_obj(ctx, CR_REC_FS, NULL));
			if (!ret)
				ret = -EBADMSG;
		}
	}
	return ret;
}

/*
 * Install the staged fd table, cwd and umask of @t's process: it gets a
 * private fd table holding exactly the image's fds (before its threads are
 * made, which share it).
 */
/* Add the items of the process's epoll files back, by fd, as epoll_ctl(2). */
static int cr_restore_epolls(struct cr_fdt_state *fdt)
{
	struct epoll_event ev;
	u32 i, j;
	int ret;

	for (i = 0; i < fdt->nr_epolls; i++) {
		for (j = 0; j < fdt->epolls[i].nr; j++) {
			const struct cr_epoll_item *it = &fdt->epolls[i].items[j];

			ev.events = (__force __poll_t)it->events;
			ev.data = it->data;
			ret = do_epoll_ctl(fdt->epolls[i].epfd, EPOLL_CTL_ADD, it->fd, &ev, false);
			if (ret) {
				pr_info_ratelimited("restart: epoll fd %u: adding fd %u failed: %d\n",
						    fdt->epolls[i].epfd, it->fd, ret);
				return ret;
			}
		}
	}
	return 0;
}

static int cr_restore_files(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_fdt_state *fs = t->proc->fdt;
	u32 i;
	int ret;

	ret = unshare_files();
	if (!ret)
		ret = unshare_fs_struct();
	if (ret)
		return ret;
	ret = __close_range(0, ~0U, 0);
	if (ret)
		return ret;
	/*
	 * Room for the highest fd, checked against cr_nofile_max(); the
	 * image's limit, set with the other rlimits later, may be lower (a
	 * process may lower its limit below fds it has).
	 */
	if (fs->nr_fds && fs->prev_fd.fd >= rlimit(RLIMIT_NOFILE)) {
		task_lock(current->group_leader);
		current->signal->rlim[RLIMIT_NOFILE].rlim_cur = fs->prev_fd.fd + 1;
		current->signal->rlim[RLIMIT_NOFILE].rlim_max =
			max(current->signal->rlim[RLIMIT_NOFILE].rlim_max, fs->prev_fd.fd + 1UL);
		task_unlock(current->group_leader);
	}
	for (i = 0; i < fs->nr_fds; i++) {
		ret = replace_fd(fs->fds[i].fd, fs->fds[i].file,
				 fs->fds[i].flags & CR_FD_CLOEXEC ? O_CLOEXEC : 0);
		if (ret < 0)
			return ret;
	}
	ret = cr_restore_epolls(fs);
	if (ret)
		return ret;
	ret = cr_restore_socks(ctx, t);
	if (ret)
		return ret;
	ret = cr_restore_mq_notify(ctx, t);
	if (ret)
		return ret;
	set_fs_pwd(current->fs, &fs->cwd);
	current->fs->umask = fs->umask;
	return 0;
}

/* Drop the objects restart staged for the tree. */
static void cr_free_files_state(struct cr_files_state *fs)
{
	u32 i;

	for (i = 0; i < fs->nr_pipes; i++) {
		if (fs->pipes[i].end[0])
			fput(fs->pipes[i].end[0]);
		if (fs->pipes[i].end[1])
			fput(fs->pipes[i].end[1]);
		if (fs->pipes[i].keeper)
			fput(fs->pipes[i].keeper);
		kvfree(fs->pipes[i].rec);
	}
	kvfree(fs->pipes);
	for (i = 0; i < fs->nr_pidfds; i++) {
		fput(fs->pidfds[i].placeholder);
		if (fs->pidfds[i].file)
			fput(fs->pidfds[i].file);
	}
	kvfree(fs->pidfds);
	for (i = 0; i < fs->nr_objs; i++)
		if (fs->objs[i])
			fput(fs->objs[i]);
	kvfree(fs->objs);
	kvfree(fs->kinds);
	kfree(fs);
}

/*
 * Drop what a process's files section left (@t its leader), or with @t
 * NULL the object tables of the tree.
 */
static void cr_free_files(struct cr_ctx *ctx, struct cr_task *t)
{
	struct cr_fdt_state *fdt;
	u32 i;

	if (!t) {
		cr_free_socks(ctx);
		cr_free_inotify(ctx);
		if (ctx->files && ctx->restart)
			cr_free_files_state(ctx->files);
		else if (ctx->files)
			cr_free_files_ckpt(ctx->files);
		ctx->files = NULL;
		return;
	}
	fdt = t->proc->fdt;
	if (!fdt)
		return;
	for (i = 0; i < fdt->nr_fds; i++)
		fput(fdt->fds[i].file);
	kvfree(fdt->fds);
	for (i = 0; i < fdt->nr_epolls; i++)
		kvfree(fdt->epolls[i].items);
	kvfree(fdt->epolls);
	if (fdt->cwd.dentry)
		path_put(&fdt->cwd);
	kfree(fdt);
	t->proc->fdt = NULL;
}

/* Open files, pipes, the fd table, cwd and umask. */
const struct cr_section cr_files_section = {
	.name		= "files",
	.scope		= CR_SCOPE_PROC,
	.write		= cr_write_files,
	.read		= cr_read_files,
	.restore	= cr_restore_files,
	.free		= cr_free_files,
};

/**
 * cr_get_inherit() - take the files a restarter hands in
 * @ctx: restart context
 * @uargs: restart(2)'s fourth argument
 *
 * Takes a reference on each file while the caller's fd table is intact.
 *
 * Return: 0; -EFAULT for an unreadable argument; -EINVAL for more than
 * CR_INHERIT_MAX files, reserved fields that are not zero, an empty, too
 * long or repeated key; -EBADF for an fd the caller does not have;
 * -ENOMEM.
 */
int cr_get_inherit(struct cr_ctx *ctx, const struct cr_restart_args __user *uargs)
{
	const struct cr_inherit __user *uin;
	struct cr_restart_args args;
	struct cr_inherit in;
	u32 i, j;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.__reserved || args.nr_inherit > CR_INHERIT_MAX)
		return -EINVAL;
	if (!args.nr_inherit)
		return 0;
	ctx->inherit = kcalloc(args.nr_inherit, sizeof(*ctx->inherit), GFP_KERNEL);
	if (!ctx->inherit)
		return -ENOMEM;
	uin = u64_to_user_ptr(args.inherit);
	for (i = 0; i < args.nr_inherit; i++) {
		struct cr_inherit_ent *e = &ctx->inherit[i];

		if (copy_from_user(&in, &uin[i], sizeof(in)))
			return -EFAULT;
		if (in.__reserved)
			return -EINVAL;
		e->key = strndup_user(u64_to_user_ptr(in.key), PATH_MAX);
		if (IS_ERR(e->key)) {
			int ret = PTR_ERR(e->key);

			e->key = NULL;
			return ret;
		}
		ctx->nr_inherit++;
		if (!e->key[0])
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(ctx->inherit[j].key, e->key))
				return -EINVAL;
		e->file = fget(in.fd);
		if (!e->file)
			return -EBADF;
		pr_debug("restarter's fd %d stands for %s\n", in.fd, e->key);
	}
	return 0;
}

/**
 * cr_put_inherit() - drop the files a restarter handed in
 * @ctx: restart context
 */
void cr_put_inherit(struct cr_ctx *ctx)
{
	u32 i;

	for (i = 0; i < ctx->nr_inherit; i++) {
		if (ctx->inherit[i].file)
			fput(ctx->inherit[i].file);
		kfree(ctx->inherit[i].key);
	}
	kfree(ctx->inherit);
	ctx->inherit = NULL;
	ctx->nr_inherit = 0;
}
