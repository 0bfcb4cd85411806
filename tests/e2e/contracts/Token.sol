// SPDX-License-Identifier: MIT
// A small ERC-20 written for Candor's end-to-end test: balances and allowances in mappings
// (storage slots 0 and 1), total supply in slot 2, Transfer/Approval events.
pragma solidity ^0.8.20;

contract Token {
    mapping(address => uint256) public balanceOf;                      // slot 0
    mapping(address => mapping(address => uint256)) public allowance;  // slot 1
    uint256 public totalSupply;                                        // slot 2
    string public constant name = "Candor Test Token";
    string public constant symbol = "CTT";
    uint8 public constant decimals = 18;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        totalSupply = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "allowance");
        allowance[from][msg.sender] = allowed - value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) internal {
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
