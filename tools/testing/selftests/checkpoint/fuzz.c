// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: hostile images.  Real images (a process with files, a
 * pipe, a FIFO, mappings, handlers, a pending signal, an itimer, POSIX
 * timers, one with its signal pending, an inotify file, a message queue; and a stopped one
 * inside pause()) are mutated - bit flips, bytes and fields set to edge values,
 * truncation, lengths, types, records repeated, dropped and swapped, VMAs
 * moved over each other, out of user space and onto the vDSO, page
 * addresses, fd numbers, paths, timer fields - and restarted, each in a
 * child, most with their checksums made right again (cr_image_reseal()) so
 * that the checks behind the checksum's are reached.  A third image is a
 * tree (a root, a child leading its own group with a second thread, a
 * zombie), whose tree record is mutated too
 * (duplicate pids, parent cycles, threads out of their process, groups
 * and sessions, zombies, counts up to 100000 tasks) and which is restarted
 * as the child of the caller with new pids.  Every case must end with an
 * errno returned to a caller that is intact, with the caller killed (past
 * the point of no return), or with a restarted process running on what
 * the image said; never a restart that does not end, nor a kernel taint
 * (WARN, BUG, KASAN...).
 *
 * CR_FUZZ_CASES (default 1000 per image) and CR_FUZZ_SEED (default: from
 * the clock) set the run; each failing case prints its seed, and
 * CR_FUZZ_SEED=S CR_FUZZ_CASES=1 replays it (and CR_FUZZ_SAVE=DIR keeps its
 * image in DIR/rich, DIR/stopped, DIR/tree, for crinspect).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

#define FIFO		"/tmp/cr-fuzz-fifo"
#define DATA		"/tmp/cr-fuzz-data"
#define MQ_NAME		"/cr-fuzz-mq"
#define SEM_KEY		0xc0def2
#define HANG_S		30	/* a restart that has not ended by then is a bug */
#define RAN_S		2	/* a restarted process still running then is killed */
#define MAX_RECS	4096

enum mutation {
	M_FLIP, M_BYTE, M_FIELD32, M_FIELD64, M_TRUNC_AT, M_TRUNC_IN, M_LEN, M_TYPE,
	M_DUP, M_DROP, M_SWAP, M_VMA, M_PAGES, M_FD, M_PATH, M_TIMER, M_TREE, M_EVENT, M_SOCKET,
	M_INOTIFY, M_MQUEUE, M_SEM_UNDO, M_MSG_QUEUE, M_NR
};

static const char * const mut_name[M_NR] = {
	"bit flip", "byte", "field32", "field64", "cut at record", "cut in record",
	"record length", "record type", "repeat record", "drop record", "swap records",
	"vma range", "page address", "fd number", "path", "timer field", "tree",
	"event file", "socket", "inotify", "message queue", "sem undo", "IPC ns object",
};

enum outcome { O_ERRNO, O_KILLED, O_RAN, O_NR };

struct rec {
	size_t off;
	struct cr_hdr h;
};

struct image {
	char *buf;
	size_t len;
	struct rec rec[MAX_RECS];
	int nr;
	int first_pages;	/* index of the first pages record: the metadata ends there */
	unsigned long vdso;
	bool tree;		/* of more than one task: restarted as a child */
};

/* A small, seedable generator (xorshift64*): the case is its seed. */
static unsigned long long rng;

static unsigned long long rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static const unsigned long long edge[] = {
	0, 1, 2, 3, 7, 8, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 4095, 4096, 4097,
	1 << 20, (1 << 20) + 1, 0x7ffffffff000ULL, 0x800000000000ULL, 0xfffffffffffff000ULL,
	0xffff888000000000ULL, 0xffffffff81000000ULL, -1ULL, 0x8000000000000000ULL,
	0x7fffffffffffffffULL, 1ULL << 32, 1ULL << 47,
};

static unsigned long long rnd_edge(void)
{
	return rnd_below(8) ? edge[rnd_below(ARRAY_SIZE(edge))] : rnd();
}

/*
 * The records of a possibly broken image, as their headers frame them: up
 * to the tail, or to the last header the stream holds whole.
 */
static void index_image(struct image *im)
{
	struct cr_image w;

	im->nr = 0;
	im->first_pages = -1;
	cr_image_open_mem(&w, im->buf, im->len, CR_IMAGE_FRAMES);
	while (im->nr < MAX_RECS && cr_image_next(&w) == CR_IMAGE_REC) {
		struct rec *r = &im->rec[im->nr];

		r->h = w.rec.hdr;
		r->off = w.rec.off;
		if (r->h.type == CR_REC_PAGES && im->first_pages < 0)
			im->first_pages = im->nr;
		if (r->h.type == CR_REC_MM && r->h.len >= sizeof(struct cr_rec_mm))
			im->vdso = ((struct cr_rec_mm *)(im->buf + r->off + sizeof(r->h)))->vdso;
		im->nr++;
		if (r->h.type == CR_REC_TAIL)
			break;
	}
	cr_image_close(&w);
	if (im->first_pages < 0)
		im->first_pages = im->nr - 1;
}

/* Mostly a record read before the point of no return; sometimes any. */
static int pick_rec(const struct image *im)
{
	if (rnd_below(4))
		return rnd_below(im->first_pages);
	return rnd_below(im->nr);
}

/* A record of @type, or -1. */
static int pick_type(const struct image *im, unsigned int type)
{
	int idx[MAX_RECS], n = 0, i;

	for (i = 0; i < im->nr; i++)
		if (im->rec[i].h.type == type)
			idx[n++] = i;
	return n ? idx[rnd_below(n)] : -1;
}

static size_t rec_end(const struct image *im, int i)
{
	return im->rec[i].off + cr_rec_size(im->rec[i].h.len);
}

static void put64(char *p, unsigned long long v)
{
	memcpy(p, &v, 8);
}

static void put32(char *p, unsigned int v)
{
	memcpy(p, &v, 4);
}

/* Replace bytes [@at, @at + @old) of the image by @n bytes of @new. */
static void splice_bytes(struct image *im, size_t at, size_t old, const char *new, size_t n)
{
	char *b = malloc(im->len - old + n);

	memcpy(b, im->buf, at);
	memcpy(b + at, new, n);
	memcpy(b + at + n, im->buf + at + old, im->len - at - old);
	free(im->buf);
	im->buf = b;
	im->len = im->len - old + n;
}

/* Keep the tail consistent with a changed record count or length, sometimes. */
static void fix_tail(struct image *im)
{
	struct cr_rec_tail t;
	char *p;

	index_image(im);
	if (!im->nr || im->rec[im->nr - 1].h.type != CR_REC_TAIL || rnd_below(2))
		return;
	p = im->buf + im->rec[im->nr - 1].off + sizeof(struct cr_hdr);
	memcpy(&t, p, sizeof(t));
	t.records = im->nr - 1;
	t.offset = im->rec[im->nr - 1].off;
	memcpy(p, &t, sizeof(t));
}

/* Apply one mutation; returns a word about it for the failure message. */
/* A SysV semaphore set record's id, key, owner, size or a value. */
static void mutate_sem_set(struct image *im, char *what, size_t wlen)
{
	struct cr_rec_sem_set *set;
	int j = pick_type(im, CR_REC_SEM_SET);

	if (j < 0)
		return;
	set = (void *)(im->buf + im->rec[j].off + sizeof(struct cr_hdr));
	snprintf(what, wlen, "sem set record %d at %zu", j, im->rec[j].off);
	switch (rnd_below(5)) {
	case 0:
		set->id = rnd_below(2) ? set->id + rnd_below(3) - 1 : (int)rnd_edge();
		break;
	case 1:
		set->key = rnd_below(2) ? 0 : (int)rnd_edge();
		break;
	case 2:
		set->uid = rnd_edge();
		break;
	case 3:
		set->nsems = rnd_below(2) ? set->nsems + rnd_below(3) - 1 : rnd_edge();
		break;
	default:
		((__u16 *)(set + 1))[rnd_below(2)] = rnd_below(2) ? 32768 : rnd_edge();
	}
}

