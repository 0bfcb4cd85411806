/* The chain id answers are signed for: the execution chain's (what eth_chainId returns, what
 * EIP-712 domains and on-chain verifiers use), never the beacon config's DEPOSIT_CHAIN_ID,
 * which names the chain of the deposit contract and may differ (a devnet with
 * DEPOSIT_CHAIN_ID 5 whose execution chain is 1).
 *
 * - a named network: its known execution chain id (mainnet 1, sepolia 11155111, holesky
 *   17000, hoodi 560048); --execution-chain-id, if given, must agree;
 * - a network config file: --execution-chain-id, or the file's EXECUTION_CHAIN_ID key (both
 *   given: they must agree); neither: refused, with a message saying so.
 *
 * Every execution upstream is asked for eth_chainId (at start, then every minute); one that
 * answers another id is not used (logged, shown in /health) and, while no upstream has
 * confirmed the id, nothing is signed. */
#ifndef CANDOR_SVC_CHAINID_H
#define CANDOR_SVC_CHAINID_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"

struct svc_service;

#define SVC_CHAIN_RECHECK_S 60

/* True when `network` is one of the built-in network names. */
bool svc_known_network(const char *network);
/* The execution chain id for `network` (a name or a config file path) and the
 * --execution-chain-id value (0 = not given), per the rules above. */
CD_MUST_CHECK cd_status svc_execution_chain_id(const char *network, uint64_t flag_id, uint64_t *out, cd_error *err);

/* Asks the execution upstreams that are due (unchecked, disagreeing, or last checked more
 * than SVC_CHAIN_RECHECK_S ago) for eth_chainId and records the outcome; returns how many
 * upstreams agree. Called by the sync thread. */
unsigned svc_check_upstream_chain_ids(struct svc_service *s);
/* Whether some execution upstream confirmed the chain id (signing needs it). A service
 * struct not made by svc_service_init (no execution pool, no expectation) counts as
 * confirmed, for tests that sign by hand. */
bool svc_chain_id_confirmed(struct svc_service *s);

#endif
