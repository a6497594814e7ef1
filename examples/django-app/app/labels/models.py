from django.db import models


class Label(models.Model):
    """An asset tag printed on a label: its number, rendered with the configured prefix and padding."""

    number = models.PositiveIntegerField(unique=True)
    printed_at = models.DateTimeField(auto_now_add=True)
