"""Errors and diagnostics.

Input problems are data, not exceptions: a bad record becomes a
:class:`Diagnostic` that names ``file:line`` and the build goes on without it.
Exceptions are kept for problems that stop a build (unreadable settings, no
digests at all), and all of them derive from :class:`GeneratorError` so the CLI
and the MkDocs plugin can turn them into one clean message.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Diagnostic", "GeneratorError", "DigestError", "SettingsError"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in the input, located where the author can fix it."""

    path: str
    line: int
    message: str
    # "warning": kept, but worth a look; "skipped": this record was left out;
    # "unusable": nothing in the file could be read (the CLI exits non-zero).
    level: str = "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class GeneratorError(Exception):
    """A problem that stops the build."""


class DigestError(GeneratorError):
    """A digest file that cannot be used at all."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class SettingsError(GeneratorError):
    """Settings that cannot be used; the message names the file and key."""
