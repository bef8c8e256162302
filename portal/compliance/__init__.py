"""The compliance framework: rules registered by each app, the sweep that turns their
violations into findings, and the findings' own actions (acknowledge, resolve, waive)."""
