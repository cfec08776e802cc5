"""Reference prices (``prices.*``): what a strategy quotes around."""
