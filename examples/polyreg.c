/* A model of your own, trained by clnum's trainer: polynomial regression of one input,
 *   y = w1 x + w2 x^2 + w3 x^3 + b,
 * with its own OpenCL kernel (polyreg.cl beside this file). cln_model_create() (clnum/model.h)
 * turns a table of functions into a model that cln_fit() trains: the trainer owns the loop
 * (the shuffled order, validation, the read-back of the losses, divergence, weight decay),
 * and the model enqueues the work of one minibatch. Here that is one launch a minibatch of a
 * small one-work-group kernel that computes the powers of x on the fly from the data's single
 * column, the loss, the gradient and the SGD step. Its functions report failures with a
 * status and cln_context_set_error(), so cln_fit() returns them with their message.
 *
 * The program makes 2000 rows of y = 0.5 x - 1.2 x^2 + 0.8 x^3 + 0.3 + noise, x uniform in
 * (-1, 1), trains on 1600 of them (400 for validation), prints the learned coefficients next
 * to the true ones (and to the exact least-squares fit of the same rows, which the noise
 * keeps from the truth too), and exits 0 only when each is within TOLERANCE of the truth.
 *
 * Where the kernel comes from: polyreg.cl is read when the program runs, from the path
 * POLYREG_CL, which CMakeLists.txt and the Makefile beside this file define as the absolute
 * path of examples/polyreg.cl. The program then runs from any folder, and a change to the
 * kernel needs no rebuild (a program that is shipped would rather embed the source, as clnum
 * embeds its own kernels). A path given as the first argument reads another file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clnum/clnum.h>

#ifndef POLYREG_CL
#define POLYREG_CL "polyreg.cl" /* built by hand without the definition: the current folder */
#endif

#define DEGREE 3
#define NUM_PARAMS (DEGREE + 1) /* w1 .. w3, then b: save_params's and load_params's order */
#define ROWS 2000
#define TRAIN 1600
#define TOLERANCE 0.05

typedef struct polyreg {
    cln_context *ctx;
    cl_command_queue queue;   /* the context's, not ours to release */
    cl_program program;
    cl_kernel kernel;
    cl_mem params;            /* NUM_PARAMS floats on the device */
    size_t wg;                /* the kernel's work-group: one group a minibatch */
} polyreg;

static cln_status cl_failed(polyreg *m, cl_int err, const char *what)
{
    return cln_context_set_error(m->ctx, (cln_status)err, "polyreg: %s: %s (%d)", what,
                                 cln_status_str(err), (int)err);
}

/* One launch for one minibatch: its loss to results[loss_at] and, with a step, the update. */
static cln_status enqueue_batch(polyreg *m, const cln_batch *batch, const cln_step *step,
                                cln_tensor *results, size_t loss_at)
{
    cl_mem index = NULL; /* rows in order */
    if (batch->loader) {
        index = cln_loader_index_buffer(batch->loader); /* the epoch's shuffle, on the device */
        if (!index)
            return cln_context_set_error(m->ctx, CLN_ERR_UNSUPPORTED,
                                         "polyreg: the loader has no row order on the device");
    }
    cl_mem X = cln_tensor_buffer(batch->X), y = cln_tensor_buffer(batch->y);
    cl_mem res = cln_tensor_buffer(results);
    cl_ulong x_offset = cln_tensor_offset(batch->X), y_offset = cln_tensor_offset(batch->y);
    cl_ulong first = batch->first, at = cln_tensor_offset(results) + loss_at;
    cl_uint count = (cl_uint)batch->count;
    cl_float lr = step ? (cl_float)step->lr : 0.0f;
    cl_float decay = step ? (cl_float)(1.0 - step->lr * step->weight_decay) : 1.0f;
    cl_int update = step != NULL;
    const struct {
        size_t size;
        const void *value;
    } args[] = {{sizeof X, &X},         {sizeof x_offset, &x_offset}, {sizeof y, &y},
                {sizeof y_offset, &y_offset}, {sizeof index, &index}, {sizeof first, &first},
                {sizeof count, &count}, {sizeof m->params, &m->params}, {sizeof lr, &lr},
                {sizeof decay, &decay}, {sizeof update, &update}, {sizeof res, &res},
                {sizeof at, &at}};
    for (cl_uint i = 0; i < sizeof args / sizeof args[0]; i++) {
        cl_int err = clSetKernelArg(m->kernel, i, args[i].size, args[i].value);
        if (err != CL_SUCCESS)
            return cl_failed(m, err, "clSetKernelArg");
    }
    cl_int err = clEnqueueNDRangeKernel(m->queue, m->kernel, 1, NULL, &m->wg, &m->wg, 0, NULL,
                                        NULL);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_failed(m, err, "enqueueing polyreg_batch");
}

