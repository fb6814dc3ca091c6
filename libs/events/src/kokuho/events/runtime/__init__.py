"""The eventing runtime: Postgres event store and outbox, the outbox relay to Kafka, the inbox
consumer with dead-letter handling, topic administration and trace propagation."""
