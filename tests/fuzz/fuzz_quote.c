/* libFuzzer target: the TDX DCAP quote parser and verifier (header, body, signature data,
 * QE report, PEM chain), format detection and the hex/base64 front door, and the CCEL
 * event-log parser that accompanies a TDX quote.
 * Seeds: the real quotes in $CANDOR_DATA/tdx-go-tdx-guest (pass the folder as a corpus dir). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "attest/att_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const att_verify_opts opts = {.at = 1780000000 /* 2026-05-28: inside every sample's window */,
                                         .accept_debug = true};
    att_report rep;
    cd_error err;
    memset(&rep, 0, sizeof rep);
    (void)att_tdx_verify(cd_bytes_make(data, size), &opts, &rep, &err);
    (void)att_detect_format(cd_bytes_make(data, size));
    if (size < 4096) (void)att_verify(cd_bytes_make(data, size), &opts, &rep, &err);
    att_event_log log;
    if (att_ccel_replay(cd_bytes_make(data, size), &log, &err) == CD_OK) att_event_log_free(&log);
    return 0;
}
