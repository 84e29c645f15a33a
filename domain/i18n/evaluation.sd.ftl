# Evaluation of innovative actions (issue 12): readings, warnings, KPI names.
