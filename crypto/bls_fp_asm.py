#!/usr/bin/env python3
"""Generates crypto/bls_fp_x86.h: the x86-64 inline-assembly kernels of the BLS12-381 field.

Two families, the same kernels each, fully unrolled over the 6 limbs:
  _adx   mulx (flag-free multiply) feeding two carry chains at once, adcx on CF for the low
         halves and adox on OF for the high halves. Needs BMI2 + ADX.
  _mulq  baseline x86-64 (mul, add, adc): what every x86-64 CPU runs.

  mul384(r[12], a, b)   r = a*b, 768-bit, schoolbook by rows (row i adds a*b[i]).
  redc(r, t[12])        Montgomery reduction r = t/R mod p for t < p*R, R = 2^384:
                        U = (t_lo + m*p)/R over the low half (six rounds m = U0*(-1/p)),
                        then U + t_hi < 2p, then one conditional subtraction (in C).
  mont_mul(r, a, b)     CIOS, the reduction round interleaved with each row.
No squaring kernel: on the machine these were tuned on (AMD Zen 5) a dedicated squaring, 21
products instead of 36, measured slower than the fused product a*a on dependent chains (adx
29.8 vs 26.3 ns, mulq 36.8 vs 35.6 ns), both as square-then-reduce and as CIOS squaring with
interleaved reduction: the serial chain of reduction rounds dominates, and the squaring has
fewer products to overlap with it (the square-then-reduce kernels are in the git history).
Plus 768-bit add/sub helpers (sub768_modp adds p*2^384 back on a borrow) for the lazy
reductions of crypto/bls_fp_tmpl.h.

Register roles rotate by one limb per row in Python, so the emitted code has no moves for
the shift. Each function keeps at most 13 values in registers (so it still builds with the
frame pointer reserved, as in sanitizer builds). Inputs may be any 384-bit values for
mul384; r must not overlap the inputs (rows store limbs while inputs are still read).

Usage: python3 crypto/bls_fp_asm.py > crypto/bls_fp_x86.h
"""

P = [0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624,
     0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a]
N0 = 0x89f3fffcfffcfffd

out = []


def emit(s=""):
    out.append(s)


def asm_block(lines, outputs, inputs, clobbers):
    emit("    __asm__ volatile(")
    for ln in lines:
        emit('        "%s\\n\\t"' % ln)
    emit("        : " + ", ".join(outputs))
    emit("        : " + ", ".join(inputs))
    emit("        : " + ", ".join('"%s"' % c for c in clobbers) + ");")


def temps(names):
    return ['[%s] "=&r"(%s)' % (n, n) for n in names]


# ---------------------------------------------------------------------------- ADX kernels

def mul384_adx():
    A = ["a%d" % i for i in range(7)]  # window of 7 accumulators (limbs i .. i+6)
    L = []
    # row 0: a*b[0] into the window, limb 0 straight to r
    L.append("movq 0(%[b]), %%rdx")
    L.append("xorl %k[lo], %k[lo]")
    L.append("mulxq 0(%[a]), %[lo], %[" + A[1] + "]")
    L.append("movq %[lo], 0(%[r])")
    for j in range(1, 6):
        L.append("mulxq %d(%%[a]), %%[lo], %%[%s]" % (8 * j, A[j + 1]))
        L.append("adcxq %%[lo], %%[%s]" % A[j])
    L.append("adcq $0, %[" + A[6] + "]")
    w = A[1:] + [A[0]]  # w[0..5] = limbs 1..6, w[6] free
    for i in range(1, 6):
        L.append("movq %d(%%[b]), %%%%rdx" % (8 * i))
        L.append("xorl %%k[%s], %%k[%s]" % (w[6], w[6]))  # new top = 0, CF = OF = 0
        for j in range(6):
            L.append("mulxq %d(%%[a]), %%[lo], %%[hi]" % (8 * j))
            L.append("adcxq %%[lo], %%[%s]" % w[j])
            L.append("adoxq %%[hi], %%[%s]" % w[j + 1])
        L.append("adcq $0, %%[%s]" % w[6])
        L.append("movq %%[%s], %d(%%[r])" % (w[0], 8 * i))
        w = w[1:] + [w[0]]
    for j in range(6):
        L.append("movq %%[%s], %d(%%[r])" % (w[j], 8 * (6 + j)))
    emit("static inline void bls_x86_mul384_adx(uint64_t r[12], const uint64_t a[6], const uint64_t b[6]) {")
    emit("    uint64_t %s, lo, hi;" % ", ".join(A))
    asm_block(L, temps(A + ["lo", "hi"]), ['[r] "r"(r)', '[a] "r"(a)', '[b] "r"(b)'],
              ["rdx", "cc", "memory"])
    emit("}")
    emit()


