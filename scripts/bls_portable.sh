#!/bin/sh
# Runs a BLS test binary with the portable (mulq, no BMI2/ADX) field path forced, so that
# `make test` covers both field paths on a machine that has ADX. The field code is chosen by
# the dynamic loader from glibc's CPU features (crypto/bls_fp.c), which honour this mask;
# CANDOR_BLS_PATH makes the binary check that the mask took effect.
bin=$1
shift
GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.cpu.hwcaps=-BMI2,-ADX" \
    CANDOR_BLS_PATH=portable exec "$bin" "$@"
