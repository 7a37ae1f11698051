// SPDX-License-Identifier: GPL-2.0
/*
 * cr_image - the reader of cr images in user space (see cr_image.h).
 *
 * The image order is not written here: the sections and the record types
 * each holds come from cr_section_info(), the lengths from cr_rec_info(),
 * and every record is judged by the checks restart(2) calls.  What is
 * here is what restart's readers do between the checks: the order of the
 * records inside a section (cr_image_rules[]), what one record says of the
 * next ones (the vma count, the pipes file records name, the page
 * addresses), and the messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <asm/unistd.h>

#include "cr_image.h"

/* Where in the image the next record is. */
enum cr_image_stage {
	S_HEAD,		/* nothing read yet */
	S_ARCH,		/* after the head */
	S_TREE,		/* after the arch record: the tree record, or the tail */
	S_IPC,		/* the objects of the tree's IPC namespace: @ipc_left */
	S_BODY,		/* the sections: see @unit and @sec */
	S_SUM,		/* after the sections: the sum record */
	S_PAGES,	/* after the sum record: pages records, the tail */
	S_PAGE_DATA,	/* the data of the last pages record */
	S_CUT,		/* CR_IMAGE_FRAMES: the last record was cut short */
	S_END,		/* after the tail */
};

/*
 * The largest user space of x86_64 (5-level page tables), TASK_SIZE_MAX:
 * an image may come from such a machine.
 */
#define CR_IMAGE_USER_BITS	56

/* The head's magic and version, which every format version starts with. */
#define CR_IMAGE_HEAD_PREFIX	(offsetof(struct cr_rec_head, version) + sizeof(__u32))

/*
 * Inside its section, a record type comes once (CR_IMAGE_ONCE), any
 * number of times (CR_IMAGE_ANY) or as many times as the mm record says
 * (CR_IMAGE_NR_VMAS); after the types in @after, before those in @before.
 * As restart's section readers read them: cr_read_task(), cr_arch_read(),
 * cr_read_mm(), cr_read_files(), cr_read_timers(), cr_read_signals(),
 * cr_read_sem_undo().
 */
#define CR_IMAGE_ONCE		0
#define CR_IMAGE_ANY		1
#define CR_IMAGE_NR_VMAS	2

static const struct cr_image_rule {
	int count;
	__u32 after;
	__u32 before;
} cr_image_rules[CR_REC_MAX] = {
	[CR_REC_FPU]	= { .after = CR_REC_BIT(CR_REC_CPU) },
	[CR_REC_VMA]	= { .count = CR_IMAGE_NR_VMAS, .after = CR_REC_BIT(CR_REC_MM) },
	/* right after the vma record that maps it first: cr_image_expected() */
	[CR_REC_SYSV_SHM] = { .count = CR_IMAGE_ANY, .after = CR_REC_BIT(CR_REC_VMA) },
	[CR_REC_PIPE]	= { .count = CR_IMAGE_ANY, .before = CR_REC_BIT(CR_REC_FS) },
	[CR_REC_FILE]	= { .count = CR_IMAGE_ANY, .before = CR_REC_BIT(CR_REC_FS) },
	[CR_REC_FD]	= { .count = CR_IMAGE_ANY, .before = CR_REC_BIT(CR_REC_FS) },
	[CR_REC_EPOLL]	= { .count = CR_IMAGE_ANY, .before = CR_REC_BIT(CR_REC_FS) },
	[CR_REC_FILE_DATA] = { .count = CR_IMAGE_ANY, .before = CR_REC_BIT(CR_REC_FS) },
	[CR_REC_SOCK_QUEUE] = { .count = CR_IMAGE_ANY, .before = CR_REC_BIT(CR_REC_FS) },
	[CR_REC_INOTIFY] = { .count = CR_IMAGE_ANY, .before = CR_REC_BIT(CR_REC_FS) },
	[CR_REC_TIMER]	= { .count = CR_IMAGE_ANY },
	[CR_REC_SEM_UNDO] = { .count = CR_IMAGE_ANY },
};

/* The image is invalid: say why, at the offset of the current record. */
__attribute__((format(printf, 2, 3)))
static int cr_image_bad(struct cr_image *im, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(im->why, sizeof(im->why), fmt, ap);
	va_end(ap);
	im->why_off = im->rec.off;
	return CR_IMAGE_BAD;
}

/* It cannot be read: errno says why. */
static int cr_image_error(struct cr_image *im, const char *what)
{
	int err = errno;

	snprintf(im->why, sizeof(im->why), "%s at offset %llu: %s", what,
		 (unsigned long long)im->off, strerror(err));
	im->why_off = im->off;
	errno = err;
	return CR_IMAGE_ERROR;
}

static void cr_image_init(struct cr_image *im, enum cr_image_mode mode)
{
	long page = sysconf(_SC_PAGESIZE);

	memset(im, 0, sizeof(*im));
	im->done = CR_IMAGE_REC;
	im->mode = mode;
	im->sec = -1;
	im->data_dgram = -1;
	im->unit.scope = 0;
	cr_sum_reset(&im->sum, CR_SUM_SEED);
	im->limits.page_size = page;
	im->limits.task_size = (1ULL << CR_IMAGE_USER_BITS) - page;
	/* x86_64 system call numbers are below the x32 bit */
	im->nr_syscalls = __X32_SYSCALL_BIT;
}

/**
 * cr_image_open_fd() - read an image from a file descriptor
 * @im: the reader
 * @fd: the image, read from its current position, never seeked
 * @mode: enum cr_image_mode
 */
void cr_image_open_fd(struct cr_image *im, int fd, enum cr_image_mode mode)
{
	cr_image_init(im, mode);
	im->fd = fd;
}

/**
 * cr_image_open_mem() - read an image in memory
 * @im: the reader
 * @img: its first byte
 * @len: its length
 * @mode: enum cr_image_mode
 */
void cr_image_open_mem(struct cr_image *im, const void *img, size_t len,
		       enum cr_image_mode mode)
{
	cr_image_init(im, mode);
	im->fd = -1;
	im->mem = img;
	im->mem_len = len;
}

