/* Plain OpenCL programs run under Oclgrind by .ci/oclgrind.sh, to prove the check itself:
 *   oob:   a kernel writes one element past the end of its buffer; Oclgrind must report it
 *          (so a report does fail the run);
 *   reuse: Oclgrind 21.10's false positive that .ci/oclgrind_keep_buffers.c works around:
 *          a 1-float buffer is released, a 2-float buffer takes its number, a kernel writes
 *          both floats and a second kernel reads them; --uninitialized reports the second
 *          float as uninitialised, although the results are right. It must be reported
 *          without the workaround and not with it. */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <string.h>

static const char *src =
    "kernel void fill(global float *x, uint n) { uint i = get_global_id(0); if (i <= n) x[i] = 1.0f; }\n"
    "kernel void twice(global float *x, uint n) { uint i = get_global_id(0); if (i < n) x[i] *= 2.0f; }\n";

int main(int argc, char **argv)
{
    int oob = argc > 1 && strcmp(argv[1], "oob") == 0;
    cl_platform_id p;
    cl_device_id d;
    cl_int e;
    if (clGetPlatformIDs(1, &p, NULL) != CL_SUCCESS ||
        clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 1, &d, NULL) != CL_SUCCESS) {
        fprintf(stderr, "no OpenCL device\n");
        return 2;
    }
    cl_context c = clCreateContext(NULL, 1, &d, NULL, NULL, &e);
    cl_command_queue q = clCreateCommandQueue(c, d, 0, &e);
    cl_program pr = clCreateProgramWithSource(c, 1, &src, NULL, &e);
    if (clBuildProgram(pr, 1, &d, "", NULL, NULL) != CL_SUCCESS)
        return 2;
    cl_kernel kf = clCreateKernel(pr, "fill", &e), kt = clCreateKernel(pr, "twice", &e);
    float v[2] = {5, 5};
    if (!oob) { /* a smaller buffer first, released */
        cl_mem a = clCreateBuffer(c, CL_MEM_READ_WRITE, sizeof(float), NULL, &e);
        clEnqueueWriteBuffer(q, a, CL_TRUE, 0, sizeof(float), v, 0, NULL, NULL);
        clReleaseMemObject(a);
    }
    cl_mem b = clCreateBuffer(c, CL_MEM_READ_WRITE, 2 * sizeof(float), NULL, &e);
    /* oob: fill writes x[0..n], one past the end with n = 2; reuse: n = 1 less, so fill
     * writes x[0] and x[1] exactly */
    cl_uint n_fill = oob ? 2 : 1, n = 2;
    size_t g = 4;
    clSetKernelArg(kf, 0, sizeof b, &b);
    clSetKernelArg(kf, 1, sizeof n_fill, &n_fill);
    clSetKernelArg(kt, 0, sizeof b, &b);
    clSetKernelArg(kt, 1, sizeof n, &n);
    clEnqueueNDRangeKernel(q, kf, 1, NULL, &g, NULL, 0, NULL, NULL);
    clEnqueueNDRangeKernel(q, kt, 1, NULL, &g, NULL, 0, NULL, NULL);
    clEnqueueReadBuffer(q, b, CL_TRUE, 0, sizeof v, v, 0, NULL, NULL);
    printf("%s: %g %g\n", oob ? "oob" : "reuse", v[0], v[1]);
    clReleaseMemObject(b);
    clReleaseKernel(kf);
    clReleaseKernel(kt);
    clReleaseProgram(pr);
    clReleaseCommandQueue(q);
    clReleaseContext(c);
    return v[0] == 2 && v[1] == 2 ? 0 : 1;
}
