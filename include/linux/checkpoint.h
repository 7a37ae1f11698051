/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr: in-kernel checkpoint/restart - internal interfaces.
 *
 * An operation (one checkpoint(2) or restart(2) call) has a struct cr_ctx.
 * The state it saves is cut into sections, one per kind of object (task,
 * registers, address space, files, timers, signals), each a struct cr_section
 * exported by the file that knows the object; one table in image order,
 * cr_sections[], drives both directions (checkpoint/section.c).  Records
 * are written with cr_write_rec() and read with cr_read_obj(), which
 * checks every record against the record table of <linux/checkpoint_format.h>.
 */
#ifndef _LINUX_CHECKPOINT_H
#define _LINUX_CHECKPOINT_H

#include <linux/bvec.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/nodemask.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xxhash.h>
#include <linux/errno.h>
#include <linux/compiler_attributes.h>
#include <linux/signal_types.h>
#include <linux/types.h>
#include <uapi/linux/checkpoint.h>
#include <linux/checkpoint_format.h>

struct file;
struct mempolicy;
struct mm_struct;
struct page;
struct task_struct;
struct vm_area_struct;
struct cr_fdt_state;
struct cr_inherit_ent;
struct cr_ipc_obj;
struct ipc_namespace;
struct msg_queue_state;
struct sem_undo_set;
struct cr_mm_state;
struct cr_proc;
struct cr_signals_state;
struct cr_timers_state;
struct cr_sem_state;
struct cr_sigstate;
struct cr_vma_snap;
struct cr_task_state;

/**
 * struct cr_task - one task of an image, in either direction
 * @rec:	its entry of the tree record
 * @ctx:	the operation
 * @proc:	its process; NULL for a zombie, which has no sections
 * @idx:	its index in the tree
 * @child:	the index of its first child process, CR_TREE_OUTSIDE if none
 * @sibling:	the index of its parent's next child process, or
 *		CR_TREE_OUTSIDE
 * @task:	checkpoint: the task (referenced); restart: the task made for
 *		it once it runs, or the caller for the root (referenced)
 * @stack:	checkpoint: @task's stack is pinned (try_get_task_stack())
 * @frozen:	checkpoint: the checkpoint froze @task (CR_CHECKPOINT_FREEZE),
 *		to thaw it at the end
 * @nvcsw:	checkpoint: the switch count of @task when it was found still
 * @pgid:	checkpoint: its process group, as a pid, when walked
 * @sid:	checkpoint: its session, as a pid, when walked
 * @restart_block: the task record carries a restart block (an interrupted
 *		nanosleep): set by the task section, for the arch's cpu record
 * @made:	restart: the pid kernel_clone() gave the task made for it
 * @grouped:	restart: a leader or zombie, it is in its session and process
 *		group, and its group exists for others to join
 * @ts:		restart: the staged task record
 * @arch:	restart: the arch's staged registers and FPU state
 * @sig:	restart: the staged sigstate record
 * @blocked:	restart: the mask it gets when restart(2) returns
 * @notify:	restart: its way out must run the signal code even with no
 *		signal pending (set_notify_signal(), once the page stream is
 *		read: it would interrupt reads of the image): to restart an
 *		interrupted system call, or to restore a saved mask
 * @retval:	restart: the value of ax on its way out
 */
struct cr_task {
	struct cr_tree_task rec;
	struct cr_ctx *ctx;
	struct cr_proc *proc;
	u32 idx;
	u32 child;
	u32 sibling;
	struct task_struct *task;
	bool stack;
	bool frozen;
	unsigned long nvcsw;
	pid_t pgid;
	pid_t sid;
	bool restart_block;
	pid_t made;
	bool grouped;
	struct cr_task_state *ts;
	void *arch;
	struct cr_sigstate *sig;
	sigset_t blocked;
	bool notify;
	long retval;
};

/**
 * struct cr_proc - one process (thread group) of an image
 * @leader:	its leader
 * @idx:	its index among the processes
 * @nr_threads:	its tasks, the leader included, which follow the leader
 * @mm:		checkpoint: its mm (referenced)
 * @snap:	checkpoint: the vma list, from the mm section to the pages
 * @nr_snap:	checkpoint: its length
 * @ms:		restart: the staged address space
 * @fdt:	restart: the staged fd table, cwd and umask
 * @ss:		restart: the staged process signal state and rlimits
 * @tms:	restart: the staged POSIX timers
 * @sem:	restart: the staged SysV semaphore adjustments
 */
