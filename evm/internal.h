/* Private to evm/: the journaled world overlay, the VM context and the interfaces between
 * world.c (state), interp.c (frames and opcodes), tx.c (transactions) and memstate.c. */
#ifndef CANDOR_EVM_INTERNAL_H
#define CANDOR_EVM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/common.h"
#include "evm/evm.h"
#include "evm/u256.h"

#define EVM_MAX_DEPTH 1024
#define EVM_STACK_LIMIT 1024
#define EVM_MAX_CODE_SIZE 24576          /* EIP-170 */
#define EVM_MAX_INITCODE_SIZE 49152      /* EIP-3860 */
#define EVM_CODE_PAD 33                  /* zero bytes after code: PUSH32 at the end reads 0 */
#define EVM_MEM_LIMIT (1ull << 32)       /* offsets beyond this can never be paid for */

/* Internal outcome beyond evm_outcome: a host read failed, abandon everything. */
#define EVM_FATAL 100

/* Code as the interpreter runs it: padded copy plus JUMPDEST bitmap (one allocation). */
typedef struct {
    const uint8_t *code;      /* code_len bytes + EVM_CODE_PAD zeros */
    size_t len;
    const uint8_t *jumpdests; /* bit i set: code[i] is a JUMPDEST outside push data */
} vm_code;

/* Mutable part of an account, saved whole in the journal. */
typedef struct {
    uint64_t nonce;
    cd_u256 balance;
    cd_hash32 code_hash;
    vm_code code;             /* valid when code_loaded */
    bool exists;
    bool code_loaded;
    bool has_storage;         /* host storage not known empty (collision rule) */
    bool storage_cleared;     /* storage treated as empty (created in this tx) */
    bool created;             /* created in this transaction (EIP-6780) */
    bool destructed;          /* SELFDESTRUCT scheduled deletion */
    bool touched;             /* EIP-161 */
} acct_state;

typedef struct {
    cd_address addr;
    acct_state s;
    bool warm;
    bool dirty;               /* changed since load (to commit) */
    uint32_t hnext;           /* hash chain (index + 1, 0 = end) */
} world_acct;

typedef struct {
    uint32_t acct;
    cd_u256 key;
    cd_u256 value;
    cd_u256 original;         /* value at transaction start (EIP-2200) */
    bool warm;
    bool transient;           /* EIP-1153 slot (original unused) */
    uint32_t hnext;
} world_slot;

typedef enum {
    J_ACCT,       /* account state changed: old state saved */
    J_ACCT_WARM,  /* account became warm */
    J_SLOT,       /* slot value changed: old value saved */
    J_SLOT_WARM,  /* slot became warm */
} jkind;

typedef struct {
    uint8_t kind;
    uint32_t idx;
    union {
        acct_state acct;
        cd_u256 value;
    } old;
} jentry;

typedef struct {
    size_t journal_len;
    size_t n_logs;
    int64_t refund;
} vm_snapshot;

typedef struct evm_vm evm_vm;

enum { VM_STACK_UNKNOWN = 0, VM_STACK_ROOM, VM_STACK_SMALL };

/* This fork's constant gas of an opcode (the handlers of the few that later forks reprice
 * read it; stack bounds are compile-time constants in each handler). */
typedef struct {
    int16_t gas;              /* constant gas; -1 = opcode undefined at this fork */
} vm_opinfo;

typedef struct {
    cd_u256 *stack;           /* EVM_STACK_LIMIT words */
    uint8_t *mem;
    size_t mem_cap;
    uint8_t *mem_reserve;     /* memory inside the vm that mem starts in (not freed), or NULL */
    cd_buf ret;               /* return data of this depth's last sub-call */
} vm_scratch;

/* What the vm itself holds for a typical eth_call, so that most calls need no allocation
 * besides the vm's own: the outermost frame's stack and first memory, the first accounts
 * and journal entries. Past these the tables move to the heap. */
