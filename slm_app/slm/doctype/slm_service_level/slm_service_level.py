# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMServiceLevel(ChildRow):
	pass