struct cr_proc {
	struct cr_task *leader;
	u32 idx;
	u32 nr_threads;
	struct mm_struct *mm;
	struct cr_vma_snap *snap;
	int nr_snap;
	struct cr_mm_state *ms;
	struct cr_fdt_state *fdt;
	struct cr_signals_state *ss;
	struct cr_timers_state *tms;
	struct cr_sem_state *sem;
};

/**
 * struct cr_shm_obj - a shared memory object: of shared anonymous mappings,
 * or a SysV shared memory segment
 * @file:	its shmem file, referenced
 * @size:	its size when first seen, page aligned
 * @sysv:	a segment: its record (checkpoint: until written)
 * @live:	restart: a segment that was there, attached as it is (its
 *		pages are its own, not the image's)
 * @made:	restart: a segment restart made, removed if restart fails
 * @removed:	restart: IPC_RMID done on it again
 */
struct cr_shm_obj {
	struct file *file;
	u64 size;
	struct cr_rec_sysv_shm *sysv;
	bool live;
	bool made;
	bool removed;
};

/**
 * struct cr_ctx - state of one checkpoint or restart operation
 * @file:	the image file (output for checkpoint, input for restart)
 * @ppos:	position to pass to kernel_write/kernel_read: &@pos for a
 *		seekable file, NULL for a stream (pipe, socket)
 * @pos:	file position while the operation runs; copied back to
 *		@file->f_pos at the end for seekable files
 * @offset:	bytes written or read so far: the stream offset, counted from
 *		the first byte of the head
 * @records:	records written or read so far
 * @flags:	the flags argument of the system call
 * @restart:	a restart, not a checkpoint
 * @crid:	checkpoint id (written to or read from the head)
 * @limits:	what the format checks need of this machine
 * @hdr:	restart: the header of the record being read, or of the next
 *		one once cr_next_type() has read it
 * @rec_offset:	restart: the stream offset of @hdr
 * @sum:	the checksum of the bytes written or read so far
 *		(CR_SUM_SEED, XXH64)
 * @rec_sum:	restart: the checksum of the stream before @hdr
 * @peeked:	restart: @hdr is the next record's, not yet consumed
 * @data_left:	restart: bytes of the page data record being read
 * @tasks:	the tasks of the image, in tree order
 * @nr_tasks:	their number
 * @procs:	the processes, in the order of their leaders
 * @nr_procs:	their number
 * @cur:	the task a section is working on, for messages (checkpoint,
 *		and restart before its point of no return: one task at a time)
 * @frozen:	checkpoint: the tasks were frozen by the checkpoint
 *		(CR_CHECKPOINT_FREEZE), to be thawed at the end
 * @collecting:	checkpoint: records go to @collect, not to the file: every
 *		record before the pages is collected while the target is
 *		held, then written by cr_write_collected()
 * @collect:	checkpoint: the records collected so far
 * @collect_len: their length
 * @collect_cap: the room in @collect
 * @blocked:	the caller's blocked signals.  Checkpoint: SIGPIPE is blocked
 *		while checkpoint(2) runs.  Restart: every signal but SIGKILL
 *		is blocked while restart(2) runs
 * @bvec:	checkpoint: CR_PAGES_MAX bio_vecs for page data
 * @pages:	checkpoint: CR_PAGES_MAX page pointers
 * @buf:	restart: CR_PAGES_MAX pages of bounce buffer
 * @inherit:	restart: the files the restarter handed in
 * @nr_inherit:	restart: their number
 * @ref:	the references to the context: the system call's, and each
 *		task restart made holds one
 * @lock:	restart: orders a task's registering against a failure
 * @wait:	restart: where the tasks wait for their turn and each other
 * @turn:	restart: the process whose pages are read now; nr_procs once
 *		the tail is read
 * @stash:	restart: the first pages record of a later process, read by
 *		the process before it, kept for the later one's turn
 * @stash_len:	its length
 * @nr_done:	restart: the tasks restored, their pages read
 * @failed:	restart: past the point of no return, something failed
 *		(its errno): every task of the image dies
 * @new_pids:	restart: the tasks made get new pids
 * @outside_pgrp: restart: the caller's process group, referenced; those
 *		whose group is outside the tree join it
 * @pidns:	checkpoint: the root's pid namespace, if the root is its init
 *		(CR_TREE_PIDNS); NULL otherwise
 * @uts_inum:	the inode number of the tree's own UTS namespace
 *		(CR_TREE_UTSNS), 0 if it has none
 * @ipc_inum:	the inode number of the tree's own IPC namespace, saved
 *		(CR_TREE_IPCNS), 0 if it has none
 * @ipc:	its limits, with CR_TREE_IPCNS
 * @ipc_ns:	checkpoint: the tree's own IPC namespace, referenced, with
 *		CR_TREE_IPCNS
 * @msgq_state:	checkpoint: its SysV message queues, @nr_msgq of them
 * @nr_msgq:	their number
 * @sem_sets:	checkpoint: its SysV semaphore sets, @nr_sem_sets of them
 * @nr_sem_sets: their number
 * @ipc_objs:	restart: the records of its objects to make again
 *		(CR_RESTART_IPCNS), @nr_ipc_objs of them
 * @nr_ipc_objs: their number
 * @nodename:	its host name, with CR_TREE_UTSNS
 * @domainname:	its domain name
 * @tree_flags:	restart: the flags of the tree record
 * @socks:	restart: the sockets made, shared by the processes
 * @inotify:	restart: the inotify files made, their watches and events
 * @files:	the objects of the files section, shared by the processes
 * @nr_shm:	the shared memory objects of shared anonymous mappings
 *		(checkpoint: numbered so far; restart: made so far)
 * @shm:	their files and sizes, @nr_shm of them, by id (checkpoint: the
 *		objects seen; restart: the objects made)
 * @mq_made:	restart: files of the POSIX message queues it made,
 *		@nr_mq_made of them (room for @cap_mq_made), removed again if
 *		it fails
 * @nr_mq_made:	their number
 * @cap_mq_made: the room of @mq_made
 * @mq_notify:	restart: the notifications of message queues to register
 *		again, @nr_mq_notify of them (room for @cap_mq_notify)
 * @nr_mq_notify: their number
 * @cap_mq_notify: the room of @mq_notify
 * @sem_made:	restart: the ids of the SysV semaphore sets it made, sorted,
 *		@nr_sem_made of them (room for @cap_sem_made), removed again if
 *		it fails
 * @nr_sem_made: their number
 * @cap_sem_made: the room of @sem_made
 * @head:	the head of the image (restart: as read; checkpoint: as written)
 * @machine:	the arch record (restart: as read; checkpoint: as written)
 */
