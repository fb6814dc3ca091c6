"""Kokuho eventing: public event contracts (``contracts``) and the runtime that stores,
publishes and consumes them (``runtime``), with in-memory fakes for unit tests (``testing``)."""