static const char *mutate(struct image *im, enum mutation m, char *what, size_t wlen)
{
	int i = pick_rec(im), j;
	size_t off = im->rec[i].off, span = rec_end(im, i) - off, at;
	char *p = im->buf + off, *pl = p + sizeof(struct cr_hdr);
	unsigned int plen = im->rec[i].h.len;

	snprintf(what, wlen, "%s in %s record %d at %zu", mut_name[m],
		 im->rec[i].h.type < CR_REC_MAX ? "a" : "an odd", i, off);
	switch (m) {
	case M_FLIP:
		at = rnd_below(span);
		p[at] ^= 1 << rnd_below(8);
		break;
	case M_BYTE:
		p[rnd_below(span)] = rnd_edge();
		break;
	case M_FIELD32:
		if (plen >= 4)
			put32(pl + 4 * rnd_below(plen / 4), rnd_edge());
		break;
	case M_FIELD64:
		if (plen >= 8)
			put64(pl + 8 * rnd_below(plen / 8), rnd_edge());
		break;
	case M_TRUNC_AT:
		im->len = off;
		break;
	case M_TRUNC_IN:
		im->len = off + 1 + rnd_below(span - 1);
		break;
	case M_LEN: {
		static const long delta[] = { -8, -1, 1, 8, 4096 };
		unsigned int v;

		switch (rnd_below(4)) {
		case 0:
			v = 0;
			break;
		case 1:
			v = plen + delta[rnd_below(ARRAY_SIZE(delta))];
			break;
		case 2:
			v = CR_REC_MAX_LEN + rnd_below(2);
			break;
		default:
			v = rnd_edge();
		}
		put32(p + 4, v);
		break;
	}
	case M_TYPE: {
		static const unsigned int odd[] = { 0, CR_REC_MAX, 0xffff, 0xffffffff };

		put32(p, rnd_below(2) ? odd[rnd_below(4)] : 1 + rnd_below(CR_REC_MAX - 1));
		break;
	}
	case M_DUP: {
		char *copy = malloc(span);

		memcpy(copy, p, span);
		/* right after itself, or anywhere else */
		at = rnd_below(2) ? rec_end(im, i) : im->rec[rnd_below(im->nr)].off;
		splice_bytes(im, at, 0, copy, span);
		free(copy);
		fix_tail(im);
		break;
	}
	case M_DROP:
		splice_bytes(im, off, span, NULL, 0);
		fix_tail(im);
		break;
	case M_SWAP: {
		size_t span2;
		char *tmp;

		if (i + 1 >= im->nr)
			break;
		span2 = rec_end(im, i + 1) - rec_end(im, i);
		tmp = malloc(span + span2);
		memcpy(tmp, im->buf + rec_end(im, i), span2);
		memcpy(tmp + span2, p, span);
		memcpy(p, tmp, span + span2);
		free(tmp);
		break;
	}
	case M_VMA: {
		struct cr_rec_vma v;
		char *vp;

		j = pick_type(im, CR_REC_VMA);
		if (j < 0)
			break;
		vp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		memcpy(&v, vp, sizeof(v));
		snprintf(what, wlen, "vma record %d at %zu", j, im->rec[j].off);
		switch (rnd_below(11)) {
		case 9:	/* a memory policy: any mode and flags, nodes this machine lacks */
			v.mempolicy.mode = rnd_below(CR_MPOL_MAX + 1);
			v.mempolicy.flags = rnd_below(2) ? rnd_edge() : 1U << (13 + rnd_below(3));
			v.mempolicy.nodes[rnd_below(CR_MPOL_WORDS)] = rnd_edge();
			break;
		case 8:	/* a name that ends elsewhere, or none where there is one */
			v.name_len = rnd_below(2) ? rnd_edge() : v.name_len + 1 - rnd_below(3);
			break;
		case 7:	/* inherited from a parent that may not have it, or not */
			v.flags ^= CR_VMA_F_INHERIT;
			break;
		case 6:	/* another shared memory object or file object, or another size */
			if (rnd_below(3) == 2)
				v.objref = rnd_edge();
			else if (rnd_below(2))
				v.shm = rnd_edge();
			else
				v.shm_size = rnd_edge();
			break;
		case 0:	/* onto the previous vma */
			v.start -= 4096 * (1 + rnd_below(16));
			break;
		case 1:	/* backwards, or empty */
			v.end = v.start - 4096 * rnd_below(2);
			break;
		case 2:	/* out of user space */
			v.end = 0x800000000000ULL + 4096 * rnd_below(4);
			break;
		case 3:	/* kernel addresses */
			v.start = 0xffff888000000000ULL;
			v.end = v.start + 4096;
			break;
		case 4:	/* over the vDSO */
			if (im->vdso) {
				v.start = im->vdso - 4096 * rnd_below(2);
				v.end = im->vdso + 4096 * (1 + rnd_below(2));
			}
			break;
		case 5:	/* below mmap_min_addr, or misaligned */
			v.start = rnd_below(2) ? 0 : v.start + 1;
			break;
		default:
			v.pgoff = rnd_edge();
			v.prot = rnd_edge();
		}
		memcpy(vp, &v, sizeof(v));
		break;
	}
	case M_PAGES: {
		struct cr_rec_pages pg;
		char *pp;

		j = pick_type(im, CR_REC_PAGES);
		if (j < 0)
			break;
		pp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		memcpy(&pg, pp, sizeof(pg));
		snprintf(what, wlen, "pages record %d at %zu", j, im->rec[j].off);
		if (!rnd_below(4)) {
			pg.nr = rnd_edge();
			memcpy(pp, &pg, sizeof(pg));
		} else if (!rnd_below(3)) {
			/* the parent's pages without data, or data taken for a record */
			pg.flags ^= rnd_below(4) ? CR_PAGES_F_PARENT : 1U << rnd_below(32);
			memcpy(pp, &pg, sizeof(pg));
		} else if (pg.nr) {
			unsigned long long *a = (void *)(pp + sizeof(pg));
			unsigned int k = rnd_below(pg.nr);

			switch (rnd_below(4)) {
			case 0:
				a[k] = k ? a[k - 1] : a[k] + 4096;	/* repeated or unsorted */
				break;
			case 1:
				a[k] = 0xffff888000000000ULL;
				break;
			case 2:
				a[k] = im->vdso ? im->vdso : 4096;
				break;
			default:
				a[k] = rnd_edge() & ~4095ULL;
			}
		}
		break;
	}
	case M_FD: {
		struct cr_rec_fd f;
		char *fp;

		j = pick_type(im, CR_REC_FD);
		if (j < 0)
			break;
		fp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		memcpy(&f, fp, sizeof(f));
		snprintf(what, wlen, "fd record %d at %zu", j, im->rec[j].off);
		if (rnd_below(3))
			f.fd = rnd_below(2) ? 1024 + rnd_below(3) : rnd_edge();
		else
			f.objref = rnd_edge();
		memcpy(fp, &f, sizeof(f));
		break;
	}
	case M_PATH: {
		static const unsigned int path_types[] = {
			CR_REC_FILE, CR_REC_VMA, CR_REC_MM, CR_REC_FS,
		};
		int t = rnd_below(4);
		unsigned int n, newlen, fixed = cr_rec_info(path_types[t])->size;
		char *rec, *path;

		j = pick_type(im, path_types[t]);
		if (j < 0 || im->rec[j].h.len <= fixed)
			break;
		rec = im->buf + im->rec[j].off;
		path = rec + sizeof(struct cr_hdr) + fixed;
		n = im->rec[j].h.len - fixed;
		snprintf(what, wlen, "path of record %d at %zu", j, im->rec[j].off);
		switch (rnd_below(4)) {
		case 0:	/* no NUL */
			path[n - 1] = 'A';
			break;
		case 1:	/* climbing out */
			memcpy(path, "/../../../../../", n - 1 < 16 ? n - 1 : 16);
			break;
		case 2:	/* empty */
			path[0] = 0;
			break;
		default: {
			/* very long: a new record, lengths to match */
			size_t old = cr_rec_size(im->rec[j].h.len), nl;
			char *r2;

			newlen = 4096 + rnd_below(2) * 8192;
			nl = cr_rec_size(fixed + newlen);
			r2 = calloc(1, nl);
			memcpy(r2, rec, sizeof(struct cr_hdr) + fixed);
			memset(r2 + sizeof(struct cr_hdr) + fixed, '/', newlen - 1);
			put32(r2 + 4, fixed + newlen);
			/* the path length: the fixed part's last u32, but in a file record */
			if (path_types[t] == CR_REC_FILE)
				put32(r2 + sizeof(struct cr_hdr) + fixed - 8, newlen);
			else
				put32(r2 + sizeof(struct cr_hdr) + fixed - 4, newlen);
			splice_bytes(im, im->rec[j].off, old, r2, nl);
			free(r2);
			fix_tail(im);
		}
		}
		break;
	}
	case M_TIMER: {
		/* the clocks, notifications and signals on their edges */
		static const unsigned int small[] = {
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22,
			23, 24, 31, 32, 33, 34, 63, 64, 65, 0x7fffffff, 0x80000000, 0xffffffff,
		};
		struct cr_rec_timer t;
		char *tp;

		j = pick_type(im, CR_REC_TIMER);
		if (j < 0)
			break;
		tp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		memcpy(&t, tp, sizeof(t));
		snprintf(what, wlen, "timer record %d at %zu", j, im->rec[j].off);
		switch (rnd_below(10)) {
		case 0:	/* an id out of range, or that of another timer */
			t.id = rnd_below(2) ? rnd_edge() : t.id + rnd_below(3) - 1;
			break;
		case 1:
			t.clock = small[rnd_below(ARRAY_SIZE(small))];
			break;
		case 2:
			t.notify = small[rnd_below(ARRAY_SIZE(small))];
			break;
		case 3:
			t.signo = small[rnd_below(ARRAY_SIZE(small))];
			break;
		case 4:
			t.value_ns = rnd_edge();
			break;
		case 5:
			t.interval_ns = rnd_below(2) ? rnd_edge() : 1 + rnd_below(1000);
			break;
		case 6:
			t.overrun = rnd_edge();
			t.expired = rnd_edge();
			break;
		case 7:
			t.sig_overrun = rnd_edge();
			break;
		case 8:
			t.flags = rnd_below(2) ? rnd_below(8) : rnd_edge();
			break;
		default:
			t.value = rnd_edge();
			t.value_ns = rnd_below(2) ? 1 : t.value_ns;
		}
		memcpy(tp, &t, sizeof(t));
		break;
	}
	case M_EVENT: {
		/* the state of an event file: each field, and the kind */
		int idx[MAX_RECS], n = 0, k;
		struct cr_file_event e;
		struct cr_rec_file f;
		char *fp;

		for (k = 0; k < im->nr; k++) {
			if (im->rec[k].h.type != CR_REC_FILE ||
			    im->rec[k].h.len != sizeof(f) + sizeof(e))
				continue;
			memcpy(&f, im->buf + im->rec[k].off + sizeof(struct cr_hdr), sizeof(f));
			if (cr_file_is_event(f.kind))
				idx[n++] = k;
		}
		if (!n)
			break;
		j = idx[rnd_below(n)];
		fp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		memcpy(&f, fp, sizeof(f));
		memcpy(&e, fp + sizeof(f), sizeof(e));
		snprintf(what, wlen, "%s file record %d at %zu", cr_file_kind_name(f.kind), j,
			 im->rec[j].off);
		switch (rnd_below(7)) {
		case 0:
			f.kind = CR_FILE_EVENTFD + rnd_below(3);
			break;
		case 1:
			e.flags = rnd_below(2) ? rnd_below(8) : rnd_edge();
			break;
		case 2:
			e.clockid = rnd_below(2) ? rnd_below(16) : rnd_edge();
			break;
		case 3:
			e.count = rnd_below(2) ? ~0ULL : rnd_edge();
			break;
		case 4:
			e.mask = rnd_below(2) ? 1ULL << rnd_below(64) : rnd_edge();
			break;
		case 5:
			e.value_ns = rnd_edge();
			break;
		default:
			e.interval_ns = rnd_below(2) ? 1 : rnd_edge();
		}
		memcpy(fp, &f, sizeof(f));
		memcpy(fp + sizeof(f), &e, sizeof(e));
		break;
	}
	case M_SOCKET: {
		/* a socket's state, or a message it has queued */
		int idx[MAX_RECS], n = 0, k;
		struct cr_file_socket *so;
		struct cr_rec_file f;
		char *fp;

		for (k = 0; k < im->nr; k++) {
			fp = im->buf + im->rec[k].off + sizeof(struct cr_hdr);
			memcpy(&f, fp, sizeof(f));
			if (im->rec[k].h.type == CR_REC_SOCK_QUEUE ||
			    (im->rec[k].h.type == CR_REC_FILE && f.kind == CR_FILE_SOCKET &&
			     im->rec[k].h.len == sizeof(f) + sizeof(*so)))
				idx[n++] = k;
		}
		if (!n)
			break;
		j = idx[rnd_below(n)];
		fp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		if (im->rec[j].h.type == CR_REC_SOCK_QUEUE) {
			struct cr_rec_sock_queue *q = (void *)fp;
			struct cr_sock_msg *m = (void *)(q + 1);

			snprintf(what, wlen, "socket queue record %d at %zu", j, im->rec[j].off);
			switch (rnd_below(8)) {
			case 0:
				q->nr = rnd_below(2) ? q->nr + 1 : rnd_edge();
				break;
			case 1:
				m->len = rnd_below(2) ? m->len + 1 + rnd_below(8) : rnd_edge();
				break;
			case 2:
				m->uid = rnd_below(2) ? 1000 : rnd_edge();
				break;
			case 3:
				m->gid = rnd_below(2) ? CR_SOCK_NO_ID : rnd_edge();
				break;
			case 4:
				m->sender = rnd_below(2) ? rnd_below(4) : rnd_edge();
				break;
			case 5:	/* a UDP datagram's source, or one on another socket */
				m->port = rnd_below(2) ? m->port + 1 : rnd_edge();
				m->addr[rnd_below(sizeof(m->addr))] ^= 1 << rnd_below(8);
				if (rnd_below(4) == 0)
					m->flags = rnd_edge();
				break;
			case 6:	/* a listener's connection: its pair, or one where none can be */
				m->flags ^= CR_SOCK_MSG_CONN;
				m->pair = rnd_below(2) ? m->pair + 1 : rnd_edge();
				break;
			default:
				q->objref = rnd_below(2) ? q->objref + 1 : rnd_edge();
			}
			break;
		}
		so = (void *)(fp + sizeof(f));
		snprintf(what, wlen, "socket file record %d at %zu", j, im->rec[j].off);
		switch (rnd_below(18)) {
		case 17:	/* TCP options: keepalive, timeouts, congestion control */
			so->keepidle = rnd_below(2) ? 1 + rnd_below(40000) : rnd_edge();
			so->keepcnt = rnd_below(2) ? rnd_below(200) : rnd_edge();
			so->user_timeout = rnd_edge();
			so->defer_accept = rnd_below(2) ? rnd_below(10) : rnd_edge();
			so->congestion[rnd_below(sizeof(so->congestion))] = 'a' + rnd_below(26);
			break;
		case 16:	/* a datagram socket's peer name, pending clients */
			so->peer_len = rnd_below(2) ? rnd_below(120) : rnd_edge();
			so->peer_addr[rnd_below(sizeof(so->peer_addr))] ^= 1 << rnd_below(8);
			so->flags ^= rnd_below(2) ? CR_SOCK_PENDING : 0;
			break;
		case 14:	/* TCP: options, sequence numbers */
			so->mss = rnd_below(2) ? rnd_below(70000) : 0;
			so->snd_wscale = rnd_below(20);
			so->tcp_flags = rnd_below(2) ? rnd_below(16) : rnd_edge();
			so->snd_seq += rnd_below(2) ? 1 : rnd_edge();
			break;
		case 15:	/* TCP: window, queues */
			so->snd_wnd = rnd_edge();
			so->rcv_wup = rnd_edge();
			so->outq = rnd_below(2) ? so->outq + 1 : rnd_edge();
			break;
		case 12:	/* INET: family, protocol, flags */
			so->family = rnd_below(2) ? CR_AF_INET6 :
				     rnd_below(2) ? CR_AF_INET : rnd_edge();
			so->protocol = rnd_below(2) ? rnd_below(20) : rnd_edge();
			so->inet_flags = rnd_below(2) ? rnd_below(512) : rnd_edge();
			break;
		case 13:	/* INET: addresses and ports */
			so->lport = rnd_below(2) ? 1 + rnd_below(1024) : rnd_edge();
			so->rport = rnd_edge();
			so->laddr[rnd_below(16)] ^= 1 + rnd_below(255);
			so->raddr[rnd_below(16)] ^= 1 + rnd_below(255);
			break;
		case 0:
			so->state = rnd_below(6);
			break;
		case 1:
			so->pair = rnd_below(2) ? so->pair + 1 : rnd_below(4);
			break;
		case 2:
			so->end ^= 1;
			break;
		case 3:
			so->type = rnd_below(2) ? rnd_below(8) : rnd_edge();
			break;
		case 4:
			so->flags = rnd_below(2) ? rnd_below(64) : rnd_edge();
			so->shutdown = rnd_below(4);
			break;
		case 5:
			so->sndbuf = rnd_below(2) ? 1 << rnd_below(31) : rnd_edge();
			so->flags |= CR_SOCK_SNDBUF;
			break;
		case 6:
			so->rcvtimeo_ns = rnd_edge();
			so->peek_off = rnd_edge();
			break;
		case 7:
			so->peer = rnd_below(2) ? rnd_below(4) : rnd_edge();
			break;
		case 8:
			so->queued = rnd_below(2) ? so->queued + 1 : rnd_edge();
			break;
		case 9:
			so->addr_len = rnd_below(2) ? rnd_below(120) : rnd_edge();
			break;
		case 10:
			so->backlog = rnd_edge();
			so->err = rnd_below(2) ? rnd_below(5000) : rnd_edge();
			break;
		default:
			so->addr[rnd_below(CR_UNIX_ADDR_MAX)] ^= 1 + rnd_below(255);
		}
		break;
	}
	case M_TREE: {
		struct cr_rec_tree *r;
		struct cr_tree_task *t;
		__u32 n, k;

		j = pick_type(im, CR_REC_TREE);
		if (j < 0)
			break;
		r = (void *)(im->buf + im->rec[j].off + sizeof(struct cr_hdr));
		t = (void *)(r + 1);
		n = r->nr_tasks;
		k = rnd_below(n);
		snprintf(what, wlen, "tree record, task %u of %u", k, n);
		switch (rnd_below(11)) {
		case 0:	/* the counts */
			if (rnd_below(2))
				r->nr_tasks = rnd_below(2) ? 100000 : rnd_below(2) ? 0 : n + 1;
			else
				r->nr_procs += rnd_below(2) ? 1 : -1;
			break;
		case 1:	/* a pid twice, or none */
			t[k].pid = rnd_below(2) ? t[rnd_below(n)].pid : rnd_edge();
			break;
		case 2:	/* a thread of another process, or a leader after it */
			t[k].leader = rnd_below(2) ? rnd_below(n + 1) : rnd_edge();
			break;
		case 3:	/* a parent cycle: itself, a later task, outside */
			t[k].parent = rnd_below(2) ? k + rnd_below(n - k + 1) : 0xffffffff;
			break;
		case 4:
			t[k].pgrp = rnd_below(2) ? rnd_below(n + 1) : 0xffffffff;
			break;
		case 5:	/* a session leader missing, or out of its group */
			t[k].session = rnd_below(2) ? rnd_below(n + 1) : 0xffffffff;
			break;
		case 6:
			t[k].exit_signal = rnd_below(2) ? rnd_below(70) - 1 : rnd_edge();
			break;
		case 7:	/* zombies where none can be, with any status */
			t[k].flags ^= rnd_below(4) ? 1 : rnd_edge();
			t[k].exit_code = rnd_below(2) ? rnd_below(0x10000) : rnd_edge();
			break;
		case 8:	/* two tasks swapped */
			n = rnd_below(n);
			if (n != k) {
				struct cr_tree_task x = t[k];

				t[k] = t[n];
				t[n] = x;
			}
			break;
		case 9:	/* a pid namespace's tree, or pids there */
			if (rnd_below(2))
				r->flags ^= rnd_below(4) ? 1 : rnd_edge();
			t[k].nspid = rnd_below(2) ? t[rnd_below(n)].nspid : rnd_below(4);
			break;
		default:
			t[k].pgrp = k;
			t[k].session = k;
		}
		break;
	}
	case M_INOTIFY: {
		/* an inotify file's counts, a watch, or a queued event */
		int idx[MAX_RECS], n = 0, k;
		struct cr_inotify_event *ev;
		struct cr_file_inotify *in;
		struct cr_rec_inotify *w;
		struct cr_rec_file f;
		char *fp;

		for (k = 0; k < im->nr; k++) {
			fp = im->buf + im->rec[k].off + sizeof(struct cr_hdr);
			memcpy(&f, fp, sizeof(f));
			if (im->rec[k].h.type == CR_REC_INOTIFY ||
			    (im->rec[k].h.type == CR_REC_FILE && f.kind == CR_FILE_INOTIFY &&
			     im->rec[k].h.len == sizeof(f) + sizeof(*in)))
				idx[n++] = k;
		}
		if (!n)
			break;
		j = idx[rnd_below(n)];
		fp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		if (im->rec[j].h.type == CR_REC_INOTIFY) {
			w = (void *)fp;
			snprintf(what, wlen, "inotify record %d at %zu", j, im->rec[j].off);
			switch (rnd_below(4)) {
			case 0:
				w->wd = rnd_below(2) ? w->wd + rnd_below(3) - 1 : (int)rnd_edge();
				break;
			case 1:
				w->mask ^= rnd_below(2) ? 1U << rnd_below(32) : rnd_edge();
				break;
			case 2:
				w->objref = rnd_below(2) ? w->objref - 1 : rnd_edge();
				break;
			default:
				w->path_len = rnd_below(2) ? w->path_len - 1 : rnd_edge();
			}
			break;
		}
		in = (void *)(fp + sizeof(f));
		snprintf(what, wlen, "inotify file record %d at %zu", j, im->rec[j].off);
		/* its first event, in the file data record right after */
		ev = NULL;
		if (j + 1 < im->nr && im->rec[j + 1].h.type == CR_REC_FILE_DATA &&
		    im->rec[j + 1].h.len >= sizeof(struct cr_rec_file_data) + sizeof(*ev))
			ev = (void *)(im->buf + im->rec[j + 1].off + sizeof(struct cr_hdr) +
				      sizeof(struct cr_rec_file_data));
		switch (rnd_below(ev ? 6 : 3)) {
		case 0:
			in->nr_watches = rnd_below(2) ? in->nr_watches + rnd_below(3) - 1 :
				rnd_edge();
			break;
		case 1:
			in->next_wd = rnd_below(2) ? -1 : (int)rnd_edge();
			break;
		case 2:
			in->events_len = rnd_below(2) ? in->events_len + rnd_below(33) - 16 :
				rnd_edge();
			break;
		case 3:
			ev->len = rnd_below(2) ? ev->len + 16 : rnd_edge();
			break;
		case 4:
			ev->mask = rnd_below(2) ? 1U << rnd_below(32) : rnd_edge();
			break;
		default:
			ev->wd = rnd_below(2) ? -1 : (int)rnd_edge();
		}
		break;
	}
	case M_MQUEUE: {
		/* a message queue's attributes, counts, mode or name, or a message's head */
		int idx[MAX_RECS], n = 0, k;
		struct cr_file_mqueue *q;
		struct cr_mq_msg *msg;
		struct cr_rec_file *f;
		char *fp, *name;

		for (k = 0; k < im->nr; k++) {
			f = (void *)(im->buf + im->rec[k].off + sizeof(struct cr_hdr));
			if (im->rec[k].h.type == CR_REC_FILE && f->kind == CR_FILE_MQUEUE &&
			    im->rec[k].h.len == sizeof(*f) + sizeof(*q) + f->path_len)
				idx[n++] = k;
		}
		if (!n)
			break;
		j = idx[rnd_below(n)];
		fp = im->buf + im->rec[j].off + sizeof(struct cr_hdr);
		f = (void *)fp;
		q = (void *)(f + 1);
		name = (char *)(q + 1);
		snprintf(what, wlen, "message queue record %d at %zu", j, im->rec[j].off);
		/* its first message, in the file data record right after */
		msg = NULL;
		if (j + 1 < im->nr && im->rec[j + 1].h.type == CR_REC_FILE_DATA &&
		    im->rec[j + 1].h.len >= sizeof(struct cr_rec_file_data) + sizeof(*msg))
			msg = (void *)(im->buf + im->rec[j + 1].off + sizeof(struct cr_hdr) +
				       sizeof(struct cr_rec_file_data));
		switch (rnd_below(msg ? 9 : 7)) {
		case 0:
			q->maxmsg = rnd_below(2) ? rnd_below(q->nr_msgs + 1) : rnd_edge();
			break;
		case 6:
			/* its notification: how, whose, which signal */
			if (rnd_below(2))
				q->notify = rnd_below(2) ? rnd_below(4) : rnd_edge();
			else if (rnd_below(2))
				q->notify_task = rnd_below(2) ? rnd_below(4) : rnd_edge();
			else
				q->notify_signo = rnd_below(2) ? rnd_below(66) : rnd_edge();
			break;
		case 1:
			q->msgsize = rnd_below(2) ? rnd_below(8) : rnd_edge();
			break;
		case 2:
			q->nr_msgs = rnd_below(2) ? q->nr_msgs + rnd_below(3) - 1 : rnd_edge();
			break;
		case 3:
			q->msgs_len = rnd_below(2) ? q->msgs_len + rnd_below(17) - 8 : rnd_edge();
			break;
		case 4:
			if (rnd_below(2))
				f->mode ^= 1U << rnd_below(16);
			else
				f->flags ^= 1U << rnd_below(32);
			break;
		case 5:
			name[rnd_below(f->path_len)] = rnd_below(2) ? '/' : rnd_below(256);
			break;
		case 7:
			msg->prio = rnd_below(2) ? 32768 : rnd_edge();
			break;
		default:
			msg->len = rnd_below(2) ? msg->len + rnd_below(17) - 8 : rnd_edge();
		}
		break;
	}
	case M_SEM_UNDO: {
		/* a semaphore set's id, key, mode or size, or a semaphore's value or adjustment */
		struct cr_rec_sem_undo *r;
		struct cr_sem *sem;

		j = pick_type(im, CR_REC_SEM_UNDO);
		if (j < 0)
			break;
		r = (void *)(im->buf + im->rec[j].off + sizeof(struct cr_hdr));
		sem = (void *)(r + 1);
		snprintf(what, wlen, "sem undo record %d at %zu", j, im->rec[j].off);
		switch (rnd_below(6)) {
		case 0:
			r->id = rnd_below(2) ? r->id + rnd_below(3) - 1 : (int)rnd_edge();
			break;
		case 1:
			r->key = rnd_below(2) ? 0 : (int)rnd_edge();
			break;
		case 2:
			r->mode = rnd_below(2) ? r->mode ^ 1U << rnd_below(12) : rnd_edge();
			break;
		case 3:
			r->nsems = rnd_below(2) ? r->nsems + rnd_below(3) - 1 : rnd_edge();
			break;
		case 4:
			sem[rnd_below(2)].val = rnd_below(2) ? 32768 + rnd_below(2) : rnd_edge();
			break;
		default:
			sem[rnd_below(2)].adj = rnd_below(2) ? -32768 + rnd_below(3) : rnd_edge();
		}
		break;
	}
	case M_MSG_QUEUE: {
		/* a SysV message queue's id, key, mode, owner, size or count, or a message's */
		struct cr_rec_msg_queue *r;
		struct cr_msg *msg;

		if (rnd_below(3) == 0) {
			mutate_sem_set(im, what, wlen);
			break;
		}
		j = pick_type(im, CR_REC_MSG_QUEUE);
		if (j < 0)
			break;
		r = (void *)(im->buf + im->rec[j].off + sizeof(struct cr_hdr));
		msg = (void *)(r + 1);
		snprintf(what, wlen, "msg queue record %d at %zu", j, im->rec[j].off);
		switch (rnd_below(8)) {
		case 0:
			r->id = rnd_below(2) ? r->id + rnd_below(3) - 1 : (int)rnd_edge();
			break;
		case 1:
			r->key = rnd_below(2) ? 0 : (int)rnd_edge();
			break;
		case 2:
			r->mode = rnd_below(2) ? r->mode ^ 1U << rnd_below(12) : rnd_edge();
			break;
		case 3:
			if (rnd_below(2))
				r->uid = rnd_edge();
			else
				r->gid = rnd_edge();
			break;
		case 4:
			r->nr_msgs = rnd_below(2) ? r->nr_msgs + rnd_below(3) - 1 : rnd_edge();
			break;
		case 5:
			r->qbytes = rnd_below(2) ? r->qbytes + rnd_below(3) - 1 : rnd_edge();
			break;
		case 6:
			msg->type = rnd_below(2) ? rnd_below(2) - 1 : (long long)rnd_edge();
			break;
		default:
			msg->len = rnd_below(2) ? msg->len + rnd_below(17) - 8 : rnd_edge();
		}
		break;
	}
	case M_NR:
		break;
	}
	return what;
}