struct cr_ctx {
	struct file *file;
	loff_t *ppos;
	loff_t pos;
	u64 offset;
	u64 records;
	unsigned long flags;
	bool restart;
	u64 crid;
	struct cr_limits limits;
	struct cr_hdr hdr;
	u64 rec_offset;
	struct xxh64_state sum;
	u64 rec_sum;
	bool peeked;
	u32 data_left;
	struct cr_task *tasks;
	unsigned int nr_tasks;
	struct cr_proc *procs;
	unsigned int nr_procs;
	struct cr_task *cur;
	bool frozen;
	bool collecting;
	void *collect;
	size_t collect_len;
	size_t collect_cap;
	sigset_t blocked;
	struct bio_vec *bvec;
	struct page **pages;
	void *buf;
	struct cr_inherit_ent *inherit;
	u32 nr_inherit;
	struct kref ref;
	spinlock_t lock;	/* tasks[].task and failed, as tasks register */
	wait_queue_head_t wait;
	unsigned int turn;
	void *stash;
	u32 stash_len;
	atomic_t nr_done;
	int failed;
	bool new_pids;
	struct pid *outside_pgrp;
	struct pid_namespace *pidns;
	u32 uts_inum;
	u32 ipc_inum;
	struct cr_ipc_limits ipc;
	struct ipc_namespace *ipc_ns;
	struct msg_queue_state *msgq_state;
	u32 nr_msgq;
	struct sem_undo_set *sem_sets;
	u32 nr_sem_sets;
	struct cr_ipc_obj *ipc_objs;
	u32 nr_ipc_objs;
	char nodename[CR_UTS_LEN];
	char domainname[CR_UTS_LEN];
	u32 tree_flags;
	struct cr_socks_state *socks;
	struct cr_inotify_state *inotify;
	void *files;
	u32 nr_shm;
	struct cr_shm_obj *shm;
	struct file **mq_made;
	u32 nr_mq_made;
	u32 cap_mq_made;
	struct cr_mq_notify *mq_notify;
	u32 nr_mq_notify;
	u32 cap_mq_notify;
	int *sem_made;
	u32 nr_sem_made;
	u32 cap_sem_made;
	struct cr_rec_head head;
	struct cr_rec_arch machine;
};

