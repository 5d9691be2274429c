"""Exports of the live index to other search engines."""
