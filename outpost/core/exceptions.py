"""Errors of the domain that every entry point answers the same way."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The record changed under the caller: a compare-and-set lost, or a decision was taken
    already. A `ValidationError`, so forms show it like any other; the API answers 409."""
