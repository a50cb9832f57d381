"""sources.yaml → frozen, validated `Source` models.

A broken file is rejected whole: the ConfigError's `.issues` give the file, line and field of every problem, and
nothing is half-loaded. `models` holds the models, `fields` the value checks, `loader` the YAML side.
"""

from newsmon.config.loader import load_sources, parse_sources
from newsmon.config.models import ConfigIssue, Section, SelectorConfig, Source, SourcesConfig
from newsmon.errors import ConfigError

__all__ = ["ConfigError", "ConfigIssue", "Section", "SelectorConfig", "Source", "SourcesConfig", "load_sources",
           "parse_sources"]
