/* evm unit tests: 256-bit arithmetic against GMP, small programs through eth_call with
 * exact gas, host failures, estimateGas, createAccessList and transaction application. */
#include <gmp.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "evm/evm.h"
#include "evm/internal.h"
#include "src/commands.h"
#include "evm/u256.h"
#include "tests/test.h"

/* ---- arithmetic vs GMP ---- */

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random word with a random number of significant limbs (edge-heavy). */
static cd_u256 rnd_word(uint64_t *s) {
    cd_u256 v = {{0, 0, 0, 0}};
    int limbs = (int)(rng_next(s) % 5);
    for (int i = 0; i < limbs; i++) v.w[i] = rng_next(s);
    if (limbs && rng_next(s) % 4 == 0) v.w[limbs - 1] >>= rng_next(s) % 64;
    if (rng_next(s) % 8 == 0) v.w[0] = rng_next(s) % 3;
    return v;
}

static void to_mpz(mpz_t z, const cd_u256 *v) {
    mpz_set_ui(z, 0);
    for (int i = 3; i >= 0; i--) {
        mpz_mul_2exp(z, z, 64);
        mpz_add_ui(z, z, 0); /* keep GMP happy with 64-bit limbs on any platform */
        mpz_t t;
        mpz_init(t);
        mpz_import(t, 1, 1, sizeof(uint64_t), 0, 0, &v->w[i]);
        mpz_add(z, z, t);
        mpz_clear(t);
    }
}

static cd_u256 from_mpz(const mpz_t z) {
    mpz_t m, t;
    mpz_init(m);
    mpz_init(t);
    mpz_set_ui(t, 1);
    mpz_mul_2exp(t, t, 256);
    mpz_mod(m, z, t);
    cd_u256 v = {{0, 0, 0, 0}};
    size_t count = 0;
    uint64_t limbs[4] = {0};
    mpz_export(limbs, &count, -1, sizeof(uint64_t), 0, 0, m);
    for (size_t i = 0; i < count && i < 4; i++) v.w[i] = limbs[i];
    mpz_clear(m);
    mpz_clear(t);
    return v;
}

static void test_u256_vs_gmp(test_ctx *t) {
    uint64_t s = 0x1234567887654321ull;
    mpz_t a, b, c, r;
    mpz_inits(a, b, c, r, NULL);
    int bad = 0;
    for (int i = 0; i < 20000 && bad < 5; i++) {
        cd_u256 x = rnd_word(&s), y = rnd_word(&s), m = rnd_word(&s);
        to_mpz(a, &x);
        to_mpz(b, &y);
        to_mpz(c, &m);
        cd_u256 got, want;
        /* mul */
        got = u256_mul(&x, &y);
        mpz_mul(r, a, b);
        want = from_mpz(r);
        if (!cd_u256_eq(&got, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "mul"); }
        /* div / mod */
        cd_u256 q, rem;
        u256_divmod(&x, &y, &q, &rem);
        if (mpz_sgn(b)) {
            mpz_fdiv_q(r, a, b);
            want = from_mpz(r);
            if (!cd_u256_eq(&q, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "div"); }
            mpz_fdiv_r(r, a, b);
            want = from_mpz(r);
            if (!cd_u256_eq(&rem, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "mod"); }
        } else if (!cd_u256_is_zero(&q) || !cd_u256_is_zero(&rem)) {
            { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "div by zero"); }
        }
        /* addmod / mulmod */
        got = u256_addmod(&x, &y, &m);
        if (mpz_sgn(c)) {
            mpz_add(r, a, b);
            mpz_mod(r, r, c);
            want = from_mpz(r);
        } else {
            want = u256_from_u64(0);
        }
        if (!cd_u256_eq(&got, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "addmod"); }
        got = u256_mulmod(&x, &y, &m);
        if (mpz_sgn(c)) {
            mpz_mul(r, a, b);
            mpz_mod(r, r, c);
            want = from_mpz(r);
        }
        if (!cd_u256_eq(&got, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "mulmod"); }
        /* exp with a small exponent (GMP powm mod 2^256) */
        cd_u256 e = u256_from_u64(y.w[0] % 300);
        got = u256_exp(&x, &e);
        mpz_t two256;
        mpz_init(two256);
        mpz_set_ui(two256, 1);
        mpz_mul_2exp(two256, two256, 256);
        mpz_powm_ui(r, a, e.w[0], two256);
        mpz_clear(two256);
        want = from_mpz(r);
        if (!cd_u256_eq(&got, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "exp"); }
        /* shifts */
        unsigned sh = (unsigned)(m.w[0] % 260);
        got = u256_shl(&x, sh);
        mpz_mul_2exp(r, a, sh);
        want = from_mpz(r);
        if (!cd_u256_eq(&got, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "shl"); }
        got = u256_shr(&x, sh);
        mpz_fdiv_q_2exp(r, a, sh);
        want = from_mpz(r);
        if (!cd_u256_eq(&got, &want)) { bad++; test_fail_at(t, __FILE__, __LINE__, "%s mismatch", "shr"); }
    }
    mpz_clears(a, b, c, r, NULL);
}

