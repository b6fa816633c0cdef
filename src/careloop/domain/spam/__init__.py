"""Spam-SMS governance (垃圾短信治理): pure rules for reports, message fingerprints, ports and
enforcement. No I/O and no wall clock here; the use cases live in ``careloop.services.spam``."""
