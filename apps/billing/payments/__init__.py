"""Stripe payments, one module per seam: client, checkout, subscriptions, webhook.

Stripe: Checkout for credit packs and tier subscriptions, fulfilment, and the webhook
events that move money or tiers. Stripe only takes payment; every credit still goes
through billing/services.py.

Nothing here grants credits on anything but a Checkout Session or event that is verified:
a webhook whose signature checked out, or an object re-read from Stripe's API with our
secret key. Without keys (the embedded default) card payments are off.
"""
