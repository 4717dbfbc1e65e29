"""The Arboris schema: table definitions, reflection of real databases, inspection."""