#define VM_ACCTS_RESERVE 8
#define VM_JOURNAL_RESERVE 32
#define VM_MEM_RESERVE 4096
#define VM_CODE_RESERVE (12 << 10)  /* first code loaded, with its padding and bitmap */
#define VM_ACCT_BUCKETS0 64
#define VM_SLOT_BUCKETS0 256

/* Scratch for call depth d (allocated zeroed on first use). NULL: out of memory. */
vm_scratch *vm_scratch_at(evm_vm *vm, int d);

struct evm_vm {
    const evm_host *host;
    evm_fork fork;
    evm_block block;
    cd_error *err;
    cd_status fatal;            /* first host failure (sticky) */

    /* transaction context */
    cd_address origin;
    cd_u256 gas_price;
    const cd_hash32 *blob_hashes;
    size_t n_blob_hashes;

    /* warm from the start of the transaction without being read (EIP-2929/2930/3651):
     * applied when such an account or slot is first loaded, so warming costs no host read */
    cd_address prewarm[3];
    size_t n_prewarm;
    const evm_access_list *prewarm_list;

    /* world overlay */
    world_acct *accts;
    size_t n_accts, cap_accts;
    uint32_t *acct_buckets;     /* index + 1 */
    size_t acct_nbuckets;
    world_slot *slots;
    size_t n_slots, cap_slots;
    uint32_t *slot_buckets;
    size_t slot_nbuckets;
    jentry *journal;
    size_t n_journal, cap_journal;
    evm_log *logs;
    size_t n_logs, cap_logs;
    int64_t refund;
    cd_arena arena;             /* request-scoped: code copies, freed with the vm */

    /* per-depth scratch reused across frames, grown on demand (most calls stay shallow) */
    vm_scratch **scratch;       /* each entry allocated separately: frames keep pointers */
    size_t n_scratch;

    uint8_t stack_room;         /* VM_STACK_*: what vm_deep_stack_ok found */
    vm_scratch scratch0;        /* depth 0 (the others are in `scratch`) */
    bool code0_used;            /* code0 holds a vm_code */
    uint32_t acct_buckets0[VM_ACCT_BUCKETS0]; /* the hash tables' first buckets (cleared) */
    uint32_t slot_buckets0[VM_SLOT_BUCKETS0];

    /* The reserves (see VM_ACCTS_RESERVE): everything from stack0 on is left uninitialised
     * by vm_init (33 KiB nobody reads before writing), so it must stay last. */
    cd_u256 stack0[EVM_STACK_LIMIT];
    vm_opinfo ops[256];         /* this fork's gas of the repriced opcodes (only those are set) */
    _Alignas(32) uint8_t mem0[VM_MEM_RESERVE];
    world_acct accts0[VM_ACCTS_RESERVE];
    jentry journal0[VM_JOURNAL_RESERVE];
    _Alignas(16) uint8_t code0[VM_CODE_RESERVE];
};

/* ---- world.c ---- */
CD_MUST_CHECK cd_status vm_init(evm_vm *vm, const evm_host *host, evm_fork fork, cd_error *err);
void vm_free(evm_vm *vm);
/* Account by address, loaded from the host on first use. NULL: fatal (vm->fatal set). */
world_acct *vm_acct(evm_vm *vm, const cd_address *addr);
/* Loads the code of an account (cached). false: fatal. */
bool vm_load_code(evm_vm *vm, world_acct *a);
/* Slot of account `ai` (loaded from the host on first use). NULL: fatal. */
world_slot *vm_slot(evm_vm *vm, uint32_t ai, const cd_u256 *key, bool transient);
/* Journaled mutation helpers. */
void vm_save_acct(evm_vm *vm, world_acct *a);   /* call before changing a->s */
bool vm_warm_acct(evm_vm *vm, world_acct *a);   /* returns true if it was cold */
bool vm_warm_slot(evm_vm *vm, world_slot *s);
CD_MUST_CHECK bool vm_set_slot(evm_vm *vm, world_slot *s, const cd_u256 *v);
vm_snapshot vm_snap(const evm_vm *vm);
void vm_revert(evm_vm *vm, vm_snapshot snap);
bool vm_journal_push(evm_vm *vm, const jentry *e);
/* Sets code (copied) on an account, journaled. false: out of memory (fatal). */
bool vm_set_code(evm_vm *vm, world_acct *a, const uint8_t *code, size_t len);
/* Makes a padded code copy with its jump table, owned by vm (or, with vm NULL, by the
 * caller: free((void *)out->code)). false: out of memory. */