static cln_status train_batch(void *self, const cln_batch *batch, const cln_step *step,
                              cln_tensor *results, size_t loss_at)
{
    return enqueue_batch(self, batch, step, results, loss_at);
}

static cln_status eval_batch(void *self, const cln_batch *batch, cln_tensor *results,
                             size_t loss_at, size_t metric_at)
{
    (void)metric_at; /* no metric (metric_name is NULL): SIZE_MAX */
    return enqueue_batch(self, batch, NULL, results, loss_at);
}

static cln_status save_params(void *self, cln_tensor *results, size_t at)
{
    polyreg *m = self;
    cl_int err = clEnqueueCopyBuffer(m->queue, m->params, cln_tensor_buffer(results), 0,
                                     (cln_tensor_offset(results) + at) * sizeof(cl_float),
                                     NUM_PARAMS * sizeof(cl_float), 0, NULL, NULL);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_failed(m, err, "copying the parameters");
}

/* A blocking write: the values are the trainer's, valid only during the call. */
static cln_status load_params(void *self, const double *params)
{
    polyreg *m = self;
    cl_float v[NUM_PARAMS];
    for (size_t j = 0; j < NUM_PARAMS; j++)
        v[j] = (cl_float)params[j];
    cl_int err = clEnqueueWriteBuffer(m->queue, m->params, CL_TRUE, 0, sizeof v, v, 0, NULL,
                                      NULL);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_failed(m, err, "setting the parameters");
}

/* Frees only what the model made itself (OpenCL objects, host memory): cln_model_free() or
 * cln_context_free() calls it, the latter perhaps after freeing the context's other objects. */
static void destroy(void *self)
{
    polyreg *m = self;
    if (m->params)
        clReleaseMemObject(m->params);
    if (m->kernel)
        clReleaseKernel(m->kernel);
    if (m->program)
        clReleaseProgram(m->program);
    free(m);
}

static const cln_model_ops polyreg_ops = {
    .struct_size = sizeof(cln_model_ops),
    .kind = "polyreg",
    .metric_name = NULL,
    .check_data = NULL, /* the trainer checks dtype and the one input */
    .train_batch = train_batch,
    .eval_batch = eval_batch,
    .save_params = save_params,
    .load_params = load_params,
    .destroy = destroy,
};

/* The whole file at path, NUL-terminated, or NULL (the reason in the context's message). */
static char *read_file(cln_context *ctx, const char *path)
{
    errno = 0;
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)size + 1)) != NULL &&
        fread(text, 1, (size_t)size, f) == (size_t)size)
        text[size] = '\0';
    else {
        free(text);
        text = NULL;
        cln_context_set_error(ctx, CLN_ERR_IO, "polyreg: cannot read the kernel file %s: %s", path,
                              errno ? strerror(errno) : "read error");
    }
    if (f)
        fclose(f);
    return text;
}

