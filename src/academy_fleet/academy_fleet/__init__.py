"""Hosting a fleet: several nodes or robots per process (a component containers job)."""
