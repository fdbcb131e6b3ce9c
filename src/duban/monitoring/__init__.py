"""防止返贫监测帮扶: the monitoring list of households at risk of returning to poverty.

Households under watch (``households``), the assistance measures assigned to units and timed on
the working-day clock (``measures``), visits at set intervals (``visits``), 风险消除 by the rules'
conditions (``clearance``), county workbooks in and out (``workbook``) and the board by township
and by risk (``board``). The rules are data (``rules.yaml``, ``measures_policy.yaml``); who sees
whole ID numbers and phones is :mod:`duban.access` (``roles.yaml``, section ``monitoring``).
"""
