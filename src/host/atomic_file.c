/* Writing a file whole or not at all (atomic_file.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/atomic_file.h"

/* The process's umask, read without changing it (umask() sets it, racing other threads that
 * create files): Linux reports it in /proc/self/status; elsewhere the usual 022. */
static mode_t current_umask(void)
{
    mode_t mask = 022;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return mask;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Umask:", 6) == 0) {
            mask = (mode_t)strtoul(line + 6, NULL, 8) & 0777;
            break;
        }
    fclose(f);
    return mask;
}

static int written_in_place(const char *path)
{
    struct stat ls;
    return lstat(path, &ls) == 0 &&
           (S_ISLNK(ls.st_mode) || !(S_ISREG(ls.st_mode) || S_ISDIR(ls.st_mode)));
}

/* The temporary file beside path (its name into *tmp, malloc'd), or -1 with errno set. */
static int make_temp(const char *path, char **tmp)
{
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base) { /* "folder/" */
        errno = EISDIR;
        return -1;
    }
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0; /* with its '/' */
    /* the name's part cut to keep within NAME_MAX (255) */
    size_t base_len = strlen(base) > 200 ? 200 : strlen(base);
    size_t n = dir_len + 1 + base_len + sizeof ".tmp.XXXXXX";
    char *t = malloc(n);
    if (!t) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(t, n, "%.*s.%.*s.tmp.XXXXXX", (int)dir_len, path, (int)base_len, base);
    int fd = mkstemp(t);
    if (fd < 0) {
        int e = errno;
        free(t);
        errno = e;
        return -1;
    }
    mode_t mode = exists && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0666 & ~current_umask();
    (void)fchmod(fd, mode); /* mkstemp makes it 0600 */
    *tmp = t;
    return fd;
}

static cln_status fail_io(cln_context *ctx, const char *fn, const char *shown, int e)
{
    return clni_fail(ctx, CLN_ERR_IO, "%s%scannot write %s: %s", fn ? fn : "", fn ? ": " : "",
                     shown, e ? strerror(e) : "write error");
}

/* What the write left: its status, or the stream's error after a flush. */
static cln_status finish_stream(cln_context *ctx, const char *fn, const char *shown, FILE *f,
                                cln_status st, int *e)
{
    if (st != CLN_SUCCESS)
        return st;
    if (fflush(f) != 0 || ferror(f)) {
        *e = errno ? errno : EIO;
        return fail_io(ctx, fn, shown, *e);
    }
    return CLN_SUCCESS;
}

cln_status clni_write_file_atomic(cln_context *ctx, const char *path, const char *shown,
                                  const char *fn, clni_write_fn fill, void *user)
{
    int e = 0;
    if (strcmp(path, "-") == 0) {
        errno = 0;
        cln_status st = fill(stdout, user);
        return finish_stream(ctx, fn, "standard output", stdout, st, &e);
    }
    char *tmp = NULL;
    FILE *f;
    errno = 0;
    if (written_in_place(path)) {
        f = fopen(path, "wb");
    } else {
        int fd = make_temp(path, &tmp);
        if (fd < 0)
            return fail_io(ctx, fn, shown, errno);
        f = fdopen(fd, "wb");
        if (!f) {
            e = errno;
            close(fd);
        }
    }
    if (!f) {
        e = e ? e : errno;
        if (tmp)
            unlink(tmp);
        free(tmp);
        return fail_io(ctx, fn, shown, e);
    }
    errno = 0;
    cln_status st = finish_stream(ctx, fn, shown, f, fill(f, user), &e);
    if (st == CLN_SUCCESS && tmp && fsync(fileno(f)) != 0)
        st = fail_io(ctx, fn, shown, e = errno);
    if (fclose(f) != 0 && st == CLN_SUCCESS)
        st = fail_io(ctx, fn, shown, e = errno ? errno : EIO);
    if (st == CLN_SUCCESS && tmp && rename(tmp, path) != 0)
        st = fail_io(ctx, fn, shown, e = errno);
    if (st != CLN_SUCCESS && tmp)
        unlink(tmp);
    free(tmp);
    return st;
}
