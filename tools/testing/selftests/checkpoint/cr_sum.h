/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr_sum - the checksum of cr images (XXH64, seed CR_SUM_SEED) in user
 * space, written from the algorithm's specification: a stream is summed
 * piece by piece, and the sum of what came so far can be taken at any
 * point, as restart(2) does before each record's header.
 */
#ifndef CR_SUM_H
#define CR_SUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CR_SUM_P1	0x9e3779b185ebca87ULL
#define CR_SUM_P2	0xc2b2ae3d27d4eb4fULL
#define CR_SUM_P3	0x165667b19e3779f9ULL
#define CR_SUM_P4	0x85ebca77c2b2ae63ULL
#define CR_SUM_P5	0x27d4eb2f165667c5ULL

/**
 * struct cr_sum - a running checksum
 * @v: the four lanes
 * @total: bytes summed
 * @buf: the bytes of an unfinished 32-byte stripe
 * @used: how many
 */
struct cr_sum {
	uint64_t v[4];
	uint64_t total;
	unsigned char buf[32];
	unsigned int used;
};

static inline uint64_t cr_sum_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t cr_sum_round(uint64_t acc, uint64_t in)
{
	return cr_sum_rotl(acc + in * CR_SUM_P2, 31) * CR_SUM_P1;
}

static inline uint64_t cr_sum_get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);	/* little endian, as x86_64 */
	return v;
}

static inline void cr_sum_reset(struct cr_sum *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->v[0] = seed + CR_SUM_P1 + CR_SUM_P2;
	s->v[1] = seed + CR_SUM_P2;
	s->v[2] = seed;
	s->v[3] = seed - CR_SUM_P1;
}

static inline void cr_sum_stripe(struct cr_sum *s, const unsigned char *p)
{
	int i;

	for (i = 0; i < 4; i++)
		s->v[i] = cr_sum_round(s->v[i], cr_sum_get64(p + 8 * i));
}

static inline void cr_sum_update(struct cr_sum *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;

	s->total += len;
	if (s->used) {
		n = 32 - s->used < len ? 32 - s->used : len;
		memcpy(s->buf + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used < 32)
			return;
		cr_sum_stripe(s, s->buf);
		s->used = 0;
	}
	for (; len >= 32; p += 32, len -= 32)
		cr_sum_stripe(s, p);
	memcpy(s->buf, p, len);
	s->used = len;
}

static inline uint64_t cr_sum_digest(const struct cr_sum *s)
{
	const unsigned char *p = s->buf, *end = s->buf + s->used;
	uint64_t h;
	int i;

	if (s->total >= 32) {
		h = cr_sum_rotl(s->v[0], 1) + cr_sum_rotl(s->v[1], 7) +
		    cr_sum_rotl(s->v[2], 12) + cr_sum_rotl(s->v[3], 18);
		for (i = 0; i < 4; i++)
			h = (h ^ cr_sum_round(0, s->v[i])) * CR_SUM_P1 + CR_SUM_P4;
	} else {
		h = s->v[2] + CR_SUM_P5;	/* the seed */
	}
	h += s->total;
	for (; p + 8 <= end; p += 8)
		h = cr_sum_rotl(h ^ cr_sum_round(0, cr_sum_get64(p)), 27) * CR_SUM_P1 + CR_SUM_P4;
	if (p + 4 <= end) {
		uint32_t w;

		memcpy(&w, p, 4);
		h = cr_sum_rotl(h ^ (w * CR_SUM_P1), 23) * CR_SUM_P2 + CR_SUM_P3;
		p += 4;
	}
	for (; p < end; p++)
		h = cr_sum_rotl(h ^ (*p * CR_SUM_P5), 11) * CR_SUM_P1;
	h ^= h >> 33;
	h *= CR_SUM_P2;
	h ^= h >> 29;
	h *= CR_SUM_P3;
	h ^= h >> 32;
	return h;
}

#endif
