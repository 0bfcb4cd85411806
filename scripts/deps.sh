#!/bin/sh
# Installs the Debian packages Candor builds and tests with, if anything is missing.
# Runs apt-get only when root; otherwise says what to install.
set -e
need=""
check() { # header package
    if ! printf '#include <%s>\n' "$1" | ${CC:-cc} -E -x c - >/dev/null 2>&1; then need="$need $2"; fi
}
check secp256k1.h libsecp256k1-dev
check secp256k1_recovery.h libsecp256k1-dev
check openssl/evp.h libssl-dev
check curl/curl.h libcurl4-openssl-dev
check json-c/json.h libjson-c-dev
check gmp.h libgmp-dev
check leveldb/c.h libleveldb-dev
check microhttpd.h libmicrohttpd-dev
check snappy-c.h libsnappy-dev
check cbor.h libcbor-dev
# clang and its sanitizer/fuzzer runtimes: `make check` and `make fuzz`.
command -v clang >/dev/null 2>&1 || need="$need clang libclang-rt-dev"
# wrk: the HTTP load generator of `make bench`.
command -v wrk >/dev/null 2>&1 || need="$need wrk"
# The end-to-end suite and the demo drive a local chain with JS tooling (tests/e2e/).
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
command -v curl >/dev/null 2>&1 || need="$need curl"
if printf '%s' "$need" | grep -q clang; then :; else
    [ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] || \
      ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need="$need libclang-rt-dev"
fi
[ -z "$need" ] && exit 0
echo "deps: missing:$need"
if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $need pkg-config >/dev/null
    echo "deps: installed:$need"
else
    echo "deps: run as root: apt-get install$need" >&2
    exit 1
fi
