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
 * Regular files, directories and character devices are saved, and pipes
 * whose both ends the process holds, with the bytes buffered in them (read
 * without consuming them).  An fd 0-2 of another kind (a pipe or socket to
 * the parent, typically) is left to the restarter: restart uses the
 * restarter's own fd of that number.  Any other fd of another kind is
 * refused with EOPNOTSUPP.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pipe_fs_i.h>
#include <linux/namei.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

/* Open flags a file record may carry; restart refuses any other. */
#define CR_FILE_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECT | \
			 O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | \
			 __O_SYNC | O_PATH)

/* The highest fd that may be left to the restarter. */
#define CR_FD_INHERIT_MAX	2

/* ------------------------------------------------------------------------ */
/* checkpoint                                                               */
/* ------------------------------------------------------------------------ */

/*
 * An object table: objects already written, in objref order (file
 * objects, or pipes).  Pointers stay in the kernel; the image only ever
 * sees the objref.
 */
struct cr_objs {
	void **obj;
	u32 nr;
	u32 cap;
};

static int cr_obj_find_or_add(struct cr_objs *o, void *obj, bool *added)
{
	u32 i;

	*added = false;
	for (i = 0; i < o->nr; i++)
		if (o->obj[i] == obj)
			return i + 1;
	if (o->nr == o->cap) {
		u32 cap = o->cap ? 2 * o->cap : 16;
		void **n = krealloc_array(o->obj, cap, sizeof(*n), GFP_KERNEL);

		if (!n)
			return -ENOMEM;
		o->obj = n;
		o->cap = cap;
	}
	o->obj[o->nr++] = obj;
	*added = true;
	return o->nr;
}

/* Does @t hold an end of @pipe open for @mode (FMODE_READ/FMODE_WRITE)? */
static bool cr_pipe_end_held(struct task_struct *t, struct pipe_inode_info *pipe,
			     fmode_t mode)
{
	unsigned int fd;
	struct file *f;
	bool found = false;

	for (fd = 0; !found; fd++) {
		rcu_read_lock();
		f = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!f)
			break;
		found = get_pipe_info(f, false) == pipe && (f->f_mode & mode);
		fput(f);
	}
	return found;
}

