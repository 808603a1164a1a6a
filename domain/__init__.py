"""The family-case model: aggregate, events, value objects and rules. Pure Python, no I/O."""
