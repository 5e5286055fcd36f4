/* IDX files (MNIST, Fashion-MNIST): a 4-byte magic number, the dimensions, the bytes. Read
 * through one byte source, raw or gunzipped with zlib, from a file or memory, so that every
 * check (short data, trailing bytes, a corrupt stream) is made once for all four. */
#define ZLIB_CONST /* zlib's next_in is then const: the memory source is the caller's */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "data/data_impl.h"

/* csv.c's escaping of text for a one-line message (control characters and bytes that are
 * not UTF-8 as \xHH): a path may hold anything. */
const char *clni_printable(const char *s, char *out, size_t cap);

enum {
    IDX_UBYTE = 0x08,
    IO_CHUNK = 1 << 16,            /* bytes read from a file at a time */
    FIRST_DATA_CHUNK = 1 << 20,    /* the data's first allocation; then doubling to its size */
    TRAILING_COUNTED = 1 << 20     /* trailing bytes counted before "more than" */
};

struct cln_idx {
    size_t rank;
    size_t dims[255]; /* RANK is one byte */
    size_t size;      /* bytes of data: the product of dims */
    size_t item_size; /* bytes of one item: the product of dims after the first */
    uint8_t *data;
};

/* ---- the byte source: a file or memory, raw or gzipped ---------------------------------- */

typedef struct source {
    char name[1024];            /* the file, as messages show it */
    FILE *file;                 /* NULL: memory */
    const unsigned char *mem;   /* memory not yet handed to z */
    size_t mem_left;
    unsigned char *buf;         /* IO_CHUNK bytes: the file's latest read */
    int gzip, z_open, member_done;
    z_stream z;                 /* next_in, avail_in: input not yet consumed, raw or gzipped */
} source;

static cln_status source_fail(const source *s, cln_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cln_status source_fail(const source *s, cln_status status, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return clni_fail(NULL, status, "%s: %s", s->name, what);
}

static cln_status oom(const source *s)
{
    return source_fail(s, CLN_ERR_OUT_OF_HOST_MEMORY, "out of host memory");
}

/* Makes z's input non-empty unless the source is exhausted (*eof). */
static cln_status fill_input(source *s, int *eof)
{
    if (s->z.avail_in == 0 && s->file) {
        size_t got = fread(s->buf, 1, IO_CHUNK, s->file);
        if (got == 0 && ferror(s->file))
            return source_fail(s, CLN_ERR_IO, "cannot read: %s", strerror(errno));
        s->z.next_in = s->buf;
        s->z.avail_in = (uInt)got;
    } else if (s->z.avail_in == 0) {
        size_t got = s->mem_left < UINT_MAX ? s->mem_left : UINT_MAX;
        s->z.next_in = s->mem;
        s->z.avail_in = (uInt)got;
        s->mem += got;
        s->mem_left -= got;
    }
    *eof = s->z.avail_in == 0;
    return CLN_SUCCESS;
}

/* Looks at the first bytes: gzip's 1f 8b starts an inflater, anything else is raw. */
static cln_status source_start(source *s)
{
    int eof;
    CLNI_CHECK(fill_input(s, &eof));
    s->gzip = s->z.avail_in >= 2 && s->z.next_in[0] == 0x1f && s->z.next_in[1] == 0x8b;
    if (!s->gzip)
        return CLN_SUCCESS;
    int zr = inflateInit2(&s->z, 15 + 16); /* 15: the largest window; +16: gzip only */
    if (zr != Z_OK)
        return zr == Z_MEM_ERROR ? oom(s)
                                 : source_fail(s, CLN_ERR_IO, "zlib: inflateInit2 failed (%d)", zr);
    s->z_open = 1;
    return CLN_SUCCESS;
}

static void source_close(source *s)
{
    if (s->z_open)
        inflateEnd(&s->z);
    if (s->file)
        fclose(s->file);
    free(s->buf);
}

/* After a gzip member's end: more input must be another member (gzip allows several). */
static cln_status next_member(source *s)
{
    if (s->z.next_in[0] != 0x1f || (s->z.avail_in >= 2 && s->z.next_in[1] != 0x8b))
        return source_fail(s, CLN_ERR_PARSE, "bytes after the end of the gzip stream that are "
                           "not another gzip member (trailing garbage)");
    if (inflateReset(&s->z) != Z_OK)
        return source_fail(s, CLN_ERR_PARSE, "corrupt gzip stream: cannot restart it");
    s->member_done = 0;
    return CLN_SUCCESS;
}

/* One inflate() call into dst[0, n), adding what it wrote to *got. */
static cln_status inflate_some(source *s, unsigned char *dst, size_t n, size_t *got, int eof)
{
    uInt room = n < UINT_MAX ? (uInt)n : UINT_MAX;
    s->z.next_out = dst;
    s->z.avail_out = room;
    int zr = inflate(&s->z, Z_NO_FLUSH);
    *got += room - s->z.avail_out;
    if (zr == Z_STREAM_END)
        s->member_done = 1;
    if (zr == Z_OK || zr == Z_STREAM_END)
        return CLN_SUCCESS;
    if (zr == Z_MEM_ERROR)
        return oom(s);
    if (zr == Z_BUF_ERROR && eof) /* no progress: it wants input that is not there */
        return source_fail(s, CLN_ERR_PARSE, "the gzip stream ends early: the file is "
                           "truncated");
    return source_fail(s, CLN_ERR_PARSE, "corrupt gzip stream: %s",
                       s->z.msg ? s->z.msg : zr == Z_NEED_DICT ? "it needs a dictionary"
                                                              : "no progress");
}

/* Up to n bytes of the content (decompressed) into dst; *got < n only at its end. */
static cln_status source_read(source *s, void *dst, size_t n, size_t *got)
{
    unsigned char *out = dst;
    *got = 0;
    while (*got < n) {
        int eof;
        CLNI_CHECK(fill_input(s, &eof));
        if (!s->gzip) {
            if (eof)
                break;
            size_t k = n - *got < s->z.avail_in ? n - *got : s->z.avail_in;
            memcpy(out + *got, s->z.next_in, k);
            s->z.next_in += k;
            s->z.avail_in -= (uInt)k;
            *got += k;
        } else if (s->member_done) {
            if (eof)
                break;
            CLNI_CHECK(next_member(s));
        } else {
            CLNI_CHECK(inflate_some(s, out + *got, n - *got, got, eof));
        }
    }
    return CLN_SUCCESS;
}

/* ---- the IDX format ------------------------------------------------------------------- */

void cln_idx_free(cln_idx *idx)
{
    if (!idx)
        return;
    free(idx->data);
    free(idx);
}

/* "60000 x 28 x 28" (cut short with "x ..." when long). */
static const char *describe_dims(const cln_idx *idx, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < idx->rank; k++) {
        if (used + 40 > cap) {
            snprintf(out + used, cap - used, " x ...");
            break;
        }
        used += (size_t)snprintf(out + used, cap - used, "%s%zu", k ? " x " : "", idx->dims[k]);
    }
    return out;
}

