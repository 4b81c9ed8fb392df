/*
 * gen.c - deterministic test-data generator for aggr benchmarks.
 *
 *   bench/gen flows    N [SEED]
 *   bench/gen flows-late N [SEED]
 *   bench/gen counters N [SEED]
 *   bench/gen counters-late N [SEED]
 *   bench/gen sessions N [SEED]
 *   bench/gen sessions-late N [SEED]
 *   bench/gen stream   N [SEED]
 *
 * Writes N JSON lines to stdout.  Same kind, N and SEED (default 1) give
 * byte-identical output.  C11 + libc only (no libm): the Zipf weights are
 * computed with basic IEEE arithmetic only.
 *
 * Build: cc -O2 -ffp-contract=off -Wall -Wextra -Werror -o bench/gen bench/gen.c
 * (-ffp-contract=off: a fused multiply-add would change the Zipf tables,
 * and so the output, on a CPU that has one.)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* PRNG: xoshiro256** seeded through splitmix64                        */
/* ------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rng_s[4];

static void rng_seed(uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng_s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(void)
{
    uint64_t *s = rng_s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform integer in [0, n), n < 2^32 (Lemire multiply-shift; bias < 2^-32). */
static inline uint32_t rng_below(uint32_t n)
{
    return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* ------------------------------------------------------------------ */
/* Zipf-like sampler (exponent 1.1) over n items, ranks mapped through  */
/* a seeded permutation so the "hot" ids are scattered.                 */
/* ------------------------------------------------------------------ */

/* x^(1/10) for x >= 1 by Newton iteration from above (monotone). */
static double tenth_root(double x)
{
    double r = 1.0;
    while (r * r * r * r * r * r * r * r * r * r < x)
        r *= 2.0;
    for (int it = 0; it < 200; it++) {
        double r9 = r * r * r * r * r * r * r * r * r;
        double nr = (9.0 * r + x / r9) / 10.0;
        if (!(nr < r))
            break;
        r = nr;
    }
    return r;
}

#define ZIPF_GUIDE_BITS 12
#define ZIPF_GUIDE (1u << ZIPF_GUIDE_BITS)

typedef struct {
    uint32_t n;
    uint64_t *thr; /* thr[i]: pick rank i if r < thr[i] (cumulative) */
    uint32_t *id;  /* rank -> item id */
    uint32_t guide[ZIPF_GUIDE + 1]; /* search window per top-bits bucket */
} zipf_t;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    return p;
}

static void zipf_init(zipf_t *z, uint32_t n)
{
    double *w = xmalloc(n * sizeof *w);
    double sum = 0.0;
    for (uint32_t k = 1; k <= n; k++) {
        double kd = (double)k;
        w[k - 1] = 1.0 / (kd * tenth_root(kd)); /* k^-1.1 */
        sum += w[k - 1];
    }
    z->n = n;
    z->thr = xmalloc(n * sizeof *z->thr);
    z->id = xmalloc(n * sizeof *z->id);
    double acc = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        acc += w[i];
        double f = acc / sum * 18446744073709551616.0; /* * 2^64 */
        z->thr[i] = (f >= 18446744073709551615.0) ? UINT64_MAX : (uint64_t)f;
    }
    z->thr[n - 1] = UINT64_MAX;
    free(w);
    /* guide[b] = answer for the smallest r in bucket b; guide[b+1] bounds it. */
    uint32_t i = 0;
    for (uint32_t b = 0; b < ZIPF_GUIDE; b++) {
        uint64_t r0 = (uint64_t)b << (64 - ZIPF_GUIDE_BITS);
        while (i < n - 1 && !(r0 < z->thr[i]))
            i++;
        z->guide[b] = i;
    }
    z->guide[ZIPF_GUIDE] = n - 1;
    for (uint32_t k = 0; k < n; k++)
        z->id[k] = k;
    for (uint32_t k = n - 1; k > 0; k--) { /* Fisher-Yates */
        uint32_t j = rng_below(k + 1);
        uint32_t t = z->id[k];
        z->id[k] = z->id[j];
        z->id[j] = t;
    }
}