/* SIGNEXTEND against GMP: x mod 2^(8k+8), minus 2^(8k+8) when its top bit is set; k past 30
 * (or past 64 bits) leaves x as it is. */
static void test_signextend_vs_gmp(test_ctx *t) {
    uint64_t s = 0x5eed5eed12345678ull;
    mpz_t a, r, m;
    mpz_inits(a, r, m, NULL);
    int bad = 0;
    for (int i = 0; i < 20000 && bad < 5; i++) {
        cd_u256 x = rnd_word(&s), k = u256_from_u64(rng_next(&s) % 34);
        if (i % 97 == 0) k.w[1] = 1; /* k >= 2^64 */
        cd_u256 got = u256_signextend(&k, &x), want = x;
        if (u256_fits_u64(&k) && k.w[0] < 31) {
            unsigned bits = (unsigned)k.w[0] * 8 + 8;
            to_mpz(a, &x);
            mpz_fdiv_r_2exp(r, a, bits);
            if (mpz_tstbit(r, bits - 1)) {
                mpz_set_ui(m, 1);
                mpz_mul_2exp(m, m, bits);
                mpz_sub(r, r, m);
            }
            want = from_mpz(r);
        }
        if (!cd_u256_eq(&got, &want)) {
            bad++;
            test_fail_at(t, __FILE__, __LINE__, "signextend k=%llu x.w0=%llx", (unsigned long long)k.w[0],
                         (unsigned long long)x.w[0]);
        }
    }
    mpz_clears(a, r, m, NULL);
}

/* The JUMPDEST bitmap (word-at-a-time scan) against a byte-by-byte walk, on random code
 * rich in JUMPDEST, PUSHn (also truncated at the end), their neighbours 0x5c..0x5f and
 * 0x80, and long runs of neither. */
static void test_jumpdest_bitmap(test_ctx *t) {
    static const uint8_t picks[] = {0x5b, 0x5b, 0x60, 0x61, 0x7f, 0x5a, 0x5c, 0x5f, 0x80, 0x7e, 0x01, 0xff};
    uint64_t s = 0xfeedbeef01234567ull;
    uint8_t code[300];
    int bad = 0;
    for (int iter = 0; iter < 3000 && bad < 5; iter++) {
        size_t len = (size_t)(rng_next(&s) % sizeof code);
        int mode = (int)(rng_next(&s) % 3);
        for (size_t i = 0; i < len; i++) {
            uint64_t r = rng_next(&s);
            code[i] = mode == 0 ? (uint8_t)r : mode == 1 ? picks[r % sizeof picks] : (r % 16 ? 0x01 : 0x5b);
        }
        vm_code vc;
        if (!vm_make_code(NULL, code, len, &vc)) {
            test_fail_at(t, __FILE__, __LINE__, "vm_make_code: out of memory");
            return;
        }
        bool push_data[sizeof code] = {false};
        for (size_t i = 0; i < len; i++)
            if (code[i] >= 0x60 && code[i] <= 0x7f) {
                size_t n = (size_t)(code[i] - 0x5f);
                for (size_t j = 1; j <= n && i + j < len; j++) push_data[i + j] = true;
                i += n;
            }
        for (size_t i = 0; i < len; i++) {
            bool want = code[i] == 0x5b && !push_data[i];
            bool got = (vc.jumpdests[i / 8] >> (i % 8)) & 1;
            if (want != got) {
                bad++;
                test_fail_at(t, __FILE__, __LINE__, "jumpdest bit %zu of %zu: got %d want %d", i, len, got, want);
                break;
            }
        }
        CHECK(t, vc.len == len && (len == 0 || !memcmp(vc.code, code, len)));
        for (size_t i = 0; i < EVM_CODE_PAD; i++) CHECK(t, vc.code[len + i] == 0);
        free((void *)vc.code);
    }
}

/* Division by reciprocals (u256.h): the reciprocals themselves against their definitions,
 * then DIV/MOD/ADDMOD/MULMOD against GMP on operands built to hit the corrections: exact
 * multiples and one-off multiples of the divisor, divisors of 1..4 limbs that are powers
 * of two, all ones in the top limb, or just normalized, and MULMOD products just below
 * divisor * 2^256. */
static cd_u256 edge_divisor(uint64_t *s) {
    cd_u256 d = {{0, 0, 0, 0}};
    int limbs = 1 + (int)(rng_next(s) % 4);
    for (int i = 0; i < limbs; i++) d.w[i] = rng_next(s);
    switch (rng_next(s) % 6) {
    case 0: memset(d.w, 0, sizeof d.w), d.w[limbs - 1] = 1ull << (rng_next(s) % 64); break; /* 2^k */
    case 1: d.w[limbs - 1] = ~0ull; break;
    case 2: d.w[limbs - 1] |= 1ull << 63; break;                /* already normalized */
    case 3: d.w[limbs - 1] >>= rng_next(s) % 64; break;
    case 4: for (int i = 0; i < limbs; i++) d.w[i] = ~0ull; break;
    default: break;
    }
    if (cd_u256_is_zero(&d)) d.w[0] = 1;
    return d;
}

