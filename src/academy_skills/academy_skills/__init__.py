"""Skill library, skill executor and program runner of the Humanoid Academy."""