static int taint(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return atoi(buf);
}

/* The system call a task is blocked in, or -1 if it is running. */
static long in_syscall(pid_t pid)
{
	char path[64], buf[64] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return buf[0] >= '0' && buf[0] <= '9' ? atol(buf) : -1;
}

static volatile unsigned long canary = 0x5a5a5a5a12345678UL;

/*
 * Restart @img in a child.  The outcome, or -1 for a failure (described
 * in @why): a caller damaged by a restart that returned, a restart that
 * does not end.
 */
/*
 * The caller of a tree restart, a child subreaper: end every process the
 * restart left to it, within @ms; then its own.
 */
static void end_descendants(int ms)
{
	char path[300], buf[512], *p;
	int status, found;
	DIR *d;
	struct dirent *e;

	for (; ms > 0; ms -= 10) {
		while (waitpid(-1, &status, WNOHANG | __WALL) > 0)
			;
		if (waitpid(-1, &status, WNOHANG | __WALL) < 0 && errno == ECHILD)
			return;
		usleep(10000);
	}
	/* still running: killed, by the children /proc lists */
	do {
		found = 0;
		d = opendir("/proc");
		while (d && (e = readdir(d))) {
			ssize_t n;
			int fd;

			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0)
				continue;
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && atoi(p + 4) == getpid()) {
				kill(atoi(e->d_name), SIGKILL);
				found++;
			}
		}
		if (d)
			closedir(d);
		while (waitpid(-1, &status, __WALL) > 0)
			;
	} while (found);
}

