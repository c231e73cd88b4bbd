"""Controller manager, joint state broadcaster, trajectory and gripper controllers, e-stop."""
