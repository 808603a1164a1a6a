"""Partners notified of the cases they may read: subscriptions, an outbox of thin
CloudEvents written from the event log, and signed webhook delivery."""
