#include "cli_predict.h"

#include <ctype.h>
#include <string.h>

#include "cli_args.h"

void cli_csv_field(FILE *f, const char *text)
{
    size_t n = strlen(text);
    int quote = n > 0 && (isspace((unsigned char)text[0]) || isspace((unsigned char)text[n - 1]));
    quote |= strpbrk(text, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

cln_status cli_predict_rows(const cln_model_meta *meta, const char *path, char delimiter,
                            int has_header, size_t skip_lines, double **X, size_t *rows)
{
    cln_csv_options co;
    cln_csv_options_init(&co);
    co.delimiter = delimiter;
    co.has_header = has_header;
    co.skip_lines = skip_lines;
    return cln_model_meta_read_rows(meta, path, &co, X, rows);
}

/* The header: TARGET_hat, and a classifier's probabilities. */
static void write_header(FILE *f, const cln_model_meta *meta, int classifier)
{
    char name[600];
    snprintf(name, sizeof name, "%s_hat", cln_model_meta_target_name(meta));
    cli_csv_field(f, name);
    if (classifier) {
        fputs(",probability", f);
        for (size_t c = 0; c < cln_model_meta_num_classes(meta); c++) {
            snprintf(name, sizeof name, "p_%s", cln_model_meta_class_name(meta, c));
            fputc(',', f);
            cli_csv_field(f, name);
        }
    }
    fputc('\n', f);
}

int cli_write_predictions(const cln_model_meta *meta, const cli_predictions *p,
                          const char *path, char *why, size_t why_cap)
{
    cli_output out;
    if (cli_output_open(&out, path, why, why_cap) != 0)
        return -1;
    int classifier = p->classes != NULL;
    size_t k = cln_model_meta_num_classes(meta);
    write_header(out.f, meta, classifier);
    for (size_t i = 0; i < p->rows; i++) {
        if (!classifier) {
            fprintf(out.f, "%.17g\n", p->y_hat[i]);
            continue;
        }
        const char *name = cln_model_meta_class_name(meta, p->classes[i]);
        cli_csv_field(out.f, name ? name : "");
        fprintf(out.f, ",%.17g", p->probs[i * k + p->classes[i]]);
        for (size_t c = 0; c < k; c++)
            fprintf(out.f, ",%.17g", p->probs[i * k + c]);
        fputc('\n', out.f);
    }
    return cli_output_commit(&out, why, why_cap);
}
