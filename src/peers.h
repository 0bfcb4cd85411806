/* The daemon's side of a cluster (cluster/ does the channel; docs/cluster.md):
 *
 *   setup      POST /setup {"peers":[...],"port":N,"execution_rpc":"..."} or the flags
 *              --peers/--peer-port; accepted once (409 afterwards), sealed in the store
 *              (record "cluster/setup"), so it survives restarts.
 *   bootstrap  no peers: the cluster secp256k1 key is generated here, inside the TEE, and
 *              sealed (record "cluster/key").
 *   join       peers: a worker connects to them in turn until one admits us and sends the
 *              key after the mutual attestation; the key is sealed, and later starts load
 *              it without joining again.
 *   serve      while this node holds the key, a listener on the peer port hands it to
 *              joiners it admits: governance (measurement approved, node address an
 *              active member: svc_governance_admit) or, in dev mode, --peer-allow FILE.
 *              When the governance snapshot changes (svc_governance_generation), every
 *              admitted peer is checked again and one no longer admitted is marked
 *              revoked (and refused at its next handshake).
 *   signing    svc_peers_signer: the cluster key once held; a node set up for a cluster
 *              without the key yet signs nothing (503 no_cluster_key), never with its
 *              node key.
 * Thread-safe (own lock). */
#ifndef CANDOR_SVC_PEERS_H
#define CANDOR_SVC_PEERS_H

#include "api/api.h"
#include "common/common.h"
#include "src/signer.h"

struct svc_service;

/* Reads the sealed setup and key and applies the --peers/--peer-port flags (a setup from
 * flags that differs from the sealed one is CD_ERR_CLUSTER_SETUP). A sealed execution_rpc
 * replaces --execution-rpc (called before the upstream pools are made). */
CD_MUST_CHECK cd_status svc_peers_init(struct svc_service *s, cd_error *err);
void svc_peers_free(struct svc_service *s);
/* Bootstraps, or starts the join worker, and the peer-port listener, as the setup says. */
CD_MUST_CHECK cd_status svc_peers_start(struct svc_service *s, cd_error *err);
/* Joins the threads (after s->stop is set). */
void svc_peers_stop(struct svc_service *s);

/* The key answers are signed with: the node key without a cluster setup, the cluster key
 * once held; CD_ERR_CLUSTER_NO_KEY for a node set up for a cluster that has none yet. */
CD_MUST_CHECK cd_status svc_peers_signer(struct svc_service *s, const svc_signer **out);
/* The cluster address when the key is held. */
bool svc_peers_cluster_address(struct svc_service *s, cd_address *out);

/* Adds POST /setup and the no_cluster_key gate in front of /block, /call, /governance and
 * /dvn/verify (call after the other routes are registered). */
void svc_peers_backend(struct svc_service *s, api_backend *b);
/* The "cluster" member of /health. */
void svc_peers_health(struct svc_service *s, json_object *health);

#endif
