/* Placeholder until this command lands: says so and fails, never pretends to succeed. */
#include <stdio.h>

#include "src/commands.h"

int cmd_evm(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "candor evm: not available in this build yet\n");
    return 2;
}
