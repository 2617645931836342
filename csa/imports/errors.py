"""Why an import stops: :class:`ImportRefused` (a message saying which file, column, rows and how to fix)
and :class:`MissingConfig` (the exact lines to add to the import config)."""

from __future__ import annotations

__all__ = ["ImportRefused", "MissingConfig"]


class ImportRefused(ValueError):
    """The raw files cannot be imported as they are; the message says where and how to fix it."""


class MissingConfig(ImportRefused):
    """Something only the user knows is missing from the import config.

    ``yaml`` holds the lines to add, ready to paste into ``import.yaml``.
    """

    def __init__(self, why: str, yaml: str, config: str = "import.yaml") -> None:
        self.why, self.yaml, self.config = why, yaml.rstrip("\n") + "\n", config
        self.partial = None  # the rest of the config, when it could be read
        super().__init__(f"{why}\nAdd these lines to {config}:\n\n{self.yaml}")
