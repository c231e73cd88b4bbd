from setuptools import find_packages, setup

PACKAGE = "academy_pool"

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
    description="Episode pool: finished episodes in a pool directory with an SQLite catalog.",
    license="Apache-2.0",
)