static const char *type_name(unsigned type)
{
    switch (type) {
    case 0x09: return "signed bytes";
    case 0x0b: return "16-bit integers";
    case 0x0c: return "32-bit integers";
    case 0x0d: return "32-bit floats";
    case 0x0e: return "64-bit floats";
    default: return NULL;
    }
}

/* 0x00 0x00 TYPE RANK, TYPE unsigned bytes and RANK at least 1. */
static cln_status check_magic(const source *s, const unsigned char m[4])
{
    unsigned long magic = (unsigned long)m[0] << 24 | (unsigned long)m[1] << 16 |
                          (unsigned long)m[2] << 8 | m[3];
    if (m[0] || m[1])
        return source_fail(s, CLN_ERR_PARSE, "not an IDX file: bad magic number 0x%08lx "
                           "(0x00000803 for images, 0x00000801 for labels)", magic);
    if (m[2] != IDX_UBYTE && type_name(m[2]))
        return source_fail(s, CLN_ERR_UNSUPPORTED, "magic number 0x%08lx: elements of type "
                           "0x%02x (%s); only unsigned bytes (0x08) are read", magic, m[2],
                           type_name(m[2]));
    if (m[2] != IDX_UBYTE)
        return source_fail(s, CLN_ERR_PARSE, "bad magic number 0x%08lx: unknown element type "
                           "0x%02x (IDX's are 0x08, 0x09 and 0x0b to 0x0e)", magic, m[2]);
    if (m[3] == 0)
        return source_fail(s, CLN_ERR_PARSE, "bad magic number 0x%08lx: no dimension", magic);
    return CLN_SUCCESS;
}

/* *product = v[0] x ... x v[n - 1] (1 for n = 0); returns 0 when that overflows size_t. */
static int checked_product(const size_t *v, size_t n, size_t *product)
{
    *product = 1;
    for (size_t k = 0; k < n; k++)
        if (v[k] == 0) {
            *product = 0; /* no element at all, however large the others */
            return 1;
        }
    for (size_t k = 0; k < n; k++) {
        if (*product > SIZE_MAX / v[k])
            return 0;
        *product *= v[k];
    }
    return 1;
}