def redc_adx():
    A = ["u%d" % i for i in range(7)]
    L = []
    for j in range(6):
        L.append("movq %d(%%[t]), %%[%s]" % (8 * j, A[j]))
    w = A[:]
    for i in range(6):
        L.append("movq %%[%s], %%%%rdx" % w[0])
        L.append("imulq %[n0], %%rdx")
        L.append("xorl %%k[%s], %%k[%s]" % (w[6], w[6]))
        for j in range(6):
            L.append("mulxq %d(%%[p]), %%[lo], %%[hi]" % (8 * j))
            L.append("adcxq %%[lo], %%[%s]" % w[j])
            L.append("adoxq %%[hi], %%[%s]" % w[j + 1])
        L.append("adcq $0, %%[%s]" % w[6])
        w = w[1:] + [w[0]]
    # U = w[0..5]; add the high half of t
    L.append("addq 48(%%[t]), %%[%s]" % w[0])
    for j in range(1, 6):
        L.append("adcq %d(%%[t]), %%[%s]" % (48 + 8 * j, w[j]))
    emit("static inline void bls_x86_redc_adx(uint64_t r[6], const uint64_t t[12]) {")
    emit("    uint64_t %s, lo, hi;" % ", ".join(A))
    asm_block(L, temps(A + ["lo", "hi"]), ['[t] "r"(t)', '[p] "r"(BLS_X86_P)', '[n0] "m"(BLS_X86_N0)'],
              ["rdx", "cc", "memory"])
    emit("    bls_x86_reduce_once6(r, %s);" % ", ".join(w[:6]))
    emit("}")
    emit()


def mont_mul_adx():
    A = ["t%d" % i for i in range(7)]
    L = []
    w = A[:]
    for i in range(6):
        L.append("movq %d(%%[b]), %%%%rdx" % (8 * i))
        if i == 0:
            L.append("xorl %k[lo], %k[lo]")
            L.append("mulxq 0(%%[a]), %%[%s], %%[%s]" % (w[0], w[1]))
            for j in range(1, 6):
                L.append("mulxq %d(%%[a]), %%[lo], %%[%s]" % (8 * j, w[j + 1]))
                L.append("adcxq %%[lo], %%[%s]" % w[j])
            L.append("adcq $0, %%[%s]" % w[6])
        else:
            L.append("xorl %%k[%s], %%k[%s]" % (w[6], w[6]))
            for j in range(6):
                L.append("mulxq %d(%%[a]), %%[lo], %%[hi]" % (8 * j))
                L.append("adcxq %%[lo], %%[%s]" % w[j])
                L.append("adoxq %%[hi], %%[%s]" % w[j + 1])
            L.append("adcq $0, %%[%s]" % w[6])
        # reduction round: w[0..6] += m*p, w[0] becomes 0; the top w[6] absorbs the carries
        # (p's top limb < 2^62 keeps the sum within 7 limbs: no 8th word)
        L.append("movq %%[%s], %%%%rdx" % w[0])
        L.append("imulq %[n0], %%rdx")
        L.append("xorl %k[lo], %k[lo]")
        for j in range(6):
            L.append("mulxq %d(%%[p]), %%[lo], %%[hi]" % (8 * j))
            L.append("adcxq %%[lo], %%[%s]" % w[j])
            L.append("adoxq %%[hi], %%[%s]" % w[j + 1])
        L.append("adcq $0, %%[%s]" % w[6])
        w = w[1:] + [w[0]]
    emit("static inline void bls_x86_mont_mul_adx(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {")
    emit("    uint64_t %s, lo, hi;" % ", ".join(A))
    asm_block(L, temps(A + ["lo", "hi"]),
              ['[a] "r"(a)', '[b] "r"(b)', '[p] "r"(BLS_X86_P)', '[n0] "m"(BLS_X86_N0)'],
              ["rdx", "cc", "memory"])
    emit("    bls_x86_reduce_once6(r, %s);" % ", ".join(w[:6]))
    emit("}")
    emit()


