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
#include <linux/errno.h>
#include <linux/compiler_attributes.h>
#include <linux/signal_types.h>
#include <linux/types.h>
#include <uapi/linux/checkpoint.h>
#include <linux/checkpoint_format.h>

struct file;
struct mm_struct;
struct page;
struct task_struct;
struct vm_area_struct;
struct cr_files_state;
struct cr_inherit_ent;
struct cr_mm_state;
struct cr_signals_state;
struct cr_timers_state;
struct cr_vma_snap;
struct cr_task_state;

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
 * @crid:	checkpoint id (written to or read from the head)
 * @limits:	restart: what the format checks need of this machine
 * @hdr:	restart: the header of the record being read, or of the next
 *		one once cr_next_type() has read it
 * @rec_offset:	restart: the stream offset of @hdr
 * @peeked:	restart: @hdr is the next record's, not yet consumed
 * @data_left:	restart: bytes of the page data record being read
 * @task:	checkpoint: the task being checkpointed (referenced)
 * @mm:		checkpoint: @task's mm (referenced)
 * @locked:	checkpoint: @task's exec_update_lock is held for reading
 * @frozen:	checkpoint: @task was frozen by the checkpoint
 *		(CR_CHECKPOINT_FREEZE), to be thawed at the end
 * @stack:	checkpoint: @task's stack is pinned (try_get_task_stack())
 * @collecting:	checkpoint: records go to @collect, not to the file: every
 *		record before the pages is collected while the target is
 *		held, then written by cr_write_collected()
 * @collect:	checkpoint: the records collected so far
 * @collect_len: their length
 * @collect_cap: the room in @collect
 * @blocked:	checkpoint: the caller's blocked signals; SIGPIPE is blocked
 *		while checkpoint(2) runs.  Restart: the caller's blocked
 *		signals, and once the signals section is restored the ones
 *		the restarted task gets when restart(2) returns; every signal
 *		but SIGKILL is blocked while restart(2) runs
 * @nvcsw:	checkpoint of a stopped task: its context switch count when
 *		found inactive, compared again at the end
 * @restart_block: the task record carries a restart block (an interrupted
 *		nanosleep): set by the task section, for the arch's cpu record
 * @snap:	checkpoint: the vma list, from cr_write_mm() to cr_write_pages()
 * @nr_snap:	checkpoint: its length
 * @bvec:	checkpoint: CR_PAGES_MAX bio_vecs for page data
 * @pages:	checkpoint: CR_PAGES_MAX page pointers
 * @buf:	restart: CR_PAGES_MAX pages of bounce buffer
 * @arch:	restart: the arch's staged registers and FPU state
 * @ts:		restart: the staged task record
 * @ms:		restart: the staged address space
 * @fs:		restart: the staged fd table, cwd and umask
 * @ss:		restart: the staged signal state and rlimits
 * @tms:	restart: the staged POSIX timers
 * @inherit:	restart: the files the restarter handed in
 * @nr_inherit:	restart: their number
 * @retval:	restart: what restart(2) returns into the restored registers
 * @notify:	restart: the way out must run the signal code even with no
 *		signal pending (set_notify_signal(), once the page stream is
 *		read: it would interrupt reads of the image): to restart an
 *		interrupted system call, or to restore a saved mask
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
	u64 crid;
	struct cr_limits limits;
	struct cr_hdr hdr;
	u64 rec_offset;
	bool peeked;
	u32 data_left;
	struct task_struct *task;
	struct mm_struct *mm;
	bool locked;
	bool frozen;
	bool stack;
	bool collecting;
	void *collect;
	size_t collect_len;
	size_t collect_cap;
	sigset_t blocked;
	unsigned long nvcsw;
	bool restart_block;
	struct cr_vma_snap *snap;
	int nr_snap;
	struct bio_vec *bvec;
	struct page **pages;
	void *buf;
	void *arch;
	struct cr_task_state *ts;
	struct cr_mm_state *ms;
	struct cr_files_state *fs;
	struct cr_signals_state *ss;
	struct cr_timers_state *tms;
	struct cr_inherit_ent *inherit;
	u32 nr_inherit;
	long retval;
	bool notify;
	struct cr_rec_head head;
	struct cr_rec_arch machine;
};

/**
 * struct cr_section - one kind of state, in both directions
 * @name:	its name, for messages
 * @write:	checkpoint: write the section's records.  The target is held
 *		still; may sleep, holds no lock across the writes.
 * @read:	restart, before the point of no return: read the section's
 *		records, check them and stage in @ctx what @restore needs,
 *		without changing the caller.  May sleep.
 * @restore:	restart, past the point of no return: make the staged state
 *		current's.  Sections are restored in table order, before the
 *		page stream is read; an error kills the caller.
 * @free:	drop what @write or @read left in @ctx; called for every
 *		section once the operation ends, whatever happened, and
 *		must cope with a section that never ran.
 *
 * Every section fills every role, and its name is the one
 * cr_section_info() gives its place in the order; cr_sections_check()
 * verifies both at boot.
 */
struct cr_section {
	const char *name;
	int (*write)(struct cr_ctx *ctx);
	int (*read)(struct cr_ctx *ctx);
	int (*restore)(struct cr_ctx *ctx);
	void (*free)(struct cr_ctx *ctx);
};

/* The sections, each exported by the file that knows its objects. */
extern const struct cr_section cr_task_section;		/* checkpoint/task.c */
extern const struct cr_section cr_arch_section;		/* arch/<arch>/checkpoint/ */
extern const struct cr_section cr_mm_section;		/* checkpoint/memory.c */
extern const struct cr_section cr_files_section;	/* checkpoint/files.c */
extern const struct cr_section cr_timers_section;	/* checkpoint/timers.c */
extern const struct cr_section cr_signals_section;	/* checkpoint/signal.c */

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
int cr_write_pages(struct cr_ctx *ctx);
int cr_restore_pages(struct cr_ctx *ctx);
int cr_check_caller_mm(void);

/* Files the restarter hands in, opening by path (checkpoint/files.c). */
struct file *cr_open_kind(const char *path, int flags, umode_t type);
bool cr_reachable(struct file *file, const char *path);
int cr_get_inherit(struct cr_ctx *ctx, const struct cr_restart_args __user *uargs);
void cr_put_inherit(struct cr_ctx *ctx);

/* Records (checkpoint/io.c). */
int cr_write_rec(struct cr_ctx *ctx, u32 type, const void *payload, u32 len);
int cr_write_collected(struct cr_ctx *ctx);
int cr_write_page_data(struct cr_ctx *ctx, unsigned int nr);
int cr_read_head_rec(struct cr_ctx *ctx, struct cr_rec_head *head);
int cr_next_type(struct cr_ctx *ctx);
void *cr_read_obj(struct cr_ctx *ctx, u32 type, u32 *lenp);
int cr_read_page_data(struct cr_ctx *ctx, u32 len);
int cr_read_data(struct cr_ctx *ctx, void *buf, size_t len);
int cr_read_data_user(struct cr_ctx *ctx, unsigned long addr, size_t len);

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
int cr_arch_check_task(struct cr_ctx *ctx, struct task_struct *t);
int cr_arch_check_caller(void);
u32 cr_arch_vma_kind(struct vm_area_struct *vma);
u64 cr_arch_mm_vdso(struct mm_struct *mm);
int cr_arch_check_vdso(u64 vdso, const struct cr_rec_vma *vma);
int cr_arch_map_vdso(u64 vdso);

#endif /* _LINUX_CHECKPOINT_H */