/* m->program and m->kernel from the source, for work-groups of m->wg. */
static cln_status build_kernel(polyreg *m, cl_context cl, cl_device_id device, const char *source,
                               const char *path)
{
    cl_int err;
    m->program = clCreateProgramWithSource(cl, 1, &source, NULL, &err);
    if (err != CL_SUCCESS)
        return cl_failed(m, err, "clCreateProgramWithSource");
    char options[32];
    snprintf(options, sizeof options, "-DWG=%zu", m->wg);
    err = clBuildProgram(m->program, 1, &device, options, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[2048] = "";
        clGetProgramBuildInfo(m->program, device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        return cln_context_set_error(m->ctx, CLN_ERR_BUILD_FAILED, "polyreg: %s does not build: %s",
                                     path, log);
    }
    m->kernel = clCreateKernel(m->program, "polyreg_batch", &err);
    return err == CL_SUCCESS ? CLN_SUCCESS : cl_failed(m, err, "clCreateKernel");
}

/* Builds the kernel from `path` and makes the model with parameters `init`; *self stays
 * usable while the model lives (polyreg_get()). */
static cln_status polyreg_create(cln_context *ctx, const char *path, const float init[NUM_PARAMS],
                                 polyreg **self, cln_model **model)
{
    polyreg *m = calloc(1, sizeof *m);
    if (!m)
        return cln_context_set_error(ctx, CLN_ERR_OUT_OF_HOST_MEMORY, "polyreg: out of memory");
    m->ctx = ctx;
    cl_context cl;
    cl_device_id device;
    cln_status st = cln_context_cl(ctx, &cl, &device, &m->queue);
    char *source = st == CLN_SUCCESS ? read_file(ctx, path) : NULL;
    if (!source) {
        free(m);
        return st == CLN_SUCCESS ? CLN_ERR_IO : st;
    }
    /* the work-group: 64 work-items, or the largest power of two the device takes for this
     * kernel (a driver may take fewer for a kernel than for the device: built again then) */
    size_t max_wg = 1;
    clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_wg, &max_wg, NULL);
    for (m->wg = 64; m->wg > max_wg && m->wg > 1; m->wg /= 2)
        ;
    cl_int err = CL_SUCCESS;
    for (;;) {
        st = build_kernel(m, cl, device, source, path);
        if (st != CLN_SUCCESS)
            break;
        size_t kernel_wg = 0;
        err = clGetKernelWorkGroupInfo(m->kernel, device, CL_KERNEL_WORK_GROUP_SIZE,
                                       sizeof kernel_wg, &kernel_wg, NULL);
        if (err != CL_SUCCESS || kernel_wg >= m->wg || m->wg == 1)
            break;
        clReleaseKernel(m->kernel);
        clReleaseProgram(m->program);
        m->kernel = NULL;
        m->program = NULL;
        while (m->wg > kernel_wg && m->wg > 1)
            m->wg /= 2;
    }
    free(source);
    if (st != CLN_SUCCESS) {
        destroy(m);
        return st;
    }
    if (err == CL_SUCCESS)
        m->params = clCreateBuffer(cl, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                                   NUM_PARAMS * sizeof(cl_float), (void *)init, &err);
    if (err != CL_SUCCESS) {
        st = cl_failed(m, err, "making the kernel and the parameters");
        destroy(m);
        return st;
    }
    /* float32 parameters; one input (x); four parameter values */
    st = cln_model_create(ctx, CLN_FLOAT32, 1, NUM_PARAMS, &polyreg_ops, m, model);
    if (st != CLN_SUCCESS) { /* not made: destroy is ours to call */
        destroy(m);
        return st;
    }
    *self = m;
    return CLN_SUCCESS;
}

/* The parameters to the host (waits). */
static cln_status polyreg_get(polyreg *m, double out[NUM_PARAMS])
{
    cl_float v[NUM_PARAMS];
    cl_int err = clEnqueueReadBuffer(m->queue, m->params, CL_TRUE, 0, sizeof v, v, 0, NULL, NULL);
    if (err != CL_SUCCESS)
        return cl_failed(m, err, "reading the parameters");
    for (size_t j = 0; j < NUM_PARAMS; j++)
        out[j] = v[j];
    return CLN_SUCCESS;
}