# --------------------------------------------------------------------------- MULQ kernels

def mul384_mulq():
    A = ["a%d" % i for i in range(7)]
    L = []
    L.append("movq 0(%[b]), %[bi]")
    L.append("movq 0(%[a]), %%rax")
    L.append("mulq %[bi]")
    L.append("movq %%rax, 0(%[r])")
    L.append("movq %%rdx, %[" + A[0] + "]")
    for j in range(1, 6):
        L.append("movq %d(%%[a]), %%%%rax" % (8 * j))
        L.append("mulq %[bi]")
        L.append("addq %%%%rax, %%[%s]" % A[j - 1])
        L.append("adcq $0, %%rdx")
        L.append("movq %%%%rdx, %%[%s]" % A[j])
    # window w[0..5] = limbs 1..6
    w = A[:6]
    for i in range(1, 6):
        L.append("movq %d(%%[b]), %%[bi]" % (8 * i))
        # j = 0
        L.append("movq 0(%[a]), %%rax")
        L.append("mulq %[bi]")
        L.append("addq %%%%rax, %%[%s]" % w[0])
        L.append("adcq $0, %%rdx")
        L.append("movq %%[%s], %d(%%[r])" % (w[0], 8 * i))
        L.append("movq %%%%rdx, %%[%s]" % w[0])  # w[0] now carries
        carry = w[0]
        for j in range(1, 6):
            L.append("movq %d(%%[a]), %%%%rax" % (8 * j))
            L.append("mulq %[bi]")
            L.append("addq %%%%rax, %%[%s]" % w[j])
            L.append("adcq $0, %%rdx")
            L.append("addq %%[%s], %%[%s]" % (carry, w[j]))
            L.append("adcq $0, %%rdx")
            L.append("movq %%%%rdx, %%[%s]" % carry)
        # carry register is the new top limb i+6
        w = w[1:] + [carry]
    for j in range(6):
        L.append("movq %%[%s], %d(%%[r])" % (w[j], 8 * (6 + j)))
    emit("static inline void bls_x86_mul384_mulq(uint64_t r[12], const uint64_t a[6], const uint64_t b[6]) {")
    emit("    uint64_t %s, bi;" % ", ".join(A[:6]))
    asm_block(L, temps(A[:6] + ["bi"]), ['[r] "r"(r)', '[a] "r"(a)', '[b] "r"(b)'],
              ["rax", "rdx", "cc", "memory"])
    emit("}")
    emit()


