from pathlib import Path

from setuptools import find_packages, setup

PACKAGE = "academy_description"
#: The workspace's robot models (urdf/<model>/...) are installed to share/<PACKAGE>/urdf, where
#: the registry finds them through the ament prefix path.
HERE = Path(__file__).resolve().parent
WORKSPACE = HERE.parents[1]
MODEL_FILES: dict[str, list[str]] = {}
for path in sorted((WORKSPACE / "urdf").rglob("*")):
    if path.is_file():  # setuptools wants paths relative to this file
        target = f"share/{PACKAGE}/{path.parent.relative_to(WORKSPACE)}"
        MODEL_FILES.setdefault(target, []).append(f"../../{path.relative_to(WORKSPACE)}")

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    package_data={PACKAGE: ["py.typed"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        *MODEL_FILES.items(),
    ],
    install_requires=["setuptools"],
    zip_safe=False,
    description="Robot model registry, URDF/xacro loading and validation.",
    license="Apache-2.0",
)
