"""Solana: an RPC endpoint, a wallet, and the Jupiter aggregator as a swap venue."""