/**
 * struct cr_section - one kind of state, in both directions
 * @name:	its name, for messages
 * @scope:	CR_SCOPE_PROC: once per process, called for its leader, the
 *		section works on t->proc; CR_SCOPE_TASK: once per task
 * @write:	checkpoint: write the section's records for task @t.  The
 *		target is held still; may sleep.
 * @read:	restart, before the point of no return: read the section's
 *		records, check them and stage in @t what @restore needs,
 *		without changing the caller.  May sleep.
 * @restore:	restart, past the point of no return, in the context of the
 *		task made for @t: make the staged state its own.  The tasks
 *		restore themselves concurrently; an error kills them all.
 * @free:	drop what @write or @read left in @t; called for every task
 *		and section once the operation ends, whatever happened, and
 *		must cope with a section that never ran.
 * @early:	restored before the process's pages and before it makes its
 *		child processes, which are copies of it: the address space
 *		they inherit (CR_VMA_F_INHERIT).  The others come after.
 *
 * Every section fills every role, and its name is the one
 * cr_section_info() gives its place in the order; cr_sections_check()
 * verifies both at boot.
 */
struct cr_section {
	const char *name;
	unsigned int scope;
	int (*write)(struct cr_ctx *ctx, struct cr_task *t);
	int (*read)(struct cr_ctx *ctx, struct cr_task *t);
	int (*restore)(struct cr_ctx *ctx, struct cr_task *t);
	void (*free)(struct cr_ctx *ctx, struct cr_task *t);
	bool early;
};

/* The sections, each exported by the file that knows its objects. */
extern const struct cr_section cr_task_section;		/* checkpoint/task.c */
extern const struct cr_section cr_arch_section;		/* arch/<arch>/checkpoint/ */
extern const struct cr_section cr_mm_section;		/* checkpoint/memory.c */
extern const struct cr_section cr_files_section;	/* checkpoint/files.c */
extern const struct cr_section cr_timers_section;	/* checkpoint/timers.c */
extern const struct cr_section cr_signals_section;	/* checkpoint/signal.c */
extern const struct cr_section cr_sigstate_section;	/* checkpoint/signal.c */
extern const struct cr_section cr_sem_undo_section;	/* checkpoint/sem.c */

/* The image order (checkpoint/section.c); false if a table is broken. */
extern const struct cr_section *const cr_sections[CR_SEC_MAX];
extern const unsigned int cr_nr_sections;
extern bool cr_tables_ok;

/* The two operations (checkpoint/checkpoint.c, checkpoint/restart.c). */
long cr_checkpoint(struct cr_ctx *ctx, pid_t pid);
long cr_restart(struct cr_ctx *ctx, int crid);

/* The most a checkpoint collects in memory before it writes: the records but the pages. */
#define CR_COLLECT_MAX		(256U << 20)

/* The page stream, after every section (checkpoint/memory.c). */
int cr_write_pages(struct cr_ctx *ctx, struct cr_proc *p);
int cr_restore_pages(struct cr_ctx *ctx, struct cr_proc *p);
int cr_check_caller_mm(void);
int cr_stage_mapped(struct cr_ctx *ctx);
void cr_unmake_shm(struct cr_ctx *ctx);

/* SysV semaphore sets restart held or made, as it fails (checkpoint/sem.c). */
void cr_unmake_sems(struct cr_ctx *ctx);

