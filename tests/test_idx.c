/* IDX files as Fashion-MNIST ships them, written here (raw, and gzipped with zlib) into a
 * temporary folder and read back byte for byte; and every malformed file (a bad magic
 * number, a short file, trailing bytes, dimensions that overflow, a corrupt or truncated gzip
 * stream, images and labels that disagree) refused with a message that names the problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "test_util.h"

/* ---- files of our own ------------------------------------------------------------------ */

static char dir[64];          /* the temporary folder */
static char *made[128];        /* the files written into it, removed at the end */
static size_t num_made;

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/clnum-test-idx-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    for (size_t k = 0; k < num_made; k++) {
        remove(made[k]);
        free(made[k]);
    }
    return rmdir(dir);
}

/* Writes the bytes to dir/name; returns the path (owned by the folder's list). */
static const char *write_file(const char *name, const void *bytes, size_t len)
{
    assert_true(num_made < sizeof made / sizeof *made);
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(path);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    made[num_made++] = path;
    return path;
}

/* An IDX file of unsigned bytes: magic 0x0000 0x08 RANK, the dimensions big-endian, then
 * `len` data bytes (whatever the dimensions say, so that short and long files can be made). */
static unsigned char *idx_bytes(const uint32_t *dims, size_t rank, const unsigned char *data,
                                size_t len, size_t *size)
{
    *size = 4 + 4 * rank + len;
    unsigned char *b = malloc(*size), *p = b;
    assert_non_null(b);
    *p++ = 0;
    *p++ = 0;
    *p++ = 0x08;
    *p++ = (unsigned char)rank;
    for (size_t k = 0; k < rank; k++) {
        *p++ = (unsigned char)(dims[k] >> 24);
        *p++ = (unsigned char)(dims[k] >> 16);
        *p++ = (unsigned char)(dims[k] >> 8);
        *p++ = (unsigned char)dims[k];
    }
    if (len)
        memcpy(p, data, len);
    return b;
}

/* The bytes as one gzip member (zlib's deflate with a gzip wrapper). */
static unsigned char *gzip_bytes(const unsigned char *raw, size_t len, size_t *size)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)len) + 32;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    z.next_in = (Bytef *)raw;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *size = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* Writes an IDX file as name (raw) and name.gz. */
static void write_both(const char *name, const uint32_t *dims, size_t rank,
                       const unsigned char *data, size_t len, const char **raw_path,
                       const char **gz_path)
{
    size_t n, gn;
    unsigned char *raw = idx_bytes(dims, rank, data, len, &n);
    unsigned char *gz = gzip_bytes(raw, n, &gn);
    char gz_name[128];
    snprintf(gz_name, sizeof gz_name, "%s.gz", name);
    *raw_path = write_file(name, raw, n);
    *gz_path = write_file(gz_name, gz, gn);
    free(raw);
    free(gz);
}

/* 3 images of 2 x 4 pixels, every value different, 0 and 255 among them. */
static unsigned char pixels[24];
static const uint32_t image_dims[3] = {3, 2, 4};

static void fill_pixels(void)
{
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (unsigned char)(i * 11);
    pixels[5] = 255;
}

/* Reading must fail with `status` and a message holding both `needle` and `path`. */
static void read_fails(const char *path, cln_status status, const char *needle)
{
    cln_idx *idx = (cln_idx *)1;
    cln_status st = cln_idx_read(path, &idx);
    const char *msg = cln_last_error(NULL);
    if (st != status || !strstr(msg, needle) || !strstr(msg, path))
        TU_FAIL("reading %s: status %d, message \"%s\"; expected %d and \"%s\"", path, (int)st,
                msg, (int)status, needle);
    assert_null(idx);
}

/* As read_fails(), for bytes written to a file and then gzipped. */
static void raw_and_gz_fail(const char *name, const unsigned char *bytes, size_t len,
                            const char *needle)
{
    char gz_name[128];
    snprintf(gz_name, sizeof gz_name, "%s.gz", name);
    size_t gn;
    unsigned char *gz = gzip_bytes(bytes, len, &gn);
    read_fails(write_file(name, bytes, len), CLN_ERR_PARSE, needle);
    read_fails(write_file(gz_name, gz, gn), CLN_ERR_PARSE, needle);
    free(gz);
}

static void check_images(const cln_idx *idx)
{
    assert_int_equal(cln_idx_rank(idx), 3);
    assert_int_equal(cln_idx_dim(idx, 0), 3);
    assert_int_equal(cln_idx_dim(idx, 1), 2);
    assert_int_equal(cln_idx_dim(idx, 2), 4);
    assert_int_equal(cln_idx_dim(idx, 3), 0);
    assert_int_equal(cln_idx_count(idx), 3);
    assert_int_equal(cln_idx_item_size(idx), 8);
    assert_memory_equal(cln_idx_data(idx), pixels, sizeof pixels);
}

