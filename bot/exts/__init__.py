"""The bot's features as cogs: each receives Discord events and calls the core."""