static void test_division_vs_gmp(test_ctx *t) {
    uint64_t s = 0xd1d1d1d1c0ffee01ull;
    int bad = 0;
    /* reciprocals */
    mpz_t a, b, c, r, m;
    mpz_inits(a, b, c, r, m, NULL);
    for (int i = 0; i < 20000 && bad < 5; i++) {
        uint64_t d1 = rng_next(&s) | 1ull << 63, d0 = i % 7 == 0 ? 0 : i % 11 == 0 ? ~0ull : rng_next(&s);
        if (i % 13 == 0) d1 = ~0ull;
        if (i % 17 == 0) d1 = 1ull << 63;
        u128 want2 = (~(u128)0) / d1 - ((u128)1 << 64);
        if (u256_reciprocal_2by1(d1) != (uint64_t)want2 || (want2 >> 64)) {
            bad++;
            test_fail_at(t, __FILE__, __LINE__, "reciprocal_2by1(%llx)", (unsigned long long)d1);
        }
        mpz_set_ui(a, 1);
        mpz_mul_2exp(a, a, 192);
        mpz_sub_ui(a, a, 1);
        cd_u256 dd = {{d0, d1, 0, 0}};
        to_mpz(b, &dd);
        mpz_fdiv_q(r, a, b);
        mpz_set_ui(m, 1);
        mpz_mul_2exp(m, m, 64);
        mpz_sub(r, r, m);
        cd_u256 want3 = from_mpz(r);
        if (want3.w[0] != u256_reciprocal_3by2(d1, d0) || want3.w[1]) {
            bad++;
            test_fail_at(t, __FILE__, __LINE__, "reciprocal_3by2(%llx, %llx)", (unsigned long long)d1,
                         (unsigned long long)d0);
        }
    }
    for (int i = 0; i < 40000 && bad < 10; i++) {
        cd_u256 d = edge_divisor(&s), x, y;
        to_mpz(b, &d);
        /* x = qq * d + rr with rr in {0, 1, d-1, random} */
        cd_u256 qq = rnd_word(&s);
        to_mpz(a, &qq);
        mpz_mul(a, a, b);
        switch (i % 4) {
        case 0: break;
        case 1: mpz_add_ui(a, a, 1); break;
        case 2: mpz_add(a, a, b), mpz_sub_ui(a, a, 1); break;
        default: mpz_add_ui(a, a, rng_next(&s)); break;
        }
        x = from_mpz(a);
        to_mpz(a, &x);
        cd_u256 gq, gr, wq, wr;
        u256_divmod(&x, &d, &gq, &gr);
        mpz_fdiv_qr(c, r, a, b);
        wq = from_mpz(c);
        wr = from_mpz(r);
        if (!cd_u256_eq(&gq, &wq) || !cd_u256_eq(&gr, &wr)) {
            bad++;
            test_fail_at(t, __FILE__, __LINE__, "divmod x=%016llx..%016llx d=%016llx..%016llx",
                         (unsigned long long)x.w[3], (unsigned long long)x.w[0], (unsigned long long)d.w[3],
                         (unsigned long long)d.w[0]);
        }
        /* MULMOD with a product near d * 2^256 (y = 2^256 - 1 - small, x close to d) and ADDMOD */
        y = rnd_word(&s);
        if (i % 3 == 0) memset(y.w, 0xff, sizeof y.w), y.w[0] -= rng_next(&s) % 4;
        cd_u256 xm = i % 5 == 0 ? u256_sub(&d, &(cd_u256){{1, 0, 0, 0}}) : x;
        to_mpz(a, &xm);
        to_mpz(c, &y);
        mpz_mul(r, a, c);
        mpz_mod(r, r, b);
        wr = from_mpz(r);
        gr = u256_mulmod(&xm, &y, &d);
        if (!cd_u256_eq(&gr, &wr)) {
            bad++;
            test_fail_at(t, __FILE__, __LINE__, "mulmod mismatch (case %d)", i);
        }
        mpz_add(r, a, c);
        mpz_mod(r, r, b);
        wr = from_mpz(r);
        gr = u256_addmod(&xm, &y, &d);
        if (!cd_u256_eq(&gr, &wr)) {
            bad++;
            test_fail_at(t, __FILE__, __LINE__, "addmod mismatch (case %d)", i);
        }
    }
    /* fixed edges: all ones by all ones, by one, by 2^255; and the largest products */
    cd_u256 ones, one = u256_from_u64(1), top = {{0, 0, 0, 1ull << 63}}, gq, gr;
    memset(&ones, 0xff, sizeof ones);
    u256_divmod(&ones, &ones, &gq, &gr);
    CHECK(t, cd_u256_eq(&gq, &one) && cd_u256_is_zero(&gr));
    u256_divmod(&ones, &one, &gq, &gr);
    CHECK(t, cd_u256_eq(&gq, &ones) && cd_u256_is_zero(&gr));
    u256_divmod(&ones, &top, &gq, &gr);
    cd_u256 low = ones;
    low.w[3] >>= 1;
    CHECK(t, cd_u256_eq(&gq, &one) && cd_u256_eq(&gr, &low));
    gr = u256_mulmod(&ones, &ones, &top); /* (2^256-1)^2 mod 2^255 = 1 */
    CHECK(t, cd_u256_eq(&gr, &one));
    cd_u256 ones_m1 = ones;
    ones_m1.w[0]--;
    gr = u256_mulmod(&ones, &ones, &ones_m1); /* (m+1)^2 mod m = 1 */
    CHECK(t, cd_u256_eq(&gr, &one));
    mpz_clears(a, b, c, r, m, NULL);
}

