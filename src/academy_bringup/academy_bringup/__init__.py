"""Session runner and session schema of the Humanoid Academy (the ``academy`` CLI)."""