/* Write the pipe record: capacity and the buffered bytes, left in place. */
static int cr_write_pipe(struct cr_ctx *ctx, struct pipe_inode_info *pipe, u32 objref)
{
	struct cr_rec_pipe *r;
	unsigned int tail, head;
	size_t size, len = 0;
	int ret = 0;

	size = (size_t)pipe->max_usage << PAGE_SHIFT;
	if (size > CR_REC_MAX_LEN - sizeof(*r))
		return -EOPNOTSUPP;
	r = kvzalloc(sizeof(*r) + size, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	pipe_lock(pipe);
	head = pipe->head;
	for (tail = pipe->tail; tail != head && !ret; tail++) {
		struct pipe_buffer *buf = pipe_buf(pipe, tail);

		ret = pipe_buf_confirm(pipe, buf);
		if (!ret && len + buf->len > size)
			ret = -EAGAIN;
		if (!ret) {
			memcpy_from_page((char *)(r + 1) + len, buf->page, buf->offset, buf->len);
			len += buf->len;
		}
	}
	pipe_unlock(pipe);
	if (!ret) {
		r->objref = objref;
		r->size = size;
		r->len = len;
		ret = cr_write_rec(ctx, CR_REC_PIPE, r, sizeof(*r) + len);
	}
	kvfree(r);
	return ret;
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
	/* pipe(2) pipes live on pipefs; named FIFOs are not handled yet */
	if (S_ISFIFO(mode) && get_pipe_info(file, false) &&
	    file_inode(file)->i_sb->s_magic == PIPEFS_MAGIC)
		return CR_FILE_PIPE;
	return 0;
}

/*
 * The pipe part of a pipe end's file record: both ends must be held, and
 * each end by one open file only (restart makes one pipe, two files).
 */
static int cr_write_pipe_end(struct cr_ctx *ctx, struct file *file, struct cr_objs *files,
			     struct cr_objs *pipes, struct cr_rec_file *r)
{
	struct pipe_inode_info *pipe = get_pipe_info(file, false);
	fmode_t end = file->f_mode & (FMODE_READ | FMODE_WRITE);
	fmode_t other = end ^ (FMODE_READ | FMODE_WRITE);
	bool added;
	int objref;
	u32 i;

	if (!cr_pipe_end_held(ctx->task, pipe, other))
		return -ENOENT;
	for (i = 0; i < files->nr - 1; i++) {
		struct file *f = files->obj[i];

		if (get_pipe_info(f, false) == pipe && (f->f_mode & end))
			return -ENOENT;
	}
	objref = cr_obj_find_or_add(pipes, pipe, &added);
	if (objref < 0)
		return objref;
	r->pipe = objref;
	return added ? cr_write_pipe(ctx, pipe, objref) : 0;
}

static int cr_write_file(struct cr_ctx *ctx, struct file *file, u32 objref, unsigned int fd,
			 struct cr_objs *files, struct cr_objs *pipes, char *buf)
{
	struct cr_rec_file *r = (struct cr_rec_file *)buf;
	char *path;
	u32 len = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->objref = objref;
	r->kind = cr_file_kind(file);
	if (r->kind == CR_FILE_PIPE) {
		ret = cr_write_pipe_end(ctx, file, files, pipes, r);
		if (ret == -ENOENT)
			r->kind = 0;	/* one end only: as any unsupported file */
		else if (ret)
			return ret;
		r->flags = file->f_flags & (O_ACCMODE | O_NONBLOCK);
	}
	if (!r->kind || d_unlinked(file->f_path.dentry)) {
		path = file_path(file, buf + sizeof(*r), PATH_MAX);
		if (fd > CR_FD_INHERIT_MAX) {
			pr_info_ratelimited("checkpoint of pid %d refused: fd %u (%s): not supported yet\n",
					    task_pid_vnr(ctx->task), fd,
					    IS_ERR(path) ? "?" : path);
			return -EOPNOTSUPP;
		}
		memset(r, 0, sizeof(*r));
		r->objref = objref;
		r->kind = CR_FILE_INHERIT;
	} else if (r->kind != CR_FILE_PIPE) {
		path = file_path(file, buf + sizeof(*r), PATH_MAX);
		if (IS_ERR(path))
			return PTR_ERR(path);
		len = strlen(path) + 1;
		memmove(buf + sizeof(*r), path, len);
		r->flags = file->f_flags & CR_FILE_FLAGS;
		r->mode = file_inode(file)->i_mode;
		r->pos = file->f_pos;
	}
	r->path_len = len;
	return cr_write_rec(ctx, CR_REC_FILE, r, sizeof(*r) + len);
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

/**
 * cr_write_files() - write the file, fd and fs records of @ctx->task
 * @ctx: checkpoint context
 *
 * The image file of a self checkpoint is not saved: its fd is closed in
 * the restarted process.
 *
 * Return: 0; -EOPNOTSUPP for an fd past 2 that cr cannot save (pipes,
 * sockets, anonymous inodes, deleted files: the kernel log says which);
 * -ENOMEM; or the error of writing.
 */
int cr_write_files(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;
	struct cr_objs objs = {}, pipes = {};
	struct cr_rec_fs *fs;
	struct path pwd;
	unsigned int fd;
	struct file *file;
	/* a file record and its path, or the fs record and its path */
	size_t size = sizeof(struct cr_rec_file) + PATH_MAX;
	char *buf, *p;
	int ret = 0;

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (fd = 0; !ret; fd++) {
		struct cr_rec_fd rec = { };
		bool added;
		int objref;

		rcu_read_lock();
		file = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!file)
			break;
		if (t == current && file == ctx->file) {
			fput(file);
			continue;
		}
		objref = cr_obj_find_or_add(&objs, file, &added);
		ret = objref < 0 ? objref : 0;
		if (added)
			get_file(file);	/* the table's: cr_write_pipe_end() looks back */
		if (!ret && added)
			ret = cr_write_file(ctx, file, objref, fd, &objs, &pipes, buf);
		if (!ret) {
			rec.fd = fd;
			rec.objref = objref;
			rec.flags = cr_fd_cloexec(t, fd) ? CR_FD_CLOEXEC : 0;
			ret = cr_write_rec(ctx, CR_REC_FD, &rec, sizeof(rec));
		}
		fput(file);
	}
	while (objs.nr)
		fput(objs.obj[--objs.nr]);
	kfree(objs.obj);
	kfree(pipes.obj);
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
	kfree(buf);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* restart                                                                  */
/* ------------------------------------------------------------------------ */

struct cr_fd_stage {
	u32 fd;
	u32 flags;
	struct file *file;	/* a reference of its own */
};

/* A pipe made by restart; ends handed to file records one by one. */
struct cr_pipe_stage {
	struct file *end[2];	/* read, write; NULL once handed to a file record */
};

/**
 * struct cr_files_state - the fd table and fs context restart stages
 * @pipes: the pipes, made and refilled, indexed by objref - 1
 * @nr_pipes: number of @pipes
 * @cap_pipes: room in @pipes
 * @objs: the file objects, opened, indexed by objref - 1
 * @nr_objs: number of @objs; an object left to the restarter is NULL
 *	until its first fd record names the restarter's fd
 * @cap_objs: room in @objs
 * @fds: the fds, in increasing order
 * @nr_fds: number of @fds
 * @cap_fds: room in @fds
 * @cwd: the working directory
 * @umask: the umask
 */

struct cr_files_state {
	struct cr_pipe_stage *pipes;
	u32 nr_pipes;
	u32 cap_pipes;
	struct file **objs;
	u32 nr_objs;
	u32 cap_objs;
	struct cr_fd_stage *fds;
	u32 nr_fds;
	u32 cap_fds;
	struct path cwd;
	u32 umask;
};

/* Make room for one more element in *@arr (@nr used of *@cap). */
static int cr_grow(void **arr, u32 nr, u32 *cap, size_t size)
{
	u32 n = *cap ? 2 * *cap : 16;
	void *p;

	if (nr < *cap)
		return 0;
	p = krealloc_array(*arr, n, size, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/* A path for the kinds reopened by path, none for the others. */
static bool cr_bad_path_len(const struct cr_rec_file *r)
{
	bool by_path = r->kind == CR_FILE_REG || r->kind == CR_FILE_DIR ||
		       r->kind == CR_FILE_CHR;

	return by_path != !!r->path_len;
}

/* Make the pipe of a pipe record, sized and refilled, before its ends. */
static int cr_read_pipe(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	struct cr_files_state *fs = ctx->fs;
	struct cr_pipe_stage *ps;
	struct cr_rec_pipe r;
	void *data = NULL;
	loff_t pos = 0;
	long got;
	int ret;

	ret = cr_read_fixed(ctx, hdr, &r, sizeof(r));
	if (ret)
		return ret;
	if (r.objref != fs->nr_pipes + 1 || r.__reserved || r.len > r.size ||
	    hdr->len != sizeof(r) + r.len || r.size < PAGE_SIZE)
		return -EBADMSG;
	/* no more open objects staged than the caller may have fds */
	if (fs->nr_pipes + fs->nr_objs >= rlimit(RLIMIT_NOFILE))
		return -EMFILE;
	ret = cr_grow((void **)&fs->pipes, fs->nr_pipes, &fs->cap_pipes, sizeof(*fs->pipes));
	if (ret)
		return ret;
	ps = &fs->pipes[fs->nr_pipes];
	ret = create_pipe_files(ps->end, O_NONBLOCK);
	if (ret)
		return ret;
	fs->nr_pipes++;
	/* the size as fcntl(F_SETPIPE_SZ) allows it to the caller */
	got = pipe_fcntl(ps->end[1], F_SETPIPE_SZ, r.size);
	if (got < 0)
		return got;
	if (got < r.len)
		return -EBADMSG;
	if (r.len) {
		data = kvmalloc(r.len, GFP_KERNEL);
		if (!data)
			return -ENOMEM;
		ret = cr_read_body(ctx, data, r.len);
		if (ret) {
			kvfree(data);
			return ret;
		}
		/* non-blocking and empty: all of it goes in at once, or it fails */
		got = kernel_write(ps->end[1], data, r.len, &pos);
		kvfree(data);
		if (got != r.len)
			return got < 0 ? got : -EIO;
	}
	return cr_read_end(ctx, hdr);
}

/* A pipe end's file record: take the end from its pipe, set its flags. */
static int cr_take_pipe_end(struct cr_files_state *fs, const struct cr_rec_file *r,
			    struct file **filep)
{
	u32 acc = r->flags & O_ACCMODE;
	struct file *file;
	int end;

	if (!r->pipe || r->pipe > fs->nr_pipes || r->flags & ~(O_ACCMODE | O_NONBLOCK) ||
	    (acc != O_RDONLY && acc != O_WRONLY))
		return -EBADMSG;
	end = acc == O_WRONLY;
	file = fs->pipes[r->pipe - 1].end[end];
	if (!file)
		return -EBADMSG;	/* this end was taken already */
	fs->pipes[r->pipe - 1].end[end] = NULL;
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~O_NONBLOCK) | (r->flags & O_NONBLOCK);
	spin_unlock(&file->f_lock);
	*filep = file;
	return 0;
}

static int cr_read_file(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	struct cr_files_state *fs = ctx->fs;
	struct cr_rec_file r;
	struct file *file;
	char *path;
	umode_t mode;
	int ret;

	ret = cr_read_fixed(ctx, hdr, &r, sizeof(r));
	if (ret)
		return ret;
	if (r.objref != fs->nr_objs + 1 || hdr->len != sizeof(r) + r.path_len ||
	    r.flags & ~CR_FILE_FLAGS || !r.kind || r.kind > CR_FILE_PIPE ||
	    (r.kind != CR_FILE_PIPE && r.pipe) ||
	    cr_bad_path_len(&r) || r.path_len > PATH_MAX || r.pos < 0) {
		pr_info_ratelimited("file record %u: invalid\n", r.objref);
		return -EBADMSG;
	}
	if (fs->nr_pipes + fs->nr_objs >= rlimit(RLIMIT_NOFILE))
		return -EMFILE;
	ret = cr_grow((void **)&fs->objs, fs->nr_objs, &fs->cap_objs, sizeof(*fs->objs));
	if (ret)
		return ret;

	if (r.kind == CR_FILE_INHERIT) {
		/* the restarter's fd stands in: see cr_read_fd() */
		file = NULL;
		goto done;
	}
	if (r.kind == CR_FILE_PIPE) {
		ret = cr_take_pipe_end(fs, &r, &file);
		if (ret)
			return ret;
		goto done;
	}

	path = cr_read_string(ctx, r.path_len, PATH_MAX);
	if (IS_ERR(path))
		return PTR_ERR(path);
	file = filp_open(path, r.flags | O_NOCTTY | O_LARGEFILE, 0);
	if (IS_ERR(file)) {
		pr_info_ratelimited("file %u: cannot reopen %s: %ld\n", r.objref, path,
				    PTR_ERR(file));
		kfree(path);
		return PTR_ERR(file);
	}
	mode = file_inode(file)->i_mode;
	if ((r.kind == CR_FILE_REG && !S_ISREG(mode)) ||
	    (r.kind == CR_FILE_DIR && !S_ISDIR(mode)) ||
	    (r.kind == CR_FILE_CHR && !S_ISCHR(mode))) {
		pr_info_ratelimited("file %u: %s is no longer the same kind of file\n",
				    r.objref, path);
		ret = -ESTALE;
	} else if (r.pos && !(r.flags & O_PATH) && vfs_llseek(file, r.pos, SEEK_SET) != r.pos) {
		pr_info_ratelimited("file %u: cannot seek %s to %lld\n", r.objref, path, r.pos);
		ret = -ESPIPE;
	}
	kfree(path);
	if (ret) {
		fput(file);
		return ret;
	}
done:
	fs->objs[fs->nr_objs++] = file;
	return cr_read_end(ctx, hdr);
}

static int cr_read_fd(struct cr_ctx *ctx, const struct cr_hdr *hdr, struct cr_rec_fd *r)
{
	struct cr_files_state *fs = ctx->fs;
	int ret;

	ret = cr_read_payload(ctx, hdr, r, sizeof(*r));
	if (ret)
		return ret;
	if (!r->objref || r->objref > fs->nr_objs || r->flags & ~CR_FD_CLOEXEC ||
	    r->__reserved || (fs->nr_fds && r->fd <= fs->fds[fs->nr_fds - 1].fd)) {
		pr_info_ratelimited("fd record %u: invalid\n", r->fd);
		return -EBADMSG;
	}
	if (r->fd >= rlimit(RLIMIT_NOFILE) || r->fd >= sysctl_nr_open) {
		pr_info_ratelimited("fd %u is beyond RLIMIT_NOFILE\n", r->fd);
		return -EMFILE;
	}
	ret = cr_grow((void **)&fs->fds, fs->nr_fds, &fs->cap_fds, sizeof(*fs->fds));
	if (ret)
		return ret;
	if (!fs->objs[r->objref - 1]) {
		/* left to the restarter: its own fd of this number stands in */
		if (r->fd > CR_FD_INHERIT_MAX)
			return -EBADMSG;
		fs->objs[r->objref - 1] = fget(r->fd);
		if (!fs->objs[r->objref - 1]) {
			pr_info_ratelimited("fd %u is left to the restarter, which has none\n",
					    r->fd);
			return -EBADF;
		}
	}
	fs->fds[fs->nr_fds].fd = r->fd;
	fs->fds[fs->nr_fds].flags = r->flags;
	fs->fds[fs->nr_fds].file = get_file(fs->objs[r->objref - 1]);
	fs->nr_fds++;
	return 0;
}

static int cr_read_fs(struct cr_ctx *ctx, const struct cr_hdr *hdr)
{
	struct cr_files_state *fs = ctx->fs;
	struct cr_rec_fs r;
	char *path;
	int ret;

	ret = cr_read_fixed(ctx, hdr, &r, sizeof(r));
	if (ret)
		return ret;
	if (r.umask & ~0777 || hdr->len != sizeof(r) + r.cwd_len)
		return -EBADMSG;
	path = cr_read_string(ctx, r.cwd_len, PATH_MAX);
	if (IS_ERR(path))
		return PTR_ERR(path);
	ret = kern_path(path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &fs->cwd);
	if (!ret) {
		ret = path_permission(&fs->cwd, MAY_EXEC | MAY_CHDIR);
		if (ret) {
			path_put(&fs->cwd);
			fs->cwd.dentry = NULL;
		}
	}
	if (ret)
		pr_info_ratelimited("cannot change to directory %s: %d\n", path, ret);
	kfree(path);
	if (ret)
		return ret;
	fs->umask = r.umask;
	return cr_read_end(ctx, hdr);
}

static int cr_bad_files_record(const struct cr_hdr *hdr)
{
	pr_info_ratelimited("unexpected %s record among files\n", cr_rec_name(hdr->type));
	return -EBADMSG;
}

/**
 * cr_read_files() - read, check and open the files, fds and fs context
 * @ctx: restart context; the next record is the first file, fd or fs one
 *
 * Every file is reopened now, before the point of no return.
 *
 * Return: 0; -EBADMSG for an invalid record; -EBADF if an fd is left to
 * the restarter and it has none; -EMFILE for an fd beyond RLIMIT_NOFILE or
 * more open files and pipes than it allows;
 * -ESTALE if a path now names another kind of file; -ESPIPE if the
 * position cannot be restored; the error of opening a file or the working
 * directory (-ENOENT, -EACCES, ...); -ENOMEM; or a read error.
 */
int cr_read_files(struct cr_ctx *ctx)
{
	struct cr_rec_fd fdr;
	struct cr_hdr hdr;
	int ret;

	ctx->fs = kzalloc(sizeof(*ctx->fs), GFP_KERNEL);
	if (!ctx->fs)
		return -ENOMEM;
	for (;;) {
		ret = cr_read_hdr(ctx, &hdr);
		if (ret)
			return ret == -ENODATA ? -EBADMSG : ret;
		if (hdr.type == CR_REC_FS)
			return cr_read_fs(ctx, &hdr);
		if (hdr.type == CR_REC_FILE)
			ret = cr_read_file(ctx, &hdr);
		else if (hdr.type == CR_REC_PIPE)
			ret = cr_read_pipe(ctx, &hdr);
		else if (hdr.type == CR_REC_FD)
			ret = cr_read_fd(ctx, &hdr, &fdr);
		else
			ret = cr_bad_files_record(&hdr);
		if (ret)
			return ret;
	}
}

/**
 * cr_restore_files() - install the staged fd table, cwd and umask
 * @ctx: restart context, past the point of no return
 *
 * The caller gets a private fd table holding exactly the image's fds.
 *
 * Return: 0 or a negative errno (the caller is then killed).
 */
int cr_restore_files(struct cr_ctx *ctx)
{
	struct cr_files_state *fs = ctx->fs;
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
	for (i = 0; i < fs->nr_fds; i++) {
		ret = replace_fd(fs->fds[i].fd, fs->fds[i].file,
				 fs->fds[i].flags & CR_FD_CLOEXEC ? O_CLOEXEC : 0);
		if (ret < 0)
			return ret;
	}
	set_fs_pwd(current->fs, &fs->cwd);
	current->fs->umask = fs->umask;
	return 0;
}

/**
 * cr_free_files() - drop what restart staged for files
 * @ctx: restart context
 */
void cr_free_files(struct cr_ctx *ctx)
{
	struct cr_files_state *fs = ctx->fs;
	u32 i;

	if (!fs)
		return;
	for (i = 0; i < fs->nr_pipes; i++) {
		if (fs->pipes[i].end[0])
			fput(fs->pipes[i].end[0]);
		if (fs->pipes[i].end[1])
			fput(fs->pipes[i].end[1]);
	}
	kfree(fs->pipes);
	for (i = 0; i < fs->nr_objs; i++)
		if (fs->objs[i])
			fput(fs->objs[i]);
	for (i = 0; i < fs->nr_fds; i++)
		fput(fs->fds[i].file);
	kfree(fs->objs);
	kfree(fs->fds);
	if (fs->cwd.dentry)
		path_put(&fs->cwd);
	kfree(fs);
	ctx->fs = NULL;
}
