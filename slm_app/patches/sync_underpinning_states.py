"""An SLA's underpinning table showed each OLA / UC in the state it had when it was linked: set every row
to the linked agreement's current state (kept in step from now on, slm_app.agreements)."""


def execute():
	from slm_app.agreements import sync_all_underpinning_states

	sync_all_underpinning_states()
