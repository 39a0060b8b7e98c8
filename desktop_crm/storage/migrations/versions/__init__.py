"""Alembic revisions of the replica schema (files named ``NNNN_<slug>.py``, ids ``"NNNN"``)."""
