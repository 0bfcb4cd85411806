/* cluster: what the module's .c files share (private; not part of the API). */
#ifndef CANDOR_CLUSTER_INTERNAL_H
#define CANDOR_CLUSTER_INTERNAL_H

#include <openssl/ssl.h>

#include "cluster/cluster.h"

struct cluster_conn {
    SSL *ssl;
    int fd;
    uint8_t own_spki[CLUSTER_SPKI_HASH_LEN];   /* ours, as the peer sees it in this session */
    uint8_t peer_spki[CLUSTER_SPKI_HASH_LEN];
    char name[64];
};

#endif