int main(int argc, char **argv)
{
    const char *kernel_path = argc > 1 ? argv[1] : POLYREG_CL;
    static const double truth[NUM_PARAMS] = {0.5, -1.2, 0.8, 0.3}; /* w1, w2, w3, b */
    static double X[ROWS], y[ROWS];
    for (size_t i = 0; i < ROWS; i++) { /* any source of numbers will do; here clnum's Philox */
        double x = -1.0 + 2.0 * cln_philox_uniform(cln_philox_u32(7, 0, i));
        X[i] = x;
        y[i] = truth[DEGREE] + 0.05 * cln_philox_normal(7, 1, i);
        for (int k = DEGREE; k >= 1; k--)
            y[i] += truth[k - 1] * pow(x, k);
    }

    cln_context *ctx;
    if (cln_context_create(NULL, &ctx) != CLN_SUCCESS) { /* NULL: $CLNUM_DEVICE or default */
        fprintf(stderr, "polyreg: %s\n", cln_last_error(NULL));
        return 1;
    }
    printf("clnum %s on %s\n", CLNUM_VERSION_STRING, cln_context_device(ctx)->device_name);

    cln_dataset *data = NULL;
    polyreg *self = NULL;
    cln_model *model = NULL;
    const float init[NUM_PARAMS] = {0.0f, 0.0f, 0.0f, 0.0f};
    cln_trainer_config tc;
    cln_trainer_config_init(&tc);
    tc.max_epochs = 100;
    tc.lr = 0.5;
    tc.batch_size = 32;
    cln_history hist = {0};
    double learned[NUM_PARAMS];
    cln_status st = cln_dataset_create(ctx, CLN_FLOAT32, X, y, ROWS, 1, TRAIN, &data);
    if (st == CLN_SUCCESS)
        st = polyreg_create(ctx, kernel_path, init, &self, &model);
    if (st == CLN_SUCCESS)
        st = cln_fit(model, data, &tc, &hist);
    if (st == CLN_SUCCESS)
        st = polyreg_get(self, learned);
    if (st != CLN_SUCCESS) {
        fprintf(stderr, "polyreg: %s: %s\n", cln_status_str(st), cln_last_error(ctx));
        cln_history_free(&hist);
        cln_context_free(ctx); /* frees the data and the model (calling its destroy) */
        return 1;
    }
    const char *path = hist.path == CLN_PATH_STEPWISE ? "stepwise" : "another";
    printf("%s model, %zu epochs on the %s path, last validation loss %.6f (noise alone: %.6f)\n",
           cln_model_kind(model), hist.epochs, path, hist.val_loss.y[hist.val_loss.count - 1],
           0.5 * 0.05 * 0.05);
    cln_history_free(&hist);
    cln_model_free(model); /* destroy frees self */
    cln_context_free(ctx);

    /* The closed-form answer on the same training rows, on the host: features x, x^2, x^3. */
    static double powers[TRAIN * DEGREE];
    double exact[NUM_PARAMS];
    for (size_t i = 0; i < TRAIN; i++)
        for (int k = 1; k <= DEGREE; k++)
            powers[i * DEGREE + (size_t)(k - 1)] = pow(X[i], k);
    if (cln_lstsq(powers, y, TRAIN, DEGREE, 1, CLN_LSTSQ_QR, exact, &exact[DEGREE], NULL) !=
        CLN_SUCCESS) {
        fprintf(stderr, "polyreg: %s\n", cln_last_error(NULL));
        return 1;
    }
    static const char *const names[NUM_PARAMS] = {"w1 (x)", "w2 (x^2)", "w3 (x^3)", "b"};
    int ok = 1;
    printf("%-9s %8s %8s %8s\n", "", "true", "learned", "exact");
    for (size_t j = 0; j < NUM_PARAMS; j++) {
        printf("%-9s %8.4f %8.4f %8.4f\n", names[j], truth[j], learned[j], exact[j]);
        ok = ok && fabs(learned[j] - truth[j]) <= TOLERANCE;
    }
    printf("%s %.2f of the true coefficients\n", ok ? "every one within" : "NOT all within",
           TOLERANCE);
    return ok ? 0 : 1;
}
