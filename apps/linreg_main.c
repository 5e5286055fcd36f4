/* clnum-linreg: d2l chapter 3.4, "Linear Regression Implementation from Scratch", in C on
 * an OpenCL device. With no arguments it runs the chapter's exact settings; with --data it
 * trains on a CSV file and prints the parameters in the file's units. This main is the
 * build without MPI's; linreg_mpi.c holds the -DCLNUM_MPI=ON build's. */
#include <signal.h>

#include "cli_args.h"
#include "linreg_run.h"

int main(int argc, char **argv)
{
    /* A file-size limit (ulimit -f) makes a write fail with EFBIG, which the outputs report,
     * instead of killing the program mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    cli_signals_note_ignored();
    return cli_end_by_signal(linreg_run(argc, argv, NULL));
}