/*
 * Remove every semaphore set: a mutated record may have made one with
 * another key or id, which would stand in the way of the cases after it.
 */
static void remove_sem(void)
{
	struct seminfo info;
	struct semid_ds ds;
	int max, i, id;

	max = semctl(0, 0, SEM_INFO, &info);
	for (i = 0; i <= max; i++) {
		id = semctl(i, 0, SEM_STAT, &ds);
		if (id >= 0)
			semctl(id, 0, IPC_RMID);
	}
}

static int run_case(int fd, const struct image *im, char *why, size_t wlen)
{
	struct pollfd pfd;
	int status, pidfd, n;
	pid_t pid;

	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) || cr_write_all(fd, im->buf, im->len) ||
	    lseek(fd, 0, SEEK_SET))
		return snprintf(why, wlen, "cannot write the image"), -1;
	/* the rich image's message queue and semaphore set are made again each time */
	mq_unlink(MQ_NAME);
	remove_sem();
	pid = fork();
	if (pid < 0)
		return snprintf(why, wlen, "fork"), -1;
	if (!pid) {
		volatile char stack[64];
		long r;
		int e;

		memset((char *)stack, 0x3c, sizeof(stack));
		if (im->tree) {
			prctl(PR_SET_CHILD_SUBREAPER, 1);
			r = sys_restart(0, fd, CR_RESTART_CHILD | CR_RESTART_NEW_PIDS |
					CR_RESTART_IPCNS);
			e = errno;
			if (r > 0) {
				/* a tree runs: the restored tasks end by themselves */
				end_descendants(RAN_S * 1000 - 500);
				_exit(97);
			}
		} else {
			r = sys_restart(0, fd, 0);
			e = errno;
		}
		/* returned: the caller must be as it was */
		if (r != -1 || canary != 0x5a5a5a5a12345678UL || stack[0] != 0x3c ||
		    stack[63] != 0x3c || fcntl(fd, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0)
			_exit(99);
		_exit(e > 0 && e < 155 ? 100 + e : 98);
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	n = poll(&pfd, 1, RAN_S * 1000);
	if (n == 0) {
		/* still in restart(2) after HANG_S: a hang; else it runs on: stop it */
		long nr = in_syscall(pid);

		if (nr == __NR_restart)
			n = poll(&pfd, 1, (HANG_S - RAN_S) * 1000);
		if (n == 0 && in_syscall(pid) == __NR_restart) {
			snprintf(why, wlen, "restart(2) still running after %d s", HANG_S);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(pidfd);
			return -1;
		}
		kill(pid, SIGKILL);
	}
	close(pidfd);
	if (waitpid(pid, &status, 0) != pid)
		return snprintf(why, wlen, "waitpid"), -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 97)
		return O_RAN;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 100)
		return O_ERRNO | (WEXITSTATUS(status) - 100) << 8;
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 99 || WEXITSTATUS(status) == 98))
		return snprintf(why, wlen, "restart returned and the caller is damaged (%d)",
				WEXITSTATUS(status)), -1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && n != 0)
		return O_KILLED;
	return O_RAN;
}

