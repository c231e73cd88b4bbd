"""MuJoCo stations: a robot model plus props; the simulated hardware interface."""
