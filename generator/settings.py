"""Settings of a site, read once from ``content/settings.yml`` (optional).

Settings are trusted (the site's author writes them) but still validated at
the edge, so a typo gives one message naming the file and the key instead of
a traceback from deep inside the build.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from .errors import SettingsError

__all__ = ["Settings", "load_settings", "SETTINGS_FILE"]

SETTINGS_FILE = "settings.yml"


@dataclass(frozen=True)
class Settings:
    year: int | None = None  # for digests whose file name carries no date
    related: int = 5  # related papers per paper
    seed: int = 42  # for community detection; fixed so builds repeat
    digests: str = "digests"  # folder of digests inside the content folder
    site_name: str = "Daily Papers"  # for feeds written by the CLI (the plugin uses mkdocs.yml's)
    site_url: str = ""  # the site's address, for feed links (the plugin uses mkdocs.yml's)


def load_settings(content: Path) -> Settings:
    path = content / SETTINGS_FILE
    if not path.exists():
        return Settings()
    import yaml  # here, not with the module: a settings file is optional (see topicfiles._loader)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping of settings")
    known = {f.name: f for f in fields(Settings)}
    values = {}
    for key, value in data.items():
        if key not in known:
            raise SettingsError(f"{path}: unknown setting {key!r}; known: {', '.join(sorted(known))}")
        expected = {"year": (int, type(None)), "related": int, "seed": int, "digests": str,
                    "site_name": str, "site_url": str}[key]
        if not isinstance(value, expected) or isinstance(value, bool):
            raise SettingsError(f"{path}: setting {key!r} has the wrong type ({type(value).__name__})")
        values[key] = value
    if values.get("related", 5) < 0:
        raise SettingsError(f"{path}: setting 'related' must be zero or more")
    return Settings(**values)
