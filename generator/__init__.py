"""A static site generator for annotated Arabic news archives."""

__version__ = "0.1.0"
