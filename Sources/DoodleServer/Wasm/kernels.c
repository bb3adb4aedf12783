// The page's hot loops as WebAssembly SIMD: convolution and the fully connected layer, for network.js.
//
// Built by Scripts/build_wasm.sh into Resources/kernels.wasm (clang from the Swift toolchain,
// --target=wasm32 -msimd128, no libc). network.js keeps a plain JavaScript version of each kernel
// beside it, and the tests compare the two. All buffers live in the module's memory, which network.js
// lays out; nothing here allocates.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/// input (H, W, C) zero-padded into (H + before + after, W + before + after, C).
EXPORT(pad)
void pad(const float *input, int h, int w, int c, int before, int after, float *output) {
    int pw = w + before + after, ph = h + before + after;
    for (int i = 0; i < ph * pw * c; i++) output[i] = 0;
    for (int y = 0; y < h; y++) {
        const float *from = input + y * w * c;
        float *to = output + ((y + before) * pw + before) * c;
        for (int i = 0; i < w * c; i++) to[i] = from[i];
    }
}

/// One output pixel block: `pixels` (1...4) neighbouring output pixels, output channels [o, o + 8).
static inline void block8(const float *x, int pw, int c, const float *weight, int k, int kernel, int stride,
                          int pixels, int o, const float *bias, int relu, float *y) {
    v128_t acc[4][2];
    v128_t b0 = wasm_v128_load(bias + o), b1 = wasm_v128_load(bias + o + 4);
    for (int p = 0; p < 4; p++) acc[p][0] = b0, acc[p][1] = b1;
    for (int ky = 0; ky < kernel; ky++) {
        for (int kx = 0; kx < kernel; kx++) {
            const float *in = x + (ky * pw + kx) * c;
            const float *w = weight + (ky * kernel + kx) * c * k + o;
            for (int ch = 0; ch < c; ch++, w += k) {
                v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 4);
                for (int p = 0; p < 4; p++) {
                    if (p == pixels) break;
                    v128_t v = wasm_f32x4_splat(in[p * stride * c + ch]);
                    acc[p][0] = wasm_f32x4_add(acc[p][0], wasm_f32x4_mul(v, w0));
                    acc[p][1] = wasm_f32x4_add(acc[p][1], wasm_f32x4_mul(v, w1));
                }
            }
        }
    }
    v128_t zero = wasm_f32x4_splat(0);
    for (int p = 0; p < pixels; p++) {
        v128_t a0 = acc[p][0], a1 = acc[p][1];
        if (relu) a0 = wasm_f32x4_max(a0, zero), a1 = wasm_f32x4_max(a1, zero);
        wasm_v128_store(y + p * k + o, a0);
        wasm_v128_store(y + p * k + o + 4, a1);
    }
}

/// Output channels [o, k) of one pixel, one at a time: the remainder when K is not a multiple of 8.
static inline void tail(const float *x, int pw, int c, const float *weight, int k, int kernel, int o,
                        const float *bias, int relu, float *y) {
    for (; o < k; o++) {
        float sum = bias[o];
        for (int ky = 0; ky < kernel; ky++)
            for (int kx = 0; kx < kernel; kx++)
                for (int ch = 0; ch < c; ch++)
                    sum += x[(ky * pw + kx) * c + ch] * weight[((ky * kernel + kx) * c + ch) * k + o];
        y[o] = relu && sum < 0 ? 0 : sum;
    }
}

/// input (PH, PW, C) already padded, weight (KH, KW, C, K), bias (K) -> output (OH, OW, K), with an
/// optional fused ReLU. Blocks of four output pixels of a row by eight channels keep eight vector sums
/// in registers, so each weight vector loaded serves four pixels.
EXPORT(conv2d)
void conv2d(const float *x, int pw, int c, const float *weight, const float *bias, int k, int kernel,
            int stride, int oh, int ow, int relu, float *y) {
    int k8 = k & ~7;
    for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox += 4) {
            int pixels = ow - ox < 4 ? ow - ox : 4;
            const float *in = x + (oy * stride * pw + ox * stride) * c;
            float *out = y + (oy * ow + ox) * k;
            for (int o = 0; o < k8; o += 8) block8(in, pw, c, weight, k, kernel, stride, pixels, o, bias, relu, out);
            if (k8 < k) {
                for (int p = 0; p < pixels; p++)
                    tail(in + p * stride * c, pw, c, weight, k, kernel, k8, bias, relu, out + p * k);
            }
        }
    }
}

/// input (F), weight (F, U) (PyTorch's (U, F) transposed), bias (U) -> output (U), with an optional
/// fused ReLU. Zero inputs, most of them after a ReLU, are skipped.
EXPORT(linear)
void linear(const float *x, int f, const float *weight, const float *bias, int u, int relu, float *y) {
    int u4 = u & ~3;
    for (int o = 0; o < u; o++) y[o] = bias[o];
    for (int i = 0; i < f; i++) {
        float v = x[i];
        if (v == 0) continue;
        const float *w = weight + i * u;
        v128_t s = wasm_f32x4_splat(v);
        for (int o = 0; o < u4; o += 4) {
            v128_t sum = wasm_f32x4_add(wasm_v128_load(y + o), wasm_f32x4_mul(s, wasm_v128_load(w + o)));
            wasm_v128_store(y + o, sum);
        }
        for (int o = u4; o < u; o++) y[o] += v * w[o];
    }
    if (relu) {
        for (int o = 0; o < u; o++) y[o] = y[o] < 0 ? 0 : y[o];
    }
}
