#include "runtime/program_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "CLNUMPB1"

/* FNV-1a, 64 bits: a checksum and a file name, not a defence against an attacker. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
static const uint64_t FNV_OFFSET = 0xcbf29ce484222325ULL;

int cln_cache_dir(char *dst, size_t cap)
{
    const char *dir = getenv("CLNUM_CACHE_DIR");
    if (dir && strcmp(dir, "off") == 0)
        return 0;
    if (dir && *dir)
        return snprintf(dst, cap, "%s", dir) < (int)cap;
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg)
        return snprintf(dst, cap, "%s/clnum", xdg) < (int)cap;
    const char *home = getenv("HOME");
    if (home && *home)
        return snprintf(dst, cap, "%s/.cache/clnum", home) < (int)cap;
    return 0;
}

uint64_t clni_sources_hash(const char *const *texts, const size_t *lengths, size_t count)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < count; i++)
        h = fnv1a(h, texts[i], lengths[i]);
    return h;
}

void clni_cache_key(const cln_context *ctx, const char *options, const char *const *texts,
                    const size_t *lengths, size_t count, char *dst, size_t cap)
{
    uint64_t h = clni_sources_hash(texts, lengths, count);
    const cln_device_info *d = &ctx->info;
    snprintf(dst, cap, "clnum %s|%s|%s|%s|%s|%s|%s|sources %016llx", CLNUM_VERSION_STRING,
             d->platform_name, d->device_name, d->vendor, d->driver_version, d->opencl_c_version,
             options, (unsigned long long)h);
}

static void file_path(const char *dir, const char *key, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s/%016llx.bin", dir,
             (unsigned long long)fnv1a(FNV_OFFSET, key, strlen(key)));
}

/* Reads a whole file; NULL if it cannot. */
static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = buf ? (size_t)n : 0;
    return buf;
}

/* The binary inside a cache file, checked against the key and its checksum; NULL if the
 * file is not a valid entry for this key. */
static const unsigned char *valid_binary(const unsigned char *file, size_t size, const char *key,
                                         size_t *binary_size)
{
    size_t key_len = strlen(key), at = 0;
    uint32_t stored_key_len;
    uint64_t bin_len, checksum;
    if (size < 8 + 4 || memcmp(file, MAGIC, 8) != 0)
        return NULL;
    at = 8;
    memcpy(&stored_key_len, file + at, 4);
    at += 4;
    if (stored_key_len != key_len || size - at < key_len + 8 || memcmp(file + at, key, key_len))
        return NULL;
    at += key_len;
    memcpy(&bin_len, file + at, 8);
    at += 8;
    if (bin_len == 0 || bin_len > size - at || size - at - bin_len != 8)
        return NULL;
    memcpy(&checksum, file + at + bin_len, 8);
    if (checksum != fnv1a(FNV_OFFSET, file + at, (size_t)bin_len))
        return NULL;
    *binary_size = (size_t)bin_len;
    return file + at;
}

cl_program clni_cache_load(cln_context *ctx, const char *key, const char *options)
{
    char dir[2048], path[2200];
    if (!cln_cache_dir(dir, sizeof dir))
        return NULL;
    file_path(dir, key, path, sizeof path);
    size_t size, bin_size;
    unsigned char *file = read_all(path, &size);
    if (!file)
        return NULL;
    const unsigned char *bin = valid_binary(file, size, key, &bin_size);
    cl_program program = NULL;
    if (bin) {
        cl_int err, status;
        program = clCreateProgramWithBinary(ctx->cl, 1, &ctx->device, &bin_size, &bin, &status,
                                            &err);
        if (err != CL_SUCCESS || status != CL_SUCCESS)
            program = NULL;
        else if (clBuildProgram(program, 1, &ctx->device, options, NULL, NULL) != CL_SUCCESS) {
            clReleaseProgram(program);
            program = NULL;
        }
    }
    free(file);
    return program;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char tmp[2048];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

void clni_cache_store(const char *key, cl_program program)
{
    char dir[2048], path[2200], tmp[2300];
    if (!cln_cache_dir(dir, sizeof dir) || make_dirs(dir) != 0)
        return;
    size_t bin_size = 0;
    if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof bin_size, &bin_size, NULL) !=
            CL_SUCCESS ||
        bin_size == 0)
        return;
    unsigned char *bin = malloc(bin_size);
    if (!bin)
        return;
    if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS) {
        file_path(dir, key, path, sizeof path);
        /* A unique temporary name, then rename: a reader sees the old file or the new one. */
        snprintf(tmp, sizeof tmp, "%s.%ld.%p.tmp", path, (long)getpid(), (void *)program);
        FILE *f = fopen(tmp, "wb");
        if (f) {
            uint32_t key_len = (uint32_t)strlen(key);
            uint64_t len = bin_size, checksum = fnv1a(FNV_OFFSET, bin, bin_size);
            int ok = fwrite(MAGIC, 1, 8, f) == 8 && fwrite(&key_len, 4, 1, f) == 1 &&
                     fwrite(key, 1, key_len, f) == key_len && fwrite(&len, 8, 1, f) == 1 &&
                     fwrite(bin, 1, bin_size, f) == bin_size && fwrite(&checksum, 8, 1, f) == 1;
            ok = fclose(f) == 0 && ok;
            if (!ok || rename(tmp, path) != 0)
                remove(tmp);
        }
    }
    free(bin);
}

/* A text entry: its key on the first line, then the text. */
static void text_path(const char *dir, const char *key, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s/%016llx.txt", dir,
             (unsigned long long)fnv1a(FNV_OFFSET, key, strlen(key)));
}

int clni_cache_read_text(const char *key, char *dst, size_t cap)
{
    char dir[2048], path[2200];
    if (!cln_cache_dir(dir, sizeof dir))
        return 0;
    text_path(dir, key, path, sizeof path);
    size_t size, key_len = strlen(key);
    unsigned char *file = read_all(path, &size);
    int ok = file && size > key_len + 1 && memcmp(file, key, key_len) == 0 &&
             file[key_len] == '\n' && size - key_len - 1 < cap && file[size - 1] == '\n';
    if (ok) {
        memcpy(dst, file + key_len + 1, size - key_len - 1);
        dst[size - key_len - 1] = '\0';
    }
    free(file);
    return ok;
}

void clni_cache_write_text(const char *key, const char *text)
{
    char dir[2048], path[2200], tmp[2300];
    if (!cln_cache_dir(dir, sizeof dir) || make_dirs(dir) != 0)
        return;
    text_path(dir, key, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    int ok = fprintf(f, "%s\n%s", key, text) > 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        remove(tmp);
}