/* ---- the tests --------------------------------------------------------------------------- */

static void images_raw_and_gzipped(void **state)
{
    (void)state;
    fill_pixels();
    const char *raw, *gz;
    write_both("images-idx3-ubyte", image_dims, 3, pixels, sizeof pixels, &raw, &gz);
    const char *paths[2] = {raw, gz};
    for (int k = 0; k < 2; k++) {
        cln_idx *idx = NULL;
        TU_OK(NULL, cln_idx_read(paths[k], &idx));
        check_images(idx);
        cln_idx_free(idx);
    }
    /* the same bytes from memory */
    size_t n;
    unsigned char *bytes = idx_bytes(image_dims, 3, pixels, sizeof pixels, &n);
    cln_idx *idx = NULL;
    TU_OK(NULL, cln_idx_parse_buffer(bytes, n, "mem", &idx));
    check_images(idx);
    cln_idx_free(idx);
    free(bytes);
    /* no accessor reads through NULL */
    assert_int_equal(cln_idx_rank(NULL), 0);
    assert_int_equal(cln_idx_count(NULL), 0);
    assert_int_equal(cln_idx_item_size(NULL), 0);
    assert_null(cln_idx_data(NULL));
    cln_idx_free(NULL);
}

/* `cat a.gz b.gz` is one gzip file: both members are read, in order. */
static void several_gzip_members(void **state)
{
    (void)state;
    fill_pixels();
    size_t n, g1, g2;
    unsigned char *raw = idx_bytes(image_dims, 3, pixels, sizeof pixels, &n);
    unsigned char *a = gzip_bytes(raw, 10, &g1), *b = gzip_bytes(raw + 10, n - 10, &g2);
    unsigned char *both = malloc(g1 + g2);
    memcpy(both, a, g1);
    memcpy(both + g1, b, g2);
    cln_idx *idx = NULL;
    TU_OK(NULL, cln_idx_read(write_file("members.gz", both, g1 + g2), &idx));
    check_images(idx);
    cln_idx_free(idx);
    free(raw);
    free(a);
    free(b);
    free(both);
}

static void empty_dimensions(void **state)
{
    (void)state;
    const uint32_t dims[3] = {0, 28, 28};
    size_t n;
    unsigned char *bytes = idx_bytes(dims, 3, NULL, 0, &n);
    cln_idx *idx = NULL;
    TU_OK(NULL, cln_idx_read(write_file("empty-idx3", bytes, n), &idx));
    assert_int_equal(cln_idx_count(idx), 0);
    assert_int_equal(cln_idx_item_size(idx), 784);
    assert_non_null(cln_idx_data(idx));
    cln_idx_free(idx);
    free(bytes);
}

