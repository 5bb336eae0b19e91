"""Hypothesis settings for the tests that send random input through the views."""

from hypothesis import HealthCheck, settings


def through_views(max_examples):
    """Each example is a request through a view: slower than a deadline suits, and the
    examples share the test's client and person on purpose (each must leave the database
    as it found it, or as one whole record more)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
