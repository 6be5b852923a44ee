"""Gongzhi: api."""