/* --- the images ---------------------------------------------------------- */

static void on_usr1(int sig)
{
}

/* POSIX timers: every clock; one has its signal pending (blocked). */
static int rich_timers(void)
{
	static const clockid_t clocks[] = {
		CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI,
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
	};
	struct itimerspec later = { { 1000, 0 }, { 1000, 0 } };
	struct itimerspec soon = { { 1000, 0 }, { 0, 1000 } };
	struct timespec ms = { 0, 1000 * 1000 };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL };
	unsigned int i;
	sigset_t set;
	int id;

	for (i = 0; i < ARRAY_SIZE(clocks); i++) {
		sev.sigev_signo = SIGRTMIN + i;
		sev.sigev_value.sival_int = i;
		if (syscall(SYS_timer_create, clocks[i], &sev, &id) ||
		    syscall(SYS_timer_settime, id, 0, &later, NULL))
			return -1;
	}
	sev.sigev_notify = SIGEV_NONE;
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) ||
	    syscall(SYS_timer_settime, id, 0, &later, NULL))
		return -1;
	/* expires at once, its signal blocked: pending, the timer waiting for it */
	sigemptyset(&set);
	sigaddset(&set, SIGRTMAX);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGRTMAX;
	sev._sigev_un._tid = gettid();
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) ||
	    syscall(SYS_timer_settime, id, 0, &soon, NULL))
		return -1;
	nanosleep(&ms, NULL);
	return 0;
}