def redc_mulq():
    A = ["u%d" % i for i in range(7)]
    L = []
    for j in range(6):
        L.append("movq %d(%%[t]), %%[%s]" % (8 * j, A[j]))
    w = A[:6]
    spare = A[6]
    for i in range(6):
        L.append("movabsq $0x%x, %%[m]" % N0)
        L.append("imulq %%[%s], %%[m]" % w[0])
        # j = 0: w[0] + lo(m p0) = 0 mod 2^64; only the carry survives
        L.append("movabsq $0x%x, %%%%rax" % P[0])
        L.append("mulq %[m]")
        L.append("addq %%%%rax, %%[%s]" % w[0])
        L.append("adcq $0, %%rdx")
        L.append("movq %%%%rdx, %%[%s]" % spare)
        carry = spare
        for j in range(1, 6):
            L.append("movabsq $0x%x, %%%%rax" % P[j])
            L.append("mulq %[m]")
            L.append("addq %%%%rax, %%[%s]" % w[j])
            L.append("adcq $0, %%rdx")
            L.append("addq %%[%s], %%[%s]" % (carry, w[j]))
            L.append("adcq $0, %%rdx")
            L.append("movq %%%%rdx, %%[%s]" % carry)
        # new window: limbs 1..5 of this round, then the carry as top
        spare = w[0]
        w = w[1:] + [carry]
    L.append("addq 48(%%[t]), %%[%s]" % w[0])
    for j in range(1, 6):
        L.append("adcq %d(%%[t]), %%[%s]" % (48 + 8 * j, w[j]))
    emit("static inline void bls_x86_redc_mulq(uint64_t r[6], const uint64_t t[12]) {")
    emit("    uint64_t %s, m;" % ", ".join(A))
    asm_block(L, temps(A + ["m"]), ['[t] "r"(t)'], ["rax", "rdx", "cc", "memory"])
    emit("    bls_x86_reduce_once6(r, %s);" % ", ".join(w[:6]))
    emit("}")
    emit()


def mont_mul_mulq():
    # CIOS with plain mul: round i adds a*b[i] (a row of 6 products, carries through rdx),
    # then m*p with m = t0*(-1/p), and drops the zero limb. The reduction row of round i and
    # the product row of round i+1 are independent enough for the core to overlap them,
    # which a separate reduction pass cannot offer.
    W = ["w%d" % i for i in range(7)]
    L = []
    w = W[:]
    for i in range(6):
        L.append("movq %d(%%[b]), %%[bm]" % (8 * i))
        if i == 0:
            L.append("movq 0(%[a]), %%rax")
            L.append("mulq %[bm]")
            L.append("movq %%%%rax, %%[%s]" % w[0])
            L.append("movq %%rdx, %[c]")
            for j in range(1, 6):
                L.append("movq %d(%%[a]), %%%%rax" % (8 * j))
                L.append("mulq %[bm]")
                L.append("addq %[c], %%rax")
                L.append("adcq $0, %%rdx")
                L.append("movq %%%%rax, %%[%s]" % w[j])
                L.append("movq %%rdx, %[c]")
            L.append("movq %%[c], %%[%s]" % w[6])
        else:
            for j in range(6):
                L.append("movq %d(%%[a]), %%%%rax" % (8 * j))
                L.append("mulq %[bm]")
                L.append("addq %%%%rax, %%[%s]" % w[j])
                L.append("adcq $0, %%rdx")
                if j > 0:
                    L.append("addq %%[c], %%[%s]" % w[j])
                    L.append("adcq $0, %%rdx")
                L.append("movq %%rdx, %[c]")
            L.append("movq %%[c], %%[%s]" % w[6])
        # reduction row
        L.append("movabsq $0x%x, %%[bm]" % N0)
        L.append("imulq %%[%s], %%[bm]" % w[0])
        for j in range(6):
            L.append("movabsq $0x%x, %%%%rax" % P[j])
            L.append("mulq %[bm]")
            L.append("addq %%%%rax, %%[%s]" % w[j])
            L.append("adcq $0, %%rdx")
            if j > 0:
                L.append("addq %%[c], %%[%s]" % w[j])
                L.append("adcq $0, %%rdx")
            L.append("movq %%rdx, %[c]")
        L.append("addq %%[c], %%[%s]" % w[6])  # t + m*p < 2^448: no carry out
        w = w[1:] + [w[0]]
    emit("static inline void bls_x86_mont_mul_mulq(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {")
    emit("    uint64_t %s, bm, c;" % ", ".join(W))
    asm_block(L, temps(W + ["bm", "c"]), ['[a] "r"(a)', '[b] "r"(b)'], ["rax", "rdx", "cc", "memory"])
    emit("    bls_x86_reduce_once6(r, %s);" % ", ".join(w[:6]))
    emit("}")
    emit()


