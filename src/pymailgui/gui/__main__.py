"""``python -m pymailgui.gui``: the same as the ``pymailgui`` command."""

import sys

from pymailgui.gui.app import main

sys.exit(main())