/*
 * Event files: an eventfd, a signalfd, a timer that fired and one armed,
 * an epoll file watching two of them, an inotify file with two watches and
 * events queued, a sealed memfd and a deleted file,
 * and mappings of a memfd (shared, its fd closed) and of the deleted file
 * (private, a page written).
 */
static int rich_events(void)
{
	struct itimerspec later = { { 1, 0 }, { 1000, 0 } };
	struct itimerspec now = { { 0, 0 }, { 0, 1000 } };
	struct timespec ms = { 0, 1000 * 1000 };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 7 };
	struct mq_attr mq = { .mq_maxmsg = 4, .mq_msgsize = 32 };
	struct sigevent mq_sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	sigset_t set;
	int t1, t2, e, ep, m;
	char *p;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	t1 = timerfd_create(CLOCK_MONOTONIC, 0);
	t2 = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	e = eventfd(7, EFD_SEMAPHORE);
	ep = epoll_create1(0);
	if (e < 0 || signalfd(-1, &set, 0) < 0 || t1 < 0 || t2 < 0 || ep < 0 ||
	    timerfd_settime(t1, 0, &now, NULL) || timerfd_settime(t2, 0, &later, NULL) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) || epoll_ctl(ep, EPOLL_CTL_ADD, t1, &ev))
		return -1;
	/* a memfd with a hole between its bytes, sealed; a deleted file */
	m = memfd_create("rich", MFD_ALLOW_SEALING);
	if (m < 0 || pwrite(m, "memfd", 5, 0) != 5 || pwrite(m, "tail", 4, 300000) != 4 ||
	    fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK))
		return -1;
	m = open("/tmp/cr-fuzz-deleted", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (m < 0 || write(m, "deleted", 7) != 7 || unlink("/tmp/cr-fuzz-deleted"))
		return -1;
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, m, 0);
	if (p == MAP_FAILED)
		return -1;
	p[1] = 'E';
	/* an inotify file: two watches, events queued with names */
	m = inotify_init1(IN_NONBLOCK);
	mkdir("/tmp/cr-fuzz-ino", 0700);
	if (m < 0 || inotify_add_watch(m, "/tmp/cr-fuzz-ino", IN_CREATE | IN_DELETE) != 1 ||
	    inotify_add_watch(m, "/tmp", IN_ATTRIB | IN_ONESHOT) != 2 ||
	    mkdir("/tmp/cr-fuzz-ino/x", 0700) || rmdir("/tmp/cr-fuzz-ino/x"))
		return -1;
	/* a message queue: messages of two priorities, one of them empty */
	mq_unlink(MQ_NAME);
	m = mq_open(MQ_NAME, O_RDWR | O_CREAT, 0600, &mq);
	if (m < 0 || mq_send(m, "low", 3, 1) || mq_send(m, "", 0, 5) || mq_send(m, "high", 4, 5) ||
	    mq_notify(m, &mq_sev))
		return -1;
	m = memfd_create("rich-mapped", 0);
	if (m < 0 || ftruncate(m, 8192))
		return -1;
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
	if (p == MAP_FAILED || close(m))
		return -1;
	p[4096] = 'M';
	nanosleep(&ms, NULL);
	return 0;
}

