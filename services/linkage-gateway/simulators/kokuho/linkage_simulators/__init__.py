"""Counterpart simulators of linkage-gateway, each a small HTTP process (`make run` starts them).

They live outside the gateway's wheel (``services/linkage-gateway/simulators`` is not in its
``packages``) and import nothing from it: they only speak the documented formats, so the
gateway's HTTP adapters are exercised exactly as against the real counterparts.
"""
