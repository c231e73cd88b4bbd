from setuptools import find_packages, setup

PACKAGE = "academy_recorder"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    package_data={PACKAGE: ["py.typed"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=False,
    entry_points={
        "console_scripts": [
            # node name = executable name (ROS 2 convention)
            "recorder = academy_recorder.recorder_node:main",
        ],
    },
    description="Telemetry recorder: one rosbag2 (MCAP) episode per skill attempt.",
    license="Apache-2.0",
)
