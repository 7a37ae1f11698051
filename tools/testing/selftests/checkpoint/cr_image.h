/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr_image - the reader of cr images in user space: crinspect and the
 * selftests walk every image with it.
 *
 * It reads the records of an image strictly in order, from a file
 * descriptor (a pipe will do: it never seeks) or from memory, and tracks
 * their stream offsets and count.  With CR_IMAGE_CHECK it also checks
 * every record as restart(2) does, by the same code: the record table and
 * the sections of <linux/checkpoint_format.h> give the order and the
 * lengths, the checks of that header and of <asm/checkpoint_format.h>
 * judge each record, and the reader keeps the state the checks across
 * records need (the head, the arch, task and mm records, the vmas, the
 * pipes and files, the last fd, the page addresses).  What depends on the
 * machine that restarts (its CPU, vDSO, sysctls and rlimits, the files
 * paths name) is not checked.
 *
 *	struct cr_image im;
 *	int ret;
 *
 *	cr_image_open_fd(&im, fd, CR_IMAGE_CHECK);
 *	while ((ret = cr_image_next(&im)) == CR_IMAGE_REC)
 *		use(&im.rec);
 *	if (ret == CR_IMAGE_BAD)
 *		printf("offset %llu: %s\n", im.why_off, im.why);
 *	cr_image_close(&im);
 */
#ifndef CR_IMAGE_H
#define CR_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "../../../../arch/x86/include/asm/checkpoint_format.h"
#include "cr_sum.h"

/* How much cr_image_next() checks. */
enum cr_image_mode {
	/*
	 * Record framing only: headers and lengths as they are, any type and
	 * order; a record the stream cuts short is returned (with @cut set)
	 * before the reader says so.  Ends after a tail.  For images that are
	 * broken on purpose.
	 */
	CR_IMAGE_FRAMES,
	/* Every record as restart(2) reads it: order, lengths, contents. */
	CR_IMAGE_CHECK,
};

/* What cr_image_next() returns. */
#define CR_IMAGE_REC	1	/* a record, in im->rec */
#define CR_IMAGE_END	0	/* the image ended where it may: after its tail */
#define CR_IMAGE_BAD	(-1)	/* the image is invalid: im->why, at im->why_off */
#define CR_IMAGE_ERROR	(-2)	/* it could not be read: im->why, errno */

/**
 * struct cr_image_rec - one record
 * @off: the stream offset of its header
 * @hdr: its header
 * @payload: its payload, @hdr.len bytes; read-only, valid until the next
 *	call (in memory: as long as the image)
 * @cut: CR_IMAGE_FRAMES: the stream ends inside it; @payload holds what
 *	there is of it
 */
struct cr_image_rec {
	__u64 off;
	struct cr_hdr hdr;
	const void *payload;
	bool cut;
};

/* A vma, as the page addresses are checked against it. */
struct cr_image_vma {
	__u64 start;
	__u64 end;
	__u32 kind;
	__u32 flags;
};

/* A process of the tree: its vmas, as its pages are checked against them. */
struct cr_image_proc {
	struct cr_image_vma *vmas;
	__u32 nr_vmas;
	__u32 cap_vmas;
};

/* A unit of the body: the sections of one scope for one task (cr_image.c). */
struct cr_image_unit {
	__u32 scope;	/* CR_SCOPE_*, 0 before the first */
	__u32 task;	/* the task, by index in the tree record */
};

/* A pipe, by objref: whether it is a FIFO's. */
struct cr_image_pipe {
	bool fifo;
};

