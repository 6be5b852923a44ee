"""Gongzhi: loaders."""
