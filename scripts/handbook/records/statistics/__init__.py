"""The 月度统计: rows as known at a month, 事项 and KPIs, the report and what publishes it."""
