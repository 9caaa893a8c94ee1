"""Documents an alliance or a school publishes: the annual quality report (就业质量年度报告) and the
市域产教联合体 three lists."""