static inline uint32_t zipf_draw(const zipf_t *z)
{
    uint64_t r = rng_next();
    uint32_t b = (uint32_t)(r >> (64 - ZIPF_GUIDE_BITS));
    uint32_t lo = z->guide[b], hi = z->guide[b + 1]; /* first i with r < thr[i] */
    while (lo < hi) {
        uint32_t mid = (lo + hi) >> 1;
        if (r < z->thr[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return z->id[lo];
}

/* ------------------------------------------------------------------ */
/* Output buffer and formatting                                         */
/* ------------------------------------------------------------------ */

#define OUT_SIZE (4u << 20)
#define OUT_SLACK 1024u /* max bytes one record may add before a flush */

static char *out_buf;
static size_t out_pos;

static void out_flush(void)
{
    if (out_pos && fwrite(out_buf, 1, out_pos, stdout) != out_pos) {
        fprintf(stderr, "gen: write error: %s\n", strerror(errno));
        exit(1);
    }
    out_pos = 0;
}

static inline void out_maybe_flush(void)
{
    if (out_pos > OUT_SIZE - OUT_SLACK)
        out_flush();
}

static const char DIGITS2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
static const char HEX[] = "0123456789abcdef";

#define PUT_LIT(s)                                  \
    do {                                            \
        memcpy(out_buf + out_pos, s, sizeof(s) - 1); \
        out_pos += sizeof(s) - 1;                   \
    } while (0)

static inline void put_u64(uint64_t v)
{
    char tmp[20];
    char *e = tmp + sizeof tmp, *p = e;
    while (v >= 100) {
        uint32_t r = (uint32_t)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, DIGITS2 + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, DIGITS2 + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(e - p);
    memcpy(out_buf + out_pos, p, n);
    out_pos += n;
}

/* exactly 2 / 4 zero-padded digits */
static inline void put_2d(uint32_t v)
{
    memcpy(out_buf + out_pos, DIGITS2 + 2 * v, 2);
    out_pos += 2;
}

static inline void put_4d(uint32_t v)
{
    put_2d(v / 100);
    put_2d(v % 100);
}

static inline void put_hex(uint64_t v, int ndigits)
{
    char *p = out_buf + out_pos;
    for (int i = ndigits - 1; i >= 0; i--) {
        p[i] = HEX[v & 15];
        v >>= 4;
    }
    out_pos += (size_t)ndigits;
}

/* ------------------------------------------------------------------ */
/* flows                                                                */
/* ------------------------------------------------------------------ */

#define N_APPS 2000
#define N_VPCS 50
#define N_HOURS 240

/* late_pct percent of records (0 to 100) arrive up to max_back hours late:
 * their hour is 1 to max_back below the current one (not below 0). */
static void gen_flows_late(uint64_t n, unsigned late_pct, uint32_t max_back)
{
    zipf_t apps;
    zipf_init(&apps, N_APPS);
    /* every app lives in a home VPC; the record's vpc is the src app's. */
    static uint8_t home_vpc[N_APPS];
    for (uint32_t a = 0; a < N_APPS; a++)
        home_vpc[a] = (uint8_t)rng_below(N_VPCS);
    /* integer arithmetic: the same threshold from every compiler */
    const uint64_t late_thr = late_pct == 2 ? (uint64_t)(0.02 * 18446744073709551616.0)
                                            : UINT64_MAX / 100 * late_pct;

    for (uint64_t i = 0; i < n; i++) {
        uint32_t src = zipf_draw(&apps);
        uint32_t dst;
        do
            dst = zipf_draw(&apps);
        while (dst == src);
        uint64_t hour = i * N_HOURS / n;
        if (rng_next() < late_thr) {
            uint64_t back = 1 + rng_below(max_back);
            hour = hour > back ? hour - back : 0;
        }
        uint32_t tx = rng_below(1000001);
        uint32_t rx = rng_below(1000001);

        PUT_LIT("{\"src_app\":\"app-");
        put_4d(src);
        PUT_LIT("\",\"dest_app\":\"app-");
        put_4d(dst);
        PUT_LIT("\",\"vpc_id\":\"vpc-");
        put_2d(home_vpc[src]);
        PUT_LIT("\",\"hour\":");
        put_u64(hour);
        PUT_LIT(",\"bytes_tx\":");
        put_u64(tx);
        PUT_LIT(",\"bytes_rx\":");
        put_u64(rx);
        PUT_LIT("}\n");
        out_maybe_flush();
    }
}

/* the bench set: 2% of records up to 6 hours late */
static void gen_flows(uint64_t n)
{
    gen_flows_late(n, 2, 6);
}

/* the late-data set: 5% of records 1 to 3 hours late, as data that arrives
 * in the order it is collected, not the order it happened, often is */
static void gen_flows_late5(uint64_t n)
{
    gen_flows_late(n, 5, 3);
}

/* ------------------------------------------------------------------ */
/* counters                                                             */
/* ------------------------------------------------------------------ */

#define N_DOMAINS 10000
#define COUNTERS_T0 1700000000ULL
#define COUNTERS_SPAN (30ULL * 86400ULL)

/* 5% of records, the late-data sets' share (as flows-late) */
#define LATE_THR (UINT64_MAX / 100 * 5)

/* A time t seconds after t0 that arrives 1 to 3 hours late: t0 + t less
 * 3600 to 10800 seconds, not before t0. Draws from the generator only for
 * the late sets (late = 0 leaves the other sets' output as it was). */
static uint64_t late_secs(int late, uint64_t t0, uint64_t t)
{
    if (late && rng_next() < LATE_THR) {
        uint64_t back = 3600 + rng_below(2 * 3600 + 1);
        t = t > back ? t - back : 0;
    }
    return t0 + t;
}

static void gen_counters_late(uint64_t n, int late)
{
    zipf_t dom;
    zipf_init(&dom, N_DOMAINS);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t pick[5];
        uint32_t k = 1 + rng_below(5);
        for (uint32_t j = 0; j < k; j++) {
            uint32_t d;
            int dup;
            do {
                d = zipf_draw(&dom);
                dup = 0;
                for (uint32_t m = 0; m < j; m++)
                    if (pick[m] == d)
                        dup = 1;
            } while (dup);
            pick[j] = d;
        }
        PUT_LIT("{\"timestamp\":");
        put_u64(late_secs(late, COUNTERS_T0, i * COUNTERS_SPAN / n));
        for (uint32_t j = 0; j < k; j++) {
            PUT_LIT(",\"d");
            put_4d(pick[j]);
            PUT_LIT(".example.com\":");
            put_u64(1 + rng_below(100));
        }
        PUT_LIT("}\n");
        out_maybe_flush();
    }
}

static void gen_counters(uint64_t n)
{
    gen_counters_late(n, 0);
}

/* the late-data counters: 5% of records 1 to 3 hours late */
static void gen_counters_late5(uint64_t n)
{
    gen_counters_late(n, 1);
}

/* ------------------------------------------------------------------ */
/* sessions                                                             */
/* ------------------------------------------------------------------ */

static const char COUNTRIES[30][3] = {
    "DE", "US", "GB", "FR", "NL", "SE", "NO", "DK", "FI", "PL",
    "ES", "IT", "PT", "AT", "CH", "BE", "IE", "CZ", "JP", "KR",
    "CN", "IN", "BR", "MX", "CA", "AU", "NZ", "ZA", "SG", "IL",
};

#define SESS_MAX_DUR 7200u                      /* seconds */
#define SESS_SPAN (365ULL * 86400ULL - SESS_MAX_DUR - 1)

typedef struct {
    uint64_t end_t; /* seconds since 2023-01-01T00:00:00 */
    uint64_t seq;   /* session number: tie-break for determinism */
    uint64_t user;
    uint64_t uuid_hi, uuid_lo;
    uint8_t country;
} sess_t;

static sess_t *heap;
static size_t heap_n, heap_cap;

static int sess_less(const sess_t *a, const sess_t *b)
{
    return a->end_t < b->end_t || (a->end_t == b->end_t && a->seq < b->seq);
}

static void heap_push(const sess_t *s)
{
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 1024;
        sess_t *nh = realloc(heap, heap_cap * sizeof *heap);
        if (!nh) {
            fprintf(stderr, "gen: out of memory\n");
            exit(1);
        }
        heap = nh;
    }
    size_t i = heap_n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!sess_less(s, &heap[p]))
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = *s;
}

static sess_t heap_pop(void)
{
    sess_t top = heap[0];
    sess_t last = heap[--heap_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= heap_n)
            break;
        if (c + 1 < heap_n && sess_less(&heap[c + 1], &heap[c]))
            c++;
        if (!sess_less(&heap[c], &last))
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_n)
        heap[i] = last;
    return top;
}

