#include "cli_devices.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli_args.h"
#include "report.h"

const char *cli_device_type_name(cln_device_type t)
{
    switch (t) {
    case CLN_DEVICE_CPU: return "CPU";
    case CLN_DEVICE_GPU: return "GPU";
    case CLN_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

static void print_bytes(double bytes)
{
    if (bytes >= (1u << 30))
        printf("%.1f GiB", bytes / (1u << 30));
    else if (bytes >= (1u << 20))
        printf("%.0f MiB", bytes / (1u << 20));
    else
        printf("%.0f KiB", bytes / (1u << 10));
}

static const char *const path_names[] = {"auto", "stepwise", "fused", "epoch", "persistent"};

/* The device self-check's verdict (runtime.h), as the cache has it. */
static void print_selfcheck(const cln_device_info *d)
{
    if (!d->paths_checked) {
        printf("       training paths: not checked yet (checked at the first training)\n");
        return;
    }
    if (!d->paths_disabled) {
        printf("       training paths: all checked against the host replica\n");
        return;
    }
    printf("       training paths off:");
    for (int p = CLN_PATH_FUSED; p <= CLN_PATH_PERSISTENT; p++)
        if (d->paths_disabled & (1u << p))
            printf(" %s", path_names[p]);
    printf(" (%s)\n", d->paths_note);
}

static void print_list(const char *program, const cln_device_info *list, size_t count,
                       size_t chosen, int bad_selector, const char *selector,
                       const char *source)
{
    for (size_t i = 0; i < count; i++) {
        const cln_device_info *d = &list[i];
        if (i == 0 || d->platform_index != list[i - 1].platform_index)
            printf("platform %zu: %s\n", d->platform_index, d->platform_name);
        printf("%c %zu:%zu  %s\n", i == chosen ? '*' : ' ', d->platform_index, d->device_index,
               d->device_name);
        printf("       %s, %u compute units, ", cli_device_type_name(d->type), d->compute_units);
        print_bytes((double)d->global_mem_bytes);
        printf(" memory (");
        print_bytes((double)d->max_alloc_bytes);
        printf(" per buffer), ");
        print_bytes((double)d->local_mem_bytes);
        printf(" local\n       %s, %s, %s, driver %s\n", d->opencl_c_version,
               d->has_float64 ? "float64" : "no float64",
               d->has_device_acq_rel ? "device acquire/release" : "no device acquire/release",
               d->driver_version);
        print_selfcheck(d);
    }
    if (bad_selector)
        printf("no device matches '%s' (%s)\n", selector ? selector : "", source);
    else
        printf("* the device %s uses (%s%s%s)\n", program, source, selector ? " " : "",
               selector ? selector : "");
}

/* One device for scripts: what a selector names it by, and what it has. */
static json_t *device_json(const cln_device_info *d, int chosen)
{
    json_t *o = json_object();
    char sel[64];
    snprintf(sel, sizeof sel, "%zu:%zu", d->platform_index, d->device_index);
    int bad = !o;
    if (o) {
        bad |= cli_json_set(o, "clnum_version", json_string(cln_version()));
        bad |= cli_json_set(o, "selector", json_string(sel));
        bad |= cli_json_set(o, "platform_index", json_integer((json_int_t)d->platform_index));
        bad |= cli_json_set(o, "device_index", json_integer((json_int_t)d->device_index));
        bad |= cli_json_set(o, "platform", cli_json_text(d->platform_name));
        bad |= cli_json_set(o, "device", cli_json_text(d->device_name));
        bad |= cli_json_set(o, "type", json_string(cli_device_type_name(d->type)));
        bad |= cli_json_set(o, "chosen", json_boolean(chosen));
        bad |= cli_json_set(o, "float64", json_boolean(d->has_float64));
        bad |= cli_json_set(o, "memory_bytes", json_integer((json_int_t)d->global_mem_bytes));
        bad |= cli_json_set(o, "max_alloc_bytes", json_integer((json_int_t)d->max_alloc_bytes));
        bad |= cli_json_set(o, "local_memory_bytes",
                            json_integer((json_int_t)d->local_mem_bytes));
        bad |= cli_json_set(o, "compute_units", json_integer((json_int_t)d->compute_units));
        bad |= cli_json_set(o, "opencl_c", cli_json_text(d->opencl_c_version));
        bad |= cli_json_set(o, "driver", cli_json_text(d->driver_version));
        bad |= cli_json_set(o, "device_acquire_release", json_boolean(d->has_device_acq_rel));
        json_t *off = json_array();
        for (int p = CLN_PATH_FUSED; off && p <= CLN_PATH_PERSISTENT; p++)
            if (d->paths_disabled & (1u << p))
                bad |= json_array_append_new(off, json_string(path_names[p])) != 0;
        bad |= cli_json_set(o, "paths_checked", json_boolean(d->paths_checked));
        bad |= cli_json_set(o, "paths_off", off);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int write_json(const char *program, const cln_device_info *list, size_t count,
                      size_t chosen, const char *path)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < count; i++)
        if (json_array_append_new(a, device_json(&list[i], i == chosen)) != 0) {
            json_decref(a);
            a = NULL;
        }
    char why[1100];
    int rc = 0;
    if (!a) {
        fprintf(stderr, "%s: --json: out of memory\n", program);
        rc = 1;
    } else if (cli_json_write(a, path, why, sizeof why) != 0) {
        fprintf(stderr, "%s: --json: %s\n", program, why);
        rc = 1;
    }
    json_decref(a);
    return rc;
}

int cli_list_devices(const char *program, const char *selector, const char *json_path)
{
    cln_device_info *list;
    size_t count, chosen = (size_t)-1;
    if (cln_devices_list(&list, &count) != CLN_SUCCESS) {
        fprintf(stderr, "%s: %s\n", program, cln_last_error(NULL));
        return 1;
    }
    cln_device_selector sel;
    const char *source = selector ? "--device" : "default";
    if (!selector && getenv("CLNUM_DEVICE")) {
        selector = getenv("CLNUM_DEVICE");
        source = "CLNUM_DEVICE";
    }
    int bad_selector = cln_device_selector_parse(selector, &sel) != CLN_SUCCESS ||
                       cln_devices_choose(list, count, &sel, &chosen) != CLN_SUCCESS;
    int rc = 0;
    if (!json_path || !cli_is_stdio(json_path))
        print_list(program, list, count, chosen, bad_selector, selector, source);
    fflush(stdout);
    if (json_path)
        rc = write_json(program, list, count, chosen, json_path);
    cln_devices_free(list);
    return rc;
}
