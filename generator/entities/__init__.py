"""Entities: the registry of people, organisations and places, and linking their mentions.

- ``registry``: reading ``content/entities/<type>/<id>.toml`` into frozen :class:`Entity` records.
- ``matching``: Arabic normalisation, tokenisation and the longest-match name matcher.
- ``annotate``: linking mentions inside an article's HTML.
- ``link``: linking one article (a pure function), and which articles a registry change reaches.
- ``index``: per-entity indexes (articles, statistics, related articles) and what a change
  makes stale.
- ``pages``: entity pages, indexes, feeds and JSON.
"""