static const uint16_t MONTH_START[13] = /* 2023 is not a leap year */
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

static void put_ts2023(uint64_t t)
{
    uint32_t day = (uint32_t)(t / 86400), sec = (uint32_t)(t % 86400);
    uint32_t m = 0;
    while (day >= MONTH_START[m + 1])
        m++;
    PUT_LIT("2023-");
    put_2d(m + 1);
    out_buf[out_pos++] = '-';
    put_2d(day - MONTH_START[m] + 1);
    out_buf[out_pos++] = 'T';
    put_2d(sec / 3600);
    out_buf[out_pos++] = ':';
    put_2d(sec / 60 % 60);
    out_buf[out_pos++] = ':';
    put_2d(sec % 60);
}

static void put_session(const sess_t *s, int is_start, uint64_t t, uint64_t user_key, int with_country)
{
    uint64_t h = user_key ^ (s->user * 0xD1B54A32D192ED03ULL);
    uint64_t u1 = splitmix64(&h), u2 = splitmix64(&h);
    PUT_LIT("{\"user_id\":\"");
    put_hex(u1, 16);
    put_hex(u2, 16);
    if (is_start)
        PUT_LIT("\",\"event\":\"start\",\"session_id\":\"");
    else
        PUT_LIT("\",\"event\":\"end\",\"session_id\":\"");
    /* uuid v4 layout: 8-4-4-4-12 */
    put_hex(s->uuid_hi >> 32, 8);
    out_buf[out_pos++] = '-';
    put_hex(s->uuid_hi >> 16, 4);
    out_buf[out_pos++] = '-';
    put_hex(0x4000 | (s->uuid_hi & 0x0fff), 4);
    out_buf[out_pos++] = '-';
    put_hex(0x8000 | ((s->uuid_lo >> 48) & 0x3fff), 4);
    out_buf[out_pos++] = '-';
    put_hex(s->uuid_lo, 12);
    PUT_LIT("\",\"ts\":\"");
    put_ts2023(t);
    if (with_country) {
        PUT_LIT("\",\"country\":\"");
        memcpy(out_buf + out_pos, COUNTRIES[s->country], 2);
        out_pos += 2;
    }
    PUT_LIT("\"}\n");
    out_maybe_flush();
}

