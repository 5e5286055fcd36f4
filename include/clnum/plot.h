/**
 * @file plot.h
 * @brief The training curves as a picture: an SVG drawn as d2l's ProgressBoard draws them.
 *
 * train_loss is a solid line in matplotlib's first colour (C0, `#1f77b4`), val_loss a dashed
 * line (`--`) in its second (C1, `#ff7f0e`) and, for a model with a metric, the metric on the
 * validation split (val_acc for softmax regression) a dash-dot line (`-.`) in its third (C2,
 * `#2ca02c`), all on one y axis, x in epochs from 0 to the number of epochs, with a legend,
 * as `d2l.Trainer.fit` shows them. The file is plain SVG 1.1 that browsers, Inkscape and
 * rsvg-convert render; it needs no fonts beyond a sans-serif one.
 */
#ifndef CLNUM_PLOT_H
#define CLNUM_PLOT_H

#include "clnum/export.h"

#include "clnum/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How cln_history_write_svg() draws. Start from cln_plot_options_init(). */
typedef struct cln_plot_options {
    unsigned width;      /**< pixels; default 480 */
    unsigned height;     /**< pixels; default 320 */
    /** Right end of the x axis, in epochs; 0 (default): the history's epochs, as d2l's
     * board sets xlim = [0, max_epochs]. */
    double x_max;
    int log_y;           /**< 1: logarithmic y axis (points <= 0 are left out); default 0 */
    const char *title;   /**< drawn above the axes; NULL (default): none */
    /** The legend's name for the history's val_metric curve (UTF-8, as the title);
     * NULL (default): "val_metric". */
    const char *metric_label;
} cln_plot_options;

/**
 * @brief Sets the defaults: 480 x 320, x to the last epoch, linear y, no title, the metric
 * named "val_metric".
 * @param opts the options to fill; NULL is a no-op.
 */
CLN_API void cln_plot_options_init(cln_plot_options *opts);

/**
 * @brief Writes the history's train_loss, val_loss and val_metric curves to an SVG file
 * (`polyline` elements with those ids). The y axis holds every point drawn, of the losses
 * and of the metric alike. Points that are not finite are left out; a curve with no point
 * is left out of the plot and legend, so a history whose val_metric has no point to draw (a
 * model without a metric) is drawn byte for byte as the same history with val_metric
 * emptied. The legend is in the upper right; with a metric curve, in the first of
 * matplotlib's `loc="best"` places that the fewest points and segments run into (a label
 * over ten characters widens it). Every finite value can be drawn, subnormals and values
 * near DBL_MAX included. Each axis has at most 32 ticks, so the file's size depends only on
 * the number of points and the lengths of the labels. Points within 1e-9 of their magnitude
 * of each other (a converged fit's losses, equal to the last digit) are drawn as a flat
 * curve, with the axis widened by 10% of their magnitude around them.
 *
 * The file is replaced whole or not at all: the plot is written to a temporary file in the
 * same folder (`.NAME.tmp.XXXXXX`, created anew, with the mode of the file it replaces or
 * 0666 less the umask), flushed, fsync'd and renamed over @p path, so that a full disk, a
 * file-size limit or a signal leaves @p path as it was; on a failure the temporary file is
 * removed (a process killed while writing, by a signal or by SIGXFSZ where that is not
 * ignored, may leave it behind). A symbolic link, or an existing file that is not a regular
 * one (`/dev/stdout`, a FIFO), is written in place, as `fopen(path, "w")` does.
 * @param history the curves (trainer.h); not modified.
 * @param opts    how; NULL gives the defaults.
 * @param path    the file to create or replace; "-" writes standard output.
 * @return CLN_SUCCESS; CLN_ERR_BAD_ARGUMENT for NULL history or path, a size under 120 x 80
 * or over 16384 x 16384, a negative or non-finite x_max, or a curve with points but no
 * arrays; CLN_ERR_IO when the file cannot be written (the message,
 * in cln_last_error(NULL), names it and the reason: a folder that does not exist or cannot
 * be written, a folder given as the file, a full disk, a file-size limit).
 */
CLN_API cln_status cln_history_write_svg(const cln_history *history, const cln_plot_options *opts,
                                 const char *path);

#ifdef __cplusplus
}
#endif
#endif
