"""delinquency's adapters: the PostgreSQL unit of work and its in-memory twin."""