/* late: 5% of events carry a ts 1 to 3 hours before their place in the
 * stream (as flows-late: late data keeps its own time) */
static void gen_sessions_late(uint64_t n, int late)
{
    uint64_t n_sess = (n + 1) / 2;
    uint64_t n_users = n / 10 ? n / 10 : 1;
    uint64_t user_key = rng_next();
    const uint64_t nocountry_thr = (uint64_t)(0.10 * 18446744073709551616.0);
    uint64_t emitted = 0, s = 0;

    while (emitted < n) {
        uint64_t start_t = s < n_sess ? s * SESS_SPAN / n_sess : UINT64_MAX;
        if (heap_n && heap[0].end_t <= start_t) {
            sess_t e = heap_pop();
            put_session(&e, 0, late_secs(late, 0, e.end_t), user_key, 1);
        } else {
            sess_t ns;
            ns.seq = s;
            /* multiply-shift, not doubles: same ids on every compiler */
            ns.user = (uint64_t)(((unsigned __int128)rng_next() * n_users) >> 64);
            ns.uuid_hi = rng_next();
            ns.uuid_lo = rng_next();
            ns.country = (uint8_t)rng_below(30);
            ns.end_t = start_t + 1 + rng_below(SESS_MAX_DUR);
            int with_country = rng_next() >= nocountry_thr;
            put_session(&ns, 1, late_secs(late, 0, start_t), user_key, with_country);
            heap_push(&ns);
            s++;
        }
        emitted++;
    }
    free(heap);
}

static void gen_sessions(uint64_t n)
{
    gen_sessions_late(n, 0);
}

static void gen_sessions_late5(uint64_t n)
{
    gen_sessions_late(n, 1);
}

/* ------------------------------------------------------------------ */
/* stream events (the shape of seed-data/003-event-streams/go-sibling/  */
/* input/receive_event.json)                                            */
/* ------------------------------------------------------------------ */

#define N_EVENT_NAMES 50
#define N_SYSTEMS 200
#define STREAM_T0 1504656000ULL /* 2017-09-06T00:00:00Z */
#define STREAM_SPAN (30ULL * 86400ULL)

static const char *const EVENT_WORDS[10] = {
    "Gdrive", "Dropbox", "Mail", "Backup", "Index",
    "Report", "Billing", "Audit", "Thumbnail", "Invoice",
};
static const char *const EVENT_VERBS[5] = {"Sync", "Upload", "Delete", "Scan", "Export"};
static const char *const CITIES[10] = {
    "Houston", "Berlin", "Lisbon", "Osaka", "Nairobi",
    "Toronto", "Santiago", "Mumbai", "Oslo", "Perth",
};
/* zones every tzdata has; a system's zone is fixed */
static const char *const ZONES[10] = {
    "America/Chicago", "Europe/Berlin", "Europe/Lisbon", "Asia/Tokyo", "Africa/Nairobi",
    "America/Toronto", "America/Santiago", "Asia/Kolkata", "Europe/Oslo", "Australia/Perth",
};
static const char *const TRIGGER_TYPES[3] = {"system", "user", "schedule"};

