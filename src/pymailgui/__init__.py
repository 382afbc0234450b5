"""PyMailGUI: a POP3/SMTP mail client with a GUI-free core.

Data flows one way: server -> ``pop`` -> ``inbox`` -> ``actions`` -> front ends
(``console`` and ``gui``). Only ``pymailgui.gui`` may import Qt.
"""

__version__ = "0.1.0"