/**
 * struct cr_image - a reader
 * @fd: the input, or -1 for @mem
 * @mem: the input in memory, @mem_len bytes
 * @mem_len: see @mem
 * @mode: enum cr_image_mode
 * @limits: the machine the checks assume: this one's page size, and the
 *	top of a 5-level user space (an image may come from such a machine)
 * @nr_syscalls: an interrupted system call's number must be below it
 * @off: the stream offset of the next byte
 * @records: the records returned so far
 * @sum: the checksum of the stream up to @off
 * @rec_sum: the checksum of the stream before the last record's header
 * @rec: the last record returned
 * @buf: @fd: the payload of the last record, and its padding
 * @stage: where in the image the reader is (cr_image.c)
 * @unit: CR_IMAGE_CHECK: the unit of the body the last record is in
 * @sec: CR_IMAGE_CHECK: the section of the last record, -1 before the
 *	first of its unit
 * @seen: CR_IMAGE_CHECK: CR_REC_BIT() of the types of the unit so far
 * @head: the head record
 * @arch: the arch record
 * @tree: the tree record
 * @tasks: its tasks
 * @procs: its processes, @tree.nr_procs of them
 * @proc: the process of the unit being read
 * @task: the last task record
 * @mm: the last mm record
 * @vmas_left: vma records still to come
 * @vdso_parts: vDSO text and data records so far
 * @nr_shm: shared memory objects so far
 * @sysv_due: the vma record before mapped a SysV segment first: its
 *	segment record is next
 * @sysv_vma: that vma record
 * @pipes: the pipes, @nr_pipes of them (room for @cap_pipes)
 * @nr_pipes: see @pipes
 * @cap_pipes: see @pipes
 * @nr_objs: file records so far
 * @nr_fds: fd records so far
 * @last_fd: the last fd record
 * @data_objref: the memfd whose file data records may come next, or the
 *	socket whose queue records may, or 0
 * @data_next: the lowest offset its next one may have
 * @data_size: its size; a socket's queued bytes not seen yet
 * @data_dgram: @data_objref is a socket whose messages are of this
 *	cr_sock_queue_kind(); -1 for no socket
 * @nr_pairs: socket pairs made so far
 * @ino_events: the events of the inotify file @data_objref, as its file
 *	data records bring them (@data_size bytes), or NULL
 * @ino_objref: the inotify file whose watch records come next, or 0
 * @ino_watches: its watch records still to come
 * @ino_wd: the descriptor of its last watch record (0 before the first)
 * @mq_objref: the message queue whose messages the file data records
 *	bring (checked as they come, @mq_scan), or 0
 * @mq_nr: its messages
 * @mq_msgsize: its mq_msgsize
 * @mq_scan: where the check of its messages is
 * @last_timer: the last timer record
 * @nr_timers: timer records of the process so far
 * @sem_id: the set id of the process's last sem_undo record, -1 before
 * @ipc_left: the msg_queue and sem_set records still to come after the
 *	tree record
 * @ipc_type: the type of the last of them, CR_REC_MSG_QUEUE before
 * @ipc_id: the id of the last of them of that type, -1 before
 * @pages_nr: the pages the next page data record holds
 * @page_proc: the process the last pages record was of
 * @cur_vma: the vma the last page went to
 * @next_addr: the lowest address the next page may have
 * @parent_low: the lowest address the pages record before could have
 * @after_parent: that record had the parent's pages (CR_PAGES_F_PARENT):
 *	the next may go back to @parent_low
 * @done: CR_IMAGE_REC, or what cr_image_next() returned last and returns again
 * @why: what is wrong with the image, or why it could not be read
 * @why_off: the stream offset of the record at fault
 */
struct cr_image {
	int fd;
	const unsigned char *mem;
	size_t mem_len;
	enum cr_image_mode mode;
	struct cr_limits limits;
	__u64 nr_syscalls;

	__u64 off;
	__u64 records;
	struct cr_sum sum;
	__u64 rec_sum;
	struct cr_image_rec rec;
	unsigned char *buf;
	int stage;
	struct cr_image_unit unit;
	int sec;
	__u32 seen;

