/* The documentation's examples compile, and run: every ```c block of README.md and every
 * @code block of the headers in include/clnum/ is extracted when the test runs, written out as a C
 * program, compiled with the project's C compiler against the library just built (with
 * -Wall -Wextra -Werror), and run, on the device the test runs on (CLNUM_DEVICE). A block that
 * stops compiling, or a complete one that stops running, fails the test.
 *
 * How a block becomes a program:
 *  - a block with a main() is a whole program, compiled as it is;
 *  - a block that creates its own context (cln_context_create(), cln_mpi_context_create())
 *    is a program's body: it goes into `int main(int argc, char **argv)` after
 *    <stdint.h>, <stdio.h>, <stdlib.h>, <string.h> and <clnum/clnum.h> (its own #include
 *    lines move above main);
 *  - any other block is a fragment that goes on from README's first example: it goes into
 *    the same main() after a prelude that makes what that example makes, a context on the
 *    default device (ctx), the chapter's data (data), a model of 2 inputs (model), the
 *    trainer's defaults (tc) and an empty history (hist), and declares the names the
 *    fragments give their results, `uint64_t seed` (0) and `double w[8], b`. The fragment is
 *    a block of its own inside, so that its own declarations of these names come first.
 *    A fragment runs in a folder that holds the files the docs read (houses.csv).
 * Each program runs once as it is: it must exit with 0 and leave no error in
 * cln_last_error(NULL), where every failing call of the library leaves its message. A whole
 * program or a body runs again with the kernels made unreadable (CLNUM_KERNEL_DIR naming an
 * empty folder), so that the library fails under it: it must then end by itself, with any
 * status, not by a signal. The programs are built with -ftrivial-auto-var-init=pattern where
 * the compiler has it, so that using or freeing what was never initialised (a history that
 * no call filled) crashes there rather than passing by luck.
 *
 * A block that cannot be built or run so says so, with its reason, in an HTML comment on the
 * line before it (Markdown and Doxygen both leave such a comment out), used sparingly:
 *   <!-- snippet: skip REASON -->          not compiled
 *   <!-- snippet: compile-only REASON -->  compiled, not run
 * A block that includes clnum/mpi.h or calls MPI is compiled only in a build with CLNUM_MPI
 * (against libclnum_mpi and MPI), and run by no one here: it runs under mpirun, as the
 * test_mpi_* tests do. A block in another language (@code{.py}) is not compiled. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doc_snippets_config.h" /* tests/CMakeLists.txt: the compiler, its flags, the paths */
#include "test_util.h"

enum { KIND_PROGRAM, KIND_BODY, KIND_FRAGMENT };

typedef struct snippet {
    char name[128];     /* "README.md:157": the file and the line of the block's first code line */
    char path[1024];    /* the file */
    char stem[128];     /* the generated files' name: README_md_157 */
    int line;           /* of the first code line */
    char lang[16];      /* "c", or what a @code{.xx} names */
    char *code;
    int kind;
    int mpi;
    const char *skip;   /* why it is not compiled; NULL: it is */
    const char *no_run; /* why it is compiled but not run; NULL: it runs */
    char marker[256];   /* the reason the doc's marker gives */
} snippet;

static snippet *snippets;
static size_t num_snippets, cap_snippets;

/* ---- small helpers ---------------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        TU_FAIL("cannot create %s: %s", path, strerror(errno));
}

static const char *trim_left(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int blank(const char *s)
{
    s = trim_left(s);
    return *s == '\0' || *s == '\n' || *s == '\r';
}

/* An identifier `word` followed by '(' (spaces between allowed), not part of a longer name. */
static int calls(const char *code, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(code, word); p; p = strstr(p + 1, word)) {
        if (p > code && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            continue;
        const char *q = trim_left(p + n);
        if (*q == '(')
            return 1;
    }
    return 0;
}

