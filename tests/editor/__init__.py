"""Editor support, proven with a real YAML language server driven over LSP."""
