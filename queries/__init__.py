"""Gongzhi: queries."""
