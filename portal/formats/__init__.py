"""The portal's date and time formats (``FORMAT_MODULE_PATH``): Django 5 always localizes,
so the locale's own formats (en: "March 16, 2025", "Dec. 1, 2026, 3:35 a.m.") win over
``settings.DATE_FORMAT`` unless a format module of the project names them. The values
themselves are set once, in ``portal/settings.py``."""