static void put_str(const char *s)
{
    size_t n = strlen(s);
    memcpy(out_buf + out_pos, s, n);
    out_pos += n;
}

/* "YYYY-MM-DD HH:MM:SS" of epoch seconds t (UTC; civil_from_days, H. Hinnant) */
static void put_datetime(uint64_t t)
{
    int64_t z = (int64_t)(t / 86400) + 719468;
    uint32_t sec = (uint32_t)(t % 86400);
    int64_t era = z / 146097;
    uint32_t doe = (uint32_t)(z - era * 146097);
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    uint32_t d = doy - (153 * mp + 2) / 5 + 1;
    uint32_t m = mp < 10 ? mp + 3 : mp - 9;
    uint32_t y = (uint32_t)(yoe + era * 400) + (m <= 2);
    put_4d(y);
    out_buf[out_pos++] = '-';
    put_2d(m);
    out_buf[out_pos++] = '-';
    put_2d(d);
    out_buf[out_pos++] = ' ';
    put_2d(sec / 3600);
    out_buf[out_pos++] = ':';
    put_2d(sec / 60 % 60);
    out_buf[out_pos++] = ':';
    put_2d(sec % 60);
}

static void gen_stream(uint64_t n)
{
    zipf_t names;
    zipf_init(&names, N_EVENT_NAMES);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t name = zipf_draw(&names);
        uint32_t sys = rng_below(N_SYSTEMS);
        uint32_t trig = rng_below(3);
        PUT_LIT("{\"event\":{\"name\":\"");
        put_str(EVENT_WORDS[name % 10]);
        put_str(EVENT_VERBS[name / 10]);
        PUT_LIT("\",\"version\":");
        put_u64(1 + name % 3);
        PUT_LIT("},\"system\":{\"id\":\"sys");
        put_4d(sys);
        PUT_LIT("\",\"name\":\"");
        put_str(CITIES[sys % 10]);
        PUT_LIT("\",\"time\":\"");
        put_datetime(STREAM_T0 + i * STREAM_SPAN / n);
        PUT_LIT("\",\"timezone\":\"");
        put_str(ZONES[sys % 10]);
        PUT_LIT("\"},\"trigger\":{\"type\":\"");
        put_str(TRIGGER_TYPES[trig]);
        PUT_LIT("\",\"name\":\"/path/to/script");
        put_2d(rng_below(100));
        PUT_LIT(".go\"},\"payload\":{\"seq\":");
        put_u64(i);
        PUT_LIT(",\"file\":\"/data/f");
        put_hex(rng_next(), 12);
        PUT_LIT("\",\"bytes\":");
        put_u64(rng_below(1u << 24));
        PUT_LIT("}}\n");
        out_maybe_flush();
    }
}

/* ------------------------------------------------------------------ */

static _Noreturn void usage(void)
{
    fprintf(stderr,
            "usage: gen flows|flows-late|counters|counters-late|sessions|sessions-late|stream N [SEED]\n"
            "  writes N JSON lines to stdout; SEED defaults to 1\n");
    exit(2);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n, seed = 1;
    if (argc < 3 || argc > 4)
        usage();
    if (parse_u64(argv[2], &n) || (argc == 4 && parse_u64(argv[3], &seed))) {
        fprintf(stderr, "gen: N and SEED must be non-negative integers\n");
        usage();
    }
    if (n > 1000000000000ULL) {
        fprintf(stderr, "gen: N too large (max 10^12)\n");
        return 2;
    }
    void (*fn)(uint64_t);
    if (!strcmp(argv[1], "flows"))
        fn = gen_flows;
    else if (!strcmp(argv[1], "flows-late"))
        fn = gen_flows_late5;
    else if (!strcmp(argv[1], "counters"))
        fn = gen_counters;
    else if (!strcmp(argv[1], "counters-late"))
        fn = gen_counters_late5;
    else if (!strcmp(argv[1], "sessions-late"))
        fn = gen_sessions_late5;
    else if (!strcmp(argv[1], "sessions"))
        fn = gen_sessions;
    else if (!strcmp(argv[1], "stream"))
        fn = gen_stream;
    else
        usage();

    rng_seed(seed);
    out_buf = xmalloc(OUT_SIZE);
    setvbuf(stdout, NULL, _IONBF, 0);
    fn(n);
    out_flush();
    if (fflush(stdout) != 0) {
        fprintf(stderr, "gen: write error: %s\n", strerror(errno));
        return 1;
    }
    free(out_buf);
    return 0;
}
