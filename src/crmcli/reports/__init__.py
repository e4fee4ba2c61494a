"""Reports: each one SQL aggregate returning a frozen dataclass (SPEC §5, README "Reports").

The shared filters live in ``filters``, the deal source (now or ``--as-of``) in ``source``,
presentation that is not Rich (the view every output uses, the HTML page) in ``render``.
"""
