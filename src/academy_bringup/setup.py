from setuptools import find_packages, setup

PACKAGE = "academy_bringup"

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
    description="Session runner (the academy CLI) and session schema.",
    license="Apache-2.0",
    entry_points={
        # The user-facing CLI goes to <prefix>/bin, which install/setup.bash puts on PATH.
        "console_scripts": ["academy = academy_bringup.cli:main"],
    },
)
