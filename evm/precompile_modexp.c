/* 0x05 MODEXP (EIP-198): base^exp mod modulus over big-endian integers of caller-given
 * lengths. Pricing: EIP-198 (Byzantium), EIP-2565 (Berlin), EIP-7883 (Osaka); Osaka also
 * caps each length at 1024 bytes (EIP-7823). Arithmetic is GMP. */
#include <string.h>

#include <gmp.h>

#include "evm/precompiles_internal.h"

/* The output is mod_len bytes. A modulus length above this cannot be paid for under any
 * fork's pricing with a realistic gas budget (its gas is above 10^11); refusing it bounds
 * the memory a hostile input can make us allocate even if a caller passes a huge gas
 * limit. Base and exponent need no cap: they are only read when they lie in the input. */
#define MODEXP_MAX_MOD_LEN (1u << 24)
#define EIP7823_MAX_LEN 1024

typedef struct {
    uint64_t base_len, exp_len, mod_len;  /* saturated at UINT64_MAX */
    uint8_t exp_head[32];                 /* first min(32, exp_len) bytes of exp, right-aligned */
    size_t exp_head_len;
} modexp_header;

/* A 32-byte big-endian length, saturated to UINT64_MAX. */
static uint64_t read_len(cd_bytes input, size_t off) {
    uint8_t w[32];
    evm_pc_read_padded(input, off, w, 32);
    for (int i = 0; i < 24; i++)
        if (w[i]) return UINT64_MAX;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = (v << 8) | w[i];
    return v;
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
static uint64_t sat_mul(uint64_t a, uint64_t b) {
    if (a && b > UINT64_MAX / a) return UINT64_MAX;
    return a * b;
}

static void parse_header(cd_bytes input, modexp_header *h) {
    h->base_len = read_len(input, 0);
    h->exp_len = read_len(input, 32);
    h->mod_len = read_len(input, 64);
    h->exp_head_len = h->exp_len < 32 ? (size_t)h->exp_len : 32;
    memset(h->exp_head, 0, sizeof h->exp_head);
    uint64_t exp_off = sat_add(96, h->base_len);
    if (exp_off < input.len)
        evm_pc_read_padded(input, (size_t)exp_off, h->exp_head + 32 - h->exp_head_len,
                           h->exp_head_len);
}

/* Index of the highest set bit of the exponent head (bit_length - 1), or -1 if zero. */
static int head_top_bit(const modexp_header *h) {
    for (int i = 0; i < 32; i++) {
        if (!h->exp_head[i]) continue;
        int bit = 7;
        while (!(h->exp_head[i] >> bit)) bit--;
        return (31 - i) * 8 + bit;
    }
    return -1;
}

/* EIP-198's "adjusted exponent length", which EIP-2565 calls the iteration count (before
 * the max(.,1)); EIP-7883 doubles the per-byte factor for exponents over 32 bytes. */
static uint64_t iteration_count(const modexp_header *h, uint64_t bytes_factor) {
    int top = head_top_bit(h);
    uint64_t head_bits = top > 0 ? (uint64_t)top : 0;
    if (h->exp_len <= 32) return head_bits;
    return sat_add(sat_mul(bytes_factor, h->exp_len - 32), head_bits);
}

static uint64_t complexity_eip198(uint64_t x) {
    if (x <= 64) return x * x;
    if (x > (1ull << 31)) return UINT64_MAX; /* x^2 overflows or is priced out anyway */
    if (x <= 1024) return x * x / 4 + 96 * x - 3072;
    return x * x / 16 + 480 * x - 199680;
}

uint64_t evm_pc_modexp_gas(evm_fork fork, cd_bytes input) {
    modexp_header h;
    parse_header(input, &h);
    uint64_t max_len = h.base_len > h.mod_len ? h.base_len : h.mod_len;
    if (fork >= EVM_OSAKA) {
        if (h.base_len > EIP7823_MAX_LEN || h.exp_len > EIP7823_MAX_LEN ||
            h.mod_len > EIP7823_MAX_LEN)
            return 0; /* rejected in run(); the failure consumes all gas anyway */
        uint64_t words = (max_len + 7) / 8;
        uint64_t complexity = max_len > 32 ? 2 * words * words : 16;
        uint64_t iters = iteration_count(&h, 16);
        uint64_t gas = sat_mul(complexity, iters ? iters : 1);
        return gas < 500 ? 500 : gas;
    }
    if (fork >= EVM_BERLIN) {
        uint64_t words = max_len / 8 + (max_len % 8 != 0);
        uint64_t complexity = words > UINT32_MAX ? UINT64_MAX : words * words;
        uint64_t iters = iteration_count(&h, 8);
        uint64_t prod = sat_mul(complexity, iters ? iters : 1);
        uint64_t gas = prod == UINT64_MAX ? UINT64_MAX : prod / 3;
        return gas < 200 ? 200 : gas;
    }
    uint64_t iters = iteration_count(&h, 8);
    uint64_t prod = sat_mul(complexity_eip198(max_len), iters ? iters : 1);
    return prod == UINT64_MAX ? UINT64_MAX : prod / 20;
}

/* Loads input[off .. off+len) as a big-endian integer; bytes past the input are zero, so
 * the value is (present bytes) * 256^(missing bytes). Only the modulus can have missing
 * bytes while being used: when base or exponent are cut short, the modulus (which follows
 * them) is entirely missing, hence zero, and the result is zero without computing. */
static void load_operand(mpz_t r, cd_bytes input, uint64_t off, uint64_t len) {
    size_t present = 0;
    if (off < input.len) {
        size_t avail = input.len - (size_t)off;
        present = len < avail ? (size_t)len : avail;
    }
    if (present)
        mpz_import(r, present, 1, 1, 1, 0, input.ptr + off);
    else
        mpz_set_ui(r, 0);
    if (len > present) mpz_mul_2exp(r, r, (mp_bitcnt_t)(8 * (len - present)));
}

cd_status evm_pc_modexp_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    modexp_header h;
    parse_header(input, &h);
    if (fork >= EVM_OSAKA && (h.base_len > EIP7823_MAX_LEN || h.exp_len > EIP7823_MAX_LEN ||
                              h.mod_len > EIP7823_MAX_LEN))
        return CD_ERR_EVM_PRECOMPILE_FAILED;
    if (h.mod_len == 0) return CD_OK;
    if (h.mod_len > MODEXP_MAX_MOD_LEN) return CD_ERR_EVM_PRECOMPILE_FAILED;

    size_t mod_len = (size_t)h.mod_len;
    cd_status s = cd_buf_reserve(out, mod_len);
    if (s != CD_OK) return s;

    mpz_t base, exp, mod, res;
    mpz_inits(base, exp, mod, res, NULL);
    uint64_t exp_off = sat_add(96, h.base_len), mod_off = sat_add(exp_off, h.exp_len);
    load_operand(mod, input, mod_off, h.mod_len);
    if (mpz_sgn(mod) != 0) {
        /* A non-zero modulus means base and exponent lie wholly inside the input. */
        load_operand(base, input, 96, h.base_len);
        load_operand(exp, input, exp_off, h.exp_len);
        mpz_powm(res, base, exp, mod); /* exp = 0 gives 1 mod m, as EIP-198 wants */
    }
    /* Output: the result, big-endian, left-padded to mod_len bytes. */
    size_t nbytes = (mpz_sizeinbase(res, 2) + 7) / 8;
    if (mpz_sgn(res) == 0) nbytes = 0;
    memset(out->data + out->len, 0, mod_len);
    if (nbytes) mpz_export(out->data + out->len + (mod_len - nbytes), NULL, 1, 1, 1, 0, res);
    out->len += mod_len;
    mpz_clears(base, exp, mod, res, NULL);
    return CD_OK;
}