static snippet *add_snippet(const char *path, const char *base, int line, const char *lang)
{
    if (num_snippets == cap_snippets) {
        cap_snippets = cap_snippets ? 2 * cap_snippets : 16;
        snippets = realloc(snippets, cap_snippets * sizeof *snippets);
        assert_non_null(snippets);
    }
    snippet *s = &snippets[num_snippets++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s:%d", base, line);
    snprintf(s->path, sizeof s->path, "%s", path);
    snprintf(s->stem, sizeof s->stem, "%s_%d", base, line);
    for (char *c = s->stem; *c; c++)
        if (!isalnum((unsigned char)*c))
            *c = '_';
    s->line = line;
    snprintf(s->lang, sizeof s->lang, "%s", lang);
    return s;
}

/* The marker on the line before a block, if there is one: "skip" or "compile-only" and a
 * reason. An unknown marker, or one without a reason, is an error of the doc. */
static void read_marker(snippet *s, const char *line)
{
    const char *p = line ? strstr(line, "<!--") : NULL;
    if (!p)
        return;
    p = trim_left(p + 4);
    if (strncmp(p, "snippet:", 8) != 0)
        return;
    p = trim_left(p + 8);
    const char *end = strstr(p, "-->");
    if (!end)
        TU_FAIL("%s: the snippet marker before it is not closed by -->", s->name);
    int skip = strncmp(p, "skip", 4) == 0 && !isalnum((unsigned char)p[4]) && p[4] != '-';
    int compile_only = strncmp(p, "compile-only", 12) == 0;
    if (!skip && !compile_only)
        TU_FAIL("%s: unknown snippet marker '%.*s' (skip or compile-only)", s->name,
                (int)(end - p), p);
    const char *reason = trim_left(p + (skip ? 4 : 12));
    size_t len = (size_t)(end - reason);
    while (len && (reason[len - 1] == ' ' || reason[len - 1] == '\t'))
        len--;
    if (len == 0)
        TU_FAIL("%s: the snippet marker before it gives no reason", s->name);
    snprintf(s->marker, sizeof s->marker, "%.*s", (int)len, reason);
    if (skip)
        s->skip = s->marker;
    else
        s->no_run = s->marker;
}

/* Lines of a file, in place: line i (0-based) starts at lines[i]; '\n's become '\0's. */
static char **split_lines(char *text, size_t *count)
{
    size_t n = 1;
    for (char *p = text; *p; p++)
        n += *p == '\n';
    char **lines = calloc(n + 1, sizeof *lines);
    assert_non_null(lines);
    size_t i = 0;
    lines[i++] = text;
    for (char *p = text; *p; p++)
        if (*p == '\n') {
            *p = '\0';
            lines[i++] = p + 1;
        }
    *count = i;
    return lines;
}

static char *join(char **lines, size_t from, size_t to)
{
    size_t len = 1;
    for (size_t i = from; i < to; i++)
        len += strlen(lines[i]) + 1;
    char *code = malloc(len), *p = code;
    assert_non_null(code);
    for (size_t i = from; i < to; i++)
        p += sprintf(p, "%s\n", lines[i]);
    *p = '\0';
    return code;
}

/* Every ```c block of a Markdown file. */
static void extract_markdown(const char *path, const char *base)
{
    char *text = slurp(path);
    if (!text)
        TU_FAIL("cannot read %s: %s", path, strerror(errno));
    size_t n;
    char **lines = split_lines(text, &n);
    for (size_t i = 0; i < n; i++) {
        const char *l = trim_left(lines[i]);
        if (strncmp(l, "```", 3) != 0)
            continue;
        char info[32];
        snprintf(info, sizeof info, "%s", trim_left(l + 3));
        for (char *c = info; *c; c++)
            if (*c == ' ' || *c == '\r' || *c == '{')
                *c = '\0';
        size_t end = i + 1;
        while (end < n && strncmp(trim_left(lines[end]), "```", 3) != 0)
            end++;
        if (end == n)
            TU_FAIL("%s:%zu: a code block that is never closed", base, i + 1);
        if (strcmp(info, "c") == 0 || strcmp(info, "C") == 0) {
            snippet *s = add_snippet(path, base, (int)i + 2, "c");
            size_t prev = i;
            while (prev > 0 && blank(lines[prev - 1]))
                prev--;
            read_marker(s, prev > 0 ? lines[prev - 1] : NULL);
            s->code = join(lines, i + 1, end);
        }
        i = end;
    }
    free(lines);
    free(text);
}

/* A line of a comment block without its decoration: " * text" -> "text" (one space of the
 * indentation after the star goes, the rest is the code's). */
static const char *undecorated(const char *line)
{
    const char *p = trim_left(line);
    if (p[0] == '*' && p[1] != '/')
        p++;
    else if (strncmp(p, "///", 3) == 0 || strncmp(p, "//!", 3) == 0)
        p += 3;
    if (*p == ' ')
        p++;
    return p;
}

/* Every @code (or \code) block of a header. */
static void extract_header(const char *path, const char *base)
{
    char *text = slurp(path);
    if (!text)
        TU_FAIL("cannot read %s: %s", path, strerror(errno));
    size_t n;
    char **lines = split_lines(text, &n);
    for (size_t i = 0; i < n; i++) {
        const char *at = strstr(lines[i], "@code");
        if (!at)
            at = strstr(lines[i], "\\code");
        if (!at || isalnum((unsigned char)at[5]))
            continue;
        char lang[16] = "c"; /* Doxygen takes a header's block as the file's language */
        if (at[5] == '{' && at[6] == '.') {
            size_t k = 0;
            for (const char *p = at + 7; *p && *p != '}' && k + 1 < sizeof lang; p++)
                lang[k++] = *p;
            lang[k] = '\0';
        }
        size_t end = i + 1;
        while (end < n && !strstr(lines[end], "@endcode") && !strstr(lines[end], "\\endcode"))
            end++;
        if (end == n)
            TU_FAIL("%s:%zu: an @code block that is never ended", base, i + 1);
        snippet *s = add_snippet(path, base, (int)i + 2, lang);
        size_t prev = i;
        while (prev > 0 && blank(undecorated(lines[prev - 1])))
            prev--;
        read_marker(s, prev > 0 ? lines[prev - 1] : NULL);
        for (size_t k = i + 1; k < end; k++)
            memmove(lines[k], undecorated(lines[k]), strlen(undecorated(lines[k])) + 1);
        s->code = join(lines, i + 1, end);
        i = end;
    }
    free(lines);
    free(text);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void extract_all(void)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/README.md", SNIPPET_SOURCE_DIR);
    extract_markdown(path, "README.md");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/include/clnum", SNIPPET_SOURCE_DIR);
    DIR *d = opendir(dir);
    if (!d)
        TU_FAIL("cannot list %s: %s", dir, strerror(errno));
    char *names[256];
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 2 && strcmp(e->d_name + len - 2, ".h") == 0 && count < 256)
            names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        extract_header(path, names[i]);
        free(names[i]);
    }
    for (size_t i = 0; i < num_snippets; i++) {
        snippet *s = &snippets[i];
        s->mpi = strstr(s->code, "clnum/mpi.h") != NULL || strstr(s->code, "MPI_") != NULL;
        s->kind = calls(s->code, "main")                     ? KIND_PROGRAM
                  : calls(s->code, "cln_context_create") ||
                          calls(s->code, "cln_mpi_context_create")
                      ? KIND_BODY
                      : KIND_FRAGMENT;
        if (strcmp(s->lang, "c") != 0 && !s->skip)
            s->skip = "not C"; /* a @code{.py} block: the Python it is compared with */
        if (s->mpi && !s->skip && !SNIPPET_HAVE_MPI)
            s->skip = "it needs MPI: a build with -DCLNUM_MPI=ON compiles it";
        if (s->mpi && !s->skip && !s->no_run)
            s->no_run = "it runs under mpirun (the test_mpi_* tests run the library so)";
    }
}

