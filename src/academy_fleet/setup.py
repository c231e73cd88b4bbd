from setuptools import find_packages, setup

PACKAGE = "academy_fleet"

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
            # one robot's controller manager, skill executor and recorder in one process
            "robot_container = academy_fleet.robot_container:main",
            # several robots' nodes in one process
            "fleet_container = academy_fleet.robot_container:fleet_main",
        ],
    },
    description="Fleet hosting: a robot's nodes in one process (component-container layout).",
    license="Apache-2.0",
)
