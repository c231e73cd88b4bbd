"""Trainer instructions: text parser, dispatch to skills, trainer feedback."""
