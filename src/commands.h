/* The CLI's subcommands. Each lives in its own src/cmd_<name>.c and receives the
 * arguments after its own name (argv[0] is the subcommand name). Returns the exit code. */
#ifndef CANDOR_COMMANDS_H
#define CANDOR_COMMANDS_H

int cmd_proof(int argc, char **argv);   /* candor proof verify ...   (execution proofs) */
int cmd_lc(int argc, char **argv);      /* candor lc verify ...      (light client replay) */
int cmd_evm(int argc, char **argv);     /* candor evm statetest ...  (EVM conformance) */
int cmd_serve(int argc, char **argv);   /* candor serve ...          (the daemon) */
int cmd_quote(int argc, char **argv);   /* candor quote verify ...   (TEE quotes) */
int cmd_verify(int argc, char **argv);  /* candor verify ANSWER.json (signed answers) */

#endif
