"""Telemetry recorder: one rosbag2 (MCAP) episode per skill attempt, with episode.json."""
