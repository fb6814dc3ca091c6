"""benefits: a Kokuho service.

Rendered by ``make new-service``; say here which affair it serves and the law it follows.
"""