static void test_u256_signed(test_ctx *t) {
    cd_u256 m1, two = u256_from_u64(2), m3;
    memset(&m1, 0xff, sizeof m1);
    cd_u256 three = u256_from_u64(3);
    m3 = u256_neg(&three);
    cd_u256 q = u256_sdiv(&m3, &two); /* -3 / 2 = -1 (truncation) */
    CHECK(t, cd_u256_eq(&q, &m1));
    cd_u256 r = u256_smod(&m3, &two); /* -3 % 2 = -1 */
    CHECK(t, cd_u256_eq(&r, &m1));
    cd_u256 k = u256_from_u64(0), x = u256_from_u64(0x80);
    r = u256_signextend(&k, &x);
    CHECK(t, r.w[3] == UINT64_MAX && r.w[0] == 0xffffffffffffff80ull);
    x = u256_from_u64(0x7f);
    r = u256_signextend(&k, &x);
    CHECK(t, r.w[0] == 0x7f && r.w[1] == 0);
    cd_u256 sh = u256_from_u64(4);
    r = u256_sar(&m3, &sh); /* -3 >> 4 = -1 */
    CHECK(t, cd_u256_eq(&r, &m1));
    cd_u256 big = u256_from_u64(300);
    r = u256_sar(&m3, &big);
    CHECK(t, cd_u256_eq(&r, &m1));
    cd_u256 idx = u256_from_u64(31), v = u256_from_u64(0xab);
    r = u256_byte(&idx, &v);
    CHECK_EQ_U64(t, r.w[0], 0xab);
    CHECK_EQ_INT(t, u256_clz(&v), 248);
    cd_u256 z = u256_from_u64(0);
    CHECK_EQ_INT(t, u256_clz(&z), 256);
}

/* ---- programs ---- */

static const cd_address A_SENDER = {{0x10, [19] = 0x01}};
static const cd_address A_CONTRACT = {{0xc0, [19] = 0x02}};
static const cd_address A_OTHER = {{0xc0, [19] = 0x03}};

static evm_memstate *state_with(const uint8_t *code, size_t len) {
    evm_memstate *ms = NULL;
    if (evm_memstate_new(&ms) != CD_OK) return NULL;
    cd_u256 bal = u256_from_u64(1000000000000000000ull);
    if (evm_memstate_set_account(ms, &A_SENDER, 0, &bal, cd_bytes_make(NULL, 0)) != CD_OK ||
        evm_memstate_set_account(ms, &A_CONTRACT, 1, &bal, cd_bytes_make(code, len)) != CD_OK) {
        evm_memstate_free(ms);
        return NULL;
    }
    evm_block b;
    memset(&b, 0, sizeof b);
    b.number = 100;
    b.timestamp = 1000;
    b.gas_limit = 30000000;
    b.chain_id = 1;
    b.base_fee = u256_from_u64(7);
    evm_memstate_set_block(ms, &b);
    return ms;
}

static evm_message msg_to(const cd_address *to, uint64_t gas) {
    evm_message m;
    memset(&m, 0, sizeof m);
    m.from = A_SENDER;
    m.to = *to;
    m.gas = gas;
    return m;
}

static void test_return_and_gas(test_ctx *t) {
    /* PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN */
    static const uint8_t code[] = {0x60, 42, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xf3};
    evm_memstate *ms = state_with(code, sizeof code);
    CHECK(t, ms != NULL);
    if (!ms) return;
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 100000);
    evm_result r;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    CHECK_EQ_INT(t, r.output.len, 32);
    if (r.output.len == 32) CHECK_EQ_INT(t, r.output.data[31], 42);
    /* 21000 + 4 pushes (12) + MSTORE (3 + 3 memory) + RETURN (0) */
    CHECK_EQ_U64(t, r.gas_used, 21000 + 12 + 6);
    evm_result_free(&r);
    evm_memstate_free(ms);
}

