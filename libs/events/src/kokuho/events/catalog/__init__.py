"""The event catalog: which contract travels on which topic (``topics``), the AsyncAPI 3.0
document generated from the contract registry (``asyncapi``), and the committed JSON Schemas that
guard schema evolution (``evolution``). Run ``python -m kokuho.events.catalog --help``."""
