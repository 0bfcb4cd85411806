/* candor: the attested Ethereum light-client verifier. Dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "src/commands.h"
#include "src/version.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"serve", cmd_serve, "run the service: sync, verify, sign, answer over HTTP/JSON-RPC"},
    {"proof", cmd_proof, "proof verify --state-root 0x.. FILE.json: check a saved eth_getProof"},
    {"lc", cmd_lc, "lc verify --network N --checkpoint 0x.. --bootstrap F --updates F..: replay light-client data"},
    {"evm", cmd_evm, "evm statetest FILE|DIR..: run official state tests"},
    {"quote", cmd_quote, "quote verify FILE [--at TIME] [--collateral DIR] [--allow FILE]: check a TEE quote"},
    {"verify", cmd_verify, "verify ANSWER.json [--attestation ATTEST.json]: check a signed answer"},
};

static void usage(FILE *out) {
    fprintf(out, "candor %s - attested Ethereum light-client verifier\n\n", CANDOR_VERSION);
    fprintf(out, "usage: candor <command> [options]   (candor <command> --help for details)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-8s %s\n", "version", "print the version");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        printf("candor %s\n", CANDOR_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "candor: unknown command '%s'\n\n", name);
    usage(stderr);
    return 2;
}
