"""Kill switches (``kill_switches.*``): latched safety conditions that halt trading."""