/* ---- writing, compiling and running a program ------------------------------------------- */

/* The number of the line that `f` (an open_memstream of *buf) writes next. */
static int next_line(FILE *f, char *const *buf)
{
    fflush(f);
    int n = 1;
    for (const char *c = *buf; c && *c; c++)
        n += *c == '\n';
    return n;
}

/* Writes the program of snippet s to `out`, as the comment at the top of this file says;
 * #line directives give a compiler's messages the doc's file and line. */
static void write_program(const snippet *s, const char *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    fprintf(f, "/* %s, extracted by tests/test_doc_snippets.c: do not edit. */\n", s->name);
    if (s->kind == KIND_PROGRAM) {
        fprintf(f, "#line %d \"%s\"\n%s", s->line, s->path, s->code);
    } else {
        fputs("#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
              "#include <string.h>\n#include <clnum/clnum.h>\n", f);
        /* the block's own #include lines, above main */
        int n = 0;
        for (const char *p = s->code; *p; n++) {
            const char *eol = strchr(p, '\n');
            size_t l = eol ? (size_t)(eol - p) : strlen(p);
            if (strncmp(trim_left(p), "#include", 8) == 0)
                fprintf(f, "#line %d \"%s\"\n%.*s\n", s->line + n, s->path, (int)l, p);
            p += l + (eol != NULL);
        }
        fprintf(f, "#line %d \"%s\"\n", next_line(f, &text) + 1, out);
        if (s->kind == KIND_FRAGMENT)
            fputs("\n/* What README's first example makes, for the fragments that go on from it. */\n"
                  "static int prelude(cln_context **ctx, cln_dataset **data, cln_linreg **model)\n"
                  "{\n"
                  "    cln_synthetic_config dc;\n"
                  "    cln_synthetic_config_init(&dc);\n"
                  "    cln_status st = cln_context_create(NULL, ctx);\n"
                  "    if (st == CLN_SUCCESS)\n"
                  "        st = cln_synthetic_create(*ctx, &dc, data);\n"
                  "    if (st == CLN_SUCCESS)\n"
                  "        st = cln_linreg_create(*ctx, CLN_FLOAT32, 2, 0.01, 0, model);\n"
                  "    if (st != CLN_SUCCESS)\n"
                  "        fprintf(stderr, \"the prelude failed: %s\\n\", cln_last_error(NULL));\n"
                  "    return st == CLN_SUCCESS;\n"
                  "}\n", f);
        fputs("\nint main(int argc, char **argv)\n"
              "{\n"
              "    (void)argc;\n"
              "    (void)argv;\n", f);
        if (s->kind == KIND_FRAGMENT)
            fputs("    cln_context *ctx = NULL;\n"
                  "    cln_dataset *data = NULL;\n"
                  "    cln_linreg *model = NULL;\n"
                  "    cln_trainer_config tc;\n"
                  "    cln_history hist;\n"
                  "    uint64_t seed = 0;\n"
                  "    double w[8] = {0}, b = 0;\n"
                  "    cln_trainer_config_init(&tc);\n"
                  "    memset(&hist, 0, sizeof hist);\n"
                  "    (void)model;\n"
                  "    (void)seed;\n"
                  "    (void)w;\n"
                  "    (void)b;\n"
                  "    if (!prelude(&ctx, &data, &model)) {\n"
                  "        cln_context_free(ctx);\n"
                  "        return 77;\n"
                  "    }\n", f);
        fprintf(f, "    {\n#line %d \"%s\"\n", s->line, s->path);
        /* the block, its #include lines left blank (they went above main) */
        for (const char *p = s->code; *p;) {
            const char *eol = strchr(p, '\n');
            size_t l = eol ? (size_t)(eol - p) : strlen(p);
            if (strncmp(trim_left(p), "#include", 8) == 0)
                fputs("\n", f);
            else
                fprintf(f, "%.*s\n", (int)l, p);
            p += l + (eol != NULL);
        }
        fputs("    }\n", f);
        fprintf(f, "#line %d \"%s\"\n", next_line(f, &text) + 1, out);
        fputs("    int failed = *cln_last_error(NULL) != '\\0';\n"
              "    if (failed)\n"
              "        fprintf(stderr, \"the snippet left an error: %s\\n\", cln_last_error(NULL));\n",
              f);
        if (s->kind == KIND_FRAGMENT)
            fputs("    cln_history_free(&hist);\n    cln_context_free(ctx);\n", f);
        fputs("    return failed;\n}\n", f);
    }
    fclose(f);
    FILE *o = fopen(out, "w");
    if (!o)
        TU_FAIL("cannot write %s: %s", out, strerror(errno));
    fwrite(text, 1, len, o);
    if (fclose(o) != 0)
        TU_FAIL("cannot write %s: %s", out, strerror(errno));
    free(text);
}

