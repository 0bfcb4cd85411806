/* BLS12-381 base field Fp and its quadratic extension Fp2.
 *
 * Elements are 6 x 64-bit limbs in Montgomery form (a*R mod p, R = 2^384), always fully
 * reduced (< p) between calls. Products come from three kernel families (portable C, x86-64
 * mulq, mulx/adcx/adox; see "multiplication kernels"), chosen once by the dynamic loader.
 * The Fp2 product and the Fp4 squaring reduce once per output coefficient rather than once
 * per base product (lazy reduction). This file dominates pairing cost.
 */
#include <string.h>

#include "crypto/bls_internal.h"

typedef unsigned __int128 u128;

/* p, little-endian limbs. */
static const uint64_t P[6] = {0xb9feffffffffaaabull, 0x1eabfffeb153ffffull, 0x6730d2a0f6b0f624ull,
                              0x64774b84f38512bfull, 0x4b1ba7b6434bacd7ull, 0x1a0111ea397fe69aull};
/* -p^-1 mod 2^64 */
#define N0 0x89f3fffcfffcfffdull
/* R^2 mod p: converts to Montgomery form with one multiplication. */
static const bls_fp R2 = {{0xf4df1f341c341746ull, 0x0a76e6a609d104f1ull, 0x8de5476c4c95b6d5ull,
                           0x67eb88a9939d83c0ull, 0x9a793e85b519952dull, 0x11988fe592cae3aaull}};
const bls_fp bls_fp_const_one = {{0x760900000002fffdull, 0xebf4000bc40c0002ull, 0x5f48985753c758baull,
                                  0x77ce585370525745ull, 0x5c071a97a256ec6dull, 0x15f65ec3fa80e493ull}};
const bls_fp bls_fp_const_p = {{0xb9feffffffffaaabull, 0x1eabfffeb153ffffull, 0x6730d2a0f6b0f624ull,
                                0x64774b84f38512bfull, 0x4b1ba7b6434bacd7ull, 0x1a0111ea397fe69aull}};
const bls_fp bls_fp_const_b = {{0xaa270000000cfff3ull, 0x53cc0032fc34000aull, 0x478fe97a6b0a807full,
                                0xb1d37ebee6ba24d7ull, 0x8ec9733bbf78ab2full, 0x09d645513d83de7eull}};
const bls_fp2 bls_fp2_const_b = {
    {{0xaa270000000cfff3ull, 0x53cc0032fc34000aull, 0x478fe97a6b0a807full, 0xb1d37ebee6ba24d7ull,
      0x8ec9733bbf78ab2full, 0x09d645513d83de7eull}},
    {{0xaa270000000cfff3ull, 0x53cc0032fc34000aull, 0x478fe97a6b0a807full, 0xb1d37ebee6ba24d7ull,
      0x8ec9733bbf78ab2full, 0x09d645513d83de7eull}}};
/* Exponents. */
static const uint64_t EXP_P_MINUS_2[6] = {0xb9feffffffffaaa9ull, 0x1eabfffeb153ffffull,
                                          0x6730d2a0f6b0f624ull, 0x64774b84f38512bfull,
                                          0x4b1ba7b6434bacd7ull, 0x1a0111ea397fe69aull};
static const uint64_t EXP_P_PLUS_1_DIV_4[6] = {0xee7fbfffffffeaabull, 0x07aaffffac54ffffull,
                                               0xd9cc34a83dac3d89ull, 0xd91dd2e13ce144afull,
                                               0x92c6e9ed90d2eb35ull, 0x0680447a8e5ff9a6ull};
static const uint64_t EXP_P_MINUS_3_DIV_4[6] = {0xee7fbfffffffeaaaull, 0x07aaffffac54ffffull,
                                                0xd9cc34a83dac3d89ull, 0xd91dd2e13ce144afull,
                                                0x92c6e9ed90d2eb35ull, 0x0680447a8e5ff9a6ull};
static const uint64_t EXP_P_MINUS_1_DIV_2[6] = {0xdcff7fffffffd555ull, 0x0f55ffff58a9ffffull,
                                                0xb39869507b587b12ull, 0xb23ba5c279c2895full,
                                                0x258dd3db21a5d66bull, 0x0d0088f51cbff34dull};