static void test_revert_and_halt(test_ctx *t) {
    /* PUSH2 0xdead PUSH1 0 MSTORE PUSH1 2 PUSH1 30 REVERT */
    static const uint8_t rev[] = {0x61, 0xde, 0xad, 0x60, 0, 0x52, 0x60, 2, 0x60, 30, 0xfd};
    evm_memstate *ms = state_with(rev, sizeof rev);
    if (!ms) return;
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 50000);
    evm_result r;
    CHECK_OK(t, evm_call(&h, EVM_PRAGUE, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_REVERT);
    CHECK_EQ_BYTES(t, r.output.data, r.output.len, "\xde\xad", 2);
    CHECK(t, r.gas_used < 50000);
    evm_result_free(&r);
    evm_memstate_free(ms);

    static const uint8_t bad[] = {0x60, 1, 0xfe};
    ms = state_with(bad, sizeof bad);
    if (!ms) return;
    evm_memstate_host(ms, &h);
    CHECK_OK(t, evm_call(&h, EVM_PRAGUE, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_HALT);
    CHECK_EQ_INT(t, r.halt, EVM_HALT_INVALID_OPCODE);
    CHECK_EQ_U64(t, r.gas_used, 50000); /* a halt consumes everything */
    evm_result_free(&r);
    evm_memstate_free(ms);
}

static void test_fork_gating(test_ctx *t) {
    /* PUSH0 STOP: invalid before Shanghai. CLZ(1) = 255 from Osaka. */
    static const uint8_t push0[] = {0x5f, 0x00};
    evm_memstate *ms = state_with(push0, sizeof push0);
    if (!ms) return;
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 50000);
    evm_result r;
    CHECK_OK(t, evm_call(&h, EVM_LONDON, &m, &r, NULL));
    CHECK_EQ_INT(t, r.halt, EVM_HALT_INVALID_OPCODE);
    evm_result_free(&r);
    CHECK_OK(t, evm_call(&h, EVM_SHANGHAI, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    evm_result_free(&r);
    evm_memstate_free(ms);

    static const uint8_t clz[] = {0x60, 1, 0x1e, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xf3};
    ms = state_with(clz, sizeof clz);
    if (!ms) return;
    evm_memstate_host(ms, &h);
    CHECK_OK(t, evm_call(&h, EVM_PRAGUE, &m, &r, NULL));
    CHECK_EQ_INT(t, r.halt, EVM_HALT_INVALID_OPCODE);
    evm_result_free(&r);
    CHECK_OK(t, evm_call(&h, EVM_OSAKA, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    if (r.output.len == 32) CHECK_EQ_INT(t, r.output.data[31], 255);
    evm_result_free(&r);
    evm_memstate_free(ms);
}

static void test_unavailable_state_fails(test_ctx *t) {
    /* BALANCE(0xc0..03) where the strict host knows nothing about that account. */
    uint8_t code[] = {0x73, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x31, 0x00};
    evm_memstate *ms = state_with(code, sizeof code);
    if (!ms) return;
    evm_memstate_set_strict(ms, true);
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 50000);
    evm_result r;
    cd_error err;
    cd_error_clear(&err);
    CHECK_ERR(t, evm_call(&h, EVM_CANCUN, &m, &r, &err), CD_ERR_EVM_STATE_UNAVAILABLE);
    evm_result_free(&r);
    /* Once the account is known, the same call succeeds. */
    cd_u256 zero = u256_from_u64(0);
    CHECK_OK(t, evm_memstate_set_account(ms, &A_OTHER, 0, &zero, cd_bytes_make(NULL, 0)));
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    evm_result_free(&r);
    evm_memstate_free(ms);
}

static void test_static_violation(test_ctx *t) {
    /* other: SSTORE(0,1). contract: STATICCALL(gas, other) and return the success flag. */
    static const uint8_t other[] = {0x60, 1, 0x60, 0, 0x55, 0x00};
    uint8_t code[] = {0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x73, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0x03, 0x5a, 0xfa, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xf3};
    evm_memstate *ms = state_with(code, sizeof code);
    if (!ms) return;
    cd_u256 zero = u256_from_u64(0);
    CHECK_OK(t, evm_memstate_set_account(ms, &A_OTHER, 1, &zero, cd_bytes_make(other, sizeof other)));
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 100000);
    evm_result r;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    CHECK_EQ_INT(t, r.output.len, 32);
    if (r.output.len == 32) CHECK_EQ_INT(t, r.output.data[31], 0); /* inner call failed */
    evm_result_free(&r);
    evm_memstate_free(ms);
}

static void test_estimate_and_access_list(test_ctx *t) {
    /* other: SSTORE(5, SLOAD(5)+1). contract: CALL(gas, other, 0, 0,0,0,0), then STOP. */
    static const uint8_t other[] = {0x60, 5, 0x54, 0x60, 1, 0x01, 0x60, 5, 0x55, 0x00};
    /* 0: 5x PUSH1 0; 10: PUSH20 other; 31: GAS; 32: CALL; 33: ISZERO; 34: PUSH1 38;
     * 36: JUMPI; 37: STOP; 38: JUMPDEST; 39: INVALID (reached only if the call failed) */
    uint8_t code[40] = {0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x73};
    memcpy(code + 11, A_OTHER.b, 20);
    static const uint8_t tail[] = {0x5a, 0xf1, 0x15, 0x60, 38, 0x57, 0x00, 0x5b, 0xfe};
    memcpy(code + 31, tail, sizeof tail);
    evm_memstate *ms = state_with(code, sizeof code);
    if (!ms) return;
    cd_u256 zero = u256_from_u64(0);
    CHECK_OK(t, evm_memstate_set_account(ms, &A_OTHER, 1, &zero, cd_bytes_make(other, sizeof other)));
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 0);
    m.gas_cap = 1000000;
    uint64_t gas = 0;
    evm_result r;
    CHECK_OK(t, evm_estimate_gas(&h, EVM_CANCUN, &m, &gas, &r, NULL));
    evm_result_free(&r);
    CHECK(t, gas > 21000 + 22100);
    /* The estimate is tight: it works, one less does not. */
    m.gas = gas;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    evm_result_free(&r);
    m.gas = gas - 1;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK(t, r.outcome != EVM_SUCCESS);
    evm_result_free(&r);

    m.gas = 0;
    evm_access_list al;
    CHECK_OK(t, evm_create_access_list(&h, EVM_CANCUN, &m, &al, &r, NULL));
    bool found = false;
    for (size_t i = 0; i < al.n; i++) {
        CHECK(t, !cd_address_eq(&al.entries[i].address, &A_SENDER));
        CHECK(t, !cd_address_eq(&al.entries[i].address, &A_CONTRACT));
        if (cd_address_eq(&al.entries[i].address, &A_OTHER)) {
            found = true;
            CHECK_EQ_INT(t, al.entries[i].n_keys, 1);
            if (al.entries[i].n_keys == 1) CHECK_EQ_U64(t, al.entries[i].keys[0].w[0], 5);
        }
    }
    CHECK(t, found);
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    evm_result_free(&r);
    evm_access_list_free(&al);

    /* The memstate itself recorded the reads, too. */
    CHECK_OK(t, evm_memstate_accessed(ms, &al));
    CHECK(t, al.n >= 3);
    evm_access_list_free(&al);
    evm_memstate_free(ms);
}

static void test_apply_tx(test_ctx *t) {
    static const uint8_t code[] = {0x60, 7, 0x60, 1, 0x55, 0x00}; /* SSTORE(1, 7) */
    evm_memstate *ms = state_with(code, sizeof code);
    if (!ms) return;
    cd_hash32 root0, root1;
    CHECK_OK(t, evm_memstate_root(ms, &root0));
    evm_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.type = 2;
    tx.sender = A_SENDER;
    tx.to = A_CONTRACT;
    tx.gas_limit = 100000;
    tx.value = u256_from_u64(5);
    tx.max_fee_per_gas = u256_from_u64(10);
    tx.max_priority_fee_per_gas = u256_from_u64(1);
    evm_result r;
    cd_error err;
    CHECK_OK(t, evm_memstate_apply_tx(ms, EVM_CANCUN, &tx, NULL, &r, &err));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    CHECK_EQ_U64(t, r.gas_used, 21000 + 6 + 22100);
    evm_result_free(&r);
    cd_u256 v, k = u256_from_u64(1);
    evm_memstate_get_storage(ms, &A_CONTRACT, &k, &v);
    CHECK_EQ_U64(t, v.w[0], 7);
    evm_account acc;
    CHECK(t, evm_memstate_get_account(ms, &A_SENDER, &acc, NULL));
    CHECK_EQ_U64(t, acc.nonce, 1);
    /* paid value 5 and gas at base fee 7 + tip 1 */
    CHECK_EQ_U64(t, acc.balance.w[0], 1000000000000000000ull - 5 - (21000 + 6 + 22100) * 8);
    evm_block b;
    memset(&b, 0, sizeof b);
    CHECK_OK(t, evm_memstate_root(ms, &root1));
    CHECK(t, !cd_hash32_eq(&root0, &root1));
    /* Replaying the same nonce is rejected and changes nothing. */
    CHECK_ERR(t, evm_memstate_apply_tx(ms, EVM_CANCUN, &tx, NULL, &r, &err), CD_ERR_EVM_TX_INVALID);
    evm_result_free(&r);
    cd_hash32 root2;
    CHECK_OK(t, evm_memstate_root(ms, &root2));
    CHECK(t, cd_hash32_eq(&root1, &root2));
    /* Max fee below the base fee is invalid. */
    tx.nonce = 1;
    tx.max_fee_per_gas = u256_from_u64(6);
    tx.max_priority_fee_per_gas = u256_from_u64(0);
    CHECK_ERR(t, evm_memstate_apply_tx(ms, EVM_CANCUN, &tx, NULL, &r, &err), CD_ERR_EVM_TX_INVALID);
    evm_result_free(&r);
    evm_memstate_free(ms);
}

static void test_logs_hash_and_names(test_ctx *t) {
    cd_hash32 h;
    CHECK_OK(t, evm_logs_hash(NULL, 0, &h));
    uint8_t want[32];
    CHECK_EQ_INT(t, test_unhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", want, 32), 32);
    CHECK_EQ_BYTES(t, h.b, 32, want, 32);
    evm_fork f;
    CHECK(t, evm_fork_from_name("ConstantinopleFix", &f) && f == EVM_PETERSBURG);
    CHECK(t, evm_fork_from_name("Merge", &f) && f == EVM_PARIS);
    CHECK(t, !evm_fork_from_name("Cancun+1", &f));
    cd_u256 fee;
    evm_blob_base_fee(0, 3338477, &fee);
    CHECK_EQ_U64(t, fee.w[0], 1);
    evm_blob_base_fee(10000000, 3338477, &fee); /* e^(10e6/3338477) ~ 19.98 -> 19 */
    CHECK_EQ_U64(t, fee.w[0], 19);
}

static void test_deep_recursion_and_memory(test_ctx *t) {
    /* Calls itself with all gas until the depth limit or gas runs out; must not crash. */
    static const uint8_t code[] = {0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x30, 0x5a, 0xf1, 0x00};
    evm_memstate *ms = state_with(code, sizeof code);
    if (!ms) return;
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 20000000);
    evm_result r;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    evm_result_free(&r);
    evm_memstate_free(ms);
    /* MLOAD at a huge offset: out of gas, not a crash. */
    static const uint8_t big[] = {0x63, 0xff, 0xff, 0xff, 0xff, 0x51, 0x00};
    ms = state_with(big, sizeof big);
    if (!ms) return;
    evm_memstate_host(ms, &h);
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK_EQ_INT(t, r.halt, EVM_HALT_OUT_OF_GAS);
    evm_result_free(&r);
    evm_memstate_free(ms);
}

/* The same deep recursion (hundreds of frames) from a thread whose stack could hold only a
 * few dozen of them: the frames past the shallow ones move to a thread of their own, and
 * the outcome and gas match the run on the main thread. */
typedef struct {
    const evm_host *h;
    const evm_message *m;
    evm_result r;
    cd_status st;
} small_stack_job;

static void *small_stack_call(void *arg) {
    small_stack_job *j = arg;
    j->st = evm_call(j->h, EVM_CANCUN, j->m, &j->r, NULL);
    return NULL;
}

static void test_deep_recursion_small_stack(test_ctx *t) {
    static const uint8_t code[] = {0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x30, 0x5a, 0xf1, 0x00};
    evm_memstate *ms = state_with(code, sizeof code);
    if (!ms) return;
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&A_CONTRACT, 20000000);
    evm_result main_r;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &main_r, NULL));
    small_stack_job j = {&h, &m, {0}, CD_ERR_INTERNAL};
    pthread_attr_t attr;
    pthread_t th;
    CHECK(t, pthread_attr_init(&attr) == 0);
    CHECK(t, pthread_attr_setstacksize(&attr, 1u << 20) == 0);
    bool started = pthread_create(&th, &attr, small_stack_call, &j) == 0;
    CHECK(t, started);
    if (started) pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
    CHECK_OK(t, j.st);
    CHECK_EQ_INT(t, j.r.outcome, EVM_SUCCESS);
    CHECK_EQ_U64(t, j.r.gas_used, main_r.gas_used);
    /* it really went deep: about 120 gas per level (pushes, GAS, ADDRESS, a warm CALL) on
     * top of the 21000, for hundreds of levels, far more than 1 MiB of stack holds */
    CHECK(t, main_r.gas_used > 21000 + 300 * 119);
    evm_result_free(&j.r);
    evm_result_free(&main_r);
    evm_memstate_free(ms);
}