/*
 * Unix sockets: a stream pair with bytes both ways (credentials on one
 * side), a datagram pair with credentials (both ends autobound), a
 * seqpacket pair, an end whose peer is gone, a listening socket and a
 * client it accepted (both ends); a TCP
 * listener, a TCP connection to it, a connected UDP socket and a bound
 * one with datagrams queued, on the loopback.
 */
static int rich_sockets(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sockaddr_in in = { .sin_family = AF_INET };
	int s[2], d[2], q[2], o[2], l, u, ub, uc, ua, tc, ta, one = 1;
	socklen_t len;

	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "cr-fuzz-%d", getpid());
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) || socketpair(AF_UNIX, SOCK_DGRAM, 0, d) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, q) || socketpair(AF_UNIX, SOCK_STREAM, 0, o) ||
	    l < 0 || bind(l, (void *)&sa, len) || listen(l, 3))
		return -1;
	if (setsockopt(s[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) ||
	    setsockopt(d[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		return -1;
	if (write(s[1], "to s0", 5) != 5 || write(s[0], "to s1", 5) != 5 ||
	    send(d[1], "d", 1, 0) != 1 || send(d[1], "", 0, 0) != 0 ||
	    send(d[0], "back", 4, 0) != 4 || send(q[0], "q", 1, 0) != 1 ||
	    write(o[1], "gone", 4) != 4 || close(o[1]) || shutdown(q[1], SHUT_WR))
		return -1;
	/* a client of the unix listener, accepted, bytes both ways */
	uc = socket(AF_UNIX, SOCK_STREAM, 0);
	if (uc < 0 || connect(uc, (void *)&sa, len))
		return -1;
	ua = accept(l, NULL, NULL);
	if (ua < 0 || write(uc, "to ua", 5) != 5 || write(ua, "to uc", 5) != 5)
		return -1;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof(in);
	l = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	/* SO_REUSEADDR: each restart binds its port again, past TIME_WAIT */
	if (l < 0 || u < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (void *)&in, sizeof(in)) || listen(l, 2) ||
	    getsockname(l, (void *)&in, &len) || connect(u, (void *)&in, sizeof(in)))
		return -1;
	/* a bound UDP socket with two datagrams from itself queued */
	in.sin_port = 0;
	len = sizeof(in);
	ub = socket(AF_INET, SOCK_DGRAM, 0);
	if (ub < 0 || bind(ub, (void *)&in, sizeof(in)) || getsockname(ub, (void *)&in, &len) ||
	    sendto(ub, "udp", 3, 0, (void *)&in, len) != 3 ||
	    sendto(ub, "", 0, 0, (void *)&in, len) != 0)
		return -1;
	len = sizeof(in);
	if (getsockname(l, (void *)&in, &len))
		return -1;
	/* a TCP connection to itself, bytes unread on one side */
	tc = socket(AF_INET, SOCK_STREAM, 0);
	if (tc < 0 || connect(tc, (void *)&in, sizeof(in)))
		return -1;
	ta = accept(l, NULL, NULL);
	if (ta < 0 || write(tc, "tcp bytes", 9) != 9)
		return -1;
	return 0;
}

/* Self image of a process holding a bit of everything. */
/* Semaphores held with SEM_UNDO: a sem_undo record; each restart makes the set again. */
static int rich_sem(void)
{
	unsigned short vals[2] = { 3, 1 };
	struct sembuf ops[2] = {
		{ .sem_num = 0, .sem_op = -2, .sem_flg = SEM_UNDO },
		{ .sem_num = 1, .sem_op = 1, .sem_flg = SEM_UNDO },
	};
	int id;

	remove_sem();
	id = semget(SEM_KEY, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0 || semctl(id, 0, SETALL, vals) || semop(id, ops, 2))
		return -1;
	return 0;
}

static int image_rich(void)
{
	int img = cr_tmpfile();
	pid_t pid;

	unlink(FIFO);
	if (mkfifo(FIFO, 0600))
		return -1;
	pid = fork();
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		struct itimerval it = { { 1000, 0 }, { 1000, 0 } };
		int fd, p[2], r, w, shm;
		sigset_t set;
		char *m;

		/* the image on fd 20, which checkpoint leaves out; nothing else */
		if (dup2(img, 20) != 20)
			_exit(1);
		close_range(3, 19, 0);
		close_range(21, ~0U, 0);
		fd = open(DATA, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 65536) || lseek(fd, 100, SEEK_SET) != 100)
			_exit(1);
		if (pipe(p) || write(p[1], "pipe data", 9) != 9)
			_exit(1);
		r = open(FIFO, O_RDONLY | O_NONBLOCK);
		w = open(FIFO, O_WRONLY);
		if (r < 0 || w < 0 || write(w, "fifo", 4) != 4)
			_exit(1);
		m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			_exit(1);
		m[0] = 1;
		m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 8192);
		if (m == MAP_FAILED)
			_exit(1);
		m[4096] = 2;
		m = mmap(NULL, 4096 * 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		memset(m, 3, 4096 * 8);
		/* a SysV segment, removed: each restart makes it again */
		shm = shmget(IPC_PRIVATE, 2 * 4096 + 5, IPC_CREAT | 0600);
		m = shm < 0 ? (void *)-1 : shmat(shm, NULL, 0);
		if (m == (void *)-1 || shmctl(shm, IPC_RMID, NULL))
			_exit(1);
		memset(m, 4, 4096);
		/* a semaphore set it holds with SEM_UNDO */
		if (rich_sem())
			_exit(1);
		sigaction(SIGUSR1, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGUSR2);
		setitimer(ITIMER_REAL, &it, NULL);
		if (rich_timers() || rich_events() || rich_sockets())
			_exit(1);
		if (sys_checkpoint(0, 20, 0) < 0)
			_exit(CR_CKPT_FAILED);
		_exit(CR_ORIG_OK);
	}
	return cr_wait(pid) == CR_ORIG_OK ? img : -1;
}

