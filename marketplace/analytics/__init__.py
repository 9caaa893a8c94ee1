"""Placement reports for alliance analysts (秘书处): aggregates in SQL, shown as charts with their tables, exported."""