static void test_create_addresses(test_ctx *t) {
    /* EIP-1014 example 1: deployer 0xdeadbeef00.., salt 0, init code 0x00. */
    static const uint8_t code[] = {0x60, 0, 0x60, 1, 0x60, 31, 0x60, 0, 0xf5, 0x60, 0, 0x52, 0x60, 32, 0x60, 0, 0xf3};
    evm_memstate *ms = state_with(NULL, 0);
    if (!ms) return;
    cd_address deployer = {{0xde, 0xad, 0xbe, 0xef}};
    cd_u256 zero = u256_from_u64(0);
    CHECK_OK(t, evm_memstate_set_account(ms, &deployer, 1, &zero, cd_bytes_make(code, sizeof code)));
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m = msg_to(&deployer, 200000);
    evm_result r;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK_EQ_INT(t, r.outcome, EVM_SUCCESS);
    uint8_t want[20];
    CHECK_EQ_INT(t, test_unhex("b928f69bb1d91cd65274e3c79d8986362984fda3", want, 20), 20);
    if (r.output.len == 32) CHECK_EQ_BYTES(t, r.output.data + 12, 20, want, 20);
    evm_result_free(&r);

    /* CREATE by a transaction: keccak(rlp([sender, nonce]))[12:]. */
    cd_address sender;
    CHECK_EQ_INT(t, test_unhex("6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0", sender.b, 20), 20);
    cd_u256 bal = u256_from_u64(1000000000);
    CHECK_OK(t, evm_memstate_set_account(ms, &sender, 0, &bal, cd_bytes_make(NULL, 0)));
    memset(&m, 0, sizeof m);
    m.from = sender;
    m.is_create = true;
    m.gas = 100000;
    CHECK_OK(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL));
    CHECK(t, r.created);
    CHECK_EQ_INT(t, test_unhex("cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d", want, 20), 20);
    CHECK_EQ_BYTES(t, r.created_address.b, 20, want, 20);
    evm_result_free(&r);
    evm_memstate_free(ms);
}