/* 2^256 mod p in Montgomery form (hash_to_field splits 512-bit values at bit 256). */
static const bls_fp TWO_256 = {{0x075b3cd7c5ce820full, 0x3ec6ba621c3edb0bull, 0x168a13d82bff6bceull,
                                0x87663c4bf8c449d2ull, 0x15f34c83ddc8d830ull, 0x0f9628b49caa2e85ull}};

/* ---- limb helpers ---------------------------------------------------------------- */

/* Additions and the conditional subtraction live in crypto/bls_fp_inline.h (inline in the
 * tower code too); the products are below. */
static inline void reduce_once(uint64_t r[6], const uint64_t a[6]) { bls_reduce_once(r, a); }

void bls_fp_add(bls_fp *r, const bls_fp *a, const bls_fp *b) { bls_ifp_add(r, a, b); }
void bls_fp_sub(bls_fp *r, const bls_fp *a, const bls_fp *b) { bls_ifp_sub(r, a, b); }

void bls_fp_dbl(bls_fp *r, const bls_fp *a) { bls_fp_add(r, a, a); }

void bls_fp_neg(bls_fp *r, const bls_fp *a) {
    uint64_t nz = 0;
    for (int i = 0; i < 6; i++) nz |= a->l[i];
    uint64_t mask = 0 - (uint64_t)(nz != 0), borrow = 0;
    for (int i = 0; i < 6; i++) {
        u128 d = (u128)P[i] - a->l[i] - borrow;
        r->l[i] = (uint64_t)d & mask;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

/* ---- multiplication kernels ------------------------------------------------------------
 *
 * Three families of the same kernels, all branch-free (the assembly fully unrolled):
 *   _c     portable C with 128-bit products (any 64-bit target; on x86-64 only the tests run it)
 *   _mulq  x86-64 baseline assembly (mul/add/adc): the portable path of x86-64 machines
 *   _adx   mulx/adcx/adox assembly (BMI2 + ADX), two carry chains in flight
 * The assembly comes from crypto/bls_fp_asm.py (crypto/bls_fp_x86.h). Each family provides
 *   mul384(t, a, b)   t = a*b (12 limbs),
 *   redc(r, t)        r = t/R mod p, fully reduced, for t < p*R,
 *   mont_mul(r, a, b) r = a*b/R mod p; a < 2p and b < p suffice (a*b < p*R): the lazy sums
 *                     of fp2_sqr rely on that.
 * The public products (bls_fp_mul/sqr, bls_fp2_mul/sqr) are built from them once per family
 * (crypto/bls_fp_tmpl.h) and picked by the dynamic loader (ifunc, below). */

static void mul384_c(uint64_t t[12], const uint64_t a[6], const uint64_t b[6]) {
    uint64_t acc[12] = {0};
    for (int i = 0; i < 6; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 6; j++) {
            u128 x = (u128)a[j] * b[i] + acc[i + j] + carry;
            acc[i + j] = (uint64_t)x;
            carry = (uint64_t)(x >> 64);
        }
        acc[i + 6] = carry;
    }
    memcpy(t, acc, sizeof acc);
}

/* U = (t_lo + m*p)/R over the low half (U <= p), then U + t_hi < 2p, then one subtraction. */
static void redc_c(uint64_t r[6], const uint64_t t[12]) {
    uint64_t u[6];
    memcpy(u, t, sizeof u);
    for (int i = 0; i < 6; i++) {
        uint64_t m = u[0] * N0, carry;
        u128 x = (u128)m * P[0] + u[0];
        carry = (uint64_t)(x >> 64);
        for (int j = 1; j < 6; j++) {
            x = (u128)m * P[j] + u[j] + carry;
            u[j - 1] = (uint64_t)x;
            carry = (uint64_t)(x >> 64);
        }
        u[5] = carry;
    }
    uint64_t s[6], c = 0;
    for (int j = 0; j < 6; j++) {
        u128 x = (u128)u[j] + t[6 + j] + c;
        s[j] = (uint64_t)x;
        c = (uint64_t)(x >> 64);
    }
    reduce_once(r, s);
}

static void mont_mul_c(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {
    uint64_t t[12];
    mul384_c(t, a, b);
    redc_c(r, t);
}

/* 12-limb r = a - b for a >= b, and r = a - b mod p*R for a, b < p*R. */
static inline void sub768_c(uint64_t r[12], const uint64_t a[12], const uint64_t b[12]) {
    uint64_t borrow = 0;
    for (int i = 0; i < 12; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

static inline void sub768_modp_c(uint64_t r[12], const uint64_t a[12], const uint64_t b[12]) {
    uint64_t borrow = 0;
    for (int i = 0; i < 12; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    uint64_t mask = 0 - borrow, carry = 0;
    for (int i = 0; i < 6; i++) {
        u128 x = (u128)r[6 + i] + (P[i] & mask) + carry;
        r[6 + i] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
}

static inline void add768_c(uint64_t r[12], const uint64_t a[12], const uint64_t b[12]) {
    uint64_t carry = 0;
    for (int i = 0; i < 12; i++) {
        u128 x = (u128)a[i] + b[i] + carry;
        r[i] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
}

/* 2p^2 and 4p^2 (plain 12-limb integers): offsets that keep wide differences non-negative. */
static const uint64_t BLS_2P2[12] = {
    0x4d54000038e31c72ull, 0xf9dad63aec705d56ull, 0x2c586706c42279faull, 0xcd7f23da7ce36e86ull,
    0x525d0b50e1234092ull, 0x3ad0c3390c30b8f6ull, 0xea62926612f1de02ull, 0xa14c59fa2dbb94ddull,
    0xcdcb3c92693d17a0ull, 0xc5b921ca1ce08d68ull, 0x97a4f1d5445e4bd3ull, 0x05486f497186bf8eull};
static const uint64_t BLS_4P2[12] = {
    0x9aa8000071c638e4ull, 0xf3b5ac75d8e0baacull, 0x58b0ce0d8844f3f5ull, 0x9afe47b4f9c6dd0cull,
    0xa4ba16a1c2468125ull, 0x75a18672186171ecull, 0xd4c524cc25e3bc04ull, 0x4298b3f45b7729bbull,
    0x9b967924d27a2f41ull, 0x8b72439439c11ad1ull, 0x2f49e3aa88bc97a7ull, 0x0a90de92e30d7f1dull};

/* r = a + b without reduction (a, b < p: the sum < 2p < 2^382 fits). */
static inline void add_raw_c(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {
    uint64_t carry = 0;
    for (int i = 0; i < 6; i++) {
        u128 x = (u128)a[i] + b[i] + carry;
        r[i] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
}

#define FPV(name) name##_c
#define FPV_MUL384 mul384_c
#define FPV_REDC redc_c
#define FPV_MONT_MUL mont_mul_c
#define FPV_SUB768 sub768_c
#define FPV_SUB768_MODP sub768_modp_c
#define FPV_ADD768 add768_c
#define FPV_ADD_RAW add_raw_c
#include "crypto/bls_fp_tmpl.h"

#if BLS_X86_ASM
#include <sys/platform/x86.h>

#define BLS_X86_P P
static const uint64_t BLS_X86_N0 = N0;
#include "crypto/bls_fp_x86.h"

static inline void add_raw_x86(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {
    uint64_t s0 = a[0], s1 = a[1], s2 = a[2], s3 = a[3], s4 = a[4], s5 = a[5];
    __asm__("addq 0(%[b]), %[s0]\n\tadcq 8(%[b]), %[s1]\n\tadcq 16(%[b]), %[s2]\n\t"
            "adcq 24(%[b]), %[s3]\n\tadcq 32(%[b]), %[s4]\n\tadcq 40(%[b]), %[s5]\n\t"
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [s4] "+r"(s4),
              [s5] "+r"(s5)
            : [b] "r"(b)
            : "cc", "memory");
    r[0] = s0, r[1] = s1, r[2] = s2, r[3] = s3, r[4] = s4, r[5] = s5;
}

#define FPV(name) name##_mulq
#define FPV_MUL384 bls_x86_mul384_mulq
#define FPV_REDC bls_x86_redc_mulq
#define FPV_MONT_MUL bls_x86_mont_mul_mulq
#define FPV_SUB768 bls_x86_sub768
#define FPV_SUB768_MODP bls_x86_sub768_modp
#define FPV_ADD768 bls_x86_add768
#define FPV_ADD_RAW add_raw_x86
#include "crypto/bls_fp_tmpl.h"

#define FPV(name) name##_adx
#define FPV_MUL384 bls_x86_mul384_adx
#define FPV_REDC bls_x86_redc_adx
#define FPV_MONT_MUL bls_x86_mont_mul_adx
#define FPV_SUB768 bls_x86_sub768
#define FPV_SUB768_MODP bls_x86_sub768_modp
#define FPV_ADD768 bls_x86_add768
#define FPV_ADD_RAW add_raw_x86
#include "crypto/bls_fp_tmpl.h"

/* CPU_FEATURE_ACTIVE(BMI2) && CPU_FEATURE_ACTIVE(ADX), written out: the header's helper is a
 * separate inline function that sanitizers would instrument, and this runs inside ifunc
 * resolvers, before the sanitizer runtime has mapped its shadow memory. */
_Static_assert(x86_cpu_BMI2 / 32 == x86_cpu_ADX / 32, "BMI2 and ADX share a CPUID register");
__attribute__((no_sanitize("address", "undefined"))) bool bls_fp_adx_usable(void) {
    const unsigned per_leaf = 8 * sizeof(unsigned) * 4; /* 4 registers of 32 bits */
    const struct cpuid_feature *f = __x86_get_cpuid_feature_leaf(x86_cpu_BMI2 / per_leaf);
    unsigned reg = (x86_cpu_BMI2 % per_leaf) / 32;
    unsigned mask = (1u << (x86_cpu_BMI2 % 32)) | (1u << (x86_cpu_ADX % 32));
    return (f->active_array[reg] & mask) == mask;
}

/* Resolvers run once, at load time (ifunc), so the choice costs no state of ours and no
 * per-call test. They read glibc's view of the CPU (CPUID leaf 7: BMI2 for mulx, ADX for
 * adcx/adox) rather than raw CPUID because glibc applies GLIBC_TUNABLES=glibc.cpu.hwcaps
 * masks to it: "-BMI2" forces the mulq path, which is how tests and benches exercise it on a
 * machine that has ADX. Not instrumented: they run before the sanitizer runtime exists. */
#define BLS_RESOLVER(fn, type)                                                                 \
    __attribute__((used, no_sanitize("address", "undefined"))) static type fn##_resolve(void) { \
        return bls_fp_adx_usable() ? fn##_adx : fn##_mulq;                                      \
    }
typedef void (*fp_mul_fn)(bls_fp *, const bls_fp *, const bls_fp *);
typedef void (*fp_sqr_fn)(bls_fp *, const bls_fp *);
typedef void (*fp2_mul_fn)(bls_fp2 *, const bls_fp2 *, const bls_fp2 *);
typedef void (*fp2_sqr_fn)(bls_fp2 *, const bls_fp2 *);
typedef void (*fp4_sqr_fn)(bls_fp2 *, bls_fp2 *, const bls_fp2 *, const bls_fp2 *);
BLS_RESOLVER(fp4_sqr, fp4_sqr_fn)
BLS_RESOLVER(fp_mul, fp_mul_fn)
BLS_RESOLVER(fp_sqr, fp_sqr_fn)
BLS_RESOLVER(fp2_mul, fp2_mul_fn)
BLS_RESOLVER(fp2_sqr, fp2_sqr_fn)
void bls_fp_mul(bls_fp *r, const bls_fp *a, const bls_fp *b) __attribute__((ifunc("fp_mul_resolve")));
void bls_fp_sqr(bls_fp *r, const bls_fp *a) __attribute__((ifunc("fp_sqr_resolve")));
void bls_fp2_mul(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b)
    __attribute__((ifunc("fp2_mul_resolve")));
void bls_fp2_sqr(bls_fp2 *r, const bls_fp2 *a) __attribute__((ifunc("fp2_sqr_resolve")));
void bls_fp4_sqr(bls_fp2 *r0, bls_fp2 *r1, const bls_fp2 *x, const bls_fp2 *y)
    __attribute__((ifunc("fp4_sqr_resolve")));

#define BLS_IMPL_ENTRY(v, adx)                                                                 \
    {#v, adx, fp_mul_##v, fp_sqr_##v, fp2_mul_##v, fp2_sqr_##v, fp4_sqr_##v, k_mul384_##v,       \
     k_redc_##v}
const bls_fp_impl bls_fp_impls[] = {BLS_IMPL_ENTRY(c, false), BLS_IMPL_ENTRY(mulq, false),
                                    BLS_IMPL_ENTRY(adx, true)};
#else
bool bls_fp_adx_usable(void) { return false; }
void bls_fp_mul(bls_fp *r, const bls_fp *a, const bls_fp *b) { fp_mul_c(r, a, b); }
void bls_fp_sqr(bls_fp *r, const bls_fp *a) { fp_sqr_c(r, a); }
void bls_fp2_mul(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b) { fp2_mul_c(r, a, b); }
void bls_fp2_sqr(bls_fp2 *r, const bls_fp2 *a) { fp2_sqr_c(r, a); }
void bls_fp4_sqr(bls_fp2 *r0, bls_fp2 *r1, const bls_fp2 *x, const bls_fp2 *y) {
    fp4_sqr_c(r0, r1, x, y);
}
#define BLS_IMPL_ENTRY(v, adx)                                                                 \
    {#v, adx, fp_mul_##v, fp_sqr_##v, fp2_mul_##v, fp2_sqr_##v, fp4_sqr_##v, k_mul384_##v,       \
     k_redc_##v}
const bls_fp_impl bls_fp_impls[] = {BLS_IMPL_ENTRY(c, false)};
#endif
const size_t bls_fp_impl_count = sizeof bls_fp_impls / sizeof bls_fp_impls[0];

/* Montgomery product on bare limbs, for conversions (not hot). */
static void mont_mul(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {
    bls_fp x, y, z;
    memcpy(x.l, a, sizeof x.l);
    memcpy(y.l, b, sizeof y.l);
    bls_fp_mul(&z, &x, &y);
    memcpy(r, z.l, sizeof z.l);
}

void bls_fp_mul_small(bls_fp *r, const bls_fp *a, uint64_t k) {
    bls_fp acc, base = *a;
    bls_fp_zero(&acc);
    while (k) { /* k is a small public constant */
        if (k & 1) bls_fp_add(&acc, &acc, &base);
        bls_fp_dbl(&base, &base);
        k >>= 1;
    }
    *r = acc;
}

void bls_fp_zero(bls_fp *out) { memset(out, 0, sizeof *out); }
void bls_fp_one(bls_fp *out) { *out = bls_fp_const_one; }

bool bls_fp_is_zero(const bls_fp *a) {
    uint64_t acc = 0;
    for (int i = 0; i < 6; i++) acc |= a->l[i];
    return acc == 0;
}

bool bls_fp_eq(const bls_fp *a, const bls_fp *b) {
    uint64_t acc = 0;
    for (int i = 0; i < 6; i++) acc |= a->l[i] ^ b->l[i];
    return acc == 0;
}

void bls_fp_cmov(bls_fp *r, const bls_fp *a, uint64_t flag) {
    uint64_t mask = 0 - (flag & 1);
    for (int i = 0; i < 6; i++) r->l[i] = (r->l[i] & ~mask) | (a->l[i] & mask);
}

void bls_fp_from_u64(bls_fp *out, uint64_t v) {
    uint64_t t[6] = {v, 0, 0, 0, 0, 0};
    mont_mul(out->l, t, R2.l);
}

void bls_fp_to_canonical(uint64_t out[6], const bls_fp *a) {
    static const uint64_t one[6] = {1, 0, 0, 0, 0, 0};
    mont_mul(out, a->l, one);
}

/* a < p on plain limbs? */
static bool limbs_below_p(const uint64_t a[6]) {
    for (int i = 5; i >= 0; i--) {
        if (a[i] < P[i]) return true;
        if (a[i] > P[i]) return false;
    }
    return false; /* equal */
}

static void limbs_from_be48(uint64_t out[6], const uint8_t in[48]) {
    for (int i = 0; i < 6; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++) w = (w << 8) | in[(5 - i) * 8 + j];
        out[i] = w;
    }
}

cd_status bls_fp_from_bytes(bls_fp *out, const uint8_t in[48]) {
    uint64_t t[6];
    limbs_from_be48(t, in);
    if (!limbs_below_p(t)) return CD_ERR_BAD_POINT_ENCODING;
    mont_mul(out->l, t, R2.l);
    return CD_OK;
}

void bls_fp_to_bytes(uint8_t out[48], const bls_fp *a) {
    uint64_t t[6];
    bls_fp_to_canonical(t, a);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 8; j++) out[(5 - i) * 8 + j] = (uint8_t)(t[i] >> (56 - 8 * j));
}

void bls_fp_from_bytes64_reduce(bls_fp *r, const uint8_t in[64]) {
    /* value = hi*2^256 + lo with hi, lo < 2^256 < p, so each converts directly. */
    uint64_t hi[6] = {0}, lo[6] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t wh = 0, wl = 0;
        for (int j = 0; j < 8; j++) {
            wh = (wh << 8) | in[(3 - i) * 8 + j];
            wl = (wl << 8) | in[32 + (3 - i) * 8 + j];
        }
        hi[i] = wh;
        lo[i] = wl;
    }
    bls_fp h, l;
    mont_mul(h.l, hi, R2.l);
    mont_mul(l.l, lo, R2.l);
    bls_fp_mul(&h, &h, &TWO_256);
    bls_fp_add(r, &h, &l);
}

bool bls_fp_is_lex_largest(const bls_fp *a) {
    uint64_t t[6];
    bls_fp_to_canonical(t, a);
    for (int i = 5; i >= 0; i--) {
        if (t[i] > EXP_P_MINUS_1_DIV_2[i]) return true;
        if (t[i] < EXP_P_MINUS_1_DIV_2[i]) return false;
    }
    return false;
}

int bls_fp_sgn0(const bls_fp *a) {
    uint64_t t[6];
    bls_fp_to_canonical(t, a);
    return (int)(t[0] & 1);
}

/* Sliding-window exponentiation (windows of up to 5 bits, odd powers a^1..a^31 precomputed):
 * about 380 squarings and 80 multiplications for a 381-bit exponent. The exponent is always a
 * public constant (p-2, (p+1)/4, ...), so branching on its bits leaks nothing. */
void bls_fp_pow(bls_fp *r, const bls_fp *a, const uint64_t e[6]) {
    bls_fp odd[16], a2, acc;
    odd[0] = *a;
    bls_fp_sqr(&a2, a);
    for (int i = 1; i < 16; i++) bls_fp_mul(&odd[i], &odd[i - 1], &a2);
    int top = 383;
    while (top >= 0 && !((e[top / 64] >> (top % 64)) & 1)) top--;
    if (top < 0) {
        *r = bls_fp_const_one;
        return;
    }
    bool started = false;
    acc = bls_fp_const_one;
    int i = top;
    while (i >= 0) {
        if (!((e[i / 64] >> (i % 64)) & 1)) {
            bls_fp_sqr(&acc, &acc);
            i--;
            continue;
        }
        /* longest window [i .. j] of at most 5 bits ending in a set bit */
        int j = i - 4 < 0 ? 0 : i - 4;
        while (!((e[j / 64] >> (j % 64)) & 1)) j++;
        unsigned w = 0;
        for (int k = i; k >= j; k--) w = (w << 1) | (unsigned)((e[k / 64] >> (k % 64)) & 1);
        if (started)
            for (int k = i; k >= j; k--) bls_fp_sqr(&acc, &acc);
        if (started) bls_fp_mul(&acc, &acc, &odd[w >> 1]);
        else acc = odd[w >> 1];
        started = true;
        i = j - 1;
    }
    *r = acc;
}

void bls_fp_inv(bls_fp *r, const bls_fp *a) { bls_fp_pow(r, a, EXP_P_MINUS_2); }

bool bls_fp_is_square(const bls_fp *a) {
    bls_fp t;
    bls_fp_pow(&t, a, EXP_P_MINUS_1_DIV_2);
    return bls_fp_is_zero(&t) || bls_fp_eq(&t, &bls_fp_const_one);
}

/* p = 3 mod 4: sqrt(a) = a^((p+1)/4) when a is a square. */
bool bls_fp_sqrt(bls_fp *r, const bls_fp *a) {
    bls_fp s, chk;
    bls_fp_pow(&s, a, EXP_P_PLUS_1_DIV_4);
    bls_fp_sqr(&chk, &s);
    *r = s;
    return bls_fp_eq(&chk, a);
}

/* ---- Fp2 ---------------------------------------------------------------------------- */

cd_status bls_fp2_from_bytes(bls_fp2 *out, const uint8_t in[96]) {
    cd_status s = bls_fp_from_bytes(&out->c0, in);
    if (s != CD_OK) return s;
    return bls_fp_from_bytes(&out->c1, in + 48);
}

void bls_fp2_to_bytes(uint8_t out[96], const bls_fp2 *a) {
    bls_fp_to_bytes(out, &a->c0);
    bls_fp_to_bytes(out + 48, &a->c1);
}

void bls_fp2_zero(bls_fp2 *out) { memset(out, 0, sizeof *out); }
void bls_fp2_one(bls_fp2 *out) {
    out->c0 = bls_fp_const_one;
    bls_fp_zero(&out->c1);
}
bool bls_fp2_is_zero(const bls_fp2 *a) { return bls_fp_is_zero(&a->c0) && bls_fp_is_zero(&a->c1); }
bool bls_fp2_eq(const bls_fp2 *a, const bls_fp2 *b) {
    return bls_fp_eq(&a->c0, &b->c0) && bls_fp_eq(&a->c1, &b->c1);
}
void bls_fp2_add(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b) { bls_ifp2_add(r, a, b); }
void bls_fp2_dbl(bls_fp2 *r, const bls_fp2 *a) { bls_ifp2_dbl(r, a); }
void bls_fp2_sub(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b) { bls_ifp2_sub(r, a, b); }
void bls_fp2_neg(bls_fp2 *r, const bls_fp2 *a) {
    bls_fp_neg(&r->c0, &a->c0);
    bls_fp_neg(&r->c1, &a->c1);
}
void bls_fp2_conj(bls_fp2 *r, const bls_fp2 *a) {
    r->c0 = a->c0;
    bls_fp_neg(&r->c1, &a->c1);
}

void bls_fp2_mul_by_xi(bls_fp2 *r, const bls_fp2 *a) { bls_ifp2_mul_by_xi(r, a); }

void bls_fp2_mul_fp(bls_fp2 *r, const bls_fp2 *a, const bls_fp *b) {
    bls_fp_mul(&r->c0, &a->c0, b);
    bls_fp_mul(&r->c1, &a->c1, b);
}

void bls_fp2_mul_small(bls_fp2 *r, const bls_fp2 *a, uint64_t k) {
    bls_fp_mul_small(&r->c0, &a->c0, k);
    bls_fp_mul_small(&r->c1, &a->c1, k);
}

void bls_fp2_cmov(bls_fp2 *r, const bls_fp2 *a, uint64_t flag) {
    bls_fp_cmov(&r->c0, &a->c0, flag);
    bls_fp_cmov(&r->c1, &a->c1, flag);
}

/* 1/(a0 + a1 u) = (a0 - a1 u)/(a0^2 + a1^2). */
void bls_fp2_inv(bls_fp2 *r, const bls_fp2 *a) {
    bls_fp n, t;
    bls_fp_sqr(&n, &a->c0);
    bls_fp_sqr(&t, &a->c1);
    bls_fp_add(&n, &n, &t);
    bls_fp_inv(&n, &n);
    bls_fp_mul(&r->c0, &a->c0, &n);
    bls_fp_mul(&t, &a->c1, &n);
    bls_fp_neg(&r->c1, &t);
}

/* Square root through the norm: if a = x^2 with x = x0 + x1 u, then N(a) = a0^2 + a1^2 =
 * N(x)^2, and x0^2 is c = (a0 + s)/2 or c' = (a0 - s)/2 for s = sqrt(N(a)); c c' = -a1^2/4
 * is a non-square (-1 is one), so exactly one of them is a square. One exponentiation
 * t = c^((p-3)/4) settles both cases (p = 3 mod 4, and (p-3)/4 is even):
 *   c a square:      x0 = c t, x1 = a1/(2 x0) = a1 t/2           ((c t)^2 = c, t = 1/(c t))
 *   c a non-square:  x1 = c t, x0 = a1/(2 x1) = -a1 t/2          ((c t)^2 = -c = x0^2 - a0)
 * so two exponentiations in all (the norm's root, then t). The result is checked by
 * squaring, so no branch can return a wrong root. Needs a1 != 0 (then c != 0). */
static const bls_fp FP_HALF = {{0x1804000000015554ull, 0x855000053ab00001ull, 0x633cb57c253c276full,
                                0x6e22d1ec31ebb502ull, 0xd3916126f2d14ca2ull, 0x17fbb8571a006596ull}};

bool bls_fp2_sqrt_given_norm_root(bls_fp2 *r, const bls_fp2 *a, const bls_fp *s) {
    if (bls_fp_is_zero(&a->c1)) return bls_fp2_sqrt(r, a);
    bls_fp c, t, ct, chk, h;
    bls_fp2 x, x2;
    bls_fp_add(&c, &a->c0, s);
    bls_fp_mul(&c, &c, &FP_HALF);
    bls_fp_pow(&t, &c, EXP_P_MINUS_3_DIV_4);
    bls_fp_mul(&ct, &c, &t);
    bls_fp_sqr(&chk, &ct);
    bls_fp_mul(&h, &a->c1, &t);
    bls_fp_mul(&h, &h, &FP_HALF); /* a1 t/2 */
    if (bls_fp_eq(&chk, &c)) {
        x.c0 = ct;
        x.c1 = h;
    } else {
        bls_fp_neg(&x.c0, &h);
        x.c1 = ct;
    }
    bls_fp2_sqr(&x2, &x);
    if (!bls_fp2_eq(&x2, a)) return false;
    *r = x;
    return true;
}

void bls_fp2_norm(bls_fp *r, const bls_fp2 *a) {
    bls_fp t;
    bls_fp_sqr(r, &a->c0);
    bls_fp_sqr(&t, &a->c1);
    bls_fp_add(r, r, &t);
}

bool bls_fp2_sqrt(bls_fp2 *r, const bls_fp2 *a) {
    if (bls_fp_is_zero(&a->c1)) {
        bls_fp s, na;
        if (bls_fp_sqrt(&s, &a->c0)) {
            r->c0 = s;
            bls_fp_zero(&r->c1);
            return true;
        }
        bls_fp_neg(&na, &a->c0); /* -1 is a non-square, so -a0 is a square */
        if (!bls_fp_sqrt(&s, &na)) return false;
        bls_fp_zero(&r->c0);
        r->c1 = s;
        return true;
    }
    bls_fp n, s;
    bls_fp2_norm(&n, a);
    if (!bls_fp_sqrt(&s, &n)) return false; /* N(a) a non-square: a is not a square */
    return bls_fp2_sqrt_given_norm_root(r, a, &s);
}

int bls_fp2_sgn0(const bls_fp2 *a) {
    int sign0 = bls_fp_sgn0(&a->c0);
    int zero0 = bls_fp_is_zero(&a->c0);
    int sign1 = bls_fp_sgn0(&a->c1);
    return sign0 | (zero0 & sign1);
}

bool bls_fp2_is_lex_largest(const bls_fp2 *a) {
    if (!bls_fp_is_zero(&a->c1)) return bls_fp_is_lex_largest(&a->c1);
    return bls_fp_is_lex_largest(&a->c0);
}