bool vm_make_code(evm_vm *vm, const uint8_t *code, size_t len, vm_code *out);
void *vm_own(evm_vm *vm, size_t n);   /* zeroed arena memory freed with the vm */
static inline uint32_t vm_acct_index(const evm_vm *vm, const world_acct *a) {
    return (uint32_t)(a - vm->accts);
}
bool vm_acct_empty(const world_acct *a);
bool vm_acct_has_code(const world_acct *a);
void vm_fail(evm_vm *vm, cd_status st, const char *what);

extern const cd_hash32 evm_empty_code_hash;

void evm_hash(const void *data, size_t len, cd_hash32 *out);

/* ---- interp.c ---- */
enum { K_CALL, K_CALLCODE, K_DELEGATECALL, K_STATICCALL, K_CREATE, K_CREATE2 };

typedef struct {
    uint8_t kind;
    bool is_static;
    bool disable_precompiles;   /* EIP-7702: code came from a delegation */
    int depth;
    int64_t gas;
    cd_address caller;
    cd_address recipient;       /* storage/balance context */
    cd_address code_addr;
    cd_u256 value;
    const uint8_t *input;
    size_t input_len;
    cd_u256 salt;               /* CREATE2 */
} vm_msg;

typedef struct {
    int status;                 /* EVM_SUCCESS, EVM_REVERT, EVM_HALT, EVM_FATAL */
    evm_halt halt;
    int64_t gas_left;
    cd_address created;         /* for creates that succeeded */
} vm_result;

/* Runs a message call (value transfer, precompile or code). Output goes to `out`. */
vm_result vm_call(evm_vm *vm, const vm_msg *m, cd_buf *out);
/* Runs a contract creation (nonce bump, address, collision, init code, deposit). */
vm_result vm_create(evm_vm *vm, const vm_msg *m, cd_buf *out);
/* Delegation designator (EIP-7702): true and *target if code is 0xef0100 || address. */
bool vm_delegation(const uint8_t *code, size_t len, cd_address *target);
void vm_build_tables(evm_fork fork, vm_opinfo ops[256]);

/* ---- tx.c ---- */
typedef struct {
    bool is_call;               /* eth_call: skip nonce/fee validity, no fee burning rules */
    const evm_blob_schedule *blob;
} tx_mode;

/* Runs a transaction against vm (world overlay); on CD_OK, `out` has the outcome and the
 * overlay holds the post-state (after finalisation). */
CD_MUST_CHECK cd_status vm_transact(evm_vm *vm, const evm_tx *tx, const tx_mode *mode,
                                    evm_result *out);
/* vm_transact on a dedicated thread with a stack large enough for 1024 nested frames. */
/* Frames at depths 0 .. VM_SHALLOW_DEPTH-1 run on the caller's thread, which must have
 * room for that many (tens of KiB; hundreds under ASan). The first frame at
 * VM_SHALLOW_DEPTH asks whether the thread has room for all the depths after it
 * (vm_deep_stack_ok, once per transaction); if not, that frame and everything below it run
 * on a thread with a worst-case stack (vm_run_on_big_stack, which runs fn(arg) there and
 * waits: the vm is never used by two threads at once). */
#define VM_SHALLOW_DEPTH 8
bool vm_deep_stack_ok(evm_vm *vm);
/* false: the thread could not be started (fn did not run). */
bool vm_run_on_big_stack(void *(*fn)(void *), void *arg);

#endif
