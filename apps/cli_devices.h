/* --list-devices of both programs: the OpenCL devices for people (a block each) and, with
 * --json, for scripts (an array of objects). */
#ifndef CLNUM_APPS_CLI_DEVICES_H
#define CLNUM_APPS_CLI_DEVICES_H

#include "clnum/clnum.h"

/* "CPU", "GPU", "accelerator" or "other", as the device lines name a device's type. */
const char *cli_device_type_name(cln_device_type t);

/* The OpenCL devices, the one that `selector` (NULL: $CLNUM_DEVICE, else the default) picks
 * marked. json_path NULL: one block each on stdout (type, compute units, memory, OpenCL C,
 * float64, the device self-check's verdict), the chosen one marked '*' ("* the device
 * PROGRAM uses"). json_path "-" (or --json left without a value): instead, a JSON array on
 * stdout, an object a device (README, "What you see"); another path: the blocks on stdout
 * and the array in that file. Returns 0; 1 when the devices cannot be listed or the file
 * cannot be written ("PROGRAM: reason" on stderr). */
int cli_list_devices(const char *program, const char *selector, const char *json_path);

#endif
