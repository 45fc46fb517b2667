from setuptools import find_packages, setup

with open("requirements.txt") as f:
	install_requires = [line.strip() for line in f if line.strip() and not line.startswith("#")]

from slm_app import __version__ as version  # noqa: E402

setup(
	name="slm_app",
	version=version,
	description="IT Service Level Management for Frappe: catalogue, SLA / OLA / UC, monitoring, reviews",
	author="slm_app developers",
	author_email="slm@example.com",
	packages=find_packages(exclude=("tests", "tests.*", "benchmarks")),
	zip_safe=False,
	include_package_data=True,
	install_requires=install_requires,
	python_requires=">=3.10",
)
