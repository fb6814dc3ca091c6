"""The fault suite (issue 17, ADR 0098): ``make test-faults`` = ``python -m tests.faults``.

Not a pytest module: ``make test`` never collects it. It starts a PostgreSQL cluster and a Kafka
broker of its own (other ports, under /tmp), runs eligibility and assessment against them as
separate processes, drives counter commands through eligibility's API while it kills and
terminates every process of the chain, and then checks that every acknowledged command's
effects exist exactly once, in order, and that a replay rebuilds the same read models.
"""