static void images_and_labels(void **state)
{
    (void)state;
    fill_pixels();
    const char *images, *images_gz, *labels, *labels_gz;
    write_both("pair-images", image_dims, 3, pixels, sizeof pixels, &images, &images_gz);
    const unsigned char classes[3] = {9, 0, 4};
    const uint32_t label_dims[1] = {3};
    write_both("pair-labels", label_dims, 1, classes, 3, &labels, &labels_gz);
    cln_idx_pair p;
    TU_OK(NULL, cln_idx_load_pair(images_gz, labels, &p));
    assert_int_equal(p.num_rows, 3);
    assert_int_equal(p.num_inputs, 8);
    assert_int_equal(p.num_classes, 10); /* the largest label + 1 */
    for (size_t i = 0; i < sizeof pixels; i++)
        if (p.X[i] != pixels[i] / 255.0)
            TU_FAIL("X[%zu] = %.17g, expected %d / 255", i, p.X[i], pixels[i]);
    assert_true(p.X[5] == 1.0 && p.X[0] == 0.0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(p.labels[i], classes[i]);
    cln_idx_pair_free(&p);
    assert_null(p.X);
    cln_idx_pair_free(NULL);

    const unsigned char small[3] = {1, 4, 2};
    const char *labels4, *labels4_gz;
    write_both("pair-labels-4", label_dims, 1, small, 3, &labels4, &labels4_gz);
    TU_OK(NULL, cln_idx_load_pair(images, labels4_gz, &p));
    assert_int_equal(p.num_classes, 5);
    assert_int_equal(p.labels[1], 4);
    cln_idx_pair_free(&p);
}

static void pairs_that_do_not_fit(void **state)
{
    (void)state;
    fill_pixels();
    const char *images, *images_gz, *labels, *labels_gz, *deep, *deep_gz;
    write_both("misfit-images", image_dims, 3, pixels, sizeof pixels, &images, &images_gz);
    const uint32_t two[1] = {2};
    const unsigned char classes[3] = {1, 2, 3};
    write_both("misfit-labels", two, 1, classes, 2, &labels, &labels_gz);
    cln_idx_pair p;
    TU_FAILS(NULL, CLN_ERR_PARSE, "the counts disagree", cln_idx_load_pair(images, labels_gz, &p));
    assert_non_null(strstr(cln_last_error(NULL), "has 3 images"));
    assert_non_null(strstr(cln_last_error(NULL), "has 2 labels"));
    assert_null(p.X);
    assert_null(p.labels);
    write_both("misfit-deep-labels", image_dims, 3, pixels, sizeof pixels, &deep, &deep_gz);
    TU_FAILS(NULL, CLN_ERR_PARSE, "labels need 1 dimension (N), this file has 3",
             cln_idx_load_pair(images, deep, &p));
    TU_FAILS(NULL, CLN_ERR_PARSE, "images need at least 2 dimensions",
             cln_idx_load_pair(labels, labels, &p));
    const uint32_t none[3] = {0, 2, 4}, zero[1] = {0};
    const char *no_images, *no_images_gz, *no_labels, *no_labels_gz;
    write_both("no-images", none, 3, NULL, 0, &no_images, &no_images_gz);
    write_both("no-labels", zero, 1, NULL, 0, &no_labels, &no_labels_gz);
    TU_FAILS(NULL, CLN_ERR_PARSE, "no image", cln_idx_load_pair(no_images, no_labels, &p));
    TU_FAILS(NULL, CLN_ERR_IO, "cannot open", cln_idx_load_pair(images, "/nonexistent/l", &p));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "labels_path is NULL", cln_idx_load_pair(images, NULL, &p));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "out is NULL", cln_idx_load_pair(images, labels, NULL));
}

static void bad_headers(void **state)
{
    (void)state;
    unsigned char m[16] = {0x12, 0x34, 0x08, 0x03};
    raw_and_gz_fail("bad-magic", m, sizeof m, "bad magic number 0x12340803");
    /* a text file is not an IDX file either */
    raw_and_gz_fail("text", (const unsigned char *)"label,x\n1,2\n", 12, "not an IDX file");
    unsigned char type[16] = {0, 0, 0x07, 1};
    raw_and_gz_fail("bad-type", type, sizeof type, "unknown element type 0x07");
    unsigned char no_dims[8] = {0, 0, 0x08, 0};
    raw_and_gz_fail("no-dims", no_dims, sizeof no_dims, "0x00000800: no dimension");
    /* a real IDX type this reader does not take */
    unsigned char floats[12] = {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0x80, 0x3f};
    read_fails(write_file("floats", floats, sizeof floats), CLN_ERR_UNSUPPORTED,
               "elements of type 0x0d (32-bit floats); only unsigned bytes (0x08)");
    raw_and_gz_fail("empty", (const unsigned char *)"", 0, "short file: 0 bytes");
    raw_and_gz_fail("three-bytes", (const unsigned char *)"\0\0\x08", 3, "short file: 3 bytes");
    const unsigned char cut[10] = {0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0};
    raw_and_gz_fail("cut-header", cut, sizeof cut,
                    "the header ends after 6 of the 12 bytes of its 3 dimensions");
}

static void data_of_the_wrong_length(void **state)
{
    (void)state;
    fill_pixels();
    size_t n;
    unsigned char *b = idx_bytes(image_dims, 3, pixels, sizeof pixels, &n);
    raw_and_gz_fail("short-data", b, n - 1,
                    "short file: the data ends after 23 bytes; dimensions 3 x 2 x 4 need 24");
    free(b);
    unsigned char longer[25];
    memcpy(longer, pixels, 24);
    longer[24] = 7;
    b = idx_bytes(image_dims, 3, longer, 25, &n);
    raw_and_gz_fail("trailing", b, n, "trailing bytes: 1 byte after the 24 of data that "
                    "dimensions 3 x 2 x 4 take");
    free(b);
    const uint32_t label_dims[1] = {3};
    b = idx_bytes(label_dims, 1, pixels, 13, &n);
    raw_and_gz_fail("trailing-labels", b, n, "trailing bytes: 10 bytes after the 3 of data");
    free(b);
}

/* Dimensions whose product overflows are refused before anything is allocated; large ones
 * that do not overflow are read only as far as the file goes (a short file, no huge buffer). */
