"""The rules of benefits.

Pure, synchronous, standard library only (and the platform's ``DomainError`` base). One module
per aggregate or rule family, each under about 400 lines.
"""
