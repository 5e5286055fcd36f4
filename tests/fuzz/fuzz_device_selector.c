/* libFuzzer harness: the device selector ("PLATFORM:DEVICE", CLNUM_DEVICE, --device).
 * cln_device_selector_parse() on any bytes, then cln_devices_choose() of the result on a
 * fixed list of devices (no OpenCL call). Traps when a contract breaks:
 *   success: the names are NUL-terminated, printable and lower case, the indices -1 or a
 *            number of at most 9 digits, and choosing gives an index inside the list or
 *            CLN_ERR_NO_DEVICE with a message;
 *   failure: CLN_ERR_PARSE with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clnum/runtime.h"

static void check_name(const char *name, size_t cap)
{
    size_t n = strnlen(name, cap);
    if (n == cap)
        __builtin_trap(); /* not NUL-terminated */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c > 0x7e || (c >= 'A' && c <= 'Z'))
            __builtin_trap();
    }
}

static void fake_devices(cln_device_info list[3])
{
    memset(list, 0, 3 * sizeof *list);
    strcpy(list[0].platform_name, "Portable Computing Language");
    strcpy(list[0].device_name, "cpu-haswell-AMD EPYC");
    list[0].type = CLN_DEVICE_CPU;
    for (int i = 1; i < 3; i++) {
        list[i].platform_index = 1;
        list[i].device_index = (size_t)i - 1;
        strcpy(list[i].platform_name, "NVIDIA CUDA");
        strcpy(list[i].vendor, "NVIDIA Corporation");
        list[i].type = CLN_DEVICE_GPU;
    }
    strcpy(list[1].device_name, "NVIDIA H100 80GB HBM3");
    strcpy(list[2].device_name, "NVIDIA H200");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cln_device_selector s;
    cln_status st = cln_device_selector_parse(text, &s);
    if (st == CLN_SUCCESS) {
        check_name(s.platform_name, sizeof s.platform_name);
        check_name(s.device_name, sizeof s.device_name);
        if (s.platform_index < -1 || s.platform_index > 999999999 || s.device_index < -1 ||
            s.device_index > 999999999)
            __builtin_trap();
        if (s.platform_index >= 0 && s.platform_name[0])
            __builtin_trap(); /* an index or a name, not both */
        cln_device_info list[3];
        fake_devices(list);
        size_t chosen = 99;
        cln_status c = cln_devices_choose(list, 3, &s, &chosen);
        if (c == CLN_SUCCESS ? chosen >= 3 : c != CLN_ERR_NO_DEVICE || !*cln_last_error(NULL))
            __builtin_trap();
    } else if (st != CLN_ERR_PARSE || !*cln_last_error(NULL)) {
        __builtin_trap();
    }
    free(text);
    return 0;
}