static void huge_dimensions(void **state)
{
    (void)state;
    const uint32_t over[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    size_t n;
    unsigned char *b = idx_bytes(over, 3, pixels, 8, &n);
    raw_and_gz_fail("overflow", b, n, "dimensions 4294967295 x 4294967295 x 4294967295: more "
                    "bytes than memory can address (the product overflows)");
    free(b);
    const uint32_t items[2] = {2, 0xffffffffu}, wide[3] = {0xffffffffu, 0xffffffffu, 2};
    b = idx_bytes(wide, 3, pixels, 8, &n);
    raw_and_gz_fail("overflow-items", b, n, "the product overflows");
    free(b);
    const uint32_t large[3] = {0xffffffffu, 0xffffu, 1};
    b = idx_bytes(large, 3, pixels, 8, &n);
    raw_and_gz_fail("large", b, n, "short file: the data ends after 8 bytes; dimensions "
                    "4294967295 x 65535 x 1 need 281470681677825");
    free(b);
    b = idx_bytes(items, 2, pixels, 8, &n);
    raw_and_gz_fail("large-items", b, n, "need 8589934590");
    free(b);
}

static void corrupt_gzip(void **state)
{
    (void)state;
    fill_pixels();
    size_t n, gn;
    unsigned char *raw = idx_bytes(image_dims, 3, pixels, sizeof pixels, &n);
    unsigned char *gz = gzip_bytes(raw, n, &gn);
    unsigned char *bad = malloc(gn + 8);
    /* the deflate data: an invalid block type (3) in the first block header */
    memcpy(bad, gz, gn);
    bad[10] |= 0x06;
    read_fails(write_file("bad-block.gz", bad, gn), CLN_ERR_PARSE, "corrupt gzip stream");
    /* the trailer's CRC-32 */
    memcpy(bad, gz, gn);
    bad[gn - 8] ^= 0xff;
    read_fails(write_file("bad-crc.gz", bad, gn), CLN_ERR_PARSE,
               "corrupt gzip stream: incorrect data check");
    /* the trailer's length */
    memcpy(bad, gz, gn);
    bad[gn - 4] ^= 0x01;
    read_fails(write_file("bad-length.gz", bad, gn), CLN_ERR_PARSE,
               "corrupt gzip stream: incorrect length check");
    /* truncated: the data all there but the trailer cut, and cut in the middle */
    read_fails(write_file("cut-trailer.gz", gz, gn - 3), CLN_ERR_PARSE,
               "the gzip stream ends early");
    read_fails(write_file("cut-data.gz", gz, gn / 2), CLN_ERR_PARSE, "the gzip stream ends early");
    read_fails(write_file("cut-header.gz", gz, 5), CLN_ERR_PARSE, "the gzip stream ends early");
    /* garbage after the stream */
    memcpy(bad, gz, gn);
    memcpy(bad + gn, "garbage!", 8);
    read_fails(write_file("garbage.gz", bad, gn + 8), CLN_ERR_PARSE,
               "bytes after the end of the gzip stream that are not another gzip member");
    free(raw);
    free(gz);
    free(bad);
}

static void files_that_cannot_be_read(void **state)
{
    (void)state;
    read_fails("/nonexistent/train-images-idx3-ubyte.gz", CLN_ERR_IO,
               "cannot open /nonexistent/train-images-idx3-ubyte.gz: No such file or directory");
    read_fails(dir, CLN_ERR_IO, "cannot read: Is a directory");
    cln_idx *idx;
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "path is NULL", cln_idx_read(NULL, &idx));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "out is NULL", cln_idx_read("x", NULL));
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "bytes is NULL", cln_idx_parse_buffer(NULL, 1, NULL, &idx));
    /* a name that would break the message's line is escaped */
    char weird[128];
    snprintf(weird, sizeof weird, "%s/line\nbreak", dir);
    cln_status st = cln_idx_read(weird, &idx);
    assert_int_equal(st, CLN_ERR_IO);
    assert_non_null(strstr(cln_last_error(NULL), "line\\x0abreak"));
    assert_null(strchr(cln_last_error(NULL), '\n'));
    TU_FAILS(NULL, CLN_ERR_PARSE, "<buffer>: short file: 0 bytes",
             cln_idx_parse_buffer(NULL, 0, NULL, &idx));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(images_raw_and_gzipped),
        cmocka_unit_test(several_gzip_members),
        cmocka_unit_test(empty_dimensions),
        cmocka_unit_test(images_and_labels),
        cmocka_unit_test(pairs_that_do_not_fit),
        cmocka_unit_test(bad_headers),
        cmocka_unit_test(data_of_the_wrong_length),
        cmocka_unit_test(huge_dimensions),
        cmocka_unit_test(corrupt_gzip),
        cmocka_unit_test(files_that_cannot_be_read),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
