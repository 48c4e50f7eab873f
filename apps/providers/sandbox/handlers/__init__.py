"""The routes of each fake provider, one module per provider, in that provider's wire format."""
