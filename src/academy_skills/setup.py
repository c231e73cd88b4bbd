from setuptools import find_packages, setup

PACKAGE = "academy_skills"

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
    description="Skill library, skill executor and program runner.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            # node name = executable name (ROS 2 convention); installed under lib/academy_skills
            "skill_executor = academy_skills.skill_executor_node:main",
            "program_runner = academy_skills.program_runner_node:main",
        ],
    },
)
