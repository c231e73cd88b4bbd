from setuptools import find_packages, setup

PACKAGE = "academy_instructions"

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
            "instruction_parser = academy_instructions.instruction_parser_node:main",
            "scripted_trainer = academy_instructions.scripted_trainer_node:main",
        ],
    },
    description="Trainer instructions: text parser, dispatch to skills, trainer feedback.",
    license="Apache-2.0",
)
