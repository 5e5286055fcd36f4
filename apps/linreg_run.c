#include "linreg_run.h"

#include <stdio.h>

#include "cli_devices.h"
#include "linreg_agree.h"
#include "linreg_data.h"
#include "linreg_fit.h"
#include "linreg_options.h"
#include "linreg_output.h"
#include "linreg_predict.h"
#include "linreg_state.h"

static int finish(run_state *s, int rc)
{
    run_state_free(s);
    return rc;
}

/* The exact solution: the solver asked for, or with real data beside SGD's for comparison
 * (not once a signal asked to stop: that can take as long as the fit). Beside SGD's, its
 * failure is a warning: SGD's result is printed and saved all the same. */
static cln_status solve_exact_if_asked(run_state *s, cln_status st)
{
    const linreg_options *o = s->o;
    if (st == CLN_SUCCESS && (o->solver == LINREG_SOLVER_EXACT || o->data_path) &&
        !s->stopped_by)
        st = linreg_solve_exact(s);
    if (st != CLN_SUCCESS && s->have_sgd) {
        fprintf(stderr, LINREG_PROGRAM ": no exact solution beside SGD's: %s\n",
                linreg_failure_message(st));
        st = CLN_SUCCESS;
    }
    return st;
}

/* Rank 0's end of a run: the fit's end, the exact solution, the results and the files.
 * Returns the exit status. */
static int report(run_state *s, cln_status st)
{
    if (st == CLN_SUCCESS)
        linreg_print_fit_end(s);
    st = solve_exact_if_asked(s, st);
    if (st != CLN_SUCCESS)
        return linreg_fail(s, st);
    if (linreg_print_results(s) != 0)
        return 1;
    /* A signal that came after the fit stopped nothing, but the run was interrupted all the
     * same. */
    if (!s->g && !s->stopped_by)
        s->stopped_by = cli_stop_signal();
    int failed = linreg_write_outputs(s);
    /* A signal's status first: the run was asked to stop (the outputs' failures are on
     * stderr); then a divergence or an output that could not be written. */
    int sig = s->stopped_by ? s->stopped_by : cli_stop_signal(); /* one while writing them, too */
    return sig ? 128 + sig : s->diverged || failed ? 1 : 0;
}

/* Runs the chapter or the CSV, alone or as a rank of a group; returns the exit status. In a
 * group every rank makes the same collective calls: the steps agree (linreg_agree_step)
 * whatever the data, and only rank 0 goes on after the fit. */
static int run(const linreg_options *o, const linreg_group *g, int root)
{
    run_state s;
    run_state_init(&s, o, g, root);
    cln_status st = linreg_open(&s);
    if (st != CLN_SUCCESS)
        return finish(&s, linreg_fail(&s, st));
    linreg_print_devices(&s);
    st = linreg_agree_step(g, linreg_load_data(&s));
    if (st == CLN_SUCCESS && o->solver == LINREG_SOLVER_SGD)
        st = linreg_train_sgd(&s);
    st = linreg_agree_step(g, st); /* the fit, and what each rank did after it */
    if (g && st == CLN_SUCCESS && o->solver == LINREG_SOLVER_SGD)
        /* the fit stopped every rank at the same epoch, for a signal that may have come to
         * one rank only: the ranks agree on it (the largest) */
        (void)linreg_agree_max(g, &s.stopped_by);
    if (!root) /* the rest is rank 0's: the exact solution and the output */
        return finish(&s, st != CLN_SUCCESS ? 1 : s.stopped_by ? 128 + s.stopped_by
                                                                : s.diverged);
    return finish(&s, report(&s, st));
}

/* Whether an output of a run is standard output ("-"). */
static int linreg_writes_stdout(const linreg_options *o)
{
    return cli_is_stdio(o->json_path) || cli_is_stdio(o->csv_path) ||
           cli_is_stdio(o->plot_path) || cli_is_stdio(o->save_path) ||
           (o->predict_path && (!o->output_path || cli_is_stdio(o->output_path)));
}

/* Does what the agreed command asks; returns the exit status. */
static int dispatch(const linreg_command *c, const linreg_group *g, int root)
{
    switch (c->act) {
    case LINREG_ACT_BAD:
        if (root)
            fprintf(stderr, LINREG_PROGRAM ": %s%s\n", c->err, c->bad_env ? "" : " (see --help)");
        return 2;
    case LINREG_ACT_FAIL:
        if (root)
            fprintf(stderr, LINREG_PROGRAM ": %s\n", c->err);
        return 1;
    case LINREG_ACT_HELP:
        linreg_usage(stdout);
        return 0;
    case LINREG_ACT_VERSION:
        printf(LINREG_PROGRAM " %s\n", cln_version());
        return 0;
    case LINREG_ACT_LIST:
        return root ? cli_list_devices(LINREG_PROGRAM, c->opts.device, c->opts.json_path) : 0;
    case LINREG_ACT_PREDICT: /* once, on rank 0 in a group */
        return root ? linreg_predict(&c->opts) : 0;
    default:
        /* in a group the exact solver runs once, on rank 0, as it would alone */
        if (g && c->act == LINREG_ACT_EXACT)
            return root ? run(&c->opts, NULL, 1) : 0;
        return run(&c->opts, g, root);
    }
}

int linreg_run(int argc, char **argv, const linreg_group *g)
{
    int root = !g || g->group.rank == 0;
    linreg_command c;
    linreg_command_read(argc, argv, root, &c); /* only rank 0 writes the output files */
    if (g) {
        if (!root && !freopen("/dev/null", "w", stdout)) {
            /* stdout is closed then: what they print goes nowhere either way */
        }
        linreg_command_check_group(&c, g->group.size);
        c.act = linreg_agree_command(g, c.act, c.err, sizeof c.err);
    }
    if (linreg_writes_stdout(&c.opts))
        cli_text_to_stderr(); /* the file alone on standard output */
    int rc = dispatch(&c, g, root);
    if (g && linreg_agree_max(g, &rc) != 0 && rc == 0) /* every rank exits with the worst */
        rc = 1;
    return rc;
}