/* The objects of a tree's own IPC namespace (checkpoint/ipcns.c). */
int cr_ipcns_read_objects(struct cr_ctx *ctx);
int cr_ipcns_write_objects(struct cr_ctx *ctx);
int cr_ipcns_read_records(struct cr_ctx *ctx, u32 nr);
int cr_ipcns_make_objects(struct cr_ctx *ctx);
const struct cr_rec_sem_set *cr_ipcns_sem_set(struct cr_ctx *ctx, int id);
void cr_ipcns_free(struct cr_ctx *ctx);

/* NUMA memory policies of tasks and mappings (checkpoint/task.c). */
const char *cr_mempolicy_rec(const struct mempolicy *pol, struct cr_mempolicy *rec);
int cr_mempolicy_nodes(const struct cr_mempolicy *rec, nodemask_t *nodes);
int cr_stage_mempolicy(struct cr_ctx *ctx, const struct cr_mempolicy *rec);

/* The tasks: finding, freezing, making (checkpoint/tree.c). */
int cr_get_tree(struct cr_ctx *ctx, pid_t pid);
int cr_check_tree_still(struct cr_ctx *ctx);
void cr_put_tree(struct cr_ctx *ctx, bool dumped);
int cr_write_tree(struct cr_ctx *ctx);
int cr_read_tree(struct cr_ctx *ctx);
int cr_check_made(struct cr_ctx *ctx);
long cr_restart_tree(struct cr_ctx *ctx);
void cr_tree_fail(struct cr_ctx *ctx, int err, struct cr_task *t);
void cr_free_tree(struct cr_ctx *ctx);

/* The end of an image, the start of a task (checkpoint/restart.c); a context's end (sys.c). */
int cr_read_tail(struct cr_ctx *ctx);
void cr_forget_caller(bool process);
void cr_ctx_release(struct kref *ref);

/* Files the restarter hands in, opening by path (checkpoint/files.c). */
struct file *cr_open_kind(const char *path, int flags, umode_t type);

/**
 * struct cr_obj - an object of an object table
 * @node: its place in the table
 * @ptr: the object (an open file, a pipe, a socket...): never in the image
 * @objref: its object reference, the image's name for it
 * @readers: pipes: the tree's open files that read it; open files: the
 *	tree's fds on it
 * @writers: pipes: the tree's open files that write it
 * @aux: the TCP connections' table: the filter that keeps the connection
 *	quiet while it is saved (cr_write_socket())
 */
struct cr_obj {
	struct hlist_node node;
	void *ptr;
	u32 objref;
	union {
		struct {
			u32 readers;
			u32 writers;
		};
		void *aux;
	};
};

#define CR_OBJ_BITS	10

/**
 * struct cr_objs - an object table: the objects of a kind a checkpoint
 *	saw, each with its objref; hashed, a process may hold a million fds
 * @hash: the objects, by address
 * @nr: how many, the highest objref
 */
struct cr_objs {
	DECLARE_HASHTABLE(hash, CR_OBJ_BITS);
	u32 nr;
};

int cr_grow(void **arr, u32 nr, u32 *cap, size_t size);
struct cr_obj *cr_obj_find(struct cr_objs *o, void *ptr);
struct cr_obj *cr_obj_find_or_add(struct cr_objs *o, void *ptr, bool *added);

bool cr_has_pidfds(struct cr_ctx *ctx, struct cr_task *t);
bool cr_file_unnamed(struct file *file);
int cr_files_map_obj(struct cr_ctx *ctx, struct file *file, u32 *objref);
struct file *cr_files_obj(struct cr_ctx *ctx, u32 objref);
void cr_files_before_kill(struct cr_ctx *ctx);
int cr_restore_pidfds(struct cr_ctx *ctx, struct cr_task *t);

int cr_write_file_data(struct cr_ctx *ctx, u32 objref, const void *data, size_t len);
u64 cr_content_max(struct cr_ctx *ctx);

/* checkpoint/mqueue.c */

/**
 * struct cr_mq_notify - a notification of a message queue to register again
 * @file: a file of the queue, referenced
 * @task: the task index of the leader of the process to register
 * @ev: how it is notified
 */
struct cr_mq_notify {
	struct file *file;
	u32 task;
	struct sigevent ev;
};

