// Peak arithmetic of one CPU core: float32 FMA (vfmadd231ps zmm) against the bfloat16 dot
// product (vdpbf16ps zmm), and the clock the core runs at (a chain of dependent integer adds,
// one per cycle). Build and run with scripts/cpu-peak.sh. ACC independent accumulators hide the
// instructions' latency; 16 is enough on Zen 5 (12 leaves vdpbf16ps ~7 % short).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define ACC 16

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float sum(const __m512 *acc)
{
    __m512 s = acc[0];
    for (int i = 1; i < ACC; i++) s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

// GFLOP/s of ACC chains of vfmadd231ps: 16 lanes × 2 FLOP each.
__attribute__((noinline)) static double fp32_fma(long iterations, float *sink)
{
    __m512 acc[ACC], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
    for (int i = 0; i < ACC; i++) acc[i] = _mm512_set1_ps((float)i);
    double t0 = now();
    for (long it = 0; it < iterations; it++)
#pragma GCC unroll 16
        for (int i = 0; i < ACC; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    double seconds = now() - t0;
    *sink += sum(acc);
    return iterations * (double)ACC * 32 / seconds / 1e9;
}

// GFLOP/s of ACC chains of vdpbf16ps: 16 lanes × 2 bfloat16 products and 2 adds each.
__attribute__((noinline)) static double bf16_dot(long iterations, float *sink)
{
    __m512 acc[ACC];
    __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3f80);   // 1.0
    for (int i = 0; i < ACC; i++) acc[i] = _mm512_set1_ps((float)i);
    double t0 = now();
    for (long it = 0; it < iterations; it++)
#pragma GCC unroll 16
        for (int i = 0; i < ACC; i++) acc[i] = _mm512_dpbf16_ps(acc[i], x, y);
    double seconds = now() - t0;
    *sink += sum(acc);
    return iterations * (double)ACC * 64 / seconds / 1e9;
}

__attribute__((noinline)) static double clock_ghz(long iterations)
{
    long v = 0;
    double t0 = now();
    for (long i = 0; i < iterations; i++)
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(v));
    return iterations * 4.0 / (now() - t0) / 1e9;
}

int main(void)
{
    float sink = 0;
    for (int round = 0; round < 5; round++)
    {
        double ghz = clock_ghz(400000000L), fp32 = fp32_fma(100000000L, &sink), bf16 = bf16_dot(100000000L, &sink);
        printf("clock %.2f GHz   float32 FMA %.1f GFLOP/s (%.1f FLOP/cycle)   bfloat16 dot %.1f GFLOP/s (%.1f FLOP/cycle)   ratio %.2f\n",
               ghz, fp32, fp32 / ghz, bf16, bf16 / ghz, bf16 / fp32);
    }
    return sink == 12345.0f;   // keeps the accumulators alive
}
