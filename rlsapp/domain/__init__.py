"""The rules of rlsapp, in pure Python: no Django, no database.

units (analytes, conversions, plausibility), kinetics (decline fits), recheck
(when to re-check), products (infusion products), rules (date limits, TSAT).
Everything above (records, reminders, charts, interop, pages) calls these; they
call nothing above them.
"""