def sub768():
    # r = a - b on 12 limbs; the callers guarantee a >= b (no borrow out)
    L = []
    for j in range(12):
        L.append("movq %d(%%[a]), %%[x]" % (8 * j))
        L.append("%s %d(%%[b]), %%[x]" % ("subq" if j == 0 else "sbbq", 8 * j))
        L.append("movq %%[x], %d(%%[r])" % (8 * j))
    emit("static inline void bls_x86_sub768(uint64_t r[12], const uint64_t a[12], const uint64_t b[12]) {")
    emit("    uint64_t x;")
    asm_block(L, temps(["x"]), ['[r] "r"(r)', '[a] "r"(a)', '[b] "r"(b)'], ["cc", "memory"])
    emit("}")
    emit()


def add768():
    # r = a + b on 12 limbs; the callers keep the sum below 2^768 (no carry out)
    L = []
    for j in range(12):
        L.append("movq %d(%%[a]), %%[x]" % (8 * j))
        L.append("%s %d(%%[b]), %%[x]" % ("addq" if j == 0 else "adcq", 8 * j))
        L.append("movq %%[x], %d(%%[r])" % (8 * j))
    emit("static inline void bls_x86_add768(uint64_t r[12], const uint64_t a[12], const uint64_t b[12]) {")
    emit("    uint64_t x;")
    asm_block(L, temps(["x"]), ['[r] "r"(r)', '[a] "r"(a)', '[b] "r"(b)'], ["cc", "memory"])
    emit("}")
    emit()


def sub768_modp():
    # r = a - b, plus p*2^384 if that borrowed: for a, b < p*2^384 the result is a - b
    # mod p*2^384, in [0, p*2^384) (a valid input of redc)
    L = []
    for j in range(12):
        L.append("movq %d(%%[a]), %%[x]" % (8 * j))
        L.append("%s %d(%%[b]), %%[x]" % ("subq" if j == 0 else "sbbq", 8 * j))
        L.append("movq %%[x], %d(%%[r])" % (8 * j))
    L.append("sbbq %[m], %[m]")  # all ones on borrow
    Y = ["y%d" % j for j in range(6)]
    for j in range(6):  # mask first: "and" clears CF, so it cannot sit inside the adc chain
        L.append("movq %d(%%[p]), %%[%s]" % (8 * j, Y[j]))
        L.append("andq %%[m], %%[%s]" % Y[j])
    for j in range(6):
        L.append("%s %%[%s], %d(%%[r])" % ("addq" if j == 0 else "adcq", Y[j], 48 + 8 * j))
    emit("static inline void bls_x86_sub768_modp(uint64_t r[12], const uint64_t a[12], const uint64_t b[12]) {")
    emit("    uint64_t x, m, %s;" % ", ".join(Y))
    asm_block(L, temps(["x", "m"] + Y), ['[r] "r"(r)', '[a] "r"(a)', '[b] "r"(b)', '[p] "r"(BLS_X86_P)'],
              ["cc", "memory"])
    emit("}")
    emit()


emit("/* Generated by crypto/bls_fp_asm.py: do not edit; change the script and run")
emit(" *   python3 crypto/bls_fp_asm.py > crypto/bls_fp_x86.h")
emit(" * x86-64 kernels of the BLS12-381 field (see the script for what each computes).")
emit(" * The includer defines BLS_X86_P (p's limbs), BLS_X86_N0 (-1/p mod 2^64, in memory) and")
emit(" * bls_x86_reduce_once6 (conditional subtraction of p) before including this file. */")
emit("#ifndef CANDOR_CRYPTO_BLS_FP_X86_H")
emit("#define CANDOR_CRYPTO_BLS_FP_X86_H")
emit()
mul384_adx()
redc_adx()
mont_mul_adx()
mul384_mulq()
redc_mulq()
mont_mul_mulq()
sub768()
add768()
sub768_modp()
emit("#endif")
print("\n".join(out))