/* The magic number and the dimensions; their products, overflow-checked. */
static cln_status read_header(source *s, cln_idx *idx)
{
    unsigned char magic[4], be[4 * 255];
    size_t got;
    CLNI_CHECK(source_read(s, magic, sizeof magic, &got));
    if (got < sizeof magic)
        return source_fail(s, CLN_ERR_PARSE, "short file: %zu bytes, fewer than the 4 of an "
                           "IDX magic number", got);
    CLNI_CHECK(check_magic(s, magic));
    idx->rank = magic[3];
    CLNI_CHECK(source_read(s, be, 4 * idx->rank, &got));
    if (got < 4 * idx->rank)
        return source_fail(s, CLN_ERR_PARSE, "short file: the header ends after %zu of the %zu "
                           "bytes of its %zu dimensions", got, 4 * idx->rank, idx->rank);
    for (size_t k = 0; k < idx->rank; k++) {
        const unsigned char *b = be + 4 * k;
        idx->dims[k] = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    }
    char dims[256];
    if (!checked_product(idx->dims + 1, idx->rank - 1, &idx->item_size) ||
        !checked_product(idx->dims, idx->rank, &idx->size))
        return source_fail(s, CLN_ERR_PARSE, "dimensions %s: more bytes than memory can "
                           "address (the product overflows)", describe_dims(idx, dims, sizeof dims));
    return CLN_SUCCESS;
}

/* The idx->size data bytes, the buffer growing with what arrives (not with what the header
 * claims, which a short file does not hold). */
static cln_status read_data(source *s, cln_idx *idx)
{
    size_t cap = idx->size < FIRST_DATA_CHUNK ? idx->size : FIRST_DATA_CHUNK, have = 0;
    idx->data = malloc(cap ? cap : 1);
    if (!idx->data)
        return oom(s);
    for (;;) {
        size_t got;
        CLNI_CHECK(source_read(s, idx->data + have, cap - have, &got));
        have += got;
        char dims[256];
        if (have < cap)
            return source_fail(s, CLN_ERR_PARSE, "short file: the data ends after %zu byte%s; "
                               "dimensions %s need %zu", have, have == 1 ? "" : "s",
                               describe_dims(idx, dims, sizeof dims), idx->size);
        if (cap == idx->size)
            return CLN_SUCCESS;
        cap = cap > idx->size / 2 ? idx->size : 2 * cap;
        uint8_t *grown = realloc(idx->data, cap);
        if (!grown)
            return oom(s);
        idx->data = grown;
    }
}

/* Nothing may follow the data; reading to the end also checks the gzip trailer (CRC). */
static cln_status check_end(source *s, const cln_idx *idx)
{
    unsigned char extra[4096];
    size_t trailing = 0, got;
    do {
        CLNI_CHECK(source_read(s, extra, sizeof extra, &got));
        trailing += got;
    } while (got == sizeof extra && trailing < TRAILING_COUNTED);
    if (trailing == 0)
        return CLN_SUCCESS;
    char dims[256];
    return source_fail(s, CLN_ERR_PARSE, "trailing bytes: %s%zu byte%s after the %zu of data "
                       "that dimensions %s take", trailing >= TRAILING_COUNTED ? "more than " : "",
                       trailing, trailing == 1 ? "" : "s", idx->size,
                       describe_dims(idx, dims, sizeof dims));
}

static cln_status idx_from_source(source *s, cln_idx **out)
{
    cln_idx *idx = calloc(1, sizeof *idx);
    cln_status st = idx ? CLN_SUCCESS : oom(s);
    if (st == CLN_SUCCESS)
        st = source_start(s);
    if (st == CLN_SUCCESS)
        st = read_header(s, idx);
    if (st == CLN_SUCCESS)
        st = read_data(s, idx);
    if (st == CLN_SUCCESS)
        st = check_end(s, idx);
    source_close(s);
    if (st != CLN_SUCCESS) {
        cln_idx_free(idx);
        return st;
    }
    *out = idx;
    return CLN_SUCCESS;
}

cln_status cln_idx_read(const char *path, cln_idx **out)
{
    const char *fn = "cln_idx_read";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    *out = NULL;
    CLNI_CHECK(clni_check_ptr(NULL, path, fn, "path"));
    source s;
    memset(&s, 0, sizeof s);
    clni_printable(path, s.name, sizeof s.name);
    s.file = fopen(path, "rb");
    if (!s.file)
        return clni_fail(NULL, CLN_ERR_IO, "cannot open %s: %s", s.name, strerror(errno));
    s.buf = malloc(IO_CHUNK);
    if (!s.buf) {
        source_close(&s);
        return oom(&s);
    }
    return idx_from_source(&s, out);
}

