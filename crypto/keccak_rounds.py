#!/usr/bin/env python3
"""Generates the KECCAK_ROUND_S_TO_T / KECCAK_ROUND_T_TO_S macros of crypto/keccak.c.

One Keccak-f[1600] round on lanes i = x + 5y: theta (column parities c, d), rho+pi
(B[x'][y'] = ROL(A[x][y] ^ D[x], r[x][y]) with x' = y, y' = 2x + 3y, i.e. x = x' + 3y'),
chi and iota. The state is kept lane-complemented on MASK (lanes 1, 2, 8, 12, 17, 20):
for every output row this script searches AND/OR forms of chi's b ^ (~b1 & b2) over the
stored (possibly complemented) values, allowing one NOT per row, so that the outputs come
out complemented exactly on MASK again. Each round also accumulates the next round's
column parities (c0..c4) as it writes its output lanes.

Usage: python3 crypto/keccak_rounds.py > /tmp/rounds.h  (then paste over the macros)
"""
import sys
R = [0,1,62,28,27, 36,44,6,55,20, 3,10,43,25,39, 41,45,15,21,8, 18,2,61,56,14]
MASK = {1,2,8,12,17,20}
m = [1 if i in MASK else 0 for i in range(25)]
fC = [sum(m[x+5*y] for y in range(5)) & 1 for x in range(5)]
fD = [fC[(x+4)%5] ^ fC[(x+1)%5] for x in range(5)]

def row_plan(yo):
    # source lanes and flags of b0..b4 for output row yo
    fB = []
    for xo in range(5):
        x = (xo + 3*yo) % 5; y = xo; i = x + 5*y
        fB.append(m[i] ^ fD[x])
    best = None
    for k in [None,0,1,2,3,4]:
        exprs = []
        ok = True
        for xo in range(5):
            i0, i1, i2 = xo, (xo+1)%5, (xo+2)%5
            found = None
            # options for each operand: (text, complemented-relative-to-true-b)
            def opts(i):
                o = [(f"b{i}", fB[i])]
                if k == i: o.append((f"nb", fB[i]^1))
                return o
            for (t0, g0) in opts(i0):
                for (t1, g1) in opts(i1):
                    for (t2, g2) in opts(i2):
                        for op in ['&','|']:
                            # operands are true values ^ g; want T = ~b1 & b2 or its complement
                            # evaluate truth table on bits of b1,b2
                            vals = []
                            for b1 in (0,1):
                                for b2 in (0,1):
                                    a = b1 ^ g1; b = b2 ^ g2
                                    u = (a & b) if op=='&' else (a | b)
                                    T = (1-b1) & b2
                                    vals.append(u ^ T)
                            if vals in ([0,0,0,0],[1,1,1,1]):
                                notT = vals[0]
                                c = g0 ^ m[(xo + 5*yo)] ^ notT
                                if c == 0:
                                    found = f"{t0} ^ ({t1} {op} {t2})"
                                    break
                        if found: break
                    if found: break
                if found: break
            if not found: ok = False; break
            exprs.append(found)
        if ok:
            best = (k, exprs, fB); break
    return best

def rnd(src, dst, rc):
    L=[]
    for x in range(5):
        L.append(f"d{x} = c{(x+4)%5} ^ ROL64(c{(x+1)%5}, 1);")
    nots = 0
    for yo in range(5):
        plan = row_plan(yo)
        if plan is None: sys.exit(f"no plan for row {yo}")
        k, exprs, fB = plan
        for xo in range(5):
            x = (xo + 3*yo) % 5; y = xo; i = x + 5*y
            r = R[i]; e = f"{src}{i} ^ d{x}"
            L.append(f"b{xo} = ROL64({e}, {r});" if r else f"b{xo} = {e};")
        if k is not None:
            L.append(f"nb = ~b{k};"); nots += 1
        for xo in range(5):
            extra = f" ^ {rc}" if (xo==0 and yo==0) else ""
            L.append(f"{dst}{xo+5*yo} = {exprs[xo]}{extra};")
        for xo in range(5):
            L.append(f"c{xo} = {dst}{xo};" if yo == 0 else f"c{xo} ^= {dst}{xo+5*yo};")
    return L, nots

for name, s, d in (("S_TO_T","s","t"),("T_TO_S","t","s")):
    L, nots = rnd(s, d, "(rc)")
    print(f"/* {nots} NOTs per round */")
    print(f"#define KECCAK_ROUND_{name}(rc) do {{ \\")
    for l in L: print("    " + l + " \\")
    print("} while (0)\n")
