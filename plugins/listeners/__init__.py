"""Market-data listeners (``listeners.*``): fetch on an interval, serve the latest to readers."""