cln_status cln_idx_parse_buffer(const void *bytes, size_t len, const char *name, cln_idx **out)
{
    const char *fn = "cln_idx_parse_buffer";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    *out = NULL;
    if (!bytes && len)
        return clni_fail(NULL, CLN_ERR_BAD_ARGUMENT, "%s: bytes is NULL", fn);
    source s;
    memset(&s, 0, sizeof s);
    clni_printable(name ? name : "<buffer>", s.name, sizeof s.name);
    s.mem = bytes;
    s.mem_left = len;
    return idx_from_source(&s, out);
}

size_t cln_idx_rank(const cln_idx *idx) { return idx ? idx->rank : 0; }
size_t cln_idx_dim(const cln_idx *idx, size_t k) { return idx && k < idx->rank ? idx->dims[k] : 0; }
size_t cln_idx_count(const cln_idx *idx) { return idx ? idx->dims[0] : 0; }
size_t cln_idx_item_size(const cln_idx *idx) { return idx ? idx->item_size : 0; }
const uint8_t *cln_idx_data(const cln_idx *idx) { return idx ? idx->data : NULL; }

/* ---- images and labels ------------------------------------------------------------------ */

void cln_idx_pair_free(cln_idx_pair *pair)
{
    if (!pair)
        return;
    free(pair->X);
    free(pair->labels);
    memset(pair, 0, sizeof *pair);
}

/* N x rows x cols (or N x d) images and N labels. */
static cln_status check_pair_shapes(const cln_idx *images, const char *images_path,
                                    const cln_idx *labels, const char *labels_path)
{
    char ip[1024], lp[1024];
    clni_printable(images_path, ip, sizeof ip);
    clni_printable(labels_path, lp, sizeof lp);
    if (images->rank < 2)
        return clni_fail(NULL, CLN_ERR_PARSE, "%s: images need at least 2 dimensions (N x rows "
                         "x cols), this file has 1", ip);
    if (labels->rank != 1)
        return clni_fail(NULL, CLN_ERR_PARSE, "%s: labels need 1 dimension (N), this file has "
                         "%zu", lp, labels->rank);
    if (images->dims[0] != labels->dims[0])
        return clni_fail(NULL, CLN_ERR_PARSE, "the counts disagree: %s has %zu images, %s has "
                         "%zu labels", ip, images->dims[0], lp, labels->dims[0]);
    if (images->dims[0] == 0 || images->item_size == 0)
        return clni_fail(NULL, CLN_ERR_PARSE, "%s: %s", ip,
                         images->dims[0] == 0 ? "no image" : "images of 0 pixels");
    if (images->size > SIZE_MAX / sizeof(double))
        return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "%s: %zu pixels are too many doubles "
                         "to address", ip, images->size);
    return CLN_SUCCESS;
}

/* X = pixel / 255, the labels widened, num_classes = the largest label + 1. */
static cln_status fill_pair(const cln_idx *images, const cln_idx *labels, cln_idx_pair *out)
{
    size_t n = images->dims[0];
    out->X = malloc(images->size * sizeof *out->X);
    out->labels = malloc(n * sizeof *out->labels);
    if (!out->X || !out->labels)
        return clni_fail(NULL, CLN_ERR_OUT_OF_HOST_MEMORY, "cln_idx_load_pair: out of host "
                         "memory for %zu images", n);
    for (size_t i = 0; i < images->size; i++)
        out->X[i] = images->data[i] / 255.0;
    uint32_t top = 0;
    for (size_t i = 0; i < n; i++) {
        out->labels[i] = labels->data[i];
        if (out->labels[i] > top)
            top = out->labels[i];
    }
    out->num_rows = n;
    out->num_inputs = images->item_size;
    out->num_classes = (size_t)top + 1;
    return CLN_SUCCESS;
}

cln_status cln_idx_load_pair(const char *images_path, const char *labels_path,
                             cln_idx_pair *out)
{
    const char *fn = "cln_idx_load_pair";
    CLNI_CHECK(clni_check_ptr(NULL, out, fn, "out"));
    memset(out, 0, sizeof *out);
    CLNI_CHECK(clni_check_ptr(NULL, images_path, fn, "images_path"));
    CLNI_CHECK(clni_check_ptr(NULL, labels_path, fn, "labels_path"));
    cln_idx *images = NULL, *labels = NULL;
    cln_status st = cln_idx_read(images_path, &images);
    if (st == CLN_SUCCESS)
        st = cln_idx_read(labels_path, &labels);
    if (st == CLN_SUCCESS)
        st = check_pair_shapes(images, images_path, labels, labels_path);
    if (st == CLN_SUCCESS)
        st = fill_pair(images, labels, out);
    cln_idx_free(images);
    cln_idx_free(labels);
    if (st != CLN_SUCCESS)
        cln_idx_pair_free(out);
    return st;
}