/* Runs argv[0] with its output into `log`, in `dir` (NULL: here), with `env` settings
 * (NAME, value, NAME, value, ..., NULL; may be NULL), for at most `seconds`. Returns the wait
 * status. */
static int run_logged(char *const argv[], const char *log, const char *dir, const char *const *env,
                      unsigned seconds)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        if (dir && chdir(dir) != 0)
            _exit(126);
        for (size_t i = 0; env && env[i] && env[i + 1]; i += 2)
            setenv(env[i], env[i + 1], 1);
        alarm(seconds);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    return ws;
}

static void fail_with_log(const snippet *s, const char *what, const char *log)
{
    char *text = slurp(log);
    print_error("---- %s: %s ----\n%s---- (%s)\n", s->name, what, text ? text : "(no output)\n",
                log);
    free(text);
    fail_msg("%s: %s", s->name, what);
}

static const char *status_text(int ws, char *buf, size_t cap)
{
    if (WIFEXITED(ws))
        snprintf(buf, cap, "exit status %d", WEXITSTATUS(ws));
    else if (WIFSIGNALED(ws))
        snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(ws), strsignal(WTERMSIG(ws)));
    else
        snprintf(buf, cap, "wait status %d", ws);
    return buf;
}

static void compile(const snippet *s, const char *src, const char *exe)
{
    const char *argv[128];
    size_t n = 0;
    argv[n++] = snippet_cc;
    for (size_t i = 0; snippet_cflags[i]; i++)
        argv[n++] = snippet_cflags[i];
    if (s->mpi)
        for (size_t i = 0; snippet_mpi_cflags[i]; i++)
            argv[n++] = snippet_mpi_cflags[i];
    argv[n++] = "-o";
    argv[n++] = exe;
    argv[n++] = src;
    if (s->mpi)
        for (size_t i = 0; snippet_mpi_libs[i]; i++)
            argv[n++] = snippet_mpi_libs[i];
    for (size_t i = 0; snippet_libs[i]; i++)
        argv[n++] = snippet_libs[i];
    argv[n] = NULL;
    assert_true(n < 128);
    char log[1200], st[96];
    snprintf(log, sizeof log, "%s/%s.compile.log", SNIPPET_WORK_DIR, s->stem);
    int ws = run_logged((char *const *)argv, log, NULL, NULL, 600);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char what[160];
        snprintf(what, sizeof what, "does not compile (%s)", status_text(ws, st, sizeof st));
        fail_with_log(s, what, log);
    }
}

