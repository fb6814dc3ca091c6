"""In-memory fakes of the runtime ports, for unit tests. They pass the same contract tests as
the PostgreSQL and Kafka adapters (libs/events/tests/test_*_contract.py)."""
