"""Hostile-portal suite: real crawls against a local server that misbehaves on purpose."""