/*
 * Image of a stopped process inside pause(), a handled signal pending, and
 * a POSIX timer whose blocked signal is pending.
 */
static int image_stopped(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int img = cr_tmpfile(), status;
	pid_t pid;

	pid = fork();
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
		struct itimerspec its = { { 1000, 0 }, { 0, 10 * 1000 * 1000 } };
		sigset_t set;
		int id;

		closefrom(3);
		sigaction(SIGUSR1, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) ||
		    syscall(SYS_timer_settime, id, 0, &its, NULL))
			_exit(1);
		pause();
		_exit(CR_RESTART_OK);
	}
	nanosleep(&ts, NULL);
	if (kill(pid, SIGSTOP) || waitpid(pid, &status, WUNTRACED) != pid || kill(pid, SIGUSR1))
		return -1;
	if (sys_checkpoint(pid, img, 0) < 0)
		img = -1;
	kill(pid, SIGKILL);
	cr_wait(pid);
	return img;
}

static void *tree_thread(void *arg)
{
	struct timespec ts = { 0, 600 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	return NULL;
}

/*
 * Two SysV message queues, with a few messages, and a semaphore set, held
 * with SEM_UNDO, in the tree's IPC namespace.
 */
static int tree_queues(void)
{
	struct { long type; char text[64]; } m = { 1, "a message" };
	int a = msgget(0xc0def3, IPC_CREAT | 0640), b = msgget(IPC_PRIVATE, 0600), i;
	int set = semget(0xc0def4, 2, IPC_CREAT | 0600);
	struct sembuf op = { 1, 3, SEM_UNDO };

	if (a < 0 || b < 0 || set < 0 || semop(set, &op, 1))
		return -1;
	for (i = 0; i < 3; i++, m.type += 5)
		if (msgsnd(a, &m, 10 + i * 20, IPC_NOWAIT) || msgsnd(b, &m, i, IPC_NOWAIT))
			return -1;
	return 0;
}

/*
 * Image of a tree, frozen and killed: a root in nanosleep() with a zombie
 * child and a child that leads its own group, with a second thread, all
 * asleep, in an IPC namespace of their own with two SysV message queues.
 * Restarted, each ends by itself within a second.
 */
static int image_tree(void)
{
	struct timespec ts = { 0, 600 * 1000 * 1000 }, ready = { 0, 300 * 1000 * 1000 };
	int img = cr_tmpfile();
	pid_t root;

	root = fork();
	if (!root) {
		pthread_t th;
		pid_t c, z;

		closefrom(3);
		if (unshare(CLONE_NEWIPC) || tree_queues())
			_exit(1);
		z = fork();
		if (!z)
			_exit(3);
		c = fork();
		if (!c) {
			if (setpgid(0, 0) || pthread_create(&th, NULL, tree_thread, NULL))
				_exit(1);
			nanosleep(&ts, NULL);
			pthread_join(th, NULL);
			_exit(0);
		}
		nanosleep(&ts, NULL);
		while (wait(NULL) > 0)
			;
		_exit(CR_RESTART_OK);
	}
	nanosleep(&ready, NULL);
	if (sys_checkpoint(root, img, CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL) < 0)
		img = -1;
	cr_wait(root);
	return img;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* Mutate and restart @img @cases times from @seed; the number of failures. */
/* Write the image of a case of image @name to @dir/@name (CR_FUZZ_SAVE), to look at it. */
static void save_case(const char *dir, const char *name, const struct image *im)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0 && cr_write_all(fd, im->buf, im->len))
		perror(path);
	if (fd >= 0)
		close(fd);
}

static int fuzz_image(struct __test_metadata *_metadata, int img, const char *name,
		      unsigned long seed, unsigned long cases, bool tree)
{
	unsigned long count[M_NR][O_NR] = {}, errnos[256] = {}, c;
	struct image base = {}, im;
	int fd = cr_tmpfile(), failures = 0, t0 = taint(), m, o, e;
	char what[160], why[160];

	if (lseek(img, 0, SEEK_SET))
		return 1;
	base.buf = cr_read_all(img, &base.len);
	if (!base.buf || fd < 0)
		return 1;
	index_image(&base);
	if (base.nr < 3 || base.rec[base.nr - 1].h.type != CR_REC_TAIL)
		return 1;
	base.tree = tree;
	for (c = 0; c < cases; c++) {
		rng = (seed + c) * 0x9e3779b97f4a7c15ULL | 1;
		im = base;
		im.buf = malloc(base.len);
		memcpy(im.buf, base.buf, base.len);
		m = rnd_below(M_NR);
		mutate(&im, m, what, sizeof(what));
		/* mostly with checksums that match: the other checks are the target */
		if (rnd_below(8))
			cr_image_reseal(im.buf, im.len);
		else
			strncat(what, ", checksums as they were", sizeof(what) - strlen(what) - 1);
		o = run_case(fd, &im, why, sizeof(why));
		/* a case replayed alone: its image kept for crinspect */
		if (cases == 1 && getenv("CR_FUZZ_SAVE"))
			save_case(getenv("CR_FUZZ_SAVE"), name, &im);
		if (o >= 0 && taint() != t0) {
			snprintf(why, sizeof(why), "the kernel is tainted (%d): see the console",
				 taint());
			t0 = taint();
			o = -1;
		}
		if (o < 0) {
			TH_LOG("%s: seed %lu: %s: %s", name, seed + c, what, why);
			failures++;
		} else {
			count[m][o & 0xff]++;
			if ((o & 0xff) == O_ERRNO)
				errnos[o >> 8]++;
		}
		free(im.buf);
	}
	TH_LOG("%s: %lu cases from seed %lu, %d failures", name, cases, seed, failures);
	for (m = 0; m < M_NR; m++)
		TH_LOG("  %-14s errno %4lu  killed %4lu  ran %4lu", mut_name[m],
		       count[m][O_ERRNO], count[m][O_KILLED], count[m][O_RAN]);
	for (e = 0; e < 256; e++)
		if (errnos[e])
			TH_LOG("  errno %-16s %lu", strerrorname_np(e) ?: "?", errnos[e]);
	free(base.buf);
	close(fd);
	return failures;
}

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* an hour: `make fuzz` runs many more cases than `make test` */
TEST_F_TIMEOUT(fuzz, hostile_images, 3600)
{
	unsigned long cases = env_ul("CR_FUZZ_CASES", 1000);
	unsigned long seed = env_ul("CR_FUZZ_SEED", time(NULL) % 1000000 * 100000);
	int rich = image_rich(), stopped = image_stopped(), tree = image_tree();

	ASSERT_GE(rich, 0);
	ASSERT_GE(stopped, 0);
	ASSERT_GE(tree, 0);
	EXPECT_EQ(0, fuzz_image(_metadata, rich, "rich", seed, cases, false));
	EXPECT_EQ(0, fuzz_image(_metadata, stopped, "stopped", seed + cases, cases, false));
	/* a quarter as many: a tree that runs takes a second to end */
	EXPECT_EQ(0, fuzz_image(_metadata, tree, "tree", seed + 2 * cases, cases / 4 + 1, true));
	unlink(FIFO);
	unlink(DATA);
	remove_sem();
}

TEST_HARNESS_MAIN