/* A host that serves code not matching the account's codeHash is refused. */
static cd_status lying_code(void *ctx, const cd_address *addr, const cd_hash32 *code_hash, cd_bytes *out) {
    (void)ctx, (void)addr, (void)code_hash;
    static const uint8_t other[] = {0x60, 1, 0x00};
    *out = cd_bytes_make(other, sizeof other);
    return CD_OK;
}

static void test_lying_host_code(test_ctx *t) {
    static const uint8_t code[] = {0x60, 2, 0x00};
    evm_memstate *ms = state_with(code, sizeof code);
    if (!ms) return;
    evm_host h;
    evm_memstate_host(ms, &h);
    h.get_code = lying_code;
    h.code_matches_hash = false; /* a host of its own: it does not vouch for its code */
    evm_message m = msg_to(&A_CONTRACT, 50000);
    evm_result r;
    CHECK_ERR(t, evm_call(&h, EVM_CANCUN, &m, &r, NULL), CD_ERR_EVM_STATE_UNAVAILABLE);
    evm_result_free(&r);
    evm_memstate_free(ms);
}

/* `candor evm statetest`: an official file passes (exit 0); a case with a wrong expected
 * root fails (exit 1); a missing path fails. */
static void test_cli_statetest(test_ctx *t) {
    char path[512];
    test_vectors_path(path, sizeof path, "execution/GeneralStateTests/stExample/add11.json");
    if (test_path_exists(path)) {
        char *argv[] = {"evm", "statetest", path, NULL};
        CHECK_EQ_INT(t, cmd_evm(3, argv), 0);
    }
    static const char bad_json[] =
        "{\"t\":{\"env\":{\"currentCoinbase\":\"0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba\",\"currentGasLimit\":\"0x989680\","
        "\"currentNumber\":\"0x01\",\"currentTimestamp\":\"0x03e8\",\"currentBaseFee\":\"0x0a\",\"currentRandom\":\"0x00\","
        "\"currentDifficulty\":\"0x00\"},\"pre\":{\"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b\":{\"nonce\":\"0x00\","
        "\"balance\":\"0x0de0b6b3a7640000\",\"code\":\"0x\",\"storage\":{}}},\"transaction\":{\"nonce\":\"0x00\","
        "\"gasPrice\":\"0x0a\",\"gasLimit\":[\"0x5208\"],\"to\":\"0x1000000000000000000000000000000000000000\","
        "\"value\":[\"0x01\"],\"data\":[\"0x\"],\"sender\":\"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b\"},"
        "\"post\":{\"Cancun\":[{\"indexes\":{\"data\":0,\"gas\":0,\"value\":0},\"hash\":\"0x"
        "0000000000000000000000000000000000000000000000000000000000000000\",\"logs\":\"0x"
        "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347\"}]}}}";
    char tmp[] = "/tmp/candor_evm_cli_XXXXXX";
    int fd = mkstemp(tmp);
    CHECK(t, fd >= 0);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "w");
    CHECK(t, f != NULL);
    if (!f) return;
    fputs(bad_json, f);
    fclose(f);
    char *argv2[] = {"evm", "statetest", tmp, NULL};
    CHECK_EQ_INT(t, cmd_evm(3, argv2), 1);
    unlink(tmp);
    char *argv3[] = {"evm", "statetest", "/nonexistent/candor/none.json", NULL};
    CHECK_EQ_INT(t, cmd_evm(3, argv3), 1);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_evm");
    TEST_RUN(&t, test_u256_vs_gmp);
    TEST_RUN(&t, test_u256_signed);
    TEST_RUN(&t, test_signextend_vs_gmp);
    TEST_RUN(&t, test_division_vs_gmp);
    TEST_RUN(&t, test_jumpdest_bitmap);
    TEST_RUN(&t, test_return_and_gas);
    TEST_RUN(&t, test_revert_and_halt);
    TEST_RUN(&t, test_fork_gating);
    TEST_RUN(&t, test_unavailable_state_fails);
    TEST_RUN(&t, test_static_violation);
    TEST_RUN(&t, test_estimate_and_access_list);
    TEST_RUN(&t, test_apply_tx);
    TEST_RUN(&t, test_logs_hash_and_names);
    TEST_RUN(&t, test_deep_recursion_and_memory);
    TEST_RUN(&t, test_deep_recursion_small_stack);
    TEST_RUN(&t, test_create_addresses);
    TEST_RUN(&t, test_lying_host_code);
    TEST_RUN(&t, test_cli_statetest);
    return test_finish(&t);
}
