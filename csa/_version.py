"""csa's version, in a module of its own: :mod:`csa.cache` keys on it without importing the whole package."""

__version__ = "0.1.0"
