"""Entities: the registry of people, organisations and places, and linking their mentions.

- ``registry``: reading ``content/entities/<type>/<id>.toml`` into frozen :class:`Entity` records.
- ``matching``: Arabic normalisation, tokenisation and the longest-match name matcher.
- ``annotate``: linking mentions inside an article's HTML (with a cache).
- ``index``: per-entity indexes (articles, co-occurrence, related articles).
- ``pages``: entity pages, indexes, feeds and JSON.
"""
