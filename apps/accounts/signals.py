from django.dispatch import Signal

# Sent inside the creating transaction with `workspace=`.
workspace_created = Signal()
