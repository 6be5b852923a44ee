"""Gongzhi: graph."""
