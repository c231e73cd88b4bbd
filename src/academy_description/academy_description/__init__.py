"""Robot model registry, URDF/xacro loading and validation."""
