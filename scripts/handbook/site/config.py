"""Typed configuration of the `handbook` MkDocs plugin (mkdocs.yml → plugins)."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class HandbookConfig(Config):
    # Paths are relative to the folder holding mkdocs.yml.
    procedures_dir = c.Type(str, default="procedures")
    organisation = c.Type(str, default="organisation.yml")
    dictionary = c.Type(str, default="data/jieba-dict.txt")
    # The hand-written home page; its <!-- 目录 --> marker is replaced by the table of contents.
    home = c.Type(str, default="index.md")
    # Where `handbook ingest` stores the records for the 月度统计 section; HANDBOOK_DATA_DIR overrides it.
    data_dir = c.Type(str, default="data/records")
    # `handbook serve` renders the statistics pages itself (web/live.py): the build then only lays out their frames.
    live_statistics = c.Type(bool, default=False)
