"""The records store: the SQLite catalogue, batch ingest, the 管理处 registry, the one-time migration."""
