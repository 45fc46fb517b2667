"""Framework-free rules of slm_app.

Nothing in this package imports frappe: calendars, lifecycle, target validation,
underpinning consistency, catalogue comparison and template filling are plain Python
(pandas, numpy, python-dateutil, zoneinfo) so they are tested in seconds anywhere.
"""
