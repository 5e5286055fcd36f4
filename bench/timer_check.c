/* bench_timer_check: bench_events_trusted, the choice between event and host timing, on
 * made-up probes (no device, no clock: the same verdicts on any machine). */
#include <stdio.h>
#include <string.h>

#include "timing.h"

typedef struct check {
    const char *name;
    bench_event_probe probe;
    int trusted;
    const char *why_has; /* a piece the reason must hold */
} check;

#define MS 1000000ull /* ns */

static const check checks[] = {
    /* PoCL here: events and host clock agree to the microsecond. */
    {"good, one launch", {393442451960ull, 393442451960ull + 81 * MS, 393442451960ull,
                          393442451960ull + 81 * MS, 1, 81.6}, 1, "events 81 ms"},
    {"good, many launches", {1000, 1000 + 2 * MS, 1000 + 38 * MS, 1000 + 40 * MS, 16, 41.0}, 1,
     "16 launches"},
    /* Exactly 2x apart is still trusted. */
    {"at the 2x limit", {0, 20 * MS, 0, 20 * MS, 1, 40.0}, 1, "events 20 ms, host 40 ms"},
    /* rusticl on llvmpipe: QUEUED, SUBMIT, START, END are 0, 1, 2, 3 ns. */
    {"rusticl's stamps", {2, 3, 2, 3, 1, 337.0}, 0, "more than 2x apart"},
    {"END equal to START", {5 * MS, 5 * MS, 5 * MS, 5 * MS, 1, 40.0}, 0, "out of order"},
    {"END before START", {9 * MS, 4 * MS, 9 * MS, 4 * MS, 1, 40.0}, 0, "out of order"},
    {"last launch before the first", {50 * MS, 60 * MS, 10 * MS, 20 * MS, 2, 40.0}, 0,
     "out of order"},
    {"events 3x the host clock", {0, 120 * MS, 0, 120 * MS, 1, 40.0}, 0, "more than 2x apart"},
    {"events a third of the host clock", {0, 13 * MS, 0, 13 * MS, 1, 40.0}, 0,
     "more than 2x apart"},
    {"no host time", {0, 13 * MS, 0, 13 * MS, 1, 0.0}, 0, "more than 2x apart"},
};

int main(void)
{
    const check *c = checks;
    int failed = 0;
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        char why[200];
        int got = bench_events_trusted(&c[i].probe, why, sizeof why);
        int ok = got == c[i].trusted && strstr(why, c[i].why_has) != NULL;
        printf("%s %s: %s (%s)\n", ok ? "ok  " : "FAIL", c[i].name, got ? "events" : "host", why);
        failed |= !ok;
    }
    /* No reason asked for: the same verdict. */
    if (bench_events_trusted(&c[3].probe, NULL, 0) != 0) { /* rusticl's */
        printf("FAIL a NULL reason changes the verdict\n");
        failed = 1;
    }
    return failed;
}