	struct cr_rec_head head;
	struct cr_rec_arch arch;
	struct cr_rec_tree tree;
	struct cr_tree_task *tasks;
	struct cr_image_proc *procs;
	__u32 proc;
	struct cr_rec_task task;
	struct cr_rec_mm mm;
	__u32 vmas_left;
	__u32 vdso_parts;
	__u32 nr_shm;
	bool sysv_due;
	struct cr_rec_vma sysv_vma;
	struct cr_image_pipe *pipes;
	__u32 nr_pipes;
	__u32 cap_pipes;
	__u32 nr_objs;
	__u32 nr_fds;
	struct cr_rec_fd last_fd;
	__u32 data_objref;
	__u64 data_next;
	__u64 data_size;
	int data_dgram;
	__u32 nr_pairs;
	unsigned char *ino_events;
	__u32 ino_objref;
	__u32 ino_watches;
	__s32 ino_wd;
	__u32 mq_objref;
	__u32 mq_nr;
	__u32 mq_msgsize;
	struct cr_mq_scan mq_scan;
	struct cr_rec_timer last_timer;
	__u32 nr_timers;
	__s32 sem_id;
	__u32 ipc_left;
	__u32 ipc_type;
	__s32 ipc_id;
	__u32 pages_nr;
	__u32 page_proc;
	__u32 cur_vma;
	__u64 next_addr;
	__u64 parent_low;
	bool after_parent;

	int done;
	char why[512];
	__u64 why_off;
};

void cr_image_open_fd(struct cr_image *im, int fd, enum cr_image_mode mode);
void cr_image_open_mem(struct cr_image *im, const void *img, size_t len,
		       enum cr_image_mode mode);
int cr_image_next(struct cr_image *im);
void cr_image_close(struct cr_image *im);

long cr_image_walk(struct cr_image *im, const void *img, size_t len,
		   void (*fn)(const struct cr_image_rec *rec, void *arg), void *arg);

/* Bytes a record of payload length @len takes in the stream. */
static inline size_t cr_rec_size(size_t len)
{
	return sizeof(struct cr_hdr) + ((len + CR_ALIGN - 1) & ~(size_t)(CR_ALIGN - 1));
}

/**
 * cr_image_find() - find a record in an image in memory
 * @buf: the image
 * @len: its length
 * @type: a record type
 *
 * Return: the offset of the payload of the first record of @type before
 * the tail, or 0 if none.
 */
static inline size_t cr_image_find(const char *buf, size_t len, unsigned int type)
{
	size_t off = 0;

	while (off + sizeof(struct cr_hdr) <= len) {
		const struct cr_hdr *h = (const void *)(buf + off);

		if (h->type == type)
			return off + sizeof(*h);
		if (h->type == CR_REC_TAIL)
			break;
		off += cr_rec_size(h->len);
	}
	return 0;
}

/**
 * cr_image_reseal() - give an image in memory the checksums of its bytes
 * @img: the image, changed in place
 * @len: its length
 *
 * The sum record and the tail get the checksum of what comes before them,
 * as checkpoint(2) writes them: a test that changes an image on purpose
 * reaches restart's other checks, not only the checksum's.
 *
 * Return: 0, or -1 if the records do not frame exactly @len bytes.
 */
static inline int cr_image_reseal(void *img, size_t len)
{
	unsigned char *p = img;
	struct cr_hdr h;
	struct cr_sum s;
	size_t off = 0, size;
	__u64 sum;

	cr_sum_reset(&s, CR_SUM_SEED);
	while (len - off >= sizeof(h)) {
		memcpy(&h, p + off, sizeof(h));
		size = cr_rec_size(h.len);
		if (size > len - off)
			return -1;
		sum = cr_sum_digest(&s);
		if (h.type == CR_REC_SUM && h.len == sizeof(struct cr_rec_sum))
			memcpy(p + off + sizeof(h) + offsetof(struct cr_rec_sum, sum), &sum,
			       sizeof(sum));
		if (h.type == CR_REC_TAIL && h.len == sizeof(struct cr_rec_tail))
			memcpy(p + off + sizeof(h) + offsetof(struct cr_rec_tail, sum), &sum,
			       sizeof(sum));
		cr_sum_update(&s, p + off, size);
		off += size;
	}
	return off == len ? 0 : -1;
}

#endif /* CR_IMAGE_H */
