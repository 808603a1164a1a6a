"""The eventsourcing application: commands in, events saved; settings, clock and storage."""