/* ---- the tests -------------------------------------------------------------------------- */

static void one_snippet(void **state)
{
    const snippet *s = *state;
    if (s->skip) {
        print_message("%s: not compiled: %s\n", s->name, s->skip);
        skip();
    }
    char src[1200], exe[1200], log[1200], run_dir[1200], st[96];
    snprintf(src, sizeof src, "%s/%s.c", SNIPPET_WORK_DIR, s->stem);
    snprintf(exe, sizeof exe, "%s/%s", SNIPPET_WORK_DIR, s->stem);
    snprintf(run_dir, sizeof run_dir, "%s/run", SNIPPET_WORK_DIR);
    write_program(s, src);
    compile(s, src, exe);
    if (s->no_run) {
        print_message("%s: compiled, not run: %s\n", s->name, s->no_run);
        return;
    }
    /* once as it is: exit status 0 */
    char *argv[] = {exe, NULL};
    /* fragments show the calls, not the clean-up: no leak check for them (sanitizer builds) */
    static const char *const fragment_env[] = {"ASAN_OPTIONS", "detect_leaks=0", NULL};
    snprintf(log, sizeof log, "%s/%s.run.log", SNIPPET_WORK_DIR, s->stem);
    int ws = run_logged(argv, log, run_dir, s->kind == KIND_FRAGMENT ? fragment_env : NULL, 600);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char what[160];
        snprintf(what, sizeof what, "does not run (%s)", status_text(ws, st, sizeof st));
        fail_with_log(s, what, log);
    }
    if (s->kind == KIND_FRAGMENT)
        return;
    /* and once where the library fails: it must end by itself, whatever its status */
    char kernel_dir[1300];
    snprintf(kernel_dir, sizeof kernel_dir, "%s/no-kernels", SNIPPET_WORK_DIR);
    const char *const failing_env[] = {"CLNUM_KERNEL_DIR", kernel_dir, NULL};
    snprintf(log, sizeof log, "%s/%s.failing.log", SNIPPET_WORK_DIR, s->stem);
    ws = run_logged(argv, log, run_dir, failing_env, 600);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) == 126 || WEXITSTATUS(ws) == 127) {
        char what[160];
        snprintf(what, sizeof what, "crashes where the library fails (%s, CLNUM_KERNEL_DIR "
                 "empty)", status_text(ws, st, sizeof st));
        fail_with_log(s, what, log);
    }
    print_message("%s: ran; where the library fails it ends with %s\n", s->name,
                  status_text(ws, st, sizeof st));
}

/* What the extraction found is what the docs hold: README's first example, a body that
 * makes its own context, is among the blocks that run. */
static void the_first_example_runs(void **state)
{
    (void)state;
    size_t readme = 0;
    for (size_t i = 0; i < num_snippets; i++)
        readme += strncmp(snippets[i].name, "README.md:", 10) == 0;
    assert_true(readme >= 1);
    const snippet *first = &snippets[0];
    assert_int_equal(strncmp(first->name, "README.md:", 10), 0);
    assert_int_equal(first->kind, KIND_BODY);
    assert_null(first->skip);
    assert_null(first->no_run);
}

