#include "progress.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How often the ticker redraws at most: the interval asked for, but never more than ten
 * times a second (an interval of 0 is for the epoch lines of tests, not for the ticker). */
#define TICK_MIN_S 0.1

void progress_init(progress *p, int quiet, const linreg_progress_timing *timing)
{
    memset(p, 0, sizeof *p);
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->timing = *timing;
    p->last_s = -1;
    p->loss = NAN;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
}

static size_t digits(size_t n)
{
    size_t d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* "HH:MM:SS" (more hour digits past 99 hours); "--:--:--" for a time not known. */
static void clock_text(double s, char *out, size_t cap)
{
    if (!(s >= 0) || s > 1e9) {
        snprintf(out, cap, "--:--:--");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    snprintf(out, cap, "%02lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
}

const char *progress_format(const progress *p, double now_s, int estimate, char *out,
                            size_t cap)
{
    int ew = (int)digits(p->first_epoch + p->max_epochs), bw = (int)digits(p->batches);
    /* the epoch in progress (estimate) or the last one done */
    size_t shown = p->done + (estimate && p->done < p->max_epochs ? 1 : 0);
    if (shown == 0)
        shown = 1;
    double per_epoch = p->done ? p->epoch_end_s / (double)p->done : NAN;
    char batch[48];
    if (!estimate) {
        snprintf(batch, sizeof batch, " %*zu", bw, p->batches);
    } else if (p->done && p->batches) {
        /* the fraction of an epoch's time since the last one ended */
        double f = (now_s - p->epoch_end_s) / per_epoch;
        size_t b = f > 0 ? (size_t)(f * (double)p->batches) : 0;
        snprintf(batch, sizeof batch, "~%*zu", bw, b < p->batches ? b : p->batches - 1);
    } else {
        snprintf(batch, sizeof batch, "~%*s", bw, "?");
    }
    char elapsed[32], left[32], rate[32], loss[32];
    clock_text(now_s, elapsed, sizeof elapsed);
    double remaining = per_epoch * (double)(p->max_epochs - p->done) -
                       (estimate ? now_s - p->epoch_end_s : 0);
    clock_text(p->done ? fmax(remaining, 0) : NAN, left, sizeof left);
    if (p->rate > 0)
        snprintf(rate, sizeof rate, "%8.3g", p->rate);
    else
        snprintf(rate, sizeof rate, "%8s", "?");
    if (isnan(p->loss) && !p->done)
        snprintf(loss, sizeof loss, "%9s", "?");
    else
        snprintf(loss, sizeof loss, "%9.3e", p->loss);
    snprintf(out, cap, "  epoch %*zu/%zu  batch %s/%zu  elapsed %s  left %s  %s examples/s  "
             "loss %s", ew, p->first_epoch + shown, p->first_epoch + p->max_epochs, batch,
             p->batches, elapsed, left, rate, loss);
    return out;
}

/* Draws the line (the lock held). */
static void draw(progress *p, double now_s, int estimate)
{
    char line[256];
    progress_format(p, now_s, estimate, line, sizeof line);
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->shown = 1;
    p->last_s = now_s;
}

static void clear(progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = 0;
}

static double seconds_since(const progress *p)
{
    return (cli_now_ms() - p->t0_ms) / 1e3;
}

/* The ticker: between the epochs' ends, the line with the estimated batch counter. */
static void *tick(void *arg)
{
    progress *p = arg;
    double period = p->timing.interval_s > TICK_MIN_S ? p->timing.interval_s : TICK_MIN_S;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        double when = (double)until.tv_nsec / 1e9 + period;
        until.tv_sec += (time_t)when;
        until.tv_nsec = (long)((when - floor(when)) * 1e9);
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
        if (p->stop)
            break;
        double now = seconds_since(p);
        if (p->done < p->max_epochs && now >= p->timing.delay_s &&
            (p->last_s < 0 || now - p->last_s >= period * 0.999))
            draw(p, now, 1);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void progress_start(progress *p, size_t max_epochs, size_t first_epoch, size_t batches)
{
    pthread_mutex_lock(&p->lock);
    p->t0_ms = cli_now_ms();
    p->max_epochs = max_epochs;
    p->first_epoch = first_epoch;
    p->batches = batches;
    pthread_mutex_unlock(&p->lock);
    if (!p->enabled)
        return;
    /* SIGINT and SIGTERM stay with the fit's thread (cli_args.h: they stop the fit) */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    p->ticking = pthread_create(&p->ticker, NULL, tick, p) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void progress_epoch(progress *p, const cln_epoch_report *r, void (*print_line)(void *user),
                    void *user)
{
    pthread_mutex_lock(&p->lock);
    clear(p);
    if (print_line) {
        print_line(user);
        fflush(cli_text());
    }
    p->done++;
    p->batches = r->batches;
    p->epoch_end_s = r->seconds;
    p->rate = r->seconds > 0 ? (double)p->done * (double)r->examples / r->seconds : 0;
    p->loss = r->train_loss;
    double now = r->seconds;
    int last_epoch = p->done == p->max_epochs;
    if (p->enabled && now >= p->timing.delay_s &&
        (last_epoch || p->last_s < 0 || now - p->last_s >= p->timing.interval_s))
        draw(p, now, 0);
    pthread_mutex_unlock(&p->lock);
}

void progress_done(progress *p)
{
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    if (p->ticking)
        pthread_join(p->ticker, NULL);
    p->ticking = 0;
    pthread_mutex_lock(&p->lock);
    clear(p);
    pthread_mutex_unlock(&p->lock);
}
