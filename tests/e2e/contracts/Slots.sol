// SPDX-License-Identifier: MIT
// Many storage slots for Candor's /call sweep: fill() writes slots 0..count-1 of a mapping
// (in chunks, one transaction each, to stay under the block gas limit), and sum(n) reads the
// first n of them, so a call touches exactly n slots of this contract (plus its code).
pragma solidity ^0.8.20;

contract Slots {
    mapping(uint256 => uint256) public v; // slot keccak(i . 0)
    uint256 public filled;                // slot 1

    /* Non-zero values only: anvil 1.7.1 keeps a zero-valued leaf when zero is written to an
     * empty slot (see tests/e2e/README.md). */
    function fill(uint256 count) external {
        uint256 start = filled;
        for (uint256 i = start; i < start + count; i++) v[i] = i * 0x9e3779b9 + 1;
        filled = start + count;
    }

    function sum(uint256 n) external view returns (uint256 s, uint256 h) {
        for (uint256 i = 0; i < n; i++) {
            uint256 x = v[i];
            s += x;
            h = uint256(keccak256(abi.encode(h, x)));
        }
    }

    /* Reads that each depend on the one before: v[i] picks the next index, so the slots it
     * touches are only known by running it (no access list shows them in advance). */
    function chase(uint256 start, uint256 steps) external view returns (uint256 i) {
        i = start;
        for (uint256 k = 0; k < steps; k++) i = v[i] % 4096;
    }
}