int cr_write_mqueue(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
		    unsigned int fd, struct cr_objs *inodes, struct cr_objs *mqueues);
int cr_restore_mq_notify(struct cr_ctx *ctx, struct cr_task *t);
struct file *cr_make_mqueue(struct cr_ctx *ctx, const struct cr_rec_file *r);
void cr_unmake_mqueues(struct cr_ctx *ctx);
void cr_free_mqueues(struct cr_ctx *ctx);

/* checkpoint/notify.c */
struct cr_inotify_state;
int cr_write_inotify(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
		     unsigned int fd);
struct file *cr_make_inotify(struct cr_ctx *ctx, const struct cr_rec_file *r);
int cr_restore_inotify(struct cr_ctx *ctx);
void cr_free_inotify(struct cr_ctx *ctx);

/* checkpoint/socket.c */
struct cr_socks_state;
int cr_write_socket(struct cr_ctx *ctx, struct file *file, struct cr_rec_file *r,
		    unsigned int fd, struct cr_objs *held, struct cr_objs *pairs,
		    struct cr_objs *tcp);
void cr_hold_tcp(struct cr_objs *tcp, struct cr_objs *files, u32 slack);
void cr_put_tcp(struct cr_objs *tcp);
struct file *cr_make_socket(struct cr_ctx *ctx, const struct cr_rec_file *r);
int cr_check_socks(struct cr_ctx *ctx);
int cr_restore_socks(struct cr_ctx *ctx, struct cr_task *t);
void cr_free_socks(struct cr_ctx *ctx);
bool cr_reachable(struct file *file, const char *path);
bool cr_tcp_connection(struct file *file);
int cr_get_inherit(struct cr_ctx *ctx, const struct cr_restart_args __user *uargs);
void cr_put_inherit(struct cr_ctx *ctx);

/* Records (checkpoint/io.c). */
int cr_write_rec(struct cr_ctx *ctx, u32 type, const void *payload, u32 len);
int cr_write_collected(struct cr_ctx *ctx);
int cr_write_page_data(struct cr_ctx *ctx, struct page **pages, unsigned int nr);
int cr_read_head_rec(struct cr_ctx *ctx, struct cr_rec_head *head);
int cr_next_type(struct cr_ctx *ctx);
void *cr_read_obj(struct cr_ctx *ctx, u32 type, u32 *lenp);
int cr_read_page_data(struct cr_ctx *ctx, u32 len);
int cr_read_data(struct cr_ctx *ctx, void *buf, size_t len);
int cr_read_data_pages(struct cr_ctx *ctx, struct bio_vec *bv, unsigned int nr);

/**
 * cr_no_restart() - the errno a failed checkpoint(2) or restart(2) returns
 * @err: a negative errno
 *
 * Neither call can be restarted by the signal code: a half-written or
 * half-read stream would be taken up again from the middle.
 *
 * Return: -EINTR for the -ERESTART* codes, @err otherwise.
 */
static inline int cr_no_restart(int err)
{
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	}
	return err;
}

/* A value the format's headers give user space must be the kernel's own. */
#define CR_ABI(ours, kernel)	BUILD_BUG_ON((ours) != (kernel))

/* Messages (checkpoint/io.c). */
__printf(3, 4) int cr_reject(struct cr_ctx *ctx, int err, const char *fmt, ...);
__printf(3, 4) int cr_refuse(struct cr_ctx *ctx, int err, const char *fmt, ...);

/*
 * Architecture interface.  Generic code never touches registers or other
 * arch state; an architecture that selects HAVE_ARCH_CHECKPOINT provides
 * cr_arch_section and these in arch/<arch>/checkpoint/.
 */

void cr_arch_fill_machine(struct cr_rec_arch *machine);
int cr_arch_check_machine(struct cr_ctx *ctx);
int cr_arch_check_task(struct cr_ctx *ctx, struct cr_task *t);
int cr_arch_check_caller(void);
u32 cr_arch_vma_kind(struct vm_area_struct *vma);
u64 cr_arch_mm_vdso(struct mm_struct *mm);
int cr_arch_check_vdso(u64 vdso, const struct cr_rec_vma *vma);
int cr_arch_map_vdso(u64 vdso);

#endif /* _LINUX_CHECKPOINT_H */