/**
 * cr_image_close() - free what the reader holds
 * @im: the reader; its @why stays
 */
void cr_image_close(struct cr_image *im)
{
	__u32 i;

	for (i = 0; im->procs && i < im->tree.nr_procs; i++)
		free(im->procs[i].vmas);
	free(im->procs);
	free(im->tasks);
	free(im->buf);
	free(im->pipes);
	free(im->ino_events);
	im->buf = NULL;
	im->procs = NULL;
	im->tasks = NULL;
	im->pipes = NULL;
}

/* Records in memory are read in place, unless misaligned for their structures. */
static bool cr_image_in_place(const struct cr_image *im)
{
	return im->fd < 0 && !((uintptr_t)im->mem % CR_ALIGN);
}

/*
 * Read up to @len bytes to @im->buf + @at, or just past them in place:
 * fewer only at the end of the stream; -1 on a read error.
 */
static ssize_t cr_image_read(struct cr_image *im, size_t at, size_t len)
{
	size_t done = 0;
	ssize_t n;

	if (im->fd < 0) {
		done = im->mem_len > im->off ? im->mem_len - im->off : 0;
		if (done > len)
			done = len;
		if (!cr_image_in_place(im))
			memcpy(im->buf + at, im->mem + im->off, done);
	} else {
		while (done < len) {
			n = read(im->fd, im->buf + at + done, len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
			if (!n)
				break;
			done += n;
		}
	}
	im->off += done;
	return done;
}

/* The room in @im->buf: a record of at most CR_REC_MAX_LEN bytes, padded. */
#define CR_IMAGE_BUF	(CR_REC_MAX_LEN + CR_ALIGN)

/*
 * Read the first @want bytes of the current record's payload and padding,
 * of which @have are read already: 0; CR_IMAGE_BAD if the stream ends
 * first (CR_IMAGE_FRAMES: the record is returned as cut).
 */
static int cr_image_body(struct cr_image *im, size_t have, size_t want)
{
	const char *name = cr_rec_name(im->rec.hdr.type);
	ssize_t n;

	if (!cr_image_in_place(im) && want > CR_IMAGE_BUF)
		return cr_image_bad(im, "%s record too long (%u bytes) to read",
				    name, im->rec.hdr.len);
	n = cr_image_read(im, have, want - have);
	if (n < 0)
		return cr_image_error(im, "read error");
	if (have + n == want)
		return 0;
	if (im->mode == CR_IMAGE_FRAMES) {
		im->rec.cut = true;
		im->stage = S_CUT;
		return 0;
	}
	return cr_image_bad(im, "%s record cut short: the stream ends at offset %llu", name,
			    (unsigned long long)im->off);
}

/* Grow an array of @size-byte elements to hold @nr + 1. */
static void *cr_image_grow(void *arr, __u32 nr, __u32 *cap, size_t size)
{
	__u32 n = *cap ? 2 * *cap : 16;
	void *p;

	if (nr < *cap)
		return arr;
	p = realloc(arr, (size_t)n * size);
	if (!p)
		return NULL;
	*cap = n;
	return p;
}

/* Are the @len bytes at @p zeros? */
static bool cr_image_zeros(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static int cr_image_nomem(struct cr_image *im)
{
	errno = ENOMEM;
	return cr_image_error(im, "out of memory");
}

/* ------------------------------------------------------------------------ */
/* the order                                                                */
/* ------------------------------------------------------------------------ */

/*
 * The body is a run of units: for each process of the tree record, a unit
 * of the sections of scope CR_SCOPE_PROC (its leader's), then one of the
 * sections of scope CR_SCOPE_TASK for each of its tasks (cr_read_sections());
 * zombies have none.  The unit after @u; false after the last.
 */
static bool cr_image_next_unit(const struct cr_image *im, const struct cr_image_unit *u,
			       struct cr_image_unit *next)
{
	__u32 i;

	if (u->scope == CR_SCOPE_PROC) {
		next->scope = CR_SCOPE_TASK;
		next->task = u->task;
		return true;
	}
	/* the root is a process: the first unit is its */
	i = u->scope ? u->task + 1 : 0;
	while (i < im->tree.nr_tasks && (im->tasks[i].flags & CR_TREE_ZOMBIE))
		i++;
	if (i >= im->tree.nr_tasks)
		return false;
	next->task = i;
	next->scope = im->tasks[i].leader == i ? CR_SCOPE_PROC : CR_SCOPE_TASK;
	return true;
}

/* May a record of @type come now in its section, @seen the types of the unit so far? */
static bool cr_image_may(const struct cr_image *im, __u32 seen, __u32 type)
{
	const struct cr_image_rule *r = &cr_image_rules[type];

	if (r->count == CR_IMAGE_ONCE && (seen & CR_REC_BIT(type)))
		return false;
	if ((seen & r->after) != r->after || (seen & r->before))
		return false;
	return r->count != CR_IMAGE_NR_VMAS || (seen & CR_REC_BIT(CR_REC_MM) && im->vmas_left);
}

/* Does section @sec hold all it must, @seen the types of the unit so far? */
static bool cr_image_complete(const struct cr_image *im, __u32 seen, int sec)
{
	__u32 set = cr_section_info(sec)->records, type;

	for (type = 1; type < CR_REC_MAX; type++) {
		if (!(set & CR_REC_BIT(type)))
			continue;
		switch (cr_image_rules[type].count) {
		case CR_IMAGE_ONCE:
			if (!(seen & CR_REC_BIT(type)))
				return false;
			break;
		case CR_IMAGE_NR_VMAS:
			if (!(seen & CR_REC_BIT(CR_REC_MM)) || im->vmas_left)
				return false;
			break;
		}
	}
	return true;
}

/* The types of section @sec that may come now. */
static __u32 cr_image_may_in(const struct cr_image *im, __u32 seen, int sec)
{
	__u32 set = cr_section_info(sec)->records, may = 0, type;

	for (type = 1; type < CR_REC_MAX; type++)
		if ((set & CR_REC_BIT(type)) && cr_image_may(im, seen, type))
			may |= CR_REC_BIT(type);
	return may;
}

/*
 * The types that may come in unit @u from section @from on (@seen its
 * types so far), up to a section that cannot be left empty; *@done says
 * whether the unit may end here.
 */
static __u32 cr_image_may_unit(const struct cr_image *im, const struct cr_image_unit *u,
			       int from, __u32 seen, bool *done)
{
	__u32 set = 0;
	int sec;

	*done = false;
	if (from >= 0 && !cr_image_complete(im, seen, from))
		return cr_image_may_in(im, seen, from);
	if (from >= 0)
		set = cr_image_may_in(im, seen, from);
	for (sec = from + 1; sec < CR_SEC_MAX; sec++) {
		if (cr_section_info(sec)->scope != u->scope)
			continue;
		set |= cr_image_may_in(im, 0, sec);
		if (!cr_image_complete(im, 0, sec))
			return set;
	}
	*done = true;
	return set;
}

/* The types the next record may have (pad records aside). */
static __u32 cr_image_expected(const struct cr_image *im)
{
	struct cr_image_unit next;
	__u32 set;
	bool done;

	switch (im->stage) {
	case S_HEAD:
		return CR_REC_BIT(CR_REC_HEAD);
	case S_ARCH:
		return CR_REC_BIT(CR_REC_ARCH);
	case S_TREE:
		/* an image with no task has a tail right away */
		return CR_REC_BIT(CR_REC_TREE) | CR_REC_BIT(CR_REC_TAIL);
	case S_IPC:
		/* the queues, then the sets */
		return (im->ipc_type == CR_REC_MSG_QUEUE ? CR_REC_BIT(CR_REC_MSG_QUEUE) : 0) |
		       CR_REC_BIT(CR_REC_SEM_SET);
	case S_BODY:
		if (im->sysv_due)
			return CR_REC_BIT(CR_REC_SYSV_SHM);
		set = cr_image_may_unit(im, &im->unit, im->sec, im->seen, &done) &
		      ~CR_REC_BIT(CR_REC_SYSV_SHM);
		if (!done)
			return set;
		if (!cr_image_next_unit(im, &im->unit, &next))
			return set | CR_REC_BIT(CR_REC_SUM);
		return set | (cr_image_may_unit(im, &next, -1, 0, &done) &
			      ~CR_REC_BIT(CR_REC_SYSV_SHM));
	case S_SUM:
		return CR_REC_BIT(CR_REC_SUM);
	case S_PAGES:
		return CR_REC_BIT(CR_REC_PAGES) | CR_REC_BIT(CR_REC_TAIL);
	case S_PAGE_DATA:
		return CR_REC_BIT(CR_REC_PAGE_DATA);
	}
	return 0;
}

/* "vma 3 of 14", "cpu", "pages or tail": the types in @set, in image order. */
static const char *cr_image_expected_str(const struct cr_image *im, __u32 set, char *buf,
					 size_t size)
{
	__u32 order[2 * CR_REC_MAX], type;
	int n = 0, i, sec;
	size_t len = 0;

	order[n++] = CR_REC_HEAD;
	order[n++] = CR_REC_ARCH;
	order[n++] = CR_REC_TREE;
	order[n++] = CR_REC_MSG_QUEUE;
	order[n++] = CR_REC_SEM_SET;
	for (sec = 0; sec < CR_SEC_MAX; sec++)
		for (type = 1; type < CR_REC_MAX; type++)
			if ((cr_section_info(sec)->records & CR_REC_BIT(type)) &&
			    n < CR_REC_MAX)
				order[n++] = type;
	order[n++] = CR_REC_SUM;
	order[n++] = CR_REC_PAGES;
	order[n++] = CR_REC_PAGE_DATA;
	order[n++] = CR_REC_TAIL;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		if (!(set & CR_REC_BIT(order[i])))
			continue;
		set &= ~CR_REC_BIT(order[i]);
		len += snprintf(buf + len, size - len, "%s%s", len ? (set ? ", " : " or ") : "",
				cr_rec_name(order[i]));
		if (order[i] == CR_REC_VMA && len < size)
			len += snprintf(buf + len, size - len, " %u of %u",
					im->mm.nr_vmas - im->vmas_left + 1, im->mm.nr_vmas);
	}
	return buf;
}

/* The types section @sec holds, in the order of cr_image_rules[]. */
static bool cr_image_in_sec(int sec, __u32 type)
{
	return sec >= 0 && (cr_section_info(sec)->records & CR_REC_BIT(type));
}

/* A new unit: what the reader knows of the last one's records goes. */
static void cr_image_enter(struct cr_image *im, const struct cr_image_unit *u)
{
	im->unit = *u;
	im->sec = -1;
	im->seen = 0;
	if (u->scope == CR_SCOPE_PROC) {
		im->proc = u->task ? im->proc + 1 : 0;
		im->vmas_left = 0;
		im->vdso_parts = 0;
		im->nr_fds = 0;
		im->nr_timers = 0;
		im->sem_id = -1;
	}
}

/* Is a record of @type allowed here?  Then move to where it stands. */
static int cr_image_order(struct cr_image *im, __u32 type)
{
	struct cr_image_unit next;
	char buf[128];

	if (!(cr_image_expected(im) & CR_REC_BIT(type)))
		return cr_image_bad(im, "unexpected %s record: expected %s", cr_rec_name(type),
				    cr_image_expected_str(im, cr_image_expected(im), buf,
							  sizeof(buf)));
	switch (type) {
	case CR_REC_ARCH:
		im->stage = S_TREE;
		break;
	case CR_REC_TREE:
		/* cr_image_tree() has read it: the records of its IPC objects follow */
		break;
	case CR_REC_MSG_QUEUE:
	case CR_REC_SEM_SET:
		if (type != im->ipc_type)
			im->ipc_id = -1;
		im->ipc_type = type;
		break;
	case CR_REC_TAIL:
		im->stage = S_END;
		break;
	case CR_REC_SUM:
		im->stage = S_PAGES;
		break;
	case CR_REC_PAGES:
		im->stage = S_PAGE_DATA;
		break;
	case CR_REC_PAGE_DATA:
		im->stage = S_PAGES;
		break;
	default: {
		bool done;
		int sec;

		/* in this unit, or the first of the next */
		if (!im->unit.scope ||
		    !(cr_image_may_unit(im, &im->unit, im->sec, im->seen, &done) &
		      CR_REC_BIT(type))) {
			cr_image_next_unit(im, &im->unit, &next);
			cr_image_enter(im, &next);
		}
		for (sec = im->sec < 0 ? 0 : im->sec; sec < CR_SEC_MAX; sec++)
			if (cr_section_info(sec)->scope == im->unit.scope &&
			    cr_image_in_sec(sec, type))
				break;
		im->sec = sec;
	}
	}
	im->seen |= CR_REC_BIT(type);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* the records                                                              */
/* ------------------------------------------------------------------------ */

/*
 * The head: magic and version first, so that another format version is
 * named as such whatever the length of its head (cr_read_head_rec()).
 */
static int cr_image_head(struct cr_image *im)
{
	const size_t pre = CR_IMAGE_HEAD_PREFIX;
	struct cr_rec_head *h = &im->head;
	const char *why;
	int ret;

	if (im->rec.hdr.type != CR_REC_HEAD || im->rec.hdr.len < pre)
		return cr_image_bad(im, "not a cr image: no head record (type %u, len %u)",
				    im->rec.hdr.type, im->rec.hdr.len);
	ret = cr_image_body(im, 0, pre);
	if (ret)
		return ret;
	memcpy(h, im->rec.payload, pre);
	if (h->magic != CR_HEAD_MAGIC)
		return cr_image_bad(im, "not a cr image: bad magic %#llx",
				    (unsigned long long)h->magic);
	if (h->version != CR_FORMAT_VERSION)
		return cr_image_bad(im, "image format version %u, this reader reads version %u",
				    h->version, CR_FORMAT_VERSION);
	if (im->rec.hdr.len != sizeof(*h))
		return cr_image_bad(im, "head record: length %u, expected %zu", im->rec.hdr.len,
				    sizeof(*h));
	ret = cr_image_body(im, pre, cr_rec_size(sizeof(*h)) - sizeof(struct cr_hdr));
	if (ret)
		return ret;
	if (!cr_image_zeros((const char *)im->rec.payload + sizeof(*h),
			    cr_rec_size(sizeof(*h)) - sizeof(struct cr_hdr) - sizeof(*h)))
		return cr_image_bad(im, "head record: non-zero padding");
	memcpy(h, im->rec.payload, sizeof(*h));
	if (h->page_size != im->limits.page_size)
		return cr_image_bad(im, "head record: page size %u, this machine has %llu",
				    h->page_size, (unsigned long long)im->limits.page_size);
	if (h->arch != CR_ARCH_THIS)
		return cr_image_bad(im, "head record: arch %u, this reader knows arch %u only",
				    h->arch, CR_ARCH_THIS);
	why = cr_check_head(h);
	if (why)
		return cr_image_bad(im, "head record: %s (%#x)", why, h->flags);
	im->stage = S_ARCH;
	im->seen |= CR_REC_BIT(CR_REC_HEAD);
	return 0;
}

/* A pad record: zeros, allowed between any two records after the head. */
static int cr_image_pad(struct cr_image *im)
{
	if (!cr_image_zeros(im->rec.payload, im->rec.hdr.len))
		return cr_image_bad(im, "pad record with non-zero bytes");
	return 0;
}

/* The vma of the pages' process that holds @addr, if its pages are saved, from the last one on. */
/* The vma saved by content that holds @addr; inherited too for the parent's pages. */
static bool cr_image_find_vma(struct cr_image *im, __u64 addr, bool parent)
{
	const struct cr_image_proc *p = &im->procs[im->page_proc];
	const struct cr_image_vma *v;

	while (im->cur_vma < p->nr_vmas && p->vmas[im->cur_vma].end <= addr)
		im->cur_vma++;
	if (im->cur_vma == p->nr_vmas)
		return false;
	v = &p->vmas[im->cur_vma];
	return v->start <= addr &&
	       cr_vma_kind_in(v->kind, CR_VMA_CONTENT) &&
	       (!parent || (v->flags & CR_VMA_F_INHERIT));
}

/* The tree record (cr_read_tree()): every task checked, no pid twice. */
static int cr_image_tree(struct cr_image *im, const struct cr_rec_tree *r, __u32 len)
{
	const struct cr_tree_task *t = (const void *)(r + 1);
	const char *why = cr_check_tree(r, len, NULL, 0);
	__u32 i, j, procs = 0;

	for (i = 0; !why && i < r->nr_tasks; i++) {
		why = cr_check_tree(r, len, t, i);
		procs += cr_tree_is_proc(t, i);
	}
	if (!why && procs != r->nr_procs)
		why = "nr_procs is not the number of processes";
	if (why)
		return cr_image_bad(im, "tree record: task %u: %s", i ? i - 1 : 0, why);
	for (i = 0; i < r->nr_tasks; i++)
		for (j = i + 1; j < r->nr_tasks; j++)
			if (t[i].pid == t[j].pid)
				return cr_image_bad(im, "tree record: pid %d twice", t[i].pid);
	im->tree = *r;
	im->ipc_left = r->nr_ipc;
	im->ipc_type = CR_REC_MSG_QUEUE;
	im->ipc_id = -1;
	im->stage = r->nr_ipc ? S_IPC : S_BODY;
	im->tasks = malloc(r->nr_tasks * sizeof(*t));
	im->procs = calloc(r->nr_procs, sizeof(*im->procs));
	if (!im->tasks || !im->procs)
		return cr_image_nomem(im);
	memcpy(im->tasks, t, r->nr_tasks * sizeof(*t));
	return 0;
}

static int cr_image_vma(struct cr_image *im, const struct cr_rec_vma *v, __u32 len)
{
	struct cr_image_proc *p = &im->procs[im->proc];
	const __u64 prev_end = p->nr_vmas ? p->vmas[p->nr_vmas - 1].end : 0;
	const char *why;
	struct cr_image_vma *vmas;

	why = cr_check_vma(v, len, &im->mm, prev_end, &im->limits);
	if (!why && v->path_len)
		why = cr_check_string((const char *)(v + 1), v->path_len, CR_PATH_MAX);
	if (!why && v->name_len)
		why = cr_check_vma_name((const char *)(v + 1) + v->path_len, v->name_len);
	if (why)
		return cr_image_bad(im, "vma record: %s (%#llx-%#llx)", why,
				    (unsigned long long)v->start, (unsigned long long)v->end);
	/* cr_stage_shm(): numbered in the order they first appear */
	if (v->shm > im->nr_shm + 1)
		return cr_image_bad(im, "vma record: shared memory object %u before %u",
				    v->shm, im->nr_shm + 1);
	if (v->shm == im->nr_shm + 1) {
		im->nr_shm++;
		im->sysv_due = v->kind == CR_VMA_SYSV_SHM;
		im->sysv_vma = *v;
	}
	if (v->kind == CR_VMA_VDSO || v->kind == CR_VMA_VVAR)
		im->vdso_parts++;
	/* cr_read_mm(), after the last vma */
	if (im->vmas_left == 1 && im->mm.vdso && im->vdso_parts != 2)
		return cr_image_bad(im, "vma record: the last one, but the vDSO text and data "
				    "records are missing (%u of 2)", im->vdso_parts);
	vmas = cr_image_grow(p->vmas, p->nr_vmas, &p->cap_vmas, sizeof(*vmas));
	if (!vmas)
		return cr_image_nomem(im);
	p->vmas = vmas;
	vmas[p->nr_vmas].start = v->start;
	vmas[p->nr_vmas].end = v->end;
	vmas[p->nr_vmas].kind = v->kind;
	vmas[p->nr_vmas].flags = v->flags;
	p->nr_vmas++;
	im->vmas_left--;
	return 0;
}

static int cr_image_pipe(struct cr_image *im, const struct cr_rec_pipe *r, __u32 len)
{
	const char *why = cr_check_pipe(r, len, im->nr_pipes + 1, &im->limits);
	struct cr_image_pipe *pipes;

	if (why)
		return cr_image_bad(im, "pipe record %u: %s", r->objref, why);
	pipes = cr_image_grow(im->pipes, im->nr_pipes, &im->cap_pipes, sizeof(*pipes));
	if (!pipes)
		return cr_image_nomem(im);
	im->pipes = pipes;
	memset(&pipes[im->nr_pipes], 0, sizeof(*pipes));
	pipes[im->nr_pipes++].fifo = r->flags & CR_PIPE_FIFO;
	return 0;
}

/* cr_read_file(): the record, and the pipe it names (cr_open_pipe_file()) */
static int cr_image_file(struct cr_image *im, const struct cr_rec_file *r, __u32 len)
{
	const char *why = cr_check_file(r, len, im->nr_objs + 1);

	if (!why && r->path_len)
		why = cr_check_string(cr_file_path(r), r->path_len, CR_PATH_MAX);
	/* a FIFO's pipe record comes first, whether or not a file is handed in */
	if (!why && r->kind == CR_FILE_FIFO &&
	    (r->pipe > im->nr_pipes || !im->pipes[r->pipe - 1].fifo))
		why = "FIFO without its pipe record";
	if (why)
		return cr_image_bad(im, "file record %u: %s", r->objref, why);
	/* any number of files may be open on either end of a pipe */
	if (r->kind == CR_FILE_PIPE && (r->pipe > im->nr_pipes || im->pipes[r->pipe - 1].fifo))
		return cr_image_bad(im, "file record %u: pipe %u names no pipe record",
				    r->objref, r->pipe);
	if (r->kind == CR_FILE_SOCKET) {
		const struct cr_file_socket *s = (const void *)(r + 1);

		/* cr_sock_make(): a pair's first end makes it, the second takes it */
		if (s->state == CR_SOCK_PAIR && (s->end ? s->pair > im->nr_pairs :
						 s->pair != im->nr_pairs + 1))
			return cr_image_bad(im, "file record %u: socket pair %u out of order",
					    r->objref, s->pair);
		im->nr_pairs += s->state == CR_SOCK_PAIR && !s->end;
		/* its queue records follow right after */
		im->data_objref = r->objref;
		im->data_size = s->queued;
		im->data_dgram = cr_sock_queue_kind(s);
	}
	im->nr_objs++;
	/* cr_make_inotify(): its events in file data records, then its watches */
	if (r->kind == CR_FILE_INOTIFY) {
		const struct cr_file_inotify *n = (const void *)(r + 1);

		im->data_objref = r->objref;
		im->data_next = 0;
		im->data_size = n->events_len;
		im->ino_objref = r->objref;
		im->ino_watches = n->nr_watches;
		im->ino_wd = 0;
		free(im->ino_events);
		im->ino_events = n->events_len ? malloc(n->events_len) : NULL;
		if (n->events_len && !im->ino_events)
			return cr_image_error(im, "inotify events");
	}
	/* cr_make_mqueue(): a queue's messages in file data records */
	if (r->kind == CR_FILE_MQUEUE) {
		const struct cr_file_mqueue *q = (const void *)(r + 1);

		/* cr_mq_stage_notify(): a task of the tree (a leader, the kernel checks) */
		if (q->notify && q->notify_task >= im->tree.nr_tasks)
			return cr_image_bad(im, "file record %u: notification of task %u of %u",
					    r->objref, q->notify_task, im->tree.nr_tasks);
		im->data_objref = r->objref;
		im->data_next = 0;
		im->data_size = q->msgs_len;
		im->mq_objref = q->msgs_len ? r->objref : 0;
		im->mq_nr = q->nr_msgs;
		im->mq_msgsize = q->msgsize;
		memset(&im->mq_scan, 0, sizeof(im->mq_scan));
	}
	/* a memfd's or deleted file's bytes follow right after */
	if (cr_file_has_content(r->kind)) {
		im->data_objref = r->objref;
		im->data_next = 0;
		im->data_size = ((const struct cr_file_content *)(r + 1))->size;
	}
	return 0;
}

static int cr_image_pages(struct cr_image *im, const struct cr_rec_pages *r, __u32 len)
{
	const __u64 *addrs = (const void *)(r + 1);
	const char *why = cr_check_pages(r, len, im->tree.nr_procs);
	bool parent = r->flags & CR_PAGES_F_PARENT;
	__u64 low;
	__u32 i;

	if (!why && r->proc < im->page_proc)
		why = "pages of a process after the next one's";
	if (why)
		return cr_image_bad(im, "pages record: %s (%u of process %u)", why, r->nr, r->proc);
	if (r->proc != im->page_proc) {
		im->page_proc = r->proc;
		im->cur_vma = 0;
		im->next_addr = 0;
		im->after_parent = false;
	}
	/* own pages after the parent's may go back to where those started */
	low = !parent && im->after_parent ? im->parent_low : im->next_addr;
	im->parent_low = low;
	for (i = 0; i < r->nr; i++) {
		if (addrs[i] % im->limits.page_size || addrs[i] < low)
			return cr_image_bad(im,
					    "pages record: page %u at %#llx is misaligned or not above the previous one",
					    i, (unsigned long long)addrs[i]);
		if (!cr_image_find_vma(im, addrs[i], parent))
			return cr_image_bad(im,
					    "pages record: page %u at %#llx is in no vma saved by content%s",
					    i, (unsigned long long)addrs[i],
					    parent ? " and inherited" : "");
		low = addrs[i] + im->limits.page_size;
	}
	if (low > im->next_addr)
		im->next_addr = low;
	im->after_parent = parent;
	im->pages_nr = r->nr;
	/* the parent's pages: no data follows */
	if (parent)
		im->stage = S_PAGES;
	return 0;
}

/* cr_read_page_data(): the pages the pages record lists, page aligned */
static int cr_image_page_data(struct cr_image *im, __u32 len)
{
	__u64 off = im->rec.off + sizeof(struct cr_hdr);

	if (len != (__u64)im->pages_nr * im->limits.page_size)
		return cr_image_bad(im, "page_data record: length %u, the pages record lists %u "
				    "pages", len, im->pages_nr);
	if (off % im->limits.page_size)
		return cr_image_bad(im, "page_data record: payload at offset %llu is not page "
				    "aligned", (unsigned long long)off);
	im->pages_nr = 0;
	return 0;
}

static int cr_image_tail(struct cr_image *im, const struct cr_rec_tail *t)
{
	const char *why = cr_check_tail(t, im->records, im->rec.off, im->rec_sum);

	if (why)
		return cr_image_bad(im, "tail record: %s: the tail says %llu records at %llu, sum "
				    "%#llx, the stream had %llu at %llu, sum %#llx", why,
				    (unsigned long long)t->records, (unsigned long long)t->offset,
				    (unsigned long long)t->sum, (unsigned long long)im->records,
				    (unsigned long long)im->rec.off,
				    (unsigned long long)im->rec_sum);
	return 0;
}

/* cr_read_sum(): the checksum of the stream before the pages */
static int cr_image_sum(struct cr_image *im, const struct cr_rec_sum *s)
{
	const char *why = cr_check_sum(s, im->rec.off, im->rec_sum);

	if (why)
		return cr_image_bad(im, "sum record: %s: it says %#llx at %llu, the stream's is "
				    "%#llx at %llu", why, (unsigned long long)s->sum,
				    (unsigned long long)s->offset, (unsigned long long)im->rec_sum,
				    (unsigned long long)im->rec.off);
	return 0;
}

/* Check the record just read, whose order and length are right. */
static int cr_image_check(struct cr_image *im)
{
	const void *p = im->rec.payload;
	__u32 len = im->rec.hdr.len;
	const char *why = NULL, *name = cr_rec_name(im->rec.hdr.type);

	/* an inotify file's events whole, then its watches (cr_read_events()) */
	if (im->ino_objref && im->rec.hdr.type != CR_REC_FILE_DATA &&
	    im->rec.hdr.type != CR_REC_PAD) {
		if (im->data_objref == im->ino_objref) {
			if (im->data_next != im->data_size)
				return cr_image_bad(im, "inotify file %u: events missing",
						    im->ino_objref);
			why = im->data_size ? cr_check_inotify_events(im->ino_events,
								      im->data_size) : NULL;
			if (why)
				return cr_image_bad(im, "inotify file %u: %s", im->ino_objref, why);
		}
		if (im->ino_watches && im->rec.hdr.type != CR_REC_INOTIFY)
			return cr_image_bad(im, "inotify file %u: %u watch records missing",
					    im->ino_objref, im->ino_watches);
		if (!im->ino_watches)
			im->ino_objref = 0;
	}
	/* a message queue's messages whole (cr_mq_fill()) */
	if (im->mq_objref && im->rec.hdr.type != CR_REC_FILE_DATA &&
	    im->rec.hdr.type != CR_REC_PAD) {
		const struct cr_mq_scan *q = &im->mq_scan;

		if (im->data_next != im->data_size || q->have || q->body || q->padding ||
		    q->nr != im->mq_nr)
			return cr_image_bad(im,
					    "message queue %u: %u messages, not %u, or one cut short",
					    im->mq_objref, q->nr, im->mq_nr);
		im->mq_objref = 0;
	}
	/* file data right after its memfd's file record, or after more of it */
	if (im->rec.hdr.type != CR_REC_FILE_DATA && im->rec.hdr.type != CR_REC_PAD &&
	    im->rec.hdr.type != CR_REC_SOCK_QUEUE) {
		/* cr_sock_refill(): a socket's queue records hold all it had */
		if (im->data_objref && im->data_dgram >= 0 && im->data_size)
			return cr_image_bad(im, "socket %u: %llu queued bytes missing",
					    im->data_objref, (unsigned long long)im->data_size);
		im->data_objref = 0;
		im->data_dgram = -1;
	}
	switch (im->rec.hdr.type) {
	case CR_REC_SOCK_QUEUE:
		if (im->data_dgram < 0)
			why = "not after a socket's file record";
		else
			why = cr_check_sock_queue(p, len, im->data_objref, im->data_dgram,
						  &im->data_size);
		break;
	case CR_REC_FILE_DATA: {
		const struct cr_rec_file_data *r = p;

		why = cr_check_file_data(r, len, im->data_objref, im->data_next, im->data_size);
		if (!why && im->mq_objref && im->data_objref == im->mq_objref)
			why = r->offset != im->data_next ? "message queue: a gap in its messages" :
			      cr_mq_scan(&im->mq_scan, (const __u8 *)(r + 1), len - sizeof(*r),
					 im->mq_msgsize);
		if (!why && im->ino_events && im->data_objref == im->ino_objref) {
			if (r->offset != im->data_next)
				why = "inotify events: a gap";
			else
				memcpy(im->ino_events + r->offset, r + 1, len - sizeof(*r));
		}
		if (!why)
			im->data_next = r->offset + len - sizeof(*r);
		break;
	}
	case CR_REC_INOTIFY: {
		const struct cr_rec_inotify *r = p;

		if (!im->ino_watches)
			why = "no inotify file before it waits for a watch";
		else
			why = cr_check_inotify(r, len, im->ino_objref, im->ino_wd) ?:
			      cr_check_string((const char *)(r + 1), r->path_len, CR_PATH_MAX);
		if (!why) {
			im->ino_wd = r->wd;
			im->ino_watches--;
		}
		break;
	}
	case CR_REC_PAD:
		return cr_image_pad(im);
	case CR_REC_ARCH:
		memcpy(&im->arch, p, sizeof(im->arch));
		why = cr_x86_check_arch(&im->arch);
		break;
	case CR_REC_TASK:
		memcpy(&im->task, p, sizeof(im->task));
		why = cr_check_task(&im->task, &im->limits);
		break;
	case CR_REC_CPU:
		why = cr_x86_check_cpu(p, &im->limits, im->nr_syscalls,
				       im->task.restart_fn != CR_RESTART_FN_NONE);
		break;
	case CR_REC_FPU:
		why = cr_x86_check_fpu(p, len, &im->arch, (const struct cr_rec_fpu *)p + 1);
		break;
	case CR_REC_MM: {
		const struct cr_rec_mm *r = p;

		why = cr_check_mm(r, len, &im->limits);
		if (!why && r->exe_len)
			why = cr_check_string((const char *)(r + 1), r->exe_len, CR_PATH_MAX);
		memcpy(&im->mm, r, sizeof(im->mm));
		im->vmas_left = r->nr_vmas;
		break;
	}
	case CR_REC_VMA:
		return cr_image_vma(im, p, len);
	case CR_REC_SYSV_SHM: {
		const char *why = cr_check_sysv_shm(p, &im->sysv_vma, &im->limits);

		im->sysv_due = false;
		return why ? cr_image_bad(im, "sysv_shm record: %s", why) : 0;
	}
	case CR_REC_PIPE:
		return cr_image_pipe(im, p, len);
	case CR_REC_FILE:
		return cr_image_file(im, p, len);
	case CR_REC_FD: {
		const struct cr_rec_fd *r = p;

		why = cr_check_fd(r, im->nr_objs, im->nr_fds ? &im->last_fd : NULL);
		if (why)
			return cr_image_bad(im, "fd record: fd %u: %s", r->fd, why);
		im->last_fd = *r;
		im->nr_fds++;
		break;
	}
	case CR_REC_EPOLL:
		why = cr_check_epoll(p, len, im->nr_objs);
		break;
	case CR_REC_FS: {
		const struct cr_rec_fs *r = p;

		why = cr_check_fs(r, len) ?: cr_check_string((const char *)(r + 1), r->cwd_len,
							     CR_PATH_MAX);
		break;
	}
	case CR_REC_TIMER:
		why = cr_check_timer(p, im->nr_timers ? &im->last_timer : NULL);
		memcpy(&im->last_timer, p, sizeof(im->last_timer));
		im->nr_timers++;
		break;
	case CR_REC_MSG_QUEUE:
	case CR_REC_SEM_SET:
		if (im->rec.hdr.type == CR_REC_MSG_QUEUE)
			why = cr_check_msg_queue(p, len, im->ipc_id);
		else
			why = cr_check_sem_set(p, len, im->ipc_id);
		/* both start with the id */
		im->ipc_id = ((const struct cr_rec_sem_set *)p)->id;
		if (!--im->ipc_left)
			im->stage = S_BODY;
		break;
	case CR_REC_SEM_UNDO:
		why = cr_check_sem_undo(p, len, im->sem_id);
		im->sem_id = ((const struct cr_rec_sem_undo *)p)->id;
		break;
	case CR_REC_SIGNALS:
		why = cr_check_signals(p, len, (const struct cr_siginfo *)
				       ((const struct cr_rec_signals *)p + 1), &im->limits);
		break;
	case CR_REC_SIGSTATE:
		why = cr_check_sigstate(p, len, (const struct cr_siginfo *)
					((const struct cr_rec_sigstate *)p + 1), &im->limits);
		break;
	case CR_REC_TREE:
		return cr_image_tree(im, p, len);
	case CR_REC_PAGES:
		return cr_image_pages(im, p, len);
	case CR_REC_PAGE_DATA:
		return cr_image_page_data(im, len);
	case CR_REC_TAIL:
		return cr_image_tail(im, p);
	case CR_REC_SUM:
		return cr_image_sum(im, p);
	default:
		return cr_image_bad(im, "%s record: this reader cannot check it", name);
	}
	if (why)
		return cr_image_bad(im, "%s record: %s", name, why);
	return 0;
}

/* Add the payload and padding of the record just read to the checksum. */
static void cr_image_summed(struct cr_image *im)
{
	cr_sum_update(&im->sum, im->rec.payload, cr_rec_size(im->rec.hdr.len) -
		      sizeof(im->rec.hdr));
}

/* The header of a record, its type and length, then its payload and padding. */
static int cr_image_record(struct cr_image *im)
{
	struct cr_image_rec *rec = &im->rec;
	const struct cr_rec_info *info;
	char buf[128];
	ssize_t n;
	int ret;

	n = cr_image_read(im, 0, sizeof(rec->hdr));
	if (n < 0)
		return cr_image_error(im, "read error");
	if (!n && im->stage == S_HEAD)
		return cr_image_bad(im, "empty stream: not a cr image");
	if (!n && im->mode == CR_IMAGE_FRAMES)
		return cr_image_bad(im, "the stream ends before the tail");
	if (!n)
		return cr_image_bad(im, "the stream ends before the tail: expected %s",
				    cr_image_expected_str(im, cr_image_expected(im), buf,
							  sizeof(buf)));
	if ((size_t)n < sizeof(rec->hdr))
		return cr_image_bad(im, "record header cut short: the stream ends at offset %llu",
				    (unsigned long long)im->off);
	memcpy(&rec->hdr, cr_image_in_place(im) ? im->mem + rec->off : im->buf,
	       sizeof(rec->hdr));
	rec->payload = cr_image_in_place(im) ? im->mem + im->off : im->buf;
	im->rec_sum = cr_sum_digest(&im->sum);
	cr_sum_update(&im->sum, &rec->hdr, sizeof(rec->hdr));

	if (im->mode == CR_IMAGE_FRAMES) {
		ret = cr_image_body(im, 0, cr_rec_size(rec->hdr.len) - sizeof(rec->hdr));
		if (!ret && rec->hdr.type == CR_REC_TAIL && im->stage != S_CUT)
			im->stage = S_END;
		if (!ret && !rec->cut)
			cr_image_summed(im);
		return ret;
	}

	if (im->stage == S_HEAD) {
		ret = cr_image_head(im);
		if (!ret)
			cr_image_summed(im);
		return ret;
	}
	/* cr_next_type(), cr_read_obj() */
	info = cr_rec_info(rec->hdr.type);
	if (!info)
		return cr_image_bad(im, "bad record type %u", rec->hdr.type);
	if (info->size != info->max && rec->hdr.len > info->max)
		return cr_image_bad(im, "%s record too long (%u bytes, at most %u)",
				    info->name, rec->hdr.len, info->max);
	if (rec->hdr.type != CR_REC_PAD) {
		ret = cr_image_order(im, rec->hdr.type);
		if (ret)
			return ret;
	}
	if (info->size == info->max && rec->hdr.len != info->size)
		return cr_image_bad(im, "%s record: length %u, expected %u", info->name,
				    rec->hdr.len, info->size);
	if (rec->hdr.len < info->size)
		return cr_image_bad(im, "%s record: length %u, at least %u expected", info->name,
				    rec->hdr.len, info->size);
	ret = cr_image_body(im, 0, cr_rec_size(rec->hdr.len) - sizeof(rec->hdr));
	if (ret)
		return ret;
	cr_image_summed(im);
	if (!cr_image_zeros((const char *)rec->payload + rec->hdr.len,
			    cr_rec_size(rec->hdr.len) - sizeof(rec->hdr) - rec->hdr.len))
		return cr_image_bad(im, "%s record: non-zero padding", info->name);
	return cr_image_check(im);
}

/**
 * cr_image_next() - read the next record
 * @im: the reader
 *
 * Return: CR_IMAGE_REC with the record in @im->rec; CR_IMAGE_END after
 * the tail, at the end of the stream; CR_IMAGE_BAD for an invalid image
 * (@im->why at @im->why_off, the record at fault); CR_IMAGE_ERROR if the
 * image cannot be read (@im->why, errno).  Once it has returned anything
 * but CR_IMAGE_REC, it returns the same again.
 */
int cr_image_next(struct cr_image *im)
{
	unsigned char byte;
	ssize_t n;
	int ret;

	if (im->done != CR_IMAGE_REC)
		return im->done;
	if (im->stage == S_CUT) {
		/* the record returned last */
		im->done = cr_image_bad(im, "%s record cut short: the stream ends at offset %llu",
					cr_rec_name(im->rec.hdr.type),
					(unsigned long long)im->off);
		return im->done;
	}
	im->rec.off = im->off;
	if (im->stage == S_END) {
		/* restart stops reading at the tail: an image ends there */
		do {
			n = im->fd < 0 ? im->mem_len > im->off : read(im->fd, &byte, 1);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			im->done = cr_image_error(im, "read error");
		else
			im->done = n ? cr_image_bad(im, "data after the tail") : CR_IMAGE_END;
		return im->done;
	}
	if (!cr_image_in_place(im) && !im->buf) {
		im->buf = malloc(CR_IMAGE_BUF);
		if (!im->buf) {
			im->done = cr_image_nomem(im);
			return im->done;
		}
	}
	im->rec.cut = false;
	ret = cr_image_record(im);
	if (ret) {
		im->done = ret;
		return ret;
	}
	im->records++;
	return CR_IMAGE_REC;
}

/**
 * cr_image_walk() - read an image in memory, record by record
 * @im: the reader, closed on return; @im->why says why an image is invalid
 * @img: the image
 * @len: its length
 * @fn: called for each record, if not NULL
 * @arg: passed to @fn
 *
 * Checks every record (CR_IMAGE_CHECK).
 *
 * Return: the number of records, the tail included, or -1 for an invalid
 * image.
 */
long cr_image_walk(struct cr_image *im, const void *img, size_t len,
		   void (*fn)(const struct cr_image_rec *rec, void *arg), void *arg)
{
	int ret;

	cr_image_open_mem(im, img, len, CR_IMAGE_CHECK);
	while ((ret = cr_image_next(im)) == CR_IMAGE_REC)
		if (fn)
			fn(&im->rec, arg);
	cr_image_close(im);
	return ret == CR_IMAGE_END ? (long)im->records : -1;
}
