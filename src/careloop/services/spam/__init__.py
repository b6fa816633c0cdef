"""Spam-SMS governance use cases: reports from every source, campaigns (near-duplicate
reports of one message), the port registry and enforcement. Every function takes a unit of
work and returns read models, never ORM rows."""
