"""``pymail``: the console client, a thin front end over :mod:`pymailgui.actions`."""
