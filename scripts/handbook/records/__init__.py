"""Records processor: validate clerks' files, ingest them safely, compute the monthly statistics."""
