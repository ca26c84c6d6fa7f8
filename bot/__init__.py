"""briefbot's adapters: settings, the Discord bot and the local harness CLI."""
