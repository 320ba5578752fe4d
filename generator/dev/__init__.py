"""The dev server: incremental rebuilds in memory, live reload, an error overlay.

- ``session``: the site kept in memory and updated file by file.
- ``server``: HTTP on 127.0.0.1, pages rendered on request, Server-Sent Events.
- ``watch``: watchdog observers with a debounce.
"""
