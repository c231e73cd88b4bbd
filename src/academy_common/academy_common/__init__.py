"""Conventions shared by every Humanoid Academy node."""