/* The fixture the fragments read: houses.csv, price = 3 area + 20 rooms + 50 (+ a wobble). */
static void write_fixtures(void)
{
    char path[1200];
    make_dir(SNIPPET_WORK_DIR);
    /* no program or log of an earlier run (of blocks since moved) is left to mislead */
    DIR *d = opendir(SNIPPET_WORK_DIR);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", SNIPPET_WORK_DIR, e->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            unlink(path);
    }
    closedir(d);
    snprintf(path, sizeof path, "%s/run", SNIPPET_WORK_DIR);
    make_dir(path);
    snprintf(path, sizeof path, "%s/no-kernels", SNIPPET_WORK_DIR);
    make_dir(path);
    snprintf(path, sizeof path, "%s/run/houses.csv", SNIPPET_WORK_DIR);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "area,rooms,price\n");
    for (int i = 0; i < 40; i++) {
        double area = 50 + (i * 37) % 150, rooms = 1 + (i * 7) % 5;
        fprintf(f, "%g,%g,%g\n", area, rooms, 3 * area + 20 * rooms + 50 + (i % 3) - 1);
    }
    fclose(f);
}

/* ---- a history that a failed cln_fit() leaves frees: README's first example relies on it - */

static void failed_fit_leaves_a_history_that_frees(void **state)
{
    cln_context *ctx = *state;
    cln_history h, zero;
    memset(&zero, 0, sizeof zero);
    /* the earliest errors: the arguments themselves */
    memset(&h, 0xA5, sizeof h);
    TU_FAILS(NULL, CLN_ERR_BAD_ARGUMENT, "cln_fit: model is NULL", cln_fit(NULL, NULL, NULL, &h));
    assert_memory_equal(&h, &zero, sizeof h);
    cln_history_free(&h);
    cln_linreg *m;
    TU_OK(ctx, cln_linreg_create(ctx, CLN_FLOAT32, 2, 0.01, 0, &m));
    memset(&h, 0xA5, sizeof h);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "cln_fit: data is NULL", cln_fit(cln_linreg_model(m), NULL, NULL, &h));
    assert_memory_equal(&h, &zero, sizeof h);
    cln_history_free(&h);
    /* a bad configuration */
    cln_synthetic_config dc;
    cln_synthetic_config_init(&dc);
    dc.num_train = dc.num_val = 64;
    cln_dataset *data;
    TU_OK(ctx, cln_synthetic_create(ctx, &dc, &data));
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = 0;
    memset(&h, 0xA5, sizeof h);
    TU_FAILS(ctx, CLN_ERR_BAD_ARGUMENT, "max_epochs is 0", cln_fit(cln_linreg_model(m), data, &tc, &h));
    assert_memory_equal(&h, &zero, sizeof h);
    cln_history_free(&h);
    /* a fit that succeeds, then a failure into the same history: free it first, then it
     * frees again (cln_history_free zeroes it) */
    cln_trainer_config_init(&tc);
    TU_OK(ctx, cln_fit(cln_linreg_model(m), data, &tc, &h));
    assert_true(h.train_loss.count > 0);
    cln_history_free(&h);
    assert_memory_equal(&h, &zero, sizeof h);
    cln_history_free(&h);
    cln_history_free(NULL);
    cln_dataset_free(data);
    cln_linreg_free(m);
}

int main(void)
{
    /* The snippets first, forked and run before this process makes any OpenCL context. */
    write_fixtures();
    extract_all();
    struct CMUnitTest *tests = calloc(num_snippets + 1, sizeof *tests);
    assert_non_null(tests);
    tests[0] = (struct CMUnitTest)cmocka_unit_test(the_first_example_runs);
    for (size_t i = 0; i < num_snippets; i++) {
        tests[i + 1] = (struct CMUnitTest)cmocka_unit_test_prestate(one_snippet, &snippets[i]);
        tests[i + 1].name = snippets[i].name;
    }
    int failed = _cmocka_run_group_tests("doc snippets", tests, num_snippets + 1, NULL, NULL);
    free(tests);
    const struct CMUnitTest history[] = {
        cmocka_unit_test(failed_fit_leaves_a_history_that_frees),
    };
    failed += cmocka_run_group_tests_name("history", history, tu_context_setup,
                                          tu_context_teardown);
    for (size_t i = 0; i < num_snippets; i++)
        free(snippets[i].code);
    free(snippets);
    return failed;
}
