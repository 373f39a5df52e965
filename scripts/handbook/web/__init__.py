"""The intake web app: the staff site at / and the clerks' upload page at /intake/."""
